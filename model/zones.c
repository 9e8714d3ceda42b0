/* zones.c - the zone types' small functions and the default zones, which
 * are built from the model (no file is read). */
#include "model/zones.h"

#include <stdlib.h>
#include <string.h>

const char *tm_zaction_name(tm_zaction a)
{
	switch (a) {
	case TM_ZACT_DENY: return "deny";
	case TM_ZACT_ALLOW_ONLY: return "allow-only";
	case TM_ZACT_REQUIRE_MTLS: return "require-mtls";
	}
	return "?";
}

void tm_zones_free(tm_zones *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->nzones; i++)
		tm_ipset_release(&z->zones[i].ips);
	free(z->zones);
	free(z->rules);
	free(z);
}

const tm_zone *tm_zones_find(const tm_zones *z, const char *name)
{
	for (size_t i = 0; z && name && i < z->nzones; i++)
		if (!strcmp(z->zones[i].name, name))
			return &z->zones[i];
	return NULL;
}

bool tm_zone_name_valid(const char *s)
{
	/* DNS-label-like: lower-case letters, digits, '-', '.', '_' and '/' (for readability) */
	if (!s || !*s || strlen(s) > 253)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		      *p == '_' || (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

static tm_zone *add_default(tm_model *m, tm_zones *z, const char *name)
{
	TM_HEAP_GROW(z->zones, z->nzones, z->cap_zones);
	tm_zone *zn = &z->zones[z->nzones++];
	memset(zn, 0, sizeof *zn);
	tm_ipset_init(&zn->ips);
	zn->name = tm_intern(&m->strs, name);
	zn->label_value = zn->name;
	return zn;
}

static void add_default_rule(tm_model *m, tm_zones *z, const char *name, const char *from, const char *to)
{
	TM_HEAP_GROW(z->rules, z->nrules, z->cap_rules);
	tm_zrule *r = &z->rules[z->nrules++];
	memset(r, 0, sizeof *r);
	r->name = tm_intern(&m->strs, name);
	r->from = tm_intern(&m->strs, from);
	r->to = tm_intern(&m->strs, to);
	r->action = TM_ZACT_DENY;
	r->severity = TM_SEV_CRITICAL;
}

static int cstr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

tm_zones *tm_zones_default(tm_model *m)
{
	tm_zones *z = calloc(1, sizeof *z);
	if (!z)
		return NULL;
	tm_zone *pci = add_default(m, z, "pci");
	pci->has_ns_sel = true;
	pci->sensitive = true;
	pci->ns_sel.expr = tm_arena_alloc(&m->arena, sizeof(tm_selexpr));
	pci->ns_sel.nexpr = 1;
	pci->ns_sel.expr[0].key = tm_intern(&m->strs, "compliance");
	pci->ns_sel.expr[0].op = TM_SEL_IN;
	pci->ns_sel.expr[0].nvals = 2;
	pci->ns_sel.expr[0].vals = tm_arena_alloc(&m->arena, 2 * sizeof(char *));
	pci->ns_sel.expr[0].vals[0] = tm_intern(&m->strs, "pci");
	pci->ns_sel.expr[0].vals[1] = tm_intern(&m->strs, "pci-dss");
	tm_zone *fe = add_default(m, z, "frontend");
	fe->has_ns_sel = true;
	fe->ns_sel.match.n = 1;
	fe->ns_sel.match.v = tm_arena_alloc(&m->arena, sizeof(tm_label));
	fe->ns_sel.match.v[0].key = tm_intern(&m->strs, "tier");
	fe->ns_sel.match.v[0].val = tm_intern(&m->strs, "frontend");
	/* one zone per other trustmap.io/zone value, sorted by name */
	const char **vals = NULL;
	size_t nv = 0, cap = 0;
	for (size_t i = 0; i < m->nnamespaces + m->nworkloads; i++) {
		const tm_labels *l = i < m->nnamespaces ? &m->namespaces[i]->labels
							: &m->workloads[i - m->nnamespaces]->labels;
		const char *v = tm_labels_get(l, "trustmap.io/zone");
		if (!v || !*v || tm_zones_find(z, v) || !tm_zone_name_valid(v))
			continue;
		bool seen = false;
		for (size_t j = 0; j < nv && !seen; j++)
			seen = !strcmp(vals[j], v);
		if (!seen) {
			TM_HEAP_GROW(vals, nv, cap);
			vals[nv++] = v;
		}
	}
	if (nv)
		qsort(vals, nv, sizeof *vals, cstr_cmp);
	for (size_t j = 0; j < nv; j++)
		add_default(m, z, vals[j]);
	free(vals);
	add_default_rule(m, z, "frontend-must-not-reach-pci", "frontend", "pci");
	add_default_rule(m, z, "internet-must-not-reach-pci", TM_ZONE_INTERNET, "pci");
	return z;
}
