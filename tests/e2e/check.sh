#!/usr/bin/env bash
# The oracle for the transcribed network-policy e2e scenarios.
#
# For every tests/e2e/<scenario>/expect*.txt, run
#     $TRUSTMAP conn --format json [FLAGS] CLUSTER tests/e2e/<scenario>
# and check every expectation of the truth table against the allowed
# connections that trustmap lists. The truth tables are written by hand from
# the upstream tests' Reachability expectations and the NetworkPolicy /
# AdminNetworkPolicy specifications, never from trustmap's output.
#
# expect*.txt grammar (one directive or expectation per line, # comments):
#   flags: OPT...          extra options for `trustmap conn` (e.g. --ipblock-matches-pods)
#   cluster: DIR           the common cluster (default tests/e2e/cluster)
#   pods: NS/NAME...       the endpoints that wildcards range over
#                          (default x/a..z/c, the upstream x/y/z model)
#   ports: N...            the ports that a "*" port stands for (default 80 81)
#   SRC -> DST PORTS allow|deny
# SRC, DST: NS/NAME, NS/*, */NAME, * (pods of the "pods:" list), an IPv4
# address (the IP range endpoint that holds it) or {ingress-controller}. PORTS: comma-separated
# PROTO/PORT with PROTO TCP, UDP, SCTP or * and PORT a number or *.
# Later lines override earlier ones, as upstream's Reachability.Expect* calls
# do, so a table starts with a default ("* -> * * allow") and then carves.
# Pairs of a pod with itself are skipped: trustmap never lists self-connections.
#
#   tests/e2e/check.sh [--only SCENARIO] [-v]
# Prints PASS/FAIL per truth table and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
T=${TRUSTMAP:-./trustmap}
only=""; verbose=0
while [ $# -gt 0 ]; do
  case $1 in
    --only) only=$2; shift ;;
    -v) verbose=1 ;;
    *) echo "check.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0; checked=0
for dir in tests/e2e/*/; do
  s=$(basename "$dir")
  [ "$s" = cluster ] || [ "$s" = houses ] && continue
  [ -n "$only" ] && [ "$only" != "$s" ] && continue
  for exp in "$dir"expect*.txt; do
    [ -f "$exp" ] || continue
    case_name=$s${exp##*/expect}; case_name=${case_name%.txt}
    flags=$(sed -n 's/^flags:[[:space:]]*//p' "$exp" | head -n 1)
    cluster=$(sed -n 's/^cluster:[[:space:]]*//p' "$exp" | head -n 1)
    cluster=${cluster:-tests/e2e/cluster}
    # shellcheck disable=SC2086
    if ! timeout 60 "$T" conn --format json $flags "$cluster" "$dir" >"$tmp/out.json" 2>"$tmp/err"; then
      fail=$((fail+1)); echo "FAIL e2e $case_name: trustmap conn failed"; head -n 5 "$tmp/err"; continue
    fi
    if awk -v verbose="$verbose" -v case_name="$case_name" -f - "$tmp/out.json" "$exp" >"$tmp/res" <<'AWK'
function ip2n(s,   a) { if (split(s, a, ".") != 4) return -1; return ((a[1] * 256 + a[2]) * 256 + a[3]) * 256 + a[4] }
function is_ip(s) { return s ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/ }
function key(name) { sub(/\[[A-Za-z]+\]$/, "", name); return name }
# does an NPA connection string contain proto/port?
function contains(conn, proto, port,   n, t, i, cur, r, lo, hi) {
  if (conn == "All Connections") return 1
  if (conn == "" || conn == "No Connections") return 0
  n = split(conn, t, ","); cur = ""
  for (i = 1; i <= n; i++) {
    r = t[i]
    if (r ~ /^[A-Z]+ /) { cur = r; sub(/ .*/, "", cur); sub(/^[A-Z]+ /, "", r) }
    if (cur != proto) continue
    lo = r; hi = r
    if (r ~ /-/) { lo = r; sub(/-.*/, "", lo); hi = r; sub(/.*-/, "", hi) }
    if (port + 0 >= lo + 0 && port + 0 <= hi + 0) return 1
  }
  return 0
}
# resolve an IP to the name of the range endpoint holding it on one side
function ipname(ip, side,   n, i) {
  n = ip2n(ip)
  for (i = 1; i <= nr[side]; i++)
    if (n >= rlo[side, i] && n <= rhi[side, i]) return rname[side, i]
  return "(no range holds " ip ")"
}
function addrange(side, name,   r, lo, hi) {
  if (seenr[side, name]++) return
  r = name; sub(/\[External\]$/, "", r)
  lo = r; sub(/-.*/, "", lo); hi = r; sub(/.*-/, "", hi)
  nr[side]++; rlo[side, nr[side]] = ip2n(lo); rhi[side, nr[side]] = ip2n(hi); rname[side, nr[side]] = r
}
# expand an endpoint pattern into list[1..n]; returns n
function expand(pat, list,   n, i, pn, pp) {
  n = 0
  if (is_ip(pat) || pat == "{ingress-controller}") { list[1] = pat; return 1 }
  split(pat, pp, "/")
  for (i = 1; i <= npods; i++) {
    split(pods[i], pn, "/")
    if (pat == "*" || ((pp[1] == "*" || pp[1] == pn[1]) && (pp[2] == "*" || pp[2] == pn[2])))
      list[++n] = pods[i]
  }
  return n
}
function expand_ports(spec, list,   n, t, i, j, k, pr, po, protos, np, ports, nq) {
  n = 0
  split(spec, t, ",")
  for (i = 1; i in t; i++) {
    if (split(t[i], pr, "/") != 2) { bad = bad "\n  bad port spec " t[i]; continue }
    if (pr[1] == "*") np = split("SCTP TCP UDP", protos, " "); else { np = 1; protos[1] = pr[1] }
    if (pr[2] == "*") nq = split(dports, ports, " "); else { nq = 1; ports[1] = pr[2] }
    for (j = 1; j <= np; j++) for (k = 1; k <= nq; k++) list[++n] = protos[j] "/" ports[k]
  }
  return n
}
BEGIN { npods = split("x/a x/b x/c y/a y/b y/c z/a z/b z/c", pods, " "); dports = "80 81"; bad = "" }
FNR == NR {
  if ($0 ~ /"src": /) { src = $0; sub(/^[^:]*: "/, "", src); sub(/",?$/, "", src) }
  if ($0 ~ /"dst": /) { dst = $0; sub(/^[^:]*: "/, "", dst); sub(/",?$/, "", dst) }
  if ($0 ~ /"conn": /) {
    c = $0; sub(/^[^:]*: "/, "", c); sub(/",?$/, "", c)
    if (src ~ /\[External\]$/) { addrange("s", src); sk = src; sub(/\[External\]$/, "", sk) } else sk = key(src)
    if (dst ~ /\[External\]$/) { addrange("d", dst); dk = dst; sub(/\[External\]$/, "", dk) } else dk = key(dst)
    conn[sk, dk] = c
  }
  next
}
/^[[:space:]]*(#|$)/ { next }
/^(flags|cluster):/ { next }
/^pods:/ { sub(/^pods:[[:space:]]*/, ""); npods = split($0, pods, " "); next }
/^ports:/ { sub(/^ports:[[:space:]]*/, ""); dports = $0; next }
{
  line = $0; sub(/[[:space:]]*#.*/, "", line)
  if (split(line, f, " ") != 5 || f[2] != "->" || (f[5] != "allow" && f[5] != "deny")) {
    bad = bad "\n  line " FNR ": cannot parse: " $0; next
  }
  ns_ = expand(f[1], S); nd_ = expand(f[3], D); np_ = expand_ports(f[4], P)
  if (!ns_ || !nd_ || !np_) bad = bad "\n  line " FNR ": matches nothing: " $0
  for (i = 1; i <= ns_; i++) for (j = 1; j <= nd_; j++) {
    if (S[i] == D[j]) continue
    for (k = 1; k <= np_; k++) {
      kk = S[i] SUBSEP D[j] SUBSEP P[k]
      if (!(kk in want)) order[++nord] = kk
      want[kk] = f[5]; from[kk] = FNR
    }
  }
  delete S; delete D; delete P
}
END {
  nbad = 0
  for (o = 1; o <= nord; o++) {
    split(order[o], q, SUBSEP)
    s = is_ip(q[1]) ? ipname(q[1], "s") : q[1]
    d = is_ip(q[2]) ? ipname(q[2], "d") : q[2]
    split(q[3], pp, "/")
    c = ((s, d) in conn) ? conn[s, d] : "No Connections"
    got = contains(c, pp[1], pp[2]) ? "allow" : "deny"
    if (got != want[order[o]]) {
      if (++nbad <= 12)
        printf "  %s -> %s %s: expected %s (line %d), trustmap lists \"%s\"\n", q[1], q[2], q[3], want[order[o]], from[order[o]], c
    }
  }
  if (bad != "") { print "  expectation errors:" bad; nbad++ }
  if (nbad > 12) printf "  ... %d mismatches in all\n", nbad
  printf "%d\n", nord > "/dev/stderr"
  exit nbad > 0
}
AWK
    then
      pass=$((pass+1)); [ $verbose = 1 ] && echo "PASS e2e $case_name"
    else
      fail=$((fail+1)); echo "FAIL e2e $case_name"
    fi 2>"$tmp/n"
    cat "$tmp/res"
    checked=$((checked + $(cat "$tmp/n" 2>/dev/null || echo 0)))
  done
done
echo "e2e: $pass truth tables passed, $checked expectations checked"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
