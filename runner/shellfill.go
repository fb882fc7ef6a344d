package runner

import (
	"fmt"
	"sort"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/internal/shquote"
)

// quoting is where a placeholder stands in a shell command, which decides
// the form its value takes there.
type quoting int

const (
	unquoted      quoting = iota
	singleQuoted          // '...'
	ansiQuoted            // $'...'
	doubleQuoted          // "..."
	heredoc               // an unquoted here-document's body: $ ` \ are special
	heredocQuoted         // a quoted one's: nothing is special, but a line can end it
	comment
	strict // arithmetic, parameter expansions, backquotes: only letters, digits and _
	// backquoted marks `...`: everything inside, whatever quotes it, is
	// strict, since backquotes take a level of backslashes off.
	backquoted
)

var quotingNames = [...]string{"unquoted", "in single quotes", "in $'...'", "in double quotes", "in a here-document",
	"in a quoted here-document", "in a comment", "in an arithmetic or parameter expansion or in backquotes"}

// span is a stretch of a command's text [start, end) with its quoting.
type span struct {
	start, end int
	q          quoting
}

func parseShell(text string) (*syntax.File, error) {
	return syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(true)).Parse(strings.NewReader(text+"\n"), "")
}

// quotingSpans lists the quoted stretches of a parsed command; the rest
// is unquoted. Spans nest as the syntax does: a $(...) inside double
// quotes is unquoted again.
func quotingSpans(f *syntax.File) []span {
	var spans []span
	syntax.Walk(f, func(n syntax.Node) bool {
		if start, end, q, ok := nodeQuoting(n); ok {
			spans = append(spans, span{int(start.Offset()), int(end.Offset()), q})
		}
		return true
	})
	return spans
}

// nodeQuoting returns the stretch of the text a node quotes, and how; ok
// is false for a node that changes no quoting.
func nodeQuoting(n syntax.Node) (start, end syntax.Pos, q quoting, ok bool) {
	switch n := n.(type) {
	case *syntax.SglQuoted:
		return n.Left, n.Right, either(n.Dollar, ansiQuoted, singleQuoted), true
	case *syntax.DblQuoted:
		return n.Left, n.Right, doubleQuoted, true
	case *syntax.CmdSubst:
		return n.Left, n.Right, either(n.Backquotes, backquoted, unquoted), true
	case *syntax.ProcSubst:
		return n.OpPos, n.Rparen, unquoted, true
	case *syntax.ArithmExp:
		return n.Left, n.Right, strict, true
	case *syntax.ArithmCmd:
		return n.Left, n.Right, strict, true
	case *syntax.ParamExp:
		return n.Pos(), n.End(), strict, true
	case *syntax.Comment:
		return n.Pos(), n.End(), comment, true
	case *syntax.Redirect:
		if n.Hdoc != nil {
			return n.Hdoc.Pos(), n.Hdoc.End(), either(quotedWord(n.Word), heredocQuoted, heredoc), true
		}
	}
	return start, end, q, false
}

// either is a if cond, else b.
func either(cond bool, a, b quoting) quoting {
	if cond {
		return a
	}
	return b
}

// quotedWord reports whether a here-document's delimiter is quoted, which
// makes its body literal.
func quotedWord(w *syntax.Word) bool {
	if w == nil {
		return false
	}
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.SglQuoted, *syntax.DblQuoted:
			return true
		case *syntax.Lit:
			if strings.Contains(p.Value, `\`) {
				return true
			}
		}
	}
	return false
}

// quotingAt returns the quoting at a byte offset: the innermost span that
// holds it, or strict inside backquotes.
func quotingAt(spans []span, off int) quoting {
	q, best := unquoted, -1
	for _, s := range spans {
		if s.start <= off && off < s.end {
			if s.q == backquoted {
				return strict
			}
			if s.start > best {
				q, best = s.q, s.start
			}
		}
	}
	return q
}

// safeBare are the characters a value may have to stand unquoted as it
// is; any other makes it quoted.
func safeBare(v string) bool {
	if v == "" || v[0] == '-' || v[0] == '~' {
		return v != "" && v[0] == '-' && safeBare("x"+v[1:])
	}
	for _, c := range []byte(v) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._,:/@%+=-", c) >= 0) {
			return false
		}
	}
	return true
}

// placeValue writes v in the form that keeps it one literal piece of text
// where it stands, or says why it cannot.
func placeValue(q quoting, v string) (string, error) {
	switch q {
	case unquoted:
		if safeBare(v) {
			return v, nil
		}
		return shquote.Quote(v), nil
	case singleQuoted:
		return strings.ReplaceAll(v, "'", `'\''`), nil
	case ansiQuoted:
		return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v), nil
	case doubleQuoted:
		return strings.NewReplacer(`\`, `\\`, `$`, `\$`, "`", "\\`", `"`, `\"`).Replace(v), nil
	case heredoc:
		if strings.ContainsAny(v, "\n\r") {
			return "", fmt.Errorf("a line break cannot stand %s", quotingNames[q])
		}
		return strings.NewReplacer(`\`, `\\`, `$`, `\$`, "`", "\\`").Replace(v), nil
	case heredocQuoted, comment:
		if strings.ContainsAny(v, "\n\r") {
			return "", fmt.Errorf("a line break cannot stand %s", quotingNames[q])
		}
		return v, nil
	}
	for _, c := range []byte(v) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "", fmt.Errorf("only letters, digits and _ can stand %s", quotingNames[q])
		}
	}
	if v == "" {
		return "", fmt.Errorf("an empty value cannot stand %s", quotingNames[q])
	}
	return v, nil
}

// fillShell substitutes the placeholders of a shell command, each value
// in the form that is safe where it stands (unquoted, in single or double
// quotes, in a here-document), and then proves it: the command filled in
// must have the same shape (commands, words, redirections, expansions) as
// the command the guide shows. A value that cannot be placed, or that
// would change the shape, is an error that names the placeholder.
func fillShell(s *guide.Settings, text string, lookup func(string) (string, bool)) (string, error) {
	type hit struct {
		name string
		off  int
	}
	var hits []hit
	s.EachPlaceholder(text, func(name string, off int) { hits = append(hits, hit{name, off}) })
	if len(hits) == 0 {
		return text, nil
	}
	orig, err := parseShell(text)
	if err != nil {
		return "", fmt.Errorf("the command does not parse, so its values cannot be placed safely: %w", err)
	}
	spans := quotingSpans(orig)
	var b strings.Builder
	last := 0
	var used []string
	for _, h := range hits {
		v, ok := lookup(h.name)
		if !ok {
			continue
		}
		q := quotingAt(spans, h.off)
		placed, err := placeValue(q, v)
		if err != nil {
			return "", fmt.Errorf("the value of %s: %w", h.name, err)
		}
		b.WriteString(text[last:h.off])
		b.WriteString(placed)
		last = h.off + len(h.name)
		used = append(used, h.name)
	}
	b.WriteString(text[last:])
	out := b.String()
	filled, err := parseShell(out)
	if err != nil {
		return "", fmt.Errorf("the values of %s break the command's syntax: %w", strings.Join(uniq(used), ", "), err)
	}
	if shellShape(orig) != shellShape(filled) {
		return "", fmt.Errorf("the values of %s would change what the command does", strings.Join(uniq(used), ", "))
	}
	return out, nil
}

func uniq(names []string) []string {
	sort.Strings(names)
	out := names[:0]
	for i, n := range names {
		if i == 0 || n != names[i-1] {
			out = append(out, n)
		}
	}
	return out
}

// shellShape describes a parsed command without its literal text: the
// tree of its statements, commands, words, redirections, expansions and
// comments, and, in unquoted words, the characters that glob or expand.
// Quotes are not shape: a value in quotes and the same text bare are the
// same word.
func shellShape(f *syntax.File) string {
	hdocs := map[*syntax.Word]bool{}
	syntax.Walk(f, func(n syntax.Node) bool {
		if r, ok := n.(*syntax.Redirect); ok && r.Hdoc != nil {
			hdocs[r.Hdoc] = true
		}
		return true
	})
	var b strings.Builder
	var open []bool
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case nil:
			if open[len(open)-1] {
				b.WriteString(")")
			}
			open = open[:len(open)-1]
			return true
		case *syntax.Lit, *syntax.SglQuoted, *syntax.DblQuoted:
			open = append(open, false)
			return true
		case *syntax.Word:
			b.WriteString("Word(")
			if !hdocs[n] {
				for _, p := range n.Parts {
					if l, ok := p.(*syntax.Lit); ok {
						for _, c := range []byte(l.Value) {
							if strings.IndexByte("*?[]{}~", c) >= 0 {
								b.WriteByte(c)
							}
						}
					}
				}
			}
		default:
			fmt.Fprintf(&b, "%T(", n)
		}
		open = append(open, true)
		return true
	})
	return b.String()
}
