package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/styles"
)

// ChromaCSS returns the highlighting CSS for code rendered by this package
// (chroma's class names under .chroma) in two themes: light as the default
// (:root, or [data-theme=light]), dark under [data-theme=dark] and, when
// the page sets no theme of its own, under @media (prefers-color-scheme:
// dark). The dark rules restate every property the light theme sets, so
// nothing of the light theme leaks into the dark one. Style names are
// chroma's (github, github-dark, monokai, ...).
func ChromaCSS(light, dark string) (string, error) {
	ls, ok := styles.Registry[strings.ToLower(light)]
	if !ok {
		return "", fmt.Errorf("unknown chroma style %q (known: %s)", light, strings.Join(styles.Names(), ", "))
	}
	ds, ok := styles.Registry[strings.ToLower(dark)]
	if !ok {
		return "", fmt.Errorf("unknown chroma style %q (known: %s)", dark, strings.Join(styles.Names(), ", "))
	}
	lr, dr := themeRules(ls), themeRules(ds)
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
	writeRules(&b, "", lr, nil)
	writeRules(&b, "[data-theme=dark] ", dr, classes)
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	writeRules(&b, ":root:not([data-theme=light]) ", dr, classes)
	b.WriteString("}\n")
	return b.String(), nil
}

// themeRules maps each selector below .chroma ("" for .chroma itself, or
// " .k") to its declarations in one style.
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

// resetDecls fills in what a theme leaves unset so that it undoes the
// other theme.
func resetDecls(d string) string {
	add := func(prop, val string) {
		if !strings.Contains(d, prop+":") {
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
// restating defaults.
func writeRules(b *strings.Builder, prefix string, rules map[string]string, classes map[string]bool) {
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
				d = resetDecls(d)
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
