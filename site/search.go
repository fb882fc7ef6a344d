package site

import (
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render"
)

// searchDoc is one entry of the search index: a page or a section of one.
type searchDoc struct {
	ID    string
	Title string
	Page  string
	Text  string
}

func pageDocs(c *guide.Chapter, href string, p *render.Page) []searchDoc {
	return []searchDoc{{ID: href, Title: p.Title, Page: c.Title, Text: p.Text}}
}

func searchIndex(docs []searchDoc) ([]byte, error) {
	return []byte("window.HAGUIDE_SEARCH=null;\n"), nil
}
