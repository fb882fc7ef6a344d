// Package runner plans and executes the guide on real nodes.
//
// [NewPlan] turns the guide model into the ordered steps one distro runs:
// which block, on which nodes, skipped or not and why. [Values] fills the
// guide's placeholders from inventory variables, a vars file and secrets
// generated for the run, and masks the secrets in everything it prints.
// [Executor] runs a plan over connections to the nodes (SSH, through
// runner/transport, or the local machine), keeping each node's shell state
// from block to block the way a reader's terminal does, matching expected
// output (runner/expect), writing files atomically and merging ini files
// (runner/inimerge), and records results for the reports.
package runner
