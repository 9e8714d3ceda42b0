#!/bin/sh
# tests/cli/install.sh - `make install` with DESTDIR and PREFIX: every file in
# place (the command, the kubectl plugin link, a man page per command, both
# completion scripts, the library, its headers and trustmap.pc), a program
# built against the installed library through pkg-config runs the pipeline,
# the installed kubectl-trustmap works as a plugin, and `make uninstall`
# removes everything. Ends with "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
MAKE=${MAKE:-make}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { echo "FAIL install: $*"; fail=$((fail + 1)); }
$MAKE -s --no-print-directory install DESTDIR="$W/dest" PREFIX=/usr >"$W/log" 2>&1 || no "make install DESTDIR: $(tail -n 3 "$W/log")"
D=$W/dest/usr
for f in bin/trustmap bin/kubectl-trustmap share/man/man1/trustmap.1 share/man/man1/kubectl-trustmap.1 \
	share/bash-completion/completions/trustmap share/bash-completion/completions/kubectl-trustmap \
	share/zsh/site-functions/_trustmap lib/libtrustmap.a lib/pkgconfig/trustmap.pc \
	include/trustmap/pipeline/pipeline.h include/trustmap/model/base.h; do
	[ -e "$D/$f" ] && ok || no "$f not installed"
done
[ "$(readlink "$D/bin/kubectl-trustmap")" = trustmap ] && ok || no "kubectl-trustmap is not a link to trustmap"
for c in $(./trustmap --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'); do
	grep -qx '.so man1/trustmap.1' "$D/share/man/man1/trustmap-$c.1" 2>/dev/null && ok || no "no man page trustmap-$c.1"
done
grep -qx 'prefix=/usr' "$D/lib/pkgconfig/trustmap.pc" && ok || no "trustmap.pc prefix"
# a program against the installed library (PREFIX without DESTDIR, so that
# trustmap.pc points at the files)
$MAKE -s --no-print-directory install PREFIX="$W/p" >"$W/log" 2>&1 || no "make install PREFIX: $(tail -n 3 "$W/log")"
cat >"$W/prog.c" <<'EOC'
#include "pipeline/pipeline.h"
#include <stdio.h>
int main(int argc, char **argv)
{
	tm_request rq;
	tm_result r = {0};
	tm_request_init(&rq);
	rq.paths = (const char *const *)argv + 1;
	rq.npaths = (size_t)argc - 1;
	rq.graph = true;
	int rc = tm_run(&rq, &r) == TM_OK && r.m ? 0 : 1;
	printf("%zu workloads\n", r.m ? r.m->nworkloads : 0);
	tm_result_release(&r);
	return rc;
}
EOC
export PKG_CONFIG_PATH="$W/p/lib/pkgconfig"
if ${CC:-cc} -std=c11 -o "$W/prog" "$W/prog.c" $(pkg-config --cflags trustmap) $(pkg-config --libs trustmap) 2>"$W/cc"; then
	ok
	"$W/prog" samples/shop 2>/dev/null | grep -q '^10 workloads$' && ok || no "the program built against libtrustmap: $("$W/prog" samples/shop 2>&1 | tail -n 2)"
else
	no "cannot build against the installed library: $(head -n 5 "$W/cc")"
fi
# the installed plugin, on the stand-in kubectl
PATH=$PWD/tests/snapshot:$PATH "$W/p/bin/kubectl-trustmap" inventory >/dev/null 2>&1 && ok || no "installed kubectl-trustmap inventory"
$MAKE -s --no-print-directory uninstall DESTDIR="$W/dest" PREFIX=/usr >/dev/null 2>&1
[ -z "$(find "$W/dest" -type f -o -type l)" ] && ok || no "make uninstall left $(find "$W/dest" -type f -o -type l | head -n 3)"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
