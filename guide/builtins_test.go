package guide

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuiltins(t *testing.T) {
	s := &Settings{Nodes: []string{"controller1", "db-2"}, Distros: []string{"debian", "rhel"},
		Placeholders: map[string]Placeholder{
			"WORKERS_NUM": {Type: "number", Lab: "2"},
			"DB_PASS":     {Type: "password"},
		}}
	addr := func(n string) string { return map[string]string{"controller1": "10.0.0.11", "db-2": "10.0.0.12"}[n] }
	tests := []struct {
		name     string
		builtin  bool
		typ      string
		perNode  bool
		onDB2    string // the value in a block on db-2
		wantText string // its meaning
	}{
		{"NODE_NAME", true, "name", true, "db-2", "The name of the node the block runs on"},
		{"NODE_ADDR", true, "host", true, "10.0.0.12", "The management address of the node the block runs on"},
		{"CONTROLLER1_ADDR", true, "host", false, "10.0.0.11", "The management address of controller1"},
		{"DB_2_ADDR", true, "host", false, "10.0.0.12", "The management address of db-2"},
		{"CONTROLLER3_ADDR", false, "", false, "", ""},
		{"DB_PASS", false, "", false, "", ""},
	}
	for _, tt := range tests {
		b, ok := s.Builtin(tt.name)
		if ok != tt.builtin || s.IsBuiltin(tt.name) != tt.builtin {
			t.Errorf("%s: built in %v, want %v", tt.name, ok, tt.builtin)
			continue
		}
		if !ok {
			continue
		}
		got := []any{b.Type, b.PerNode(), b.Value("db-2", addr), b.Meaning}
		want := []any{tt.typ, tt.perNode, tt.onDB2, tt.wantText}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if vt, ok := s.ValueType(tt.name); !ok || vt.Name != tt.typ {
			t.Errorf("%s: ValueType %q, want %q", tt.name, vt.Name, tt.typ)
		}
	}
	var names []string
	for _, b := range s.Builtins() {
		names = append(names, b.Name)
	}
	if diff := cmp.Diff([]string{"NODE_NAME", "NODE_ADDR", "CONTROLLER1_ADDR", "DB_2_ADDR"}, names); diff != "" {
		t.Errorf("Builtins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"WORKERS_NUM": "2"}, s.LabValues()); diff != "" {
		t.Errorf("LabValues (-want +got):\n%s", diff)
	}
	for id, want := range map[string]string{
		"debian": "",
		"ubuntu": "the guide does not cover ubuntu (it covers debian, rhel)",
		"plan9":  `unknown distro "plan9" (known: ubuntu, debian, rhel, suse)`,
	} {
		got := ""
		if err := s.CheckDistro(id); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckDistro(%s) = %q, want %q", id, got, want)
		}
	}
}
