package site

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"

	"golang.org/x/net/html"
)

// CheckLinks parses every HTML file of a site and reports each internal
// link (href or src without a scheme) whose file is not in the site or
// whose fragment is no id of that file, as "FILE: href "X": problem". The
// guide's own links are checked with positions by guide.Check before
// rendering; this catches what the layout and the renderer add.
func CheckLinks(files map[string][]byte) []string {
	var pages []string
	for name := range files {
		if path.Ext(name) == ".html" {
			pages = append(pages, name)
		}
	}
	sort.Strings(pages)
	// Parse the pages in parallel; each yields its ids and references.
	out := make([]parsedPage, len(pages))
	forEach(len(pages), func(i int) { out[i] = parseLinks(pages[i], files[pages[i]]) })
	ids := map[string]map[string]bool{}
	var refs []linkRef
	var probs []string
	for i, name := range pages {
		ids[name] = out[i].ids
		refs = append(refs, out[i].refs...)
		probs = append(probs, out[i].probs...)
	}
	for _, r := range refs {
		if p := checkRef(files, ids, r); p != "" {
			probs = append(probs, p)
		}
	}
	return probs
}

// linkRef is a link (href or src) of a page.
type linkRef struct{ from, attr, val string }

// parsedPage is what CheckLinks reads from one page.
type parsedPage struct {
	ids   map[string]bool
	refs  []linkRef
	probs []string
}

// parseLinks reads a page's ids and links with the tokenizer, not a
// parsed tree: only start tags and their attributes matter here, and
// script and style contents are still read as text.
func parseLinks(name string, page []byte) parsedPage {
	p := parsedPage{ids: map[string]bool{}}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if err := z.Err(); err != io.EOF {
				p.probs = append(p.probs, fmt.Sprintf("%s: %v", name, err))
			}
			return p
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tag, more := z.TagName()
		linking := false
		switch string(tag) {
		case "a", "link", "script", "img", "area":
			linking = true
		}
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			switch string(k) {
			case "id":
				id := string(v)
				if p.ids[id] {
					p.probs = append(p.probs, fmt.Sprintf("%s: id %q is used twice", name, id))
				}
				p.ids[id] = true
			case "href", "src":
				if linking {
					p.refs = append(p.refs, linkRef{name, string(k), string(v)})
				}
			}
		}
	}
}

// checkRef says what is wrong with an internal link, or "".
func checkRef(files map[string][]byte, ids map[string]map[string]bool, r linkRef) string {
	u, err := url.Parse(r.val)
	if err != nil {
		return fmt.Sprintf("%s: %s %q: %v", r.from, r.attr, r.val, err)
	}
	if u.Scheme != "" || u.Host != "" || strings.HasPrefix(r.val, "//") {
		return ""
	}
	target := r.from
	if u.Path != "" {
		if strings.HasPrefix(u.Path, "/") {
			return fmt.Sprintf("%s: %s %q is absolute: the site must work from any folder", r.from, r.attr, r.val)
		}
		target = path.Join(path.Dir(r.from), u.Path)
		if strings.HasSuffix(u.Path, "/") {
			target = path.Join(target, "index.html")
		}
	}
	if _, ok := files[target]; !ok {
		return fmt.Sprintf("%s: %s %q: no file %s in the site", r.from, r.attr, r.val, target)
	}
	if u.Fragment != "" {
		if set, isHTML := ids[target]; !isHTML || !set[u.Fragment] {
			return fmt.Sprintf("%s: %s %q: %s has no id %q", r.from, r.attr, r.val, target, u.Fragment)
		}
	}
	return ""
}
