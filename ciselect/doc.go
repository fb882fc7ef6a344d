// Package ciselect chooses which chapters of the guide docs CI verifies
// when the whole guide does not fit its time budget. It is the rule of
// docs/ci.md, as a pure function: [Select] takes the chapters, what they
// need, how long each took when it last passed, what changed since the
// whole guide last passed, and a budget; it returns the chapters to run
// and, for every chapter, why it is in or out.
//
// The rule:
//
//  1. Each chapter's estimate is how long its steps took when it last
//     passed (the run records, package runs). A chapter with none gets
//     the default estimate: [Input.Default] when given, else the largest
//     known estimate, else [FallbackEstimate].
//  2. If the estimate of the whole guide is within the budget, every
//     chapter runs.
//  3. Otherwise the mandatory chapters run: every chapter that changed
//     since the commit that last passed the whole guide
//     ([Input.Changed]), with every chapter it needs (needs are closed
//     transitively). When [Input.Everything] gives a reason (something
//     besides the chapters that can change what they do changed, there
//     is no whole-guide pass on record, or its commit cannot be
//     compared), every chapter counts as changed.
//  4. Then the other chapters, the stalest first (never passed first,
//     then by the time of their last pass, oldest first; ties in guide
//     order), each with what it needs, as long as the estimate of the
//     selection stays within the budget. A chapter that does not fit is
//     left out and the next one is tried; the round repeats until no
//     chapter can be added.
//  5. If the mandatory chapters alone exceed the budget they run all the
//     same (correctness before time; CI's hard limit is above its
//     budget), and the selection says so.
//
// The selection is always closed under needs, always holds every changed
// chapter, and holds every chapter when the whole guide fits; its
// estimate is within the budget unless the mandatory chapters alone are
// not.
package ciselect
