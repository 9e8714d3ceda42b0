#!/bin/sh
# cluster_bench.sh - time and memory of manifest ingest and connectivity
# analysis on generated clusters of 1k, 10k and 100k pods.
#
#   bench/cluster_bench.sh            (from the top of the tree, after `make`)
#   BENCH_SIZES="1000 10000" bench/cluster_bench.sh
#
# For each size N: bench/gen_cluster.py writes build/bench/cN/ (regenerated
# only when the generator changed), then `/usr/bin/time -f '%e s %M KB'`
# measures
#   inventory   trustmap inventory DIR            (ingest only)
#   conn txt    trustmap conn DIR > /dev/null     (ingest + analysis + NPA text)
# (every timed run writes to /dev/null; one extra untimed run counts the lines)
#   conn json   trustmap conn -f json DIR > /dev/null
#   check       trustmap check DIR > /dev/null    (when the command exists)
# and prints a markdown table (seconds, CPU seconds, max RSS, output lines)
# and the ratios between consecutive sizes. Each command runs BENCH_REPEAT
# times (default 3) and the fastest run is reported: the bench machine is
# shared, and the minimum is the run least disturbed by other processes.
# Results are described in docs/benchmarks.md.
set -u
TRUSTMAP=${TRUSTMAP:-./trustmap}
SIZES=${BENCH_SIZES:-"1000 10000 100000"}
REPEAT=${BENCH_REPEAT:-3}
OUT=${BENCH_DIR:-build/bench}
TIME=/usr/bin/time

if [ ! -x "$TRUSTMAP" ]; then
	echo "cluster_bench: $TRUSTMAP not found: run make first" >&2
	exit 2
fi
if [ ! -x "$TIME" ]; then
	echo "cluster_bench: $TIME missing (Debian: apt-get install time)" >&2
	exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "cluster_bench: python3 not found: the cluster generator needs it; skipped" >&2
	exit 0
fi
mkdir -p "$OUT" || exit 2
gen_sum=$(cksum < bench/gen_cluster.py | cut -d' ' -f1)
has_check=no
"$TRUSTMAP" check --help >/dev/null 2>&1 && has_check=yes

# run LABEL N CMD...: the fastest of $REPEAT runs, appended to $OUT/results
run() {
	label=$1 n=$2
	shift 2
	: > "$OUT/times.txt"
	# output lines from one untimed run; the timed runs write to /dev/null
	lines=$("$@" 2> "$OUT/err.txt" | wc -l | tr -d ' ')
	i=0
	while [ $i -lt "$REPEAT" ]; do
		"$TIME" -o "$OUT/time.txt" -f '%e %M %U %S' "$@" > /dev/null 2> "$OUT/err.txt"
		rc=$?
		tail -n 1 "$OUT/time.txt" >> "$OUT/times.txt"
		[ $rc = 0 ] || [ $rc = 1 ] || break
		i=$((i + 1))
	done
	set -- $(sort -n "$OUT/times.txt" | head -n 1)
	cpu=$(echo "$3 $4" | awk '{ printf "%.2f", $1 + $2 }')
	echo "$label $n $1 $2 $lines $rc $cpu" >> "$OUT/results"
	printf '  %-10s %7s pods  %6s s (cpu %6s s)  %8s KB  %9s lines  exit %s\n' "$label" "$n" "$1" "$cpu" "$2" \
		"$lines" "$rc"
}

: > "$OUT/results"
echo "cluster_bench: $(nproc 2>/dev/null || echo '?') cores, $(uname -sm), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
for n in $SIZES; do
	d="$OUT/c$n"
	if [ "$(cat "$d/.stamp" 2>/dev/null)" != "$gen_sum" ]; then
		python3 bench/gen_cluster.py --pods "$n" "$d" || exit 2
		echo "$gen_sum" > "$d/.stamp"
	fi
	echo "c$n: $(du -sh "$d" | cut -f1) of YAML in $(ls "$d" | wc -l | tr -d ' ') files"
	run inventory "$n" "$TRUSTMAP" inventory "$d"
	run conn-txt "$n" "$TRUSTMAP" conn "$d"
	run conn-json "$n" "$TRUSTMAP" conn -f json "$d"
	if [ $has_check = yes ]; then
		run check "$n" "$TRUSTMAP" check "$d"
	fi
done
rm -f "$OUT/err.txt" "$OUT/time.txt" "$OUT/times.txt"

echo
echo "| command | pods | time (s) | CPU user+sys (s) | max RSS (MB) | output lines |"
echo "|---|---:|---:|---:|---:|---:|"
awk '{ printf "| %s | %s | %s | %s | %.1f | %s |\n", $1, $2, $3, $7, $4 / 1024, $5 }' "$OUT/results"
[ $has_check = yes ] || echo "| check | 10000 | not yet measured (no \`check\` command in this build) | | | |"
echo
echo "ratios to the previous size (time, RSS):"
awk '{ if (($1 in t) && t[$1] > 0 && r[$1] > 0)
		printf "  %-10s %6s -> %-6s pods: time x%.1f, RSS x%.1f\n", $1, n[$1], $2, $3 / t[$1], $4 / r[$1];
	t[$1] = $3; r[$1] = $4; n[$1] = $2 }' "$OUT/results"
fail=$(awk '$6 != 0 && !($1 == "check" && $6 == 1)' "$OUT/results")
if [ -n "$fail" ]; then
	echo "cluster_bench: a command failed:" >&2
	echo "$fail" >&2
	exit 1
fi
exit 0
