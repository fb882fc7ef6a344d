package guide

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// SummaryFile is the name of the table of contents.
const SummaryFile = "SUMMARY.md"

// Load reads a guide from fsys: settings.toml, SUMMARY.md and every page it
// lists. It returns the guide (as much of it as could be read) and, when
// anything is wrong with the files, the problems as [Diagnostics].
// Cross-file problems (links, tab group coverage, unused placeholders) are
// left to [Guide.Check].
func Load(fsys fs.FS) (*Guide, error) {
	dl := &diagList{}
	g := &Guide{FS: fsys}
	data, err := fs.ReadFile(fsys, SettingsFile)
	if err != nil {
		dl.add(Pos{File: SettingsFile}, "cannot read the guide's settings: %v", pathless(err))
		g.Settings = &Settings{}
	} else {
		g.Settings = parseSettings(data, dl)
	}
	src, err := fs.ReadFile(fsys, SummaryFile)
	if err != nil {
		dl.add(Pos{File: SummaryFile}, "cannot read the table of contents: %v", pathless(err))
		return g, result(dl)
	}
	entries := parseSummary(src, dl)
	if len(entries) > 0 {
		g.Title = entries[0].title
	}
	listed := map[string]bool{}
	for _, e := range entries[1:] {
		if listed[e.file] {
			dl.add(e.pos, "%s is listed twice", e.file)
			continue
		}
		listed[e.file] = true
		body, err := fs.ReadFile(fsys, e.file)
		if err != nil {
			dl.add(e.pos, "SUMMARY entry %q has no file: %v", e.file, pathless(err))
			continue
		}
		ch := parseChapter(g.Settings, e.file, body, dl)
		ch.Title, ch.Number = e.title, e.number
		if e.number == 0 {
			if g.Front != nil {
				dl.add(e.pos, "only one unnumbered front page may come before the chapters")
			}
			g.Front = ch
		} else {
			g.Chapters = append(g.Chapters, ch)
		}
	}
	// Every Markdown file beside SUMMARY.md must be listed in it.
	files, _ := fs.Glob(fsys, "*.md")
	for _, f := range files {
		if f != SummaryFile && !listed[f] {
			dl.add(Pos{File: f, Line: 1, Col: 1}, "chapter file %s is not listed in %s", f, SummaryFile)
		}
	}
	return g, result(dl)
}

func result(dl *diagList) error {
	if len(dl.ds) == 0 {
		return nil
	}
	dl.ds.Sort()
	return dl.ds
}

// pathless drops the path from a file system error, which the diagnostic's
// position already names.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type summaryEntry struct {
	title  string
	file   string
	number int
	pos    Pos
}

// parseSummary reads SUMMARY.md: the title heading, an optional front page
// link, then an ordered list of chapter links. The first entry returned is
// the title alone.
func parseSummary(src []byte, dl *diagList) []summaryEntry {
	li := newLineIndex(SummaryFile, src)
	doc := Markdown().Parser().Parse(text.NewReader(src))
	out := []summaryEntry{{}}
	cp := &chapterParser{li: li, src: src, ch: &Chapter{File: SummaryFile}}
	number := 0
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			if out[0].title == "" {
				out[0].title = plainText(n, src)
			}
		case *ast.Paragraph:
			l := firstLink(n)
			if l == nil {
				continue
			}
			if number > 0 {
				dl.add(cp.inlinePos(l), "unnumbered entries must come before the chapter list")
				continue
			}
			if e, ok := summaryLink(cp, l, 0, dl); ok {
				out = append(out, e)
			}
		case *ast.List:
			if !n.IsOrdered() {
				dl.add(cp.blockPos(n), "chapters are listed as a numbered list: 1. [Title](file.md)")
				continue
			}
			for item := n.FirstChild(); item != nil; item = item.NextSibling() {
				number++
				for c := item.FirstChild(); c != nil; c = c.NextSibling() {
					if l, ok := c.(*ast.List); ok {
						dl.add(cp.blockPos(l), "nested chapters are not supported")
					}
				}
				l := firstLink(item)
				if l == nil {
					dl.add(cp.blockPos(item), "SUMMARY entry %d has no link to a chapter file", number)
					continue
				}
				if e, ok := summaryLink(cp, l, number, dl); ok {
					out = append(out, e)
				}
			}
		}
	}
	if out[0].title == "" {
		dl.add(Pos{File: SummaryFile, Line: 1, Col: 1}, "SUMMARY.md has no title heading")
	}
	return out
}

func summaryLink(cp *chapterParser, l *ast.Link, number int, dl *diagList) (summaryEntry, bool) {
	dest := string(l.Destination)
	pos := cp.inlinePos(l)
	e := summaryEntry{title: plainText(l, cp.src), file: dest, number: number, pos: pos}
	switch {
	case dest == "":
		dl.add(pos, "SUMMARY entry %q has no file", e.title)
		return e, false
	case strings.Contains(dest, "/") || path.Ext(dest) != ".md" || strings.ContainsAny(dest, "#?:"):
		dl.add(pos, "SUMMARY entry %q must link a .md file beside SUMMARY.md, not %q", e.title, dest)
		return e, false
	case dest == SummaryFile:
		dl.add(pos, "SUMMARY.md cannot list itself")
		return e, false
	}
	return e, true
}

func firstLink(n ast.Node) *ast.Link {
	var found *ast.Link
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := c.(*ast.Link); ok && entering {
			found = l
			return ast.WalkStop, nil
		}
		if _, ok := c.(*ast.List); ok && entering && c != n {
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return found
}

// String describes the guide briefly.
func (g *Guide) String() string {
	return fmt.Sprintf("%s (%d chapters)", g.Title, len(g.Chapters))
}
