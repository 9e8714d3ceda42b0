#!/usr/bin/env bash
# `trustmap inventory` must exit 0 on every ../shared/realworld folder and on
# every NPA scenario input that is not invalid on purpose; the inputs with a
# YAML syntax error must exit 2 and name file:line:col.
set -u
cd "$(dirname "$0")/../.." || exit 2
shared=${1:-../shared}
pass=0; fail=0
check() { # expected-exit path
  out=$(./trustmap inventory -q "$2" 2>&1 >/dev/null); rc=$?
  if [ "$rc" = "$1" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL inventory $2: exit $rc, expected $1: ${out%%$'\n'*}"; fi
}
for d in "$shared"/realworld/*/; do check 0 "$d"; done
syntax_error="tests/document_with_syntax_error tests/onlineboutique_with_pods_severe_error"
dirs=$(python3 - "$shared/conformance/npa/scenarios.json" <<'PY'
import json, sys
sc = json.load(open(sys.argv[1]))['scenarios']
bad = {i for s in sc if s['category'] == 'error' for i in s['inputs']}
print('\n'.join(sorted({i for s in sc for i in s['inputs']} - bad)))
PY
)
for d in $dirs; do
  case " $syntax_error " in
    *" $d "*) check 2 "$shared/conformance/npa/$d"
              ./trustmap inventory -q "$shared/conformance/npa/$d" 2>&1 >/dev/null | grep -qE '\.yaml:[0-9]+:[0-9]+: error:' \
                || { fail=$((fail+1)); echo "FAIL $d: error does not name file:line:col"; } ;;
    *) check 0 "$shared/conformance/npa/$d" ;;
  esac
done
echo "inventory: $pass passed, $fail failed"
[ $fail = 0 ]
