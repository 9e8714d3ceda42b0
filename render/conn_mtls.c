/* conn_mtls.c - `conn --show-mtls`: the connection listing with the mesh
 * protection of each port subset (analyzer/mesh.h). The txt and json conn
 * renderers hand over to these when in->mesh is set. One line (record) per
 * (edge, port subset of one protection), in the graph's edge order, then the
 * subsets by their first port. Format: docs/json.md. */
#include "render/render.h"
#include "render/jsonw.h"

tm_err tm_render_conn_mtls_txt(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	const tm_mesh_result *ms = in->mesh;
	tm_buf b;
	tm_buf_init(&b, 0);
	if (g->conn_focused)
		fprintf(out, "Permitted connections on %s:\n", g->focus_conn);
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		const tm_mesh_conn *c = &ms->conns[i];
		for (size_t k = 0; k < c->n; k++) {
			if (g->conn_focused) {
				fprintf(out, "%s => %s [%s%s]\n", g->eps[e->src].name, g->eps[e->dst].name,
					tm_protection_name(c->v[k].prot), c->v[k].authenticated ? ", authenticated" : "");
				continue;
			}
			tm_buf_reset(&b);
			tm_ports_format(c->v[k].ports, &b);
			fprintf(out, "%s => %s : %s [%s%s]\n", g->eps[e->src].name, g->eps[e->dst].name, tm_buf_str(&b),
				tm_protection_name(c->v[k].prot), c->v[k].authenticated ? ", authenticated" : "");
		}
	}
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

tm_err tm_render_conn_mtls_json(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	const tm_mesh_result *ms = in->mesh;
	tm_jsonw *w = tm_jsonw_new(out);
	if (!w)
		return TM_ERR_NOMEM;
	tm_buf b;
	tm_buf_init(&b, 0);
	size_t n = 0;
	TM_JSONW_LIT(w, "[");
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		const tm_mesh_conn *c = &ms->conns[i];
		for (size_t k = 0; k < c->n; k++) {
			if (n++)
				TM_JSONW_LIT(w, ",\n  {\n    \"src\": ");
			else
				TM_JSONW_LIT(w, "\n  {\n    \"src\": ");
			tm_jsonw_str(w, g->eps[e->src].name);
			TM_JSONW_LIT(w, ",\n    \"dst\": ");
			tm_jsonw_str(w, g->eps[e->dst].name);
			if (!g->conn_focused) {
				tm_buf_reset(&b);
				tm_ports_format(c->v[k].ports, &b);
				TM_JSONW_LIT(w, ",\n    \"conn\": ");
				tm_jsonw_str_n(w, tm_buf_str(&b), b.len);
			}
			TM_JSONW_LIT(w, ",\n    \"protection\": \"");
			tm_jsonw_raws(w, tm_protection_name(c->v[k].prot));
			if (c->v[k].authenticated)
				TM_JSONW_LIT(w, "\",\n    \"authenticated\": true");
			else
				TM_JSONW_LIT(w, "\"");
			TM_JSONW_LIT(w, ",\n    \"reason\": ");
			tm_jsonw_str(w, c->v[k].reason);
			TM_JSONW_LIT(w, "\n  }");
		}
	}
	if (n)
		TM_JSONW_LIT(w, "\n]\n");
	else
		TM_JSONW_LIT(w, "]\n");
	tm_buf_release(&b);
	return tm_jsonw_close(w);
}
