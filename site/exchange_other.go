//go:build !linux

package site

import "errors"

// exchange is Linux's renameat2 exchange; elsewhere swap falls back to two
// renames.
func exchange(a, b string) error {
	return errors.New("site: no atomic exchange on this system")
}
