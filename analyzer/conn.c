/* conn.c - the connectivity engine.
 *
 * Workloads whose namespace, labels and container ports are equal behave the
 * same under every selector: they form one class, and every policy decision
 * is computed per class pair (and per class x IP range), never per workload.
 * Every rule's peers are matched against all classes once, up front, into a
 * bitset; a pair decision is then a walk over the rules of the policies that
 * select the subject, with hash-consed port sets (model/sets.c).
 *
 * One function, eval_dir(), decides a direction for a pair; the bulk
 * computation and tm_conn_explain() both call it, so what `explain` says is
 * what `conn` computed. */
#include "analyzer/conn.h"

#include <stdlib.h>
#include <string.h>

typedef struct erule {
	const tm_rule *r;
	uint64_t *bits; /* classes matched by the rule's selector peers */
	struct epol *pol;
} erule;

typedef struct epol {
	int kind; /* 0 NetworkPolicy, 1 ANP, 2 BANP */
	const char *name;
	const char *kind_name;
	erule *in, *eg;
	size_t nin, neg;
	bool np_ingress, np_egress;
} epol;

typedef struct cls {
	tm_workload *rep;         /* NULL for the ingress controller */
	const tm_labels *ns_labels;
	const char *ns;
	const tm_labels *labels;
	const tm_cport *ports;
	size_t nports;
	epol **np_in, **np_eg, **anp_in, **anp_eg;
	size_t nnp_in, nnp_eg, nanp_in, nanp_eg;
	bool banp;
} cls;

typedef struct engine {
	tm_model *m;
	tm_portpool *pp;
	cls *c;
	size_t nc;      /* classes incl. the ingress controller class (last, if any) */
	size_t words;   /* uint64 words per bitset */
	epol *pols;
	size_t npols;
	epol *banp;
	uint32_t *matrix; /* nc x nc port-set ids (src-major), or NULL */
	tm_conn_opts o;
} engine;

typedef struct peerref {
	bool is_ip;
	uint32_t cls;
	tm_iprange atom;
} peerref;

static inline bool bit_get(const uint64_t *b, size_t i)
{
	return (b[i >> 6] >> (i & 63)) & 1u;
}

static inline void bit_set(uint64_t *b, size_t i)
{
	b[i >> 6] |= (uint64_t)1 << (i & 63);
}

/* ---- classes ---- */
static int cport_cmp(const tm_cport *a, const tm_cport *b)
{
	int c = tm_strcmp_null(a->name, b->name);
	if (c)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return (int)a->proto - (int)b->proto;
}

static int wl_class_cmp(const tm_workload *a, const tm_workload *b)
{
	int c = strcmp(a->ns, b->ns);
	if (c)
		return c;
	c = tm_labels_cmp(&a->labels, &b->labels);
	if (c)
		return c;
	if (a->nports != b->nports)
		return a->nports < b->nports ? -1 : 1;
	for (size_t i = 0; i < a->nports; i++) {
		c = cport_cmp(&a->ports[i], &b->ports[i]);
		if (c)
			return c;
	}
	return 0;
}

static int wl_class_qcmp(const void *x, const void *y)
{
	const tm_workload *a = *(tm_workload *const *)x, *b = *(tm_workload *const *)y;
	int c = wl_class_cmp(a, b);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* ---- matching ---- */
static bool sel_peer_matches(const tm_peer *p, const char *pol_ns, const cls *k, bool anp)
{
	if (p->kind != TM_PEER_SELECTOR)
		return false;
	if (anp) {
		if (!tm_selector_matches(&p->ns_sel, k->ns_labels))
			return false;
		return !p->has_pod_sel || tm_selector_matches(&p->pod_sel, k->labels);
	}
	if (p->has_ns_sel) {
		if (!tm_selector_matches(&p->ns_sel, k->ns_labels))
			return false;
	} else if (strcmp(k->ns, pol_ns) != 0)
		return false;
	return !p->has_pod_sel || tm_selector_matches(&p->pod_sel, k->labels);
}

static void rule_bits(engine *e, erule *er, const char *pol_ns, bool anp)
{
	er->bits = tm_xrealloc(NULL, e->words * sizeof(uint64_t));
	memset(er->bits, 0, e->words * sizeof(uint64_t));
	for (size_t j = 0; j < er->r->npeers; j++) {
		const tm_peer *p = &er->r->peers[j];
		if (p->kind != TM_PEER_SELECTOR)
			continue;
		for (size_t k = 0; k < e->nc; k++)
			if (!bit_get(er->bits, k) && sel_peer_matches(p, pol_ns, &e->c[k], anp))
				bit_set(er->bits, k);
	}
}

static bool ip_peer_matches(const tm_rule *r, tm_iprange atom)
{
	for (size_t j = 0; j < r->npeers; j++)
		if (r->peers[j].kind == TM_PEER_IPBLOCK && tm_ipset_contains_range(&r->peers[j].ips, atom))
			return true;
	return false;
}

static bool rule_matches(const engine *e, const erule *er, peerref p)
{
	if (er->r->all_peers)
		return true;
	if (p.is_ip)
		return ip_peer_matches(er->r, p.atom);
	if (bit_get(er->bits, p.cls))
		return true;
	if (e->o.ipblock_matches_pods && e->c[p.cls].rep) {
		/* a workload matches when every pod it has an address for lies inside */
		const tm_model *m = e->m;
		const tm_workload *w = e->c[p.cls].rep;
		bool any = false;
		for (size_t i = 0; i < m->npods; i++) {
			if (m->pods[i]->owner != w)
				continue;
			for (size_t k = 0; k < m->pods[i]->nips; k++) {
				tm_iprange one = {m->pods[i]->ips[k], m->pods[i]->ips[k]};
				if (!ip_peer_matches(er->r, one))
					return false;
				any = true;
			}
		}
		return any;
	}
	return false;
}

/* The rule's ports towards destination class dst (NULL: an IP range). */
static const tm_ports *rule_ports(engine *e, const tm_rule *r, const cls *dst)
{
	if (!r->has_named || !dst)
		return r->fixed;
	const tm_ports *u = r->fixed;
	for (size_t i = 0; i < r->nports; i++) {
		const tm_portspec *ps = &r->ports[i];
		if (!ps->name)
			continue;
		for (size_t k = 0; k < dst->nports; k++) {
			const tm_cport *cp = &dst->ports[k];
			if (cp->name && !strcmp(cp->name, ps->name) && (ps->proto_from_pod || cp->proto == ps->proto))
				u = tm_ports_union(e->pp, u, tm_ports_range(e->pp, cp->proto, cp->port, cp->port));
		}
	}
	return u;
}

static void why_add(tm_explain *ex, tm_dir dir, tm_why_kind kind, const epol *pol, const tm_rule *r,
		    const tm_ports *ports)
{
	if (!ex)
		return;
	TM_HEAP_GROW(ex->v, ex->n, ex->cap);
	tm_why *w = &ex->v[ex->n++];
	memset(w, 0, sizeof *w);
	w->dir = dir;
	w->kind = kind;
	w->rule = -1;
	w->ports = ports;
	if (pol) {
		w->policy_kind = pol->kind_name;
		w->policy = pol->name;
	}
	if (r) {
		w->rule = (long)r->index;
		w->rule_name = r->name;
		w->action = r->action;
		w->loc = r->loc;
	}
}

/* A matching rule whose named port no container of the destination has:
 * it silently allows nothing for that entry, which explain says. */
static void why_unresolved(tm_explain *ex, tm_dir dir, const epol *pol, const tm_rule *r, const cls *dst)
{
	for (size_t i = 0; i < r->nports; i++) {
		const tm_portspec *ps = &r->ports[i];
		bool found = false;
		if (!ps->name)
			continue;
		for (size_t k = 0; dst && k < dst->nports && !found; k++)
			found = dst->ports[k].name && !strcmp(dst->ports[k].name, ps->name) &&
				(ps->proto_from_pod || dst->ports[k].proto == ps->proto);
		if (found)
			continue;
		why_add(ex, dir, TM_WHY_NAMED_UNRESOLVED, pol, r, NULL);
		ex->v[ex->n - 1].port_name = ps->name;
		ex->v[ex->n - 1].loc = ps->loc;
	}
}

/* The connections that subject class k allows in direction dir with peer p.
 * Port resolution targets the destination: k for ingress, p for egress. */
static const tm_ports *eval_dir(engine *e, tm_dir dir, uint32_t k, peerref p, tm_explain *ex)
{
	tm_portpool *pp = e->pp;
	const cls *kc = &e->c[k];
	const cls *dst = dir == TM_DIR_INGRESS ? kc : (p.is_ip ? NULL : &e->c[p.cls]);
	const tm_ports *allowed = tm_ports_empty(pp), *undecided = tm_ports_all(pp);
	const tm_ports *passed = tm_ports_empty(pp);
	bool ing = dir == TM_DIR_INGRESS;

	/* tier 1: AdminNetworkPolicies by priority, rules in order */
	epol **anps = ing ? kc->anp_in : kc->anp_eg;
	size_t nanps = ing ? kc->nanp_in : kc->nanp_eg;
	for (size_t i = 0; i < nanps && !tm_ports_is_empty(undecided); i++) {
		epol *pol = anps[i];
		erule *rs = ing ? pol->in : pol->eg;
		size_t nr = ing ? pol->nin : pol->neg;
		for (size_t j = 0; j < nr && !tm_ports_is_empty(undecided); j++) {
			if (!rule_matches(e, &rs[j], p))
				continue;
			const tm_ports *cov = tm_ports_inter(pp, undecided, rule_ports(e, rs[j].r, dst));
			if (tm_ports_is_empty(cov))
				continue;
			if (rs[j].r->action == TM_ACT_ALLOW)
				allowed = tm_ports_union(pp, allowed, cov);
			else if (rs[j].r->action == TM_ACT_PASS)
				passed = tm_ports_union(pp, passed, cov);
			undecided = tm_ports_minus(pp, undecided, cov);
			why_add(ex, dir, TM_WHY_RULE, pol, rs[j].r, cov);
		}
	}
	const tm_ports *rest = tm_ports_union(pp, undecided, passed);
	if (tm_ports_is_empty(rest))
		return allowed;

	/* tier 2: NetworkPolicies */
	epol **nps = ing ? kc->np_in : kc->np_eg;
	size_t nnps = ing ? kc->nnp_in : kc->nnp_eg;
	if (nnps) {
		const tm_ports *npa = tm_ports_empty(pp);
		for (size_t i = 0; i < nnps; i++) {
			epol *pol = nps[i];
			erule *rs = ing ? pol->in : pol->eg;
			size_t nr = ing ? pol->nin : pol->neg;
			for (size_t j = 0; j < nr; j++) {
				if (!rule_matches(e, &rs[j], p))
					continue;
				const tm_ports *rp = rule_ports(e, rs[j].r, dst);
				npa = tm_ports_union(pp, npa, rp);
				if (ex) {
					const tm_ports *cov = tm_ports_inter(pp, rest, rp);
					if (!tm_ports_is_empty(cov))
						why_add(ex, dir, TM_WHY_RULE, pol, rs[j].r, cov);
					why_unresolved(ex, dir, pol, rs[j].r, dst);
				}
			}
		}
		const tm_ports *ok = tm_ports_inter(pp, rest, npa);
		if (ex) {
			const tm_ports *denied = tm_ports_minus(pp, rest, npa);
			if (!tm_ports_is_empty(denied))
				why_add(ex, dir, TM_WHY_NP_DEFAULT_DENY, NULL, NULL, denied);
		}
		return tm_ports_union(pp, allowed, ok);
	}

	/* tier 3: BaselineAdminNetworkPolicy, then default allow */
	if (kc->banp && e->banp) {
		epol *pol = e->banp;
		erule *rs = ing ? pol->in : pol->eg;
		size_t nr = ing ? pol->nin : pol->neg;
		for (size_t j = 0; j < nr && !tm_ports_is_empty(rest); j++) {
			if (!rule_matches(e, &rs[j], p))
				continue;
			const tm_ports *cov = tm_ports_inter(pp, rest, rule_ports(e, rs[j].r, dst));
			if (tm_ports_is_empty(cov))
				continue;
			if (rs[j].r->action == TM_ACT_ALLOW)
				allowed = tm_ports_union(pp, allowed, cov);
			rest = tm_ports_minus(pp, rest, cov);
			why_add(ex, dir, TM_WHY_RULE, pol, rs[j].r, cov);
		}
		if (!tm_ports_is_empty(rest))
			why_add(ex, dir, TM_WHY_BANP_DEFAULT, NULL, NULL, rest);
	} else
		why_add(ex, dir, TM_WHY_NOT_SELECTED, NULL, NULL, rest);
	return tm_ports_union(pp, allowed, rest);
}

/* ---- setup ---- */
static epol **epol_push(tm_arena *a, epol **v, size_t *n, size_t *cap, epol *p)
{
	TM_ARENA_GROW(a, v, *n, *cap);
	v[(*n)++] = p;
	return v;
}

static bool anp_subject_matches(const tm_anp *a, const cls *k)
{
	if (!k->rep)
		return false; /* the ingress controller is outside every policy */
	if (!tm_selector_matches(&a->subj_ns, k->ns_labels))
		return false;
	return !a->subject_pods || tm_selector_matches(&a->subj_pod, k->labels);
}

static void build_pol(engine *e, epol *ep, int kind, const char *name, const char *kind_name,
		      const tm_rule *in, size_t nin, const tm_rule *eg, size_t neg, const char *ns)
{
	ep->kind = kind;
	ep->name = name;
	ep->kind_name = kind_name;
	ep->nin = nin;
	ep->neg = neg;
	ep->in = tm_xrealloc(NULL, (nin + 1) * sizeof(erule));
	ep->eg = tm_xrealloc(NULL, (neg + 1) * sizeof(erule));
	for (size_t i = 0; i < nin; i++) {
		ep->in[i].r = &in[i];
		ep->in[i].pol = ep;
		rule_bits(e, &ep->in[i], ns, kind != 0);
	}
	for (size_t i = 0; i < neg; i++) {
		ep->eg[i].r = &eg[i];
		ep->eg[i].pol = ep;
		rule_bits(e, &ep->eg[i], ns, kind != 0);
	}
}

static void engine_free(engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->npols; i++) {
		for (size_t j = 0; j < e->pols[i].nin; j++)
			free(e->pols[i].in[j].bits);
		for (size_t j = 0; j < e->pols[i].neg; j++)
			free(e->pols[i].eg[j].bits);
		free(e->pols[i].in);
		free(e->pols[i].eg);
	}
	free(e->pols);
	free(e->c);
	free(e->matrix);
	free(e);
}

void tm_conn_opts_default(tm_conn_opts *o)
{
	memset(o, 0, sizeof *o);
}

/* ---- IP atoms ---- */
typedef struct cuts {
	tm_ip *v;
	size_t n, cap;
} cuts;

static void cuts_add_set(cuts *c, const tm_ipset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		TM_HEAP_GROW(c->v, c->n, c->cap);
		c->v[c->n++] = s->r[i].lo;
		if (!(s->r[i].hi.hi == UINT64_MAX && s->r[i].hi.lo == UINT64_MAX)) {
			TM_HEAP_GROW(c->v, c->n, c->cap);
			c->v[c->n++] = tm_ip_next(s->r[i].hi);
		}
	}
}

static int ip_qcmp(const void *a, const void *b)
{
	return tm_ip_cmp(*(const tm_ip *)a, *(const tm_ip *)b);
}

/* Atoms of one family's full range cut at every boundary. */
static size_t make_atoms(cuts *c, tm_iprange all, tm_iprange **out)
{
	TM_HEAP_GROW(c->v, c->n, c->cap);
	c->v[c->n++] = all.lo;
	qsort(c->v, c->n, sizeof(tm_ip), ip_qcmp);
	size_t n = 0;
	tm_iprange *r = tm_xrealloc(NULL, (c->n + 1) * sizeof *r);
	for (size_t i = 0; i < c->n; i++) {
		tm_ip lo = c->v[i];
		if (tm_ip_cmp(lo, all.lo) < 0 || tm_ip_cmp(lo, all.hi) > 0)
			continue;
		if (n && tm_ip_cmp(r[n - 1].lo, lo) == 0)
			continue;
		if (n)
			r[n - 1].hi = tm_ip_prev(lo);
		r[n].lo = lo;
		r[n].hi = all.hi;
		n++;
	}
	*out = r;
	return n;
}

static bool in_range(tm_ip a, tm_iprange r)
{
	return tm_ip_cmp(a, r.lo) >= 0 && tm_ip_cmp(a, r.hi) <= 0;
}

static void collect_atoms(tm_model *m, bool ingress, bool ipv6, tm_iprange **v4, size_t *n4, tm_iprange **v6, size_t *n6)
{
	cuts c4 = {0}, c6 = {0};
	tm_iprange a4 = tm_iprange_v4_all(), a6 = tm_iprange_v6_all();
	bool any6 = false;
	for (size_t i = 0; i < m->nnetpols; i++) {
		tm_netpol *p = m->netpols[i];
		tm_rule *rs = ingress ? p->in_rules : p->eg_rules;
		size_t nr = ingress ? p->nin : p->neg;
		for (size_t j = 0; j < nr; j++)
			for (size_t k = 0; k < rs[j].npeers; k++) {
				tm_peer *pe = &rs[j].peers[k];
				if (pe->kind != TM_PEER_IPBLOCK)
					continue;
				if (pe->has_v6) {
					any6 = true;
					cuts_add_set(&c6, &pe->ips);
				} else
					cuts_add_set(&c4, &pe->ips);
			}
	}
	if (!ingress) {
		for (size_t i = 0; i <= m->nanps; i++) {
			tm_anp *a = i < m->nanps ? m->anps[i] : m->banp;
			if (!a)
				continue;
			for (size_t j = 0; j < a->neg; j++)
				for (size_t k = 0; k < a->eg_rules[j].npeers; k++) {
					tm_peer *pe = &a->eg_rules[j].peers[k];
					if (pe->kind != TM_PEER_IPBLOCK)
						continue;
					for (size_t q = 0; q < pe->ips.n; q++) {
						tm_ipset one = {1, &pe->ips.r[q]};
						if (in_range(pe->ips.r[q].lo, a4))
							cuts_add_set(&c4, &one);
						else {
							any6 = true;
							cuts_add_set(&c6, &one);
						}
					}
				}
		}
	}
	*n4 = make_atoms(&c4, a4, v4);
	*n6 = 0;
	*v6 = NULL;
	if (any6 && ipv6) {
		/* the v6 space minus the v4-mapped block, which the v4 atoms cover */
		tm_ipset rest;
		tm_ipset_init(&rest);
		tm_ipset_add(&rest, a6);
		tm_ipset_subtract(&rest, a4);
		cuts_add_set(&c6, &rest);
		tm_iprange *all6;
		size_t n = make_atoms(&c6, a6, &all6);
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!(tm_ip_cmp(all6[i].lo, a4.lo) >= 0 && tm_ip_cmp(all6[i].hi, a4.hi) <= 0))
				all6[k++] = all6[i];
		*v6 = all6;
		*n6 = k;
		tm_ipset_release(&rest);
	}
	free(c4.v);
	free(c6.v);
}

/* ---- ingress controller (NPA 2.6) ---- */
static const tm_ports *exposure_ports(engine *e, const tm_workload *w, bool *any_exposure)
{
	tm_model *m = e->m;
	const tm_ports *u = tm_ports_empty(e->pp);
	for (size_t i = 0; i < m->nexposures; i++) {
		const tm_exposure *x = m->exposures[i];
		if (strcmp(x->kind, "Ingress") && strcmp(x->kind, "Route"))
			continue;
		if (strcmp(x->ns, w->ns))
			continue;
		for (size_t s = 0; s < m->nservices; s++) {
			const tm_service *svc = m->services[s];
			if (strcmp(svc->ns, x->ns) || strcmp(svc->name, x->service) || !svc->has_selector ||
			    svc->selector.n == 0)
				continue;
			tm_selector sel = {svc->selector, 0, NULL};
			if (!tm_selector_matches(&sel, &w->labels))
				continue;
			*any_exposure = true;
			for (size_t k = 0; k < svc->nports; k++) {
				const tm_svcport *sp = &svc->ports[k];
				if (x->port && x->port != sp->port)
					continue;
				if (x->port_name && (!sp->name || strcmp(x->port_name, sp->name)))
					continue;
				uint32_t target = sp->target_port;
				bool found = false;
				for (size_t c = 0; c < w->nports; c++) {
					const tm_cport *cp = &w->ports[c];
					if (sp->target_name ? (cp->name && !strcmp(cp->name, sp->target_name))
							    : cp->port == target) {
						target = cp->port;
						found = true;
						break;
					}
				}
				if (found)
					u = tm_ports_union(e->pp, u, tm_ports_range(e->pp, TM_PROTO_TCP, target, target));
			}
		}
	}
	return u;
}

/* ---- graph ---- */
static int ep_qcmp(const void *a, const void *b)
{
	const tm_endpoint *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return (int)x->kind - (int)y->kind;
}

static void edge_push(tm_graph *g, uint32_t s, uint32_t d, const tm_ports *p)
{
	TM_HEAP_GROW(g->edges, g->nedges, g->cap_edges);
	g->edges[g->nedges].src = s;
	g->edges[g->nedges].dst = d;
	g->edges[g->nedges].ports = p;
	g->nedges++;
}

static const tm_ports *pair_conn(engine *e, uint32_t cs, uint32_t cd)
{
	if (e->matrix) {
		uint32_t id = e->matrix[(size_t)cs * e->nc + cd];
		if (id != UINT32_MAX)
			return tm_ports_by_id(e->pp, id);
	}
	peerref ps = {false, cs, {{0, 0}, {0, 0}}}, pd = {false, cd, {{0, 0}, {0, 0}}};
	const tm_ports *in = eval_dir(e, TM_DIR_INGRESS, cd, ps, NULL);
	const tm_ports *r = in;
	if (!tm_ports_is_empty(in) && e->c[cs].rep)
		r = tm_ports_inter(e->pp, in, eval_dir(e, TM_DIR_EGRESS, cs, pd, NULL));
	if (e->matrix)
		e->matrix[(size_t)cs * e->nc + cd] = r->id;
	return r;
}

tm_err tm_conn_compute(tm_model *m, const tm_conn_opts *o, tm_graph **out)
{
	engine *e = tm_xrealloc(NULL, sizeof *e);
	memset(e, 0, sizeof *e);
	e->m = m;
	e->pp = m->ports;
	if (o)
		e->o = *o;
	tm_graph *g = tm_xrealloc(NULL, sizeof *g);
	memset(g, 0, sizeof *g);
	g->m = m;
	g->priv = e;

	/* classes */
	size_t nw = m->nworkloads;
	tm_workload **sorted = tm_xrealloc(NULL, (nw + 1) * sizeof *sorted);
	if (nw)
		memcpy(sorted, m->workloads, nw * sizeof *sorted);
	if (nw > 1)
		qsort(sorted, nw, sizeof *sorted, wl_class_qcmp);
	uint32_t *wcls = tm_xrealloc(NULL, (nw + 1) * sizeof *wcls);
	e->c = tm_xrealloc(NULL, (nw + 2) * sizeof(cls));
	memset(e->c, 0, (nw + 2) * sizeof(cls));
	for (size_t i = 0; i < nw; i++) {
		tm_workload *w = sorted[i];
		/* with ipBlocks matching pods, pods' addresses set workloads apart */
		if (i == 0 || wl_class_cmp(sorted[i - 1], w) != 0 || e->o.ipblock_matches_pods) {
			cls *k = &e->c[e->nc++];
			k->rep = w;
			k->ns = w->ns;
			k->ns_labels = &w->nsp->labels;
			k->labels = &w->labels;
			k->ports = w->ports;
			k->nports = w->nports;
		}
		wcls[w->index] = (uint32_t)(e->nc - 1);
	}
	free(sorted);

	/* the ingress controller: a label-less pod in ingress-controller-ns */
	bool want_ic = false;
	if (!e->o.no_ingress_controller)
		for (size_t i = 0; i < m->nexposures && !want_ic; i++)
			want_ic = !strcmp(m->exposures[i]->kind, "Ingress") || !strcmp(m->exposures[i]->kind, "Route");
	uint32_t ic = UINT32_MAX;
	tm_labels ic_ns_labels = {0, NULL}, no_labels = {0, NULL};
	if (want_ic) {
		ic_ns_labels = tm_labels_with(&m->arena, &no_labels, tm_intern(&m->strs, "kubernetes.io/metadata.name"),
					      tm_intern(&m->strs, "ingress-controller-ns"));
		cls *k = &e->c[e->nc];
		k->rep = NULL;
		k->ns = tm_intern(&m->strs, "ingress-controller-ns");
		k->ns_labels = &ic_ns_labels;
		k->labels = &no_labels;
		ic = (uint32_t)e->nc++;
	}
	e->words = (e->nc + 63) / 64 + 1;

	/* policies, with their rules' peer bitsets */
	e->npols = m->nnetpols + m->nanps + (m->banp ? 1 : 0);
	e->pols = tm_xrealloc(NULL, (e->npols + 1) * sizeof(epol));
	memset(e->pols, 0, (e->npols + 1) * sizeof(epol));
	size_t pi = 0;
	for (size_t i = 0; i < m->nnetpols; i++, pi++) {
		tm_netpol *np = m->netpols[i];
		build_pol(e, &e->pols[pi], 0, tm_arena_printf(&m->arena, "%s/%s", np->ns, np->name), "NetworkPolicy",
			  np->in_rules, np->nin, np->eg_rules, np->neg, np->ns);
		for (size_t k = 0; k < e->nc; k++) {
			cls *c = &e->c[k];
			if (!c->rep || strcmp(c->ns, np->ns) || !tm_selector_matches(&np->pod_sel, c->labels))
				continue;
			size_t cap;
			if (np->ingress) {
				cap = c->nnp_in;
				c->np_in = epol_push(&m->arena, c->np_in, &c->nnp_in, &cap, &e->pols[pi]);
			}
			if (np->egress) {
				cap = c->nnp_eg;
				c->np_eg = epol_push(&m->arena, c->np_eg, &c->nnp_eg, &cap, &e->pols[pi]);
			}
		}
	}
	for (size_t i = 0; i <= m->nanps; i++) {
		tm_anp *a = i < m->nanps ? m->anps[i] : m->banp;
		if (!a)
			continue;
		epol *ep = &e->pols[pi++];
		build_pol(e, ep, a->baseline ? 2 : 1, a->name,
			  a->baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy", a->in_rules, a->nin,
			  a->eg_rules, a->neg, NULL);
		if (a->baseline)
			e->banp = ep;
		for (size_t k = 0; k < e->nc; k++) {
			cls *c = &e->c[k];
			if (!anp_subject_matches(a, c))
				continue;
			if (a->baseline) {
				c->banp = true;
				continue;
			}
			size_t cap = c->nanp_in;
			if (a->nin)
				c->anp_in = epol_push(&m->arena, c->anp_in, &c->nanp_in, &cap, ep);
			cap = c->nanp_eg;
			if (a->neg)
				c->anp_eg = epol_push(&m->arena, c->anp_eg, &c->nanp_eg, &cap, ep);
		}
	}
	/* a cache of class-pair results when it fits in 256 MiB */
	if (e->nc && e->nc <= 8192) {
		e->matrix = tm_xrealloc(NULL, e->nc * e->nc * sizeof(uint32_t));
		memset(e->matrix, 0xff, e->nc * e->nc * sizeof(uint32_t));
	}

	/* endpoints */
	tm_iprange *s4, *s6, *d4, *d6;
	size_t ns4, ns6, nd4, nd6;
	collect_atoms(m, true, e->o.ipv6, &s4, &ns4, &s6, &ns6);
	collect_atoms(m, false, e->o.ipv6, &d4, &nd4, &d6, &nd6);
	size_t nep = nw + ns4 + ns6 + nd4 + nd6 + 1;
	g->eps = tm_xrealloc(NULL, nep * sizeof(tm_endpoint));
	memset(g->eps, 0, nep * sizeof(tm_endpoint));
	for (size_t i = 0; i < nw; i++) {
		tm_endpoint *ep = &g->eps[g->neps++];
		ep->kind = TM_EP_WORKLOAD;
		ep->w = m->workloads[i];
		ep->name = ep->w->display;
		ep->cls = wcls[i];
	}
	tm_buf b;
	tm_buf_init(&b, 0);
	for (int side = 0; side < 2; side++) {
		for (int fam = 0; fam < 2; fam++) {
			tm_iprange *v = side == 0 ? (fam ? s6 : s4) : (fam ? d6 : d4);
			size_t n = side == 0 ? (fam ? ns6 : ns4) : (fam ? nd6 : nd4);
			for (size_t i = 0; i < n; i++) {
				tm_endpoint *ep = &g->eps[g->neps++];
				ep->kind = TM_EP_IPRANGE;
				ep->range = v[i];
				ep->is_src_atom = side == 0;
				tm_buf_reset(&b);
				tm_iprange_format(&v[i], &b);
				tm_buf_adds(&b, "[External]");
				ep->name = tm_intern(&m->strs, tm_buf_str(&b));
			}
		}
	}
	tm_buf_release(&b);
	free(s4);
	free(s6);
	free(d4);
	free(d6);
	if (want_ic) {
		tm_endpoint *ep = &g->eps[g->neps++];
		ep->kind = TM_EP_INGRESS;
		ep->name = tm_intern(&m->strs, "{ingress-controller}");
		ep->cls = ic;
	}
	free(wcls);
	if (g->neps > 1)
		qsort(g->eps, g->neps, sizeof(tm_endpoint), ep_qcmp);
	g->nclasses = e->nc;

	/* edges, produced in (src name, dst name) order */
	bool warned_ic = false;
	for (size_t si = 0; si < g->neps; si++) {
		tm_endpoint *src = &g->eps[si];
		if (src->kind == TM_EP_IPRANGE && !src->is_src_atom)
			continue;
		for (size_t di = 0; di < g->neps; di++) {
			tm_endpoint *dst = &g->eps[di];
			if (si == di || dst->kind == TM_EP_INGRESS)
				continue;
			if (dst->kind == TM_EP_IPRANGE && (dst->is_src_atom || src->kind != TM_EP_WORKLOAD))
				continue;
			const tm_ports *p;
			if (src->kind == TM_EP_WORKLOAD && dst->kind == TM_EP_WORKLOAD)
				p = pair_conn(e, src->cls, dst->cls);
			else if (src->kind == TM_EP_IPRANGE) {
				peerref pr = {true, 0, src->range};
				p = eval_dir(e, TM_DIR_INGRESS, dst->cls, pr, NULL);
			} else if (dst->kind == TM_EP_IPRANGE) {
				peerref pr = {true, 0, dst->range};
				p = eval_dir(e, TM_DIR_EGRESS, src->cls, pr, NULL);
			} else {
				/* ingress controller -> workload: the exposed ports it may reach */
				bool any = false;
				const tm_ports *x = exposure_ports(e, dst->w, &any);
				if (!any)
					continue;
				p = tm_ports_inter(e->pp, x, pair_conn(e, src->cls, dst->cls));
				if (tm_ports_is_empty(p) && !warned_ic) {
					tm_srcloc l = dst->w->loc;
					tm_diags_add(&m->diags, TM_DIAG_WARN, l,
						     "%s is exposed by an Ingress or Route, but no exposed port reaches it",
						     dst->name);
				}
			}
			if (!tm_ports_is_empty(p))
				edge_push(g, (uint32_t)si, (uint32_t)di, p);
		}
	}
	(void)warned_ic;
	*out = g;
	return TM_OK;
}

void tm_graph_free(tm_graph *g)
{
	if (!g)
		return;
	engine_free(g->priv);
	free(g->shown);
	free(g->eps);
	free(g->edges);
	free(g);
}

long tm_graph_find(const tm_graph *g, const char *spec)
{
	long found = -1;
	size_t sl = strlen(spec);
	tm_ip ip;
	bool is_ip = tm_ip_parse(spec, &ip);
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		bool hit = false;
		if (!strcmp(ep->name, spec))
			return (long)i;
		if (ep->kind == TM_EP_WORKLOAD) {
			const tm_workload *w = ep->w;
			size_t nl = strlen(w->ns);
			/* ns/name */
			if (sl > nl && !strncmp(spec, w->ns, nl) && spec[nl] == '/' && !strcmp(spec + nl + 1, w->name))
				hit = true;
			else if (!strcmp(spec, w->name))
				hit = true;
			else
				for (size_t p = 0; p < g->m->npods && !hit; p++) {
					const tm_pod *pod = g->m->pods[p];
					if (pod->owner != w)
						continue;
					if (!strcmp(pod->name, spec))
						hit = true;
					for (size_t k = 0; is_ip && k < pod->nips && !hit; k++)
						hit = tm_ip_cmp(pod->ips[k], ip) == 0;
				}
		} else if (ep->kind == TM_EP_IPRANGE && is_ip && !ep->is_src_atom) {
			/* an IP names the destination-side range that holds it; the
			 * source side is found by tm_graph_find_src_ip */
			hit = in_range(ip, ep->range);
		}
		if (hit) {
			if (found >= 0)
				return -2;
			found = (long)i;
		}
	}
	return found;
}

const tm_ports *tm_graph_conn(const tm_graph *g, size_t src, size_t dst)
{
	size_t lo = 0, hi = g->nedges;
	/* edges are sorted by src index then dst index, as endpoints are sorted */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const tm_edge *ed = &g->edges[mid];
		if (ed->src < src || (ed->src == src && ed->dst < dst))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->nedges && g->edges[lo].src == src && g->edges[lo].dst == dst)
		return g->edges[lo].ports;
	return tm_ports_empty(g->m->ports);
}

tm_err tm_conn_explain(tm_graph *g, size_t src, size_t dst, tm_explain *ex)
{
	engine *e = g->priv;
	tm_portpool *pp = e->pp;
	memset(ex, 0, sizeof *ex);
	if (src >= g->neps || dst >= g->neps)
		return TM_ERR_USAGE;
	const tm_endpoint *s = &g->eps[src], *d = &g->eps[dst];
	ex->egress = ex->ingress = tm_ports_all(pp);
	if (s->kind == TM_EP_IPRANGE && d->kind == TM_EP_IPRANGE)
		return TM_ERR_USAGE;
	if (s->kind == TM_EP_IPRANGE)
		why_add(ex, TM_DIR_EGRESS, TM_WHY_EXTERNAL, NULL, NULL, ex->egress);
	else {
		peerref pr = {d->kind == TM_EP_IPRANGE, d->cls, d->range};
		ex->egress = eval_dir(e, TM_DIR_EGRESS, s->cls, pr, ex);
	}
	if (d->kind == TM_EP_IPRANGE)
		why_add(ex, TM_DIR_INGRESS, TM_WHY_EXTERNAL, NULL, NULL, ex->ingress);
	else {
		peerref pr = {s->kind == TM_EP_IPRANGE, s->cls, s->range};
		ex->ingress = eval_dir(e, TM_DIR_INGRESS, d->cls, pr, ex);
	}
	ex->allowed = tm_ports_inter(pp, ex->egress, ex->ingress);
	if (s->kind == TM_EP_INGRESS && d->kind == TM_EP_WORKLOAD) {
		bool any = false;
		ex->allowed = tm_ports_inter(pp, ex->allowed, exposure_ports(e, d->w, &any));
	}
	return TM_OK;
}

void tm_explain_release(tm_explain *ex)
{
	free(ex->v);
	memset(ex, 0, sizeof *ex);
}
