package site

import (
	"strings"
)

// The site's own CSS and scripts are kept readable in site/assets and
// served without what only a reader of the source needs: comments and
// indentation. Every page loads them, so they count in each page's weight.
// Both minifiers are deliberately shallow: they never rename, reorder or
// rewrite anything, so they cannot change what the code does.

// minifyCSS drops comments and collapses whitespace, removing it where CSS
// never needs it (around { } ; , > and after :). Strings are copied as
// they are. Whitespace before ":" or "(" stays: "a :hover" and
// "and (max-width…)" need it.
func minifyCSS(src string) string {
	var b strings.Builder
	b.Grow(len(src))
	space := false // whitespace seen and not yet written
	last := byte(0)
	write := func(c byte) {
		if space && last != 0 && !strings.ContainsRune("{};,>:", rune(last)) && !strings.ContainsRune("{};,>", rune(c)) {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
		last = c
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += 2 + end + 1
			space = true
		case c == '"' || c == '\'':
			write(c)
			for i++; i < len(src); i++ {
				b.WriteByte(src[i])
				if src[i] == '\\' && i+1 < len(src) {
					i++
					b.WriteByte(src[i])
					continue
				}
				if src[i] == c {
					break
				}
			}
			last = c
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			space = true
		default:
			write(c)
		}
	}
	return b.String()
}

// minifyJS drops the indentation of every line, blank lines and lines that
// are only a // comment. Lines stay lines, so automatic semicolon
// insertion sees what it saw; the scripts have no template literals or
// strings continued over lines, whose text this would change (a test
// checks).
func minifyJS(src string) string {
	var b strings.Builder
	b.Grow(len(src))
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
