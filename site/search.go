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
// fields a result shows are title, page and text (search.js cuts the
// text around the first match); search.js loads the index with the same
// lists.
var searchFields = []string{"title", "text"}

// searchDoc is one entry of the search index: a section of a page, from
// one heading to the next.
type searchDoc struct {
	ID    string `json:"id"` // the section's URL relative to the site
	Title string `json:"title"`
	Page  string `json:"page"` // the chapter's label
	Text  string `json:"text"`
}

// pageDocs are a rendered page's sections as entries of the search
// index: the words a reader sees in each (render.Section).
func pageDocs(c *guide.Chapter, href string, p *render.Page) []searchDoc {
	label := chapterLabel(c)
	docs := make([]searchDoc, len(p.Sections))
	for i, s := range p.Sections {
		id := href
		if s.ID != "" {
			id += "#" + s.ID
		}
		docs[i] = searchDoc{ID: id, Title: s.Title, Page: label, Text: s.Text}
	}
	return docs
}

// spaceOrPunct is MiniSearch's default tokenizer's separator,
// /[\n\r\p{Z}\p{P}]+/u.
var spaceOrPunct = regexp.MustCompile(`[\n\r\p{Z}\p{P}]+`)

func isSep(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiSep[r]
	}
	return unicode.In(r, unicode.Z, unicode.P)
}

// asciiSep is isSep for ASCII, computed once.
var asciiSep = func() (t [utf8.RuneSelf]bool) {
	for r := range rune(utf8.RuneSelf) {
		t[r] = r == '\n' || r == '\r' || unicode.In(r, unicode.Z, unicode.P)
	}
	return t
}()

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

// builtIndex is MiniSearch's index of the docs before it is written:
// the plain object without its terms, and each term's counts by field
// and document.
type builtIndex struct {
	mi    miniIndex
	terms []string                       // sorted
	post  map[string]map[int]map[int]int // term -> fieldId -> shortId -> count
}

// newMiniIndex indexes docs as MiniSearch's add() does with the default
// tokenizer (split on spaces and punctuation), terms in lower case without
// the stop words, fields title and text, and stored fields title and page
// (the texts for the snippets are apart: searchTexts).
func newMiniIndex(docs []searchDoc) *builtIndex {
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
	index := map[string]map[int]map[int]int{}
	var terms []string
	for short, d := range docs {
		id := strconv.Itoa(short)
		mi.DocumentIDs[id] = d.ID
		mi.StoredFields[id] = map[string]any{"title": d.Title, "page": d.Page}
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
	return &builtIndex{mi: mi, terms: terms, post: index}
}

// buildMiniIndex is the index of docs as MiniSearch's toJSON writes it.
func buildMiniIndex(docs []searchDoc) ([]byte, error) {
	b := newMiniIndex(docs)
	mi := b.mi
	for _, t := range b.terms {
		e, err := indexEntry(t, b.post[t])
		if err != nil {
			return nil, err
		}
		mi.Index = append(mi.Index, e)
	}
	return marshalIndex(mi)
}

func marshalIndex(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("site: search index: %w", err)
	}
	return bytes.TrimSpace(b.Bytes()), nil
}

// compactIndex is the index in the form search-index.js carries it: the
// plain object without its terms, the terms one a line (a term never
// holds a line break, the tokenizer splits there), and per term its
// counts, "TITLE|TEXT", each a space-separated list of shortId or
// shortId:count (count 1 left out). decodeIndexJS turns it back into
// MiniSearch's plain object; this halves the terms' part of the index.
func compactIndex(b *builtIndex) ([]byte, error) {
	post := make([]string, len(b.terms))
	var e []byte
	var shorts []int
	for i, t := range b.terms {
		e = e[:0]
		for fid := range searchFields {
			if fid > 0 {
				e = append(e, '|')
			}
			shorts = shorts[:0]
			for short := range b.post[t][fid] {
				shorts = append(shorts, short)
			}
			sort.Ints(shorts)
			for j, short := range shorts {
				if j > 0 {
					e = append(e, ' ')
				}
				e = strconv.AppendInt(e, int64(short), 10)
				if n := b.post[t][fid][short]; n != 1 {
					e = append(e, ':')
					e = strconv.AppendInt(e, int64(n), 10)
				}
			}
		}
		post[i] = string(e)
	}
	return marshalIndex(struct {
		Plain miniIndex `json:"plain"`
		Terms string    `json:"terms"`
		Post  []string  `json:"post"`
	}{b.mi, strings.Join(b.terms, "\n"), post})
}

// decodeIndexJS makes MiniSearch's plain object from compactIndex's form.
const decodeIndexJS = `(function (x) {
  var terms = x.terms ? x.terms.split('\n') : [], index = [];
  for (var i = 0; i < terms.length; i++) {
    var fields = {};
    x.post[i].split('|').forEach(function (p, fid) {
      if (!p) return;
      var docs = {};
      p.split(' ').forEach(function (e) { var k = e.split(':'); docs[k[0]] = k.length > 1 ? +k[1] : 1; });
      fields[fid] = docs;
    });
    index.push([terms[i], fields]);
  }
  x.plain.index = index;
  return x.plain;
})`

// indexEntry is a term's entry of the index, [term, {fieldId: {shortId:
// count}}], written directly: through encoding/json, maps of maps cost
// most of the index's time.
func indexEntry(term string, fields map[int]map[int]int) ([]byte, error) {
	q, err := json.Marshal(term)
	if err != nil {
		return nil, err
	}
	e := make([]byte, 0, len(q)+32)
	e = append(e, '[')
	e = append(e, q...)
	e = append(e, ",{"...)
	first := true
	var shorts []int
	for fid := range searchFields {
		freqs, ok := fields[fid]
		if !ok {
			continue
		}
		if !first {
			e = append(e, ',')
		}
		first = false
		e = append(e, '"')
		e = strconv.AppendInt(e, int64(fid), 10)
		e = append(e, `":{`...)
		shorts = shorts[:0]
		for short := range freqs {
			shorts = append(shorts, short)
		}
		sort.Ints(shorts)
		for i, short := range shorts {
			if i > 0 {
				e = append(e, ',')
			}
			e = append(e, '"')
			e = strconv.AppendInt(e, int64(short), 10)
			e = append(e, `":`...)
			e = strconv.AppendInt(e, int64(freqs[short]), 10)
		}
		e = append(e, '}')
	}
	return append(e, "}]"...), nil
}

// searchIndex is the index as a script (search-index.js), which loads
// from file:// where fetch would not; texts are the scripts of the
// sections' texts by page (searchTexts).
func searchIndex(docs []searchDoc, texts map[string]string) ([]byte, error) {
	idx, err := compactIndex(newMiniIndex(docs))
	if err != nil {
		return nil, err
	}
	stop, err := json.Marshal(stopList)
	if err != nil {
		return nil, err
	}
	hrefs, err := json.Marshal(texts)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("/* haguide search index: MiniSearch serializationVersion 2 (its terms packed), the words it leaves out, and the scripts of the sections' texts */\nwindow.HAGUIDE_SEARCH_INDEX=")
	b.WriteString(decodeIndexJS)
	b.WriteString("(")
	b.Write(idx)
	b.WriteString(");\nwindow.HAGUIDE_SEARCH_STOP=")
	b.Write(stop)
	b.WriteString(";\nwindow.HAGUIDE_SEARCH_TEXTS=")
	b.Write(hrefs)
	b.WriteString(";\n")
	return b.Bytes(), nil
}

// searchTexts are the sections' texts, for the snippets of the results,
// one script per page (assets/search-text/PAGE.js) that adds them to
// window.HAGUIDE_SEARCH_TEXT by section id: search.js loads those of the
// pages a search lists, so that the index itself stays small. It returns
// the files and each page's versioned link (relative to the site).
func searchTexts(docs []searchDoc) (files map[string][]byte, hrefs map[string]string, err error) {
	byPage := map[string]map[string]string{}
	var pages []string
	for _, d := range docs {
		if d.Text == "" {
			continue
		}
		page, _, _ := strings.Cut(d.ID, "#")
		if byPage[page] == nil {
			byPage[page] = map[string]string{}
			pages = append(pages, page)
		}
		byPage[page][d.ID] = d.Text
	}
	files, hrefs = map[string][]byte{}, map[string]string{}
	for _, page := range pages {
		texts, err := marshalIndex(byPage[page])
		if err != nil {
			return nil, nil, err
		}
		name := "assets/search-text/" + strings.TrimSuffix(page, ".html") + ".js"
		files[name] = append(append([]byte("Object.assign(window.HAGUIDE_SEARCH_TEXT = window.HAGUIDE_SEARCH_TEXT || {}, "), texts...), ");\n"...)
		hrefs[page] = name + "?v=" + version(files[name])
	}
	return files, hrefs, nil
}
