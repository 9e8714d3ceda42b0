#!/usr/bin/env python3
"""gen_dump.py - write `kubectl get pods -A -o json` as a real cluster prints it.

usage: bench/gen_dump.py --pods N [--seed S] [--yaml] OUTFILE

One List of N Pods (100 per namespace, owned by ReplicaSets of Deployments
of 1-8 replicas) with everything a live API server returns and no analysis
reads: managedFields (the kubelet's and the controller's field sets), a
last-applied-configuration annotation, status with conditions and
containerStatuses, tolerations. Keys sorted and indented by 4 as
kubectl prints them, so "items" comes before "kind". About 6.6 KB per pod:
10,000 pods are about 66 MB, 100,000 about 660 MB (heavier than the 4.2 KB
per pod of the dump in issue 13). --yaml writes `kubectl get pods -A -o
yaml` instead (2-space indentation, about 3.5 KB per pod). Deterministic: the same
--pods and --seed give byte-identical files. Bench input only: never
committed (bench/ingest_bench.sh writes it under build/bench/).
"""
import argparse
import json
import random

TEAMS = ["payments", "search", "catalog", "checkout", "identity", "ads", "media", "growth"]
APPS = ["api", "web", "worker", "cache", "auth", "gateway", "indexer", "render", "feed", "pricing"]
ALNUM = "bcdfghjklmnpqrstvwxz2456789"

# A pod as `kubectl get -o json` prints one; @NAME@ fields are filled per pod.
TEMPLATE = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration":
                "@LAST@",
            "prometheus.io/scrape": "true",
        },
        "creationTimestamp": "2026-11-02T10:15:42Z",
        "generateName": "@RS@-",
        "labels": {"app": "@APP@", "pod-template-hash": "@HASH@", "team": "@TEAM@", "tier": "backend",
                   "version": "v2"},
        "managedFields": [
            {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {
                "f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}},
                               "f:ownerReferences": {"k:{\"uid\":\"@OUID@\"}": {}}},
                "f:spec": {"f:containers": {"k:{\"name\":\"@APP@\"}": {".": {}, "f:image": {}}}}},
             "manager": "kube-controller-manager", "operation": "Update", "time": "2026-11-02T10:15:42Z"},
            {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {
                "f:status": {"f:conditions": {
                    "k:{\"type\":\"Ready\"}": {".": {}, "f:status": {}, "f:type": {}}},
                    "f:containerStatuses": {}, "f:phase": {},
                    "f:podIPs": {".": {}, "k:{\"ip\":\"@IP@\"}": {}}}},
             "manager": "kubelet", "operation": "Update", "subresource": "status",
             "time": "2026-11-02T10:15:49Z"},
        ],
        "name": "@NAME@",
        "namespace": "@NS@",
        "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                             "kind": "ReplicaSet", "name": "@RS@", "uid": "@OUID@"}],
        "resourceVersion": "@RV@",
        "uid": "@UID@",
    },
    "spec": {
        "containers": [{
            "image": "registry.example.com/@APP@:1.4.2",
            "imagePullPolicy": "IfNotPresent",
            "name": "@APP@",
            "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"},
                      {"containerPort": 9090, "name": "metrics", "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
        }],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "nodeName": "@NODE@",
        "restartPolicy": "Always",
        "serviceAccount": "@APP@",
        "serviceAccountName": "@APP@",
        "terminationGracePeriodSeconds": 30,
    },
    "status": {
        "conditions": [
            {"lastProbeTime": None, "lastTransitionTime": "2026-11-02T10:15:42Z", "status": "True",
             "type": t} for t in ["Ready"]],
        "containerStatuses": [{
            "containerID": "containerd://@CID@",
            "image": "registry.example.com/@APP@:1.4.2",
            "name": "@APP@", "ready": True, "restartCount": 0,
            "state": {"running": {"startedAt": "2026-11-02T10:15:48Z"}}}],
        "hostIP": "@HOSTIP@",
        "phase": "Running",
        "podIP": "@IP@",
        "podIPs": [{"ip": "@IP@"}],
        "qosClass": "Burstable",
        "startTime": "2026-11-02T10:15:42Z",
    },
}


def yaml_scalar(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if v == "@RV@":
        return '"@RV@"'  # digits: a string, quoted
    if v.startswith("@") and v.endswith("@"):
        return v  # filled with plain words (names, IPs, ...) or a quoted string (LAST)
    plain = v and not any(c in v for c in ":{}[],&*#?|<>=!%@`\"'\\\n") and v[0] not in "- 0123456789." \
        and v not in ("true", "false", "null", "~", "yes", "no", "on", "off")
    return v if plain else json.dumps(v)


def yaml_key(k):
    """keys as go-yaml writes them: f:metadata, ".", k:{"uid":"..."} stay plain"""
    if k and k[0] not in "-?:,[]{}#&*!|>'\"%@` " and ": " not in k and " #" not in k and k[-1] != ":":
        return k
    return json.dumps(k)


def yaml_lines(v, indent, out):
    """block YAML as kubectl writes it: maps sorted, sequences at the map's indentation"""
    pad = " " * indent
    if isinstance(v, dict):
        for k in sorted(v):
            x = v[k]
            key = yaml_key(k)
            if isinstance(x, dict) and x:
                out.append("%s%s:" % (pad, key))
                yaml_lines(x, indent + 2, out)
            elif isinstance(x, list) and x:
                out.append("%s%s:" % (pad, key))
                yaml_lines(x, indent, out)
            else:
                out.append("%s%s: %s" % (pad, key, "{}" if x == {} else "[]" if x == [] else yaml_scalar(x)))
    else:
        for x in v:
            sub = []
            if isinstance(x, (dict, list)) and x:
                yaml_lines(x, indent + 2, sub)
                sub[0] = pad + "- " + sub[0][indent + 2:]
                out.extend(sub)
            else:
                out.append("%s- %s" % (pad, yaml_scalar(x)))


def rid(rng, n):
    return "".join(rng.choice(ALNUM) for _ in range(n))


def main():
    ap = argparse.ArgumentParser(description="write `kubectl get pods -A -o json` for N pods")
    ap.add_argument("--pods", type=int, required=True)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--yaml", action="store_true", help="kubectl get -o yaml instead of -o json")
    ap.add_argument("out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    # the template as kubectl indents an item of "items" (8 spaces in)
    if a.yaml:
        lines = []
        yaml_lines(TEMPLATE, 2, lines)
        lines[0] = "- " + lines[0][2:]
        body = "\n".join(lines)[2:]
    else:
        body = json.dumps(TEMPLATE, indent=4, sort_keys=True).replace("\n", "\n        ")
    body = body.replace("%", "%%")
    for k in ["LAST", "RS", "APP", "HASH", "TEAM", "OUID", "IP", "NAME", "NS", "RV", "UID", "VOL", "NODE",
              "CID", "HOSTIP"]:
        body = body.replace("@%s@" % k, "%%(%s)s" % k)
    nodes = max(3, a.pods // 30)
    out = open(a.out, "w")
    if a.yaml:
        out.write("apiVersion: v1\nitems:\n")
    else:
        out.write('{\n    "apiVersion": "v1",\n    "items": [\n')
    n = 0
    ip = 0
    while n < a.pods:
        ns = "%s-%04d" % (TEAMS[(n // 100) % len(TEAMS)], n // 100)
        app = APPS[rng.randrange(len(APPS))] + "-%d" % rng.randrange(100)
        h = rid(rng, 10)
        rs = "%s-%s" % (app, h)
        ouid = "%08x-1111-4000-8000-%012x" % (n, n * 7919)
        last = json.dumps({"apiVersion": "apps/v1", "kind": "Deployment",
                           "metadata": {"annotations": {}, "labels": {"app": app}, "name": app, "namespace": ns},
                           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": app}}}},
                          separators=(",", ":"), sort_keys=True) + "\n"
        last = json.dumps(last)[1:-1]
        if a.yaml:  # kubectl writes it as a literal block
            last = "|\n        " + json.loads('"%s"' % last).rstrip("\n")
        for _ in range(min(a.pods - n, rng.choice([1, 2, 3, 4, 6, 8]))):
            ip += 1
            node = rng.randrange(nodes)
            v = {"LAST": last, "RS": rs, "APP": app, "HASH": h, "TEAM": ns.split("-")[0], "OUID": ouid,
                 "IP": "10.%d.%d.%d" % (64 + (ip >> 16) % 64, (ip >> 8) & 255, ip & 255),
                 "NAME": "%s-%s" % (rs, rid(rng, 5)), "NS": ns, "RV": str(100000 + n), "UID":
                 "%08x-0000-4000-8000-%012x" % (n, n * 104729), "VOL": rid(rng, 5),
                 "NODE": "node-%04d" % node, "CID": "%064x" % (n * 2654435761 % (1 << 255)),
                 "HOSTIP": "10.0.%d.%d" % (node // 250, node % 250 + 1)}
            if a.yaml:
                out.write("- " + body % v + "\n")
            else:
                out.write("        " + body % v + (",\n" if n + 1 < a.pods else "\n"))
            n += 1
    if a.yaml:
        out.write('kind: List\nmetadata:\n  resourceVersion: ""\n')
    else:
        out.write('    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
    out.close()


if __name__ == "__main__":
    main()
