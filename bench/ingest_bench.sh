#!/bin/sh
# ingest_bench.sh - time and memory of reading large cluster dumps (issue 13):
# `kubectl get pods -A -o json` of 10,000 and 100,000 pods, the same as
# `-o yaml`, and one single-file YAML of a 100,000-pod cluster.
#
#   bench/ingest_bench.sh             (from the top of the tree, after `make`)
#   BENCH_SIZES="10000" bench/ingest_bench.sh
#   OLD=/path/to/older/trustmap bench/ingest_bench.sh   (a second column: old)
#
# Inputs are generated deterministically under build/bench/ (never
# committed), again only when a generator changed:
#   pods-N.json    bench/gen_dump.py --pods N          (managedFields, status,
#                                                       last-applied annotation)
#   pods-N.yaml    bench/gen_dump.py --yaml --pods N
#   cluster-100000.yaml  bench/gen_cluster.py --pods 100000, concatenated
# Each row is `trustmap inventory FILE > /dev/null` under
# /usr/bin/time -f '%e %M %U %S', the fastest of BENCH_REPEAT runs (default
# 3): seconds, CPU seconds, max RSS. Results are in docs/benchmarks.md.
set -u
TRUSTMAP=${TRUSTMAP:-./trustmap}
SIZES=${BENCH_SIZES:-"10000 100000"}
REPEAT=${BENCH_REPEAT:-3}
OUT=${BENCH_DIR:-build/bench}
OLD=${OLD:-}
TIME=/usr/bin/time

if [ ! -x "$TRUSTMAP" ]; then
	echo "ingest_bench: $TRUSTMAP not found: run make first" >&2
	exit 2
fi
if [ ! -x "$TIME" ]; then
	echo "ingest_bench: $TIME missing (Debian: apt-get install time)" >&2
	exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "ingest_bench: python3 not found: the generators need it; skipped" >&2
	exit 0
fi
mkdir -p "$OUT" || exit 2

# gen FILE STAMP CMD...: run CMD (which writes FILE) unless STAMP matches
gen() {
	file=$1 stamp=$2
	shift 2
	if [ -f "$file" ] && [ "$(cat "$file.sum" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	"$@" || return 1
	echo "$stamp" > "$file.sum"
}

# row LABEL BIN FILE: the fastest of $REPEAT runs of BIN inventory FILE
row() {
	label=$1 bin=$2 file=$3
	: > "$OUT/itimes.txt"
	i=0
	while [ $i -lt "$REPEAT" ]; do
		"$TIME" -o "$OUT/itime.txt" -f '%e %M %U %S' "$bin" inventory "$file" > /dev/null 2> "$OUT/ierr.txt"
		rc=$?
		tail -n 1 "$OUT/itime.txt" >> "$OUT/itimes.txt"
		[ $rc = 0 ] || break
		i=$((i + 1))
	done
	set -- $(sort -n "$OUT/itimes.txt" | head -n 1)
	mb=$(( $(wc -c < "$file") / 1000000 ))
	if [ $rc = 0 ]; then
		cpu=$(echo "$3 $4" | awk '{printf "%.2f", $1 + $2}')
		echo "| $label | $mb MB | $1 s | $cpu s | $(( $2 / 1024 )) MB | \`trustmap inventory $file\` |"
	else
		echo "| $label | $mb MB | exit $rc: $(head -c 120 "$OUT/ierr.txt" | tr '\n' ' ') | | | \`trustmap inventory $file\` |"
	fi
}

dump_sum=$(cksum < bench/gen_dump.py | cut -d' ' -f1)
cluster_sum=$(cksum < bench/gen_cluster.py | cut -d' ' -f1)
echo "| input | size | time | CPU | max RSS | command |"
echo "|---|---|---|---|---|---|"
for n in $SIZES; do
	gen "$OUT/pods-$n.json" "$dump_sum" python3 bench/gen_dump.py --pods "$n" "$OUT/pods-$n.json" || exit 1
	gen "$OUT/pods-$n.yaml" "$dump_sum" python3 bench/gen_dump.py --yaml --pods "$n" "$OUT/pods-$n.yaml" || exit 1
	row "kubectl get pods -A -o json, $n pods" "$TRUSTMAP" "$OUT/pods-$n.json"
	[ -n "$OLD" ] && row "(old) json, $n pods" "$OLD" "$OUT/pods-$n.json"
	row "kubectl get pods -A -o yaml, $n pods" "$TRUSTMAP" "$OUT/pods-$n.yaml"
	[ -n "$OLD" ] && row "(old) yaml, $n pods" "$OLD" "$OUT/pods-$n.yaml"
done
case " $SIZES " in
*" 100000 "*)
	if ! [ -f "$OUT/cluster-100000.yaml" ] || [ "$(cat "$OUT/cluster-100000.yaml.sum" 2>/dev/null)" != "$cluster_sum" ]; then
		python3 bench/gen_cluster.py --pods 100000 "$OUT/c100000-one" 2>/dev/null || exit 1
		cat "$OUT"/c100000-one/*.yaml > "$OUT/cluster-100000.yaml" || exit 1
		rm -rf "$OUT/c100000-one"
		echo "$cluster_sum" > "$OUT/cluster-100000.yaml.sum"
	fi
	row "one YAML file, 100,000-pod cluster" "$TRUSTMAP" "$OUT/cluster-100000.yaml"
	[ -n "$OLD" ] && row "(old) one YAML file, 100,000 pods" "$OLD" "$OUT/cluster-100000.yaml"
	;;
esac
exit 0
