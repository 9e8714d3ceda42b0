#!/usr/bin/env python3
"""gen.py - a random corner-case cluster for the engine differential test.

usage: tests/engines/gen.py SEED OUTFILE

Deterministic per seed. Small (a few dozen workloads) but dense in the cases
where an engine can go wrong: named ports that resolve differently per pod
(or not at all), endPort ranges, ipBlocks with except lists that overlap and
nest, IPv6 blocks, empty selectors, matchExpressions of every operator,
namespaces without objects and namespaces named by no object, policies in
namespaces without pods, AdminNetworkPolicies with Allow/Deny/Pass at equal
and different priorities, a BaselineAdminNetworkPolicy, Services and
Ingresses (the ingress controller), Deployments with and without their Pods.
"""
import random
import sys

KEYS = ["app", "tier", "team", "env"]
VALS = ["a", "b", "c", ""]
NS_KEYS = ["team", "env", "zone"]
PORT_NAMES = ["http", "dns", "db", "metrics", "grpc"]
PROTOS = ["TCP", "UDP", "SCTP"]
V4 = ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25", "192.168.0.0/16",
      "192.168.5.0/24", "172.16.0.0/12", "203.0.113.0/24", "203.0.113.64/26", "198.51.100.7/32",
      "100.64.0.0/10", "10.1.2.0/23", "8.8.8.8/32"]
V6 = ["::/0", "2001:db8::/32", "2001:db8:1::/48", "2001:db8:1:2::/64", "fd00::/8", "fd00:1::/32"]


class G:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.out = []

    def pick(self, v):
        return self.r.choice(v)

    def labels(self, keys, n):
        d = {}
        for k in self.r.sample(keys, self.r.randint(0, n)):
            v = self.pick(VALS)
            if v:
                d[k] = v
        return d

    def flow(self, d):
        return "{" + ", ".join("%s: '%s'" % (k, v) for k, v in sorted(d.items())) + "}"

    def selector(self, keys, ind):
        r = self.r.random()
        if r < 0.25:
            return "{}"
        if r < 0.6:
            d = self.labels(keys, 2)
            return "{matchLabels: %s}" % self.flow(d) if d else "{}"
        exprs = []
        for _ in range(self.r.randint(1, 2)):
            op = self.pick(["In", "NotIn", "Exists", "DoesNotExist"])
            k = self.pick(keys)
            if op in ("In", "NotIn"):
                vals = sorted(set(self.pick(VALS[:3]) for _ in range(self.r.randint(1, 2))))
                exprs.append("{key: %s, operator: %s, values: [%s]}" % (k, op, ", ".join("'%s'" % v for v in vals)))
            else:
                exprs.append("{key: %s, operator: %s}" % (k, op))
        ml = ""
        if self.r.random() < 0.3:
            d = self.labels(keys, 1)
            if d:
                ml = "matchLabels: %s, " % self.flow(d)
        return "{%smatchExpressions: [%s]}" % (ml, ", ".join(exprs))

    def cidrs(self):
        v6 = self.r.random() < 0.2
        pool = V6 if v6 else V4
        c = self.pick(pool)
        # excepts: blocks strictly inside c, from the pool
        inside = [x for x in pool if x != c and inside_of(x, c)]
        exc = self.r.sample(inside, min(len(inside), self.r.randint(0, 2))) if inside and self.r.random() < 0.6 else []
        return c, exc

    def np_ports(self):
        if self.r.random() < 0.35:
            return ""
        lines = []
        for _ in range(self.r.randint(1, 3)):
            r = self.r.random()
            proto = self.pick(PROTOS + ["TCP", "TCP", None])
            pr = ", protocol: %s" % proto if proto else ""
            if r < 0.35:
                lines.append("{port: %s%s}" % (self.pick(PORT_NAMES), pr))
            elif r < 0.6:
                lo = self.pick([53, 80, 443, 5432, 8000, 8080, 9090])
                lines.append("{port: %d, endPort: %d%s}" % (lo, lo + self.pick([0, 1, 10, 100, 1000]), pr))
            elif r < 0.9:
                lines.append("{port: %d%s}" % (self.pick([53, 80, 81, 443, 5432, 8080, 9090, 9000]), pr))
            else:
                lines.append("{protocol: %s}" % (proto or "UDP"))
        return "    ports: [%s]\n" % ", ".join(lines)

    def np_peer(self):
        r = self.r.random()
        if r < 0.3:
            c, exc = self.cidrs()
            if exc:
                return "ipBlock: {cidr: '%s', except: [%s]}" % (c, ", ".join("'%s'" % x for x in exc))
            return "ipBlock: {cidr: '%s'}" % c
        if r < 0.55:
            return "podSelector: %s" % self.selector(KEYS, 0)
        if r < 0.75:
            return "namespaceSelector: %s" % self.selector(NS_KEYS + ["kubernetes.io/metadata.name"], 0)
        return "namespaceSelector: %s, podSelector: %s" % (self.selector(NS_KEYS, 0), self.selector(KEYS, 0))

    def np_rules(self, word):
        out = []
        for _ in range(self.r.randint(0, 3)):
            if self.r.random() < 0.15:
                out.append("  - {}\n")
                continue
            if self.r.random() < 0.9:
                peers = [self.np_peer() for _ in range(self.r.randint(1, 3))]
                s = "  - %s:\n" % word + "".join("    - {%s}\n" % p for p in peers) + self.np_ports()
            else:
                pp = self.np_ports()
                s = "  - " + pp.lstrip() if pp else "  - {}\n"
            out.append(s)
        return out

    def netpol(self, ns, i):
        types = self.pick([["Ingress"], ["Egress"], ["Ingress", "Egress"], None])
        s = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np%d, namespace: %s}\n"
             "spec:\n  podSelector: %s\n" % (i, ns, self.selector(KEYS, 0)))
        if types:
            s += "  policyTypes: [%s]\n" % ", ".join(types)
        ing = self.np_rules("from")
        eg = self.np_rules("to")
        if ing or self.r.random() < 0.5:
            s += "  ingress:\n" + "".join(ing) if ing else "  ingress: []\n"
        if eg or self.r.random() < 0.5:
            s += "  egress:\n" + "".join(eg) if eg else "  egress: []\n"
        self.out.append(s + "---\n")

    def anp_peer(self, egress):
        r = self.r.random()
        if egress and r < 0.3:
            nets = []
            for _ in range(self.r.randint(1, 2)):
                nets.append("'%s'" % self.pick(V4 + V6[:3]))
            return "networks: [%s]" % ", ".join(sorted(set(nets)))
        if r < 0.65:
            return "namespaces: %s" % self.selector(NS_KEYS + ["kubernetes.io/metadata.name"], 0)
        return "pods: {namespaceSelector: %s, podSelector: %s}" % (self.selector(NS_KEYS, 0), self.selector(KEYS, 0))

    def anp_ports(self):
        if self.r.random() < 0.4:
            return ""
        lines = []
        for _ in range(self.r.randint(1, 2)):
            r = self.r.random()
            if r < 0.35:
                lines.append("{portNumber: {protocol: %s, port: %d}}" % (self.pick(PROTOS), self.pick([53, 80, 443, 8080])))
            elif r < 0.7:
                lines.append("{namedPort: %s}" % self.pick(PORT_NAMES))
            else:
                lo = self.pick([80, 1000, 8000])
                lines.append("{portRange: {protocol: %s, start: %d, end: %d}}" % (self.pick(PROTOS), lo, lo + self.pick([0, 5, 1000])))
        return "    ports: [%s]\n" % ", ".join(lines)

    def anp(self, i, baseline, prios):
        kind = "BaselineAdminNetworkPolicy" if baseline else "AdminNetworkPolicy"
        name = "default" if baseline else "anp%d" % i
        s = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: %s\nmetadata: {name: %s}\nspec:\n" % (kind, name)
        if not baseline:
            p = self.pick(prios)
            prios.remove(p)
            s += "  priority: %d\n" % p
        if self.r.random() < 0.5:
            s += "  subject:\n    namespaces: %s\n" % self.selector(NS_KEYS, 0)
        else:
            s += "  subject:\n    pods: {namespaceSelector: %s, podSelector: %s}\n" % (self.selector(NS_KEYS, 0),
                                                                                     self.selector(KEYS, 0))
        actions = ["Allow", "Deny"] if baseline else ["Allow", "Deny", "Pass"]
        for word, key in (("from", "ingress"), ("to", "egress")):
            n = self.r.randint(0, 3)
            if not n:
                continue
            s += "  %s:\n" % key
            for j in range(n):
                peers = [self.anp_peer(key == "egress") for _ in range(self.r.randint(1, 2))]
                s += "  - name: r%d\n    action: %s\n    %s:\n" % (j, self.pick(actions), word)
                s += "".join("    - {%s}\n" % p for p in peers)
                s += self.anp_ports()
        self.out.append(s + "---\n")

    def cluster(self):
        r = self.r
        nns = r.randint(2, 5)
        names = ["ns%d" % i for i in range(nns)]
        declared = [n for n in names if r.random() < 0.85]
        for n in declared + ["empty-ns"]:
            lab = self.labels(NS_KEYS, 3)
            s = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n" % n
            if lab:
                s += "  labels: %s\n" % self.flow(lab)
            self.out.append(s + "---\n")
        nw = 0
        exposed = []
        for ns in names:
            for w in range(r.randint(1, 6)):
                lab = self.labels(KEYS, 3)
                lab["app"] = lab.get("app", "w%d" % nw)
                ports = []
                for pn in r.sample(PORT_NAMES, r.randint(0, 3)):
                    ports.append((pn, self.pick([53, 80, 443, 5432, 8080, 9090, 9000]), self.pick(PROTOS + ["TCP"] * 3)))
                name = "w%d" % nw
                nw += 1
                kind = self.pick(["Deployment", "Deployment", "StatefulSet", "Pod"])
                cports = "".join("        - {name: %s, containerPort: %d, protocol: %s}\n" % p for p in ports)
                if kind == "Pod":
                    s = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: %s\n  labels: %s\nspec:\n"
                         "  containers:\n  - name: c\n    image: x\n" % (name, ns, self.flow(lab)))
                    if ports:
                        s += "    ports:\n" + cports.replace("        ", "    ")
                    s += "status:\n  podIP: 10.1.2.%d\n" % (nw % 250 + 1)
                else:
                    s = ("apiVersion: apps/v1\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n"
                         "  replicas: %d\n  selector:\n    matchLabels: {app: '%s'}\n  template:\n    metadata:\n"
                         "      labels: %s\n    spec:\n      containers:\n      - name: c\n        image: x\n"
                         % (kind, name, ns, r.randint(1, 3), lab["app"], self.flow(lab)))
                    if ports:
                        s += "        ports:\n" + cports
                self.out.append(s + "---\n")
                if ports and r.random() < 0.3:
                    sp = ports[0]
                    self.out.append("apiVersion: v1\nkind: Service\nmetadata: {name: svc-%s, namespace: %s}\n"
                                    "spec:\n  selector: {app: '%s'}\n  ports:\n  - {name: %s, port: %d, targetPort: %s, protocol: %s}\n---\n"
                                    % (name, ns, lab["app"], sp[0], 1000 + nw, sp[0] if r.random() < 0.5 else sp[1], sp[2]))
                    if r.random() < 0.6:
                        exposed.append((ns, "svc-%s" % name, 1000 + nw))
        for ns, svc, port in exposed:
            self.out.append("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: ing-%s, namespace: %s}\n"
                            "spec:\n  rules:\n  - http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
                            "        backend:\n          service:\n            name: %s\n            port: {number: %d}\n---\n"
                            % (svc, ns, svc, port if r.random() < 0.7 else port + 1))
        npol = 0
        for ns in names + ["empty-ns", "ghost-ns"]:
            for _ in range(r.randint(0, 4)):
                self.netpol(ns, npol)
                npol += 1
        prios = list(range(1, 20))
        for i in range(r.randint(0, 3)):
            self.anp(i, False, prios)
        if r.random() < 0.6:
            self.anp(0, True, prios)


def inside_of(a, b):
    import ipaddress
    x, y = ipaddress.ip_network(a), ipaddress.ip_network(b)
    return x.version == y.version and x != y and x.subnet_of(y)


def main():
    seed, path = int(sys.argv[1]), sys.argv[2]
    g = G(seed)
    g.cluster()
    with open(path, "w") as f:
        f.write("".join(g.out))


if __name__ == "__main__":
    main()
