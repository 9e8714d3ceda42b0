#!/bin/sh
# tests/cli/manpage.sh - every option that a command's --help lists (made from
# the option table) has an entry in docs/trustmap.1: in the command's own
# section (.SS name), or under COMMON OPTIONS for the options of every
# command. Ends with "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
T=${TRUSTMAP:-./trustmap}
man=docs/trustmap.1
pass=0 fail=0
# the text of one section of the man page, with roff's \- as -
section() {
	awk -v h="$1" '
		$0 == h { on = 1; next }
		on && /^\.S[HS] / { exit }
		on { gsub(/\\-/, "-"); print }' "$man"
}
common=$(section ".SH COMMON OPTIONS")
for cmd in $("$T" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'); do
	own=$(section ".SS $cmd")
	if [ -z "$own" ]; then
		echo "FAIL manpage: no section .SS $cmd"; fail=$((fail + 1)); continue
	fi
	for opt in $("$T" "$cmd" --help | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p'); do
		if printf '%s\n' "$own" | grep -q -- "$opt\\b"; then
			pass=$((pass + 1))
		else
			echo "FAIL manpage: $cmd $opt is not in .SS $cmd of $man"; fail=$((fail + 1))
		fi
	done
done
for opt in $("$T" --help | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p'); do
	if printf '%s\n' "$common" | grep -q -- "$opt\\b"; then
		pass=$((pass + 1))
	else
		echo "FAIL manpage: $opt is not under COMMON OPTIONS of $man"; fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
