/* conn.h - exact NetworkPolicy / AdminNetworkPolicy connectivity.
 *
 * tm_conn_compute() turns a finished tm_model into a tm_graph: endpoints
 * (workloads, the IP ranges that the policies' ipBlocks carve the address
 * space into, the ingress controller) and one edge per ordered pair with a
 * non-empty set of allowed connections. The graph owns its arrays and refers
 * into the model, which must outlive it. Semantics: docs/semantics.md. */
#ifndef TM_CONN_H
#define TM_CONN_H

#include "model/model.h"

typedef enum { TM_EP_WORKLOAD, TM_EP_IPRANGE, TM_EP_INGRESS } tm_ep_kind;

typedef struct tm_endpoint {
	tm_ep_kind kind;
	const char *name;     /* NPA display name */
	tm_workload *w;       /* TM_EP_WORKLOAD */
	tm_iprange range;     /* TM_EP_IPRANGE */
	bool is_src_atom;     /* IP range carved from ingress (source) ipBlocks */
	uint32_t cls;         /* equivalence class (workloads) */
} tm_endpoint;

typedef struct tm_edge {
	uint32_t src, dst;    /* endpoint indices */
	const tm_ports *ports;
} tm_edge;

typedef struct tm_conn_opts {
	bool ipblock_matches_pods; /* ipBlocks also match pods by status.podIP(s) */
	bool no_ingress_controller;
	bool ipv6;                 /* IPv6 ranges as endpoints (NPA: IPv4 only) */
} tm_conn_opts;

typedef struct tm_graph {
	const tm_model *m;
	tm_endpoint *eps;
	size_t neps;
	tm_edge *edges;      /* sorted by (src name, dst name), bytewise */
	size_t nedges, cap_edges;
	size_t nclasses;
	void *priv;          /* engine state kept for explain/reach */
	bool *shown;         /* after tm_graph_focus: endpoints to draw (NULL = all workloads) */
	bool conn_focused;   /* edges were cut to one connection (--focus-conn): renderers omit conns */
	char focus_conn[32]; /* e.g. "UDP 52" */
} tm_graph;

void tm_conn_opts_default(tm_conn_opts *o);
/* Caller owns *out (tm_graph_free). Diagnostics (e.g. unresolved named
 * ports) are appended to the model's diags. */
tm_err tm_conn_compute(tm_model *m, const tm_conn_opts *o, tm_graph **out);
void tm_graph_free(tm_graph *g);

/* Endpoint index by name: display name, "ns/name", a workload or pod name,
 * a pod IP, "ingress-controller", or any other IP (the IP range holding it:
 * tm_graph_find gives the destination-side range, tm_graph_find_src the
 * source-side one). -1 when not found, -2 when ambiguous. */
long tm_graph_find(const tm_graph *g, const char *spec);
long tm_graph_find_src(const tm_graph *g, const char *spec);
/* The allowed set between two endpoints (empty set if none). */
const tm_ports *tm_graph_conn(const tm_graph *g, size_t src, size_t dst);

/* ---- focus (analyzer/focus.c) ---- */
typedef enum { TM_FOCUS_BOTH, TM_FOCUS_EGRESS, TM_FOCUS_INGRESS } tm_focus_dir;

/* Mark (set true in mark[neps]) every endpoint a user's name denotes: its
 * display name, ns/name, a workload name in any namespace, a pod name, or
 * "ingress-controller". Returns the number marked. */
size_t tm_graph_mark(const tm_graph *g, const char *spec, bool *mark);
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
} tm_why_kind;

typedef struct tm_why {
	tm_dir dir;
	tm_why_kind kind;
	const char *policy_kind; /* NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy */
	const char *policy;      /* ns/name or name */
	const char *rule_name;   /* ANP rule name */
	long rule;               /* index within direction; -1 for none */
	tm_action action;
	tm_srcloc loc;
	const tm_ports *ports;   /* the connections this decision settled (NULL: none) */
	const char *port_name;   /* TM_WHY_NAMED_UNRESOLVED */
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

/* Trace the decision for one pair; ex->v is heap memory (tm_explain_release). */
tm_err tm_conn_explain(tm_graph *g, size_t src, size_t dst, tm_explain *ex);
void tm_explain_release(tm_explain *ex);

#endif
