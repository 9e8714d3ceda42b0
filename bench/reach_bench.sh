#!/bin/sh
# reach_bench.sh - time of `trustmap reach` (forward and --reverse, txt and
# json, workload and pod granularity) on a generated 10,000-pod cluster; the
# target is < 1 s for each (docs/benchmarks.md, "reach").
#
#   bench/reach_bench.sh               (from the top of the tree, after `make`)
#   BENCH_CLUSTER=/tmp/bench/c10000 bench/reach_bench.sh
#
# The cluster is BENCH_CLUSTER, else build/bench/c10000 (made by
# bench/gen_cluster.py when missing). Each command runs BENCH_REPEAT times
# (default 3); the fastest run is reported (the machine is shared). Every
# timed run writes to /dev/null; exit 1 when a command fails or takes 1 s or
# more.
set -u
TRUSTMAP=${TRUSTMAP:-./trustmap}
REPEAT=${BENCH_REPEAT:-3}
OUT=${BENCH_DIR:-build/bench}
TIME=/usr/bin/time
D=${BENCH_CLUSTER:-$OUT/c10000}
[ -x "$TRUSTMAP" ] || { echo "reach_bench: $TRUSTMAP not found: run make first" >&2; exit 2; }
[ -x "$TIME" ] || { echo "reach_bench: $TIME missing (Debian: apt-get install time)" >&2; exit 2; }
mkdir -p "$OUT" || exit 2
if [ ! -d "$D" ]; then
	command -v python3 >/dev/null 2>&1 || { echo "reach_bench: python3 not found; skipped" >&2; exit 0; }
	python3 bench/gen_cluster.py --pods 10000 "$D" || exit 2
fi
rc=0
echo "reach_bench: $D ($(du -sh "$D" | cut -f1) of YAML), $(nproc 2>/dev/null || echo '?') cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo
echo "| reach | time (s) | CPU user+sys (s) | max RSS (MB) | output lines |"
echo "|---|---:|---:|---:|---:|"
run() {
	label=$1
	shift
	lines=$("$@" 2>/dev/null | wc -l | tr -d ' ')
	: > "$OUT/reach-times.txt"
	i=0
	while [ $i -lt "$REPEAT" ]; do
		"$TIME" -o "$OUT/reach-time.txt" -f '%e %M %U %S' "$@" > /dev/null 2>&1 || { echo "reach_bench: $label failed" >&2; rc=1; }
		tail -n 1 "$OUT/reach-time.txt" >> "$OUT/reach-times.txt"
		i=$((i + 1))
	done
	set -- $(sort -n "$OUT/reach-times.txt" | head -n 1)
	printf '| %s | %s | %.2f | %.1f | %s |\n' "$label" "$1" "$(echo "$3 $4" | awk '{print $1 + $2}')" \
		"$(echo "$2" | awk '{print $1 / 1024}')" "$lines"
	if awk -v t="$1" 'BEGIN { exit !(t >= 1.0) }'; then
		echo "reach_bench: $label took $1 s (target < 1 s)" >&2
		rc=1
	fi
}
run "forward, ingress-nginx/controller, 3 hops" "$TRUSTMAP" reach ingress-nginx/controller "$D"
run "forward, json, 3 hops" "$TRUSTMAP" reach -f json ingress-nginx/controller "$D"
run "forward, --to internet, 5 hops" "$TRUSTMAP" reach --hops 5 --to internet ingress-nginx/controller "$D"
run "--reverse, monitoring/prometheus, 3 hops" "$TRUSTMAP" reach --reverse monitoring/prometheus "$D"
run "--reverse, json, 3 hops" "$TRUSTMAP" reach --reverse -f json monitoring/prometheus "$D"
run "forward, pod granularity" "$TRUSTMAP" reach --granularity pod ingress-nginx/controller "$D"
run "--reverse, pod granularity" "$TRUSTMAP" reach --reverse --granularity pod monitoring/prometheus "$D"
rm -f "$OUT/reach-time.txt" "$OUT/reach-times.txt"
exit $rc
