/* observed.h - observed edges: ordered endpoint pairs of a connectivity
 * graph that captured traffic (or, later, flow logs) shows connecting, with
 * the ports seen, how often, when first and last, and the input that showed
 * them first. Addresses are mapped through analyzer/ipmap.h (pod IPs to
 * their endpoints, other addresses to the IP ranges holding them).
 *
 * The small interface other observation sources extend: a source adds its
 * records to a tm_flowset (model/flow.h: origin and source set), and
 * tm_observed_build turns every record of the set into edges; readers that
 * already know endpoints can append with tm_observed_add and call
 * tm_observed_finish.
 *
 * Ownership: heap array released by tm_observed_release; it refers into the
 * graph's model (port sets) and the flow set's strings (source names), which
 * must outlive it. */
#ifndef TM_OBSERVED_H
#define TM_OBSERVED_H

#include "analyzer/conn.h"
#include "model/flow.h"

typedef struct tm_obs_edge {
	uint32_t src, dst;      /* endpoint indices */
	const tm_ports *ports;  /* server ports seen (TCP, UDP) */
	uint64_t count;         /* connections */
	int64_t first_us, last_us;
	const char *origin;     /* "pcap", "hubble", ... (tm_flow_origin_name) */
	const char *source;     /* the input first showing it (path), or NULL */
} tm_obs_edge;

typedef struct tm_observed {
	tm_obs_edge *v;         /* sorted by (src, dst), one per pair after finish */
	size_t n, cap;
	size_t unmapped;        /* records with an end that is no endpoint */
} tm_observed;

tm_err tm_observed_build(const tm_graph *g, const tm_flowset *fs, tm_observed *out);
void tm_observed_add(tm_observed *o, const tm_obs_edge *e);
/* Sort and merge records of one pair (ports united, counts added, times widened). */
void tm_observed_finish(const tm_graph *g, tm_observed *o);
const tm_obs_edge *tm_observed_find(const tm_observed *o, size_t src, size_t dst);
/* The first edge from src (edges from src follow it), or NULL. */
const tm_obs_edge *tm_observed_from(const tm_observed *o, size_t src);
void tm_observed_release(tm_observed *o);

#endif
