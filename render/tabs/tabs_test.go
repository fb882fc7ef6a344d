package tabs

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/codeblocks"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

const chapter = "# T\n\n## S\n\n" +
	"```console {distro=rhel}\n# dnf install x\n```\n\n" +
	"```console {distro=debian,ubuntu}\n# apt install x\n```\n\n" +
	"Between.\n\n" +
	"```console {distro=ubuntu}\n# only ubuntu\n```\n\n" +
	"- item\n\n  ```console {distro=debian}\n  # d\n  ```\n  ```console {distro=rhel}\n  # r\n  ```\n"

func render(t *testing.T, order []string) string {
	t.Helper()
	fsys := fstest.MapFS{
		"settings.toml": {Data: []byte("release = \"2025.1\"\ndistros = [\"ubuntu\", \"debian\", \"rhel\"]\nnodes = [\"n1\"]\n")},
		"SUMMARY.md":    {Data: []byte("# G\n\n1. [T](01-t.md)\n")},
		"01-t.md":       {Data: []byte(chapter)},
	}
	g, err := guide.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c := g.Chapters[0]
	md := guide.Markdown(codeblocks.New(codeblocks.Config{Settings: g.Settings}), New(order))
	pc := parser.NewContext()
	pagectx.Attach(pc, pagectx.New(g, c, c.Source))
	doc := md.Parser().Parse(text.NewReader(c.Source), parser.WithContext(pc))
	var b bytes.Buffer
	if err := md.Renderer().Render(&b, c.Source, doc); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestGroups(t *testing.T) {
	out := render(t, []string{"ubuntu", "debian", "rhel"})
	if n := strings.Count(out, `<div class="tabs"`); n != 2 {
		t.Fatalf("%d tab groups, want 2:\n%s", n, out)
	}
	panels := regexp.MustCompile(`<div class="tabpanel" data-distros="([^"]+)">\n<p class="tab-label">([^<]+)</p>`).FindAllStringSubmatch(out, -1)
	var got [][]string
	for _, m := range panels {
		got = append(got, m[1:])
	}
	want := [][]string{
		{"ubuntu debian", "Ubuntu, Debian"},
		{"rhel", "RHEL / CentOS Stream"},
		{"debian", "Debian"},
		{"rhel", "RHEL / CentOS Stream"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("panels (-want +got):\n%s", diff)
	}
	for _, w := range []string{
		`<div class="tabs" id="tabs-1">`,
		`<div class="tabs" id="tabs-2">`,
		`<span class="distros">For Ubuntu only</span>`, // a lone distro block is no group
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	// The script makes the tabs; the page has no dead controls and no
	// ARIA roles that only the script makes true.
	for _, bad := range []string{"<button", `role="tab`, "aria-", "hidden"} {
		if strings.Contains(out, bad) {
			t.Errorf("output has %q:\n%s", bad, out)
		}
	}
	// Panels follow the tab order, not the source order.
	if strings.Index(out, "apt install x") > strings.Index(out, "dnf install x") {
		t.Error("panels are not in tab order")
	}
	// Another order puts RHEL first.
	out = render(t, []string{"rhel", "ubuntu"})
	if strings.Index(out, "apt install x") < strings.Index(out, "dnf install x") {
		t.Error("panels ignore the configured order")
	}
}
