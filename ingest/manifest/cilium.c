/* cilium.c - CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
 * (cilium.io/v2), L3/L4 semantics (docs/semantics.md "Cilium policies").
 *
 * Each rule of `spec` and `specs[]` is read into the shapes the engine
 * already has, so that every engine and `explain` decide it unchanged:
 *   - its allow sections (ingress, egress) into a NetworkPolicy-shaped
 *     tm_netpol (kind CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy)
 *     that isolates the selected pods in each direction the rule has rules
 *     for (Cilium's enableDefaultDeny default) and whose rules add to every
 *     other allow, NetworkPolicy ones included;
 *   - its deny sections (ingressDeny, egressDeny) into a tm_anp-shaped
 *     policy of Deny rules at priority -1, before every admin-tier policy:
 *     a deny overrides every allow.
 * Rules are kept until tm_load_finish (tm_k8s_cilium_finish): a later copy
 * of an object replaces the earlier, and a clusterwide rule's allow part is
 * expanded into one tm_netpol per namespace whose labels its
 * endpointSelector's namespace part matches and that holds a workload it
 * selects.
 *
 * Endpoint labels (Cilium pkg/labels, pkg/k8s/apis/cilium.io/utils): a
 * selector key is "source:key" (k8s, any, or none: the pod's labels);
 * k8s:io.kubernetes.pod.namespace is the pod's namespace,
 * k8s:io.cilium.k8s.namespace.labels.<key> its namespace's labels. A
 * CiliumNetworkPolicy's peers without the namespace key are those of the
 * policy's namespace; a clusterwide policy's are every namespace's. What has
 * no endpoint in the graph (host, remote-node, FQDNs, ...) is warned at its
 * position, matches nothing, and is counted in m->unmodelled for the notes. */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CCNP "CiliumClusterwideNetworkPolicy"

/* One rule (spec or specs[i]) of one object until tm_load_finish. */
typedef struct cil_pol {
	const char *kind, *ns;     /* ns: the object's; NULL for a clusterwide one */
	const char *objname;       /* metadata.name */
	size_t objseq, sub;        /* which object (read order) and which rule of it */
	tm_srcloc objloc;
	tm_netpol *allow;          /* pod_sel and rules; ns set at finish; NULL: none */
	tm_selector subj_ns;       /* the namespace part of the endpointSelector */
	tm_anp *deny;              /* NULL: none */
} cil_pol;

struct tm_cilium_pending {
	cil_pol *v;
	size_t n, cap;
	size_t objects;
};

/* An endpoint selector split into the namespace part (kubernetes.io/metadata.name
 * for the namespace, the namespace's own label keys) and the pod part. */
typedef struct cil_sel {
	tm_selector ns, pod;
	bool has_ns_name;   /* names io.kubernetes.pod.namespace */
	bool none;          /* a label source trustmap does not model: matches no pod */
} cil_sel;

typedef enum { K_POD, K_NSNAME, K_NSLABEL, K_UNMODELLED, K_SOURCE } key_kind;

static const char NS_KEY[] = "io.kubernetes.pod.namespace";
static const char NSL_PREFIX[] = "io.cilium.k8s.namespace.labels.";

/* Count what is read but not modelled, for the notes; and warn at n. */
static void unmodelled(tm_k8s_ctx *c, const tm_node *n, const char *what, const char *fmt, ...) TM_PRINTF(4, 5);
static void unmodelled(tm_k8s_ctx *c, const tm_node *n, const char *what, const char *fmt, ...)
{
	tm_model *m = c->m;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tm_k8s_warn(c, n, "%s", msg);
	const char *key = tm_intern(&m->strs, tm_arena_printf(&m->arena, "%s %s", c->kind, what));
	for (size_t i = 0; i < m->nunmodelled; i++)
		if (m->unmodelled[i].kind == key) {
			m->unmodelled[i].count++;
			return;
		}
	TM_ARENA_GROW(&m->arena, m->unmodelled, m->nunmodelled, m->cap_unmodelled);
	m->unmodelled[m->nunmodelled++] = (tm_kindcount){key, 1, n ? n->loc : c->obj->loc};
}

/* The meaning of a selector key; *out is the key in the namespace's or the
 * pod's labels, *src the source of a K_SOURCE key. */
static key_kind key_of(tm_k8s_ctx *c, const char *k, const char **out, const char **src)
{
	const char *colon = strchr(k, ':');
	*src = NULL;
	if (colon) {
		size_t sl = (size_t)(colon - k);
		if ((sl == 3 && !strncmp(k, "k8s", 3)) || (sl == 3 && !strncmp(k, "any", 3)))
			k = colon + 1;
		else {
			*src = tm_intern_n(&c->m->strs, k, sl);
			*out = k;
			return K_SOURCE;
		}
	}
	if (!strcmp(k, NS_KEY)) {
		*out = tm_intern(&c->m->strs, "kubernetes.io/metadata.name");
		return K_NSNAME;
	}
	if (!strncmp(k, NSL_PREFIX, sizeof NSL_PREFIX - 1) && k[sizeof NSL_PREFIX - 1]) {
		*out = tm_intern(&c->m->strs, k + sizeof NSL_PREFIX - 1);
		return K_NSLABEL;
	}
	*out = tm_intern(&c->m->strs, k);
	if (!strcmp(k, "io.cilium.k8s.policy.serviceaccount") || !strcmp(k, "io.cilium.k8s.policy.cluster"))
		return K_UNMODELLED;
	return K_POD;
}

static void key_note(tm_k8s_ctx *c, const tm_node *at, const char *field, key_kind kk, const char *key,
		     const char *src, cil_sel *out)
{
	if (kk == K_SOURCE) {
		unmodelled(c, at, "selector label source", "%s: label source \"%s\" (%s) is not modelled: the selector "
			   "matches no pod here", field, src, key);
		out->none = true;
	} else if (kk == K_UNMODELLED)
		unmodelled(c, at, "selector label", "%s: %s is not modelled (no pod carries it as a label here): the "
			   "requirement is decided as for a label no pod has", field, key);
}

static bool sel_label_add(tm_k8s_ctx *c, tm_labels *l, const char *key, const char *val, const tm_node *at,
			  const char *field)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].key, key)) {
			tm_k8s_error(c, at, field, "matchLabels: key %s is given twice (with and without a source prefix)", key);
			return false;
		}
	l->v[l->n].key = key;
	l->v[l->n].val = val;
	l->n++;
	return true;
}

/* A Cilium EndpointSelector: matchLabels and matchExpressions whose keys
 * may carry a source prefix. */
static bool read_sel(tm_k8s_ctx *c, const tm_node *n, const char *field, cil_sel *out)
{
	tm_model *m = c->m;
	memset(out, 0, sizeof *out);
	if (tm_node_is_null(n))
		return true;
	if (n->kind != TM_NODE_MAP) {
		tm_k8s_error(c, n, field, "expected a label selector map, got %s", tm_node_kind_str(n));
		return false;
	}
	static const char *const known[] = {"matchLabels", "matchExpressions", NULL};
	tm_k8s_known_fields(c, n, field, known);
	unsigned e0 = c->nerrors;
	tm_labels raw;
	tm_k8s_labels(c, tm_node_get(n, "matchLabels"), field, &raw, TM_LABELS_ANY);
	const tm_node *ml = tm_node_get(n, "matchLabels");
	out->ns.match.v = tm_arena_alloc(&m->arena, (raw.n + 1) * sizeof(tm_label));
	out->pod.match.v = tm_arena_alloc(&m->arena, (raw.n + 1) * sizeof(tm_label));
	tm_buf why;
	tm_buf_init(&why, 4096);
	for (size_t i = 0; i < raw.n; i++) {
		const char *key, *src;
		key_kind kk = key_of(c, raw.v[i].key, &key, &src);
		const tm_node *at = ml;
		for (size_t j = 0; ml && ml->kind == TM_NODE_MAP && j < ml->n; j++)
			if (ml->pairs[j].key->kind == TM_NODE_SCALAR && ml->pairs[j].key->str == raw.v[i].key)
				at = ml->pairs[j].key;
		tm_buf_reset(&why);
		if (kk != K_SOURCE && (!tm_valid_label_key(key, &why) || !tm_valid_label_value(raw.v[i].val, &why))) {
			tm_k8s_error(c, at, field, "matchLabels: %s", tm_buf_str(&why));
			continue;
		}
		key_note(c, at, field, kk, raw.v[i].key, src, out);
		if (kk == K_SOURCE)
			continue;
		if (kk == K_NSNAME)
			out->has_ns_name = true;
		sel_label_add(c, kk == K_NSNAME || kk == K_NSLABEL ? &out->ns.match : &out->pod.match, key,
			      raw.v[i].val, at, field);
	}
	const tm_node *ex = tm_k8s_seq(c, n, "matchExpressions", field);
	size_t nex = ex ? ex->n : 0;
	out->ns.expr = tm_arena_alloc(&m->arena, (nex + 1) * sizeof(tm_selexpr));
	out->pod.expr = tm_arena_alloc(&m->arena, (nex + 1) * sizeof(tm_selexpr));
	for (size_t i = 0; i < nex; i++) {
		const tm_node *e = ex->items[i];
		const char *op = NULL, *rawkey = NULL;
		if (e->kind != TM_NODE_MAP) {
			tm_k8s_error(c, e, field, "matchExpressions[%zu]: expected a map", i);
			continue;
		}
		static const char *const kf[] = {"key", "operator", "values", NULL};
		tm_k8s_known_fields(c, e, field, kf);
		bool key_ok = tm_k8s_str(c, e, "key", field, &rawkey);
		bool op_ok = tm_k8s_str(c, e, "operator", field, &op);
		if (key_ok && !rawkey) {
			tm_k8s_error(c, e, field, "matchExpressions[%zu]: key is required", i);
			continue;
		}
		if (!key_ok || !op_ok)
			continue;
		const char *key, *src;
		key_kind kk = key_of(c, rawkey, &key, &src);
		tm_buf_reset(&why);
		const tm_node *kn = tm_node_get(e, "key");
		if (kk != K_SOURCE && !tm_valid_label_key(key, &why)) {
			tm_k8s_error(c, kn, field, "matchExpressions[%zu]: %s", i, tm_buf_str(&why));
			continue;
		}
		tm_selexpr se = {key, TM_SEL_IN, 0, NULL};
		if (!tm_k8s_selexpr(c, e, field, i, op, &se, &why))
			continue;
		key_note(c, kn, field, kk, rawkey, src, out);
		if (kk == K_SOURCE)
			continue;
		if (kk == K_NSNAME)
			out->has_ns_name = true;
		tm_selector *into = kk == K_NSNAME || kk == K_NSLABEL ? &out->ns : &out->pod;
		into->expr[into->nexpr++] = se;
	}
	tm_buf_release(&why);
	if (!tm_labels_sort(&out->ns.match) || !tm_labels_sort(&out->pod.match))
		tm_k8s_error(c, n, field, "matchLabels: a key is given twice");
	return c->nerrors == e0;
}

/* The namespace part of a peer selector: a CiliumNetworkPolicy's peers are
 * in its namespace unless the selector names one (getEndpointSelector in
 * Cilium's pkg/k8s/apis/cilium.io/utils: the namespace labels alone do not
 * lift that), a clusterwide policy's in every namespace. */
static void peer_of_sel(tm_k8s_ctx *c, const cil_sel *s, const char *pol_ns, const tm_node *at, tm_peer *p)
{
	memset(p, 0, sizeof *p);
	p->kind = TM_PEER_SELECTOR;
	p->loc = at->loc;
	p->has_ns_sel = p->has_pod_sel = true;
	p->ns_sel = s->ns;
	p->pod_sel = s->pod;
	if (s->none) {
		/* a selector that matches no pod: an impossible namespace name */
		p->ns_sel.match.v = tm_arena_alloc(&c->m->arena, sizeof(tm_label));
		p->ns_sel.match.n = 1;
		p->ns_sel.match.v[0] = (tm_label){tm_intern(&c->m->strs, "kubernetes.io/metadata.name"),
						  tm_intern(&c->m->strs, "")};
		p->ns_sel.nexpr = 0;
		return;
	}
	if (pol_ns && !s->has_ns_name)
		p->ns_sel.match = tm_labels_with(&c->m->arena, &s->ns.match,
						 tm_intern(&c->m->strs, "kubernetes.io/metadata.name"), pol_ns);
}

/* A peer that matches nothing the graph has. */
static void peer_none(const tm_node *at, tm_peer *p)
{
	memset(p, 0, sizeof *p);
	p->kind = TM_PEER_NODES;
	p->loc = at->loc;
}

static void peer_world(const tm_node *at, tm_peer *p, bool v4, bool v6)
{
	memset(p, 0, sizeof *p);
	p->kind = TM_PEER_IPBLOCK;
	p->loc = at->loc;
	tm_ipset_init(&p->ips);
	if (v4)
		tm_ipset_add_block(&p->ips, tm_iprange_v4_all(), true);
	if (v6) {
		tm_ipset_add_block(&p->ips, tm_iprange_v6_all(), false);
		p->has_v6 = true;
	}
	p->cidr = v4 && v6 ? "world" : v4 ? "world-ipv4" : "world-ipv6";
}

/* A growable list of peers (heap; copied into the arena with the rule). */
typedef struct peers {
	tm_peer *v;
	size_t n, cap;
} peers;

static tm_peer *peers_add(peers *ps)
{
	TM_HEAP_GROW(ps->v, ps->n, ps->cap);
	memset(&ps->v[ps->n], 0, sizeof(tm_peer));
	return &ps->v[ps->n++];
}

static bool parse_cidr(const char *s, tm_iprange *r, bool *v4)
{
	if (tm_cidr_parse(s, r, v4))
		return true;
	tm_ip a;
	if (strchr(s, '/') || !tm_ip_parse(s, &a))
		return false;
	r->lo = r->hi = a;
	*v4 = tm_ip_is_v4(a);
	return true;
}

static bool cidr_peer(tm_k8s_ctx *c, const tm_node *cn, const tm_node *except, const char *field, tm_peer *p)
{
	tm_iprange r;
	bool v4;
	p->loc = cn->loc;
	if (cn->kind != TM_NODE_SCALAR || !parse_cidr(cn->str, &r, &v4)) {
		tm_k8s_error(c, cn, field, "\"%s\" is not a valid CIDR", cn->kind == TM_NODE_SCALAR ? cn->str : "");
		return false;
	}
	p->kind = TM_PEER_IPBLOCK;
	p->cidr = cn->str;
	p->has_v6 = !v4;
	tm_ipset_init(&p->ips);
	tm_ipset_add_block(&p->ips, r, v4);
	bool ok = true;
	for (size_t i = 0; except && i < except->n; i++) {
		tm_iprange e;
		bool ev4;
		const tm_node *en = except->items[i];
		if (en->kind != TM_NODE_SCALAR || !parse_cidr(en->str, &e, &ev4)) {
			tm_k8s_error(c, en, field, "except[%zu]: \"%s\" is not a valid CIDR", i,
				     en->kind == TM_NODE_SCALAR ? en->str : "");
			ok = false;
			continue;
		}
		/* an except outside the cidr removes nothing (Cilium's
		 * ComputeResultantCIDRSet subtracts it as we do) */
		if (ev4 != v4 || tm_ip_cmp(e.lo, r.lo) < 0 || tm_ip_cmp(e.hi, r.hi) > 0)
			tm_k8s_warn(c, en, "%s: except[%zu] \"%s\" is not inside cidr \"%s\": it excludes nothing", field, i,
				    en->str, cn->str);
		tm_ipset_subtract(&p->ips, e);
	}
	if (!ok)
		tm_ipset_release(&p->ips);
	return ok;
}

/* The entities (Cilium pkg/policy/api/entity.go): world and cluster are
 * what the graph has (the IP ranges outside, every pod); the others name
 * nodes, the API server, health and init endpoints, Envoy, unmanaged
 * endpoints: no endpoint of the graph. */
static void entity_peer(tm_k8s_ctx *c, const tm_node *en, const char *field, size_t i, peers *ps)
{
	static const char *const none[] = {"host", "remote-node", "kube-apiserver", "health", "init", "ingress",
					   "unmanaged", NULL};
	const char *e = en->kind == TM_NODE_SCALAR ? en->str : "";
	bool all = !strcmp(e, "all");
	if (all || !strcmp(e, "world"))
		peer_world(en, peers_add(ps), true, true);
	else if (!strcmp(e, "world-ipv4"))
		peer_world(en, peers_add(ps), true, false);
	else if (!strcmp(e, "world-ipv6"))
		peer_world(en, peers_add(ps), false, true);
	if (all || !strcmp(e, "cluster")) {
		cil_sel every;
		memset(&every, 0, sizeof every);
		every.has_ns_name = true; /* every namespace */
		peer_of_sel(c, &every, NULL, en, peers_add(ps));
		return;
	}
	if (!strncmp(e, "world", 5) && (!e[5] || !strcmp(e + 5, "-ipv4") || !strcmp(e + 5, "-ipv6")))
		return;
	bool known = false;
	for (const char *const *k = none; *k && !known; k++)
		known = !strcmp(*k, e);
	if (!known) {
		tm_k8s_error(c, en, field, "[%zu]: \"%s\" is not an entity (all, world, world-ipv4, world-ipv6, "
			     "cluster, host, remote-node, kube-apiserver, health, init, ingress, unmanaged)", i, e);
		return;
	}
	unmodelled(c, en, "entity", "%s[%zu]: entity %s has no endpoint in the graph: it matches nothing here", field, i, e);
	peer_none(en, peers_add(ps));
}

static void add_portspec(tm_portspec **v, size_t *n, size_t *cap, tm_portspec ps)
{
	TM_HEAP_GROW(*v, *n, *cap);
	(*v)[(*n)++] = ps;
}

/* toPorts: [{ports: [{port, endPort, protocol}], rules, listener, serverNames,
 * originatingTLS, terminatingTLS}] (pkg/policy/api/l4.go). Protocol absent
 * or ANY is TCP, UDP and SCTP; port "0" or absent every port; a name is a
 * container port name of the destination. */
static bool read_to_ports(tm_k8s_ctx *c, const tm_node *tp, const char *field, bool deny, tm_rule *r)
{
	tm_model *m = c->m;
	unsigned e0 = c->nerrors;
	tm_portspec *v = NULL;
	size_t n = 0, cap = 0;
	tm_buf why;
	tm_buf_init(&why, 1024);
	for (size_t i = 0; i < tp->n; i++) {
		const tm_node *pr = tp->items[i];
		char f[256];
		snprintf(f, sizeof f, "%s[%zu]", field, i);
		if (pr->kind != TM_NODE_MAP) {
			tm_k8s_error(c, pr, f, "expected a map, got %s", tm_node_kind_str(pr));
			continue;
		}
		static const char *const known_allow[] = {"ports", "rules", "listener", "serverNames", "originatingTLS",
							  "terminatingTLS", NULL};
		static const char *const known_deny[] = {"ports", NULL};
		tm_k8s_known_fields(c, pr, f, deny ? known_deny : known_allow);
		static const char *const tls[] = {"listener", "serverNames", "originatingTLS", "terminatingTLS", NULL};
		for (const char *const *k = tls; !deny && *k; k++) {
			const tm_node *x = tm_node_get(pr, *k);
			if (!tm_node_is_null(x))
				unmodelled(c, x, *k, "%s.%s is not modelled: the connection is allowed at L4 on these ports; "
					   "what %s does to it is not in this answer", f, *k, *k);
		}
		const tm_node *rules = deny ? NULL : tm_node_get(pr, "rules");
		bool l7 = !tm_node_is_null(rules) && (rules->kind != TM_NODE_MAP || rules->n > 0);
		if (l7) {
			const char *what = rules->kind == TM_NODE_MAP && rules->n ? rules->pairs[0].key->str : "L7";
			unmodelled(c, rules, "L7 rules", "%s.rules: L7 %s rules filter the requests of the connection; it is "
				   "allowed here at L4", f, what);
		}
		char pf[272];
		snprintf(pf, sizeof pf, "%s.ports", f);
		unsigned e1 = c->nerrors;
		const tm_node *ports = tm_k8s_seq(c, pr, "ports", pf);
		if (c->nerrors != e1)
			continue;
		if (!ports || ports->n == 0) {
			if (l7) /* L7 rules on every port (Cilium's mergeIngress: port 0, ANY) */
				for (int p = 0; p < TM_NPROTO; p++)
					add_portspec(&v, &n, &cap, (tm_portspec){(tm_proto)p, false, 0, 0, NULL, pr->loc});
			continue;
		}
		for (size_t j = 0; j < ports->n; j++) {
			const tm_node *pp = ports->items[j];
			char ef[300];
			snprintf(ef, sizeof ef, "%s[%zu]", pf, j);
			if (pp->kind != TM_NODE_MAP) {
				tm_k8s_error(c, pp, ef, "expected a map, got %s", tm_node_kind_str(pp));
				continue;
			}
			static const char *const known_pp[] = {"port", "endPort", "protocol", NULL};
			tm_k8s_known_fields(c, pp, ef, known_pp);
			unsigned e2 = c->nerrors;
			const char *proto = NULL;
			bool any = true;
			tm_proto one = TM_PROTO_TCP;
			if (tm_k8s_str(c, pp, "protocol", ef, &proto) && proto && *proto && strcmp(proto, "ANY")) {
				if (!strcmp(proto, "TCP") || !strcmp(proto, "UDP") || !strcmp(proto, "SCTP")) {
					tm_proto_parse(proto, &one);
					any = false;
				} else
					tm_k8s_error(c, tm_node_get(pp, "protocol"), ef,
						     "protocol: \"%s\" is not one of TCP, UDP, SCTP, ANY", proto);
			}
			const tm_node *pn = tm_node_get(pp, "port");
			uint32_t port = 0;
			const char *name = NULL;
			if (!tm_node_is_null(pn)) {
				long long iv = 0;
				const char *sv = NULL;
				bool is_int = false;
				if (tm_k8s_int_or_str(c, pn, ef, &iv, &sv, &is_int)) {
					if (!is_int && sv) {
						char *end = NULL;
						bool digits = *sv >= '0' && *sv <= '9';
						long long x = digits ? strtoll(sv, &end, 10) : 0;
						if (digits && end && !*end) {
							iv = x;
							is_int = true;
						}
					}
					if (is_int && (iv < 0 || iv > 65535))
						tm_k8s_error(c, pn, ef, "port: %lld must be between 0 and 65535", iv);
					else if (is_int)
						port = (uint32_t)iv;
					else {
						tm_buf_reset(&why);
						if (!tm_valid_port_name(sv, &why))
							tm_k8s_error(c, pn, ef, "port: %s", tm_buf_str(&why));
						else
							name = sv;
					}
				}
			}
			long long end = 0;
			bool has_end = false;
			tm_k8s_int(c, pp, "endPort", ef, &end, &has_end);
			if (c->nerrors != e2)
				continue;
			uint32_t endp = 0;
			if (has_end && !name && port && end != port) {
				if (end < port || end > 65535) {
					tm_k8s_error(c, tm_node_get(pp, "endPort"), ef, "endPort %lld must be between port %u and 65535",
						     end, port);
					continue;
				}
				endp = (uint32_t)end;
			} else if (has_end && (name || !port) && end)
				tm_k8s_warn(c, tm_node_get(pp, "endPort"), "%s: endPort is ignored with a %s port", ef,
					    name ? "named" : "zero");
			if (name) {
				tm_portspec ps = {one, any, 0, 0, name, pp->loc};
				add_portspec(&v, &n, &cap, ps);
				continue;
			}
			for (int p = 0; p < TM_NPROTO; p++) {
				if (!any && (tm_proto)p != one)
					continue;
				add_portspec(&v, &n, &cap, (tm_portspec){(tm_proto)p, false, port, endp, NULL, pp->loc});
			}
		}
	}
	tm_buf_release(&why);
	r->ports = tm_arena_alloc(&m->arena, (n + 1) * sizeof(tm_portspec));
	if (n)
		memcpy(r->ports, v, n * sizeof(tm_portspec));
	r->nports = n;
	free(v);
	return c->nerrors == e0;
}

/* One peer of a family (fromEndpoints, toCIDR, ...): item i of the list at
 * field f, whose key is fam. */
typedef void peer_reader(tm_k8s_ctx *c, const tm_node *item, const char *f, size_t i, const char *fam,
			 const char *pol_ns, peers *ps);

static void endpoints_item(tm_k8s_ctx *c, const tm_node *item, const char *f, size_t i, const char *fam,
			   const char *pol_ns, peers *ps)
{
	char sf[256];
	cil_sel s;
	(void)fam;
	snprintf(sf, sizeof sf, "%s[%zu]", f, i);
	if (read_sel(c, item, sf, &s))
		peer_of_sel(c, &s, pol_ns, item, peers_add(ps));
}

static void cidr_item(tm_k8s_ctx *c, const tm_node *item, const char *f, size_t i, const char *fam,
		      const char *pol_ns, peers *ps)
{
	char sf[256];
	tm_peer p = {0};
	(void)fam, (void)pol_ns;
	snprintf(sf, sizeof sf, "%s[%zu]", f, i);
	if (cidr_peer(c, item, NULL, sf, &p))
		*peers_add(ps) = p;
}

/* {cidr, except} or a CiliumCIDRGroup */
static void cidrset_item(tm_k8s_ctx *c, const tm_node *sn, const char *f, size_t i, const char *fam,
			 const char *pol_ns, peers *ps)
{
	char sf[256];
	(void)fam, (void)pol_ns;
	snprintf(sf, sizeof sf, "%s[%zu]", f, i);
	if (sn->kind != TM_NODE_MAP) {
		tm_k8s_error(c, sn, sf, "expected a map, got %s", tm_node_kind_str(sn));
		return;
	}
	static const char *const known_set[] = {"cidr", "except", "cidrGroupRef", "cidrGroupSelector", NULL};
	tm_k8s_known_fields(c, sn, sf, known_set);
	const tm_node *cn = tm_node_get(sn, "cidr");
	if (tm_node_is_null(cn)) {
		const tm_node *g = tm_node_get(sn, "cidrGroupRef");
		if (tm_node_is_null(g))
			g = tm_node_get(sn, "cidrGroupSelector");
		if (tm_node_is_null(g)) {
			tm_k8s_error(c, sn, sf, "one of cidr, cidrGroupRef, cidrGroupSelector is required");
			return;
		}
		unmodelled(c, g, "CIDR group", "%s: CiliumCIDRGroup references are not modelled: the peer "
			   "matches nothing here", sf);
		peer_none(sn, peers_add(ps));
		return;
	}
	unsigned e1 = c->nerrors;
	const tm_node *ex = tm_k8s_seq(c, sn, "except", sf);
	if (c->nerrors != e1)
		return;
	tm_peer p = {0};
	if (cidr_peer(c, cn, ex, sf, &p))
		*peers_add(ps) = p;
}

static void entities_item(tm_k8s_ctx *c, const tm_node *item, const char *f, size_t i, const char *fam,
			  const char *pol_ns, peers *ps)
{
	(void)fam, (void)pol_ns;
	entity_peer(c, item, f, i, ps);
}

/* what has no endpoint here */
static void unmodelled_item(tm_k8s_ctx *c, const tm_node *item, const char *f, size_t i, const char *fam,
			    const char *pol_ns, peers *ps)
{
	(void)pol_ns;
	unmodelled(c, item, fam, "%s[%zu]: %s peers are not modelled: the peer matches nothing here", f, i, fam);
	peer_none(item, peers_add(ps));
}

/* The peer families of an ingress (in) and an egress (eg) rule, in the
 * order they are read (NULL: not in that direction). */
static const struct {
	const char *in, *eg;
	peer_reader *read;
} families[] = {
	{"fromEndpoints", "toEndpoints", endpoints_item},
	{"fromCIDR", "toCIDR", cidr_item},
	{"fromCIDRSet", "toCIDRSet", cidrset_item},
	{"fromEntities", "toEntities", entities_item},
	{"fromGroups", "toGroups", unmodelled_item},
	{"fromNodes", "toNodes", unmodelled_item},
	{NULL, "toFQDNs", unmodelled_item},
	{NULL, "toServices", unmodelled_item},
};

static const char *const auth_modes[] = {"", "required", "disabled", "test-always-fail"};

/* One rule of ingress, ingressDeny, egress or egressDeny. */
static void read_one_rule(tm_k8s_ctx *c, const tm_node *rn, const char *field, bool egress, bool deny,
			  const char *pol_ns, tm_rule *r)
{
	tm_model *m = c->m;
	const char *pfx = egress ? "to" : "from";
	r->action = deny ? TM_ACT_DENY : TM_ACT_ALLOW;
	r->loc = rn->loc;
	if (tm_node_is_null(rn)) {
		/* "- " is "- {}": it selects no peer (Cilium's default-deny idiom) */
		tm_k8s_rule_settle(m, r);
		return;
	}
	if (rn->kind != TM_NODE_MAP) {
		tm_k8s_error(c, rn, field, "expected a map, got %s", tm_node_kind_str(rn));
		return;
	}
	static const char *const known_in[] = {"fromEndpoints", "fromRequires", "fromCIDR", "fromCIDRSet", "fromEntities",
					       "fromGroups", "fromNodes", "toPorts", "icmps", "authentication", NULL};
	static const char *const known_in_deny[] = {"fromEndpoints", "fromRequires", "fromCIDR", "fromCIDRSet",
						    "fromEntities", "fromGroups", "fromNodes", "toPorts", "icmps", NULL};
	static const char *const known_eg[] = {"toEndpoints", "toRequires", "toCIDR", "toCIDRSet", "toEntities",
					       "toServices", "toFQDNs", "toGroups", "toNodes", "toPorts", "icmps",
					       "authentication", NULL};
	static const char *const known_eg_deny[] = {"toEndpoints", "toRequires", "toCIDR", "toCIDRSet", "toEntities",
						    "toServices", "toGroups", "toNodes", "toPorts", "icmps", NULL};
	tm_k8s_known_fields(c, rn, field, egress ? (deny ? known_eg_deny : known_eg) : (deny ? known_in_deny : known_in));
	unsigned e0 = c->nerrors;
	peers ps = {0};
	bool has_l3 = false;
	char f[224], key[32];

	for (size_t fi = 0; fi < TM_ARRAY_LEN(families); fi++) {
		const char *fam = egress ? families[fi].eg : families[fi].in;
		if (!fam)
			continue;
		snprintf(f, sizeof f, "%s.%s", field, fam);
		const tm_node *list = tm_k8s_seq(c, rn, fam, f);
		if (!list)
			continue;
		has_l3 = true;
		for (size_t i = 0; i < list->n; i++)
			families[fi].read(c, list->items[i], f, i, fam, pol_ns, &ps);
	}
	snprintf(key, sizeof key, "%sRequires", pfx);
	const tm_node *req = tm_node_get(rn, key);
	if (!tm_node_is_null(req))
		unmodelled(c, req, key, "%s.%s is not modelled: its requirements are not applied, so the connections "
			   "shown may be more than Cilium allows", field, key);
	const tm_node *icmps = tm_node_get(rn, "icmps");
	bool has_icmp = !tm_node_is_null(icmps) && (icmps->kind != TM_NODE_SEQ || icmps->n > 0);
	if (has_icmp)
		unmodelled(c, icmps, "icmps", "%s.icmps: ICMP is not modelled (trustmap decides TCP, UDP and SCTP)", field);
	/* authentication.mode */
	const tm_node *auth = deny ? NULL : tm_k8s_map(c, rn, "authentication", field);
	if (auth) {
		const char *mode = NULL;
		char af[256];
		snprintf(af, sizeof af, "%s.authentication", field);
		static const char *const known_auth[] = {"mode", NULL};
		tm_k8s_known_fields(c, auth, af, known_auth);
		if (tm_k8s_str(c, auth, "mode", af, &mode) && mode) {
			bool found = false;
			for (size_t i = 1; i < TM_ARRAY_LEN(auth_modes) && !found; i++)
				if (!strcmp(mode, auth_modes[i])) {
					r->auth = (uint8_t)i;
					found = true;
				}
			if (!found)
				tm_k8s_warn(c, tm_node_get(auth, "mode"), "%s.mode: \"%s\" is not one of required, disabled, "
					    "test-always-fail: read as no authentication", af, mode);
		}
	}
	/* toPorts */
	snprintf(f, sizeof f, "%s.toPorts", field);
	unsigned e2 = c->nerrors;
	const tm_node *tp = tm_k8s_seq(c, rn, "toPorts", f);
	if (c->nerrors == e2 && tp && tp->n)
		read_to_ports(c, tp, f, deny, r);
	else if (c->nerrors == e2 && !has_icmp)
		r->all_ports = true;
	/* no L3 field: every peer when ports (or ICMP types) are given; a
	 * rule with neither selects nothing (Cilium's mergeIngress/mergeEgress) */
	if (!has_l3)
		r->all_peers = (tp && tp->n) || has_icmp;
	if (!has_l3 && !r->all_peers)
		r->all_ports = false;
	r->peers = tm_arena_alloc(&m->arena, (ps.n + 1) * sizeof(tm_peer));
	if (ps.n)
		memcpy(r->peers, ps.v, ps.n * sizeof(tm_peer));
	r->npeers = ps.n;
	free(ps.v);
	if (c->nerrors != e0)
		return;
	tm_k8s_rule_settle(m, r);
}

static void read_section(tm_k8s_ctx *c, const tm_node *spec, const char *sfield, const char *key, bool egress,
			 bool deny, const char *pol_ns, tm_rule **out, size_t *nout)
{
	char f[128];
	snprintf(f, sizeof f, "%s.%s", sfield, key);
	const tm_node *rules = tm_k8s_seq(c, spec, key, f);
	*out = NULL;
	*nout = 0;
	if (!rules)
		return;
	*out = tm_arena_alloc(&c->m->arena, (rules->n + 1) * sizeof(tm_rule));
	memset(*out, 0, (rules->n + 1) * sizeof(tm_rule));
	*nout = rules->n;
	for (size_t i = 0; i < rules->n; i++) {
		char rf[160];
		snprintf(rf, sizeof rf, "%s[%zu]", f, i);
		(*out)[i].index = i;
		read_one_rule(c, rules->items[i], rf, egress, deny, pol_ns, &(*out)[i]);
	}
}

/* One rule: spec or specs[i]. */
static void read_rule(tm_k8s_ctx *c, const tm_node *spec, const char *sfield, bool cw, size_t sub,
		      struct tm_cilium_pending *pend)
{
	tm_model *m = c->m;
	if (spec->kind != TM_NODE_MAP) {
		tm_k8s_error(c, spec, sfield, "expected a map, got %s", tm_node_kind_str(spec));
		return;
	}
	static const char *const known[] = {"endpointSelector", "nodeSelector", "ingress", "ingressDeny", "egress",
					    "egressDeny", "labels", "description", "enableDefaultDeny", "log", NULL};
	tm_k8s_known_fields(c, spec, sfield, known);
	const tm_node *es = tm_node_get(spec, "endpointSelector");
	const tm_node *nsel = tm_node_get(spec, "nodeSelector");
	bool has_es = !tm_node_is_null(es), has_nodes = !tm_node_is_null(nsel);
	if (has_es && has_nodes) {
		tm_k8s_error(c, nsel, sfield, "endpointSelector and nodeSelector are mutually exclusive");
		return;
	}
	if (!has_es && !has_nodes) {
		tm_k8s_error(c, spec, sfield, "one of endpointSelector, nodeSelector is required");
		return;
	}
	if (has_nodes && !cw) {
		tm_k8s_error(c, nsel, sfield, "nodeSelector can only be used in a " CCNP);
		return;
	}
	const char *pol_ns = cw ? NULL : c->ns;
	unsigned e0 = c->nerrors;
	char f[128];
	snprintf(f, sizeof f, "%s.endpointSelector", sfield);
	cil_sel subj;
	memset(&subj, 0, sizeof subj);
	if (has_es)
		read_sel(c, es, f, &subj);
	tm_rule *in, *ind, *eg, *egd;
	size_t nin, nind, neg, negd;
	read_section(c, spec, sfield, "ingress", false, false, pol_ns, &in, &nin);
	read_section(c, spec, sfield, "ingressDeny", false, true, pol_ns, &ind, &nind);
	read_section(c, spec, sfield, "egress", true, false, pol_ns, &eg, &neg);
	read_section(c, spec, sfield, "egressDeny", true, true, pol_ns, &egd, &negd);
	/* enableDefaultDeny: per direction, default true when the rule has
	 * rules (allow or deny) in that direction (pkg/policy/api/rule.go) */
	bool iso_in = nin + nind > 0, iso_eg = neg + negd > 0;
	snprintf(f, sizeof f, "%s.enableDefaultDeny", sfield);
	const tm_node *edd = tm_k8s_map(c, spec, "enableDefaultDeny", f);
	bool edd_in = true, edd_eg = true;
	if (edd) {
		static const char *const kd[] = {"ingress", "egress", NULL};
		tm_k8s_known_fields(c, edd, f, kd);
		if (tm_node_get(edd, "ingress") && tm_k8s_bool(c, edd, "ingress", f, &edd_in) && !edd_in)
			iso_in = false;
		if (tm_node_get(edd, "egress") && tm_k8s_bool(c, edd, "egress", f, &edd_eg) && !edd_eg)
			iso_eg = false;
	}
	if (c->nerrors != e0) {
		tm_k8s_rules_release(in, nin);
		tm_k8s_rules_release(ind, nind);
		tm_k8s_rules_release(eg, neg);
		tm_k8s_rules_release(egd, negd);
		return;
	}
	if (has_nodes) {
		unmodelled(c, nsel, "host policy", "%s.nodeSelector: host policies (the nodes' own traffic) are not "
			   "modelled: this rule is left out", sfield);
		tm_k8s_rules_release(in, nin);
		tm_k8s_rules_release(ind, nind);
		tm_k8s_rules_release(eg, neg);
		tm_k8s_rules_release(egd, negd);
		return;
	}
	if (subj.none) {
		tm_k8s_rules_release(in, nin);
		tm_k8s_rules_release(ind, nind);
		tm_k8s_rules_release(eg, neg);
		tm_k8s_rules_release(egd, negd);
		return; /* said by read_sel: it selects no pod */
	}
	if (!cw && subj.has_ns_name) {
		const char *want = tm_labels_get(&subj.ns.match, "kubernetes.io/metadata.name");
		if (!want || strcmp(want, c->ns) || subj.ns.nexpr)
			tm_k8s_warn(c, es, "%s.endpointSelector: the namespace it names is replaced by the policy's (%s), as "
				    "Cilium does", sfield, c->ns);
	}
	if (!cw) {
		/* the subject is in the policy's namespace, whatever it says
		 * (Cilium's parseRule adds the namespace match) */
		/* the namespace's own labels still have to match */
		size_t nl = 0;
		for (size_t i = 0; i < subj.ns.match.n; i++)
			if (strcmp(subj.ns.match.v[i].key, "kubernetes.io/metadata.name"))
				nl++;
		tm_selector keep = {{0, NULL}, 0, NULL};
		keep.match.v = tm_arena_alloc(&m->arena, (nl + 2) * sizeof(tm_label));
		for (size_t i = 0; i < subj.ns.match.n; i++)
			if (strcmp(subj.ns.match.v[i].key, "kubernetes.io/metadata.name"))
				keep.match.v[keep.match.n++] = subj.ns.match.v[i];
		keep.match = tm_labels_with(&m->arena, &keep.match, tm_intern(&m->strs, "kubernetes.io/metadata.name"), c->ns);
		keep.expr = tm_arena_alloc(&m->arena, (subj.ns.nexpr + 1) * sizeof(tm_selexpr));
		for (size_t i = 0; i < subj.ns.nexpr; i++)
			if (strcmp(subj.ns.expr[i].key, "kubernetes.io/metadata.name"))
				keep.expr[keep.nexpr++] = subj.ns.expr[i];
		subj.ns = keep;
	}
	TM_ARENA_GROW(&m->arena, pend->v, pend->n, pend->cap);
	cil_pol *cp = &pend->v[pend->n++];
	memset(cp, 0, sizeof *cp);
	cp->kind = c->kind;
	cp->ns = pol_ns;
	cp->objname = c->name;
	cp->objseq = pend->objects;
	cp->sub = sub;
	cp->objloc = c->obj->loc;
	cp->subj_ns = subj.ns;
	const char *shown = sub == (size_t)-1 ? c->name : tm_arena_printf(&m->arena, "%s/specs[%zu]", c->name, sub);
	shown = tm_intern(&m->strs, shown);
	const tm_node *meta = tm_node_get(c->obj, "metadata");
	tm_srcloc ignore_loc = {0};
	const char *ignore = tm_k8s_ignore_annotation(meta, &ignore_loc);
	if (iso_in || iso_eg || nin || neg) {
		tm_netpol *np = tm_arena_alloc(&m->arena, sizeof *np);
		memset(np, 0, sizeof *np);
		np->kind = c->kind;
		np->name = shown;
		np->pod_sel = subj.pod;
		np->loc = spec->loc;
		np->ignore = ignore;
		np->ignore_loc = ignore_loc;
		np->ingress = iso_in;
		np->egress = iso_eg;
		np->in_rules = in;
		np->nin = nin;
		np->eg_rules = eg;
		np->neg = neg;
		if ((nin && !iso_in) || (neg && !iso_eg)) {
			unmodelled(c, edd, "enableDefaultDeny false", "%s.enableDefaultDeny: false with %s rules: they add to "
				   "the allows of other policies only where those isolate the pods; trustmap leaves them "
				   "out", sfield, nin && !iso_in ? "ingress" : "egress");
			if (!iso_in) {
				tm_k8s_rules_release(in, nin);
				np->in_rules = NULL;
				np->nin = 0;
			}
			if (!iso_eg) {
				tm_k8s_rules_release(eg, neg);
				np->eg_rules = NULL;
				np->neg = 0;
			}
		}
		cp->allow = np;
	}
	if (nind || negd) {
		tm_anp *a = tm_arena_alloc(&m->arena, sizeof *a);
		memset(a, 0, sizeof *a);
		a->kind = c->kind;
		a->name = cw ? shown : tm_intern(&m->strs, tm_arena_printf(&m->arena, "%s/%s", c->ns, shown));
		a->priority = -1;
		a->subject_pods = true;
		a->subj_ns = subj.ns;
		a->subj_pod = subj.pod;
		a->in_rules = ind;
		a->nin = nind;
		a->eg_rules = egd;
		a->neg = negd;
		a->loc = spec->loc;
		a->ignore = ignore;
		a->ignore_loc = ignore_loc;
		cp->deny = a;
	}
}

static const char *const api_cilium[] = {"cilium.io/v2", NULL};

static void read_object(tm_k8s_ctx *c, bool cw)
{
	tm_model *m = c->m;
	tm_k8s_api_version_check(c, api_cilium);
	if (!m->cilium) {
		m->cilium = tm_arena_alloc(&m->arena, sizeof *m->cilium);
		memset(m->cilium, 0, sizeof *m->cilium);
	}
	struct tm_cilium_pending *pend = m->cilium;
	size_t n0 = pend->n;
	static const char *const known[] = {"apiVersion", "kind", "metadata", "spec", "specs", "status", NULL};
	for (size_t i = 0; c->obj->kind == TM_NODE_MAP && i < c->obj->n; i++) {
		const tm_node *k = c->obj->pairs[i].key;
		bool ok = k->kind != TM_NODE_SCALAR;
		for (const char *const *q = known; *q && !ok; q++)
			ok = !strcmp(*q, k->str);
		if (!ok)
			tm_k8s_warn(c, k, "unknown top-level field \"%s\" ignored (the API server drops it)", k->str);
	}
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	const tm_node *specs = tm_k8s_seq(c, c->obj, "specs", "specs");
	if (c->failed)
		return;
	if (!spec && !specs) {
		tm_k8s_error(c, c->obj, NULL, "one of spec, specs is required");
		return;
	}
	if (spec)
		read_rule(c, spec, "spec", cw, (size_t)-1, pend);
	for (size_t i = 0; specs && i < specs->n; i++) {
		char f[48];
		snprintf(f, sizeof f, "specs[%zu]", i);
		read_rule(c, specs->items[i], f, cw, i, pend);
	}
	if (c->failed) {
		for (size_t i = n0; i < pend->n; i++) {
			if (pend->v[i].allow) {
				tm_k8s_rules_release(pend->v[i].allow->in_rules, pend->v[i].allow->nin);
				tm_k8s_rules_release(pend->v[i].allow->eg_rules, pend->v[i].allow->neg);
			}
			if (pend->v[i].deny) {
				tm_k8s_rules_release(pend->v[i].deny->in_rules, pend->v[i].deny->nin);
				tm_k8s_rules_release(pend->v[i].deny->eg_rules, pend->v[i].deny->neg);
			}
		}
		pend->n = n0;
	}
	pend->objects++;
}

void tm_k8s_cilium_np(tm_k8s_ctx *c) { read_object(c, false); }
void tm_k8s_cilium_ccnp(tm_k8s_ctx *c) { read_object(c, true); }

/* ---- tm_load_finish ---- */
static int pol_cmp(const void *a, const void *b)
{
	const cil_pol *x = a, *y = b;
	int k = strcmp(x->kind, y->kind);
	if (!k)
		k = strcmp(x->ns ? x->ns : "", y->ns ? y->ns : "");
	if (!k)
		k = strcmp(x->objname, y->objname);
	if (!k)
		k = x->objseq < y->objseq ? -1 : x->objseq > y->objseq;
	if (!k)
		k = x->sub == y->sub ? 0 : x->sub == (size_t)-1 ? -1 : y->sub == (size_t)-1 ? 1 : x->sub < y->sub ? -1 : 1;
	return k;
}

static void release_pol(cil_pol *p)
{
	if (p->allow) {
		tm_k8s_rules_release(p->allow->in_rules, p->allow->nin);
		tm_k8s_rules_release(p->allow->eg_rules, p->allow->neg);
	}
	if (p->deny) {
		tm_k8s_rules_release(p->deny->in_rules, p->deny->nin);
		tm_k8s_rules_release(p->deny->eg_rules, p->deny->neg);
	}
}

static void add_netpol(tm_model *m, const tm_netpol *tmpl, const char *ns)
{
	tm_netpol *np = tm_arena_alloc(&m->arena, sizeof *np);
	*np = *tmpl;
	np->ns = ns;
	TM_ARENA_GROW(&m->arena, m->netpols, m->nnetpols, m->cap_np);
	m->netpols[m->nnetpols++] = np;
}

static int kc_cmp(const void *a, const void *b)
{
	return strcmp(((const tm_kindcount *)a)->kind, ((const tm_kindcount *)b)->kind);
}

void tm_k8s_cilium_finish(tm_model *m)
{
	struct tm_cilium_pending *pend = m->cilium;
	if (m->nunmodelled > 1)
		qsort(m->unmodelled, m->nunmodelled, sizeof *m->unmodelled, kc_cmp);
	if (!pend || !pend->n)
		return;
	qsort(pend->v, pend->n, sizeof *pend->v, pol_cmp);
	for (size_t i = 0; i < pend->n; i++) {
		cil_pol *p = &pend->v[i];
		/* a later object of the same kind and name replaces this one */
		size_t j = i + 1;
		while (j < pend->n && !strcmp(pend->v[j].kind, p->kind) && pend->v[j].ns == p->ns &&
		       !strcmp(pend->v[j].objname, p->objname) && pend->v[j].objseq == p->objseq)
			j++;
		if (j < pend->n && !strcmp(pend->v[j].kind, p->kind) && pend->v[j].ns == p->ns &&
		    !strcmp(pend->v[j].objname, p->objname)) {
			tm_diags_add(&m->diags, TM_DIAG_WARN, pend->v[j].objloc,
				     "%s %s%s%s: duplicate (first at %s:%u); this later one replaces it", p->kind,
				     p->ns ? p->ns : "", p->ns ? "/" : "", p->objname, p->objloc.file, p->objloc.line);
			for (size_t k = i; k < j; k++)
				release_pol(&pend->v[k]);
			i = j - 1;
			continue;
		}
		for (size_t k = i; k < j; k++) {
			cil_pol *q = &pend->v[k];
			if (q->deny) {
				TM_ARENA_GROW(&m->arena, m->anps, m->nanps, m->cap_anp);
				m->anps[m->nanps++] = q->deny;
			}
			if (!q->allow)
				continue;
			/* every namespace whose labels the subject's namespace part
			 * matches and that holds a pod it selects (a policy that
			 * selects no pod there changes nothing) */
			for (size_t n = 0; n < m->nnamespaces; n++) {
				tm_namespace *ns = m->namespaces[n];
				if (q->ns && strcmp(ns->name, q->ns))
					continue;
				if (!tm_selector_matches(&q->subj_ns, &ns->labels))
					continue;
				bool any = q->ns != NULL; /* a namespaced policy is kept as read */
				for (size_t w = 0; w < m->nworkloads && !any; w++)
					any = !strcmp(m->workloads[w]->ns, ns->name) &&
					      tm_selector_matches(&q->allow->pod_sel, &m->workloads[w]->labels);
				for (size_t w = 0; w < m->npods && !any; w++)
					any = !strcmp(m->pods[w]->ns, ns->name) &&
					      tm_selector_matches(&q->allow->pod_sel, &m->pods[w]->labels);
				if (any)
					add_netpol(m, q->allow, ns->name);
			}
		}
		i = j - 1;
	}
	pend->n = 0;
}
