/* findings.h (render) - output formats of `check` and `diff`: one file per
 * format (findings_txt.c, findings_json.c, findings_md.c, sarif.c), each
 * registering its renderers in the tables below. Contracts: docs/json.md
 * (JSON), docs/ci.md (SARIF). Renderers format what the analyzer computed, in
 * the order given, and write to the FILE they are handed. */
#ifndef TM_RENDER_FINDINGS_H
#define TM_RENDER_FINDINGS_H

#include "model/findings.h"
#include "analyzer/check.h"

typedef struct tm_findings_render_opts {
	const char *zones;     /* zones file name, or NULL for the defaults */
	const char *base_dir;  /* SARIF: artifact URIs are relative to this directory (no trailing '/') */
	bool has_fail_on;
	tm_severity fail_on;
} tm_findings_render_opts;

typedef struct tm_findings_renderer {
	const char *name;
	tm_err (*render)(const tm_findings *f, const tm_findings_render_opts *o, FILE *out);
} tm_findings_renderer;

typedef struct tm_diff_renderer {
	const char *name;
	tm_err (*render)(const tm_diff *d, const tm_findings_render_opts *o, FILE *out);
} tm_diff_renderer;

const tm_findings_renderer *tm_findings_renderer_find(const char *name);
const char *tm_findings_renderer_names(void); /* "txt|json|sarif|md" */
const tm_diff_renderer *tm_diff_renderer_find(const char *name);
const char *tm_diff_renderer_names(void);     /* "txt|json|md" */

tm_err tm_render_findings_txt(const tm_findings *f, const tm_findings_render_opts *o, FILE *out);
tm_err tm_render_findings_json(const tm_findings *f, const tm_findings_render_opts *o, FILE *out);
tm_err tm_render_findings_md(const tm_findings *f, const tm_findings_render_opts *o, FILE *out);
tm_err tm_render_findings_sarif(const tm_findings *f, const tm_findings_render_opts *o, FILE *out);

tm_err tm_render_diff_txt(const tm_diff *d, const tm_findings_render_opts *o, FILE *out);
tm_err tm_render_diff_json(const tm_diff *d, const tm_findings_render_opts *o, FILE *out);
tm_err tm_render_diff_md(const tm_diff *d, const tm_findings_render_opts *o, FILE *out);

/* Shared by the renderers: "1 critical, 2 high, ..." (non-zero counts only). */
void tm_findings_summary_text(const tm_findings *f, tm_buf *out);

#endif
