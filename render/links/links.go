// Package links rewrites the guide's link destinations for the site:
//
//   - install:SERVICE/PAGE, install-guide:PAGE and docs:PROJECT/PATH become
//     URLs of the OpenStack documentation for the guide's release
//     (distros.ResolveLink);
//   - a chapter link 02-architecture.md#networks becomes
//     02-architecture.html#networks;
//   - an image without alt text, or a reference that does not resolve, is
//     reported with its position.
//
// A documentation page that differs per distro gets the first distro's URL
// as href and, for every distro whose URL differs from it, that URL as
// data-href-ID, for the site's script to follow the reader's distro tab
// (a distro without one uses href); a URL in href's directory is written
// relative to href, only its last part:
//
//	<a href="https://…/keystone-install-ubuntu.html" data-ref="install:keystone/keystone-install" class="doc-link per-distro" data-href-rhel="keystone-install-rdo.html">
package links

import (
	"path"
	"strings"

	"github.com/haguide/haguide/distros"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Config configures the extension.
type Config struct {
	// Release is the OpenStack release the guide targets (2025.1).
	Release string
	// Distros are the distro ids to resolve per-distro links for; the
	// first gives the default href.
	Distros []string
}

// Extension is the goldmark extension.
type Extension struct {
	cfg Config
}

// New returns the extension.
func New(cfg Config) *Extension { return &Extension{cfg: cfg} }

// Extend adds the transformer; goldmark's own renderers write the links.
func (e *Extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(e, 500)))
}

// Resolved is a documentation reference resolved for every distro.
type Resolved struct {
	// Href is the default URL (the first distro's).
	Href string
	// PerDistro maps distro ids to URLs when the page differs by distro.
	PerDistro map[string]string
}

// Resolve resolves a documentation reference for the configured release
// and distros.
func (e *Extension) Resolve(dest string) (Resolved, error) {
	first := ""
	if len(e.cfg.Distros) > 0 {
		first = e.cfg.Distros[0]
	}
	href, err := distros.ResolveLink(e.cfg.Release, first, dest)
	if err != nil {
		return Resolved{}, err
	}
	r := Resolved{Href: href}
	if distros.PerDistro(dest) {
		r.PerDistro = map[string]string{}
		for _, d := range e.cfg.Distros {
			u, err := distros.ResolveLink(e.cfg.Release, d, dest)
			if err != nil {
				return Resolved{}, err
			}
			r.PerDistro[d] = u
		}
	}
	return r, nil
}

// PageHref turns a link to a chapter file into a link to its HTML page:
// 02-architecture.md#networks becomes 02-architecture.html#networks.
// Other destinations come back unchanged.
func PageHref(dest string) string {
	if guide.LinkKindOf(dest) != guide.LinkInternal {
		return dest
	}
	file, anchor, hasAnchor := strings.Cut(dest, "#")
	if strings.HasSuffix(file, ".md") {
		file = strings.TrimSuffix(file, ".md") + ".html"
	}
	if hasAnchor {
		return file + "#" + anchor
	}
	return file
}

// printHref turns a link between chapters into a link within the one-page
// print view, where every id is SLUG--ID: 02-x.md#y becomes #02-x--y and
// 02-x.md the title of 02-x.
func printHref(page *pagectx.Page, dest string) (string, bool) {
	file, anchor, _ := strings.Cut(dest, "#")
	target := page.Chapter
	if file != "" {
		if page.Guide == nil {
			return "", false
		}
		target = page.Guide.Page(path.Clean(file))
	}
	if target == nil {
		return "", false
	}
	if anchor == "" {
		if len(target.Sections) == 0 {
			return "", false
		}
		anchor = target.Sections[0].ID
	}
	return "#" + pagectx.PrintID(target.Slug, anchor), true
}

// Transform rewrites link destinations.
func (e *Extension) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	page := pagectx.From(pc)
	src := reader.Source()
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			e.link(page, n)
		case *ast.Image:
			if pagectx.PlainText(n, src) == "" {
				page.ReportAt(page.LinkPos(string(n.Destination), true, textOffset(n)), "image %s has no alt text: describe it, ![what it shows](%s)", n.Destination, n.Destination)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}

func (e *Extension) link(page *pagectx.Page, n *ast.Link) {
	dest := string(n.Destination)
	switch guide.LinkKindOf(dest) {
	case guide.LinkInternal:
		if page != nil && page.Print {
			if href, ok := printHref(page, dest); ok {
				n.Destination = []byte(href)
				return
			}
		}
		n.Destination = []byte(PageHref(dest))
	case guide.LinkInstall, guide.LinkInstallGuide, guide.LinkDocs:
		r, err := e.Resolve(dest)
		if err != nil {
			page.ReportAt(page.LinkPos(dest, false, textOffset(n)), "%v", err)
			n.Destination = []byte(distros.DocsBase)
			return
		}
		n.Destination = []byte(r.Href)
		n.SetAttributeString("data-ref", []byte(dest))
		if r.PerDistro == nil {
			n.SetAttributeString("class", []byte("doc-link"))
			return
		}
		n.SetAttributeString("class", []byte("doc-link per-distro"))
		for _, d := range e.cfg.Distros {
			if u := r.PerDistro[d]; u != r.Href {
				n.SetAttributeString("data-href-"+d, []byte(relativeTo(r.Href, u)))
			}
		}
	case guide.LinkExternal:
		n.SetAttributeString("class", []byte("external"))
	}
}

// relativeTo returns u relative to base when both are in one directory
// (the distros' pages of a service's install guide are: keystone-install-
// rdo.html next to keystone-install-ubuntu.html), else u; a reference
// the script resolves against base, as the browser would.
func relativeTo(base, u string) string {
	i := strings.LastIndexByte(base, '/')
	if i < 0 || !strings.HasPrefix(u, base[:i+1]) {
		return u
	}
	rest := u[i+1:]
	if rest == "" || strings.ContainsAny(rest, "/:") {
		return u
	}
	return rest
}

// textOffset is the offset of a link's or image's opening bracket, from
// its first text, or -1.
func textOffset(n ast.Node) int {
	off := pagectx.TextStart(n)
	if off < 0 {
		// No text (an image without alt): the start of its block's line.
		for b := n.Parent(); b != nil; b = b.Parent() {
			if b.Type() == ast.TypeBlock && b.Lines() != nil && b.Lines().Len() > 0 {
				return b.Lines().At(0).Start
			}
		}
		return -1
	}
	switch n.(type) {
	case *ast.Link:
		off--
	case *ast.Image:
		off -= 2
	}
	return max(off, 0)
}
