package render

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
)

// The chroma styles the site can use, copied from chroma's styles/ (MIT,
// chromastyles/LICENSE-chroma.txt; a test compares them with chroma's
// own). chroma's styles package parses all of its 70 styles when a
// program starts, 10 ms of every haguide command; these are parsed when
// first asked for.
//
//go:embed chromastyles/*.xml
var styleFiles embed.FS

var (
	stylesOnce sync.Once
	styleNames []string
)

// styleCache holds the styles parsed so far, by lower-case name.
var styleCache sync.Map

// ChromaStyles lists the names of the styles ChromaCSS knows.
func ChromaStyles() []string {
	stylesOnce.Do(func() {
		files, _ := fs.Glob(styleFiles, "chromastyles/*.xml")
		for _, f := range files {
			styleNames = append(styleNames, strings.TrimSuffix(path.Base(f), ".xml"))
		}
		slices.Sort(styleNames)
	})
	return styleNames
}

// chromaStyle returns a style by name.
func chromaStyle(name string) (*chroma.Style, error) {
	name = strings.ToLower(name)
	if s, ok := styleCache.Load(name); ok {
		return s.(*chroma.Style), nil
	}
	if !slices.Contains(ChromaStyles(), name) {
		return nil, fmt.Errorf("unknown chroma style %q (known: %s)", name, strings.Join(ChromaStyles(), ", "))
	}
	f, err := styleFiles.Open("chromastyles/" + name + ".xml")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := chroma.NewXMLStyle(f)
	if err != nil {
		return nil, fmt.Errorf("chroma style %s: %w", name, err)
	}
	styleCache.Store(name, s)
	return s, nil
}

// chromaStylePair returns the light and the dark style by name.
func chromaStylePair(light, dark string) (ls, ds *chroma.Style, err error) {
	if ls, err = chromaStyle(light); err != nil {
		return nil, nil, err
	}
	if ds, err = chromaStyle(dark); err != nil {
		return nil, nil, err
	}
	return ls, ds, nil
}

// ChromaCSS returns the highlighting CSS for code rendered by this package
// (chroma's class names under .chroma) in two themes: light as the default
// (:root, or [data-theme=light]), dark under [data-theme=dark] and, when
// the page sets no theme of its own, under @media (prefers-color-scheme:
// dark). The dark rules restate every property the light theme sets, so
// nothing of the light theme leaks into the dark one. Style names are
// chroma's, of those this package carries ([ChromaStyles]).
func ChromaCSS(light, dark string) (string, error) {
	return chromaCSS(light, dark, nil)
}

// ChromaCSSFor is [ChromaCSS] with rules only for the given classes (those
// the site's pages use, [Page].Classes) and the .chroma block itself.
func ChromaCSSFor(light, dark string, classes []string) (string, error) {
	keep := map[string]bool{}
	for _, c := range classes {
		keep[" ."+c] = true
	}
	return chromaCSS(light, dark, keep)
}

func chromaCSS(light, dark string, keep map[string]bool) (string, error) {
	ls, ds, err := chromaStylePair(light, dark)
	if err != nil {
		return "", err
	}
	lr, dr := themeRules(ls), themeRules(ds)
	if keep != nil {
		for _, rules := range []map[string]string{lr, dr} {
			for sel := range rules {
				if sel != "" && !keep[sel] {
					delete(rules, sel)
				}
			}
		}
	}
	// Classes either theme styles, so that the dark theme can undo what
	// the light theme sets.
	classes := map[string]bool{}
	for c := range lr {
		classes[c] = true
	}
	for c := range dr {
		classes[c] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "/* chroma: %s (light), %s (dark) */\n", ls.Name, ds.Name)
	writeRules(&b, "", lr, nil, nil)
	writeRules(&b, "[data-theme=dark] ", dr, classes, lr)
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	writeRules(&b, ":root:not([data-theme=light]) ", dr, classes, lr)
	b.WriteString("}\n")
	return b.String(), nil
}

// themeRules maps each selector below .chroma ("" for .chroma itself, or
// " .k") to its declarations in one style, each colour made readable on
// its background (WCAG AA, [readable]).
func themeRules(s *chroma.Style) map[string]string {
	out := map[string]string{}
	bg := s.Get(chroma.Background)
	out[""] = decls(bg, true)
	for tt, cls := range chroma.StandardTypes {
		if cls == "" || tt == chroma.Background || tt == chroma.PreWrapper {
			continue
		}
		switch tt {
		case chroma.Line, chroma.LineNumbers, chroma.LineNumbersTable, chroma.LineTable, chroma.LineTableTD, chroma.LineLink, chroma.LineHighlight, chroma.CodeLine:
			continue
		}
		e := s.Get(tt).Sub(bg)
		if e.IsZero() {
			continue
		}
		on := bg.Background
		if e.Background.IsSet() {
			on = e.Background
		}
		e.Colour = readable(e.Colour, on)
		out[" ."+cls] = decls(e, false)
	}
	return out
}

// decls writes a style entry as CSS declarations; full restates defaults.
func decls(e chroma.StyleEntry, full bool) string {
	var d []string
	if e.Colour.IsSet() {
		d = append(d, "color:"+e.Colour.String())
	} else if full {
		d = append(d, "color:inherit")
	}
	if e.Background.IsSet() {
		d = append(d, "background-color:"+e.Background.String())
	}
	if e.Bold == chroma.Yes {
		d = append(d, "font-weight:bold")
	}
	if e.Italic == chroma.Yes {
		d = append(d, "font-style:italic")
	}
	if e.Underline == chroma.Yes {
		d = append(d, "text-decoration:underline")
	}
	return strings.Join(d, ";")
}

// resetDecls adds to d a default for each property the other theme's
// declarations set and d does not, so that d undoes them.
func resetDecls(d, other string) string {
	add := func(prop, val string) {
		if strings.Contains(other, prop+":") && !strings.Contains(d, prop+":") {
			if d != "" {
				d += ";"
			}
			d += prop + ":" + val
		}
	}
	add("color", "inherit")
	add("background-color", "transparent")
	add("font-weight", "inherit")
	add("font-style", "inherit")
	add("text-decoration", "inherit")
	return d
}

// writeRules writes one theme's rules, grouping selectors that share their
// declarations. With classes set, it writes a rule for each of them,
// restating the defaults of what the other theme's rule sets.
func writeRules(b *strings.Builder, prefix string, rules map[string]string, classes map[string]bool, other map[string]string) {
	bySet := map[string][]string{}
	add := func(sel, d string) {
		if d == "" {
			return
		}
		bySet[d] = append(bySet[d], prefix+".chroma"+sel)
	}
	if classes == nil {
		for sel, d := range rules {
			add(sel, d)
		}
	} else {
		for sel := range classes {
			d := rules[sel]
			if sel != "" {
				d = resetDecls(d, other[sel])
			}
			add(sel, d)
		}
	}
	var lines []string
	for d, sels := range bySet {
		slices.Sort(sels)
		lines = append(lines, strings.Join(sels, ",")+"{"+d+"}\n")
	}
	slices.Sort(lines)
	for _, l := range lines {
		b.WriteString(l)
	}
}

// PlainClasses returns the chroma classes that, in both styles, set
// nothing but the colour of the text around them: the style's own text
// colour (its background entry's), or lightFG and darkFG, the page's text
// colours, where the style has none. A span of such a class shows nothing,
// so the renderer leaves it out (github's name attributes and punctuation
// are the text colour: a span for every key of every ini file, for
// nothing).
func PlainClasses(light, dark, lightFG, darkFG string) ([]string, error) {
	var out []string
	ls, ds, err := chromaStylePair(light, dark)
	if err != nil {
		return nil, err
	}
	lfg, dfg := chroma.ParseColour(lightFG), chroma.ParseColour(darkFG)
	if !lfg.IsSet() || !dfg.IsSet() {
		return nil, fmt.Errorf("text colours %q and %q: want #rrggbb", lightFG, darkFG)
	}
	seen := map[string]bool{}
	for tt, cls := range chroma.StandardTypes {
		if cls == "" || seen[cls] || tt == chroma.Background || tt == chroma.PreWrapper {
			continue
		}
		if plainIn(ls, tt, lfg) && plainIn(ds, tt, dfg) {
			seen[cls] = true
			out = append(out, cls)
		}
	}
	slices.Sort(out)
	return out, nil
}

func plainIn(s *chroma.Style, tt chroma.TokenType, fg chroma.Colour) bool {
	bg := s.Get(chroma.Background)
	e := s.Get(tt).Sub(bg)
	if bg.Colour.IsSet() {
		fg = bg.Colour
	}
	return (!e.Colour.IsSet() || e.Colour == fg) && !e.Background.IsSet() &&
		e.Bold != chroma.Yes && e.Italic != chroma.Yes && e.Underline != chroma.Yes
}

// SameClasses maps each chroma class to the class it looks the same as in
// both styles (the same declarations in each, [ChromaCSS]), the shortest
// name of each such set, then the first in order: github's strings s, s1,
// s2, si and sx all become s. The renderer writes the one class for them
// all, so that two neighbouring tokens share one span and the stylesheet
// has fewer selectors. A class that looks like no other is left out.
func SameClasses(light, dark string) (map[string]string, error) {
	ls, ds, err := chromaStylePair(light, dark)
	if err != nil {
		return nil, err
	}
	lr, dr := themeRules(ls), themeRules(ds)
	groups := map[[2]string][]string{}
	for tt, cls := range chroma.StandardTypes {
		if cls == "" || tt == chroma.Background || tt == chroma.PreWrapper {
			continue
		}
		l, lok := lr[" ."+cls]
		d, dok := dr[" ."+cls]
		if !lok && !dok {
			continue // plain in both ([PlainClasses])
		}
		k := [2]string{l, d}
		if !slices.Contains(groups[k], cls) {
			groups[k] = append(groups[k], cls)
		}
	}
	out := map[string]string{}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		slices.SortFunc(g, func(a, b string) int {
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		})
		for _, c := range g[1:] {
			out[c] = g[0]
		}
	}
	return out, nil
}
