/* classes.c - workload classes and namespace runs.
 *
 * Workloads whose namespace, labels and container ports are equal behave the
 * same under every selector and named port: they form one class, and every
 * policy decision is computed per class pair (and per class x IP range),
 * never per workload. Classes are sorted by namespace first, so that the
 * classes of one namespace are a run. */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

static int cport_cmp(const tm_cport *a, const tm_cport *b)
{
	int c = tm_strcmp_null(a->name, b->name);
	if (c)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return (int)a->proto - (int)b->proto;
}

static int wl_class_cmp(const tm_workload *a, const tm_workload *b)
{
	int c = strcmp(a->ns, b->ns);
	if (c)
		return c;
	c = tm_labels_cmp(&a->labels, &b->labels);
	if (c)
		return c;
	if (a->nports != b->nports)
		return a->nports < b->nports ? -1 : 1;
	for (size_t i = 0; i < a->nports; i++) {
		c = cport_cmp(&a->ports[i], &b->ports[i]);
		if (c)
			return c;
	}
	return 0;
}

static int wl_class_qcmp(const void *x, const void *y)
{
	const tm_workload *a = *(const tm_workload *const *)x, *b = *(const tm_workload *const *)y;
	int c = wl_class_cmp(a, b);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Classes are sorted by namespace first: split them into runs of one
 * namespace so that namespace selectors are evaluated once per namespace. */
static void ns_runs(engine *e)
{
	e->runs = tm_xrealloc(NULL, (e->nc + 2) * sizeof(size_t));
	e->nruns = 0;
	for (size_t k = 0; k < e->nc; k++)
		if (k == 0 || e->c[k].ns_labels != e->c[k - 1].ns_labels || strcmp(e->c[k].ns, e->c[k - 1].ns))
			e->runs[e->nruns++] = k;
	e->runs[e->nruns] = e->nc;
}

/* The workload classes [*lo, *hi) of namespace ns (the ingress controller's
 * class, last and out of order, is not among them). */
void eng_ns_class_range(const engine *e, const char *ns, size_t *lo, size_t *hi)
{
	size_t a = 0, b = e->nruns;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		const cls *c = &e->c[e->runs[mid]];
		if (c->rep && strcmp(c->ns, ns) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = *hi = 0;
	for (; a < e->nruns; a++) {
		const cls *c = &e->c[e->runs[a]];
		if (!c->rep || strcmp(c->ns, ns))
			break;
		if (*lo == *hi)
			*lo = e->runs[a];
		*hi = e->runs[a + 1];
	}
}

uint32_t eng_classes(engine *e, uint32_t *wcls, bool want_ic, bool group)
{
	const tm_graph *g = e->g;
	size_t nw = g->nworkloads;
	const tm_workload **sorted = tm_xrealloc(NULL, (nw + 1) * sizeof *sorted);
	if (nw)
		memcpy(sorted, g->workloads, nw * sizeof *sorted);
	if (nw > 1 && group)
		qsort(sorted, nw, sizeof *sorted, wl_class_qcmp);
	e->c = tm_xrealloc(NULL, (nw + 2) * sizeof(cls));
	memset(e->c, 0, (nw + 2) * sizeof(cls));
	for (size_t i = 0; i < nw; i++) {
		const tm_workload *w = sorted[i];
		/* with ipBlocks matching pods, pods' addresses set workloads apart */
		if (i == 0 || !group || wl_class_cmp(sorted[i - 1], w) != 0 || e->o.ipblock_matches_pods) {
			cls *k = &e->c[e->nc++];
			k->rep = w;
			k->pod = g->pod_of ? g->pod_of[w->index] : NULL;
			k->ns = w->ns;
			k->ns_labels = &w->nsp->labels;
			k->labels = &w->labels;
			k->ports = w->ports;
			k->nports = w->nports;
		}
		wcls[w->index] = (uint32_t)(e->nc - 1);
	}
	free(sorted);

	/* the ingress controller: a label-less pod in ingress-controller-ns */
	uint32_t ic = UINT32_MAX;
	if (want_ic) {
		tm_graph *gw = e->g;
		e->ic_ns_labels = tm_labels_with(&gw->arena, &e->no_labels, tm_intern(&gw->strs, "kubernetes.io/metadata.name"),
						 tm_intern(&gw->strs, "ingress-controller-ns"));
		cls *k = &e->c[e->nc];
		k->rep = NULL;
		k->ns = tm_intern(&gw->strs, "ingress-controller-ns");
		k->ns_labels = &e->ic_ns_labels;
		k->labels = &e->no_labels;
		ic = (uint32_t)e->nc++;
	}
	e->words = (e->nc + 63) / 64 + 1;
	if (group)
		ns_runs(e);
	return ic;
}
