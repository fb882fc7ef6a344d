package guide

import (
	"strings"

	"github.com/yuin/goldmark/text"
	"mvdan.cc/sh/v3/syntax"
)

// parseConsole splits a console block into commands and expected output.
func parseConsole(b *Block, lines *text.Segments, src []byte, li *lineIndex, dl *diagList) []*Command {
	var cmds []*Command
	var cur *Command
	n := lines.Len()
	for i := 0; i < n; i++ {
		seg := lines.At(i)
		line := strings.TrimRight(string(seg.Value(src)), "\r\n")
		pos := li.pos(seg.Start)
		prompt, rest, isCmd := splitPrompt(line)
		if !isCmd {
			if cur == nil {
				if strings.TrimSpace(line) != "" {
					dl.add(pos, "expected output with no command before it (commands start with the prompt \"# \")")
				}
				continue
			}
			if cur.Expected == nil {
				cur.ExpectedPos = pos
			}
			cur.Expected = append(cur.Expected, line)
			continue
		}
		cur = &Command{Text: rest, Prompt: prompt, Pos: Pos{File: pos.File, Line: pos.Line, Col: pos.Col + len(prompt) + 1}}
		// A command goes on while the shell would read more.
		for {
			err := parseShell(cur.Text)
			more := continues(cur.Text) || incomplete(err)
			if !more || i+1 >= n {
				if err != nil {
					dl.add(shellErrPos(cur.Pos, err), "shell syntax: %s", shellErrMsg(err))
				}
				break
			}
			i++
			nseg := lines.At(i)
			next := strings.TrimRight(string(nseg.Value(src)), "\r\n")
			cur.Text += "\n" + next
		}
		if strings.TrimSpace(cur.Text) == "" {
			dl.add(pos, "empty command after the prompt")
		}
		cmds = append(cmds, cur)
	}
	// Trailing blank lines of expected output carry no meaning.
	for _, c := range cmds {
		for len(c.Expected) > 0 && strings.TrimSpace(c.Expected[len(c.Expected)-1]) == "" {
			c.Expected = c.Expected[:len(c.Expected)-1]
		}
		if len(c.Expected) == 0 {
			c.Expected = nil
			c.ExpectedPos = Pos{}
		}
	}
	return cmds
}

// incomplete reports whether the shell would read another line: an open
// quote, an unfinished compound command, or a here-document whose
// delimiter has not come yet (which the parser reports as a plain error).
func incomplete(err error) bool {
	if err == nil {
		return false
	}
	return syntax.IsIncomplete(err) || strings.HasPrefix(shellErrMsg(err), "unclosed here-document")
}

// continues reports whether a command's last line ends in a backslash
// that escapes the newline.
func continues(cmd string) bool {
	n := 0
	for i := len(cmd) - 1; i >= 0 && cmd[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitPrompt recognises "# command" and "$ command".
func splitPrompt(line string) (prompt, rest string, ok bool) {
	for _, p := range []string{"#", "$"} {
		if line == p {
			return p, "", true
		}
		if strings.HasPrefix(line, p+" ") {
			return p, line[2:], true
		}
	}
	return "", "", false
}

func parseShell(src string) error {
	_, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src+"\n"), "")
	return err
}

// shellErrPos maps a parse error's position onto the guide file.
func shellErrPos(cmd Pos, err error) Pos {
	if pe, ok := err.(syntax.ParseError); ok {
		return offsetPos(cmd, int(pe.Pos.Line()), int(pe.Pos.Col()))
	}
	return cmd
}

func shellErrMsg(err error) string {
	if pe, ok := err.(syntax.ParseError); ok {
		return pe.Text
	}
	return err.Error()
}

// offsetPos moves from the start of a command to its (line, col), both
// 1-based, where continuation lines start at column 1 of the file.
func offsetPos(start Pos, line, col int) Pos { return start.Offset(line, col) }

// Offset moves from the start of a command (p) to a (line, col) within
// its text, both 1-based, where continuation lines start at column 1 of
// the file.
func (start Pos) Offset(line, col int) Pos {
	if line <= 1 {
		return Pos{File: start.File, Line: start.Line, Col: start.Col + col - 1}
	}
	return Pos{File: start.File, Line: start.Line + line - 1, Col: col}
}
