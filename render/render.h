/* render.h - output formats. One file per format (txt.c, json.c, csv.c,
 * md.c, dot.c, graphviz.c, findings_*.c, sarif.c, reach.c, flows.c); every
 * renderer is one row of the table in table.c, found by subject and format
 * name. Renderers only format what the analyzer computed, in the order it is
 * given, and write to the FILE they are handed; JSON is written through
 * render/jsonw.h. */
#ifndef TM_RENDER_H
#define TM_RENDER_H

#include "model/model.h"
#include "model/findings.h"
#include "model/flow.h"
#include "analyzer/conn.h"
#include "analyzer/reach.h"
#include "analyzer/check.h"
#include "analyzer/summary.h"

#include <time.h>
#include "analyzer/mesh.h"
#include "analyzer/mesh_census.h"

/* what is rendered: one per command that prints a result */
typedef enum {
	TM_SUBJECT_INVENTORY, /* in->m */
	TM_SUBJECT_CONN,      /* in->g (conn and graph) */
	TM_SUBJECT_EXPLAIN,   /* in->g, in->explain, in->src, in->dst */
	TM_SUBJECT_REACH,     /* in->g, in->reach */
	TM_SUBJECT_FINDINGS,  /* in->findings, zones, base_dir, fail_on */
	TM_SUBJECT_DIFF,      /* in->diff, zones, fail_on */
	TM_SUBJECT_FLOWS,     /* in->flows */
	TM_SUBJECT_GRAPH,     /* in->diagram (graph), title: paths, zones, input_time */
	TM_SUBJECT_REPORT,    /* in->report, findings, m, g, annots, title as for graph */
	TM_SUBJECT__COUNT
} tm_subject;


/* What a command computed, for its renderer; members a subject does not use
 * are NULL (or 0). Nothing here is owned by the renderer. */
typedef struct tm_render_in {
	const tm_model *m;
	const tm_graph *g;
	const tm_explain *explain;
	size_t src, dst;              /* endpoints of g (explain) */
	const tm_reach *reach;
	const tm_findings *findings;
	const tm_diff *diff;
	const tm_flowset *flows;
	const struct tm_flowmap *observed; /* flows on the graph (flows, conn --observed), or NULL */
	const char *zones;            /* findings, diff: the zones file, or NULL for the defaults */
	const char *base_dir;         /* SARIF: artifact URIs are relative to this directory (no trailing '/') */
	bool has_fail_on;             /* findings, diff: --fail-on */
	tm_severity fail_on;
	bool verbose;                 /* findings txt: -v (zone membership) */
	size_t max_rows;              /* findings, diff as Markdown: rows per table (0: as many as fit) */
	const tm_diagram *diagram;    /* graph */
	const tm_report *report;      /* report */
	const tm_annots *annots;      /* report: per edge of g */
	const char *const *paths;     /* graph, report: the inputs, for the title */
	size_t npaths;
	time_t input_time;            /* graph, report: the inputs' date (0: unknown) */
	const tm_mesh_result *mesh;   /* conn: with --show-mtls, the protection of each edge (render/conn_mtls.c) */
	const tm_mesh_census *census; /* inventory: the mesh census, or NULL for none (render/inventory_mesh.c) */
	tm_progress_fn progress;      /* lines written, of all (conn's line formats); may be NULL */
	void *progress_ctx;
} tm_render_in;

typedef tm_err (*tm_render_fn)(const tm_render_in *in, FILE *out);

typedef struct tm_renderer {
	tm_subject subject;
	const char *format; /* "txt", "json", ... as --format names it */
	bool binary;        /* not text (PNG): not for a terminal */
	tm_render_fn render;
} tm_renderer;

/* The renderer of subject s in format, or NULL. Static storage. */
const tm_renderer *tm_renderer_find(tm_subject s, const char *format);
/* The formats of s in table order, "txt|json|csv|md|dot|svg|png"; static. */
const char *tm_renderer_formats(tm_subject s);
/* Every row of the table, by subject (for tests and documentation). */
const tm_renderer *tm_renderers(size_t *n);

/* ---- the renderers (rows of table.c) ---- */
tm_err tm_render_inventory_txt(const tm_render_in *in, FILE *out);
tm_err tm_render_inventory_json(const tm_render_in *in, FILE *out);
/* inventory's "Mesh:" section and its JSON "mesh" object (render/inventory_mesh.c),
 * called by the two above when in->census is set */
tm_err tm_render_inventory_mesh_txt(const tm_mesh_census *c, FILE *out);
struct tm_jsonw;
void tm_render_inventory_mesh_json(const tm_mesh_census *c, struct tm_jsonw *w);

tm_err tm_render_conn_txt(const tm_render_in *in, FILE *out);
tm_err tm_render_conn_json(const tm_render_in *in, FILE *out);
/* conn --observed (render/conn_observed.c): in->observed must be set */
tm_err tm_render_conn_observed_txt(const tm_render_in *in, FILE *out);
tm_err tm_render_conn_observed_json(const tm_render_in *in, FILE *out);
tm_err tm_render_conn_csv(const tm_render_in *in, FILE *out);
tm_err tm_render_conn_md(const tm_render_in *in, FILE *out);
tm_err tm_render_conn_dot(const tm_render_in *in, FILE *out);
tm_err tm_render_conn_svg(const tm_render_in *in, FILE *out);
tm_err tm_render_conn_png(const tm_render_in *in, FILE *out);
/* conn with protections (in->mesh): what the txt and json rows call then */
tm_err tm_render_conn_mtls_txt(const tm_render_in *in, FILE *out);
tm_err tm_render_conn_mtls_json(const tm_render_in *in, FILE *out);

tm_err tm_render_graph_dot(const tm_render_in *in, FILE *out);
tm_err tm_render_graph_svg(const tm_render_in *in, FILE *out);
tm_err tm_render_graph_png(const tm_render_in *in, FILE *out);

tm_err tm_render_report_html(const tm_render_in *in, FILE *out);
tm_err tm_render_report_md(const tm_render_in *in, FILE *out);

tm_err tm_render_explain_txt(const tm_render_in *in, FILE *out);
tm_err tm_render_explain_json(const tm_render_in *in, FILE *out);

tm_err tm_render_reach_txt(const tm_render_in *in, FILE *out);
tm_err tm_render_reach_json(const tm_render_in *in, FILE *out);

tm_err tm_render_findings_txt(const tm_render_in *in, FILE *out);
tm_err tm_render_findings_json(const tm_render_in *in, FILE *out);
tm_err tm_render_findings_sarif(const tm_render_in *in, FILE *out);
tm_err tm_render_findings_md(const tm_render_in *in, FILE *out);

tm_err tm_render_diff_txt(const tm_render_in *in, FILE *out);
tm_err tm_render_diff_json(const tm_render_in *in, FILE *out);
tm_err tm_render_diff_md(const tm_render_in *in, FILE *out);

/* flows (render/flows.c, also declared in render/flows.h): typed by the flow
 * set; their table rows pass in->flows */
tm_err tm_render_flows_txt(const tm_flowset *fs, FILE *out);
tm_err tm_render_flows_json(const tm_flowset *fs, FILE *out);
tm_err tm_render_flows_csv(const tm_flowset *fs, FILE *out);

/* CSV field, quoted when needed. */
void tm_csv_field(FILE *out, const char *s);

#endif
