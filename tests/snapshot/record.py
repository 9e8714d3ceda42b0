#!/usr/bin/env python3
"""tests/snapshot/record.py - how tests/fixtures/snapshot/ was recorded: the
objects of samples/shop as a cluster that runs them returns them to
`kubectl get -o json` (List wrappers, server-set metadata, ReplicaSets and
Pods with ownerReferences, nodeName and pod IPs, EndpointSlices, status
fields), one file per resource as the stand-in kubectl serves them
(tests/snapshot/kubectl). Run once by hand (needs python3-yaml); the tests
use the recorded JSON only."""
import hashlib, json, os, sys, yaml

root = os.path.join(os.path.dirname(__file__), "..", "..")
src = os.path.join(root, "samples", "shop")
out = os.path.join(root, "tests", "fixtures", "snapshot")
TS = "2024-05-14T09:12:00Z"

objs = []
for n in sorted(os.listdir(src)):
    with open(os.path.join(src, n)) as f:
        objs += [d for d in yaml.safe_load_all(f) if d]

def uid(*parts):
    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])

rv = [41000]
def meta(o, kind):
    m = dict(o.get("metadata", {}))
    rv[0] += 7
    m.setdefault("creationTimestamp", TS)
    m["resourceVersion"] = str(rv[0])
    m["uid"] = uid(kind, m.get("namespace", ""), m["name"])
    return m

files = {}  # resource file -> items
def add(res, item):
    files.setdefault(res, []).append(item)

ip = [0]
def pod_ip():
    ip[0] += 1
    return "10.244.%d.%d" % (1 + ip[0] // 200, 10 + ip[0] % 200)

pods_by_ns = {}
for o in objs:
    k = o["kind"]
    if k == "Namespace":
        m = meta(o, k)
        m.setdefault("labels", {})["kubernetes.io/metadata.name"] = m["name"]
        add("namespaces", {"apiVersion": "v1", "kind": k, "metadata": m,
                           "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
    elif k in ("Deployment", "StatefulSet"):
        m = meta(o, k)
        m["generation"] = 1
        spec = o["spec"]
        r = spec.get("replicas", 1)
        st = {"observedGeneration": 1, "replicas": r, "readyReplicas": r, "availableReplicas": r}
        add("deployments.apps" if k == "Deployment" else "statefulsets.apps",
            {"apiVersion": "apps/v1", "kind": k, "metadata": m, "spec": spec, "status": st})
        tmpl = spec["template"]
        owner, names = None, []
        if k == "Deployment":
            h = hashlib.sha1(m["name"].encode()).hexdigest()[:10]
            h = "".join(c if c.isalpha() else "bcdfghjklm"[int(c)] for c in h)[:10]
            rsm = {"name": "%s-%s" % (m["name"], h), "namespace": m["namespace"],
                   "labels": dict(tmpl["metadata"]["labels"], **{"pod-template-hash": h}),
                   "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": m["name"],
                                        "uid": m["uid"], "controller": True, "blockOwnerDeletion": True}]}
            rsm = meta({"metadata": rsm}, "ReplicaSet")
            rst = dict(spec, selector={"matchLabels": dict(spec["selector"]["matchLabels"], **{"pod-template-hash": h})})
            rst["template"] = {"metadata": {"labels": rsm["labels"]}, "spec": tmpl["spec"]}
            add("replicasets.apps", {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": rsm,
                                     "spec": rst, "status": {"replicas": r, "readyReplicas": r}})
            owner = ("ReplicaSet", rsm["name"], rsm["uid"])
            labels = rsm["labels"]
            names = ["%s-%s" % (rsm["name"], hashlib.sha1(("%s%d" % (rsm["name"], i)).encode()).hexdigest()[:5]) for i in range(r)]
        else:
            owner = ("StatefulSet", m["name"], m["uid"])
            labels = dict(tmpl["metadata"]["labels"])
            names = ["%s-%d" % (m["name"], i) for i in range(r)]
        for i, pn in enumerate(names):
            pl = dict(labels)
            if k == "StatefulSet":
                pl["statefulset.kubernetes.io/pod-name"] = pn
            pm = meta({"metadata": {"name": pn, "namespace": m["namespace"], "labels": pl,
                                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                                         "uid": owner[2], "controller": True,
                                                         "blockOwnerDeletion": True}]}}, "Pod")
            a = pod_ip()
            ps = dict(tmpl["spec"], nodeName="node-%d" % (1 + i % 2), restartPolicy="Always",
                      dnsPolicy="ClusterFirst", schedulerName="default-scheduler")
            add("pods", {"apiVersion": "v1", "kind": "Pod", "metadata": pm, "spec": ps,
                         "status": {"phase": "Running", "hostIP": "172.18.0.%d" % (2 + i % 2),
                                    "podIP": a, "podIPs": [{"ip": a}], "qosClass": "BestEffort",
                                    "startTime": TS}})
            pods_by_ns.setdefault(m["namespace"], []).append((pn, a, pl))
    elif k == "Service":
        m = meta(o, k)
        spec = dict(o["spec"])
        rv[0] += 1
        spec.setdefault("type", "ClusterIP")
        spec["clusterIP"] = "10.96.%d.%d" % (rv[0] % 250, 1 + rv[0] % 200)
        spec["clusterIPs"] = [spec["clusterIP"]]
        ports = []
        for p in spec.get("ports", []):
            p = dict(p)
            p.setdefault("protocol", "TCP")
            p.setdefault("targetPort", p["port"])
            ports.append(p)
        spec["ports"] = ports
        st = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}} if spec["type"] == "LoadBalancer" else {"loadBalancer": {}}
        add("services", {"apiVersion": "v1", "kind": k, "metadata": m, "spec": spec, "status": st})
        sel = spec.get("selector")
        if sel:
            eps = [{"addresses": [a], "conditions": {"ready": True}, "targetRef": {"kind": "Pod", "name": pn, "namespace": m["namespace"]}}
                   for pn, a, pl in pods_by_ns.get(m["namespace"], []) if all(pl.get(x) == y for x, y in sel.items())]
            esm = meta({"metadata": {"name": m["name"] + "-abcde", "namespace": m["namespace"],
                                     "labels": {"kubernetes.io/service-name": m["name"],
                                                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                                     "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": m["name"], "uid": m["uid"],
                                                          "controller": True, "blockOwnerDeletion": True}]}}, "EndpointSlice")
            add("endpointslices.discovery.k8s.io", {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": esm,
                "addressType": "IPv4", "endpoints": eps,
                "ports": [{"name": p.get("name", ""), "port": 0, "protocol": p["protocol"]} for p in ports]})
    elif k == "Ingress":
        m = meta(o, k)
        m["generation"] = 1
        add("ingresses.networking.k8s.io", {"apiVersion": "networking.k8s.io/v1", "kind": k, "metadata": m,
            "spec": o["spec"], "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.20"}]}}})
    elif k == "NetworkPolicy":
        m = meta(o, k)
        m["generation"] = 1
        add("networkpolicies.networking.k8s.io", {"apiVersion": "networking.k8s.io/v1", "kind": k, "metadata": m, "spec": o["spec"]})

# an Istio resource the cluster has (read, not analysed); ANP/BANP served but
# empty; Cilium is not installed (its kinds are absent from api-resources)
add("peerauthentications.security.istio.io", {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
    "metadata": meta({"metadata": {"name": "default", "namespace": "payments"}}, "PeerAuthentication"),
    "spec": {"mtls": {"mode": "STRICT"}}})
for r in ("adminnetworkpolicies.policy.networking.k8s.io", "baselineadminnetworkpolicies.policy.networking.k8s.io",
          "cronjobs.batch", "jobs.batch", "daemonsets.apps", "replicationcontrollers",
          "authorizationpolicies.security.istio.io", "requestauthentications.security.istio.io"):
    files.setdefault(r, [])
for k in list(files):
    files[k].sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

os.makedirs(out, exist_ok=True)
def dump(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=4, sort_keys=True)
        f.write("\n")
for res, items in sorted(files.items()):
    dump(os.path.join(out, res + ".json"), {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
    # per namespace, as `kubectl get RES -n NS -o json` answers
    for ns in sorted({o["metadata"].get("namespace") for o in items} - {None}):
        os.makedirs(os.path.join(out, "ns", ns), exist_ok=True)
        dump(os.path.join(out, "ns", ns, res + ".json"), {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
             "items": [o for o in items if o["metadata"].get("namespace") == ns]})
for o in files["namespaces"]:
    os.makedirs(os.path.join(out, "namespace"), exist_ok=True)
    dump(os.path.join(out, "namespace", o["metadata"]["name"] + ".json"), o)

# `kubectl api-resources -o name` of a cluster with Istio (security.istio.io
# only), the policy.networking.k8s.io CRDs, no Cilium and no Linkerd
api = """bindings
componentstatuses
configmaps
endpoints
events
limitranges
namespaces
nodes
persistentvolumeclaims
persistentvolumes
pods
podtemplates
replicationcontrollers
resourcequotas
secrets
serviceaccounts
services
mutatingwebhookconfigurations.admissionregistration.k8s.io
validatingwebhookconfigurations.admissionregistration.k8s.io
customresourcedefinitions.apiextensions.k8s.io
apiservices.apiregistration.k8s.io
controllerrevisions.apps
daemonsets.apps
deployments.apps
replicasets.apps
statefulsets.apps
tokenreviews.authentication.k8s.io
horizontalpodautoscalers.autoscaling
cronjobs.batch
jobs.batch
certificatesigningrequests.certificates.k8s.io
leases.coordination.k8s.io
endpointslices.discovery.k8s.io
events.events.k8s.io
ingressclasses.networking.k8s.io
ingresses.networking.k8s.io
networkpolicies.networking.k8s.io
runtimeclasses.node.k8s.io
poddisruptionbudgets.policy
adminnetworkpolicies.policy.networking.k8s.io
baselineadminnetworkpolicies.policy.networking.k8s.io
clusterrolebindings.rbac.authorization.k8s.io
clusterroles.rbac.authorization.k8s.io
rolebindings.rbac.authorization.k8s.io
roles.rbac.authorization.k8s.io
priorityclasses.scheduling.k8s.io
authorizationpolicies.security.istio.io
peerauthentications.security.istio.io
requestauthentications.security.istio.io
csidrivers.storage.k8s.io
storageclasses.storage.k8s.io
"""
with open(os.path.join(out, "api-resources.txt"), "w") as f:
    f.write(api)
