package site

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render"
)

func TestPageDocs(t *testing.T) {
	g, err := Load(testGuide(nil))
	if err != nil {
		t.Fatal(err)
	}
	docs := collectDocs(t, g)
	want := []searchDoc{
		{ID: "index.html", Title: "About", Page: "About", Text: "Read the intro."},
		{ID: "01-intro.html", Title: "Intro", Page: "1. Intro", Text: "Clients reach CONTROLLER_VIP."},
		{ID: "01-intro.html#install", Title: "Install", Page: "1. Intro"},
		{ID: "02-cluster.html", Title: "Cluster", Page: "2. Cluster"},
		{ID: "02-cluster.html#corosync", Title: "Corosync", Page: "2. Cluster", Text: "Back to install and the top."},
	}
	// The install section's text: the commands, where they run, not
	// the prompt, the expected output or the tab labels.
	ins := docs[2].Text
	for _, w := range []string{"apt install pacemaker", "dnf install pacemaker", "Run on every controller", "Keystone"} {
		if !strings.Contains(ins, w) {
			t.Errorf("install section lacks %q: %s", w, ins)
		}
	}
	for _, w := range []string{"Reading package lists", "# apt", "Copy", "Ubuntu, Debian"} {
		if strings.Contains(ins, w) {
			t.Errorf("install section has %q: %s", w, ins)
		}
	}
	if diff := cmp.Diff(want, docs, cmpopts.IgnoreFields(searchDoc{}, "Text")); diff != "" {
		t.Errorf("docs (-want +got):\n%s", diff)
	}
	for _, i := range []int{0, 1, 4} {
		if got := strings.Join(strings.Fields(docs[i].Text), " "); got != want[i].Text {
			t.Errorf("doc %d text = %q, want %q", i, got, want[i].Text)
		}
	}
}

func collectDocs(t *testing.T, g *guide.Guide) []searchDoc {
	t.Helper()
	var docs []searchDoc
	r := newRendererForTest(g)
	for _, c := range g.Pages() {
		p, err := r.Page(c)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, pageDocs(c, pageHref(c), p)...)
	}
	return docs
}

// newRendererForTest is render.New with the site's options.
func newRendererForTest(g *guide.Guide) *render.Renderer {
	opts, _ := renderOptions()
	return render.New(g, opts)
}

func TestTokenize(t *testing.T) {
	for _, in := range []string{"", "a", "Hello, world!", ",lead", "trail.", "a  b", "x—y z", "CONTROLLER_VIP:5000", "…", "naïve café", "tab\there\nnew"} {
		want := spaceOrPunct.Split(in, -1)
		if diff := cmp.Diff(want, tokenize(in)); diff != "" {
			t.Errorf("tokenize(%q) (-regexp +ours):\n%s", in, diff)
		}
	}
}

// findNode finds node ($HAGUIDE_NODE, node, or Debian's older name
// nodejs). Without one the index test skips, saying why, except under CI,
// where it is an error.
func findNode(lookPath func(string) (string, error), env string, ci bool) (path, skip string, err error) {
	for _, name := range []string{env, "node", "nodejs"} {
		if name == "" {
			continue
		}
		if p, err := lookPath(name); err == nil {
			return p, "", nil
		}
	}
	if ci {
		return "", "", errors.New("CI must compare the search index with MiniSearch's, and node is missing: scripts/deps.sh test installs it (Debian's nodejs)")
	}
	return "", "node is not installed (apt-get install nodejs, or scripts/deps.sh test): the index cannot be compared with MiniSearch's own", nil
}

// nodePath is findNode for a test: the test skips or fails as it says.
func nodePath(t *testing.T) string {
	t.Helper()
	node, skip, err := findNode(exec.LookPath, os.Getenv("HAGUIDE_NODE"), os.Getenv("CI") == "true")
	if err != nil {
		t.Fatal(err)
	}
	if skip != "" {
		t.Skip(skip)
	}
	return node
}

func TestFindNode(t *testing.T) {
	tests := []struct {
		name     string
		have     []string
		env      string
		ci       bool
		want     string
		wantSkip bool
		wantErr  bool
	}{
		{name: "node", have: []string{"node", "nodejs"}, want: "/usr/bin/node"},
		{name: "nodejs only", have: []string{"nodejs"}, want: "/usr/bin/nodejs"},
		{name: "env first", have: []string{"node", "/opt/node/bin/node"}, env: "/opt/node/bin/node", want: "/opt/node/bin/node"},
		{name: "env missing falls back", have: []string{"node"}, env: "/nowhere/node", want: "/usr/bin/node"},
		{name: "missing skips", wantSkip: true},
		{name: "missing under CI fails", ci: true, wantErr: true},
		{name: "present under CI", have: []string{"node"}, ci: true, want: "/usr/bin/node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			look := func(name string) (string, error) {
				for _, h := range tt.have {
					if h == name && strings.Contains(name, "/") {
						return name, nil
					}
					if h == name {
						return "/usr/bin/" + name, nil
					}
				}
				return "", exec.ErrNotFound
			}
			got, skip, err := findNode(look, tt.env, tt.ci)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			if (skip != "") != tt.wantSkip {
				t.Errorf("skip = %q, want a skip: %v", skip, tt.wantSkip)
			}
			if got != tt.want {
				t.Errorf("path = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSearchIndexMatchesMiniSearch indexes the real guide's sections with
// the vendored MiniSearch under node and compares its toJSON with the
// index built in Go.
func TestSearchIndexMatchesMiniSearch(t *testing.T) {
	t.Parallel()
	node := nodePath(t)
	g, err := Load(realGuide())
	if err != nil {
		t.Fatal(err)
	}
	docs := collectDocs(t, g)
	dir := t.TempDir()
	dj, _ := json.Marshal(map[string]any{"docs": docs, "stop": stopList})
	must(t, os.WriteFile(filepath.Join(dir, "docs.json"), dj, 0o644))
	lib, _ := filepath.Abs("assets/minisearch.js")
	script := `const MiniSearch = require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
const stop = new Set(input.stop);
const ms = new MiniSearch({fields: ['title', 'text'], storeFields: ['title', 'page'],
  processTerm: t => { t = t.toLowerCase(); return stop.has(t) ? null : t; }});
ms.addAll(input.docs);
process.stdout.write(JSON.stringify(ms));`
	must(t, os.WriteFile(filepath.Join(dir, "index.js"), []byte(script), 0o644))
	out, err := exec.Command(node, filepath.Join(dir, "index.js"), lib, filepath.Join(dir, "docs.json")).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	ours, err := buildMiniIndex(docs)
	if err != nil {
		t.Fatal(err)
	}
	norm := func(b []byte) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		// The index's term order is the radix tree's; compare as a map.
		terms := map[string]any{}
		for _, e := range m["index"].([]any) {
			pair := e.([]any)
			terms[pair[0].(string)] = pair[1]
		}
		m["index"] = terms
		return m
	}
	want, got := norm(out), norm(ours)
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("index (-MiniSearch +Go):\n%.3000s", diff)
	}
	for _, w := range stopList {
		if _, ok := got["index"].(map[string]any)[w]; ok {
			t.Errorf("stop word %q is in the index", w)
		}
	}
	if n := len(got["index"].(map[string]any)); n < 1000 {
		t.Errorf("only %d terms in the real guide's index", n)
	}
}

// TestSearchIndexScript loads the real guide's search-index.js and its
// texts' scripts under node, as the browser does, and checks that the
// packed index unpacks to MiniSearch's plain object as built in Go, and
// that the texts are every section's, found from the index's links.
func TestSearchIndexScript(t *testing.T) {
	t.Parallel()
	node := nodePath(t)
	g, err := Load(realGuide())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Render(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, b := range s.Files {
		if strings.HasPrefix(name, "assets/search") {
			must(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
		}
	}
	script := `const fs = require('fs'), vm = require('vm'), path = require('path');
const dir = process.argv[2], ctx = {window: {}};
vm.runInNewContext(fs.readFileSync(path.join(dir, 'assets/search-index.js'), 'utf8'), ctx);
for (const src of Object.values(ctx.window.HAGUIDE_SEARCH_TEXTS)) {
  vm.runInNewContext(fs.readFileSync(path.join(dir, src.split('?')[0]), 'utf8'), ctx);
}
process.stdout.write(JSON.stringify({index: ctx.window.HAGUIDE_SEARCH_INDEX, texts: ctx.window.HAGUIDE_SEARCH_TEXT}));`
	must(t, os.WriteFile(filepath.Join(dir, "load.js"), []byte(script), 0o644))
	out, err := exec.Command(node, filepath.Join(dir, "load.js"), dir).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got struct {
		Index json.RawMessage   `json:"index"`
		Texts map[string]string `json:"texts"`
	}
	must(t, json.Unmarshal(out, &got))
	docs := collectDocs(t, g)
	want, err := buildMiniIndex(docs)
	if err != nil {
		t.Fatal(err)
	}
	var wantIndex, gotIndex any
	must(t, json.Unmarshal(want, &wantIndex))
	must(t, json.Unmarshal(got.Index, &gotIndex))
	if diff := cmp.Diff(wantIndex, gotIndex); diff != "" {
		t.Errorf("unpacked index (-Go +script):\n%.3000s", diff)
	}
	wantTexts := map[string]string{}
	for _, d := range docs {
		if d.Text != "" {
			wantTexts[d.ID] = d.Text
		}
	}
	if diff := cmp.Diff(wantTexts, got.Texts); diff != "" {
		t.Errorf("texts (-sections +scripts):\n%.3000s", diff)
	}
	if len(wantTexts) < 50 {
		t.Errorf("only %d sections with text", len(wantTexts))
	}
}
