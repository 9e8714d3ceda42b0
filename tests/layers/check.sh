#!/bin/sh
# tests/layers/check.sh - the include rules of docs/design.md ("Layers"):
# every #include "dir/..." in a library folder must name a folder that the
# folder may use. Prints each violation as file:line: and ends with the
# usual "N passed, N failed" line (one case per library source file).
#
#   model/     model/
#   ingest/    model/ ingest/
#   analyzer/  model/ analyzer/
#   render/    model/ analyzer/ render/
#   pipeline/  model/ ingest/ analyzer/ pipeline/
#   cli/       anything
cd "$(dirname "$0")/../.." || exit 2
allowed() {
	case $1 in
	model) echo "model" ;;
	ingest) echo "model ingest" ;;
	analyzer) echo "model analyzer" ;;
	render) echo "model analyzer render" ;;
	pipeline) echo "model ingest analyzer pipeline" ;;
	esac
}
pass=0 fail=0
for top in model ingest analyzer render pipeline; do
	[ -d "$top" ] || continue
	ok=$(allowed "$top")
	for f in $(find "$top" -name '*.[ch]' -o -name '*.inc' | sort); do
		bad=0
		# "#include "dir/file.h"": the first path component is the folder used
		while IFS=: read -r line inc; do
			[ -n "$inc" ] || continue
			dir=${inc%%/*}
			case " $ok " in
			*" $dir "*) ;;
			*)
				echo "FAIL layers $f:$line: $top/ may not include $inc (allowed: $ok)"
				bad=1
				;;
			esac
		done <<EOT
$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed 's/^\([0-9]*\):.*include[[:space:]]*"\([^"]*\)".*/\1:\2/')
EOT
		if [ $bad = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done
done
echo "layers: $pass files follow the include rules"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
