#!/usr/bin/env bash
# Checks `trustmap flows` against every capture in ../shared/pcaps: the facts
# that its INDEX.md states (TLS version, mutual TLS yes/no/unknown, link type
# decoded, SNI, application). Run by `make conformance`; needs jq.
#   usage: tests/pcap/shared.sh [SHARED_DIR]   (default ../shared)
set -u
cd "$(dirname "$0")/../.." || exit 2
S=${1:-../shared}/pcaps
T=${TRUSTMAP:-./trustmap}
[ -d "$S" ] || { echo "shared.sh: $S not found: skipped"; exit 0; }
command -v jq >/dev/null || { echo "shared.sh: jq not installed: skipped"; exit 0; }
pass=0; fail=0; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# check FILE 'jq boolean over the flows array' ['jq boolean over the stats object']
check() {
  local f=$1 q=$2 sq=${3:-true}
  if [ ! -f "$S/$f" ]; then echo "MISSING $f"; fail=$((fail+1)); return; fi
  if ! timeout 60 "$T" flows --pcap "$S/$f" --format json --stats >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL $f: exit $?"; head -3 "$tmp/err"; fail=$((fail+1)); return
  fi
  # stats lines "name value  # descr" -> {"name": value}
  grep -E '^[a-z_0-9]+ +[0-9]+  #' "$tmp/err" | awk '{printf "%s\"%s\": %s", (NR > 1 ? "," : "{"), $1, $2} END {print "}"}' >"$tmp/stats"
  if [ "$(jq "$q" "$tmp/out")" = true ] && [ "$(jq "(.unsupported_linktype == 0) and ($sq)" "$tmp/stats")" = true ]; then
    pass=$((pass+1))
  else
    fail=$((fail+1)); echo "FAIL $f"; echo "  expected: $q / $sq"
    jq -c '.[] | [.src_port, .dst_port, .app, .tls.version, .tls.sni, .tls.client_cert, .tls.client_cert_inferred]' "$tmp/out" | head -5
  fi
}
tls() { echo "[.[] | select(.tls != null and .tls.version == \"$1\")]"; }
# client_cert of TLS 1.3 flows: unknown, or inferred by the size heuristic (docs/flows.md)
t13='(all(.[] | select(.tls.version == "1.3"); .tls.client_cert == "unknown" or .tls.client_cert_inferred))'

check ndpi-anydesk-mtls.pcapng "($(tls 1.2) | length == 4 and all(.tls.client_cert == \"yes\" and .tls.server_cert.status == \"plain\")) and any(.[]; .transport == \"udp\" or .app == \"dns\")"
check ndpi-dns.pcapng '(length >= 2) and all(.[]; .app == "dns" and .tls == null) and (map(.packets) | add == 5)'
check ndpi-pgsql.pcap '(length >= 2) and all(.[]; .app == "postgres" and .tls == null)'
check ndpi-tls-client-cert-only.pcapng "($(tls 1.2) | length >= 1 and all(.tls.client_cert == \"yes\" and .tls.server_cert.status == \"missing\")) and ([.[] | select(.tls != null)] | length == 2)"
check ndpi-tls-port-80.pcapng "$(tls 1.2) | length == 1 and .[0].dst_port == 80 and .[0].tls.client_cert == \"unknown\""
check zeek-http-get.pcap 'length == 1 and .[0].app == "http" and .[0].http.host == "bro.org" and .[0].http.method == "GET"'
check zeek-http-vlan.pcap 'length == 1 and .[0].app == "http" and .[0].http.host == "bro.org"'
check zeek-irc-starttls-sll.pcap "$(tls 1.2) | length == 1 and .[0].app == \"irc\" and .[0].tls.starttls and .[0].tls.client_cert == \"no\" and .[0].tls.server_cert.status == \"plain\""
check zeek-mysql-plain.pcap 'length == 1 and .[0].app == "mysql" and .[0].tls == null'
check zeek-mysql-tls12.pcap "$(tls 1.2) | length == 1 and .[0].app == \"mysql\" and .[0].tls.starttls and .[0].tls.client_cert == \"no\" and .[0].tls.cert_requested"
check zeek-mysql-tls13.pcap "($(tls 1.3) | length == 1 and .[0].app == \"mysql\" and .[0].tls.server_cert.status == \"encrypted\") and $t13"
check zeek-pop3-starttls-null.pcap "$(tls 1.2) | length == 1 and .[0].app == \"pop3\" and .[0].tls.client_cert == \"no\" and .[0].tls.cert_requested"
check zeek-psql-plain.pcap 'length >= 1 and all(.[]; .app == "postgres" and .tls == null)'
check zeek-psql-ssl-require.pcap "$(tls 1.2) | length == 1 and .[0].app == \"postgres\" and .[0].tls.sni == \"database-1.cyx4x7yvdoay.us-east-1.rds.amazonaws.com\" and .[0].tls.client_cert == \"no\" and .[0].tls.server_cert.status == \"plain\""
check zeek-redis-set-null.pcap 'length == 1 and .[0].app == "redis" and .[0].dst_port == 6379'
check zeek-sll2-linux.pcap 'length == 0' '.packets == 6 and .other_ip_proto == 4 and .non_ip == 2'
check zeek-tls10-globus-mtls.pcap "$(tls 1.0) | length == 1 and .[0].dst_port == 55968 and .[0].tls.client_cert == \"yes\" and .[0].tls.server_cert.status == \"plain\""
check zeek-tls10-sct.pcap "$(tls 1.0) | length == 1 and .[0].tls.client_cert == \"no\" and (.[0].tls.server_cert.subject | test(\"google\"))"
check zeek-tls11.pcap "$(tls 1.1) | length == 1 and .[0].tls.client_cert == \"no\""
check zeek-tls12-certreq-failed-v6.pcap "$(tls 1.2) | length == 1 and (.[0].src_ip | test(\":\")) and .[0].dst_port == 3000 and .[0].tls.cert_requested and .[0].tls.client_cert == \"no\""
check zeek-tls12-client-cert.pcap "$(tls 1.2) | length == 1 and .[0].tls.sni == \"certauth.idrix.fr\" and .[0].tls.alpn == \"http/1.1\" and .[0].tls.client_cert == \"yes\" and (.[0].tls.client_identity | test(\"johanna@corelight.com\"))"
check zeek-tls12-mldsa-rawip.pcap "$(tls 1.2) | length == 1 and .[0].tls.client_cert == \"unknown\""
check zeek-tls13-chrome-kyber.pcap "($(tls 1.3) | length == 1 and .[0].tls.sni == \"lh3.google.com\") and $t13"
check zeek-tls13-ech.pcap "($(tls 1.3) | length == 2 and all(.tls.sni == \"cloudflare-ech.com\")) and $t13"
check zeek-tls13-hrr.pcap "($(tls 1.3) | length == 1 and .[0].tls.hello_retry and .[0].tls.server_cert.status == \"encrypted\") and $t13"
check zeek-tls13-openjdk-sll2.pcap "($(tls 1.3) | length == 1 and .[0].tls.sni == \"zeek.org\") and $t13"
check zeek-tls13-psk.pcap "($(tls 1.3) | length == 1 and .[0].tls.resumed and .[0].tls.client_cert == \"unknown\") and $t13"
check zeek-tls13-wolfssl.pcap "($(tls 1.3) | length == 1 and .[0].dst_port == 9090 and .[0].tls.sni == null) and $t13"
check zeek-xmpp-starttls.pcap "$(tls 1.2) | length == 1 and .[0].app == \"xmpp\" and .[0].tls.starttls and .[0].tls.client_cert == \"no\""

# standard input (--pcap -) reads the same as a path, but for the input that seen_in names
if [ "$("$T" flows --format json --pcap - <"$S/zeek-tls12-client-cert.pcap" 2>&1 | jq -c 'del(.[].seen_in.file)')" = \
     "$("$T" flows --format json --pcap "$S/zeek-tls12-client-cert.pcap" 2>&1 | jq -c 'del(.[].seen_in.file)')" ] &&
   [ "$("$T" flows --format json --pcap - <"$S/zeek-tls12-client-cert.pcap" 2>&1 | jq -r '.[0].seen_in.file')" = "-" ]; then pass=$((pass+1))
else fail=$((fail+1)); echo "FAIL --pcap - differs from the path"; fi

# every capture in the directory must be covered above
for f in "$S"/*.pcap "$S"/*.pcapng; do
  grep -q "^check $(basename "$f") " "$0" || { echo "FAIL $(basename "$f"): no expectation in shared.sh"; fail=$((fail+1)); }
done
echo "pcaps: $pass passed, $fail failed"
[ $fail = 0 ]
