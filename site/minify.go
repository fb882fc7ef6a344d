package site

import (
	"fmt"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/js"
)

// The site's own CSS and scripts are kept readable in site/assets and
// served minified: every page loads them, so they count in each page's
// weight. tdewolff/minify does the work (Hugo's minifier too); the
// scripts keep their variable names, so what a browser's console shows
// still reads like the source.
var minifier = func() *minify.M {
	m := minify.New()
	m.AddFunc("text/css", css.Minify)
	m.Add("text/javascript", &js.Minifier{KeepVarNames: true})
	return m
}()

// minifyAsset minifies an asset of media type mediatype ("text/css" or
// "text/javascript"); name is for the error.
func minifyAsset(name, mediatype string, b []byte) ([]byte, error) {
	out, err := minifier.Bytes(mediatype, b)
	if err != nil {
		return nil, fmt.Errorf("minify %s: %w", name, err)
	}
	return out, nil
}
