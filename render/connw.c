/* connw.c - conn's edge lines (render/connw.h). */
#include "render/connw.h"
#include "render/jsonw.h"

#include <stdlib.h>
#include <string.h>

typedef struct cell {
	const char *s;
	uint32_t n;
} cell;

typedef struct cells {
	tm_cell_kind kind;
	tm_arena a;
	tm_buf b;
	cell *ep;       /* per endpoint, s NULL until formatted */
	cell *pt;       /* per port-set id */
	size_t npt;
} cells;

static void esc(tm_buf *b, tm_cell_kind k, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	switch (k) {
	case TM_CELL_RAW:
		tm_buf_add(b, s, n);
		return;
	case TM_CELL_CSV:
		if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
			tm_buf_add(b, s, n);
			return;
		}
		tm_buf_addc(b, '"');
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '"')
				tm_buf_addc(b, '"');
			tm_buf_addc(b, s[i]);
		}
		tm_buf_addc(b, '"');
		return;
	case TM_CELL_MD:
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '|')
				tm_buf_addc(b, '\\');
			tm_buf_addc(b, s[i]);
		}
		return;
	case TM_CELL_JSON:
		tm_buf_addc(b, '"');
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			switch (c) {
			case '"': tm_buf_adds(b, "\\\""); break;
			case '\\': tm_buf_adds(b, "\\\\"); break;
			case '\n': tm_buf_adds(b, "\\n"); break;
			case '\r': tm_buf_adds(b, "\\r"); break;
			case '\t': tm_buf_adds(b, "\\t"); break;
			default:
				if (c < 0x20) {
					char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
					tm_buf_add(b, u, sizeof u);
				} else
					tm_buf_addc(b, (char)c);
			}
		}
		tm_buf_addc(b, '"');
		return;
	}
}

static cell keep(cells *c)
{
	cell r = {tm_arena_memdup(&c->a, tm_buf_str(&c->b), c->b.len + 1), (uint32_t)c->b.len};
	return r;
}

static const cell *ep_cell(cells *c, const tm_graph *g, uint32_t i)
{
	cell *x = &c->ep[i];
	if (!x->s) {
		tm_buf_reset(&c->b);
		esc(&c->b, c->kind, g->eps[i].name, strlen(g->eps[i].name));
		*x = keep(c);
	}
	return x;
}

static const cell *pt_cell(cells *c, const tm_ports *p)
{
	if (p->id >= c->npt) {
		size_t n = c->npt ? c->npt : 64;
		while (n <= p->id)
			n *= 2;
		c->pt = tm_xrealloc(c->pt, n * sizeof *c->pt);
		memset(c->pt + c->npt, 0, (n - c->npt) * sizeof *c->pt);
		c->npt = n;
	}
	cell *x = &c->pt[p->id];
	if (!x->s) {
		tm_buf b;
		tm_buf_init(&b, 0);
		tm_ports_format(p, &b);
		tm_buf_reset(&c->b);
		esc(&c->b, c->kind, tm_buf_str(&b), b.len);
		tm_buf_release(&b);
		*x = keep(c);
	}
	return x;
}

static void lit(tm_jsonw *w, const char *s)
{
	if (s && *s)
		tm_jsonw_raw(w, s, strlen(s));
}

tm_err tm_connw_write(const tm_graph *g, const tm_connfmt *fmt, FILE *out, tm_progress_fn progress, void *ctx)
{
	tm_jsonw *w = tm_jsonw_new(out);
	if (!w)
		return TM_ERR_NOMEM;
	cells c;
	memset(&c, 0, sizeof c);
	c.kind = fmt->cell;
	tm_arena_init(&c.a);
	tm_buf_init(&c.b, 0);
	c.ep = tm_xrealloc(NULL, (g->neps + 1) * sizeof *c.ep);
	memset(c.ep, 0, (g->neps + 1) * sizeof *c.ep);
	size_t nfirst = strlen(fmt->first), nlead = strlen(fmt->lead), nmid = strlen(fmt->mid);
	size_t nsep = fmt->conn_sep ? strlen(fmt->conn_sep) : 0, ntail = strlen(fmt->tail);
	lit(w, fmt->head);
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		if (progress && (i & 0xffff) == 0)
			progress(ctx, "writing", i, g->nedges);
		const cell *s = ep_cell(&c, g, e->src), *d = ep_cell(&c, g, e->dst);
		if (i)
			tm_jsonw_raw(w, fmt->lead, nlead);
		else
			tm_jsonw_raw(w, fmt->first, nfirst);
		tm_jsonw_raw(w, s->s, s->n);
		tm_jsonw_raw(w, fmt->mid, nmid);
		tm_jsonw_raw(w, d->s, d->n);
		if (fmt->conn_sep) {
			const cell *p = pt_cell(&c, e->ports);
			tm_jsonw_raw(w, fmt->conn_sep, nsep);
			tm_jsonw_raw(w, p->s, p->n);
		}
		tm_jsonw_raw(w, fmt->tail, ntail);
	}
	lit(w, g->nedges ? fmt->end : fmt->end_empty);
	if (progress)
		progress(ctx, "writing", g->nedges, g->nedges);
	free(c.ep);
	free(c.pt);
	tm_buf_release(&c.b);
	tm_arena_release(&c.a);
	return tm_jsonw_close(w);
}
