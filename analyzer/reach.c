/* reach.c - breadth-first lateral movement over the connectivity graph. */
#include "analyzer/reach.h"

#include <stdlib.h>
#include <string.h>

static int reached_cmp(const void *a, const void *b)
{
	const tm_reached *x = a, *y = b;
	if (x->hops != y->hops)
		return x->hops < y->hops ? -1 : 1;
	int c = strcmp(x->name, y->name);
	return c ? c : x->ep < y->ep ? -1 : x->ep > y->ep;
}

/* A reached endpoint with what merging compares (qsort has no context). */
typedef struct rrec {
	tm_reached x;
	bool ip;
	tm_iprange range;
} rrec;

/* IP ranges first, grouped by what may merge (hops, path, connections),
 * each group in address order */
static int rrec_cmp(const void *a, const void *b)
{
	const rrec *x = a, *y = b;
	if (x->ip != y->ip)
		return x->ip ? -1 : 1;
	if (!x->ip)
		return x->x.ep < y->x.ep ? -1 : x->x.ep > y->x.ep;
	if (x->x.hops != y->x.hops)
		return x->x.hops < y->x.hops ? -1 : 1;
	if (x->x.via != y->x.via)
		return x->x.via < y->x.via ? -1 : 1;
	if (x->x.ports != y->x.ports) /* hash-consed: equal sets are one pointer */
		return (uintptr_t)x->x.ports < (uintptr_t)y->x.ports ? -1 : 1;
	return tm_ip_cmp(x->range.lo, y->range.lo);
}

static bool inside(const tm_iprange *in, const tm_iprange *r)
{
	return tm_ip_is_v4(in->lo) == tm_ip_is_v4(r->lo) && tm_ip_cmp(in->lo, r->lo) >= 0 &&
	       tm_ip_cmp(in->hi, r->hi) <= 0;
}

/* Drop the source's own addresses, merge adjacent ranges (reach.h). */
static void settle_ranges(const tm_graph *g, tm_reach *out)
{
	bool from_ip = g->eps[out->src].kind == TM_EP_IPRANGE;
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++) {
		const tm_endpoint *e = &g->eps[out->v[i].ep];
		if (from_ip && e->kind == TM_EP_IPRANGE && inside(&e->range, &g->eps[out->src].range))
			continue;
		out->v[k++] = out->v[i];
	}
	out->n = k;
	if (out->n < 2)
		return;
	rrec *rs = malloc(out->n * sizeof *rs);
	if (!rs)
		abort();
	for (size_t i = 0; i < out->n; i++) {
		const tm_endpoint *e = &g->eps[out->v[i].ep];
		rs[i] = (rrec){out->v[i], e->kind == TM_EP_IPRANGE, e->range};
	}
	qsort(rs, out->n, sizeof *rs, rrec_cmp);
	tm_buf b;
	tm_buf_init(&b, 1 << 10);
	k = 0;
	for (size_t i = 0; i < out->n;) {
		tm_reached x = rs[i].x;
		size_t j = i + 1;
		if (rs[i].ip) {
			tm_iprange run = rs[i].range;
			for (; j < out->n; j++) {
				const rrec *y = &rs[j];
				if (!y->ip || y->x.hops != x.hops || y->x.via != x.via || y->x.ports != x.ports ||
				    tm_ip_is_v4(y->range.lo) != tm_ip_is_v4(run.hi) ||
				    tm_ip_cmp(y->range.lo, tm_ip_next(run.hi)) != 0)
					break;
				run.hi = y->range.hi;
			}
			if (j > i + 1) {
				tm_buf_reset(&b);
				tm_iprange_format(&run, &b);
				(void)tm_buf_adds(&b, "[External]");
				x.name = tm_arena_strdup(&out->arena, tm_buf_str(&b));
			}
		}
		out->v[k++] = x;
		i = j;
	}
	free(rs);
	out->n = k;
	tm_buf_release(&b);
}

tm_err tm_reach_compute(const tm_graph *g, uint32_t src, uint32_t max_hops, tm_reach *out)
{
	memset(out, 0, sizeof *out);
	tm_arena_init(&out->arena);
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
			x->name = g->eps[d].name;
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
	settle_ranges(g, out);
	/* BFS order is by hops then discovery; present by hops then name */
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
	tm_arena_release(&r->arena);
	memset(r, 0, sizeof *r);
}
