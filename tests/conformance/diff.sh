#!/usr/bin/env bash
# NPA diff conformance with a ratchet: for every diff/txt scenario of
# ../shared/conformance/npa/scenarios.json (no flags), run
#   trustmap diff --format txt DIR1 DIR2
# and compare its "diff-type:" lines with the expected output as sets (the
# expected ref1/ref2 labels of NPA's library tests read as dir1/dir2, the
# labels of its command line and of trustmap).
# Every scenario listed in tests/conformance/npa-diff-passing.txt must pass;
# a newly passing one is reported so that it can be added.
#   tests/conformance/diff.sh [SHARED] [--list]
set -u
cd "$(dirname "$0")/../.." || exit 2
shared=${1:-../shared}
npa=$shared/conformance/npa
T=${TRUSTMAP:-./trustmap}
ratchet=tests/conformance/npa-diff-passing.txt
if [ ! -f "$npa/scenarios.json" ]; then
  echo "diff conformance: $npa/scenarios.json not found"; exit 2
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$npa/scenarios.json" > "$tmp/list" <<'PY' || exit 2
import json, os, sys
for s in json.load(open(sys.argv[1]))["scenarios"]:
    if s.get("kind") != "diff" or s.get("format") != "txt" or s.get("flags") or len(s.get("inputs", [])) != 2 or not s.get("expected"):
        continue
    name = os.path.splitext(os.path.basename(s["expected"]))[0] + ("@cli" if "/cli/" in s["expected"] else "")
    print(name, s["inputs"][0], s["inputs"][1], s["expected"])
PY
pass=0; fail=0; regress=0; new=0
: > "$tmp/passing"
while read -r name d1 d2 exp; do
  timeout 60 "$T" diff -q --format txt "$npa/$d1" "$npa/$d2" > "$tmp/out" 2>/dev/null
  grep '^diff-type:' "$tmp/out" | LC_ALL=C sort > "$tmp/got"
  # NPA's CLI labels the sides dir1/dir2 (as trustmap does), its library tests ref1/ref2
  grep '^diff-type:' "$npa/$exp" | sed 's/, ref1: /, dir1: /; s/, ref2: /, dir2: /' | LC_ALL=C sort > "$tmp/want"
  if cmp -s "$tmp/got" "$tmp/want"; then
    pass=$((pass+1)); echo "$name" >> "$tmp/passing"
  else
    fail=$((fail+1)); echo "FAIL $name"
  fi
done < "$tmp/list"
while read -r id; do
  case $id in ''|'#'*) continue ;; esac
  grep -qx "$id" "$tmp/passing" || { echo "REGRESSION $id"; regress=$((regress+1)); }
done < "$ratchet"
while read -r id; do
  grep -qx "$id" "$ratchet" || { echo "NEW PASS $id (add it to $ratchet)"; new=$((new+1)); }
done < "$tmp/passing"
echo "diff conformance: $pass passed, $fail failed; ratchet: $(grep -cv '^#' "$ratchet") required, $regress regressed, $new newly passing"
[ $regress = 0 ]
