package runner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haguide/haguide/guide"
)

// nodeLocalStores are the settings that say where a service keeps data
// that every controller must see: set on a reader's nodes to a directory
// that is not shared, they keep it on the one controller that wrote it.
var nodeLocalStores = map[string]string{
	"filesystem_store_datadir":  "Glance's file store",
	"filesystem_store_datadirs": "Glance's file store",
	"file_basepath":             "Gnocchi's file storage",
}

// singleControllerData lists, as "ID: problem", the steps of plan that run
// and keep data only on one controller: a setting of nodeLocalStores whose
// value is not a placeholder declared as shared storage (its meaning says
// "shared"), or Glance's file store enabled without such a directory.
func singleControllerData(s *guide.Settings, plan *Plan) []string {
	shared := func(value string) bool {
		ph, ok := s.Placeholders[strings.TrimSuffix(value, "/")]
		return ok && strings.Contains(ph.Meaning, "shared")
	}
	var problems []string
	for _, st := range plan.Steps {
		if st.Skip != "" || st.Block == nil {
			continue
		}
		fileStore, datadir := false, false
		for _, line := range strings.Split(st.Block.Content, "\n") {
			key, value, ok := strings.Cut(strings.TrimSpace(line), "=")
			if !ok || strings.HasPrefix(key, "#") || strings.HasPrefix(key, ";") {
				continue
			}
			key, value = strings.TrimSpace(key), strings.TrimSpace(value)
			if key == "stores" || key == "default_store" {
				for _, store := range strings.Split(value, ",") {
					fileStore = fileStore || strings.TrimSpace(store) == "file"
				}
			}
			what, ok := nodeLocalStores[key]
			if !ok {
				continue
			}
			datadir = true
			if !shared(value) {
				problems = append(problems, fmt.Sprintf("%s: %s in %s, not on a placeholder for shared storage", st.ID, what, value))
			}
		}
		if fileStore && !datadir {
			problems = append(problems, st.ID+": Glance's file store in its default directory, on each node's own disk")
		}
	}
	return problems
}

// TestNoSingleControllerDataOnOwnNodes holds the embedded guide to issue
// 33's promise: nothing that runs on a reader's nodes (verify -i) keeps
// data only on one controller. The lab may give such a placeholder a local
// directory (it has no shared storage), but the plan is the same one.
func TestNoSingleControllerDataOnOwnNodes(t *testing.T) {
	g, err := guide.Load(guide.Embedded)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range g.Settings.Distros {
		own, err := NewPlan(g, d, PlanOptions{Lab: false})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string(nil), singleControllerData(g.Settings, own)); diff != "" {
			t.Errorf("%s: steps keep data on one controller of your nodes (-want +got):\n%s", d, diff)
		}
		found := false
		for _, st := range own.Steps {
			found = found || strings.Contains(st.Block.Content, "filesystem_store_datadir")
		}
		if d != "suse" && !found {
			t.Errorf("%s: no step sets Glance's filesystem_store_datadir: is the check still looking at the right thing?", d)
		}
	}
}

func TestSingleControllerData(t *testing.T) {
	settings := &guide.Settings{Placeholders: map[string]guide.Placeholder{
		"IMAGES_DIR": {Meaning: "a directory on shared storage mounted on every controller"},
		"LOCAL_DIR":  {Meaning: "a directory on the node"},
	}}
	step := func(content, skip string) *Step {
		return &Step{ID: "ch/sec/1", Skip: skip, Block: &guide.Block{Content: content}}
	}
	tests := []struct {
		name    string
		content string
		skip    string
		want    []string
	}{
		{"shared placeholder", "[glance_store]\nstores = file,http\nfilesystem_store_datadir = IMAGES_DIR/\n", "", nil},
		{"local path", "[glance_store]\nstores = file\nfilesystem_store_datadir = /var/lib/glance/images/\n", "",
			[]string{"ch/sec/1: Glance's file store in /var/lib/glance/images/, not on a placeholder for shared storage"}},
		{"placeholder not for shared storage", "filesystem_store_datadir = LOCAL_DIR\n", "",
			[]string{"ch/sec/1: Glance's file store in LOCAL_DIR, not on a placeholder for shared storage"}},
		{"file store in its default directory", "[glance_store]\ndefault_store = file\n", "",
			[]string{"ch/sec/1: Glance's file store in its default directory, on each node's own disk"}},
		{"gnocchi file storage", "[storage]\ndriver = file\nfile_basepath = /var/lib/gnocchi\n", "",
			[]string{"ch/sec/1: Gnocchi's file storage in /var/lib/gnocchi, not on a placeholder for shared storage"}},
		{"rbd store", "[glance_store]\nstores = rbd\nrbd_store_pool = images\n", "", nil},
		{"commented out", "# filesystem_store_datadir = /var/lib/glance/images/\n", "", nil},
		{"step that does not run", "filesystem_store_datadir = /var/lib/glance/images/\n", "run=no: shown only", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := &Plan{Steps: []*Step{step(tc.content, tc.skip)}}
			if diff := cmp.Diff(tc.want, singleControllerData(settings, plan)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
