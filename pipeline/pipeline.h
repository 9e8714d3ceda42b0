/* pipeline.h - the one pipeline every command runs: a request (inputs,
 * zones, captures, options, what to compute) in, a result (model, graph,
 * zones, flows, evidence, findings, explanation, reach) out.
 *
 *   load manifests -> mesh census (inventory) -> zones -> connectivity
 *     (endpoints) -> endpoints named by the user -> the edges the request
 *     needs, focus -> captures -> mTLS evidence -> checks -> explain / reach
 *     -> edge annotations, diagram, report
 *
 * Each step runs only when the request needs it. Nothing is printed: every
 * step's diagnostics are in the model (or the flow set), and step_done, when
 * set, is called after each step that ran so that a caller can print them as
 * they come. On failure the result names the step and holds a message.
 *
 * Ownership: the result owns everything it points to (tm_result_release). */
#ifndef TM_PIPELINE_H
#define TM_PIPELINE_H

#include "model/model.h"
#include "model/findings.h"
#include "ingest/ingest.h"
#include "model/flow.h"
#include "model/zones.h"
#include "ingest/readers.h"
#include "ingest/manifest/zones.h"
#include "analyzer/conn.h"
#include "analyzer/check.h"
#include "analyzer/reach.h"
#include "analyzer/summary.h"

#include "analyzer/observed.h"
#include "analyzer/flowmap.h"

#include <time.h>
#include "analyzer/mesh.h"
#include "analyzer/mesh_census.h"

typedef enum {
	TM_STEP_NONE = 0,
	TM_STEP_LOAD,      /* manifests into the model */
	TM_STEP_CENSUS,    /* the mesh census of the model (analyzer/mesh_census.h) */
	TM_STEP_ZONES,     /* the zones file, or the default zones */
	TM_STEP_GRAPH,     /* connectivity */
	TM_STEP_ENDPOINTS, /* the endpoints the request names (src, dst, focus) */
	TM_STEP_MESH,      /* mesh mTLS posture of every edge (analyzer/mesh.h) */
	TM_STEP_EDGES,     /* the edges the request needs (all; reach: its rows;
			    * explain: none), then focus */
	TM_STEP_FLOWS,     /* captures and flow logs, and their mapping onto the graph */
	TM_STEP_CHECKS,    /* zone rules and built-in checks */
	TM_STEP_ANSWER,    /* explain / reach */
	TM_STEP_DRAW,      /* edge annotations, the diagram, the report */
} tm_step;

typedef struct tm_result tm_result;

typedef struct tm_request {
	const char *const *paths; /* manifests: files, directories, "-" */
	const char *const *path_ns; /* NULL, or per path: the namespace of its objects
				     * without one (-n NS), or NULL for "default" */
	size_t npaths;
	tm_load_opts load;
	/* connectivity */
	bool graph;
	tm_conn_opts conn;
	bool pods;        /* one endpoint per Pod object */
	bool ipv6_auto;   /* IPv6 ranges are endpoints when the policies name IPv6 blocks */
	/* narrowing (conn, graph) */
	const char *const *focus, *const *peers;
	size_t nfocus, npeers;
	tm_focus_dir fdir;
	bool has_port;
	tm_proto port_proto;
	uint32_t port;
	/* mesh mTLS posture: with mesh (conn --show-mtls), and for checks
	 * whenever the model holds mesh objects or injection facts */
	bool mesh;
	tm_mesh_opts mesh_opts;
	/* the mesh census (inventory), from the model alone: computed when the
	 * model holds mesh objects or injection facts, or mesh_opts sets an
	 * assumption */
	bool census;
	/* zone rules and checks */
	bool checks;
	const char *zones_file; /* NULL: the default zones */
	/* observed traffic: captures, Hubble exports, Zeek logs; addresses */
	const char *const *captures;
	size_t ncaptures;
	const char *const *hubble;   /* "-" = standard input */
	size_t nhubble;
	const char *const *zeek;     /* directories or log files */
	size_t nzeek;
	const char *const *ip_maps;  /* --ip-map files, read with the manifests */
	size_t nip_maps;
	size_t max_line;             /* flow logs: bytes per line (0: 1 MiB) */
	tm_pcap_opts pcap;
	tm_pcap_progress_fn progress;
	void *progress_ctx;
	/* long steps (reading manifests, ...): optional */
	tm_progress_fn step_progress;
	void *step_progress_ctx;
	/* questions */
	bool missing_is_empty; /* a path that does not exist is an empty input, said in a note (diff OLD) */
	const char *src, *dst; /* explain: both; reach: src */
	bool explain;
	uint32_t hops;         /* reach: > 0 */
	bool reverse;          /* reach: src is the target (who can reach it) */
	bool network_only;     /* reach: no escape and node hops */
	const char *to;        /* reach: a zone or an endpoint: only paths that end there */
	const char *const *avoid; /* reach: endpoints not pivoted through */
	size_t navoid;
	/* diagram (graph) and report: both need checks */
	bool diagram;
	tm_diagram_opts dopts; /* level and --zone; focus is taken from focus above */
	bool report;
	uint32_t report_hops;  /* 0: 3 */
	/* after every step that ran (also a failed one) */
	void (*step_done)(void *ctx, tm_step step, const tm_result *r);
	void *ctx;
} tm_request;

void tm_request_init(tm_request *rq);

struct tm_result {
	tm_model *m;
	tm_graph *g;
	tm_mesh_result *mesh; /* NULL when not computed */
	tm_mesh_census *census; /* NULL when not computed */
	tm_zones *z;
	tm_flowset *flows;
	tm_mtls_evidence ev;
	bool has_ev;
	tm_flowmap obs;     /* the flows on the graph (has_ev) */
	tm_findings findings; /* its notes (what the answer does not cover: kinds
			       * not analysed, inputs skipped, ...) are filled for
			       * every request that reads manifests */
	bool input_missing;   /* missing_is_empty: no path existed */
	long src, dst;      /* endpoint indices, -1 when not asked */
	tm_explain explain;
	bool has_explain;
	tm_reach reach;
	bool has_reach;
	tm_escapes escapes;   /* reach: node escapes and co-location (has_escapes) */
	bool has_escapes;
	tm_observed observed; /* reach with captures: observed edges */
	bool has_observed;
	time_t input_time;  /* newest modification time of the manifest files read (0: unknown) */
	tm_annots annots;   /* diagram, report: per edge of g */
	bool has_annots;
	tm_diagram diagram;
	bool has_diagram;
	tm_report report;
	bool has_report;
	/* failure */
	tm_step failed;     /* TM_STEP_NONE: success */
	tm_err err;
	tm_buf error;       /* what went wrong, without "trustmap: " */
};

/* Kinds read but not analysed that change connectivity (policies of another
 * project: Cilium, Calico, Antrea, Istio, Linkerd, OVN/OpenShift): the name
 * of that project, or NULL for a kind that changes no connection (ConfigMap).
 * kind is as m->ignored holds it: "Kind" or "Kind (apiVersion)". */
const char *tm_kind_policy_project(const char *kind);

/* Run rq. Returns TM_OK, or the error of the failed step (r->failed,
 * r->error). r is always initialised: release it either way. */
tm_err tm_run(const tm_request *rq, tm_result *r);
void tm_result_release(tm_result *r);

#endif
