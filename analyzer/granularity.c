/* granularity.c - what the workload endpoints are (tm_conn_opts.granularity).
 *
 * At workload granularity they are the model's workloads. At pod
 * granularity every Pod read becomes its own endpoint (kind Pod, its own
 * labels and IPs, the container ports of its owner), while workloads with no
 * Pod objects (a Deployment without its pods in the input) stay as they
 * are. The view is built in the graph's arena from the read-only model; the
 * engine then runs unchanged: granularity is a choice of endpoints, not of
 * semantics. */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

/* The model's order (tm_model_finish): by display name. */
static int wl_display_qcmp(const void *a, const void *b)
{
	return strcmp((*(tm_workload *const *)a)->display, (*(tm_workload *const *)b)->display);
}

void eng_view(tm_graph *g)
{
	const tm_model *m = g->m;
	if (g->granularity != TM_GRAN_POD) {
		/* adding const to both levels of a pointer to pointer needs the cast */
		g->workloads = (const tm_workload *const *)m->workloads;
		g->nworkloads = m->nworkloads;
		return;
	}
	size_t n = 0, cap = m->nworkloads + m->npods + 1;
	tm_workload **v = tm_arena_alloc(&g->arena, cap * sizeof *v);
	for (size_t i = 0; i < m->nworkloads; i++) {
		const tm_workload *w = m->workloads[i];
		if (w->npods)
			continue;
		tm_workload *c = tm_arena_alloc(&g->arena, sizeof *c);
		*c = *w; /* a copy, so that its index can be its position here */
		v[n++] = c;
	}
	const char *pod_kind = tm_intern(&g->strs, "Pod");
	for (size_t i = 0; i < m->npods; i++) {
		const tm_pod *p = m->pods[i];
		tm_workload *w = tm_arena_alloc(&g->arena, sizeof *w);
		*w = *p->owner;
		w->kind = pod_kind;
		w->name = p->name;
		w->labels = p->labels;
		w->display = tm_intern(&g->strs, tm_arena_printf(&g->arena, "%s/%s[Pod]", p->ns, p->name));
		w->replicas = 1;
		w->npods = 1;
		w->from_pods = true;
		w->loc = p->loc;
		/* where it came from, for pod_of below (index is set after the sort) */
		w->index = m->nworkloads + i;
		v[n++] = w;
	}
	/* the same order the model gives its workloads, from the same input
	 * order, so that the endpoints come out as a rewritten model's did */
	if (n > 1)
		qsort(v, n, sizeof *v, wl_display_qcmp);
	const tm_pod **pod_of = tm_arena_alloc(&g->arena, (n + 1) * sizeof *pod_of);
	for (size_t i = 0; i < n; i++) {
		pod_of[i] = v[i]->index >= m->nworkloads ? m->pods[v[i]->index - m->nworkloads] : NULL;
		v[i]->index = i;
	}
	g->workloads = (const tm_workload *const *)v;
	g->pod_of = pod_of;
	g->nworkloads = n;
}
