#!/usr/bin/env bash
# Mesh posture conformance on the public apps of ../shared/realworld, read in
# place, with a ratchet: every case named in tests/conformance/mesh-passing.txt
# must pass; a newly passing one is reported so that it can be added (never
# remove a line to go green).
#
# A case is tests/conformance/mesh/NAME.case: '#' lines cite the upstream
# document that states the outcome; `args:` is what follows
# `trustmap conn --show-mtls` ($R: the realworld directory, $F:
# tests/conformance/mesh/fixtures, authored files); each `expect:` line must
# be a whole line of the txt output, no `absent:` line may be, each
# `stderr:` text must be in a line of the diagnostics; the command must exit 0.
set -u
cd "$(dirname "$0")/../.." || exit 2
shared=${1:-../shared}
R=$shared/realworld
F=tests/conformance/mesh/fixtures
if [ ! -d "$R" ]; then
  echo "mesh: $R not found (the shared data lives beside the repository)"; exit 2
fi
ratchet=tests/conformance/mesh-passing.txt
pass=0; fail=0; regress=0; new=0
out=$(mktemp); trap 'rm -f "$out"' EXIT
for c in tests/conformance/mesh/*.case; do
  name=$(basename "$c" .case)
  args=$(sed -n 's/^args: //p' "$c")
  why=""
  # word splitting of args is wanted; paths under $R have no spaces
  eval "set -- $args"
  ./trustmap conn --show-mtls "$@" >"$out" 2>"$out.err"; rc=$?
  [ "$rc" = 0 ] || why="exit $rc: $(head -n 1 "$out.err")"
  while IFS= read -r line; do
    grep -qxF -- "$line" "$out" || why="${why:+$why; }missing: $line"
  done < <(sed -n 's/^expect: //p' "$c")
  while IFS= read -r line; do
    grep -qxF -- "$line" "$out" && why="${why:+$why; }present: $line"
  done < <(sed -n 's/^absent: //p' "$c")
  while IFS= read -r line; do
    grep -qF -- "$line" "$out.err" || why="${why:+$why; }not said: $line"
  done < <(sed -n 's/^stderr: //p' "$c")
  listed=false; grep -qx "$name" "$ratchet" && listed=true
  if [ -z "$why" ]; then
    pass=$((pass+1))
    $listed || { echo "NEW PASS $name (add it to $ratchet)"; new=$((new+1)); }
  else
    fail=$((fail+1))
    if $listed; then echo "REGRESSION $name: $why"; regress=$((regress+1)); else echo "  known: $name: $why"; fi
  fi
done
rm -f "$out.err"
while read -r id; do
  case $id in ''|'#'*) continue ;; esac
  [ -f "tests/conformance/mesh/$id.case" ] || { echo "REGRESSION $id: no tests/conformance/mesh/$id.case"; regress=$((regress+1)); }
done < "$ratchet"
echo "mesh: $pass passed, $fail failed, $regress regressed"
[ $regress = 0 ]
