/* annot.c - per-edge annotations from findings and captured mTLS evidence
 * (annot.h). */
#include "analyzer/annot.h"

#include <stdlib.h>
#include <string.h>

const char *tm_origin_name(tm_origin o)
{
	return o == TM_ORIGIN_BOTH ? "both" : o == TM_ORIGIN_OBSERVED ? "observed" : "allowed";
}

/* how weak a protection is, for merging: the weakest known one wins */
static int prot_weakness(tm_protection p)
{
	switch (p) {
	case TM_PROT_MTLS: return 1;
	case TM_PROT_REJECTED: return 2;
	case TM_PROT_MTLS_PERMISSIVE: return 3;
	case TM_PROT_PLAINTEXT: return 4;
	default: return 0;
	}
}

void tm_edge_annot_merge(tm_edge_annot *a, const tm_edge_annot *b)
{
	if (b->rule && (!a->rule || b->severity > a->severity)) {
		a->rule = b->rule;
		a->severity = b->severity;
	}
	a->nfindings += b->nfindings;
	if (prot_weakness(b->protection) > prot_weakness(a->protection))
		a->protection = b->protection;
	a->origin = (tm_origin)(a->origin | b->origin);
	a->tcp_prots = (uint8_t)(a->tcp_prots | b->tcp_prots);
	a->other_prots = (uint8_t)(a->other_prots | b->other_prots);
}

tm_protection tm_prot_weakest(unsigned prots)
{
	tm_protection w = TM_PROT_UNKNOWN;
	for (int p = 0; p < TM_NPROT; p++)
		if (prots & (1u << p) && prot_weakness((tm_protection)p) > prot_weakness(w))
			w = (tm_protection)p;
	return w;
}

typedef struct ekey {
	uint32_t src, dst;
	size_t idx;
} ekey;

static int ekey_cmp(const void *x, const void *y)
{
	const ekey *a = x, *b = y;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->dst != b->dst)
		return a->dst < b->dst ? -1 : 1;
	return 0;
}

typedef struct ctx {
	const tm_graph *g;
	uint32_t *by_name; /* endpoint indices sorted by name */
	ekey *keys;        /* edges by (src, dst) */
} ctx;

static int name_cmp(const void *x, const void *y, void *gp)
{
	const tm_graph *g = gp;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int c = strcmp(g->eps[a].name, g->eps[b].name);
	return c ? c : (a < b ? -1 : a > b);
}

/* Endpoints called name: [*lo, *hi) of c->by_name. */
static void find_name(const ctx *c, const char *name, size_t *lo, size_t *hi)
{
	size_t l = 0, h = c->g->neps;
	while (l < h) {
		size_t mid = l + (h - l) / 2;
		if (strcmp(c->g->eps[c->by_name[mid]].name, name) < 0)
			l = mid + 1;
		else
			h = mid;
	}
	*lo = l;
	while (l < c->g->neps && !strcmp(c->g->eps[c->by_name[l]].name, name))
		l++;
	*hi = l;
}

/* A merged range name "first-last[External]" (check joins adjacent ranges). */
static bool parse_range(const char *name, tm_iprange *r)
{
	const char *br = strstr(name, "[External]");
	const char *dash = strchr(name, '-');
	if (!br || !dash || dash > br)
		return false;
	char a[64], b[64];
	size_t la = (size_t)(dash - name), lb = (size_t)(br - dash - 1);
	if (la >= sizeof a || lb >= sizeof b)
		return false;
	memcpy(a, name, la);
	a[la] = 0;
	memcpy(b, dash + 1, lb);
	b[lb] = 0;
	return tm_ip_parse(a, &r->lo) && tm_ip_parse(b, &r->hi);
}

/* Every endpoint a finding's name stands for, into *out (heap). */
static size_t resolve(const ctx *c, const char *name, uint32_t **out)
{
	size_t lo, hi, n = 0, cap = 0;
	*out = NULL;
	find_name(c, name, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		TM_HEAP_GROW(*out, n, cap);
		(*out)[n++] = c->by_name[i];
	}
	tm_iprange r;
	if (n || !parse_range(name, &r))
		return n;
	for (size_t i = 0; i < c->g->neps; i++) {
		const tm_endpoint *ep = &c->g->eps[i];
		if (ep->kind == TM_EP_IPRANGE && tm_ip_cmp(ep->range.lo, r.lo) >= 0 && tm_ip_cmp(ep->range.hi, r.hi) <= 0) {
			TM_HEAP_GROW(*out, n, cap);
			(*out)[n++] = (uint32_t)i;
		}
	}
	return n;
}

static long find_edge(const ctx *c, uint32_t s, uint32_t d)
{
	ekey k = {s, d, 0};
	const ekey *e = bsearch(&k, c->keys, c->g->nedges, sizeof k, ekey_cmp);
	return e ? (long)e->idx : -1;
}

static void from_findings(ctx *c, const tm_findings *f, tm_annots *out)
{
	for (size_t i = 0; i < f->n; i++) {
		const tm_finding *fd = &f->v[i];
		if (fd->suppressed || !fd->src || !fd->dst)
			continue;
		uint32_t *ss, *ds;
		size_t ns = resolve(c, fd->src, &ss), nd = resolve(c, fd->dst, &ds);
		for (size_t a = 0; a < ns; a++)
			for (size_t b = 0; b < nd; b++) {
				long e = find_edge(c, ss[a], ds[b]);
				if (e < 0)
					continue;
				tm_edge_annot one = {fd->rule, fd->severity, 1, TM_PROT_UNKNOWN, TM_ORIGIN_ALLOWED};
				tm_edge_annot_merge(&out->v[e], &one);
			}
		free(ss);
		free(ds);
	}
}

static tm_protection from_obs(const tm_mtls_obs *o)
{
	bool proven = o->proven && !tm_ports_is_empty(o->proven);
	bool without = o->without && !tm_ports_is_empty(o->without);
	if (proven && without)
		return TM_PROT_MTLS_PERMISSIVE;
	if (proven)
		return TM_PROT_MTLS;
	return without ? TM_PROT_PLAINTEXT : TM_PROT_UNKNOWN;
}

void tm_annots_add_observed(tm_annots *a, uint32_t src, uint32_t dst, const tm_ports *ports, tm_protection p)
{
	TM_HEAP_GROW(a->observed_only, a->nobserved_only, a->cap_observed);
	tm_observed_edge *o = &a->observed_only[a->nobserved_only++];
	memset(o, 0, sizeof *o);
	o->a.protection = TM_PROT_UNKNOWN;
	o->src = src;
	o->dst = dst;
	o->ports = ports;
	o->a.protection = p;
	o->a.origin = TM_ORIGIN_OBSERVED;
	a->has_observed = true;
}

/* Captures: every pair they saw. An allowed edge becomes "both" and takes the
 * protection the captures prove; a pair no edge allows is observed only. */
static void from_evidence(ctx *c, const tm_mtls_evidence *ev, tm_annots *out)
{
	tm_portpool *pp = c->g->m->ports;
	out->has_observed = true;
	for (size_t i = 0; i < ev->n; i++) {
		const tm_mtls_obs *o = &ev->v[i];
		tm_protection p = from_obs(o);
		if (p != TM_PROT_UNKNOWN)
			out->has_protection = true;
		long e = find_edge(c, o->src, o->dst);
		if (e >= 0) {
			out->v[e].origin = TM_ORIGIN_BOTH;
			if (out->v[e].protection == TM_PROT_UNKNOWN)
				out->v[e].protection = p;
			continue;
		}
		if (o->src == o->dst)
			continue; /* an endpoint's traffic to itself is no edge */
		const tm_ports *seen = o->proven ? o->proven : o->without;
		if (o->proven && o->without)
			seen = tm_ports_union(pp, o->proven, o->without);
		tm_annots_add_observed(out, o->src, o->dst, seen, p);
	}
}

/* The mesh posture: an edge takes the weakest protection of its port subsets. */
static void from_mesh(const tm_graph *g, const tm_mesh_result *mesh, tm_annots *out)
{
	for (size_t i = 0; i < g->nedges && i < mesh->nconns; i++) {
		const tm_mesh_conn *c = &mesh->conns[i];
		tm_edge_annot a = out->v[i];
		for (size_t k = 0; k < c->n; k++) {
			if (c->v[k].prot == TM_PROT_UNKNOWN)
				continue;
			out->has_protection = true;
			tm_edge_annot one = {NULL, TM_SEV_INFO, 0, c->v[k].prot, TM_ORIGIN_ALLOWED, 0, 0};
			const tm_ports *pt = c->v[k].ports;
			bool tcp = false, other = false;
			for (int r = 0; pt && r < TM_NPROTO; r++)
				if (pt->n[r])
					*(r == TM_PROTO_TCP ? &tcp : &other) = true;
			one.tcp_prots = (uint8_t)(tcp ? 1u << c->v[k].prot : 0u);
			one.other_prots = (uint8_t)(other ? 1u << c->v[k].prot : 0u);
			tm_edge_annot_merge(&a, &one);
		}
		out->v[i].protection = a.protection;
		out->v[i].tcp_prots = a.tcp_prots;
		out->v[i].other_prots = a.other_prots;
	}
}

tm_err tm_annots_build(const tm_graph *g, const tm_findings *f, const tm_mesh_result *mesh,
		       const tm_mtls_evidence *ev, tm_annots *out)
{
	memset(out, 0, sizeof *out);
	out->n = g->nedges;
	out->v = calloc(g->nedges + 1, sizeof *out->v);
	ctx c = {g, calloc(g->neps + 1, sizeof(uint32_t)), calloc(g->nedges + 1, sizeof(ekey))};
	if (!out->v || !c.by_name || !c.keys) {
		free(c.by_name);
		free(c.keys);
		tm_annots_release(out);
		return TM_ERR_NOMEM;
	}
	for (size_t i = 0; i < g->nedges; i++) {
		out->v[i].origin = TM_ORIGIN_ALLOWED;
		out->v[i].protection = TM_PROT_UNKNOWN;
		c.keys[i] = (ekey){g->edges[i].src, g->edges[i].dst, i};
	}
	qsort(c.keys, g->nedges, sizeof *c.keys, ekey_cmp);
	for (size_t i = 0; i < g->neps; i++)
		c.by_name[i] = (uint32_t)i;
	qsort_r(c.by_name, g->neps, sizeof *c.by_name, name_cmp, (void *)g);
	if (f)
		from_findings(&c, f, out);
	if (mesh && mesh->g == g)
		from_mesh(g, mesh, out);
	if (ev)
		from_evidence(&c, ev, out);
	/* HOOK (another source of protection): set out->v[i].protection where
	 * it is still unknown, and out->has_protection. HOOK (observed
	 * traffic): out->v[i].origin |= TM_ORIGIN_OBSERVED and
	 * tm_annots_add_observed() for what no edge allows. */
	free(c.by_name);
	free(c.keys);
	return TM_OK;
}

void tm_annots_release(tm_annots *a)
{
	free(a->v);
	free(a->observed_only);
	memset(a, 0, sizeof *a);
}
