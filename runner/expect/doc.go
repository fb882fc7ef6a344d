// Package expect matches a command's output against the output a guide
// shows for it, the way the OpenStack Install Guide shows output: line by
// line, where a line "..." stands for any number of lines and "..." inside
// a line stands for any text. Trailing spaces, trailing blank lines,
// carriage returns and ANSI colour codes are ignored. No regular
// expressions: what the guide shows is what is compared.
//
// Matching is a dynamic programme over lines, O(len(want) x len(got)), so
// no input makes it slow; a mismatch comes with a unified diff of the best
// alignment, which is what a reader needs to see what changed.
package expect
