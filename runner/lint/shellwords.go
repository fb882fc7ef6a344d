package lint

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/haguide/haguide/guide"
)

// shellCall is one simple command of a console block, with its words as
// the shell would pass them where they are plain (quoted text included),
// and "" for a word that needs expansion ($VAR, $(...)).
type shellCall struct {
	args []string
	// appends are the targets of its >> redirections.
	appends []string
	pos     guide.Pos
}

// shellCalls parses a command's text and lists its simple commands, in
// order, including those inside loops, lists and pipelines. A text that
// does not parse gives none (guide.Check reports it).
func shellCalls(cmd *guide.Command) []shellCall {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(cmd.Text+"\n"), "")
	if err != nil {
		return nil
	}
	var out []shellCall
	syntax.Walk(f, func(n syntax.Node) bool {
		st, ok := n.(*syntax.Stmt)
		if !ok {
			return true
		}
		call, ok := st.Cmd.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		c := shellCall{pos: cmd.Pos.Offset(int(st.Pos().Line()), int(st.Pos().Col()))}
		for _, w := range call.Args {
			c.args = append(c.args, wordText(w))
		}
		for _, r := range st.Redirs {
			if r.Op == syntax.AppOut && r.Word != nil {
				c.appends = append(c.appends, wordText(r.Word))
			}
		}
		out = append(out, c)
		return true
	})
	return out
}

// wordText is a word's value when it holds no expansion, else "".
func wordText(w *syntax.Word) string {
	var b strings.Builder
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok {
					return ""
				}
				b.WriteString(l.Value)
			}
		default:
			return ""
		}
	}
	return b.String()
}

// expandBraces expands one level of {a,b,c} in a word, as bash does for
// firewall-cmd --add-port={80,443}/tcp.
func expandBraces(w string) []string {
	open := strings.IndexByte(w, '{')
	end := strings.IndexByte(w, '}')
	if open < 0 || end < open {
		return []string{w}
	}
	items := strings.Split(w[open+1:end], ",")
	if len(items) < 2 {
		return []string{w}
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, expandBraces(w[:open]+it+w[end+1:])...)
	}
	return out
}
