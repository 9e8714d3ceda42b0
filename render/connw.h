/* connw.h - the edge lines of `conn` in every line format (txt, csv, md,
 * json): one output buffer (render/jsonw.h's writer), and each endpoint's
 * name and each distinct port set formatted once, as the format's cell
 * (quoted, escaped), then copied per line. A graph of 10 million edges has
 * some 50,000 names and a few hundred port sets: the lines are memcpy.
 *
 * A line is  lead + src + mid + dst [+ conn_sep + conn] + tail,  with first
 * instead of lead on the first line; after the last, end (or empty when no
 * edge). Cells: the format's escape of the text. */
#ifndef TM_RENDER_CONNW_H
#define TM_RENDER_CONNW_H

#include "analyzer/conn.h"

#include <stdio.h>

typedef enum {
	TM_CELL_RAW,  /* as it is (txt) */
	TM_CELL_CSV,  /* RFC 4180: quoted when it holds , " CR or LF */
	TM_CELL_MD,   /* '|' as "\|" */
	TM_CELL_JSON, /* a JSON string literal (render/jsonw.h's escapes) */
} tm_cell_kind;

typedef struct tm_connfmt {
	tm_cell_kind cell;
	const char *head;              /* before everything ("" for none) */
	const char *first, *lead;      /* before the first line, before the others */
	const char *mid;               /* between src and dst */
	const char *conn_sep;          /* before the conn cell; NULL: no conn column */
	const char *tail;              /* after each line */
	const char *end, *end_empty;   /* after the last line; when there is none */
} tm_connfmt;

/* Write g's edges in fmt to out, saying how far through progress (when
 * not NULL, as "writing": edges written of all); TM_ERR_IO on a write error. */
tm_err tm_connw_write(const tm_graph *g, const tm_connfmt *fmt, FILE *out, tm_progress_fn progress, void *ctx);

#endif
