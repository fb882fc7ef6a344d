package runner

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/haguide/haguide/guide"
)

// Step is one block as a run executes it.
type Step struct {
	// ID is the block's stable step id.
	ID           string       `json:"id"`
	Chapter      string       `json:"chapter"`
	ChapterTitle string       `json:"chapter_title"`
	Number       int          `json:"chapter_number"`
	Section      string       `json:"section"`
	Block        *guide.Block `json:"-"`
	Kind         string       `json:"kind"` // console or file
	// Nodes are the nodes the step runs on, in order; empty when Local.
	Nodes    []string `json:"nodes,omitempty"`
	Local    bool     `json:"local,omitempty"`
	Parallel bool     `json:"parallel,omitempty"`
	// Skip says why the step does not run; empty when it runs.
	Skip string `json:"skip,omitempty"`
	// Before is true for steps before --from: done in an earlier run.
	Before bool `json:"before_from,omitempty"`
}

// Pos is where the step's block is written.
func (s *Step) Pos() guide.Pos { return s.Block.Pos }

// Plan is the ordered list of steps for one distro.
type Plan struct {
	Distro  string   `json:"distro"`
	Release string   `json:"release"`
	Nodes   []string `json:"nodes"`
	Lab     bool     `json:"lab"`
	// Whole is true when the plan covers the whole guide for its distro:
	// every chapter, none left out by Only, no step before From.
	Whole bool    `json:"whole,omitempty"`
	Steps []*Step `json:"steps"`
}

// PlanOptions select what a plan covers.
type PlanOptions struct {
	// Lab is true when the run targets the local lab: when=lab blocks run.
	Lab bool
	// From is a step id: steps before it are marked as done before.
	From string
	// Only lists chapters (file, slug or number) to keep; empty keeps all.
	Only []string
}

// Errors of PlanOptions that name nothing in the guide; a caller that
// took the options from flags can say which flag (errors.Is).
var (
	// ErrNoStep is a From that names no step of the plan.
	ErrNoStep = errors.New("no such step")
	// ErrNoChapter is an entry of Only that names no chapter.
	ErrNoChapter = errors.New("no such chapter")
)

// NewPlan lists the steps of the guide for a distro, in execution order.
func NewPlan(g *guide.Guide, distro string, opts PlanOptions) (*Plan, error) {
	if err := g.Settings.CheckDistro(distro); err != nil {
		return nil, err
	}
	p := &Plan{Distro: distro, Release: g.Settings.Release, Nodes: slices.Clone(g.Settings.Nodes), Lab: opts.Lab, Whole: opts.From == ""}
	only, err := chapterFilter(g, opts.Only)
	if err != nil {
		return nil, err
	}
	for _, c := range g.Pages() {
		if !slices.Contains(g.Settings.DistrosFor(c.File), distro) {
			continue
		}
		if only != nil && !only[c.File] {
			// A page without steps (the front page) leaves nothing out.
			p.Whole = p.Whole && !slices.ContainsFunc(c.Blocks, func(b *guide.Block) bool {
				return b.Kind != guide.KindPlain && b.Attrs.ForDistro(distro)
			})
			continue
		}
		for _, b := range c.Blocks {
			if b.Kind == guide.KindPlain || !b.Attrs.ForDistro(distro) {
				continue
			}
			id := b.ID
			if id == "" {
				// Blocks that never run have no step id of their own;
				// name them by their line so reports can count them.
				id = fmt.Sprintf("%s/%s@%d", strings.TrimSuffix(c.File, ".md"), b.Section, b.Pos.Line)
			}
			s := &Step{
				ID: id, Chapter: c.File, ChapterTitle: c.Title, Number: c.Number, Section: b.Section,
				Block: b, Kind: string(b.Kind),
				Local:    b.Attrs.Nodes.Kind == guide.NodesLocal,
				Parallel: b.Attrs.Nodes.Parallel(),
				Nodes:    b.Attrs.Nodes.Resolve(g.Settings.Nodes),
			}
			switch {
			case !b.Attrs.Run:
				s.Skip = "run=no: " + b.Attrs.Reason
			case b.Attrs.When == guide.WhenLab && !opts.Lab:
				s.Skip = "lab only: " + b.Attrs.Reason
			case b.Attrs.When == guide.WhenOwnNodes && opts.Lab:
				s.Skip = "own nodes only: " + b.Attrs.Reason
			}
			p.Steps = append(p.Steps, s)
		}
	}
	if opts.From != "" {
		i := slices.IndexFunc(p.Steps, func(s *Step) bool { return s.ID == opts.From })
		if i < 0 {
			return nil, fmt.Errorf("%s: %w for %s", opts.From, ErrNoStep, distro)
		}
		for _, s := range p.Steps[:i] {
			s.Before = true
		}
	}
	return p, nil
}

// chapterFilter resolves Only's entries (file, slug or number) to files.
func chapterFilter(g *guide.Guide, only []string) (map[string]bool, error) {
	if len(only) == 0 {
		return nil, nil
	}
	keep := map[string]bool{}
	for _, o := range only {
		found := false
		for _, c := range g.Pages() {
			if o == c.File || o == c.Slug || o == strconv.Itoa(c.Number) && c.Number > 0 {
				keep[c.File] = true
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: %w (use a number, a file or its name without .md)", o, ErrNoChapter)
		}
	}
	return keep, nil
}

// Placeholders returns every placeholder the runnable steps use, sorted.
func (p *Plan) Placeholders() []string {
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if s.Skip != "" || s.Before {
			continue
		}
		for _, n := range s.Block.Placeholders {
			seen[n] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// Where describes where a step runs, for people.
func (s *Step) Where() string {
	a := s.Block.Attrs.Nodes
	switch a.Kind {
	case guide.NodesLocal:
		return "local"
	case guide.NodesAll:
		return "all nodes"
	case guide.NodesEach:
		return "each node in turn: " + strings.Join(s.Nodes, ", ")
	case guide.NodesOthers:
		return "all but the first: " + strings.Join(s.Nodes, ", ")
	}
	return strings.Join(s.Nodes, ", ")
}
