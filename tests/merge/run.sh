#!/bin/sh
# tests/merge/run.sh - `trustmap flows --merge` (docs/flows.md "Merging"):
#  * a summary read back renders as it was written (every format);
#  * captures of different connections (one per node), summarised apart and
#    merged, give what one run over all the captures gives;
#  * one connection's verdicts from two nodes: the stronger (a drop at either
#    point), in either order;
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
# A summary judges exactly like the observation it came from, for every source
# (docs/flows.md "As evidence"): flows -f json of the summary read back is
# the original's byte for byte (flow_log too), and check --flows SUMMARY
# gives the original's findings, their evidence text included: TM124's and
# TM13x's "first in" name the original capture or log and its packet or line
# as the original run does, and add only "(via summary F line N)". The one
# other difference is the location: TM13x's "observed traffic" is the input
# read, so the summary's record (F:N) instead of the capture or log, which
# may not exist where check runs.
judged() {
	sed -E -e 's/ \(via summary [^)]*\)//' -e '/^  at [^ ]+  observed traffic( \(flow summary record\))?$/d' "$1"
}
drift_seen=0
E=tests/fixtures/mesh/evidence
roundtrip() { # name, reader arguments, check arguments
	name=$1 rd=$2 ck=$3
	"$T" flows -f json $rd >"$W/rt-$name.json" 2>/dev/null || { no "$name: flows -f json"; return; }
	"$T" flows -f json --merge "$W/rt-$name.json" 2>"$W/err" | cmp -s - "$W/rt-$name.json" && ok ||
		no "$name: the summary read back renders differently ($(head -c 200 "$W/err"))"
	"$T" check $ck $rd >"$W/orig" 2>/dev/null
	"$T" check $ck --flows "$W/rt-$name.json" >"$W/sum" 2>/dev/null
	judged "$W/orig" >"$W/orig.n"
	judged "$W/sum" >"$W/sum.n"
	cmp -s "$W/orig.n" "$W/sum.n" && ok || { no "$name: check --flows SUMMARY judges differently:"; diff "$W/orig.n" "$W/sum.n" | head -10; }
	# every TM13x record named from the summary says which summary line it was read from
	fi_o=$(grep -c 'first in ' "$W/orig") fi_s=$(grep -c "first in [^;]* (via summary $W/rt-$name.json line [1-9][0-9]*)" "$W/sum")
	[ "$fi_o" = "$fi_s" ] && ok || no "$name: $fi_o findings name their first record, $fi_s of them from the summary name its line"
	grep -q 'first in summary ' "$W/sum" && no "$name: a finding names the summary instead of the observation" || ok
	# and the location is the summary's record, one per location the original has
	lo_o=$(grep -c '^  at [^ ]*  observed traffic$' "$W/orig")
	lo_s=$(grep -c "^  at $W/rt-$name.json:[1-9][0-9]*  observed traffic (flow summary record)\$" "$W/sum")
	[ "$lo_o" = "$lo_s" ] && ok || no "$name: $lo_o observed-traffic locations, $lo_s of them the summary's record"
	drift_seen=$((drift_seen + fi_o))
}
roundtrip pcap-samples "--pcap samples/traffic/storefront-payment-api-mtls.pcap --pcap samples/traffic/orders-payment-api-plain.pcap --pcap samples/traffic/cart-postgres-denied.pcap" \
	"--zones samples/zones.yaml --ip-map samples/traffic/ip-map.txt samples/shop"
roundtrip pcap-evidence "--pcap $E/plain-http.pcap" "--zones $E/zones.yaml $E/cluster.yaml"
roundtrip hubble-samples "--hubble samples/traffic/hubble.json" "--zones samples/zones.yaml --ip-map samples/traffic/ip-map.txt samples/shop"
# mapped by Hubble's pod names (flow_log.src/dst): read back without them, TM133 differed
roundtrip hubble-names "--hubble tests/flowlog/hubble-names.json" "--ip-map tests/flowlog/pods-svc.json samples/shop"
roundtrip hubble-egress "--hubble tests/flowlog/hubble-egress.json" "--zones tests/flowlog/zones-egress.yaml --ip-map samples/traffic/ip-map.txt samples/shop"
roundtrip hubble-evidence "--hubble $E/hubble.json" "--zones $E/zones.yaml $E/cluster.yaml"
# one Hubble Relay export: a connection forwarded at one node and dropped at another is one DROPPED record
roundtrip hubble-relay "--hubble tests/flowlog/hubble-relay.json" "--ip-map samples/traffic/ip-map.txt samples/shop"
roundtrip hubble-denied "--hubble tests/flowlog/hubble-denied.json" "--ip-map samples/traffic/ip-map.txt samples/shop"
roundtrip zeek-samples "--zeek samples/traffic/zeek" "--zones samples/zones.yaml --ip-map samples/traffic/ip-map.txt samples/shop"
cp "$W/sum" "$W/rt-zeek-samples.check"
# an S0 attempt (flow_log.attempt): read back as a connection, it made a false TM130
roundtrip zeek-json "--zeek tests/flowlog/zeek-json" "--ip-map tests/flowlog/pods-wide.txt samples/shop"
roundtrip zeek-evidence "--zeek $E/zeek" "--zones $E/zones.yaml $E/cluster.yaml"
# the uid (flow_log.uid) named by the evidence
roundtrip zeek-nocert "--zeek $E/zeek-nocert" "--zones $E/zones.yaml $E/cluster.yaml"
# content unseen (flow_log.content_unseen): read back as plaintext, it made a false TM124 and pci-mtls
roundtrip zeek-unseen "--zeek $E/zeek-unseen" "--zones $E/zones.yaml $E/cluster.yaml"
# the comparisons above judged TM13x text (not only TM124's)
[ "$drift_seen" -gt 0 ] && ok || no "no round-trip case made a TM13x finding: the evidence text was not compared"
# the original file and position are named, not only "a file": Zeek's conn.log line of cart -> postgres
grep -q "first in zeek samples/traffic/zeek/conn.log line 9 (via summary $W/rt-zeek-samples.json line [0-9]*)" "$W/rt-zeek-samples.check" && ok ||
	no "TM130 from a Zeek summary does not name conn.log line 9"
grep -q '"flow_log": {"content_unseen": true, "attempt": false' "$W/rt-zeek-unseen.json" && ok ||
	no "the Zeek connection without service is not content_unseen in its summary"
"$T" check --zones $E/zones.yaml --flows "$W/rt-zeek-unseen.json" $E/cluster.yaml 2>/dev/null | grep -q -e TM124 -e pci-mtls -e TM130 &&
	no "a Zeek summary's content-unseen connection or attempt made a finding" || ok
# merged summaries keep what either point saw: an answer at either point is a connection,
# content seen at either point (the same way round) is seen; CNI encryption is kept
sed -e 's/"attempt": true/"attempt": false/' -e 's/"content_unseen": true/"content_unseen": false/' "$W/rt-zeek-json.json" >"$W/answered.json"
"$T" flows -f json --merge "$W/rt-zeek-json.json" "$W/answered.json" | grep -c '"attempt": true\|"content_unseen": true' | grep -qx 0 && ok ||
	no "merging an attempt with the same connection answered elsewhere kept it an attempt"
sed -e 's/"encrypted": false/"encrypted": true/' "$W/rt-hubble-samples.json" >"$W/encrypted.json"
"$T" flows -f json --merge "$W/rt-hubble-samples.json" "$W/encrypted.json" | grep -c '"encrypted": false' | grep -qx 0 && ok ||
	no "merging lost the CNI encryption one point saw"
# one connection seen by Hubble on two nodes: the source's node forwarded it at egress, the
# destination's dropped it at ingress (policy). A verdict is one point's: the connection did not
# get through, so the merged record is DROPPED, with the drop's node and direction, whichever
# summary comes first; read alone the source's summary is a connection the policies deny (TM130)
H=tests/flowlog
"$T" flows -f json --hubble $H/hubble-node-a.json >"$W/node-a.json" 2>/dev/null
"$T" flows -f json --hubble $H/hubble-node-b.json >"$W/node-b.json" 2>/dev/null
"$T" flows -f json --merge "$W/node-a.json" "$W/node-b.json" >"$W/ab.json" 2>/dev/null
"$T" flows -f json --merge "$W/node-b.json" "$W/node-a.json" >"$W/ba.json" 2>/dev/null
cmp -s "$W/ab.json" "$W/ba.json" && ok || no "merge A B differs from merge B A (forwarded at egress, dropped at ingress)"
[ "$(grep -c '"transport"' "$W/ab.json")" = 1 ] && grep -q '"verdict": "DROPPED"' "$W/ab.json" && ok ||
	no "forwarded at egress and dropped at ingress did not merge to one DROPPED record"
grep -q '"drop_reason": "POLICY_DENIED", "policy": null, "uid": null, "service": null, "node": "kind-worker3", "direction": "INGRESS"' "$W/ab.json" && ok ||
	no "the merged DROPPED record does not name the node and direction that dropped it"
ck="--ip-map samples/traffic/ip-map.txt samples/shop"
"$T" check -q --flows "$W/node-a.json" $ck 2>/dev/null | grep -q '^high TM130' && ok || no "the source's summary alone made no TM130"
"$T" check -q --flows "$W/ab.json" $ck 2>/dev/null | grep -q TM130 && no "a connection dropped at ingress made a TM130 once merged" || ok
"$T" check -q --flows "$W/node-b.json" --flows "$W/node-a.json" $ck 2>/dev/null | grep -q TM130 &&
	no "check --flows of both summaries took the dropped connection for one" || ok
# the same instant on both nodes (no order by time): the verdict still does not depend on the order
sed 's/"first": [0-9.]*/"first": 1795464600.000001/' "$W/node-b.json" >"$W/node-b0.json"
for o in "$W/node-a.json $W/node-b0.json" "$W/node-b0.json $W/node-a.json"; do
	"$T" flows -f json --merge $o | grep -q '"verdict": "DROPPED"' && ok || no "merge $o: the drop's verdict was lost"
done
# The Relay export's events split by node (one SYN forwarded at kind-worker, dropped at kind-worker3
# 50us later; nothing retried): each node's summary has a record of one instant, the two do not
# overlap, and only the slack (TM_FLOWJSON_MERGE_SLACK_US) makes them one DROPPED record; the
# allowed connection (two nodes, answered) stays one FORWARDED record. Merged, the summaries give
# what the export read in one run gives: no TM130, the drop's node named.
for n in kind-worker kind-worker2 kind-worker3; do
	grep "\"node_name\":\"$n\"" $H/hubble-relay.json >"$W/relay-$n.hubble.json"
	"$T" flows -f json --hubble "$W/relay-$n.hubble.json" >"$W/relay-$n.json" 2>/dev/null
done
"$T" flows -f json --merge "$W/relay-kind-worker3.json" "$W/relay-kind-worker2.json" "$W/relay-kind-worker.json" >"$W/relay.json" 2>/dev/null
[ "$(grep -c '"transport"' "$W/relay.json")" = 2 ] && ok || no "the Relay export's node summaries did not merge into its two connections"
tr -d '\n' <"$W/relay.json" | sed 's/}, *{/}\n{/g' | grep -q '"verdict": "DROPPED".*"node": "kind-worker3", "direction": "INGRESS"' && ok ||
	no "the single SYN dropped at kind-worker3 did not merge to a DROPPED record naming it"
"$T" check -q --flows "$W/relay.json" $ck 2>/dev/null | grep -q TM130 && no "merged node summaries of the Relay export made a TM130" || ok
"$T" check -q --flows "$W/relay-kind-worker.json" $ck 2>/dev/null | grep -q '^high TM130' && ok || no "the source's node summary alone made no TM130"
"$T" check -q --hubble $H/hubble-relay.json $ck 2>/dev/null | grep -q TM130 && no "the Relay export read in one run made a TM130" || ok
# past the slack a record is another connection (a client reusing the 5-tuple): kept apart
sed -E 's/"(first|last)": 1795465200\.000051/"\1": 1795465200.200051/' "$W/relay-kind-worker3.json" >"$W/relay-late.json"
grep -q '1795465200.200051' "$W/relay-late.json" && ok || no "the late copy of kind-worker3's summary was not made"
"$T" flows -f json --merge "$W/relay-kind-worker.json" "$W/relay-late.json" | grep -c '"transport"' | grep -qx 3 && ok ||
	no "records 200ms apart (past the slack) were merged"
# an ERROR at one point outranks FORWARDED (a drop outranks an error); AUDIT yields to FORWARDED
sed 's/"verdict": "DROPPED"/"verdict": "ERROR"/' "$W/node-b.json" >"$W/node-err.json"
sed 's/"verdict": "FORWARDED"/"verdict": "AUDIT"/' "$W/node-a.json" >"$W/node-audit.json"
for o in "$W/node-a.json $W/node-err.json" "$W/node-err.json $W/node-a.json"; do
	"$T" flows -f json --merge $o | grep -q '"verdict": "ERROR"' && ok || no "merge $o: not ERROR"
done
for o in "$W/node-err.json $W/node-b.json" "$W/node-b.json $W/node-err.json"; do
	"$T" flows -f json --merge $o | grep -q '"verdict": "DROPPED"' && ok || no "merge $o: not DROPPED"
done
for o in "$W/node-a.json $W/node-audit.json" "$W/node-audit.json $W/node-a.json"; do
	"$T" flows -f json --merge $o | grep -q '"verdict": "FORWARDED"' && ok || no "merge $o: not FORWARDED"
done
# --merge refuses what is not a summary
"$T" flows --merge "$P/http-plain.pcap" >/dev/null 2>"$W/err"
[ $? = 2 ] && grep -q "is not the output of trustmap flows -f json" "$W/err" && ok || no "--merge took a capture"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
