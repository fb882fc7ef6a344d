#!/usr/bin/env bash
# Compares `haguide build` with Hugo (Debian's hugo package) building the
# same chapters, in the same run: ROUNDS rounds, each running both commands
# once, the order swapped every round; prints every round's wall time, CPU
# time (user + system) and the load average, then the medians. Also prints the bytes of each page of
# haguide's site with the assets it loads (see docs/benchmarks.md).
#
#   scripts/bench-site.sh                 # the guide as committed (HEAD)
#   GUIDE=guide scripts/bench-site.sh     # the working tree's guide
#   ROUNDS=15 scripts/bench-site.sh
#
# Hugo gets each chapter with a title and weight front matter, a minimal
# layout (a sidebar of the pages and the page's TOC) and chroma highlighting
# with classes, as BenchmarkHugo in site/ does.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

ROUNDS=${ROUNDS:-11}
command -v hugo >/dev/null || { echo "bench-site: hugo is missing (scripts/deps.sh test installs it)" >&2; exit 1; }

work=$(mktemp -d /tmp/haguide-bench-site.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ -n "${GUIDE:-}" ]; then
  cp -r "$GUIDE" "$work/guide"
else
  mkdir "$work/guide"
  git archive HEAD guide | tar -x -C "$work/guide" --strip-components=1
fi
go build -o "$work/haguide" ./cmd/haguide

# Hugo's copy of the chapters, in SUMMARY.md's order.
hs="$work/hugo"
mkdir -p "$hs/content" "$hs/layouts/_default"
cat >"$hs/hugo.toml" <<'EOF'
baseURL = "https://example.org/"
title = "HA Guide"
disableKinds = ["taxonomy", "term", "RSS"]
[markup.highlight]
noClasses = false
[markup.goldmark.parser.attribute]
block = true
EOF
cat >"$hs/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>
EOF
cat >"$hs/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<nav>{{ range .Site.RegularPages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav><main>{{ .TableOfContents }}{{ .Content }}</main>{{ end }}
EOF
cat >"$hs/layouts/index.html" <<'EOF'
{{ define "main" }}{{ .Content }}{{ range .Site.RegularPages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}{{ end }}
EOF
weight=0
while IFS=$'\t' read -r title file; do
  weight=$((weight + 1))
  dest="$hs/content/$file"
  [ "$file" = index.md ] && dest="$hs/content/_index.md"
  { printf -- '---\ntitle: "%s"\nweight: %d\n---\n' "$title" "$weight"; cat "$work/guide/$file"; } >"$dest"
done < <(grep -oE '\[[^]]+\]\([^)]+\.md\)' "$work/guide/SUMMARY.md" | sed -E 's/^\[([^]]+)\]\(([^)]+)\)$/\1\t\2/')

run_haguide() { "$work/haguide" build --guide "$work/guide" -o "$work/public" >/dev/null; }
run_hugo() { hugo --quiet --source "$hs" --destination "$work/hugo-public" --cleanDestinationDir >/dev/null; }
# One warm-up each (page cache, first exec).
run_haguide; run_hugo

# Each run: wall time and CPU time (user + system), in ms, from bash's time.
TIMEFORMAT='%3R %3U %3S'
timed() { { time "run_$1"; } 2>&1 | awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}'; }
hw=(); hc=(); gw=(); gc=()
printf '%-6s %-16s %12s %12s %12s %12s %s\n' round load haguide_ms hugo_ms haguide_cpu hugo_cpu first
for r in $(seq 1 "$ROUNDS"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if [ $((r % 2)) -eq 1 ]; then order="haguide hugo"; else order="hugo haguide"; fi
  for tool in $order; do
    read -r wall cpu < <(timed "$tool")
    if [ "$tool" = haguide ]; then hw+=("$wall"); hc+=("$cpu"); else gw+=("$wall"); gc+=("$cpu"); fi
  done
  printf '%-6s %-16s %12s %12s %12s %12s %s\n' "$r" "$load" "${hw[-1]}" "${gw[-1]}" "${hc[-1]}" "${gc[-1]}" "${order%% *}"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
mhw=$(median "${hw[@]}"); mgw=$(median "${gw[@]}"); mhc=$(median "${hc[@]}"); mgc=$(median "${gc[@]}")
echo "median wall: haguide build ${mhw} ms, hugo ${mgw} ms, haguide/hugo $(ratio "$mhw" "$mgw")"
echo "median CPU:  haguide build ${mhc} ms, hugo ${mgc} ms, haguide/hugo $(ratio "$mhc" "$mgc")"
echo "min wall:    haguide build $(printf '%s\n' "${hw[@]}" | sort -n | head -1) ms, hugo $(printf '%s\n' "${gw[@]}" | sort -n | head -1) ms"
wins=0
for i in "${!hw[@]}"; do [ "${hw[$i]}" -le "${gw[$i]}" ] && wins=$((wins + 1)); done
echo "rounds where haguide's wall time was at most hugo's: $wins of $ROUNDS"

# Bytes of each page with what it loads when viewed: stylesheets, scripts,
# the icon and images (not the search index and MiniSearch, which load on
# the first search).
echo
echo "page bytes (HTML + assets loaded on view; the search loads on first use):"
cd "$work/public"
for p in *.html; do
  html=$(stat -c %s "$p")
  assets=0
  for a in $(grep -oE '<(link|script|img)[^>]*(href|src)="[^"]+"' "$p" | grep -oE '(href|src)="[^"]+"' | sed -E 's/^(href|src)="([^"?#]+).*/\2/' | sort -u); do
    [ -f "$a" ] && assets=$((assets + $(stat -c %s "$a")))
  done
  printf '%-32s %8d html %8d assets %8d total\n' "$p" "$html" "$assets" $((html + assets))
done
echo "search-index.js $(stat -c %s assets/search-index.js) bytes, minisearch.js $(stat -c %s assets/minisearch.js) bytes"
