/* reach.c - `trustmap reach`: the endpoints a compromised one can reach, by
 * hops, as text for people and as JSON (keys in a fixed order). */
#include "render/render.h"
#include "render/jsonw.h"

#include <stdlib.h>

tm_err tm_render_reach_txt(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	const tm_reach *r = in->reach;
	tm_buf b;
	uint32_t *path = malloc((r->max_hops + 2) * sizeof *path);
	tm_buf_init(&b, 0);
	fprintf(out, "From %s, within %u hop%s: %zu endpoint%s\n", g->eps[r->src].name, r->max_hops,
		r->max_hops == 1 ? "" : "s", r->n, r->n == 1 ? "" : "s");
	uint32_t level = 0;
	for (size_t i = 0; i < r->n; i++) {
		const tm_reached *x = &r->v[i];
		if (x->hops != level) {
			level = x->hops;
			fprintf(out, "\nhop %u\n", level);
		}
		tm_buf_reset(&b);
		tm_ports_format(x->ports, &b);
		fprintf(out, "  %s : %s", x->name, tm_buf_str(&b));
		if (x->hops > 1) {
			size_t len = tm_reach_path(r, x, path, r->max_hops + 2);
			fputs("  via ", out);
			for (size_t k = 1; k + 1 < len; k++)
				fprintf(out, "%s%s", k > 1 ? " -> " : "", g->eps[path[k]].name);
		}
		fputc('\n', out);
	}
	free(path);
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

tm_err tm_render_reach_json(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	const tm_reach *r = in->reach;
	tm_jsonw *w = tm_jsonw_new(out);
	if (!w)
		return TM_ERR_NOMEM;
	tm_buf b;
	uint32_t *path = malloc((r->max_hops + 2) * sizeof *path);
	tm_buf_init(&b, 0);
	TM_JSONW_LIT(w, "{\n  \"src\": ");
	tm_jsonw_str(w, g->eps[r->src].name);
	TM_JSONW_LIT(w, ",\n  \"max_hops\": ");
	tm_jsonw_u64(w, r->max_hops);
	TM_JSONW_LIT(w, ",\n  \"reached\": [");
	for (size_t i = 0; i < r->n; i++) {
		const tm_reached *x = &r->v[i];
		tm_buf_reset(&b);
		tm_ports_format(x->ports, &b);
		if (i)
			TM_JSONW_LIT(w, ",\n    {\"endpoint\": ");
		else
			TM_JSONW_LIT(w, "\n    {\"endpoint\": ");
		tm_jsonw_str(w, x->name);
		TM_JSONW_LIT(w, ", \"hops\": ");
		tm_jsonw_u64(w, x->hops);
		TM_JSONW_LIT(w, ", \"conn\": ");
		tm_jsonw_str_n(w, tm_buf_str(&b), b.len);
		TM_JSONW_LIT(w, ", \"path\": [");
		size_t len = tm_reach_path(r, x, path, r->max_hops + 2);
		for (size_t k = 0; k < len; k++) {
			if (k)
				TM_JSONW_LIT(w, ", ");
			tm_jsonw_str(w, k + 1 == len ? x->name : g->eps[path[k]].name);
		}
		TM_JSONW_LIT(w, "]}");
	}
	if (r->n)
		TM_JSONW_LIT(w, "\n  ]\n}\n");
	else
		TM_JSONW_LIT(w, "]\n}\n");
	free(path);
	tm_buf_release(&b);
	return tm_jsonw_close(w);
}
