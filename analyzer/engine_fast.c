/* engine_fast.c - the default engine ("fast"): work that grows with the
 * distinct behaviours and with the output, not with IP ranges x classes x
 * rules.
 *
 * The classes engine (graph_build.c) decides every (IP range, class) pair
 * with the decision function: with thousands of ipBlocks that is atoms x
 * classes x rules. Here a class's decisions over the IP space are computed
 * once per direction, as an interval table: the boundaries of the ipBlocks
 * of the policies that apply to it (a handful) cut the address space into
 * local intervals, the decision function runs once per interval, and equal
 * neighbours merge. Classes with the same policies (and, for ingress, the
 * same container ports, which named ports resolve against) share one table.
 * Every global IP atom lies inside one local interval (the global cuts are
 * the union of all local ones), so an interval's result is each of its
 * atoms' result; a table whose cut falls inside an atom (not possible with
 * today's inputs) is evaluated per atom instead.
 *
 * The edges are then written from those tables:
 *   IP range -> workloads: per source atom, the tables whose interval there
 *     allows something (an index built once from the tables' intervals), and
 *     the workload endpoints of their classes, in endpoint order;
 *   workload -> IP ranges: one row per egress table (the destination atoms of
 *     its allowing intervals, in endpoint order), shared by every workload of
 *     every class with that table;
 *   workload -> workload and the ingress controller: candidate pruning and the
 *     class-pair decision of the classes engine (prune.c, eng_pair).
 * Rows are computed per source, so that reach and explain ask only for the
 * rows they need (tm_conn_rows); conn and check ask for all of them.
 * Explain is the decision function with a trace (explain.c), as in every
 * engine. */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

typedef struct iptab {
	tm_ip *lo;             /* interval starts, ascending; lo[0] is address 0 */
	const tm_ports **p;    /* interval i is [lo[i], lo[i + 1]) */
	size_t n;
	bool exact;            /* a cut inside an atom: decide each atom instead */
	uint32_t cls;          /* a class with this table (for exact evaluation) */
	tm_dir dir;
	/* egress tables: the row towards the destination atoms, by endpoint */
	uint32_t *row_ep;
	const tm_ports **row_p;
	size_t nrow;
	bool row_done;
} iptab;

typedef struct tabent {
	char *key;
	uint32_t id;
} tabent;

typedef struct fast {
	prune pr;
	/* atoms in address order: endpoint index and start address */
	uint32_t *src_ep, *dst_ep;
	tm_ip *src_lo, *dst_lo, *src_hi, *dst_hi;
	size_t nsrc, ndst;
	uint32_t *atom_pos;     /* per endpoint: its position among its side's atoms */
	/* tables */
	iptab *tabs;
	size_t ntabs, captabs;
	tabent *slots;
	size_t nslots;
	uint32_t *tab_in, *tab_eg; /* per class; UINT32_MAX: nothing from/to IP ranges */
	tm_buf key;
	/* source atom -> (ingress table, ports) with something allowed */
	uint32_t *sa_off;       /* nsrc + 1 */
	uint32_t *sa_tab;
	const tm_ports **sa_p;
	uint32_t *tab_cls_off, *tab_cls; /* classes of each ingress table */
	bool sa_done;
	/* scratch: an endpoint bitmap and ports per endpoint */
	uint64_t *epbits;
	const tm_ports **epp;
	uint32_t *tmp_ep;
	size_t ntmp, captmp;
	tm_edge *merge;
	size_t capmerge;
	/* the ingress controller's row, kept: its diagnostics are said once */
	tm_edge *ic_row;
	size_t nic_row;
	bool ic_done;
	bool all_rows;
} fast;

static int ip_cmp_q(const void *a, const void *b)
{
	return tm_ip_cmp(*(const tm_ip *)a, *(const tm_ip *)b);
}

/* the first position in v[0..n) whose address is >= a */
static size_t lower_bound(const tm_ip *v, size_t n, tm_ip a)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tm_ip_cmp(v[mid], a) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool ip_is_max(tm_ip a)
{
	return a.hi == UINT64_MAX && a.lo == UINT64_MAX;
}

/* ---- atoms in address order ---- */
typedef struct atomref {
	tm_ip lo, hi;
	uint32_t ep;
} atomref;

static int atomref_qcmp(const void *a, const void *b)
{
	return tm_ip_cmp(((const atomref *)a)->lo, ((const atomref *)b)->lo);
}

static void index_atoms(fast *f, const tm_graph *g)
{
	size_t ns = 0, nd = 0;
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_IPRANGE) {
			if (g->eps[i].is_src_atom)
				ns++;
			else
				nd++;
		}
	atomref *s = tm_xrealloc(NULL, (ns + 1) * sizeof *s), *d = tm_xrealloc(NULL, (nd + 1) * sizeof *d);
	ns = nd = 0;
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		if (ep->kind != TM_EP_IPRANGE)
			continue;
		atomref *r = ep->is_src_atom ? &s[ns++] : &d[nd++];
		r->lo = ep->range.lo;
		r->hi = ep->range.hi;
		r->ep = (uint32_t)i;
	}
	qsort(s, ns, sizeof *s, atomref_qcmp);
	qsort(d, nd, sizeof *d, atomref_qcmp);
	f->nsrc = ns;
	f->ndst = nd;
	f->src_ep = tm_xrealloc(NULL, (ns + 1) * sizeof(uint32_t));
	f->src_lo = tm_xrealloc(NULL, (ns + 1) * sizeof(tm_ip));
	f->dst_ep = tm_xrealloc(NULL, (nd + 1) * sizeof(uint32_t));
	f->dst_lo = tm_xrealloc(NULL, (nd + 1) * sizeof(tm_ip));
	f->src_hi = tm_xrealloc(NULL, (ns + 1) * sizeof(tm_ip));
	f->dst_hi = tm_xrealloc(NULL, (nd + 1) * sizeof(tm_ip));
	f->atom_pos = tm_xrealloc(NULL, (g->neps + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < ns; i++) {
		f->src_ep[i] = s[i].ep;
		f->src_lo[i] = s[i].lo;
		f->src_hi[i] = s[i].hi;
		f->atom_pos[s[i].ep] = (uint32_t)i;
	}
	for (size_t i = 0; i < nd; i++) {
		f->dst_ep[i] = d[i].ep;
		f->dst_lo[i] = d[i].lo;
		f->dst_hi[i] = d[i].hi;
		f->atom_pos[d[i].ep] = (uint32_t)i;
	}
	free(s);
	free(d);
}

/* ---- interval tables ---- */
typedef struct iplist {
	tm_ip *v;
	size_t n, cap;
} iplist;

static void cuts_of_pols(iplist *c, epol **pols, size_t n, bool ing)
{
	for (size_t i = 0; i < n; i++) {
		const erule *rs = ing ? pols[i]->in : pols[i]->eg;
		size_t nr = ing ? pols[i]->nin : pols[i]->neg;
		for (size_t j = 0; j < nr; j++)
			for (size_t k = 0; k < rs[j].r->npeers; k++) {
				const tm_peer *pe = &rs[j].r->peers[k];
				if (pe->kind != TM_PEER_IPBLOCK)
					continue;
				for (size_t q = 0; q < pe->ips.n; q++) {
					TM_HEAP_GROW(c->v, c->n, c->cap);
					c->v[c->n++] = pe->ips.r[q].lo;
					if (!ip_is_max(pe->ips.r[q].hi)) {
						TM_HEAP_GROW(c->v, c->n, c->cap);
						c->v[c->n++] = tm_ip_next(pe->ips.r[q].hi);
					}
				}
			}
	}
}

static void key_pols(tm_buf *k, char tag, epol **pols, size_t n)
{
	tm_buf_addc(k, tag);
	tm_buf_add(k, &n, sizeof n);
	for (size_t i = 0; i < n; i++)
		tm_buf_add(k, &pols[i], sizeof pols[i]);
}

/* What decides class c's traffic with IP ranges in direction dir: its
 * policies of the direction and, for ingress, its container ports. */
static void tab_key(tm_buf *k, const cls *c, tm_dir dir)
{
	bool ing = dir == TM_DIR_INGRESS;
	tm_buf_reset(k);
	tm_buf_addc(k, ing ? 'I' : 'E');
	key_pols(k, 'a', ing ? c->anp_in : c->anp_eg, ing ? c->nanp_in : c->nanp_eg);
	key_pols(k, 'n', ing ? c->np_in : c->np_eg, ing ? c->nnp_in : c->nnp_eg);
	key_pols(k, 'b', c->bl, c->nbl);
	if (ing)
		for (size_t i = 0; i < c->nports; i++) {
			const tm_cport *p = &c->ports[i];
			tm_buf_addf(k, "|%s|%d|%u", p->name ? p->name : "", (int)p->proto, p->port);
		}
}

/* Does a cut fall strictly inside an atom of the side? */
static bool cut_inside_atom(const tm_ip *atom_lo, const tm_ip *atom_hi, size_t natoms, tm_ip cut)
{
	size_t i = lower_bound(atom_lo, natoms, cut);
	if (i < natoms && tm_ip_cmp(atom_lo[i], cut) == 0)
		return false;
	/* after atom i-1's start: inside it unless past its end */
	return i > 0 && tm_ip_cmp(cut, atom_hi[i - 1]) <= 0;
}

static void build_tab(fast *f, engine *e, iptab *t, uint32_t k, tm_dir dir)
{
	const cls *c = &e->c[k];
	bool ing = dir == TM_DIR_INGRESS;
	iplist cu = {0};
	tm_iprange a4 = tm_iprange_v4_all();
	TM_HEAP_GROW(cu.v, cu.n, cu.cap);
	cu.v[cu.n++] = (tm_ip){0, 0};
	TM_HEAP_GROW(cu.v, cu.n, cu.cap);
	cu.v[cu.n++] = a4.lo;
	TM_HEAP_GROW(cu.v, cu.n, cu.cap);
	cu.v[cu.n++] = tm_ip_next(a4.hi);
	cuts_of_pols(&cu, ing ? c->anp_in : c->anp_eg, ing ? c->nanp_in : c->nanp_eg, ing);
	cuts_of_pols(&cu, ing ? c->np_in : c->np_eg, ing ? c->nnp_in : c->nnp_eg, ing);
	cuts_of_pols(&cu, c->bl, c->nbl, ing);
	qsort(cu.v, cu.n, sizeof(tm_ip), ip_cmp_q);
	size_t n = 0;
	for (size_t i = 0; i < cu.n; i++)
		if (!n || tm_ip_cmp(cu.v[n - 1], cu.v[i]) != 0)
			cu.v[n++] = cu.v[i];
	t->lo = tm_xrealloc(NULL, (n + 1) * sizeof(tm_ip));
	t->p = tm_xrealloc(NULL, (n + 1) * sizeof(tm_ports *));
	t->n = 0;
	t->cls = k;
	t->dir = dir;
	const tm_ip *alo = ing ? f->src_lo : f->dst_lo, *ahi = ing ? f->src_hi : f->dst_hi;
	size_t nat = ing ? f->nsrc : f->ndst;
	for (size_t i = 0; i < n; i++) {
		tm_iprange r = {cu.v[i], i + 1 < n ? tm_ip_prev(cu.v[i + 1]) : (tm_ip){UINT64_MAX, UINT64_MAX}};
		peerref pr = {true, 0, r};
		const tm_ports *p = eng_eval_dir(e, dir, k, pr, NULL);
		if (t->n && t->p[t->n - 1] == p)
			continue; /* equal neighbours: one interval */
		if (t->n && cut_inside_atom(alo, ahi, nat, r.lo))
			t->exact = true;
		t->lo[t->n] = r.lo;
		t->p[t->n] = p;
		t->n++;
	}
	free(cu.v);
}

/* The table of class k in direction dir (shared by classes with equal keys). */
static uint32_t tab_of(fast *f, engine *e, uint32_t k, tm_dir dir)
{
	tab_key(&f->key, &e->c[k], dir);
	if ((f->ntabs + 1) * 2 > f->nslots) {
		size_t ns = f->nslots ? f->nslots * 2 : 256;
		tabent *nv = tm_xrealloc(NULL, ns * sizeof *nv);
		memset(nv, 0, ns * sizeof *nv);
		for (size_t i = 0; i < f->nslots; i++) {
			if (!f->slots[i].key)
				continue;
			size_t kl;
			memcpy(&kl, f->slots[i].key, sizeof kl);
			size_t h = tm_hash_str(f->slots[i].key + sizeof kl, kl) & (ns - 1);
			while (nv[h].key)
				h = (h + 1) & (ns - 1);
			nv[h] = f->slots[i];
		}
		free(f->slots);
		f->slots = nv;
		f->nslots = ns;
	}
	size_t kl = f->key.len;
	size_t h = tm_hash_str(f->key.s, kl) & (f->nslots - 1);
	while (f->slots[h].key) {
		size_t l;
		memcpy(&l, f->slots[h].key, sizeof l);
		if (l == kl && !memcmp(f->slots[h].key + sizeof l, f->key.s, kl))
			return f->slots[h].id;
		h = (h + 1) & (f->nslots - 1);
	}
	char *stored = tm_xrealloc(NULL, sizeof kl + kl + 1);
	memcpy(stored, &kl, sizeof kl);
	if (kl)
		memcpy(stored + sizeof kl, f->key.s, kl);
	f->slots[h].key = stored;
	f->slots[h].id = (uint32_t)f->ntabs;
	TM_HEAP_GROW(f->tabs, f->ntabs, f->captabs);
	iptab *t = &f->tabs[f->ntabs];
	memset(t, 0, sizeof *t);
	build_tab(f, e, t, k, dir);
	return (uint32_t)f->ntabs++;
}

/* The atom positions [*a0, *a1) of side atoms inside interval i of t. */
static void tab_span(const iptab *t, size_t i, const tm_ip *alo, size_t nat, size_t *a0, size_t *a1)
{
	*a0 = lower_bound(alo, nat, t->lo[i]);
	*a1 = i + 1 < t->n ? lower_bound(alo, nat, t->lo[i + 1]) : nat;
}

/* ---- sorting a set of endpoints with ports ---- */
static void tmp_push(fast *f, uint32_t ep, const tm_ports *p)
{
	TM_HEAP_GROW(f->tmp_ep, f->ntmp, f->captmp);
	f->tmp_ep[f->ntmp++] = ep;
	f->epp[ep] = p;
}

static int u32_qcmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* f->tmp_ep ascending (the entries are distinct) */
static void tmp_sort(fast *f, size_t neps)
{
	if (f->ntmp <= 64) {
		if (f->ntmp > 1)
			qsort(f->tmp_ep, f->ntmp, sizeof(uint32_t), u32_qcmp);
		return;
	}
	size_t words = (neps + 63) / 64;
	for (size_t i = 0; i < f->ntmp; i++)
		bit_set(f->epbits, f->tmp_ep[i]);
	size_t n = 0;
	for (size_t w = 0; w < words && n < f->ntmp; w++) {
		uint64_t b = f->epbits[w];
		f->epbits[w] = 0;
		while (b) {
			f->tmp_ep[n++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
			b &= b - 1;
		}
	}
}

/* ---- rows ---- */
static void edge_push(tm_graph *g, uint32_t s, uint32_t d, const tm_ports *p)
{
	TM_HEAP_GROW(g->edges, g->nedges, g->cap_edges);
	g->edges[g->nedges].src = s;
	g->edges[g->nedges].dst = d;
	g->edges[g->nedges].ports = p;
	g->nedges++;
}

/* The egress row of table t: destination atoms by endpoint index. */
static void eg_row(fast *f, engine *e, iptab *t)
{
	if (t->row_done)
		return;
	t->row_done = true;
	f->ntmp = 0;
	if (t->exact) {
		for (size_t q = 0; q < f->ndst; q++) {
			peerref pr = {true, 0, e->g->eps[f->dst_ep[q]].range};
			const tm_ports *p = eng_eval_dir(e, TM_DIR_EGRESS, t->cls, pr, NULL);
			if (!tm_ports_is_empty(p))
				tmp_push(f, f->dst_ep[q], p);
		}
	} else {
		for (size_t i = 0; i < t->n; i++) {
			if (tm_ports_is_empty(t->p[i]))
				continue;
			size_t a0, a1;
			tab_span(t, i, f->dst_lo, f->ndst, &a0, &a1);
			for (size_t q = a0; q < a1; q++)
				tmp_push(f, f->dst_ep[q], t->p[i]);
		}
	}
	tmp_sort(f, e->g->neps);
	t->nrow = f->ntmp;
	t->row_ep = tm_xrealloc(NULL, (f->ntmp + 1) * sizeof(uint32_t));
	t->row_p = tm_xrealloc(NULL, (f->ntmp + 1) * sizeof(tm_ports *));
	for (size_t i = 0; i < f->ntmp; i++) {
		t->row_ep[i] = f->tmp_ep[i];
		t->row_p[i] = f->epp[f->tmp_ep[i]];
	}
}

/* Per source atom, the ingress tables that allow it something. */
static void src_index(fast *f, engine *e)
{
	if (f->sa_done)
		return;
	f->sa_done = true;
	size_t nt = f->ntabs;
	f->sa_off = tm_xrealloc(NULL, (f->nsrc + 2) * sizeof(uint32_t));
	memset(f->sa_off, 0, (f->nsrc + 2) * sizeof(uint32_t));
	/* the classes of each ingress table */
	f->tab_cls_off = tm_xrealloc(NULL, (nt + 2) * sizeof(uint32_t));
	memset(f->tab_cls_off, 0, (nt + 2) * sizeof(uint32_t));
	for (size_t k = 0; k < e->nc; k++)
		if (f->tab_in[k] != UINT32_MAX)
			f->tab_cls_off[f->tab_in[k] + 1]++;
	for (size_t t = 0; t < nt; t++)
		f->tab_cls_off[t + 1] += f->tab_cls_off[t];
	f->tab_cls = tm_xrealloc(NULL, (f->tab_cls_off[nt] + 1) * sizeof(uint32_t));
	uint32_t *fill = tm_xrealloc(NULL, (nt + 1) * sizeof(uint32_t));
	memcpy(fill, f->tab_cls_off, (nt + 1) * sizeof(uint32_t));
	for (size_t k = 0; k < e->nc; k++)
		if (f->tab_in[k] != UINT32_MAX)
			f->tab_cls[fill[f->tab_in[k]]++] = (uint32_t)k;
	free(fill);
	/* two passes over the allowing intervals: count, then fill */
	for (int pass = 0; pass < 2; pass++) {
		uint32_t *pos = NULL;
		if (pass == 1) {
			for (size_t a = 0; a < f->nsrc; a++)
				f->sa_off[a + 1] += f->sa_off[a];
			f->sa_tab = tm_xrealloc(NULL, ((size_t)f->sa_off[f->nsrc] + 1) * sizeof(uint32_t));
			f->sa_p = tm_xrealloc(NULL, ((size_t)f->sa_off[f->nsrc] + 1) * sizeof(tm_ports *));
			pos = tm_xrealloc(NULL, (f->nsrc + 1) * sizeof(uint32_t));
			memcpy(pos, f->sa_off, (f->nsrc + 1) * sizeof(uint32_t));
		}
		for (size_t ti = 0; ti < nt; ti++) {
			const iptab *t = &f->tabs[ti];
			if (t->dir != TM_DIR_INGRESS || f->tab_cls_off[ti] == f->tab_cls_off[ti + 1])
				continue;
			for (size_t a = 0, i = 0; !t->exact && i < t->n; i++) {
				if (tm_ports_is_empty(t->p[i]))
					continue;
				size_t a0, a1;
				tab_span(t, i, f->src_lo, f->nsrc, &a0, &a1);
				for (a = a0; a < a1; a++) {
					if (pass == 0)
						f->sa_off[a + 1]++;
					else {
						f->sa_tab[pos[a]] = (uint32_t)ti;
						f->sa_p[pos[a]++] = t->p[i];
					}
				}
			}
			if (t->exact)
				for (size_t a = 0; a < f->nsrc; a++) {
					peerref pr = {true, 0, e->g->eps[f->src_ep[a]].range};
					const tm_ports *p = eng_eval_dir(e, TM_DIR_INGRESS, t->cls, pr, NULL);
					if (tm_ports_is_empty(p))
						continue;
					if (pass == 0)
						f->sa_off[a + 1]++;
					else {
						f->sa_tab[pos[a]] = (uint32_t)ti;
						f->sa_p[pos[a]++] = p;
					}
				}
		}
		free(pos);
	}
}

static void row_src_atom(fast *f, engine *e, size_t si)
{
	tm_graph *g = e->g;
	src_index(f, e);
	uint32_t a = f->atom_pos[si];
	f->ntmp = 0;
	for (uint32_t q = f->sa_off[a]; q < f->sa_off[a + 1]; q++) {
		uint32_t ti = f->sa_tab[q];
		for (uint32_t c = f->tab_cls_off[ti]; c < f->tab_cls_off[ti + 1]; c++) {
			uint32_t k = f->tab_cls[c];
			for (uint32_t i = f->pr.cls_off[k]; i < f->pr.cls_off[k + 1]; i++)
				tmp_push(f, f->pr.cls_eps[i], f->sa_p[q]);
		}
	}
	tmp_sort(f, g->neps);
	for (size_t i = 0; i < f->ntmp; i++)
		edge_push(g, (uint32_t)si, f->tmp_ep[i], f->epp[f->tmp_ep[i]]);
}

static void row_workload(fast *f, engine *e, size_t si)
{
	tm_graph *g = e->g;
	size_t start = g->nedges;
	eng_prune_dsts(&f->pr, si);
	for (size_t q = 0; q < f->pr.ndst; q++)
		eng_pair(e, si, f->pr.dst[q]);
	uint32_t ti = f->tab_eg[g->eps[si].cls];
	if (ti == UINT32_MAX)
		return;
	iptab *t = &f->tabs[ti];
	eg_row(f, e, t);
	if (!t->nrow)
		return;
	/* merge the workload edges [start, nedges) with the row, by destination */
	size_t nw = g->nedges - start, total = nw + t->nrow;
	if (f->capmerge < nw + 1) {
		f->capmerge = (nw + 1) * 2;
		f->merge = tm_xrealloc(f->merge, f->capmerge * sizeof(tm_edge));
	}
	if (nw)
		memcpy(f->merge, g->edges + start, nw * sizeof(tm_edge));
	while (g->cap_edges < start + total) {
		g->cap_edges = g->cap_edges ? g->cap_edges * 2 : 64;
		g->edges = tm_xrealloc(g->edges, g->cap_edges * sizeof(tm_edge));
	}
	size_t i = 0, j = 0, o = start;
	while (i < nw || j < t->nrow) {
		if (j == t->nrow || (i < nw && f->merge[i].dst < t->row_ep[j]))
			g->edges[o++] = f->merge[i++];
		else {
			g->edges[o].src = (uint32_t)si;
			g->edges[o].dst = t->row_ep[j];
			g->edges[o].ports = t->row_p[j];
			o++;
			j++;
		}
	}
	g->nedges = o;
}

static void row_ingress_controller(fast *f, engine *e, size_t si)
{
	tm_graph *g = e->g;
	if (!f->ic_done) {
		size_t start = g->nedges;
		eng_prune_dsts(&f->pr, si);
		for (size_t q = 0; q < f->pr.ndst; q++)
			eng_pair(e, si, f->pr.dst[q]);
		f->nic_row = g->nedges - start;
		f->ic_row = tm_xrealloc(NULL, (f->nic_row + 1) * sizeof(tm_edge));
		if (f->nic_row) /* g->edges may still be NULL */
			memcpy(f->ic_row, g->edges + start, f->nic_row * sizeof(tm_edge));
		f->ic_done = true;
		return;
	}
	for (size_t i = 0; i < f->nic_row; i++)
		edge_push(g, f->ic_row[i].src, f->ic_row[i].dst, f->ic_row[i].ports);
}

static void row(fast *f, engine *e, size_t si)
{
	const tm_endpoint *ep = &e->g->eps[si];
	if (ep->kind == TM_EP_IPRANGE) {
		if (ep->is_src_atom)
			row_src_atom(f, e, si);
	} else if (ep->kind == TM_EP_WORKLOAD)
		row_workload(f, e, si);
	else
		row_ingress_controller(f, e, si);
}

static void fast_free(fast *f)
{
	if (!f)
		return;
	eng_prune_release(&f->pr);
	for (size_t i = 0; i < f->ntabs; i++) {
		free(f->tabs[i].lo);
		free(f->tabs[i].p);
		free(f->tabs[i].row_ep);
		free(f->tabs[i].row_p);
	}
	for (size_t i = 0; i < f->nslots; i++)
		free(f->slots[i].key);
	free(f->slots);
	free(f->tabs);
	free(f->src_ep);
	free(f->dst_ep);
	free(f->src_lo);
	free(f->dst_lo);
	free(f->src_hi);
	free(f->dst_hi);
	free(f->atom_pos);
	free(f->tab_in);
	free(f->tab_eg);
	tm_buf_release(&f->key);
	free(f->sa_off);
	free(f->sa_tab);
	free(f->sa_p);
	free(f->tab_cls_off);
	free(f->tab_cls);
	free(f->epbits);
	free(f->epp);
	free(f->tmp_ep);
	free(f->merge);
	free(f->ic_row);
	free(f);
}

static void fast_release(tm_graph *g)
{
	engine *e = g->priv;
	if (e)
		fast_free(e->own);
	eng_release(g);
}

/* the rows of srcs[0..n) (NULL: every source), saying how far */
static void rows_of(fast *f, engine *e, const uint32_t *srcs, size_t n)
{
	tm_progress_fn pf = e->o.progress;
	for (size_t i = 0; i < n; i++) {
		if (pf && (i & 1023) == 0)
			pf(e->o.progress_ctx, "analysis", i, n);
		row(f, e, srcs ? srcs[i] : i);
	}
	if (pf)
		pf(e->o.progress_ctx, "analysis", n, n);
}

static tm_err fast_compute(const tm_model *m, const tm_conn_opts *o, tm_graph **out)
{
	tm_graph *g;
	engine *e = eng_start(m, o, &tm_engine_fast, &g);
	uint32_t *wcls = tm_xrealloc(NULL, (g->nworkloads + 1) * sizeof *wcls);
	bool want_ic = eng_want_ic(e);
	uint32_t ic = eng_classes(e, wcls, want_ic, true);
	eng_policies(e);
	if (e->nc && e->nc <= 2048) {
		e->matrix = tm_xrealloc(NULL, e->nc * e->nc * sizeof(uint32_t));
		memset(e->matrix, 0xff, e->nc * e->nc * sizeof(uint32_t));
	}
	eng_endpoints(e, wcls, ic, want_ic);
	free(wcls);

	fast *f = tm_xrealloc(NULL, sizeof *f);
	memset(f, 0, sizeof *f);
	e->own = f;
	tm_buf_init(&f->key, 0);
	eng_prune_init(&f->pr, e, g);
	/* destination IP ranges come from the egress tables, not from pruning */
	f->pr.nip_dst = 0;
	index_atoms(f, g);
	f->epbits = tm_xrealloc(NULL, ((g->neps + 63) / 64 + 1) * sizeof(uint64_t));
	memset(f->epbits, 0, ((g->neps + 63) / 64 + 1) * sizeof(uint64_t));
	f->epp = tm_xrealloc(NULL, (g->neps + 1) * sizeof(tm_ports *));
	f->tab_in = tm_xrealloc(NULL, (e->nc + 1) * sizeof(uint32_t));
	f->tab_eg = tm_xrealloc(NULL, (e->nc + 1) * sizeof(uint32_t));
	for (size_t k = 0; k < e->nc; k++) {
		const cls *c = &e->c[k];
		f->tab_in[k] = f->tab_eg[k] = UINT32_MAX;
		if (!c->rep)
			continue; /* the ingress controller: no IP ranges either way */
		if (f->nsrc && f->pr.ip_in[k])
			f->tab_in[k] = tab_of(f, e, (uint32_t)k, TM_DIR_INGRESS);
		if (f->ndst && f->pr.ip_eg[k])
			f->tab_eg[k] = tab_of(f, e, (uint32_t)k, TM_DIR_EGRESS);
	}
	*out = g;
	if (o && o->defer_edges)
		return TM_OK;
	f->all_rows = true;
	rows_of(f, e, NULL, g->neps);
	return TM_OK;
}

static tm_err fast_rows(tm_graph *g, const uint32_t *srcs, size_t n)
{
	engine *e = g->priv;
	fast *f = e->own;
	g->nedges = 0;
	f->all_rows = false;
	for (size_t i = 0; i < n; i++)
		if (srcs[i] >= g->neps || (i && srcs[i] <= srcs[i - 1]))
			return TM_ERR_USAGE;
	rows_of(f, e, srcs, n);
	return TM_OK;
}

const tm_engine tm_engine_fast = {
	"fast",
	"interval tables over the IP space per class, rows per source on demand (the default)",
	fast_compute,
	eng_explain,
	fast_release,
	fast_rows,
};
