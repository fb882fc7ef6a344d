package site

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/haguide/haguide/guide"
	"github.com/haguide/haguide/render"
	"github.com/haguide/haguide/render/codeblocks"
	"github.com/haguide/haguide/runs"
)

// lastRunsID is the id of the heading of a page's run records.
const lastRunsID = "haguide-last-passed"

// distroRuns is what a chapter page says about one distro's runs.
type distroRuns struct {
	ID, Name string
	// Passes are the last passes of the chapter, the lab first; none:
	// never executed.
	Passes []passLine
}

// passLine is one recorded pass: on a target, with its figures.
type passLine struct {
	Text    string
	Source  string
	Figures []figureLine
}

// figureLine is what one rehearsal measured on one node.
type figureLine struct {
	Href, Section, Node, Text string
}

// figureLines puts the figures of a rehearsal on a node on one line, its
// section linked when the page has it.
func figureLines(figs []runs.Figure, titles map[string]string) []figureLine {
	var out []figureLine
	for i, f := range figs {
		if i > 0 && f.Section == figs[i-1].Section && f.Node == figs[i-1].Node {
			out[len(out)-1].Text += "; " + f.Text
			continue
		}
		fl := figureLine{Node: f.Node, Text: f.Text}
		if t, ok := titles[f.Section]; ok && f.Section != "" {
			fl.Href, fl.Section = "#"+f.Section, t
		}
		out = append(out, fl)
	}
	return out
}

// lastRuns is what the records say of chapter c, per distro of the guide,
// in the guide's order; nil without records (Options.Runs).
func lastRuns(g *guide.Guide, c *guide.Chapter, p *render.Page, recs map[string]*runs.Record) []distroRuns {
	if recs == nil || c.Number == 0 {
		return nil
	}
	titles := map[string]string{}
	for _, s := range p.Sections {
		titles[s.ID] = s.Title
	}
	covered := g.Settings.DistrosFor(c.File)
	var out []distroRuns
	for _, d := range g.Settings.Distros {
		if len(covered) > 0 && !slices.Contains(covered, d) {
			continue // the page says so already
		}
		dr := distroRuns{ID: d, Name: codeblocks.DistroName(d)}
		for _, ch := range recs[d].For(c.File) {
			pl := passLine{Text: passText(ch), Source: ch.Run.Source}
			pl.Figures = figureLines(ch.Figures, titles)
			dr.Passes = append(dr.Passes, pl)
		}
		out = append(out, dr)
	}
	return out
}

// passText says when and where a chapter passed and what of it ran:
// "passed on the lab on 2026-12-07, commit 16b12d8abcde, OpenStack
// 2025.1: 9 of 10 steps passed, 1 not run (run=no)".
func passText(c runs.Chapter) string {
	where := "your own nodes (verify -i)"
	if c.Run.Lab {
		where = "the lab"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "passed on %s on %s", where, c.Run.Finished.UTC().Format("2006-01-02"))
	if c.Run.Commit != "" {
		fmt.Fprintf(&b, ", commit %s", c.Run.Commit)
	}
	if c.Run.Release != "" {
		fmt.Fprintf(&b, ", OpenStack %s", c.Run.Release)
	}
	fmt.Fprintf(&b, ": %d of %d steps passed", c.Passed, c.Steps)
	if n := c.Steps - c.Passed; n > 0 {
		why := slices.Sorted(maps.Keys(c.Skipped))
		if len(why) > 1 {
			for i, r := range why {
				why[i] = fmt.Sprintf("%s: %d", r, c.Skipped[r])
			}
		}
		fmt.Fprintf(&b, ", %d not run (%s)", n, strings.Join(why, ", "))
	}
	return b.String()
}
