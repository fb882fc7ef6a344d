package runner

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/internal/atomicfile"
	"github.com/haguide/haguide/internal/yamltext"
)

// SecretsFile is the file in a run directory that keeps the secrets
// generated for the run, so a resumed or repeated run uses the same ones.
const SecretsFile = "secrets.env"

// Values are the placeholder values of a run.
type Values struct {
	settings *guide.Settings
	// global values, from inventory group vars, the vars file and secrets.
	global map[string]string
	// perNode values: inventory host vars, NODE_NAME, NODE_ADDR.
	perNode map[string]map[string]string
	// origin tells where each value comes from (file:line): global
	// values by name, per-node ones by node and name.
	origin     map[string]string
	nodeOrigin map[string]map[string]string
	secret     map[string]bool
	masker     *strings.Replacer
}

// Node is what the values need to know of one node.
type Node struct {
	Name    string
	Address string
	// Vars are the node's inventory variables (group vars merged in).
	Vars map[string]string
	// Origin tells where each of Vars is written (file:line), as
	// inventory.Host.Origin does; Origin[""] is where the node is listed.
	Origin map[string]string
}

// ValuesConfig gathers the sources of placeholder values.
type ValuesConfig struct {
	Settings *guide.Settings
	Nodes    []Node
	// Vars are the run's own values (the CLI's --vars); they win over
	// inventory variables.
	Vars map[string]string
	// Origin tells where each of Vars comes from (file:line); a value
	// without one is reported as from "vars".
	Origin map[string]string
	// RunDir keeps generated secrets; empty generates them in memory only.
	RunDir string
	// Needed lists the placeholders the run uses; secrets among them that
	// have no value are generated. Nil means every declared placeholder.
	Needed []string
}

// NewValues resolves placeholder values. A non-secret placeholder the run
// needs and nobody gives a value is an error that names it with its
// meaning. Every value must fit its placeholder's type (see
// guide.ValueTypes); those that do not are an error that lists each with
// where it comes from and the form allowed, before anything runs.
func NewValues(cfg ValuesConfig) (*Values, error) {
	s := cfg.Settings
	v := &Values{settings: s, global: map[string]string{}, perNode: map[string]map[string]string{}, secret: map[string]bool{},
		origin: map[string]string{}, nodeOrigin: map[string]map[string]string{}}
	for name, ph := range s.Placeholders {
		if ph.Secret {
			v.secret[name] = true
		}
	}
	v.addNodes(cfg.Nodes)
	if err := v.addVars(cfg.Vars, cfg.Origin); err != nil {
		return nil, err
	}
	needed := cfg.Needed
	if needed == nil {
		needed = slices.Sorted(maps.Keys(s.Placeholders))
	}
	saved, err := readSecrets(cfg.RunDir)
	if err != nil {
		return nil, err
	}
	generated, err := v.fill(needed, saved, cfg.RunDir)
	if err != nil {
		return nil, err
	}
	if err := v.checkTypes(); err != nil {
		return nil, err
	}
	if generated && cfg.RunDir != "" {
		if err := writeSecrets(cfg.RunDir, saved); err != nil {
			return nil, err
		}
	}
	v.buildMasker()
	return v, nil
}

// addNodes takes the nodes' inventory variables, global when every node
// has the same value, else per node, and the built-in placeholders from
// the nodes' names and addresses.
func (v *Values) addNodes(nodes []Node) {
	s := v.settings
	addr, addrFrom := map[string]string{}, map[string]string{}
	for _, n := range nodes {
		addrVar := "ansible_host"
		if _, ok := n.Origin[addrVar]; !ok {
			addrVar = "ansible_ssh_host"
		}
		addr[n.Name], addrFrom[n.Name] = n.Address, originOf(n.Origin, addrVar, "")
		pn, po := map[string]string{}, map[string]string{}
		for k, val := range n.Vars {
			if _, ok := s.Placeholders[k]; ok {
				pn[k] = val
				po[k] = originOf(n.Origin, k, "the inventory")
			}
		}
		v.perNode[n.Name] = pn
		v.nodeOrigin[n.Name] = po
	}
	addrOf := func(n string) string { return addr[n] }
	from := func(b guide.Builtin, on string) string {
		if !b.Addr {
			return "the guide's settings"
		}
		return b.Value(on, func(n string) string { return addrFrom[n] })
	}
	for _, b := range s.Builtins() {
		if !b.PerNode() {
			if _, ok := addr[b.Node]; ok {
				v.global[b.Name], v.origin[b.Name] = b.Value("", addrOf), from(b, "")
			}
			continue
		}
		for _, n := range nodes {
			v.perNode[n.Name][b.Name] = b.Value(n.Name, addrOf)
			v.nodeOrigin[n.Name][b.Name] = from(b, n.Name)
		}
	}
	for name := range s.Placeholders {
		if val, ok := commonValue(nodes, name); ok {
			v.global[name] = val
			v.origin[name] = v.nodeOrigin[nodes[0].Name][name]
		}
	}
}

// addVars takes the run's own values, which win over the inventory's; a
// value for a placeholder the guide does not declare is an error.
func (v *Values) addVars(vars, origin map[string]string) error {
	var unknown []string
	for k, val := range vars {
		if _, ok := v.settings.Placeholders[k]; !ok {
			unknown = append(unknown, fmt.Sprintf("%s: %s is set, but the guide does not declare it", originOf(origin, k, "vars"), k))
			continue
		}
		v.global[k] = val
		v.origin[k] = originOf(origin, k, "vars")
		for _, pn := range v.perNode {
			delete(pn, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown placeholders:\n  %s", strings.Join(unknown, "\n  "))
	}
	return nil
}

// fill gives the needed secrets nobody set their value saved in the run
// directory, or a new one (generated says so); a needed value that is not
// a secret and has none is a *MissingValuesError.
func (v *Values) fill(needed []string, saved map[string]string, runDir string) (generated bool, err error) {
	var missing []string
	for _, name := range needed {
		if v.settings.IsBuiltin(name) || v.has(name) {
			continue
		}
		if !v.secret[name] {
			ph := v.settings.Placeholders[name]
			missing = append(missing, fmt.Sprintf("  %s: %s (for example %s)", name, ph.Meaning, ph.Example))
			continue
		}
		if val, ok := saved[name]; ok {
			v.global[name], v.origin[name] = val, filepath.Join(runDir, SecretsFile)
			continue
		}
		v.global[name], v.origin[name] = newSecret(), "generated"
		saved[name] = v.global[name]
		generated = true
	}
	if len(missing) > 0 {
		return false, &MissingValuesError{Missing: missing}
	}
	return generated, nil
}

// A MissingValuesError lists the placeholders a run needs that have no
// value, each with its meaning and example.
type MissingValuesError struct {
	Missing []string
}

func (e *MissingValuesError) Error() string {
	return "these placeholders have no value:\n" + strings.Join(e.Missing, "\n")
}

// originOf returns where a value comes from, or def when unknown.
func originOf(origin map[string]string, name, def string) string {
	if o, ok := origin[name]; ok && o != "" {
		return o
	}
	if def == "" {
		if o, ok := origin[""]; ok {
			return o
		}
		return "the inventory"
	}
	return def
}

// checkTypes checks every value against its placeholder's type, and
// lists those that do not fit with where each comes from.
func (v *Values) checkTypes() error {
	var bad []string
	check := func(origin map[string]string, vals map[string]string) {
		for name, val := range vals {
			if err := v.settings.CheckValue(name, val); err != nil {
				bad = append(bad, fmt.Sprintf("%s: %v", origin[name], err))
			}
		}
	}
	check(v.origin, v.global)
	for node, pn := range v.perNode {
		check(v.nodeOrigin[node], pn)
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	bad = slices.Compact(bad)
	return fmt.Errorf("these values do not fit their placeholders, so nothing was run:\n  %s", strings.Join(bad, "\n  "))
}

// Command substitutes the placeholders of a shell command for a node,
// each value in the form that is safe where it stands; an error says
// which value cannot be placed (see fillShell).
func (v *Values) Command(node, text string) (string, error) {
	return fillShell(v.settings, text, func(name string) (string, bool) { return v.Lookup(node, name) })
}

// Origin says where a placeholder's value for a node comes from.
func (v *Values) Origin(node, name string) string {
	if o, ok := v.nodeOrigin[node][name]; ok {
		if _, set := v.perNode[node][name]; set {
			return o
		}
	}
	return v.origin[name]
}

// Describe lists the placeholders of text with their values for a node
// and where each comes from, secrets by length only: for a log, so that
// a command that fails shows what was filled in.
func (v *Values) Describe(node, text string) string {
	var parts []string
	seen := map[string]bool{}
	v.settings.EachPlaceholder(text, func(name string, _ int) {
		val, ok := v.Lookup(node, name)
		if seen[name] || !ok {
			return
		}
		seen[name] = true
		shown := val
		if v.secret[name] {
			shown = fmt.Sprintf("<secret, %d characters>", len(val))
		}
		parts = append(parts, fmt.Sprintf("%s=%s (%s)", name, shown, v.Origin(node, name)))
	})
	return strings.Join(parts, ", ")
}

// commonValue returns a variable's value when every node has the same one.
func commonValue(nodes []Node, name string) (string, bool) {
	var val string
	for i, n := range nodes {
		x, ok := n.Vars[name]
		if !ok || (i > 0 && x != val) {
			return "", false
		}
		val = x
	}
	return val, len(nodes) > 0
}

func (v *Values) has(name string) bool {
	if _, ok := v.global[name]; ok {
		return true
	}
	for _, pn := range v.perNode {
		if _, ok := pn[name]; !ok {
			return false
		}
	}
	return len(v.perNode) > 0
}

// Lookup returns a placeholder's value on a node ("" for the local machine).
func (v *Values) Lookup(node, name string) (string, bool) {
	if pn, ok := v.perNode[node]; ok {
		if val, ok := pn[name]; ok {
			return val, true
		}
	}
	val, ok := v.global[name]
	return val, ok
}

// Fill substitutes the placeholders of text for a node.
func (v *Values) Fill(node, text string) string {
	return v.settings.Replace(text, func(name string) (string, bool) { return v.Lookup(node, name) })
}

// Env returns the values as NAME=value pairs for local commands: a local
// block reads placeholders from its text like any other, and the lab's
// node addresses from the environment too.
func (v *Values) Env() []string {
	var out []string
	for k, val := range v.global {
		if v.secret[k] {
			continue // filled into the block's text, never exported
		}
		out = append(out, k+"="+val)
	}
	sort.Strings(out)
	return out
}

// Mask hides every secret value in s.
func (v *Values) Mask(s string) string {
	if v == nil || v.masker == nil {
		return s
	}
	return v.masker.Replace(s)
}

// Secret reports whether a placeholder is secret.
func (v *Values) Secret(name string) bool { return v.secret[name] }

func (v *Values) buildMasker() {
	var pairs []string
	seen := map[string]bool{}
	add := func(name, val string) {
		if !v.secret[name] || val == "" || seen[val] {
			return
		}
		seen[val] = true
		pairs = append(pairs, val, "<"+name+">")
	}
	for name, val := range v.global {
		add(name, val)
	}
	for _, pn := range v.perNode {
		for name, val := range pn {
			add(name, val)
		}
	}
	// Longer values first, so a secret that contains another is masked whole.
	type pair struct{ old, new string }
	ps := make([]pair, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		ps = append(ps, pair{pairs[i], pairs[i+1]})
	}
	sort.Slice(ps, func(i, j int) bool { return len(ps[i].old) > len(ps[j].old) })
	flat := make([]string, 0, len(pairs))
	for _, p := range ps {
		flat = append(flat, p.old, p.new)
	}
	if len(flat) > 0 {
		v.masker = strings.NewReplacer(flat...)
	}
}

// newSecret makes a 24-character password of letters and digits: safe in
// shell words, URLs, SQL strings and ini files without quoting.
func newSecret() string {
	const alphabet = guide.SecretAlphabet
	b := make([]byte, guide.SecretLength)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func readSecrets(dir string) (map[string]string, error) {
	out := map[string]string{}
	if dir == "" {
		return out, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, SecretsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read generated secrets: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: malformed line %q", filepath.Join(dir, SecretsFile), k)
		}
		out[k] = val
	}
	return out, nil
}

func writeSecrets(dir string, secrets map[string]string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# Secrets haguide generated for this run directory. Keep them: the\n# cluster was set up with them.\n")
	for _, k := range slices.Sorted(maps.Keys(secrets)) {
		fmt.Fprintf(&b, "%s=%s\n", k, secrets[k])
	}
	return atomicfile.Write(filepath.Join(dir, SecretsFile), []byte(b.String()), 0o600)
}

// VarsFile is what a --vars file sets: placeholder values and where each
// is written (file:line).
type VarsFile struct {
	Values map[string]string
	Origin map[string]string
}

// ReadVarsFile reads a --vars file: a YAML mapping of placeholder names to
// values, or NAME=value lines. A value is the text written (10.0 stays
// 10.0, 0123 stays 0123); a list, a mapping or a name without a value is
// an error at its line.
func ReadVarsFile(path string) (map[string]string, error) {
	vf, err := ReadVars(path)
	if err != nil {
		return nil, err
	}
	return vf.Values, nil
}

// ReadVars reads a --vars file like ReadVarsFile, keeping where each value
// is written.
func ReadVars(path string) (*VarsFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseVars(path, data)
}

func parseVars(path string, data []byte) (*VarsFile, error) {
	vf := &VarsFile{Values: map[string]string{}, Origin: map[string]string{}}
	doc, yerr := yamltext.Parse(data)
	if yerr == nil && doc.Root != nil {
		if pairs, ok := doc.Root.Pairs(); ok {
			for _, p := range pairs {
				k, ok := p.Key.Text()
				if !ok || k == "" {
					return nil, fmt.Errorf("%s:%d: want a placeholder name", path, p.Key.Line())
				}
				val, ok := p.Value.Text()
				if !ok {
					return nil, fmt.Errorf("%s:%d: %s", path, p.Value.Line(), yamltext.WantScalar(k, p.Value.Kind()))
				}
				vf.Values[k] = val
				vf.Origin[k] = fmt.Sprintf("%s:%d", path, p.Value.Line())
			}
			return vf, nil
		}
	}
	if yerr == nil && doc.Root == nil {
		return vf, nil
	}
	// NAME=value lines.
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, val, ok := strings.Cut(line, "=")
		if !ok || strings.Contains(k, ":") {
			var ye *yamltext.Error
			if errors.As(yerr, &ye) {
				return nil, fmt.Errorf("%s:%d:%d: YAML: %s", path, ye.Line, ye.Col, ye.Msg)
			}
			return nil, fmt.Errorf("%s:%d: expected NAME=value or YAML NAME: value", path, n)
		}
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		if len(val) >= 2 && (val[0] == '"' || val[0] == '\'') && val[len(val)-1] == val[0] {
			val = val[1 : len(val)-1]
		}
		vf.Values[k] = val
		vf.Origin[k] = fmt.Sprintf("%s:%d", path, n)
	}
	return vf, nil
}
