// Package pagectx carries the page being rendered through goldmark's parser
// context, so that the render extensions can find the guide model's view of
// the chapter (blocks, sections) and report problems with file:line:col.
package pagectx

import (
	"fmt"
	"sort"

	"github.com/haguide/haguide/guide"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
)

var key = parser.NewContextKey()

// Page is what the extensions know about the chapter being rendered.
type Page struct {
	Guide   *guide.Guide
	Chapter *guide.Chapter
	Src     []byte
	// Print renders for the one-page print view: ids are prefixed with
	// the chapter's slug and links between chapters become in-page links.
	Print bool

	starts []int // byte offset of each line start
	diags  guide.Diagnostics

	// What the page shows, collected while it renders (one goroutine).
	phs     []string        // placeholders, in order of first use
	phSeen  map[string]bool //
	classes map[string]bool // chroma classes of highlighted code
}

// UsePlaceholder notes that the page shows a placeholder.
func (p *Page) UsePlaceholder(name string) {
	if p == nil || p.phSeen[name] {
		return
	}
	if p.phSeen == nil {
		p.phSeen = map[string]bool{}
	}
	p.phSeen[name] = true
	p.phs = append(p.phs, name)
}

// Placeholders returns the placeholders the page showed so far, in order of
// first use.
func (p *Page) Placeholders() []string {
	if p == nil {
		return nil
	}
	return p.phs
}

// UseClass notes a chroma class that the page's code uses.
func (p *Page) UseClass(cls string) {
	if p == nil {
		return
	}
	if p.classes == nil {
		p.classes = map[string]bool{}
	}
	p.classes[cls] = true
}

// Classes returns the chroma classes the page's code used, sorted.
func (p *Page) Classes() []string {
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(p.classes))
	for c := range p.classes {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// New prepares a page for the chapter's source.
func New(g *guide.Guide, c *guide.Chapter, src []byte) *Page {
	p := &Page{Guide: g, Chapter: c, Src: src, starts: []int{0}}
	for i, b := range src {
		if b == '\n' {
			p.starts = append(p.starts, i+1)
		}
	}
	return p
}

// Attach stores the page in a parser context.
func Attach(pc parser.Context, p *Page) { pc.Set(key, p) }

// From returns the page stored in a parser context, or nil.
func From(pc parser.Context) *Page {
	if pc == nil {
		return nil
	}
	p, _ := pc.Get(key).(*Page)
	return p
}

// File returns the chapter's file name, or "" without a chapter.
func (p *Page) File() string {
	if p == nil || p.Chapter == nil {
		return ""
	}
	return p.Chapter.File
}

// Pos turns a byte offset of the source into a position.
func (p *Page) Pos(off int) guide.Pos {
	if p == nil {
		return guide.Pos{}
	}
	i := sort.Search(len(p.starts), func(i int) bool { return p.starts[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return guide.Pos{File: p.File(), Line: i + 1, Col: off - p.starts[i] + 1}
}

// Line returns the 1-based line holding byte offset off.
func (p *Page) Line(off int) int { return p.Pos(off).Line }

// Report records a problem at a byte offset of the source.
func (p *Page) Report(off int, format string, args ...any) {
	if p == nil {
		return
	}
	p.diags = append(p.diags, guide.Diagnostic{Pos: p.Pos(off), Msg: fmt.Sprintf(format, args...)})
}

// ReportAt records a problem at a position.
func (p *Page) ReportAt(pos guide.Pos, format string, args ...any) {
	if p == nil {
		return
	}
	p.diags = append(p.diags, guide.Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// Diagnostics returns the problems reported so far, sorted, or nil.
func (p *Page) Diagnostics() guide.Diagnostics {
	if p == nil || len(p.diags) == 0 {
		return nil
	}
	p.diags.Sort()
	return p.diags
}

// PlainText returns the text of an inline tree without markup, exactly as
// the guide model reads headings (placeholders give their own text).
func PlainText(n ast.Node, src []byte) string { return guide.PlainText(n, src) }

// LinkPos returns where the model saw a link (or image) to dest, falling
// back to the byte offset off (or the file when off < 0).
func (p *Page) LinkPos(dest string, image bool, off int) guide.Pos {
	if p == nil {
		return guide.Pos{}
	}
	if p.Chapter != nil {
		list := p.Chapter.Links
		if image {
			list = p.Chapter.Images
		}
		for _, l := range list {
			if l.Dest == dest {
				return l.Pos
			}
		}
	}
	if off < 0 {
		return guide.Pos{File: p.File()}
	}
	return p.Pos(off)
}

// ID returns the HTML id for a page-local id: the id itself, or, when the
// page is rendered for the one-page print view, the id prefixed with the
// chapter's slug so that ids of all chapters can share one document.
func (p *Page) ID(id string) string {
	if p == nil || !p.Print || p.Chapter == nil {
		return id
	}
	return PrintID(p.Chapter.Slug, id)
}

// PrintID is the id of a chapter's id in the print view: SLUG--ID.
func PrintID(slug, id string) string { return slug + "--" + id }

// TextStart is the source offset of a node's first text, or -1 when it
// has none.
func TextStart(n ast.Node) int {
	off := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return off
}
