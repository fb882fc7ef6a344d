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
#   BASELINE=aa24c86 scripts/bench-site.sh   # also time haguide as of a
#                                            # commit, on that commit's guide
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
  git archive "${BASELINE:-HEAD}" guide | tar -x -C "$work/guide" --strip-components=1
fi
go build -o "$work/haguide" ./cmd/haguide
tools="haguide hugo"
if [ -n "${BASELINE:-}" ]; then
  mkdir "$work/base"
  git archive "$BASELINE" | tar -x -C "$work/base"
  (cd "$work/base" && go build -o "$work/haguide-base" ./cmd/haguide)
  tools="haguide hugo base"
fi

# Hugo's copy of the chapters, in SUMMARY.md's order.
hs="$work/hugo"
mkdir -p "$hs/content"
cp -r site/testdata/hugo/. "$hs/" # its config and layout, as BenchmarkHugo's
weight=0
while IFS=$'\t' read -r title file; do
  weight=$((weight + 1))
  dest="$hs/content/$file"
  [ "$file" = index.md ] && dest="$hs/content/_index.md"
  { printf -- '---\ntitle: "%s"\nweight: %d\n---\n' "$title" "$weight"; cat "$work/guide/$file"; } >"$dest"
done < <(grep -oE '\[[^]]+\]\([^)]+\.md\)' "$work/guide/SUMMARY.md" | sed -E 's/^\[([^]]+)\]\(([^)]+)\)$/\1\t\2/')

run_haguide() { "$work/haguide" build --guide "$work/guide" -o "$work/public" >/dev/null; }
run_base() { "$work/haguide-base" build --guide "$work/guide" -o "$work/base-public" >/dev/null; }
run_hugo() { hugo --quiet --source "$hs" --destination "$work/hugo-public" --cleanDestinationDir >/dev/null; }
# One warm-up each (page cache, first exec).
for tool in $tools; do "run_$tool"; done

# Each run: wall time and CPU time (user + system), in ms, from bash's time.
TIMEFORMAT='%3R %3U %3S'
timed() { { time "run_$1"; } 2>&1 | awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}'; }
declare -A wall cpu
printf '%-6s %-16s' round load
for tool in $tools; do printf ' %12s %12s' "${tool}_ms" "${tool}_cpu"; done
printf ' first\n'
for r in $(seq 1 "$ROUNDS"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  # Rotate who goes first.
  read -ra t <<<"$tools"
  k=$(( (r - 1) % ${#t[@]} ))
  order="${t[*]:k} ${t[*]:0:k}"
  for tool in $order; do
    read -r w c < <(timed "$tool")
    wall[$tool]="${wall[$tool]:-} $w"; cpu[$tool]="${cpu[$tool]:-} $c"
  done
  printf '%-6s %-16s' "$r" "$load"
  for tool in $tools; do printf ' %12s %12s' "${wall[$tool]##* }" "${cpu[$tool]##* }"; done
  printf ' %s\n' "${order%% *}"
done
# The median and the minimum of the numbers in a space-separated list.
median() { tr ' ' '\n' <<<"$1" | sort -n | awk 'NF {a[++n]=$1} END {print (n%2) ? a[(n+1)/2] : (a[n/2]+a[n/2+1])/2}'; }
minimum() { tr ' ' '\n' <<<"$1" | sort -n | awk 'NF {print; exit}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
mgw=$(median "${wall[hugo]}"); mgc=$(median "${cpu[hugo]}")
for tool in $tools; do
  mw=$(median "${wall[$tool]}"); mc=$(median "${cpu[$tool]}"); mn=$(minimum "${wall[$tool]}")
  echo "$tool: median wall ${mw} ms ($(ratio "$mw" "$mgw") of hugo's), median CPU ${mc} ms ($(ratio "$mc" "$mgc") of hugo's), min wall ${mn} ms"
done
read -ra hw <<<"${wall[haguide]}"; read -ra gw <<<"${wall[hugo]}"
wins=0
for i in "${!hw[@]}"; do [ "${hw[$i]}" -le "${gw[$i]}" ] && wins=$((wins + 1)); done
echo "rounds where haguide's wall time was at most hugo's: $wins of $ROUNDS"

# Bytes of each page with what it loads when viewed: stylesheets, scripts,
# the icon and images (not the search, whose script, MiniSearch and index
# load on its first use).
weigh() {
  echo
  echo "$1: page bytes (HTML + assets loaded on view; the search loads on first use):"
  (
  cd "$2"
  for p in *.html; do
    html=$(stat -c %s "$p")
    assets=0
    while read -r a; do
      [ -f "$a" ] && assets=$((assets + $(stat -c %s "$a")))
    done < <(grep -oE '<(link|script|img)[^>]*(href|src)="[^"]+"' "$p" | grep -oE '(href|src)="[^"]+"' | sed -E 's/^(href|src)="([^"?#]+).*/\2/' | sort -u)
    printf '%-32s %8d html %8d assets %8d total\n' "$p" "$html" "$assets" $((html + assets))
  done
  echo "search-index.js $(stat -c %s assets/search-index.js) bytes, minisearch.js $(stat -c %s assets/minisearch.js) bytes"
  )
}
weigh haguide "$work/public"
[ -z "${BASELINE:-}" ] || weigh "haguide $BASELINE" "$work/base-public"
