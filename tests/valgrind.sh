#!/usr/bin/env bash
# A subset of the golden cases under valgrind memcheck: no errors, no leaks.
set -u
T=${1:-./trustmap}
cd "$(dirname "$0")/.." || exit 2
pass=0; fail=0
while IFS= read -r line; do
  case $line in ''|'#'*) continue ;; esac
  name=${line%% *}; args=${line#"$name"}
  eval "set -- $args"
  if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
       "$T" "$@" >/dev/null 2>/tmp/vg.$$ </dev/null; [ $? -ne 99 ]; then pass=$((pass+1));
  else fail=$((fail+1)); echo "FAIL valgrind $name"; head -30 /tmp/vg.$$; fi
done < tests/valgrind.list
rm -f /tmp/vg.$$
echo "$pass passed, $fail failed"
[ $fail = 0 ]
