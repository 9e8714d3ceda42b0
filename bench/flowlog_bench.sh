#!/usr/bin/env bash
# Flow-log ingest benchmark (issue 14; run by `make bench` through
# bench/run.sh, or alone: bench/flowlog_bench.sh [NLINES]).
#
# 1. build/bench/hubble-1m.json: NLINES (default 1,000,000) Hubble lines in
#    the `hubble observe -o json` shape, 4 events per connection (SYN, the
#    SYN-ACK reply, ACK, FIN) over 250,000 connections, ~700 bytes a line
# 2. build/bench/zeek-1m/conn.log: NLINES conn.log records (TSV, Zeek 7.1
#    fields) and an ssl.log of one record per 4 connections
# 3. times `trustmap flows --hubble` and `--zeek` (records to /dev/null as
#    CSV), best of 3, CPU time (user + sys; wall time printed too)
# Targets (docs/benchmarks.md): 1M Hubble lines < 3 s, 1M Zeek conn.log lines
# < 2 s. Exit 1 when a target is missed.
set -u
cd "$(dirname "$0")/.." || exit 2
n=${1:-1000000}
out=build/bench
mkdir -p "$out/zeek-1m"
CC=${CC:-cc}
T=./trustmap
[ -x "$T" ] || { echo "flowlog_bench: build trustmap first (make)"; exit 2; }
$CC -O2 -std=c11 -D_GNU_SOURCE -o "$out/cputime" bench/cputime.c || exit 2
hub=$out/hubble-1m.json
zeek=$out/zeek-1m
if [ ! -s "$hub" ] || [ "$(wc -l < "$hub")" != "$n" ]; then
  awk -v n="$n" 'BEGIN {
    for (i = 0; i < n; i++) {
      c = int(i / 4); k = i % 4
      a = "10.244." int(c / 60000) % 250 "." (c % 250) + 1; b = "10.245." (c % 7) ".20"
      sp = 30000 + c % 30000; dp = 8443
      us = sprintf("%06d", c % 1000000); t = "2026-11-23T10:" sprintf("%02d", int(c / 60000) % 60) ":" sprintf("%02d", int(c / 1000) % 60) "." us "000Z"
      if (k == 1) { s = b; d = a; x = dp; y = sp; fl = "\"SYN\":true,\"ACK\":true"; r = "true" }
      else { s = a; d = b; x = sp; y = dp; fl = (k == 0 ? "\"SYN\":true" : k == 2 ? "\"ACK\":true" : "\"FIN\":true,\"ACK\":true"); r = "false" }
      printf "{\"flow\":{\"time\":\"%s\",\"uuid\":\"6b2f%08d-aa\",\"verdict\":\"FORWARDED\",\"ethernet\":{\"source\":\"aa:bb:cc:dd:ee:01\",\"destination\":\"aa:bb:cc:dd:ee:02\"},\"IP\":{\"source\":\"%s\",\"destination\":\"%s\",\"ipVersion\":\"IPv4\"},\"l4\":{\"TCP\":{\"source_port\":%d,\"destination_port\":%d,\"flags\":{%s}}},\"source\":{\"ID\":1234,\"identity\":21002,\"namespace\":\"shop\",\"labels\":[\"k8s:app=cart\",\"k8s:io.kubernetes.pod.namespace=shop\"],\"pod_name\":\"cart-5c9d7b8f4-ab12c\",\"workloads\":[{\"name\":\"cart\",\"kind\":\"Deployment\"}]},\"destination\":{\"ID\":2345,\"identity\":21005,\"namespace\":\"payments\",\"labels\":[\"k8s:app=payment-api\"],\"pod_name\":\"payment-api-84c6d9f7b-m9n2p\"},\"Type\":\"L3_L4\",\"node_name\":\"kind-worker\",\"event_type\":{\"type\":4},\"traffic_direction\":\"EGRESS\",\"trace_observation_point\":\"TO_STACK\",\"is_reply\":%s,\"Summary\":\"TCP Flags: SYN\"},\"node_name\":\"kind-worker\",\"time\":\"%s\"}\n", t, i, s, d, x, y, fl, r, t
    } }' > "$hub"
fi
if [ ! -s "$zeek/conn.log" ]; then
  awk -v n="$n" 'BEGIN {
    print "#separator \\x09"; print "#set_separator\t,"; print "#empty_field\t(empty)"; print "#unset_field\t-"; print "#path\tconn"
    print "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto"
    print "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tcount"
    for (i = 0; i < n; i++)
      printf "%d.%06d\tC%015d\t10.244.%d.%d\t%d\t10.245.%d.20\t%d\ttcp\t%s\t0.%06d\t%d\t%d\tSF\tT\tT\t0\tShADadFf\t%d\t%d\t%d\t%d\t(empty)\t6\n", 1795462800 + int(i / 1000), i % 1000000, i, int(i / 250) % 250, i % 250 + 1, 30000 + i % 30000, i % 7, (i % 4 ? 5432 : 8443), (i % 4 ? "postgresql" : "ssl"), i % 999999, 300 + i % 1000, 900 + i % 5000, 6, 700, 5, 1200
  }' > "$zeek/conn.log"
  awk -v n="$n" 'BEGIN {
    print "#separator \\x09"; print "#path\tssl"
    print "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tserver_name\testablished\tcert_chain_fps\tclient_cert_chain_fps"
    for (i = 0; i < n; i += 4)
      printf "%d.5\tC%015d\t10.244.0.1\t1\t10.245.0.20\t8443\tTLSv12\tTLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\tpayments.shop.svc\tT\tab12\t%s\n", 1795462800 + int(i / 1000), i, (i % 8 ? "cd34" : "(empty)")
  }' > "$zeek/ssl.log"
fi
best() {
  for _ in 1 2 3; do
    "$out/cputime" "$@" || { echo "flowlog_bench: $* failed" >&2; return 1; }
  done | awk 'NR == 1 || $1 < w {w = $1} NR == 1 || $2 < c {c = $2} END {print w, c}'
}
cat "$hub" "$zeek/conn.log" > /dev/null
t_h=$(best "$T" flows -q --format csv -o /dev/null --hubble "$hub") || exit 1
t_z=$(best "$T" flows -q --format csv -o /dev/null --zeek "$zeek") || exit 1
rc=0
report() { # name target wall cpu
  ok=$(awk -v c="$4" -v t="$2" 'BEGIN {print (c < t) ? "ok" : "MISSED"}')
  printf '%-34s %8.3f s wall %8.3f s cpu   target < %s s cpu: %s\n' "$1" "$3" "$4" "$2" "$ok"
  [ "$ok" = ok ] || rc=1
}
echo "flowlog_bench: $n lines each ($(du -m "$hub" | cut -f1) MB Hubble, $(du -m "$zeek/conn.log" | cut -f1) MB conn.log)"
report "Hubble JSON lines ($n)" 3 $t_h
report "Zeek conn.log + ssl.log ($n)" 2 $t_z
exit $rc
