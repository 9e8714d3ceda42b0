/* ipatoms.c - IP ranges as endpoints (NPA's model).
 *
 * The ipBlocks of ingress rules carve the source side, those of egress rules
 * and ANP networks the destination side, into disjoint atoms: every boundary
 * of every block cuts the family's whole range. An atom is then either
 * inside or outside each block, which makes matching an interval test. */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

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

void eng_collect_atoms(const tm_model *m, bool ingress, bool ipv6, tm_iprange **v4, size_t *n4, tm_iprange **v6,
		       size_t *n6)
{
	cuts c4 = {0}, c6 = {0};
	tm_iprange a4 = tm_iprange_v4_all(), a6 = tm_iprange_v6_all();
	bool any6 = false;
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *p = m->netpols[i];
		const tm_rule *rs = ingress ? p->in_rules : p->eg_rules;
		size_t nr = ingress ? p->nin : p->neg;
		for (size_t j = 0; j < nr; j++)
			for (size_t k = 0; k < rs[j].npeers; k++) {
				const tm_peer *pe = &rs[j].peers[k];
				if (pe->kind != TM_PEER_IPBLOCK)
					continue;
				if (pe->has_v6) {
					any6 = true;
					cuts_add_set(&c6, &pe->ips);
				} else
					cuts_add_set(&c4, &pe->ips);
			}
	}
	/* admin-tier and baseline rules: egress networks; ingress ones only
	 * come from Cilium deny rules (fromCIDR, fromEntities world) */
	{
		for (size_t i = 0; i < tm_model_npolicies_admin(m); i++) {
			const tm_anp *a = tm_model_policy_admin(m, i);
			const tm_rule *ars = ingress ? a->in_rules : a->eg_rules;
			size_t anr = ingress ? a->nin : a->neg;
			for (size_t j = 0; j < anr; j++)
				for (size_t k = 0; k < ars[j].npeers; k++) {
					const tm_peer *pe = &ars[j].peers[k];
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
