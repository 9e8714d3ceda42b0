/* md.c - Markdown tables, NPA's columns. */
#include "render/render.h"

static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
}

tm_err tm_render_conn_md(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	tm_buf b;
	tm_buf_init(&b, 0);
	fputs(g->conn_focused ? "| src | dst |\n|-----|-----|\n" : "| src | dst | conn |\n|-----|-----|------|\n", out);
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		tm_buf_reset(&b);
		tm_ports_format(e->ports, &b);
		fputs("| ", out);
		md_cell(out, g->eps[e->src].name);
		fputs(" | ", out);
		md_cell(out, g->eps[e->dst].name);
		if (!g->conn_focused) {
			fputs(" | ", out);
			md_cell(out, tm_buf_str(&b));
		}
		fputs(" |\n", out);
	}
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
