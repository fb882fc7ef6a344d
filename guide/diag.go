package guide

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a guide file. Line and Col are 1-based; Col counts
// bytes. A zero Line means the whole file.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Diagnostic is one problem found in the guide.
type Diagnostic struct {
	Pos Pos    `json:"pos"`
	Msg string `json:"message"`
}

func (d Diagnostic) String() string { return d.Pos.String() + ": " + d.Msg }

// Diagnostics is a list of problems; as an error it prints one per line.
type Diagnostics []Diagnostic

func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Sort orders the diagnostics by file, line and column, keeping the order
// of problems found at the same place.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

type diagList struct{ ds Diagnostics }

func (l *diagList) add(p Pos, format string, args ...any) {
	l.ds = append(l.ds, Diagnostic{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// lineIndex turns byte offsets of one file into positions.
type lineIndex struct {
	file   string
	starts []int
}

func newLineIndex(file string, src []byte) *lineIndex {
	li := &lineIndex{file: file, starts: []int{0}}
	for i, c := range src {
		if c == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

func (li *lineIndex) pos(off int) Pos {
	i := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return Pos{File: li.file, Line: i + 1, Col: off - li.starts[i] + 1}
}
