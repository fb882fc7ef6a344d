package lint

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// healthProblems returns "distro line:col section" for each problem of
// the health check routes.
func healthProblems(res *Result) []string {
	var got []string
	for _, p := range res.Problems {
		if !strings.Contains(p.Msg, "checks GET /healthcheck") {
			continue
		}
		section, _, _ := strings.Cut(strings.TrimPrefix(p.Msg, "haproxy: "), " checks")
		got = append(got, fmt.Sprintf("%s %d:%d %s", p.Distro, p.Pos.Line, p.Pos.Col, section))
	}
	return got
}

func TestHealthRoutes(t *testing.T) {
	const metadata = "listen nova-metadata\n    bind CONTROLLER_VIP:8775\n    option httpchk GET /healthcheck\n    server c1 10.0.0.11:8775 check\n"
	const merge = "```ini {file=/etc/nova/api-paste.ini apply=merge}\n[pipeline:meta]\npipeline = healthcheck cors http_proxy_to_wsgi metaapp\n\n" +
		"[filter:healthcheck]\npaste.filter_factory = oslo_middleware:Healthcheck.factory\n```\n\n"
	// The HAProxy fence opens on line 3 of the chapter (or after the
	// merge block), so its first line is line 4.
	tests := []struct {
		name, before, cfg, distro string
		want                      []string
	}{
		{name: "metadata on rhel", cfg: metadata, distro: "rhel", want: []string{"rhel 6:5 listen nova-metadata"}},
		{name: "metadata on ubuntu", cfg: metadata, distro: "ubuntu", want: []string{"ubuntu 6:5 listen nova-metadata"}},
		{name: "metadata on debian: the package's file has it", cfg: metadata, distro: "debian"},
		{name: "metadata on rhel with the filter merged", before: merge, cfg: metadata, distro: "rhel"},
		{name: "filter use form", distro: "rhel", cfg: metadata,
			before: strings.Replace(merge, "paste.filter_factory = oslo_middleware:Healthcheck.factory", "use = egg:oslo.middleware#healthcheck", 1)},
		{name: "filter not first", distro: "rhel", cfg: metadata,
			before: strings.Replace(merge, "healthcheck cors http_proxy_to_wsgi metaapp", "cors healthcheck http_proxy_to_wsgi metaapp", 1),
			want:   []string{"rhel 14:5 listen nova-metadata"}},
		{name: "first filter is something else", distro: "rhel", cfg: metadata,
			before: strings.Replace(merge, "oslo_middleware:Healthcheck.factory", "oslo_middleware:CORS.factory", 1),
			want:   []string{"rhel 14:5 listen nova-metadata"}},
		{name: "filter in another pipeline", distro: "rhel", cfg: metadata,
			before: strings.Replace(merge, "[pipeline:meta]", "[pipeline:oscomputeversions]", 1),
			want:   []string{"rhel 14:5 listen nova-metadata"}},
		{name: "http-check send form", distro: "rhel",
			cfg:  "backend nova-metadata\n    option httpchk\n    http-check send meth GET uri /healthcheck\n    server c1 10.0.0.11:8775 check\n",
			want: []string{"rhel 6:5 backend nova-metadata"}},
		{name: "GET / passes", distro: "rhel", cfg: strings.Replace(metadata, "GET /healthcheck", "GET /", 1)},
		{name: "check on another port", distro: "rhel", cfg: strings.Replace(metadata, ":8775 check", ":8775 check port 9000", 1)},
		{name: "default-server port", distro: "rhel", cfg: strings.Replace(metadata, "    server", "    default-server port 8775\n    server c1 10.0.0.11:18775 check\n    server", 1),
			want: []string{"rhel 6:5 listen nova-metadata"}},
		{name: "compute API has none anywhere", distro: "debian",
			cfg:  "listen nova-api\n    option httpchk GET /healthcheck\n    server c1 10.0.0.11:8774 check\n",
			want: []string{"debian 5:5 listen nova-api"}},
		{name: "commented out", distro: "rhel", cfg: "listen nova-metadata\n    # option httpchk GET /healthcheck\n    server c1 10.0.0.11:8775 check\n"},
		{name: "an API the table leaves out", distro: "rhel", cfg: "listen glance-api\n    option httpchk GET /healthcheck\n    server c1 10.0.0.11:9292 check\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chapter := "# One\n\n" + tt.before + "```cfg {file=/etc/haproxy/conf.d/50-api.cfg}\n" + tt.cfg + "```\n"
			res, err := Distro(context.Background(), loadFor(t, `"debian", "ubuntu", "rhel"`, chapter), tt.distro, Options{HAProxy: "-"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, healthProblems(res)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGuideHealthRoutes runs the check on the real guide (HAGUIDE_GUIDE=DIR
// for another) for every distro. Before chapter 9 added the metadata
// API's filter on Ubuntu and RHEL, it failed there: HAProxy's
// nova-metadata check asked /healthcheck of upstream's paste file.
func TestGuideHealthRoutes(t *testing.T) {
	g := realGuide(t)
	checked := 0
	for _, d := range g.Settings.Distros {
		res, err := Distro(context.Background(), g, d, Options{HAProxy: "-"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range healthProblems(res) {
			t.Errorf("%s", p)
		}
		for _, c := range res.Checked {
			if strings.HasPrefix(c, "healthcheck route: ") {
				checked++
			}
		}
	}
	if checked == 0 {
		t.Error("no HAProxy check of the guide was matched with the table: the check tests nothing")
	}
}

func TestIniValue(t *testing.T) {
	data := []byte("[a]\nk = 1\n  k = cont\n[b]\nk: 2\n# k = 3\nk=4\n[ c ]\nk = 5\n")
	for _, tt := range []struct {
		section, want string
		ok            bool
	}{
		{"a", "1", true}, {"b", "4", true}, {"c", "5", true}, {"d", "", false},
	} {
		got, ok := iniValue(data, tt.section, "k")
		if got != tt.want || ok != tt.ok {
			t.Errorf("iniValue(%q) = %q, %v; want %q, %v", tt.section, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzHealthChecks(f *testing.F) {
	f.Add([]byte("listen x\n option httpchk GET /healthcheck\n server a 1.2.3.4:8775 check port 1\n"), "pipeline:meta")
	f.Add([]byte("[pipeline:meta]\npipeline = healthcheck\n[filter:healthcheck]\nuse = x#healthcheck\n"), "pipeline:meta")
	f.Add([]byte("backend b\nhttp-check send uri\ndefault-server port\nserver s :\n[\n=\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, section string) {
		for _, hc := range healthChecks(data) {
			for _, p := range hc.ports {
				if p <= 0 {
					t.Errorf("port %d", p)
				}
			}
		}
		iniValue(data, section, "pipeline")
		pasteHealthcheck(data, section)
	})
}
