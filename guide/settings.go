package guide

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// SettingsFile is the name of the guide's settings file.
const SettingsFile = "settings.toml"

// Settings are the guide-wide facts kept in settings.toml.
type Settings struct {
	Release     string `toml:"release"`
	ReleaseName string `toml:"release_name"`
	// Distros are the ids of the distros the guide supports.
	Distros []string `toml:"distros"`
	// Nodes are the node names the guide's blocks refer to, in order: the
	// first is the node nodes=first means.
	Nodes []string `toml:"nodes"`
	// SourceURL is the base URL of the guide's sources, for "edit this
	// page" links.
	SourceURL string `toml:"source_url"`
	// DistroScope limits a distro to the chapter files listed for it.
	DistroScope map[string][]string `toml:"distro_scope"`
	// Needs lists, for a chapter file that does not need every chapter
	// before it, the chapter files it does need (see [Guide.Needs]).
	Needs map[string][]string `toml:"needs"`
	// NotPlaceholders are UPPER_SNAKE words that blocks may use literally.
	NotPlaceholders []string `toml:"not_placeholders"`
	// Placeholders are the values a reader (or verify) fills in.
	Placeholders map[string]Placeholder `toml:"placeholders"`

	// keyPos holds where each key is written, for diagnostics.
	keyPos map[string]Pos
}

// Placeholder is one declared value to replace.
type Placeholder struct {
	Meaning string `toml:"meaning"`
	Example string `toml:"example"`
	// Type is the name of the placeholder's ValueType: the form its
	// values must take.
	Type string `toml:"type"`
	// Secret is true for secrets: set in the settings, or by a secret
	// type (password, cookie).
	Secret bool `toml:"secret"`
	// Lab is the value verify uses on the local lab when the lab's
	// inventory and --vars give none (small worker counts, say).
	Lab string `toml:"lab"`
}

// PlaceholderPos returns where a placeholder is declared.
func (s *Settings) PlaceholderPos(name string) Pos {
	return s.at("placeholders." + name)
}

// DistrosFor returns the distros a chapter file supports, in settings order.
func (s *Settings) DistrosFor(chapterFile string) []string {
	var out []string
	for _, d := range s.Distros {
		if scope, ok := s.DistroScope[d]; ok && !slices.Contains(scope, chapterFile) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// parseSettings decodes settings.toml strictly, reporting problems with
// their positions.
func parseSettings(data []byte, dl *diagList) *Settings {
	s := &Settings{}
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(s); err != nil {
		var sm *toml.StrictMissingError
		var de *toml.DecodeError
		switch {
		case errors.As(err, &sm):
			for _, e := range sm.Errors {
				row, col := e.Position()
				dl.add(Pos{File: SettingsFile, Line: row, Col: col}, "unknown setting %q", strings.Join(e.Key(), "."))
			}
		case errors.As(err, &de):
			row, col := de.Position()
			dl.add(Pos{File: SettingsFile, Line: row, Col: col}, "%s", de.Error())
			return s
		default:
			dl.add(Pos{File: SettingsFile}, "%v", err)
			return s
		}
	}
	s.keyPos = keyPositions(data)
	s.validate(dl)
	return s
}

// keyPositions finds where every key and table of a settings file is
// written, with the TOML parser's own positions: "distros",
// "placeholders.DB_PASS", "distro_scope.suse".
func keyPositions(data []byte) map[string]Pos {
	out := map[string]Pos{}
	var p unstable.Parser
	p.Reset(data)
	table := ""
	for p.NextExpression() {
		e := p.Expression()
		var parts []string
		var last *unstable.Node
		for it := e.Key(); it.Next(); {
			last = it.Node()
			parts = append(parts, string(last.Data))
		}
		if last == nil {
			continue
		}
		name := strings.Join(parts, ".")
		switch e.Kind {
		case unstable.Table:
			table = name
		case unstable.KeyValue:
			if table != "" {
				name = table + "." + name
			}
		default:
			continue
		}
		sh := p.Shape(p.Range(last.Data))
		out[name] = Pos{File: SettingsFile, Line: sh.Start.Line, Col: sh.Start.Column}
	}
	return out
}

// at returns the position of a settings key, or the file.
func (s *Settings) at(key string) Pos {
	if p, ok := s.keyPos[key]; ok {
		return p
	}
	return Pos{File: SettingsFile}
}

func (s *Settings) validate(dl *diagList) {
	if s.Release == "" {
		dl.add(s.at("release"), "release is not set")
	}
	if len(s.Distros) == 0 {
		dl.add(s.at("distros"), "distros is empty")
	}
	for _, d := range s.Distros {
		if !knownDistro(d) {
			dl.add(s.at("distros"), "unknown distro %q in distros (known: %s)", d, strings.Join(knownDistroIDs(), ", "))
		}
	}
	for d := range s.DistroScope {
		if !slices.Contains(s.Distros, d) {
			dl.add(s.at("distro_scope."+d), "distro_scope names %q, which is not in distros", d)
		}
	}
	at := s.at("nodes")
	if len(s.Nodes) == 0 {
		dl.add(at, "nodes is empty")
	}
	seen := map[string]bool{}
	for _, n := range s.Nodes {
		if !validNodeName(n) {
			dl.add(at, "node name %q is not a valid host name", n)
		}
		if seen[n] {
			dl.add(at, "node %q is listed twice", n)
		}
		seen[n] = true
		if reservedNodeSel[n] {
			dl.add(at, "node name %q is reserved for nodes=%s", n, n)
		}
	}
	for name, ph := range s.Placeholders {
		p := s.PlaceholderPos(name)
		if !isPlaceholderWord(name) {
			dl.add(p, "placeholder %q is not an UPPER_SNAKE name with an underscore", name)
		}
		if s.IsBuiltin(name) {
			dl.add(p, "placeholder %s is built in and must not be declared", name)
		}
		if strings.TrimSpace(ph.Meaning) == "" {
			dl.add(p, "placeholder %s has no meaning", name)
		}
		if strings.TrimSpace(ph.Example) == "" {
			dl.add(p, "placeholder %s has no example", name)
		}
		if ph.Type == "" {
			dl.add(p, "placeholder %s has no type: give it one of %s", name, typeNames())
			continue
		}
		t, ok := LookupType(ph.Type)
		if !ok {
			dl.add(s.at("placeholders."+name+".type"), "placeholder %s: unknown type %q (known: %s)", name, ph.Type, typeNames())
			continue
		}
		if t.Secret && !ph.Secret {
			// Values of a secret type are secrets whatever the file says.
			ph.Secret = true
			s.Placeholders[name] = ph
		}
		if err := t.Check(ph.Example, false); err != nil {
			dl.add(s.at("placeholders."+name+".example"), "placeholder %s: the example %v", name, err)
		}
		if ph.Lab != "" {
			if err := t.Check(ph.Lab, false); err != nil {
				dl.add(s.at("placeholders."+name+".lab"), "placeholder %s: the lab value %v", name, err)
			}
		}
	}
}

func validNodeName(n string) bool {
	if n == "" || len(n) > 63 || n[0] == '-' || n[len(n)-1] == '-' {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// String helps debugging.
func (p Placeholder) String() string { return fmt.Sprintf("%s (e.g. %s)", p.Meaning, p.Example) }
