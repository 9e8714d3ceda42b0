#!/usr/bin/env bash
# Re-creates the small loopback captures in tests/pcap/ (see README.md).
# Needs root (tcpdump -i lo), openssl, python3, curl. The output differs on
# every run (keys, randoms, times): re-run golden updates for the flows-* cases.
set -eu
cd "$(dirname "$0")"
T=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
PY=${PYTHON:-python3}

# ---- a CA, a server certificate and SPIFFE client/server certificates ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/O=trustmap test/CN=trustmap test CA" -keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null
mk() { # name subject san
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$2" \
    -keyout "$T/$1.key" -out "$T/$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\n' "$3" > "$T/$1.ext"
  openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
    -days 3650 -extfile "$T/$1.ext" -out "$T/$1.crt" 2>/dev/null
}
mk server "/O=shop/CN=payments.shop.svc" "DNS:payments.shop.svc,DNS:payments.shop.svc.cluster.local"
mk client "/O=shop/CN=storefront" "URI:spiffe://cluster.local/ns/web/sa/storefront"
mk mesh "/O=cluster.local" "URI:spiffe://cluster.local/ns/payments/sa/payment-api"

cap() { # file port command...
  local f=$1 port=$2; shift 2
  tcpdump -i lo --immediate-mode -U -s 0 -w "$T/$f" "tcp port $port" 2>"$T/tcpdump.err" & local tp=$!
  for _ in $(seq 50); do grep -q listening "$T/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5
  "$@" || true
  sleep 0.7
  kill $tp; wait $tp 2>/dev/null || true
  cp "$T/$f" "$f"
}

srv() { # port tls-options... : one s_server accepting one connection
  local port=$1; shift
  openssl s_server -accept "$port" -naccept 1 -cert "$T/server.crt" -key "$T/server.key" \
    -CAfile "$T/ca.crt" -www "$@" >/dev/null 2>"$T/srv.err" &
  SRV_PID=$!
  sleep 0.5
}
cli() { # port options...
  local port=$1; shift
  printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 openssl s_client -connect 127.0.0.1:$port \
    -CAfile "$T/ca.crt" -servername payments.shop.svc -ign_eof "$@" >/dev/null 2>"$T/cli.err"
}

pair() { # port "server options" "client options"
  # shellcheck disable=SC2086
  srv "$1" $2; cli "$1" $3; kill $SRV_PID 2>/dev/null; wait $SRV_PID 2>/dev/null
}

cap tls12-mtls-spiffe.pcap 44312 pair 44312 "-tls1_2 -Verify 1" "-tls1_2 -alpn h2,http/1.1 -cert $T/client.crt -key $T/client.key"
cap tls12-no-client-cert.pcap 44313 pair 44313 "-tls1_2" "-tls1_2"
cap tls12-cert-declined.pcap 44314 pair 44314 "-tls1_2 -verify 1" "-tls1_2"
cap tls13-mtls.pcap 44315 pair 44315 "-tls1_3 -Verify 1" "-tls1_3 -cert $T/client.crt -key $T/client.key"
cap tls13-no-client-cert.pcap 44316 pair 44316 "-tls1_3" "-tls1_3"
cap istio-mtls.pcap 15443 pair 15443 "-tls1_3 -Verify 1 -alpn istio-peer-exchange,istio" "-tls1_3 -servername outbound_.8080_._.payments.shop.svc.cluster.local -alpn istio-peer-exchange,istio -cert $T/mesh.crt -key $T/mesh.key"

# ---- STARTTLS (SMTP), Postgres SSLRequest, plaintext HTTP and RESP ----
cap smtp-starttls.pcap 2525 bash -c "$PY scripted.py smtp-server 2525 $T/server.crt $T/server.key & sleep 0.5; printf 'QUIT\r\n' | timeout 5 openssl s_client -connect 127.0.0.1:2525 -starttls smtp -CAfile $T/ca.crt -ign_eof >/dev/null 2>&1; wait"
cap postgres-ssl.pcap 55432 bash -c "$PY scripted.py pg-server 55432 $T/server.crt $T/server.key & sleep 0.5; $PY scripted.py pg-client 55432; wait"
cap postgres-plain.pcap 55433 bash -c "$PY scripted.py pg-server 55433 - - & sleep 0.5; $PY scripted.py pg-client-plain 55433; wait"
cap http-plain.pcap 58080 bash -c "cd $T && $PY -m http.server 58080 --bind 127.0.0.1 >/dev/null 2>&1 & sleep 1; curl -s -o /dev/null -H 'Host: web.shop.svc' http://127.0.0.1:58080/ca.crt; kill \$!"
cap redis-plain.pcap 56379 bash -c "$PY scripted.py redis-server 56379 & sleep 0.5; $PY scripted.py redis-client 56379; wait"
ls -l *.pcap
