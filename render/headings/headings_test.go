package headings

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/text"
)

func TestHeadings(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(New()))
	src := []byte("# Title\n\n## The `crm` tool & co\n\n## The crm tool, co\n\n### !!!\n\nSetext\n------\n")
	doc := md.Parser().Parse(text.NewReader(src))
	var b bytes.Buffer
	if err := md.Renderer().Render(&b, src, doc); err != nil {
		t.Fatal(err)
	}
	want := `<h1 id="title">Title</h1>
<div class="heading h2"><h2 id="the-crm-tool-co">The <code>crm</code> tool &amp; co</h2><a class="anchor" href="#the-crm-tool-co" aria-label="Permalink: The crm tool &amp; co">#</a></div>
<div class="heading h2"><h2 id="the-crm-tool-co-2">The crm tool, co</h2><a class="anchor" href="#the-crm-tool-co-2" aria-label="Permalink: The crm tool, co">#</a></div>
<div class="heading h3"><h3 id="section">!!!</h3><a class="anchor" href="#section" aria-label="Permalink: !!!">#</a></div>
<div class="heading h2"><h2 id="setext">Setext</h2><a class="anchor" href="#setext" aria-label="Permalink: Setext">#</a></div>`
	if diff := cmp.Diff(want, strings.TrimSpace(b.String())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
