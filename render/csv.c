/* csv.c - comma-separated outputs (RFC 4180 quoting), NPA's columns. */
#include "render/render.h"
#include "render/connw.h"

#include <string.h>

void tm_csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

tm_err tm_render_conn_csv(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	tm_connfmt f = {TM_CELL_CSV, g->conn_focused ? "src,dst\n" : "src,dst,conn\n", "", "", ",",
			g->conn_focused ? NULL : ",", "\n", "", ""};
	return tm_connw_write(g, &f, out, in->progress, in->progress_ctx);
}
