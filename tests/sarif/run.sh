#!/usr/bin/env bash
# tests/sarif/run.sh SHARED - validate trustmap's SARIF against the OASIS
# schema in SHARED/schemas (make conformance): the sample with zones, and the
# cases that shaped the SARIF writer (suppressions, standard input, IP ranges
# merged, TM106 per zone, evidence from captures (and from a Zeek ssl.log line with its conn.log one, a Hubble L7 event with the connection's first, and records read back from a summary), paths with .., zone membership
# in the run's properties with empty zones, TM127 at a VirtualService route with a suppression).
set -u
cd "$(dirname "$0")/../.." || exit 2
S=${1:-../shared}
schema=$S/schemas/sarif-schema-2.1.0.json
T=./trustmap
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() { # NAME ARGS... (exit 0 or 1 expected)
  local name=$1; shift
  "$T" check -q --format sarif "$@" > "$out/$name.sarif"
  local rc=$?
  if [ "$rc" -gt 1 ]; then echo "FAIL sarif $name: exit $rc"; return 1; fi
}
fail=0
run shop-zones --zones samples/zones.yaml samples/shop || fail=1
run suppress tests/zones/suppress || fail=1
run stdin - < tests/zones/suppress/cluster.yaml || fail=1
run ipsplit tests/zones/ipsplit/new || fail=1
run tm106 --zones tests/zones/tm106/zones.yaml tests/zones/tm106/new || fail=1
run evidence --zones tests/zones/evidence/zones.yaml --flows tests/zones/evidence/mixed-mtls-plain.pcap \
  tests/zones/evidence/cluster.yaml || fail=1
run evidence-ssl-log --zones tests/fixtures/mesh/evidence/zones.yaml --zeek tests/fixtures/mesh/evidence/zeek-nocert \
  tests/fixtures/mesh/evidence/cluster.yaml || fail=1
run evidence-hubble-l7 --zones tests/fixtures/mesh/evidence/zones.yaml --hubble tests/fixtures/mesh/evidence/hubble.json \
  tests/fixtures/mesh/evidence/cluster.yaml || fail=1
run evidence-summary --zones tests/fixtures/mesh/evidence/zones.yaml --flows tests/fixtures/mesh/evidence/plain-http.summary.json \
  tests/fixtures/mesh/evidence/cluster.yaml || fail=1
run evidence-summary-ssl-log --zones tests/fixtures/mesh/evidence/zones.yaml \
  --flows tests/fixtures/mesh/evidence/zeek-nocert.summary.json tests/fixtures/mesh/evidence/cluster.yaml || fail=1
run observed --zones samples/zones.yaml --ip-map samples/traffic/ip-map.txt --hubble samples/traffic/hubble.json \
  --zeek samples/traffic/zeek --pcap samples/traffic/cart-postgres-denied.pcap samples/shop || fail=1
run dotdot samples/../tests/../samples/./shop// || fail=1
run empty-zones --zones tests/zones/empty/zones.yaml samples/shop || fail=1
run vs-unreachable tests/fixtures/mesh/vs-unreachable || fail=1
run notes --skip-invalid tests/bad/mixed-valid-invalid.yaml tests/bad/syntax-after-valid.yaml tests/fixtures/not-analysed-kinds.yaml || fail=1
tests/sarif/validate.py "$schema" "$out"/*.sarif || fail=1
exit $fail
