/* k8s_cnp.c - ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2):
 * tier Admin or Baseline, priority 0..1000, a subject, and ingress/egress
 * rules with Accept/Deny/Pass, peers (namespaces, pods; egress also
 * networks, nodes, domainNames) and `protocols` (tcp/udp/sctp with a
 * destinationPort number or range, or destinationNamedPort).
 * Read into the same tm_anp shape as the v1alpha1 policies, so the engine
 * has one tier walk for all of them. */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"

#include <string.h>

static bool read_selector_peer(tm_k8s_ctx *c, const char *k, const tm_node *v, const char *field, tm_peer *peer)
{
	peer->kind = TM_PEER_SELECTOR;
	if (!strcmp(k, "namespaces")) {
		peer->has_ns_sel = true;
		return tm_k8s_selector(c, v, field, &peer->ns_sel);
	}
	peer->has_ns_sel = peer->has_pod_sel = true;
	if (v->kind != TM_NODE_MAP) {
		tm_k8s_error(c, v, field, "pods: expected a map");
		return false;
	}
	bool ok = tm_k8s_selector(c, tm_node_get(v, "namespaceSelector"), field, &peer->ns_sel);
	return tm_k8s_selector(c, tm_node_get(v, "podSelector"), field, &peer->pod_sel) && ok;
}

static bool read_peer(tm_k8s_ctx *c, const tm_node *p, const char *field, bool egress, tm_peer *peer)
{
	peer->loc = p->loc;
	if (p->kind != TM_NODE_MAP || p->n != 1) {
		tm_k8s_error(c, p, field, "exactly one of namespaces, pods%s is required",
			     egress ? ", nodes, networks, domainNames" : "");
		return false;
	}
	const char *k = p->pairs[0].key->str;
	const tm_node *v = p->pairs[0].val;
	if (!strcmp(k, "namespaces") || !strcmp(k, "pods"))
		return read_selector_peer(c, k, v, field, peer);
	if (egress && (!strcmp(k, "nodes") || !strcmp(k, "domainNames"))) {
		peer->kind = TM_PEER_NODES;
		tm_k8s_warn(c, v, "%s: %s peers are not modelled; the peer matches nothing here", field, k);
		return true;
	}
	if (egress && !strcmp(k, "networks"))
		return tm_k8s_networks(c, v, field, true, peer);
	tm_k8s_error(c, p, field, "unknown peer type \"%s\"", k);
	return false;
}

/* one entry of protocols: {tcp: {destinationPort: {number: 80}}}, {udp: {destinationPort: {range: {start, end}}}},
 * {destinationNamedPort: http} */
static bool read_protocol(tm_k8s_ctx *c, const tm_node *p, const char *field, size_t j, tm_portspec *sp)
{
	if (p->kind != TM_NODE_MAP || p->n != 1) {
		tm_k8s_error(c, p, field, "[%zu]: exactly one of tcp, udp, sctp, destinationNamedPort is required", j);
		return false;
	}
	const char *k = p->pairs[0].key->str;
	const tm_node *v = p->pairs[0].val;
	if (!strcmp(k, "destinationNamedPort")) {
		if (v->kind != TM_NODE_SCALAR || !*v->str) {
			tm_k8s_error(c, v, field, "[%zu].destinationNamedPort: expected a port name", j);
			return false;
		}
		sp->name = v->str;
		sp->proto_from_pod = true;
		return true;
	}
	if (!strcmp(k, "tcp"))
		sp->proto = TM_PROTO_TCP;
	else if (!strcmp(k, "udp"))
		sp->proto = TM_PROTO_UDP;
	else if (!strcmp(k, "sctp"))
		sp->proto = TM_PROTO_SCTP;
	else {
		tm_k8s_error(c, p, field, "[%zu]: unknown protocol \"%s\" (tcp, udp, sctp, destinationNamedPort)", j, k);
		return false;
	}
	const tm_node *dp = tm_node_get(v, "destinationPort");
	if (!dp || dp->kind != TM_NODE_MAP || dp->n != 1) {
		tm_k8s_error(c, v, field, "[%zu].%s.destinationPort: exactly one of number, range is required", j, k);
		return false;
	}
	long long a = 0, b = 0;
	bool ha = false, hb = false;
	unsigned e1 = c->nerrors;
	if (tm_node_get(dp, "number")) {
		tm_k8s_int(c, dp, "number", field, &a, &ha);
		b = a;
		hb = ha;
	} else {
		const tm_node *rg = tm_node_get(dp, "range");
		tm_k8s_int(c, rg, "start", field, &a, &ha);
		tm_k8s_int(c, rg, "end", field, &b, &hb);
		if (c->nerrors == e1 && ha && hb && a >= b)
			tm_k8s_error(c, rg ? rg : dp, field, "[%zu]: range start %lld must be less than end %lld", j, a, b);
	}
	if (c->nerrors == e1 && (!ha || !hb || a < 1 || b > 65535 || a > b))
		tm_k8s_error(c, dp, field, "[%zu]: ports must be between 1 and 65535", j);
	if (c->nerrors != e1)
		return false;
	sp->port = (uint32_t)a;
	sp->end_port = (uint32_t)b;
	return true;
}

void tm_k8s_cnp(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	const tm_node *meta = tm_node_get(c->obj, "metadata");
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	const char *tier = NULL;
	long long prio = 0;
	bool has = false;
	if (c->failed)
		return;
	/* tier, priority, subject and rules are checked on their own */
	if (tm_k8s_str(c, spec, "tier", "spec.tier", &tier) &&
	    (!tier || (strcmp(tier, "Admin") && strcmp(tier, "Baseline"))))
		tm_k8s_error(c, tm_node_get(spec, "tier") ? tm_node_get(spec, "tier") : spec, "spec.tier",
			     "\"%s\" is not one of Admin, Baseline", tier ? tier : "");
	if (tm_k8s_int(c, spec, "priority", "spec.priority", &prio, &has) && (!has || prio < 0 || prio > 1000))
		tm_k8s_error(c, tm_node_get(spec, "priority") ? tm_node_get(spec, "priority") : spec, "spec.priority",
			     "must be between 0 and 1000");
	tm_anp *a = tm_arena_alloc(&m->arena, sizeof *a);
	a->baseline = tier && !strcmp(tier, "Baseline");
	a->kind = tm_intern(&m->strs, "ClusterNetworkPolicy");
	a->name = c->name;
	a->priority = (int)prio;
	a->loc = c->obj->loc;
	a->ignore = tm_k8s_ignore_annotation(meta, &a->ignore_loc);
	unsigned e0 = c->nerrors;
	const tm_node *subj = tm_k8s_map(c, spec, "subject", "spec.subject");
	if (c->nerrors == e0 && (!subj || subj->n != 1 || (strcmp(subj->pairs[0].key->str, "namespaces") &&
							    strcmp(subj->pairs[0].key->str, "pods"))))
		tm_k8s_error(c, subj ? subj : spec, "spec.subject", "exactly one of namespaces, pods is required");
	else if (subj) {
		tm_peer s = {0};
		read_selector_peer(c, subj->pairs[0].key->str, subj->pairs[0].val, "spec.subject", &s);
		a->subject_pods = s.has_pod_sel;
		a->subj_ns = s.ns_sel;
		a->subj_pod = s.pod_sel;
	}
	/* v1alpha2: at most 25 rules, Accept for Allow, Pass in both tiers */
	static const tm_k8s_admin_flavour fl = {"Accept", true, 25, "protocols", read_peer, read_protocol};
	tm_k8s_admin_rules(c, spec, true, &fl, &a->in_rules, &a->nin);
	tm_k8s_admin_rules(c, spec, false, &fl, &a->eg_rules, &a->neg);
	if (c->failed) {
		tm_k8s_rules_release(a->in_rules, a->nin);
		tm_k8s_rules_release(a->eg_rules, a->neg);
		return;
	}
	/* same tier and priority: the API leaves the order to the implementation */
	tm_anp **list = a->baseline ? m->baselines : m->anps;
	size_t n = a->baseline ? m->nbaselines : m->nanps;
	for (size_t i = 0; i < n; i++)
		if (list[i]->priority == a->priority)
			tm_k8s_warn(c, tm_node_get(spec, "priority"),
				    "spec.priority %d is also used by %s %s (%s:%u): their relative order is undefined; "
				    "trustmap takes them by name", a->priority, list[i]->kind ? list[i]->kind : "AdminNetworkPolicy",
				    list[i]->name, list[i]->loc.file, list[i]->loc.line);
	if (a->baseline) {
		TM_ARENA_GROW(&m->arena, m->baselines, m->nbaselines, m->cap_bl);
		m->baselines[m->nbaselines++] = a;
	} else {
		TM_ARENA_GROW(&m->arena, m->anps, m->nanps, m->cap_anp);
		m->anps[m->nanps++] = a;
	}
}
