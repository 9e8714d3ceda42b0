/* explain.c - why a pair has the connections it has: the decision
 * function with a trace (decide.c), so that an explanation cannot disagree
 * with the graph. */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

tm_err eng_explain(const tm_graph *g, size_t src, size_t dst, tm_explain *ex)
{
	engine *e = g->priv;
	tm_portpool *pp = e->pp;
	memset(ex, 0, sizeof *ex);
	if (src >= g->neps || dst >= g->neps)
		return TM_ERR_USAGE;
	const tm_endpoint *s = &g->eps[src], *d = &g->eps[dst];
	ex->egress = ex->ingress = tm_ports_all(pp);
	if (s->kind == TM_EP_IPRANGE && d->kind == TM_EP_IPRANGE)
		return TM_ERR_USAGE;
	if (s->kind == TM_EP_IPRANGE)
		eng_why_add(ex, TM_DIR_EGRESS, TM_WHY_EXTERNAL, NULL, NULL, ex->egress);
	else {
		peerref pr = {d->kind == TM_EP_IPRANGE, d->cls, d->range};
		ex->egress = eng_eval_dir(e, TM_DIR_EGRESS, s->cls, pr, ex);
	}
	if (d->kind == TM_EP_IPRANGE)
		eng_why_add(ex, TM_DIR_INGRESS, TM_WHY_EXTERNAL, NULL, NULL, ex->ingress);
	else {
		peerref pr = {s->kind == TM_EP_IPRANGE, s->cls, s->range};
		ex->ingress = eng_eval_dir(e, TM_DIR_INGRESS, d->cls, pr, ex);
	}
	ex->allowed = tm_ports_inter(pp, ex->egress, ex->ingress);
	if (s->kind == TM_EP_INGRESS && d->kind == TM_EP_WORKLOAD) {
		bool any = false;
		ex->allowed = tm_ports_inter(pp, ex->allowed, eng_exposure_ports(e, d->w, &any));
	}
	return TM_OK;
}
