package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/haguide/haguide/lab"
	"github.com/haguide/haguide/runner"
)

// The packages' errors get the flag that gave the value; others are left
// as they are.
func TestWithFlag(t *testing.T) {
	other := errors.New("disk full")
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("1-a/b/9: %w for debian", runner.ErrNoStep), "--from 1-a/b/9: no such step for debian (see `haguide plan --distro debian`)"},
		{fmt.Errorf("7: %w", runner.ErrNoChapter), "--only 7: no such chapter"},
		{&runner.MissingValuesError{Missing: []string{"  A_B: a"}}, "these placeholders have no value:\n  A_B: a\nset them in the inventory's vars or a --vars file"},
		{&lab.ConfigError{Field: "CIDR", Value: "10.0.0.0/30", Err: errors.New("too small")}, "--cidr 10.0.0.0/30: too small"},
		{&lab.ConfigError{Field: "Bridge", Value: "hag0", Err: fmt.Errorf("exists: %w", lab.ErrOtherLab)},
			"--bridge hag0: exists: another lab is up; take it down with its --lab-dir, or give this one another --bridge and --cidr"},
		{other, "disk full"},
	}
	for _, tt := range tests {
		got := withFlag(tt.err, "debian")
		if got.Error() != tt.want {
			t.Errorf("withFlag(%v) = %q, want %q", tt.err, got, tt.want)
		}
		if !errors.Is(got, tt.err) && !errors.Is(got, errors.Unwrap(tt.err)) {
			t.Errorf("withFlag(%v) lost the error it wraps", tt.err)
		}
	}
	if withFlag(nil, "debian") != nil {
		t.Error("withFlag(nil) is not nil")
	}
}
