/* prune.c - candidate pruning.
 *
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
 * decision for a candidate pair is still pair_conn() (graph_build.c), unchanged. */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

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

void eng_prune_init(prune *pr, engine *e, const tm_graph *g)
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

void eng_prune_release(prune *pr)
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

void eng_prune_dsts(prune *pr, size_t si)
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
