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

/* "ns/rest": the namespace part matches ns and rest is name */
static bool ns_slash(const char *spec, size_t sl, const char *ns, const char *name)
{
	size_t nl = strlen(ns);
	return sl > nl && !strncmp(spec, ns, nl) && spec[nl] == '/' && !strcmp(spec + nl + 1, name);
}

/* Does the spec name pod p (its name, ns/name or, is_ip, one of its IPs)? */
static bool names_pod(const tm_pod *p, const char *spec, size_t sl, bool is_ip, tm_ip ip)
{
	if (!strcmp(p->name, spec) || ns_slash(spec, sl, p->ns, p->name))
		return true;
	for (size_t k = 0; is_ip && k < p->nips; k++)
		if (tm_ip_cmp(p->ips[k], ip) == 0)
			return true;
	return false;
}

/* hit[i] for every workload endpoint i the spec names by ns/name, name, or
 * one of its pods (name, ns/pod, pod IP; at pod granularity an endpoint's
 * pods are its own Pod only): one pass over the endpoints and one over the
 * pods, not endpoints x pods. */
static void names_workloads(const tm_graph *g, const char *spec, size_t sl, bool is_ip, tm_ip ip, bool *hit)
{
	const tm_model *m = g->m;
	bool pod_view = g->granularity == TM_GRAN_POD;
	uint32_t *wl2ep = pod_view ? NULL : tm_xrealloc(NULL, (g->nworkloads + 1) * sizeof *wl2ep);
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		if (ep->kind != TM_EP_WORKLOAD)
			continue;
		const tm_workload *w = ep->w;
		if (ns_slash(spec, sl, w->ns, w->name) || !strcmp(spec, w->name))
			hit[i] = true;
		if (pod_view) {
			if (ep->pod && names_pod(ep->pod, spec, sl, is_ip, ip))
				hit[i] = true;
		} else if (w->index < g->nworkloads && g->workloads[w->index] == w)
			wl2ep[w->index] = (uint32_t)i;
	}
	for (size_t p = 0; !pod_view && p < m->npods; p++) {
		const tm_pod *pod = m->pods[p];
		const tm_workload *w = pod->owner;
		if (!w || w->index >= g->nworkloads || g->workloads[w->index] != w)
			continue;
		if (names_pod(pod, spec, sl, is_ip, ip))
			hit[wl2ep[w->index]] = true;
	}
	free(wl2ep);
}

static void resolve(const tm_graph *g, const char *spec, tm_side side, bool many, epv *out)
{
	size_t sl = strlen(spec);
	tm_ip ip;
	bool is_ip = tm_ip_parse(spec, &ip);
	/* ns/ followed by the wildcard */
	bool wild = many && sl >= 2 && spec[sl - 1] == '*' && spec[sl - 2] == '/';
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		if (ep->kind != TM_EP_IPRANGE && !strcmp(ep->name, spec)) {
			out->n = 0;
			epv_add(out, i);
			return;
		}
	}
	bool *named = NULL;
	if (!wild) {
		named = tm_xrealloc(NULL, g->neps + 1);
		memset(named, 0, g->neps + 1);
		names_workloads(g, spec, sl, false, ip, named);
	}
	/* addresses go through the one address-to-endpoint map: pod IPs name
	 * their endpoints, other addresses the range of each side holding them */
	tm_ipmap im;
	memset(&im, 0, sizeof im);
	if (is_ip && tm_ipmap_build(&im, g) != TM_OK)
		is_ip = false;
	if (is_ip && named) {
		const tm_ipmap_addr *a;
		size_t n = tm_ipmap_exact(&im, ip, &a);
		for (size_t k = 0; k < n; k++)
			named[a[k].ep] = true;
	}
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		bool hit = false;
		if (ep->kind == TM_EP_WORKLOAD)
			hit = wild ? strlen(ep->w->ns) == sl - 2 && !strncmp(ep->w->ns, spec, sl - 2) : named && named[i];
		else if (ep->kind == TM_EP_INGRESS)
			hit = !strcmp(spec, "ingress-controller");
		if (hit)
			epv_add(out, i);
	}
	free(named);
	if (out->n) {
		tm_ipmap_release(&im);
		return;
	}
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
	tm_ipmap_release(&im);
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
