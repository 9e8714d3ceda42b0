/* endpoints.c - endpoints by the names users give them. */
#include "analyzer/engine_priv.h"

#include <string.h>

/* An endpoint for a user's name. Workloads (by display name, ns/name, name,
 * pod name or pod IP) come first; an IP that no pod has names the IP range
 * holding it on the side asked for (ranges are carved separately for
 * sources and destinations). */
static long graph_find_side(const tm_graph *g, const char *spec, bool src_side)
{
	long found = -1;
	size_t sl = strlen(spec);
	tm_ip ip;
	bool is_ip = tm_ip_parse(spec, &ip);
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		bool hit = false;
		if (ep->kind == TM_EP_IPRANGE)
			continue;
		if (!strcmp(ep->name, spec))
			return (long)i;
		if (ep->kind == TM_EP_WORKLOAD) {
			const tm_workload *w = ep->w;
			size_t nl = strlen(w->ns);
			if (sl > nl && !strncmp(spec, w->ns, nl) && spec[nl] == '/' && !strcmp(spec + nl + 1, w->name))
				hit = true;
			else if (!strcmp(spec, w->name))
				hit = true;
			else
				for (size_t p = 0; p < g->m->npods && !hit; p++) {
					const tm_pod *pod = g->m->pods[p];
					if (pod->owner != w)
						continue;
					if (!strcmp(pod->name, spec))
						hit = true;
					for (size_t k = 0; is_ip && k < pod->nips && !hit; k++)
						hit = tm_ip_cmp(pod->ips[k], ip) == 0;
				}
		} else if (ep->kind == TM_EP_INGRESS && !strcmp(spec, "ingress-controller"))
			hit = true;
		if (hit) {
			if (found >= 0)
				return -2;
			found = (long)i;
		}
	}
	if (found != -1)
		return found;
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		if (ep->kind != TM_EP_IPRANGE || ep->is_src_atom != src_side)
			continue;
		if (!strcmp(ep->name, spec) || (is_ip && in_range(ip, ep->range)))
			return (long)i;
	}
	/* a range named by its text but present only on the other side */
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_IPRANGE && !strcmp(g->eps[i].name, spec)) {
			tm_ip lo = g->eps[i].range.lo;
			for (size_t k = 0; k < g->neps; k++)
				if (g->eps[k].kind == TM_EP_IPRANGE && g->eps[k].is_src_atom == src_side &&
				    in_range(lo, g->eps[k].range))
					return (long)k;
		}
	return -1;
}

long tm_graph_find(const tm_graph *g, const char *spec)
{
	return graph_find_side(g, spec, false);
}

long tm_graph_find_src(const tm_graph *g, const char *spec)
{
	return graph_find_side(g, spec, true);
}
