/* focus.c - narrowing a computed graph to what a user asked about
 * (`conn --focus`, `--focus-peer`, `--focus-direction`, `--focus-conn`).
 * Only edges are dropped or cut; the decision stays the engine's. */
#include "analyzer/conn.h"

#include <stdlib.h>
#include <string.h>

size_t tm_graph_mark(const tm_graph *g, const char *spec, bool *mark)
{
	size_t n = 0;
	size_t sl = strlen(spec);
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		bool hit = !strcmp(ep->name, spec);
		if (ep->kind == TM_EP_INGRESS && !strcmp(spec, "ingress-controller"))
			hit = true;
		if (!hit && ep->kind == TM_EP_WORKLOAD) {
			const tm_workload *w = ep->w;
			size_t nl = strlen(w->ns);
			if (!strcmp(spec, w->name))
				hit = true;
			else if (sl > nl && !strncmp(spec, w->ns, nl) && spec[nl] == '/' && !strcmp(spec + nl + 1, w->name))
				hit = true;
			for (size_t p = 0; p < g->m->npods && !hit; p++)
				hit = g->m->pods[p]->owner == w && !strcmp(g->m->pods[p]->name, spec);
		}
		if (hit && !mark[i]) {
			mark[i] = true;
			n++;
		}
	}
	return n;
}

void tm_graph_focus(tm_graph *g, const bool *focus, const bool *peer, tm_focus_dir dir)
{
	size_t k = 0;
	for (size_t i = 0; i < g->nedges; i++) {
		uint32_t s = g->edges[i].src, d = g->edges[i].dst;
		bool keep = false;
		if (dir != TM_FOCUS_INGRESS && focus[s] && (!peer || peer[d]))
			keep = true;
		if (dir != TM_FOCUS_EGRESS && focus[d] && (!peer || peer[s]))
			keep = true;
		if (keep)
			g->edges[k++] = g->edges[i];
	}
	g->nedges = k;
	/* what a drawing shows: the focus itself and everything still connected */
	free(g->shown);
	g->shown = calloc(g->neps + 1, sizeof(bool));
	for (size_t i = 0; i < g->neps; i++)
		g->shown[i] = focus[i];
	for (size_t i = 0; i < g->nedges; i++)
		g->shown[g->edges[i].src] = g->shown[g->edges[i].dst] = true;
}

void tm_graph_focus_conn(tm_graph *g, tm_proto proto, uint32_t port)
{
	tm_portpool *pp = g->m->ports;
	const tm_ports *one = tm_ports_range(pp, proto, port, port);
	size_t k = 0;
	for (size_t i = 0; i < g->nedges; i++) {
		if (!tm_ports_contains(g->edges[i].ports, proto, port))
			continue;
		g->edges[k] = g->edges[i];
		g->edges[k].ports = one;
		k++;
	}
	g->nedges = k;
	g->conn_focused = true;
	snprintf(g->focus_conn, sizeof g->focus_conn, "%s %u", tm_proto_name(proto), port);
}
