package guide

import (
	"slices"
	"sort"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// isWordByte reports whether c can be part of an UPPER_SNAKE word: a
// placeholder is a maximal run of capitals, digits and underscores, so it
// may follow a lower-case letter directly, as in mysql -pDB_PASS.
func isWordByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isPlaceholderWord reports whether w is UPPER_SNAKE with an underscore:
// KEYSTONE_DBPASS, CONTROLLER1_ADDR.
func isPlaceholderWord(w string) bool {
	if len(w) < 3 || w[0] < 'A' || w[0] > 'Z' || w[len(w)-1] == '_' {
		return false
	}
	under := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_':
			if w[i-1] == '_' {
				return false
			}
			under = true
		default:
			return false
		}
	}
	return under
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

// PlaceholderWords calls fn for every word of text that has the shape of a
// placeholder (UPPER_SNAKE with an underscore), with its byte offset,
// whether declared or not. Renderers use it to mark exactly the words the
// model reads.
func PlaceholderWords(text string, fn func(word string, off int)) { forEachUpperSnake(text, fn) }

// forEachUpperSnake calls fn for every UPPER_SNAKE word of s with its byte
// offset.
func forEachUpperSnake(s string, fn func(word string, off int)) {
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		// A run glued to lower-case letters after it is part of a
		// longer word (OVN_Northbound), not a placeholder.
		if w := s[i:j]; isPlaceholderWord(w) && (j == len(s) || !isLower(s[j])) {
			fn(w, i)
		}
		i = j
	}
}

// FindPlaceholders returns the declared and built-in placeholders that s
// names, in order of first appearance.
func (s *Settings) FindPlaceholders(text string) []string {
	var out []string
	forEachUpperSnake(text, func(w string, _ int) {
		if _, ok := s.Placeholders[w]; (ok || s.IsBuiltin(w)) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	})
	return out
}

// shellVars returns the names a shell script assigns, exports, reads or
// expands: those are the shell's own variables, not placeholders.
func shellVars(script string) map[string]bool {
	vars := map[string]bool{}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script+"\n"), "")
	if err != nil {
		return vars
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Assign:
			if n.Name != nil {
				vars[n.Name.Value] = true
			}
		case *syntax.ParamExp:
			if n.Param != nil {
				vars[n.Param.Value] = true
			}
		case *syntax.WordIter:
			if n.Name != nil {
				vars[n.Name.Value] = true
			}
		case *syntax.CallExpr:
			if len(n.Args) > 1 {
				if cmd := n.Args[0].Lit(); cmd == "read" || cmd == "export" || cmd == "unset" || cmd == "local" {
					for _, a := range n.Args[1:] {
						if l := a.Lit(); l != "" && !strings.HasPrefix(l, "-") {
							vars[l] = true
						}
					}
				}
			}
		}
		return true
	})
	return vars
}

// scanBlockText reports undeclared UPPER_SNAKE words in one piece of a
// block's text and records the placeholders it uses.
func (p *chapterParser) scanBlockText(text string, start Pos, shell map[string]bool, used map[string]bool) {
	forEachUpperSnake(text, func(w string, off int) {
		if off > 0 && (text[off-1] == '$' || (off > 1 && text[off-1] == '{' && text[off-2] == '$')) {
			return
		}
		if shell[w] {
			return
		}
		if _, ok := p.s.Placeholders[w]; ok || p.s.IsBuiltin(w) {
			used[w] = true
			return
		}
		if slices.Contains(p.s.NotPlaceholders, w) {
			return
		}
		line := 1 + strings.Count(text[:off], "\n")
		col := off + 1
		if i := strings.LastIndexByte(text[:off], '\n'); i >= 0 {
			col = off - i
		}
		p.dl.add(offsetPos(start, line, col), "%s is not a declared placeholder: declare it in %s, or write $%s for a shell variable", w, SettingsFile, w)
	})
}

func (p *chapterParser) consolePlaceholders(b *Block) []string {
	var script strings.Builder
	for _, c := range b.Commands {
		script.WriteString(c.Text + "\n")
	}
	shell := shellVars(script.String())
	used := map[string]bool{}
	for _, c := range b.Commands {
		p.scanBlockText(c.Text, c.Pos, shell, used)
		for _, w := range p.s.FindPlaceholders(strings.Join(c.Expected, "\n")) {
			used[w] = true
		}
	}
	return sortedKeys(used)
}

func (p *chapterParser) filePlaceholders(b *Block) []string {
	shell := map[string]bool{}
	switch b.Lang {
	case "sh", "bash", "shell":
		shell = shellVars(b.Content)
	}
	used := map[string]bool{}
	p.scanBlockText(b.Content, b.ContentPos, shell, used)
	return sortedKeys(used)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Replace substitutes every declared or built-in placeholder in text with
// the value fn gives for it. Words written as shell variables ($NAME,
// ${NAME}) are left alone, as check treats them; so are names fn has no
// value for.
func (s *Settings) Replace(text string, fn func(name string) (string, bool)) string {
	var b strings.Builder
	last := 0
	s.EachPlaceholder(text, func(w string, off int) {
		v, ok := fn(w)
		if !ok {
			return
		}
		b.WriteString(text[last:off])
		b.WriteString(v)
		last = off + len(w)
	})
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// EachPlaceholder calls fn, with its byte offset, for every placeholder of
// text that Replace replaces: declared or built-in UPPER_SNAKE words, not
// written as shell variables ($NAME, ${NAME}).
func (s *Settings) EachPlaceholder(text string, fn func(name string, off int)) {
	forEachUpperSnake(text, func(w string, off int) {
		if off > 0 && (text[off-1] == '$' || (off > 1 && text[off-1] == '{' && text[off-2] == '$')) {
			return
		}
		if _, ok := s.Placeholders[w]; ok || s.IsBuiltin(w) {
			fn(w, off)
		}
	})
}
