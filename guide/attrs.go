package guide

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haguide/haguide/distros"
)

// NodeKind says where a block runs.
type NodeKind string

// The node selections of nodes=.
const (
	NodesAll    NodeKind = "all"    // every node, in parallel
	NodesFirst  NodeKind = "first"  // the first node
	NodesOthers NodeKind = "others" // every node but the first, in parallel
	NodesEach   NodeKind = "each"   // every node, one after another
	NodesNamed  NodeKind = "node"   // one named node
	NodesLocal  NodeKind = "local"  // the machine running haguide
)

var reservedNodeSel = map[string]bool{"all": true, "first": true, "others": true, "each": true, "local": true}

// NodeSel is the value of nodes=.
type NodeSel struct {
	Kind NodeKind `json:"kind"`
	Name string   `json:"name,omitempty"` // for NodesNamed
}

func (n NodeSel) String() string {
	if n.Kind == NodesNamed {
		return n.Name
	}
	return string(n.Kind)
}

// Resolve returns the nodes a selection names, in the order they run, from
// the guide's node list. NodesLocal resolves to nil.
func (n NodeSel) Resolve(nodes []string) []string {
	switch n.Kind {
	case NodesAll, NodesEach:
		return slices.Clone(nodes)
	case NodesFirst:
		return nodes[:min(1, len(nodes))]
	case NodesOthers:
		if len(nodes) < 2 {
			return nil
		}
		return slices.Clone(nodes[1:])
	case NodesNamed:
		return []string{n.Name}
	}
	return nil
}

// Parallel reports whether the selected nodes run the block at the same time.
func (n NodeSel) Parallel() bool { return n.Kind == NodesAll || n.Kind == NodesOthers }

// The values of when=.
const (
	// WhenLab blocks run only against the local lab: its fault commands.
	WhenLab = "lab"
	// WhenOwnNodes blocks run only on the reader's own nodes (verify
	// with an inventory): what the lab has no stand-in for, such as a
	// real fence device or a BMC.
	WhenOwnNodes = "own-nodes"
)

// Attrs are the typed attributes of a fenced block.
type Attrs struct {
	Nodes      NodeSel       `json:"nodes"`
	Distros    []string      `json:"distros,omitempty"`
	File       string        `json:"file,omitempty"`
	Mode       fs.FileMode   `json:"mode,omitempty"`
	Owner      string        `json:"owner,omitempty"`
	Apply      string        `json:"apply,omitempty"` // "replace" or "merge"
	Wait       time.Duration `json:"wait,omitempty"`
	Timeout    time.Duration `json:"timeout,omitempty"`
	Run        bool          `json:"run"`
	Reason     string        `json:"reason,omitempty"`
	When       string        `json:"when,omitempty"` // "", WhenLab or WhenOwnNodes
	Background string        `json:"background,omitempty"`
	Stop       string        `json:"stop,omitempty"`
	ID         string        `json:"id,omitempty"`

	// Set lists the attribute keys written in the source, in order.
	Set []string `json:"-"`
}

// ForDistro reports whether the block applies to the distro.
func (a *Attrs) ForDistro(d string) bool {
	return len(a.Distros) == 0 || slices.Contains(a.Distros, d)
}

// Defaults for attributes left out.
const (
	DefaultMode    fs.FileMode = 0o644
	DefaultOwner               = "root:root"
	DefaultTimeout             = 10 * time.Minute
)

// RawAttr is one key=value pair of a block's info string, with the byte
// offsets of its key and value within the info string.
type RawAttr struct {
	Key, Value       string
	KeyOff, ValueOff int
}

// InfoError is a syntax error in an info string at byte offset Off.
type InfoError struct {
	Off int
	Msg string
}

func (e *InfoError) Error() string { return fmt.Sprintf("offset %d: %s", e.Off, e.Msg) }

// ParseInfo splits a fenced block's info string into its language and its
// raw attributes: `console {nodes=all distro="debian,ubuntu"}`.
func ParseInfo(info string) (lang string, attrs []RawAttr, err error) {
	i := 0
	for i < len(info) && info[i] != ' ' && info[i] != '\t' && info[i] != '{' {
		i++
	}
	lang = info[:i]
	for i < len(info) && (info[i] == ' ' || info[i] == '\t') {
		i++
	}
	if i == len(info) {
		return lang, nil, nil
	}
	if info[i] != '{' {
		return lang, nil, &InfoError{i, fmt.Sprintf("unexpected %q after the language: attributes go in braces, {key=value ...}", info[i:])}
	}
	i++
	seen := map[string]bool{}
	for {
		for i < len(info) && (info[i] == ' ' || info[i] == '\t') {
			i++
		}
		if i == len(info) {
			return lang, attrs, &InfoError{i, "missing } at the end of the attributes"}
		}
		if info[i] == '}' {
			i++
			if rest := strings.TrimSpace(info[i:]); rest != "" {
				return lang, attrs, &InfoError{i + strings.Index(info[i:], rest), fmt.Sprintf("unexpected %q after the attributes", rest)}
			}
			return lang, attrs, nil
		}
		keyOff := i
		for i < len(info) && isKeyChar(info[i]) {
			i++
		}
		key := info[keyOff:i]
		if key == "" {
			return lang, attrs, &InfoError{i, fmt.Sprintf("expected an attribute name, found %q", string(info[i]))}
		}
		if i == len(info) || info[i] != '=' {
			return lang, attrs, &InfoError{i, fmt.Sprintf("attribute %s needs a value: %s=VALUE", key, key)}
		}
		i++
		valOff := i
		var val string
		if i < len(info) && info[i] == '"' {
			var b strings.Builder
			i++
			closed := false
			for i < len(info) {
				c := info[i]
				if c == '\\' && i+1 < len(info) && (info[i+1] == '"' || info[i+1] == '\\') {
					b.WriteByte(info[i+1])
					i += 2
					continue
				}
				if c == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(c)
				i++
			}
			if !closed {
				return lang, attrs, &InfoError{valOff, "unterminated quoted value"}
			}
			val = b.String()
		} else {
			for i < len(info) && info[i] != ' ' && info[i] != '\t' && info[i] != '}' && info[i] != '"' {
				i++
			}
			val = info[valOff:i]
			if val == "" {
				return lang, attrs, &InfoError{valOff, fmt.Sprintf("attribute %s has an empty value", key)}
			}
		}
		if seen[key] {
			return lang, attrs, &InfoError{keyOff, fmt.Sprintf("attribute %s is given twice", key)}
		}
		seen[key] = true
		attrs = append(attrs, RawAttr{Key: key, Value: val, KeyOff: keyOff, ValueOff: valOff})
	}
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// AttrError is a problem with one attribute, at byte offset Off of the info
// string.
type AttrError struct {
	Off int
	Msg string
}

// TypedAttrs turns raw attributes into Attrs for a guide with the given
// node names, collecting one error per bad attribute.
func TypedAttrs(raw []RawAttr, nodes []string) (Attrs, []AttrError) {
	a := Attrs{Nodes: NodeSel{Kind: NodesAll}, Run: true}
	var errs []AttrError
	for _, r := range raw {
		a.Set = append(a.Set, r.Key)
		i := slices.IndexFunc(attrSetters, func(s attrSetter) bool { return slices.Contains(s.keys, r.Key) })
		if i < 0 {
			errs = append(errs, AttrError{r.KeyOff, fmt.Sprintf("unknown attribute %s (known: %s)", r.Key, strings.Join(knownAttrs(), ", "))})
			continue
		}
		attrSetters[i].set(&a, r, nodes, func(format string, args ...any) {
			errs = append(errs, AttrError{r.ValueOff, fmt.Sprintf(format, args...)})
		})
	}
	return a, errs
}

// attrSetter sets the attributes keys from their raw value, and says what
// is wrong with a value with bad.
type attrSetter struct {
	keys []string
	set  func(a *Attrs, r RawAttr, nodes []string, bad func(format string, args ...any))
}

// attrSetters are the attributes a block may have, in the order messages
// list them.
var attrSetters = []attrSetter{
	{[]string{"nodes"}, func(a *Attrs, r RawAttr, nodes []string, bad func(string, ...any)) {
		switch {
		case reservedNodeSel[r.Value]:
			a.Nodes = NodeSel{Kind: NodeKind(r.Value)}
		case slices.Contains(nodes, r.Value):
			a.Nodes = NodeSel{Kind: NodesNamed, Name: r.Value}
		default:
			bad("unknown nodes=%s: use all, first, others, each, local or a node name (%s)", r.Value, strings.Join(nodes, ", "))
		}
	}},
	{[]string{"distro"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		for _, d := range strings.Split(r.Value, ",") {
			d = strings.TrimSpace(d)
			switch {
			case !knownDistro(d):
				bad("unknown distro %q (known: %s)", d, strings.Join(knownDistroIDs(), ", "))
			case slices.Contains(a.Distros, d):
				bad("distro %s is listed twice", d)
			default:
				a.Distros = append(a.Distros, d)
			}
		}
	}},
	{[]string{"file"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		if !path.IsAbs(r.Value) || path.Clean(r.Value) != r.Value || strings.HasSuffix(r.Value, "/") {
			bad("file=%s must be a clean absolute path", r.Value)
		}
		a.File = r.Value
	}},
	{[]string{"mode"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		m, err := strconv.ParseUint(r.Value, 8, 32)
		if err != nil || m > 0o7777 || !strings.HasPrefix(r.Value, "0") {
			bad("mode=%s is not an octal file mode such as 0640", r.Value)
		}
		a.Mode = fs.FileMode(m)
	}},
	{[]string{"owner"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		if !validOwner(r.Value) {
			bad("owner=%s is not user or user:group", r.Value)
		}
		a.Owner = r.Value
	}},
	{[]string{"apply"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		if r.Value != "replace" && r.Value != "merge" {
			bad("unknown apply=%s: use replace or merge", r.Value)
		}
		a.Apply = r.Value
	}},
	{[]string{"wait", "timeout"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		d, err := time.ParseDuration(r.Value)
		if err != nil || d <= 0 {
			bad("%s=%s is not a positive duration such as 90s or 5m", r.Key, r.Value)
		}
		if r.Key == "wait" {
			a.Wait = d
		} else {
			a.Timeout = d
		}
	}},
	{[]string{"run"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		switch r.Value {
		case "yes":
			a.Run = true
		case "no":
			a.Run = false
		default:
			bad("unknown run=%s: use yes or no", r.Value)
		}
	}},
	{[]string{"reason"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		if strings.TrimSpace(r.Value) == "" {
			bad("reason is empty")
		}
		a.Reason = r.Value
	}},
	{[]string{"when"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		if r.Value != WhenLab && r.Value != WhenOwnNodes {
			bad("unknown when=%s: use lab or own-nodes", r.Value)
		}
		a.When = r.Value
	}},
	{[]string{"background", "stop", "id"}, func(a *Attrs, r RawAttr, _ []string, bad func(string, ...any)) {
		if !validName(r.Value) {
			bad("%s=%s must be a word of letters, digits, - and _", r.Key, r.Value)
		}
		switch r.Key {
		case "background":
			a.Background = r.Value
		case "stop":
			a.Stop = r.Value
		default:
			a.ID = r.Value
		}
	}},
}

// knownAttrs lists the attributes' names.
func knownAttrs() []string {
	var out []string
	for _, s := range attrSetters {
		out = append(out, s.keys...)
	}
	return out
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isKeyChar(s[i]) {
			return false
		}
	}
	return true
}

func validOwner(s string) bool {
	u, g, hasGroup := strings.Cut(s, ":")
	ok := func(x string) bool {
		if x == "" || len(x) > 32 {
			return false
		}
		for i := 0; i < len(x); i++ {
			c := x[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
				return false
			}
		}
		return true
	}
	return ok(u) && (!hasGroup || ok(g))
}

func knownDistro(id string) bool { _, ok := distros.Lookup(id); return ok }
func knownDistroIDs() []string   { return distros.IDs() }
