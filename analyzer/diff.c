/* diff.c - connectivity and findings differences between two runs, for
 * reviews: connections added, removed and changed per (src, dst) display
 * name pair (NPA's diff semantics), and findings new and fixed by key
 * (tm_finding_key). Order: changed, added, removed; each by (src, dst). */
#include "analyzer/check.h"

#include <stdlib.h>
#include <string.h>

typedef struct pair {
	const char *src, *dst;
	const char *text;
} pair;

static int pair_cmp(const void *pa, const void *pb)
{
	const pair *a = pa, *b = pb;
	int c = strcmp(a->src, b->src);
	return c ? c : strcmp(a->dst, b->dst);
}

static pair *pairs_of(const tm_graph *g, tm_arena *a, size_t *n)
{
	pair *v = malloc((g->nedges + 1) * sizeof *v);
	tm_buf b;
	if (!v)
		abort();
	tm_buf_init(&b, 0);
	for (size_t i = 0; i < g->nedges; i++) {
		tm_buf_reset(&b);
		tm_ports_format(g->edges[i].ports, &b);
		v[i].src = g->eps[g->edges[i].src].name;
		v[i].dst = g->eps[g->edges[i].dst].name;
		v[i].text = tm_arena_strdup(a, tm_buf_str(&b));
	}
	tm_buf_release(&b);
	*n = g->nedges;
	qsort(v, *n, sizeof *v, pair_cmp);
	return v;
}

static int ep_name_cmp(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* Sorted names of workload endpoints. */
static const char **wl_names(const tm_graph *g, size_t *n)
{
	const char **v = malloc((g->neps + 1) * sizeof *v);
	size_t k = 0;
	if (!v)
		abort();
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_WORKLOAD)
			v[k++] = g->eps[i].name;
	qsort(v, k, sizeof *v, ep_name_cmp);
	*n = k;
	return v;
}

static bool in_sorted(const char **v, size_t n, const char *s)
{
	return n && bsearch(&s, v, n, sizeof *v, ep_name_cmp) != NULL;
}

static void push(tm_diff *d, tm_diff_kind k, const char *src, const char *dst, const char *o, const char *nw,
		 const char *info)
{
	TM_HEAP_GROW(d->v, d->n, d->cap);
	tm_conn_change *c = &d->v[d->n++];
	c->kind = k;
	c->src = tm_arena_strdup(&d->arena, src);
	c->dst = tm_arena_strdup(&d->arena, dst);
	c->old_text = o;
	c->new_text = nw;
	c->info = info ? tm_arena_strdup(&d->arena, info) : NULL;
}

static int change_cmp(const void *pa, const void *pb)
{
	const tm_conn_change *a = pa, *b = pb;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	int c = strcmp(a->src, b->src);
	return c ? c : strcmp(a->dst, b->dst);
}

/* "workload X added" when an end exists only on one side. */
static const char *info_for(tm_buf *b, const char **names, size_t nn, const char *src, const char *dst,
			    const char *what)
{
	tm_buf_reset(b);
	const char *ends[2] = {src, dst};
	for (int k = 0; k < 2; k++) {
		if (ends[k][0] == '{' || strstr(ends[k], "[External]"))
			continue;
		if (!in_sorted(names, nn, ends[k]))
			tm_buf_addf(b, "%sworkload %s %s", b->len ? ", " : "", ends[k], what);
	}
	return b->len ? tm_buf_str(b) : NULL;
}

static void findings_diff(const tm_findings *a, const tm_findings *b, tm_findings *only_b, size_t *common)
{
	char **ka = malloc((a->n + 1) * sizeof *ka);
	if (!ka)
		abort();
	for (size_t i = 0; i < a->n; i++)
		ka[i] = tm_finding_key(&a->v[i]);
	qsort(ka, a->n, sizeof *ka, ep_name_cmp);
	for (size_t i = 0; i < b->n; i++) {
		char *k = tm_finding_key(&b->v[i]);
		if (a->n && bsearch(&k, ka, a->n, sizeof *ka, ep_name_cmp)) {
			if (common)
				(*common)++;
		} else {
			const tm_finding *s = &b->v[i];
			tm_finding *fd = tm_findings_add(only_b, s->rule, s->severity, s->title, s->message);
			fd->subject = tm_findings_str(only_b, s->subject);
			fd->src = tm_findings_str(only_b, s->src);
			fd->dst = tm_findings_str(only_b, s->dst);
			fd->conns = tm_findings_str(only_b, s->conns);
			fd->hint = tm_findings_str(only_b, s->hint);
			fd->suppressed = s->suppressed;
			fd->suppress_reason = tm_findings_str(only_b, s->suppress_reason);
			fd->suppressed_by = tm_findings_str(only_b, s->suppressed_by);
			for (size_t l = 0; l < s->nlocations; l++)
				tm_finding_add_loc(only_b, fd, s->locations[l].loc, s->locations[l].what);
		}
		free(k);
	}
	for (size_t i = 0; i < b->nrules; i++)
		tm_findings_add_rule(only_b, b->rules[i].id, b->rules[i].name, b->rules[i].title, b->rules[i].help,
				     b->rules[i].severity);
	for (size_t i = 0; i < a->n; i++)
		free(ka[i]);
	free(ka);
	tm_findings_sort(only_b);
}

tm_err tm_diff_compute(const tm_graph *old_g, const tm_graph *new_g, const tm_findings *old_f,
		       const tm_findings *new_f, tm_diff *d)
{
	size_t na, nb, nwa, nwb;
	tm_buf b;
	memset(d, 0, sizeof *d);
	tm_arena_init(&d->arena);
	tm_buf_init(&b, 0);
	pair *pa = pairs_of(old_g, &d->arena, &na);
	pair *pb = pairs_of(new_g, &d->arena, &nb);
	const char **wa = wl_names(old_g, &nwa), **wb = wl_names(new_g, &nwb);
	const char *none = "No Connections";
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : pair_cmp(&pa[i], &pb[j]);
		if (c == 0) {
			if (strcmp(pa[i].text, pb[j].text))
				push(d, TM_DIFF_CHANGED, pa[i].src, pa[i].dst, pa[i].text, pb[j].text, NULL);
			i++;
			j++;
		} else if (c < 0) {
			push(d, TM_DIFF_REMOVED, pa[i].src, pa[i].dst, pa[i].text, none,
			     info_for(&b, wb, nwb, pa[i].src, pa[i].dst, "removed"));
			i++;
		} else {
			push(d, TM_DIFF_ADDED, pb[j].src, pb[j].dst, none, pb[j].text,
			     info_for(&b, wa, nwa, pb[j].src, pb[j].dst, "added"));
			j++;
		}
	}
	if (d->n > 1)
		qsort(d->v, d->n, sizeof *d->v, change_cmp);
	d->new_findings = calloc(1, sizeof *d->new_findings);
	d->fixed_findings = calloc(1, sizeof *d->fixed_findings);
	if (!d->new_findings || !d->fixed_findings)
		abort();
	tm_findings_init(d->new_findings);
	tm_findings_init(d->fixed_findings);
	findings_diff(old_f, new_f, d->new_findings, &d->unchanged_findings);
	findings_diff(new_f, old_f, d->fixed_findings, NULL);
	free(pa);
	free(pb);
	free(wa);
	free(wb);
	tm_buf_release(&b);
	return TM_OK;
}

void tm_diff_release(tm_diff *d)
{
	if (d->new_findings) {
		tm_findings_release(d->new_findings);
		free(d->new_findings);
	}
	if (d->fixed_findings) {
		tm_findings_release(d->fixed_findings);
		free(d->fixed_findings);
	}
	free(d->v);
	tm_arena_release(&d->arena);
	memset(d, 0, sizeof *d);
}
