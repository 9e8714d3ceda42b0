/* diff_mesh.c - mesh protection differences for `trustmap diff`: for every
 * (src, dst) pair of both graphs (the pairs of analyzer/diff_priv.h, IP
 * ranges on the common refinement) and every port both versions allow, the
 * protection each side's mesh posture gives (analyzer/mesh.h). Ports whose
 * protection differs become one tm_prot_change per (port subset, old, new),
 * and each weakening a TM126 finding of the diff's new findings.
 * docs/semantics.md "Mesh protection in diff", docs/checks.md TM126. */
#include "analyzer/check.h"
#include "analyzer/diff_priv.h"
#include "analyzer/mesh.h"

#include <stdlib.h>
#include <string.h>

/* One port text, reason or message: a port set of every other port, or
 * the joined reasons of a subset, stay well below it. */
#define DIFF_MESH_TEXT_CAP ((size_t)4 << 20)

static const char *const kind_names[TM_NPCH] = {"weakened", "opened", "strengthened", "closed"};

const char *tm_prot_change_name(tm_prot_change_kind k)
{
	return (unsigned)k < TM_NPCH ? kind_names[k] : "?";
}

/* Strength of a protection the mesh admits: mtls > mtls-permissive >
 * unknown > plaintext (rejected is no admission, -1). */
static int rank(tm_protection p)
{
	switch (p) {
	case TM_PROT_MTLS: return 3;
	case TM_PROT_MTLS_PERMISSIVE: return 2;
	case TM_PROT_UNKNOWN: return 1;
	case TM_PROT_PLAINTEXT: return 0;
	default: return -1;
	}
}

tm_prot_change_kind tm_prot_change_classify(tm_protection o, tm_protection n)
{
	if (o == TM_PROT_REJECTED)
		return TM_PCH_OPENED;
	if (n == TM_PROT_REJECTED)
		return TM_PCH_CLOSED;
	return rank(n) < rank(o) ? TM_PCH_WEAKENED : TM_PCH_STRENGTHENED;
}

bool tm_prot_change_weakens(tm_prot_change_kind k, tm_protection n)
{
	return k == TM_PCH_WEAKENED || (k == TM_PCH_OPENED && (n == TM_PROT_PLAINTEXT || n == TM_PROT_UNKNOWN));
}

tm_severity tm_prot_change_severity(tm_protection n, bool sensitive)
{
	if (n == TM_PROT_PLAINTEXT)
		return sensitive ? TM_SEV_HIGH : TM_SEV_MEDIUM;
	return sensitive ? TM_SEV_MEDIUM : TM_SEV_LOW;
}

/* p, made in pool pp (the two graphs' port sets live in different pools). */
static const tm_ports *import(tm_portpool *pp, const tm_ports *p)
{
	const tm_ports *r = tm_ports_empty(pp);
	for (int k = 0; k < TM_NPROTO; k++)
		for (uint32_t i = 0; i < p->n[k]; i++)
			r = tm_ports_union(pp, r, tm_ports_range(pp, (tm_proto)k, p->r[k][i].lo, p->r[k][i].hi));
	return r;
}

/* Sort key of a port set: its first port, protocols in NPA's order. */
static uint32_t first_port(const tm_ports *p)
{
	for (int k = 0; k < TM_NPROTO; k++)
		if (p->n[k])
			return (uint32_t)k << 17 | p->r[k][0].lo;
	return 0;
}

/* One change before IP atoms are merged back into ranges. */
typedef struct rawpc {
	tm_dpair p;             /* NEW's pair: names, IP end and atom, edge of new_g */
	const tm_ports *ports;  /* new_g's pool */
	const char *conn;
	tm_protection o, n;
	const char *ro, *rn;
} rawpc;

typedef struct dmctx {
	const tm_mesh_result *om, *nm;
	tm_portpool *pp;        /* new_g's */
	tm_diff *d;
	tm_buf b;
	rawpc *raw;
	size_t nraw, cap;
} dmctx;

/* The reasons of the parts of c with protection p that hold some of x
 * (imported into pp when from is another pool), joined with "; ". */
static const char *reasons_of(dmctx *c, const tm_mesh_conn *mc, tm_protection p, const tm_ports *x, bool other_pool)
{
	const char *last = NULL;
	tm_buf_reset(&c->b);
	for (size_t i = 0; i < mc->n; i++) {
		if (mc->v[i].prot != p)
			continue;
		const tm_ports *pp = other_pool ? import(c->pp, mc->v[i].ports) : mc->v[i].ports;
		if (tm_ports_is_empty(tm_ports_inter(c->pp, pp, x)) || (last && !strcmp(last, mc->v[i].reason)))
			continue;
		if (last)
			(void)tm_buf_adds(&c->b, "; ");
		(void)tm_buf_adds(&c->b, mc->v[i].reason);
		last = mc->v[i].reason;
	}
	return tm_arena_strdup(&c->d->arena, tm_buf_str(&c->b));
}

/* The port subsets of a pair present in both versions whose protection differs. */
static void compare_pair(dmctx *c, const tm_dpair *pa, const tm_dpair *pb)
{
	const tm_mesh_conn *co = &c->om->conns[pa->edge], *cn = &c->nm->conns[pb->edge];
	for (int po = 0; po < TM_NPROT; po++) {
		const tm_ports *op = import(c->pp, tm_mesh_edge_ports(c->om, pa->edge, (tm_protection)po));
		if (tm_ports_is_empty(op))
			continue;
		for (int pn = 0; pn < TM_NPROT; pn++) {
			if (pn == po)
				continue;
			const tm_ports *x = tm_ports_inter(c->pp, op, tm_mesh_edge_ports(c->nm, pb->edge, (tm_protection)pn));
			if (tm_ports_is_empty(x))
				continue;
			TM_HEAP_GROW(c->raw, c->nraw, c->cap);
			rawpc *r = &c->raw[c->nraw++];
			r->p = *pb;
			r->ports = x;
			tm_buf_reset(&c->b);
			tm_ports_format(x, &c->b);
			r->conn = tm_arena_strdup(&c->d->arena, tm_buf_str(&c->b));
			r->o = (tm_protection)po;
			r->n = (tm_protection)pn;
			r->ro = reasons_of(c, co, r->o, x, true);
			r->rn = reasons_of(c, cn, r->n, x, false);
		}
	}
}

/* Changes of IP atoms that may merge: same IP end, other end, ports,
 * protections and reasons. */
static bool rawpc_same(const rawpc *a, const rawpc *b)
{
	if (a->p.ipend < 0 || a->p.ipend != b->p.ipend || a->p.edge != b->p.edge || strcmp(a->conn, b->conn) ||
	    a->o != b->o || a->n != b->n || strcmp(a->ro, b->ro) || strcmp(a->rn, b->rn))
		return false;
	return !strcmp(a->p.ipend == 0 ? a->p.dst : a->p.src, b->p.ipend == 0 ? b->p.dst : b->p.src);
}

static int rawpc_merge_cmp(const void *pa, const void *pb)
{
	const rawpc *a = pa, *b = pb;
	int c;
	if (a->p.ipend != b->p.ipend)
		return a->p.ipend < b->p.ipend ? -1 : 1;
	if (a->p.ipend < 0)
		return tm_dpair_cmp(&a->p, &b->p);
	if ((c = strcmp(a->p.ipend == 0 ? a->p.dst : a->p.src, b->p.ipend == 0 ? b->p.dst : b->p.src)))
		return c;
	if (a->p.edge != b->p.edge)
		return a->p.edge < b->p.edge ? -1 : 1;
	if ((c = strcmp(a->conn, b->conn)))
		return c;
	if (a->o != b->o)
		return a->o < b->o ? -1 : 1;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	if ((c = strcmp(a->ro, b->ro)) || (c = strcmp(a->rn, b->rn)))
		return c;
	return tm_ip_cmp(a->p.atom.lo, b->p.atom.lo);
}

/* The output order: kind, src, dst, first port, old, new. */
static int rawpc_cmp(const void *pa, const void *pb)
{
	const rawpc *a = pa, *b = pb;
	tm_prot_change_kind ka = tm_prot_change_classify(a->o, a->n), kb = tm_prot_change_classify(b->o, b->n);
	int c;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if ((c = tm_dpair_cmp(&a->p, &b->p)))
		return c;
	uint32_t fa = first_port(a->ports), fb = first_port(b->ports);
	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->o != b->o)
		return a->o < b->o ? -1 : 1;
	return a->n < b->n ? -1 : a->n > b->n;
}

/* Merge adjacent IP atoms with the same change back into one range (as the
 * connection diff prints them); then sort in output order. */
static void merge_atoms(dmctx *c)
{
	if (c->nraw > 1)
		qsort(c->raw, c->nraw, sizeof *c->raw, rawpc_merge_cmp);
	size_t k = 0;
	for (size_t i = 0; i < c->nraw; i++) {
		rawpc r = c->raw[i];
		if (r.p.ipend >= 0) {
			tm_iprange range = r.p.atom;
			while (i + 1 < c->nraw && rawpc_same(&r, &c->raw[i + 1]) &&
			       tm_ip_cmp(tm_ip_next(range.hi), c->raw[i + 1].p.atom.lo) == 0) {
				range.hi = c->raw[i + 1].p.atom.hi;
				i++;
			}
			const char *an = tm_datom_name(&c->d->arena, &c->b, &range);
			if (r.p.ipend == 0)
				r.p.src = an;
			else
				r.p.dst = an;
			r.p.atom = range;
		}
		c->raw[k++] = r;
	}
	c->nraw = k;
	if (c->nraw > 1)
		qsort(c->raw, c->nraw, sizeof *c->raw, rawpc_cmp);
}

/* TM126 for r: severity by NEW's zones, the allowing rules of NEW's edge. */
static void weakened_finding(dmctx *c, tm_graph *g, const tm_zonemap *zm, const rawpc *r)
{
	const tm_edge *e = &g->edges[r->p.edge];
	const char *zone = tm_mesh_sensitive_zone(zm, g, e->dst, false);
	tm_severity sev = tm_prot_change_severity(r->n, zone != NULL);
	tm_buf_reset(&c->b);
	(void)tm_buf_addf(&c->b, "the change makes %s => %s %s on %s, %s before (%s)", r->p.src, r->p.dst,
			  tm_protection_name(r->n), r->conn, tm_protection_name(r->o), r->rn);
	if (zone)
		(void)tm_buf_addf(&c->b, "; %s is in zone %s", r->p.dst, zone);
	tm_findings *out = c->d->new_findings;
	tm_finding *fd = tm_check_finding(out, "TM126", sev, tm_buf_str(&c->b), NULL);
	fd->src = tm_findings_str(out, r->p.src);
	fd->dst = tm_findings_str(out, r->p.dst);
	fd->conns = tm_findings_str(out, r->conn);
	(void)tm_finding_attach_edge(g, out, fd, e->src, e->dst, r->ports);
}

static void walk_pairs(dmctx *c, const tm_graph *old_g, const tm_graph *new_g)
{
	tm_dcuts cs[2];
	tm_dcuts_build(cs, old_g, new_g);
	tm_dstream sa, sb;
	tm_dstream_init(&sa, old_g, cs, &c->d->arena);
	tm_dstream_init(&sb, new_g, cs, &c->d->arena);
	tm_dpair pa, pb;
	bool ha = tm_dstream_next(&sa, &pa), hb = tm_dstream_next(&sb, &pb);
	while (ha && hb) {
		int k = tm_dpair_cmp(&pa, &pb);
		if (k == 0)
			compare_pair(c, &pa, &pb);
		if (k <= 0)
			ha = tm_dstream_next(&sa, &pa);
		if (k >= 0)
			hb = tm_dstream_next(&sb, &pb);
	}
	tm_dstream_release(&sa);
	tm_dstream_release(&sb);
	tm_dcuts_release(cs);
}

/* Both postures known: the changes, the rule and the findings into d. */
static void diff_postures(const tm_graph *old_g, const tm_mesh_result *om, tm_graph *new_g, const tm_mesh_result *nm,
			  const tm_zones *new_z, tm_diff *d)
{
	dmctx c = {.om = om, .nm = nm, .pp = new_g->m->ports, .d = d};
	tm_buf_init(&c.b, DIFF_MESH_TEXT_CAP);
	d->mesh = true;
	walk_pairs(&c, old_g, new_g);
	merge_atoms(&c);
	const tm_check_info *ci = tm_check_find("TM126");
	tm_findings_add_rule(d->new_findings, ci->id, ci->name, ci->title, ci->help, ci->severity);
	tm_zonemap zm;
	tm_zonemap_build(&zm, new_g, new_z);
	for (size_t i = 0; i < c.nraw; i++) {
		const rawpc *r = &c.raw[i];
		tm_prot_change_kind k = tm_prot_change_classify(r->o, r->n);
		TM_HEAP_GROW(d->prot, d->nprot, d->capprot);
		d->prot[d->nprot++] =
			(tm_prot_change){k, tm_arena_strdup(&d->arena, r->p.src), tm_arena_strdup(&d->arena, r->p.dst),
					 r->conn, r->o, r->n, r->ro, r->rn};
		if (tm_prot_change_weakens(k, r->n))
			weakened_finding(&c, new_g, &zm, r);
	}
	tm_zonemap_release(&zm);
	tm_findings_sort(d->new_findings);
	free(c.raw);
	tm_buf_release(&c.b);
}

tm_err tm_diff_mesh(const tm_graph *old_g, const tm_mesh_result *old_m, tm_graph *new_g, const tm_mesh_result *new_m,
		    const tm_zones *new_z, const tm_mesh_opts *o, tm_diff *d)
{
	tm_mesh_opts def;
	tm_mesh_result *own[2] = {NULL, NULL};
	tm_err e = TM_OK;
	if (!o) {
		tm_mesh_opts_default(&def);
		o = &def;
	}
	if ((!old_m && !new_m && !tm_mesh_opts_any(o)) || !old_g || !new_g || !d->new_findings)
		return TM_OK;
	/* from the pipeline, a side without a posture holds no mesh object (it
	 * computes one for every input that holds some): the posture computed
	 * here has no diagnostics, which are all about mesh objects */
	if (!old_m && (e = tm_mesh_compute(old_g, o, &own[0])) != TM_OK)
		goto out;
	if (!new_m && (e = tm_mesh_compute(new_g, o, &own[1])) != TM_OK)
		goto out;
	diff_postures(old_g, old_m ? old_m : own[0], new_g, new_m ? new_m : own[1], new_z, d);
out:
	tm_mesh_result_free(own[0]);
	tm_mesh_result_free(own[1]);
	return e;
}
