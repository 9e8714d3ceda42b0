#!/usr/bin/env python3
"""gen_cluster.py - write a synthetic but realistic cluster as YAML manifests.

usage: bench/gen_cluster.py --pods N [--seed S] [--shape default|ipheavy|mesh] [--one-file] OUTDIR

The cluster has N/100 application namespaces (labels team, env, tier,
compliance) of about 100 pods each, plus kube-system, monitoring and
ingress-nginx. Each namespace holds Deployments and StatefulSets (the
workloads, with replicas) AND their Pod objects as `kubectl get pods -o yaml`
prints them: ownerReferences to a ReplicaSet (Deployments) or to the
StatefulSet, pod-template-hash labels, named container ports, nodeName,
status.podIP(s). Services select the workloads; some frontends are exposed by
an Ingress. Each namespace has 10 NetworkPolicies (default-deny, DNS egress,
tier rules with podSelector/namespaceSelector/matchExpressions, ipBlocks with
except, named ports, endPort ranges). The cluster also has three
AdminNetworkPolicies and a BaselineAdminNetworkPolicy.

Output: OUTDIR/00-cluster.yaml (namespaces, system workloads, ANPs) and one
file per application namespace (ns-NNNN.yaml). Deterministic: the same
--pods and --seed give byte-identical files. Bench input only: never
committed (the bench writes it under build/bench/).

--shape ipheavy: the same cluster, but the policies carry thousands of
distinct IP ranges, as clusters with partner networks and egress
allow-lists do: every frontend admits a few partner networks (drawn from a
pool of about 3 per namespace, 3,000 at 1,000 namespaces, each
with an `except`), and the backends' egress allow-list names ranges of a
pool of about N/1,000 (allow-lists with excepts) instead of the two shared
partners. --one-file writes everything into OUTDIR/cluster.yaml.

--shape mesh: the default cluster (the same workloads, pods and
NetworkPolicies: the mesh objects draw from a second random stream, so the
first is untouched) inside an Istio and Linkerd service mesh. Of every ten
namespaces eight are labelled istio-injection=enabled, one
istio.io/dataplane-mode=ambient and one annotated linkerd.io/inject=enabled;
istio-system holds istiod, the ztunnel DaemonSet and the mesh-wide
PeerAuthentication (STRICT), linkerd the control plane. About one
PeerAuthentication per 10 namespaces (namespace PERMISSIVE, workload-level
with portLevelMtls PERMISSIVE or DISABLE), a DestinationRule per 8 workloads
(ISTIO_MUTUAL, half with version subsets, a third with portLevelSettings,
some DISABLE), an AuthorizationPolicy per 5 workloads (ALLOW by principals and
namespaces, one in four DENY), a VirtualService over subsets in one
namespace of 10, one workload of 25 opted out of injection; in the Linkerd
namespaces a Server per 5 workloads, each with an AuthorizationPolicy that
requires the namespace's MeshTLSAuthentication (or, one in four, a
NetworkAuthentication of the cluster's pod range).
"""
import argparse
import os
import random
import sys

TEAMS = ["payments", "search", "catalog", "checkout", "identity", "ads", "media", "growth",
         "billing", "ml", "infra", "mobile", "partners", "risk", "support", "data"]
ENVS = ["prod", "prod", "staging", "dev"]
TIERS = ["frontend", "backend", "data"]
COMPLIANCE = ["none", "none", "pci", "hipaa", "sox"]
APPS = ["api", "web", "worker", "cache", "db", "queue", "auth", "gateway", "indexer", "render",
        "notifier", "scheduler", "reports", "ledger", "profile", "session", "upload", "feed",
        "pricing", "inventory", "shipping", "tax", "audit", "export", "import"]
# A shared pool of external partner ranges: a real cluster talks to a few
# dozen external CIDRs, not one per namespace.
PARTNERS = ["203.0.113.%d/28" % (16 * i) for i in range(8)] + \
           ["198.51.100.%d/27" % (32 * i) for i in range(4)] + \
           ["192.0.2.0/24", "100.64.0.0/10", "52.94.0.0/16", "35.190.0.0/17"]
HEX = "0123456789abcdef"
ALNUM = "bcdfghjklmnpqrstvwxz2456789"


def rid(rng, n, alphabet=ALNUM):
    return "".join(rng.choice(alphabet) for _ in range(n))


def labels_flow(d):
    return "{" + ", ".join("%s: %s" % (k, v) for k, v in d.items()) + "}"


def ip_pool(rng, n, first_octets):
    """n distinct CIDRs (/20 to /29) in the given /8s, some nested in others."""
    seen, out = set(), []
    while len(out) < n:
        a = rng.choice(first_octets)
        plen = rng.choice([20, 22, 24, 24, 26, 27, 28, 29])
        v = (a << 24) | (rng.randrange(1 << 24) & ~((1 << (32 - plen)) - 1) & 0xffffff)
        c = "%d.%d.%d.%d/%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255, plen)
        if c in seen:
            continue
        seen.add(c)
        # an except: one sub-block of the range (none for the smallest)
        exc = None
        if plen <= 28:
            sub = plen + rng.choice([2, 3, 4])
            sub = min(sub, 32)
            off = rng.randrange(1 << (sub - plen)) << (32 - sub)
            w = v | off
            exc = "%d.%d.%d.%d/%d" % (w >> 24, (w >> 16) & 255, (w >> 8) & 255, w & 255, sub)
        out.append((c, exc))
    return out


def mesh_mode(i):
    """the mesh of application namespace i (--shape mesh): of every ten, eight
    Istio sidecar, one ambient, one Linkerd"""
    return "linkerd" if i % 10 == 9 else "ambient" if i % 10 == 4 else "sidecar"


MESH_NS = {"sidecar": ({"istio-injection": "enabled"}, None),
           "ambient": ({"istio.io/dataplane-mode": "ambient"}, None),
           "linkerd": ({}, {"linkerd.io/inject": "enabled"})}


class Gen:
    def __init__(self, pods, seed, shape="default"):
        self.shape = shape
        self.rng = random.Random(seed)
        self.target_pods = pods
        self.nns = max(1, pods // 100)
        self.ip = 0
        self.uid = 0
        self.npods = 0
        self.npolicies = 0
        self.nmesh = 0
        # the mesh objects' own stream: the cluster under them is the default one
        self.mrng = random.Random(seed + 2)
        if shape == "ipheavy":
            prng = random.Random(seed + 1)
            self.src_pool = ip_pool(prng, 3 * self.nns, [23, 31, 45, 62, 77, 81, 91, 104, 128, 146, 185, 193])
            self.dst_pool = ip_pool(prng, max(8, pods // 1000), [13, 20, 34, 40, 52, 54, 99, 151])

    def next_ip(self):
        self.ip += 1
        n = self.ip
        return "10.%d.%d.%d" % (64 + (n >> 16) % 64, (n >> 8) & 255, n & 255)

    def next_uid(self):
        self.uid += 1
        return "%08x-0000-4000-8000-%012x" % (self.uid, self.uid * 7919)

    # ---- objects ----
    def namespace(self, out, name, labels, annotations=None):
        out.append("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n" % name)
        for k, v in labels.items():
            out.append("    %s: %s\n" % (k, v))
        if annotations:
            out.append("  annotations:\n")
            for k, v in annotations.items():
                out.append("    %s: %s\n" % (k, v))
        out.append("---\n")

    def workload(self, out, kind, ns, name, labels, replicas, ports, sa):
        out.append("apiVersion: apps/v1\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\n"
                   "  labels: %s\nspec:\n  replicas: %d\n" % (kind, name, ns, labels_flow(labels), replicas))
        if kind == "StatefulSet":
            out.append("  serviceName: %s\n" % name)
        out.append("  selector:\n    matchLabels: {app: %s}\n  template:\n    metadata:\n"
                   "      labels: %s\n    spec:\n      serviceAccountName: %s\n      containers:\n"
                   "      - name: %s\n        image: registry.example.com/%s:1.%d.0\n        ports:\n"
                   % (labels["app"], labels_flow(labels), sa, labels["app"], labels["app"], self.rng.randrange(30)))
        for pn, pp, proto in ports:
            out.append("        - {name: %s, containerPort: %d, protocol: %s}\n" % (pn, pp, proto))
        out.append("---\n")

    def pod(self, out, ns, name, labels, owner_kind, owner_name, ports, sa, node):
        ip = self.next_ip()
        out.append("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: %s\n  uid: %s\n"
                   "  labels:\n" % (name, ns, self.next_uid()))
        for k, v in labels.items():
            out.append("    %s: %s\n" % (k, v))
        out.append("  ownerReferences:\n  - apiVersion: apps/v1\n    kind: %s\n    name: %s\n"
                   "    uid: %s\n    controller: true\n    blockOwnerDeletion: true\n"
                   % (owner_kind, owner_name, self.next_uid()))
        out.append("spec:\n  nodeName: %s\n  serviceAccountName: %s\n  containers:\n  - name: %s\n"
                   "    image: registry.example.com/%s:1.0.0\n    ports:\n"
                   % (node, sa, labels["app"], labels["app"]))
        for pn, pp, proto in ports:
            out.append("    - name: %s\n      containerPort: %d\n      protocol: %s\n" % (pn, pp, proto))
        out.append("    resources:\n      requests: {cpu: 100m, memory: 128Mi}\n"
                   "status:\n  phase: Running\n  hostIP: 10.0.%d.%d\n  podIP: %s\n  podIPs:\n  - ip: %s\n---\n"
                   % (int(node[-4:]) // 250, int(node[-4:]) % 250 + 1, ip, ip))
        self.npods += 1

    def service(self, out, ns, name, app, ports):
        out.append("apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n"
                   "  type: ClusterIP\n  selector: {app: %s}\n  ports:\n" % (name, ns, app))
        for pn, pp, proto in ports:
            out.append("  - {name: %s, port: %d, targetPort: %s, protocol: %s}\n" % (pn, pp, pn, proto))
        out.append("---\n")

    def netpol(self, out, ns, name, body):
        out.append("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: %s\n"
                   "  namespace: %s\nspec:\n%s---\n" % (name, ns, body))
        self.npolicies += 1

    # ---- the cluster ----
    def system(self, out):
        self.namespace(out, "kube-system", {"kubernetes.io/metadata.name": "kube-system", "tier": "system"})
        self.namespace(out, "monitoring", {"kubernetes.io/metadata.name": "monitoring", "tier": "system",
                                           "team": "infra"})
        self.namespace(out, "ingress-nginx", {"kubernetes.io/metadata.name": "ingress-nginx", "tier": "system"})
        dns = [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")]
        self.workload(out, "Deployment", "kube-system", "coredns", {"app": "coredns", "k8s-app": "kube-dns"},
                      2, dns, "coredns")
        self.service(out, "kube-system", "kube-dns", "coredns", dns)
        prom = [("web", 9090, "TCP")]
        self.workload(out, "StatefulSet", "monitoring", "prometheus", {"app": "prometheus"}, 2, prom, "prometheus")
        ing = [("http", 80, "TCP"), ("https", 443, "TCP")]
        self.workload(out, "Deployment", "ingress-nginx", "controller", {"app": "ingress-nginx"}, 3, ing,
                      "ingress-nginx")
        # AdminNetworkPolicies
        out.append("""apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pci-isolation}
spec:
  priority: 10
  subject:
    namespaces:
      matchLabels: {compliance: pci}
  ingress:
  - name: deny-from-dev
    action: Deny
    from:
    - namespaces:
        matchLabels: {env: dev}
  - name: allow-monitoring
    action: Allow
    from:
    - namespaces:
        matchLabels: {kubernetes.io/metadata.name: monitoring}
    ports:
    - portNumber: {protocol: TCP, port: 9090}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: block-metadata-api}
spec:
  priority: 20
  subject:
    namespaces: {}
  egress:
  - name: deny-cloud-metadata
    action: Deny
    to:
    - networks: [169.254.169.254/32]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass-to-dns}
spec:
  priority: 30
  subject:
    pods:
      namespaceSelector:
        matchExpressions:
        - {key: tier, operator: NotIn, values: [system]}
      podSelector: {}
  egress:
  - name: pass-dns
    action: Pass
    to:
    - pods:
        namespaceSelector:
          matchLabels: {kubernetes.io/metadata.name: kube-system}
        podSelector:
          matchLabels: {k8s-app: kube-dns}
    ports:
    - namedPort: dns
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject:
    namespaces:
      matchLabels: {tier: system}
  ingress:
  - name: deny-from-dev
    action: Deny
    from:
    - namespaces:
        matchLabels: {env: dev}
---
""")

    def app_namespace(self, out, i, nsmeta):
        rng = self.rng
        ns, team, env, tier, comp = nsmeta[i]
        nodes = max(3, self.target_pods // 30)
        budget = 100
        wls = []
        k = 0
        while budget > 0:
            app = APPS[k % len(APPS)] + ("" if k < len(APPS) else "-%d" % (k // len(APPS)))
            replicas = min(budget, rng.choice([1, 2, 3, 3, 4, 4, 6, 8]))
            budget -= replicas
            wtier = TIERS[k % 3] if tier == "mixed" else tier
            kind = "StatefulSet" if wtier == "data" and rng.random() < 0.5 else "Deployment"
            ports = [("http", rng.choice([8080, 8080, 8000, 3000]), "TCP"), ("metrics", 9090, "TCP")]
            if rng.random() < 0.3:
                ports.append(("grpc", 9000 + rng.randrange(10), "TCP"))
            if wtier == "data":
                ports = [("db", rng.choice([5432, 3306, 6379, 27017]), "TCP"), ("metrics", 9090, "TCP")]
            labels = {"app": app, "team": team, "tier": wtier, "version": "v%d" % rng.randrange(1, 4)}
            wls.append((kind, app, labels, replicas, ports))
            k += 1
        if self.shape == "mesh" and mesh_mode(i) == "sidecar":
            for w in wls:
                if self.mrng.random() < 0.04:
                    w[2]["sidecar.istio.io/inject"] = '"false"'
        for kind, app, labels, replicas, ports in wls:
            self.workload(out, kind, ns, app, labels, replicas, ports, app)
            self.service(out, ns, app, app, [p for p in ports if p[0] != "metrics"])
            if kind == "Deployment":
                h = rid(rng, 10)
                rs = "%s-%s" % (app, h)
                for _ in range(replicas):
                    pl = dict(labels)
                    pl["pod-template-hash"] = h
                    self.pod(out, ns, "%s-%s" % (rs, rid(rng, 5)), pl, "ReplicaSet", rs, ports, app,
                             "node-%04d" % rng.randrange(nodes))
            else:
                rev = "%s-%s" % (app, rid(rng, 10))
                for r in range(replicas):
                    pl = dict(labels)
                    pl["controller-revision-hash"] = rev
                    pl["statefulset.kubernetes.io/pod-name"] = "%s-%d" % (app, r)
                    self.pod(out, ns, "%s-%d" % (app, r), pl, "StatefulSet", app, ports, app,
                             "node-%04d" % rng.randrange(nodes))
        fronts = [w for w in wls if w[2]["tier"] == "frontend"]
        if fronts:
            f = fronts[0]
            out.append("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: %s\n"
                       "  namespace: %s\nspec:\n  rules:\n  - host: %s.%s.example.com\n    http:\n"
                       "      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n"
                       "          service:\n            name: %s\n            port: {name: http}\n---\n"
                       % (f[1], ns, f[1], ns, f[1]))
        self.policies(out, i, nsmeta, wls)
        if self.shape == "mesh":
            self.mesh_objects(out, i, nsmeta, wls)

    # ---- the service mesh (--shape mesh) ----
    def mesh_obj(self, out, api, kind, ns, name, spec):
        out.append("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n%s---\n"
                   % (api, kind, name, ns, spec))
        self.nmesh += 1

    def mesh_system(self, out):
        """istiod, ztunnel and the mesh-wide PeerAuthentication; Linkerd's control plane.
        Written by hand: workload() would draw from the cluster's stream."""
        self.namespace(out, "istio-system", {"kubernetes.io/metadata.name": "istio-system", "tier": "system"})
        self.namespace(out, "linkerd", {"kubernetes.io/metadata.name": "linkerd", "tier": "system",
                                        "linkerd.io/is-control-plane": '"true"'})
        for ns, name, kind, image, port in [("istio-system", "istiod", "Deployment", "istio/pilot", 15012),
                                            ("istio-system", "ztunnel", "DaemonSet", "istio/ztunnel", 15008),
                                            ("linkerd", "linkerd-destination", "Deployment",
                                             "cr.l5d.io/linkerd/controller", 8086),
                                            ("linkerd", "linkerd-identity", "Deployment",
                                             "cr.l5d.io/linkerd/controller", 8080)]:
            out.append("apiVersion: apps/v1\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n"
                       "%s  selector:\n    matchLabels: {app: %s}\n  template:\n    metadata:\n"
                       "      labels: {app: %s}\n    spec:\n%s      serviceAccountName: %s\n"
                       "      containers:\n      - name: %s\n        image: %s:1.24.0\n"
                       "        ports:\n        - {name: grpc, containerPort: %d, protocol: TCP}\n---\n"
                       % (kind, name, ns, "" if kind == "DaemonSet" else "  replicas: 2\n", name, name,
                          "      hostNetwork: true\n" if name == "ztunnel" else "", name, name, image, port))
        self.mesh_obj(out, "security.istio.io/v1", "PeerAuthentication", "istio-system", "default",
                      "  mtls: {mode: STRICT}\n")

    def mesh_objects(self, out, i, nsmeta, wls):
        rng = self.mrng
        ns, team, env, tier, comp = nsmeta[i]
        mode = mesh_mode(i)
        peers = [m[0] for m in nsmeta if m[1] == team and m[0] != ns]
        fronts = [w for w in wls if w[2]["tier"] == "frontend"]
        if mode == "linkerd":
            self.linkerd_objects(out, i, ns, wls, fronts)
            return
        sec, net = "security.istio.io/v1", "networking.istio.io/v1"
        # about one PeerAuthentication per 10 namespaces beside the mesh-wide one
        if i % 20 == 2:
            self.mesh_obj(out, sec, "PeerAuthentication", ns, "default", "  mtls: {mode: PERMISSIVE}\n")
        elif i % 40 == 7 or i % 40 == 27:
            w = wls[rng.randrange(len(wls))]
            if i % 40 == 7:
                lvl = "    9090: {mode: PERMISSIVE}\n"
            else:
                lvl = "    %d: {mode: DISABLE}\n" % w[4][0][1]
            self.mesh_obj(out, sec, "PeerAuthentication", ns, "%s-ports" % w[1],
                          "  selector:\n    matchLabels: {app: %s}\n  mtls: {mode: STRICT}\n"
                          "  portLevelMtls:\n%s" % (w[1], lvl))
        # DestinationRules: one per 8 workloads
        subset_hosts = []
        for k, (kind, app, labels, replicas, ports) in enumerate(wls):
            if k % 8 != 1:
                continue
            host = "%s.%s.svc.cluster.local" % (app, ns)
            tls = "DISABLE" if rng.random() < 0.1 else "ISTIO_MUTUAL"
            spec = "  host: %s\n  trafficPolicy:\n    tls: {mode: %s}\n" % (host, tls)
            if k % 24 == 9:
                spec += ("    portLevelSettings:\n    - port: {number: %d}\n      loadBalancer: {simple: LEAST_REQUEST}\n"
                         "      tls: {mode: %s}\n" % (ports[0][1], "DISABLE" if i % 10 == 6 else "ISTIO_MUTUAL"))
            if k % 16 == 1:
                spec += "  subsets:\n"
                for v in ("v1", "v2"):
                    spec += "  - name: %s\n    labels: {version: %s}\n" % (v, v)
                spec += "    trafficPolicy:\n      tls: {mode: ISTIO_MUTUAL}\n"
                subset_hosts.append(host)
            self.mesh_obj(out, net, "DestinationRule", ns, app, spec)
        # a few VirtualServices over those subsets
        if i % 10 == 1 and subset_hosts:
            host = subset_hosts[0]
            self.mesh_obj(out, net, "VirtualService", ns, host.split(".")[0],
                          "  hosts: [%s]\n  http:\n  - route:\n    - destination: {host: %s, subset: v1}\n"
                          "      weight: 90\n    - destination: {host: %s, subset: v2}\n      weight: 10\n"
                          % (host, host, host))
        # AuthorizationPolicies: one per 5 workloads, one in four DENY
        nap = 0
        for k, (kind, app, labels, replicas, ports) in enumerate(wls):
            if k % 5 != 2:
                continue
            nap += 1
            if nap % 4 == 0:
                other = nsmeta[rng.randrange(len(nsmeta))][0]
                self.mesh_obj(out, sec, "AuthorizationPolicy", ns, "%s-deny" % app,
                              "  selector:\n    matchLabels: {app: %s}\n  action: DENY\n  rules:\n"
                              "  - from:\n    - source:\n        namespaces: [%s]\n    to:\n"
                              "    - operation:\n        ports: [\"9090\"]\n" % (app, other))
                continue
            principals = ["cluster.local/ns/%s/sa/%s" % (ns, f[1]) for f in fronts[:3]]
            principals.append("cluster.local/ns/ingress-nginx/sa/ingress-nginx")
            srcns = [ns] + peers[:2]
            self.mesh_obj(out, sec, "AuthorizationPolicy", ns, "%s-callers" % app,
                          "  selector:\n    matchLabels: {app: %s}\n  action: ALLOW\n  rules:\n"
                          "  - from:\n    - source:\n        principals: [%s]\n    to:\n"
                          "    - operation:\n        ports: [\"%d\"]\n"
                          "  - from:\n    - source:\n        namespaces: [%s]\n"
                          "  - from:\n    - source:\n        principals: [cluster.local/ns/monitoring/sa/prometheus]\n"
                          "    to:\n    - operation:\n        ports: [\"9090\"]\n"
                          % (app, ", ".join('"%s"' % p for p in principals), ports[0][1], ", ".join(srcns)))

    def linkerd_objects(self, out, i, ns, wls, fronts):
        pol = "policy.linkerd.io"
        ids = "".join("  - {kind: ServiceAccount, name: %s}\n" % f[1] for f in fronts[:3])
        ids += "  - {kind: ServiceAccount, name: ingress-nginx, namespace: ingress-nginx}\n"
        self.mesh_obj(out, pol + "/v1alpha1", "MeshTLSAuthentication", ns, "callers", "  identityRefs:\n" + ids)
        self.mesh_obj(out, pol + "/v1alpha1", "NetworkAuthentication", ns, "pod-network",
                      "  networks:\n  - cidr: 10.64.0.0/10\n")
        n = 0
        for k, (kind, app, labels, replicas, ports) in enumerate(wls):
            if k % 5 != 2:
                continue
            n += 1
            self.mesh_obj(out, pol + "/v1beta3", "Server", ns, "%s-%s" % (app, ports[0][0]),
                          "  podSelector:\n    matchLabels: {app: %s}\n  port: %s\n  proxyProtocol: %s\n"
                          % (app, ports[0][0], "HTTP/2" if ports[0][0] == "http" else "opaque"))
            auth = ("MeshTLSAuthentication", "callers") if n % 4 else ("NetworkAuthentication", "pod-network")
            self.mesh_obj(out, pol + "/v1alpha1", "AuthorizationPolicy", ns, "%s-authz" % app,
                          "  targetRef:\n    group: %s\n    kind: Server\n    name: %s-%s\n"
                          "  requiredAuthenticationRefs:\n  - group: %s\n    kind: %s\n    name: %s\n"
                          % (pol, app, ports[0][0], pol, auth[0], auth[1]))

    def policies(self, out, i, nsmeta, wls):
        rng = self.rng
        ns, team, env, tier, comp = nsmeta[i]
        peer_ns = [m for m in nsmeta if m[1] == team and m[0] != ns]
        self.netpol(out, ns, "default-deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n")
        self.netpol(out, ns, "allow-dns", """  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: kube-system}
      podSelector:
        matchLabels: {k8s-app: kube-dns}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
""")
        self.netpol(out, ns, "allow-prometheus", """  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: monitoring}
      podSelector:
        matchLabels: {app: prometheus}
    ports:
    - {port: metrics}
""")
        partner_in = ""
        if self.shape == "ipheavy":
            nets = rng.sample(self.src_pool, 3)
            for c, exc in nets:
                if exc:
                    partner_in += "    - ipBlock: {cidr: %s, except: [%s]}\n" % (c, exc)
                else:
                    partner_in += "    - ipBlock: {cidr: %s}\n" % c
        self.netpol(out, ns, "frontend-from-ingress", """  podSelector:
    matchLabels: {tier: frontend}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: ingress-nginx}
%s    ports:
    - {port: http}
""" % partner_in)
        self.netpol(out, ns, "backend-from-frontend", """  podSelector:
    matchExpressions:
    - {key: tier, operator: In, values: [backend]}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchLabels: {tier: frontend}
    ports:
    - {port: http}
    - {port: grpc}
""")
        self.netpol(out, ns, "data-from-backend", """  podSelector:
    matchLabels: {tier: data}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: tier, operator: In, values: [backend]}
        - {key: app, operator: NotIn, values: [web, render]}
    - namespaceSelector:
        matchLabels: {team: %s}
        matchExpressions:
        - {key: env, operator: In, values: [%s]}
      podSelector:
        matchLabels: {tier: backend}
    ports:
    - {port: db}
""" % (team, env))
        self.netpol(out, ns, "internal-egress", """  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - podSelector: {}
  - to:
    - namespaceSelector:
        matchLabels: {team: %s}
        matchExpressions:
        - {key: compliance, operator: NotIn, values: [pci]}
      podSelector:
        matchLabels: {tier: data}
    ports:
    - {port: db}
""" % team)
        partners = rng.sample(PARTNERS, 2)
        if self.shape == "ipheavy":
            allow = ""
            for c, exc in rng.sample(self.dst_pool, min(6, len(self.dst_pool))):
                if exc:
                    allow += "    - ipBlock: {cidr: %s, except: [%s]}\n" % (c, exc)
                else:
                    allow += "    - ipBlock: {cidr: %s}\n" % c
            self.netpol(out, ns, "external-https", """  podSelector:
    matchExpressions:
    - {key: tier, operator: In, values: [backend, frontend]}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 0.0.0.0/0
        except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16]
    ports:
    - {protocol: TCP, port: 443}
  - to:
%s    ports:
    - {protocol: TCP, port: 30000, endPort: 32767}
""" % allow)
        else:
            self.netpol(out, ns, "external-https", """  podSelector:
    matchExpressions:
    - {key: tier, operator: In, values: [backend, frontend]}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 0.0.0.0/0
        except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16]
    ports:
    - {protocol: TCP, port: 443}
  - to:
    - ipBlock: {cidr: %s}
    - ipBlock: {cidr: %s}
    ports:
    - {protocol: TCP, port: 30000, endPort: 32767}
""" % (partners[0], partners[1]))
        app = wls[rng.randrange(len(wls))]
        self.netpol(out, ns, "%s-from-peers" % app[1], """  podSelector:
    matchLabels: {app: %s}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: team, operator: In, values: [%s, %s]}
        - {key: env, operator: Exists}
      podSelector:
        matchExpressions:
        - {key: tier, operator: NotIn, values: [data]}
    ports:
    - {protocol: TCP, port: 8000, endPort: 8100}
    - {port: http}
""" % (app[1], team, rng.choice(TEAMS)))
        target = peer_ns[rng.randrange(len(peer_ns))][0] if peer_ns else ns
        self.netpol(out, ns, "batch-egress", """  podSelector:
    matchLabels: {tier: backend}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: %s}
      podSelector:
        matchExpressions:
        - {key: app, operator: Exists}
        - {key: tier, operator: NotIn, values: [data]}
    ports:
    - {port: http}
    - {protocol: TCP, port: 9000, endPort: 9009}
""" % target)


def main():
    ap = argparse.ArgumentParser(description="write a synthetic cluster as YAML manifests")
    ap.add_argument("--pods", type=int, required=True)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--shape", choices=["default", "ipheavy", "mesh"], default="default")
    ap.add_argument("--one-file", action="store_true")
    ap.add_argument("outdir")
    a = ap.parse_args()
    g = Gen(a.pods, a.seed, a.shape)
    os.makedirs(a.outdir, exist_ok=True)
    for f in os.listdir(a.outdir):
        if f.endswith(".yaml"):
            os.unlink(os.path.join(a.outdir, f))
    rng = g.rng
    nsmeta = []
    for i in range(g.nns):
        team = TEAMS[i % len(TEAMS)]
        ns = "%s-%s-%04d" % (team, APPS[(i // len(TEAMS)) % len(APPS)], i)
        nsmeta.append((ns, team, rng.choice(ENVS), rng.choice(["mixed", "mixed", "mixed", "backend"]),
                       rng.choice(COMPLIANCE)))
    out = []
    g.system(out)
    if g.shape == "mesh":
        g.mesh_system(out)
    for i, (ns, team, env, tier, comp) in enumerate(nsmeta):
        labels = {"kubernetes.io/metadata.name": ns, "team": team, "env": env, "tier": tier, "compliance": comp}
        annotations = None
        if g.shape == "mesh":
            extra, annotations = MESH_NS[mesh_mode(i)]
            labels.update(extra)
        g.namespace(out, ns, labels, annotations)
    if a.one_file:
        with open(os.path.join(a.outdir, "cluster.yaml"), "w") as f:
            f.write("".join(out))
            for i in range(g.nns):
                out = []
                g.app_namespace(out, i, nsmeta)
                f.write("".join(out))
    else:
        with open(os.path.join(a.outdir, "00-cluster.yaml"), "w") as f:
            f.write("".join(out))
        for i in range(g.nns):
            out = []
            g.app_namespace(out, i, nsmeta)
            with open(os.path.join(a.outdir, "ns-%04d.yaml" % i), "w") as f:
                f.write("".join(out))
    sys.stderr.write("gen_cluster: %s: %d namespaces, %d pods, %d NetworkPolicies%s\n"
                     % (a.outdir, g.nns + (5 if g.shape == "mesh" else 3), g.npods, g.npolicies,
                        ", %d mesh objects" % g.nmesh if g.shape == "mesh" else ""))


if __name__ == "__main__":
    main()
