/* diff.c - connectivity and findings differences between two runs, for
 * reviews: connections added, removed and changed per (src, dst) display
 * name pair (NPA's diff semantics), and findings new and fixed by key
 * (tm_finding_key). Order: changed, added, removed; each by (src, dst). */
#include "analyzer/check.h"
#include "analyzer/diff_priv.h"

#include <stdlib.h>
#include <string.h>

/* A change before IP atoms are merged back into maximal ranges. */
typedef struct rawch {
	tm_diff_kind kind;
	tm_dpair p;
	const char *old_text, *new_text, *info;
} rawch;

int tm_dpair_cmp(const void *pa, const void *pb)
{
	const tm_dpair *a = pa, *b = pb;
	int c = strcmp(a->src, b->src);
	return c ? c : strcmp(a->dst, b->dst);
}

static int ip_cmp_v(const void *a, const void *b)
{
	return tm_ip_cmp(*(const tm_ip *)a, *(const tm_ip *)b);
}

static void cuts_add(tm_dcuts *c, const tm_graph *g, bool src_atoms)
{
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_IPRANGE && g->eps[i].is_src_atom == src_atoms) {
			TM_HEAP_GROW(c->v, c->n, c->cap);
			c->v[c->n++] = g->eps[i].range.lo;
		}
}

static void cuts_finish(tm_dcuts *c)
{
	if (c->n < 2)
		return;
	qsort(c->v, c->n, sizeof *c->v, ip_cmp_v);
	size_t k = 1;
	for (size_t i = 1; i < c->n; i++)
		if (tm_ip_cmp(c->v[i], c->v[k - 1]))
			c->v[k++] = c->v[i];
	c->n = k;
}

void tm_dcuts_build(tm_dcuts cs[2], const tm_graph *a, const tm_graph *b)
{
	memset(cs, 0, 2 * sizeof *cs);
	for (int k = 0; k < 2; k++) {
		cuts_add(&cs[k], a, k == 0);
		cuts_add(&cs[k], b, k == 0);
		cuts_finish(&cs[k]);
	}
}

void tm_dcuts_release(tm_dcuts cs[2])
{
	free(cs[0].v);
	free(cs[1].v);
	memset(cs, 0, 2 * sizeof *cs);
}

/* The atoms of r: call with *at = r->lo first; fills *out, returns false when done. */
static bool next_atom(const tm_dcuts *c, const tm_iprange *r, tm_ip *at, bool *done, tm_iprange *out)
{
	if (*done)
		return false;
	/* first cut strictly above *at */
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tm_ip_cmp(c->v[mid], *at) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	out->lo = *at;
	if (lo < c->n && tm_ip_cmp(c->v[lo], r->hi) <= 0) {
		out->hi = tm_ip_prev(c->v[lo]);
		*at = c->v[lo];
	} else {
		out->hi = r->hi;
		*done = true;
	}
	return true;
}

const char *tm_datom_name(tm_arena *a, tm_buf *b, const tm_iprange *r)
{
	tm_buf_reset(b);
	tm_iprange_format(r, b);
	tm_buf_adds(b, "[External]");
	return tm_arena_strdup(a, tm_buf_str(b));
}

static const char *text_of(tm_dtexts *t, tm_arena *a, const tm_ports *p)
{
	if (p->id >= t->n) {
		size_t n = t->n ? t->n : 64;
		while (n <= p->id)
			n *= 2;
		t->v = tm_xrealloc(t->v, n * sizeof *t->v);
		memset(t->v + t->n, 0, (n - t->n) * sizeof *t->v);
		t->n = n;
	}
	if (!t->v[p->id]) {
		tm_buf_reset(&t->b);
		tm_ports_format(p, &t->b);
		t->v[p->id] = tm_arena_strdup(a, tm_buf_str(&t->b));
	}
	return t->v[p->id];
}

/* Does the common refinement cut range r? */
static bool is_split(const tm_dcuts *c, const tm_iprange *r)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) { /* first cut strictly above r->lo */
		size_t mid = lo + (hi - lo) / 2;
		if (tm_ip_cmp(c->v[mid], r->lo) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && tm_ip_cmp(c->v[lo], r->hi) <= 0;
}

void tm_dstream_init(tm_dstream *ps, const tm_graph *g, const tm_dcuts *cs, tm_arena *a)
{
	memset(ps, 0, sizeof *ps);
	ps->g = g;
	ps->cs = cs;
	ps->a = a;
	tm_buf_init(&ps->tx.b, 0);
	ps->split = tm_xrealloc(NULL, g->neps + 1);
	for (size_t i = 0; i < g->neps; i++)
		ps->split[i] = g->eps[i].kind == TM_EP_IPRANGE && is_split(&cs[g->eps[i].is_src_atom ? 0 : 1], &g->eps[i].range);
	size_t cap = 0;
	tm_buf nb;
	tm_buf_init(&nb, 0);
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *ed = &g->edges[i];
		if (!ps->split[ed->src] && !ps->split[ed->dst])
			continue;
		const tm_endpoint *se = &g->eps[ed->src], *de = &g->eps[ed->dst];
		const tm_endpoint *ipe = se->kind == TM_EP_IPRANGE ? se : de;
		const char *text = text_of(&ps->tx, a, ed->ports);
		const tm_dcuts *c = &cs[ipe == se ? 0 : 1];
		tm_ip at = ipe->range.lo;
		bool done = false;
		tm_iprange atom;
		while (next_atom(c, &ipe->range, &at, &done, &atom)) {
			const char *an = tm_datom_name(a, &nb, &atom);
			TM_HEAP_GROW(ps->side, ps->nside, cap);
			ps->side[ps->nside++] =
				(tm_dpair){ipe == se ? an : se->name, ipe == de ? an : de->name, text, ipe == se ? 0 : 1, atom, i};
		}
	}
	tm_buf_release(&nb);
	if (ps->nside > 1)
		qsort(ps->side, ps->nside, sizeof *ps->side, tm_dpair_cmp);
}

void tm_dstream_release(tm_dstream *ps)
{
	free(ps->split);
	free(ps->side);
	free(ps->tx.v);
	tm_buf_release(&ps->tx.b);
}

bool tm_dstream_next(tm_dstream *ps, tm_dpair *out)
{
	const tm_graph *g = ps->g;
	while (ps->ei < g->nedges && (ps->split[g->edges[ps->ei].src] || ps->split[g->edges[ps->ei].dst]))
		ps->ei++;
	bool has_main = ps->ei < g->nedges, has_side = ps->si < ps->nside;
	if (!has_main && !has_side)
		return false;
	tm_dpair m;
	if (has_main) {
		const tm_edge *ed = &g->edges[ps->ei];
		const tm_endpoint *se = &g->eps[ed->src], *de = &g->eps[ed->dst];
		int ipend = se->kind == TM_EP_IPRANGE ? 0 : de->kind == TM_EP_IPRANGE ? 1 : -1;
		tm_iprange atom = ipend == 0 ? se->range : ipend == 1 ? de->range : (tm_iprange){{0, 0}, {0, 0}};
		m = (tm_dpair){se->name, de->name, text_of(&ps->tx, ps->a, ed->ports), ipend, atom, ps->ei};
	}
	if (has_main && (!has_side || tm_dpair_cmp(&m, &ps->side[ps->si]) <= 0)) {
		*out = m;
		ps->ei++;
	} else
		*out = ps->side[ps->si++];
	return true;
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
	int n = 0;
	for (int k = 0; k < 2; k++) {
		if (ends[k][0] == '{' || strstr(ends[k], "[External]") || in_sorted(names, nn, ends[k]))
			continue;
		tm_buf_addf(b, n ? " and %s" : "workload %s", ends[k]);
		n++;
	}
	if (n)
		tm_buf_addf(b, " %s", what);
	return n ? tm_buf_str(b) : NULL;
}

/* "key|S" where S is a digit for the severity: sorted, equal keys are
 * adjacent. A finding of b matches a when a has its key at the same or a
 * higher severity: so an escalation is a new finding (and --fail-on sees it),
 * a de-escalation is a fixed one. */
static char *sev_key(const tm_finding *fd)
{
	char *k = tm_finding_key(fd);
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_buf_addf(&b, "%s|%d", k, (int)fd->severity);
	free(k);
	return tm_buf_detach(&b);
}

static bool matched(char **ka, size_t n, const char *key, tm_severity sev)
{
	for (int s = (int)sev; s <= TM_SEV_CRITICAL; s++) {
		tm_buf b;
		tm_buf_init(&b, 0);
		tm_buf_addf(&b, "%s|%d", key, s);
		char *k = b.s ? b.s : (char *)"";
		bool hit = n && bsearch(&k, ka, n, sizeof *ka, ep_name_cmp);
		tm_buf_release(&b);
		if (hit)
			return true;
	}
	return false;
}

static void findings_diff(const tm_findings *a, const tm_findings *b, tm_findings *only_b, size_t *common)
{
	char **ka = malloc((a->n + 1) * sizeof *ka);
	if (!ka)
		abort();
	for (size_t i = 0; i < a->n; i++)
		ka[i] = sev_key(&a->v[i]);
	qsort(ka, a->n, sizeof *ka, ep_name_cmp);
	for (size_t i = 0; i < b->n; i++) {
		char *k = tm_finding_key(&b->v[i]);
		if (matched(ka, a->n, k, b->v[i].severity)) {
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
			tm_finding_set_evidence(only_b, fd, s->evidence);
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

static bool has_note(const tm_findings *f, const tm_note *n)
{
	for (size_t i = 0; i < f->nnotes; i++)
		if (!strcmp(f->notes[i].code, n->code) && !strcmp(f->notes[i].message, n->message))
			return true;
	return false;
}

/* The notes of the diff (in new_findings): NEW's, then OLD's that NEW does
 * not have, marked as OLD's: what either answer does not cover. */
static void diff_notes(const tm_findings *old_f, const tm_findings *new_f, tm_findings *out)
{
	for (size_t i = 0; i < new_f->nnotes; i++)
		tm_findings_add_note(out, new_f->notes[i].code, new_f->notes[i].loc, "%s", new_f->notes[i].message);
	for (size_t i = 0; i < old_f->nnotes; i++)
		if (!has_note(new_f, &old_f->notes[i]))
			tm_findings_add_note(out, old_f->notes[i].code, old_f->notes[i].loc, "OLD: %s",
					     old_f->notes[i].message);
	tm_findings_sort(out);
}

/* Changes that may merge: same kind, texts, info, IP end and other end. */
static bool rawch_same(const rawch *a, const rawch *b)
{
	if (a->kind != b->kind || a->p.ipend != b->p.ipend || strcmp(a->old_text, b->old_text) ||
	    strcmp(a->new_text, b->new_text) || tm_strcmp_null(a->info, b->info))
		return false;
	if (a->p.ipend < 0)
		return false;
	return !strcmp(a->p.ipend == 0 ? a->p.dst : a->p.src, b->p.ipend == 0 ? b->p.dst : b->p.src);
}

static int rawch_cmp(const void *pa, const void *pb)
{
	const rawch *a = pa, *b = pb;
	int c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->p.ipend != b->p.ipend)
		return a->p.ipend < b->p.ipend ? -1 : 1;
	if (a->p.ipend < 0) {
		if ((c = strcmp(a->p.src, b->p.src)))
			return c;
		return strcmp(a->p.dst, b->p.dst);
	}
	if ((c = strcmp(a->p.ipend == 0 ? a->p.dst : a->p.src, b->p.ipend == 0 ? b->p.dst : b->p.src)))
		return c;
	if ((c = strcmp(a->old_text, b->old_text)) || (c = strcmp(a->new_text, b->new_text)) ||
	    (c = tm_strcmp_null(a->info, b->info)))
		return c;
	return tm_ip_cmp(a->p.atom.lo, b->p.atom.lo);
}

tm_err tm_diff_compute(const tm_graph *old_g, const tm_graph *new_g, const tm_findings *old_f,
		       const tm_findings *new_f, tm_diff *d)
{
	size_t nwa, nwb;
	tm_buf b;
	memset(d, 0, sizeof *d);
	tm_arena_init(&d->arena);
	tm_buf_init(&b, 0);
	tm_dcuts cs[2];
	tm_dcuts_build(cs, old_g, new_g);
	tm_dstream sa, sb;
	tm_dstream_init(&sa, old_g, cs, &d->arena);
	tm_dstream_init(&sb, new_g, cs, &d->arena);
	const char **wa = wl_names(old_g, &nwa), **wb = wl_names(new_g, &nwb);
	const char *none = "No Connections";
	rawch *raw = NULL;
	size_t nraw = 0, capraw = 0;
	tm_dpair pa, pb;
	bool ha = tm_dstream_next(&sa, &pa), hb = tm_dstream_next(&sb, &pb);
	while (ha || hb) {
		int c = !ha ? 1 : !hb ? -1 : tm_dpair_cmp(&pa, &pb);
		TM_HEAP_GROW(raw, nraw, capraw);
		rawch *r = &raw[nraw];
		if (c == 0) {
			if (strcmp(pa.text, pb.text)) {
				*r = (rawch){TM_DIFF_CHANGED, pa, pa.text, pb.text, NULL};
				nraw++;
			}
			ha = tm_dstream_next(&sa, &pa);
			hb = tm_dstream_next(&sb, &pb);
		} else if (c < 0) {
			const char *info = info_for(&b, wb, nwb, pa.src, pa.dst, "removed");
			*r = (rawch){TM_DIFF_REMOVED, pa, pa.text, none, info ? tm_arena_strdup(&d->arena, info) : NULL};
			nraw++;
			ha = tm_dstream_next(&sa, &pa);
		} else {
			const char *info = info_for(&b, wa, nwa, pb.src, pb.dst, "added");
			*r = (rawch){TM_DIFF_ADDED, pb, none, pb.text, info ? tm_arena_strdup(&d->arena, info) : NULL};
			nraw++;
			hb = tm_dstream_next(&sb, &pb);
		}
	}
	tm_dcuts_release(cs);
	/* merge adjacent IP atoms with the same change back into one range, as NPA prints them */
	if (nraw > 1)
		qsort(raw, nraw, sizeof *raw, rawch_cmp);
	for (size_t k = 0; k < nraw; k++) {
		rawch *r = &raw[k];
		if (r->p.ipend >= 0) {
			tm_iprange range = r->p.atom;
			while (k + 1 < nraw && rawch_same(r, &raw[k + 1]) &&
			       tm_ip_cmp(tm_ip_next(range.hi), raw[k + 1].p.atom.lo) == 0) {
				range.hi = raw[k + 1].p.atom.hi;
				k++;
			}
			const char *an = tm_datom_name(&d->arena, &b, &range);
			if (r->p.ipend == 0)
				r->p.src = an;
			else
				r->p.dst = an;
		}
		push(d, r->kind, r->p.src, r->p.dst, r->old_text, r->new_text, r->info);
	}
	free(raw);
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
	diff_notes(old_f, new_f, d->new_findings);
	tm_dstream_release(&sa);
	tm_dstream_release(&sb);
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
	free(d->prot);
	tm_arena_release(&d->arena);
	memset(d, 0, sizeof *d);
}
