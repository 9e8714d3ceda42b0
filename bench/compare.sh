#!/bin/sh
# compare.sh OLD NEW - a refactor's proof on the bench inputs: the outputs of two
# trustmap binaries compared byte for byte, then their CPU time side by side.
#
#   bench/compare.sh /tmp/trustmap.old ./trustmap
#   BENCH_SIZES="1000 10000" COMPARE_REPEAT=5 bench/compare.sh OLD NEW
#
# Inputs (made when missing, under build/bench/ like the other benches):
# the generated clusters cN/ and meshed clusters mN/ (bench/gen_cluster.py,
# --shape mesh: conn --show-mtls, check and the inventory's mesh census) and
# the capture mix (bench/pcap_gen.c from tests/pcap/*.pcap). For each command: stdout, stderr
# and the exit status of OLD and NEW must be identical ("same"/"DIFFERENT"),
# then each binary runs COMPARE_REPEAT times, alternating, and the table gives
# the least user+system CPU seconds of each (CPU time, not wall time: the
# machine may be shared) and NEW/OLD. Exit 1 when an output differs.
set -u
cd "$(dirname "$0")/.." || exit 2
[ $# = 2 ] || { echo "usage: bench/compare.sh OLD NEW" >&2; exit 2; }
OLD=$1 NEW=$2
SIZES=${BENCH_SIZES:-"1000 10000"}
REPEAT=${COMPARE_REPEAT:-5}
OUT=${BENCH_DIR:-build/bench}
mkdir -p "$OUT/compare" || exit 2
CC=${CC:-cc}
for n in $SIZES; do
	[ -d "$OUT/c$n" ] || python3 bench/gen_cluster.py --pods "$n" "$OUT/c$n" >/dev/null || exit 2
	[ -d "$OUT/m$n" ] || python3 bench/gen_cluster.py --pods "$n" --shape mesh "$OUT/m$n" >/dev/null || exit 2
done
if [ ! -f "$OUT/flows-mix.pcap" ]; then
	$CC -O2 -std=c11 -D_GNU_SOURCE -o "$OUT/pcap_gen" bench/pcap_gen.c -lpcap || exit 2
	"$OUT/pcap_gen" mix "$OUT/flows-mix.pcap" 3000 $(ls tests/pcap/*.pcap | grep -v -e truncated -e tso-client-cert) >/dev/null || exit 2
fi
$CC -O2 -std=c11 -D_GNU_SOURCE -o "$OUT/cputime" bench/cputime.c || exit 2

cases=""
for n in $SIZES; do
	cases="$cases
conn-txt-$n|conn $OUT/c$n
conn-json-$n|conn -f json $OUT/c$n
check-json-$n|check -f json $OUT/c$n
check-sarif-$n|check -f sarif $OUT/c$n
inventory-json-$n|inventory -f json $OUT/c$n
mesh-conn-txt-$n|conn --show-mtls $OUT/m$n
mesh-conn-json-$n|conn --show-mtls -f json $OUT/m$n
mesh-check-json-$n|check -f json $OUT/m$n
mesh-inventory-json-$n|inventory -f json $OUT/m$n"
done
cases="$cases
flows-json|flows -f json $OUT/flows-mix.pcap
check-flows|check -f json --flows $OUT/flows-mix.pcap $OUT/c1000"

# cpu BIN ARGS...: user+system seconds of one run (bench/cputime)
cpu() { "$OUT/cputime" "$@" 2>/dev/null | awk '{ print $2 }'; }
min() { sort -n | head -n 1; }

rc=0
echo "| command | outputs | OLD cpu s | NEW cpu s | NEW/OLD |"
echo "|---|---|---|---|---|"
printf '%s\n' "$cases" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	"$OLD" $args > "$OUT/compare/old.out" 2> "$OUT/compare/old.err"; echo "exit $?" >> "$OUT/compare/old.err"
	# shellcheck disable=SC2086
	"$NEW" $args > "$OUT/compare/new.out" 2> "$OUT/compare/new.err"; echo "exit $?" >> "$OUT/compare/new.err"
	same=same
	cmp -s "$OUT/compare/old.out" "$OUT/compare/new.out" && cmp -s "$OUT/compare/old.err" "$OUT/compare/new.err" || { same=DIFFERENT; rc=1; }
	: > "$OUT/compare/o.t"; : > "$OUT/compare/n.t"
	i=0
	while [ $i -lt "$REPEAT" ]; do
		# shellcheck disable=SC2086
		cpu "$OLD" $args >> "$OUT/compare/o.t"
		# shellcheck disable=SC2086
		cpu "$NEW" $args >> "$OUT/compare/n.t"
		i=$((i + 1))
	done
	o=$(min < "$OUT/compare/o.t" | awk '{ printf "%.3f", $1 }') n=$(min < "$OUT/compare/n.t" | awk '{ printf "%.3f", $1 }')
	echo "| \`trustmap $args\` | $same | $o | $n | $(awk -v o="$o" -v n="$n" 'BEGIN { if (o > 0) printf "%.2f", n / o; else print "-" }') |"
	[ $same = same ] || echo "$name" >> "$OUT/compare/different"
done
[ ! -s "$OUT/compare/different" ] || { echo "outputs differ: $(cat "$OUT/compare/different")"; rm -f "$OUT/compare/different"; exit 1; }
exit 0
