/* findings.h (render) - shared by the output formats of `check` and `diff`
 * (findings_txt.c, findings_json.c, findings_md.c, sarif.c; their rows are in
 * render/table.c, their prototypes in render/render.h). Contracts:
 * docs/json.md (JSON), docs/ci.md (SARIF). */
#ifndef TM_RENDER_FINDINGS_H
#define TM_RENDER_FINDINGS_H

#include "model/findings.h"
#include "analyzer/check.h"
#include "render/render.h"
#include "render/jsonw.h"

/* "1 critical, 2 high, ..." (non-zero counts only). */
void tm_findings_summary_text(const tm_findings *f, tm_buf *out);

/* ---- notes: what the answer does not cover (tm_findings.notes) ---- */
/* "file:line:column" of a note's location (parts unknown left out); empty
 * when it has none. */
void tm_note_loc_text(const tm_note *n, tm_buf *out);
/* The notes block of the text formats (nothing when there are none). */
void tm_notes_txt(const tm_findings *f, FILE *out);

/* ---- JSON and SARIF (findings_json.c) ---- */
/* The zones (tm_findings.zones) as an array of one zone a line at indent ind
 * (tm_jsonw_lines): {"name", with where "file" and "line", "members"}. */
void tm_zones_jsonw(tm_jsonw *w, const tm_findings *f, const char *ind, bool where);
/* A finding's evidence as one JSON object on one line (docs/json.md):
 * source, file, packet or line (null when not known), time, transport,
 * src_ip, src_port, dst_ip, dst_port, shows, and uid when Zeek gave one. */
void tm_fevidence_jsonw(tm_jsonw *w, const tm_fevidence *ev);

/* ---- Markdown within a pull-request comment (findings_md.c) ----
 * Every byte goes through one counting writer that never lets the output
 * pass TM_MD_LIMIT bytes; rows are formatted into w->row and written only
 * when they fit (and --max-rows allows them). */
#define TM_MD_LIMIT 65536
#define TM_MD_RESERVE 2048 /* truncation lines, "</details>", the last newline */

typedef struct tm_md {
	FILE *out;
	size_t used;     /* bytes written */
	size_t max_rows; /* per table; 0: as many as fit */
	bool full;       /* a table was cut by the limit: later tables are cut at once */
	const char *rest; /* where the rows left out are: "SARIF/JSON" (check), "JSON" (diff) */
	tm_buf row;      /* the row being formatted */
} tm_md;

/* rest: where rows left out are ("SARIF/JSON"). */
void tm_md_init(tm_md *w, FILE *out, const tm_render_in *in, const char *rest);
/* Unconditionally (headers and closing tags: within the reserve). */
void tm_md_raw(tm_md *w, const char *s, size_t n);
void tm_md_puts(tm_md *w, const char *s);
/* Write b if it fits before the reserve; false when it does not. */
bool tm_md_fits(tm_md *w, const tm_buf *b);
/* "… and N more (see the REST)" */
void tm_md_cut(tm_md *w, size_t left);
bool tm_md_row_allowed(const tm_md *w, size_t i);
/* Write w->row (row i of n), or cut the table there: false when cut. */
bool tm_md_row(tm_md *w, size_t i, size_t n);
/* Table cell text ('|' escaped, newlines as spaces, < > as entities); inline code. */
void tm_md_cell(tm_buf *b, const char *s);
void tm_md_code(tm_buf *b, const char *s);
/* The findings table; the notes block ("Not covered by this answer"). */
void tm_md_findings_table(tm_md *w, const tm_findings *f);
void tm_md_notes(tm_md *w, const tm_findings *f);

#endif
