/* reach.h - lateral movement: what a compromised endpoint can reach in
 * 1..N hops (or, reversed, who can reach a target), over the allowed
 * connections of a tm_graph, the edges a capture observed, and node escapes
 * (a pod that can escape to its node controls every pod on that node).
 *
 * Vertices are the graph's endpoints (0 .. g->neps-1) followed by the nodes
 * of the escapes (g->neps + i: es->nodes[i]). Built on the graph's public
 * interface only (eps, edges), so that it works whatever engine computed
 * the graph. */
#ifndef TM_REACH_H
#define TM_REACH_H

#include "analyzer/conn.h"
#include "analyzer/check.h"
#include "analyzer/escape.h"
#include "analyzer/observed.h"

typedef enum {
	TM_HOP_NETWORK,   /* connections the policies allow */
	TM_HOP_OBSERVED,  /* seen in a capture, not allowed by the policies as read */
	TM_HOP_ESCAPE,    /* pod to its node */
	TM_HOP_NODE,      /* node to a pod on it */
} tm_hop_kind;

const char *tm_hop_kind_name(tm_hop_kind k); /* "network", "observed", "escape", "node" */

/* The hop of a shortest path that enters a vertex (forward) or leaves it
 * toward the target (reverse). */
typedef struct tm_hop {
	tm_hop_kind kind;
	uint32_t from, to;            /* vertices */
	const tm_ports *ports;        /* network: allowed; observed: seen; NULL otherwise */
	const tm_obs_edge *obs;       /* a capture shows from -> to (any kind of hop), or NULL */
	tm_place place;               /* escape, node: known or possible co-location */
	const char *why;              /* node: why the pod is (may be) on the node; escape: why the node */
	const tm_escape_how *how;     /* escape: the first setting (tm_escapes_count of them) */
	size_t nhow;
	/* network, after tm_reach_evidence: the rules that allow it, egress
	 * side first; a direction with none is allowed by default */
	tm_allow_ref *rules;
	size_t nrules;
	bool egress_default, ingress_default;
	bool has_evidence;
} tm_hop;

typedef struct tm_reached {
	uint32_t ep;        /* vertex (a merged run of IP ranges: its first range) */
	const char *name;   /* what to call it: the vertex's name, or the merged
			     * range's "first-last[External]" (r->arena) */
	uint32_t hops;      /* 1 = directly reachable */
	uint32_t via;       /* forward: predecessor; reverse: successor toward the target */
	const tm_ports *ports; /* connections allowed on the last (reverse: first) hop; NULL for escape/node hops */
	bool avoided;       /* named by --avoid: reached, not pivoted through */
	bool exposed;       /* reverse: internet-exposed (docs/semantics.md) */
} tm_reached;

/* What each hop count adds up to (the blast radius). */
typedef struct tm_reach_level {
	uint32_t hops;
	size_t endpoints, nodes;  /* vertices first reached at this hop */
	const char **zones;       /* zones they belong to, in zone order (r->arena) */
	size_t nzones;
	size_t exposed;           /* reverse: internet-exposed sources at this hop */
} tm_reach_level;

typedef struct tm_reach_opts {
	uint32_t max_hops;
	bool reverse;              /* who can reach src */
	const bool *avoid;         /* per graph endpoint: not pivoted through (NULL: none) */
	const bool *to;            /* per graph endpoint: list only these ends (NULL: all) */
	const tm_escapes *escapes; /* escape and node hops (NULL: network only) */
	const tm_observed *observed; /* observed hops (NULL: none) */
} tm_reach_opts;

typedef struct tm_reach {
	uint32_t src;       /* the start (reverse: the target) */
	uint32_t max_hops;
	bool reverse, escapes, filtered;
	const tm_graph *g;
	const tm_escapes *es;
	size_t nverts;
	tm_reached *v;      /* listed: by hops, then (reverse: exposed first) name; heap (tm_reach_release) */
	size_t n;
	uint32_t *via;      /* per vertex: predecessor (reverse: successor) on its path */
	uint32_t *hopc;     /* per vertex: hops (UINT32_MAX: not reached) */
	tm_hop *hop;        /* per vertex: the hop into it (reverse: out of it) */
	tm_reach_level *levels;
	size_t nlevels;
	tm_arena arena;     /* names of merged ranges, summaries */
} tm_reach;

/* Breadth-first over edges from src. IP ranges outside the cluster are end
 * points (nobody pivots through the internet on our behalf), and so are
 * avoided endpoints. The path kept for each vertex is the first shortest
 * one: network hops in (src name, dst name) order first, then observed
 * ones, then escapes and node hops, so the result is deterministic. Two
 * rules keep the answer about others:
 *  - from an IP range, the destination-side ranges inside that range are not
 *    listed: they are the source's own addresses (ranges are carved apart for
 *    sources and destinations, so a path can come back to them by another
 *    endpoint of the same name);
 *  - adjacent IP ranges reached at the same hop, over the same path, with the
 *    same connections are one entry over their union (as check merges them),
 *    so that an ipBlock elsewhere that splits the address space does not
 *    list the internet in pieces. */
tm_err tm_reach_run(const tm_graph *g, uint32_t src, const tm_reach_opts *o, tm_reach *out);
/* Network only, forward (as before escapes and observed edges). */
tm_err tm_reach_compute(const tm_graph *g, uint32_t src, uint32_t max_hops, tm_reach *out);
/* The rules behind every network hop of the listed paths (tm_conn_allowing). */
tm_err tm_reach_evidence(tm_graph *g, tm_reach *r);
/* Per hop count: endpoints, nodes and zones reached (zm may be NULL), and
 * for reverse, internet-exposed sources first. */
void tm_reach_summarize(tm_reach *r, const tm_zonemap *zm);
/* Vertices from the start to x (reverse: from x to the target), into
 * path[hops+1]; returns the length. */
size_t tm_reach_path(const tm_reach *r, const tm_reached *x, uint32_t *path, size_t cap);
const char *tm_reach_vertex_name(const tm_reach *r, uint32_t v);
/* The hop between two consecutive vertices of a path (path[k], path[k+1]). */
const tm_hop *tm_reach_hop_of(const tm_reach *r, uint32_t from, uint32_t to);
void tm_reach_release(tm_reach *r);

#endif
