package guide

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// closedFences is the parser context key of the set of fenced code blocks
// that met their closing fence.
var closedFences = parser.NewContextKey()

// fenceTracker is goldmark's fenced code block parser, which also notes in
// the parse context each block that its closing fence ends. CommonMark ends
// an unclosed block silently at the end of the document (or of the quote or
// list item holding it), so the AST alone cannot tell the two apart.
type fenceTracker struct{ parser.BlockParser }

func (f fenceTracker) Continue(n ast.Node, r text.Reader, pc parser.Context) parser.State {
	st := f.BlockParser.Continue(n, r, pc)
	if st&parser.Close != 0 {
		if closed, ok := pc.Get(closedFences).(map[ast.Node]bool); ok {
			closed[n] = true
		}
	}
	return st
}

// chapterMarkdown parses chapters: the guide's Markdown, with closing fences
// tracked. It runs just before goldmark's own fenced code block parser (700).
var chapterMarkdown = Markdown().Parser()

func init() {
	chapterMarkdown.AddOptions(parser.WithBlockParsers(util.Prioritized(fenceTracker{parser.NewFencedCodeBlockParser()}, 699)))
}

// parseMarkdown parses a chapter and returns the fenced code blocks that
// were closed by a fence of their own.
func parseMarkdown(src []byte) (ast.Node, map[ast.Node]bool) {
	closed := map[ast.Node]bool{}
	pc := parser.NewContext()
	pc.Set(closedFences, closed)
	return chapterMarkdown.Parse(text.NewReader(src), parser.WithContext(pc)), closed
}

// fence is the opening fence of a block: its character and length.
type fence struct {
	char byte
	n    int
}

func (f fence) String() string { return strings.Repeat(string(f.char), f.n) }

// openingFence reads a fence (``` or ~~~, three or more) at the start of
// line after at most three spaces, and what follows it. ok is false when
// the line does not start with a fence.
func openingFence(line string) (f fence, indent int, rest string, ok bool) {
	for indent < len(line) && indent < 4 && line[indent] == ' ' {
		indent++
	}
	if indent > 3 || indent == len(line) || (line[indent] != '`' && line[indent] != '~') {
		return fence{}, 0, "", false
	}
	f.char = line[indent]
	i := indent
	for i < len(line) && line[i] == f.char {
		i++
	}
	f.n = i - indent
	return f, indent, line[i:], f.n >= 3
}

// checkFence reports a fenced block that no fence closes, and a line in a
// block that would open a new block of the same fence: both are what a
// missing closing fence looks like. An unclosed block swallows everything
// after it (the prose and the blocks that follow), and in the middle of a
// chapter the next fence closes it, so nothing else would notice.
func (p *chapterParser) checkFence(n *ast.FencedCodeBlock, closed bool) {
	if n.Pos() < 0 || n.Pos() >= len(p.src) {
		return
	}
	open, _, _, ok := openingFence(string(p.src[n.Pos():]))
	if !ok {
		return
	}
	if !closed {
		where := "the end of the file"
		switch n.Parent().(type) {
		case *ast.Blockquote:
			where = "the end of its quote"
		case *ast.ListItem:
			where = "the end of its list item"
		}
		p.dl.add(p.li.pos(n.Pos()), "this %s fence is never closed: the block takes in everything up to %s (add a closing %s line)", open, where, open)
	}
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		line := strings.TrimRight(string(seg.Value(p.src)), "\r\n")
		f, indent, rest, ok := openingFence(line)
		info := strings.TrimSpace(rest)
		if !ok || f.char != open.char || f.n < open.n || info == "" || strings.ContainsRune(info, '`') {
			continue
		}
		pos := p.li.pos(seg.Start)
		pos.Col += indent
		opened := p.li.pos(n.Pos())
		p.dl.add(pos, "%s%s inside the block opened at line %d: is the block's closing %s missing before this line?", f, info, opened.Line, open)
	}
}

// indentedFence reports an indented code block that starts with a fence:
// a fenced block indented four spaces or more (more than its list item's
// text) is shown as text, fences and all, and never runs.
func (p *chapterParser) indentedFence(n *ast.CodeBlock) {
	lines := n.Lines()
	if lines.Len() == 0 {
		return
	}
	seg := lines.At(0)
	line := strings.TrimRight(string(seg.Value(p.src)), "\r\n")
	f, indent, _, ok := openingFence(line)
	if !ok {
		return
	}
	pos := p.li.pos(seg.Start)
	pos.Col += indent
	p.dl.add(pos, "this %s fence is indented four spaces or more (in a list item: more than the item's text), so Markdown shows the block as text, fences and all, and it never runs: indent it less", f)
}
