/* findings.h (render) - shared by the output formats of `check` and `diff`
 * (findings_txt.c, findings_json.c, findings_md.c, sarif.c; their rows are in
 * render/table.c, their prototypes in render/render.h). Contracts:
 * docs/json.md (JSON), docs/ci.md (SARIF). */
#ifndef TM_RENDER_FINDINGS_H
#define TM_RENDER_FINDINGS_H

#include "model/findings.h"
#include "analyzer/check.h"
#include "render/render.h"

/* "1 critical, 2 high, ..." (non-zero counts only). */
void tm_findings_summary_text(const tm_findings *f, tm_buf *out);

/* ---- notes: what the answer does not cover (tm_findings.notes) ---- */
/* "file:line:column" of a note's location (parts unknown left out); empty
 * when it has none. */
void tm_note_loc_text(const tm_note *n, tm_buf *out);
/* The notes block of the text formats (nothing when there are none). */
void tm_notes_txt(const tm_findings *f, FILE *out);

#endif
