#!/bin/sh
# mesh_bench.sh - time and memory of the mesh mTLS posture on generated
# meshed clusters of 1k, 10k and 100k pods, and its cost over plain `conn`.
#
#   bench/mesh_bench.sh               (from the top of the tree, after `make`)
#   BENCH_SIZES="1000 10000" BENCH_REPEAT=1 bench/mesh_bench.sh
#
# For each size N, bench/gen_cluster.py --shape mesh writes build/bench/mN/
# (regenerated only when the generator changed): the default cluster of
# cluster_bench.sh (same workloads, pods and NetworkPolicies) with Istio
# sidecar, ambient and Linkerd namespaces, PeerAuthentications,
# DestinationRules, AuthorizationPolicies, VirtualServices and Linkerd
# Servers. Then `/usr/bin/time -f '%e %M %U %S'` measures
#   inventory       trustmap inventory DIR                (ingest + mesh census)
#   conn            trustmap conn DIR                     (no posture)
#   conn-mtls       trustmap conn --show-mtls DIR
#   conn-json       trustmap conn -f json DIR
#   conn-mtls-json  trustmap conn --show-mtls -f json DIR
#   check           trustmap check DIR                    (TM120-TM127 among the rules)
# each BENCH_REPEAT times (default 3), the fastest run reported (the machine
# is shared; the minimum is the least disturbed run), output to /dev/null and
# one more, untimed run for the line count. It prints a markdown table, the
# cost of the posture (conn-mtls over conn, CPU time and RSS, txt and json)
# and the target at the largest size: conn --show-mtls < 10 s CPU and
# < 2 GiB RSS, as full conn (docs/benchmarks.md, "Mesh posture"). Exit 1
# when a command fails or the target is missed.
set -u
TRUSTMAP=${TRUSTMAP:-./trustmap}
SIZES=${BENCH_SIZES:-"1000 10000 100000"}
REPEAT=${BENCH_REPEAT:-3}
OUT=${BENCH_DIR:-build/bench}
TIME=/usr/bin/time

if [ ! -x "$TRUSTMAP" ]; then
	echo "mesh_bench: $TRUSTMAP not found: run make first" >&2
	exit 2
fi
if [ ! -x "$TIME" ]; then
	echo "mesh_bench: $TIME missing (Debian: apt-get install time)" >&2
	exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "mesh_bench: python3 not found: the cluster generator needs it; skipped" >&2
	exit 0
fi
mkdir -p "$OUT" || exit 2
gen_sum=$(cksum < bench/gen_cluster.py | cut -d' ' -f1)
R=$OUT/mesh-results

# run LABEL N CMD...: the fastest of $REPEAT runs, appended to $R
run() {
	label=$1 n=$2
	shift 2
	: > "$OUT/mesh-times.txt"
	lines=$("$@" 2> /dev/null | wc -l | tr -d ' ')
	i=0
	while [ $i -lt "$REPEAT" ]; do
		"$TIME" -o "$OUT/mesh-time.txt" -f '%e %M %U %S' "$@" > /dev/null 2> /dev/null
		rc=$?
		tail -n 1 "$OUT/mesh-time.txt" >> "$OUT/mesh-times.txt"
		# check exits 1 when it has findings
		[ $rc = 0 ] || { [ "$label" = check ] && [ $rc = 1 ]; } || break
		i=$((i + 1))
	done
	set -- $(sort -n "$OUT/mesh-times.txt" | head -n 1)
	cpu=$(echo "$3 $4" | awk '{ printf "%.2f", $1 + $2 }')
	echo "$label $n $1 $2 $lines $rc $cpu" >> "$R"
	printf '  %-14s %7s pods  %6s s (cpu %6s s)  %8s KB  %9s lines  exit %s\n' "$label" "$n" "$1" "$cpu" "$2" \
		"$lines" "$rc"
}

: > "$R"
echo "mesh_bench: $(nproc 2>/dev/null || echo '?') cores, $(uname -sm), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
for n in $SIZES; do
	d="$OUT/m$n"
	if [ "$(cat "$d/.stamp" 2>/dev/null)" != "$gen_sum" ]; then
		python3 bench/gen_cluster.py --pods "$n" --shape mesh "$d" || exit 2
		echo "$gen_sum" > "$d/.stamp"
	fi
	echo "mesh $n: $(du -sh "$d" | cut -f1) of YAML in $(ls "$d" | wc -l | tr -d ' ') files," \
		"load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
	run inventory "$n" "$TRUSTMAP" inventory "$d"
	run conn "$n" "$TRUSTMAP" conn "$d"
	run conn-mtls "$n" "$TRUSTMAP" conn --show-mtls "$d"
	run conn-json "$n" "$TRUSTMAP" conn -f json "$d"
	run conn-mtls-json "$n" "$TRUSTMAP" conn --show-mtls -f json "$d"
	run check "$n" "$TRUSTMAP" check "$d"
done
rm -f "$OUT/mesh-time.txt" "$OUT/mesh-times.txt"

echo
echo "| command | pods | time (s) | CPU user+sys (s) | max RSS (MB) | output lines |"
echo "|---|---:|---:|---:|---:|---:|"
awk '{ printf "| %s | %s | %s | %s | %.1f | %s |\n", $1, $2, $3, $7, $4 / 1024, $5 }' "$R"
echo
echo "cost of the posture (--show-mtls over the same conn; CPU time, RSS):"
awk '{ cpu[$1 " " $2] = $7; rss[$1 " " $2] = $4; if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 } }
	END {
		for (j = 1; j <= k; j++) {
			n = order[j]
			if (cpu["conn " n] > 0 && rss["conn " n] > 0)
				printf "  txt  %7s pods: CPU x%.2f (%s -> %s s), RSS x%.2f\n", n,
					cpu["conn-mtls " n] / cpu["conn " n], cpu["conn " n], cpu["conn-mtls " n],
					rss["conn-mtls " n] / rss["conn " n]
			if (cpu["conn-json " n] > 0 && rss["conn-json " n] > 0)
				printf "  json %7s pods: CPU x%.2f (%s -> %s s), RSS x%.2f\n", n,
					cpu["conn-mtls-json " n] / cpu["conn-json " n], cpu["conn-json " n],
					cpu["conn-mtls-json " n], rss["conn-mtls-json " n] / rss["conn-json " n]
		}
	}' "$R"
echo
echo "ratios to the previous size (time, RSS):"
awk '{ if (($1 in t) && t[$1] > 0 && r[$1] > 0)
		printf "  %-14s %6s -> %-6s pods: time x%.1f, RSS x%.1f\n", $1, n[$1], $2, $3 / t[$1], $4 / r[$1];
	t[$1] = $3; r[$1] = $4; n[$1] = $2 }' "$R"
rc=0
fail=$(awk '$6 != 0 && !($1 == "check" && $6 == 1)' "$R")
if [ -n "$fail" ]; then
	echo "mesh_bench: a command failed:" >&2
	echo "$fail" >&2
	rc=1
fi
# the target at the largest size measured: CPU time, which load moves least
big=$(awk '$1 == "conn-mtls" { n = $2 } END { print n }' "$R")
if [ "$big" = 100000 ]; then
	if awk '$1 == "conn-mtls" && $2 == 100000 { exit !($7 < 10 && $4 < 2 * 1024 * 1024) }' "$R"; then
		echo "target (conn --show-mtls at 100k pods < 10 s CPU, < 2 GiB RSS): met"
	else
		echo "mesh_bench: target missed: conn --show-mtls at 100k pods >= 10 s CPU or >= 2 GiB RSS" >&2
		rc=1
	fi
fi
exit $rc
