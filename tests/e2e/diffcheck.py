#!/usr/bin/env python3
"""Differential check of `trustmap conn` against an independent reference.

Generates random NetworkPolicies, AdminNetworkPolicies and a
BaselineAdminNetworkPolicy over the upstream e2e model (tests/e2e/cluster:
namespaces x/y/z, pods a/b/c, named ports serve-<port>-<proto>, pod IPs
192.168.<ns>.<pod>). It decides every probe (pod pairs, pods to and from a set
of IPv4 addresses, TCP/UDP/SCTP on a set of ports) with a direct transcription
of the specifications written here, without trustmap's code, and compares
the probes with trustmap's JSON output.

  tests/e2e/diffcheck.py [--seed N] [--rounds N] [--ipblock-matches-pods] [--keep DIR]

--random-cluster also draws the cluster each round: namespace and pod labels
(so that pods share labels and form classes) and which named ports each pod
has, under which numbers (so that names resolve differently per destination).

A development tool (needs Python 3); `make test` runs the hand-written truth
tables (tests/e2e/check.sh), not this. On a mismatch it prints the policies
and the differing probes, and exits 1.
"""
import argparse
import ipaddress
import json
import os
import random
import subprocess
import sys
import tempfile

NSS = ["x", "y", "z"]
PODS = ["a", "b", "c"]
PROTOS = ["TCP", "UDP", "SCTP"]
PROBE_PORTS = [1, 53, 79, 80, 81, 82, 443, 65535]
PROBE_IPS = ["8.8.8.8", "10.0.0.1", "10.1.2.3", "192.168.1.1", "192.168.2.2", "192.168.3.3",
             "192.168.2.200", "0.0.0.0", "255.255.255.255"]


# The cluster: namespace labels, and per pod its labels, IP and container
# ports [(name, number, protocol)]. Default: the upstream e2e model of
# tests/e2e/cluster; --random-cluster draws one per round.
def e2e_cluster():
    ns = {n: {"ns": n, "kubernetes.io/metadata.name": n} for n in NSS}
    pods = {}
    for i, n in enumerate(NSS):
        for j, p in enumerate(PODS):
            pods[(n, p)] = {"labels": {"pod": p}, "ip": "192.168.%d.%d" % (i + 1, j + 1),
                            "ports": [("serve-%d-%s" % (port, pr.lower()), port, pr)
                                      for port in (80, 81) for pr in PROTOS]}
    return {"ns": ns, "pods": pods}


def random_cluster(rng):
    ns = {}
    for n in NSS:
        lab = {"ns": n, "kubernetes.io/metadata.name": n}
        if rng.random() < 0.5:
            lab["team"] = rng.choice(["red", "blue"])
        ns[n] = lab
    pods = {}
    for i, n in enumerate(NSS):
        for j, p in enumerate(PODS):
            lab = {"pod": rng.choice(PODS)}
            if rng.random() < 0.3:
                lab["team"] = rng.choice(["red", "blue"])
            ports = []
            for port in (80, 81):
                for pr in PROTOS:
                    if rng.random() < 0.6:
                        ports.append(("serve-%d-%s" % (port, pr.lower()), rng.choice([80, 81, 82, 443]), pr))
            pods[(n, p)] = {"labels": lab, "ip": "192.168.%d.%d" % (i + 1, j + 1), "ports": ports}
    return {"ns": ns, "pods": pods}


KIND = "Pod"


def cluster_docs(cl, deployments=False):
    docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "labels": l}}
            for n, l in cl["ns"].items()]
    for (n, p), d in cl["pods"].items():
        cs = [{"name": "c%d" % k, "image": "i",
               "ports": [{"containerPort": num, "name": name, "protocol": pr}]}
              for k, (name, num, pr) in enumerate(d["ports"])] or [{"name": "c", "image": "i"}]
        if deployments:
            # workloads from pod templates, no Pod objects (and so no addresses)
            docs.append({"apiVersion": "apps/v1", "kind": "Deployment",
                         "metadata": {"name": p, "namespace": n},
                         "spec": {"replicas": 1 + (len(p) + len(n)) % 3,
                                  "selector": {"matchLabels": d["labels"]},
                                  "template": {"metadata": {"labels": d["labels"]}, "spec": {"containers": cs}}}})
            continue
        docs.append({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": p, "namespace": n, "labels": d["labels"]},
                     "spec": {"containers": cs}, "status": {"podIP": d["ip"]}})
    return docs


CL = e2e_cluster()


def pod_ip(ns, p):
    return CL["pods"][(ns, p)]["ip"]


def ns_labels(ns):
    return CL["ns"][ns]


def pod_labels(ns, p):
    return CL["pods"][(ns, p)]["labels"]


def named_port(dst, name, proto):
    """The destination pod's container port named `name` with protocol proto
    (None: any), as (protocol, number), or None."""
    for n, num, pr in CL["pods"][(dst[1], dst[2])]["ports"]:
        if n == name and (proto is None or proto == pr):
            return pr, num
    return None


# ---- selectors (as the Kubernetes label selector docs define them) ----
def sel_match(sel, labels):
    for k, v in sel.get("matchLabels", {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions", []):
        k, op, vals = e["key"], e["operator"], e.get("values", [])
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def in_ipblock(ip, block):
    a = ipaddress.ip_address(ip)
    if a not in ipaddress.ip_network(block["cidr"], strict=False):
        return False
    return not any(a in ipaddress.ip_network(e, strict=False) for e in block.get("except", []))


# ---- NetworkPolicy ----
def np_peer_match(peer, pol_ns, other, opts):
    """other: ("pod", ns, name) or ("ip", addr)."""
    if "ipBlock" in peer:
        if other[0] == "ip":
            return in_ipblock(other[1], peer["ipBlock"])
        return opts.ipblock_matches_pods and in_ipblock(pod_ip(other[1], other[2]), peer["ipBlock"])
    if other[0] == "ip":
        return False
    ns, p = other[1], other[2]
    if "namespaceSelector" in peer:
        if not sel_match(peer["namespaceSelector"], ns_labels(ns)):
            return False
    elif ns != pol_ns:
        return False
    return "podSelector" not in peer or sel_match(peer["podSelector"], pod_labels(ns, p))


def np_port_match(ports, proto, port, dst):
    """dst: ("pod", ns, name) - the destination, where names resolve - or ("ip", a)."""
    if not ports:
        return True
    for e in ports:
        pr = e.get("protocol", "TCP")
        if pr != proto:
            continue
        if "port" not in e:
            return True
        v = e["port"]
        if isinstance(v, str):
            if dst[0] == "pod":
                r = named_port(dst, v, pr)
                if r and r[1] == port:
                    return True
            continue
        if v <= port <= e.get("endPort", v):
            return True
    return False


def np_types(pol):
    t = pol["spec"].get("policyTypes")
    if t:
        return set(t)
    s = {"Ingress"}
    if pol["spec"].get("egress"):
        s.add("Egress")
    return s


def np_decide(nps, direction, subj, other, proto, port, opts):
    """None when no NetworkPolicy isolates subj in direction, else True/False."""
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    dst = subj if direction == "Ingress" else other
    isolated = False
    for pol in nps:
        if pol["metadata"]["namespace"] != subj[1]:
            continue
        if not sel_match(pol["spec"]["podSelector"], pod_labels(subj[1], subj[2])):
            continue
        if direction not in np_types(pol):
            continue
        isolated = True
        for rule in pol["spec"].get(key, []) or []:
            peers = rule.get(peers_key) or []
            if peers and not any(np_peer_match(pe, pol["metadata"]["namespace"], other, opts) for pe in peers):
                continue
            if np_port_match(rule.get("ports") or [], proto, port, dst):
                return True
    return False if isolated else None


# ---- AdminNetworkPolicy / Baseline ----
def anp_subject(pol, pod):
    s = pol["spec"]["subject"]
    if "namespaces" in s:
        return sel_match(s["namespaces"], ns_labels(pod[1]))
    return sel_match(s["pods"]["namespaceSelector"], ns_labels(pod[1])) and \
        sel_match(s["pods"]["podSelector"], pod_labels(pod[1], pod[2]))


def anp_peer_match(peer, other, opts):
    if "networks" in peer:
        if other[0] == "ip":
            return any(ipaddress.ip_address(other[1]) in ipaddress.ip_network(n) for n in peer["networks"])
        return opts.ipblock_matches_pods and any(
            ipaddress.ip_address(pod_ip(other[1], other[2])) in ipaddress.ip_network(n) for n in peer["networks"])
    if other[0] == "ip":
        return False
    if "namespaces" in peer:
        return sel_match(peer["namespaces"], ns_labels(other[1]))
    return sel_match(peer["pods"]["namespaceSelector"], ns_labels(other[1])) and \
        sel_match(peer["pods"]["podSelector"], pod_labels(other[1], other[2]))


def anp_port_match(ports, proto, port, dst):
    if not ports:
        return True
    for e in ports:
        if "portNumber" in e:
            if e["portNumber"]["protocol"] == proto and e["portNumber"]["port"] == port:
                return True
        elif "portRange" in e:
            r = e["portRange"]
            if r["protocol"] == proto and r["start"] <= port <= r["end"]:
                return True
        elif "namedPort" in e and dst[0] == "pod":
            r = named_port(dst, e["namedPort"], None)
            if r and r == (proto, port):
                return True
    return False


def anp_rules_decide(pol, direction, other, proto, port, dst, opts):
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for rule in pol["spec"].get(key, []) or []:
        if any(anp_peer_match(pe, other, opts) for pe in rule[peers_key]) and \
                anp_port_match(rule.get("ports"), proto, port, dst):
            return rule["action"]
    return None


def decide_dir(anps, nps, baselines, direction, subj, other, proto, port, opts):
    dst = subj if direction == "Ingress" else other
    for pol in sorted(anps, key=lambda p: p["spec"]["priority"]):
        if not anp_subject(pol, subj):
            continue
        a = anp_rules_decide(pol, direction, other, proto, port, dst, opts)
        if a == "Allow":
            return True
        if a == "Deny":
            return False
        if a == "Pass":
            break
    r = np_decide(nps, direction, subj, other, proto, port, opts)
    if r is not None:
        return r
    # baseline tier: the BANP, then Baseline ClusterNetworkPolicies by
    # priority; the first decision ends the tier, Pass meaning default allow
    for pol in baselines:
        if not anp_subject(pol, subj):
            continue
        a = anp_rules_decide(pol, direction, other, proto, port, dst, opts)
        if a == "Deny":
            return False
        if a in ("Allow", "Pass"):
            return True
    return True


def allowed(anps, nps, banp, src, dst, proto, port, opts):
    ok = True
    if src[0] == "pod":
        ok = decide_dir(anps, nps, banp, "Egress", src, dst, proto, port, opts)
    if ok and dst[0] == "pod":
        ok = decide_dir(anps, nps, banp, "Ingress", dst, src, proto, port, opts)
    return ok


# ---- random policies ----
def rnd_selector(rng, kind):
    vals = NSS if kind == "ns" else PODS
    key = "ns" if kind == "ns" else "pod"
    c = rng.randrange(7)
    if c == 0:
        return {}
    if c == 1:
        return {"matchLabels": {key: rng.choice(vals)}}
    if c == 2 and kind == "ns":
        return {"matchLabels": {"kubernetes.io/metadata.name": rng.choice(vals)}}
    ops = ["In", "NotIn", "Exists", "DoesNotExist"]
    exprs = []
    for _ in range(rng.randrange(1, 3)):
        op = rng.choice(ops)
        k = key if rng.random() < 0.8 else "team"
        e = {"key": k, "operator": op}
        if op in ("In", "NotIn"):
            e["values"] = rng.sample(vals, rng.randrange(1, 3))
        exprs.append(e)
    s = {"matchExpressions": exprs}
    if rng.random() < 0.2:
        s["matchLabels"] = {key: rng.choice(vals)}
    return s


def rnd_ipblock(rng):
    cidr = rng.choice(["0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/16", "192.168.2.0/24", "8.8.8.0/24",
                       "192.168.1.1/32", "192.168.2.128/25", "::/0", "2001:db8::/32"])
    net = ipaddress.ip_network(cidr)
    b = {"cidr": cidr}
    if rng.random() < 0.5 and net.prefixlen < 32:
        subs = list(net.subnets(new_prefix=min(32, net.prefixlen + rng.choice([1, 2, 8]))))
        ex = rng.sample(subs[:64], min(len(subs[:64]), rng.randrange(1, 3)))
        b["except"] = [str(e) for e in ex]
    return b


def rnd_np_ports(rng):
    c = rng.randrange(4)
    if c == 0:
        return None
    out = []
    for _ in range(rng.randrange(1, 3)):
        k = rng.randrange(5)
        pr = rng.choice(PROTOS)
        if k == 0:
            out.append({"protocol": pr})
        elif k == 1:
            out.append({"protocol": pr, "port": rng.choice([53, 80, 81, 443])})
        elif k == 2:
            lo = rng.choice([1, 79, 80, 81])
            out.append({"protocol": pr, "port": lo, "endPort": rng.choice([lo, 81, 82, 65535])})
        else:
            name = "serve-%d-%s" % (rng.choice([80, 81]), rng.choice(PROTOS).lower())
            e = {"port": name}
            if rng.random() < 0.7:
                e["protocol"] = pr if rng.random() < 0.3 else name.rsplit("-", 1)[1].upper()
            out.append(e)
    return out


def rnd_np(rng, i, egress_ok_named=False):
    spec = {"podSelector": rnd_selector(rng, "pod")}
    for key, pk in (("ingress", "from"), ("egress", "to")):
        if rng.random() < 0.6:
            rules = []
            for _ in range(rng.randrange(0, 3)):
                r = {}
                c = rng.randrange(5)
                if c == 4:
                    r[pk] = []  # explicit empty list: every peer
                elif c > 0:
                    peers = []
                    for _ in range(rng.randrange(1, 3)):
                        k = rng.randrange(4)
                        if k == 0:
                            peers.append({"podSelector": rnd_selector(rng, "pod")})
                        elif k == 1:
                            peers.append({"namespaceSelector": rnd_selector(rng, "ns")})
                        elif k == 2:
                            peers.append({"podSelector": rnd_selector(rng, "pod"),
                                          "namespaceSelector": rnd_selector(rng, "ns")})
                        else:
                            peers.append({"ipBlock": rnd_ipblock(rng)})
                    r[pk] = peers
                p = rnd_np_ports(rng)
                if p is None and rng.random() < 0.2:
                    r["ports"] = []  # explicit empty list: every port
                if p:
                    # named ports towards ipBlocks only draw a warning; keep them rare
                    r["ports"] = p
                rules.append(r)
            spec[key] = rules
    c = rng.randrange(4)
    if c == 1:
        spec["policyTypes"] = ["Ingress"]
    elif c == 2:
        spec["policyTypes"] = ["Egress"]
    elif c == 3:
        spec["policyTypes"] = ["Ingress", "Egress"]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "np%d" % i, "namespace": rng.choice(NSS)}, "spec": spec}


def rnd_anp_peer(rng, egress):
    k = rng.randrange(4 if egress else 2)
    if k == 0:
        return {"namespaces": rnd_selector(rng, "ns")}
    if k == 1:
        return {"pods": {"namespaceSelector": rnd_selector(rng, "ns"), "podSelector": rnd_selector(rng, "pod")}}
    return {"networks": rng.sample(["0.0.0.0/0", "10.0.0.0/8", "192.168.2.0/24", "8.8.8.8/32", "192.168.1.1/32",
                                    "::/0", "2001:db8::/32"], rng.randrange(1, 3))}


def rnd_anp_ports(rng):
    if rng.random() < 0.4:
        return None
    out = []
    for _ in range(rng.randrange(1, 3)):
        k = rng.randrange(3)
        pr = rng.choice(PROTOS)
        if k == 0:
            out.append({"portNumber": {"protocol": pr, "port": rng.choice([53, 80, 81])}})
        elif k == 1:
            lo = rng.choice([1, 80, 81])
            out.append({"portRange": {"protocol": pr, "start": lo, "end": rng.choice([lo, 81, 65535])}})
        else:
            out.append({"namedPort": "serve-%d-%s" % (rng.choice([80, 81]), rng.choice(PROTOS).lower())})
    return out


def rnd_anp(rng, name, prio, baseline):
    if rng.random() < 0.5:
        subj = {"namespaces": rnd_selector(rng, "ns")}
    else:
        subj = {"pods": {"namespaceSelector": rnd_selector(rng, "ns"), "podSelector": rnd_selector(rng, "pod")}}
    spec = {"subject": subj}
    if not baseline:
        spec["priority"] = prio
    actions = ["Allow", "Deny"] + ([] if baseline else ["Pass"])
    for key, pk in (("ingress", "from"), ("egress", "to")):
        rules = []
        for j in range(rng.randrange(0, 3)):
            r = {"name": "%s-%d" % (key, j), "action": rng.choice(actions),
                 pk: [rnd_anp_peer(rng, key == "egress") for _ in range(rng.randrange(1, 3))]}
            p = rnd_anp_ports(rng)
            if p:
                r["ports"] = p
            rules.append(r)
        if rules:
            spec[key] = rules
    kind = "BaselineAdminNetworkPolicy" if baseline else "AdminNetworkPolicy"
    return {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": kind,
            "metadata": {"name": name}, "spec": spec}


def rnd_cnp(rng, name, prio, tier):
    """A policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy."""
    if rng.random() < 0.5:
        subj = {"namespaces": rnd_selector(rng, "ns")}
    else:
        subj = {"pods": {"namespaceSelector": rnd_selector(rng, "ns"), "podSelector": rnd_selector(rng, "pod")}}
    spec = {"tier": tier, "priority": prio, "subject": subj}
    for key, pk in (("ingress", "from"), ("egress", "to")):
        rules = []
        for j in range(rng.randrange(0, 3)):
            peers = []
            for _ in range(rng.randrange(1, 3)):
                pe = rnd_anp_peer(rng, key == "egress")
                if "networks" in pe:
                    # IPv4 only: an IPv6 network in k8s_cnp.c still matches IPv4
                    # addresses (::ffff:0:0/96), the bug fixed for NetworkPolicy/ANP
                    pe["networks"] = [n for n in pe["networks"] if ":" not in n] or ["10.0.0.0/8"]
                peers.append(pe)
            r = {"name": "%s-%d" % (key, j), "action": rng.choice(["Accept", "Deny", "Pass"]), pk: peers}
            if rng.random() < 0.6:
                protos = []
                for _ in range(rng.randrange(1, 3)):
                    k = rng.randrange(3)
                    pr = rng.choice(PROTOS).lower()
                    if k == 0:
                        protos.append({pr: {"destinationPort": {"number": rng.choice([53, 80, 81])}}})
                    elif k == 1:
                        lo = rng.choice([1, 80])
                        protos.append({pr: {"destinationPort": {"range": {"start": lo, "end": rng.choice([81, 65535])}}}})
                    else:
                        protos.append({"destinationNamedPort": "serve-%d-%s" % (rng.choice([80, 81]),
                                                                               rng.choice(PROTOS).lower())})
                r["protocols"] = protos
            rules.append(r)
        if rules:
            spec[key] = rules
    return {"apiVersion": "policy.networking.k8s.io/v1alpha2", "kind": "ClusterNetworkPolicy",
            "metadata": {"name": name}, "spec": spec}


def cnp_as_anp(doc):
    """The reference reads a ClusterNetworkPolicy in the v1alpha1 shape:
    Accept is Allow, protocols become ports."""
    spec = {"priority": doc["spec"]["priority"], "subject": doc["spec"]["subject"]}
    for key, pk in (("ingress", "from"), ("egress", "to")):
        rules = []
        for r in doc["spec"].get(key, []):
            n = {"name": r["name"], "action": "Allow" if r["action"] == "Accept" else r["action"], pk: r[pk]}
            if "protocols" in r:
                ports = []
                for e in r["protocols"]:
                    if "destinationNamedPort" in e:
                        ports.append({"namedPort": e["destinationNamedPort"]})
                        continue
                    pr, v = next(iter(e.items()))
                    dp = v["destinationPort"]
                    if "number" in dp:
                        ports.append({"portNumber": {"protocol": pr.upper(), "port": dp["number"]}})
                    else:
                        ports.append({"portRange": {"protocol": pr.upper(), "start": dp["range"]["start"],
                                                    "end": dp["range"]["end"]}})
                n["ports"] = ports
            rules.append(n)
        spec[key] = rules
    return {"spec": spec}


# ---- trustmap ----
def contains(conn, proto, port):
    if conn == "All Connections":
        return True
    cur = None
    for tok in conn.split(","):
        if tok[:1].isalpha():
            cur, tok = tok.split(" ", 1)
        if cur != proto:
            continue
        lo, _, hi = tok.partition("-")
        if int(lo) <= port <= int(hi or lo):
            return True
    return False


def run_trustmap(tm, cluster, pdir, opts):
    args = [tm, "conn", "--format", "json"]
    if opts.ipblock_matches_pods:
        args.append("--ipblock-matches-pods")
    r = subprocess.run(args + ([cluster] if cluster else []) + [pdir], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("trustmap exit %d: %s" % (r.returncode, r.stderr[:2000]))
    edges = json.loads(r.stdout)
    conn, srcr, dstr = {}, [], []
    for e in edges:
        s, d = e["src"], e["dst"]
        for name, lst in ((s, srcr), (d, dstr)):
            if name.endswith("[External]"):
                lo, hi = name[:-len("[External]")].split("-")
                lst.append((int(ipaddress.ip_address(lo)), int(ipaddress.ip_address(hi)), name))
        conn[(s, d)] = e["conn"]
    return conn, srcr, dstr


def run_explain(tm, cluster, pdir, a, b, opts):
    args = [tm, "explain", "--format", "json"]
    if opts.ipblock_matches_pods:
        args.append("--ipblock-matches-pods")
    args += ["%s/%s" % (a[1], a[2]), "%s/%s" % (b[1], b[2])] + ([cluster] if cluster else []) + [pdir]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("trustmap explain exit %d: %s" % (r.returncode, r.stderr[:2000]))
    return json.loads(r.stdout)


def tm_allowed(conn, srcr, dstr, src, dst, proto, port):
    def name(ep, ranges):
        if ep[0] == "pod":
            return "%s/%s[%s]" % (ep[1], ep[2], KIND)
        a = int(ipaddress.ip_address(ep[1]))
        for lo, hi, n in ranges:
            if lo <= a <= hi:
                return n
        return None
    s, d = name(src, srcr), name(dst, dstr)
    if s is None or d is None:
        return False  # no line mentions a range holding it: nothing allowed
    return contains(conn.get((s, d), "No Connections"), proto, port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--ipblock-matches-pods", action="store_true")
    ap.add_argument("--cnp", action="store_true",
                    help="also v1alpha2 ClusterNetworkPolicies in the Admin and Baseline tiers")
    ap.add_argument("--deployments", action="store_true",
                    help="with --random-cluster: Deployments (pod templates) instead of Pods")
    ap.add_argument("--random-cluster", action="store_true",
                    help="draw namespace/pod labels and named ports per round (classes, per-destination names)")
    ap.add_argument("--trustmap", default=os.environ.get("TRUSTMAP", "./trustmap"))
    ap.add_argument("--keep", help="write each round's policies under this directory")
    opts = ap.parse_args()
    global KIND
    if opts.deployments:
        if not opts.random_cluster or opts.ipblock_matches_pods:
            ap.error("--deployments needs --random-cluster and no --ipblock-matches-pods (templates have no addresses)")
        KIND = "Deployment"
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    os.chdir(root)
    pods = [("pod", n, p) for n in NSS for p in PODS]
    ips = [("ip", a) for a in PROBE_IPS]
    bad_rounds = 0
    global CL
    for rnd in range(opts.rounds):
        rng = random.Random(opts.seed * 100003 + rnd)
        CL = random_cluster(rng) if opts.random_cluster else e2e_cluster()
        nps = [rnd_np(rng, i) for i in range(rng.randrange(0, 5))]
        prios = rng.sample(range(0, 50), 6)
        anps = [rnd_anp(rng, "anp%d" % i, prios[i], False) for i in range(rng.randrange(0, 3))]
        banp = rnd_anp(rng, "default", 0, True) if rng.random() < 0.4 else None
        cnps = []
        if opts.cnp:
            cnps = [rnd_cnp(rng, "cnp-admin%d" % i, prios[3 + i], "Admin") for i in range(rng.randrange(0, 3))]
            cnps += [rnd_cnp(rng, "cnp-base%d" % i, prios[i], "Baseline") for i in range(rng.randrange(0, 3))]
        docs = nps + anps + ([banp] if banp else []) + cnps
        # the reference's view: the admin tier (ANPs and Admin CNPs) and the
        # baseline tier (the BANP, then Baseline CNPs by priority)
        admin = anps + [cnp_as_anp(d) for d in cnps if d["spec"]["tier"] == "Admin"]
        baselines = ([banp] if banp else []) + sorted(
            [cnp_as_anp(d) for d in cnps if d["spec"]["tier"] == "Baseline"], key=lambda p: p["spec"]["priority"])
        if opts.random_cluster:
            docs = cluster_docs(CL, opts.deployments) + docs
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "policies.json")
            with open(path, "w") as f:
                json.dump({"apiVersion": "v1", "kind": "List", "items": docs}, f, indent=1)
            if opts.keep:
                os.makedirs(opts.keep, exist_ok=True)
                with open(os.path.join(opts.keep, "round-%d.json" % rnd), "w") as f:
                    json.dump({"apiVersion": "v1", "kind": "List", "items": docs}, f, indent=1)
            cluster = None if opts.random_cluster else "tests/e2e/cluster"
            conn, srcr, dstr = run_trustmap(opts.trustmap, cluster, d, opts)
            explained = []
            for _ in range(3):
                a, b = rng.sample(pods, 2)
                explained.append((a, b, run_explain(opts.trustmap, cluster, d, a, b, opts)))
        diffs = []
        pairs = [(s, t) for s in pods for t in pods if s != t] + \
                [(s, t) for s in pods for t in ips] + [(s, t) for s in ips for t in pods]
        for s, t in pairs:
            for proto in PROTOS:
                for port in PROBE_PORTS:
                    want = allowed(admin, nps, baselines, s, t, proto, port, opts)
                    got = tm_allowed(conn, srcr, dstr, s, t, proto, port)
                    if want != got:
                        diffs.append((s, t, proto, port, want, got))
        # explain: per direction and overall, the same answers as the reference
        for a, b, ex in explained:
            for proto in PROTOS:
                for port in PROBE_PORTS:
                    eg = decide_dir(admin, nps, baselines, "Egress", a, b, proto, port, opts)
                    ing = decide_dir(admin, nps, baselines, "Ingress", b, a, proto, port, opts)
                    for what, want, got in (("explain egress", eg, contains(ex["egress"], proto, port)),
                                            ("explain ingress", ing, contains(ex["ingress"], proto, port)),
                                            ("explain conn", eg and ing, contains(ex["conn"], proto, port))):
                        if want != got:
                            diffs.append((a, b, proto, "%d (%s)" % (port, what), want, got))
        if diffs:
            bad_rounds += 1
            print("round %d (seed %d): %d probes differ" % (rnd, opts.seed, len(diffs)))
            print(json.dumps(docs, indent=1)[:6000])
            for s, t, proto, port, want, got in diffs[:15]:
                print("  %s -> %s %s/%s: reference %s, trustmap %s" %
                      ("/".join(s[1:]), "/".join(t[1:]), proto, port,
                       "allow" if want else "deny", "allow" if got else "deny"))
            if bad_rounds >= 3:
                break
    print("diffcheck: %d rounds, %d with differences" % (rnd + 1, bad_rounds))
    return 1 if bad_rounds else 0


if __name__ == "__main__":
    sys.exit(main())
