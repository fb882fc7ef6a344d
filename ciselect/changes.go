package ciselect

import (
	"path"
	"slices"
	"strings"
)

// Behaviour lists what, besides the chapters, can change what a chapter
// does when verify runs it: the code that runs the guide and builds the
// lab (folders end in "/"; a folder's tests and testdata do not count),
// the module's dependencies, CI's own script and what it installs. The
// guide's settings and table of contents count as well (see [Classify]).
var Behaviour = []string{
	"cmd/", "runner/", "lab/", "internal/", "distros/", "guide/",
	"go.mod", "go.sum", ".ci/run", "scripts/deps.sh",
}

// Classify sorts the paths that changed (relative to the repository's
// top, as git names them) into the chapters that changed and the changed
// files that can change what every chapter does. guideDir is the folder
// of the guide that runs ("guide" for the one built in); chapters are
// its chapter files. In the guide's folder a chapter file changes that
// chapter; settings.toml and SUMMARY.md change every chapter; other
// files there (figures, the front page, chapters of other distros) change
// none. Elsewhere, a path under Behaviour (not a test or testdata) changes
// every chapter; any other path (docs, the site) changes none.
func Classify(paths []string, guideDir string, chapters []string) (changed, behaviour []string) {
	guideDir = strings.Trim(path.Clean(guideDir), "/")
	for _, p := range paths {
		rest, ok := strings.CutPrefix(p, guideDir+"/")
		if guideDir == "." {
			rest, ok = p, true
		}
		switch {
		case ok && slices.Contains(chapters, rest):
			if !slices.Contains(changed, rest) {
				changed = append(changed, rest)
			}
		case ok && (rest == "settings.toml" || rest == "SUMMARY.md"), isBehaviour(p):
			behaviour = append(behaviour, p)
		}
	}
	return changed, behaviour
}

func isBehaviour(p string) bool {
	if strings.HasSuffix(p, "_test.go") || strings.Contains("/"+p, "/testdata/") {
		return false
	}
	for _, b := range Behaviour {
		switch {
		case b == "guide/":
			// The guide package's code, not its chapters and figures.
			if dir, file := path.Split(p); dir == b && path.Ext(file) == ".go" {
				return true
			}
		case strings.HasSuffix(b, "/"):
			if strings.HasPrefix(p, b) {
				return true
			}
		case p == b:
			return true
		}
	}
	return false
}
