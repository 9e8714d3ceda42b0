/* annot.h - what the diagrams and the report say about an allowed edge
 * besides its ports: the worst finding on it, how it is protected, and
 * whether it was allowed, observed, or both.
 *
 * tm_annots_build() fills one tm_edge_annot per edge of a graph from what
 * the analysis has today: the findings (zone rules and TM1xx, matched to the
 * edge by endpoint names) and the mTLS evidence of captures (analyzer/mtls.c).
 * Renderers read the annotations and never derive them.
 *
 * Where other analyses plug in (see tm_annots_build):
 *  - the mesh posture (PeerAuthentication, Linkerd Server, ...) sets
 *    tm_edge_annot.protection of each edge it judges, and has_protection;
 *    captured evidence, filled first, is kept where the posture says nothing
 *    (TM_PROT_UNKNOWN);
 *  - observed traffic (flow logs, captures) sets origin |= TM_ORIGIN_OBSERVED
 *    on allowed edges it saw and appends what it saw but the policies do not
 *    allow to observed_only (tm_annots_add_observed), and has_observed.
 *
 * Ownership: a tm_annots owns its arrays (tm_annots_release); it refers to
 * the graph's endpoints by index and to the findings' strings, which must
 * outlive it. */
#ifndef TM_ANNOT_H
#define TM_ANNOT_H

#include "analyzer/conn.h"
#include "analyzer/check.h"
#include "model/findings.h"

typedef enum {
	TM_PROT_UNKNOWN = 0,      /* nothing says (no mesh posture, no capture) */
	TM_PROT_MTLS,             /* mutual TLS: a mesh in STRICT mode, or proven by captures */
	TM_PROT_MTLS_PERMISSIVE,  /* mTLS is accepted, plaintext too (mesh PERMISSIVE, or mixed captures) */
	TM_PROT_PLAINTEXT,        /* seen or configured without mutual TLS */
	TM_PROT_REJECTED,         /* the mesh refuses it (authorization) although NetworkPolicy allows it */
	TM_PROT__COUNT
} tm_protection;

/* "unknown", "mtls", "mtls-permissive", "plaintext", "rejected" */
const char *tm_protection_name(tm_protection p);

typedef enum {
	TM_ORIGIN_ALLOWED = 1,    /* the policies allow it (nobody saw it) */
	TM_ORIGIN_OBSERVED = 2,   /* seen in traffic, not allowed by the policies */
	TM_ORIGIN_BOTH = 3,       /* allowed and seen */
} tm_origin;

/* "allowed", "observed", "both" */
const char *tm_origin_name(tm_origin o);

typedef struct tm_edge_annot {
	const char *rule;         /* the most severe finding's rule on this edge (first by the
				   * findings' order), or NULL; suppressed findings are not counted */
	tm_severity severity;     /* of that finding */
	uint32_t nfindings;       /* findings on this edge */
	tm_protection protection;
	tm_origin origin;
} tm_edge_annot;

/* A connection seen in traffic that no allowed edge covers. */
typedef struct tm_observed_edge {
	uint32_t src, dst;        /* graph endpoints */
	const tm_ports *ports;    /* what was seen (server ports) */
	tm_edge_annot a;          /* origin TM_ORIGIN_OBSERVED */
} tm_observed_edge;

typedef struct tm_annots {
	tm_edge_annot *v;         /* parallel to g->edges: v[i] is edge i; heap */
	size_t n;
	tm_observed_edge *observed_only; /* heap, by (src, dst) */
	size_t nobserved_only, cap_observed;
	bool has_protection;      /* some source judged protection (else every edge is unknown) */
	bool has_observed;        /* some source of observed traffic was given */
} tm_annots;

/* Fill out from f (may be NULL) and ev (captures' mTLS evidence, may be
 * NULL). Every edge starts as allowed, protection unknown. */
tm_err tm_annots_build(const tm_graph *g, const tm_findings *f, const tm_mtls_evidence *ev, tm_annots *out);
void tm_annots_add_observed(tm_annots *a, uint32_t src, uint32_t dst, const tm_ports *ports, tm_protection p);
void tm_annots_release(tm_annots *a);

/* Merge b into a (a collapsed edge): the worse finding, the weaker known
 * protection, the union of origins, the findings counted. */
void tm_edge_annot_merge(tm_edge_annot *a, const tm_edge_annot *b);

#endif
