#!/usr/bin/env bash
# Compares `haguide build` with Hugo (Debian's hugo package) building the
# same chapters, in the same run: ROUNDS rounds, each running both commands
# once, the order swapped every round; prints every round's wall time and
# the load average, then the medians. Also prints the bytes of each page of
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

ms() { echo $(( ($2 - $1) / 1000000 )); }
run_haguide() { "$work/haguide" build --guide "$work/guide" -o "$work/public" >/dev/null; }
run_hugo() { hugo --quiet --source "$hs" --destination "$work/hugo-public" --cleanDestinationDir >/dev/null; }
# One warm-up each (page cache, first exec).
run_haguide; run_hugo

h=() ; g=()
printf '%-6s %-16s %10s %10s %s\n' round load haguide_ms hugo_ms first
for r in $(seq 1 "$ROUNDS"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if [ $((r % 2)) -eq 1 ]; then order="haguide hugo"; else order="hugo haguide"; fi
  for tool in $order; do
    t0=$(date +%s%N); "run_$tool"; t1=$(date +%s%N)
    if [ "$tool" = haguide ]; then h+=("$(ms "$t0" "$t1")"); else g+=("$(ms "$t0" "$t1")"); fi
  done
  printf '%-6s %-16s %10s %10s %s\n' "$r" "$load" "${h[-1]}" "${g[-1]}" "${order%% *}"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mh=$(median "${h[@]}"); mg=$(median "${g[@]}")
echo "median: haguide build ${mh} ms, hugo ${mg} ms, haguide/hugo $(awk -v a="$mh" -v b="$mg" 'BEGIN {printf "%.2f", a/b}')"
echo "min:    haguide build $(printf '%s\n' "${h[@]}" | sort -n | head -1) ms, hugo $(printf '%s\n' "${g[@]}" | sort -n | head -1) ms"

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
