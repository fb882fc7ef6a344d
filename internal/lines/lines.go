// Package lines cuts long command output down to what a message can hold.
package lines

import (
	"fmt"
	"strings"
)

// Tail returns the last n lines of s, after a line that says how many were
// left out; trailing newlines are dropped.
func Tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	ls := strings.Split(s, "\n")
	if len(ls) <= n {
		return s
	}
	return fmt.Sprintf("[%d lines before]\n", len(ls)-n) + strings.Join(ls[len(ls)-n:], "\n")
}
