#!/usr/bin/env bash
# tests/cli/completion.sh - the shell completion scripts (completion/):
# syntax-checked with bash -n and zsh -n (zsh when installed; skipped with a
# message otherwise), and the bash one run: commands, every option of each
# command's --help, formats, option values and endpoint names from the
# manifests on the line. Ends with "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
T=${TRUSTMAP:-./trustmap}
case $T in /*) ;; *) T=$PWD/$T ;; esac
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { echo "FAIL completion: $*"; fail=$((fail + 1)); }
bash -n completion/trustmap.bash && ok || no "bash -n completion/trustmap.bash"
if command -v zsh >/dev/null 2>&1; then
	zsh -n completion/_trustmap && ok || no "zsh -n completion/_trustmap"
else
	echo "completion: zsh not installed: zsh -n skipped"
fi
# trustmap on PATH as the script calls it
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
ln -s "$T" "$bin/trustmap"
PATH=$bin:$PATH
compopt() { :; } # only valid inside a real completion
# shellcheck source=../../completion/trustmap.bash
. completion/trustmap.bash
complete_words() { # WORD... (the last one is being completed, or word $AT)
	COMP_WORDS=("$@")
	COMP_CWORD=${AT:-$(($# - 1))}
	COMPREPLY=()
	_trustmap
	printf '%s\n' "${COMPREPLY[@]}"
}
has() { # WANT WORD...
	local want=$1
	shift
	complete_words "$@" | grep -qx -- "$want"
}
for c in $("$T" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'); do
	has "$c" trustmap "" && ok || no "command $c not offered"
	for o in $("$T" "$c" --help | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p'); do
		has "$o" trustmap "$c" -- && ok || no "$c: option $o of --help not offered"
	done
done
has json trustmap conn -f "" && ok || no "conn -f: json not offered"
has sarif trustmap check --format "" && ok || no "check --format: sarif not offered"
has pod trustmap conn --granularity "" && ok || no "--granularity: pod not offered"
has high trustmap check --fail-on h && ok || no "--fail-on: high not offered"
AT=2 has web/storefront trustmap explain w samples/shop && ok || no "explain: endpoint web/storefront not offered"
has payments/payment-api trustmap conn samples/shop --focus "" && ok || no "--focus: endpoint not offered"
has samples/shop trustmap check samples/sh && ok || no "paths not offered"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
