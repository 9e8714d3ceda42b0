/* focus.c - narrowing a computed graph to what a user asked about
 * (`conn --focus`, `--focus-peer`, `--focus-direction`, `--focus-conn`).
 * Only edges are dropped or cut; the decision stays the engine's. Which
 * endpoints a name denotes is analyzer/endpoints.c's (tm_graph_mark). */
#include "analyzer/conn.h"

#include <stdlib.h>
#include <string.h>

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
