package guide

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const modelSettings = `release = "2025.1"
distros = ["debian", "rhel"]
nodes = ["controller1", "controller2", "controller3"]

[placeholders.CONTROLLER_VIP]
meaning = "The virtual IP"
example = "10.0.0.10"
type = "ipv4"

[placeholders.DB_PASS]
meaning = "Database password"
example = "db-secret"
type = "password"
secret = true
`

const modelChapter = "# Database\n" + // 1
	"\n" + // 2
	"Reach it on `CONTROLLER_VIP`.\n" + // 3
	"\n" + // 4
	"## Install the packages\n" + // 5
	"\n" + // 6
	"```console {distro=debian}\n" + // 7
	"# apt-get install -y mariadb-server \\\n" + // 8
	"    galera-4\n" + // 9
	"```\n" + // 10
	"\n" + // 11
	"```console {distro=rhel}\n" + // 12
	"# dnf install -y mariadb-server-galera\n" + // 13
	"```\n" + // 14
	"\n" + // 15
	"```ini {file=/etc/mysql/conf.d/galera.cnf mode=0640 owner=root:mysql apply=merge nodes=each}\n" + // 16
	"[galera]\n" + // 17
	"wsrep_cluster_address = gcomm://CONTROLLER1_ADDR,CONTROLLER2_ADDR\n" + // 18
	"```\n" + // 19
	"\n" + // 20
	"## Verify\n" + // 21
	"\n" + // 22
	"```console {nodes=first wait=90s timeout=30s}\n" + // 23
	"# mysql -e \"SHOW STATUS LIKE 'wsrep_cluster_size'\"\n" + // 24
	"Variable_name\tValue\n" + // 25
	"...\n" + // 26
	"\n" + // 27
	"# cat <<EOF | wc -l\n" + // 28
	"a DB_PASS\n" + // 29
	"EOF\n" + // 30
	"1\n" + // 31
	"```\n" + // 32
	"\n" + // 33
	"```text\n" + // 34
	"plain\n" + // 35
	"```\n" // 36

func TestChapterModel(t *testing.T) {
	fsys := fstest.MapFS{
		"settings.toml": {Data: []byte(modelSettings)},
		"SUMMARY.md":    {Data: []byte("# G\n\n1. [Database](05-db.md)\n")},
		"05-db.md":      {Data: []byte(modelChapter)},
	}
	g, err := Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if ds := g.Check(); len(ds) > 0 {
		t.Fatalf("Check: %v", ds)
	}
	ch := g.Chapters[0]
	pos := func(l, c int) Pos { return Pos{File: "05-db.md", Line: l, Col: c} }
	all := NodeSel{Kind: NodesAll}
	want := []*Block{
		{
			ID: "05-db/install-the-packages/1", Chapter: "05-db.md", Section: "install-the-packages",
			Kind: KindConsole, Lang: "console", Info: "console {distro=debian}", Pos: pos(7, 1),
			Attrs:   Attrs{Nodes: all, Distros: []string{"debian"}, Run: true, Timeout: DefaultTimeout, Set: []string{"distro"}},
			Content: "# apt-get install -y mariadb-server \\\n    galera-4\n", ContentPos: pos(8, 1),
			Commands: []*Command{{Text: "apt-get install -y mariadb-server \\\n    galera-4", Prompt: "#", Pos: pos(8, 3)}},
			Group:    1,
		},
		{
			ID: "05-db/install-the-packages/1", Chapter: "05-db.md", Section: "install-the-packages",
			Kind: KindConsole, Lang: "console", Info: "console {distro=rhel}", Pos: pos(12, 1),
			Attrs:   Attrs{Nodes: all, Distros: []string{"rhel"}, Run: true, Timeout: DefaultTimeout, Set: []string{"distro"}},
			Content: "# dnf install -y mariadb-server-galera\n", ContentPos: pos(13, 1),
			Commands: []*Command{{Text: "dnf install -y mariadb-server-galera", Prompt: "#", Pos: pos(13, 3)}},
			Group:    1,
		},
		{
			ID: "05-db/install-the-packages/2", Chapter: "05-db.md", Section: "install-the-packages",
			Kind: KindFile, Lang: "ini",
			Info: "ini {file=/etc/mysql/conf.d/galera.cnf mode=0640 owner=root:mysql apply=merge nodes=each}", Pos: pos(16, 1),
			Attrs: Attrs{
				Nodes: NodeSel{Kind: NodesEach}, File: "/etc/mysql/conf.d/galera.cnf", Mode: 0o640, Owner: "root:mysql",
				Apply: "merge", Run: true, Timeout: DefaultTimeout, Set: []string{"file", "mode", "owner", "apply", "nodes"},
			},
			Content:      "[galera]\nwsrep_cluster_address = gcomm://CONTROLLER1_ADDR,CONTROLLER2_ADDR\n",
			ContentPos:   pos(17, 1),
			Placeholders: []string{"CONTROLLER1_ADDR", "CONTROLLER2_ADDR"},
		},
		{
			ID: "05-db/verify/1", Chapter: "05-db.md", Section: "verify",
			Kind: KindConsole, Lang: "console", Info: "console {nodes=first wait=90s timeout=30s}", Pos: pos(23, 1),
			Attrs: Attrs{Nodes: NodeSel{Kind: NodesFirst}, Wait: 90 * time.Second, Timeout: 30 * time.Second, Run: true,
				Set: []string{"nodes", "wait", "timeout"}},
			Content:    "# mysql -e \"SHOW STATUS LIKE 'wsrep_cluster_size'\"\nVariable_name\tValue\n...\n\n# cat <<EOF | wc -l\na DB_PASS\nEOF\n1\n",
			ContentPos: pos(24, 1),
			Commands: []*Command{
				{Text: "mysql -e \"SHOW STATUS LIKE 'wsrep_cluster_size'\"", Prompt: "#", Pos: pos(24, 3),
					Expected: []string{"Variable_name\tValue", "..."}, ExpectedPos: pos(25, 1)},
				{Text: "cat <<EOF | wc -l\na DB_PASS\nEOF", Prompt: "#", Pos: pos(28, 3),
					Expected: []string{"1"}, ExpectedPos: pos(31, 1)},
			},
			Placeholders: []string{"DB_PASS"},
		},
		{
			Chapter: "05-db.md", Section: "verify", Kind: KindPlain, Lang: "text", Info: "text", Pos: pos(34, 1),
			Attrs: Attrs{Nodes: all, Run: true}, Content: "plain\n", ContentPos: pos(35, 1),
		},
	}
	if diff := cmp.Diff(want, ch.Blocks, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("blocks differ (-want +got):\n%s", diff)
	}
	wantSections := []string{"database", "install-the-packages", "verify"}
	var got []string
	for _, s := range ch.Sections {
		got = append(got, s.ID)
	}
	if diff := cmp.Diff(wantSections, got); diff != "" {
		t.Errorf("sections differ (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CONTROLLER_VIP"}, ch.ProsePlaceholders); diff != "" {
		t.Errorf("prose placeholders differ (-want +got):\n%s", diff)
	}
	if n := len(g.Blocks("rhel")); n != 3 {
		t.Errorf("Blocks(rhel) = %d blocks, want 3", n)
	}
}

func TestParseInfo(t *testing.T) {
	tests := []struct {
		info    string
		lang    string
		attrs   []RawAttr
		wantErr string
	}{
		{info: "console", lang: "console"},
		{info: "", lang: ""},
		{info: "console {nodes=all}", lang: "console", attrs: []RawAttr{{"nodes", "all", 9, 15}}},
		{info: "{nodes=all}", lang: "", attrs: []RawAttr{{"nodes", "all", 1, 7}}},
		{info: `console {reason="say \"hi\" \\ there" run=no}`, lang: "console",
			attrs: []RawAttr{{"reason", `say "hi" \ there`, 9, 16}, {"run", "no", 38, 42}}},
		{info: "console {a=1  b=x,y}", lang: "console", attrs: []RawAttr{{"a", "1", 9, 11}, {"b", "x,y", 14, 16}}},
		{info: "console {nodes}", lang: "console", wantErr: "offset 14: attribute nodes needs a value: nodes=VALUE"},
		{info: "console {nodes=}", lang: "console", wantErr: "offset 15: attribute nodes has an empty value"},
		{info: `console {reason="open}`, lang: "console", wantErr: "offset 16: unterminated quoted value"},
		{info: "console nodes=all", lang: "console", wantErr: `offset 8: unexpected "nodes=all" after the language: attributes go in braces, {key=value ...}`},
		{info: "console {=x}", lang: "console", wantErr: `offset 9: expected an attribute name, found "="`},
	}
	for _, tt := range tests {
		t.Run(tt.info, func(t *testing.T) {
			lang, attrs, err := ParseInfo(tt.info)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr {
				t.Fatalf("error = %q, want %q", gotErr, tt.wantErr)
			}
			if lang != tt.lang {
				t.Errorf("lang = %q, want %q", lang, tt.lang)
			}
			if tt.wantErr == "" {
				if diff := cmp.Diff(tt.attrs, attrs, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("attrs differ (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestNodeSelResolve(t *testing.T) {
	nodes := []string{"a", "b", "c"}
	tests := []struct {
		sel  NodeSel
		want []string
	}{
		{NodeSel{Kind: NodesAll}, []string{"a", "b", "c"}},
		{NodeSel{Kind: NodesEach}, []string{"a", "b", "c"}},
		{NodeSel{Kind: NodesFirst}, []string{"a"}},
		{NodeSel{Kind: NodesOthers}, []string{"b", "c"}},
		{NodeSel{Kind: NodesNamed, Name: "b"}, []string{"b"}},
		{NodeSel{Kind: NodesLocal}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.sel.Resolve(nodes)); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.sel, diff)
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Install the packages":     "install-the-packages",
		"MariaDB Galera: 3 nodes!": "mariadb-galera-3-nodes",
		"  --weird--  ":            "weird",
		"Über `crm` & pcs":         "über-crm-pcs",
		"HAProxy (active/active)":  "haproxy-active-active",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReplace(t *testing.T) {
	s := &Settings{Nodes: []string{"controller1"}, Placeholders: map[string]Placeholder{"DB_PASS": {}, "CONTROLLER_VIP": {}}}
	vals := map[string]string{"DB_PASS": "s3cret", "CONTROLLER_VIP": "10.0.0.10", "NODE_NAME": "controller1", "CONTROLLER1_ADDR": "10.0.0.11"}
	fn := func(n string) (string, bool) { v, ok := vals[n]; return v, ok }
	tests := map[string]string{
		"mysql -pDB_PASS -h CONTROLLER_VIP":      "mysql -ps3cret -h 10.0.0.10",
		"echo $DB_PASS ${CONTROLLER_VIP} x":      "echo $DB_PASS ${CONTROLLER_VIP} x",
		"NODE_NAME=CONTROLLER1_ADDR NODE_ADDR":   "controller1=10.0.0.11 NODE_ADDR",
		"MY_DB_PASS DB_PASSWORD DB_PASS_X":       "MY_DB_PASS DB_PASSWORD DB_PASS_X",
		"-pDB_PASS wsrep_on=ON":                  "-ps3cret wsrep_on=ON",
		"gcomm://CONTROLLER1_ADDR,UNKNOWN_THING": "gcomm://10.0.0.11,UNKNOWN_THING",
		"":                                       "",
	}
	for in, want := range tests {
		if got := s.Replace(in, fn); got != want {
			t.Errorf("Replace(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProsePlaceholdersAcrossTextNodes(t *testing.T) {
	s := &Settings{Placeholders: map[string]Placeholder{"CONTROLLER_VIP": {}, "KEYSTONE_DBPASS": {}}}
	var dl diagList
	ch := parseChapter(s, "x.md", []byte("# X\n\nThe VIP is CONTROLLER_VIP, and the password KEYSTONE_DBPASS.\n"), &dl)
	if diff := cmp.Diff([]string{"CONTROLLER_VIP", "KEYSTONE_DBPASS"}, ch.ProsePlaceholders); diff != "" {
		t.Errorf("prose placeholders (-want +got):\n%s", diff)
	}
}

func TestHereDocumentAndGluedWords(t *testing.T) {
	s := &Settings{Nodes: []string{"controller1"}, Placeholders: map[string]Placeholder{"DB_PASS": {}}}
	var dl diagList
	src := "# X\n\n```console\n# mysql <<SQL\nCREATE USER x IDENTIFIED BY 'DB_PASS';\nSQL\n# ovn-nbctl --db=x show OVN_Northbound\n...\n```\n"
	ch := parseChapter(s, "x.md", []byte(src), &dl)
	if len(dl.ds) != 0 {
		t.Fatalf("diagnostics: %v", dl.ds)
	}
	b := ch.Blocks[0]
	var texts []string
	for _, c := range b.Commands {
		texts = append(texts, c.Text)
	}
	want := []string{"mysql <<SQL\nCREATE USER x IDENTIFIED BY 'DB_PASS';\nSQL", "ovn-nbctl --db=x show OVN_Northbound"}
	if diff := cmp.Diff(want, texts); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"DB_PASS"}, b.Placeholders); diff != "" {
		t.Errorf("placeholders (-want +got):\n%s", diff)
	}
}
