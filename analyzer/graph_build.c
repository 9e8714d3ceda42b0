/* graph_build.c - endpoints, pair evaluation and edges: the default engine
 * ("classes").
 *
 * It builds the classes (classes.c) and policies (policies.c), makes one
 * endpoint per workload of the view (granularity.c), per IP atom
 * (ipatoms.c) and for the ingress controller, sorts them by name, and
 * evaluates, for each source in that order, the candidate destinations that
 * pruning (prune.c) leaves: workload pairs through a class-pair result
 * cache, IP ranges on the pod's side only. Edges come out in (source name,
 * destination name) order, the output order of every format. The endpoint
 * and pair steps are shared with the reference engine (engine_ref.c). */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

static int ep_qcmp(const void *a, const void *b)
{
	const tm_endpoint *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return (int)x->kind - (int)y->kind;
}

static void edge_push(tm_graph *g, uint32_t s, uint32_t d, const tm_ports *p)
{
	TM_HEAP_GROW(g->edges, g->nedges, g->cap_edges);
	g->edges[g->nedges].src = s;
	g->edges[g->nedges].dst = d;
	g->edges[g->nedges].ports = p;
	g->nedges++;
}

static const tm_ports *pair_conn(engine *e, uint32_t cs, uint32_t cd)
{
	if (e->matrix) {
		uint32_t id = e->matrix[(size_t)cs * e->nc + cd];
		if (id != UINT32_MAX)
			return tm_ports_by_id(e->pp, id);
	}
	peerref ps = {false, cs, {{0, 0}, {0, 0}}}, pd = {false, cd, {{0, 0}, {0, 0}}};
	const tm_ports *in = eng_eval_dir(e, TM_DIR_INGRESS, cd, ps, NULL);
	const tm_ports *r = in;
	if (!tm_ports_is_empty(in) && e->c[cs].rep)
		r = tm_ports_inter(e->pp, in, eng_eval_dir(e, TM_DIR_EGRESS, cs, pd, NULL));
	if (e->matrix)
		e->matrix[(size_t)cs * e->nc + cd] = r->id;
	return r;
}

engine *eng_start(const tm_model *m, const tm_conn_opts *o, const tm_engine *en, tm_graph **out)
{
	engine *e = tm_xrealloc(NULL, sizeof *e);
	memset(e, 0, sizeof *e);
	e->m = m;
	e->pp = m->ports;
	if (o)
		e->o = *o;
	tm_graph *g = tm_xrealloc(NULL, sizeof *g);
	memset(g, 0, sizeof *g);
	g->m = m;
	g->engine = en;
	g->granularity = e->o.granularity;
	tm_arena_init(&g->arena);
	tm_strtab_init(&g->strs, &g->arena);
	tm_diags_init(&g->diags, &g->arena);
	g->priv = e;
	e->g = g;
	eng_view(g);
	*out = g;
	return e;
}

bool eng_want_ic(const engine *e)
{
	const tm_model *m = e->m;
	bool want_ic = false;
	/* the ingress controller: a label-less pod in ingress-controller-ns,
	 * when an Ingress or Route exposes something */
	if (!e->o.no_ingress_controller)
		for (size_t i = 0; i < m->nexposures && !want_ic; i++)
			want_ic = !strcmp(m->exposures[i]->kind, "Ingress") || !strcmp(m->exposures[i]->kind, "Route");
	return want_ic;
}

void eng_endpoints(engine *e, const uint32_t *wcls, uint32_t ic, bool want_ic)
{
	tm_graph *g = e->g;
	size_t nw = g->nworkloads;
	tm_iprange *s4, *s6, *d4, *d6;
	size_t ns4, ns6, nd4, nd6;
	eng_collect_atoms(e->m, true, e->o.ipv6, &s4, &ns4, &s6, &ns6);
	eng_collect_atoms(e->m, false, e->o.ipv6, &d4, &nd4, &d6, &nd6);
	size_t nep = nw + ns4 + ns6 + nd4 + nd6 + 1;
	g->eps = tm_xrealloc(NULL, nep * sizeof(tm_endpoint));
	memset(g->eps, 0, nep * sizeof(tm_endpoint));
	for (size_t i = 0; i < nw; i++) {
		tm_endpoint *ep = &g->eps[g->neps++];
		ep->kind = TM_EP_WORKLOAD;
		ep->w = g->workloads[i];
		ep->pod = g->pod_of ? g->pod_of[i] : NULL;
		ep->name = ep->w->display;
		ep->cls = wcls[i];
	}
	tm_buf b;
	tm_buf_init(&b, 0);
	for (int side = 0; side < 2; side++) {
		for (int fam = 0; fam < 2; fam++) {
			tm_iprange *v = side == 0 ? (fam ? s6 : s4) : (fam ? d6 : d4);
			size_t n = side == 0 ? (fam ? ns6 : ns4) : (fam ? nd6 : nd4);
			for (size_t i = 0; i < n; i++) {
				tm_endpoint *ep = &g->eps[g->neps++];
				ep->kind = TM_EP_IPRANGE;
				ep->range = v[i];
				ep->is_src_atom = side == 0;
				tm_buf_reset(&b);
				tm_iprange_format(&v[i], &b);
				tm_buf_adds(&b, "[External]");
				ep->name = tm_intern(&g->strs, tm_buf_str(&b));
			}
		}
	}
	tm_buf_release(&b);
	free(s4);
	free(s6);
	free(d4);
	free(d6);
	if (want_ic) {
		tm_endpoint *ep = &g->eps[g->neps++];
		ep->kind = TM_EP_INGRESS;
		ep->name = tm_intern(&g->strs, "{ingress-controller}");
		ep->cls = ic;
	}
	if (g->neps > 1)
		qsort(g->eps, g->neps, sizeof(tm_endpoint), ep_qcmp);
	g->nclasses = e->nc;
}

void eng_pair(engine *e, size_t si, size_t di)
{
	tm_graph *g = e->g;
	const tm_endpoint *src = &g->eps[si], *dst = &g->eps[di];
	if (src->kind == TM_EP_IPRANGE && !src->is_src_atom)
		return;
	if (si == di || dst->kind == TM_EP_INGRESS)
		return;
	if (dst->kind == TM_EP_IPRANGE && (dst->is_src_atom || src->kind != TM_EP_WORKLOAD))
		return;
	const tm_ports *p;
	if (src->kind == TM_EP_WORKLOAD && dst->kind == TM_EP_WORKLOAD)
		p = pair_conn(e, src->cls, dst->cls);
	else if (src->kind == TM_EP_IPRANGE) {
		peerref ref = {true, 0, src->range};
		p = eng_eval_dir(e, TM_DIR_INGRESS, dst->cls, ref, NULL);
	} else if (dst->kind == TM_EP_IPRANGE) {
		peerref ref = {true, 0, dst->range};
		p = eng_eval_dir(e, TM_DIR_EGRESS, src->cls, ref, NULL);
	} else {
		/* ingress controller -> workload: the exposed ports it may reach */
		bool any = false;
		const tm_ports *x = eng_exposure_ports(e, dst->w, &any);
		if (!any)
			return;
		p = tm_ports_inter(e->pp, x, pair_conn(e, src->cls, dst->cls));
		if (tm_ports_is_empty(p))
			tm_diags_add(&g->diags, TM_DIAG_WARN, dst->w->loc,
				     "%s is exposed by an Ingress or Route, but no exposed port reaches it", dst->name);
	}
	if (!tm_ports_is_empty(p))
		edge_push(g, (uint32_t)si, (uint32_t)di, p);
}

void eng_release(tm_graph *g)
{
	eng_free(g->priv);
	g->priv = NULL;
}

static tm_err classes_compute(const tm_model *m, const tm_conn_opts *o, tm_graph **out)
{
	tm_graph *g;
	engine *e = eng_start(m, o, &tm_engine_classes, &g);
	uint32_t *wcls = tm_xrealloc(NULL, (g->nworkloads + 1) * sizeof *wcls);
	bool want_ic = eng_want_ic(e);
	uint32_t ic = eng_classes(e, wcls, want_ic, true);
	eng_policies(e);
	/* a cache of class-pair results when it fits in 16 MiB: with candidate
	 * pruning most pairs are never evaluated, and at thousands of classes
	 * the matrix cost more (memory, page faults) than it saved */
	if (e->nc && e->nc <= 2048) {
		e->matrix = tm_xrealloc(NULL, e->nc * e->nc * sizeof(uint32_t));
		memset(e->matrix, 0xff, e->nc * e->nc * sizeof(uint32_t));
	}
	eng_endpoints(e, wcls, ic, want_ic);
	free(wcls);

	/* edges, produced in (src name, dst name) order; pairs that pruning
	 * proves empty are not evaluated */
	prune pr;
	eng_prune_init(&pr, e, g);
	for (size_t si = 0; si < g->neps; si++) {
		if (g->eps[si].kind == TM_EP_IPRANGE && !g->eps[si].is_src_atom)
			continue;
		eng_prune_dsts(&pr, si);
		for (size_t q = 0; q < pr.ndst; q++)
			eng_pair(e, si, pr.dst[q]);
	}
	eng_prune_release(&pr);
	*out = g;
	return TM_OK;
}

const tm_engine tm_engine_classes = {
	"classes",
	"workload classes, peer bitsets, a class-pair cache and candidate pruning (the default)",
	classes_compute,
	eng_explain,
	eng_release,
};

const tm_ports *tm_graph_conn(const tm_graph *g, size_t src, size_t dst)
{
	size_t lo = 0, hi = g->nedges;
	/* edges are sorted by src index then dst index, as endpoints are sorted */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const tm_edge *ed = &g->edges[mid];
		if (ed->src < src || (ed->src == src && ed->dst < dst))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->nedges && g->edges[lo].src == src && g->edges[lo].dst == dst)
		return g->edges[lo].ports;
	return tm_ports_empty(g->m->ports);
}
