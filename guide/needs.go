package guide

import (
	"maps"
	"slices"
)

// Needs returns the chapters a chapter needs, closed transitively, as
// files in SUMMARY order: every chapter before it, unless the [needs]
// table of settings.toml lists the chapters it needs, in which case
// those and what they need in turn. Names that are not chapters, or that
// do not come before the chapter, are left out (check reports them). It
// returns nil for a file that is not a chapter.
func (g *Guide) Needs(file string) []string {
	at := g.chapterIndex()
	if _, ok := at[file]; !ok {
		return nil
	}
	need := map[string]bool{}
	var visit func(f string)
	visit = func(f string) {
		for _, n := range g.directNeeds(f, at) {
			if !need[n] {
				need[n] = true
				visit(n)
			}
		}
	}
	visit(file)
	out := []string{}
	for _, c := range g.Chapters {
		if need[c.File] {
			out = append(out, c.File)
		}
	}
	return out
}

// chapterIndex maps each chapter file to its place in SUMMARY order.
func (g *Guide) chapterIndex() map[string]int {
	at := map[string]int{}
	for i, c := range g.Chapters {
		at[c.File] = i
	}
	return at
}

// directNeeds are the chapters a chapter needs before closing: those
// settings.toml lists for it that are chapters before it, or else every
// chapter before it.
func (g *Guide) directNeeds(file string, at map[string]int) []string {
	i := at[file]
	listed, ok := []string(nil), false
	if g.Settings != nil {
		listed, ok = g.Settings.Needs[file]
	}
	if !ok {
		out := make([]string, 0, i)
		for _, c := range g.Chapters[:i] {
			out = append(out, c.File)
		}
		return out
	}
	var out []string
	for _, n := range listed {
		if j, ok := at[n]; ok && j < i {
			out = append(out, n)
		}
	}
	return out
}

// checkNeeds reports [needs] entries that name no chapter, or a chapter
// that does not come before the one that needs it.
func (g *Guide) checkNeeds(dl *diagList) {
	if g.Settings == nil || len(g.Settings.Needs) == 0 {
		return
	}
	at := g.chapterIndex()
	for _, file := range slices.Sorted(maps.Keys(g.Settings.Needs)) {
		pos := g.Settings.at("needs." + file)
		i, ok := at[file]
		if !ok {
			dl.add(pos, "[needs] names %q, which is not a chapter of %s", file, SummaryFile)
			continue
		}
		seen := map[string]bool{}
		for _, n := range g.Settings.Needs[file] {
			j, ok := at[n]
			switch {
			case seen[n]:
				dl.add(pos, "%s needs %s twice", file, n)
			case n == file:
				dl.add(pos, "%s needs itself", file)
			case !ok:
				dl.add(pos, "%s needs %q, which is not a chapter of %s", file, n, SummaryFile)
			case j > i:
				dl.add(pos, "%s needs %s, which comes after it in %s (a chapter can only need chapters before it)", file, n, SummaryFile)
			}
			seen[n] = true
		}
	}
}
