package hosts

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const iniInv = `# the cloud
[controllers]
controller1 ansible_host=10.0.0.11 ansible_user=admin
controller2 ansible_host=10.0.0.12 ansible_port=2222 ROLE="second one"
controller3 ansible_host=10.0.0.13 ansible_ssh_private_key_file=~/.ssh/lab

[controllers:vars]
CONTROLLER_VIP=10.0.0.10
LEVEL=controllers

[cloud:children]
controllers

[cloud:vars]
LEVEL=cloud
REGION=RegionOne

[all:vars]
LEVEL=all
ansible_user=root
`

const yamlInv = `all:
  vars:
    LEVEL: all
    ansible_user: root
  children:
    cloud:
      vars: {LEVEL: cloud, REGION: RegionOne}
      children:
        controllers:
          vars:
            CONTROLLER_VIP: 10.0.0.10
            LEVEL: controllers
          hosts:
            controller1: {ansible_host: 10.0.0.11, ansible_user: admin}
            controller2: {ansible_host: 10.0.0.12, ansible_port: 2222, ROLE: second one}
            controller3:
              ansible_host: 10.0.0.13
              ansible_ssh_private_key_file: ~/.ssh/lab
`

func TestFormatsAgree(t *testing.T) {
	want := []Host{
		{Name: "controller1", Address: "10.0.0.11", User: "admin", Vars: map[string]string{"ansible_host": "10.0.0.11", "ansible_user": "admin", "CONTROLLER_VIP": "10.0.0.10", "LEVEL": "controllers", "REGION": "RegionOne"}},
		{Name: "controller2", Address: "10.0.0.12", Port: 2222, User: "root", Vars: map[string]string{"ansible_host": "10.0.0.12", "ansible_port": "2222", "ansible_user": "root", "ROLE": "second one", "CONTROLLER_VIP": "10.0.0.10", "LEVEL": "controllers", "REGION": "RegionOne"}},
		{Name: "controller3", Address: "10.0.0.13", User: "root", IdentityFile: "~/.ssh/lab", Vars: map[string]string{"ansible_host": "10.0.0.13", "ansible_ssh_private_key_file": "~/.ssh/lab", "ansible_user": "root", "CONTROLLER_VIP": "10.0.0.10", "LEVEL": "controllers", "REGION": "RegionOne"}},
	}
	for name, src := range map[string]string{"hosts.ini": iniInv, "hosts.yml": yamlInv} {
		t.Run(name, func(t *testing.T) {
			inv, err := Parse(name, []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			got, err := inv.Hosts([]string{"controller1", "controller2", "controller3"})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestMissingHost(t *testing.T) {
	inv, err := Parse("hosts.ini", []byte("controller1\ncontroller2\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = inv.Hosts([]string{"controller1", "controller2", "controller3"})
	if err == nil || !strings.Contains(err.Error(), "hosts.ini has no host controller3") || !strings.Contains(err.Error(), "the inventory has controller1, controller2") {
		t.Fatalf("err = %v", err)
	}
	h, _ := inv.Host("controller1")
	if h.Address != "controller1" || h.Port != 0 {
		t.Errorf("host without vars: %+v", h)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"a.ini", "[x\nh1\n", "a.ini:1: a group header must end with ]"},
		{"a.ini", "[x:bogus]\n", "a.ini:1: unknown section suffix :bogus"},
		{"a.ini", "[x:vars]\nnovalue\n", "a.ini:2: want KEY=value"},
		{"a.ini", "h1 port\n", `a.ini:1: want key=value after the host name, not "port"`},
		{"a.ini", "web[1:3]\n", "a.ini:1: host ranges"},
		{"a.ini", "h1 x=\"open\n", "a.ini:1: unclosed quote"},
		{"a.ini", "[a:children]\nb\n[b:children]\na\n", "groups contain each other"},
		{"a.yml", "all:\n  hosts: [a, b]\n", "a.yml:2:10: hosts of all: want a mapping"},
		{"a.yml", "all:\n  hostz: {}\n", `a.yml:2:3: group all: unknown key "hostz"`},
		{"a.yml", "all:\n  hosts:\n    h1: {x: [1]}\n", "a.yml:3:13: variable x: only single values"},
		{"a.yml", "all:\n  hosts: {a: 1\n", "a.yml:"},
	} {
		_, err := Parse(tt.name, []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want %q", tt.src, err, tt.want)
		}
	}
	inv, _ := Parse("p.ini", []byte("h1 ansible_port=http\n"))
	if _, err := inv.Hosts([]string{"h1"}); err == nil || !strings.Contains(err.Error(), "not a port") {
		t.Errorf("bad port: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(iniInv))
	f.Add([]byte(yamlInv))
	f.Add([]byte("[a:children]\nb\n[b]\nh x='1 2'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Parse("fuzz", data)
		if err != nil {
			return
		}
		for _, n := range inv.Names() {
			h, ok := inv.Host(n)
			if !ok || h.Name != n || h.Address == "" {
				t.Fatalf("host %q: %+v %v", n, h, ok)
			}
		}
	})
}
