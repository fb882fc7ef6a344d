package guide

import (
	"io/fs"
	"strings"
)

// Guide is a loaded guide.
type Guide struct {
	// Title is the title of SUMMARY.md.
	Title    string
	Settings *Settings
	// Front is the unnumbered front page listed before the chapters, if any.
	Front *Chapter
	// Chapters are the numbered chapters in SUMMARY order.
	Chapters []*Chapter
	// FS is the file system the guide was read from.
	FS fs.FS `json:"-"`
}

// Pages returns the front page (if any) and every chapter, in order.
func (g *Guide) Pages() []*Chapter {
	var out []*Chapter
	if g.Front != nil {
		out = append(out, g.Front)
	}
	return append(out, g.Chapters...)
}

// Page returns the page with the given file name.
func (g *Guide) Page(file string) *Chapter {
	for _, c := range g.Pages() {
		if c.File == file {
			return c
		}
	}
	return nil
}

// Blocks returns every runnable block of the guide for a distro, in
// execution order. An empty distro returns every runnable block.
func (g *Guide) Blocks(distro string) []*Block {
	var out []*Block
	for _, c := range g.Pages() {
		for _, b := range c.Blocks {
			if b.Kind == KindPlain {
				continue
			}
			if distro != "" && !b.Attrs.ForDistro(distro) {
				continue
			}
			out = append(out, b)
		}
	}
	return out
}

// Chapter is one Markdown file of the guide.
type Chapter struct {
	// Number is the chapter's number in SUMMARY.md; 0 for the front page.
	Number int
	// Title is the chapter's title as SUMMARY.md gives it.
	Title string
	// File is the file name relative to the guide directory.
	File string
	// Slug is File without its .md extension.
	Slug   string
	Source []byte `json:"-"`
	// Sections are the chapter's headings in order, each with the blocks
	// that follow it up to the next heading.
	Sections []*Section
	// Blocks are every fenced block of the chapter in order.
	Blocks []*Block
	Links  []*Link
	Images []*Link
	// ProsePlaceholders are declared placeholders that the prose (outside
	// fenced blocks) names.
	ProsePlaceholders []string
}

// Section is a heading and the blocks under it.
type Section struct {
	Level  int
	Title  string
	ID     string
	Pos    Pos
	Blocks []*Block
}

// Section returns the section with the given heading id.
func (c *Chapter) Section(id string) *Section {
	for _, s := range c.Sections {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// BlockAt returns the block whose opening fence is on the given line.
func (c *Chapter) BlockAt(line int) *Block {
	for _, b := range c.Blocks {
		if b.Pos.Line == line {
			return b
		}
	}
	return nil
}

// BlockKind says what a block is.
type BlockKind string

// The kinds of fenced block.
const (
	KindConsole BlockKind = "console" // commands with expected output
	KindFile    BlockKind = "file"    // a file to write on the nodes
	KindPlain   BlockKind = "plain"   // shown, never run
)

// Block is one fenced code block.
type Block struct {
	// ID is the block's stable step id, CHAPTER/SECTION/N or its id=.
	// Plain blocks have none.
	ID string
	// Chapter is the file of the chapter the block is in.
	Chapter string
	// Section is the id of the heading above the block.
	Section string
	Kind    BlockKind
	Lang    string
	Info    string
	// Pos is the position of the opening fence.
	Pos   Pos
	Attrs Attrs
	// Content is the block's text, every line ending in a newline.
	Content string
	// ContentPos is the position of the first content line.
	ContentPos Pos
	// Commands are the commands of a console block.
	Commands []*Command
	// Placeholders are the declared or built-in placeholders the block uses,
	// sorted.
	Placeholders []string
	// Group numbers the tab group the block belongs to within its chapter
	// (1, 2, ...); 0 when it is in none.
	Group int
}

// Runnable reports whether verify runs the block (given its distro).
func (b *Block) Runnable() bool { return b.Kind != KindPlain && b.Attrs.Run }

// Command is one prompt line (and its continuation lines) of a console
// block, with the output the guide expects from it.
type Command struct {
	// Text is the command without its prompt; continuation lines are kept.
	Text string
	// Prompt is "#" or "$".
	Prompt string
	Pos    Pos
	// Expected holds the expected output lines, without newlines. Nil
	// means only the exit status is checked.
	Expected []string
	// ExpectedPos is the position of the first expected line.
	ExpectedPos Pos `json:",omitempty"`
}

// LinkKind classifies a link destination.
type LinkKind string

// The kinds of link.
const (
	LinkInternal     LinkKind = "internal"      // another page of the guide, or an anchor
	LinkInstall      LinkKind = "install"       // install:SERVICE/PAGE
	LinkInstallGuide LinkKind = "install-guide" // install-guide:PAGE
	LinkDocs         LinkKind = "docs"          // docs:PROJECT/PATH
	LinkExternal     LinkKind = "external"      // http, https, mailto
)

// Link is a link or image of a chapter.
type Link struct {
	Dest string
	Kind LinkKind
	Pos  Pos
}

// LinkKindOf classifies a link destination.
func LinkKindOf(dest string) LinkKind {
	switch {
	case strings.HasPrefix(dest, "install:"):
		return LinkInstall
	case strings.HasPrefix(dest, "install-guide:"):
		return LinkInstallGuide
	case strings.HasPrefix(dest, "docs:"):
		return LinkDocs
	case strings.Contains(dest, "://"), strings.HasPrefix(dest, "mailto:"):
		return LinkExternal
	}
	return LinkInternal
}
