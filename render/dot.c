/* dot.c - Graphviz DOT text of the connectivity graph, in NPA's layout:
 * one cluster per namespace, IP ranges in red, edges labelled with their
 * connections. `trustmap graph` renders it to SVG/PNG through libgvc. */
#include "render/render.h"

#include <stdlib.h>
#include <string.h>

static void dot_id(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

tm_err tm_render_conn_dot(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	tm_buf b;
	tm_buf_init(&b, 0);
	bool *used = calloc(g->neps + 1, sizeof(bool));
	for (size_t i = 0; i < g->nedges; i++)
		used[g->edges[i].src] = used[g->edges[i].dst] = true;
	fputs("digraph {\n", out);
	/* workloads grouped by namespace; the graph keeps them sorted by display
	 * name (g->workloads: the model's, or its pods at pod granularity) */
	const tm_workload *const *wl = g->workloads;
	size_t nwl = g->nworkloads;
	/* workloads to draw, by index in g->workloads; a namespace with none is left out */
	bool *ws = calloc(nwl + 1, sizeof(bool));
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_WORKLOAD && (!g->shown || g->shown[i]))
			ws[g->eps[i].w->index] = true;
	for (size_t i = 0; i < nwl;) {
		const char *ns = wl[i]->ns;
		bool any = false;
		for (size_t j = i; j < nwl && !strcmp(wl[j]->ns, ns); j++)
			any = any || ws[j];
		if (!any) {
			while (i < nwl && !strcmp(wl[i]->ns, ns))
				i++;
			continue;
		}
		tm_buf_reset(&b);
		tm_buf_addf(&b, "cluster_%s[namespace]", ns);
		for (char *p = b.s; p && *p; p++)
			if (*p == '-')
				*p = '_';
		fputs("\tsubgraph ", out);
		dot_id(out, tm_buf_str(&b));
		fputs(" {\n\t\tcolor=\"black\"\n\t\tfontcolor=\"black\"\n", out);
		for (; i < nwl && !strcmp(wl[i]->ns, ns); i++) {
			const tm_workload *w = wl[i];
			if (g->shown && !ws[w->index])
				continue;
			fputs("\t\t", out);
			dot_id(out, w->display);
			tm_buf_reset(&b);
			tm_buf_addf(&b, "%s[%s]", w->name, w->kind);
			fputs(" [label=", out);
			dot_id(out, tm_buf_str(&b));
			fputs(" color=\"blue\" fontcolor=\"blue\"]\n", out);
		}
		tm_buf_reset(&b);
		tm_buf_addf(&b, "%s[namespace]", ns);
		fputs("\t\tlabel=", out);
		dot_id(out, tm_buf_str(&b));
		fputs("\n\t}\n", out);
	}
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		if (ep->kind == TM_EP_WORKLOAD || !used[i])
			continue;
		/* a range used on both sides is one node */
		if (i > 0 && !strcmp(g->eps[i - 1].name, ep->name) && used[i - 1])
			continue;
		fputs("\t", out);
		dot_id(out, ep->name);
		fputs(" [label=", out);
		dot_id(out, ep->name);
		fputs(ep->kind == TM_EP_IPRANGE ? " color=\"red2\" fontcolor=\"red2\"]\n"
						: " color=\"blue\" fontcolor=\"blue\"]\n", out);
	}
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		const char *s = g->eps[e->src].name, *d = g->eps[e->dst].name;
		tm_buf_reset(&b);
		tm_ports_format(e->ports, &b);
		fputs("\t", out);
		dot_id(out, s);
		fputs(" -> ", out);
		dot_id(out, d);
		fputs(" [label=", out);
		dot_id(out, tm_buf_str(&b));
		fprintf(out, " color=\"gold2\" fontcolor=\"darkgreen\" weight=%s]\n", strcmp(s, d) < 0 ? "0.5" : "1");
	}
	fputs("}", out);
	free(ws);
	free(used);
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
