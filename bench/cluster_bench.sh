#!/bin/sh
# cluster_bench.sh - time and memory of manifest ingest and connectivity
# analysis on generated clusters of 1k, 10k and 100k pods, in two shapes.
#
#   bench/cluster_bench.sh            (from the top of the tree, after `make`)
#   BENCH_SIZES="1000 10000" BENCH_SHAPES=ipheavy bench/cluster_bench.sh
#
# For each shape (default: 32 distinct IP ranges; ipheavy: thousands of
# distinct CIDRs with excepts, partner networks and egress allow-lists,
# bench/gen_cluster.py --shape) and size N: bench/gen_cluster.py writes
# build/bench/cN/ or build/bench/ipN/ (regenerated only when the generator
# changed) and DIR-new/, the same files (hard links) plus one NetworkPolicy,
# then `/usr/bin/time -f '%e s %M KB'` measures
#   inventory   trustmap inventory DIR            (ingest only)
#   conn txt    trustmap conn DIR > /dev/null     (ingest + analysis + NPA text)
# (every timed run writes to /dev/null; one extra untimed run counts the lines)
#   conn json   trustmap conn -f json DIR > /dev/null
#   check       trustmap check DIR > /dev/null    (when the command exists)
#   diff        trustmap diff DIR DIR-new         (OLD vs OLD + one policy)
#   reach       trustmap reach SRC DIR            (one source, 3 hops)
#   reach-unknown  trustmap reach no-such-workload DIR  (refused: exit 2)
#   explain     trustmap explain SRC kube-system/coredns[Deployment] DIR
# with SRC the first namespace's api Deployment, and prints a markdown table
# (seconds, CPU seconds, max RSS, output lines) and the ratios between
# consecutive sizes; then bench/engine_bench.c times the engines ("fast",
# "classes") and the conn writers on each cluster without ingest. Each command runs BENCH_REPEAT
# times (default 3) and the fastest run is reported: the bench machine is
# shared, and the minimum is the run least disturbed by other processes.
# Results are described in docs/benchmarks.md.
set -u
TRUSTMAP=${TRUSTMAP:-./trustmap}
SIZES=${BENCH_SIZES:-"1000 10000 100000"}
SHAPES=${BENCH_SHAPES:-"default ipheavy"}
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
has_diff=no
"$TRUSTMAP" diff --help >/dev/null 2>&1 && has_diff=yes

# run LABEL N CMD...: the fastest of $REPEAT runs, appended to $OUT/results
run() {
	label=$shape:$1 n=$2
	shift 2
	: > "$OUT/times.txt"
	# output lines from one untimed run; the timed runs write to /dev/null
	lines=$("$@" 2> "$OUT/err.txt" | wc -l | tr -d ' ')
	i=0
	while [ $i -lt "$REPEAT" ]; do
		"$TIME" -o "$OUT/time.txt" -f '%e %M %U %S' "$@" > /dev/null 2> "$OUT/err.txt"
		rc=$?
		tail -n 1 "$OUT/time.txt" >> "$OUT/times.txt"
		[ $rc = 0 ] || [ $rc = 1 ] || [ "$label" = "$shape:reach-unknown" ] || break
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
for shape in $SHAPES; do
for n in $SIZES; do
	if [ "$shape" = ipheavy ]; then d="$OUT/ip$n"; else d="$OUT/c$n"; fi
	if [ "$(cat "$d/.stamp" 2>/dev/null)" != "$gen_sum" ]; then
		python3 bench/gen_cluster.py --pods "$n" --shape "$shape" "$d" || exit 2
		echo "$gen_sum" > "$d/.stamp"
		# NEW = OLD + one policy (hard links: no copy)
		rm -rf "$d-new" && cp -al "$d" "$d-new" || exit 2
		cat > "$d-new/zz-change.yaml" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-partner-admin
  namespace: payments-api-0000
spec:
  podSelector:
    matchLabels: {tier: backend}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock: {cidr: 198.18.0.0/15, except: [198.18.7.0/24]}
    - namespaceSelector:
        matchLabels: {team: payments}
    ports:
    - {port: http}
EOF
	fi
	echo "$shape $n: $(du -sh "$d" | cut -f1) of YAML in $(ls "$d" | wc -l | tr -d ' ') files"
	src='payments-api-0000/api[Deployment]'
	run inventory "$n" "$TRUSTMAP" inventory "$d"
	run conn-txt "$n" "$TRUSTMAP" conn "$d"
	run conn-json "$n" "$TRUSTMAP" conn -f json "$d"
	if [ $has_check = yes ]; then
		run check "$n" "$TRUSTMAP" check "$d"
	fi
	if [ $has_diff = yes ]; then
		run diff "$n" "$TRUSTMAP" diff "$d" "$d-new"
	fi
	run reach "$n" "$TRUSTMAP" reach "$src" "$d"
	run reach-unknown "$n" "$TRUSTMAP" reach no-such-workload "$d"
	run explain "$n" "$TRUSTMAP" explain "$src" 'kube-system/coredns[Deployment]' "$d"
done
done
rm -f "$OUT/err.txt" "$OUT/time.txt" "$OUT/times.txt"

# the engines and the writers alone (no ingest), on every cluster of the run
CC=${CC:-cc}
PKGS="yaml-0.1 jansson libcgraph libgvc openssl libpcap"
if [ -f build/libtrustmap.a ] && $CC -std=c11 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags $PKGS) \
	-o "$OUT/engine_bench" bench/engine_bench.c build/libtrustmap.a $(pkg-config --libs $PKGS) -lm; then
	echo
	echo "engines and writers without ingest (bench/engine_bench.c, CPU seconds, best of 3):"
	for shape in $SHAPES; do
		for n in $SIZES; do
			if [ "$shape" = ipheavy ]; then d="$OUT/ip$n"; else d="$OUT/c$n"; fi
			"$OUT/engine_bench" "$d" | sed 's/^/  /'
		done
	done
fi

echo
echo "| shape | command | pods | time (s) | CPU user+sys (s) | max RSS (MB) | output lines |"
echo "|---|---|---:|---:|---:|---:|---:|"
awk '{ split($1, a, ":"); printf "| %s | %s | %s | %s | %s | %.1f | %s |\n", a[1], a[2], $2, $3, $7, $4 / 1024, $5 }' "$OUT/results"
[ $has_check = yes ] || echo "| - | check | 10000 | not yet measured (no \`check\` command in this build) | | | |"
echo
echo "ratios to the previous size (time, RSS):"
awk '{ if (($1 in t) && t[$1] > 0 && r[$1] > 0)
		printf "  %-10s %6s -> %-6s pods: time x%.1f, RSS x%.1f\n", $1, n[$1], $2, $3 / t[$1], $4 / r[$1];
	t[$1] = $3; r[$1] = $4; n[$1] = $2 }' "$OUT/results"
fail=$(awk '$6 != 0 && !($1 ~ /:(check|diff)$/ && $6 == 1) && !($1 ~ /:reach-unknown$/ && $6 == 2)' "$OUT/results")
if [ -n "$fail" ]; then
	echo "cluster_bench: a command failed:" >&2
	echo "$fail" >&2
	exit 1
fi
exit 0
