package inventory

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func ptr[T any](v T) *T { return &v }

// cloudHosts is what testdata/cloud.ini and cloud.yml both describe.
var cloudHosts = []Host{
	{Name: "controller1", Address: "10.0.0.11", User: "admin", Become: ptr(true), BecomeUser: "root", Vars: map[string]string{
		"ansible_host": "10.0.0.11", "ansible_user": "admin", "CONTROLLER_VIP": "10.0.0.10", "LEVEL": "controllers",
		"REGION": "RegionOne", "ansible_become": "yes", "ansible_become_user": "root"}},
	{Name: "controller2", Address: "10.0.0.12", Port: 2222, User: "root", Become: ptr(true), BecomeUser: "root", Vars: map[string]string{
		"ansible_host": "10.0.0.12", "ansible_port": "2222", "ansible_user": "root", "ROLE": "second one",
		"CONTROLLER_VIP": "10.0.0.10", "LEVEL": "controllers", "REGION": "RegionOne", "ansible_become": "yes", "ansible_become_user": "root"}},
	{Name: "controller3", Address: "10.0.0.13", User: "root", IdentityFile: "~/.ssh/lab", Become: ptr(true), BecomeUser: "root", Vars: map[string]string{
		"ansible_host": "10.0.0.13", "ansible_ssh_private_key_file": "~/.ssh/lab", "ansible_user": "root",
		"CONTROLLER_VIP": "10.0.0.10", "LEVEL": "controllers", "REGION": "RegionOne", "ansible_become": "yes", "ansible_become_user": "root"}},
	{Name: "bastion", Address: "192.0.2.1", User: "jump", Vars: map[string]string{
		"ansible_host": "192.0.2.1", "ansible_user": "jump", "LEVEL": "all"}},
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		file  string
		names []string
		want  []Host
	}{
		{"cloud.ini", []string{"controller1", "controller2", "controller3", "bastion"}, cloudHosts},
		{"cloud.yml", []string{"controller1", "controller2", "controller3", "bastion"}, cloudHosts},
		// The order is the caller's, not the file's.
		{"cloud.ini", []string{"bastion", "controller2"}, []Host{cloudHosts[3], cloudHosts[1]}},
		{"ranges.ini", []string{"db01.example.org", "db03.example.org", "node-a", "node-b", "web"}, []Host{
			{Name: "db01.example.org", Address: "db01.example.org", Vars: map[string]string{"ansible_group_priority": "5", "LEVEL": "db"}},
			{Name: "db03.example.org", Address: "db03.example.org", Vars: map[string]string{"ansible_group_priority": "5", "LEVEL": "db"}},
			// In db (priority 5) and app (priority 1): db wins.
			{Name: "node-a", Address: "node-a", User: "ops", Vars: map[string]string{"ansible_group_priority": "5", "LEVEL": "db", "ansible_user": "ops"}},
			{Name: "node-b", Address: "node-b", User: "ops", Vars: map[string]string{"ansible_group_priority": "5", "LEVEL": "db", "ansible_user": "ops"}},
			{Name: "web", Address: "web", Port: 2200, Vars: map[string]string{"ansible_group_priority": "5", "LEVEL": "db", "ansible_port": "2200"}},
		}},
		{"lab.yaml", []string{"controller2", "controller3"}, []Host{
			{Name: "controller2", Address: "controller2", Port: 22, Vars: map[string]string{"ansible_port": "22", "vip": "10.0.0.10",
				"ntp_servers": `["0.pool.ntp.org","1.pool.ntp.org"]`, "limits": `{"nofile":4096,"strict":true}`, "empty": "", "anchor": "10.0.0.10"}},
			{Name: "controller3", Address: "controller3", Vars: map[string]string{"vip": "10.0.0.10",
				"ntp_servers": `["0.pool.ntp.org","1.pool.ntp.org"]`, "limits": `{"nofile":4096,"strict":true}`, "empty": "", "anchor": "10.0.0.10"}},
		}},
	} {
		t.Run(tc.file+"/"+strings.Join(tc.names, ","), func(t *testing.T) {
			inv, err := Load(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := inv.Hosts(tc.names)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Host{}, "Origin")); d != "" {
				t.Errorf("hosts (-want +got):\n%s", d)
			}
		})
	}
}

// TestOrigin: every variable says where it is written, the definition
// that wins included, so a bad value can be reported at its line.
func TestOrigin(t *testing.T) {
	for _, tc := range []struct {
		file string
		want map[string]string
	}{
		{"cloud.ini", map[string]string{"": "testdata/cloud.ini:6", "CONTROLLER_VIP": "testdata/cloud.ini:10", "LEVEL": "testdata/cloud.ini:11",
			"REGION": "testdata/cloud.ini:19", "ROLE": "testdata/cloud.ini:6", "ansible_become": "testdata/cloud.ini:12",
			"ansible_become_user": "testdata/cloud.ini:20", "ansible_host": "testdata/cloud.ini:6", "ansible_port": "testdata/cloud.ini:6",
			"ansible_user": "testdata/cloud.ini:24"}},
		{"cloud.yml", map[string]string{"": "testdata/cloud.yml:19", "CONTROLLER_VIP": "testdata/cloud.yml:14", "LEVEL": "testdata/cloud.yml:15",
			"REGION": "testdata/cloud.yml:10", "ROLE": "testdata/cloud.yml:19", "ansible_become": "testdata/cloud.yml:16",
			"ansible_become_user": "testdata/cloud.yml:10", "ansible_host": "testdata/cloud.yml:19", "ansible_port": "testdata/cloud.yml:19",
			"ansible_user": "testdata/cloud.yml:7"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			inv, err := Load(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			h, _ := inv.Host("controller2")
			if d := cmp.Diff(tc.want, h.Origin); d != "" {
				t.Errorf("origin of controller2's variables (-want +got):\n%s", d)
			}
		})
	}
}

// TestLiteralValues: a value is the text written, whatever YAML's
// schema would make of it, in both forms.
func TestLiteralValues(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"a.yml", "all:\n  hosts:\n    h1:\n  vars:\n    A_A: 10.0\n    B_B: 0123\n    C_C: 0x1F\n    D_D: yes\n    E_E: '007'\n    F_F: 1e3\n    G_G: \"\"\n"},
		{"a.ini", "h1\n[all:vars]\nA_A=10.0\nB_B=0123\nC_C=0x1F\nD_D=yes\nE_E='007'\nF_F=1e3\nG_G=\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Parse(tc.name, []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			h, _ := inv.Host("h1")
			want := map[string]string{"A_A": "10.0", "B_B": "0123", "C_C": "0x1F", "D_D": "yes", "E_E": "007", "F_F": "1e3", "G_G": ""}
			if d := cmp.Diff(want, h.Vars); d != "" {
				t.Errorf("values (-want +got):\n%s", d)
			}
		})
	}
}

func TestNamesAndGroups(t *testing.T) {
	inv, err := Load("testdata/cloud.ini")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"bastion", "controller1", "controller2", "controller3"}, inv.Names()); d != "" {
		t.Errorf("names (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"all", "cloud", "controllers", "ungrouped"}, inv.Groups()); d != "" {
		t.Errorf("groups (-want +got):\n%s", d)
	}
	got, ok := inv.GroupHosts("cloud")
	if !ok {
		t.Fatal("no group cloud")
	}
	if d := cmp.Diff([]string{"controller1", "controller2", "controller3"}, got); d != "" {
		t.Errorf("cloud's hosts (-want +got):\n%s", d)
	}
	if _, ok := inv.GroupHosts("nope"); ok {
		t.Error("GroupHosts found a group that is not there")
	}
}

func TestMissingHost(t *testing.T) {
	inv, err := Load("testdata/cloud.yml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = inv.Hosts([]string{"controller1", "controller4", "compute1"})
	want := "inventory testdata/cloud.yml has no hosts controller4, compute1 (it has bastion, controller1, controller2, controller3)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		yaml      bool
	}{
		{"hosts", "[a]\nh1\n", false},
		{"hosts", "h1 ansible_host=1.2.3.4\n", false},
		{"hosts", "# c\n\nall:\n  hosts:\n", true},
		{"hosts", "---\nall: {}\n", true},
		{"hosts", `{"all": {"hosts": {"h1": null}}}`, true},
		{"hosts.yml", "", true},
		{"hosts.ini", "all:\n", false},
		{"hosts.json", "{}", true},
	} {
		if got := isYAML(tc.name, []byte(tc.src)); got != tc.yaml {
			t.Errorf("isYAML(%q, %q) = %v", tc.name, tc.src, got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"a.ini", "[web\nh1\n", "a.ini:1:1: a section header ends with ]"},
		{"a.ini", "[web:hosts]\n", "a.ini:1:6: unknown section suffix :hosts (want :vars or :children)"},
		{"a.ini", "[web] x\n", `a.ini:1:7: unexpected "x" after the section header`},
		{"a.ini", "[]\n", `a.ini:1:2: "" is not a group name`},
		{"a.ini", "[web]\nh1 ansible_port=http\n", "a.ini:2:4: ansible_port=http is not a port (1-65535)"},
		{"a.ini", "[web]\n  h1 foo\n", `a.ini:2:6: want key=value after the host name, not "foo"`},
		{"a.ini", "[web]\nh1 x=\"open\n", "a.ini:2:1: unclosed \" quote"},
		{"a.ini", "[web]\nuser=x\n", `a.ini:2:1: a host line starts with the host's name, not "user=x"`},
		{"a.ini", "[web]\nh[3:1]\n", `a.ini:2:1: "h[3:1]": the range 3:1 does not run upward`},
		{"a.ini", "[web]\nh[1:2\n", `a.ini:2:1: "h[1:2": [ without ]`},
		{"a.ini", "[web]\nh1:99999\n", `a.ini:2:1: "h1:99999": "99999" after the colon is not a port`},
		{"a.ini", "[web]\nh[0:99999]\n", `a.ini:2:1: "h[0:99999]": more than 10000 hosts`},
		{"a.ini", "[web:vars]\nnovalue\n", "a.ini:2:1: want key=value in [web:vars]"},
		{"a.ini", "[web:vars]\nansible_become=maybe\n", "a.ini:2:16: ansible_become=maybe is not a boolean (true or false)"},
		{"a.ini", "[web:children]\ndb app\n", "a.ini:2:3: [web:children] lists group names, one a line"},
		{"a.ini", "[web:children]\nweb\n", "a.ini:2:1: group web cannot contain itself"},
		{"a.ini", "[a:children]\nb\n[b:children]\na\n", "a.ini: groups contain each other: a -> b -> a"},
		{"a.yml", "all:\n  hosts: [h1, h2]\n", "a.yml:2:10: hosts of all: want a mapping of host names (a list is not one)"},
		{"a.yml", "all:\n  host:\n    h1:\n", `a.yml:2:3: group all: unknown key "host" (want hosts, vars or children)`},
		{"a.yml", "- all\n", "a.yml:1:1: an inventory is a mapping of group names (all: ...)"},
		{"a.yml", "all:\n  hosts:\n    h1: {ansible_port: 0}\n", "a.yml:3:24: ansible_port=0 is not a port (1-65535)"},
		{"a.yml", "all:\n  hosts:\n    h1: [a]\n", "a.yml:3:9: want a mapping of variables"},
		{"a.yml", "all:\n  children:\n    web: 3\n", "a.yml:3:10: group web: want a mapping of hosts, vars and children"},
		{"a.yml", "all:\n  children:\n    all:\n", "a.yml:3:5: group all cannot contain itself"},
		{"a.yml", "all:\n  hosts:\n    h 1:\n", `a.yml:3:5: "h 1" is not a host name`},
		{"a.yml", "all:\n  hosts:\n\th1:\n", "a.yml:3:1: YAML: a tab where YAML wants spaces: indent with spaces"},
		{"a.yml", "all:\n  vars: {a: 1\n", "a.yml:2:9: YAML: could not find flow mapping end token '}'"},
		// Positions are where the mistake is, not where its block begins.
		{"a.yml", "all:\n  hosts:\n    c1:\n      ansible_host: 10.0.0.11\n     ansible_user: root\n", "a.yml:5:6: YAML: value is not allowed in this context"},
		{"a.yml", "all:\n  hosts:\n    c1:\n      ansible_host: 10.0.0.11\n\tansible_user: root\n", "a.yml:5:1: YAML: a tab where YAML wants spaces: indent with spaces"},
		{"a.yml", "all:\n  vars:\n    A_B: 1\n    A_B: 2\n", `a.yml:4:5: YAML: mapping key "A_B" already defined at [3:5]`},
		// What haguide reads is a single value.
		{"a.yml", "all:\n  hosts:\n    c1: {ansible_host: [127.0.0.1]}\n", "a.yml:3:24: ansible_host is a list; want a single value"},
		{"a.yml", "all:\n  vars:\n    CONTROLLER_VIP: {a: b}\n", "a.yml:3:21: CONTROLLER_VIP is a mapping; want a single value"},
		{"a.yml", "all:\n  vars:\n    CONTROLLER_VIP:\n  hosts: {h1: }\n", `a.yml:3:20: CONTROLLER_VIP has no value; write one (an empty text is "")`},
		{"a.yml", "all:\n  vars:\n    ansible_user: ~\n", `a.yml:3:19: ansible_user has no value; write one (an empty text is "")`},
	} {
		t.Run(tc.name+"/"+tc.want, func(t *testing.T) {
			_, err := Parse(tc.name, []byte(tc.src))
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("got  %s\nwant %s", err, tc.want)
			}
			var pe *Error
			if strings.Count(tc.want, ":") > 2 && !strings.Contains(tc.want, "contain each other") && !errors.As(err, &pe) {
				t.Errorf("%v is not an *Error", err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.ini"))
	if err == nil || !strings.Contains(err.Error(), "nope.ini") {
		t.Errorf("got %v", err)
	}
}

// checkInventory asserts what every parsed inventory must satisfy.
func checkInventory(t *testing.T, inv *Inventory) {
	names := inv.Names()
	if len(names) > 50 {
		names = names[:50]
	}
	hosts, err := inv.Hosts(names)
	if err != nil {
		t.Fatalf("Hosts(Names()) failed: %v", err)
	}
	for i, h := range hosts {
		if h.Name != names[i] || h.Address == "" || h.Vars == nil {
			t.Fatalf("bad host %+v", h)
		}
		if h.Port < 0 || h.Port > 65535 {
			t.Fatalf("host %s: port %d", h.Name, h.Port)
		}
		for k := range h.Vars {
			if !strings.HasPrefix(h.Origin[k], inv.Name+":") {
				t.Fatalf("host %s: variable %s has no origin (%q)", h.Name, k, h.Origin[k])
			}
		}
	}
	for _, g := range inv.Groups() {
		if _, ok := inv.GroupHosts(g); !ok {
			t.Fatalf("group %s listed but not found", g)
		}
	}
}

func fuzzParse(f *testing.F, name string, seeds []string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Parse(name, data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		checkInventory(t, inv)
	})
}

func FuzzParseINI(f *testing.F) {
	fuzzParse(f, "fuzz.ini", []string{
		"[a]\nh1 ansible_host=1.2.3.4 ansible_port=22\n[a:vars]\nk=v\n[b:children]\na\n",
		"h[1:3] x='a b' # c\n[all:vars]\nansible_become=true\n",
		"[x:children]\ny\n[y:children]\nz\n[z]\nn[a:c]:2222\n",
	})
}

func FuzzParseYAML(f *testing.F) {
	fuzzParse(f, "fuzz.yml", []string{
		"all:\n  hosts:\n    h1: {ansible_host: 1.2.3.4}\n  children:\n    web:\n      hosts: {h[1:2]: }\n      vars: {a: [1, 2]}\n",
		"all:\n  vars: &v {x: 1}\n  children:\n    a: {vars: *v}\n",
		"---\nweb:\n  hosts:\n    w1:2200:\n",
		"all:\n  hosts:\n    c1: {ansible_host: [127.0.0.1]}\n",
		"all:\n  vars:\n    A_B: 0x1F\n    C_D: !!str 10.0\n    e: {f: [1, ~]}\n  hosts: {c1: }\n",
		"all:\n  hosts:\n    c1:\n      x: 1\n\ty: 2\n",
	})
}

func TestExpandHosts(t *testing.T) {
	for _, tc := range []struct {
		in    string
		names []string
		port  int
	}{
		{"h1", []string{"h1"}, 0},
		{"h1:2222", []string{"h1"}, 2222},
		{"fe80::1", []string{"fe80::1"}, 0},
		{"n[1:3]", []string{"n1", "n2", "n3"}, 0},
		{"n[08:10]:22", []string{"n08", "n09", "n10"}, 22},
		{"r[a:c:2]x[1:2]", []string{"rax1", "rax2", "rcx1", "rcx2"}, 0},
	} {
		names, port, err := expandHosts(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if d := cmp.Diff(tc.names, names); d != "" || port != tc.port {
			t.Errorf("%s: port %d, names (-want +got):\n%s", tc.in, port, d)
		}
	}
}
