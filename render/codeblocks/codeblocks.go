// Package codeblocks renders the guide's fenced blocks: console blocks
// (commands with their prompts and expected output), file blocks (a file
// written on the nodes) and plain blocks, highlighted with chroma into CSS
// classes (never inline styles), with the guide's placeholders marked and
// a caption saying where and how a runnable block runs. No copy button:
// the site's script adds one ([CopyText] is what it copies).
//
// Every fenced block is replaced by a [Block] node that carries the guide
// model's [guide.Block], found by the line of its opening fence. Markup:
//
//	<figure class="block console" data-step="04-cluster-stack/install/1" data-distros="debian ubuntu" data-nodes="controller1">
//	  <figcaption>…where, file, background… <details class="verify">…</details></figcaption>
//	  <pre class="chroma" tabindex="0"><code>
//	    <span class="cmd">…highlighted command…</span>
//	    <span class="cmd user">…a command with the prompt $…</span>
//	    <span class="output">expected output</span>
//	  </code></pre>
//	</figure>
//
// data-nodes, on a block that runs on some of the nodes only (the first,
// all but the first, or one named), lists them, so that the site's script
// fills NODE_NAME and NODE_ADDR in for the right node.
//
// The prompt is not in the text: the site's CSS shows "# " (root) or "$ "
// (user) before each command, so that selecting or copying the text never
// takes it. The text of each span.cmd is exactly the command
// ([guide.Command].Text), so the site's script builds the copy button
// and its text ([CopyText]) from the code itself rather than from a second
// copy of every block in the page.
package codeblocks

import (
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/haguide/haguide/distros"
	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/haguide/haguide/render/placeholders"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Kind is the kind of a Block node.
var Kind = ast.NewNodeKind("GuideBlock")

// Block is a fenced block with what the guide model knows about it.
type Block struct {
	ast.BaseBlock
	// Page is the page the block is on, which lists the placeholders it
	// shows; nil outside a page.
	Page *pagectx.Page
	// Model is the guide model's block; never nil (a block the model does
	// not know is treated as plain).
	Model *guide.Block
	// InGroup is set by the tabs extension when the block is one panel of
	// a tab group, whose tab names its distros.
	InGroup bool

	ext *Extension // for the caption's text
}

// Kind implements ast.Node.
func (b *Block) Kind() ast.NodeKind { return Kind }

// IsRaw implements ast.Node: the block's lines are not Markdown.
func (b *Block) IsRaw() bool { return true }

// Dump implements ast.Node.
func (b *Block) Dump(src []byte, level int) {
	ast.DumpHelper(b, src, level, map[string]string{"Kind": string(b.Model.Kind), "Line": fmt.Sprint(b.Model.Pos.Line)}, nil)
}

// PlainText is the text a reader sees in the block, for search: its
// caption, then the commands of a console block (not the prompts or the
// expected output) or the content of another block.
func (b *Block) PlainText() string {
	if IsNoop(b.Model) {
		return "Nothing to run here: " + b.Model.Attrs.Reason
	}
	code := b.Model.Content
	if b.Model.Kind == guide.KindConsole && len(b.Model.Commands) > 0 {
		code = CopyText(b.Model)
	}
	if b.ext == nil {
		return code
	}
	_, caption := b.ext.caption(b.Model, b.InGroup)
	return caption + "\n" + code
}

// Config configures the extension.
type Config struct {
	// Settings are the guide's settings: placeholders and nodes.
	Settings *guide.Settings
	// Plain are chroma classes not worth a span: they look like the text
	// around them in every theme ([render.PlainClasses]).
	Plain []string
	// Same maps a chroma class to the one written in its place, which
	// looks the same in every theme ([render.SameClasses]); neighbouring
	// tokens of one class then share a span.
	Same map[string]string
}

// Extension is the goldmark extension.
type Extension struct {
	cfg   Config
	plain map[string]bool
	// tokens caches chroma's tokens by lexer and code: a page and its
	// print view show the same blocks, and distro variants often repeat
	// a command, so each text is highlighted once per renderer.
	tokens sync.Map // tokenKey -> *tokenEntry
	// lexed counts the texts chroma tokenised, for the tests.
	lexed atomic.Int64
}

type tokenKey struct {
	lexer, code string
}

// tokenEntry is one text's tokens, computed once even when two pages ask
// for them at the same time.
type tokenEntry struct {
	once sync.Once
	toks []chroma.Token
	err  error
}

// New returns the extension.
func New(cfg Config) *Extension {
	if cfg.Settings == nil {
		cfg.Settings = &guide.Settings{}
	}
	e := &Extension{cfg: cfg, plain: map[string]bool{}}
	for _, c := range cfg.Plain {
		e.plain[c] = true
	}
	return e
}

// Extend adds the transformer and the renderer.
func (e *Extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(e, 300)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(e, 100)))
}

// Transform replaces fenced code blocks with Block nodes.
func (e *Extension) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	page := pagectx.From(pc)
	src := reader.Source()
	var nodes []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			if entering {
				nodes = append(nodes, n)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, n := range nodes {
		var m *guide.Block
		f, fenced := n.(*ast.FencedCodeBlock)
		if fenced && page != nil && page.Chapter != nil {
			if line := fenceLine(page, f); line > 0 {
				m = page.Chapter.BlockAt(line)
			}
		}
		if m == nil {
			m = plainModel(n, f, src)
		}
		b := &Block{Model: m, Page: page, ext: e}
		b.SetLines(n.Lines())
		b.SetBlankPreviousLines(n.HasBlankPreviousLines())
		parent := n.Parent()
		parent.ReplaceChild(parent, n, b)
	}
}

// fenceLine is the line of a block's opening fence, as the model counts it.
func fenceLine(page *pagectx.Page, f *ast.FencedCodeBlock) int {
	if f.Info != nil {
		return page.Line(f.Info.Segment.Start)
	}
	if f.Lines().Len() > 0 {
		return page.Line(f.Lines().At(0).Start) - 1
	}
	return 0
}

// plainModel makes a plain block for a fence the model does not know, or
// an indented code block.
func plainModel(n ast.Node, f *ast.FencedCodeBlock, src []byte) *guide.Block {
	var b strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		b.Write(seg.Value(src))
	}
	lang := ""
	if f != nil && f.Info != nil {
		lang, _, _ = guide.ParseInfo(string(f.Info.Segment.Value(src)))
	}
	return &guide.Block{Kind: guide.KindPlain, Lang: lang, Content: b.String(),
		Attrs: guide.Attrs{Nodes: guide.NodeSel{Kind: guide.NodesAll}, Run: true}}
}

// RegisterFuncs registers the Block renderer.
func (e *Extension) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(Kind, e.render)
}

func (e *Extension) render(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	b := n.(*Block)
	e.Write(w, b.Model, b.InGroup, b.Page)
	return ast.WalkSkipChildren, nil
}

// Write writes the HTML of one block. inGroup leaves the distro label to
// the tab that shows the block; page (nil: none) learns the placeholders
// and the chroma classes the block shows.
func (e *Extension) Write(w io.Writer, b *guide.Block, inGroup bool, page *pagectx.Page) {
	if IsNoop(b) {
		// Nothing for a reader to run or copy: only why.
		on := ""
		if len(b.Attrs.Distros) > 0 && !inGroup {
			on = " on " + DistroNames(b.Attrs.Distros)
		}
		io.WriteString(w, `<p class="block-noop">Nothing to run here`+html.EscapeString(on)+": "+html.EscapeString(strings.TrimSuffix(b.Attrs.Reason, "."))+".</p>\n")
		return
	}
	cls := "block " + string(b.Kind)
	if b.Kind != guide.KindPlain {
		switch {
		case !b.Attrs.Run:
			cls += " norun"
		case b.Attrs.When == guide.WhenLab:
			cls += " labonly"
		case b.Attrs.When == guide.WhenOwnNodes:
			cls += " ownonly"
		default:
			cls += " runs"
		}
	}
	fmt.Fprintf(w, `<figure class="%s"`, cls)
	if b.ID != "" {
		fmt.Fprintf(w, ` data-step="%s"`, html.EscapeString(b.ID))
	}
	if len(b.Attrs.Distros) > 0 && !inGroup {
		// In a tab group the panel says it.
		fmt.Fprintf(w, ` data-distros="%s"`, html.EscapeString(strings.Join(b.Attrs.Distros, " ")))
	}
	if n := b.Attrs.Nodes; b.Kind != guide.KindPlain && (n.Kind == guide.NodesFirst || n.Kind == guide.NodesOthers || n.Kind == guide.NodesNamed) {
		// The nodes the block runs on, by which the site's script fills in
		// NODE_NAME and NODE_ADDR with the reader's values.
		fmt.Fprintf(w, ` data-nodes="%s"`, html.EscapeString(strings.Join(n.Resolve(e.cfg.Settings.Nodes), " ")))
	}
	io.WriteString(w, ">")
	if caption, _ := e.caption(b, inGroup); caption != "" {
		io.WriteString(w, "<figcaption>"+caption+"</figcaption>")
	}
	// No language-LANG class: nothing reads it, and the longest chapters
	// have 50 to 60 blocks (the page weight, docs/site.md).
	io.WriteString(w, `<pre class="chroma" tabindex="0"><code>`)
	if b.Kind == guide.KindConsole && len(b.Commands) > 0 {
		e.writeConsole(w, b, page)
	} else {
		e.writeCode(w, b.Content, lexerFor(b.Lang), e.keepFor(b), page)
	}
	io.WriteString(w, "</code></pre></figure>\n")
}

// IsNoop reports whether a block is there only to say that a step has
// nothing to do (on its distros): a console block that does not run and
// whose only command is true or ":". The page shows its reason instead.
func IsNoop(b *guide.Block) bool {
	if b.Kind != guide.KindConsole || b.Attrs.Run || len(b.Commands) == 0 {
		return false
	}
	for _, c := range b.Commands {
		if t := strings.TrimSpace(c.Text); t != "true" && t != ":" {
			return false
		}
	}
	return true
}

// CopyText is what a block's copy button copies: the commands of a console
// block (no prompts, no expected output, placeholders as written), or the
// content of any other block.
func CopyText(b *guide.Block) string {
	if b.Kind == guide.KindConsole && len(b.Commands) > 0 {
		var cmds []string
		for _, c := range b.Commands {
			cmds = append(cmds, c.Text)
		}
		return strings.Join(cmds, "\n")
	}
	return strings.TrimRight(b.Content, "\n")
}

// keepFor says which placeholders a block's code marks: the ones the
// model found in a runnable block (shell variables excluded), any
// declared one in a plain block.
func (e *Extension) keepFor(b *guide.Block) func(string) bool {
	if b.Kind == guide.KindPlain {
		return e.known
	}
	return func(name string) bool {
		for _, p := range b.Placeholders {
			if p == name {
				return true
			}
		}
		return false
	}
}

func (e *Extension) known(name string) bool {
	_, ok := placeholders.Lookup(e.cfg.Settings, name)
	return ok
}

func (e *Extension) writeConsole(w io.Writer, b *guide.Block, page *pagectx.Page) {
	keep := e.keepFor(b)
	bash := lexerFor("bash")
	// The block's commands are lexed as one text (a call per command
	// cost a quarter more), then cut back into commands.
	texts := make([]string, len(b.Commands))
	for i, c := range b.Commands {
		texts[i] = c.Text
	}
	all, lexed := e.tokenise(bash, strings.Join(texts, "\n"))
	off := 0
	for _, c := range b.Commands {
		cls := "cmd"
		if c.Prompt == "$" {
			cls += " user"
		}
		io.WriteString(w, `<span class="`+cls+`">`)
		if lexed {
			e.writeTokens(w, c.Text, sliceTokens(all, off, off+len(c.Text)), keep, page)
		} else {
			placeholders.WriteText(w, c.Text, e.cfg.Settings, keep, page)
		}
		off += len(c.Text) + 1
		io.WriteString(w, "</span>\n")
		for _, out := range c.Expected {
			cls := "output"
			if strings.TrimSpace(out) == "..." {
				cls += " gap"
			}
			io.WriteString(w, `<span class="`+cls+`">`)
			placeholders.WriteText(w, out, e.cfg.Settings, e.known, page)
			io.WriteString(w, "</span>\n")
		}
	}
}

// sliceTokens returns the tokens of text[from:to], given the tokens of
// text, cutting the tokens at either end.
func sliceTokens(toks []chroma.Token, from, to int) []chroma.Token {
	var out []chroma.Token
	off := 0
	for _, t := range toks {
		start, end := off, off+len(t.Value)
		off = end
		if end <= from {
			continue
		}
		if start >= to {
			break
		}
		out = append(out, chroma.Token{Type: t.Type, Value: t.Value[max(start, from)-start : min(end, to)-start]})
	}
	return out
}

// lexerFor returns the chroma lexer for a block's language: bash for
// shell, ini for cfg, plain text for text, none and anything unknown.
func lexerFor(lang string) chroma.Lexer {
	var l chroma.Lexer
	switch strings.ToLower(lang) {
	case "", "text", "none", "plain", "txt", "output":
	case "console", "sh", "shell":
		l = lexers.Get("bash")
	default:
		l = lexers.Get(lang)
	}
	if l == nil {
		l = lexers.Get("plaintext")
	}
	return chroma.Coalesce(l)
}

// writeCode highlights code into spans with chroma's class names and marks
// the placeholders keep accepts. A placeholder the lexer split over several
// tokens is kept whole, in the class of its first token.
func (e *Extension) writeCode(w io.Writer, code string, l chroma.Lexer, keep func(string) bool, page *pagectx.Page) {
	toks, ok := e.tokenise(l, code)
	if !ok {
		placeholders.WriteText(w, code, e.cfg.Settings, keep, page)
		return
	}
	e.writeTokens(w, code, toks, keep, page)
}

// writeTokens writes code from its tokens (which may end with a newline
// the lexer added).
func (e *Extension) writeTokens(w io.Writer, code string, toks []chroma.Token, keep func(string) bool, page *pagectx.Page) {
	spans := placeholders.Find(code, keep)
	// The cached tokens are shared: work on a copy.
	toks = mergeAcross(slices.Clone(toks), spans)
	// The lexer may add a final newline; the block's own text decides.
	if !strings.HasSuffix(code, "\n") && len(toks) > 0 {
		last := &toks[len(toks)-1]
		last.Value = strings.TrimSuffix(last.Value, "\n")
	}
	off, si := 0, 0
	open := "" // the class of the span left open for the next token
	for _, t := range toks {
		start, end := off, min(off+len(t.Value), len(code))
		off = end
		cls := class(t.Type)
		if same, ok := e.cfg.Same[cls]; ok {
			cls = same
		}
		if e.plain[cls] {
			cls = ""
		}
		if cls != open {
			if open != "" {
				io.WriteString(w, "</span>")
			}
			if cls != "" {
				page.UseClass(cls)
				io.WriteString(w, `<span class="`+cls+`">`)
			}
			open = cls
		}
		last := start
		for ; si < len(spans) && spans[si].End <= end; si++ {
			sp := spans[si]
			io.WriteString(w, placeholders.EscapeText(code[last:sp.Start]))
			inf, _ := placeholders.Lookup(e.cfg.Settings, sp.Name)
			placeholders.Write(w, inf, page)
			last = sp.End
		}
		io.WriteString(w, placeholders.EscapeText(code[last:end]))
	}
	if open != "" {
		io.WriteString(w, "</span>")
	}
	if off < len(code) {
		// Tokens fell short of the text (never expected): keep the rest.
		placeholders.WriteText(w, code[off:], e.cfg.Settings, keep, page)
	}
}

// tokenise returns chroma's tokens for code, from the cache when this
// lexer saw the same code before. ok is false when the lexer failed or its
// tokens do not add up to the code (the caller then writes plain text).
func (e *Extension) tokenise(l chroma.Lexer, code string) (toks []chroma.Token, ok bool) {
	key := tokenKey{lexer: l.Config().Name, code: code}
	v, _ := e.tokens.LoadOrStore(key, &tokenEntry{})
	ent := v.(*tokenEntry)
	ent.once.Do(func() {
		e.lexed.Add(1)
		it, err := l.Tokenise(nil, code)
		if err != nil {
			ent.err = err
			return
		}
		ent.toks = it.Tokens()
		var joined strings.Builder
		for _, t := range ent.toks {
			joined.WriteString(t.Value)
		}
		if j := joined.String(); j != code && j != code+"\n" {
			ent.err = fmt.Errorf("tokens do not add up to the code")
		}
	})
	return ent.toks, ent.err == nil
}

// mergeAcross joins tokens so that no placeholder span crosses a token
// boundary; the joined token keeps the type of its first part. Spans are
// sorted and disjoint.
func mergeAcross(toks []chroma.Token, spans []placeholders.Span) []chroma.Token {
	if len(spans) == 0 {
		return toks
	}
	out := make([]chroma.Token, 0, len(toks))
	off, si := 0, 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		end := off + len(t.Value)
		for {
			for si < len(spans) && spans[si].End <= end {
				si++
			}
			// spans[si], if any, ends after this token: does it start inside?
			if si == len(spans) || spans[si].Start >= end || i+1 == len(toks) {
				break
			}
			i++
			t.Value += toks[i].Value
			end += len(toks[i].Value)
		}
		out = append(out, t)
		off = end
	}
	return out
}

// class returns chroma's CSS class for a token type, walking up to its
// category as chroma's HTML formatter does.
func class(t chroma.TokenType) string {
	for tt := t; tt != 0; tt = tt.Parent() {
		if cls, ok := chroma.StandardTypes[tt]; ok {
			return cls
		}
	}
	return ""
}

// caption writes the caption of a block: where it runs, the file it
// writes and what keeps running; as HTML and as the plain text a reader
// sees in it (for search), from the same calls. What concerns only
// haguide verify (retries, time limits, why it does not run a block)
// goes into a closed "haguide verify" detail at its end, kept out of the
// text.
func (e *Extension) caption(b *guide.Block, inGroup bool) (htm, text string) {
	var c captionWriter
	a := &b.Attrs
	if b.Kind != guide.KindPlain {
		verb := "Run on"
		if b.Kind == guide.KindFile {
			verb = "Write on"
		}
		c.part()
		c.span("where", e.where(verb, a.Nodes))
	}
	if b.Kind == guide.KindFile {
		apply := "replaces the whole file"
		if a.Apply == "merge" {
			apply = "sets only the keys shown, in the sections shown; the rest of the file stays"
		}
		c.part()
		c.open("file")
		c.code(a.File)
		c.words(" ")
		c.span("file-mode", fileMode(a))
		c.words(" ")
		c.span("apply apply-"+orDefault(a.Apply, "replace"), apply)
		c.close()
	}
	if len(a.Distros) > 0 && !inGroup {
		c.part()
		c.span("distros", "For "+DistroNames(a.Distros)+" only")
	}
	if b.Kind != guide.KindPlain {
		c.background(a)
		c.verify(a)
	}
	return c.html.String(), c.text.String()
}

// background writes what a block leaves running or stops first: the
// reader does it too.
func (c *captionWriter) background(a *guide.Attrs) {
	if a.Background == "" && a.Stop == "" {
		return
	}
	c.part()
	c.open("timing")
	if a.Background != "" {
		c.words("keeps running in the background as ")
		c.code(a.Background)
	}
	if a.Stop != "" {
		if a.Background != "" {
			c.words("; ")
		}
		c.words("first stops ")
		c.code(a.Stop)
	}
	c.close()
}

// verify writes, in a closed detail that search does not index, how
// haguide verify treats the block: not at all (and why), only in the lab
// or on the reader's nodes, its retries and time limit.
func (c *captionWriter) verify(a *guide.Attrs) {
	var parts []string
	switch {
	case !a.Run:
		parts = append(parts, "Does not run this block: "+a.Reason)
	case a.When == guide.WhenLab:
		parts = append(parts, "Runs this block in the lab only: "+a.Reason)
	case a.When == guide.WhenOwnNodes:
		parts = append(parts, "Runs this block on your own nodes only: "+a.Reason)
	}
	if a.Wait > 0 {
		parts = append(parts, "retries it for up to "+duration(a.Wait))
	}
	if a.Timeout > 0 && setAttr(a, "timeout") {
		parts = append(parts, "stops each try after "+duration(a.Timeout))
	}
	if len(parts) > 0 && parts[0][0] >= 'a' && parts[0][0] <= 'z' {
		parts[0] = strings.ToUpper(parts[0][:1]) + parts[0][1:]
	}
	if len(parts) == 0 {
		return
	}
	cls := "verify"
	if !a.Run {
		cls += " norun"
	}
	c.html.WriteString(` <details class="` + cls + `"><summary>haguide verify</summary>` +
		html.EscapeString(strings.TrimSuffix(strings.Join(parts, "; "), ".")+".") + `</details>`)
}

// captionWriter writes a caption's HTML and its plain text side by side.
type captionWriter struct {
	html, text strings.Builder
}

// part separates the caption's parts with a space.
func (c *captionWriter) part() {
	if c.html.Len() > 0 {
		c.words(" ")
	}
}

func (c *captionWriter) open(class string) {
	c.html.WriteString(`<span class="` + html.EscapeString(class) + `">`)
}

func (c *captionWriter) close() { c.html.WriteString("</span>") }

func (c *captionWriter) words(s string) {
	c.html.WriteString(html.EscapeString(s))
	c.text.WriteString(s)
}

func (c *captionWriter) code(s string) {
	c.html.WriteString("<code>" + html.EscapeString(s) + "</code>")
	c.text.WriteString(s)
}

func (c *captionWriter) span(class, s string) {
	c.open(class)
	c.words(s)
	c.close()
}

// where says in words where a block runs, in the guide's terms: its
// nodes are controllers when all their names say so. (The words say it
// all: a title repeating them on every block of a page would only weigh.)
func (e *Extension) where(verb string, n guide.NodeSel) string {
	nodes := e.cfg.Settings.Nodes
	noun := "controller"
	for _, name := range nodes {
		if !strings.HasPrefix(name, "controller") {
			noun = "node"
		}
	}
	switch n.Kind {
	case guide.NodesAll, "":
		return verb + " every " + noun
	case guide.NodesFirst, guide.NodesOthers:
		ns := n.Resolve(nodes)
		if len(ns) == 0 {
			return ""
		}
		if len(ns) == 1 {
			return verb + " " + ns[0]
		}
		return verb + " " + strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
	case guide.NodesEach:
		return verb + " each " + noun + " in turn"
	case guide.NodesNamed:
		return verb + " " + n.Name
	case guide.NodesLocal:
		return verb + " your workstation"
	}
	return ""
}

// DistroNames joins the display names of distro ids: "Ubuntu, Debian".
func DistroNames(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = DistroName(id)
	}
	return strings.Join(names, ", ")
}

// DistroName is a distro's display name, or its id when unknown.
func DistroName(id string) string {
	if d, ok := distros.Lookup(id); ok {
		return d.Name
	}
	return id
}

func setAttr(a *guide.Attrs, key string) bool {
	for _, k := range a.Set {
		if k == key {
			return true
		}
	}
	return false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// duration prints 90s as "1m30s" and 5m as "5m".
func duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// fileMode says what mode and owner a file block leaves: a merge given
// neither keeps the file's own.
func fileMode(a *guide.Attrs) string {
	switch {
	case a.Mode == 0 && a.Owner == "":
		return "mode and owner as they were"
	case a.Mode == 0:
		return "mode as it was, owner " + a.Owner
	case a.Owner == "":
		return fmt.Sprintf("mode %04o, owner as it was", uint32(a.Mode.Perm()))
	}
	return fmt.Sprintf("mode %04o, owner %s", uint32(a.Mode.Perm()), a.Owner)
}
