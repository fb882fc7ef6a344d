package guide

import (
	"strings"
	"testing"
)

func TestValueTypes(t *testing.T) {
	for _, tc := range []struct {
		typ  string
		good []string
		bad  []string
	}{
		{"ipv4", []string{"10.0.0.10", "192.0.2.1"}, []string{"", "10.0.0.300", "010.0.0.1", "10.0.0.1 ", "::1", "10.0.0.1;id", "10.0.0"}},
		{"cidr", []string{"10.0.0.0/24", "0.0.0.0/0"}, []string{"10.0.0.5/24", "10.0.0.0", "10.0.0.0/33", "fd00::/64", "10.0.0.0/24 "}},
		{"host", []string{"10.0.0.1", "ntp.example.net", "bmc-1", "pool.ntp.org."}, []string{"", "-x", "a_b", "a..b", "1.2.3.4.5", "a b", "x$(id)", "999.1.1.1"}},
		{"number", []string{"0", "4", "123456"}, []string{"", "04", "-1", "1.0", "0x1F", "1234567", "4 "}},
		{"size", []string{"512M", "1G", "128"}, []string{"", "0M", "512MB", "512m", "5.5G", "-1M"}},
		{"name", []string{"fence", "a", "admin_1.x-y"}, []string{"", "-x", ".x", "a b", "a'b", "a;b", strings.Repeat("a", 65)}},
		{"path", []string{"/", "/srv/haguide", "/tmp/go-test-1/x_y.z/"}, []string{"", "srv", "/a b", "/a/../b", "/a;b", "~/x", "/a/$HOME"}},
		{"password", []string{"admin-secret", "Ab3.-_xyzZ", strings.Repeat("a", 128)}, []string{"", "short", "-leading", "a'b;$(id)x", "p'; DROP USER root; --",
			"with space", "new\nline", "back`tick`", "dollar$x1", "hash#tag1", "back\\slash", "semi;colon", "percent%1", "colon:at@", strings.Repeat("a", 129), "ünïcode-pw"}},
		{"cookie", []string{"QKTRXWZPLMNBVCGHJDSA", strings.Repeat("A1", 20)}, []string{"QKTRXWZPLMNBVCGHJDS", "QKTRXWZPLMNBVCGHJDSA-", strings.Repeat("a", 256)}},
	} {
		vt, ok := LookupType(tc.typ)
		if !ok {
			t.Fatalf("no type %s", tc.typ)
		}
		for _, v := range tc.good {
			if err := vt.Check(v, false); err != nil {
				t.Errorf("%s %q: %v", tc.typ, v, err)
			}
		}
		for _, v := range tc.bad {
			err := vt.Check(v, vt.Secret)
			if err == nil {
				t.Errorf("%s %q: accepted", tc.typ, v)
				continue
			}
			if vt.Secret && v != "" && strings.Contains(err.Error(), v) {
				t.Errorf("%s: the error shows the secret: %v", tc.typ, err)
			}
		}
	}
}

// TestTypesAreSafeEverywhere: no type allows a character that means
// something to a shell, SQL, a URL, an ini file or Python, so a value that
// fits its type cannot change what the guide's commands and files say.
func TestTypesAreSafeEverywhere(t *testing.T) {
	const special = " \t\n\r'\"`$\\;&|<>(){}[]*?!#~%=,:@+^"
	for _, vt := range ValueTypes {
		for _, c := range special {
			for _, v := range []string{"a" + string(c) + "b", string(c) + "abcdefghijklmnopqrstuvwxyz", "abcdefgh" + string(c)} {
				if vt.ok(v) {
					t.Errorf("type %s allows %q", vt.Name, v)
				}
			}
		}
		if vt.ok("-abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("type %s allows a leading -, which a command would read as an option", vt.Name)
		}
	}
}

func TestCheckValue(t *testing.T) {
	s := &Settings{Nodes: []string{"controller1"}, Placeholders: map[string]Placeholder{
		"DB_PASS":   {Type: "password", Secret: true},
		"IPMI_USER": {Type: "name"},
	}}
	for _, tc := range []struct{ name, value, want string }{
		{"DB_PASS", "a'b;$(id)", "DB_PASS: the secret value (9 characters, not shown) is not a password: want 8 to 128 letters, digits, dots, hyphens and underscores, beginning with a letter or digit: its character 2 is not one of those"},
		{"IPMI_USER", "root user", `IPMI_USER: "root user" is not a name: want 1 to 64 letters, digits, dots, hyphens and underscores, beginning with a letter or digit, such as fence: it has a space at character 5`},
		{"NODE_ADDR", "10.0.0.1;id", `NODE_ADDR: "10.0.0.1;id" is not a host: want an IPv4 address or a DNS name (letters, digits, hyphens and dots) such as 192.0.2.11 or ntp.example.net: it has ';' at character 9`},
		{"CONTROLLER1_ADDR", "10.0.0.11", ""},
		{"NODE_NAME", "controller1", ""},
		{"OTHER_NAME", "x", "OTHER_NAME is not a placeholder with a type"},
	} {
		err := s.CheckValue(tc.name, tc.value)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("CheckValue(%s, %q)\n got  %s\n want %s", tc.name, tc.value, got, tc.want)
		}
	}
}
