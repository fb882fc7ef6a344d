package render

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/admonitions"
	"github.com/haguide/haguide/render/codeblocks"
	"github.com/haguide/haguide/render/headings"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/haguide/haguide/render/links"
	"github.com/haguide/haguide/render/placeholders"
	"github.com/haguide/haguide/render/tabs"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Options tune a Renderer.
type Options struct {
	// Distros are the distro ids in tab order; empty means the guide's
	// settings order.
	Distros []string
	// PlainClasses are chroma classes written without a span
	// ([PlainClasses]).
	PlainClasses []string
	// SameClasses maps chroma classes to the class written in their place
	// ([SameClasses]).
	SameClasses map[string]string
}

// Renderer renders the pages of one guide. It is safe for concurrent use.
type Renderer struct {
	g       *guide.Guide
	distros []string
	md      goldmark.Markdown
}

// Page is one rendered page.
type Page struct {
	// Title is the page's title from SUMMARY.md, or its first heading.
	Title string
	// HTML is the page's body, starting with its <h1> title.
	HTML template.HTML
	// TOC lists the page's headings below the title, in order.
	TOC []Heading
	// Sections split the page at its headings below the title, each with
	// its plain text, for a search index: the first is the part before
	// the first heading (with the page's title), then one per TOC entry
	// but the list of placeholders' meanings.
	Sections []Section
	// HasTabs is true when the page has distro tab groups.
	HasTabs bool
	// Placeholders are the placeholders the page shows, in order of first
	// use; the page ends with the list of their meanings (its heading is
	// the last TOC entry).
	Placeholders []string
	// Classes are the chroma classes of the page's highlighted code, for
	// [ChromaCSSFor].
	Classes []string
}

// Heading is one entry of a page's table of contents.
type Heading struct {
	Level int
	ID    string
	Text  string
}

// New returns a renderer for a loaded guide.
func New(g *guide.Guide, opts Options) *Renderer {
	r := &Renderer{g: g, distros: opts.Distros}
	if len(r.distros) == 0 && g.Settings != nil {
		r.distros = g.Settings.Distros
	}
	var s *guide.Settings
	if g.Settings != nil {
		s = g.Settings
	} else {
		s = &guide.Settings{}
	}
	r.md = guide.Markdown(
		headings.New(),
		admonitions.New(),
		codeblocks.New(codeblocks.Config{Settings: s, Plain: opts.PlainClasses, Same: opts.SameClasses}),
		tabs.New(r.distros),
		links.New(links.Config{Release: s.Release, Distros: r.distros}),
		placeholders.New(s),
	)
	return r
}

// Page renders a chapter (or the front page). When the page has problems
// the renderer cannot let pass (an unresolvable documentation reference,
// an image without alt text, headings out of order) it returns the page
// as well as an error of type guide.Diagnostics listing them with
// file:line:col.
func (r *Renderer) Page(c *guide.Chapter) (*Page, error) {
	return r.page(c, false)
}

// PrintPage renders a chapter for a print view that puts every page of the
// guide into one document: every id of the page becomes SLUG--ID
// (03-operating-system--hosts), links between chapters become links within
// the document (02-architecture.md#networks becomes
// #02-architecture--networks, a chapter without an anchor links its title),
// and TOC ids are the prefixed ones.
func (r *Renderer) PrintPage(c *guide.Chapter) (*Page, error) {
	return r.page(c, true)
}

func (r *Renderer) page(c *guide.Chapter, print bool) (*Page, error) {
	if c == nil {
		return nil, errors.New("render: no page")
	}
	src := c.Source
	pg := pagectx.New(r.g, c, src)
	pg.Print = print
	pc := parser.NewContext()
	pagectx.Attach(pc, pg)
	doc := r.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, src, doc); err != nil {
		return nil, fmt.Errorf("render %s: %w", c.File, err)
	}
	o := outlineOf(doc, src)
	p := &Page{Title: c.Title, HTML: template.HTML(buf.String()), TOC: o.toc, Sections: o.sections, HasTabs: o.hasTabs}
	if p.Title == "" {
		p.Title = o.h1
	}
	p.Sections[0].Title = p.Title
	p.Placeholders = pg.Placeholders()
	if len(p.Placeholders) > 0 {
		p.TOC = append(p.TOC, Heading{Level: 2, ID: pg.ID(placeholders.ListID), Text: "Values to replace"})
	}
	p.Classes = pg.Classes()
	if ds := pg.Diagnostics(); ds != nil {
		return p, ds
	}
	return p, nil
}
