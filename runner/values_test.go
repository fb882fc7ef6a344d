package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
