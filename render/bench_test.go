package render

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// largeChapter repeats the blocks chapter n times under distinct headings:
// every kind of block, tab groups, placeholders and prose.
func largeChapter(t testing.TB, n int) []byte {
	blocks, err := os.ReadFile("testdata/guide/02-blocks.md")
	if err != nil {
		t.Fatal(err)
	}
	prose, err := os.ReadFile("testdata/guide/01-prose.md")
	if err != nil {
		t.Fatal(err)
	}
	_, bbody, _ := strings.Cut(string(blocks), "\n")
	_, pbody, _ := strings.Cut(string(prose), "\n")
	// Links to other chapters do not resolve in a one-chapter guide.
	pbody = strings.NewReplacer("(index.md)", "(#part-1)", "(02-blocks.md#file-blocks)", "(#part-1)", "(#tables-and-figures)", "(#part-1)").Replace(pbody)
	var b strings.Builder
	b.WriteString("# A large chapter\n\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "## Part %d\n\n", i)
		// Demote the parts' own headings one level, with unique names.
		part := strings.ReplaceAll(bbody+pbody, "\n## ", fmt.Sprintf("\n### %d ", i))
		part = strings.ReplaceAll(part, "\n### A third", fmt.Sprintf("\n#### %d A third", i))
		b.WriteString(part)
		b.WriteString("\n")
	}
	return []byte(b.String())
}

func TestLargeChapter(t *testing.T) {
	g := fuzzGuide(t, largeChapter(t, 3))
	p, err := New(g, Options{}).Page(g.Chapters[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, prob := range checkHTML(string(p.HTML)) {
		t.Error(prob)
	}
}

// BenchmarkPage renders a chapter of about 6,000 lines (50 copies of the
// test chapters: 1,000 fenced blocks, 50 tab groups, 167 KB of Markdown),
// each time with a new renderer, whose highlighting cache starts empty.
func BenchmarkPage(b *testing.B) {
	benchPage(b, false)
}

// BenchmarkPageCached renders it again with the same renderer, whose cache
// holds chroma's tokens for every block: what a page's print view costs.
func BenchmarkPageCached(b *testing.B) {
	benchPage(b, true)
}

func benchPage(b *testing.B, cached bool) {
	src := largeChapter(b, 50)
	g := fuzzGuide(b, src)
	r := New(g, Options{})
	c := g.Chapters[0]
	p, err := r.Page(c)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if !cached {
			r = New(g, Options{})
		}
		if _, err := r.Page(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(src)), "src-bytes")
	b.ReportMetric(float64(len(p.HTML)), "html-bytes")
	b.ReportMetric(float64(len(c.Blocks)), "blocks")
}

// BenchmarkEmbeddedGuide renders every page of the guide shipped in the
// binary with a new renderer.
func BenchmarkEmbeddedGuide(b *testing.B) {
	g := loadEmbedded(b)
	for b.Loop() {
		r := New(g, Options{})
		for _, c := range g.Pages() {
			if _, err := r.Page(c); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(g.Pages())), "pages")
}

func BenchmarkChromaCSS(b *testing.B) {
	css, err := ChromaCSS("github", "github-dark")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_, _ = ChromaCSS("github", "github-dark")
	}
	b.ReportMetric(float64(len(css)), "css-bytes")
}
