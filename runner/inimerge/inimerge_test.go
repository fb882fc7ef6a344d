package inimerge

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txtar")

func part(a *txtar.Archive, name string) []byte {
	for _, f := range a.Files {
		if f.Name == name {
			return f.Data
		}
	}
	return nil
}

// TestGolden merges the patch of each testdata/*.txtar into its orig and
// compares the result with its want; -update rewrites want.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) < 5 {
		t.Fatalf("only %d cases", len(files))
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			a, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			orig, patch := part(a, "orig"), part(a, "patch")
			got, err := Merge(orig, patch)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				found := false
				for i := range a.Files {
					if a.Files[i].Name == "want" {
						a.Files[i].Data, found = got, true
					}
				}
				if !found {
					a.Files = append(a.Files, txtar.File{Name: "want", Data: got})
				}
				if err := os.WriteFile(path, txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if d := cmp.Diff(string(part(a, "want")), string(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			checkMerge(t, orig, patch, got)
		})
	}
}

func TestMergeCases(t *testing.T) {
	for _, tt := range []struct{ name, orig, patch, want string }{
		{"replace keeps the rest byte for byte",
			"[a]\nx=1\n  \ny = 2  \n", "[a]\nx = 3\n", "[a]\nx = 3\n  \ny = 2  \n"},
		{"key = value and key=value both read",
			"[a]\nx=1\ny = 2\n", "[a]\nx = 3\ny=4\n", "[a]\nx = 3\ny=4\n"},
		{"oslo's key: value",
			"[a]\nx: 1\n", "[a]\nx = 2\n", "[a]\nx = 2\n"},
		{"the first of = and : splits",
			"[a]\nurl = http://h:5000\n", "[a]\nurl = http://h:35357\n", "[a]\nurl = http://h:35357\n"},
		{"missing key after the section's last key, before its trailing comments",
			"[a]\nx=1\n\n# about b\n[b]\n", "[a]\ny=2\n", "[a]\nx=1\ny=2\n\n# about b\n[b]\n"},
		{"section with no keys",
			"[a]\n[b]\nz=1\n", "[a]\nk=v\n", "[a]\nk=v\n[b]\nz=1\n"},
		{"section with only comments",
			"[a]\n# nothing set\n\n[b]\n", "[a]\nk=v\n", "[a]\nk=v\n# nothing set\n\n[b]\n"},
		{"missing section at the end after a blank line",
			"[a]\nx=1", "[b]\ny=2\n", "[a]\nx=1\n\n[b]\ny=2\n"},
		{"empty patch section is added",
			"[a]\n", "[b]\n", "[a]\n\n[b]\n"},
		{"global key into a file with sections",
			"[a]\nx=1\n", "g=1\n", "g=1\n[a]\nx=1\n"},
		{"global key after global keys",
			"# head\ng=0\nh=0\n\n[a]\n", "i=1\ng=2\n", "# head\ng=2\nh=0\ni=1\n\n[a]\n"},
		{"keys without values",
			"[mysqld]\nskip-name-resolve\nport = 3306\n", "[mysqld]\nskip-name-resolve\nskip-external-locking\n", "[mysqld]\nskip-name-resolve\nport = 3306\nskip-external-locking\n"},
		{"key without value and a trailing comment",
			"[mysql]\nno-auto-rehash # faster\n", "[mysql]\nno-auto-rehash\n", "[mysql]\nno-auto-rehash\n"},
		{"include directives are lines like keys",
			"!includedir /etc/mysql/conf.d/\n", "!includedir /etc/mysql/conf.d/\n!include /etc/x.cnf\n", "!includedir /etc/mysql/conf.d/\n!include /etc/x.cnf\n"},
		{"crlf file stays crlf",
			"[a]\r\nx=1\r\n# c\r\n", "[a]\nx=2\ny=3\n", "[a]\r\nx=2\r\ny=3\r\n# c\r\n"},
		{"no final newline gets one",
			"[a]\nx=1", "[a]\nx=2\n", "[a]\nx=2\n"},
		{"byte order mark stays first",
			"\ufeffx=1\n", "y=2\n", "\ufeffx=1\ny=2\n"},
		{"a repeated section is one section",
			"[a]\nx=1\n[b]\n[a]\nx=2\ny=1\n", "[a]\nx=3\ny=4\n", "[a]\nx=3\n[b]\n[a]\ny=4\n"},
		{"new key goes after the last key of a repeated section",
			"[a]\nx=1\n[b]\n[a]\ny=1\n\n", "[a]\nz=1\n", "[a]\nx=1\n[b]\n[a]\ny=1\nz=1\n\n"},
		{"duplicates removed, value where the first was",
			"[a]\nx=1\ny=1\nx=2\nz=1\nx=3\n", "[a]\nx=9\n", "[a]\nx=9\ny=1\nz=1\n"},
		{"multi-valued key replaces every value, together",
			"[pci]\nalias = a\nother = 1\nalias = b\n", "[pci]\nalias = c\nalias = d\nalias = e\n", "[pci]\nalias = c\nalias = d\nalias = e\nother = 1\n"},
		{"patch sections of one name are one",
			"[a]\n", "[a]\nx=1\n[b]\ny=1\n[a]\nx=2\n", "[a]\nx=1\nx=2\n\n[b]\ny=1\n"},
		{"continuation lines go with their key",
			"[a]\nx = 1\n  more\n\tand more\ny = 2\n", "[a]\nx = 3\n", "[a]\nx = 3\ny = 2\n"},
		{"patch continuation lines are written",
			"[a]\nx = 1\n", "[a]\nx = first\n  second\n", "[a]\nx = first\n  second\n"},
		{"an indented comment after a key is part of its value (oslo)",
			"[a]\nx = 1\n  # part of x\ny = 2\n", "[a]\nx = 3\n", "[a]\nx = 3\ny = 2\n"},
		{"new key not put before an indented line",
			"[a]\n  # indented\n\n[b]\n", "[a]\nk=v\n", "[a]\n  # indented\nk=v\n\n[b]\n"},
		{"new key after its commented default",
			"[db]\n# help\n#connection = <None>\n\n#pool = 5\nx = 1\n", "[db]\nconnection = mysql://\n", "[db]\n# help\n#connection = <None>\nconnection = mysql://\n\n#pool = 5\nx = 1\n"},
		{"commented default with aligned spacing",
			"[galera]\n#wsrep_on                 = ON\n#binlog_format            = row\n", "[galera]\nbinlog_format = row\n", "[galera]\n#wsrep_on                 = ON\n#binlog_format            = row\nbinlog_format = row\n"},
		{"commented key without value",
			"[mysqld]\nport = 3306\n#skip-name-resolve\n#skip-networking\n", "[mysqld]\nskip-name-resolve\n", "[mysqld]\nport = 3306\n#skip-name-resolve\nskip-name-resolve\n#skip-networking\n"},
		{"a longer key in a comment is another key",
			"[cache]\n#backend_argument = x\nenabled = false\n", "[cache]\nbackend = y\n", "[cache]\n#backend_argument = x\nenabled = false\nbackend = y\n"},
		{"prose naming the key is not its default",
			"[a]\n# connection string for the database\nx=1\n", "[a]\nconnection = y\n", "[a]\n# connection string for the database\nx=1\nconnection = y\n"},
		{"commented default in another section is not used",
			"[a]\n#x=1\n[b]\ny=1\n", "[b]\nx=2\n", "[a]\n#x=1\n[b]\ny=1\nx=2\n"},
		{"commented default before an indented line",
			"[a]\n#x = 1\n  # indented\ny = 2\n", "[a]\nx = 3\n", "[a]\n#x = 1\n  # indented\nx = 3\ny = 2\n"},
		{"case matters in keys",
			"[a]\nKey=1\n", "[a]\nkey=2\n", "[a]\nKey=1\nkey=2\n"},
		{"case matters in sections",
			"[Database]\nx=1\n", "[database]\nx=2\n", "[Database]\nx=1\n\n[database]\nx=2\n"},
		{"- and _ are different keys",
			"[mysqld]\nbind-address = 127.0.0.1\n", "[mysqld]\nbind_address = 0.0.0.0\n", "[mysqld]\nbind-address = 127.0.0.1\nbind_address = 0.0.0.0\n"},
		{"new key after another spelling of it (MariaDB reads the last)",
			"[mysqld]\n#bind_address = x\nbind-address = 127.0.0.1\nport=1\n", "[mysqld]\nbind_address = 0.0.0.0\n", "[mysqld]\n#bind_address = x\nbind-address = 127.0.0.1\nbind_address = 0.0.0.0\nport=1\n"},
		{"another spelling in a later occurrence of the section",
			"[mysqld]\n#bind_address = x\n[client]\n[mysqld]\nbind-address = 1\n", "[mysqld]\nbind_address = 2\n", "[mysqld]\n#bind_address = x\n[client]\n[mysqld]\nbind-address = 1\nbind_address = 2\n"},
		{"spaces inside the brackets do not count",
			"[ a ]\nx=1\n", "[a]\nx=2\n", "[ a ]\nx=2\n"},
		{"patch formatting is written",
			"[a]\nx    =    1\n", "[a]\nx=2   \n", "[a]\nx=2\n"},
		{"comments and blank lines of the patch are not written",
			"[a]\n", "# why\n\n[a]\n; also why\n\nx=1\n", "[a]\nx=1\n"},
		{"empty file", "", "[s]\nk = v\n", "[s]\nk = v\n"},
		{"empty patch", "[a]\nx=1", "", "[a]\nx=1\n"},
		{"both empty", "", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Merge([]byte(tt.orig), []byte(tt.patch))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, string(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			checkMerge(t, []byte(tt.orig), []byte(tt.patch), got)
		})
	}
}

func TestPatchErrors(t *testing.T) {
	for _, tt := range []struct{ patch, want string }{
		{"[a]\nok=1\n[b\n", `line 3: "[b" is neither a [section] nor key = value`},
		{"[a]\n[b = secret\n", `line 2: "[b" is neither a [section] nor key = value`},
		{"[]\n", `line 1: "[]": a section needs a name`},
		{"[ ]\n", `line 1: "[ ]": a section needs a name`},
		{"[a]\n= secret\n", `line 2: no key before the = (or :)`},
		{"[a]\n: secret\n", `line 2: no key before the = (or :)`},
		{"[a]\npassword secret\n", `line 2: "password" is followed by a space, not by = (a key has no spaces)`},
		{"[a]\nconnection mysql+pymysql://keystone:secret@db/keystone\n", `line 2: "connection" is followed by a space, not by = (a key has no spaces)`},
		{"[a]\nmy key = secret\n", `line 2: "my" is followed by a space, not by = (a key has no spaces)`},
		{"[a]\n  password = secret\n", `line 2: key "password" is indented, but there is no key before it to continue`},
		{"\r\n\r\n  x = 1\r\n", `line 3: key "x" is indented, but there is no key before it to continue`},
		{"[a]\n# c\n\tx = 1\n", `line 3: key "x" is indented, but there is no key before it to continue`},
	} {
		_, err := Merge([]byte("[a]\n"), []byte(tt.patch))
		var e *Error
		if !errors.As(err, &e) || err.Error() != tt.want {
			t.Errorf("Merge(%q) error %v, want %q", tt.patch, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q shows a value", err)
		}
	}
}

// checkMerge checks what every merge must give: the same bytes when done
// again, every patch key in its section with exactly the patch's lines,
// and the lines of orig that the patch does not set in order and
// unchanged.
func checkMerge(t *testing.T, orig, patch, got []byte) {
	t.Helper()
	again, err := Merge(got, patch)
	if err != nil {
		t.Fatalf("merging into the merged file fails: %v", err)
	}
	if !bytes.Equal(again, got) {
		t.Fatalf("not idempotent (-once +twice):\n%s", cmp.Diff(string(got), string(again)))
	}
	if len(got) > 0 && !bytes.HasSuffix(got, []byte("\n")) {
		t.Fatalf("no final newline: %q", got)
	}
	secs, err := parsePatch(patch)
	if err != nil {
		t.Fatal(err)
	}
	// Every patch key, in its section, with exactly the patch's lines.
	f := parseFile(got)
	set := map[[2]string]bool{}
	for _, s := range secs {
		spans := f.spans(s.name)
		if s.name != "" && len(spans) == 0 {
			t.Fatalf("section [%s] missing from:\n%s", s.name, got)
		}
		for _, k := range s.keys {
			set[[2]string{s.name, k.name}] = true
			var have, want []string
			for _, sp := range spans {
				for i := sp.start; i < sp.end; i++ {
					if f.lines[i].kind == key && f.lines[i].name == k.name {
						have = append(have, f.lines[i].text)
						for j := i + 1; j < sp.end && f.lines[j].kind == continuation; j++ {
							have = append(have, f.lines[j].text)
						}
					}
				}
			}
			for _, l := range k.lines {
				want = append(want, l.text)
			}
			if !slices.Equal(have, want) {
				t.Fatalf("[%s] %s: have %q, want %q, in:\n%s", s.name, k.name, have, want, got)
			}
		}
	}
	// The rest of orig, in order and unchanged.
	o := parseFile(orig)
	var rest []string
	sec := ""
	skipping := false
	for _, l := range o.lines {
		switch l.kind {
		case section:
			sec = l.name
		case key:
			skipping = set[[2]string{sec, l.name}]
		}
		if l.kind != continuation && l.kind != key {
			skipping = false
		}
		if !skipping {
			rest = append(rest, l.text)
		}
	}
	k := 0
	for _, l := range f.lines {
		if k < len(rest) && l.text == rest[k] {
			k++
		}
	}
	if k < len(rest) {
		t.Fatalf("line %q of orig lost or moved in:\n%s", rest[k], got)
	}
}

func FuzzMerge(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, p := range files {
		a, err := txtar.ParseFile(p)
		if err == nil {
			f.Add(part(a, "orig"), part(a, "patch"))
		}
	}
	f.Add([]byte("x\n[a\n=\n"), []byte("[a]\n=\n"))
	f.Add([]byte("[a]\r\nk = 1\r\n  c\r\n#k2\r\n"), []byte("[a]\nk2\nk = 2\n  d\n"))
	f.Fuzz(func(t *testing.T, orig, patch []byte) {
		once, err := Merge(orig, patch)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		checkMerge(t, orig, patch, once)
	})
}

func BenchmarkMerge5000(b *testing.B) {
	var orig strings.Builder
	for s := range 50 {
		fmt.Fprintf(&orig, "[section%d]\n", s)
		for k := range 49 {
			fmt.Fprintf(&orig, "# help for key%d\n#key%d = default\n", k, k)
		}
		orig.WriteString("set = 1\n")
	}
	data := []byte(orig.String())
	patch := []byte("[DEFAULT]\nmy_ip = 10.0.0.11\n[section10]\nkey5 = x\nnew = y\nset = 2\n[section49]\nkey48 = z\n[fresh]\na = b\n")
	if n := bytes.Count(data, []byte("\n")); n != 5000 {
		b.Fatalf("%d lines", n)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Merge(data, patch); err != nil {
			b.Fatal(err)
		}
	}
}
