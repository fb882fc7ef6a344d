package runner

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"

	"github.com/haguide/haguide/guide"
)

// hostileValues are values meant to change what a command does: end a
// quote, run a command, split a word, end an SQL string, start a comment,
// escape, expand, glob.
var hostileValues = []string{
	`a'b;$(id)`,
	`p'; DROP USER root; --`,
	`two words`,
	"line\nbreak",
	"new\nEOF\nid",
	"`id`",
	`$(id)`,
	`${HOME}`,
	`a;b`,
	`a&&id`,
	`a|id`,
	`x #comment`,
	`#start`,
	`back\slash\`,
	`say "hi"`,
	`*`,
	`~root`,
	`{a,b}`,
	`a>b`,
	`$'\x41'`,
	``,
}

// shapeOf is the test's own account of a command's shape, independent of
// the runner's: every syntax node but literal text and quotes, in order,
// with the number of words of each command and each redirection's
// operator.
func shapeOf(t *testing.T, text string) string {
	t.Helper()
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(true)).Parse(strings.NewReader(text+"\n"), "")
	if err != nil {
		return "does not parse: " + err.Error()
	}
	var b strings.Builder
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case nil, *syntax.Lit, *syntax.SglQuoted, *syntax.DblQuoted:
		case *syntax.CallExpr:
			fmt.Fprintf(&b, "call/%d/%d ", len(n.Assigns), len(n.Args))
		case *syntax.Redirect:
			fmt.Fprintf(&b, "redir%s ", n.Op)
		case *syntax.Word:
			b.WriteString("w")
		default:
			fmt.Fprintf(&b, "%T ", n)
		}
		return true
	})
	return b.String()
}

// hostileFixture is the embedded guide with three nodes and every
// placeholder at its example value.
func hostileFixture(t testing.TB) (*guide.Guide, []Node, map[string]string) {
	t.Helper()
	g, err := guide.Load(guide.Embedded)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []Node
	for i, n := range g.Settings.Nodes {
		nodes = append(nodes, Node{Name: n, Address: fmt.Sprintf("10.0.0.%d", 11+i),
			Origin: map[string]string{"ansible_host": fmt.Sprintf("inventory.ini:%d", 1+i)}})
	}
	examples := map[string]string{}
	for name, ph := range g.Settings.Placeholders {
		examples[name] = ph.Example
	}
	return g, nodes, examples
}

// TestHostileValuesRejected: every hostile value given for any
// placeholder of the embedded guide (or as a node's address) is refused
// before anything runs, with where it was written and the form allowed.
func TestHostileValuesRejected(t *testing.T) {
	g, nodes, examples := hostileFixture(t)
	for _, name := range slices.Sorted(mapsKeys(g.Settings.Placeholders)) {
		for _, hv := range hostileValues {
			vars := cloneMap(examples)
			vars[name] = hv
			_, err := NewValues(ValuesConfig{Settings: g.Settings, Nodes: nodes, Vars: vars, Origin: map[string]string{name: "vars.yml:7"}})
			if err == nil {
				t.Errorf("%s=%q accepted", name, hv)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, "vars.yml:7: "+name+": ") || !strings.Contains(msg, "want ") {
				t.Errorf("%s=%q: the error does not say where and what is allowed:\n%s", name, hv, msg)
			}
			if g.Settings.Placeholders[name].Secret && hv != "" && strings.Contains(msg, hv) {
				t.Errorf("%s: the error shows the secret:\n%s", name, msg)
			}
		}
	}
	for _, hv := range hostileValues {
		bad := slices.Clone(nodes)
		bad[1].Address = hv
		_, err := NewValues(ValuesConfig{Settings: g.Settings, Nodes: bad, Vars: examples})
		if err == nil || !strings.Contains(err.Error(), "inventory.ini:2: ") {
			t.Errorf("address %q of %s: got %v, want an error at inventory.ini:2", hv, bad[1].Name, err)
		}
	}
}

// TestHostileValuesKeepShape is the runner's second line of defence:
// with the types bypassed, a hostile value in any placeholder of any
// command of the embedded guide, for every distro, is either refused or
// leaves the command's parsed shape what it is with the example values.
func TestHostileValuesKeepShape(t *testing.T) {
	g, nodes, examples := hostileFixture(t)
	s := g.Settings
	base, err := NewValues(ValuesConfig{Settings: s, Nodes: nodes, Vars: examples})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, distro := range s.Distros {
		for _, lab := range []bool{false, true} {
			p, err := NewPlan(g, distro, PlanOptions{Lab: lab})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range p.Steps {
				node := ""
				if !st.Local {
					node = st.Nodes[0]
				}
				switch {
				case st.Block.Kind != guide.KindFile:
					for _, cmd := range st.Block.Commands {
						checked += checkHostile(t, base, distro, cmd.Pos, node, cmd.Text)
					}
				case shellFile(st.Block):
					checked += checkHostile(t, base, distro, st.Block.ContentPos, node, st.Block.Content)
				}
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d substitutions checked", checked)
	}
	t.Logf("%d substitutions checked", checked)
}

// checkHostile puts every hostile value, in turn, in each placeholder of
// a shell text and checks the result is refused or keeps the shape the
// text has with the example values. It returns how many it checked.
func checkHostile(t *testing.T, base *Values, distro string, pos guide.Pos, node, text string) int {
	t.Helper()
	s := base.settings
	want, err := base.Command(node, text)
	if err != nil {
		t.Fatalf("%s: the example values are refused: %v", pos, err)
	}
	wantShape := shapeOf(t, want)
	var names []string
	s.EachPlaceholder(text, func(name string, _ int) { names = append(names, name) })
	checked := 0
	for _, name := range uniq(names) {
		for _, hv := range hostileValues {
			got, err := fillShell(s, text, func(n string) (string, bool) {
				if n == name {
					return hv, true
				}
				return base.Lookup(node, n)
			})
			checked++
			if err != nil {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("%s: %s=%q refused without naming it: %v", pos, name, hv, err)
				}
				continue
			}
			if gotShape := shapeOf(t, got); gotShape != wantShape {
				t.Errorf("%s (%s): %s=%q changes the shape:\n%s\nwith the example:\n%s", pos, distro, name, hv, got, want)
			}
		}
	}
	return checked
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// literalTemplates hold X_VALUE in every quoting a command can give it;
// run by bash, each must print the value exactly as given.
var literalTemplates = []string{
	`printf '%s|' X_VALUE`,
	`printf '%s|' pre-X_VALUE-post`,
	`printf '%s|' 'X_VALUE'`,
	`printf '%s|' 'a X_VALUE b'`,
	`printf '%s|' "X_VALUE"`,
	`printf '%s|' "a X_VALUE b $((1+1))"`,
	`printf '%s|' $'X_VALUE'`,
	`v=X_VALUE; printf '%s|' "$v"`,
	`printf '%s|' "$(printf '%s' X_VALUE)"`,
	"cat <<EOF\nX_VALUE|\nEOF",
	"cat <<'EOF'\nX_VALUE|\nEOF",
	"printf '%s|' X_VALUE # X_VALUE",
	`for w in X_VALUE; do printf '%s|' "$w"; done`,
	`case X_VALUE in *) printf '%s|' ok;; esac`,
	"printf '%s|' \"`printf '%s' \"X_VALUE\"`\"",
}

// expectedOutput is what a template prints for a value.
func expectedOutput(tmpl, v string) string {
	switch {
	case strings.HasPrefix(tmpl, "case"):
		return "ok|"
	case strings.HasPrefix(tmpl, "cat"):
		return v + "|\n"
	case strings.Contains(tmpl, "'a X_VALUE b'"):
		return "a " + v + " b|"
	case strings.Contains(tmpl, `"a X_VALUE b`):
		return "a " + v + " b 2|"
	case strings.Contains(tmpl, "pre-"):
		return "pre-" + v + "-post|"
	}
	return v + "|"
}

// FuzzFillShell: whatever the value, a filled command either is refused
// or, run by bash, sees the value as the literal text it is.
func FuzzFillShell(f *testing.F) {
	if _, err := exec.LookPath("bash"); err != nil {
		f.Skip("no bash")
	}
	for i, hv := range hostileValues {
		f.Add(i%len(literalTemplates), hv)
	}
	for i := range literalTemplates {
		f.Add(i, "plain-value_1.2")
	}
	s := &guide.Settings{Placeholders: map[string]guide.Placeholder{"X_VALUE": {Type: "name"}}}
	f.Fuzz(func(t *testing.T, i int, v string) {
		if i < 0 || strings.ContainsRune(v, 0) {
			return
		}
		tmpl := literalTemplates[i%len(literalTemplates)]
		got, err := fillShell(s, tmpl, func(string) (string, bool) { return v, true })
		if err != nil {
			return
		}
		out, err := exec.Command("bash", "--noprofile", "--norc", "-c", got).Output()
		if err != nil {
			t.Fatalf("%q with %q: %v\n%s", tmpl, v, err, got)
		}
		if want := expectedOutput(tmpl, v); string(out) != want {
			t.Fatalf("%q with %q printed %q, want %q\ncommand: %s", tmpl, v, out, want, got)
		}
	})
}

// TestGeneratedSecretsFit: the secrets verify generates fit the type of
// every secret placeholder of the embedded guide.
func TestGeneratedSecretsFit(t *testing.T) {
	g, nodes, examples := hostileFixture(t)
	vars := map[string]string{}
	for name, val := range examples {
		if !g.Settings.Placeholders[name].Secret {
			vars[name] = val
		}
	}
	v, err := NewValues(ValuesConfig{Settings: g.Settings, Nodes: nodes, Vars: vars})
	if err != nil {
		t.Fatal(err)
	}
	for name, ph := range g.Settings.Placeholders {
		if val, _ := v.Lookup("", name); ph.Secret && val == ph.Example {
			t.Errorf("%s was not generated", name)
		}
	}
}

// FuzzFillShellShape: for any command and any value, a filled command is
// refused or has the shape the command has with a plain value, by the
// test's own account of shape.
func FuzzFillShellShape(f *testing.F) {
	for i, tmpl := range literalTemplates {
		f.Add(tmpl, hostileValues[i%len(hostileValues)])
	}
	f.Add("mysql -e \"CREATE USER 'x'@'%' IDENTIFIED BY 'X_VALUE'\"", "p'; DROP USER root; --")
	f.Add("cat >/tmp/x <<EOF\n[a]\nk = X_VALUE\nEOF\necho X_VALUE", "v\nEOF\nid")
	s := &guide.Settings{Placeholders: map[string]guide.Placeholder{"X_VALUE": {Type: "name"}}}
	f.Fuzz(func(t *testing.T, tmpl, v string) {
		plain, err := fillShell(s, tmpl, func(string) (string, bool) { return "plain", true })
		if err != nil {
			return
		}
		got, err := fillShell(s, tmpl, func(string) (string, bool) { return v, true })
		if err != nil {
			return
		}
		if a, b := shapeOf(t, plain), shapeOf(t, got); a != b {
			t.Fatalf("%q with %q:\n%s\nhas another shape than with a plain value:\n%s", tmpl, v, got, plain)
		}
	})
}
