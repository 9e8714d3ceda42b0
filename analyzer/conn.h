/* conn.h - exact NetworkPolicy / AdminNetworkPolicy connectivity.
 *
 * tm_conn_compute() turns a finished tm_model into a tm_graph: endpoints
 * (workloads or, at pod granularity, Pod objects; the IP ranges that the
 * policies' ipBlocks carve the address space into; the ingress controller)
 * and one edge per ordered pair with a non-empty set of allowed
 * connections. The model is read only: what the computation allocates
 * (endpoint names, per-pod workloads, diagnostics, explain state) is the
 * graph's. The graph refers into the model, which must outlive it.
 * Exception: port sets are interned in the model's hash-consed pool
 * (m->ports), a memo cache that does not change what the model says.
 * Semantics: docs/semantics.md. */
#ifndef TM_CONN_H
#define TM_CONN_H

#include "model/model.h"

typedef enum { TM_EP_WORKLOAD, TM_EP_IPRANGE, TM_EP_INGRESS } tm_ep_kind;

typedef struct tm_endpoint {
	tm_ep_kind kind;
	const char *name;     /* NPA display name */
	const tm_workload *w; /* TM_EP_WORKLOAD: one of g->workloads */
	const tm_pod *pod;    /* TM_EP_WORKLOAD at pod granularity: the Pod it is (NULL: a
			       * workload without Pod objects, kept whole) */
	tm_iprange range;     /* TM_EP_IPRANGE */
	bool is_src_atom;     /* IP range carved from ingress (source) ipBlocks */
	uint32_t cls;         /* the engine's equivalence class (workloads) */
} tm_endpoint;

typedef struct tm_edge {
	uint32_t src, dst;    /* endpoint indices */
	const tm_ports *ports;
} tm_edge;

/* What the workload endpoints are: the model's workloads (NPA), or one per
 * Pod object for the workloads that have Pod objects (their own labels and
 * IPs, the container ports of their owner), the others kept whole. A choice
 * of endpoints, not of semantics. */
typedef enum { TM_GRAN_WORKLOAD, TM_GRAN_POD } tm_granularity;

typedef struct tm_engine tm_engine;
struct tm_explain;

typedef struct tm_conn_opts {
	bool ipblock_matches_pods; /* ipBlocks also match pods by status.podIP(s) */
	bool no_ingress_controller;
	bool ipv6;                 /* IPv6 ranges as endpoints (NPA: IPv4 only) */
	tm_granularity granularity;
	const tm_engine *engine;   /* NULL: the default engine */
	/* endpoints and the engine's state only: no edges until tm_conn_rows
	 * (engines without rows compute every edge anyway) */
	bool defer_edges;
	/* rows computed, of all rows asked for (may be NULL) */
	tm_progress_fn progress;
	void *progress_ctx;
} tm_conn_opts;

typedef struct tm_graph {
	const tm_model *m;
	const tm_engine *engine;   /* the engine that computed it (explain asks it) */
	tm_granularity granularity;
	/* what workload endpoints stand for, sorted by display name; w->index is
	 * the position here. TM_GRAN_WORKLOAD: the model's own array; TM_GRAN_POD:
	 * copies in the graph's arena, with pod_of[i] the Pod of workloads[i]
	 * (NULL for one kept whole; pod_of is NULL at workload granularity) */
	const tm_workload *const *workloads;
	const tm_pod *const *pod_of;
	size_t nworkloads;
	tm_endpoint *eps;
	size_t neps;
	tm_edge *edges;      /* sorted by (src name, dst name), bytewise */
	size_t nedges, cap_edges;
	size_t nclasses;
	tm_arena arena;      /* the graph's own storage: names, per-pod workloads */
	tm_strtab strs;
	tm_diags diags;      /* what the computation found (e.g. an exposed workload
			      * that no exposed port reaches); in g->arena */
	void *priv;          /* the engine's state (explain); only the engine reads it */
	bool *shown;         /* after tm_graph_focus: endpoints to draw (NULL = all workloads) */
	bool conn_focused;   /* edges were cut to one connection (--focus-conn): renderers omit conns */
	char focus_conn[32]; /* e.g. "UDP 52" */
} tm_graph;

void tm_conn_opts_default(tm_conn_opts *o);
/* With o->engine (NULL: the default). Caller owns *out (tm_graph_free);
 * diagnostics go to (*out)->diags. */
tm_err tm_conn_compute(const tm_model *m, const tm_conn_opts *o, tm_graph **out);
/* After tm_conn_compute with defer_edges: g->edges becomes the edges of the
 * sources srcs[0..n) (ascending endpoint indices), or of every source with
 * srcs NULL. Asking for the ingress controller's row again does not repeat
 * its diagnostics. With an engine that computed every edge, the edges stay
 * as they are (a superset). Only what the rows need is computed: reach and
 * explain on large clusters ask for a few rows (docs/scale.md). */
tm_err tm_conn_rows(tm_graph *g, const uint32_t *srcs, size_t n);
/* Can g's engine compute rows on demand? */
bool tm_conn_has_rows(const tm_graph *g);
void tm_graph_free(tm_graph *g);

/* ---- engines (analyzer/engine.c) ----
 * An engine computes the same graph by its own means; engines are compared
 * differentially (tests/unit/test_engines.c). The graph it returns has the
 * public fields above filled, g->engine set, and whatever it keeps for
 * explain in g->priv, which only its own functions read. */
struct tm_engine {
	const char *name;
	const char *summary;
	tm_err (*compute)(const tm_model *m, const tm_conn_opts *o, tm_graph **out);
	/* the decisions behind one pair (tm_conn_explain) */
	tm_err (*explain)(const tm_graph *g, size_t src, size_t dst, struct tm_explain *ex);
	/* frees g->priv (tm_graph_free frees the rest) */
	void (*release)(tm_graph *g);
	/* the edges of sources srcs[0..n) (ascending) into g->edges, replacing
	 * what was there; NULL: the engine computes every edge in compute */
	tm_err (*rows)(tm_graph *g, const uint32_t *srcs, size_t n);
};

/* By name; NULL or "" is the default engine. NULL when unknown. */
const tm_engine *tm_engine_find(const char *name);
/* Every engine, the default first. */
const tm_engine *const *tm_engines(size_t *n);

/* ---- endpoints by name (analyzer/endpoints.c) ----
 * One syntax everywhere (focus, explain, reach): a display name
 * (ns/name[Kind]), ns/name, a workload name, a pod name, ns/pod, an IP (a
 * pod's: its endpoint; another: the IP range holding it on the side asked
 * for, since ranges are carved separately for sources and destinations), a
 * range's display name, "ingress-controller", and, where several endpoints
 * are allowed, "ns/" followed by an asterisk: every workload of namespace
 * ns. A display name names only its endpoint. */
typedef enum { TM_SIDE_DST = 1, TM_SIDE_SRC = 2, TM_SIDE_BOTH = 3 } tm_side;

/* Every endpoint spec names, ascending, into *out (heap, caller frees; NULL
 * when none). many: the namespace wildcard is allowed. Returns the count. */
size_t tm_graph_resolve(const tm_graph *g, const char *spec, tm_side side, bool many, uint32_t **out);
/* The one endpoint spec names, or -1 with the reason in err (which lists the
 * candidates when spec names several). */
long tm_graph_resolve_one(const tm_graph *g, const char *spec, tm_side side, tm_buf *err);
/* tm_graph_resolve_one without a message: -1 when not found, -2 when
 * ambiguous (destination side / source side). */
long tm_graph_find(const tm_graph *g, const char *spec);
long tm_graph_find_src(const tm_graph *g, const char *spec);
/* Mark (set true in mark[neps]) every endpoint spec names (both sides of an
 * IP, the namespace wildcard allowed). Returns how many it names. */
size_t tm_graph_mark(const tm_graph *g, const char *spec, bool *mark);

/* The allowed set between two endpoints (empty set if none). */
const tm_ports *tm_graph_conn(const tm_graph *g, size_t src, size_t dst);

/* ---- focus (analyzer/focus.c) ---- */
typedef enum { TM_FOCUS_BOTH, TM_FOCUS_EGRESS, TM_FOCUS_INGRESS } tm_focus_dir;

/* Keep the edges with the focus set on the side dir says (both: either
 * side) and, when peer is non-NULL, the peer set on the other side. */
void tm_graph_focus(tm_graph *g, const bool *focus, const bool *peer, tm_focus_dir dir);
/* Keep edges that allow proto/port and cut them to it (NPA --focus-conn). */
void tm_graph_focus_conn(tm_graph *g, tm_proto proto, uint32_t port);

/* ---- explanation ---- */
typedef enum { TM_DIR_EGRESS, TM_DIR_INGRESS } tm_dir;

typedef enum {
	TM_WHY_RULE,          /* a rule of a NetworkPolicy/ANP/BANP matched */
	TM_WHY_NP_DEFAULT_DENY, /* selected by NetworkPolicies, none allowed */
	TM_WHY_NOT_SELECTED,  /* no policy selects the endpoint: default allow */
	TM_WHY_BANP_DEFAULT,  /* after BANP rules: default allow */
	TM_WHY_EXTERNAL,      /* an IP range has no policies of its own */
	TM_WHY_NAMED_UNRESOLVED, /* a matching rule names a port the destination does not have */
	/* with a NetworkPolicy default deny (ports: NULL, notes beside it): */
	TM_WHY_ISOLATED,      /* this NetworkPolicy selects the endpoint for the direction (loc: the policy) */
	TM_WHY_NEAR_PORT,     /* a rule of it matches the peer, but allows other ports only (rule_ports) */
	TM_WHY_NEAR_PEER,     /* a rule of it allows some of the denied ports (rule_ports), to other peers */
} tm_why_kind;

typedef struct tm_why {
	tm_dir dir;
	tm_why_kind kind;
	const char *policy_kind; /* NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy */
	const char *policy;      /* ns/name or name */
	const char *rule_name;   /* ANP rule name */
	long rule;               /* index within direction; -1 for none */
	tm_action action;
	uint8_t auth;            /* the rule's tm_rule_auth (Cilium authentication.mode) */
	tm_srcloc loc;
	const tm_ports *ports;   /* the connections this decision settled (NULL: none) */
	const char *port_name;   /* TM_WHY_NAMED_UNRESOLVED */
	const tm_ports *rule_ports; /* TM_WHY_NEAR_PORT: what the rule allows the peer; TM_WHY_NEAR_PEER:
				     * the denied ports it allows (to other peers) */
} tm_why;

typedef struct tm_explain {
	const tm_ports *egress, *ingress, *allowed;
	tm_why *v;
	size_t n, cap;
} tm_explain;

/* What explain says when SRC and DST are one endpoint (docs/semantics.md 9). */
#define TM_EXPLAIN_SELF_NOTE                                                                             \
	"SRC and DST are the same endpoint: conn and check never list an endpoint's connections to itself " \
	"(a pod's traffic to itself is not subject to NetworkPolicy); the decisions below are those "       \
	"between two of its pods (replicas)."

/* Trace the decision for one pair (through g->engine); ex->v is heap
 * memory (tm_explain_release). */
tm_err tm_conn_explain(const tm_graph *g, size_t src, size_t dst, tm_explain *ex);
void tm_explain_release(tm_explain *ex);

#endif
