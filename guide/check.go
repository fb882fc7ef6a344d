package guide

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/haguide/haguide/distros"
	"mvdan.cc/sh/v3/syntax"
)

// Check loads the guide in fsys and reports every problem, from loading and
// from [Guide.Check], sorted by position. It returns nil for a clean guide.
func Check(fsys fs.FS) (*Guide, Diagnostics) {
	g, err := Load(fsys)
	var ds Diagnostics
	if err != nil {
		ds = append(ds, err.(Diagnostics)...)
	}
	ds = append(ds, g.Check()...)
	if len(ds) == 0 {
		return g, nil
	}
	ds.Sort()
	return g, ds
}

// Check reports the problems that span files: links and anchors, images,
// documentation references, tab groups that leave a distro out,
// placeholders declared but never used, and [needs] that name no chapter
// before the one that needs them.
func (g *Guide) Check() Diagnostics {
	dl := &diagList{}
	used := map[string]bool{}
	for _, c := range g.Pages() {
		g.checkLinks(c, dl)
		g.checkGroups(c, dl)
		g.checkBackground(c, dl)
		checkZeroCounts(c, dl)
		checkBackupType(c, dl)
		g.checkSecretFiles(c, dl)
		for _, w := range c.ProsePlaceholders {
			used[w] = true
		}
		for _, b := range c.Blocks {
			for _, w := range b.Placeholders {
				used[w] = true
			}
		}
	}
	g.checkNeeds(dl)
	if g.Settings != nil {
		for name := range g.Settings.Placeholders {
			if !used[name] {
				dl.add(g.Settings.PlaceholderPos(name), "placeholder %s is declared but never used", name)
			}
		}
	}
	dl.ds.Sort()
	return dl.ds
}

func (g *Guide) checkLinks(c *Chapter, dl *diagList) {
	for _, l := range c.Links {
		switch l.Kind {
		case LinkInternal:
			g.checkInternal(c, l, dl)
		case LinkInstall, LinkInstallGuide, LinkDocs:
			if _, err := distros.ResolveLink(g.Settings.Release, "", l.Dest); err != nil {
				dl.add(l.Pos, "%v", err)
			}
		}
	}
	for _, im := range c.Images {
		if im.Kind != LinkInternal {
			dl.add(im.Pos, "image %q must be a file of the guide (the site works offline)", im.Dest)
			continue
		}
		if !g.fileExists(im.Dest) && !(path.Ext(im.Dest) == ".svg" && g.fileExists(strings.TrimSuffix(im.Dest, ".svg")+".txt")) {
			dl.add(im.Pos, "image %s does not exist (nor a .txt diagram source for it)", im.Dest)
		}
	}
}

func (g *Guide) fileExists(name string) bool {
	name = path.Clean(name)
	if !fs.ValidPath(name) {
		return false
	}
	st, err := fs.Stat(g.FS, name)
	return err == nil && !st.IsDir()
}

func (g *Guide) checkInternal(c *Chapter, l *Link, dl *diagList) {
	file, anchor, _ := strings.Cut(l.Dest, "#")
	target := c
	if file != "" {
		if strings.HasPrefix(file, "/") || strings.Contains(file, "?") {
			dl.add(l.Pos, "link %q must be relative to the guide", l.Dest)
			return
		}
		target = g.Page(path.Clean(file))
		if target == nil {
			if path.Ext(file) != ".md" && g.fileExists(file) {
				return
			}
			dl.add(l.Pos, "broken link: %s is not a page of the guide", file)
			return
		}
	}
	if anchor != "" && target.Section(anchor) == nil {
		dl.add(l.Pos, "broken link: %s has no heading with id %q", target.File, anchor)
	}
}

// checkGroups demands a block for every distro the chapter supports in each
// tab group.
func (g *Guide) checkGroups(c *Chapter, dl *diagList) {
	want := g.Settings.DistrosFor(c.File)
	groups := map[int][]*Block{}
	var order []int
	for _, b := range c.Blocks {
		if b.Group == 0 {
			continue
		}
		if _, ok := groups[b.Group]; !ok {
			order = append(order, b.Group)
		}
		groups[b.Group] = append(groups[b.Group], b)
	}
	for _, id := range order {
		have := map[string]bool{}
		for _, b := range groups[id] {
			for _, d := range b.Attrs.Distros {
				have[d] = true
			}
		}
		var missing []string
		for _, d := range want {
			if !have[d] {
				missing = append(missing, d)
			}
		}
		if len(missing) > 0 {
			dl.add(groups[id][0].Pos, "tab group leaves %s without a block (add one, or one with run=no and a reason)", strings.Join(missing, ", "))
		}
		for d := range have {
			if !slices.Contains(want, d) && slices.Contains(g.Settings.Distros, d) {
				dl.add(groups[id][0].Pos, "tab group has a block for %s, which this chapter does not cover (see distro_scope in %s)", d, SettingsFile)
			}
		}
	}
}

// checkBackground pairs background= jobs with a later stop= in the same
// chapter, for each distro the chapter covers and for both targets (the
// lab runs when=lab blocks, the reader's nodes when=own-nodes ones): a job
// started for some distros or one target only must be stopped the same
// way. A problem that holds only for some of them says for which.
func (g *Guide) checkBackground(c *Chapter, dl *diagList) {
	type problem struct {
		pos Pos
		msg string
	}
	var order []problem
	seen := map[problem][]string{} // problem -> "distro target" where it holds
	distros := g.Settings.DistrosFor(c.File)
	targets := []string{WhenLab, WhenOwnNodes}
	for _, d := range distros {
		for _, target := range targets {
			add := func(pos Pos, format string, args ...any) {
				p := problem{pos, fmt.Sprintf(format, args...)}
				if _, ok := seen[p]; !ok {
					order = append(order, p)
				}
				seen[p] = append(seen[p], d+" "+target)
			}
			started := map[string]*Block{}
			for _, b := range c.Blocks {
				if !b.Runnable() || !b.Attrs.ForDistro(d) || (b.Attrs.When != "" && b.Attrs.When != target) {
					continue
				}
				if name := b.Attrs.Background; name != "" {
					if _, dup := started[name]; dup {
						add(b.Pos, "background job %s is started again before it is stopped", name)
					}
					started[name] = b
				}
				if name := b.Attrs.Stop; name != "" {
					if _, ok := started[name]; !ok {
						add(b.Pos, "stop=%s comes before any block that starts background=%s in this chapter", name, name)
					}
					delete(started, name)
				}
			}
			for _, name := range slices.Sorted(maps.Keys(started)) {
				add(started[name].Pos, "background job %s is never stopped (add stop=%s to a later block of the chapter)", name, name)
			}
		}
	}
	for _, p := range order {
		msg := p.msg
		if where := seen[p]; len(where) < len(distros)*len(targets) {
			msg += " (" + forWhere(where, distros) + ")"
		}
		dl.add(p.pos, "%s", msg)
	}
}

// forWhere says for which distros and targets ("debian lab", ...) a
// problem holds, out of all the chapter's distros.
func forWhere(where, distros []string) string {
	on := map[string][]string{}
	for _, w := range where {
		d, target, _ := strings.Cut(w, " ")
		on[target] = append(on[target], d)
	}
	describe := func(ds []string) string {
		if len(ds) == len(distros) {
			return ""
		}
		return " for " + strings.Join(ds, ", ")
	}
	lab, own := on[WhenLab], on[WhenOwnNodes]
	switch {
	case slices.Equal(lab, own):
		return strings.TrimPrefix(describe(lab), " ")
	case len(own) == 0:
		return "on the lab" + describe(lab)
	case len(lab) == 0:
		return "on your own nodes" + describe(own)
	}
	return "on the lab" + describe(lab) + "; on your own nodes" + describe(own)
}

// checkZeroCounts reports commands that end in `grep -c` and expect the
// count 0: grep exits with status 1 when it counts nothing, so such a step
// fails exactly when its output is right (found three times in the guide).
func checkZeroCounts(c *Chapter, dl *diagList) {
	for _, b := range c.Blocks {
		if b.Kind != KindConsole || !b.Runnable() {
			continue
		}
		for _, cmd := range b.Commands {
			if len(cmd.Expected) == 1 && strings.TrimSpace(cmd.Expected[0]) == "0" && endsInGrepCount(cmd.Text) {
				dl.add(cmd.Pos, "`grep -c` exits with status 1 when it counts 0, so this step fails when its output is right: count with awk ('/re/ { n++ } END { print n + 0 }') instead")
			}
		}
	}
}

// checkBackupType reports commands that look for `full-prepared` in a
// mariadb-backup checkpoints file: that is Percona XtraBackup's word for
// a prepared backup; MariaDB's mariadb-backup writes `backup_type =
// log-applied` after --prepare and never full-prepared (its
// xtrabackup_prepare_func; the strings of Debian 13's 11.8 binary), so
// such a step fails on a good backup (chapter 14's first draft).
func checkBackupType(c *Chapter, dl *diagList) {
	for _, b := range c.Blocks {
		if b.Kind != KindConsole {
			continue
		}
		for _, cmd := range b.Commands {
			text := cmd.Text + "\n" + strings.Join(cmd.Expected, "\n")
			if strings.Contains(text, "full-prepared") && (strings.Contains(text, "checkpoints") || strings.Contains(text, "backup_type")) {
				dl.add(cmd.Pos, "mariadb-backup never writes `full-prepared` (Percona XtraBackup's word): after --prepare its checkpoints file says `backup_type = log-applied`")
			}
		}
	}
}

// checkSecretFiles reports a file block that writes a secret placeholder
// into a file every user of the node may read: a replaced file with the
// default mode 0644, or any mode with the others' read bit. A merge given
// no mode keeps the file's own (packages make their configuration files
// 0640 or 0600), and the runner refuses such a write at run time too.
func (g *Guide) checkSecretFiles(c *Chapter, dl *diagList) {
	if g.Settings == nil {
		return
	}
	for _, b := range c.Blocks {
		if b.Kind != KindFile || b.Attrs.Mode == 0 || b.Attrs.Mode.Perm()&0o004 == 0 {
			continue
		}
		for _, w := range b.Placeholders {
			if ph, ok := g.Settings.Placeholders[w]; ok && ph.Secret {
				dl.add(b.Pos, "file %s holds the secret %s but mode %04o lets every user on the node read it: give the block a mode without the others' read bit (mode=0640 with owner=root:GROUP of the service that reads it, or mode=0600)", b.Attrs.File, w, uint32(b.Attrs.Mode.Perm()))
				break
			}
		}
	}
}

// endsInGrepCount reports whether the last command of a pipeline in src
// is grep with -c (alone or among other short flags) or --count.
func endsInGrepCount(src string) bool {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src+"\n"), "")
	if err != nil || len(f.Stmts) == 0 {
		return false
	}
	st := f.Stmts[len(f.Stmts)-1]
	for {
		bin, ok := st.Cmd.(*syntax.BinaryCmd)
		if !ok || (bin.Op != syntax.Pipe && bin.Op != syntax.PipeAll) {
			break
		}
		st = bin.Y
	}
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) == 0 || call.Args[0].Lit() != "grep" {
		return false
	}
	for _, a := range call.Args[1:] {
		w := a.Lit()
		if w == "--count" || (strings.HasPrefix(w, "-") && !strings.HasPrefix(w, "--") && strings.Contains(w, "c")) {
			return true
		}
	}
	return false
}
