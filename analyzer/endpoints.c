/* endpoints.c - endpoints by the names users give them: one resolver for
 * focus, explain and reach (syntax: conn.h).
 *
 * Order of precedence: a workload's or the ingress controller's display
 * name names that endpoint alone; otherwise every workload endpoint that
 * the spec names by ns/name, name, pod name, ns/pod or pod IP (and the
 * ingress controller by "ingress-controller"; with many, every workload of
 * a namespace by the wildcard); only when none does, an IP names the IP
 * range holding it on the side(s) asked for, and a range's display name
 * that range (or, when it exists only on the other side, the range of this
 * side holding its first address). */
#include "analyzer/engine_priv.h"
#include "analyzer/ipmap.h"

#include <stdlib.h>
#include <string.h>

/* The candidates named in an ambiguity message. */
#define TM_RESOLVE_LIST_MAX 10
/* Cap on the message (a user's spec and up to TM_RESOLVE_LIST_MAX names). */
#define TM_RESOLVE_MSG_CAP ((size_t)64 << 10)

typedef struct epv {
	uint32_t *v;
	size_t n, cap;
} epv;

static void epv_add(epv *s, size_t i)
{
	TM_HEAP_GROW(s->v, s->n, s->cap);
	s->v[s->n++] = (uint32_t)i;
}

/* Does pod p stand behind workload endpoint ep? At pod granularity only the
 * endpoint's own Pod does. */
static bool ep_has_pod(const tm_graph *g, const tm_endpoint *ep, const tm_pod *p)
{
	return g->granularity == TM_GRAN_POD ? ep->pod == p : p->owner == ep->w;
}

/* "ns/rest": the namespace part matches ns and rest is name */
static bool ns_slash(const char *spec, size_t sl, const char *ns, const char *name)
{
	size_t nl = strlen(ns);
	return sl > nl && !strncmp(spec, ns, nl) && spec[nl] == '/' && !strcmp(spec + nl + 1, name);
}

static bool names_workload(const tm_graph *g, const tm_endpoint *ep, const char *spec, size_t sl)
{
	const tm_workload *w = ep->w;
	if (ns_slash(spec, sl, w->ns, w->name) || !strcmp(spec, w->name))
		return true;
	const tm_model *m = g->m;
	for (size_t p = 0; p < m->npods; p++) {
		const tm_pod *pod = m->pods[p];
		if (!ep_has_pod(g, ep, pod))
			continue;
		if (!strcmp(pod->name, spec) || ns_slash(spec, sl, pod->ns, pod->name))
			return true;
	}
	return false;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void resolve(const tm_graph *g, const char *spec, tm_side side, bool many, epv *out)
{
	size_t sl = strlen(spec);
	tm_ip ip;
	bool is_ip = tm_ip_parse(spec, &ip);
	/* addresses go through the one address-to-endpoint map */
	tm_ipmap im;
	memset(&im, 0, sizeof im);
	if (is_ip && tm_ipmap_build(&im, g) != TM_OK)
		is_ip = false;
	/* ns/ followed by the wildcard */
	bool wild = many && sl >= 2 && spec[sl - 1] == '*' && spec[sl - 2] == '/';
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		if (ep->kind != TM_EP_IPRANGE && !strcmp(ep->name, spec)) {
			out->n = 0;
			epv_add(out, i);
			goto out;
		}
	}
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		bool hit = false;
		if (ep->kind == TM_EP_WORKLOAD)
			hit = wild ? strlen(ep->w->ns) == sl - 2 && !strncmp(ep->w->ns, spec, sl - 2)
				   : names_workload(g, ep, spec, sl);
		else if (ep->kind == TM_EP_INGRESS)
			hit = !strcmp(spec, "ingress-controller");
		if (hit)
			epv_add(out, i);
	}
	if (is_ip && !wild) {
		/* pod IPs: the endpoints whose pods have the address */
		const tm_ipmap_addr *a;
		size_t n = tm_ipmap_exact(&im, ip, &a), before = out->n;
		for (size_t k = 0; k < n; k++)
			if (!k || a[k].ep != a[k - 1].ep)
				epv_add(out, a[k].ep);
		if (before && out->n > before) { /* names and addresses: endpoint order, each once */
			qsort(out->v, out->n, sizeof *out->v, u32_cmp);
			size_t w = 1;
			for (size_t k = 1; k < out->n; k++)
				if (out->v[k] != out->v[w - 1])
					out->v[w++] = out->v[k];
			out->n = w;
		}
	}
	if (out->n)
		goto out;
	/* the range of each side asked for that holds the IP or has the name */
	for (int s = 0; s < 2; s++) {
		bool src_side = s == 1;
		if (!(side & (src_side ? TM_SIDE_SRC : TM_SIDE_DST)))
			continue;
		long hit = is_ip ? tm_ipmap_range_of(&im, ip, src_side ? TM_IPMAP_SRC : TM_IPMAP_DST) : -1;
		for (size_t i = 0; i < g->neps && hit < 0; i++) {
			const tm_endpoint *ep = &g->eps[i];
			if (ep->kind == TM_EP_IPRANGE && ep->is_src_atom == src_side && !strcmp(ep->name, spec))
				hit = (long)i;
		}
		if (hit >= 0)
			epv_add(out, (size_t)hit);
	}
	if (out->n)
		goto sort;
	/* a range named by its text but present only on the other side: the
	 * range of this side holding its first address */
	for (size_t i = 0; i < g->neps && !out->n; i++)
		if (g->eps[i].kind == TM_EP_IPRANGE && !strcmp(g->eps[i].name, spec)) {
			tm_ip lo = g->eps[i].range.lo;
			bool src_side = !g->eps[i].is_src_atom;
			if (!(side & (src_side ? TM_SIDE_SRC : TM_SIDE_DST)))
				continue;
			for (size_t k = 0; k < g->neps; k++)
				if (g->eps[k].kind == TM_EP_IPRANGE && g->eps[k].is_src_atom == src_side &&
				    in_range(lo, g->eps[k].range)) {
					epv_add(out, k);
					break;
				}
		}
sort:
	/* both sides: ascending, each once */
	if (out->n == 2 && out->v[0] > out->v[1]) {
		uint32_t t = out->v[0];
		out->v[0] = out->v[1];
		out->v[1] = t;
	}
out:
	tm_ipmap_release(&im);
}

size_t tm_graph_resolve(const tm_graph *g, const char *spec, tm_side side, bool many, uint32_t **out)
{
	epv s = {NULL, 0, 0};
	resolve(g, spec, side, many, &s);
	*out = s.v; /* transferred */
	return s.n;
}

long tm_graph_resolve_one(const tm_graph *g, const char *spec, tm_side side, tm_buf *err)
{
	epv s = {NULL, 0, 0};
	long r = -1;
	resolve(g, spec, side, false, &s);
	if (s.n == 1) {
		r = (long)s.v[0];
		goto out;
	}
	if (!err)
		goto out;
	tm_buf_reset(err);
	size_t sl = strlen(spec);
	bool wild = s.n == 0 && sl >= 2 && spec[sl - 1] == '*' && spec[sl - 2] == '/';
	if (wild) /* the wildcard is for lists (--focus): say what it would name */
		resolve(g, spec, side, true, &s);
	if (s.n == 0) {
		(void)tm_buf_addf(err, "'%s' matches no workload, pod or IP range", spec);
		goto out;
	}
	if (wild)
		(void)tm_buf_addf(err, "'%s' stands for every workload of a namespace, %zu here: ", spec, s.n);
	else
		(void)tm_buf_addf(err, "'%s' names %zu endpoints: ", spec, s.n);
	for (size_t i = 0; i < s.n && i < TM_RESOLVE_LIST_MAX; i++)
		(void)tm_buf_addf(err, "%s%s", i ? ", " : "", g->eps[s.v[i]].name);
	if (s.n > TM_RESOLVE_LIST_MAX)
		(void)tm_buf_addf(err, ", ... (%zu more)", s.n - TM_RESOLVE_LIST_MAX);
	(void)tm_buf_adds(err, "; use ns/name[Kind]");
out:
	free(s.v);
	return r;
}

static long find_side(const tm_graph *g, const char *spec, tm_side side)
{
	epv s = {NULL, 0, 0};
	resolve(g, spec, side, false, &s);
	long r = s.n == 1 ? (long)s.v[0] : s.n ? -2 : -1;
	free(s.v);
	return r;
}

long tm_graph_find(const tm_graph *g, const char *spec)
{
	return find_side(g, spec, TM_SIDE_DST);
}

long tm_graph_find_src(const tm_graph *g, const char *spec)
{
	return find_side(g, spec, TM_SIDE_SRC);
}

size_t tm_graph_mark(const tm_graph *g, const char *spec, bool *mark)
{
	epv s = {NULL, 0, 0};
	resolve(g, spec, TM_SIDE_BOTH, true, &s);
	for (size_t i = 0; i < s.n; i++)
		mark[s.v[i]] = true;
	free(s.v);
	return s.n;
}
