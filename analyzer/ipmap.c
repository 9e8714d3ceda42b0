/* ipmap.c - addresses to graph endpoints (ipmap.h): binary search over the
 * exact addresses, then over the side's ranges. */
#include "analyzer/ipmap.h"

#include <stdlib.h>
#include <string.h>

static int addr_cmp(const void *a, const void *b)
{
	const tm_ipmap_addr *x = a, *y = b;
	int c = tm_ip_cmp(x->ip, y->ip);
	return c ? c : (x->ep < y->ep ? -1 : x->ep > y->ep);
}

static int range_cmp(const void *a, const void *b)
{
	const tm_ipmap_range *x = a, *y = b;
	int c = tm_ip_cmp(x->r.lo, y->r.lo);
	return c ? c : (x->ep < y->ep ? -1 : x->ep > y->ep);
}

tm_err tm_ipmap_build(tm_ipmap *im, const tm_graph *g)
{
	const tm_model *m = g->m;
	size_t cap = 0, rcap[2] = {0, 0};
	memset(im, 0, sizeof *im);
	/* workload -> its endpoint, then each pod IP -> that endpoint */
	long *wep = malloc((m->nworkloads + 1) * sizeof *wep);
	if (!wep)
		return TM_ERR_NOMEM;
	for (size_t i = 0; i < m->nworkloads; i++)
		wep[i] = -1;
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *e = &g->eps[i];
		if (e->kind == TM_EP_WORKLOAD && g->granularity == TM_GRAN_POD) {
			/* one endpoint per Pod: its own addresses */
			for (size_t k = 0; e->pod && k < e->pod->nips; k++) {
				TM_HEAP_GROW(im->addrs, im->naddrs, cap);
				im->addrs[im->naddrs++] = (tm_ipmap_addr){e->pod->ips[k], (uint32_t)i};
			}
		} else if (e->kind == TM_EP_WORKLOAD && e->w->index < m->nworkloads && m->workloads[e->w->index] == e->w)
			wep[e->w->index] = (long)i;
		else if (e->kind == TM_EP_IPRANGE) {
			int s = e->is_src_atom ? TM_IPMAP_SRC : TM_IPMAP_DST;
			TM_HEAP_GROW(im->ranges[s], im->nranges[s], rcap[s]);
			im->ranges[s][im->nranges[s]++] = (tm_ipmap_range){e->range, (uint32_t)i};
		}
	}
	/* workload granularity: each pod's addresses name its workload's endpoint */
	for (size_t i = 0; g->granularity != TM_GRAN_POD && i < m->npods; i++) {
		const tm_pod *p = m->pods[i];
		if (!p->owner || p->owner->index >= m->nworkloads || wep[p->owner->index] < 0)
			continue;
		for (size_t k = 0; k < p->nips; k++) {
			TM_HEAP_GROW(im->addrs, im->naddrs, cap);
			im->addrs[im->naddrs++] = (tm_ipmap_addr){p->ips[k], (uint32_t)wep[p->owner->index]};
		}
	}
	free(wep);
	if (im->naddrs > 1)
		qsort(im->addrs, im->naddrs, sizeof *im->addrs, addr_cmp);
	for (int s = 0; s < 2; s++) {
		if (im->nranges[s] > 1)
			qsort(im->ranges[s], im->nranges[s], sizeof *im->ranges[s], range_cmp);
		for (size_t i = 1; i < im->nranges[s] && !im->overlap[s]; i++)
			im->overlap[s] = tm_ip_cmp(im->ranges[s][i].r.lo, im->ranges[s][i - 1].r.hi) <= 0;
	}
	return TM_OK;
}

void tm_ipmap_release(tm_ipmap *im)
{
	free(im->addrs);
	free(im->ranges[0]);
	free(im->ranges[1]);
	memset(im, 0, sizeof *im);
}

size_t tm_ipmap_exact(const tm_ipmap *im, tm_ip ip, const tm_ipmap_addr **first)
{
	/* the first exact entry for ip, then the run of equal ones */
	size_t lo = 0, hi = im->naddrs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tm_ip_cmp(im->addrs[mid].ip, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	while (lo + n < im->naddrs && !tm_ip_cmp(im->addrs[lo + n].ip, ip))
		n++;
	*first = n ? &im->addrs[lo] : NULL;
	return n;
}

long tm_ipmap_range_of(const tm_ipmap *im, tm_ip ip, tm_ipmap_side side)
{
	const tm_ipmap_range *r = im->ranges[side];
	size_t n = im->nranges[side];
	if (im->overlap[side]) {
		long best = -1;
		for (size_t i = 0; i < n && tm_ip_cmp(r[i].r.lo, ip) <= 0; i++)
			if (tm_ip_cmp(ip, r[i].r.hi) <= 0 && (best < 0 || r[i].ep < (uint32_t)best))
				best = (long)r[i].ep;
		return best;
	}
	/* disjoint: the last range starting at or below ip is the only candidate */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tm_ip_cmp(r[mid].r.lo, ip) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && tm_ip_cmp(ip, r[lo - 1].r.hi) <= 0)
		return (long)r[lo - 1].ep;
	return -1;
}

long tm_ipmap_lookup(const tm_ipmap *im, tm_ip ip, tm_ipmap_side side)
{
	const tm_ipmap_addr *a;
	if (tm_ipmap_exact(im, ip, &a))
		return (long)a->ep; /* the lowest endpoint */
	return tm_ipmap_range_of(im, ip, side);
}
