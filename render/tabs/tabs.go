// Package tabs renders the guide's tab groups (consecutive blocks that
// differ only in distro=, numbered by the guide model). Without JavaScript
// every variant shows, each under a label naming its distros; the site's
// script makes the tab list from the panels (one tab per panel, named by
// its label, with the ARIA tabs pattern: role=tablist and tab, ids,
// aria-controls, aria-selected, tabindex; role=tabpanel and
// aria-labelledby on the panels), hides the labels and shows one panel at
// a time. Tabs that do nothing without the script are not in the page:
// they would be dead controls, and they weighed 300 bytes a panel.
//
// Markup, panels in the configured distro order:
//
//	<div class="tabs" id="tabs-2">
//	  <div class="tabpanel" data-distros="ubuntu debian">
//	    <p class="tab-label">Ubuntu, Debian</p>
//	    <figure class="block …">…</figure>
//	  </div>
//	  …
//	</div>
//
// The script names a group's tabs ID-tab-N and its panels ID-panel-N (N
// from 1), ID being the group's id (SLUG--tabs-2 in the print view).
package tabs

import (
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/haguide/haguide/render/codeblocks"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// KindGroup and KindPanel are the kinds of the nodes this package adds.
var (
	KindGroup = ast.NewNodeKind("TabGroup")
	KindPanel = ast.NewNodeKind("TabPanel")
)

// Group is a tab group: Panel children, each holding one block.
type Group struct {
	ast.BaseBlock
	// Number is the model's group number, unique within the page.
	Number int
	// Prefix goes before the ids of the group's tabs and panels.
	Prefix string
}

// Kind implements ast.Node.
func (g *Group) Kind() ast.NodeKind { return KindGroup }

// Dump implements ast.Node.
func (g *Group) Dump(src []byte, level int) {
	ast.DumpHelper(g, src, level, map[string]string{"Number": fmt.Sprint(g.Number)}, nil)
}

// Panel is one variant of a group.
type Panel struct {
	ast.BaseBlock
	// Distros are the distro ids the panel is for.
	Distros []string
	// Index is the panel's 1-based position in its group.
	Index int
}

// Kind implements ast.Node.
func (p *Panel) Kind() ast.NodeKind { return KindPanel }

// Dump implements ast.Node.
func (p *Panel) Dump(src []byte, level int) {
	ast.DumpHelper(p, src, level, map[string]string{"Distros": strings.Join(p.Distros, ",")}, nil)
}

// Extension is the goldmark extension.
type Extension struct {
	order []string
}

// New returns the extension; order is the distro order of the tabs.
func New(order []string) *Extension { return &Extension{order: order} }

// Extend adds the transformer and the renderers.
func (e *Extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(e, 400)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(e, 100)))
}

// Transform wraps each run of sibling blocks of one model group in a Group.
func (e *Extension) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var parents []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if b, ok := n.(*codeblocks.Block); ok && entering && b.Model.Group > 0 && !slices.Contains(parents, n.Parent()) {
			parents = append(parents, n.Parent())
		}
		return ast.WalkContinue, nil
	})
	page := pagectx.From(pc)
	for _, p := range parents {
		e.groupChildren(p, page.ID(""))
	}
}

func (e *Extension) groupChildren(parent ast.Node, prefix string) {
	for c := parent.FirstChild(); c != nil; {
		b, ok := c.(*codeblocks.Block)
		if !ok || b.Model.Group == 0 {
			c = c.NextSibling()
			continue
		}
		var run []*codeblocks.Block
		for n := ast.Node(b); n != nil; n = n.NextSibling() {
			nb, ok := n.(*codeblocks.Block)
			if !ok || nb.Model.Group != b.Model.Group {
				break
			}
			run = append(run, nb)
		}
		if len(run) < 2 {
			c = c.NextSibling()
			continue
		}
		g := &Group{Number: b.Model.Group, Prefix: prefix}
		parent.InsertBefore(parent, run[0], g)
		slices.SortStableFunc(run, func(x, y *codeblocks.Block) int { return e.rank(x.Model.Attrs.Distros) - e.rank(y.Model.Attrs.Distros) })
		for i, rb := range run {
			parent.RemoveChild(parent, rb)
			rb.InGroup = true
			p := &Panel{Distros: e.sorted(rb.Model.Attrs.Distros), Index: i + 1}
			p.AppendChild(p, rb)
			g.AppendChild(g, p)
		}
		c = g.NextSibling()
	}
}

// sorted returns distro ids in tab order, unknown ones last.
func (e *Extension) sorted(ds []string) []string {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, func(a, b string) int { return e.rank([]string{a}) - e.rank([]string{b}) })
	return out
}

// rank is the position of a panel's earliest distro in the tab order.
func (e *Extension) rank(ds []string) int {
	best := len(e.order) + 1
	for _, d := range ds {
		if i := slices.Index(e.order, d); i >= 0 && i < best {
			best = i
		}
	}
	return best
}

// RegisterFuncs registers the renderers.
func (e *Extension) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindGroup, renderGroup)
	reg.Register(KindPanel, renderPanel)
}

func renderGroup(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	g := n.(*Group)
	if !entering {
		_, _ = w.WriteString("</div>\n")
		return ast.WalkContinue, nil
	}
	fmt.Fprintf(w, `<div class="tabs" id="%s">`+"\n", html.EscapeString(groupID(g)))
	return ast.WalkContinue, nil
}

func renderPanel(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	p := n.(*Panel)
	if !entering {
		_, _ = w.WriteString("</div>\n")
		return ast.WalkContinue, nil
	}
	fmt.Fprintf(w, `<div class="tabpanel" data-distros="%s">`+"\n", html.EscapeString(strings.Join(p.Distros, " ")))
	fmt.Fprintf(w, `<p class="tab-label">%s</p>`+"\n", html.EscapeString(codeblocks.DistroNames(p.Distros)))
	return ast.WalkContinue, nil
}

func groupID(g *Group) string {
	if g == nil {
		return "tabs"
	}
	return fmt.Sprintf("%stabs-%d", g.Prefix, g.Number)
}
