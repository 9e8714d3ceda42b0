/* reach.c - breadth-first lateral movement over the connectivity graph. */
#include "analyzer/reach.h"

#include <stdlib.h>
#include <string.h>

static int reached_cmp(const void *a, const void *b)
{
	const tm_reached *x = a, *y = b;
	if (x->hops != y->hops)
		return x->hops < y->hops ? -1 : 1;
	return x->ep < y->ep ? -1 : x->ep > y->ep;
}

tm_err tm_reach_compute(const tm_graph *g, uint32_t src, uint32_t max_hops, tm_reach *out)
{
	memset(out, 0, sizeof *out);
	if (src >= g->neps)
		return TM_ERR_USAGE;
	out->src = src;
	out->max_hops = max_hops;
	size_t n = g->neps;
	/* edges are sorted by source index: first edge of each source */
	size_t *first = calloc(n + 1, sizeof *first);
	for (size_t i = 0, e = 0; i <= n; i++) {
		while (e < g->nedges && g->edges[e].src < i)
			e++;
		first[i] = e;
	}
	uint32_t *hops = malloc(n * sizeof *hops), *via = malloc(n * sizeof *via);
	const tm_ports **ports = calloc(n, sizeof *ports);
	uint32_t *queue = malloc((n + 1) * sizeof *queue);
	for (size_t i = 0; i < n; i++)
		hops[i] = UINT32_MAX;
	size_t qh = 0, qt = 0;
	hops[src] = 0;
	queue[qt++] = src;
	out->v = malloc((n + 1) * sizeof *out->v);
	while (qh < qt) {
		uint32_t u = queue[qh++];
		if (hops[u] >= max_hops)
			continue;
		if (u != src && g->eps[u].kind == TM_EP_IPRANGE)
			continue;
		for (size_t e = first[u]; e < first[u + 1]; e++) {
			uint32_t d = g->edges[e].dst;
			if (hops[d] != UINT32_MAX)
				continue;
			hops[d] = hops[u] + 1;
			via[d] = u;
			ports[d] = g->edges[e].ports;
			queue[qt++] = d;
			tm_reached *x = &out->v[out->n++];
			x->ep = d;
			x->hops = hops[d];
			x->via = u;
			x->ports = ports[d];
		}
	}
	free(first);
	free(hops);
	out->via = via; /* transferred */
	free(ports);
	free(queue);
	/* BFS order is by hops then discovery; present by hops then name
	 * (endpoint indices follow names) */
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, reached_cmp);
	return TM_OK;
}

size_t tm_reach_path(const tm_reach *r, const tm_reached *x, uint32_t *path, size_t cap)
{
	size_t len = x->hops + 1;
	if (len > cap)
		return 0;
	uint32_t cur = x->ep;
	for (size_t i = len; i-- > 0;) {
		path[i] = cur;
		if (i == 0)
			break;
		cur = r->via[cur];
	}
	return len;
}

void tm_reach_release(tm_reach *r)
{
	free(r->v);
	free(r->via);
	memset(r, 0, sizeof *r);
}
