// Package placeholders marks the guide's placeholders (UPPER_SNAKE words
// declared in settings.toml, and the built-in NODE_NAME, NODE_ADDR and
// <NODE>_ADDR) as values to replace, in prose, in inline code and, through
// [Write] and [Find], in highlighted blocks.
//
// Markup: every use is only the name,
//
//	<var>CONTROLLER_VIP</var>
//
// (secret values add the class "secret"), and the
// meanings are written once per page, after its last section, in a list
// of the placeholders the page uses, in order of first use:
//
//	<section class="ph-list">
//	<h2 id="values_to_replace">Values to replace</h2>
//	<dl><dt><var>CONTROLLER_VIP</var></dt><dd id="ph-CONTROLLER_VIP" data-type="ipv4" data-example="10.0.0.10">MEANING (for example 10.0.0.10)</dd>…</dl>
//	</section>
//
// (ids prefixed SLUG-- in the print view; data-type is the
// placeholder's guide.ValueType, data-example its example, left out for
// secrets). The site's script builds the reader's values form from it. Heading ids are lower case
// without "_", so these ids never meet one. A page repeats a placeholder
// dozens of times; its meaning, once. The site's script makes each use
// focusable, describes it by its entry (aria-describedby) and shows the
// entry's text beside it on hover and focus; without the script the list
// is there to read. Words written as shell variables ($NAME, ${NAME}) and
// words inside links are left alone.
package placeholders

import (
	"html"
	"io"
	"strings"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render/internal/pagectx"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Info describes one placeholder.
type Info struct {
	Name    string
	Meaning string
	Example string
	Secret  bool
	Builtin bool
	// Type is the name of the placeholder's guide.ValueType.
	Type string
}

// Title is the text shown on hover and focus.
func (i Info) Title() string {
	t := strings.TrimSpace(i.Meaning)
	switch {
	case i.Secret:
		t += " (a secret: choose your own)"
	case i.Example != "":
		t += " (for example " + i.Example + ")"
	}
	return t
}

// Lookup returns what the guide says about a placeholder: its declaration
// in settings, or the meaning of a built-in one (guide.Settings.Builtins).
func Lookup(s *guide.Settings, name string) (Info, bool) {
	if s == nil {
		return Info{}, false
	}
	if p, ok := s.Placeholders[name]; ok {
		t, _ := s.ValueType(name)
		return Info{Name: name, Meaning: p.Meaning, Example: p.Example, Secret: p.Secret || t.Secret, Type: t.Name}, true
	}
	b, ok := s.Builtin(name)
	if !ok {
		return Info{}, false
	}
	inf := Info{Name: name, Meaning: b.Meaning, Builtin: true, Type: b.Type}
	if b.PerNode() && !b.Addr && len(s.Nodes) > 0 {
		inf.Example = s.Nodes[0]
	}
	return inf, true
}

// Span is one placeholder in a text: text[Start:End] == Name.
type Span struct {
	Start, End int
	Name       string
}

// Find returns the UPPER_SNAKE words of text that keep accepts, skipping
// words written as shell variables ($NAME, ${NAME}). A word is a maximal
// run of capitals, digits and underscores with an underscore inside, as
// the guide model reads them.
func Find(text string, keep func(name string) bool) []Span {
	var out []Span
	guide.PlaceholderWords(text, func(w string, i int) {
		shellVar := i > 0 && (text[i-1] == '$' || i > 1 && text[i-1] == '{' && text[i-2] == '$')
		if !shellVar && keep(w) {
			out = append(out, Span{Start: i, End: i + len(w), Name: w})
		}
	})
	return out
}

// Write writes the markup of one use of a placeholder and notes the use on
// the page (nil: no page), whose list then explains it.
func Write(w io.Writer, inf Info, page *pagectx.Page) {
	page.UsePlaceholder(inf.Name)
	writeVar(w, inf)
}

func writeVar(w io.Writer, inf Info) {
	open := "<var>"
	if inf.Secret {
		open = `<var class="secret">`
	}
	_, _ = io.WriteString(w, open+html.EscapeString(inf.Name)+`</var>`)
}

// textEscaper escapes what text content needs escaped; quotes need it
// only in attributes, and code is full of them.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EscapeText escapes s for HTML text content (not for attribute values).
func EscapeText(s string) string { return textEscaper.Replace(s) }

// WriteText writes text escaped for HTML text content with its
// placeholders (as Find returns them for keep) marked, noting them on the
// page.
func WriteText(w io.Writer, text string, s *guide.Settings, keep func(string) bool, page *pagectx.Page) {
	last := 0
	for _, sp := range Find(text, keep) {
		inf, ok := Lookup(s, sp.Name)
		if !ok {
			continue
		}
		_, _ = io.WriteString(w, EscapeText(text[last:sp.Start]))
		Write(w, inf, page)
		last = sp.End
	}
	_, _ = io.WriteString(w, EscapeText(text[last:]))
}

// ListID is the page-local id of the list of placeholders (its heading),
// and EntryID the id of one placeholder's meaning in it.
const ListID = "values_to_replace"

// EntryID is the page-local id of a placeholder's entry in the list.
func EntryID(name string) string { return "ph-" + name }

// ListKind is the kind of the List node.
var ListKind = ast.NewNodeKind("PlaceholderList")

// List is the page's list of placeholders with their meanings, the last
// node of the document; it renders the placeholders the page used before
// it, and nothing when there were none.
type List struct {
	ast.BaseBlock
	Page *pagectx.Page
}

// Kind implements ast.Node.
func (l *List) Kind() ast.NodeKind { return ListKind }

// Dump implements ast.Node.
func (l *List) Dump(src []byte, level int) { ast.DumpHelper(l, src, level, nil, nil) }

// PlainText keeps the list out of the page's text for search.
func (l *List) PlainText() string { return "" }

// WriteList writes the list of the placeholders a page used.
func WriteList(w io.Writer, s *guide.Settings, page *pagectx.Page) {
	names := page.Placeholders()
	if len(names) == 0 {
		return
	}
	id := html.EscapeString(page.ID(ListID))
	// No accessible name on the section: it would make it a landmark, one
	// per chapter of the print view, all of the same name.
	_, _ = io.WriteString(w, `<section class="ph-list">`+"\n"+
		`<h2 id="`+id+`">Values to replace</h2>`+"\n"+
		`<p>The words in this style on this page stand for values of your own deployment:</p>`+"\n<dl>\n")
	for _, n := range names {
		inf, _ := Lookup(s, n)
		_, _ = io.WriteString(w, "<dt>")
		writeVar(w, inf)
		_, _ = io.WriteString(w, `</dt><dd id="`+html.EscapeString(page.ID(EntryID(n)))+`"`+dataAttrs(inf)+`>`+EscapeText(inf.Title())+"</dd>\n")
	}
	_, _ = io.WriteString(w, "</dl>\n</section>\n")
}

// dataAttrs are what the site's values form needs of a placeholder: its
// type (by which it checks the reader's value) and, but for secrets, its
// example.
func dataAttrs(inf Info) string {
	a := ""
	if inf.Type != "" {
		a += ` data-type="` + html.EscapeString(inf.Type) + `"`
	}
	if inf.Example != "" && !inf.Secret {
		a += ` data-example="` + html.EscapeString(inf.Example) + `"`
	}
	return a
}

// Kind is the kind of a placeholder node.
var Kind = ast.NewNodeKind("Placeholder")

// Node is a placeholder in prose.
type Node struct {
	ast.BaseInline
	Info Info
	// Page is the page the placeholder is on, which lists its meaning.
	Page *pagectx.Page
}

// Kind implements ast.Node.
func (n *Node) Kind() ast.NodeKind { return Kind }

// Dump implements ast.Node.
func (n *Node) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Name": n.Info.Name}, nil)
}

// PlainText is the placeholder's name.
func (n *Node) PlainText() string { return n.Info.Name }

// Extension marks placeholders in prose and inline code.
type Extension struct {
	settings *guide.Settings
}

// New returns the extension for a guide's settings.
func New(s *guide.Settings) *Extension { return &Extension{settings: s} }

// Extend adds the transformer and the renderers.
func (e *Extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(e, 600)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(e, 100)))
}

func (e *Extension) known(name string) bool {
	_, ok := Lookup(e.settings, name)
	return ok
}

// Transform splits text nodes around placeholders.
func (e *Extension) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	page := pagectx.From(pc)
	if page != nil {
		doc.AppendChild(doc, &List{Page: page})
	}
	var texts []*ast.Text
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link, *ast.Image, *ast.AutoLink, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			// goldmark splits text at every _ (a possible emphasis):
			// join the pieces so that a placeholder is one text again.
			for next, ok := n.NextSibling().(*ast.Text); ok && mergeable(n) && n.Merge(next, src); next, ok = n.NextSibling().(*ast.Text) {
				n.Parent().RemoveChild(n.Parent(), next)
			}
			texts = append(texts, n)
		}
		return ast.WalkContinue, nil
	})
	for _, t := range texts {
		e.split(t, src, page)
	}
}

// mergeable reports whether a text may take in the text that follows it.
func mergeable(t *ast.Text) bool {
	return t.Segment.Len() > 0 && !t.SoftLineBreak() && !t.HardLineBreak()
}

func (e *Extension) split(t *ast.Text, src []byte, page *pagectx.Page) {
	seg := t.Segment
	spans := Find(string(seg.Value(src)), e.known)
	if len(spans) == 0 {
		return
	}
	parent := t.Parent()
	last := 0
	add := func(n ast.Node) { parent.InsertBefore(parent, t, n) }
	piece := func(from, to int) *ast.Text {
		p := ast.NewTextSegment(text.NewSegment(seg.Start+from, seg.Start+to))
		p.SetRaw(t.IsRaw())
		add(p)
		return p
	}
	for _, sp := range spans {
		if sp.Start > last {
			piece(last, sp.Start)
		}
		inf, _ := Lookup(e.settings, sp.Name)
		add(&Node{Info: inf, Page: page})
		last = sp.End
	}
	// The remainder keeps the line break that ended the original text.
	rest := piece(last, seg.Len())
	rest.SetSoftLineBreak(t.SoftLineBreak())
	rest.SetHardLineBreak(t.HardLineBreak())
	parent.RemoveChild(parent, t)
}

// RegisterFuncs renders placeholders and code spans that may hold them.
func (e *Extension) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(Kind, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			Write(w, n.(*Node).Info, n.(*Node).Page)
		}
		return ast.WalkSkipChildren, nil
	})
	reg.Register(ListKind, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			WriteList(w, e.settings, n.(*List).Page)
		}
		return ast.WalkSkipChildren, nil
	})
	reg.Register(ast.KindCodeSpan, renderCodeSpan)
}

// renderCodeSpan is goldmark's code span with placeholder children.
func renderCodeSpan(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</code>")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<code>")
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := string(c.Segment.Value(src))
			v = strings.TrimSuffix(v, "\n")
			if len(v) < c.Segment.Len() {
				v += " "
			}
			_, _ = w.WriteString(html.EscapeString(v))
		case *Node:
			Write(w, c.Info, c.Page)
		}
	}
	return ast.WalkSkipChildren, nil
}
