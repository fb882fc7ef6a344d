package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOutline: a page's sections, their text and its tab groups, from one
// chapter each (titled "Chapter" by its SUMMARY.md).
func TestOutline(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		sections []Section
		toc      []Heading
		tabs     bool
	}{
		{
			name: "prose",
			src:  "# Title\n\nIntro *text*,\nwrapped, with CONTROLLER_VIP.\n\n## Set up\n\nDo it.\n\n### Deeper `code`\n\nMore.\n",
			sections: []Section{
				{Title: "Chapter", Text: "Intro text, wrapped, with CONTROLLER_VIP."},
				{ID: "set-up", Title: "Set up", Text: "Do it."},
				{ID: "deeper-code", Title: "Deeper code", Text: "More."},
			},
			// The list of placeholders' meanings is in the TOC, not a
			// section.
			toc: []Heading{{2, "set-up", "Set up"}, {3, "deeper-code", "Deeper code"}, {2, "values_to_replace", "Values to replace"}},
		},
		{
			name: "no text before the first heading",
			src:  "# Title\n\n## Only\n\nText.\n",
			sections: []Section{
				{Title: "Chapter"},
				{ID: "only", Title: "Only", Text: "Text."},
			},
			toc: []Heading{{2, "only", "Only"}},
		},
		{
			name: "console block: caption and commands, not prompts or output",
			src:  "# T\n\n## Run\n\n```console {nodes=first}\n# apt install x\nReading package lists...\n$ echo done\n```\n",
			sections: []Section{
				{Title: "Chapter"},
				{ID: "run", Title: "Run", Text: "Run on controller1 apt install x echo done"},
			},
			toc: []Heading{{2, "run", "Run"}},
		},
		{
			name: "tab group: every variant, no tab labels",
			src:  "# T\n\n```console {distro=ubuntu}\n# apt install x\n```\n\n```console {distro=rhel}\n# dnf install x\n```\n",
			sections: []Section{
				{Title: "Chapter", Text: "Run on every controller apt install x Run on every controller dnf install x"},
			},
			tabs: true,
		},
		{
			name: "admonition, list, table, image, raw HTML",
			src: "# T\n\n> [!WARNING]\n> Fence first.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n" +
				"![A diagram of the nodes](figures/x.svg)\n\nText <b>bold</b> end.\n",
			sections: []Section{
				{Title: "Chapter", Text: "Fence first. one two a b 1 2 A diagram of the nodes Text bold end."},
			},
		},
		{
			name: "file block: caption and content",
			src:  "# T\n\n```ini {file=/etc/a.conf mode=0640 owner=root:a apply=merge}\n[s]\nk = v\n```\n",
			sections: []Section{
				{Title: "Chapter", Text: "Write on every controller /etc/a.conf mode 0640, owner root:a sets only the keys shown, in the sections shown; the rest of the file stays [s] k = v"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := fuzzGuide(t, []byte(tt.src))
			if len(g.Chapters) != 1 {
				t.Fatalf("the chapter did not load")
			}
			p, _ := New(g, Options{}).Page(g.Chapters[0]) // a missing figure is no matter here
			if p == nil {
				t.Fatal("no page")
			}
			if diff := cmp.Diff(tt.sections, p.Sections); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.toc, p.TOC); diff != "" {
				t.Errorf("TOC (-want +got):\n%s", diff)
			}
			if p.HasTabs != tt.tabs {
				t.Errorf("HasTabs = %v, want %v", p.HasTabs, tt.tabs)
			}
		})
	}
}
