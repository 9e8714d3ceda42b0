/* csv.c - comma-separated outputs (RFC 4180 quoting), NPA's columns. */
#include "render/render.h"

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
	tm_buf b;
	tm_buf_init(&b, 0);
	fputs(g->conn_focused ? "src,dst\n" : "src,dst,conn\n", out);
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		tm_buf_reset(&b);
		tm_ports_format(e->ports, &b);
		tm_csv_field(out, g->eps[e->src].name);
		fputc(',', out);
		tm_csv_field(out, g->eps[e->dst].name);
		if (!g->conn_focused) {
			fputc(',', out);
			tm_csv_field(out, tm_buf_str(&b));
		}
		fputc('\n', out);
	}
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
