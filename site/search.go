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

// buildMiniIndex indexes docs as MiniSearch's add() does with the default
// tokenizer (split on spaces and punctuation), terms in lower case without
// the stop words, fields title and text, and stored fields title, page and
// text.
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
		mi.StoredFields[id] = map[string]any{"title": d.Title, "page": d.Page, "text": d.Text}
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
		e, err := indexEntry(t, index[t])
		if err != nil {
			return nil, err
		}
		mi.Index = append(mi.Index, e)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(mi); err != nil {
		return nil, fmt.Errorf("site: search index: %w", err)
	}
	return bytes.TrimSpace(b.Bytes()), nil
}

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
