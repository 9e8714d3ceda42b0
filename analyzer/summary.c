/* summary.c - the analyses of the report (summary.h). */
#include "analyzer/summary.h"

#include <stdlib.h>
#include <string.h>

/* zones of an endpoint as bits over r->zones (internet last) */
static void ep_zones(const tm_graph *g, const tm_zonemap *zm, size_t ep, bool *in)
{
	for (size_t k = 0; k < zm->nzones; k++)
		in[k] = zm->bits[ep * zm->nzones + k];
	in[zm->nzones] = tm_zonemap_in(zm, g, ep, TM_ZONE_INTERNET);
}

static void cell_add(tm_portpool *pp, tm_zone_cell *c, const tm_ports *p, const tm_edge_annot *a)
{
	bool allowed = a->origin & TM_ORIGIN_ALLOWED;
	if (allowed) {
		c->pairs++;
		c->ports = c->ports ? tm_ports_union(pp, c->ports, p) : p;
	} else
		c->observed_only++;
	if (a->origin & TM_ORIGIN_OBSERVED)
		c->observed++;
	if (a->protection == TM_PROT_MTLS)
		c->mtls++;
	else if (a->protection == TM_PROT_PLAINTEXT || a->protection == TM_PROT_MTLS_PERMISSIVE)
		c->unprotected++;
	if (a->rule) {
		c->findings++;
		if (!c->rule || a->severity > c->severity) {
			c->rule = a->rule;
			c->severity = a->severity;
		}
	}
}

static void matrix(const tm_graph *g, const tm_zonemap *zm, const tm_annots *an, tm_report *r)
{
	size_t nz = r->nzones;
	tm_portpool *pp = g->m->ports;
	bool *bits = calloc(g->neps * nz + 1, 1);
	for (size_t i = 0; i < g->neps; i++)
		ep_zones(g, zm, i, bits + i * nz);
	tm_edge_annot plain = {NULL, TM_SEV_INFO, 0, TM_PROT_UNKNOWN, TM_ORIGIN_ALLOWED};
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		const tm_edge_annot *a = an && i < an->n ? &an->v[i] : &plain;
		for (size_t x = 0; x < nz; x++)
			if (bits[e->src * nz + x])
				for (size_t y = 0; y < nz; y++)
					if (bits[e->dst * nz + y])
						cell_add(pp, &r->matrix[x * nz + y], e->ports, a);
	}
	for (size_t i = 0; an && i < an->nobserved_only; i++) {
		const tm_observed_edge *o = &an->observed_only[i];
		for (size_t x = 0; x < nz; x++)
			if (bits[o->src * nz + x])
				for (size_t y = 0; y < nz; y++)
					if (bits[o->dst * nz + y])
						cell_add(pp, &r->matrix[x * nz + y], o->ports, &o->a);
	}
	free(bits);
}

static const char *path_text(const tm_graph *g, const tm_reach *rc, const tm_reached *x, tm_arena *a)
{
	uint32_t path[64];
	size_t n = tm_reach_path(rc, x, path, TM_ARRAY_LEN(path));
	tm_buf b;
	tm_buf_init(&b, 1 << 16);
	for (size_t i = 0; i < n && i < TM_ARRAY_LEN(path); i++)
		(void)tm_buf_addf(&b, "%s%s", i ? " → " : "", i + 1 == n ? x->name : g->eps[path[i]].name);
	const char *s = tm_arena_strdup(a, tm_buf_str(&b));
	tm_buf_release(&b);
	return s;
}

/* Lateral movement from every workload the internet may reach directly. */
static tm_err exposure(const tm_graph *g, const tm_zonemap *zm, tm_report *r)
{
	tm_portpool *pp = g->m->ports;
	const tm_ports **from = calloc(g->neps + 1, sizeof *from);
	const char **via = calloc(g->neps + 1, sizeof *via);
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		if (g->eps[e->dst].kind != TM_EP_WORKLOAD || !tm_zonemap_in(zm, g, e->src, TM_ZONE_INTERNET))
			continue;
		from[e->dst] = from[e->dst] ? tm_ports_union(pp, from[e->dst], e->ports) : e->ports;
		if (!via[e->dst] || g->eps[e->src].kind == TM_EP_INGRESS)
			via[e->dst] = g->eps[e->src].name;
	}
	/* by name: g->eps of workloads are in name order */
	tm_err rc = TM_OK;
	for (size_t i = 0; i < g->neps; i++) {
		if (!from[i])
			continue;
		r->exposed_total++;
		if (r->nexposed >= TM_REPORT_MAX_EXPOSED)
			continue;
		tm_exposed *x = &r->exposed[r->nexposed++];
		x->ep = (uint32_t)i;
		x->name = g->eps[i].name;
		x->via = via[i];
		x->from_internet = from[i];
		tm_reach rch;
		if ((rc = tm_reach_compute(g, (uint32_t)i, r->hops, &rch)) != TM_OK)
			break;
		x->reached = rch.n;
		x->targets = tm_arena_alloc(&r->arena, TM_REPORT_MAX_TARGETS * sizeof *x->targets);
		for (size_t k = 0; k < rch.n; k++) {
			const tm_reached *t = &rch.v[k];
			if (g->eps[t->ep].kind != TM_EP_WORKLOAD)
				continue;
			x->reached_workloads++;
			const char *zone = NULL;
			for (size_t z = 0; z < zm->nzones && !zone; z++)
				if (zm->z->zones[z].sensitive && zm->bits[t->ep * zm->nzones + z])
					zone = zm->z->zones[z].name;
			if (!zone)
				continue;
			x->targets_total++;
			if (x->ntargets >= TM_REPORT_MAX_TARGETS)
				continue;
			tm_reach_target *tg = &x->targets[x->ntargets++];
			tg->name = g->eps[t->ep].name;
			tg->zone = zone;
			tg->hops = t->hops;
			tg->ports = t->ports;
			tg->path = path_text(g, &rch, t, &r->arena);
		}
		tm_reach_release(&rch);
	}
	free(from);
	free(via);
	return rc;
}

static void counts(const tm_graph *g, tm_report *r)
{
	const tm_model *m = g->m;
	tm_report_counts *c = &r->counts;
	c->workloads = m->nworkloads;
	c->pods = m->npods;
	c->services = m->nservices;
	c->exposures = m->nexposures;
	c->netpols = m->nnetpols;
	c->admin_policies = tm_model_npolicies_admin(m);
	c->edges = g->nedges;
	c->files = m->files_read;
	c->objects = m->objects_read;
	for (size_t i = 0; i < g->neps; i++)
		c->ip_ranges += g->eps[i].kind == TM_EP_IPRANGE;
	/* namespaces holding workloads, and those of them without a Namespace object */
	bool *used = calloc(m->nnamespaces + 1, 1);
	for (size_t k = 0; k < m->nworkloads; k++)
		for (size_t lo = 0, hi = m->nnamespaces; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;
			int cmp = strcmp(m->namespaces[mid]->name, m->workloads[k]->ns);
			if (!cmp) {
				used[mid] = true;
				break;
			}
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	size_t cap = 0;
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const tm_namespace *ns = m->namespaces[i];
		if (!used[i] && !ns->declared)
			continue;
		c->namespaces++;
		if (!ns->declared) {
			TM_ARENA_GROW(&r->arena, r->undeclared, r->nundeclared, cap);
			r->undeclared[r->nundeclared++] = ns->name;
		}
	}
	free(used);
}

tm_err tm_report_build(const tm_graph *g, const tm_zonemap *zm, const tm_annots *an, uint32_t hops, tm_report *out)
{
	memset(out, 0, sizeof *out);
	tm_arena_init(&out->arena);
	out->hops = hops ? hops : 3;
	out->nzones = zm->nzones + 1;
	out->zones = tm_arena_alloc(&out->arena, out->nzones * sizeof *out->zones);
	bool *sens = tm_arena_alloc(&out->arena, out->nzones);
	for (size_t k = 0; k < zm->nzones; k++) {
		out->zones[k] = zm->z->zones[k].name;
		sens[k] = zm->z->zones[k].sensitive;
	}
	out->zones[zm->nzones] = TM_ZONE_INTERNET;
	out->sensitive = sens;
	out->matrix = tm_arena_alloc(&out->arena, out->nzones * out->nzones * sizeof *out->matrix);
	out->exposed = tm_arena_alloc(&out->arena, TM_REPORT_MAX_EXPOSED * sizeof *out->exposed);
	counts(g, out);
	matrix(g, zm, an, out);
	if (an && an->has_observed) {
		out->has_observed = true;
		for (size_t i = 0; i < an->n; i++) {
			if (an->v[i].origin & TM_ORIGIN_OBSERVED)
				out->allowed_seen++;
			else
				out->allowed_unseen++;
		}
		out->observed_only = an->nobserved_only;
	}
	tm_err rc = exposure(g, zm, out);
	tm_diagram_opts o = {TM_LEVEL_NAMESPACE, 0, 0, NULL, NULL};
	if (rc == TM_OK)
		rc = tm_diagram_build(g, zm, an, &o, &out->overview);
	if (rc == TM_OK && zm->nzones) {
		out->per_zone = calloc(zm->nzones, sizeof *out->per_zone);
		for (size_t k = 0; k < zm->nzones && rc == TM_OK; k++) {
			tm_diagram_opts zo = {TM_LEVEL_AUTO, 0, 0, zm->z->zones[k].name, NULL};
			rc = tm_diagram_build(g, zm, an, &zo, &out->per_zone[out->nper_zone++]);
		}
	}
	return rc;
}

void tm_report_release(tm_report *r)
{
	for (size_t i = 0; i < r->nper_zone; i++)
		tm_diagram_release(&r->per_zone[i]);
	free(r->per_zone);
	tm_diagram_release(&r->overview);
	tm_arena_release(&r->arena);
	memset(r, 0, sizeof *r);
}
