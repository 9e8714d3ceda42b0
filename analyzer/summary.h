/* summary.h - what the report (`trustmap report`) says beyond the findings:
 * the zone x zone matrix, lateral movement from internet-exposed workloads,
 * observed versus allowed traffic, what the input holds and lacks, and the
 * diagrams (a namespace-level overview and one per zone). Computed here;
 * render/report_*.c only format it.
 *
 * Ownership: a tm_report owns its arrays (r->arena) and diagrams; it points
 * into the graph, model, zones and annotations, which must outlive it. */
#ifndef TM_SUMMARY_H
#define TM_SUMMARY_H

#include "analyzer/diagram.h"
#include "analyzer/reach.h"

/* From zone a to zone b (the zones in force, then internet). */
typedef struct tm_zone_cell {
	size_t pairs;             /* allowed endpoint pairs */
	const tm_ports *ports;    /* their union (NULL when none) */
	size_t mtls, unprotected; /* pairs proven mTLS; pairs plaintext or permissive */
	size_t observed;          /* pairs seen in traffic (allowed or not) */
	size_t observed_only;     /* seen, not allowed */
	size_t findings;          /* pairs with a finding */
	const char *rule;         /* the worst finding's rule, or NULL */
	tm_severity severity;
} tm_zone_cell;

/* A sensitive endpoint an exposed one reaches. */
typedef struct tm_reach_target {
	const char *name;
	const char *zone;         /* its (sensitive) zone */
	uint32_t hops;
	const char *path;         /* "a → b → c" */
	const tm_ports *ports;    /* on the last hop */
} tm_reach_target;

typedef struct tm_exposed {
	uint32_t ep;
	const char *name;
	const char *via;          /* "ingress-controller", "0.0.0.0-255.255.255.255", ... (the first internet source) */
	const tm_ports *from_internet; /* union of what internet sources may send it */
	size_t reached;           /* endpoints reachable within hops (IP ranges included) */
	size_t reached_workloads;
	tm_reach_target *targets; /* in sensitive zones, by hops then name; at most TM_REPORT_MAX_TARGETS */
	size_t ntargets, targets_total;
} tm_exposed;

#define TM_REPORT_MAX_EXPOSED 40
#define TM_REPORT_MAX_TARGETS 12

typedef struct tm_report_counts {
	size_t namespaces, workloads, pods, services, exposures, netpols, admin_policies, edges, ip_ranges;
	size_t files, objects;
} tm_report_counts;

typedef struct tm_report {
	tm_report_counts counts;
	const char **zones;       /* the zones in force, then "internet" */
	const bool *sensitive;    /* [nzones] */
	size_t nzones;
	tm_zone_cell *matrix;     /* [from * nzones + to] */
	tm_exposed *exposed;      /* by name; at most TM_REPORT_MAX_EXPOSED */
	size_t nexposed, exposed_total;
	uint32_t hops;
	const char **undeclared;  /* namespaces with workloads but no Namespace object */
	size_t nundeclared;
	/* observed vs allowed (has_observed) */
	bool has_observed;
	size_t allowed_seen, allowed_unseen, observed_only;
	tm_diagram overview;      /* namespace level */
	tm_diagram *per_zone;     /* one per zone in force (not internet), auto level */
	size_t nper_zone;
	tm_arena arena;
} tm_report;

/* hops: lateral movement depth (0: 3). zm must be the zones in force. */
tm_err tm_report_build(const tm_graph *g, const tm_zonemap *zm, const tm_annots *an, uint32_t hops, tm_report *out);
void tm_report_release(tm_report *r);

#endif
