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
	epol **bl;          /* baseline-tier policies selecting it, in order */
	size_t nbl;
} cls;

typedef struct engine {
	tm_model *m;
	tm_portpool *pp;
	cls *c;
	size_t nc;      /* classes incl. the ingress controller class (last, if any) */
	size_t words;   /* uint64 words per bitset */
	epol *pols;
	size_t npols;
	uint32_t *matrix; /* nc x nc port-set ids (src-major), or NULL */
	tm_conn_opts o;
	size_t *runs;     /* classes [runs[r], runs[r+1]) share one namespace */
	size_t nruns;
	struct peercache *pc; /* while policies are built: classes per distinct peer */
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

/* ---- matching ----
 * A selector peer matches a class when its namespace selector matches the
 * class's namespace labels (ANP: always; NetworkPolicy: when present, else
 * the class must be in the policy's namespace) and its pod selector, when
 * present, matches the class's labels. rule_bits() applies this to all
 * classes, one namespace run at a time. */
/* Classes are sorted by namespace first: split them into runs of one
 * namespace so that namespace selectors are evaluated once per namespace. */
static void ns_runs(engine *e)
{
	e->runs = tm_xrealloc(NULL, (e->nc + 2) * sizeof(size_t));
	e->nruns = 0;
	for (size_t k = 0; k < e->nc; k++)
		if (k == 0 || e->c[k].ns_labels != e->c[k - 1].ns_labels || strcmp(e->c[k].ns, e->c[k - 1].ns))
			e->runs[e->nruns++] = k;
	e->runs[e->nruns] = e->nc;
}

/* The workload classes [*lo, *hi) of namespace ns (the ingress controller's
 * class, last and out of order, is not among them). */
static void ns_class_range(const engine *e, const char *ns, size_t *lo, size_t *hi)
{
	size_t a = 0, b = e->nruns;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		const cls *c = &e->c[e->runs[mid]];
		if (c->rep && strcmp(c->ns, ns) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = *hi = 0;
	for (; a < e->nruns; a++) {
		const cls *c = &e->c[e->runs[a]];
		if (!c->rep || strcmp(c->ns, ns))
			break;
		if (*lo == *hi)
			*lo = e->runs[a];
		*hi = e->runs[a + 1];
	}
}

/* Clusters repeat the same peers in many policies (DNS, monitoring, "this
 * namespace"): the classes a peer matches are computed once per distinct
 * (namespace part, pod selector) and OR-ed into each rule's bitset. */
typedef struct pc_ent {
	char *key;
	uint64_t *bits;
} pc_ent;

typedef struct peercache {
	pc_ent *v;
	size_t nslots, n;
	tm_buf key;
	size_t *byname;  /* runs by their namespace's kubernetes.io/metadata.name label */
	size_t nbyname;
	bool byname_done;
} peercache;

static const char *run_nsname(const engine *e, size_t r)
{
	return tm_labels_get(e->c[e->runs[r]].ns_labels, "kubernetes.io/metadata.name");
}

static int byname_qcmp(const void *a, const void *b, void *arg)
{
	const engine *e = arg;
	int c = strcmp(run_nsname(e, *(const size_t *)a), run_nsname(e, *(const size_t *)b));
	if (c)
		return c;
	return *(const size_t *)a < *(const size_t *)b ? -1 : *(const size_t *)a > *(const size_t *)b;
}

/* Runs whose namespace's metadata.name label is want: [*lo, *hi) in pc->byname. */
static void byname_range(engine *e, peercache *pc, const char *want, size_t *lo, size_t *hi)
{
	if (!pc->byname_done) {
		pc->byname = tm_xrealloc(NULL, (e->nruns + 1) * sizeof(size_t));
		for (size_t r = 0; r < e->nruns; r++)
			if (run_nsname(e, r))
				pc->byname[pc->nbyname++] = r;
		if (pc->nbyname > 1)
			qsort_r(pc->byname, pc->nbyname, sizeof(size_t), byname_qcmp, e);
		pc->byname_done = true;
	}
	size_t a = 0, b = pc->nbyname;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (strcmp(run_nsname(e, pc->byname[mid]), want) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	while (a < pc->nbyname && !strcmp(run_nsname(e, pc->byname[a]), want))
		a++;
	*hi = a;
}

static void sel_key(tm_buf *b, const tm_selector *s)
{
	for (size_t i = 0; i < s->match.n; i++)
		tm_buf_addf(b, "=%zu:%s%zu:%s", strlen(s->match.v[i].key), s->match.v[i].key,
			    strlen(s->match.v[i].val), s->match.v[i].val);
	for (size_t i = 0; i < s->nexpr; i++) {
		tm_buf_addf(b, "?%d/%zu:%s", (int)s->expr[i].op, strlen(s->expr[i].key), s->expr[i].key);
		for (size_t j = 0; j < s->expr[i].nvals; j++)
			tm_buf_addf(b, ",%zu:%s", strlen(s->expr[i].vals[j]), s->expr[i].vals[j]);
	}
	tm_buf_adds(b, ";");
}

static void peercache_free(engine *e)
{
	peercache *pc = e->pc;
	if (!pc)
		return;
	for (size_t i = 0; i < pc->nslots; i++) {
		free(pc->v[i].key);
		free(pc->v[i].bits);
	}
	free(pc->v);
	free(pc->byname);
	tm_buf_release(&pc->key);
	free(pc);
	e->pc = NULL;
}

/* The classes selector peer p matches (sel_peer semantics: the namespace
 * selector, ANP: always; NetworkPolicy: when present, else the policy's
 * namespace; then the pod selector when present). Owned by the cache. */
static const uint64_t *peer_classes(engine *e, const tm_peer *p, const char *pol_ns, bool anp)
{
	if (!e->pc) {
		e->pc = tm_xrealloc(NULL, sizeof *e->pc);
		memset(e->pc, 0, sizeof *e->pc);
		tm_buf_init(&e->pc->key, 0);
	}
	peercache *pc = e->pc;
	bool by_sel = anp || p->has_ns_sel;
	tm_buf *k = &pc->key;
	tm_buf_reset(k);
	if (by_sel) {
		tm_buf_adds(k, "N");
		sel_key(k, &p->ns_sel);
	} else
		tm_buf_addf(k, "S%s;", pol_ns);
	if (p->has_pod_sel) {
		tm_buf_adds(k, "P");
		sel_key(k, &p->pod_sel);
	}
	if (k->toobig)
		return NULL;
	if ((pc->n + 1) * 2 > pc->nslots) {
		size_t ns = pc->nslots ? pc->nslots * 2 : 256;
		pc_ent *nv = tm_xrealloc(NULL, ns * sizeof *nv);
		memset(nv, 0, ns * sizeof *nv);
		for (size_t i = 0; i < pc->nslots; i++) {
			if (!pc->v[i].key)
				continue;
			size_t h = tm_hash_str(pc->v[i].key, strlen(pc->v[i].key)) & (ns - 1);
			while (nv[h].key)
				h = (h + 1) & (ns - 1);
			nv[h] = pc->v[i];
		}
		free(pc->v);
		pc->v = nv;
		pc->nslots = ns;
	}
	size_t h = tm_hash_str(tm_buf_str(k), k->len) & (pc->nslots - 1);
	while (pc->v[h].key) {
		if (!strcmp(pc->v[h].key, tm_buf_str(k)))
			return pc->v[h].bits;
		h = (h + 1) & (pc->nslots - 1);
	}
	uint64_t *bits = tm_xrealloc(NULL, e->words * sizeof(uint64_t));
	memset(bits, 0, e->words * sizeof(uint64_t));
	size_t rlo = 0, rhi = e->nruns;
	if (!by_sel) {
		/* only the policy's own namespace: its runs */
		size_t lo, hi;
		ns_class_range(e, pol_ns, &lo, &hi);
		for (rlo = 0; rlo < e->nruns && e->runs[rlo] < lo; rlo++)
			;
		for (rhi = rlo; rhi < e->nruns && e->runs[rhi] < hi; rhi++)
			;
	}
	/* a namespace selector naming kubernetes.io/metadata.name can only
	 * match the runs of namespaces with that label value */
	const char *want = by_sel ? tm_labels_get(&p->ns_sel.match, "kubernetes.io/metadata.name") : NULL;
	if (want)
		byname_range(e, pc, want, &rlo, &rhi);
	for (size_t q = rlo; q < rhi; q++) {
		size_t r = want ? pc->byname[q] : q;
		const cls *first = &e->c[e->runs[r]];
		bool ns_ok = by_sel ? tm_selector_matches(&p->ns_sel, first->ns_labels) : strcmp(first->ns, pol_ns) == 0;
		if (!ns_ok)
			continue;
		for (size_t c = e->runs[r]; c < e->runs[r + 1]; c++)
			if (!p->has_pod_sel || tm_selector_matches(&p->pod_sel, e->c[c].labels))
				bit_set(bits, c);
	}
	pc->v[h].key = tm_buf_detach(k);
	pc->v[h].bits = bits;
	pc->n++;
	return bits;
}

static void rule_bits(engine *e, erule *er, const char *pol_ns, bool anp)
{
	er->bits = tm_xrealloc(NULL, e->words * sizeof(uint64_t));
	memset(er->bits, 0, e->words * sizeof(uint64_t));
	for (size_t j = 0; j < er->r->npeers; j++) {
		const tm_peer *p = &er->r->peers[j];
		if (p->kind != TM_PEER_SELECTOR)
			continue;
		const uint64_t *pb = peer_classes(e, p, pol_ns, anp);
		if (pb) {
			for (size_t w = 0; w < e->words; w++)
				er->bits[w] |= pb[w];
			continue;
		}
		/* a key too long to cache: match directly, a namespace run at a time */
		for (size_t r = 0; r < e->nruns; r++) {
			const cls *first = &e->c[e->runs[r]];
			bool ns_ok = (anp || p->has_ns_sel) ? tm_selector_matches(&p->ns_sel, first->ns_labels)
							    : strcmp(first->ns, pol_ns) == 0;
			if (!ns_ok)
				continue;
			for (size_t k = e->runs[r]; k < e->runs[r + 1]; k++)
				if (!bit_get(er->bits, k) && (!p->has_pod_sel || tm_selector_matches(&p->pod_sel, e->c[k].labels)))
					bit_set(er->bits, k);
		}
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
		/* a workload matches when each of its pods that has addresses has
		 * one inside (a dual-stack pod talks IPv4 from its IPv4 address) */
		const tm_model *m = e->m;
		const tm_workload *w = e->c[p.cls].rep;
		bool any = false;
		for (size_t i = 0; i < m->npods; i++) {
			if (m->pods[i]->owner != w || !m->pods[i]->nips)
				continue;
			bool inside = false;
			for (size_t k = 0; k < m->pods[i]->nips && !inside; k++) {
				tm_iprange one = {m->pods[i]->ips[k], m->pods[i]->ips[k]};
				inside = ip_peer_matches(er->r, one);
			}
			if (!inside)
				return false;
			any = true;
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

	/* tier 3: the baseline policies (BANP, Baseline-tier CNPs by priority):
	 * the first matching rule decides; Pass skips the rest of the tier, so it
	 * ends in the default allow like Allow/Accept does */
	if (kc->nbl) {
		for (size_t i = 0; i < kc->nbl && !tm_ports_is_empty(rest); i++) {
			epol *pol = kc->bl[i];
			erule *rs = ing ? pol->in : pol->eg;
			size_t nr = ing ? pol->nin : pol->neg;
			for (size_t j = 0; j < nr && !tm_ports_is_empty(rest); j++) {
				if (!rule_matches(e, &rs[j], p))
					continue;
				const tm_ports *cov = tm_ports_inter(pp, rest, rule_ports(e, rs[j].r, dst));
				if (tm_ports_is_empty(cov))
					continue;
				if (rs[j].r->action != TM_ACT_DENY)
					allowed = tm_ports_union(pp, allowed, cov);
				rest = tm_ports_minus(pp, rest, cov);
				why_add(ex, dir, TM_WHY_RULE, pol, rs[j].r, cov);
			}
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
	free(e->runs);
	peercache_free(e);
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
		for (size_t i = 0; i < tm_model_npolicies_admin(m); i++) {
			tm_anp *a = tm_model_policy_admin(m, i);
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
	(void)any6; /* with --ipv6 both sides get the IPv6 space, carved or whole */
	if (ipv6) {
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
	/* tm_model_finish() sorts exposures by (ns, kind, name) and services by
	 * (ns, name): binary searches find the namespace's exposures and each
	 * exposure's services (this runs once per workload). */
	size_t lo = 0, hi = m->nexposures;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->exposures[mid]->ns, w->ns) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < m->nexposures && !strcmp(m->exposures[i]->ns, w->ns); i++) {
		const tm_exposure *x = m->exposures[i];
		if (strcmp(x->kind, "Ingress") && strcmp(x->kind, "Route"))
			continue;
		size_t slo = 0, shi = m->nservices;
		while (slo < shi) {
			size_t mid = slo + (shi - slo) / 2;
			const tm_service *sv = m->services[mid];
			int c = strcmp(sv->ns, x->ns);
			if (c < 0 || (c == 0 && strcmp(sv->name, x->service) < 0))
				slo = mid + 1;
			else
				shi = mid;
		}
		for (size_t s = slo; s < m->nservices; s++) {
			const tm_service *svc = m->services[s];
			if (strcmp(svc->ns, x->ns) || strcmp(svc->name, x->service))
				break;
			if (!svc->has_selector || svc->selector.n == 0)
				continue;
			tm_selector sel = {svc->selector, 0, NULL};
			if (!tm_selector_matches(&sel, &w->labels))
				continue;
			*any_exposure = true;
			for (size_t k = 0; k < svc->nports; k++) {
				const tm_svcport *sp = &svc->ports[k];
				/* the exposure names a service port by number or name, or
				 * (as NPA also accepts) its targetPort; the first match wins */
				bool given = x->port || x->port_name;
				bool match = !given ||
					(x->port && (x->port == sp->port || (!sp->target_name && x->port == sp->target_port))) ||
					(x->port_name && ((sp->name && !strcmp(x->port_name, sp->name)) ||
							  (sp->target_name && !strcmp(x->port_name, sp->target_name))));
				if (!match)
					continue;
				uint32_t target = sp->target_port;
				bool found = false;
				for (size_t c = 0; c < w->nports; c++) {
					const tm_cport *cp = &w->ports[c];
					/* a named targetPort must be a TCP port; a number must be
					 * declared by a container (of any protocol, as NPA) */
					if (sp->target_name ? (cp->name && !strcmp(cp->name, sp->target_name) &&
							       cp->proto == TM_PROTO_TCP)
							    : cp->port == target) {
						target = cp->port;
						found = true;
						break;
					}
				}
				if (found)
					u = tm_ports_union(e->pp, u, tm_ports_range(e->pp, TM_PROTO_TCP, target, target));
				if (given)
					break;
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

/* ---- candidate pruning ----
 * A workload pair can have a non-empty result only when the destination's
 * ingress may admit the source and the source's egress may reach the
 * destination. A class's ingress is "open" (any source may get through) when
 * no NetworkPolicy selects it for ingress (default allow, BANP) or one of its
 * rules has all peers; otherwise only sources in the peer bitsets of its
 * NetworkPolicy rules and ANP Allow rules can get anything (ANP Deny/Pass
 * only take away). The same holds for egress. So for a source class the
 * candidate destinations are the open classes plus the subjects of the
 * policies whose ingress rules name the source, filtered by the source's
 * egress rules; every other pair is empty without evaluating it. The
 * decision for a candidate pair is still pair_conn(), unchanged. */
typedef struct prune {
	engine *e;
	const tm_graph *g;
	uint32_t *open_in;      /* classes with open ingress */
	size_t nopen_in;
	uint32_t **inv;         /* per class: indices of ingress policies naming it */
	size_t *ninv, *capinv;
	uint32_t **subj;        /* per policy: classes it applies to for ingress */
	size_t *nsubj, *capsubj;
	bool *ip_in, *ip_eg;    /* per class: an IP range may reach it / it may reach one */
	uint32_t *cls_off, *cls_eps; /* workload endpoints of each class, ascending */
	uint32_t *ip_dst;       /* destination-side IP range endpoints */
	size_t nip_dst, capip_dst;
	uint32_t *mark, gen;
	uint32_t *dst;          /* candidate destination endpoints of the current source */
	size_t ndst, capdst;
	uint64_t *epbits;       /* scratch: one bit per endpoint, all clear between sources */
} prune;

/* The rule can admit/reach any class (all peers, or ipBlocks that may match pods). */
static bool rule_any_class(const engine *e, const tm_rule *r)
{
	if (r->all_peers)
		return true;
	if (e->o.ipblock_matches_pods)
		for (size_t j = 0; j < r->npeers; j++)
			if (r->peers[j].kind == TM_PEER_IPBLOCK)
				return true;
	return false;
}

static bool rule_any_ip(const tm_rule *r)
{
	if (r->all_peers)
		return true;
	for (size_t j = 0; j < r->npeers; j++)
		if (r->peers[j].kind == TM_PEER_IPBLOCK)
			return true;
	return false;
}

/* The rules that can add connections for a class in one direction: every
 * rule of its NetworkPolicies and the Allow rules of its ANPs. Calls fn on
 * each; stops when fn returns true. */
static bool for_adding_rules(const engine *e, const cls *k, bool ing, bool (*fn)(void *, const erule *),
			     void *arg)
{
	epol **nps = ing ? k->np_in : k->np_eg, **anps = ing ? k->anp_in : k->anp_eg;
	size_t nn = ing ? k->nnp_in : k->nnp_eg, na = ing ? k->nanp_in : k->nanp_eg;
	for (size_t i = 0; i < nn; i++) {
		const erule *rs = ing ? nps[i]->in : nps[i]->eg;
		size_t nr = ing ? nps[i]->nin : nps[i]->neg;
		for (size_t j = 0; j < nr; j++)
			if (fn(arg, &rs[j]))
				return true;
	}
	for (size_t i = 0; i < na; i++) {
		const erule *rs = ing ? anps[i]->in : anps[i]->eg;
		size_t nr = ing ? anps[i]->nin : anps[i]->neg;
		for (size_t j = 0; j < nr; j++)
			if (rs[j].r->action == TM_ACT_ALLOW && fn(arg, &rs[j]))
				return true;
	}
	(void)e;
	return false;
}

static bool fn_any_ip(void *arg, const erule *er)
{
	(void)arg;
	return rule_any_ip(er->r);
}

typedef struct eg_probe {
	const engine *e;
	uint32_t cd;
} eg_probe;

static bool fn_reaches(void *arg, const erule *er)
{
	const eg_probe *q = arg;
	return rule_any_class(q->e, er->r) || bit_get(er->bits, q->cd);
}

static bool fn_open(void *arg, const erule *er)
{
	return rule_any_class(arg, er->r);
}

static void u32_push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	TM_HEAP_GROW(*v, *n, *cap);
	(*v)[(*n)++] = x;
}

static void prune_init(prune *pr, engine *e, const tm_graph *g)
{
	size_t nc = e->nc, np = e->npols;
	memset(pr, 0, sizeof *pr);
	pr->e = e;
	pr->g = g;
	pr->open_in = tm_xrealloc(NULL, (nc + 1) * sizeof(uint32_t));
	pr->inv = tm_xrealloc(NULL, (nc + 1) * sizeof(uint32_t *));
	pr->ninv = tm_xrealloc(NULL, (nc + 1) * sizeof(size_t));
	pr->capinv = tm_xrealloc(NULL, (nc + 1) * sizeof(size_t));
	pr->subj = tm_xrealloc(NULL, (np + 1) * sizeof(uint32_t *));
	pr->nsubj = tm_xrealloc(NULL, (np + 1) * sizeof(size_t));
	pr->capsubj = tm_xrealloc(NULL, (np + 1) * sizeof(size_t));
	pr->ip_in = tm_xrealloc(NULL, nc + 1);
	pr->ip_eg = tm_xrealloc(NULL, nc + 1);
	pr->mark = tm_xrealloc(NULL, (nc + 1) * sizeof(uint32_t));
	memset(pr->inv, 0, (nc + 1) * sizeof(uint32_t *));
	memset(pr->ninv, 0, (nc + 1) * sizeof(size_t));
	memset(pr->capinv, 0, (nc + 1) * sizeof(size_t));
	memset(pr->subj, 0, (np + 1) * sizeof(uint32_t *));
	memset(pr->nsubj, 0, (np + 1) * sizeof(size_t));
	memset(pr->capsubj, 0, (np + 1) * sizeof(size_t));
	memset(pr->mark, 0, (nc + 1) * sizeof(uint32_t));
	for (size_t k = 0; k < nc; k++) {
		const cls *c = &e->c[k];
		pr->ip_in[k] = !c->nnp_in || for_adding_rules(e, c, true, fn_any_ip, NULL);
		pr->ip_eg[k] = !c->rep || !c->nnp_eg || for_adding_rules(e, c, false, fn_any_ip, NULL);
		if (!c->rep)
			continue; /* the ingress controller is never a destination */
		if (!c->nnp_in || for_adding_rules(e, c, true, fn_open, e)) {
			pr->open_in[pr->nopen_in++] = (uint32_t)k;
			continue;
		}
		for (size_t i = 0; i < c->nnp_in; i++) {
			size_t pi = (size_t)(c->np_in[i] - e->pols);
			u32_push(&pr->subj[pi], &pr->nsubj[pi], &pr->capsubj[pi], (uint32_t)k);
		}
		for (size_t i = 0; i < c->nanp_in; i++) {
			size_t pi = (size_t)(c->anp_in[i] - e->pols);
			u32_push(&pr->subj[pi], &pr->nsubj[pi], &pr->capsubj[pi], (uint32_t)k);
		}
	}
	/* inverse: the classes each policy's adding ingress rules name */
	for (size_t pi = 0; pi < np; pi++) {
		const epol *pol = &e->pols[pi];
		if (!pr->nsubj[pi])
			continue;
		for (size_t j = 0; j < pol->nin; j++) {
			const erule *er = &pol->in[j];
			if (pol->kind != 0 && er->r->action != TM_ACT_ALLOW)
				continue;
			for (size_t w = 0; w < e->words; w++) {
				uint64_t bits = er->bits[w];
				while (bits) {
					size_t k = w * 64 + (size_t)__builtin_ctzll(bits);
					bits &= bits - 1;
					if (k >= nc)
						break;
					if (pr->ninv[k] && pr->inv[k][pr->ninv[k] - 1] == (uint32_t)pi)
						continue;
					u32_push(&pr->inv[k], &pr->ninv[k], &pr->capinv[k], (uint32_t)pi);
				}
			}
		}
	}
	/* workload endpoints by class, in endpoint (name) order */
	pr->cls_off = tm_xrealloc(NULL, (nc + 2) * sizeof(uint32_t));
	memset(pr->cls_off, 0, (nc + 2) * sizeof(uint32_t));
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_WORKLOAD)
			pr->cls_off[g->eps[i].cls + 1]++;
	for (size_t k = 0; k < nc; k++)
		pr->cls_off[k + 1] += pr->cls_off[k];
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_IPRANGE && !g->eps[i].is_src_atom)
			u32_push(&pr->ip_dst, &pr->nip_dst, &pr->capip_dst, (uint32_t)i);
	pr->cls_eps = tm_xrealloc(NULL, (g->neps + 1) * sizeof(uint32_t));
	uint32_t *fill = tm_xrealloc(NULL, (nc + 1) * sizeof(uint32_t));
	memcpy(fill, pr->cls_off, nc * sizeof(uint32_t));
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_WORKLOAD)
			pr->cls_eps[fill[g->eps[i].cls]++] = (uint32_t)i;
	free(fill);
}

static void prune_release(prune *pr)
{
	for (size_t k = 0; k < pr->e->nc; k++)
		free(pr->inv[k]);
	for (size_t i = 0; i < pr->e->npols; i++)
		free(pr->subj[i]);
	free(pr->open_in);
	free(pr->inv);
	free(pr->ninv);
	free(pr->capinv);
	free(pr->subj);
	free(pr->nsubj);
	free(pr->capsubj);
	free(pr->ip_in);
	free(pr->ip_eg);
	free(pr->mark);
	free(pr->cls_off);
	free(pr->cls_eps);
	free(pr->ip_dst);
	free(pr->dst);
	free(pr->epbits);
}

static int u32_qcmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void prune_add_class(prune *pr, uint32_t cs, uint32_t cd)
{
	if (pr->mark[cd] == pr->gen)
		return;
	pr->mark[cd] = pr->gen;
	const engine *e = pr->e;
	const cls *k = &e->c[cs];
	if (k->rep && k->nnp_eg) {
		eg_probe q = {e, cd};
		if (!for_adding_rules(e, k, false, fn_reaches, &q))
			return;
	}
	for (uint32_t i = pr->cls_off[cd]; i < pr->cls_off[cd + 1]; i++)
		u32_push(&pr->dst, &pr->ndst, &pr->capdst, pr->cls_eps[i]);
}

/* The destination endpoints worth evaluating for source endpoint si, in
 * ascending order (a superset of those with a non-empty result). */
static void prune_dsts(prune *pr, size_t si)
{
	const tm_graph *g = pr->g;
	const tm_endpoint *src = &g->eps[si];
	pr->ndst = 0;
	if (src->kind == TM_EP_INGRESS) {
		/* every exposed workload is looked at (unreachable ones are warned about) */
		for (size_t di = 0; di < g->neps; di++)
			u32_push(&pr->dst, &pr->ndst, &pr->capdst, (uint32_t)di);
		return;
	}
	if (src->kind == TM_EP_IPRANGE) {
		for (size_t di = 0; di < g->neps; di++)
			if (g->eps[di].kind == TM_EP_WORKLOAD && pr->ip_in[g->eps[di].cls])
				u32_push(&pr->dst, &pr->ndst, &pr->capdst, (uint32_t)di);
		return;
	}
	uint32_t cs = src->cls;
	if (++pr->gen == 0) {
		memset(pr->mark, 0, (pr->e->nc + 1) * sizeof(uint32_t));
		pr->gen = 1;
	}
	for (size_t i = 0; i < pr->nopen_in; i++)
		prune_add_class(pr, cs, pr->open_in[i]);
	for (size_t i = 0; i < pr->ninv[cs]; i++) {
		uint32_t pi = pr->inv[cs][i];
		for (size_t j = 0; j < pr->nsubj[pi]; j++)
			prune_add_class(pr, cs, pr->subj[pi][j]);
	}
	if (pr->ip_eg[cs])
		for (size_t i = 0; i < pr->nip_dst; i++)
			u32_push(&pr->dst, &pr->ndst, &pr->capdst, pr->ip_dst[i]);
	if (pr->ndst > 1 && pr->ndst <= 32) {
		qsort(pr->dst, pr->ndst, sizeof(uint32_t), u32_qcmp);
	} else if (pr->ndst > 32) {
		/* many: order them through a bitmap of endpoints (the entries are distinct) */
		size_t words = (g->neps + 63) / 64;
		if (!pr->epbits) {
			pr->epbits = tm_xrealloc(NULL, (words + 1) * sizeof(uint64_t));
			memset(pr->epbits, 0, (words + 1) * sizeof(uint64_t));
		}
		for (size_t i = 0; i < pr->ndst; i++)
			bit_set(pr->epbits, pr->dst[i]);
		size_t n = 0;
		for (size_t w = 0; w < words; w++) {
			uint64_t b = pr->epbits[w];
			pr->epbits[w] = 0;
			while (b) {
				pr->dst[n++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
				b &= b - 1;
			}
		}
	}
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
	ns_runs(e);

	/* policies, with their rules' peer bitsets */
	e->npols = m->nnetpols + tm_model_npolicies_admin(m);
	e->pols = tm_xrealloc(NULL, (e->npols + 1) * sizeof(epol));
	memset(e->pols, 0, (e->npols + 1) * sizeof(epol));
	size_t pi = 0;
	for (size_t i = 0; i < m->nnetpols; i++, pi++) {
		tm_netpol *np = m->netpols[i];
		build_pol(e, &e->pols[pi], 0, tm_arena_printf(&m->arena, "%s/%s", np->ns, np->name), "NetworkPolicy",
			  np->in_rules, np->nin, np->eg_rules, np->neg, np->ns);
		size_t klo, khi;
		ns_class_range(e, np->ns, &klo, &khi);
		for (size_t k = klo; k < khi; k++) {
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
	for (size_t i = 0; i < tm_model_npolicies_admin(m); i++) {
		tm_anp *a = tm_model_policy_admin(m, i);
		epol *ep = &e->pols[pi++];
		build_pol(e, ep, a->baseline ? 2 : 1, a->name, a->kind ? a->kind
			  : a->baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy", a->in_rules, a->nin,
			  a->eg_rules, a->neg, NULL);
		for (size_t k = 0; k < e->nc; k++) {
			cls *c = &e->c[k];
			if (!anp_subject_matches(a, c))
				continue;
			if (a->baseline) {
				/* in evaluation order: the BANP, then baseline CNPs by priority */
				size_t cap = c->nbl;
				c->bl = epol_push(&m->arena, c->bl, &c->nbl, &cap, ep);
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
	peercache_free(e);
	/* a cache of class-pair results when it fits in 16 MiB: with candidate
	 * pruning most pairs are never evaluated, and at thousands of classes
	 * the matrix cost more (memory, page faults) than it saved */
	if (e->nc && e->nc <= 2048) {
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

	/* edges, produced in (src name, dst name) order; pairs that pruning
	 * proves empty are not evaluated */
	bool warned_ic = false;
	prune pr;
	prune_init(&pr, e, g);
	for (size_t si = 0; si < g->neps; si++) {
		tm_endpoint *src = &g->eps[si];
		if (src->kind == TM_EP_IPRANGE && !src->is_src_atom)
			continue;
		prune_dsts(&pr, si);
		for (size_t q = 0; q < pr.ndst; q++) {
			size_t di = pr.dst[q];
			tm_endpoint *dst = &g->eps[di];
			if (si == di || dst->kind == TM_EP_INGRESS)
				continue;
			if (dst->kind == TM_EP_IPRANGE && (dst->is_src_atom || src->kind != TM_EP_WORKLOAD))
				continue;
			const tm_ports *p;
			if (src->kind == TM_EP_WORKLOAD && dst->kind == TM_EP_WORKLOAD)
				p = pair_conn(e, src->cls, dst->cls);
			else if (src->kind == TM_EP_IPRANGE) {
				peerref ref = {true, 0, src->range};
				p = eval_dir(e, TM_DIR_INGRESS, dst->cls, ref, NULL);
			} else if (dst->kind == TM_EP_IPRANGE) {
				peerref ref = {true, 0, dst->range};
				p = eval_dir(e, TM_DIR_EGRESS, src->cls, ref, NULL);
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
	prune_release(&pr);
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

/* An endpoint for a user's name. Workloads (by display name, ns/name, name,
 * pod name or pod IP) come first; an IP that no pod has names the IP range
 * holding it on the side asked for (ranges are carved separately for
 * sources and destinations). */
static long graph_find_side(const tm_graph *g, const char *spec, bool src_side)
{
	long found = -1;
	size_t sl = strlen(spec);
	tm_ip ip;
	bool is_ip = tm_ip_parse(spec, &ip);
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		bool hit = false;
		if (ep->kind == TM_EP_IPRANGE)
			continue;
		if (!strcmp(ep->name, spec))
			return (long)i;
		if (ep->kind == TM_EP_WORKLOAD) {
			const tm_workload *w = ep->w;
			size_t nl = strlen(w->ns);
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
		} else if (ep->kind == TM_EP_INGRESS && !strcmp(spec, "ingress-controller"))
			hit = true;
		if (hit) {
			if (found >= 0)
				return -2;
			found = (long)i;
		}
	}
	if (found != -1)
		return found;
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		if (ep->kind != TM_EP_IPRANGE || ep->is_src_atom != src_side)
			continue;
		if (!strcmp(ep->name, spec) || (is_ip && in_range(ip, ep->range)))
			return (long)i;
	}
	/* a range named by its text but present only on the other side */
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_IPRANGE && !strcmp(g->eps[i].name, spec)) {
			tm_ip lo = g->eps[i].range.lo;
			for (size_t k = 0; k < g->neps; k++)
				if (g->eps[k].kind == TM_EP_IPRANGE && g->eps[k].is_src_atom == src_side &&
				    in_range(lo, g->eps[k].range))
					return (long)k;
		}
	return -1;
}

long tm_graph_find(const tm_graph *g, const char *spec)
{
	return graph_find_side(g, spec, false);
}

long tm_graph_find_src(const tm_graph *g, const char *spec)
{
	return graph_find_side(g, spec, true);
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
