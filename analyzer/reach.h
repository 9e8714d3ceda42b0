/* reach.h - lateral movement: what a compromised endpoint can reach in
 * 1..N hops over the allowed connections of a tm_graph. */
#ifndef TM_REACH_H
#define TM_REACH_H

#include "analyzer/conn.h"

typedef struct tm_reached {
	uint32_t ep;        /* endpoint index in the graph (a merged run of IP
			     * ranges: its first range) */
	const char *name;   /* what to call it: the endpoint's name, or the
			     * merged range's "first-last[External]" (r->arena) */
	uint32_t hops;      /* 1 = directly reachable */
	uint32_t via;       /* predecessor endpoint on a shortest path */
	const tm_ports *ports; /* connections allowed on the last hop */
} tm_reached;

typedef struct tm_reach {
	uint32_t src;
	uint32_t max_hops;
	tm_reached *v;      /* by hops, then endpoint name; heap (tm_reach_release) */
	size_t n;
	uint32_t *via;      /* per endpoint: predecessor on its path (valid for reached ones) */
	tm_arena arena;     /* names of merged ranges */
} tm_reach;

/* Breadth-first over edges from src. IP ranges outside the cluster are end
 * points (nobody pivots through the internet on our behalf). The path kept
 * for each endpoint is the first shortest one in (src name, dst name) order,
 * so the result is deterministic. Two rules keep the answer about others:
 *  - from an IP range, the destination-side ranges inside that range are not
 *    listed: they are the source's own addresses (ranges are carved apart for
 *    sources and destinations, so a path can come back to them by another
 *    endpoint of the same name);
 *  - adjacent IP ranges reached at the same hop, over the same path, with the
 *    same connections are one entry over their union (as check merges them),
 *    so that an ipBlock elsewhere that splits the address space does not
 *    list the internet in pieces. */
tm_err tm_reach_compute(const tm_graph *g, uint32_t src, uint32_t max_hops, tm_reach *out);
/* Endpoints from src back to r's endpoint (inclusive), into path[hops+1]. */
size_t tm_reach_path(const tm_reach *r, const tm_reached *x, uint32_t *path, size_t cap);
void tm_reach_release(tm_reach *r);

#endif
