#!/bin/sh
# tests/merge/run.sh - `trustmap flows --merge` (docs/flows.md "Merging"):
#  * a summary read back renders as it was written (every format);
#  * captures of different connections (one per node), summarised apart and
#    merged, give what one run over all the captures gives;
#  * one connection seen at several points (the full capture, a truncated
#    copy, a copy cut by snaplen) is one record, with the fullest facts;
#  * the order of the summaries does not matter; a summary merged with
#    itself is unchanged; --merge refuses a capture.
# Ends with "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
T=${TRUSTMAP:-./trustmap}
P=tests/pcap
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { echo "FAIL merge: $*"; fail=$((fail + 1)); }
# captures of distinct connections, as taken on different nodes
nodes="http-plain istio-mtls postgres-plain postgres-ssl redis-plain smtp-starttls tls12-cert-declined tls12-mtls-spiffe tls12-no-client-cert tls13-mtls tls13-no-client-cert tso-client-cert"
caps="" sums=""
for n in $nodes; do
	"$T" flows -f json "$P/$n.pcap" >"$W/$n.json" 2>/dev/null || no "flows -f json $n"
	for fmt in json txt csv; do
		"$T" flows -f $fmt "$P/$n.pcap" >"$W/want" 2>/dev/null
		"$T" flows -f $fmt --merge "$W/$n.json" >"$W/got" 2>"$W/err"
		cmp -s "$W/want" "$W/got" && ok || no "$n: -f $fmt of the summary read back differs ($(head -c 200 "$W/err"))"
	done
	caps="$caps $P/$n.pcap"
	sums="$sums $W/$n.json"
done
for fmt in json txt csv; do
	"$T" flows -f $fmt $caps >"$W/one" 2>/dev/null
	"$T" flows -f $fmt --merge $sums >"$W/merged" 2>/dev/null
	cmp -s "$W/one" "$W/merged" && ok || no "-f $fmt: merged summaries differ from one run over the captures"
done
# the order of the summaries does not matter
"$T" flows -f json --merge $(printf '%s\n' $sums | sort -r) >"$W/rev" 2>/dev/null
cmp -s "$W/rev" "$W/merged" || { "$T" flows -f json --merge $sums >"$W/merged" 2>/dev/null; cmp -s "$W/rev" "$W/merged"; } && ok ||
	no "the result depends on the order of the summaries"
# a summary merged with itself (the same packets seen twice) is unchanged
"$T" flows -f json --merge "$W/tls13-mtls.json" "$W/tls13-mtls.json" | cmp -s - "$W/tls13-mtls.json" && ok || no "a summary merged with itself changed"
"$T" flows -f json --merge $sums $sums | cmp -s - "$W/merged" && ok || no "all summaries merged with themselves changed"
# one connection observed at three points: the full capture, a truncated
# copy, a copy cut at 96 bytes: one record, the full capture's
for n in truncated-tls12 snaplen96-tls12; do "$T" flows -f json "$P/$n.pcap" >"$W/$n.json" 2>/dev/null; done
# (its facts; seen_in names where the record first seen was: the first summary, all three starting at one instant)
"$T" flows -f json --merge "$W/truncated-tls12.json" "$W/snaplen96-tls12.json" "$W/tls12-mtls-spiffe.json" >"$W/three"
grep -v '"seen_in"' "$W/tls12-mtls-spiffe.json" >"$W/full-facts"
grep -v '"seen_in"' "$W/three" | cmp -s - "$W/full-facts" && ok ||
	no "three observations of one connection are not its fullest record"
grep -q '"seen_in": {"file": "tests/pcap/truncated-tls12.pcap", "packet": 1, "tls": null}' "$W/three" && ok ||
	no "the merged record does not name where it was first seen"
"$T" flows --merge --stats "$W/truncated-tls12.json" "$W/tls12-mtls-spiffe.json" 2>&1 >/dev/null | grep -q "^summary_merged  *1 " && ok ||
	no "--stats does not count the merged record"
# a flow log's summary reads back as written, with where each record was seen (Zeek: conn.log and ssl.log lines)
"$T" flows -f json --zeek tests/fixtures/mesh/evidence/zeek-nocert >"$W/zeek.json" 2>/dev/null
grep -q '"tls": {"file": "tests/fixtures/mesh/evidence/zeek-nocert/ssl.log", "line": 10}' "$W/zeek.json" && ok ||
	no "the Zeek summary does not name the ssl.log line"
"$T" flows -f json --merge "$W/zeek.json" | cmp -s - "$W/zeek.json" && ok || no "a Zeek summary read back differs"
# summaries work wherever captures do: check --flows
"$T" check -f json --flows "$W/tls12-mtls-spiffe.json" samples/shop >"$W/a" 2>/dev/null
"$T" check -f json --flows "$P/tls12-mtls-spiffe.pcap" samples/shop >"$W/b" 2>/dev/null
cmp -s "$W/a" "$W/b" && ok || no "check --flows SUMMARY differs from check --flows CAPTURE"
# --merge refuses what is not a summary
"$T" flows --merge "$P/http-plain.pcap" >/dev/null 2>"$W/err"
[ $? = 2 ] && grep -q "is not the output of trustmap flows -f json" "$W/err" && ok || no "--merge took a capture"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
