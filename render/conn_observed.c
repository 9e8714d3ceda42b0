/* conn_observed.c - `conn --observed`: the allowed connections (the graph's
 * edges) and the observed ones (analyzer/flowmap.h) in one listing, each
 * line marked allowed, observed or both (docs/flows.md#conn-observed). A
 * file of its own so that the conn renderers stay as they are. */
#include "render/render.h"
#include "render/jsonw.h"
#include "analyzer/flowmap.h"

#include <string.h>

typedef struct row {
	size_t src, dst;
	const tm_ports *allowed;     /* NULL: not allowed */
	const tm_fm_edge *seen;     /* NULL: not observed */
} row;

/* Calls fn for every pair in (source, destination) order; endpoints are in
 * name order, so index order is the output order of conn. */
static void each_row(const tm_graph *g, const tm_flowmap *o, void (*fn)(void *, const row *), void *ctx)
{
	size_t i = 0, k = 0;
	while (i < g->nedges || k < o->nedges) {
		const tm_edge *e = i < g->nedges ? &g->edges[i] : NULL;
		const tm_fm_edge *b = k < o->nedges ? &o->edges[k] : NULL;
		int c = !e ? 1 : !b ? -1 : e->src != b->src ? (e->src < b->src ? -1 : 1) : e->dst != b->dst ? (e->dst < b->dst ? -1 : 1) : 0;
		row r = {0, 0, NULL, NULL};
		if (c <= 0) {
			r.src = e->src;
			r.dst = e->dst;
			r.allowed = e->ports;
			i++;
		}
		if (c >= 0) {
			r.src = b->src;
			r.dst = b->dst;
			r.seen = b;
			k++;
		}
		fn(ctx, &r);
	}
}

typedef struct tctx {
	const tm_graph *g;
	FILE *out;
	tm_buf b;
} tctx;

static void txt_row(void *p, const row *r)
{
	tctx *c = p;
	tm_buf_reset(&c->b);
	tm_buf_addf(&c->b, "%s => %s : ", c->g->eps[r->src].name, c->g->eps[r->dst].name);
	if (r->allowed)
		tm_ports_format(r->allowed, &c->b);
	else
		tm_buf_adds(&c->b, "No Connections");
	if (r->seen && r->allowed) {
		tm_buf_adds(&c->b, "  [both: observed ");
		tm_ports_format(r->seen->ports, &c->b);
		if (!tm_ports_is_empty(r->seen->denied)) {
			tm_buf_adds(&c->b, ", not allowed ");
			tm_ports_format(r->seen->denied, &c->b);
		}
		tm_buf_adds(&c->b, "]");
	} else if (r->seen) {
		tm_buf_adds(&c->b, "  [observed ");
		tm_ports_format(r->seen->ports, &c->b);
		tm_buf_adds(&c->b, ", not allowed]");
	} else
		tm_buf_adds(&c->b, "  [allowed]");
	fprintf(c->out, "%s\n", tm_buf_str(&c->b));
}

tm_err tm_render_conn_observed_txt(const tm_render_in *in, FILE *out)
{
	tctx c = {in->g, out, {0}};
	tm_buf_init(&c.b, 0);
	each_row(in->g, in->observed, txt_row, &c);
	tm_buf_release(&c.b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

typedef struct jctx {
	const tm_graph *g;
	tm_jsonw *o;
	tm_buf b;
	bool first;
} jctx;

static void json_ports(jctx *c, const tm_ports *p)
{
	if (!p) {
		TM_JSONW_LIT(c->o, "null");
		return;
	}
	tm_buf_reset(&c->b);
	tm_ports_format(p, &c->b);
	tm_jsonw_str(c->o, tm_buf_str(&c->b));
}

static void json_row(void *p, const row *r)
{
	jctx *c = p;
	if (c->first)
		TM_JSONW_LIT(c->o, "\n  {\"src\": ");
	else
		TM_JSONW_LIT(c->o, ",\n  {\"src\": ");
	c->first = false;
	tm_jsonw_str(c->o, c->g->eps[r->src].name);
	TM_JSONW_LIT(c->o, ", \"dst\": ");
	tm_jsonw_str(c->o, c->g->eps[r->dst].name);
	TM_JSONW_LIT(c->o, ", \"mark\": ");
	tm_jsonw_str(c->o, r->seen && r->allowed ? "both" : r->seen ? "observed" : "allowed");
	TM_JSONW_LIT(c->o, ", \"allowed\": ");
	json_ports(c, r->allowed);
	TM_JSONW_LIT(c->o, ", \"observed\": ");
	json_ports(c, r->seen ? r->seen->ports : NULL);
	TM_JSONW_LIT(c->o, ", \"not_allowed\": ");
	json_ports(c, r->seen && !tm_ports_is_empty(r->seen->denied) ? r->seen->denied : NULL);
	TM_JSONW_LIT(c->o, ", \"flows\": ");
	tm_jsonw_u64(c->o, r->seen ? r->seen->flows : 0);
	TM_JSONW_LIT(c->o, "}");
}

tm_err tm_render_conn_observed_json(const tm_render_in *in, FILE *out)
{
	jctx c = {in->g, tm_jsonw_new(out), {0}, true};
	if (!c.o)
		return TM_ERR_NOMEM;
	tm_buf_init(&c.b, 0);
	TM_JSONW_LIT(c.o, "[");
	each_row(in->g, in->observed, json_row, &c);
	if (c.first)
		TM_JSONW_LIT(c.o, "]\n");
	else
		TM_JSONW_LIT(c.o, "\n]\n");
	tm_buf_release(&c.b);
	return tm_jsonw_close(c.o);
}
