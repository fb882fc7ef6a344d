// Package expect matches a command's output against the output a guide
// shows for it, the way the OpenStack Install Guide shows output.
//
// [Match] compares the whole output with the expected lines, after
// normalising both the same way ([Lines]): CRLF line ends become LF, ANSI
// escape sequences (colours, cursor movement, window titles, hyperlinks)
// are removed, a line rewritten with a carriage return (a progress
// display) counts as its last version, trailing white space on each line
// and trailing blank lines are ignored. Leading white space and blank
// lines elsewhere count.
//
// A line that is "..." once trimmed matches any number of lines, none
// too; "..." inside a line matches any text within that line, and a line
// may hold several. Everything else is compared literally: there are no
// regular expressions, so what the guide shows is what is compared, and
// a block that shows only part of the output says so with "...".
//
// Matching is a dynamic programme over lines, O(len(want) x len(got))
// line comparisons and O(len(got)) memory, so no input makes it slow. A
// mismatch comes with a unified diff ([Result].Diff) of the cheapest
// alignment of the two (a line missing or extra costs 2, a line changed
// into a similar one 1, lines a "..." takes nothing): expected lines
// with "-", output with "+", three lines of context, the output lines a
// "..." took shown as context (often the near miss a reader looks for),
// long runs folded and the whole capped at [MaxDiffLines] lines with a
// note of what was cut.
package expect
