/* graphviz.c - SVG and PNG through libgvc: the DOT text of render/dot.c is
 * read back with libcgraph, laid out with `dot` and rendered by Graphviz. */
#include "render/render.h"

#include <stdlib.h>
#include <string.h>
#include <gvc.h>

static tm_err render_gv(const tm_graph *g, FILE *out, const char *fmt)
{
	char *dot = NULL;
	size_t len = 0;
	tm_err rc = TM_OK;
	FILE *mem = open_memstream(&dot, &len);
	if (!mem)
		return TM_ERR_NOMEM;
	tm_render_conn_dot(g, mem);
	fclose(mem);
	GVC_t *gvc = gvContext();
	Agraph_t *ag = agmemread(dot);
	if (!ag) {
		rc = TM_ERR_INVALID;
		goto out;
	}
	agattr(ag, AGRAPH, "rankdir", "LR");
	agattr(ag, AGRAPH, "fontname", "Helvetica");
	agattr(ag, AGNODE, "fontname", "Helvetica");
	agattr(ag, AGNODE, "shape", "box");
	agattr(ag, AGEDGE, "fontname", "Helvetica");
	agattr(ag, AGEDGE, "fontsize", "10");
	if (gvLayout(gvc, ag, "dot") != 0) {
		rc = TM_ERR_INVALID;
		goto close;
	}
	char *data = NULL;
	unsigned int dlen = 0;
	if (gvRenderData(gvc, ag, fmt, &data, &dlen) != 0 || !data)
		rc = TM_ERR_INVALID;
	else {
		fwrite(data, 1, dlen, out);
		gvFreeRenderData(data);
	}
	gvFreeLayout(gvc, ag);
close:
	agclose(ag);
out:
	gvFreeContext(gvc);
	free(dot);
	if (rc == TM_OK && ferror(out))
		rc = TM_ERR_IO;
	return rc;
}

tm_err tm_render_conn_svg(const tm_graph *g, FILE *out)
{
	return render_gv(g, out, "svg");
}

tm_err tm_render_conn_png(const tm_graph *g, FILE *out)
{
	return render_gv(g, out, "png");
}
