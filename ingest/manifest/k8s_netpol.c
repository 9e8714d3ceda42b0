/* k8s_netpol.c - NetworkPolicy (networking.k8s.io/v1) and
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.networking.k8s.io
 * v1alpha1), validated as the API server does. */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"

#include <stdlib.h>
#include <string.h>

/* Fold the numeric port entries of a rule into rule->fixed. */
void tm_k8s_rule_settle(tm_model *m, tm_rule *r)
{
	const tm_ports *u = tm_ports_empty(m->ports);
	if (r->all_ports) {
		r->fixed = tm_ports_all(m->ports);
		return;
	}
	for (size_t i = 0; i < r->nports; i++) {
		tm_portspec *p = &r->ports[i];
		if (p->name) {
			r->has_named = true;
			continue;
		}
		if (p->port == 0)
			u = tm_ports_union(m->ports, u, tm_ports_range(m->ports, p->proto, 1, 65535));
		else
			u = tm_ports_union(m->ports, u, tm_ports_range(m->ports, p->proto, p->port,
								       p->end_port ? p->end_port : p->port));
	}
	r->fixed = u;
}

/* Free the heap ranges of rules that will not reach the model (a failed or
 * replaced policy); the model frees those of the policies it holds. */
void tm_k8s_rules_release(tm_rule *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		for (size_t k = 0; k < r[i].npeers; k++)
			tm_ipset_release(&r[i].peers[k].ips);
}

/* An ANP/CNP `networks` peer: CIDRs into peer->ips (IPv6 blocks without
 * the IPv4 part of the space, tm_ipset_add_block). */
bool tm_k8s_networks(tm_k8s_ctx *c, const tm_node *v, const char *field, bool nonempty, tm_peer *peer)
{
	peer->kind = TM_PEER_IPBLOCK;
	tm_ipset_init(&peer->ips);
	if (v->kind != TM_NODE_SEQ || (nonempty && v->n == 0)) {
		tm_k8s_error(c, v, field, "networks: expected a %slist of CIDRs", nonempty ? "non-empty " : "");
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < v->n; i++) {
		tm_iprange r;
		bool v4;
		const tm_node *cn = v->items[i];
		if (cn->kind != TM_NODE_SCALAR || !tm_cidr_parse(cn->str, &r, &v4)) {
			tm_k8s_error(c, cn, field, "networks[%zu]: \"%s\" is not a valid CIDR", i,
				     cn->kind == TM_NODE_SCALAR ? cn->str : "");
			ok = false;
			continue;
		}
		if (!v4)
			peer->has_v6 = true;
		tm_ipset_add_block(&peer->ips, r, v4);
		if (!peer->cidr)
			peer->cidr = cn->str;
	}
	if (!ok)
		tm_ipset_release(&peer->ips);
	return ok;
}

/* ipBlock {cidr, except}: every except entry is checked against cidr */
static bool read_ipblock(tm_k8s_ctx *c, const tm_node *ib, const char *field, tm_peer *peer)
{
	const char *cidr = NULL;
	if (ib->kind != TM_NODE_MAP) {
		tm_k8s_error(c, ib, field, "expected a map, got %s", tm_node_kind_str(ib));
		return false;
	}
	static const char *const known[] = {"cidr", "except", NULL};
	tm_k8s_known_fields(c, ib, field, known);
	if (!tm_k8s_str(c, ib, "cidr", field, &cidr))
		return false;
	tm_iprange r;
	bool v4;
	if (!cidr || !tm_cidr_parse(cidr, &r, &v4)) {
		tm_k8s_error(c, tm_node_get(ib, "cidr") ? tm_node_get(ib, "cidr") : ib, field,
			     "cidr: \"%s\" is not a valid CIDR", cidr ? cidr : "");
		return false; /* the except entries are judged against it */
	}
	peer->kind = TM_PEER_IPBLOCK;
	peer->cidr = cidr;
	peer->has_v6 = !v4;
	tm_ipset_init(&peer->ips);
	tm_ipset_add(&peer->ips, r);
	if (!v4) /* an IPv6 block never holds IPv4 addresses (kept in ::ffff:0:0/96) */
		tm_ipset_subtract(&peer->ips, tm_iprange_v4_all());
	unsigned e0 = c->nerrors;
	const tm_node *ex = tm_k8s_seq(c, ib, "except", field);
	for (size_t i = 0; ex && i < ex->n; i++) {
		tm_iprange e;
		bool ev4;
		const tm_node *en = ex->items[i];
		if (en->kind != TM_NODE_SCALAR || !tm_cidr_parse(en->str, &e, &ev4)) {
			tm_k8s_error(c, en, field, "except[%zu]: \"%s\" is not a valid CIDR", i,
				     en->kind == TM_NODE_SCALAR ? en->str : "");
			continue;
		}
		if (ev4 != v4 || tm_ip_cmp(e.lo, r.lo) < 0 || tm_ip_cmp(e.hi, r.hi) > 0 ||
		    (tm_ip_cmp(e.lo, r.lo) == 0 && tm_ip_cmp(e.hi, r.hi) == 0)) {
			tm_k8s_error(c, en, field, "except[%zu]: \"%s\" must be a strict subset of cidr \"%s\"",
				     i, en->str, cidr);
			continue;
		}
		tm_ipset_subtract(&peer->ips, e);
	}
	if (c->nerrors != e0) {
		tm_ipset_release(&peer->ips);
		return false;
	}
	return true;
}

static bool read_np_peer(tm_k8s_ctx *c, const tm_node *p, const char *field, tm_peer *peer)
{
	peer->loc = p->loc;
	if (p->kind != TM_NODE_MAP) {
		tm_k8s_error(c, p, field, "expected a map, got %s", tm_node_kind_str(p));
		return false;
	}
	static const char *const known[] = {"podSelector", "namespaceSelector", "ipBlock", NULL};
	tm_k8s_known_fields(c, p, field, known);
	const tm_node *ps = tm_node_get(p, "podSelector");
	const tm_node *ns = tm_node_get(p, "namespaceSelector");
	const tm_node *ib = tm_node_get(p, "ipBlock");
	bool hps = !tm_node_is_null(ps), hns = !tm_node_is_null(ns), hib = !tm_node_is_null(ib);
	if (!hps && !hns && !hib) {
		tm_k8s_error(c, p, field, "must specify at least one of podSelector, namespaceSelector, ipBlock");
		return false;
	}
	if (hib && (hps || hns)) {
		tm_k8s_error(c, p, field, "may not specify ipBlock together with podSelector or namespaceSelector");
		return false;
	}
	if (hib)
		return read_ipblock(c, ib, field, peer);
	peer->kind = TM_PEER_SELECTOR;
	peer->has_pod_sel = hps;
	peer->has_ns_sel = hns;
	/* both selectors are checked */
	bool ok = tm_k8s_selector(c, ps, field, &peer->pod_sel);
	return tm_k8s_selector(c, ns, field, &peer->ns_sel) && ok;
}

/* protocol and port are checked on their own; endPort needs a good port */
static bool read_np_port(tm_k8s_ctx *c, const tm_node *p, const char *field, tm_portspec *ps)
{
	ps->loc = p->loc;
	if (p->kind != TM_NODE_MAP) {
		tm_k8s_error(c, p, field, "expected a map, got %s", tm_node_kind_str(p));
		return false;
	}
	static const char *const known[] = {"protocol", "port", "endPort", NULL};
	tm_k8s_known_fields(c, p, field, known);
	unsigned e0 = c->nerrors;
	const char *proto = NULL;
	ps->proto = TM_PROTO_TCP;
	if (tm_k8s_str(c, p, "protocol", field, &proto) && proto && !tm_proto_parse(proto, &ps->proto))
		tm_k8s_error(c, tm_node_get(p, "protocol"), field, "protocol: \"%s\" is not one of TCP, UDP, SCTP", proto);
	const tm_node *pn = tm_node_get(p, "port");
	long long end = 0;
	bool has_end = false;
	bool end_ok = tm_k8s_int(c, p, "endPort", field, &end, &has_end);
	bool port_ok = true;
	if (!tm_node_is_null(pn)) {
		long long iv = 0;
		const char *sv = NULL;
		bool is_int;
		if (!tm_k8s_int_or_str(c, pn, field, &iv, &sv, &is_int))
			port_ok = false;
		else if (is_int) {
			if (iv < 1 || iv > 65535) {
				tm_k8s_error(c, pn, field, "port: %lld must be between 1 and 65535", iv);
				port_ok = false;
			} else
				ps->port = (uint32_t)iv;
		} else {
			tm_buf why;
			tm_buf_init(&why, 1024);
			if (!tm_valid_port_name(sv, &why)) {
				tm_k8s_error(c, pn, field, "%s", tm_buf_str(&why));
				port_ok = false;
			} else
				ps->name = sv;
			tm_buf_release(&why);
		}
	}
	if (has_end && end_ok && port_ok) {
		if (ps->name || !ps->port)
			tm_k8s_error(c, tm_node_get(p, "endPort"), field,
				     "endPort may only be given with a numeric port");
		else if (end < ps->port || end > 65535)
			tm_k8s_error(c, tm_node_get(p, "endPort"), field,
				     "endPort %lld must be between port %u and 65535", end, ps->port);
		else
			ps->end_port = (uint32_t)end;
	}
	return c->nerrors == e0;
}

/* Every rule, and in it every peer and port, is checked on its own; false
 * if one is bad. *nout counts every rule (their peers are released as a
 * whole when the policy fails). */
static bool read_np_rules(tm_k8s_ctx *c, const tm_node *spec, bool ingress, tm_rule **out, size_t *nout)
{
	tm_model *m = c->m;
	const char *dir = ingress ? "spec.ingress" : "spec.egress";
	const char *peers_key = ingress ? "from" : "to";
	unsigned e0 = c->nerrors;
	const tm_node *rules = tm_k8s_seq(c, spec, ingress ? "ingress" : "egress", dir);
	*out = NULL;
	*nout = 0;
	if (!rules)
		return c->nerrors == e0;
	*out = tm_arena_alloc(&m->arena, (rules->n ? rules->n : 1) * sizeof(tm_rule));
	*nout = rules->n;
	for (size_t i = 0; i < rules->n; i++) {
		const tm_node *rn = rules->items[i];
		tm_rule *r = &(*out)[i];
		r->action = TM_ACT_ALLOW;
		r->index = i;
		r->loc = rn->loc;
		char field[96];
		if (tm_node_is_null(rn)) {
			/* "- {}" written as "-": allows everything */
			r->all_peers = r->all_ports = true;
			tm_k8s_rule_settle(m, r);
			continue;
		}
		if (rn->kind != TM_NODE_MAP) {
			tm_k8s_error(c, rn, dir, "[%zu]: expected a map, got %s", i, tm_node_kind_str(rn));
			continue;
		}
		{
			const char *const known[] = {peers_key, "ports", NULL};
			snprintf(field, sizeof field, "%s[%zu]", dir, i);
			tm_k8s_known_fields(c, rn, field, known);
		}
		unsigned e1 = c->nerrors;
		snprintf(field, sizeof field, "%s[%zu].%s", dir, i, peers_key);
		const tm_node *peers = tm_k8s_seq(c, rn, peers_key, field);
		if (c->nerrors == e1 && (!peers || peers->n == 0))
			r->all_peers = true;
		else if (peers) {
			r->peers = tm_arena_alloc(&m->arena, peers->n * sizeof(tm_peer));
			r->npeers = peers->n;
			for (size_t j = 0; j < peers->n; j++) {
				snprintf(field, sizeof field, "%s[%zu].%s[%zu]", dir, i, peers_key, j);
				read_np_peer(c, peers->items[j], field, &r->peers[j]);
			}
		}
		snprintf(field, sizeof field, "%s[%zu].ports", dir, i);
		unsigned e2 = c->nerrors;
		const tm_node *ports = tm_k8s_seq(c, rn, "ports", field);
		if (c->nerrors == e2 && (!ports || ports->n == 0))
			r->all_ports = true;
		else if (ports) {
			r->ports = tm_arena_alloc(&m->arena, ports->n * sizeof(tm_portspec));
			r->nports = ports->n;
			for (size_t j = 0; j < ports->n; j++) {
				snprintf(field, sizeof field, "%s[%zu].ports[%zu]", dir, i, j);
				read_np_port(c, ports->items[j], field, &r->ports[j]);
			}
		}
		if (c->nerrors != e1)
			continue;
		/* a named port towards an ipBlock cannot be resolved */
		for (size_t j = 0; j < r->npeers; j++)
			for (size_t k = 0; k < r->nports; k++)
				if (r->peers[j].kind == TM_PEER_IPBLOCK && r->ports[k].name && !ingress) {
					tm_k8s_warn(c, rn,
						    "%s[%zu]: named port \"%s\" cannot be resolved for ipBlock peers",
						    dir, i, r->ports[k].name);
					goto settled;
				}
settled:
		tm_k8s_rule_settle(m, r);
	}
	return c->nerrors == e0;
}

void tm_k8s_netpol(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	const tm_node *meta = tm_node_get(c->obj, "metadata");
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	tm_netpol *np = tm_arena_alloc(&m->arena, sizeof *np);
	np->ns = c->ns;
	np->name = c->name;
	np->loc = c->obj->loc;
	np->ignore = tm_k8s_ignore_annotation(meta, &np->ignore_loc);
	static const char *const known_spec[] = {"podSelector", "policyTypes", "ingress", "egress", NULL};
	tm_k8s_known_fields(c, spec, "spec", known_spec);
	/* podSelector, the rules and policyTypes are checked on their own */
	tm_k8s_selector(c, tm_node_get(spec, "podSelector"), "spec.podSelector", &np->pod_sel);
	read_np_rules(c, spec, true, &np->in_rules, &np->nin);
	read_np_rules(c, spec, false, &np->eg_rules, &np->neg);
	const tm_node *types = tm_k8s_seq(c, spec, "policyTypes", "spec.policyTypes");
	bool has_types = false;
	for (size_t i = 0; types && i < types->n; i++) {
		const tm_node *t = types->items[i];
		has_types = true;
		if (t->kind == TM_NODE_SCALAR && !strcmp(t->str, "Ingress"))
			np->ingress = true;
		else if (t->kind == TM_NODE_SCALAR && !strcmp(t->str, "Egress"))
			np->egress = true;
		else
			tm_k8s_error(c, t, "spec.policyTypes", "\"%s\" is not one of Ingress, Egress",
				     t->kind == TM_NODE_SCALAR ? t->str : tm_node_kind_str(t));
	}
	if (c->failed) {
		tm_k8s_rules_release(np->in_rules, np->nin);
		tm_k8s_rules_release(np->eg_rules, np->neg);
		return;
	}
	if (!has_types) {
		np->ingress = true;
		np->egress = np->neg > 0;
	}
	/* the same object twice (e.g. a kustomize base and a rendered release):
	 * the later one replaces the earlier, as `kubectl apply` of both would */
	long replace = tm_model_find_netpol(m, c->ns, c->name); /* a hash lookup: 10,000s of policies */
	if (replace >= 0) {
		tm_k8s_warn(c, c->obj, "duplicate NetworkPolicy (first at %s:%u); this later one replaces it",
			    m->netpols[replace]->loc.file, m->netpols[replace]->loc.line);
		tm_k8s_rules_release(m->netpols[replace]->in_rules, m->netpols[replace]->nin);
		tm_k8s_rules_release(m->netpols[replace]->eg_rules, m->netpols[replace]->neg);
		m->netpols[replace] = np;
		return;
	}
	TM_ARENA_GROW(&m->arena, m->netpols, m->nnetpols, m->cap_np);
	m->netpols[m->nnetpols++] = np;
}

/* ---- AdminNetworkPolicy / BaselineAdminNetworkPolicy ---- */
/* rn's list key of ports (AdminNetworkPolicy "ports", ClusterNetworkPolicy
 * "protocols"): none or empty is every port; every entry is checked on its own */
bool tm_k8s_port_list(tm_k8s_ctx *c, const tm_node *rn, const char *key, const char *field, tm_k8s_port_reader *read,
		      tm_rule *r)
{
	unsigned e0 = c->nerrors;
	const tm_node *ports = tm_k8s_seq(c, rn, key, field);
	if (c->nerrors != e0)
		return false;
	if (!ports || ports->n == 0) {
		r->all_ports = true;
		return true;
	}
	r->ports = tm_arena_alloc(&c->m->arena, ports->n * sizeof(tm_portspec));
	for (size_t j = 0; j < ports->n; j++) {
		tm_portspec *ps = &r->ports[r->nports];
		memset(ps, 0, sizeof *ps);
		ps->loc = ports->items[j]->loc;
		if (read(c, ports->items[j], field, j, ps))
			r->nports++;
	}
	return c->nerrors == e0;
}

/* one entry of an AdminNetworkPolicy's ports */
static bool read_anp_port(tm_k8s_ctx *c, const tm_node *p, const char *field, size_t j, tm_portspec *ps)
{
	const tm_node *pn = tm_node_get(p, "portNumber");
	const tm_node *named = tm_node_get(p, "namedPort");
	const tm_node *pr = tm_node_get(p, "portRange");
	int given = !tm_node_is_null(pn) + !tm_node_is_null(named) + !tm_node_is_null(pr);
	if (p->kind != TM_NODE_MAP || given != 1) {
		tm_k8s_error(c, p, field, "[%zu]: exactly one of portNumber, namedPort, portRange is required", j);
		return false;
	}
	const char *proto = NULL;
	ps->proto = TM_PROTO_TCP;
	if (named) {
		if (named->kind != TM_NODE_SCALAR) {
			tm_k8s_error(c, named, field, "[%zu].namedPort: expected a string", j);
			return false;
		}
		ps->name = named->str;
		ps->proto_from_pod = true;
		return true;
	}
	const tm_node *x = pn ? pn : pr;
	long long a = 0, b = 0;
	bool ha = false, hb = false;
	unsigned e1 = c->nerrors;
	/* protocol and the numbers are independent */
	if (tm_k8s_str(c, x, "protocol", field, &proto) && proto && !tm_proto_parse(proto, &ps->proto))
		tm_k8s_error(c, x, field, "[%zu]: protocol \"%s\" is not one of TCP, UDP, SCTP", j, proto);
	unsigned e2 = c->nerrors;
	if (pn) {
		tm_k8s_int(c, pn, "port", field, &a, &ha);
		b = a;
		hb = ha;
	} else {
		tm_k8s_int(c, pr, "start", field, &a, &ha);
		tm_k8s_int(c, pr, "end", field, &b, &hb);
	}
	if (c->nerrors == e2 && (!ha || !hb || a < 1 || a > 65535 || b < a || b > 65535))
		tm_k8s_error(c, x, field, "[%zu]: ports must satisfy 1 <= start <= end <= 65535", j);
	if (c->nerrors != e1)
		return false;
	ps->port = (uint32_t)a;
	ps->end_port = (uint32_t)b;
	return true;
}

static bool read_anp_peer(tm_k8s_ctx *c, const tm_node *p, const char *field, bool egress, tm_peer *peer)
{
	peer->loc = p->loc;
	if (p->kind != TM_NODE_MAP || p->n != 1) {
		tm_k8s_error(c, p, field, "exactly one of namespaces, pods%s is required",
			     egress ? ", nodes, networks" : "");
		return false;
	}
	const char *k = p->pairs[0].key->str;
	const tm_node *v = p->pairs[0].val;
	peer->kind = TM_PEER_SELECTOR;
	if (!strcmp(k, "namespaces")) {
		peer->has_ns_sel = true;
		peer->has_pod_sel = false;
		return tm_k8s_selector(c, v, field, &peer->ns_sel);
	}
	if (!strcmp(k, "pods")) {
		peer->has_ns_sel = peer->has_pod_sel = true;
		if (v->kind != TM_NODE_MAP) {
			tm_k8s_error(c, v, field, "pods: expected a map");
			return false;
		}
		bool ok = tm_k8s_selector(c, tm_node_get(v, "namespaceSelector"), field, &peer->ns_sel);
		return tm_k8s_selector(c, tm_node_get(v, "podSelector"), field, &peer->pod_sel) && ok;
	}
	if (egress && !strcmp(k, "nodes")) {
		peer->kind = TM_PEER_NODES;
		tm_k8s_warn(c, v, "%s: nodes peers are not modelled; ignored", field);
		return true;
	}
	if (egress && !strcmp(k, "networks"))
		return tm_k8s_networks(c, v, field, false, peer);
	tm_k8s_error(c, p, field, "unknown peer type \"%s\"", k);
	return false;
}

/* The rule lists of the cluster-scoped policy APIs: AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy (v1alpha1) and ClusterNetworkPolicy
 * (v1alpha2) share the shape (name, action, from/to peers, ports) and differ
 * in the flavour: the action words, the rule limit and how peers and ports
 * are read. */
bool tm_k8s_admin_rules(tm_k8s_ctx *c, const tm_node *spec, bool ingress, const tm_k8s_admin_flavour *fl,
			tm_rule **out, size_t *nout)
{
	tm_model *m = c->m;
	const char *dir = ingress ? "spec.ingress" : "spec.egress";
	unsigned e0 = c->nerrors;
	const tm_node *rules = tm_k8s_seq(c, spec, ingress ? "ingress" : "egress", dir);
	*out = NULL;
	*nout = 0;
	if (!rules)
		return c->nerrors == e0;
	if (rules->n > fl->max_rules) {
		tm_k8s_error(c, rules, dir, "at most %zu rules are allowed, got %zu", fl->max_rules, rules->n);
		return false;
	}
	*out = tm_arena_alloc(&m->arena, (rules->n ? rules->n : 1) * sizeof(tm_rule));
	*nout = rules->n; /* every rule, for rules_release on failure */
	/* every rule, and in it the action, each peer and the ports, on their own */
	for (size_t i = 0; i < rules->n; i++) {
		const tm_node *rn = rules->items[i];
		tm_rule *r = &(*out)[i];
		char field[96];
		snprintf(field, sizeof field, "%s[%zu]", dir, i);
		r->index = i;
		r->loc = rn->loc;
		const char *action = NULL;
		if (rn->kind != TM_NODE_MAP) {
			tm_k8s_error(c, rn, field, "expected a map");
			continue;
		}
		unsigned e1 = c->nerrors;
		tm_k8s_str(c, rn, "name", field, &r->name);
		if (tm_k8s_str(c, rn, "action", field, &action)) {
			if (action && !strcmp(action, fl->allow))
				r->action = TM_ACT_ALLOW;
			else if (action && !strcmp(action, "Deny"))
				r->action = TM_ACT_DENY;
			else if (action && !strcmp(action, "Pass") && fl->pass)
				r->action = TM_ACT_PASS;
			else
				tm_k8s_error(c, tm_node_get(rn, "action") ? tm_node_get(rn, "action") : rn, field,
					     "action: \"%s\" is not one of %s, Deny%s", action ? action : "", fl->allow,
					     fl->pass ? ", Pass" : "");
		}
		const char *pk = ingress ? "from" : "to";
		unsigned e2 = c->nerrors;
		const tm_node *peers = tm_k8s_seq(c, rn, pk, field);
		if (c->nerrors == e2 && (!peers || peers->n == 0))
			tm_k8s_error(c, rn, field, "%s: at least one peer is required", pk);
		else if (peers) {
			r->peers = tm_arena_alloc(&m->arena, peers->n * sizeof(tm_peer));
			r->npeers = peers->n;
			for (size_t j = 0; j < peers->n; j++) {
				char pf[128];
				snprintf(pf, sizeof pf, "%s.%s[%zu]", field, pk, j);
				fl->read_peer(c, peers->items[j], pf, !ingress, &r->peers[j]);
			}
		}
		char pf[128];
		snprintf(pf, sizeof pf, "%s.%s", field, fl->ports_key);
		tm_k8s_port_list(c, rn, fl->ports_key, pf, fl->read_port, r);
		if (c->nerrors == e1)
			tm_k8s_rule_settle(m, r);
	}
	return c->nerrors == e0;
}

void tm_k8s_anp(tm_k8s_ctx *c, bool baseline)
{
	tm_model *m = c->m;
	const tm_node *meta = tm_node_get(c->obj, "metadata");
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	tm_anp *a = tm_arena_alloc(&m->arena, sizeof *a);
	long anp_replace = -1;
	a->baseline = baseline;
	a->name = c->name;
	a->loc = c->obj->loc;
	a->ignore = tm_k8s_ignore_annotation(meta, &a->ignore_loc);
	/* the name or priority, the subject and the rules are checked on their own */
	if (baseline) {
		if (strcmp(c->name, "default") != 0)
			tm_k8s_error(c, tm_node_get(meta, "name"), "metadata.name",
				     "a BaselineAdminNetworkPolicy must be named \"default\"");
		else if (m->banp)
			tm_k8s_error(c, c->obj, NULL, "only one BaselineAdminNetworkPolicy is allowed (first at %s:%u)",
				     m->banp->loc.file, m->banp->loc.line);
	} else {
		long long prio = 0;
		bool has = false;
		unsigned e0 = c->nerrors;
		tm_k8s_int(c, spec, "priority", "spec.priority", &prio, &has);
		if (c->nerrors == e0 && (!has || prio < 0 || prio > 1000))
			tm_k8s_error(c, tm_node_get(spec, "priority") ? tm_node_get(spec, "priority") : spec,
				     "spec.priority", "must be between 0 and 1000");
		a->priority = (int)prio;
		for (size_t i = 0; c->nerrors == e0 && i < m->nanps; i++) {
			if (m->anps[i]->kind && strcmp(m->anps[i]->kind, "AdminNetworkPolicy")) {
				/* a ClusterNetworkPolicy is another resource: its name may be
				 * the same; an equal priority leaves the order undefined (the
				 * warning k8s_cnp.c gives when the CNP comes second) */
				if (m->anps[i]->priority == a->priority)
					tm_k8s_warn(c, tm_node_get(spec, "priority"),
						    "spec.priority %d is also used by %s %s (%s:%u): their relative order "
						    "is undefined; trustmap takes them by name", a->priority, m->anps[i]->kind,
						    m->anps[i]->name, m->anps[i]->loc.file, m->anps[i]->loc.line);
				continue;
			}
			if (!strcmp(m->anps[i]->name, c->name)) {
				anp_replace = (long)i;
				continue;
			}
			if (m->anps[i]->priority == a->priority)
				tm_k8s_error(c, tm_node_get(spec, "priority"), "spec.priority",
					     "priority %d is also used by AdminNetworkPolicy %s (%s:%u)", a->priority,
					     m->anps[i]->name, m->anps[i]->loc.file, m->anps[i]->loc.line);
		}
	}
	unsigned e1 = c->nerrors;
	const tm_node *subj = tm_k8s_map(c, spec, "subject", "spec.subject");
	if (c->nerrors == e1 && (!subj || subj->n != 1))
		tm_k8s_error(c, subj ? subj : spec, "spec.subject", "exactly one of namespaces, pods is required");
	else if (subj) {
		const char *sk = subj->pairs[0].key->str;
		const tm_node *sv = subj->pairs[0].val;
		if (!strcmp(sk, "namespaces"))
			tm_k8s_selector(c, sv, "spec.subject.namespaces", &a->subj_ns);
		else if (!strcmp(sk, "pods")) {
			a->subject_pods = true;
			if (sv->kind != TM_NODE_MAP)
				tm_k8s_error(c, sv, "spec.subject.pods", "expected a map");
			else {
				tm_k8s_selector(c, tm_node_get(sv, "namespaceSelector"), "spec.subject.pods.namespaceSelector",
						&a->subj_ns);
				tm_k8s_selector(c, tm_node_get(sv, "podSelector"), "spec.subject.pods.podSelector", &a->subj_pod);
			}
		} else
			tm_k8s_error(c, subj, "spec.subject", "unknown subject \"%s\"", sk);
	}
	/* v1alpha1: at most 100 rules; the baseline has no Pass */
	const tm_k8s_admin_flavour fl = {"Allow", !baseline, 100, "ports", read_anp_peer, read_anp_port};
	tm_k8s_admin_rules(c, spec, true, &fl, &a->in_rules, &a->nin);
	tm_k8s_admin_rules(c, spec, false, &fl, &a->eg_rules, &a->neg);
	if (c->failed) {
		tm_k8s_rules_release(a->in_rules, a->nin);
		tm_k8s_rules_release(a->eg_rules, a->neg);
		return;
	}
	if (baseline)
		m->banp = a;
	else if (anp_replace >= 0) {
		tm_k8s_warn(c, c->obj, "duplicate AdminNetworkPolicy (first at %s:%u); this later one replaces it",
			    m->anps[anp_replace]->loc.file, m->anps[anp_replace]->loc.line);
		tm_k8s_rules_release(m->anps[anp_replace]->in_rules, m->anps[anp_replace]->nin);
		tm_k8s_rules_release(m->anps[anp_replace]->eg_rules, m->anps[anp_replace]->neg);
		m->anps[anp_replace] = a;
	}
	else {
		TM_ARENA_GROW(&m->arena, m->anps, m->nanps, m->cap_anp);
		m->anps[m->nanps++] = a;
	}
}
