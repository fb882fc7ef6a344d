package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render"
)

// The search runs in the browser with MiniSearch (assets/minisearch.js,
// MIT, vendored from the npm package minisearch 7.2.0, dist/umd/index.js).
// Its index is built here, at build time, in the form MiniSearch's own
// toJSON writes (serializationVersion 2), so that the browser only loads
// it (MiniSearch.loadJS) instead of indexing the guide on every page.
// TestSearchIndexMatchesMiniSearch checks the two agree, with node.

// stopList holds the words too common to search for: they are left out of
// the index (MiniSearch's processTerm returns null for them), which keeps it
// about an eighth smaller, and the browser leaves them out of queries with
// the same list (window.HAGUIDE_SEARCH_STOP).
var stopList = strings.Fields(`a an and are as at be but by can do does for from has have if in into is
it its no not of on or our so such than that the their then there these they this to was we were
when where which who will with you your`)

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range stopList {
		m[w] = true
	}
	return m
}()

// searchFields are MiniSearch's fields, in fieldId order. The stored
// fields a result shows are title, page and snip; site.js loads the index
// with the same lists.
var searchFields = []string{"title", "text"}

// searchDoc is one entry of the search index: a section of a page, from
// one heading to the next.
type searchDoc struct {
	ID    string `json:"id"` // the section's URL relative to the site
	Title string `json:"title"`
	Page  string `json:"page"` // the chapter's label
	Text  string `json:"text"`
	Snip  string `json:"snip"` // the section's first words
}

// snipLen is how many bytes of a section's text a result shows.
const snipLen = 140

// pageDocs splits a rendered page into sections and collects the words a
// reader sees in each: prose, headings, commands and the files blocks
// write, but not prompts, expected output, buttons or tab labels.
func pageDocs(c *guide.Chapter, href string, p *render.Page) ([]searchDoc, error) {
	label := chapterLabel(c)
	nodes, err := html.ParseFragment(strings.NewReader(string(p.HTML)), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return nil, fmt.Errorf("site: search index of %s: %w", c.File, err)
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
		cls := " " + attr(n, "class") + " "
		switch {
		case n.Data == "button", n.Data == "h1", strings.Contains(cls, " ph-list "),
			strings.Contains(cls, " prompt "), strings.Contains(cls, " output "),
			strings.Contains(cls, " anchor "), strings.Contains(cls, " tab-label "):
			return
		case strings.Contains(cls, " heading ") && n.Data == "div":
			for h := n.FirstChild; h != nil; h = h.NextSibling {
				if h.Type == html.ElementNode && len(h.Data) == 2 && h.Data[0] == 'h' {
					flush()
					docs = append(docs, searchDoc{ID: href + "#" + attr(h, "id"), Title: textOf(h), Page: label})
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

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
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

func snippet(s string) string {
	if len(s) <= snipLen {
		return s
	}
	cut := strings.LastIndexByte(s[:snipLen], ' ')
	if cut < snipLen/2 {
		cut = snipLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return s[:cut] + "…"
}

// spaceOrPunct is MiniSearch's default tokenizer's separator,
// /[\n\r\p{Z}\p{P}]+/u.
var spaceOrPunct = regexp.MustCompile(`[\n\r\p{Z}\p{P}]+`)

func isSep(r rune) bool {
	return r == '\n' || r == '\r' || unicode.In(r, unicode.Z, unicode.P)
}

// tokenize is text.split(spaceOrPunct) as JavaScript does it, without a
// regular expression: an empty string where the text starts or ends with
// a separator, or is empty.
func tokenize(text string) []string {
	var out []string
	start, inSep := 0, false
	for i, r := range text {
		sep := isSep(r)
		switch {
		case sep && !inSep:
			out = append(out, text[start:i])
			inSep = true
		case !sep && inSep:
			start = i
			inSep = false
		}
	}
	if inSep {
		out = append(out, "")
	} else {
		out = append(out, text[start:])
	}
	return out
}

// miniIndex is MiniSearch's serialized index (AsPlainObject).
type miniIndex struct {
	DocumentCount        int                       `json:"documentCount"`
	NextID               int                       `json:"nextId"`
	DocumentIDs          map[string]string         `json:"documentIds"`
	FieldIDs             map[string]int            `json:"fieldIds"`
	FieldLength          map[string][]int          `json:"fieldLength"`
	AverageFieldLength   []float64                 `json:"averageFieldLength"`
	StoredFields         map[string]map[string]any `json:"storedFields"`
	DirtCount            int                       `json:"dirtCount"`
	Index                []json.RawMessage         `json:"index"`
	SerializationVersion int                       `json:"serializationVersion"`
}

// buildMiniIndex indexes docs as MiniSearch's add() does with the default
// tokenizer (split on spaces and punctuation), terms in lower case without
// the stop words, fields title and text, and stored fields title, page and
// snip.
func buildMiniIndex(docs []searchDoc) ([]byte, error) {
	mi := miniIndex{
		DocumentCount:        len(docs),
		NextID:               len(docs),
		DocumentIDs:          map[string]string{},
		FieldIDs:             map[string]int{},
		FieldLength:          map[string][]int{},
		AverageFieldLength:   make([]float64, len(searchFields)),
		StoredFields:         map[string]map[string]any{},
		SerializationVersion: 2,
	}
	for i, f := range searchFields {
		mi.FieldIDs[f] = i
	}
	// term -> fieldId -> shortId -> count
	index := map[string]map[int]map[int]int{}
	var terms []string
	for short, d := range docs {
		id := strconv.Itoa(short)
		mi.DocumentIDs[id] = d.ID
		mi.StoredFields[id] = map[string]any{"title": d.Title, "page": d.Page, "snip": d.Snip}
		lengths := make([]int, len(searchFields))
		for fid, value := range []string{d.Title, d.Text} {
			tokens := tokenize(value)
			unique := map[string]bool{}
			for _, t := range tokens {
				unique[t] = true
			}
			lengths[fid] = len(unique)
			// MiniSearch keeps a running mean over the documents added.
			mi.AverageFieldLength[fid] = (mi.AverageFieldLength[fid]*float64(short) + float64(len(unique))) / float64(short+1)
			for _, t := range tokens {
				t = strings.ToLower(t)
				if t == "" || stopWords[t] {
					continue
				}
				fields, ok := index[t]
				if !ok {
					fields = map[int]map[int]int{}
					index[t] = fields
					terms = append(terms, t)
				}
				if fields[fid] == nil {
					fields[fid] = map[int]int{}
				}
				fields[fid][short]++
			}
		}
		mi.FieldLength[id] = lengths
	}
	sort.Strings(terms)
	for _, t := range terms {
		entry := map[string]map[string]int{}
		for fid, freqs := range index[t] {
			m := map[string]int{}
			for short, n := range freqs {
				m[strconv.Itoa(short)] = n
			}
			entry[strconv.Itoa(fid)] = m
		}
		raw, err := json.Marshal([]any{t, entry})
		if err != nil {
			return nil, err
		}
		mi.Index = append(mi.Index, raw)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(mi); err != nil {
		return nil, fmt.Errorf("site: search index: %w", err)
	}
	return bytes.TrimSpace(b.Bytes()), nil
}

// searchIndex is the index as a script (search-index.js), which loads
// from file:// where fetch would not.
func searchIndex(docs []searchDoc) ([]byte, error) {
	idx, err := buildMiniIndex(docs)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	stop, err := json.Marshal(stopList)
	if err != nil {
		return nil, err
	}
	b.WriteString("/* haguide search index: MiniSearch serializationVersion 2, and the words it leaves out */\nwindow.HAGUIDE_SEARCH_INDEX=")
	b.Write(idx)
	b.WriteString(";\nwindow.HAGUIDE_SEARCH_STOP=")
	b.Write(stop)
	b.WriteString(";\n")
	return b.Bytes(), nil
}

// newRendererForTest is render.New with the site's options.
func newRendererForTest(g *guide.Guide) *render.Renderer {
	opts, _ := renderOptions()
	return render.New(g, opts)
}
