// Package admonitions renders GitHub's alert blockquotes: a blockquote
// whose first line is [!NOTE], [!TIP], [!IMPORTANT], [!WARNING] or
// [!CAUTION] (any case) becomes
//
//	<div class="admonition warning" role="note"><p class="admonition-title">Warning</p>…</div>
//
// Any other blockquote stays a blockquote.
package admonitions

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/haguide/haguide/render/internal/pagectx"
)

// Types are the admonition types, in GitHub's order, with their titles.
var Types = []struct{ Type, Title string }{
	{"note", "Note"},
	{"tip", "Tip"},
	{"important", "Important"},
	{"warning", "Warning"},
	{"caution", "Caution"},
}

// Kind is the kind of an Admonition node.
var Kind = ast.NewNodeKind("Admonition")

// Admonition is an alert block.
type Admonition struct {
	ast.BaseBlock
	// Alert is note, tip, important, warning or caution.
	Alert string
	Title string
}

// Kind implements ast.Node.
func (a *Admonition) Kind() ast.NodeKind { return Kind }

// Dump implements ast.Node.
func (a *Admonition) Dump(src []byte, level int) {
	ast.DumpHelper(a, src, level, map[string]string{"Alert": a.Alert}, nil)
}

// Extension is the goldmark extension.
type Extension struct{}

// New returns the extension.
func New() Extension { return Extension{} }

// Extend adds the transformer and the renderer.
func (e Extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(e, 200)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(e, 100)))
}

// Transform turns alert blockquotes into Admonition nodes.
func (Extension) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var quotes []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if q, ok := n.(*ast.Blockquote); ok && entering {
			quotes = append(quotes, q)
		}
		return ast.WalkContinue, nil
	})
	for _, q := range quotes {
		convert(q, src)
	}
}

// marker returns the type and title of an alert's first line.
func marker(line []byte) (typ, title string, ok bool) {
	s := string(bytes.TrimSpace(line))
	if len(s) < 4 || !strings.HasPrefix(s, "[!") || !strings.HasSuffix(s, "]") {
		return "", "", false
	}
	name := strings.ToLower(s[2 : len(s)-1])
	for _, t := range Types {
		if t.Type == name {
			return t.Type, t.Title, true
		}
	}
	return "", "", false
}

func convert(q *ast.Blockquote, src []byte) {
	para, ok := q.FirstChild().(*ast.Paragraph)
	if !ok || para.Lines().Len() == 0 {
		return
	}
	first := para.Lines().At(0)
	typ, title, ok := marker(first.Value(src))
	if !ok {
		return
	}
	// Drop the inline nodes of the marker line.
	for c := para.FirstChild(); c != nil; {
		next := c.NextSibling()
		if start := pagectx.TextStart(c); start < 0 || start >= first.Stop {
			break
		}
		para.RemoveChild(para, c)
		c = next
	}
	if !para.HasChildren() {
		q.RemoveChild(q, para)
	}
	a := &Admonition{Alert: typ, Title: title}
	for c := q.FirstChild(); c != nil; {
		next := c.NextSibling()
		q.RemoveChild(q, c)
		a.AppendChild(a, c)
		c = next
	}
	parent := q.Parent()
	parent.ReplaceChild(parent, q, a)
}

// RegisterFuncs registers the renderer.
func (Extension) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(Kind, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		a := n.(*Admonition)
		if entering {
			_, _ = w.WriteString(`<div class="admonition ` + a.Alert + `" role="note"><p class="admonition-title">` + a.Title + "</p>\n")
		} else {
			_, _ = w.WriteString("</div>\n")
		}
		return ast.WalkContinue, nil
	})
}
