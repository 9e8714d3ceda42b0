/* engine_ref.c - the reference engine: the definition, evaluated directly.
 *
 * One "class" per workload endpoint (no grouping), every rule's peers
 * matched against every workload by the selectors themselves (no peer
 * cache, no namespace runs, no metadata.name index), and every ordered
 * endpoint pair evaluated (no class-pair cache, no pruning). It shares the
 * decision function (decide.c), the IP atoms and the endpoint list with the
 * default engine, so that a difference between the two graphs is a bug in
 * what the default engine adds for speed. Quadratic in endpoints: for tests
 * (tests/unit/test_engines.c), not for 10k-workload clusters. */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

static epol **push(tm_arena *a, epol **v, size_t *n, epol *p)
{
	size_t cap = *n;
	TM_ARENA_GROW(a, v, *n, cap);
	v[(*n)++] = p;
	return v;
}

/* docs/semantics.md: a selector peer matches a workload when its namespace
 * selector matches the workload's namespace labels (ANP: always a
 * selector; NetworkPolicy: when present, else the policy's namespace) and
 * its pod selector, when present, matches the workload's labels. */
static bool peer_matches(const tm_peer *p, const cls *k, const char *pol_ns, bool anp)
{
	bool ns_ok = (anp || p->has_ns_sel) ? tm_selector_matches(&p->ns_sel, k->ns_labels) : !strcmp(k->ns, pol_ns);
	return ns_ok && (!p->has_pod_sel || tm_selector_matches(&p->pod_sel, k->labels));
}

static void rules(engine *e, erule **out, const tm_rule *r, size_t n, epol *pol, const char *ns)
{
	erule *v = tm_xrealloc(NULL, (n + 1) * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i].r = &r[i];
		v[i].pol = pol;
		v[i].bits = tm_xrealloc(NULL, e->words * sizeof(uint64_t));
		memset(v[i].bits, 0, e->words * sizeof(uint64_t));
		for (size_t k = 0; k < e->nc; k++)
			for (size_t j = 0; j < r[i].npeers; j++)
				if (r[i].peers[j].kind == TM_PEER_SELECTOR &&
				    peer_matches(&r[i].peers[j], &e->c[k], ns, pol->kind != 0))
					bit_set(v[i].bits, k);
	}
	*out = v;
}

static void policies(engine *e)
{
	const tm_model *m = e->m;
	tm_arena *a = &e->g->arena;
	e->npols = m->nnetpols + tm_model_npolicies_admin(m);
	e->pols = tm_xrealloc(NULL, (e->npols + 1) * sizeof(epol));
	memset(e->pols, 0, (e->npols + 1) * sizeof(epol));
	for (size_t i = 0; i < e->npols; i++) {
		epol *p = &e->pols[i];
		if (i < m->nnetpols) {
			const tm_netpol *np = m->netpols[i];
			p->kind = 0;
			p->name = tm_arena_printf(a, "%s/%s", np->ns, np->name);
			p->kind_name = np->kind ? np->kind : "NetworkPolicy";
			p->loc = np->loc;
			p->nin = np->nin;
			p->neg = np->neg;
			rules(e, &p->in, np->in_rules, np->nin, p, np->ns);
			rules(e, &p->eg, np->eg_rules, np->neg, p, np->ns);
			for (size_t k = 0; k < e->nc; k++) {
				cls *c = &e->c[k];
				if (!c->rep || strcmp(c->ns, np->ns) || !tm_selector_matches(&np->pod_sel, c->labels))
					continue;
				if (np->ingress)
					c->np_in = push(a, c->np_in, &c->nnp_in, p);
				if (np->egress)
					c->np_eg = push(a, c->np_eg, &c->nnp_eg, p);
			}
			continue;
		}
		const tm_anp *an = tm_model_policy_admin(m, i - m->nnetpols);
		p->kind = an->baseline ? 2 : 1;
		p->name = an->name;
		p->kind_name = an->kind ? an->kind : an->baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy";
		p->loc = an->loc;
		p->nin = an->nin;
		p->neg = an->neg;
		rules(e, &p->in, an->in_rules, an->nin, p, NULL);
		rules(e, &p->eg, an->eg_rules, an->neg, p, NULL);
		for (size_t k = 0; k < e->nc; k++) {
			cls *c = &e->c[k];
			if (!c->rep || !tm_selector_matches(&an->subj_ns, c->ns_labels) ||
			    (an->subject_pods && !tm_selector_matches(&an->subj_pod, c->labels)))
				continue;
			if (an->baseline)
				c->bl = push(a, c->bl, &c->nbl, p);
			else {
				if (an->nin)
					c->anp_in = push(a, c->anp_in, &c->nanp_in, p);
				if (an->neg)
					c->anp_eg = push(a, c->anp_eg, &c->nanp_eg, p);
			}
		}
	}
}

static tm_err reference_compute(const tm_model *m, const tm_conn_opts *o, tm_graph **out)
{
	tm_graph *g;
	engine *e = eng_start(m, o, &tm_engine_reference, &g);
	uint32_t *wcls = tm_xrealloc(NULL, (g->nworkloads + 1) * sizeof *wcls);
	bool want_ic = eng_want_ic(e);
	uint32_t ic = eng_classes(e, wcls, want_ic, false);
	policies(e);
	eng_endpoints(e, wcls, ic, want_ic);
	free(wcls);
	for (size_t si = 0; si < g->neps; si++)
		for (size_t di = 0; di < g->neps; di++)
			eng_pair(e, si, di);
	*out = g;
	return TM_OK;
}

const tm_engine tm_engine_reference = {
	"reference",
	"every endpoint pair evaluated directly: no classes, no cache, no pruning (for differential tests)",
	reference_compute,
	eng_explain,
	eng_release,
};
