/* flowmap.h - observed flows (model/flow.h) on a connectivity graph: each
 * record's two ends resolved to endpoints through the one mapper
 * (analyzer/ipmap.h: pod and host IPs, --ip-map entries, Service addresses
 * and node ports to the Service's backends with targetPort resolved, flow
 * logs' pod names, IP ranges), what the policies say about it, and the
 * observed edges: one per endpoint pair, with the ports seen.
 *
 * A record that is no connection (Hubble DROPPED/ERROR, a Zeek attempt
 * without an answer) is mapped but makes no observed edge. Every record
 * whose ends are not both resolved is counted by reason.
 *
 * reach's observed hops use analyzer/observed.h (edges with their first
 * input); this is the per-record mapping the drift checks, mTLS evidence,
 * flows' mapping fields and conn --observed read.
 *
 * Ownership: a tm_flowmap holds heap arrays (tm_flowmap_release); port
 * sets are interned in the model's pool. */
#ifndef TM_FLOWMAP_H
#define TM_FLOWMAP_H

#include "analyzer/conn.h"
#include "analyzer/ipmap.h"
#include "model/findings.h"
#include "model/flow.h"

typedef enum {
	TM_UNMAP_NONE = 0,
	TM_UNMAP_NO_IPS,      /* a private address, and no pod IPs in the input at all */
	TM_UNMAP_PRIVATE,     /* a private address of no pod, Service or node in the input */
	TM_UNMAP_NO_ENDPOINT, /* an address that no endpoint holds (IPv6 without IPv6 endpoints) */
	TM_UNMAP_NO_BACKEND,  /* a Service address whose Service selects no workload of the input */
	TM_UNMAP_SAME,        /* both ends are one endpoint */
	TM_UNMAP__N
} tm_unmap_reason;
/* "no pod IPs in the input", ... */
const char *tm_unmap_reason_text(tm_unmap_reason r);

typedef struct tm_fm_flow {
	int32_t src, dst;       /* endpoints (an unresolved private address keeps its IP range), -1 */
	int32_t svc;            /* m->services index of the Service it went through, -1 */
	uint16_t dport;         /* the port at the destination endpoint (targetPort) */
	int8_t allowed;         /* 1 allowed, 0 denied, -1 not mapped */
	uint8_t via_src, via_dst; /* tm_ipmap_via */
	uint8_t why;            /* tm_unmap_reason of the first end that failed */
	bool internet_src, internet_dst; /* an IP-range end with a public address */
	bool connection;        /* a connection (not a drop, not an unanswered attempt) */
} tm_fm_flow;

typedef struct tm_fm_edge {
	uint32_t src, dst;
	const tm_ports *ports;     /* observed (destination ports at the endpoint) */
	const tm_ports *denied;    /* observed and not allowed by the policies */
	int64_t first_us, last_us;
	uint64_t packets, flows;
	unsigned origins;          /* bit per tm_flow_origin */
	size_t first_flow;         /* index in the flow set of its earliest record */
} tm_fm_edge;

typedef struct tm_flowmap {
	tm_fm_flow *v;            /* one per record of the flow set, same order */
	size_t n;
	tm_fm_edge *edges;        /* sorted by (src, dst) */
	size_t nedges;
	size_t connections, mapped, unmapped, not_connections;
	size_t by_reason[TM_UNMAP__N];
	size_t on_workloads;       /* connections with an end on a workload */
	bool any_ips;              /* the input has addresses to map to (pods, Services, --ip-map) */
	size_t binds_unresolved;   /* --ip-map entries naming nothing in the input */
	tm_srcloc first_unresolved;
} tm_flowmap;

tm_err tm_flowmap_build(const tm_graph *g, const tm_flowset *fs, tm_flowmap *o);
void tm_flowmap_release(tm_flowmap *o);
/* The observed edge src -> dst, or NULL. */
const tm_fm_edge *tm_flowmap_edge(const tm_flowmap *o, size_t src, size_t dst);
/* Display of one end: the endpoint's name, "internet" for a public address
 * in an IP range, NULL when not mapped. */
const char *tm_flowmap_end_name(const tm_graph *g, const tm_fm_flow *of, bool src);

/* Where record f of fs was observed, as the evidence of a finding names it:
 * e->source, file, unit and pos (other fields untouched). A record read by a
 * capture or flow-log reader names its input and position there; one read
 * back from a summary names the observation its seen_in gives (the origin
 * it keeps) with the summary and its line as via_file/via_pos, or, when the
 * summary says nothing of where (an older version), the summary itself and
 * the record's line. One answer for every finding that names a record
 * (require-mtls and TM124's evidence, TM130-TM134's "first in"). Strings
 * are fs's. */
void tm_fevidence_where(const tm_flowset *fs, const tm_flow *f, tm_fevidence *e);

#endif
