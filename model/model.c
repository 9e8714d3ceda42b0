/* model.c - the model container, lookups and final ordering. */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

tm_model *tm_model_new(void)
{
	tm_model *m = tm_xrealloc(NULL, sizeof *m);
	memset(m, 0, sizeof *m);
	tm_arena_init(&m->arena);
	tm_strtab_init(&m->strs, &m->arena);
	m->ports = tm_portpool_new();
	tm_diags_init(&m->diags, &m->arena);
	return m;
}

void tm_model_free(tm_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nnetpols; i++) {
		tm_netpol *p = m->netpols[i];
		for (size_t r = 0; r < p->nin; r++)
			for (size_t k = 0; k < p->in_rules[r].npeers; k++)
				tm_ipset_release(&p->in_rules[r].peers[k].ips);
		for (size_t r = 0; r < p->neg; r++)
			for (size_t k = 0; k < p->eg_rules[r].npeers; k++)
				tm_ipset_release(&p->eg_rules[r].peers[k].ips);
	}
	for (size_t i = 0; i <= m->nanps; i++) {
		tm_anp *p = i < m->nanps ? m->anps[i] : m->banp;
		if (!p)
			continue;
		for (size_t r = 0; r < p->nin; r++)
			for (size_t k = 0; k < p->in_rules[r].npeers; k++)
				tm_ipset_release(&p->in_rules[r].peers[k].ips);
		for (size_t r = 0; r < p->neg; r++)
			for (size_t k = 0; k < p->eg_rules[r].npeers; k++)
				tm_ipset_release(&p->eg_rules[r].peers[k].ips);
	}
	tm_portpool_free(m->ports);
	tm_strtab_release(&m->strs);
	tm_arena_release(&m->arena);
	free(m);
}

tm_namespace *tm_model_namespace(tm_model *m, const char *name, bool create)
{
	name = tm_intern(&m->strs, name);
	for (size_t i = 0; i < m->nnamespaces; i++)
		if (m->namespaces[i]->name == name)
			return m->namespaces[i];
	if (!create)
		return NULL;
	tm_namespace *ns = tm_arena_alloc(&m->arena, sizeof *ns);
	ns->name = name;
	tm_labels empty = {0, NULL};
	ns->labels = tm_labels_with(&m->arena, &empty, tm_intern(&m->strs, "kubernetes.io/metadata.name"), name);
	TM_ARENA_GROW(&m->arena, m->namespaces, m->nnamespaces, m->cap_ns);
	m->namespaces[m->nnamespaces++] = ns;
	return ns;
}

tm_workload *tm_model_find_workload(tm_model *m, const char *ns, const char *kind, const char *name)
{
	for (size_t i = m->nworkloads; i-- > 0;) {
		tm_workload *w = m->workloads[i];
		if (strcmp(w->ns, ns) == 0 && strcmp(w->name, name) == 0 && strcmp(w->kind, kind) == 0)
			return w;
	}
	return NULL;
}

void tm_model_count_ignored(tm_model *m, const char *kind, tm_srcloc loc)
{
	kind = tm_intern(&m->strs, kind);
	for (size_t i = 0; i < m->nignored; i++)
		if (m->ignored[i].kind == kind) {
			m->ignored[i].count++;
			return;
		}
	TM_ARENA_GROW(&m->arena, m->ignored, m->nignored, m->cap_ign);
	m->ignored[m->nignored].kind = kind;
	m->ignored[m->nignored].count = 1;
	m->ignored[m->nignored].first = loc;
	m->nignored++;
}

static int ns_cmp(const void *a, const void *b)
{
	return strcmp((*(tm_namespace *const *)a)->name, (*(tm_namespace *const *)b)->name);
}

static int wl_cmp(const void *a, const void *b)
{
	return strcmp((*(tm_workload *const *)a)->display, (*(tm_workload *const *)b)->display);
}

static int np_cmp(const void *a, const void *b)
{
	const tm_netpol *x = *(tm_netpol *const *)a, *y = *(tm_netpol *const *)b;
	int c = strcmp(x->ns, y->ns);
	return c ? c : strcmp(x->name, y->name);
}

static int svc_cmp(const void *a, const void *b)
{
	const tm_service *x = *(tm_service *const *)a, *y = *(tm_service *const *)b;
	int c = strcmp(x->ns, y->ns);
	return c ? c : strcmp(x->name, y->name);
}

static int exp_cmp(const void *a, const void *b)
{
	const tm_exposure *x = *(tm_exposure *const *)a, *y = *(tm_exposure *const *)b;
	int c = strcmp(x->ns, y->ns);
	if (!c)
		c = strcmp(x->kind, y->kind);
	return c ? c : strcmp(x->name, y->name);
}

static int anp_cmp(const void *a, const void *b)
{
	const tm_anp *x = *(tm_anp *const *)a, *y = *(tm_anp *const *)b;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int kc_cmp(const void *a, const void *b)
{
	return strcmp(((const tm_kindcount *)a)->kind, ((const tm_kindcount *)b)->kind);
}

static int pod_cmp(const void *a, const void *b)
{
	const tm_pod *x = *(tm_pod *const *)a, *y = *(tm_pod *const *)b;
	int c = strcmp(x->ns, y->ns);
	return c ? c : strcmp(x->name, y->name);
}

static void sort_ptrs(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, sz, cmp);
}

void tm_model_finish(tm_model *m)
{
	sort_ptrs(m->namespaces, m->nnamespaces, sizeof(void *), ns_cmp);
	sort_ptrs(m->workloads, m->nworkloads, sizeof(void *), wl_cmp);
	for (size_t i = 0; i < m->nworkloads; i++)
		m->workloads[i]->index = i;
	sort_ptrs(m->pods, m->npods, sizeof(void *), pod_cmp);
	sort_ptrs(m->netpols, m->nnetpols, sizeof(void *), np_cmp);
	for (size_t i = 0; i < m->nnetpols; i++)
		m->netpols[i]->index = i;
	sort_ptrs(m->services, m->nservices, sizeof(void *), svc_cmp);
	sort_ptrs(m->exposures, m->nexposures, sizeof(void *), exp_cmp);
	sort_ptrs(m->anps, m->nanps, sizeof(void *), anp_cmp);
	sort_ptrs(m->ignored, m->nignored, sizeof(tm_kindcount), kc_cmp);
}
