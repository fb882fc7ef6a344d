package site

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/svg"
)

// The site's own CSS, scripts, figures and pages are kept readable in the
// repository (site/assets, site/templates, figures/NAME.txt) and served
// minified: what a page loads counts in its weight. tdewolff/minify does
// the work (Hugo's minifier too).
//
//   - The scripts keep their variable names, so that what a browser's
//     console shows still reads like the source.
//   - The HTML keeps its quotes off where HTML allows (Hugo's default), but
//     keeps every end tag and the html, head and body tags, so that the
//     source a reader views is still a closed tree, and drops whitespace
//     only where it shows nothing (pre keeps its text as it is).
//   - SVG: coordinates, colours and the embedded stylesheet made short;
//     text, ids and classes stay.
var minifier = func() *minify.M {
	m := minify.New()
	m.AddFunc("text/css", css.Minify)
	m.Add("text/javascript", &js.Minifier{KeepVarNames: true})
	m.Add("text/html", &html.Minifier{
		KeepDocumentTags:    true,
		KeepEndTags:         true,
		KeepDefaultAttrVals: true,
	})
	m.AddFunc("image/svg+xml", svg.Minify)
	return m
}()

// minifyAsset minifies an asset of media type mediatype ("text/css",
// "text/javascript", "text/html" or "image/svg+xml"); name is for the
// error. b is left as it is (the minifier writes into its input while it
// works, and a site may hold one slice under two names).
func minifyAsset(name, mediatype string, b []byte) ([]byte, error) {
	out, err := minifier.Bytes(mediatype, bytes.Clone(b))
	if err != nil {
		return nil, fmt.Errorf("minify %s: %w", name, err)
	}
	return out, nil
}

// minifyPages minifies the site's HTML pages, on every core.
func minifyPages(s *Site) error {
	var names []string
	for n := range s.Files {
		if path.Ext(n) == ".html" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := make([][]byte, len(names))
	errs := make([]error, len(names))
	forEach(len(names), func(i int) {
		out[i], errs[i] = minifyAsset(names[i], "text/html", s.Files[names[i]])
	})
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	for i, n := range names {
		s.Files[n] = out[i]
	}
	return nil
}
