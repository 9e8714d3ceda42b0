/* policies.c - every policy, its rules' peer bitsets, and the classes it
 * applies to.
 *
 * Every rule's selector peers are matched against all classes once, up
 * front, into a bitset: deciding whether a rule matches a class is then one
 * bit test (decide.c). A selector peer matches a class when its namespace
 * selector matches the class's namespace labels (ANP: always; NetworkPolicy:
 * when present, else the class must be in the policy's namespace) and its
 * pod selector, when present, matches the class's labels. rule_bits() applies this to all
 * classes, one namespace run at a time. */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

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
		eng_ns_class_range(e, pol_ns, &lo, &hi);
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

static void build_pol(engine *e, epol *ep, int kind, const char *name, const char *kind_name, tm_srcloc loc,
		      const tm_rule *in, size_t nin, const tm_rule *eg, size_t neg, const char *ns)
{
	ep->kind = kind;
	ep->loc = loc;
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

void eng_policies(engine *e)
{
	const tm_model *m = e->m;
	tm_arena *a_ = &e->g->arena;
	e->npols = m->nnetpols + tm_model_npolicies_admin(m);
	e->pols = tm_xrealloc(NULL, (e->npols + 1) * sizeof(epol));
	memset(e->pols, 0, (e->npols + 1) * sizeof(epol));
	size_t pi = 0;
	for (size_t i = 0; i < m->nnetpols; i++, pi++) {
		const tm_netpol *np = m->netpols[i];
		build_pol(e, &e->pols[pi], 0, tm_arena_printf(a_, "%s/%s", np->ns, np->name),
			  np->kind ? np->kind : "NetworkPolicy", np->loc,
			  np->in_rules, np->nin, np->eg_rules, np->neg, np->ns);
		size_t klo, khi;
		eng_ns_class_range(e, np->ns, &klo, &khi);
		for (size_t k = klo; k < khi; k++) {
			cls *c = &e->c[k];
			if (!c->rep || strcmp(c->ns, np->ns) || !tm_selector_matches(&np->pod_sel, c->labels))
				continue;
			size_t cap;
			if (np->ingress) {
				cap = c->nnp_in;
				c->np_in = epol_push(a_, c->np_in, &c->nnp_in, &cap, &e->pols[pi]);
			}
			if (np->egress) {
				cap = c->nnp_eg;
				c->np_eg = epol_push(a_, c->np_eg, &c->nnp_eg, &cap, &e->pols[pi]);
			}
		}
	}
	for (size_t i = 0; i < tm_model_npolicies_admin(m); i++) {
		const tm_anp *a = tm_model_policy_admin(m, i);
		epol *ep = &e->pols[pi++];
		build_pol(e, ep, a->baseline ? 2 : 1, a->name, a->kind ? a->kind
			  : a->baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy", a->loc, a->in_rules, a->nin,
			  a->eg_rules, a->neg, NULL);
		for (size_t k = 0; k < e->nc; k++) {
			cls *c = &e->c[k];
			if (!anp_subject_matches(a, c))
				continue;
			if (a->baseline) {
				/* in evaluation order: the BANP, then baseline CNPs by priority */
				size_t cap = c->nbl;
				c->bl = epol_push(a_, c->bl, &c->nbl, &cap, ep);
				continue;
			}
			size_t cap = c->nanp_in;
			if (a->nin)
				c->anp_in = epol_push(a_, c->anp_in, &c->nanp_in, &cap, ep);
			cap = c->nanp_eg;
			if (a->neg)
				c->anp_eg = epol_push(a_, c->anp_eg, &c->nanp_eg, &cap, ep);
		}
	}
	peercache_free(e);
}

void eng_free(engine *e)
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
