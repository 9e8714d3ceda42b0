/* reach.c - breadth-first lateral movement over the connectivity graph,
 * observed edges and node escapes (analyzer/reach.h). */
#include "analyzer/reach.h"
#include "model/zones.h"

#include <stdlib.h>
#include <string.h>

const char *tm_hop_kind_name(tm_hop_kind k)
{
	static const char *const names[] = {"network", "observed", "escape", "node"};
	return (size_t)k < TM_ARRAY_LEN(names) ? names[k] : "?";
}

const char *tm_reach_vertex_name(const tm_reach *r, uint32_t v)
{
	if (v < r->g->neps)
		return r->g->eps[v].name;
	return r->es->nodes[v - r->g->neps].name;
}

static int reached_cmp(const void *a, const void *b)
{
	const tm_reached *x = a, *y = b;
	if (x->hops != y->hops)
		return x->hops < y->hops ? -1 : 1;
	if (x->exposed != y->exposed)
		return x->exposed ? -1 : 1;
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

static bool is_ip(const tm_graph *g, uint32_t v)
{
	return v < g->neps && g->eps[v].kind == TM_EP_IPRANGE;
}

/* Drop the start's own addresses, merge adjacent ranges (reach.h). */
static void settle_ranges(const tm_graph *g, tm_reach *out)
{
	bool from_ip = is_ip(g, out->src);
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (from_ip && is_ip(g, out->v[i].ep) && inside(&g->eps[out->v[i].ep].range, &g->eps[out->src].range))
			continue;
		out->v[k++] = out->v[i];
	}
	out->n = k;
	if (out->n < 2)
		return;
	rrec *rs = malloc(out->n * sizeof *rs);
	if (!rs)
		abort();
	static const tm_iprange no_range;
	for (size_t i = 0; i < out->n; i++) {
		uint32_t v = out->v[i].ep;
		rs[i] = (rrec){out->v[i], is_ip(g, v), is_ip(g, v) ? g->eps[v].range : no_range};
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
				    y->x.exposed != x.exposed || tm_ip_is_v4(y->range.lo) != tm_ip_is_v4(run.hi) ||
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

/* ---- adjacency: forward from the graph's edges (sorted by source), reverse
 * by a stable counting sort on the destination ---- */
typedef struct adj {
	size_t *first;   /* per vertex + 1 */
	uint32_t *other; /* the vertex at the other end */
	const tm_ports **ports;
} adj;

static void adj_release(adj *a)
{
	free(a->first);
	free(a->other);
	free(a->ports);
}

static void adj_net(const tm_graph *g, bool reverse, adj *a)
{
	size_t n = g->neps, ne = g->nedges;
	a->first = calloc(n + 2, sizeof *a->first);
	a->other = malloc((ne + 1) * sizeof *a->other);
	a->ports = malloc((ne + 1) * sizeof *a->ports);
	if (!a->first || !a->other || !a->ports)
		abort();
	for (size_t e = 0; e < ne; e++)
		a->first[(reverse ? g->edges[e].dst : g->edges[e].src) + 1]++;
	for (size_t i = 0; i < n; i++)
		a->first[i + 1] += a->first[i];
	size_t *fill = malloc((n + 1) * sizeof *fill);
	if (!fill)
		abort();
	memcpy(fill, a->first, n * sizeof *fill);
	for (size_t e = 0; e < ne; e++) {
		const tm_edge *ed = &g->edges[e];
		size_t at = fill[reverse ? ed->dst : ed->src]++;
		a->other[at] = reverse ? ed->src : ed->dst;
		a->ports[at] = ed->ports;
	}
	free(fill);
}

static void adj_obs(const tm_graph *g, const tm_observed *o, bool reverse, adj *a)
{
	size_t n = g->neps, ne = o ? o->n : 0;
	a->first = calloc(n + 2, sizeof *a->first);
	a->other = malloc((ne + 1) * sizeof *a->other);
	a->ports = malloc((ne + 1) * sizeof *a->ports);
	if (!a->first || !a->other || !a->ports)
		abort();
	for (size_t e = 0; e < ne; e++)
		a->first[(reverse ? o->v[e].dst : o->v[e].src) + 1]++;
	for (size_t i = 0; i < n; i++)
		a->first[i + 1] += a->first[i];
	size_t *fill = malloc((n + 1) * sizeof *fill);
	if (!fill)
		abort();
	memcpy(fill, a->first, n * sizeof *fill);
	for (size_t e = 0; e < ne; e++) {
		size_t at = fill[reverse ? o->v[e].dst : o->v[e].src]++;
		a->other[at] = reverse ? o->v[e].src : o->v[e].dst;
		a->ports[at] = o->v[e].ports;
	}
	free(fill);
}

/* reverse node hops: per endpoint, the nodes it is (may be) on; per node,
 * the escape-capable endpoints on it */
typedef struct radj {
	size_t *first;
	tm_onnode *v;
} radj;

static void radj_build(const tm_escapes *es, bool pods_to_nodes, radj *a)
{
	size_t n = pods_to_nodes ? es->neps : es->nnodes, tot = 0;
	a->first = calloc(n + 2, sizeof *a->first);
	if (!a->first)
		abort();
	if (pods_to_nodes) {
		for (size_t ni = 0; ni < es->nnodes; ni++)
			for (size_t i = 0; i < es->nodes[ni].nmembers; i++)
				a->first[es->nodes[ni].members[i].ep + 1]++, tot++;
	} else {
		for (size_t e = 0; e < es->neps; e++)
			for (size_t i = 0; i < es->nplace[e]; i++)
				a->first[es->place[e][i].ep + 1]++, tot++;
	}
	for (size_t i = 0; i < n; i++)
		a->first[i + 1] += a->first[i];
	a->v = malloc((tot + 1) * sizeof *a->v);
	size_t *fill = malloc((n + 1) * sizeof *fill);
	if (!a->v || !fill)
		abort();
	memcpy(fill, a->first, n * sizeof *fill);
	if (pods_to_nodes) {
		for (size_t ni = 0; ni < es->nnodes; ni++)
			for (size_t i = 0; i < es->nodes[ni].nmembers; i++) {
				const tm_onnode *o = &es->nodes[ni].members[i];
				a->v[fill[o->ep]++] = (tm_onnode){(uint32_t)ni, o->place, o->why};
			}
	} else {
		for (size_t e = 0; e < es->neps; e++)
			for (size_t i = 0; i < es->nplace[e]; i++) {
				const tm_onnode *o = &es->place[e][i];
				a->v[fill[o->ep]++] = (tm_onnode){(uint32_t)e, o->place, o->why};
			}
	}
	free(fill);
}

typedef struct bfs {
	tm_reach *r;
	const tm_reach_opts *o;
	uint32_t *queue;
	size_t qt;
} bfs;

static void visit(bfs *b, uint32_t u, uint32_t d, tm_hop_kind kind, const tm_ports *ports, tm_place place,
		  const char *why)
{
	tm_reach *r = b->r;
	if (r->hopc[d] != UINT32_MAX)
		return;
	r->hopc[d] = r->hopc[u] + 1;
	r->via[d] = u;
	tm_hop *h = &r->hop[d];
	h->kind = kind;
	h->from = r->reverse ? d : u;
	h->to = r->reverse ? u : d;
	h->ports = ports;
	h->place = place;
	h->why = why;
	if (kind == TM_HOP_ESCAPE) {
		uint32_t pod = h->from;
		h->how = &r->es->how[r->es->how_first[pod]];
		h->nhow = tm_escapes_count(r->es, pod);
	}
	b->queue[b->qt++] = d;
}

tm_err tm_reach_run(const tm_graph *g, uint32_t src, const tm_reach_opts *o, tm_reach *out)
{
	memset(out, 0, sizeof *out);
	tm_arena_init(&out->arena);
	out->g = g;
	out->es = o->escapes;
	const tm_escapes *es = o->escapes;
	size_t neps = g->neps, nv = neps + (es ? es->nnodes : 0);
	if (src >= neps)
		return TM_ERR_USAGE;
	out->src = src;
	out->max_hops = o->max_hops;
	out->reverse = o->reverse;
	out->escapes = es != NULL;
	out->filtered = o->to != NULL;
	out->nverts = nv;
	adj net, obs;
	radj pod_nodes = {0}, node_pods = {0};
	adj_net(g, o->reverse, &net);
	adj_obs(g, o->observed, o->reverse, &obs);
	if (es && o->reverse) {
		radj_build(es, true, &pod_nodes);  /* pod <- node */
		radj_build(es, false, &node_pods); /* node <- escaping pod */
	}
	out->hopc = malloc((nv + 1) * sizeof *out->hopc);
	out->via = malloc((nv + 1) * sizeof *out->via);
	out->hop = calloc(nv + 1, sizeof *out->hop);
	out->v = malloc((nv + 1) * sizeof *out->v);
	bfs b = {out, o, malloc((nv + 1) * sizeof(uint32_t)), 0};
	if (!out->hopc || !out->via || !out->hop || !out->v || !b.queue)
		abort();
	for (size_t i = 0; i < nv; i++)
		out->hopc[i] = UINT32_MAX;
	size_t qh = 0;
	out->hopc[src] = 0;
	b.queue[b.qt++] = src;
	while (qh < b.qt) {
		uint32_t u = b.queue[qh++];
		if (out->hopc[u] >= o->max_hops)
			continue;
		if (u != src && (is_ip(g, u) || (u < neps && o->avoid && o->avoid[u])))
			continue;
		if (u < neps) {
			for (size_t e = net.first[u]; e < net.first[u + 1]; e++)
				visit(&b, u, net.other[e], TM_HOP_NETWORK, net.ports[e], 0, NULL);
			for (size_t e = obs.first[u]; e < obs.first[u + 1]; e++)
				visit(&b, u, obs.other[e], TM_HOP_OBSERVED, obs.ports[e], 0, NULL);
			if (!es)
				continue;
			if (!o->reverse) /* escape: pod -> its nodes */
				for (size_t i = 0; i < es->nplace[u]; i++)
					visit(&b, u, (uint32_t)(neps + es->place[u][i].ep), TM_HOP_ESCAPE, NULL,
					      es->place[u][i].place, es->place[u][i].why);
			else /* node hop reversed: the nodes u is on */
				for (size_t i = pod_nodes.first[u]; i < pod_nodes.first[u + 1]; i++)
					visit(&b, u, (uint32_t)(neps + pod_nodes.v[i].ep), TM_HOP_NODE, NULL, pod_nodes.v[i].place,
					      pod_nodes.v[i].why);
		} else {
			size_t ni = u - neps;
			if (!o->reverse) { /* node -> the pods on it */
				const tm_hostnode *hn = &es->nodes[ni];
				for (size_t i = 0; i < hn->nmembers; i++)
					visit(&b, u, hn->members[i].ep, TM_HOP_NODE, NULL, hn->members[i].place, hn->members[i].why);
			} else /* escape reversed: the escape-capable pods on it */
				for (size_t i = node_pods.first[ni]; i < node_pods.first[ni + 1]; i++)
					visit(&b, u, node_pods.v[i].ep, TM_HOP_ESCAPE, NULL, node_pods.v[i].place, node_pods.v[i].why);
		}
	}
	/* what a capture also shows, on every hop */
	for (size_t i = 0; o->observed && i < b.qt; i++) {
		uint32_t v = b.queue[i];
		if (v == src || out->hop[v].from >= neps || out->hop[v].to >= neps)
			continue;
		out->hop[v].obs = tm_observed_find(o->observed, out->hop[v].from, out->hop[v].to);
	}
	/* the listed entries */
	for (size_t i = 1; i < b.qt; i++) {
		uint32_t v = b.queue[i];
		if (o->to && (v >= neps || !o->to[v]))
			continue;
		tm_reached *x = &out->v[out->n++];
		memset(x, 0, sizeof *x);
		x->ep = v;
		x->name = tm_reach_vertex_name(out, v);
		x->hops = out->hopc[v];
		x->via = out->via[v];
		x->ports = out->hop[v].ports;
		x->avoided = v < neps && o->avoid && o->avoid[v];
		if (o->reverse && v < neps) {
			/* internet-exposed: the internet itself, or one hop from it */
			tm_ep_kind k = g->eps[v].kind;
			x->exposed = k == TM_EP_IPRANGE || k == TM_EP_INGRESS;
			for (size_t e = net.first[v]; e < net.first[v + 1] && !x->exposed; e++)
				x->exposed = g->eps[net.other[e]].kind != TM_EP_WORKLOAD;
		}
	}
	free(b.queue);
	adj_release(&net);
	adj_release(&obs);
	free(pod_nodes.first);
	free(pod_nodes.v);
	free(node_pods.first);
	free(node_pods.v);
	settle_ranges(g, out);
	/* BFS order is by hops then discovery; present by hops then name */
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, reached_cmp);
	return TM_OK;
}

tm_err tm_reach_compute(const tm_graph *g, uint32_t src, uint32_t max_hops, tm_reach *out)
{
	tm_reach_opts o;
	memset(&o, 0, sizeof o);
	o.max_hops = max_hops;
	return tm_reach_run(g, src, &o, out);
}

size_t tm_reach_path(const tm_reach *r, const tm_reached *x, uint32_t *path, size_t cap)
{
	size_t len = x->hops + 1;
	if (len > cap)
		return 0;
	uint32_t cur = x->ep;
	for (size_t i = 0; i < len; i++) {
		path[r->reverse ? i : len - 1 - i] = cur;
		if (i + 1 < len)
			cur = r->via[cur];
	}
	return len;
}

const tm_hop *tm_reach_hop_of(const tm_reach *r, uint32_t from, uint32_t to)
{
	return &r->hop[r->reverse ? from : to];
}

tm_err tm_reach_evidence(tm_graph *g, tm_reach *r)
{
	uint32_t *path = malloc((r->max_hops + 2) * sizeof *path);
	if (!path)
		return TM_ERR_NOMEM;
	for (size_t i = 0; i < r->n; i++) {
		size_t len = tm_reach_path(r, &r->v[i], path, r->max_hops + 2);
		for (size_t k = 0; k + 1 < len; k++) {
			tm_hop *h = (tm_hop *)tm_reach_hop_of(r, path[k], path[k + 1]);
			if (h->has_evidence || h->kind != TM_HOP_NETWORK)
				continue;
			h->has_evidence = true;
			h->nrules = tm_conn_allowing(g, h->from, h->to, h->ports, &h->rules);
			h->egress_default = h->ingress_default = true;
			for (size_t j = 0; j < h->nrules; j++) {
				if (h->rules[j].dir == TM_DIR_EGRESS)
					h->egress_default = false;
				else
					h->ingress_default = false;
			}
		}
	}
	free(path);
	return TM_OK;
}

void tm_reach_summarize(tm_reach *r, const tm_zonemap *zm)
{
	const tm_graph *g = r->g;
	uint32_t maxh = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].hops > maxh)
			maxh = r->v[i].hops;
	r->nlevels = maxh;
	r->levels = maxh ? tm_arena_alloc(&r->arena, maxh * sizeof *r->levels) : NULL;
	size_t nz = zm && zm->z ? zm->z->nzones : 0;
	for (uint32_t h = 1; h <= maxh; h++) {
		tm_reach_level *l = &r->levels[h - 1];
		l->hops = h;
		l->zones = tm_arena_alloc(&r->arena, (nz + 2) * sizeof *l->zones);
		bool internet = false;
		for (size_t i = 0; i < r->n; i++) {
			const tm_reached *x = &r->v[i];
			if (x->hops != h)
				continue;
			if (x->ep >= g->neps) {
				l->nodes++;
				continue;
			}
			l->endpoints++;
			l->exposed += x->exposed;
			if (zm && tm_zonemap_in(zm, g, x->ep, TM_ZONE_INTERNET))
				internet = true;
		}
		for (size_t z = 0; z < nz; z++) {
			bool any = false;
			for (size_t i = 0; i < r->n && !any; i++)
				any = r->v[i].hops == h && r->v[i].ep < g->neps && zm->bits[r->v[i].ep * zm->nzones + z];
			if (any)
				l->zones[l->nzones++] = zm->z->zones[z].name;
		}
		if (internet)
			l->zones[l->nzones++] = TM_ZONE_INTERNET;
	}
}

void tm_reach_release(tm_reach *r)
{
	for (size_t i = 0; r->hop && i < r->nverts; i++)
		free(r->hop[i].rules);
	free(r->v);
	free(r->via);
	free(r->hopc);
	free(r->hop);
	tm_arena_release(&r->arena);
	memset(r, 0, sizeof *r);
}
