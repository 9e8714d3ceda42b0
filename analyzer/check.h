/* check.h - zone boundary rules, built-in hygiene checks and review diffs:
 * the analyses behind `trustmap check` and `trustmap diff`.
 *
 * All functions read the model and graph and append to a tm_findings that the
 * caller owns; nothing is printed. docs/zones.md, docs/checks.md. */
#ifndef TM_CHECK_H
#define TM_CHECK_H

#include "model/findings.h"
#include "analyzer/conn.h"
#include "model/zones.h"
#include "analyzer/mesh.h"

/* ---- built-in check table (docs/checks.md) ---- */
typedef struct tm_check_info {
	const char *id;       /* TM101 */
	const char *name;     /* kebab-case */
	tm_severity severity; /* default */
	const char *title;
	const char *help;
	const char *hint;
	bool observed;        /* judges observed traffic: registered only when flows were read */
	bool diff;            /* judges a change between two versions: only `diff` emits it (TM126) */
} tm_check_info;

const tm_check_info *tm_checks_table(size_t *n);
const tm_check_info *tm_check_find(const char *id);
/* For the check modules (checks.c, checks_mesh.c, checks_escape.c): a finding
 * of built-in check id at severity sev, with the table's title and hint,
 * message msg and subject (may be NULL); and the trustmap.io/ignore
 * annotations of workload w and of its namespace applied to fd (obj is the
 * caller's scratch buffer). */
tm_finding *tm_check_finding(tm_findings *out, const char *id, tm_severity sev, const char *msg, const char *subject);
void tm_check_suppress_wl(tm_findings *out, tm_finding *fd, const tm_workload *w, tm_buf *obj);
/* Warn (m->diags) about trustmap.io/ignore annotations that name no check id
 * and no rule of z: they would suppress nothing without a word. */
void tm_check_ignore_names(tm_model *m, const tm_zones *z);

/* ---- observed mutual TLS (analyzer/mtls.c) ---- */
struct tm_flowset;

/* What captured traffic says about one ordered endpoint pair (TCP ports of
 * the server side). */
typedef struct tm_mtls_obs {
	uint32_t src, dst;
	const tm_ports *proven;   /* TLS with a client certificate, or a mesh's mTLS */
	const tm_ports *without;  /* plaintext, or TLS without a client certificate */
} tm_mtls_obs;

/* One connection seen without mutual TLS, kept so that a finding can name
 * the packet or line that shows it (tm_mtls_rec). */
typedef struct tm_mtls_wrec {
	uint32_t src, dst;
	uint32_t flow;            /* index in fs->flows */
	uint16_t port;            /* TCP port of the server side */
} tm_mtls_wrec;

typedef struct tm_mtls_evidence {
	tm_mtls_obs *v;           /* heap, sorted by (src, dst) */
	size_t n, cap;
	const struct tm_flowset *fs; /* the records below refer into it */
	tm_mtls_wrec *recs;       /* heap, sorted by (src, dst, input, position, order) */
	size_t nrecs, caprecs;
	size_t flows, unmapped;   /* flows read; flows with an end that is no endpoint */
	size_t on_workloads;      /* flows with an end that is a workload (a pod IP) */
} tm_mtls_evidence;

/* Map every TCP flow of fs to graph endpoints (analyzer/ipmap.h: pod IPs to
 * their workloads, other addresses to the IP-range endpoints holding them). */
tm_err tm_mtls_evidence_build(const tm_graph *g, const struct tm_flowset *fs, tm_mtls_evidence *ev);
/* The same on flows already mapped (analyzer/flowmap.h: Service IPs,
 * --ip-map, flow logs' names): what the pipeline uses. Records that are no
 * connection, and flows whose source saw no payload, prove nothing. */
struct tm_flowmap;
tm_err tm_mtls_evidence_build_obs(const tm_graph *g, const struct tm_flowset *fs, const struct tm_flowmap *o,
				  tm_mtls_evidence *ev);
const tm_mtls_obs *tm_mtls_lookup(const tm_mtls_evidence *ev, size_t src, size_t dst);
/* The record that proves src -> dst without mutual TLS on one of ports
 * (TCP): the first by input (reading order), then position in it (packet,
 * line), then creation order; NULL when none (or ev is NULL). */
const struct tm_flow *tm_mtls_rec(const tm_mtls_evidence *ev, size_t src, size_t dst, const tm_ports *ports);
/* The kinds of evidence (TM_EVKIND_* of model/flow.h) of the records that
 * show src -> dst without mutual TLS on one of ports (TCP); 0 when none. */
unsigned tm_mtls_rec_kinds(const tm_mtls_evidence *ev, size_t src, size_t dst, const tm_ports *ports);
/* The kinds of evidence of every record read (a summary's by the reader
 * that observed each), and of every input read; 0 without evidence. */
unsigned tm_mtls_kinds_read(const tm_mtls_evidence *ev);
/* Name record f (may be NULL: nothing) on fd: fd->evidence, and
 * "; first seen without mutual TLS in <tm_fevidence_format>" after its message. */
void tm_mtls_rec_attach(const tm_mtls_evidence *ev, const struct tm_flow *f, tm_findings *out, tm_finding *fd);
void tm_mtls_evidence_release(tm_mtls_evidence *ev);

/* ---- zones ---- */
/* Which zones an endpoint belongs to: bits[ep * nzones + zone]. The built-in
 * zone internet holds {ingress-controller} and the IP-range endpoints that no
 * zone with ipBlocks claims. */
typedef struct tm_zonemap {
	const tm_zones *z;
	size_t neps, nzones;
	unsigned char *bits;  /* heap */
	const tm_mtls_evidence *ev; /* observed traffic for require-mtls, or NULL */
	const struct tm_mesh_result *mesh; /* mesh mTLS posture (analyzer/mesh.h), or NULL */
} tm_zonemap;

void tm_zonemap_build(tm_zonemap *zm, const tm_graph *g, const tm_zones *z);
void tm_zonemap_release(tm_zonemap *zm);
/* name: a zone, "internet" or "any". */
bool tm_zonemap_in(const tm_zonemap *zm, const tm_graph *g, size_t ep, const char *name);

/* Evaluate every zone rule over every edge of g. */
tm_err tm_zones_eval(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out);
/* Zone membership (out->zones, every zone in file order) and, for a zones
 * file, TM113 for each zone that holds no endpoint and TM114 for each rule
 * that names one (at the rule's severity). The defaults are not judged. */
tm_err tm_zones_report(const tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out);
/* Run the built-in checks. */
tm_err tm_checks_run(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out);
/* Everything `check` does: zone rules, built-ins, suppression, sort. ev
 * (observed traffic, may be NULL) lets require-mtls rules see proven mTLS. */
tm_err tm_check_all(tm_graph *g, const tm_zones *z, tm_findings *out);
tm_err tm_check_all_ev(tm_graph *g, const tm_zones *z, const tm_mtls_evidence *ev, tm_findings *out);
/* The same, and with observed flows (o and fs not NULL) the drift checks
 * TM130-TM134 (analyzer/drift.c). */
tm_err tm_check_all_obs(tm_graph *g, const tm_zones *z, const tm_mtls_evidence *ev, const struct tm_flowmap *o,
			const struct tm_flowset *fs, tm_findings *out);
/* The drift checks alone (zm built over g and z). */
tm_err tm_drift_run(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, const struct tm_flowmap *o,
		    const struct tm_flowset *fs, tm_findings *out);
/* ... and the mesh's mTLS posture (may be NULL): require-mtls rules count
 * edges the mesh protects, and the mesh checks TM120-TM125 and TM127 run. */
tm_err tm_check_all_mesh(tm_graph *g, const tm_zones *z, const tm_mtls_evidence *ev, const struct tm_mesh_result *mesh,
			 tm_findings *out);
/* Everything: the mesh's posture (may be NULL) and, with o and fs, the
 * drift checks. */
tm_err tm_check_all_with(tm_graph *g, const tm_zones *z, const tm_mtls_evidence *ev, const struct tm_mesh_result *mesh,
			 const struct tm_flowmap *o, const struct tm_flowset *fs, tm_findings *out);
/* The mesh checks (analyzer/checks_mesh.c): is id one of them; run them. */
bool tm_check_is_mesh(const char *id);
/* The ports of edge i that the mesh protects for require-mtls: mtls, and
 * rejected (no connection is made). */
const tm_ports *tm_mesh_satisfies(const struct tm_mesh_result *ms, size_t edge);
/* ": the mesh configuration gives plaintext on TCP 80 (reason)" for the ports bad of edge i. */
void tm_mesh_edge_note(const struct tm_mesh_result *ms, size_t edge, const tm_ports *bad, tm_buf *out);
void tm_checks_mesh_run(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out);
/* The zone that makes endpoint ep sensitive for the mesh checks: the target
 * of a require-mtls rule, else (unless require_mtls_only) a zone marked
 * sensitive; NULL when none. */
const char *tm_mesh_sensitive_zone(const tm_zonemap *zm, const tm_graph *g, size_t ep, bool require_mtls_only);

/* The node-escape checks (analyzer/checks_escape.c): is id one of them;
 * does the input have an escape-capable or hostNetwork pod (their rules are
 * listed only then); run them. */
bool tm_check_is_escape(const char *id);
bool tm_checks_escape_applies(const tm_graph *g);
void tm_checks_escape_run(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out);

/* Allowing rules of one edge, for finding locations (analyzer/conn_query.c). */
typedef struct tm_allow_ref {
	tm_dir dir;
	const char *policy_kind, *policy, *rule_name;
	long rule;
	tm_srcloc loc;
} tm_allow_ref;

/* The policy rules that allow some of conns from src to dst, egress side
 * first, each once. *out is heap memory the caller frees. */
size_t tm_conn_allowing(tm_graph *g, size_t src, size_t dst, const tm_ports *conns, tm_allow_ref **out);
/* "NetworkPolicy ns/name egress rule 0" (+ " (name)" for ANP rules). */
void tm_allow_ref_format(const tm_allow_ref *r, tm_buf *out);
/* The trustmap.io/ignore annotation of the policy named in r, or NULL. */
const char *tm_allow_ref_ignore(const tm_model *m, const tm_allow_ref *r);

/* Add the allowing rules of src->dst (limited to conns) as locations of fd and
 * apply the ignore annotations of those policies, of both workloads and of
 * their namespaces. Returns whether one of those annotations names fd's rule
 * (this connection alone would suppress it). */
bool tm_finding_attach_edge(tm_graph *g, tm_findings *out, tm_finding *fd, size_t src, size_t dst,
			    const tm_ports *conns);

/* ---- diff ---- */
typedef enum { TM_DIFF_CHANGED, TM_DIFF_ADDED, TM_DIFF_REMOVED } tm_diff_kind;

typedef struct tm_conn_change {
	tm_diff_kind kind;
	const char *src, *dst;      /* display names (strings of either graph's model) */
	const char *old_text, *new_text; /* NPA text; "No Connections" when absent */
	const char *info;           /* "workload X added" or NULL */
} tm_conn_change;

/* How the mesh protection of a port subset present in both versions changed
 * (docs/semantics.md "Mesh protection in diff"). */
typedef enum {
	TM_PCH_WEAKENED,     /* both admitted by the mesh; lower in mtls > mtls-permissive > unknown > plaintext */
	TM_PCH_OPENED,       /* rejected before, admitted now */
	TM_PCH_STRENGTHENED, /* both admitted; higher in that order */
	TM_PCH_CLOSED,       /* admitted before, rejected now */
	TM_NPCH
} tm_prot_change_kind;

/* "weakened", "opened", "strengthened", "closed" */
const char *tm_prot_change_name(tm_prot_change_kind k);
/* The kind of the change from o to n (o != n). */
tm_prot_change_kind tm_prot_change_classify(tm_protection o, tm_protection n);
/* Is a change of kind k to n reported as TM126 (mesh-protection-weakened)?
 * Every weakened change; an opened one when n is plaintext or unknown. */
bool tm_prot_change_weakens(tm_prot_change_kind k, tm_protection n);
/* TM126's severity for a weakening to n, sensitive: the destination is in a
 * sensitive zone or the target of a require-mtls rule. */
tm_severity tm_prot_change_severity(tm_protection n, bool sensitive);

typedef struct tm_prot_change {
	tm_prot_change_kind kind;
	const char *src, *dst;      /* display names (the diff's arena) */
	const char *conn;           /* NPA text of the port subset */
	tm_protection old_prot, new_prot;
	const char *old_reason, *new_reason; /* the reasons of each side's posture */
} tm_prot_change;

typedef struct tm_diff {
	tm_conn_change *v;
	size_t n, cap;
	tm_arena arena;
	tm_findings *new_findings, *fixed_findings; /* heap; owned by the diff */
	size_t unchanged_findings;
	/* mesh protection (tm_diff_mesh): compared when either side holds mesh
	 * objects or a mesh option is given; order: kind, src, dst, first port */
	bool mesh;
	tm_prot_change *prot;       /* heap */
	size_t nprot, capprot;
} tm_diff;

/* Compare two graphs; findings are the check results of each side. The
 * notes of both sides are new_findings' notes (OLD's marked "OLD: "). */
tm_err tm_diff_compute(const tm_graph *old_g, const tm_graph *new_g, const tm_findings *old_f,
		       const tm_findings *new_f, tm_diff *out);
/* After tm_diff_compute: compare the mesh protection of the port subsets
 * present in both graphs (analyzer/diff_mesh.c) into d->prot, and add a
 * TM126 finding for each weakening to d->new_findings (new_z: NEW's zones,
 * for the severity; its edge's rules as locations, and their ignore
 * annotations). old_m, new_m: each side's posture, or NULL; a side without
 * one, when the other has one or o sets an assumption, is computed here with
 * o. Nothing is compared (d->mesh false) when both are NULL and o sets
 * nothing. */
tm_err tm_diff_mesh(const tm_graph *old_g, const tm_mesh_result *old_m, tm_graph *new_g,
		    const tm_mesh_result *new_m, const tm_zones *new_z, const tm_mesh_opts *o, tm_diff *d);
void tm_diff_release(tm_diff *d);

#endif
