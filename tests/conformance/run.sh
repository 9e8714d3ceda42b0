#!/usr/bin/env bash
# NPA conformance with a ratchet: every scenario listed in
# tests/conformance/npa-passing.txt must pass; a newly passing one is
# reported so that it can be added (never remove a line to go green).
set -u
cd "$(dirname "$0")/../.." || exit 2
shared=${1:-../shared}
runner=$shared/conformance/npa/run.sh
if [ ! -x "$runner" ]; then
  echo "conformance: $runner not found (the shared data lives beside the repository)"; exit 2
fi
out=$(mktemp); trap 'rm -f "$out"' EXIT
TRUSTMAP=./trustmap "$runner" --timeout 60 >"$out" 2>&1
grep -E '^(PASS|FAIL) ' "$out" | awk '{print $1, $2}' | sort -k2 > "$out.st"
ratchet=tests/conformance/npa-passing.txt
regress=0; new=0
while read -r id; do
  case $id in ''|'#'*) continue ;; esac
  if ! grep -q "^PASS $id\$" "$out.st"; then echo "REGRESSION $id"; grep -A8 "^FAIL  $id" "$out"; regress=$((regress+1)); fi
done < "$ratchet"
while read -r st id; do
  [ "$st" = PASS ] || continue
  grep -qx "$id" "$ratchet" || { echo "NEW PASS $id (add it to $ratchet)"; new=$((new+1)); }
done < "$out.st"
grep -E '^FAIL ' "$out" | sed 's/^/  known: /'
tail -n 1 "$out"
rm -f "$out.st"
echo "conformance ratchet: $(grep -cv '^#' "$ratchet") required, $regress regressed, $new newly passing"
[ $regress = 0 ]
