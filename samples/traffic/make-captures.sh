#!/bin/sh
# make-captures.sh - how the sample captures were made (not needed to build or
# run anything: the outputs are committed). Loopback captures of tests/pcap/
# rewritten onto the addresses of ip-map.txt with tcpprep/tcprewrite (Debian
# package tcpreplay), then the same connections as a Hubble export and a Zeek
# log pair (gen-logs.py, from the rewritten captures).
#   samples/traffic/make-captures.sh     (from anywhere; needs ./trustmap built)
set -eu
cd "$(dirname "$0")"
T=../../trustmap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# rewrite IN OUT SERVER_PORT_OLD SERVER_PORT_NEW CLIENT_IP SERVER_IP
rewrite() {
	printf 'srv %s/tcp\n' "$3" > "$tmp/services"
	tcpprep --port --services="$tmp/services" -i "$1" -o "$tmp/cache"
	tcprewrite --cachefile="$tmp/cache" --endpoints="$5:$6" --portmap="$3:$4" --fixcsum -i "$1" -o "$2"
}
# web/storefront -> the payment-api Service (clusterIP, port 8443 -> targetPort https): mutual TLS
rewrite ../../tests/pcap/tls12-mtls-spiffe.pcap storefront-payment-api-mtls.pcap 44312 8443 10.244.1.10 10.96.30.20
# shop/orders -> payments/payment-api: plaintext HTTP into the pci zone
rewrite ../../tests/pcap/http-plain.pcap orders-payment-api-plain.pcap 58080 8443 10.244.2.13 10.244.3.20
# shop/cart -> data/postgres: a connection that the policies deny
rewrite ../../tests/pcap/postgres-plain.pcap cart-postgres-denied.pcap 55433 5432 10.244.2.11 10.244.4.30
$T flows --format json storefront-payment-api-mtls.pcap orders-payment-api-plain.pcap cart-postgres-denied.pcap > "$tmp/flows.json"
python3 gen-logs.py "$tmp/flows.json"
