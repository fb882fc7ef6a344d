// Package shquote quotes a string as one word for a POSIX shell, in
// single quotes: nothing inside them is special but the single quote,
// which is written as '\”.
package shquote

import "strings"

// Quote returns s as one single-quoted shell word.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
