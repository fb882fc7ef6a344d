package guide

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
)

// Markdown returns the goldmark configuration the guide is parsed with:
// CommonMark plus GitHub tables, strikethrough and task lists. Renderers
// add their own extensions on top of the same syntax.
func Markdown(extra ...goldmark.Extender) goldmark.Markdown {
	exts := append([]goldmark.Extender{extension.Table, extension.Strikethrough, extension.TaskList}, extra...)
	return goldmark.New(goldmark.WithExtensions(exts...))
}

// chapterParser turns one Markdown file into a Chapter.
type chapterParser struct {
	s   *Settings
	ch  *Chapter
	li  *lineIndex
	src []byte
	dl  *diagList

	section   *Section
	counts    map[string]int // runnable positions per section
	seenIDs   map[string]Pos // heading ids
	stepIDs   map[string]Pos // step ids, per distro key
	proseUses map[string]bool
	group     int
	closed    map[ast.Node]bool // fenced blocks that a fence closed
}

func parseChapter(s *Settings, file string, src []byte, dl *diagList) *Chapter {
	p := &chapterParser{
		s: s, src: src, dl: dl,
		li:        newLineIndex(file, src),
		ch:        &Chapter{File: file, Slug: strings.TrimSuffix(file, ".md"), Source: src},
		counts:    map[string]int{},
		seenIDs:   map[string]Pos{},
		stepIDs:   map[string]Pos{},
		proseUses: map[string]bool{},
	}
	doc, closed := parseMarkdown(src)
	p.closed = closed
	p.walk(doc)
	p.groups(doc)
	for name := range p.proseUses {
		p.ch.ProsePlaceholders = append(p.ch.ProsePlaceholders, name)
	}
	sort.Strings(p.ch.ProsePlaceholders)
	return p.ch
}

func (p *chapterParser) walk(doc ast.Node) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			p.heading(n)
		case *ast.FencedCodeBlock:
			p.checkFence(n, p.closed[n])
			p.block(n)
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock:
			p.indentedFence(n)
			return ast.WalkSkipChildren, nil
		case *ast.Link:
			p.link(n, string(n.Destination), false)
		case *ast.Image:
			p.link(n, string(n.Destination), true)
		case *ast.AutoLink:
			p.ch.Links = append(p.ch.Links, &Link{Dest: string(n.URL(p.src)), Kind: LinkExternal, Pos: p.inlinePos(n)})
		case *ast.Text:
			// goldmark splits text at characters that may start inline
			// markup, "_" among them: read a run of adjacent text nodes as
			// one, so CONTROLLER_VIP is one word.
			if prev, ok := n.PreviousSibling().(*ast.Text); ok && prev.Segment.Stop == n.Segment.Start {
				break
			}
			seg := n.Segment
			for next, ok := n.NextSibling().(*ast.Text); ok && next.Segment.Start == seg.Stop; next, ok = next.NextSibling().(*ast.Text) {
				seg.Stop = next.Segment.Stop
			}
			p.prose(seg.Value(p.src))
		case *ast.String:
			p.prose(n.Value)
		}
		return ast.WalkContinue, nil
	})
}

func (p *chapterParser) heading(h *ast.Heading) {
	title := plainText(h, p.src)
	pos := p.blockPos(h)
	id := Slugify(title)
	if id == "" {
		p.dl.add(pos, "heading %q has no letters or digits to make an id from", title)
	} else if prev, dup := p.seenIDs[id]; dup {
		p.dl.add(pos, "duplicate heading id %q (first at line %d)", id, prev.Line)
	} else {
		p.seenIDs[id] = pos
	}
	p.section = &Section{Level: h.Level, Title: title, ID: id, Pos: pos}
	p.ch.Sections = append(p.ch.Sections, p.section)
}

func (p *chapterParser) link(n ast.Node, dest string, image bool) {
	l := &Link{Dest: dest, Kind: LinkKindOf(dest), Pos: p.inlinePos(n)}
	if image {
		p.ch.Images = append(p.ch.Images, l)
	} else {
		p.ch.Links = append(p.ch.Links, l)
	}
}

func (p *chapterParser) prose(b []byte) {
	forEachUpperSnake(string(b), func(word string, _ int) {
		if _, ok := p.s.Placeholders[word]; ok || p.s.IsBuiltin(word) {
			p.proseUses[word] = true
		}
	})
}

func (p *chapterParser) block(n *ast.FencedCodeBlock) {
	b := &Block{Chapter: p.ch.File, Kind: KindPlain}
	lines := n.Lines()
	var content strings.Builder
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		content.Write(seg.Value(p.src))
	}
	b.Content = content.String()
	if lines.Len() > 0 {
		b.ContentPos = p.li.pos(lines.At(0).Start)
	}
	if n.Info != nil {
		seg := n.Info.Segment
		b.Info = string(seg.Value(p.src))
		// the fence is on the info line: report the fence's column
		b.Pos = p.fenceLinePos(seg.Start)
		p.attrs(b, seg.Start)
	} else {
		b.Pos = p.fencePosNoInfo(n)
		b.Attrs = Attrs{Nodes: NodeSel{Kind: NodesAll}, Run: true}
	}
	if p.section != nil {
		b.Section = p.section.ID
		p.section.Blocks = append(p.section.Blocks, b)
	}
	switch {
	case b.Attrs.File != "":
		b.Kind = KindFile
	case b.Lang == "console":
		b.Kind = KindConsole
	}
	p.checkKindAttrs(b)
	switch b.Kind {
	case KindConsole:
		b.Commands = parseConsole(b, lines, p.src, p.li, p.dl)
		b.Placeholders = p.consolePlaceholders(b)
	case KindFile:
		b.Placeholders = p.filePlaceholders(b)
	}
	p.ch.Blocks = append(p.ch.Blocks, b)
}

// fenceLinePos returns the position of the first non-space byte of the line
// holding offset off (the opening fence).
func (p *chapterParser) fenceLinePos(off int) Pos {
	pos := p.li.pos(off)
	start := off - (pos.Col - 1)
	col := 1
	for start+col-1 < len(p.src) && (p.src[start+col-1] == ' ' || p.src[start+col-1] == '\t') {
		col++
	}
	pos.Col = col
	return pos
}

func (p *chapterParser) fencePosNoInfo(n *ast.FencedCodeBlock) Pos {
	if n.Lines().Len() > 0 {
		first := p.li.pos(n.Lines().At(0).Start)
		if first.Line > 1 {
			return Pos{File: first.File, Line: first.Line - 1, Col: 1}
		}
	}
	// An empty block without info: find the line from the previous sibling.
	return p.blockPos(n)
}

func (p *chapterParser) attrs(b *Block, infoOff int) {
	lang, raw, err := ParseInfo(b.Info)
	b.Lang = lang
	if err != nil {
		ie := err.(*InfoError)
		p.dl.add(p.li.pos(infoOff+ie.Off), "%s", ie.Msg)
	}
	a, errs := TypedAttrs(raw, p.s.Nodes)
	for _, e := range errs {
		p.dl.add(p.li.pos(infoOff+e.Off), "%s", e.Msg)
	}
	b.Attrs = a
}

// checkKindAttrs reports attributes that make no sense for the block's
// kind, and attributes that need each other.
func (p *chapterParser) checkKindAttrs(b *Block) {
	a := &b.Attrs
	set := func(k string) bool { return slices.Contains(a.Set, k) }
	if b.Kind == KindPlain {
		for _, k := range a.Set {
			if k != "distro" {
				p.dl.add(b.Pos, "attribute %s on a %q block that never runs: only console blocks and file= blocks run", k, b.Lang)
			}
		}
		return
	}
	if b.Kind != KindFile {
		for _, k := range []string{"mode", "owner", "apply"} {
			if set(k) {
				p.dl.add(b.Pos, "attribute %s needs file=", k)
			}
		}
	} else {
		if a.Apply == "" {
			a.Apply = "replace"
		}
		// A merge leaves the mode and owner it is not given as the file
		// has them (a package's configuration file stays as readable as
		// the package made it); a replaced file gets the defaults.
		if a.Apply != "merge" {
			if a.Mode == 0 {
				a.Mode = DefaultMode
			}
			if a.Owner == "" {
				a.Owner = DefaultOwner
			}
		}
		for _, k := range []string{"background", "stop", "wait"} {
			if set(k) {
				p.dl.add(b.Pos, "attribute %s is for console blocks, not file= blocks", k)
			}
		}
		if a.Nodes.Kind == NodesLocal {
			p.dl.add(b.Pos, "file= blocks write on the nodes; nodes=local is for console blocks")
		}
	}
	if a.Timeout == 0 {
		a.Timeout = DefaultTimeout
	}
	if !a.Run && strings.TrimSpace(a.Reason) == "" {
		p.dl.add(b.Pos, "run=no needs reason=\"...\" saying why the block does not run")
	}
	if a.When == WhenLab && strings.TrimSpace(a.Reason) == "" {
		p.dl.add(b.Pos, "when=lab needs reason=\"...\" saying what readers do instead")
	}
	if a.When == WhenOwnNodes && strings.TrimSpace(a.Reason) == "" {
		p.dl.add(b.Pos, "when=own-nodes needs reason=\"...\" saying why the lab cannot run it")
	}
	if a.When != "" && !a.Run {
		p.dl.add(b.Pos, "when=%s on a run=no block: a block that never runs has no condition", a.When)
	}
	if a.Reason != "" && a.Run && a.When == "" {
		p.dl.add(b.Pos, "reason= is only for run=no, when=lab or when=own-nodes blocks")
	}
	if a.Background != "" && a.Wait > 0 {
		p.dl.add(b.Pos, "a background block cannot also wait=")
	}
	if a.Background != "" && a.Stop != "" {
		p.dl.add(b.Pos, "a block cannot start and stop a background job at once")
	}
	if a.Run {
		p.stepID(b)
	}
}

func (p *chapterParser) stepID(b *Block) {
	// A block that joins a tab group takes the id of the group's first block.
	if prev := p.groupPartner(b); prev != nil && prev.ID != "" && b.Attrs.ID == "" {
		b.ID = prev.ID
	} else if b.Attrs.ID != "" {
		b.ID = p.ch.Slug + "/" + b.Attrs.ID
	} else {
		sec := b.Section
		if sec == "" {
			sec = "start"
		}
		p.counts[sec]++
		b.ID = fmt.Sprintf("%s/%s/%d", p.ch.Slug, sec, p.counts[sec])
	}
	ds := b.Attrs.Distros
	if len(ds) == 0 {
		ds = []string{""}
	}
	for _, d := range ds {
		key := b.ID + "\x00" + d
		if prev, dup := p.stepIDs[key]; dup {
			p.dl.add(b.Pos, "step id %s is already used at line %d", b.ID, prev.Line)
			break
		}
		p.stepIDs[key] = b.Pos
	}
}

// groupPartner returns the previous block when b directly follows it and
// both carry distro= with no distro in common: the two share a tab group.
func (p *chapterParser) groupPartner(b *Block) *Block {
	if len(p.ch.Blocks) == 0 {
		return nil
	}
	prev := p.ch.Blocks[len(p.ch.Blocks)-1]
	if !p.adjacent(prev, b) || !sameGroupKind(prev, b) {
		return nil
	}
	return prev
}

func sameGroupKind(a, b *Block) bool {
	if len(a.Attrs.Distros) == 0 || len(b.Attrs.Distros) == 0 {
		return false
	}
	for _, d := range b.Attrs.Distros {
		if slices.Contains(a.Attrs.Distros, d) {
			return false
		}
	}
	return true
}

// adjacent reports whether only blank lines separate the end of block a
// from the opening fence of block b.
func (p *chapterParser) adjacent(a, b *Block) bool {
	end := a.ContentPos.Line + strings.Count(a.Content, "\n") // the closing fence line
	if a.Content == "" {
		end = a.Pos.Line + 1
	}
	if b.Pos.Line <= end {
		return false
	}
	for l := end + 1; l < b.Pos.Line; l++ {
		if strings.TrimSpace(p.lineText(l)) != "" {
			return false
		}
	}
	return true
}

func (p *chapterParser) lineText(line int) string {
	if line < 1 || line > len(p.li.starts) {
		return ""
	}
	start := p.li.starts[line-1]
	end := len(p.src)
	if line < len(p.li.starts) {
		end = p.li.starts[line] - 1
	}
	return string(p.src[start:end])
}

// groups numbers tab groups: runs of adjacent fenced blocks whose distro
// sets are all disjoint.
func (p *chapterParser) groups(ast.Node) {
	blocks := p.ch.Blocks
	for i := 0; i < len(blocks); {
		j := i + 1
		for j < len(blocks) && p.adjacent(blocks[j-1], blocks[j]) && disjointFromAll(blocks[i:j], blocks[j]) {
			j++
		}
		if j-i >= 2 {
			p.group++
			for _, b := range blocks[i:j] {
				b.Group = p.group
			}
		}
		i = j
	}
}

func disjointFromAll(run []*Block, b *Block) bool {
	for _, a := range run {
		if !sameGroupKind(a, b) {
			return false
		}
	}
	return true
}

// blockPos is the position of a block node's first line.
func (p *chapterParser) blockPos(n ast.Node) Pos {
	if l := n.Lines(); l != nil && l.Len() > 0 {
		pos := p.li.pos(l.At(0).Start)
		if _, ok := n.(*ast.Heading); ok {
			pos.Col = 1
		}
		return pos
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if pos := p.inlinePos(c); pos.Line > 0 {
			return pos
		}
	}
	return Pos{File: p.ch.File}
}

// inlinePos finds the position of an inline node from the first text
// segment under it; for links and images it steps back to the bracket.
func (p *chapterParser) inlinePos(n ast.Node) Pos {
	var off = -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || off >= 0 {
			return ast.WalkStop, nil
		}
		if t, ok := c.(*ast.Text); ok {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	if off < 0 {
		if par := n.Parent(); par != nil && par != n {
			for par != nil && par.Type() != ast.TypeBlock {
				par = par.Parent()
			}
			if par != nil && par.Lines() != nil && par.Lines().Len() > 0 {
				return p.li.pos(par.Lines().At(0).Start)
			}
		}
		return Pos{File: p.ch.File}
	}
	switch n.(type) {
	case *ast.Link:
		off--
	case *ast.Image:
		off -= 2
	case *ast.AutoLink:
		off--
	}
	if off < 0 {
		off = 0
	}
	return p.li.pos(off)
}

// plainText returns the text of an inline tree, without markup.
func plainText(n ast.Node, src []byte) string { return PlainText(n, src) }

// PlainText returns the text of an inline tree without markup, the way the
// model reads headings: soft line breaks become spaces, raw HTML is
// dropped, and the result is trimmed. A node of an extension that knows its
// own text (a PlainText() string method) gives that text. It is the one
// plain-text walk: render's search sections use it for every block that
// holds inline content (or is such a node itself).
func PlainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case interface{ PlainText() string }:
			b.WriteString(c.PlainText())
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// Slugify makes a heading id from its text: lower case, every run of
// characters other than letters and digits becomes one "-".
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}
