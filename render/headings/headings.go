// Package headings gives every heading of a chapter the id the guide model
// computes for it (guide.Slugify of its text, so that links checked by
// `haguide check` land), and renders a self-link beside each heading below
// the title.
//
// Markup:
//
//	<div class="heading h2"><h2 id="networks">Networks</h2><a class="anchor" href="#networks" aria-label="Permalink: Networks">#</a></div>
package headings

import (
	"fmt"
	"html"
	"strconv"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Extension is the goldmark extension.
type Extension struct{}

// New returns the extension.
func New() Extension { return Extension{} }

// Extend adds the transformer and the renderer.
func (Extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(transformer{}, 100)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)))
}

var idAttr = []byte("id")

// ID returns the id a heading node was given.
func ID(h *ast.Heading) string {
	if v, ok := h.AttributeString("id"); ok {
		if b, ok := v.([]byte); ok {
			return string(b)
		}
		if s, ok := v.(string); ok {
			return s
		}
	}
	return ""
}

type transformer struct{}

func (transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	page := pagectx.From(pc)
	src := reader.Source()
	byLine := map[int]string{}
	if page != nil && page.Chapter != nil {
		for _, s := range page.Chapter.Sections {
			if s.ID != "" {
				byLine[s.Pos.Line] = s.ID
			}
		}
	}
	used := map[string]bool{}
	prevLevel := 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		off := offset(h)
		id := ""
		if off >= 0 && page != nil {
			id = byLine[page.Line(off)]
		}
		if id == "" {
			id = guide.Slugify(pagectx.PlainText(h, src))
		}
		if id == "" {
			id = "section"
		}
		base := id
		for i := 2; used[id]; i++ {
			id = base + "-" + strconv.Itoa(i)
		}
		used[id] = true
		h.SetAttribute(idAttr, []byte(page.ID(id)))
		if off >= 0 && page != nil {
			pos := page.Pos(off)
			pos.Col = 1 // as the model reports headings
			switch {
			case prevLevel == 0 && h.Level != 1:
				page.ReportAt(pos, "the first heading of a page must be its title, # Title")
			case prevLevel > 0 && h.Level == 1:
				page.ReportAt(pos, "a page has one level-1 heading, its title")
			case prevLevel > 0 && h.Level > prevLevel+1:
				page.ReportAt(pos, "heading level %d follows level %d: skip no level (screen readers navigate by them)", h.Level, prevLevel)
			}
		}
		prevLevel = h.Level
		return ast.WalkSkipChildren, nil
	})
}

// offset returns the byte offset of a heading's text, or -1.
func offset(n ast.Node) int {
	if l := n.Lines(); l != nil && l.Len() > 0 {
		return l.At(0).Start
	}
	return -1
}

type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, renderHeading)
}

func renderHeading(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	h := node.(*ast.Heading)
	id := html.EscapeString(ID(h))
	if entering {
		if h.Level > 1 {
			fmt.Fprintf(w, `<div class="heading h%d">`, h.Level)
		}
		fmt.Fprintf(w, `<h%d id="%s">`, h.Level, id)
		return ast.WalkContinue, nil
	}
	fmt.Fprintf(w, "</h%d>", h.Level)
	if h.Level > 1 {
		fmt.Fprintf(w, `<a class="anchor" href="#%s" aria-label="Permalink: %s">#</a></div>`, id, html.EscapeString(pagectx.PlainText(h, src)))
	}
	w.WriteByte('\n')
	return ast.WalkContinue, nil
}
