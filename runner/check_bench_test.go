package runner

import (
	"testing"
)

// BenchmarkCheckCommands is the up-front check that every value can be
// placed safely in every command and shell file of the embedded guide's
// Debian plan, on every node: the work verify adds before its first step
// (issue 29), done once per run.
func BenchmarkCheckCommands(b *testing.B) {
	g, nodes, examples := hostileFixture(b)
	p, err := NewPlan(g, "debian", PlanOptions{Lab: true})
	if err != nil {
		b.Fatal(err)
	}
	v, err := NewValues(ValuesConfig{Settings: g.Settings, Nodes: nodes, Vars: examples})
	if err != nil {
		b.Fatal(err)
	}
	e := &Executor{Plan: p, Values: v}
	b.ResetTimer()
	for b.Loop() {
		if err := e.CheckCommands(); err != nil {
			b.Fatal(err)
		}
	}
}
