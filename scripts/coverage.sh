#!/usr/bin/env bash
# Writes docs/coverage.md: per distro and chapter, the steps verify runs and
# those it skips (with the reasons), from `haguide plan`; and, when given
# run directories of `haguide verify`, what those runs executed, passed and
# failed. Usage: [RUN_NOTE="what the run was"] scripts/coverage.sh [RUN_DIR ...]
# (RUN_NOTE replaces the run directory's path in the "From ..." line;
# RUN_NOTE_1, RUN_NOTE_2, ... name each run dir in turn and win over it.)
# Each run dir is also recorded for the site, in docs/runs/DISTRO.json
# (haguide runs add, with the note as the record's source).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/haguide}
out=docs/coverage.md
tmp=$(mktemp)
{
  echo "# Coverage"
  echo
  echo "What \`haguide verify\` executes of the guide, per distro. Regenerate with"
  echo "\`scripts/coverage.sh [RUN_DIR ...]\` and commit when the figures change."
  echo "The lab has a BMC per node, so every fault is injected the same way on"
  echo "the lab and on a reader's nodes: the plans for both are the same step for"
  echo "step (\"lab only\" and \"own nodes only\" steps would be counted as such;"
  echo "there are none, and runner's TestOnePlanForLabAndOwnNodes keeps it so)."
  echo "\"run=no\" steps are shown to readers, never run. The run directories"
  echo "given are also recorded for the site, in docs/runs/DISTRO.json."
  echo
  echo "## Planned steps"
  echo
  echo "Debian on the local lab and on a reader's own nodes (CI runs the whole"
  echo "guide on the lab through -i, as on a reader's nodes); the others on a"
  echo "reader's own nodes."
  echo
  "$BIN" plan --distro debian --format markdown
  echo
  # shellcheck disable=SC2016 # the backticks are Markdown's
  echo 'Debian on your own nodes (`verify -i`):'
  echo
  "$BIN" plan --distro debian --lab=false --format markdown
  for d in $("$BIN" distros --ids); do
    [ "$d" = debian ] && continue # above, on the lab and on own nodes
    echo
    "$BIN" plan --distro "$d" --format markdown
  done
  if [ $# -gt 0 ]; then
    echo
    echo "## Executed"
    i=0
    for run in "$@"; do
      i=$((i + 1))
      note_var="RUN_NOTE_$i"
      note=${!note_var:-${RUN_NOTE:-}}
      echo
      echo "From ${note:-\`$run\`} ($(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["finished"][:10], "on", "the lab" if r["lab"] else "own nodes", "-", r["result"], "in", r["duration"] + (", peak memory %.2f GiB" % (r["peak_memory_bytes"]/2**30) + (" (%.2f GiB anonymous)" % (r["peak_memory"]["anon_bytes"]/2**30) if (r.get("peak_memory") or {}).get("anon_bytes") else "") if r.get("peak_memory_bytes") else ""))' "$run/report.json")):"
      echo
      cat "$run/chapters.md"
      "$BIN" runs add --source "$note" "$run" >&2
      # What the failover rehearsals measured: every line a rehearsal's
      # report printed about gaps, lost writes and rounds, per step (the
      # lines runs add records, FigureLine in runner/record.go).
      figures=$("$BIN" runs figures "$run")
      if [ -n "$figures" ]; then
        echo
        echo "Measured by the failover rehearsals in that run:"
        echo
        echo "$figures"
      fi
    done
  fi
  # Notes kept by hand (comparisons with earlier runs), carried into every
  # regeneration.
  if [ -f docs/coverage-notes.md ]; then
    echo
    cat docs/coverage-notes.md
  fi
} >"$tmp"
mv "$tmp" "$out"
echo "wrote $out"
