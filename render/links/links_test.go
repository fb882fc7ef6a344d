package links

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

func TestPageHref(t *testing.T) {
	for in, want := range map[string]string{
		"02-architecture.md":          "02-architecture.html",
		"02-architecture.md#networks": "02-architecture.html#networks",
		"#local":                      "#local",
		"figures/x.svg":               "figures/x.svg",
		"https://example.org/a.md":    "https://example.org/a.md",
		"install:keystone/index":      "install:keystone/index",
	} {
		if got := PageHref(in); got != want {
			t.Errorf("PageHref(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	e := New(Config{Release: "2025.1", Distros: []string{"rhel", "ubuntu"}})
	r, err := e.Resolve("install:keystone/keystone-install")
	if err != nil {
		t.Fatal(err)
	}
	want := Resolved{
		Href: "https://docs.openstack.org/keystone/2025.1/install/keystone-install-rdo.html",
		PerDistro: map[string]string{
			"rhel":   "https://docs.openstack.org/keystone/2025.1/install/keystone-install-rdo.html",
			"ubuntu": "https://docs.openstack.org/keystone/2025.1/install/keystone-install-ubuntu.html",
		},
	}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Error(diff)
	}
	if r, _ := e.Resolve("docs:neutron/admin/config-ovn"); r.PerDistro != nil {
		t.Errorf("docs: link resolved per distro: %v", r)
	}
	if _, err := e.Resolve("install:nosuch/page"); err == nil {
		t.Error("unknown service: no error")
	}
}

func TestTransform(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(New(Config{Release: "2025.1", Distros: []string{"ubuntu", "rhel"}})))
	src := []byte("[a](install-guide:environment-packages) [b](01-x.md#y) [c](https://x.org/) [d](install:nope/x)\n\n![](figures/a.svg)\n")
	page := pagectx.New(nil, &guide.Chapter{File: "01-x.md"}, src)
	pc := parser.NewContext()
	pagectx.Attach(pc, page)
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	var b bytes.Buffer
	if err := md.Renderer().Render(&b, src, doc); err != nil {
		t.Fatal(err)
	}
	want := `<p><a href="https://docs.openstack.org/install-guide/environment-packages-ubuntu.html" data-ref="install-guide:environment-packages" class="doc-link per-distro" data-href-rhel="environment-packages-rdo.html">a</a> <a href="01-x.html#y">b</a> <a href="https://x.org/" class="external">c</a> <a href="https://docs.openstack.org/">d</a></p>
<p><img src="figures/a.svg" alt=""></p>`
	if diff := cmp.Diff(want, strings.TrimSpace(b.String())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	ds := page.Diagnostics()
	if len(ds) != 2 || !strings.Contains(ds.Error(), `unknown service "nope"`) || !strings.Contains(ds.Error(), "no alt text") {
		t.Errorf("diagnostics: %v", ds)
	}
	for _, d := range ds {
		if d.Pos.File != "01-x.md" || d.Pos.Line == 0 {
			t.Errorf("diagnostic without a position: %v", d)
		}
	}
}

func TestRelativeTo(t *testing.T) {
	for _, tc := range []struct{ base, u, want string }{
		{"https://docs.openstack.org/nova/2025.1/install/controller-install-ubuntu.html", "https://docs.openstack.org/nova/2025.1/install/controller-install-rdo.html", "controller-install-rdo.html"},
		{"https://docs.openstack.org/install-guide/a-ubuntu.html", "https://docs.openstack.org/install-guide/sub/a-rdo.html", "https://docs.openstack.org/install-guide/sub/a-rdo.html"},
		{"https://docs.openstack.org/a/x.html", "https://docs.openstack.org/b/x.html", "https://docs.openstack.org/b/x.html"},
		{"https://docs.openstack.org/a/x.html", "https://docs.openstack.org/a/", "https://docs.openstack.org/a/"},
		{"x.html", "y.html", "y.html"},
	} {
		if got := relativeTo(tc.base, tc.u); got != tc.want {
			t.Errorf("relativeTo(%q, %q) = %q, want %q", tc.base, tc.u, got, tc.want)
		}
	}
}
