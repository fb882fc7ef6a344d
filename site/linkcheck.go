package site

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/net/html"
)

// CheckLinks parses every HTML file of a site and reports each internal
// link (href or src without a scheme) whose file is not in the site or
// whose fragment is no id of that file, as "FILE: href "X": problem". The
// guide's own links are checked with positions by guide.Check before
// rendering; this catches what the layout and the renderer add.
func CheckLinks(files map[string][]byte) []string {
	ids := map[string]map[string]bool{}
	type ref struct{ from, attr, val string }
	var refs []ref
	var probs []string
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	// Parse the pages in parallel; each yields its ids and references.
	type parsed struct {
		set   map[string]bool
		refs  []ref
		probs []string
	}
	var pages []string
	for _, name := range names {
		if path.Ext(name) == ".html" {
			pages = append(pages, name)
		}
	}
	out := make([]parsed, len(pages))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, name := range pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			p := &out[i]
			p.set = map[string]bool{}
			// The tokenizer, not a parsed tree: only start tags and their
			// attributes matter here, and script and style contents are
			// still read as text.
			z := html.NewTokenizer(bytes.NewReader(files[name]))
			for {
				tt := z.Next()
				if tt == html.ErrorToken {
					if err := z.Err(); err != io.EOF {
						p.probs = append(p.probs, fmt.Sprintf("%s: %v", name, err))
					}
					return
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
						if p.set[id] {
							p.probs = append(p.probs, fmt.Sprintf("%s: id %q is used twice", name, id))
						}
						p.set[id] = true
					case "href", "src":
						if linking {
							p.refs = append(p.refs, ref{name, string(k), string(v)})
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	for i, name := range pages {
		ids[name] = out[i].set
		refs = append(refs, out[i].refs...)
		probs = append(probs, out[i].probs...)
	}
	for _, r := range refs {
		u, err := url.Parse(r.val)
		if err != nil {
			probs = append(probs, fmt.Sprintf("%s: %s %q: %v", r.from, r.attr, r.val, err))
			continue
		}
		if u.Scheme != "" || u.Host != "" || strings.HasPrefix(r.val, "//") {
			continue
		}
		target := r.from
		if u.Path != "" {
			if strings.HasPrefix(u.Path, "/") {
				probs = append(probs, fmt.Sprintf("%s: %s %q is absolute: the site must work from any folder", r.from, r.attr, r.val))
				continue
			}
			target = path.Join(path.Dir(r.from), u.Path)
			if strings.HasSuffix(u.Path, "/") {
				target = path.Join(target, "index.html")
			}
		}
		if _, ok := files[target]; !ok {
			probs = append(probs, fmt.Sprintf("%s: %s %q: no file %s in the site", r.from, r.attr, r.val, target))
			continue
		}
		if u.Fragment != "" {
			set, isHTML := ids[target]
			if !isHTML || !set[u.Fragment] {
				probs = append(probs, fmt.Sprintf("%s: %s %q: %s has no id %q", r.from, r.attr, r.val, target, u.Fragment))
			}
		}
	}
	return probs
}
