package lint

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/haguide/haguide/guide"
)

func load(t *testing.T, chapter string) *guide.Guide {
	t.Helper()
	return loadFor(t, `"debian"`, chapter)
}

const goodHAProxy = "```cfg {file=/etc/haproxy/haproxy.cfg}\n" +
	"global\n  log /dev/log local0\n\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 1m\n  timeout server 1m\n\n" +
	"listen galera\n  bind CONTROLLER_VIP:3306\n  server controller1 CONTROLLER1_ADDR:3306 check\n```\n"

func TestHAProxy(t *testing.T) {
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Skip("no haproxy here; scripts/deps.sh test installs it")
	}
	res, err := Distro(context.Background(), load(t, "# One\n\n"+goodHAProxy), "debian", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 0 || len(res.Checked) != 3 { // haproxy -c, pitfalls, packages
		t.Fatalf("good config: %+v", res)
	}
	bad := strings.Replace(goodHAProxy, "mode tcp", "mode bogus", 1)
	res, err = Distro(context.Background(), load(t, "# One\n\n"+bad), "debian", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Msg, "bogus") || res.Problems[0].Pos.Line != 8 {
		t.Fatalf("bad config: %+v", res)
	}
	if strings.Contains(res.Problems[0].Msg, "haguide-lint-") {
		t.Errorf("message names the temporary file: %s", res.Problems[0].Msg)
	}
}

// A bind's certificate is the reader's own file, on their nodes: the
// check puts a stand-in there, so a TLS listener checks like any other,
// and haproxy still sees its mistakes.
func TestHAProxyCertificate(t *testing.T) {
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Skip("no haproxy here; scripts/deps.sh test installs it")
	}
	for _, tc := range []struct {
		name, bind string
		want       string // a piece of the one problem, or "" for none
	}{
		{"crt", "  bind CONTROLLER_VIP:5000 ssl crt /etc/haproxy/certs/public.pem\n", ""},
		{"crt and options", "  bind CONTROLLER_VIP:5000 ssl crt /etc/haproxy/certs/public.pem alpn h2,http/1.1\n", ""},
		{"bad option after crt", "  bind CONTROLLER_VIP:5000 ssl crt /etc/haproxy/certs/public.pem bogus-option\n", "bogus-option"},
		{"ssl without crt", "  bind CONTROLLER_VIP:5000 ssl\n", "crt"},
	} {
		cfg := strings.Replace(goodHAProxy, "  bind CONTROLLER_VIP:3306\n", "  bind CONTROLLER_VIP:3306\n"+tc.bind, 1)
		res, err := Distro(context.Background(), load(t, "# One\n\n"+cfg), "debian", Options{})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.want == "" && len(res.Problems) != 0:
			t.Errorf("%s: %+v", tc.name, res.Problems)
		case tc.want != "" && (len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Msg, tc.want)):
			t.Errorf("%s: %+v, want one problem with %q", tc.name, res.Problems, tc.want)
		case len(res.Problems) == 1 && strings.Contains(res.Problems[0].Msg, "haguide-lint-"):
			t.Errorf("%s: message names the temporary directory: %s", tc.name, res.Problems[0].Msg)
		}
	}
}

func TestHAProxyInstances(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  [][]string
	}{
		{"none", []string{"/etc/x.cfg"}, nil},
		{"main only", []string{"/etc/haproxy/conf.d/50-api.cfg", "/etc/haproxy/haproxy.cfg"},
			[][]string{{"/etc/haproxy/conf.d/50-api.cfg", "/etc/haproxy/haproxy.cfg"}}},
		{"main and two of their own", []string{"/etc/haproxy/haproxy.cfg", "/etc/haproxy/galera.cfg", "/etc/haproxy/a.cfg", "/etc/haproxy/conf.d/50-api.cfg"},
			[][]string{{"/etc/haproxy/conf.d/50-api.cfg", "/etc/haproxy/haproxy.cfg"}, {"/etc/haproxy/a.cfg"}, {"/etc/haproxy/galera.cfg"}}},
		{"own instance only", []string{"/etc/haproxy/galera.cfg"}, [][]string{{"/etc/haproxy/galera.cfg"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]*file{}
			for _, f := range tt.files {
				files[f] = &file{}
			}
			got := haproxyInstances(files)
			for _, g := range got {
				slices.Sort(g)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("instances (-want +got):\n%s", diff)
			}
		})
	}
}

// A second instance is checked on its own: the same proxy name in both
// would be an error if they were read together.
func TestHAProxyOwnInstance(t *testing.T) {
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Skip("no haproxy here; scripts/deps.sh test installs it")
	}
	own := strings.Replace(goodHAProxy, "/etc/haproxy/haproxy.cfg", "/etc/haproxy/galera.cfg", 1)
	res, err := Distro(context.Background(), load(t, "# One\n\n"+goodHAProxy+"\n"+own), "debian", Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range res.Checked {
		if strings.HasPrefix(c, "haproxy -c: ") {
			n++
		}
	}
	if len(res.Problems) != 0 || n != 2 {
		t.Fatalf("two instances: %+v", res)
	}
}

func TestFragmentsAndMerge(t *testing.T) {
	chapter := "# One\n\n" +
		"```ini {file=/etc/svc.conf}\n[database]\nconnection = sqlite://\n```\n\n" +
		"```ini {file=/etc/svc.conf apply=merge}\n[database]\nconnection = mysql://CONTROLLER_VIP/db\n```\n\n" +
		"```json {file=/etc/x.json}\n{\"a\": 1,}\n```\n\n" +
		"```yaml {file=/etc/y.yaml}\na: [1, 2\n```\n"
	res, err := Distro(context.Background(), load(t, chapter), "debian", Options{HAProxy: "-"})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, p := range res.Problems {
		msgs = append(msgs, p.File+": "+p.Msg)
	}
	got := strings.Join(msgs, "\n")
	if len(res.Problems) != 2 || !strings.Contains(got, "/etc/x.json: not JSON") || !strings.Contains(got, "/etc/y.yaml: not YAML") {
		t.Fatalf("problems:\n%s", got)
	}
	if len(res.Checked) != 4 { // ini, json, yaml, packages
		t.Errorf("checked %v", res.Checked)
	}
}

func TestPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 here")
	}
	good := "# One\n\nText.\n\n```python {file=/usr/local/sbin/check mode=0755}\n#!/usr/bin/python3\nimport sys\n\nprint(sys.argv)\n```\n"
	res, err := Distro(context.Background(), load(t, good), "debian", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 0 || !slices.Contains(res.Checked, "python: /usr/local/sbin/check") {
		t.Fatalf("good program: %+v", res)
	}
	// Found by its #! line too; the error points at the guide's line.
	bad := "# One\n\nText.\n\n```text {file=/usr/local/sbin/check}\n#!/usr/bin/python3\nimport sys\n\nprint(sys.argv\n```\n"
	res, err = Distro(context.Background(), load(t, bad), "debian", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || res.Problems[0].Pos.Line != 9 || !strings.Contains(res.Problems[0].Msg, "not Python") {
		t.Fatalf("bad program: %+v", res)
	}
}
