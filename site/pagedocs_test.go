package site

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render"
)

// TestPageDocsMatchTree: pageDocs reads a page with a tokenizer; here is
// the same walk over a parsed tree (as it was first written, and simpler
// to read), which must find the same sections and words on every page of
// the real guide and of the test guide.
func TestPageDocsMatchTree(t *testing.T) {
	for _, fsys := range []fs.FS{realGuide(), testGuide(nil)} {
		g, err := Load(fsys)
		if err != nil {
			t.Fatal(err)
		}
		r := newRendererForTest(g)
		n := 0
		for _, c := range g.Pages() {
			p, err := r.Page(c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pageDocs(c, pageHref(c), p)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pageDocsTree(c, pageHref(c), p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: sections (-tree +tokenizer):\n%s", c.File, diff)
			}
			n += len(got)
		}
		if n < len(g.Pages())+1 {
			t.Errorf("only %d sections", n)
		}
	}
}

// pageDocsTree is pageDocs over html.ParseFragment's tree.
func pageDocsTree(c *guide.Chapter, href string, p *render.Page) ([]searchDoc, error) {
	label := chapterLabel(c)
	nodes, err := html.ParseFragment(strings.NewReader(string(p.HTML)), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return nil, fmt.Errorf("search index of %s: %w", c.File, err)
	}
	docs := []searchDoc{{ID: href, Title: p.Title, Page: label}}
	var text strings.Builder
	flush := func() {
		d := &docs[len(docs)-1]
		d.Text = strings.Join(strings.Fields(text.String()), " ")
		d.Snip = snippet(d.Text)
		text.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
			return
		}
		if n.Type != html.ElementNode {
			return
		}
		cls := " " + treeAttr(n, "class") + " "
		switch {
		case n.Data == "button", n.Data == "h1", strings.Contains(cls, " ph-list "),
			strings.Contains(cls, " prompt "), strings.Contains(cls, " output "),
			strings.Contains(cls, " anchor "), strings.Contains(cls, " tab-label "):
			return
		case strings.Contains(cls, " heading ") && n.Data == "div":
			for h := n.FirstChild; h != nil; h = h.NextSibling {
				if h.Type == html.ElementNode && len(h.Data) == 2 && h.Data[0] == 'h' {
					flush()
					docs = append(docs, searchDoc{ID: href + "#" + treeAttr(h, "id"), Title: treeText(h), Page: label})
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		switch n.Data {
		case "p", "li", "td", "th", "pre", "figcaption", "div", "span", "tr":
			text.WriteByte(' ')
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	flush()
	return docs, nil
}

func treeAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func treeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
