/* checks.c - built-in hygiene checks TM101..TM114, the rows of the mesh checks
 * TM120..TM125 and TM127 (checks_mesh.c), of the diff check TM126 (diff_mesh.c) and of
 * the node-escape checks TM140..TM142
 * (checks_escape.c; docs/checks.md) and the
 * `check` pipeline: zone rules, built-ins, suppression, sorting. */
#include "analyzer/check.h"

#include <stdlib.h>
#include <string.h>

static const tm_check_info checks[] = {
	{"TM101", "no-default-deny-ingress", TM_SEV_MEDIUM, "Namespace without default-deny ingress",
	 "A namespace that runs workloads but has no NetworkPolicy with an empty podSelector and policyType Ingress: "
	 "every pod that no other policy selects accepts connections from anywhere, and a new workload starts open.",
	 "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress]` (no ingress rules) to the namespace, then allow what is needed."},
	{"TM102", "no-default-deny-egress", TM_SEV_MEDIUM, "Namespace without default-deny egress",
	 "A namespace that runs workloads but has no NetworkPolicy with an empty podSelector and policyType Egress: "
	 "its pods may connect to anything, inside or outside the cluster, so one compromised pod reaches every open workload.",
	 "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Egress]` to the namespace, then allow DNS and what is needed."},
	{"TM103", "workload-not-selected", TM_SEV_MEDIUM, "Workload selected by no policy",
	 "No NetworkPolicy or AdminNetworkPolicy selects the workload: it accepts and sends every connection.",
	 "Cover the workload with a namespace default-deny policy and explicit allow rules."},
	{"TM104", "policy-selects-nothing", TM_SEV_LOW, "Policy that selects no pods",
	 "The policy's podSelector (or the AdminNetworkPolicy's subject) matches no workload in the manifests: it is stale "
	 "or its selector has a typo, and it will start applying to whatever later carries the labels.",
	 "Delete the policy, or fix its selector to match the workloads it was written for."},
	{"TM105", "allow-all-rule", TM_SEV_HIGH, "Rule that allows everything",
	 "A rule whose peers are empty (every source or destination), 0.0.0.0/0 or ::/0, or `namespaceSelector: {}`, on every port: "
	 "it makes the policy's default deny meaningless for the selected pods.",
	 "List the peers (namespace and pod selectors, narrow ipBlocks) and ports the workload really needs."},
	{"TM106", "internet-exposed", TM_SEV_INFO, "Internet-exposed workload",
	 "A workload behind a LoadBalancer or NodePort Service, or an Ingress, Route or HTTPRoute, takes connections from the internet "
	 "when the policies let the internet (or the ingress controller) reach an exposed port. "
	 "The finding is high when the workload can connect directly to a sensitive zone (a zone named in a deny or allow-only rule, or "
	 "marked sensitive), low when it reaches one only through other workloads, info otherwise, and info when the policies close "
	 "every exposed port.",
	 "Keep internet-facing workloads out of sensitive zones and make sure their egress cannot reach sensitive zones; put an authenticated service in between."},
	{"TM107", "named-port-unresolved", TM_SEV_MEDIUM, "Named port that resolves on no pod",
	 "A policy port refers to a container port by name, but no pod it could apply to has a container port with that name: the port entry allows nothing.",
	 "Use the container port's real name (or its number)."},
	{"TM108", "egress-without-dns", TM_SEV_MEDIUM, "Egress restricted without DNS",
	 "The workload's egress is restricted and some egress is allowed, but no destination on UDP port 53 is, nor a rule aimed at "
	 "the cluster DNS (kube-system, k8s-app: kube-dns) when the DNS pods are not in the input: name lookups fail.",
	 "Allow egress to kube-dns (namespace kube-system, k8s-app: kube-dns) on UDP and TCP 53."},
	{"TM109", "anp-pass-without-banp", TM_SEV_LOW, "AdminNetworkPolicy Pass without a BaselineAdminNetworkPolicy",
	 "A Pass rule hands the decision to NetworkPolicies; where none selects the pods, the default (allow) applies because there is no BaselineAdminNetworkPolicy.",
	 "Add a BaselineAdminNetworkPolicy with the intended defaults, or make sure NetworkPolicies select the pods."},
	{"TM110", "redundant-rule", TM_SEV_INFO, "Redundant rule",
	 "Another rule of a policy selecting the same pods already allows every peer and port of this rule.",
	 "Remove the redundant rule, or merge the two."},
	{"TM111", "rule-inert-by-policy-types", TM_SEV_MEDIUM, "Rule made inert by policyTypes",
	 "A NetworkPolicy has ingress (or egress) rules, but its policyTypes does not list Ingress (or Egress): Kubernetes ignores "
	 "those rules, so they neither allow nor isolate anything.",
	 "Add the direction to policyTypes (e.g. `policyTypes: [Ingress, Egress]`), or delete the rules that do not apply."},
	{"TM112", "peer-selects-nothing", TM_SEV_LOW, "Peer that selects nothing",
	 "A podSelector/namespaceSelector peer of a NetworkPolicy rule matches no workload in the input: the peer allows nothing, "
	 "often because of a typo in a label. Low when nothing in the input can match it; info when it may match objects absent "
	 "from the input (namespaces not in the input, or without a Namespace object, whose labels are unknown).",
	 "Fix the peer's labels so that they match the intended pods and namespaces, or add the missing Namespace objects to the input."},
	{"TM113", "zone-matches-nothing", TM_SEV_MEDIUM, "Zone that matches nothing",
	 "A zone of the zones file holds no workload and no IP-range endpoint of the input: a typo in `namespaces`, a label or a CIDR, "
	 "and every rule that names it checks nothing.",
	 "Fix the zone's namespaces, selectors or ipBlocks so that they match the intended workloads (`check -v` lists each zone's members)."},
	{"TM114", "zone-rule-checks-nothing", TM_SEV_HIGH, "Zone rule that checks nothing",
	 "A zone rule whose `from` or `to` zone matches nothing can never produce a finding. The finding has the rule's own severity, "
	 "so that `--fail-on` at that severity notices the broken rule.",
	 "Fix the empty zone (TM113), or delete the rule."},
	/* the mesh checks (analyzer/checks_mesh.c): only on inputs with mesh objects or injection facts */
	{"TM120", "mesh-plaintext-accepted-sensitive", TM_SEV_HIGH, "Sensitive workload accepts plaintext",
	 "A workload of a sensitive zone (or of the target of a require-mtls rule) runs a mesh proxy, but its effective "
	 "PeerAuthentication on a port is PERMISSIVE or DISABLE (Istio), or its inbound policy admits unauthenticated "
	 "clients (Linkerd): any client without a proxy, or whose injection failed, reaches it in clear text.",
	 "Set a PeerAuthentication with mtls.mode STRICT for the namespace or workload (Istio), or a Server with "
	 "MeshTLSAuthentication-based authorization or default-inbound-policy all-authenticated (Linkerd)."},
	{"TM121", "mesh-workload-excluded", TM_SEV_MEDIUM, "Workload outside the mesh in a meshed namespace",
	 "The namespace enrols its pods in a mesh (istio-injection=enabled, istio.io/rev, istio.io/dataplane-mode=ambient, "
	 "linkerd.io/inject), but this workload opts out or cannot be injected (hostNetwork, sidecar.istio.io/inject: "
	 "\"false\", dataplane-mode none, linkerd.io/inject: disabled): its traffic is plaintext and it escapes mesh "
	 "authorization.",
	 "Remove the opt-out, or isolate the workload with NetworkPolicies and record why it stays outside the mesh."},
	{"TM122", "ip-based-trust", TM_SEV_MEDIUM, "IP-based trust into a require-mtls zone",
	 "A policy admits sources into a zone that a require-mtls rule protects by IP address (NetworkPolicy ipBlock, "
	 "Istio AuthorizationPolicy ipBlocks): addresses are not identities, and pod IPs are reused.",
	 "Admit the sources by identity (namespace and pod selectors, AuthorizationPolicy principals) and require mTLS."},
	{"TM123", "principal-allow-plaintext", TM_SEV_HIGH, "Identity-based ALLOW on a plaintext connection",
	 "An Istio AuthorizationPolicy (or a Linkerd MeshTLSAuthentication) admits clients by mesh identity, which exists only "
	 "with mTLS, but the configuration makes this allowed connection plaintext (no proxy at the server, the port "
	 "excluded from capture, skipped ports): the author expects mTLS the mesh does not give, and the policy is not enforced.",
	 "Inject the server (or stop excluding the port) so that the policy is enforced, or drop the identity rule."},
	{"TM124", "mtls-contradicted-by-capture", TM_SEV_HIGH, "Configured mTLS contradicted by observed traffic",
	 "The mesh configuration says this connection is mutual TLS, but a capture or flow log shows it without mutual TLS: "
	 "a pod was not injected (created before the namespace label, webhook failure), or the traffic bypasses the proxy.",
	 "Restart the workload's pods so that they are injected, and check the capture exclusions of both ends."},
	{"TM125", "cilium-mutual-auth-not-enabled", TM_SEV_HIGH, "Cilium rule requires mutual authentication the install does not give",
	 "A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy rule with authentication.mode required admits this "
	 "connection, but the install's mutual authentication is off (--cilium-mutual-auth off, or cilium-config "
	 "mesh-auth-enabled / mesh-auth-mutual-enabled false): no agent authenticates the pair, the datapath finds no "
	 "entry in its auth map and drops the traffic the policies allow (high). When the install's state is not known, "
	 "the connection depends on it (medium). A rule with mode test-always-fail drops it always (high).",
	 "Enable mutual authentication (Helm authentication.mutual.spire.enabled=true, which sets cilium-config "
	 "mesh-auth-enabled and mesh-auth-mutual-enabled to \"true\", with SPIRE) or remove authentication.mode from the "
	 "rule (test-always-fail is for tests); give the install's state with --cilium-mutual-auth on|off."},
	/* a change between two versions (analyzer/diff_mesh.c): only `diff` emits it */
	{"TM126", "mesh-protection-weakened", TM_SEV_HIGH, "Change that weakens mesh protection",
	 "A connection that both versions allow, on ports both allow, gets weaker mesh protection in the new version "
	 "(mtls > mtls-permissive > unknown > plaintext: a PeerAuthentication from STRICT to PERMISSIVE, sidecar injection "
	 "removed, a DestinationRule with tls DISABLE), or the mesh now admits in plaintext, or without known protection, "
	 "a connection it used to refuse. Connectivity does not change, so the connection diff shows nothing. High when "
	 "the new protection is plaintext into a sensitive zone or the target of a require-mtls rule, medium for "
	 "plaintext elsewhere and for mtls-permissive or unknown into such a zone, low otherwise.",
	 "Keep the server's PeerAuthentication STRICT (or the Linkerd Server's authorization authenticated), keep both "
	 "ends injected, and use ISTIO_MUTUAL (or no tls setting) in DestinationRules for in-mesh hosts; if the change "
	 "is intended, suppress the finding with trustmap.io/ignore on the workload or policy.",
	 false, true},
	/* the VirtualServices' routes (analyzer/checks_mesh.c): with the mesh checks */
	{"TM127", "mesh-route-unreachable", TM_SEV_LOW, "VirtualService route that takes no request",
	 "A VirtualService's http and tcp routes are tried in order, the first that matches takes the request, and "
	 "pilot builds no route after one that takes every request. This route comes after a route without match, or "
	 "with a match that has no condition but the port, that takes every request of every client on the route's "
	 "ports, or each of its matches is the same as one of an earlier route (istioctl analyze IST0130, "
	 "VirtualServiceUnreachableRule): its destinations and settings do nothing. A catch-all narrowed by "
	 "sourceLabels or sourceNamespace hides the routes after it from some clients only: not reported here "
	 "(conn --show-mtls names them per client).",
	 "Put the catch-all route last (and keep one only), move the more specific routes before it, or delete the "
	 "route; merge routes whose matches repeat."},
	/* observed traffic (analyzer/drift.c): only with --pcap, --hubble or --zeek */
	{"TM130", "observed-but-denied", TM_SEV_HIGH, "Observed connection that the policies deny",
	 "A connection was observed (capture, Hubble FORWARDED, Zeek) between two endpoints on a port that the policies deny: "
	 "the policies are not enforced there (a CNI without NetworkPolicy support, policies not applied, or manifests that "
	 "differ from the cluster). The finding carries the evidence: first and last seen, packets, where it was observed.",
	 "Check that the cluster's CNI enforces NetworkPolicy and that the manifests are what runs; then find out what the observed connection is.",
	 true},
	{"TM131", "plaintext-across-zones", TM_SEV_MEDIUM, "Plaintext observed across a zone boundary",
	 "A plaintext TCP connection (no TLS in the capture, or a protocol Zeek or Hubble's L7 proxy parsed in clear) was observed "
	 "between endpoints of different zones. The severity is that of the most severe zone rule between the two zones, medium "
	 "without one; connections into a `require-mtls` zone are reported by that rule with the same evidence.",
	 "Encrypt the connection (TLS, or a service mesh's mutual TLS) or keep it inside one zone.", true},
	{"TM132", "spiffe-identity-mismatch", TM_SEV_HIGH, "SPIFFE identity that does not match the workload",
	 "A certificate seen on the wire carries a SPIFFE ID (spiffe://<trust domain>/ns/<namespace>/sa/<service account>) whose "
	 "namespace or service account is not the workload's: a client certificate not of the source, or a server certificate not "
	 "of the destination. Another workload's identity is in use, or the mapping of addresses is wrong.",
	 "Find out which workload holds the certificate; issue identities per service account (mesh or SPIRE) and never share key material.",
	 true},
	{"TM133", "allowed-never-observed", TM_SEV_INFO, "Allowed connection never observed",
	 "The policies allow a connection between two workloads, one of which was seen in the observed traffic, but no connection "
	 "between them was observed while the flows were collected: a candidate for tightening the rules listed.",
	 "If the connection is not needed, narrow or remove the rules listed; collect flows long enough to see rare jobs first.",
	 true},
	{"TM134", "observed-internet-egress", TM_SEV_HIGH, "Observed internet egress from a zone that must not egress",
	 "A connection from a zone to a public address was observed, and a zone rule denies connections from that zone to the "
	 "internet. The finding has that rule's severity and carries the evidence.",
	 "Close the egress (a default-deny egress policy, an egress gateway) and find out what the workload connected to.", true},
	/* the node-escape checks (analyzer/checks_escape.c): only on inputs with an escape-capable or hostNetwork pod */
	{"TM140", "sensitive-shares-node-with-escape", TM_SEV_CRITICAL, "Sensitive pod on the node of an escape-capable pod",
	 "A pod of a sensitive zone runs on (critical: spec.nodeName says so) or may run on (medium: nodeSelector, required node "
	 "affinity, taints and tolerations do not keep them apart) the same node as a pod that can escape to the node "
	 "(privileged, SYS_MODULE, hostPID with SYS_ADMIN or SYS_PTRACE, a writable hostPath of the host's root, /etc, /root, "
	 "/var/lib/kubelet, /proc or /dev, a container runtime socket, a writable /var/log as root). Containers are not a "
	 "security boundary: whoever controls the escaping pod controls every pod on its node, whatever the NetworkPolicies say.",
	 "Keep sensitive workloads off the nodes of escape-capable ones (a dedicated node pool: taints on its nodes, tolerations "
	 "and a nodeSelector on the sensitive pods), or remove the setting that lets the pod escape."},
	{"TM141", "escape-capable-workload", TM_SEV_HIGH, "Escape-capable pod outside the infrastructure namespaces",
	 "A pod outside kube-system, kube-public, kube-node-lease and the namespaces labelled trustmap.io/infrastructure=true "
	 "has a setting that lets it escape to its node (docs/semantics.md, Node escapes): a compromise of it is a compromise "
	 "of the node and of every pod scheduled there.",
	 "Drop privileged, the added capability or the hostPath mount; if the pod is a node agent, run it in an "
	 "infrastructure namespace and label that namespace trustmap.io/infrastructure=true."},
	{"TM142", "policy-selects-host-network", TM_SEV_MEDIUM, "NetworkPolicy that selects hostNetwork pods",
	 "A hostNetwork pod shares its node's network namespace: its traffic leaves from the node's address, and most CNIs "
	 "(Calico, Cilium, kube-router and others) do not apply NetworkPolicy to it. The policy is inert for those pods, and "
	 "their connections are the node's.",
	 "Protect the node's ports with host firewalling (or the CNI's host policies), or run the pod without hostNetwork."},
};

const tm_check_info *tm_checks_table(size_t *n)
{
	*n = TM_ARRAY_LEN(checks);
	return checks;
}

const tm_check_info *tm_check_find(const char *id)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(checks); i++)
		if (!strcmp(checks[i].id, id) || !strcmp(checks[i].name, id))
			return &checks[i];
	return NULL;
}

typedef struct ctx {
	tm_graph *g;
	const tm_model *m;
	const tm_zones *z;
	const tm_zonemap *zm;
	tm_findings *out;
	tm_buf msg, obj;
	/* runs of m->workloads by namespace (the model keeps a namespace's workloads together) */
	struct wrun { const char *ns; size_t lo, hi; } *runs;
	size_t nruns;
} ctx;

static void build_runs(ctx *c)
{
	const tm_model *m = c->m;
	size_t cap = 0;
	for (size_t i = 0; i < m->nworkloads; i++) {
		const char *ns = m->workloads[i]->ns;
		if (c->nruns && !strcmp(c->runs[c->nruns - 1].ns, ns)) {
			c->runs[c->nruns - 1].hi = i + 1;
			continue;
		}
		TM_HEAP_GROW(c->runs, c->nruns, cap);
		c->runs[c->nruns++] = (struct wrun){ns, i, i + 1};
	}
}

/* Call with the index of the run (0..) until it returns false: the
 * workloads of namespace ns are m->workloads[*lo .. *hi). */
static bool wl_run(const ctx *c, const char *ns, size_t *k, size_t *lo, size_t *hi)
{
	for (; *k < c->nruns; (*k)++)
		if (!strcmp(c->runs[*k].ns, ns)) {
			*lo = c->runs[*k].lo;
			*hi = c->runs[*k].hi;
			(*k)++;
			return true;
		}
	return false;
}

tm_finding *tm_check_finding(tm_findings *out, const char *id, tm_severity sev, const char *msg, const char *subject)
{
	const tm_check_info *ci = tm_check_find(id);
	tm_finding *fd = tm_findings_add(out, ci->id, sev, ci->title, msg);
	fd->hint = tm_findings_str(out, ci->hint);
	fd->subject = tm_findings_str(out, subject);
	return fd;
}

void tm_check_suppress_wl(tm_findings *out, tm_finding *fd, const tm_workload *w, tm_buf *obj)
{
	tm_buf_reset(obj);
	(void)tm_buf_addf(obj, "%s %s/%s", w->kind, w->ns, w->name);
	tm_finding_suppress(out, fd, w->ignore, tm_buf_str(obj));
	if (w->nsp) {
		tm_buf_reset(obj);
		(void)tm_buf_addf(obj, "namespace %s", w->nsp->name);
		tm_finding_suppress(out, fd, w->nsp->ignore, tm_buf_str(obj));
	}
}

static tm_finding *add(ctx *c, const char *id, tm_severity sev, const char *subject)
{
	return tm_check_finding(c->out, id, sev, tm_buf_str(&c->msg), subject);
}

static void suppress_ns(ctx *c, tm_finding *fd, const tm_namespace *ns)
{
	if (!ns)
		return;
	tm_buf_reset(&c->obj);
	tm_buf_addf(&c->obj, "namespace %s", ns->name);
	tm_finding_suppress(c->out, fd, ns->ignore, tm_buf_str(&c->obj));
}

static void suppress_np(ctx *c, tm_finding *fd, const tm_netpol *np)
{
	tm_buf_reset(&c->obj);
	tm_buf_addf(&c->obj, "%s %s/%s", TM_NETPOL_KIND(np), np->ns, np->name);
	tm_finding_suppress(c->out, fd, np->ignore, tm_buf_str(&c->obj));
}

static void suppress_wl(ctx *c, tm_finding *fd, const tm_workload *w)
{
	tm_check_suppress_wl(c->out, fd, w, &c->obj);
}

static bool np_selects(const tm_netpol *np, const tm_workload *w)
{
	return !strcmp(np->ns, w->ns) && tm_selector_matches(&np->pod_sel, &w->labels);
}

static const char *anp_kind(const tm_anp *a)
{
	return a->kind ? a->kind : a->baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy";
}

static bool anp_selects(const tm_anp *a, const tm_workload *w)
{
	tm_labels empty = {0};
	if (!tm_selector_matches(&a->subj_ns, w->nsp ? &w->nsp->labels : &empty))
		return false;
	return !a->subject_pods || tm_selector_matches(&a->subj_pod, &w->labels);
}

/* Netpols grouped by namespace: the model keeps them sorted by (ns, name). */
static void ns_range(const tm_model *m, const char *ns, size_t *lo, size_t *hi)
{
	size_t a = 0, b = m->nnetpols;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (strcmp(m->netpols[mid]->ns, ns) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	while (a < m->nnetpols && !strcmp(m->netpols[a]->ns, ns))
		a++;
	*hi = a;
	/* fall back to a full scan if the order is not what we expect */
	if (*lo == *hi) {
		for (size_t i = 0; i < m->nnetpols; i++)
			if (!strcmp(m->netpols[i]->ns, ns)) {
				*lo = 0;
				*hi = m->nnetpols;
				return;
			}
	}
}

/* ---- TM101 / TM102 / TM103 ---- */
static void check_isolation(ctx *c)
{
	const tm_model *m = c->m;
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const tm_namespace *ns = m->namespaces[i];
		size_t nw = 0, kr = 0, wlo, whi;
		const tm_workload *first = NULL;
		while (wl_run(c, ns->name, &kr, &wlo, &whi)) {
			if (!first)
				first = m->workloads[wlo];
			nw += whi - wlo;
		}
		if (!nw)
			continue;
		bool din = false, deg = false;
		size_t lo, hi;
		ns_range(m, ns->name, &lo, &hi);
		for (size_t j = lo; j < hi; j++) {
			const tm_netpol *np = m->netpols[j];
			if (strcmp(np->ns, ns->name) || !tm_selector_is_empty(&np->pod_sel))
				continue;
			din |= np->ingress;
			deg |= np->egress;
		}
		tm_srcloc loc = ns->declared ? ns->loc : first->loc;
		for (int k = 0; k < 2; k++) {
			if (k == 0 ? din : deg)
				continue;
			tm_buf_reset(&c->msg);
			tm_buf_addf(&c->msg, "namespace %s runs %zu workload%s and has no default-deny %s policy", ns->name, nw,
				    nw == 1 ? "" : "s", k == 0 ? "ingress" : "egress");
			tm_buf_reset(&c->obj);
			tm_buf_addf(&c->obj, "namespace %s", ns->name);
			tm_finding *fd = add(c, k == 0 ? "TM101" : "TM102", TM_SEV_MEDIUM, tm_buf_str(&c->obj));
			tm_finding_add_loc(c->out, fd, loc, ns->declared ? tm_buf_str(&c->obj) : "first workload of the namespace");
			suppress_ns(c, fd, ns);
		}
	}
	for (size_t j = 0; j < m->nworkloads; j++) {
		const tm_workload *w = m->workloads[j];
		bool sel = false;
		size_t lo, hi;
		ns_range(m, w->ns, &lo, &hi);
		for (size_t k = lo; k < hi && !sel; k++)
			sel = np_selects(m->netpols[k], w);
		for (size_t k = 0; k < m->nanps && !sel; k++)
			sel = anp_selects(m->anps[k], w);
		if (!sel && m->banp)
			sel = anp_selects(m->banp, w);
		for (size_t k = 0; k < m->nbaselines && !sel; k++)
			sel = anp_selects(m->baselines[k], w);
		if (sel)
			continue;
		tm_buf_reset(&c->msg);
		tm_buf_addf(&c->msg, "%s is selected by no NetworkPolicy or AdminNetworkPolicy: all ingress and egress is allowed",
			    w->display);
		tm_finding *fd = add(c, "TM103", TM_SEV_MEDIUM, NULL);
		fd->src = tm_findings_str(c->out, w->display);
		tm_finding_add_loc(c->out, fd, w->loc, w->display);
		suppress_wl(c, fd, w);
	}
}

/* ---- TM104 ---- */
static void check_selects_nothing(ctx *c)
{
	const tm_model *m = c->m;
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *np = m->netpols[i];
		bool any = false;
		size_t k = 0, wlo, whi;
		while (!any && wl_run(c, np->ns, &k, &wlo, &whi))
			for (size_t j = wlo; j < whi && !any; j++)
				any = np_selects(np, m->workloads[j]);
		if (any)
			continue;
		tm_buf_reset(&c->obj);
		tm_selector_format(&np->pod_sel, &c->obj);
		tm_buf_reset(&c->msg);
		tm_buf_addf(&c->msg, "%s %s/%s selects no workload (podSelector %s)", TM_NETPOL_KIND(np), np->ns, np->name,
			    tm_buf_str(&c->obj));
		tm_buf_reset(&c->obj);
		tm_buf_addf(&c->obj, "%s %s/%s", TM_NETPOL_KIND(np), np->ns, np->name);
		tm_finding *fd = add(c, "TM104", TM_SEV_LOW, tm_buf_str(&c->obj));
		tm_finding_add_loc(c->out, fd, np->loc, tm_buf_str(&c->obj));
		suppress_np(c, fd, np);
		suppress_ns(c, fd, tm_model_namespace((tm_model *)m, np->ns, false));
	}
	size_t nb = m->banp ? 1 : 0;
	for (size_t i = 0; i < m->nanps + nb + m->nbaselines; i++) {
		const tm_anp *a = i < m->nanps ? m->anps[i] : i < m->nanps + nb ? m->banp : m->baselines[i - m->nanps - nb];
		bool any = false;
		for (size_t j = 0; j < m->nworkloads && !any; j++)
			any = anp_selects(a, m->workloads[j]);
		if (any)
			continue;
		const char *kind = anp_kind(a);
		tm_buf_reset(&c->msg);
		tm_buf_addf(&c->msg, "%s %s: its subject matches no workload", kind, a->name);
		tm_buf_reset(&c->obj);
		tm_buf_addf(&c->obj, "%s %s", kind, a->name);
		tm_finding *fd = add(c, "TM104", TM_SEV_LOW, tm_buf_str(&c->obj));
		tm_finding_add_loc(c->out, fd, a->loc, tm_buf_str(&c->obj));
		tm_finding_suppress(c->out, fd, a->ignore, tm_buf_str(&c->obj));
	}
}

/* ---- TM105 ---- */
/* every IPv4 address, or every IPv6 one */
static bool ips_all(const tm_ipset *s)
{
	if (tm_ipset_contains_range(s, tm_iprange_v4_all()))
		return true;
	/* ::/0 is held without the IPv4 block (::ffff:0:0/96) it would overlap */
	tm_ipset v6;
	tm_ipset_init(&v6);
	tm_ipset_add_block(&v6, tm_iprange_v6_all(), false);
	bool all = v6.n > 0;
	for (size_t i = 0; i < v6.n && all; i++)
		all = tm_ipset_contains_range(s, v6.r[i]);
	tm_ipset_release(&v6);
	return all;
}

static bool peer_all_ips(const tm_peer *p)
{
	return p->kind == TM_PEER_IPBLOCK && ips_all(&p->ips);
}

/* the rule's ipBlocks together hold every address of a family
 * (0.0.0.0/1 and 128.0.0.0/1), though none does alone */
static bool peers_all_ips(const tm_rule *r)
{
	tm_ipset u;
	tm_ipset_init(&u);
	size_t nb = 0;
	for (size_t k = 0; k < r->npeers; k++)
		if (r->peers[k].kind == TM_PEER_IPBLOCK) {
			nb++;
			for (size_t i = 0; i < r->peers[k].ips.n; i++)
				tm_ipset_add(&u, r->peers[k].ips.r[i]);
		}
	bool all = nb > 1 && ips_all(&u);
	tm_ipset_release(&u);
	return all;
}

static void check_allow_all_rules(ctx *c, const tm_netpol *np, const tm_rule *rs, size_t n, bool ingress)
{
	for (size_t i = 0; i < n; i++) {
		const tm_rule *r = &rs[i];
		if (!r->all_ports)
			continue;
		const char *what = NULL;
		tm_severity sev = TM_SEV_HIGH;
		if (r->all_peers)
			what = ingress ? "every source (no `from`)" : "every destination (no `to`)";
		for (size_t k = 0; k < r->npeers && !what; k++) {
			const tm_peer *p = &r->peers[k];
			if (peer_all_ips(p))
				what = p->cidr ? p->cidr : "every address";
			else if (p->kind == TM_PEER_SELECTOR && p->has_ns_sel && tm_selector_is_empty(&p->ns_sel) &&
				 (!p->has_pod_sel || tm_selector_is_empty(&p->pod_sel))) {
				what = "every pod of every namespace (`namespaceSelector: {}`)";
				sev = TM_SEV_MEDIUM;
			}
		}
		if (!what && peers_all_ips(r))
			what = "every address (its ipBlocks together)";
		if (!what)
			continue;
		tm_buf_reset(&c->msg);
		tm_buf_addf(&c->msg, "%s %s/%s %s rule %zu allows %s %s %s on every port", TM_NETPOL_KIND(np), np->ns, np->name,
			    ingress ? "ingress" : "egress", r->index, ingress ? "from" : "to", what,
			    ingress ? "into the selected pods" : "from the selected pods");
		tm_buf_reset(&c->obj);
		tm_buf_addf(&c->obj, "%s %s/%s %s rule %zu", TM_NETPOL_KIND(np), np->ns, np->name, ingress ? "ingress" : "egress",
			    r->index);
		tm_finding *fd = add(c, "TM105", sev, tm_buf_str(&c->obj));
		tm_finding_add_loc(c->out, fd, r->loc, tm_buf_str(&c->obj));
		suppress_np(c, fd, np);
		suppress_ns(c, fd, tm_model_namespace((tm_model *)c->m, np->ns, false));
	}
}

static void check_allow_all_anp(ctx *c, const tm_anp *a)
{
	const char *kind = anp_kind(a);
	for (int d = 0; d < 2; d++) {
		const tm_rule *rs = d ? a->eg_rules : a->in_rules;
		size_t n = d ? a->neg : a->nin;
		for (size_t i = 0; i < n; i++) {
			const tm_rule *r = &rs[i];
			if (r->action != TM_ACT_ALLOW || !r->all_ports)
				continue;
			const char *what = NULL;
			tm_severity sev = TM_SEV_HIGH;
			for (size_t k = 0; k < r->npeers && !what; k++) {
				const tm_peer *p = &r->peers[k];
				if (peer_all_ips(p))
					what = p->cidr ? p->cidr : "every address";
				else if (p->kind == TM_PEER_SELECTOR && (!p->has_ns_sel || tm_selector_is_empty(&p->ns_sel)) &&
					 (!p->has_pod_sel || tm_selector_is_empty(&p->pod_sel))) {
					what = "every pod of every namespace";
					sev = TM_SEV_MEDIUM;
				}
			}
			if (!what)
				continue;
			tm_buf_reset(&c->obj);
			tm_buf_addf(&c->obj, "%s %s %s rule %zu", kind, a->name, d ? "egress" : "ingress", i);
			tm_buf_reset(&c->msg);
			tm_buf_addf(&c->msg, "%s%s%s%s allows %s %s on every port", tm_buf_str(&c->obj), r->name ? " (" : "",
				    r->name ? r->name : "", r->name ? ")" : "", d ? "to" : "from", what);
			tm_finding *fd = add(c, "TM105", sev, tm_buf_str(&c->obj));
			tm_finding_add_loc(c->out, fd, r->loc, tm_buf_str(&c->obj));
			tm_finding_suppress(c->out, fd, a->ignore, tm_buf_str(&c->obj));
		}
	}
}

/* ---- TM106 ---- */
static bool svc_selects(const tm_service *s, const tm_workload *w)
{
	if (!s->has_selector || !s->selector.n || strcmp(s->ns, w->ns))
		return false;
	for (size_t i = 0; i < s->selector.n; i++) {
		const char *v = tm_labels_get(&w->labels, s->selector.v[i].key);
		if (!v || strcmp(v, s->selector.v[i].val))
			return false;
	}
	return true;
}

/* What exposes workloads to the internet: LoadBalancer/NodePort Services and
 * the Services behind Ingresses, Routes and HTTPRoutes. */
typedef struct exposer {
	const tm_service *svc;
	const char *kind, *ns, *name; /* "LoadBalancer Service", or the exposure's kind */
} exposer;

static exposer *exposers_of(const tm_model *m, size_t *n)
{
	exposer *v = NULL;
	size_t k = 0, cap = 0;
	for (size_t i = 0; i < m->nservices; i++) {
		const tm_service *s = m->services[i];
		if (!s->type || (strcmp(s->type, "LoadBalancer") && strcmp(s->type, "NodePort")))
			continue;
		TM_HEAP_GROW(v, k, cap);
		v[k++] = (exposer){s, s->type, s->ns, s->name};
	}
	for (size_t i = 0; i < m->nexposures; i++) {
		const tm_exposure *e = m->exposures[i];
		for (size_t j = 0; e->service && j < m->nservices; j++) {
			const tm_service *s = m->services[j];
			if (strcmp(s->name, e->service) || strcmp(s->ns, e->ns))
				continue;
			TM_HEAP_GROW(v, k, cap);
			v[k++] = (exposer){s, e->kind, e->ns, e->name};
			break;
		}
	}
	*n = k;
	return v;
}

/* Does the edge's port set hold a target port of svc on w (the Service's
 * targetPort, numeric or named, else its port)? A Service without ports
 * exposes whatever is allowed. */
static bool svc_port_open(const tm_service *svc, const tm_workload *w, const tm_ports *p)
{
	if (!svc->nports)
		return !tm_ports_is_empty(p);
	for (size_t i = 0; i < svc->nports; i++) {
		const tm_svcport *sp = &svc->ports[i];
		uint32_t port = sp->target_port ? sp->target_port : sp->port;
		tm_proto proto = sp->proto;
		if (sp->target_name) {
			port = 0;
			for (size_t k = 0; k < w->nports && !port; k++)
				if (w->ports[k].name && !strcmp(w->ports[k].name, sp->target_name)) {
					port = w->ports[k].port;
					proto = w->ports[k].proto;
				}
		}
		if (port && tm_ports_contains(p, proto, port))
			return true;
	}
	return false;
}

/* Do the edges into workload s let the internet reach what ex exposes?
 * LoadBalancer and NodePort Services: an edge from an IP range of the
 * internet zone on a target port. Ingress and Route: an edge from the
 * ingress controller (the graph limits it to the exposed ports). Without
 * that pseudo-source, and for HTTPRoutes (whose Gateway pods are not
 * modelled), the exposure is taken as open: fail closed. */
static bool exposer_open(ctx *c, const exposer *ex, size_t s, const size_t *start, const uint32_t *radj, long ic)
{
	tm_graph *g = c->g;
	bool lb = ex->svc->type && !strcmp(ex->kind, ex->svc->type);
	bool via_ic = !strcmp(ex->kind, "Ingress") || !strcmp(ex->kind, "Route");
	if (!lb && (!via_ic || ic < 0))
		return true;
	for (size_t e = start[s]; e < start[s + 1]; e++) {
		uint32_t u = radj[e];
		if (via_ic ? (long)u == ic
			   : g->eps[u].kind == TM_EP_IPRANGE && tm_zonemap_in(c->zm, g, u, TM_ZONE_INTERNET) &&
				     svc_port_open(ex->svc, g->eps[s].w, tm_graph_conn(g, u, s)))
			return true;
	}
	return false;
}

/* How w is exposed: the exposures that the edges confirm go to open
 * ("LoadBalancer Service web/storefront, Ingress web/storefront"), those
 * that the policies close to blocked. Returns whether any exposure names w. */
static bool exposure_of(ctx *c, const exposer *ex, size_t nex, size_t s, const size_t *start, const uint32_t *radj,
			long ic, tm_buf *open, tm_buf *blocked, bool *blocked_lb, bool *blocked_ic)
{
	bool any = false;
	*blocked_lb = *blocked_ic = false;
	for (size_t i = 0; i < nex; i++) {
		if (!svc_selects(ex[i].svc, c->g->eps[s].w))
			continue;
		bool op = exposer_open(c, &ex[i], s, start, radj, ic);
		tm_buf *b = op ? open : blocked;
		if (!op && ex[i].svc->type && !strcmp(ex[i].kind, ex[i].svc->type))
			*blocked_lb = true;
		else if (!op)
			*blocked_ic = true;
		const char *sep = b->len ? ", " : "";
		if (ex[i].svc->type && !strcmp(ex[i].kind, ex[i].svc->type))
			tm_buf_addf(b, "%s%s Service %s/%s", sep, ex[i].kind, ex[i].ns, ex[i].name);
		else
			tm_buf_addf(b, "%s%s %s/%s", sep, ex[i].kind, ex[i].ns, ex[i].name);
		any = true;
	}
	return any;
}

static bool ep_sensitive(ctx *c, size_t ep, const char **zone)
{
	if (!c->z)
		return false;
	for (size_t k = 0; k < c->z->nzones; k++)
		if (c->z->zones[k].sensitive && c->zm->bits[ep * c->zm->nzones + k]) {
			*zone = c->z->zones[k].name;
			return true;
		}
	return false;
}

/* For each sensitive zone, one breadth-first search backwards from its
 * endpoints over workload-to-workload edges gives every workload's distance
 * to the zone and its next hop; intermediate hops are workloads outside
 * every sensitive zone. Cost: O(sensitive zones x edges), not per exposed
 * workload. */
static void check_exposure(ctx *c)
{
	tm_graph *g = c->g;
	size_t n = g->neps;
	size_t nz = c->z ? c->z->nzones : 0;
	size_t *start = calloc(n + 1, sizeof *start);
	uint32_t *radj = malloc((g->nedges + 1) * sizeof *radj);
	uint32_t *queue = malloc((n + 1) * sizeof *queue);
	uint32_t *next = malloc((nz * n + 1) * sizeof *next); /* next hop towards zone k, or UINT32_MAX */
	unsigned char *sens = calloc(n + 1, 1);
	bool *exposed = calloc(n + 1, sizeof *exposed);
	size_t nexps;
	exposer *exps = exposers_of(c->m, &nexps);
	tm_buf why, path, blocked;
	tm_buf_init(&why, 0);
	tm_buf_init(&path, 0);
	tm_buf_init(&blocked, 0);
	long ic = -1;
	for (size_t u = 0; u < n; u++)
		if (g->eps[u].kind == TM_EP_INGRESS)
			ic = (long)u;
	if (!start || !radj || !queue || !next || !sens || !exposed)
		abort();
	for (size_t u = 0; u < n; u++)
		for (size_t k = 0; k < nz && !sens[u]; k++)
			sens[u] = c->z->zones[k].sensitive && c->zm->bits[u * c->zm->nzones + k];
	/* reverse adjacency (CSR by destination) */
	for (size_t i = 0; i < g->nedges; i++)
		start[g->edges[i].dst + 1]++;
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	{
		size_t *fill = calloc(n + 1, sizeof *fill);
		if (!fill)
			abort();
		for (size_t i = 0; i < g->nedges; i++) {
			uint32_t d = g->edges[i].dst;
			radj[start[d] + fill[d]++] = g->edges[i].src;
		}
		free(fill);
	}
	for (size_t k = 0; k < nz; k++) {
		uint32_t *nk = next + k * n;
		for (size_t u = 0; u < n; u++)
			nk[u] = UINT32_MAX;
		if (!c->z->zones[k].sensitive)
			continue;
		size_t qh = 0, qt = 0;
		for (size_t u = 0; u < n; u++)
			if (c->zm->bits[u * c->zm->nzones + k]) {
				nk[u] = (uint32_t)u; /* in the zone: its own target */
				queue[qt++] = (uint32_t)u;
			}
		while (qh < qt) {
			uint32_t v = queue[qh++];
			if (nk[v] != v && (sens[v] || g->eps[v].kind != TM_EP_WORKLOAD))
				continue;
			for (size_t e = start[v]; e < start[v + 1]; e++) {
				uint32_t u = radj[e];
				if (nk[u] != UINT32_MAX || g->eps[u].kind != TM_EP_WORKLOAD)
					continue;
				nk[u] = v;
				queue[qt++] = u;
			}
		}
	}
	/* the ingress controller's targets are exposed too */
	for (size_t i = 0; i < g->nedges; i++)
		if (g->eps[g->edges[i].src].kind == TM_EP_INGRESS)
			exposed[g->edges[i].dst] = true;
	for (size_t s = 0; s < n; s++) {
		const tm_endpoint *ep = &g->eps[s];
		if (ep->kind != TM_EP_WORKLOAD)
			continue;
		tm_buf_reset(&why);
		tm_buf_reset(&blocked);
		bool blb, bic;
		if (!exposure_of(c, exps, nexps, s, start, radj, ic, &why, &blocked, &blb, &bic) && !exposed[s])
			continue;
		if (!why.len && !exposed[s]) {
			/* declared, but the policies close every exposed port: the
			 * same verdict as the graph's warning, at most info */
			tm_buf_reset(&c->msg);
			tm_buf_addf(&c->msg, "%s is declared exposed (%s), but no exposed port reaches it: the policies close it to %s",
				    ep->name, tm_buf_str(&blocked),
				    blb && bic ? "the internet and the ingress controller" : blb ? "the internet" : "the ingress controller");
			tm_finding *fd = add(c, "TM106", TM_SEV_INFO, NULL);
			fd->hint = tm_findings_str(c->out,
				"Nothing is reachable: if the workload should serve the internet, allow ingress on the exposed port "
				"(from the internet's ipBlock, or the ingress controller's namespace); otherwise remove the exposure.");
			fd->src = tm_findings_str(c->out, ep->name);
			tm_finding_add_loc(c->out, fd, ep->w->loc, ep->name);
			suppress_wl(c, fd, ep->w);
			continue;
		}
		if (!why.len)
			tm_buf_adds(&why, "reached by the ingress controller");
		bool any = false;
		const char *own;
		if (ep_sensitive(c, s, &own)) {
			tm_buf_reset(&c->msg);
			tm_buf_addf(&c->msg, "%s is exposed to the internet (%s) and is itself in sensitive zone %s",
				    ep->name, tm_buf_str(&why), own);
			tm_buf_reset(&path);
			tm_buf_addf(&path, "zone %s", own);
			tm_finding *fd = add(c, "TM106", TM_SEV_HIGH, tm_buf_str(&path));
			fd->src = tm_findings_str(c->out, ep->name);
			tm_finding_add_loc(c->out, fd, ep->w->loc, ep->name);
			suppress_wl(c, fd, ep->w);
			any = true;
		}
		for (size_t k = 0; k < nz && !any; k++) {
			const uint32_t *nk = next + k * n;
			if (!c->z->zones[k].sensitive || nk[s] == UINT32_MAX)
				continue;
			uint32_t hops[64];
			size_t nh = 0;
			for (uint32_t x = (uint32_t)s; nh < 64; x = nk[x]) {
				hops[nh++] = x;
				if (nk[x] == x)
					break;
			}
			uint32_t u = hops[nh - 1];
			const char *zn = c->z->zones[k].name;
			tm_buf_reset(&path);
			for (size_t h = 0; h < nh; h++)
				tm_buf_addf(&path, "%s%s", h ? " => " : "", g->eps[hops[h]].name);
			tm_buf_reset(&c->msg);
			tm_buf_addf(&c->msg, "%s is exposed to the internet (%s) and reaches zone %s %s: %s", ep->name,
				    tm_buf_str(&why), zn, nh == 2 ? "directly" : "through other workloads", tm_buf_str(&path));
			/* the zone is part of the finding's key: one workload can
			 * reach two sensitive zones through the same endpoint */
			tm_buf_reset(&path);
			tm_buf_addf(&path, "zone %s", zn);
			tm_finding *fd = add(c, "TM106", nh == 2 ? TM_SEV_HIGH : TM_SEV_LOW, tm_buf_str(&path));
			fd->src = tm_findings_str(c->out, ep->name);
			fd->dst = tm_findings_str(c->out, g->eps[u].name);
			if (nh == 2) {
				tm_buf_reset(&path);
				tm_ports_format(tm_graph_conn(g, s, u), &path);
				fd->conns = tm_findings_str(c->out, tm_buf_str(&path));
			}
			for (size_t h = 0; h + 1 < nh; h++)
				tm_finding_attach_edge(g, c->out, fd, hops[h], hops[h + 1], NULL);
		}
		for (size_t k = 0; k < nz; k++)
			any |= c->z->zones[k].sensitive && next[k * n + s] != UINT32_MAX;
		if (!any) {
			tm_buf_reset(&c->msg);
			tm_buf_addf(&c->msg, "%s is exposed to the internet (%s); it reaches no sensitive zone", ep->name,
				    tm_buf_str(&why));
			tm_finding *fd = add(c, "TM106", TM_SEV_INFO, NULL);
			fd->src = tm_findings_str(c->out, ep->name);
			tm_finding_add_loc(c->out, fd, ep->w->loc, ep->name);
			suppress_wl(c, fd, ep->w);
		}
	}
	free(start);
	free(radj);
	free(queue);
	free(next);
	free(sens);
	free(exposed);
	free(exps);
	tm_buf_release(&why);
	tm_buf_release(&path);
	tm_buf_release(&blocked);
}

/* ---- TM107 ---- */
static bool has_named_port(const tm_workload *w, const char *name)
{
	for (size_t i = 0; i < w->nports; i++)
		if (w->ports[i].name && !strcmp(w->ports[i].name, name))
			return true;
	return false;
}

static void check_named_ports(ctx *c, const tm_netpol *np, const tm_rule *rs, size_t n, bool ingress)
{
	const tm_model *m = c->m;
	bool selects = false;
	size_t k0 = 0, wlo, whi;
	while (!selects && wl_run(c, np->ns, &k0, &wlo, &whi))
		for (size_t j = wlo; j < whi && !selects; j++)
			selects = np_selects(np, m->workloads[j]);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < rs[i].nports; k++) {
			const tm_portspec *ps = &rs[i].ports[k];
			if (!ps->name)
				continue;
			bool found = false;
			if (ingress) {
				size_t kr = 0;
				while (!found && wl_run(c, np->ns, &kr, &wlo, &whi))
					for (size_t j = wlo; j < whi && !found; j++)
						found = np_selects(np, m->workloads[j]) && has_named_port(m->workloads[j], ps->name);
			} else
				for (size_t j = 0; j < m->nworkloads && !found; j++)
					found = has_named_port(m->workloads[j], ps->name);
			if (found || (ingress && !selects))
				continue;
			tm_buf_reset(&c->msg);
			tm_buf_addf(&c->msg, "%s %s/%s %s rule %zu: named port \"%s\" is defined on no %s; this port entry allows nothing",
				    TM_NETPOL_KIND(np), np->ns, np->name, ingress ? "ingress" : "egress", rs[i].index, ps->name,
				    ingress ? "container of the selected pods" : "container in the cluster");
			tm_buf_reset(&c->obj);
			tm_buf_addf(&c->obj, "%s %s/%s %s rule %zu port %s", TM_NETPOL_KIND(np), np->ns, np->name,
				    ingress ? "ingress" : "egress", rs[i].index, ps->name);
			tm_finding *fd = add(c, "TM107", TM_SEV_MEDIUM, tm_buf_str(&c->obj));
			tm_finding_add_loc(c->out, fd, ps->loc.line ? ps->loc : rs[i].loc, tm_buf_str(&c->obj));
			suppress_np(c, fd, np);
			suppress_ns(c, fd, tm_model_namespace((tm_model *)m, np->ns, false));
		}
	}
}

/* ---- TM108 ---- */
/* DNS is asked over UDP first (TCP only for truncated answers), so UDP 53 is
 * what makes lookups work; TCP 53 alone does not. */
enum { DNS_EGRESS = 1, DNS_UDP = 2, DNS_TCP = 4 };

/* The ports of rule r towards DNS: all ports, UDP/TCP 53, or the names of
 * CoreDNS's container ports ("dns" UDP, "dns-tcp" TCP). */
static unsigned rule_dns_ports(const tm_rule *r)
{
	if (r->all_ports)
		return DNS_UDP | DNS_TCP;
	unsigned v = 0;
	if (tm_ports_contains(r->fixed, TM_PROTO_UDP, 53))
		v |= DNS_UDP;
	if (tm_ports_contains(r->fixed, TM_PROTO_TCP, 53))
		v |= DNS_TCP;
	for (size_t k = 0; k < r->nports; k++) {
		const char *nm = r->ports[k].name;
		if (nm && !strcmp(nm, "dns") && r->ports[k].proto == TM_PROTO_UDP)
			v |= DNS_UDP;
		else if (nm && !strcmp(nm, "dns-tcp") && r->ports[k].proto == TM_PROTO_TCP)
			v |= DNS_TCP;
	}
	return v;
}

/* Is selector peer p aimed at the cluster DNS pods: namespace kube-system
 * (by kubernetes.io/metadata.name or a `name` label, or every namespace),
 * pods labelled k8s-app: kube-dns (or every pod)? nsl: kube-system's labels
 * (its Namespace object's when read); dnsl: the DNS pods' labels. */
static bool peer_aims_dns(const tm_peer *p, const char *policy_ns, const tm_labels *nsl, const tm_labels *dnsl)
{
	if (p->kind != TM_PEER_SELECTOR)
		return false;
	if (p->has_ns_sel ? !tm_selector_matches(&p->ns_sel, nsl) : strcmp(policy_ns, "kube-system"))
		return false;
	return !p->has_pod_sel || tm_selector_matches(&p->pod_sel, dnsl);
}

/* DNS_UDP/DNS_TCP of the egress rules of w's NetworkPolicies aimed at the
 * cluster DNS. */
static unsigned dns_rules_of(ctx *c, const tm_workload *w, const tm_labels *nsl, const tm_labels *dnsl)
{
	const tm_model *m = c->m;
	unsigned v = 0;
	size_t lo, hi;
	ns_range(m, w->ns, &lo, &hi);
	for (size_t k = lo; k < hi; k++) {
		const tm_netpol *np = m->netpols[k];
		if (!np->egress || !np_selects(np, w))
			continue;
		for (size_t i = 0; i < np->neg; i++) {
			const tm_rule *r = &np->eg_rules[i];
			bool aims = false;
			for (size_t j = 0; j < r->npeers && !aims; j++)
				aims = peer_aims_dns(&r->peers[j], np->ns, nsl, dnsl);
			if (aims)
				v |= rule_dns_ports(r);
		}
	}
	return v;
}

static void check_dns(ctx *c)
{
	tm_graph *g = c->g;
	const tm_model *m = c->m;
	/* per source endpoint: DNS_EGRESS (some egress), DNS_UDP, DNS_TCP */
	unsigned char *st = calloc(g->neps + 1, 1);
	if (!st)
		abort();
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		st[e->src] |= DNS_EGRESS;
		if (tm_ports_contains(e->ports, TM_PROTO_UDP, 53))
			st[e->src] |= DNS_UDP;
		if (tm_ports_contains(e->ports, TM_PROTO_TCP, 53))
			st[e->src] |= DNS_TCP;
	}
	/* The DNS pods (k8s-app: kube-dns) in the input: then the edges say
	 * whether they are reached. Else a rule aimed at them counts as DNS,
	 * and a note says that this was assumed. */
	bool dns_in_input = false;
	for (size_t i = 0; i < m->nworkloads && !dns_in_input; i++) {
		const char *v = tm_labels_get(&m->workloads[i]->labels, "k8s-app");
		dns_in_input = v && !strcmp(v, "kube-dns") && !m->workloads[i]->folded_into;
	}
	tm_label kl[2] = {{"kubernetes.io/metadata.name", "kube-system"}, {"name", "kube-system"}};
	tm_label dl[1] = {{"k8s-app", "kube-dns"}};
	tm_labels nsl = {2, kl}, dnsl = {1, dl};
	for (size_t i = 0; i < m->nnamespaces; i++)
		if (m->namespaces[i]->declared && !strcmp(m->namespaces[i]->name, "kube-system"))
			nsl = m->namespaces[i]->labels;
	size_t assumed = 0;
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		if (ep->kind != TM_EP_WORKLOAD || !(st[i] & DNS_EGRESS) || (st[i] & DNS_UDP))
			continue;
		const tm_workload *w = ep->w;
		unsigned have = st[i];
		if (!dns_in_input) {
			unsigned r = dns_rules_of(c, w, &nsl, &dnsl);
			if (r & DNS_UDP) {
				assumed++;
				continue;
			}
			have |= r;
		}
		tm_buf_reset(&c->msg);
		if (have & DNS_TCP)
			tm_buf_addf(&c->msg,
				    "%s may connect to port 53 over TCP only: resolvers ask over UDP first, so it cannot resolve names",
				    ep->name);
		else
			tm_buf_addf(&c->msg, "%s may connect to some destinations but to none on port 53: it cannot resolve names",
				    ep->name);
		tm_finding *fd = add(c, "TM108", TM_SEV_MEDIUM, NULL);
		fd->src = tm_findings_str(c->out, ep->name);
		size_t lo, hi;
		ns_range(m, w->ns, &lo, &hi);
		for (size_t k = lo; k < hi; k++) {
			const tm_netpol *np = m->netpols[k];
			if (!np->egress || !np->neg || !np_selects(np, w))
				continue;
			tm_buf_reset(&c->obj);
			tm_buf_addf(&c->obj, "%s %s/%s", TM_NETPOL_KIND(np), np->ns, np->name);
			tm_finding_add_loc(c->out, fd, np->loc, tm_buf_str(&c->obj));
			suppress_np(c, fd, np);
		}
		if (!fd->nlocations)
			tm_finding_add_loc(c->out, fd, w->loc, ep->name);
		suppress_wl(c, fd, w);
	}
	if (assumed)
		tm_findings_add_note(c->out, "dns-pods-not-in-input", (tm_srcloc){0},
				     "the cluster DNS pods (k8s-app: kube-dns) are not in the input: for %zu workload%s, an egress "
				     "rule aimed at them (namespace kube-system, UDP 53) was taken to allow DNS (TM108), without "
				     "checking the DNS pods' own policies",
				     assumed, assumed == 1 ? "" : "s");
	free(st);
}

/* ---- TM109 ---- */
static void check_pass(ctx *c)
{
	const tm_model *m = c->m;
	if (m->banp || m->nbaselines)
		return;
	for (size_t i = 0; i < m->nanps; i++) {
		const tm_anp *a = m->anps[i];
		for (int d = 0; d < 2; d++) {
			const tm_rule *rs = d ? a->eg_rules : a->in_rules;
			size_t n = d ? a->neg : a->nin;
			for (size_t j = 0; j < n; j++) {
				if (rs[j].action != TM_ACT_PASS)
					continue;
				tm_buf_reset(&c->msg);
				tm_buf_addf(&c->msg, "%s %s %s rule %zu%s%s%s passes, and there is no BaselineAdminNetworkPolicy",
					    anp_kind(a), a->name, d ? "egress" : "ingress", j, rs[j].name ? " (" : "",
					    rs[j].name ? rs[j].name : "", rs[j].name ? ")" : "");
				tm_buf_reset(&c->obj);
				tm_buf_addf(&c->obj, "%s %s %s rule %zu", anp_kind(a), a->name, d ? "egress" : "ingress", j);
				tm_finding *fd = add(c, "TM109", TM_SEV_LOW, tm_buf_str(&c->obj));
				tm_finding_add_loc(c->out, fd, rs[j].loc, tm_buf_str(&c->obj));
				tm_finding_suppress(c->out, fd, a->ignore, tm_buf_str(&c->obj));
			}
		}
	}
}

/* ---- TM110 ---- */
static void peer_key(const tm_peer *p, tm_buf *b)
{
	tm_buf_reset(b);
	tm_buf_addf(b, "%d|%d|%d|", (int)p->kind, p->has_ns_sel, p->has_pod_sel);
	if (p->has_ns_sel)
		tm_selector_format(&p->ns_sel, b);
	tm_buf_addc(b, '|');
	if (p->has_pod_sel)
		tm_selector_format(&p->pod_sel, b);
	tm_buf_addf(b, "|%s", p->cidr ? p->cidr : "");
}

/* Selector peer y matches every pod that selector peer x matches, in any
 * cluster: y is every pod of every namespace; or y is every pod of the
 * policy's namespace and x stays in it; or y is every pod of the namespaces
 * that x's namespaceSelector also names. */
static bool sel_covers(const tm_peer *y, const tm_peer *x, tm_buf *ka, tm_buf *kb)
{
	if (y->kind != TM_PEER_SELECTOR || x->kind != TM_PEER_SELECTOR)
		return false;
	bool y_all_pods = !y->has_pod_sel || tm_selector_is_empty(&y->pod_sel);
	if (!y_all_pods)
		return false;
	if (!y->has_ns_sel) /* the policy's own namespace */
		return y->has_pod_sel && !x->has_ns_sel;
	if (tm_selector_is_empty(&y->ns_sel))
		return true;
	if (!x->has_ns_sel)
		return false;
	tm_buf_reset(ka);
	tm_buf_reset(kb);
	tm_selector_format(&y->ns_sel, ka);
	tm_selector_format(&x->ns_sel, kb);
	return !strcmp(tm_buf_str(ka), tm_buf_str(kb));
}

static bool peers_covered(const tm_rule *a, const tm_rule *b, tm_buf *ka, tm_buf *kb)
{
	if (b->all_peers)
		return true;
	if (a->all_peers)
		return false;
	for (size_t i = 0; i < a->npeers; i++) {
		if (a->peers[i].kind == TM_PEER_IPBLOCK) {
			/* covered by an ipBlock of b that contains every range of a's */
			bool ok = false;
			for (size_t j = 0; j < b->npeers && !ok; j++) {
				if (b->peers[j].kind != TM_PEER_IPBLOCK)
					continue;
				ok = true;
				for (size_t r = 0; r < a->peers[i].ips.n && ok; r++)
					ok = tm_ipset_contains_range(&b->peers[j].ips, a->peers[i].ips.r[r]);
			}
			if (!ok)
				return false;
			continue;
		}
		peer_key(&a->peers[i], ka);
		bool ok = false;
		for (size_t j = 0; j < b->npeers && !ok; j++) {
			peer_key(&b->peers[j], kb);
			ok = !strcmp(tm_buf_str(ka), tm_buf_str(kb)) || sel_covers(&b->peers[j], &a->peers[i], ka, kb);
		}
		if (!ok)
			return false;
	}
	return true;
}

static bool ports_covered(const tm_model *m, const tm_rule *a, const tm_rule *b)
{
	if (b->all_ports)
		return true;
	if (a->all_ports || a->has_named)
		return false;
	return tm_ports_minus(m->ports, a->fixed, b->fixed) == tm_ports_empty(m->ports);
}

static void check_redundant(ctx *c)
{
	const tm_model *m = c->m;
	tm_buf ka, kb, sa, sb;
	tm_buf_init(&ka, 0);
	tm_buf_init(&kb, 0);
	tm_buf_init(&sa, 0);
	tm_buf_init(&sb, 0);
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *np = m->netpols[i];
		tm_buf_reset(&sa);
		tm_selector_format(&np->pod_sel, &sa);
		for (int d = 0; d < 2; d++) {
			const tm_rule *rs = d ? np->eg_rules : np->in_rules;
			size_t n = d ? np->neg : np->nin;
			if (d ? !np->egress : !np->ingress)
				continue;
			for (size_t r = 0; r < n; r++) {
				const tm_rule *a = &rs[r];
				const tm_netpol *by = NULL;
				size_t by_rule = 0;
				size_t lo, hi;
				ns_range(m, np->ns, &lo, &hi);
				for (size_t j = lo; j < hi && !by; j++) {
					const tm_netpol *q = m->netpols[j];
					if (strcmp(q->ns, np->ns) || (d ? !q->egress : !q->ingress))
						continue;
					tm_buf_reset(&sb);
					tm_selector_format(&q->pod_sel, &sb);
					if (strcmp(tm_buf_str(&sa), tm_buf_str(&sb)))
						continue;
					const tm_rule *qs = d ? q->eg_rules : q->in_rules;
					size_t qn = d ? q->neg : q->nin;
					for (size_t t = 0; t < qn && !by; t++) {
						const tm_rule *b = &qs[t];
						if (b == a || !peers_covered(a, b, &ka, &kb) || !ports_covered(m, a, b))
							continue;
						/* of two equal rules, only the later one is redundant */
						bool mutual = peers_covered(b, a, &ka, &kb) && ports_covered(m, b, a);
						if (mutual && (j > i || (j == i && t > r)))
							continue;
						by = q;
						by_rule = t;
					}
				}
				if (!by)
					continue;
				const char *dir = d ? "egress" : "ingress";
				tm_buf_reset(&c->msg);
				tm_buf_addf(&c->msg, "%s %s/%s %s rule %zu is covered by %s %s/%s %s rule %zu",
					    TM_NETPOL_KIND(np), np->ns, np->name, dir, a->index, TM_NETPOL_KIND(by), by->ns, by->name, dir, by_rule);
				tm_buf_reset(&c->obj);
				tm_buf_addf(&c->obj, "%s %s/%s %s rule %zu", TM_NETPOL_KIND(np), np->ns, np->name, dir, a->index);
				tm_finding *fd = add(c, "TM110", TM_SEV_INFO, tm_buf_str(&c->obj));
				tm_finding_add_loc(c->out, fd, a->loc, tm_buf_str(&c->obj));
				suppress_np(c, fd, np);
			}
		}
	}
	tm_buf_release(&ka);
	tm_buf_release(&kb);
	tm_buf_release(&sa);
	tm_buf_release(&sb);
}

/* ---- TM111 ---- */
static void check_inert(ctx *c, const tm_netpol *np)
{
	for (int d = 0; d < 2; d++) {
		const tm_rule *rs = d ? np->eg_rules : np->in_rules;
		size_t n = d ? np->neg : np->nin;
		if (d ? np->egress : np->ingress)
			continue;
		const char *dir = d ? "egress" : "ingress";
		for (size_t i = 0; i < n; i++) {
			tm_buf_reset(&c->msg);
			tm_buf_addf(&c->msg,
				    "%s %s/%s %s rule %zu has no effect: the policy's policyTypes is [%s], so its %s "
				    "rules are ignored",
				    TM_NETPOL_KIND(np), np->ns, np->name, dir, rs[i].index, np->ingress ? "Ingress" : "Egress", dir);
			tm_buf_reset(&c->obj);
			tm_buf_addf(&c->obj, "%s %s/%s %s rule %zu", TM_NETPOL_KIND(np), np->ns, np->name, dir, rs[i].index);
			tm_finding *fd = add(c, "TM111", TM_SEV_MEDIUM, tm_buf_str(&c->obj));
			tm_finding_add_loc(c->out, fd, rs[i].loc, tm_buf_str(&c->obj));
			suppress_np(c, fd, np);
			suppress_ns(c, fd, tm_model_namespace((tm_model *)c->m, np->ns, false));
		}
	}
}

/* ---- TM112 ---- */
/* Does selector peer p (of a policy in namespace pns) match a workload of
 * the input? If not, *unknown lists the namespaces without a Namespace
 * object whose workloads it could match (their labels decide), and *nss the
 * namespaces of the input that its namespaceSelector selects (or may
 * select) but where no workload matches its podSelector. */
static bool peer_matches_any(ctx *c, const tm_peer *p, const char *pns, tm_buf *unknown, tm_buf *nss)
{
	const tm_model *m = c->m;
	if (!p->has_ns_sel) {
		size_t k = 0, lo, hi;
		while (wl_run(c, pns, &k, &lo, &hi))
			for (size_t j = lo; j < hi; j++)
				if (!p->has_pod_sel || tm_selector_matches(&p->pod_sel, &m->workloads[j]->labels))
					return true;
		return false;
	}
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const tm_namespace *ns = m->namespaces[i];
		/* an undeclared namespace's labels are unknown but for its name */
		tm_nssel_answer sel = tm_namespace_select(ns, &p->ns_sel);
		if (sel == TM_NSSEL_NO)
			continue;
		bool pods = false;
		size_t k = 0, lo, hi;
		while (!pods && wl_run(c, ns->name, &k, &lo, &hi))
			for (size_t j = lo; j < hi && !pods; j++)
				pods = !p->has_pod_sel || tm_selector_matches(&p->pod_sel, &m->workloads[j]->labels);
		if (pods && sel == TM_NSSEL_YES)
			return true;
		tm_buf *b = pods ? unknown : nss;
		tm_buf_addf(b, "%s%s", b->len ? ", " : "", ns->name);
	}
	return false;
}

static void check_peers(ctx *c, const tm_netpol *np)
{
	tm_buf unknown, nss, sel;
	tm_buf_init(&unknown, 0);
	tm_buf_init(&nss, 0);
	tm_buf_init(&sel, 0);
	tm_label kl[2] = {{"kubernetes.io/metadata.name", "kube-system"}, {"name", "kube-system"}};
	tm_label dl[1] = {{"k8s-app", "kube-dns"}};
	tm_labels ksl = {2, kl}, dnsl = {1, dl};
	for (int d = 0; d < 2; d++) {
		const tm_rule *rs = d ? np->eg_rules : np->in_rules;
		size_t n = d ? np->neg : np->nin;
		if (d ? !np->egress : !np->ingress)
			continue;
		const char *dir = d ? "egress" : "ingress";
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; k < rs[i].npeers; k++) {
				const tm_peer *p = &rs[i].peers[k];
				if (p->kind != TM_PEER_SELECTOR)
					continue;
				/* the cluster DNS: TM108 and its note speak for it */
				if (d && peer_aims_dns(p, np->ns, &ksl, &dnsl))
					continue;
				tm_buf_reset(&unknown);
				tm_buf_reset(&nss);
				if (peer_matches_any(c, p, np->ns, &unknown, &nss))
					continue;
				tm_buf_reset(&sel);
				if (p->has_ns_sel) {
					tm_buf_adds(&sel, "namespaceSelector ");
					tm_selector_format(&p->ns_sel, &sel);
				}
				if (p->has_pod_sel) {
					tm_buf_addf(&sel, "%spodSelector ", sel.len ? " + " : "");
					tm_selector_format(&p->pod_sel, &sel);
				}
				tm_buf_reset(&c->msg);
				tm_buf_addf(&c->msg, "%s %s/%s %s rule %zu peer %zu (%s) ", TM_NETPOL_KIND(np), np->ns, np->name, dir,
					    rs[i].index, k, tm_buf_str(&sel));
				tm_severity sev = TM_SEV_LOW;
				if (unknown.len) {
					tm_buf_addf(&c->msg,
						    "matches no workload of a namespace whose labels are known; it may match workloads "
						    "of %s, which %s no Namespace object in the input (labels unknown)",
						    tm_buf_str(&unknown), strchr(tm_buf_str(&unknown), ',') ? "have" : "has");
					sev = TM_SEV_INFO;
				} else if (!p->has_ns_sel)
					tm_buf_addf(&c->msg, "matches no workload of namespace %s: it allows nothing", np->ns);
				else if (nss.len)
					tm_buf_addf(&c->msg, "matches no workload of the input: no workload of %s matches its podSelector",
						    tm_buf_str(&nss));
				else {
					tm_buf_adds(&c->msg, "selects no namespace of the input; it may match namespaces that are not in the input");
					sev = TM_SEV_INFO;
				}
				tm_buf_reset(&c->obj);
				tm_buf_addf(&c->obj, "%s %s/%s %s rule %zu peer %zu", TM_NETPOL_KIND(np), np->ns, np->name, dir,
					    rs[i].index, k);
				tm_finding *fd = add(c, "TM112", sev, tm_buf_str(&c->obj));
				tm_finding_add_loc(c->out, fd, p->loc.line ? p->loc : rs[i].loc, tm_buf_str(&c->obj));
				suppress_np(c, fd, np);
				suppress_ns(c, fd, tm_model_namespace((tm_model *)c->m, np->ns, false));
			}
		}
	}
	tm_buf_release(&unknown);
	tm_buf_release(&nss);
	tm_buf_release(&sel);
}

/* ---- trustmap.io/ignore names ---- */

/* One annotation: every name before the ':' must be a check id, a zone rule
 * of z or '*'; a name that is none suppresses nothing, which is said, at
 * loc: the annotation's key (ignore_loc in the model). */
static void ignore_names(tm_model *m, const tm_zones *z, const char *ann, tm_srcloc loc, const char *object)
{
	if (!ann)
		return;
	size_t pos = 0, n;
	const char *a;
	while (tm_ignore_next(ann, &pos, &a, &n)) {
		if (!n || (n == 1 && *a == '*'))
			continue;
		bool known = false;
		const tm_check_info *byname = NULL;
		for (size_t i = 0; i < TM_ARRAY_LEN(checks) && !known; i++) {
			if (strlen(checks[i].id) == n && !memcmp(checks[i].id, a, n))
				known = true;
			else if (strlen(checks[i].name) == n && !memcmp(checks[i].name, a, n))
				byname = &checks[i];
		}
		for (size_t i = 0; z && i < z->nrules && !known; i++)
			known = strlen(z->rules[i].name) == n && !memcmp(z->rules[i].name, a, n);
		if (known)
			continue;
		if (byname)
			tm_diags_add(&m->diags, TM_DIAG_WARN, loc,
				     "trustmap.io/ignore on %s names check '%.*s' by its name; it takes the id: %s", object,
				     (int)n, a, byname->id);
		else
			tm_diags_add(&m->diags, TM_DIAG_WARN, loc,
				     "trustmap.io/ignore on %s names '%.*s', which is neither a check id (%s-%s) nor a "
				     "rule of the zones file: it suppresses nothing",
				     object, (int)n, a, checks[0].id, checks[TM_ARRAY_LEN(checks) - 1].id);
	}
}

void tm_check_ignore_names(tm_model *m, const tm_zones *z)
{
	tm_buf obj;
	tm_buf_init(&obj, 0);
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const tm_namespace *ns = m->namespaces[i];
		tm_buf_reset(&obj);
		tm_buf_addf(&obj, "Namespace %s", ns->name);
		ignore_names(m, z, ns->ignore, ns->ignore_loc, tm_buf_str(&obj));
	}
	for (size_t i = 0; i < m->nworkloads; i++) {
		const tm_workload *w = m->workloads[i];
		if (w->folded_into)
			continue;
		tm_buf_reset(&obj);
		tm_buf_addf(&obj, "%s %s/%s", w->kind, w->ns, w->name);
		ignore_names(m, z, w->ignore, w->ignore_loc, tm_buf_str(&obj));
	}
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *np = m->netpols[i];
		tm_buf_reset(&obj);
		tm_buf_addf(&obj, "%s %s/%s", TM_NETPOL_KIND(np), np->ns, np->name);
		ignore_names(m, z, np->ignore, np->ignore_loc, tm_buf_str(&obj));
	}
	for (size_t i = 0; m->mesh && i < m->mesh->nvss; i++) {
		const tm_virtualsvc *vs = m->mesh->vss[i];
		tm_buf_reset(&obj);
		tm_buf_addf(&obj, "VirtualService %s/%s", vs->ns, vs->name);
		ignore_names(m, z, vs->ignore, vs->ignore_loc, tm_buf_str(&obj));
	}
	for (size_t k = 0; k < 3; k++) {
		size_t n = k == 0 ? m->nanps : k == 1 ? (m->banp != NULL) : m->nbaselines;
		for (size_t i = 0; i < n; i++) {
			const tm_anp *a = k == 0 ? m->anps[i] : k == 1 ? m->banp : m->baselines[i];
			tm_buf_reset(&obj);
			tm_buf_addf(&obj, "%s %s", a->kind, a->name);
			ignore_names(m, z, a->ignore, a->ignore_loc, tm_buf_str(&obj));
		}
	}
	tm_buf_release(&obj);
}

tm_err tm_checks_run(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out)
{
	ctx c = {.g = g, .m = g->m, .z = z, .zm = zm, .out = out};
	tm_buf_init(&c.msg, 0);
	tm_buf_init(&c.obj, 0);
	build_runs(&c);
	bool escapes = tm_checks_escape_applies(g);
	for (size_t i = 0; i < TM_ARRAY_LEN(checks); i++)
		if (!checks[i].observed && !checks[i].diff && /* the drift checks' rules come with observed traffic,
							       * the diff checks' with diff */
		    (zm->mesh || !tm_check_is_mesh(checks[i].id)) && /* the mesh checks judge only mesh inputs */
		    (escapes || !tm_check_is_escape(checks[i].id)))
			tm_findings_add_rule(out, checks[i].id, checks[i].name, checks[i].title, checks[i].help, checks[i].severity);
	check_isolation(&c);
	check_selects_nothing(&c);
	for (size_t i = 0; i < g->m->nnetpols; i++) {
		const tm_netpol *np = g->m->netpols[i];
		if (np->ingress) {
			check_allow_all_rules(&c, np, np->in_rules, np->nin, true);
			check_named_ports(&c, np, np->in_rules, np->nin, true);
		}
		if (np->egress) {
			check_allow_all_rules(&c, np, np->eg_rules, np->neg, false);
			check_named_ports(&c, np, np->eg_rules, np->neg, false);
		}
	}
	for (size_t i = 0; i < g->m->nanps; i++)
		check_allow_all_anp(&c, g->m->anps[i]);
	if (g->m->banp)
		check_allow_all_anp(&c, g->m->banp);
	for (size_t i = 0; i < g->m->nbaselines; i++)
		check_allow_all_anp(&c, g->m->baselines[i]);
	check_exposure(&c);
	check_dns(&c);
	check_pass(&c);
	check_redundant(&c);
	for (size_t i = 0; i < g->m->nnetpols; i++) {
		check_inert(&c, g->m->netpols[i]);
		check_peers(&c, g->m->netpols[i]);
	}
	if (zm->mesh)
		tm_checks_mesh_run(g, z, zm, out);
	if (escapes)
		tm_checks_escape_run(g, z, zm, out);
	tm_buf_release(&c.msg);
	tm_buf_release(&c.obj);
	free(c.runs);
	return TM_OK;
}

tm_err tm_check_all(tm_graph *g, const tm_zones *z, tm_findings *out)
{
	return tm_check_all_ev(g, z, NULL, out);
}

tm_err tm_check_all_ev(tm_graph *g, const tm_zones *z, const tm_mtls_evidence *ev, tm_findings *out)
{
	return tm_check_all_with(g, z, ev, NULL, NULL, NULL, out);
}

tm_err tm_check_all_obs(tm_graph *g, const tm_zones *z, const tm_mtls_evidence *ev, const struct tm_flowmap *o,
			const struct tm_flowset *fs, tm_findings *out)
{
	return tm_check_all_with(g, z, ev, NULL, o, fs, out);
}

tm_err tm_check_all_mesh(tm_graph *g, const tm_zones *z, const tm_mtls_evidence *ev, const struct tm_mesh_result *mesh,
			 tm_findings *out)
{
	return tm_check_all_with(g, z, ev, mesh, NULL, NULL, out);
}

tm_err tm_check_all_with(tm_graph *g, const tm_zones *z, const tm_mtls_evidence *ev, const struct tm_mesh_result *mesh,
			 const struct tm_flowmap *o, const struct tm_flowset *fs, tm_findings *out)
{
	tm_zonemap zm;
	tm_zonemap_build(&zm, g, z);
	zm.ev = ev;
	zm.mesh = mesh;
	tm_err rc = tm_zones_eval(g, z, &zm, out);
	if (rc == TM_OK)
		rc = tm_checks_run(g, z, &zm, out);
	if (rc == TM_OK && o && fs)
		rc = tm_drift_run(g, z, &zm, o, fs, out);
	if (rc == TM_OK)
		rc = tm_zones_report(g, z, &zm, out);
	tm_zonemap_release(&zm);
	tm_findings_sort(out);
	return rc;
}
