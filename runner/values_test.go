package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/guide"
)

// TestReadVars: a --vars value is the text written, and where it is
// written is known; what is not a single value is an error at its line.
func TestReadVars(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      *VarsFile
		err       string
	}{
		{"literal", "A_A: 10.0\nB_B: 0123\nC_C: 0x1F\nD_D: yes\nE_E: '007'\nF_F: \"a b\"\n", &VarsFile{
			Values: map[string]string{"A_A": "10.0", "B_B": "0123", "C_C": "0x1F", "D_D": "yes", "E_E": "007", "F_F": "a b"},
			Origin: map[string]string{"A_A": "v:1", "B_B": "v:2", "C_C": "v:3", "D_D": "v:4", "E_E": "v:5", "F_F": "v:6"}}, ""},
		{"lines", "# comment\nA_A=10.0\n\nB_B = 'x y'\n", &VarsFile{
			Values: map[string]string{"A_A": "10.0", "B_B": "x y"},
			Origin: map[string]string{"A_A": "v:2", "B_B": "v:4"}}, ""},
		{"empty", "# nothing\n", &VarsFile{Values: map[string]string{}, Origin: map[string]string{}}, ""},
		{"null", "A_A: 1\nB_B:\n", nil, `v:2: B_B has no value; write one (an empty text is "")`},
		{"list", "A_A: 1\n\nB_B: [127.0.0.1]\n", nil, "v:3: B_B is a list; want a single value"},
		{"map", "B_B:\n  x: 1\n", nil, "v:2: B_B is a mapping; want a single value"},
		{"bad indent", "A_A: 1\nB_B:\n  X_X: 3\n Y_Y: 4\n", nil, "v:4:"},
		{"tab", "A_A: 1\nB_B:\n\tC_C: 3\n", nil, "v:3:1: YAML: a tab where YAML wants spaces"},
		{"neither", "A_A: 1\njust words\n", nil, "v:2:1: YAML: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseVars("v", []byte(tc.src))
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("got %v, want an error starting %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("vars (-want +got):\n%s", d)
			}
		})
	}
}

func TestReadVarsFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "vars.yml")
	if err := os.WriteFile(p, []byte("GCACHE_SIZE: 0128\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadVarsFile(p)
	if err != nil || got["GCACHE_SIZE"] != "0128" {
		t.Errorf("ReadVarsFile = %v, %v", got, err)
	}
	if _, err := ReadVarsFile(p + ".missing"); err == nil {
		t.Error("no error for a missing file")
	}
}

// FuzzReadVars: any input gives values with an origin each, or an error
// that names the file.
func FuzzReadVars(f *testing.F) {
	for _, s := range []string{"A_A: 10.0\nB_B: [1]\n", "A=1\nB='x'\n", "a: &x 1\nb: *x\n", "- 1\n", "A_A: |\n  two\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vf, err := parseVars("v.yml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "v.yml:") {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		for k := range vf.Values {
			if !strings.HasPrefix(vf.Origin[k], "v.yml:") {
				t.Fatalf("%s has no origin", k)
			}
		}
	})
}

func fillSettings() *guide.Settings {
	return &guide.Settings{Nodes: []string{"n1"}, Placeholders: map[string]guide.Placeholder{"X_VALUE": {Type: "name"}}}
}

// TestFillShell: each value takes the form that keeps it literal where it
// stands.
func TestFillShell(t *testing.T) {
	const v = `it's "x" $y`
	for _, tc := range []struct{ cmd, want, err string }{
		{`echo X_VALUE`, `echo 'it'\''s "x" $y'`, ""},
		{`mysql -pX_VALUE`, `mysql -p'it'\''s "x" $y'`, ""},
		{`echo 'a X_VALUE b'`, `echo 'a it'\''s "x" $y b'`, ""},
		{`echo "a X_VALUE b"`, `echo "a it's \"x\" \$y b"`, ""},
		{`echo $'X_VALUE'`, `echo $'it\'s "x" $y'`, ""},
		{`echo "$(echo X_VALUE)"`, `echo "$(echo 'it'\''s "x" $y')"`, ""},
		{"cat <<EOF\nX_VALUE\nEOF", "cat <<EOF\nit's \"x\" \\$y\nEOF", ""},
		{"cat <<'EOF'\nX_VALUE\nEOF", "cat <<'EOF'\nit's \"x\" $y\nEOF", ""},
		{`echo ok # X_VALUE`, `echo ok # it's "x" $y`, ""},
		{`echo $((X_VALUE + 1))`, "", "the value of X_VALUE: only letters, digits and _ can stand in an arithmetic or parameter expansion"},
		{"echo `echo X_VALUE`", "", "only letters, digits and _ can stand in an arithmetic or parameter expansion or in backquotes"},
		{`echo $X_VALUE ${X_VALUE}`, `echo $X_VALUE ${X_VALUE}`, ""},
		{`echo 'unclosed X_VALUE`, "", "the command does not parse"},
	} {
		got, err := fillShell(fillSettings(), tc.cmd, func(string) (string, bool) { return v, true })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: got %q, %v; want an error %q", tc.cmd, got, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.cmd, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%q (-want +got):\n%s", tc.cmd, d)
		}
	}
	// A safe value stays bare, as the reader would type it.
	got, err := fillShell(fillSettings(), `mysql -pX_VALUE -e "SELECT 'X_VALUE'"`, func(string) (string, bool) { return "db-secret_1.x", true })
	if err != nil || got != `mysql -pdb-secret_1.x -e "SELECT 'db-secret_1.x'"` {
		t.Errorf("safe value: got %q, %v", got, err)
	}
	// A line break cannot stand where it would end a here-document or a
	// comment.
	for _, cmd := range []string{"cat <<EOF\nX_VALUE\nEOF", "cat <<'EOF'\nX_VALUE\nEOF", "true # X_VALUE"} {
		if _, err := fillShell(fillSettings(), cmd, func(string) (string, bool) { return "a\nEOF\nid", true }); err == nil || !strings.Contains(err.Error(), "line break") {
			t.Errorf("%q with a line break: %v", cmd, err)
		}
	}
}

func typedSettings() *guide.Settings {
	return &guide.Settings{Nodes: []string{"n1", "n2"}, Placeholders: map[string]guide.Placeholder{
		"SHORT_KEY": {Type: "name", Secret: true, Example: "k"},
		"DB_PASS":   {Type: "password", Secret: true, Example: "db-secret"},
		"THE_VIP":   {Type: "ipv4", Example: "10.0.0.10"},
	}}
}

// TestEverySecretIsMasked: a secret is masked whatever its length.
func TestEverySecretIsMasked(t *testing.T) {
	v, err := NewValues(ValuesConfig{Settings: typedSettings(), Nodes: []Node{{Name: "n1", Address: "10.0.0.1"}, {Name: "n2", Address: "10.0.0.2"}},
		Vars: map[string]string{"SHORT_KEY": "k9", "DB_PASS": "db-secret", "THE_VIP": "10.0.0.10"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.Mask("key k9, password db-secret, vip 10.0.0.10"), "key <SHORT_KEY>, password <DB_PASS>, vip 10.0.0.10"; got != want {
		t.Errorf("Mask = %q, want %q", got, want)
	}
}

// TestValueErrors: values that do not fit are listed with where they come
// from, inventory lines and node addresses included.
func TestValueErrors(t *testing.T) {
	nodes := []Node{
		{Name: "n1", Address: "10.0.0.1", Vars: map[string]string{"THE_VIP": "10.0.0.10 "}, Origin: map[string]string{"": "inv.ini:1", "THE_VIP": "inv.ini:5"}},
		{Name: "n2", Address: "10.0.0.2;id", Vars: map[string]string{"THE_VIP": "10.0.0.10"}, Origin: map[string]string{"": "inv.ini:2", "ansible_host": "inv.ini:2", "THE_VIP": "inv.ini:5"}},
	}
	_, err := NewValues(ValuesConfig{Settings: typedSettings(), Nodes: nodes,
		Vars: map[string]string{"DB_PASS": "x'; DROP USER root; --", "SHORT_KEY": "k"}, Origin: map[string]string{"DB_PASS": "vars.yml:3"}})
	want := `these values do not fit their placeholders, so nothing was run:
  inv.ini:2: N2_ADDR: "10.0.0.2;id" is not a host: want an IPv4 address or a DNS name (letters, digits, hyphens and dots) such as 192.0.2.11 or ntp.example.net: it has ';' at character 9
  inv.ini:2: NODE_ADDR: "10.0.0.2;id" is not a host: want an IPv4 address or a DNS name (letters, digits, hyphens and dots) such as 192.0.2.11 or ntp.example.net: it has ';' at character 9
  inv.ini:5: THE_VIP: "10.0.0.10 " is not an ipv4: want an IPv4 address such as 10.0.0.10: it has a space at character 10
  vars.yml:3: DB_PASS: the secret value (22 characters, not shown) is not a password: want 8 to 128 letters, digits, dots, hyphens and underscores, beginning with a letter or digit: its character 2 is not one of those`
	if err == nil {
		t.Fatal("no error")
	}
	if d := cmp.Diff(want, err.Error()); d != "" {
		t.Errorf("error (-want +got):\n%s", d)
	}
	_, err = NewValues(ValuesConfig{Settings: typedSettings(), Vars: map[string]string{"NOT_DECLARED": "x"}, Origin: map[string]string{"NOT_DECLARED": "vars.yml:9"}})
	if err == nil || !strings.Contains(err.Error(), "vars.yml:9: NOT_DECLARED is set, but the guide does not declare it") {
		t.Errorf("unknown placeholder: %v", err)
	}
}

// TestLogShowsValues: a command's log says which values were filled in
// and where each comes from, secrets by their length only.
func TestLogShowsValues(t *testing.T) {
	e, _ := localExecutor(t, "# One\n\n## Values\n\n```console {nodes=first}\n# test -d WORK_DIR && echo DB_PASS >/dev/null\n```\n", nil)
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs, _ := filepath.Glob(filepath.Join(e.RunDir, "logs", "*", "n1.log"))
	if len(logs) != 1 {
		t.Fatalf("logs: %v", logs)
	}
	data, _ := os.ReadFile(logs[0])
	work, _ := e.Values.Lookup("n1", "WORK_DIR")
	want := "### values: WORK_DIR=" + work + " (vars), DB_PASS=<secret, 24 characters> (generated)\n"
	if !strings.Contains(string(data), want) {
		t.Errorf("log:\n%s\nwant a line %q", data, want)
	}
}
