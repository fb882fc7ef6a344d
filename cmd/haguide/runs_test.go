package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestShortCommit(t *testing.T) {
	for _, tc := range []struct {
		rev      string
		modified bool
		want     string
	}{
		{"16b12d8683b7c2f1e0a9d8c7b6a5f4e3d2c1b0a9", false, "16b12d8683b7"},
		{"16b12d8683b7c2f1e0a9d8c7b6a5f4e3d2c1b0a9", true, "16b12d8683b7-modified"},
		{"16b12d8", false, ""},             // too short to be a full hash
		{"main; rm -rf /tmp/x", false, ""}, // not a hash
		{"", true, ""},
	} {
		if got := shortCommit(tc.rev, tc.modified); got != tc.want {
			t.Errorf("shortCommit(%q, %v) = %q, want %q", tc.rev, tc.modified, got, tc.want)
		}
	}
}

// The embedded guide's commit comes from the environment when the test
// binary has no VCS stamp; a --guide folder's from git.
func TestGuideCommit(t *testing.T) {
	t.Setenv("HAGUIDE_GUIDE_COMMIT", "0245d2d0123456789abcdef0123456789abcdef0")
	if got := guideCommit(""); got != "0245d2d01234" {
		t.Errorf("guideCommit(embedded) = %q", got)
	}
	dir := t.TempDir()
	if got := guideCommit(dir); got != "" {
		t.Errorf("guideCommit(not a work tree) = %q", got)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.org"}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	git("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "SUMMARY.md"), []byte("# G\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "g")
	head := git("rev-parse", "HEAD")[:12]
	if got := guideCommit(dir); got != head {
		t.Errorf("guideCommit(clean work tree) = %q, want %q", got, head)
	}
	if err := os.WriteFile(filepath.Join(dir, "SUMMARY.md"), []byte("# H\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := guideCommit(dir); got != head+"-modified" {
		t.Errorf("guideCommit(changed work tree) = %q, want %q", got, head+"-modified")
	}
}
