package site

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// assetVersion is the content hash in asset links, which changes with
// every edit of an asset; goldens hold a stand-in.
var assetVersion = regexp.MustCompile(`\?v=[0-9a-f]{8}`)

// TestGolden compares the whole output for the small test guide with
// testdata/golden (go test ./site/ -run Golden -update rewrites them).
func TestGolden(t *testing.T) {
	s := renderSite(t, testGuide(nil), Options{Version: "v1.2.3"})
	for _, name := range []string{"index.html", "01-intro.html", "02-cluster.html", "print.html", "404.html", "sitemap.xml"} {
		t.Run(name, func(t *testing.T) {
			got := assetVersion.ReplaceAllString(string(s.Files[name]), "?v=HASH")
			file := filepath.Join("testdata", "golden", name)
			if *update {
				must(t, os.MkdirAll(filepath.Dir(file), 0o755))
				must(t, os.WriteFile(file, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff != "" {
				t.Errorf("%s differs from its golden file (-want +got); -update rewrites it:\n%s", name, diff)
			}
		})
	}
}
