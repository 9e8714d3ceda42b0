/* granularity.c - `--granularity pod`: one endpoint per Pod object.
 *
 * Rewrites the model's workload list so that every Pod read becomes its own
 * endpoint (kind Pod, its own labels and IPs, the container ports of its
 * owner), while workloads with no Pod objects (a Deployment without its pods
 * in the input) stay as they are. The connectivity engine then runs
 * unchanged: granularity is a choice of endpoints, not of semantics. */
#include "analyzer/granularity.h"

#include <string.h>

void tm_model_pod_granularity(tm_model *m)
{
	tm_workload **nw = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < m->nworkloads; i++) {
		tm_workload *w = m->workloads[i];
		if (w->npods == 0) {
			TM_ARENA_GROW(&m->arena, nw, n, cap);
			nw[n++] = w;
		}
	}
	for (size_t i = 0; i < m->npods; i++) {
		tm_pod *p = m->pods[i];
		tm_workload *o = p->owner;
		tm_workload *w = tm_arena_alloc(&m->arena, sizeof *w);
		*w = *o;
		w->kind = tm_intern(&m->strs, "Pod");
		w->name = p->name;
		w->labels = p->labels;
		w->display = tm_intern(&m->strs, tm_arena_printf(&m->arena, "%s/%s[Pod]", p->ns, p->name));
		w->replicas = 1;
		w->npods = 1;
		w->from_pods = true;
		w->loc = p->loc;
		p->owner = w;
		TM_ARENA_GROW(&m->arena, nw, n, cap);
		nw[n++] = w;
	}
	m->workloads = nw;
	m->nworkloads = n;
	m->cap_wl = cap;
	tm_model_finish(m);
}
