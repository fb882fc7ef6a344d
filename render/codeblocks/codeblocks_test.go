package codeblocks

import (
	"bytes"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alecthomas/chroma/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/haguide/haguide/render/placeholders"
	xhtml "golang.org/x/net/html"
)

var settings = &guide.Settings{
	Nodes: []string{"controller1", "controller2", "controller3"},
	Placeholders: map[string]guide.Placeholder{
		"CONTROLLER_VIP": {Meaning: "The VIP", Example: "10.0.0.10"},
	},
}

func consoleBlock(attrs guide.Attrs, cmds ...*guide.Command) *guide.Block {
	return &guide.Block{Kind: guide.KindConsole, Lang: "console", Attrs: attrs, Commands: cmds, Placeholders: []string{"CONTROLLER_VIP"}}
}

func TestCopyText(t *testing.T) {
	b := consoleBlock(guide.Attrs{Run: true},
		&guide.Command{Prompt: "#", Text: "echo CONTROLLER_VIP \\\n  > /tmp/x", Expected: []string{"ignored output"}},
		&guide.Command{Prompt: "$", Text: "cat /tmp/x"})
	if got, want := CopyText(b), "echo CONTROLLER_VIP \\\n  > /tmp/x\ncat /tmp/x"; got != want {
		t.Errorf("CopyText = %q, want %q", got, want)
	}
	f := &guide.Block{Kind: guide.KindFile, Content: "[a]\nb = 1\n"}
	if got := CopyText(f); got != "[a]\nb = 1" {
		t.Errorf("file CopyText = %q", got)
	}
}

func TestWriteConsole(t *testing.T) {
	e := New(Config{Settings: settings})
	b := consoleBlock(guide.Attrs{Nodes: guide.NodeSel{Kind: guide.NodesFirst}, Run: true, Wait: 90 * time.Second},
		&guide.Command{Prompt: "#", Text: "ping -c1 CONTROLLER_VIP", Expected: []string{"...", "1 packets <ok> \"q\""}},
		&guide.Command{Prompt: "$", Text: "echo 'it''s' \"CONTROLLER_VIP\""})
	b.ID = "01-x/s/1"
	var w bytes.Buffer
	page := pagectx.New(nil, nil, nil)
	e.Write(&w, b, false, page)
	got := w.String()
	for _, want := range []string{
		`<figure class="block console runs" data-step="01-x/s/1" data-nodes="controller1">`,
		`Run on controller1`,
		`Retries it for up to 1m30s.`,
		`<span class="cmd">ping -c1 <var>CONTROLLER_VIP</var></span>`,
		`<span class="output gap">...</span>`,
		// Quotes need no escaping in text.
		`<span class="output">1 packets &lt;ok&gt; "q"</span>`,
		// A user's prompt ($) is a class; CSS draws either prompt.
		`<span class="cmd user"><span class="nb">echo</span> <span class="s1">'it''s'</span> <span class="s2">"<var>CONTROLLER_VIP</var>"</span></span>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// No prompt in the text, no copy of the commands (the script reads
	// them from the code), no meaning repeated at each placeholder.
	for _, bad := range []string{"style=", "# ", "$ ", "data-copy", "<button", "title=", "&#34;", "&#39;"} {
		if strings.Contains(got, bad) {
			t.Errorf("output has %q:\n%s", bad, got)
		}
	}
	if diff := cmp.Diff([]string{"CONTROLLER_VIP"}, page.Placeholders()); diff != "" {
		t.Errorf("placeholders noted on the page (-want +got):\n%s", diff)
	}
	if cls := page.Classes(); !slices.Contains(cls, "s2") || !slices.Contains(cls, "s1") {
		t.Errorf("chroma classes noted on the page: %v", cls)
	}
}

// TestPlainClasses: a class the renderer is told is plain gets no span.
func TestPlainClasses(t *testing.T) {
	f := &guide.Block{Kind: guide.KindPlain, Lang: "ini", Content: "[a]\nkey = value\n"}
	var with, without bytes.Buffer
	New(Config{Settings: settings}).Write(&with, f, false, nil)
	New(Config{Settings: settings, Plain: []string{"na"}}).Write(&without, f, false, nil)
	if !strings.Contains(with.String(), `<span class="na">key</span>`) {
		t.Errorf("the ini lexer no longer marks keys as na:\n%s", with.String())
	}
	if !strings.Contains(without.String(), "\nkey <span") || strings.Contains(without.String(), `"na"`) {
		t.Errorf("a plain class still has its span:\n%s", without.String())
	}
}

var verifyDetail = regexp.MustCompile(` <details class="verify[^"]*">.*</details>`)

func TestCaption(t *testing.T) {
	e := New(Config{Settings: settings})
	tests := []struct {
		b    *guide.Block
		want []string
	}{
		{consoleBlock(guide.Attrs{Nodes: guide.NodeSel{Kind: guide.NodesAll}, Run: true}), []string{"Run on every controller"}},
		{consoleBlock(guide.Attrs{Nodes: guide.NodeSel{Kind: guide.NodesOthers}, Run: true}), []string{"Run on controller2 and controller3"}},
		{consoleBlock(guide.Attrs{Nodes: guide.NodeSel{Kind: guide.NodesEach}, Run: true}), []string{"Run on each controller in turn"}},
		{consoleBlock(guide.Attrs{Nodes: guide.NodeSel{Kind: guide.NodesNamed, Name: "controller3"}, Run: true}), []string{"Run on controller3"}},
		{consoleBlock(guide.Attrs{Nodes: guide.NodeSel{Kind: guide.NodesLocal}, Run: true}), []string{"Run on your workstation"}},
		{consoleBlock(guide.Attrs{Run: false, Reason: "no BMC"}), []string{">Run on every controller<", `<details class="verify norun"><summary>haguide verify</summary>Does not run this block: no BMC.</details>`}},
		{consoleBlock(guide.Attrs{Run: true, When: "lab", Reason: "pull the plug"}), []string{"Runs this block in the lab only: pull the plug."}},
		{consoleBlock(guide.Attrs{Run: true, When: guide.WhenOwnNodes, Reason: "a real BMC"}), []string{"Runs this block on your own nodes only: a real BMC."}},
		{consoleBlock(guide.Attrs{Run: true, Timeout: 5 * time.Minute, Set: []string{"timeout"}}), []string{"<summary>haguide verify</summary>Stops each try after 5m.</details>"}},
		{consoleBlock(guide.Attrs{Run: true, Distros: []string{"rhel"}}), []string{"For RHEL / CentOS Stream only"}},
		{&guide.Block{Kind: guide.KindFile, Attrs: guide.Attrs{Run: true, File: "/etc/a.conf", Mode: 0o640, Owner: "root:a", Apply: "merge"}},
			[]string{"Write on every controller", "<code>/etc/a.conf</code>", "mode 0640, owner root:a", "sets only the keys shown"}},
		{&guide.Block{Kind: guide.KindFile, Attrs: guide.Attrs{Run: true, File: "/etc/b", Mode: 0o644, Owner: "root:root", Apply: "replace"}},
			[]string{"replaces the whole file"}},
		{consoleBlock(guide.Attrs{Run: true, Background: "tail -f x", Stop: "pcs <x>", Wait: 90 * time.Second}),
			[]string{"keeps running in the background as <code>tail -f x</code>; first stops <code>pcs &lt;x&gt;</code></span> <details class=\"verify\"><summary>haguide verify</summary>Retries it for up to 1m30s.</details>"}},
	}
	for _, tt := range tests {
		got, text := e.caption(tt.b, false)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("caption lacks %q: %s", w, got)
			}
		}
		// The text is what the HTML shows, but for haguide verify's detail.
		if diff := cmp.Diff(htmlText(t, verifyDetail.ReplaceAllString(got, "")), text); diff != "" {
			t.Errorf("caption text (-HTML's text +text):\n%s", diff)
		}
	}
	if got, text := e.caption(&guide.Block{Kind: guide.KindPlain}, false); got != "" || text != "" {
		t.Errorf("plain block has a caption: %q, %q", got, text)
	}
	if got, _ := e.caption(consoleBlock(guide.Attrs{Run: true, Distros: []string{"rhel"}}), true); strings.Contains(got, "RHEL") {
		t.Errorf("a block in a tab group repeats its distro: %q", got)
	}
}

// htmlText is the text content of an HTML fragment.
func htmlText(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("%s: %v", s, z.Err())
			}
			return b.String()
		case xhtml.TextToken:
			b.Write(z.Text())
		}
	}
}

// A placeholder the lexer splits over tokens stays one <var>.
func TestMergeAcross(t *testing.T) {
	toks := []chroma.Token{{Type: chroma.Keyword, Value: "a CONTROL"}, {Type: chroma.String, Value: "LER_"}, {Type: chroma.Text, Value: "VIP b"}, {Type: chroma.Text, Value: " c"}}
	spans := []placeholders.Span{{Start: 2, End: 16, Name: "CONTROLLER_VIP"}}
	got := mergeAcross(toks, spans)
	want := []chroma.Token{{Type: chroma.Keyword, Value: "a CONTROLLER_VIP b"}, {Type: chroma.Text, Value: " c"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
	var w bytes.Buffer
	e := New(Config{Settings: settings})
	e.writeCode(&w, "x=CONTROLLER_VIP\n", lexerFor("ini"), e.known, nil)
	if n := strings.Count(w.String(), "<var>"); n != 1 {
		t.Errorf("%d vars in %s", n, w.String())
	}
}

// Neighbouring tokens whose classes look the same share one span; a
// plain token between them ends it.
func TestSameClassesShareSpan(t *testing.T) {
	e := New(Config{Settings: settings, Plain: []string{"p"}, Same: map[string]string{"s1": "s", "s2": "s"}})
	for _, tc := range []struct {
		toks []chroma.Token
		want string
	}{
		{[]chroma.Token{{Type: chroma.LiteralStringSingle, Value: "'a'"}, {Type: chroma.LiteralStringDouble, Value: `"b"`}, {Type: chroma.LiteralString, Value: "c"}},
			`<span class="s">'a'"b"c</span>`},
		{[]chroma.Token{{Type: chroma.LiteralStringSingle, Value: "'a'"}, {Type: chroma.Punctuation, Value: ","}, {Type: chroma.LiteralStringDouble, Value: `"b"`}},
			`<span class="s">'a'</span>,<span class="s">"b"</span>`},
		{[]chroma.Token{{Type: chroma.Keyword, Value: "if"}, {Type: chroma.LiteralStringDouble, Value: " CONTROLLER_VIP"}},
			`<span class="k">if</span><span class="s"> <var>CONTROLLER_VIP</var></span>`},
		{[]chroma.Token{{Type: chroma.Keyword, Value: "do"}, {Type: chroma.Keyword, Value: "ne"}},
			`<span class="k">done</span>`},
	} {
		var code strings.Builder
		for _, t := range tc.toks {
			code.WriteString(t.Value)
		}
		var w bytes.Buffer
		e.writeTokens(&w, code.String(), tc.toks, e.known, nil)
		if diff := cmp.Diff(tc.want, w.String()); diff != "" {
			t.Errorf("%q (-want +got):\n%s", code.String(), diff)
		}
	}
}

func TestLexerFor(t *testing.T) {
	for lang, want := range map[string]string{"console": "Bash", "sh": "Bash", "ini": "INI", "cfg": "INI", "yaml": "YAML", "text": "plaintext", "": "plaintext", "no-such-language": "plaintext"} {
		if got := lexerFor(lang).Config().Name; got != want {
			t.Errorf("lexerFor(%q) = %s, want %s", lang, got, want)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{90 * time.Second: "1m30s", 5 * time.Minute: "5m", 2 * time.Hour: "2h", 30 * time.Second: "30s"} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestHighlightCache writes the same blocks again, and from several
// goroutines at once: chroma tokenises each text (a console block's
// commands are one) once per extension, and
// the output does not change (the cached tokens are not edited in place,
// as trimming a final newline would).
func TestHighlightCache(t *testing.T) {
	e := New(Config{Settings: settings})
	blocks := []*guide.Block{
		consoleBlock(guide.Attrs{Run: true},
			&guide.Command{Prompt: "#", Text: "ping -c1 CONTROLLER_VIP"},
			&guide.Command{Prompt: "#", Text: "cat /etc/hosts", Expected: []string{"..."}}),
		// The same commands in another distro's block: no second lexing.
		consoleBlock(guide.Attrs{Run: true, Distros: []string{"rhel"}},
			&guide.Command{Prompt: "#", Text: "ping -c1 CONTROLLER_VIP"},
			&guide.Command{Prompt: "#", Text: "cat /etc/hosts"}),
		{Kind: guide.KindFile, Lang: "ini", Content: "[a]\nb = CONTROLLER_VIP", Placeholders: []string{"CONTROLLER_VIP"},
			Attrs: guide.Attrs{Run: true, File: "/etc/x.conf", Owner: "root:root", Mode: 0o644}},
		// The same text as plain text: another lexer, another entry.
		{Kind: guide.KindPlain, Lang: "text", Content: "[a]\nb = CONTROLLER_VIP"},
	}
	write := func() string {
		var w bytes.Buffer
		for _, b := range blocks {
			e.Write(&w, b, false, nil)
		}
		return w.String()
	}
	first := write()
	if got, want := e.lexed.Load(), int64(3); got != want {
		t.Errorf("tokenised %d texts, want %d", got, want)
	}
	if !strings.Contains(first, `b = <span`) && !strings.Contains(first, `<span class="o">=</span>`) {
		t.Errorf("the ini block is not highlighted:\n%s", first)
	}
	outs := make([]string, 8)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		go func() { defer wg.Done(); outs[i] = write() }()
	}
	wg.Wait()
	for i, out := range outs {
		if diff := cmp.Diff(first, out); diff != "" {
			t.Errorf("write %d differs from the first (-first +again):\n%s", i+2, diff)
		}
	}
	if got := e.lexed.Load(); got != 3 {
		t.Errorf("tokenised %d texts after writing the blocks again, want still 3", got)
	}
	// A fresh extension (a new build) starts with an empty cache.
	if got := New(Config{Settings: settings}).lexed.Load(); got != 0 {
		t.Errorf("a new extension has tokenised %d texts", got)
	}
}

func TestSliceTokens(t *testing.T) {
	toks := []chroma.Token{{Type: chroma.Keyword, Value: "echo"}, {Type: chroma.Text, Value: " "}, {Type: chroma.String, Value: "'a\nb'"}, {Type: chroma.Text, Value: "\n"}, {Type: chroma.Keyword, Value: "true"}, {Type: chroma.Text, Value: "\n"}}
	// "echo 'a\nb'" is text[0:10], "true" text[11:15].
	tests := []struct {
		from, to int
		want     []chroma.Token
	}{
		{0, 10, []chroma.Token{{Type: chroma.Keyword, Value: "echo"}, {Type: chroma.Text, Value: " "}, {Type: chroma.String, Value: "'a\nb'"}}},
		{11, 15, []chroma.Token{{Type: chroma.Keyword, Value: "true"}}},
		{2, 8, []chroma.Token{{Type: chroma.Keyword, Value: "ho"}, {Type: chroma.Text, Value: " "}, {Type: chroma.String, Value: "'a\n"}}},
		{15, 15, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, sliceTokens(toks, tt.from, tt.to)); diff != "" {
			t.Errorf("sliceTokens(%d, %d) (-want +got):\n%s", tt.from, tt.to, diff)
		}
	}
}

// TestNoop: a block that does not run and only says true shows its
// reason, with nothing to copy.
func TestNoop(t *testing.T) {
	tests := []struct {
		b       *guide.Block
		inGroup bool
		want    string
	}{
		{&guide.Block{Kind: guide.KindConsole, Commands: []*guide.Command{{Text: "true"}}, Attrs: guide.Attrs{Reason: "RDO's packages start nothing"}}, true,
			"<p class=\"block-noop\">Nothing to run here: RDO&#39;s packages start nothing.</p>\n"},
		{&guide.Block{Kind: guide.KindConsole, Commands: []*guide.Command{{Text: ":"}}, Attrs: guide.Attrs{Reason: "no firewall.", Distros: []string{"debian"}}}, false,
			"<p class=\"block-noop\">Nothing to run here on Debian: no firewall.</p>\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		New(Config{Settings: settings}).Write(&b, tt.b, tt.inGroup, nil)
		if diff := cmp.Diff(tt.want, b.String()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
	for _, b := range []*guide.Block{
		{Kind: guide.KindConsole, Commands: []*guide.Command{{Text: "true"}}, Attrs: guide.Attrs{Run: true}},
		{Kind: guide.KindConsole, Commands: []*guide.Command{{Text: "true"}, {Text: "ls"}}},
		{Kind: guide.KindFile, Content: "true\n"},
	} {
		if IsNoop(b) {
			t.Errorf("IsNoop(%+v) = true", b)
		}
	}
}

// A merge given no mode or owner says the file keeps its own; the reader
// must not be told 0644 root:root when the package's 0640 stays.
func TestFileMode(t *testing.T) {
	for _, tc := range []struct {
		a    guide.Attrs
		want string
	}{
		{guide.Attrs{Mode: 0o644, Owner: "root:root", Apply: "replace"}, "mode 0644, owner root:root"},
		{guide.Attrs{Apply: "merge"}, "mode and owner as they were"},
		{guide.Attrs{Apply: "merge", Owner: "root:nova"}, "mode as it was, owner root:nova"},
		{guide.Attrs{Apply: "merge", Mode: 0o640}, "mode 0640, owner as it was"},
	} {
		if got := fileMode(&tc.a); got != tc.want {
			t.Errorf("fileMode(%+v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}
