#!/bin/sh
# run.sh - run every bench/*_bench.sh in turn (`make bench`); exit 1 when one fails.
cd "$(dirname "$0")/.." || exit 2
rc=0
for b in bench/*_bench.sh; do
	[ -e "$b" ] || continue
	echo "== $b =="
	sh "$b" || rc=1
	echo
done
exit $rc
