/* annot.h - what the diagrams and the report say about an allowed edge
 * besides its ports: the worst finding on it, how it is protected, and
 * whether it was allowed, observed, or both.
 *
 * tm_annots_build() fills one tm_edge_annot per edge of a graph from what
 * the analysis has: the findings (zone rules and checks, matched to the edge
 * by endpoint names), the mesh mTLS posture of the manifests (analyzer/mesh.h:
 * the weakest protection of an edge's port subsets) and the mTLS evidence of
 * captures (analyzer/mtls.c), which decides where the posture says unknown.
 * Renderers read the annotations and never derive them.
 *
 * Where other analyses plug in (see tm_annots_build):
 *  - another source of protection sets tm_edge_annot.protection of the edges
 *    it judges (where it is TM_PROT_UNKNOWN) and has_protection;
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
#include "analyzer/mesh.h"
#include "model/findings.h"

/* tm_protection (mtls, mtls-permissive, plaintext, rejected, unknown) and
 * tm_protection_name() are the mesh posture's (analyzer/mesh.h). */

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
	/* the mesh posture's protections (bit 1 << tm_protection) of the edge's TCP
	 * ports and of its other ports (which no mesh proxies), so that a drawing
	 * can say "TCP mtls, UDP/SCTP plaintext" where the weakest alone would
	 * read plaintext; 0 where the mesh did not judge the edge */
	uint8_t tcp_prots, other_prots;
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

/* Fill out from f, mesh (the posture of g's edges) and ev (captures' mTLS
 * evidence); each may be NULL. Every edge starts as allowed, protection
 * unknown. */
tm_err tm_annots_build(const tm_graph *g, const tm_findings *f, const tm_mesh_result *mesh,
		       const tm_mtls_evidence *ev, tm_annots *out);
void tm_annots_add_observed(tm_annots *a, uint32_t src, uint32_t dst, const tm_ports *ports, tm_protection p);
void tm_annots_release(tm_annots *a);

/* Merge b into a (a collapsed edge): the worse finding, the weaker known
 * protection, the union of origins, the findings counted. */
void tm_edge_annot_merge(tm_edge_annot *a, const tm_edge_annot *b);
/* The weakest of a set of protections (bits 1 << tm_protection), or
 * TM_PROT_UNKNOWN for none. */
tm_protection tm_prot_weakest(unsigned prots);

#endif
