/* diagram.h (render) - shared by the diagram renderers (diagram_dot.c,
 * graphviz.c) and the report (report_html.c): a tm_diagram as DOT text, and
 * DOT text laid out and drawn by libgvc. */
#ifndef TM_RENDER_DIAGRAM_H
#define TM_RENDER_DIAGRAM_H

#include "render/render.h"

/* What the title says besides the diagram itself. */
typedef struct tm_diagram_title {
	const char *heading;        /* "trustmap graph", "zone pci", ... */
	const char *const *paths;   /* inputs */
	size_t npaths;
	const char *zones_file;     /* NULL: the default zones */
	time_t input_time;          /* 0: unknown */
	bool legend;                /* draw the legend */
} tm_diagram_title;

/* DOT text of d: deterministic (only names and counts, in the diagram's
 * order). */
void tm_diagram_dot(const tm_diagram *d, const tm_diagram_title *t, FILE *out);

/* Lay DOT text out with dot and render it in fmt ("svg", "png") to out. */
tm_err tm_gv_render(const char *dot, size_t len, const char *fmt, FILE *out);

/* "2024-05-01 12:00 UTC" (or "unknown") */
void tm_date_text(time_t t, tm_buf *out);

#endif
