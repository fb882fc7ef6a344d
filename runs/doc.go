// Package runs holds the records of the guide's real runs that the site
// shows: per distro, per chapter and per target (the lab, or a reader's
// own nodes), the last run of `haguide verify` in which the chapter
// passed, with its date, the guide's commit, its step counts and what
// its failover rehearsals measured.
//
// A record is a small JSON file per distro, committed to the repository
// as docs/runs/DISTRO.json: `haguide runs add RUN_DIR` makes or updates it
// from a run directory (runner turns a run's report into a [Record];
// [Merge] keeps, per chapter and target, the latest pass), and the site
// reads the folder at build time ([ReadDir]). The package is a leaf: the
// runner writes records and the site reads them without knowing of each
// other.
//
// A record never holds a secret: its counts come from the run's report,
// which holds none, and its figures are single lines of the rehearsals'
// logs that start with a known measure ("longest gap", "committed
// writes: ...") after the runner masked every secret in them. [Parse]
// accepts only the fields below, each checked (a short commit hash,
// printable one-line texts of bounded length), so that a hand-edited or
// foreign file cannot put markup or surprises into the site.
package runs
