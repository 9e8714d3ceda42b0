/* render.h - output formats. One file per format (txt.c, json.c, csv.c,
 * md.c, dot.c); each registers its renderers in the tables below. Renderers
 * only format what the analyzer computed, in the order it is given, and write
 * to the FILE they are handed. */
#ifndef TM_RENDER_H
#define TM_RENDER_H

#include "model/model.h"
#include "analyzer/conn.h"

typedef struct tm_conn_renderer {
	const char *name;
	tm_err (*render)(const tm_graph *g, FILE *out);
} tm_conn_renderer;

const tm_conn_renderer *tm_conn_renderer_find(const char *name);
/* "txt|json|csv|md|dot|svg|png" */
const char *tm_conn_renderer_names(void);

tm_err tm_render_conn_txt(const tm_graph *g, FILE *out);
tm_err tm_render_conn_json(const tm_graph *g, FILE *out);
tm_err tm_render_conn_csv(const tm_graph *g, FILE *out);
tm_err tm_render_conn_md(const tm_graph *g, FILE *out);
tm_err tm_render_conn_dot(const tm_graph *g, FILE *out);
tm_err tm_render_conn_svg(const tm_graph *g, FILE *out);
tm_err tm_render_conn_png(const tm_graph *g, FILE *out);

tm_err tm_render_inventory_txt(const tm_model *m, FILE *out);
tm_err tm_render_inventory_json(const tm_model *m, FILE *out);

tm_err tm_render_explain_txt(const tm_graph *g, size_t src, size_t dst, const tm_explain *ex, FILE *out);
tm_err tm_render_explain_json(const tm_graph *g, size_t src, size_t dst, const tm_explain *ex, FILE *out);

/* JSON string literal with escapes. */
void tm_json_str(FILE *out, const char *s);
/* CSV field, quoted when needed. */
void tm_csv_field(FILE *out, const char *s);

#endif
