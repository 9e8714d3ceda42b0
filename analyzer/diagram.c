/* diagram.c - the connectivity graph as a reviewer reads it (diagram.h). */
#include "analyzer/diagram.h"

#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {"auto", "namespace", "workload", "pod"};

const char *tm_level_name(tm_level l)
{
	return (unsigned)l < TM_ARRAY_LEN(level_names) ? level_names[l] : "auto";
}

bool tm_level_parse(const char *s, tm_level *out)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(level_names); i++)
		if (!strcmp(s, level_names[i])) {
			*out = (tm_level)i;
			return true;
		}
	return false;
}

/* an edge while the diagram is built */
typedef struct wedge {
	uint32_t s, d;         /* nodes */
	const tm_ports *ports;
	size_t count;
	tm_edge_annot a;
	bool dead;             /* drawn as part of a group */
} wedge;

typedef struct bld {
	const tm_graph *g;
	const tm_zonemap *zm;
	const tm_annots *an;
	const tm_diagram_opts *o;
	tm_diagram *d;
	long zfilter;          /* -1 none, -2 internet, else the zone's index */
	long *node_of;         /* per endpoint: its node, or -1 */
	wedge *raw;            /* the graph's edges (and the observed ones) that are drawn, by endpoint */
	size_t nraw, cap_raw;
	wedge *w;              /* by node */
	size_t nw, cap_w;
} bld;

static bool ep_in_zone(const bld *b, size_t ep, long k)
{
	if (k == -2)
		return tm_zonemap_in(b->zm, b->g, ep, TM_ZONE_INTERNET);
	return b->zm->bits[ep * b->zm->nzones + (size_t)k];
}

static const char *ep_zone(const bld *b, size_t ep)
{
	if (!b->zm)
		return NULL;
	if (b->g->eps[ep].kind != TM_EP_WORKLOAD && tm_zonemap_in(b->zm, b->g, ep, TM_ZONE_INTERNET))
		return TM_ZONE_INTERNET;
	for (size_t k = 0; k < b->zm->nzones; k++)
		if (b->zm->bits[ep * b->zm->nzones + k])
			return b->zm->z->zones[k].name;
	return NULL;
}

static bool ep_passes(const bld *b, size_t ep)
{
	return b->zfilter == -1 || ep_in_zone(b, ep, b->zfilter);
}

static void add_raw(bld *b, uint32_t s, uint32_t d, const tm_ports *p, const tm_edge_annot *a)
{
	if (!ep_passes(b, s) && !ep_passes(b, d))
		return;
	TM_HEAP_GROW(b->raw, b->nraw, b->cap_raw);
	wedge *w = &b->raw[b->nraw++];
	memset(w, 0, sizeof *w);
	w->s = s;
	w->d = d;
	w->ports = p;
	w->count = 1;
	if (a)
		w->a = *a;
	else {
		w->a.origin = TM_ORIGIN_ALLOWED;
		w->a.protection = TM_PROT_UNKNOWN;
	}
}

static void collect(bld *b)
{
	const tm_graph *g = b->g;
	for (size_t i = 0; i < g->nedges; i++)
		add_raw(b, g->edges[i].src, g->edges[i].dst, g->edges[i].ports, b->an && i < b->an->n ? &b->an->v[i] : NULL);
	for (size_t i = 0; b->an && i < b->an->nobserved_only; i++) {
		const tm_observed_edge *o = &b->an->observed_only[i];
		add_raw(b, o->src, o->dst, o->ports, &o->a);
	}
}

static uint32_t add_node(bld *b, tm_dnode_kind kind, const char *id, const char *name)
{
	tm_diagram *d = b->d;
	TM_ARENA_GROW(&d->arena, d->nodes, d->nnodes, d->cap_nodes);
	tm_dnode *n = &d->nodes[d->nnodes];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->id = id;
	n->name = name;
	n->cluster = -1;
	return (uint32_t)d->nnodes++;
}

static tm_dcluster *add_cluster(bld *b, const char *name)
{
	tm_diagram *d = b->d;
	TM_ARENA_GROW(&d->arena, d->clusters, d->nclusters, d->cap_clusters);
	tm_dcluster *c = &d->clusters[d->nclusters++];
	memset(c, 0, sizeof *c);
	c->name = name;
	c->first = d->nnodes;
	return c;
}

/* a cluster's zone: the one its nodes share */
static void cluster_zone(tm_diagram *d, tm_dcluster *c)
{
	c->zone = c->n ? d->nodes[c->first].zone : NULL;
	for (size_t i = 1; i < c->n; i++) {
		const char *z = d->nodes[c->first + i].zone;
		if (z != c->zone && (!z || !c->zone || strcmp(z, c->zone))) {
			c->mixed_zones = true;
			c->zone = NULL;
		}
	}
}

/* IP ranges and the ingress controller touched by a drawn edge; a range
 * used on both sides (one name) is one node */
static void external_nodes(bld *b, const bool *touched)
{
	const tm_graph *g = b->g;
	size_t first = b->d->nnodes;
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		if (ep->kind == TM_EP_WORKLOAD || !touched[i])
			continue;
		long same = -1;
		for (size_t k = first; k < b->d->nnodes && same < 0; k++)
			if (!strcmp(b->d->nodes[k].id, ep->name))
				same = (long)k;
		if (same >= 0) {
			b->node_of[i] = same;
			continue;
		}
		const char *zone = ep_zone(b, i);
		tm_dnode_kind kind = ep->kind == TM_EP_INGRESS ? TM_DN_INGRESS
				     : zone && !strcmp(zone, TM_ZONE_INTERNET) ? TM_DN_INTERNET
									     : TM_DN_IPRANGE;
		const char *name = ep->name;
		const char *br = strstr(name, "[External]");
		if (br)
			name = tm_arena_strndup(&b->d->arena, name, (size_t)(br - name));
		uint32_t n = add_node(b, kind, ep->name, name);
		b->d->nodes[n].zone = zone;
		b->node_of[i] = n;
	}
}

static int wedge_cmp(const void *x, const void *y)
{
	const wedge *a = x, *b = y;
	if (a->s != b->s)
		return a->s < b->s ? -1 : 1;
	if (a->d != b->d)
		return a->d < b->d ? -1 : 1;
	return 0;
}

/* raw edges onto nodes: edges between the same two nodes are merged; an
 * edge inside one node is counted in that node (namespace level) */
static void map_edges(bld *b)
{
	tm_portpool *pp = b->g->m->ports;
	for (size_t i = 0; i < b->nraw; i++) {
		long s = b->node_of[b->raw[i].s], d = b->node_of[b->raw[i].d];
		if (s < 0 || d < 0)
			continue;
		if (s == d) {
			b->d->nodes[s].internal++;
			continue;
		}
		TM_HEAP_GROW(b->w, b->nw, b->cap_w);
		b->w[b->nw] = b->raw[i];
		b->w[b->nw].s = (uint32_t)s;
		b->w[b->nw].d = (uint32_t)d;
		b->nw++;
	}
	qsort(b->w, b->nw, sizeof *b->w, wedge_cmp);
	size_t k = 0;
	for (size_t i = 0; i < b->nw; i++) {
		if (k && b->w[k - 1].s == b->w[i].s && b->w[k - 1].d == b->w[i].d) {
			wedge *t = &b->w[k - 1];
			t->ports = tm_ports_union(pp, t->ports, b->w[i].ports);
			t->count += b->w[i].count;
			tm_edge_annot_merge(&t->a, &b->w[i].a);
			continue;
		}
		b->w[k++] = b->w[i];
	}
	b->nw = k;
}

static void emit(bld *b, const wedge *w, bool src_all, bool dst_all)
{
	tm_diagram *d = b->d;
	TM_ARENA_GROW(&d->arena, d->edges, d->nedges, d->cap_edges);
	tm_dedge *e = &d->edges[d->nedges++];
	e->src = w->s;
	e->dst = w->d;
	e->src_all = src_all;
	e->dst_all = dst_all;
	e->ports = w->ports;
	e->count = w->count;
	e->a = w->a;
	if (src_all || dst_all)
		d->grouped += w->count;
}

/* ---- grouping at workload level ---- */

typedef struct gkey {
	long a, b;  /* the grouping key (cluster or node on each side) */
	size_t i;   /* into b->w */
} gkey;

static int gkey_cmp(const void *x, const void *y)
{
	const gkey *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

enum { BY_CLUSTERS, BY_NODE_CLUSTER, BY_CLUSTER_NODE };

/* One pass: the live edges grouped by the key of mode; a group that covers
 * every pair it could (every workload of the cluster side) with one port
 * set and one origin becomes one edge (or, inside one cluster, the
 * cluster's internal_all). */
static void group_pass(bld *b, int mode)
{
	tm_diagram *d = b->d;
	tm_portpool *pp = b->g->m->ports;
	gkey *k = calloc(b->nw + 1, sizeof *k);
	size_t nk = 0;
	for (size_t i = 0; i < b->nw; i++) {
		const wedge *w = &b->w[i];
		if (w->dead)
			continue;
		long cs = d->nodes[w->s].kind == TM_DN_WORKLOAD ? d->nodes[w->s].cluster : -1;
		long cd = d->nodes[w->d].kind == TM_DN_WORKLOAD ? d->nodes[w->d].cluster : -1;
		long ka = mode == BY_NODE_CLUSTER ? (long)w->s : cs;
		long kb = mode == BY_CLUSTER_NODE ? (long)w->d : cd;
		if ((mode != BY_NODE_CLUSTER && cs < 0) || (mode != BY_CLUSTER_NODE && cd < 0))
			continue;
		/* a node and a box around it cannot be the two ends of one edge */
		if ((mode == BY_NODE_CLUSTER && cs == cd) || (mode == BY_CLUSTER_NODE && cs == cd))
			continue;
		k[nk++] = (gkey){ka, kb, i};
	}
	qsort(k, nk, sizeof *k, gkey_cmp);
	for (size_t i = 0; i < nk;) {
		size_t j = i;
		while (j < nk && k[j].a == k[i].a && k[j].b == k[i].b)
			j++;
		const wedge *w0 = &b->w[k[i].i];
		bool same = true;
		for (size_t x = i + 1; x < j && same; x++)
			same = b->w[k[x].i].ports == w0->ports && b->w[k[x].i].a.origin == w0->a.origin;
		size_t want = 0, n = j - i;
		long cs = d->nodes[w0->s].cluster, cd = d->nodes[w0->d].cluster;
		if (mode == BY_CLUSTERS)
			want = d->clusters[cs].n * d->clusters[cd].n - (cs == cd ? d->clusters[cs].n : 0);
		else if (mode == BY_NODE_CLUSTER)
			want = d->clusters[cd].n - (d->nodes[w0->s].kind == TM_DN_WORKLOAD && cs == cd ? 1 : 0);
		else
			want = d->clusters[cs].n - (d->nodes[w0->d].kind == TM_DN_WORKLOAD && cd == cs ? 1 : 0);
		bool inside = mode == BY_CLUSTERS && cs == cd;
		if (same && n == want && n >= (inside ? 6u : 2u)) {
			wedge g = *w0;
			g.count = 0;
			memset(&g.a, 0, sizeof g.a);
			g.a.protection = TM_PROT_UNKNOWN;
			g.a.origin = w0->a.origin;
			for (size_t x = i; x < j; x++) {
				wedge *t = &b->w[k[x].i];
				t->dead = true;
				g.count += t->count;
				g.ports = tm_ports_union(pp, g.ports, t->ports);
				tm_edge_annot_merge(&g.a, &t->a);
			}
			if (inside) {
				d->clusters[cs].internal_all = g.ports;
				d->clusters[cs].internal = g.a;
				d->grouped += g.count;
				/* a finding inside the group stays visible: its edges are drawn */
				if (g.a.rule)
					for (size_t x = i; x < j; x++)
						b->w[k[x].i].dead = !b->w[k[x].i].a.rule;
			} else {
				if (mode != BY_NODE_CLUSTER)
					g.s = (uint32_t)d->clusters[cs].first;
				if (mode != BY_CLUSTER_NODE)
					g.d = (uint32_t)d->clusters[cd].first;
				emit(b, &g, mode != BY_NODE_CLUSTER, mode != BY_CLUSTER_NODE);
			}
		}
		i = j;
	}
	free(k);
}

static int dedge_cmp(const void *x, const void *y)
{
	const tm_dedge *a = x, *b = y;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->dst != b->dst)
		return a->dst < b->dst ? -1 : 1;
	if (a->src_all != b->src_all)
		return a->src_all ? 1 : -1;
	return a->dst_all == b->dst_all ? 0 : a->dst_all ? 1 : -1;
}

static void finish_edges(bld *b)
{
	for (size_t i = 0; i < b->nw; i++)
		if (!b->w[i].dead)
			emit(b, &b->w[i], false, false);
	qsort(b->d->edges, b->d->nedges, sizeof *b->d->edges, dedge_cmp);
}

/* every workload endpoint drawn: shown (focus) and, with a zone filter, in
 * the zone or at an end of a drawn edge */
static bool workload_drawn(const bld *b, size_t ep, const bool *touched)
{
	if (b->g->shown && !b->g->shown[ep])
		return false;
	return b->zfilter == -1 ? true : ep_passes(b, ep) || touched[ep];
}

static void build_workload_level(bld *b, const bool *touched, const long *ep_of_wl)
{
	const tm_graph *g = b->g;
	tm_diagram *d = b->d;
	tm_dcluster *c = NULL;
	for (size_t i = 0; i < g->nworkloads; i++) {
		long ep = ep_of_wl[i];
		if (ep < 0 || !workload_drawn(b, (size_t)ep, touched))
			continue;
		const tm_workload *w = g->workloads[i];
		if (!c || strcmp(c->name, w->ns)) {
			if (c)
				cluster_zone(d, c);
			c = add_cluster(b, w->ns);
		}
		uint32_t n = add_node(b, TM_DN_WORKLOAD, g->eps[ep].name, w->name);
		d->nodes[n].wkind = w->kind;
		d->nodes[n].cluster = (long)(d->nclusters - 1);
		d->nodes[n].zone = ep_zone(b, (size_t)ep);
		d->nodes[n].focused = b->o->focus && b->o->focus[ep];
		c->n++;
		b->node_of[ep] = n;
	}
	if (c)
		cluster_zone(d, c);
	external_nodes(b, touched);
	map_edges(b);
	group_pass(b, BY_CLUSTERS);
	group_pass(b, BY_NODE_CLUSTER);
	group_pass(b, BY_CLUSTER_NODE);
	finish_edges(b);
}

static long zone_order(const tm_diagram *d, const char *z)
{
	for (size_t i = 0; z && i < d->nzones; i++)
		if (!strcmp(d->zones[i], z))
			return (long)i;
	return (long)d->nzones;
}

static void build_namespace_level(bld *b, const bool *touched, const long *ep_of_wl)
{
	const tm_graph *g = b->g;
	tm_diagram *d = b->d;
	tm_portpool *pp = g->m->ports;
	/* one node per namespace, its zone the one its workloads share */
	long cur = -1;
	bool mixed = false;
	for (size_t i = 0; i < g->nworkloads; i++) {
		long ep = ep_of_wl[i];
		if (ep < 0 || !workload_drawn(b, (size_t)ep, touched))
			continue;
		const tm_workload *w = g->workloads[i];
		if (cur < 0 || strcmp(d->nodes[cur].name, w->ns)) {
			if (cur >= 0 && mixed)
				d->nodes[cur].zone = NULL;
			cur = add_node(b, TM_DN_NAMESPACE, tm_arena_printf(&d->arena, "ns:%s", w->ns), w->ns);
			d->nodes[cur].zone = ep_zone(b, (size_t)ep);
			mixed = false;
		} else {
			const char *z = ep_zone(b, (size_t)ep), *nz = d->nodes[cur].zone;
			if (z != nz && (!z || !nz || strcmp(z, nz)))
				mixed = true;
		}
		d->nodes[cur].nworkloads++;
		d->nodes[cur].focused |= b->o->focus && b->o->focus[ep];
		b->node_of[ep] = cur;
	}
	if (cur >= 0 && mixed)
		d->nodes[cur].zone = NULL;
	/* boxed by zone: nodes reordered by (zone order, name), clusters per zone */
	size_t nns = d->nnodes;
	long *perm = calloc(nns + 1, sizeof *perm), *inv = calloc(nns + 1, sizeof *inv);
	size_t k = 0;
	for (size_t z = 0; z <= d->nzones; z++)
		for (size_t i = 0; i < nns; i++)
			if ((size_t)zone_order(d, d->nodes[i].zone) == z)
				perm[k++] = (long)i;
	tm_dnode *nodes = tm_arena_alloc(&d->arena, (nns + 1) * sizeof *nodes);
	for (size_t i = 0; i < nns; i++) {
		nodes[i] = d->nodes[perm[i]];
		inv[perm[i]] = (long)i;
	}
	memcpy(d->nodes, nodes, nns * sizeof *nodes);
	for (size_t i = 0; i < g->neps; i++)
		if (b->node_of[i] >= 0)
			b->node_of[i] = inv[b->node_of[i]];
	free(perm);
	free(inv);
	tm_dcluster *c = NULL;
	for (size_t i = 0; i < nns; i++) {
		const char *z = d->nodes[i].zone;
		if (!z) {
			if (c)
				cluster_zone(d, c);
			c = NULL;
			continue;
		}
		if (!c || strcmp(c->name, z)) {
			if (c)
				cluster_zone(d, c);
			c = add_cluster(b, z);
			c->first = i;
		}
		d->nodes[i].cluster = (long)(d->nclusters - 1);
		c->n++;
	}
	if (c)
		cluster_zone(d, c);
	external_nodes(b, touched);
	map_edges(b);
	/* a namespace every other namespace reaches (or that reaches every
	 * other) is one edge from (to) "every namespace" */
	if (nns >= 4) {
		/* counted over edges with a namespace at the other end; any node
		 * (an IP range too) that every namespace reaches is grouped */
		size_t nn = d->nnodes;
		size_t *in = calloc(nn, sizeof *in), *out = calloc(nn, sizeof *out);
		for (size_t i = 0; i < b->nw; i++) {
			if (b->w[i].s < nns)
				in[b->w[i].d]++;
			if (b->w[i].d < nns)
				out[b->w[i].s]++;
		}
		long every = -1;
		wedge *to = calloc(nn, sizeof *to), *from = calloc(nn, sizeof *from);
		for (size_t i = 0; i < b->nw; i++) {
			wedge *w = &b->w[i];
			size_t want_in = nns - (w->d < nns), want_out = nns - (w->s < nns);
			wedge *grp = w->s < nns && in[w->d] == want_in	  ? &from[w->d]
				     : w->d < nns && out[w->s] == want_out ? &to[w->s]
									   : NULL;
			if (!grp)
				continue;
			if (every < 0)
				every = add_node(b, TM_DN_EVERY_NS, "every-namespace", "every namespace");
			w->dead = true;
			if (!grp->count) {
				*grp = *w;
				grp->dead = false;
				continue;
			}
			grp->count += w->count;
			grp->ports = tm_ports_union(pp, grp->ports, w->ports);
			tm_edge_annot_merge(&grp->a, &w->a);
		}
		for (size_t y = 0; y < nn; y++) {
			if (from[y].count) {
				from[y].s = (uint32_t)every;
				from[y].d = (uint32_t)y;
				d->grouped += from[y].count;
				TM_HEAP_GROW(b->w, b->nw, b->cap_w);
				b->w[b->nw++] = from[y];
			}
			if (to[y].count) {
				to[y].s = (uint32_t)y;
				to[y].d = (uint32_t)every;
				d->grouped += to[y].count;
				TM_HEAP_GROW(b->w, b->nw, b->cap_w);
				b->w[b->nw++] = to[y];
			}
		}
		free(in);
		free(out);
		free(to);
		free(from);
	}
	finish_edges(b);
}

static void reset_build(bld *b)
{
	tm_diagram *d = b->d;
	d->nnodes = d->nedges = d->nclusters = 0;
	d->grouped = 0;
	b->nw = 0;
	for (size_t i = 0; i < b->g->neps; i++)
		b->node_of[i] = -1;
}

tm_err tm_diagram_build(const tm_graph *g, const tm_zonemap *zm, const tm_annots *an, const tm_diagram_opts *o,
			tm_diagram *out)
{
	memset(out, 0, sizeof *out);
	tm_arena_init(&out->arena);
	bld b = {g, zm, an, o, out, -1, NULL, NULL, 0, 0, NULL, 0, 0};
	out->zone = o->zone;
	if (zm) {
		out->zones = tm_arena_alloc(&out->arena, (zm->nzones + 1) * sizeof *out->zones);
		for (size_t k = 0; k < zm->nzones; k++)
			out->zones[out->nzones++] = zm->z->zones[k].name;
		out->zones[out->nzones++] = TM_ZONE_INTERNET;
	}
	if (o->zone) {
		if (!zm) {
			tm_diagram_release(out);
			return TM_ERR_USAGE;
		}
		if (!strcmp(o->zone, TM_ZONE_INTERNET))
			b.zfilter = -2;
		else {
			for (size_t k = 0; k < zm->nzones && b.zfilter == -1; k++)
				if (!strcmp(zm->z->zones[k].name, o->zone))
					b.zfilter = (long)k;
			if (b.zfilter == -1) {
				tm_diagram_release(out); /* an unknown zone: nothing built */
				return TM_ERR_USAGE;
			}
		}
	}
	out->has_protection = an && an->has_protection;
	out->has_observed = an && an->has_observed;
	b.node_of = calloc(g->neps + 1, sizeof *b.node_of);
	bool *touched = calloc(g->neps + 1, sizeof *touched);
	long *ep_of_wl = calloc(g->nworkloads + 1, sizeof *ep_of_wl);
	collect(&b);
	for (size_t i = 0; i < b.nraw; i++)
		touched[b.raw[i].s] = touched[b.raw[i].d] = true;
	for (size_t i = 0; i < g->nworkloads; i++)
		ep_of_wl[i] = -1;
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_WORKLOAD)
			ep_of_wl[g->eps[i].w->index] = (long)i;
	out->graph_edges = b.nraw;
	for (size_t i = 0; i < b.nraw; i++)
		if (b.raw[i].a.origin == TM_ORIGIN_OBSERVED)
			out->observed_only++;
	tm_level lv = o->level;
	if (lv != TM_LEVEL_NAMESPACE) {
		reset_build(&b);
		build_workload_level(&b, touched, ep_of_wl);
		out->level = g->granularity == TM_GRAN_POD ? TM_LEVEL_POD : TM_LEVEL_WORKLOAD;
		size_t nwl = 0;
		for (size_t i = 0; i < out->nnodes; i++)
			nwl += out->nodes[i].kind == TM_DN_WORKLOAD;
		size_t mn = o->auto_nodes ? o->auto_nodes : TM_DIAGRAM_AUTO_NODES;
		size_t me = o->auto_edges ? o->auto_edges : TM_DIAGRAM_AUTO_EDGES;
		if (lv == TM_LEVEL_AUTO && (nwl > mn || out->nedges > me)) {
			lv = TM_LEVEL_NAMESPACE;
			out->auto_namespace = true;
		}
	}
	if (lv == TM_LEVEL_NAMESPACE) {
		reset_build(&b);
		build_namespace_level(&b, touched, ep_of_wl);
		out->level = TM_LEVEL_NAMESPACE;
	}
	free(b.node_of);
	free(b.raw);
	free(b.w);
	free(touched);
	free(ep_of_wl);
	return TM_OK;
}

void tm_diagram_release(tm_diagram *d)
{
	tm_arena_release(&d->arena);
	memset(d, 0, sizeof *d);
}
