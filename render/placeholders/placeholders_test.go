package placeholders

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/haguide/haguide/guide"
	"github.com/yuin/goldmark"
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
	WriteText(&b, `a<b> & KEYSTONE_DBPASS "q"`, settings, known)
	want := `a&lt;b&gt; &amp; <var class="ph secret" data-ph="KEYSTONE_DBPASS" title="Keystone&#39;s DB password (a secret: choose your own)" tabindex="0">KEYSTONE_DBPASS</var> &#34;q&#34;`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Error(diff)
	}
}

func TestProse(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(New(settings)))
	tests := []struct{ in, want string }{
		{"Reach CONTROLLER_VIP now.", `<p>Reach <var class="ph" data-ph="CONTROLLER_VIP" title="The VIP (for example 10.0.0.10)" tabindex="0">CONTROLLER_VIP</var> now.</p>`},
		// goldmark splits text at _: the pieces are joined again.
		{"On NODE_NAME\nand *CONTROLLER_VIP*", `<p>On <var class="ph builtin" data-ph="NODE_NAME" title="The name of the node the block runs on (for example controller1)" tabindex="0">NODE_NAME</var>
and <em><var class="ph" data-ph="CONTROLLER_VIP" title="The VIP (for example 10.0.0.10)" tabindex="0">CONTROLLER_VIP</var></em></p>`},
		{"`ssh NODE_ADDR`", `<p><code>ssh <var class="ph builtin" data-ph="NODE_ADDR" title="The management address of the node the block runs on" tabindex="0">NODE_ADDR</var></code></p>`},
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
