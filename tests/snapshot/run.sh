#!/bin/sh
# tests/snapshot/run.sh - `trustmap snapshot` and the kubectl plugin against
# the stand-in kubectl (tests/snapshot/kubectl, serving the JSON recorded in
# tests/fixtures/snapshot/): the snapshot reads as the manifests it was
# served (same conn, same check, same bytes), every simulated failure exits 2
# with kubectl's message and leaves nothing behind, and `kubectl trustmap`
# runs a command on a snapshot it removes afterwards. Ends with
# "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
T=${TRUSTMAP:-./trustmap}
case $T in /*) ;; *) T=$PWD/$T ;; esac
FIX=$PWD/tests/fixtures/snapshot
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
PATH=$PWD/tests/snapshot:$PATH
export PATH
unset KUBECTL_STANDIN KUBECTL_LOG
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { echo "FAIL snapshot: $*"; fail=$((fail + 1)); }
# nothing left beside DIR: no DIR.tmp-* or DIR.old-*
clean() { [ -z "$(ls -d "$1".tmp-* "$1".old-* 2>/dev/null)" ]; }

# -- a whole cluster
S=$W/snap
if "$T" snapshot -o "$S" 2>"$W/err"; then ok; else no "snapshot exit $? ($(cat "$W/err"))"; fi
[ -f "$S/snapshot.manifest" ] && grep -q '"context": "kind-shop"' "$S/snapshot.manifest" && ok || no "manifest without the context"
grep -q '"taken_at": "20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T' "$S/snapshot.manifest" && ok || no "manifest without taken_at"
# every file is what kubectl returned, byte for byte
served=""
for f in "$S"/*.json; do
	b=$(basename "$f")
	if cmp -s "$f" "$FIX/$b"; then served="$served $FIX/$b"; else no "$b differs from what was served"; fi
done
[ -n "$served" ] && ok || no "no files"
"$T" conn $served >"$W/conn-served" 2>/dev/null
"$T" conn "$S" >"$W/conn-snap" 2>/dev/null
if [ -s "$W/conn-snap" ] && cmp -s "$W/conn-served" "$W/conn-snap"; then ok; else no "conn of the snapshot is not conn of the manifests served"; fi
"$T" conn samples/shop >"$W/conn-shop" 2>/dev/null
cmp -s "$W/conn-shop" "$W/conn-snap" && ok || no "conn of the snapshot is not conn of samples/shop (what the recording was made from)"
(cd "$S" && "$T" check -f json . >"$W/check-snap" 2>/dev/null)
mkdir "$W/served" && cp $served "$W/served/" && (cd "$W/served" && "$T" check -f json . >"$W/check-served" 2>/dev/null)
cmp -s "$W/check-served" "$W/check-snap" && ok || no "check of the snapshot is not check of the manifests served"
# ReplicaSets and Jobs are not taken (their pods name them); Linkerd and Cilium are not served
for r in replicasets.apps jobs.batch ciliumnetworkpolicies.cilium.io servers.policy.linkerd.io; do
	[ ! -e "$S/$r.json" ] && ok || no "$r taken"
done
grep -q '"ciliumnetworkpolicies.cilium.io"' "$S/snapshot.manifest" && ok || no "not_served does not list cilium"
clean "$S" && ok || no "temporary directories left"

# -- a second run replaces the first; a failed one leaves it alone
echo marker >"$S/marker.txt"
"$T" snapshot -q -o "$S" 2>/dev/null && [ ! -e "$S/marker.txt" ] && ok || no "an earlier snapshot is not replaced"
echo marker >"$S/marker.txt"
KUBECTL_STANDIN=crash "$T" snapshot -o "$S" 2>"$W/err"
rc=$?
[ $rc = 2 ] && ok || no "crash: exit $rc"
grep -q "kubectl get services -A -o json failed (killed by signal 6" "$W/err" && ok || no "crash: message: $(cat "$W/err")"
[ -e "$S/marker.txt" ] && cmp -s "$S/pods.json" "$FIX/pods.json" && ok || no "crash: the earlier snapshot was touched"
clean "$S" && ok || no "crash: temporary directories left"

# -- failures: exit 2, kubectl's message, nothing written
fails() { # MODE EXPECTED-MESSAGE [ARGS...]
	mode=$1 msg=$2
	shift 2
	rm -rf "$W/f"
	KUBECTL_STANDIN=$mode "$T" snapshot -o "$W/f" "$@" 2>"$W/err"
	rc=$?
	[ $rc = 2 ] && ok || no "$mode: exit $rc"
	grep -qF -- "$msg" "$W/err" && ok || no "$mode: no '$msg' in: $(cat "$W/err")"
	[ ! -e "$W/f" ] && clean "$W/f" && ok || no "$mode: something was written"
}
fails nocontext "error: current-context is not set"
fails forbidden 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:ci:trustmap" cannot list resource "pods"'
fails huge "its output is over 100000 bytes, --max-file-size" --max-file-size 100000
fails "" 'error: context "prod" does not exist' --context prod
rm -rf "$W/f"
mkdir "$W/f" && echo keep >"$W/f/notes.txt"
"$T" snapshot -o "$W/f" 2>"$W/err"
[ $? = 2 ] && grep -q "is not a snapshot" "$W/err" && [ -e "$W/f/notes.txt" ] && ok || no "a directory that is not a snapshot was replaced"
rm -rf "$W/f"
PATH=/nonexistent "$T" snapshot -o "$W/f" 2>"$W/err"
[ $? = 2 ] && grep -q "kubectl is not on PATH" "$W/err" && [ ! -e "$W/f" ] && ok || no "no kubectl: $(cat "$W/err")"
"$T" snapshot 2>/dev/null
[ $? = 2 ] && ok || no "no -o: not a usage error"

# -- absent CRDs are skipped quietly; an aggregated API down is a warning
rm -rf "$W/f"
KUBECTL_STANDIN=nocrd KUBECTL_LOG=$W/log "$T" snapshot -q -o "$W/f" 2>"$W/err"
[ $? = 0 ] && [ ! -s "$W/err" ] && ok || no "nocrd: $(cat "$W/err")"
[ ! -e "$W/f/adminnetworkpolicies.policy.networking.k8s.io.json" ] && ! grep -q policy.networking.k8s.io "$W/log" && ok ||
	no "nocrd: an absent CRD was asked for"
head -n 2 "$W/log" | tr '\n' '|' | grep -qx 'config current-context|api-resources -o name|' && ok || no "api-resources is not asked first"
rm -rf "$W/f"
KUBECTL_STANDIN=partial "$T" snapshot -o "$W/f" 2>"$W/err"
[ $? = 0 ] && grep -q "warning:.*unable to retrieve the complete list" "$W/err" && [ -f "$W/f/pods.json" ] && ok ||
	no "partial api-resources: $(cat "$W/err")"

# -- some namespaces: namespaced kinds per namespace, cluster-scoped ones whole
rm -rf "$W/f"
"$T" snapshot -q -o "$W/f" --namespace shop,web -n payments --context kind-shop 2>"$W/err"
[ $? = 0 ] && ok || no "namespaces: $(cat "$W/err")"
for ns in shop web payments; do
	cmp -s "$W/f/ns-$ns/pods.json" "$FIX/ns/$ns/pods.json" && cmp -s "$W/f/ns-$ns/networkpolicies.networking.k8s.io.json" "$FIX/ns/$ns/networkpolicies.networking.k8s.io.json" &&
		ok || no "namespaces: ns-$ns differs from what was served"
done
[ ! -e "$W/f/ns-data" ] && [ -f "$W/f/adminnetworkpolicies.policy.networking.k8s.io.json" ] && ok || no "namespaces: layout"
"$T" inventory -f json "$W/f" 2>/dev/null | grep -q '"data"' && no "namespaces: namespace data was taken" || ok

# -- the kubectl plugin: a command on a snapshot in a temporary directory, removed afterwards
ln -s "$T" "$W/kubectl-trustmap"
mkdir "$W/tmp"
TMPDIR=$W/tmp "$W/kubectl-trustmap" conn >"$W/conn-plugin" 2>/dev/null
[ $? = 0 ] && cmp -s "$W/conn-plugin" "$W/conn-snap" && ok || no "kubectl trustmap conn is not trustmap conn of a snapshot"
TMPDIR=$W/tmp "$W/kubectl-trustmap" check -f json --fail-on critical >/dev/null 2>&1
rc=$?
[ $rc -le 1 ] && ok || no "kubectl trustmap check: exit $rc"
TMPDIR=$W/tmp "$W/kubectl-trustmap" conn -n shop --context kind-shop 2>/dev/null | grep -q '^shop/' && ok || no "kubectl trustmap -n shop"
[ -z "$(ls -A "$W/tmp")" ] && ok || no "the plugin left $(ls "$W/tmp")"
KUBECTL_STANDIN=forbidden TMPDIR=$W/tmp "$W/kubectl-trustmap" check 2>"$W/err"
[ $? = 2 ] && grep -q Forbidden "$W/err" && [ -z "$(ls -A "$W/tmp")" ] && ok || no "kubectl trustmap check, forbidden"
"$W/kubectl-trustmap" diff a b 2>/dev/null
[ $? = 2 ] && ok || no "kubectl trustmap diff is not refused"
"$W/kubectl-trustmap" --help | grep -q "kubectl trustmap check" && ok || no "kubectl trustmap --help"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
