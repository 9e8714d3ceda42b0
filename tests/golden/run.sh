#!/usr/bin/env bash
# Golden tests driven by tests/golden/TESTLIST (tcpdump's TESTLIST idea).
#   one case per line:   NAME  ARGS...        (blank lines and # comments ignored)
#   runs:                $TRUSTMAP ARGS...    from the repository root
#                        (ARGS starting with <FILE: FILE is standard input)
#   compares:            stdout, then "--- stderr ---" and stderr, then "[exit N]"
#                        with tests/golden/out/NAME.out
#   --update             rewrite the expected files (review the diff like code)
#   --only NAME          run one case
# Prints PASS/FAIL per case and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
T=${TRUSTMAP:-./trustmap}
# the date in diagram titles and reports (trustmap reads SOURCE_DATE_EPOCH as the input date)
export SOURCE_DATE_EPOCH=1700000000
update=0; only=""
while [ $# -gt 0 ]; do
  case $1 in
    --update) update=1 ;;
    --only) only=$2; shift ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
while IFS= read -r line || [ -n "$line" ]; do
  case $line in ''|'#'*) continue ;; esac
  name=${line%% *}; args=${line#"$name"}
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  exp=tests/golden/out/$name.out
  in=/dev/null
  case $args in ' <'*) in=${args# <}; in=${in%% *}; args=${args# <"$in"} ;; esac
  # shellcheck disable=SC2086
  (eval "set -- $args"; timeout 60 $T "$@" >"$tmp/out" 2>"$tmp/err" <"$in"; echo $? >"$tmp/rc")
  { cat "$tmp/out"; echo "--- stderr ---"; sed 's/^==[0-9]*==.*//' "$tmp/err"; echo "[exit $(cat "$tmp/rc")]"; } >"$tmp/got"
  if [ $update = 1 ]; then cp "$tmp/got" "$exp"; fi
  if [ -f "$exp" ] && cmp -s "$tmp/got" "$exp"; then
    pass=$((pass+1))
  else
    fail=$((fail+1)); echo "FAIL golden $name"
    if [ -f "$exp" ]; then diff -u "$exp" "$tmp/got" | head -30; else echo "  missing $exp (make golden-update)"; fi
  fi
done < tests/golden/TESTLIST
echo "golden: $pass cases passed"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
