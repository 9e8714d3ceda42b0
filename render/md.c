/* md.c - Markdown tables, NPA's columns. */
#include "render/render.h"
#include "render/connw.h"

tm_err tm_render_conn_md(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	tm_connfmt f = {TM_CELL_MD,
			g->conn_focused ? "| src | dst |\n|-----|-----|\n" : "| src | dst | conn |\n|-----|-----|------|\n",
			"| ", "| ", " | ", g->conn_focused ? NULL : " | ", " |\n", "", ""};
	return tm_connw_write(g, &f, out, in->progress, in->progress_ctx);
}
