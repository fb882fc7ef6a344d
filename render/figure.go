package render

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bep/goat"
)

// figureStyle keeps a figure readable on light and dark pages: it brings
// its own background, following the reader's colour scheme. It also says
// once how every character is drawn (see goatText).
const figureStyle = `<style>svg{color:#1f2328;background:#ffffff}text{text-anchor:middle;fill:currentColor}` +
	`@media (prefers-color-scheme: dark){svg{color:#e6edf3;background:#0d1117}[fill="#fff"]{fill:#0d1117}}</style>`

// goatText takes from each of goat's text elements (one per character of
// the diagram, hundreds in a figure) the attributes they all repeat, which
// figureStyle says once: text-anchor middle and fill currentColor, and a
// font size of 1em (the svg element's). A figure's text is most of its
// bytes; this takes two thirds of them.
var goatText = strings.NewReplacer(
	"<text text-anchor='middle' x=", "<text x=",
	" fill='currentColor' style='font-size:1em'>", ">",
)

// Figure turns an ASCII-art diagram (the text source of a figure,
// figures/NAME.txt) into SVG (figures/NAME.svg) with bep/goat, the
// converter Hugo uses. The SVG scales with its viewBox and carries its own
// light and dark colours.
func Figure(src []byte) (svg []byte, err error) {
	if !utf8.Valid(src) {
		return nil, errors.New("figure: the diagram is not UTF-8 text")
	}
	clean := strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 && r != '\n' || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ReplaceAll(string(src), "\r\n", "\n"))
	if strings.TrimSpace(clean) == "" {
		return nil, errors.New("figure: the diagram is empty")
	}
	defer func() {
		if r := recover(); r != nil {
			svg, err = nil, fmt.Errorf("figure: goat failed: %v", r)
		}
	}()
	d := goat.BuildSVG(strings.NewReader(clean))
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 %d %d" width="%d" height="%d" font-family="Menlo,Consolas,'DejaVu Sans Mono',monospace" font-size="14">`+"\n",
		d.Width, d.Height, d.Width, d.Height)
	b.WriteString(figureStyle + "\n")
	if _, err := goatText.WriteString(&b, d.Body); err != nil {
		return nil, fmt.Errorf("figure: %w", err)
	}
	b.WriteString("</svg>\n")
	return b.Bytes(), nil
}
