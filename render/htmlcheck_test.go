package render

import (
	"fmt"
	"regexp"
	"strings"
)

// checkHTML is a small validator for the fragments this package writes:
// balanced tags, content models the renderer relies on (no block inside
// phrasing content, nothing interactive inside a link or button), unique
// ids, ARIA and in-page references that resolve, alt text on images, and
// headings that skip no level. It returns every problem found.
func checkHTML(s string) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	type open struct {
		name  string
		attrs map[string]string
	}
	var stack []open
	ids := map[string]bool{}
	var refs [][2]string // attr, id
	lastHeading := 0
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			checkText(s[i:], bad)
			break
		}
		checkText(s[i:i+lt], bad)
		i += lt
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i:], "-->")
			if end < 0 {
				bad("unclosed comment")
				break
			}
			i += end + 3
			continue
		}
		gt := tagEnd(s, i)
		if gt < 0 {
			bad("unclosed tag at %d: %.40q", i, s[i:])
			break
		}
		tag := s[i+1 : gt]
		i = gt + 1
		if strings.HasPrefix(tag, "/") {
			name := strings.TrimSpace(tag[1:])
			if len(stack) == 0 || stack[len(stack)-1].name != name {
				top := ""
				if len(stack) > 0 {
					top = stack[len(stack)-1].name
				}
				bad("</%s> closes <%s>", name, top)
				continue
			}
			stack = stack[:len(stack)-1]
			continue
		}
		name, attrs, err := parseTag(tag)
		if err != "" {
			bad("<%s>: %s", name, err)
		}
		if !tagName.MatchString(name) {
			bad("bad tag name %q", name)
			continue
		}
		for _, o := range stack {
			if phrasingOnly[o.name] && !phrasing[name] {
				bad("<%s> inside <%s>", name, o.name)
			}
			if interactive(o.name, o.attrs) && interactive(name, attrs) {
				bad("interactive <%s> inside interactive <%s>", name, o.name)
			}
		}
		if id, ok := attrs["id"]; ok {
			if id == "" || strings.ContainsAny(id, " \t\n") {
				bad("bad id %q", id)
			}
			if ids[id] {
				bad("duplicate id %q", id)
			}
			ids[id] = true
		}
		for _, a := range []string{"aria-controls", "aria-labelledby", "aria-describedby"} {
			if v, ok := attrs[a]; ok {
				for _, id := range strings.Fields(v) {
					refs = append(refs, [2]string{a, id})
				}
			}
		}
		if href, ok := attrs["href"]; ok && strings.HasPrefix(href, "#") {
			refs = append(refs, [2]string{"href", href[1:]})
		}
		if name == "img" {
			if alt, ok := attrs["alt"]; !ok || strings.TrimSpace(alt) == "" {
				bad("<img src=%q> without alt text", attrs["src"])
			}
		}
		if len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6' {
			level := int(name[1] - '0')
			if lastHeading == 0 && level != 1 {
				bad("first heading is <%s>, not <h1>", name)
			}
			if lastHeading > 0 && level > lastHeading+1 {
				bad("<%s> after <h%d> skips a level", name, lastHeading)
			}
			if lastHeading > 0 && level == 1 {
				bad("second <h1>")
			}
			lastHeading = level
		}
		if attrs["role"] == "tab" && (len(stack) == 0 || stack[len(stack)-1].attrs["role"] != "tablist") {
			bad("role=tab outside a tablist")
		}
		if attrs["role"] == "tabpanel" && attrs["aria-labelledby"] == "" {
			bad("tabpanel without aria-labelledby")
		}
		if void[name] || strings.HasSuffix(tag, "/") {
			continue
		}
		stack = append(stack, open{name, attrs})
	}
	for _, o := range stack {
		bad("<%s> never closed", o.name)
	}
	for _, r := range refs {
		if !ids[r[1]] {
			bad("%s refers to missing id %q", r[0], r[1])
		}
	}
	return probs
}

var (
	tagName  = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	attrName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	entity   = regexp.MustCompile(`^&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});`)
	void     = map[string]bool{"img": true, "br": true, "hr": true, "input": true, "wbr": true, "col": true}
	// phrasingOnly elements may hold phrasing content only.
	phrasingOnly = set("p", "span", "a", "code", "var", "button", "em", "strong", "del", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "th")
	phrasing     = set("span", "a", "code", "var", "button", "em", "strong", "del", "img", "br", "input", "wbr", "b", "i", "kbd", "samp", "sub", "sup", "abbr")
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func interactive(name string, attrs map[string]string) bool {
	switch name {
	case "a", "button", "input":
		return true
	}
	_, tab := attrs["tabindex"]
	return tab && name != "pre" && name != "div"
}

// checkText reports a stray < or an ampersand that starts no entity.
func checkText(t string, bad func(string, ...any)) {
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '>':
			bad("unescaped > in text %.30q", t[max(0, i-10):])
		case '&':
			if !entity.MatchString(t[i:]) {
				bad("bare & in text %.30q", t[i:])
			}
		}
	}
}

// tagEnd finds the > that ends the tag starting at i, skipping quoted values.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j
		case c == '<':
			return -1
		}
	}
	return -1
}

// parseTag splits "name a=\"b\" c" into its name and attributes.
func parseTag(tag string) (string, map[string]string, string) {
	tag = strings.TrimSuffix(tag, "/")
	name, rest, _ := strings.Cut(tag, " ")
	name = strings.TrimSpace(name)
	attrs := map[string]string{}
	rest = strings.TrimSpace(rest)
	for rest != "" {
		eq := strings.IndexAny(rest, "= ")
		var key, val string
		if eq < 0 || rest[eq] == ' ' {
			if eq < 0 {
				key, rest = rest, ""
			} else {
				key, rest = rest[:eq], strings.TrimSpace(rest[eq:])
			}
		} else {
			key = rest[:eq]
			rest = rest[eq+1:]
			if rest == "" || rest[0] != '"' {
				return name, attrs, fmt.Sprintf("attribute %s is not double-quoted", key)
			}
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return name, attrs, "unterminated attribute " + key
			}
			val = rest[1 : end+1]
			rest = strings.TrimSpace(rest[end+2:])
			if strings.ContainsAny(val, "<>") {
				return name, attrs, fmt.Sprintf("attribute %s holds an unescaped < or >", key)
			}
			val = unescapeAttr(val)
		}
		if !attrName.MatchString(key) {
			return name, attrs, fmt.Sprintf("bad attribute name %q", key)
		}
		if _, dup := attrs[key]; dup {
			return name, attrs, "duplicate attribute " + key
		}
		attrs[key] = val
	}
	return name, attrs, ""
}

func unescapeAttr(v string) string {
	r := strings.NewReplacer("&amp;", "&", "&quot;", `"`, "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">")
	return r.Replace(v)
}
