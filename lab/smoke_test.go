package lab_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/guide"
)

// testImage is the file block that builds the data plane chapter's test
// instance.
const testImage = "/usr/local/sbin/haguide-test-image"

// TestSmokeTestImageIsTheGuides checks that the smoke guide boots the very
// image the guide's data plane chapter boots through Nova: the smoke run is
// there to fail fast on what the chapter needs of a lab node, which only
// holds while both build the same instance.
func TestSmokeTestImageIsTheGuides(t *testing.T) {
	want := fileBlocks(t, "../guide", testImage)
	got := fileBlocks(t, "testdata/smoke", testImage)
	if len(want) != 1 || len(got) != 1 {
		t.Fatalf("%s: the guide writes it in %d blocks, the smoke guide in %d; want one each", testImage, len(want), len(got))
	}
	if diff := cmp.Diff(want[0].Content, got[0].Content); diff != "" {
		t.Errorf("%s differs between %s:%d and the smoke guide's %s:%d (-guide +smoke); copy the guide's block:\n%s",
			testImage, want[0].Chapter, want[0].Pos.Line, got[0].Chapter, got[0].Pos.Line, diff)
	}
}

// fileBlocks returns the blocks of the guide in dir that write path, for
// any distro.
func fileBlocks(t *testing.T, dir, path string) []*guide.Block {
	t.Helper()
	g, err := guide.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("loading %s: %v", dir, err)
	}
	var out []*guide.Block
	for _, b := range g.Blocks("") {
		if b.Kind == guide.KindFile && b.Attrs.File == path {
			out = append(out, b)
		}
	}
	return out
}
