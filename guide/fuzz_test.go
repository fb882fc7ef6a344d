package guide

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func FuzzParseInfo(f *testing.F) {
	for _, s := range []string{
		"console", "console {nodes=all distro=debian,ubuntu}", `ini {file=/etc/x mode=0640 reason="a \"b\""}`,
		"{", "console {a=\"", "console {a=b} c", "console {=}", "x {a=1,b=2,}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, info string) {
		lang, attrs, err := ParseInfo(info)
		if err != nil {
			ie, ok := err.(*InfoError)
			if !ok || ie.Off < 0 || ie.Off > len(info) {
				t.Fatalf("bad error %#v for %q", err, info)
			}
			return
		}
		if !strings.HasPrefix(info, lang) {
			t.Fatalf("lang %q is not a prefix of %q", lang, info)
		}
		for _, a := range attrs {
			if a.KeyOff < 0 || a.KeyOff >= len(info) || a.ValueOff < 0 || a.ValueOff > len(info) {
				t.Fatalf("offsets out of range in %q: %+v", info, a)
			}
			if info[a.KeyOff:a.KeyOff+len(a.Key)] != a.Key {
				t.Fatalf("key offset wrong in %q: %+v", info, a)
			}
		}
		// Typing never panics and reports errors inside the string.
		_, errs := TypedAttrs(attrs, []string{"controller1", "controller2"})
		for _, e := range errs {
			if e.Off < 0 || e.Off > len(info) {
				t.Fatalf("attr error offset %d out of range for %q", e.Off, info)
			}
		}
	})
}

func FuzzLoad(f *testing.F) {
	f.Add("# Intro\n\n```console {nodes=first}\n# echo DB_PASS\nok\n```\n", "1. [Intro](01.md)\n")
	f.Add("# T\n\n```ini {file=/etc/x apply=merge}\n[a]\nb = CONTROLLER_VIP\n```\n\n[x](#t) [y](install:keystone/keystone-install)\n", "# G\n\n1. [T](01.md)\n")
	f.Add("```console {distro=debian}\n# cat <<EOF\n\"\n```\n```console {distro=rhel}\n#\n```\n", "[Front](01.md)\n\n- [x](y)\n")
	f.Add("> [!NOTE]\n> `X_Y`\n\n| a | b |\n|---|---|\n| [l](01.md#q) | ![i](f.svg) |\n", "1. [A](01.md)\n   1. [B](02.md)\n")
	f.Add("```console\n# a\n\ntext\n\n```console {nodes=first}\n# b\n```\n\n````md\n```x\n````\n", "1. [A](01.md)\n")
	f.Add("> ```\n> x\n\n- ~~~ini\n  y\n\n```console\n", "1. [A](01.md)\n")
	f.Fuzz(func(t *testing.T, chapter, summary string) {
		fsys := fstest.MapFS{
			"settings.toml": {Data: []byte(modelSettings)},
			"SUMMARY.md":    {Data: []byte(summary)},
			"01.md":         {Data: []byte(chapter)},
		}
		g, ds := Check(fsys)
		if g == nil {
			t.Fatal("Check returned no guide")
		}
		for _, d := range ds {
			if d.Pos.File == "" || d.Pos.Line < 0 || d.Pos.Col < 0 || d.Msg == "" {
				t.Fatalf("malformed diagnostic %#v", d)
			}
			if d.Pos.File == "01.md" && d.Pos.Line > strings.Count(chapter, "\n")+1 {
				t.Fatalf("diagnostic past the end of the file: %v", d)
			}
		}
	})
}

func FuzzSettings(f *testing.F) {
	f.Add(modelSettings)
	f.Add("release = 1\n[placeholders.X_Y]\nmeaning = \"a\"\n")
	f.Add("[[placeholders]]\n")
	f.Add(modelSettings + "\n[needs]\n\"02.md\" = [\"01.md\", \"02.md\", \"x.md\"]\n\"01.md\" = [\"02.md\"]\n")
	f.Add("[needs]\n\"02.md\" = \"01.md\"\n")
	f.Fuzz(func(t *testing.T, settings string) {
		fsys := fstest.MapFS{
			"settings.toml": {Data: []byte(settings)},
			"SUMMARY.md":    {Data: []byte("# G\n\n1. [A](01.md)\n2. [B](02.md)\n")},
			"01.md":         {Data: []byte("# A\n\n```console\n# echo CONTROLLER_VIP\n```\n")},
			"02.md":         {Data: []byte("# B\n")},
		}
		g, _ := Check(fsys)
		// Needs holds whatever the settings say: only chapters before.
		for i, c := range g.Chapters {
			for _, n := range g.Needs(c.File) {
				if j := slices.IndexFunc(g.Chapters, func(o *Chapter) bool { return o.File == n }); j < 0 || j >= i {
					t.Fatalf("%s needs %s, not a chapter before it", c.File, n)
				}
			}
		}
	})
}
