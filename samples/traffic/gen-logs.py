#!/usr/bin/env python3
"""gen-logs.py FLOWS.json - write hubble.json and zeek/{conn,ssl}.log for the
connections of the sample captures (trustmap flows --format json of them), as
Cilium's Hubble (hubble observe -o json: {"flow": ..., "node_name", "time"};
one line in the legacy bare-Flow shape) and Zeek (TSV with #fields headers)
would have logged them. Run by make-captures.sh; the outputs are committed."""
import json, sys, datetime, os

flows = json.load(open(sys.argv[1]))
NAMES = {  # address -> (namespace, pod, workload, kind, identity)
    "10.244.1.10": ("web", "storefront-7d4b9c6f5-x2k8q", "storefront", "Deployment", 21001),
    "10.244.2.11": ("shop", "cart-5c9d7b8f4-ab12c", "cart", "Deployment", 21002),
    "10.244.2.13": ("shop", "orders-6f8d9c7b5-qz3w1", "orders", "Deployment", 21004),
    "10.244.3.20": ("payments", "payment-api-84c6d9f7b-m9n2p", "payment-api", "Deployment", 21005),
    "10.244.4.30": ("data", "postgres-0", "postgres", "StatefulSet", 21007),
}
SERVICE_BACKEND = {"10.96.30.20": "10.244.3.20"}  # Hubble shows the backend after service translation

def rfc3339(t):
    s = int(t); us = int(round((t - s) * 1e6))
    return datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + ".%06d000Z" % us

def endpoint(ip):
    if ip not in NAMES:
        return {"identity": 2, "labels": ["reserved:world"]}
    ns, pod, wl, kind, ident = NAMES[ip]
    return {"ID": ident % 4096, "identity": ident, "namespace": ns, "pod_name": pod,
            "labels": ["k8s:app=" + wl, "k8s:io.kubernetes.pod.namespace=" + ns],
            "workloads": [{"name": wl, "kind": kind}]}

def event(t, src, sport, dst, dport, flags, reply, verdict="FORWARDED", drop=None):
    f = {"time": rfc3339(t), "verdict": verdict, "IP": {"source": src, "destination": dst, "ipVersion": "IPv4"},
         "l4": {"TCP": {"source_port": sport, "destination_port": dport, "flags": flags}},
         "source": endpoint(src), "destination": endpoint(dst), "Type": "L3_L4", "node_name": "kind-worker",
         "is_reply": reply, "traffic_direction": "INGRESS" if not reply else "EGRESS",
         "event_type": {"type": 4 if verdict == "FORWARDED" else 1}, "Summary": "TCP Flags: " + ",".join(flags)}
    if drop:
        f["drop_reason_desc"] = drop
    return f

lines = []
for fl in flows:
    src, dst, sp, dp = fl["src_ip"], fl["dst_ip"], fl["src_port"], fl["dst_port"]
    dst = SERVICE_BACKEND.get(dst, dst)
    if dp == 8443 and dst == "10.244.3.20" and fl["app"] == "tls":
        dp = 8443
    t0, t1 = fl["first"], fl["last"]
    lines.append(event(t0, src, sp, dst, dp, {"SYN": True}, False))
    lines.append(event(t0 + 0.0001, dst, dp, src, sp, {"SYN": True, "ACK": True}, True))
    lines.append(event(t0 + 0.0002, src, sp, dst, dp, {"ACK": True}, False))
    lines.append(event(t1, src, sp, dst, dp, {"FIN": True, "ACK": True}, False))
# a drop: shop/cart -> payments/payment-api, which the policies deny and the CNI enforced
t = flows[0]["first"] + 1
drop = [event(t, "10.244.2.11", 41000, "10.244.3.20", 8443, {"SYN": True}, False, "DROPPED", "POLICY_DENIED"),
        event(t + 1, "10.244.2.11", 41000, "10.244.3.20", 8443, {"SYN": True}, False, "DROPPED", "POLICY_DENIED")]
with open("hubble.json", "w") as out:
    for i, f in enumerate(lines + drop):
        node = f.get("node_name")
        if i == 0:  # the legacy output: the bare Flow
            out.write(json.dumps(f, separators=(",", ":")) + "\n")
        else:
            out.write(json.dumps({"flow": f, "node_name": node, "time": f["time"]}, separators=(",", ":")) + "\n")

os.makedirs("zeek", exist_ok=True)
conn_fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
               "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
               "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents", "ip_proto"]
conn_types = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count",
              "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]", "count"]
ssl_fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version", "cipher", "curve",
              "server_name", "resumed", "last_alert", "next_protocol", "established", "ssl_history",
              "cert_chain_fps", "client_cert_chain_fps", "sni_matches_cert"]
ssl_types = ["time", "string", "addr", "port", "addr", "port", "string", "string", "string", "string", "bool",
             "string", "string", "bool", "string", "vector[string]", "vector[string]", "bool"]

def header(path, fields, types):
    return ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t%s\n"
            "#open\t2026-11-23-10-20-00\n#fields\t%s\n#types\t%s\n") % (path, "\t".join(fields), "\t".join(types))

conn, ssl = [header("conn", conn_fields, conn_types)], [header("ssl", ssl_fields, ssl_types)]
for i, fl in enumerate(flows):
    uid = "C%016x" % (0x5a17 + i * 7919)
    service = {"tls": "ssl", "http": "http", "postgres": "postgresql"}.get(fl["app"], "-")
    dur = "%.6f" % (fl["last"] - fl["first"])
    half = fl["packets"] // 2
    conn.append("\t".join(str(x) for x in [
        "%.6f" % fl["first"], uid, fl["src_ip"], fl["src_port"], fl["dst_ip"], fl["dst_port"], "tcp", service, dur,
        fl["bytes"] // 3, fl["bytes"] // 2, "SF", "T", "T", 0, "ShADadFf", fl["packets"] - half, fl["bytes"] // 2,
        half, fl["bytes"] - fl["bytes"] // 2, "(empty)", 6]) + "\n")
    if fl["tls"]:
        t = fl["tls"]
        cc = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" if t["client_cert"] == "yes" else "(empty)"
        ssl.append("\t".join(str(x) for x in [
            "%.6f" % (fl["first"] + 0.001), uid, fl["src_ip"], fl["src_port"], fl["dst_ip"], fl["dst_port"],
            "TLSv" + t["version"].replace(".", ""), t["cipher"] or "-", "x25519", t["sni"] or "-", "F", "-",
            t["alpn"] or "-", "T", "CsiI", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            cc, "T"]) + "\n")
conn.append("#close\t2026-11-23-10-30-00\n")
ssl.append("#close\t2026-11-23-10-30-00\n")
open("zeek/conn.log", "w").write("".join(conn))
open("zeek/ssl.log", "w").write("".join(ssl))
