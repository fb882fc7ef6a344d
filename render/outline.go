package render

import (
	"strings"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/headings"
	"github.com/haguide/haguide/render/tabs"
	"github.com/yuin/goldmark/ast"
)

// Section is a part of a page from one heading to the next, with the
// words a reader sees in it: what a search index holds, as Hugo keeps a
// page's fragments and plain text.
type Section struct {
	// ID is the heading's id; "" for the part before the first heading
	// below the title.
	ID string
	// Title is the heading's text; the page's title for the first part.
	Title string
	// Text is the section's plain text, in words separated by single
	// spaces: prose (links by their text, images by their alt text,
	// placeholders by their names), the captions of blocks, the commands
	// of console blocks (not the prompts or the expected output) and the
	// content of other blocks; not the headings (they are the titles),
	// the list of placeholders' meanings, tab labels or admonition
	// titles, which render adds to the HTML.
	Text string
}

// outline is what one walk over a transformed page finds: its first <h1>,
// the headings below it, its sections and whether it has tab groups.
type outline struct {
	h1       string
	toc      []Heading
	sections []Section
	hasTabs  bool
}

// outlineOf walks a transformed page once. The plain text of each leaf
// block (one holding inline content, or none) is guide.PlainText's, the
// walk the guide model reads headings with.
func outlineOf(doc ast.Node, src []byte) outline {
	var o outline
	o.sections = []Section{{}}
	var text strings.Builder
	flush := func() {
		s := &o.sections[len(o.sections)-1]
		s.Text = strings.Join(strings.Fields(text.String()), " ")
		text.Reset()
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			title := guide.PlainText(n, src)
			if n.Level == 1 {
				if o.h1 == "" {
					o.h1 = title
				}
				return ast.WalkSkipChildren, nil
			}
			id := headings.ID(n)
			o.toc = append(o.toc, Heading{Level: n.Level, ID: id, Text: title})
			flush()
			o.sections = append(o.sections, Section{ID: id, Title: title})
			return ast.WalkSkipChildren, nil
		case *tabs.Group:
			o.hasTabs = true
		}
		if n.Type() == ast.TypeBlock && (n.FirstChild() == nil || n.FirstChild().Type() == ast.TypeInline) {
			text.WriteString(guide.PlainText(n, src))
			text.WriteByte(' ')
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	flush()
	return o
}
