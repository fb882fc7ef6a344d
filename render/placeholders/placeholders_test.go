package placeholders

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
)

var settings = &guide.Settings{
	Nodes: []string{"controller1", "controller2"},
	Placeholders: map[string]guide.Placeholder{
		"CONTROLLER_VIP":  {Meaning: "The VIP", Example: "10.0.0.10"},
		"KEYSTONE_DBPASS": {Meaning: "Keystone's DB password", Example: "x", Secret: true},
	},
}

func known(name string) bool { _, ok := Lookup(settings, name); return ok }

func TestFind(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"ping CONTROLLER_VIP", []string{"CONTROLLER_VIP"}},
		{"mysql -pKEYSTONE_DBPASS", []string{"KEYSTONE_DBPASS"}},
		{"echo $CONTROLLER_VIP ${CONTROLLER_VIP} CONTROLLER_VIP", []string{"CONTROLLER_VIP"}},
		{"CONTROLLER_VIPS NOT_DECLARED CONTROLLER__VIP _CONTROLLER_VIP", nil},
		{"NODE_NAME on NODE_ADDR, CONTROLLER2_ADDR, CONTROLLER3_ADDR", []string{"NODE_NAME", "NODE_ADDR", "CONTROLLER2_ADDR"}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, sp := range Find(tt.text, known) {
			if tt.text[sp.Start:sp.End] != sp.Name {
				t.Errorf("%q: span %v does not hold its name", tt.text, sp)
			}
			got = append(got, sp.Name)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Find(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestLookup(t *testing.T) {
	for name, want := range map[string]string{
		"CONTROLLER_VIP":   "The VIP (for example 10.0.0.10)",
		"KEYSTONE_DBPASS":  "Keystone's DB password (a secret: choose your own)",
		"NODE_NAME":        "The name of the node the block runs on (for example controller1)",
		"CONTROLLER2_ADDR": "The management address of controller2",
	} {
		inf, ok := Lookup(settings, name)
		if !ok {
			t.Errorf("%s: not found", name)
			continue
		}
		if got := inf.Title(); got != want {
			t.Errorf("%s: title %q, want %q", name, got, want)
		}
	}
	if _, ok := Lookup(settings, "OTHER_NAME"); ok {
		t.Error("OTHER_NAME found")
	}
	if _, ok := Lookup(nil, "NODE_NAME"); ok {
		t.Error("nil settings found a placeholder")
	}
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	page := pagectx.New(nil, nil, nil)
	WriteText(&b, `a<b> & KEYSTONE_DBPASS "q" 'r' CONTROLLER_VIP KEYSTONE_DBPASS`, settings, known, page)
	want := `a&lt;b&gt; &amp; <var class="secret">KEYSTONE_DBPASS</var> "q" 'r' <var>CONTROLLER_VIP</var> <var class="secret">KEYSTONE_DBPASS</var>`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Error(diff)
	}
	// Noted once each, in order of first use.
	if diff := cmp.Diff([]string{"KEYSTONE_DBPASS", "CONTROLLER_VIP"}, page.Placeholders()); diff != "" {
		t.Errorf("uses (-want +got):\n%s", diff)
	}
}

// TestList renders a page with placeholders in prose, code spans and
// again: each use is the name alone, and the meanings come once, at the
// end, in order of first use; the print view prefixes the ids.
func TestList(t *testing.T) {
	src := []byte("# T\n\nReach CONTROLLER_VIP, then `ssh NODE_ADDR`.\n\nAgain CONTROLLER_VIP.\n")
	render := func(print bool) string {
		md := goldmark.New(goldmark.WithExtensions(New(settings)))
		pc := parser.NewContext()
		page := pagectx.New(nil, &guide.Chapter{File: "01-t.md", Slug: "01-t"}, src)
		page.Print = print
		pagectx.Attach(pc, page)
		var b bytes.Buffer
		if err := md.Convert(src, &b, parser.WithContext(pc)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	want := `<h1>T</h1>
<p>Reach <var>CONTROLLER_VIP</var>, then <code>ssh <var>NODE_ADDR</var></code>.</p>
<p>Again <var>CONTROLLER_VIP</var>.</p>
<section class="ph-list">
<h2 id="values_to_replace">Values to replace</h2>
<p>The words in this style on this page stand for values of your own deployment:</p>
<dl>
<dt><var>CONTROLLER_VIP</var></dt><dd id="ph-CONTROLLER_VIP" data-example="10.0.0.10">The VIP (for example 10.0.0.10)</dd>
<dt><var>NODE_ADDR</var></dt><dd id="ph-NODE_ADDR" data-type="host">The management address of the node the block runs on</dd>
</dl>
</section>
`
	if diff := cmp.Diff(want, render(false)); diff != "" {
		t.Errorf("page (-want +got):\n%s", diff)
	}
	print := render(true)
	for _, w := range []string{`<h2 id="01-t--values_to_replace">`, `<dd id="01-t--ph-CONTROLLER_VIP" data-example="10.0.0.10">`} {
		if !strings.Contains(print, w) {
			t.Errorf("print view lacks %q:\n%s", w, print)
		}
	}
	// A page without placeholders has no list.
	md := goldmark.New(goldmark.WithExtensions(New(settings)))
	pc := parser.NewContext()
	pagectx.Attach(pc, pagectx.New(nil, &guide.Chapter{File: "02-u.md", Slug: "02-u"}, []byte("# U\n\nNothing.\n")))
	var b bytes.Buffer
	if err := md.Convert([]byte("# U\n\nNothing.\n"), &b, parser.WithContext(pc)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "ph-list") {
		t.Errorf("a page without placeholders has a list:\n%s", b.String())
	}
}

func TestProse(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(New(settings)))
	tests := []struct{ in, want string }{
		{"Reach CONTROLLER_VIP now.", `<p>Reach <var>CONTROLLER_VIP</var> now.</p>`},
		// goldmark splits text at _: the pieces are joined again.
		{"On NODE_NAME\nand *CONTROLLER_VIP*", `<p>On <var>NODE_NAME</var>
and <em><var>CONTROLLER_VIP</var></em></p>`},
		{"`ssh NODE_ADDR`", `<p><code>ssh <var>NODE_ADDR</var></code></p>`},
		{"[CONTROLLER_VIP](x.md) and $CONTROLLER_VIP", `<p><a href="x.md">CONTROLLER_VIP</a> and $CONTROLLER_VIP</p>`},
		{"UNDECLARED_NAME and __bold__", `<p>UNDECLARED_NAME and <strong>bold</strong></p>`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := md.Convert([]byte(tt.in), &b); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, strings.TrimSpace(b.String())); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}
