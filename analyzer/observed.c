/* observed.c - observed edges (analyzer/observed.h). */
#include "analyzer/observed.h"
#include "analyzer/ipmap.h"

#include <stdlib.h>
#include <string.h>

static int edge_cmp(const void *a, const void *b)
{
	const tm_obs_edge *x = a, *y = b;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	return x->first_us < y->first_us ? -1 : x->first_us > y->first_us;
}

void tm_observed_add(tm_observed *o, const tm_obs_edge *e)
{
	TM_HEAP_GROW(o->v, o->n, o->cap);
	o->v[o->n++] = *e;
}

void tm_observed_finish(const tm_graph *g, tm_observed *o)
{
	if (o->n > 1)
		qsort(o->v, o->n, sizeof *o->v, edge_cmp);
	size_t k = 0;
	for (size_t i = 0; i < o->n; i++) {
		tm_obs_edge *p = k ? &o->v[k - 1] : NULL;
		if (p && p->src == o->v[i].src && p->dst == o->v[i].dst) {
			p->ports = tm_ports_union(g->m->ports, p->ports, o->v[i].ports);
			p->count += o->v[i].count;
			if (o->v[i].last_us > p->last_us)
				p->last_us = o->v[i].last_us;
		} else
			o->v[k++] = o->v[i];
	}
	o->n = k;
}

tm_err tm_observed_build(const tm_graph *g, const tm_flowset *fs, tm_observed *o)
{
	tm_ipmap im;
	memset(o, 0, sizeof *o);
	if (!fs)
		return TM_OK;
	/* every address the input gives: pods, hostNetwork pods, --ip-map */
	if (tm_ipmap_build_full(&im, g) != TM_OK)
		return TM_ERR_NOMEM;
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		if (f->proto != 6 && f->proto != 17)
			continue;
		/* a flow log's DROPPED or ERROR record, or an attempt nobody
		 * answered, is evidence of enforcement, not a connection */
		if (f->verdict == TM_VERDICT_DROPPED || f->verdict == TM_VERDICT_ERROR || (f->flags & TM_FLOW_F_ATTEMPT))
			continue;
		long s = tm_ipmap_lookup(&im, f->cli_ip, TM_IPMAP_SRC), d = tm_ipmap_lookup(&im, f->srv_ip, TM_IPMAP_DST);
		if (s < 0 || d < 0 || s == d) {
			o->unmapped++;
			continue;
		}
		tm_proto pr = f->proto == 6 ? TM_PROTO_TCP : TM_PROTO_UDP;
		tm_obs_edge e = {(uint32_t)s, (uint32_t)d, tm_ports_range(g->m->ports, pr, f->srv_port, f->srv_port), 1,
				 f->first_us, f->last_us, tm_flow_origin_name((tm_flow_origin)f->origin),
				 f->source < fs->nsources ? fs->sources[f->source].name : NULL};
		tm_observed_add(o, &e);
	}
	tm_ipmap_release(&im);
	tm_observed_finish(g, o);
	return TM_OK;
}

const tm_obs_edge *tm_observed_find(const tm_observed *o, size_t src, size_t dst)
{
	if (!o || !o->n)
		return NULL;
	size_t lo = 0, hi = o->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const tm_obs_edge *e = &o->v[mid];
		if (e->src < src || (e->src == src && e->dst < dst))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->n && o->v[lo].src == src && o->v[lo].dst == dst ? &o->v[lo] : NULL;
}

const tm_obs_edge *tm_observed_from(const tm_observed *o, size_t src)
{
	if (!o || !o->n)
		return NULL;
	size_t lo = 0, hi = o->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (o->v[mid].src < src)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->n && o->v[lo].src == src ? &o->v[lo] : NULL;
}

void tm_observed_release(tm_observed *o)
{
	free(o->v);
	memset(o, 0, sizeof *o);
}
