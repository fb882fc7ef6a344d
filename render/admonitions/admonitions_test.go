package admonitions

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
)

func TestAdmonitions(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(New()))
	tests := []struct{ in, want string }{
		{"> [!NOTE]\n> Read *this*.", `<div class="admonition note" role="note"><p class="admonition-title">Note</p>
<p>Read <em>this</em>.</p>
</div>`},
		{"> [!warning]  \n> Careful.\n>\n> - one", `<div class="admonition warning" role="note"><p class="admonition-title">Warning</p>
<p>Careful.</p>
<ul>
<li>one</li>
</ul>
</div>`},
		{"> [!CAUTION]", `<div class="admonition caution" role="note"><p class="admonition-title">Caution</p>
</div>`},
		{"- > [!TIP]\n  > In a list.", `<ul>
<li>
<div class="admonition tip" role="note"><p class="admonition-title">Tip</p>
<p>In a list.</p>
</div>
</li>
</ul>`},
		{"> [!NOTE] not alone\n> on its line", "<blockquote>\n<p>[!NOTE] not alone\non its line</p>\n</blockquote>"},
		{"> [!DANGER]\n> unknown", "<blockquote>\n<p>[!DANGER]\nunknown</p>\n</blockquote>"},
		{"> plain", "<blockquote>\n<p>plain</p>\n</blockquote>"},
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
