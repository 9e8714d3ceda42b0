/* checks_escape.c - the node-escape checks TM140..TM142 (docs/checks.md),
 * over the escapes and co-location of analyzer/escape.h. Their rows are in
 * the check table of checks.c; they run, and their rules are listed, only
 * when the input has an escape-capable pod or a hostNetwork pod. */
#include "analyzer/check.h"
#include "analyzer/escape.h"

#include <stdlib.h>
#include <string.h>

bool tm_check_is_escape(const char *id)
{
	return !strncmp(id, "TM14", 4) && id[4] >= '0' && id[4] <= '2' && !id[5];
}

typedef struct ectx {
	tm_graph *g;
	const tm_zones *z;
	const tm_zonemap *zm;
	const tm_escapes *es;
	tm_findings *out;
	tm_buf msg, obj;
} ectx;

static tm_finding *add(ectx *c, const char *id, tm_severity sev, const char *subject)
{
	return tm_check_finding(c->out, id, sev, tm_buf_str(&c->msg), subject);
}

static void suppress_wl(ectx *c, tm_finding *fd, const tm_workload *w)
{
	tm_check_suppress_wl(c->out, fd, w, &c->obj);
}

static void add_how_locs(ectx *c, tm_finding *fd, size_t ep)
{
	const tm_escapes *es = c->es;
	for (uint32_t i = es->how_first[ep]; i < es->how_first[ep + 1]; i++)
		tm_finding_add_loc(c->out, fd, es->how[i].loc, es->how[i].setting);
}

/* the sensitive zone ep belongs to, or NULL */
static const char *sensitive_zone(ectx *c, size_t ep)
{
	for (size_t i = 0; c->z && i < c->z->nzones; i++)
		if (c->z->zones[i].sensitive && tm_zonemap_in(c->zm, c->g, ep, c->z->zones[i].name))
			return c->z->zones[i].name;
	return NULL;
}

/* infrastructure namespaces: where node agents belong (docs/checks.md) */
static bool infra_ns(const tm_namespace *ns, const char *name)
{
	static const char *const names[] = {"kube-system", "kube-public", "kube-node-lease"};
	for (size_t i = 0; i < TM_ARRAY_LEN(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	const char *v = ns ? tm_labels_get(&ns->labels, "trustmap.io/infrastructure") : NULL;
	return v && !strcmp(v, "true");
}

/* ---- TM140: a sensitive pod on the node of an escape-capable one ---- */
static void check_shared_node(ectx *c)
{
	const tm_escapes *es = c->es;
	const tm_graph *g = c->g;
	tm_place *best = calloc(g->neps + 1, sizeof *best);
	uint32_t *node = calloc(g->neps + 1, sizeof *node);
	if (!best || !node)
		abort();
	for (size_t x = 0; x < g->neps; x++) {
		if (!tm_escapes_count(es, x))
			continue;
		memset(best, 0, g->neps * sizeof *best);
		for (size_t i = 0; i < es->nplace[x]; i++) {
			const tm_onnode *p = &es->place[x][i];
			const tm_hostnode *hn = &es->nodes[p->ep];
			for (size_t k = 0; k < hn->nmembers; k++) {
				const tm_onnode *mb = &hn->members[k];
				if (mb->ep == x)
					continue;
				tm_place pl = p->place == TM_PLACE_KNOWN && mb->place == TM_PLACE_KNOWN && hn->own < 0
						      ? TM_PLACE_KNOWN
						      : TM_PLACE_POSSIBLE;
				if (pl > best[mb->ep]) {
					best[mb->ep] = pl;
					node[mb->ep] = p->ep;
				}
			}
		}
		for (size_t e = 0; e < g->neps; e++) {
			if (!best[e])
				continue;
			const char *zone = sensitive_zone(c, e);
			if (!zone)
				continue;
			const tm_hostnode *hn = &es->nodes[node[e]];
			const char *why = NULL;
			tm_escapes_on(es, node[e], e, &why);
			bool known = best[e] == TM_PLACE_KNOWN;
			tm_buf_reset(&c->msg);
			if (known)
				(void)tm_buf_addf(&c->msg, "%s (zone %s) runs on %s with %s, which can escape to the node: %s",
						  g->eps[e].name, zone, hn->name, g->eps[x].name, es->how[es->how_first[x]].setting);
			else
				(void)tm_buf_addf(&c->msg,
						  "%s (zone %s) may run on the same node as %s (%s; possible, not known: %s), which "
						  "can escape to the node: %s",
						  g->eps[e].name, zone, g->eps[x].name, hn->name, why ? why : "placement unknown",
						  es->how[es->how_first[x]].setting);
			tm_finding *fd = add(c, "TM140", known ? TM_SEV_CRITICAL : TM_SEV_MEDIUM, NULL);
			fd->src = tm_findings_str(c->out, g->eps[x].name);
			fd->dst = tm_findings_str(c->out, g->eps[e].name);
			add_how_locs(c, fd, x);
			tm_finding_add_loc(c->out, fd, g->eps[e].w->loc, "the sensitive workload");
			suppress_wl(c, fd, g->eps[x].w);
			suppress_wl(c, fd, g->eps[e].w);
		}
	}
	free(best);
	free(node);
}

/* ---- TM141: escape-capable pods outside the infrastructure namespaces ---- */
static void check_escape_capable(ectx *c)
{
	const tm_escapes *es = c->es;
	const tm_graph *g = c->g;
	for (size_t x = 0; x < g->neps; x++) {
		size_t n = tm_escapes_count(es, x);
		const tm_workload *w = g->eps[x].w;
		if (!n || infra_ns(w->nsp, w->ns))
			continue;
		tm_buf_reset(&c->msg);
		(void)tm_buf_addf(&c->msg, "%s can escape to its node: %s", g->eps[x].name, es->how[es->how_first[x]].setting);
		if (n > 1)
			(void)tm_buf_addf(&c->msg, " (and %zu more setting%s)", n - 1, n == 2 ? "" : "s");
		tm_finding *fd = add(c, "TM141", TM_SEV_HIGH, NULL);
		fd->src = tm_findings_str(c->out, g->eps[x].name);
		add_how_locs(c, fd, x);
		suppress_wl(c, fd, w);
	}
}

/* ---- TM142: NetworkPolicies that select hostNetwork pods ---- */
static void check_host_network_selected(ectx *c)
{
	const tm_graph *g = c->g;
	const tm_model *m = g->m;
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *np = m->netpols[i];
		size_t hits = 0;
		tm_buf_reset(&c->obj);
		const tm_workload *first = NULL;
		for (size_t e = 0; e < g->neps; e++) {
			if (g->eps[e].kind != TM_EP_WORKLOAD || !c->es->host_network[e])
				continue;
			const tm_workload *w = g->eps[e].w;
			if (strcmp(w->ns, np->ns) || !tm_selector_matches(&np->pod_sel, &w->labels))
				continue;
			if (!first)
				first = w;
			if (hits < 5)
				(void)tm_buf_addf(&c->obj, "%s%s", hits ? ", " : "", g->eps[e].name);
			hits++;
		}
		if (!hits)
			continue;
		tm_buf_reset(&c->msg);
		(void)tm_buf_addf(&c->msg,
				  "%s %s/%s selects %zu hostNetwork pod%s (%s%s): in most CNIs it does not apply to "
				  "them, whose traffic is the node's",
				  TM_NETPOL_KIND(np), np->ns, np->name, hits, hits == 1 ? "" : "s", tm_buf_str(&c->obj), hits > 5 ? ", ..." : "");
		tm_buf_reset(&c->obj);
		(void)tm_buf_addf(&c->obj, "%s %s/%s", TM_NETPOL_KIND(np), np->ns, np->name);
		tm_finding *fd = add(c, "TM142", TM_SEV_MEDIUM, tm_buf_str(&c->obj));
		tm_finding_add_loc(c->out, fd, np->loc, tm_buf_str(&c->obj));
		tm_finding_suppress(c->out, fd, np->ignore, tm_buf_str(&c->obj));
		if (first)
			suppress_wl(c, fd, first);
	}
}

bool tm_checks_escape_applies(const tm_graph *g)
{
	tm_escapes es;
	if (tm_escapes_build(g, &es) != TM_OK)
		return false;
	bool any = es.nhow > 0;
	for (size_t e = 0; e < g->neps && !any; e++)
		any = es.host_network[e];
	tm_escapes_release(&es);
	return any;
}

void tm_checks_escape_run(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out)
{
	ectx c = {.g = g, .z = z, .zm = zm, .out = out};
	tm_escapes es;
	if (tm_escapes_build(g, &es) != TM_OK)
		return;
	c.es = &es;
	tm_buf_init(&c.msg, 0);
	tm_buf_init(&c.obj, 0);
	check_shared_node(&c);
	check_escape_capable(&c);
	check_host_network_selected(&c);
	tm_buf_release(&c.msg);
	tm_buf_release(&c.obj);
	tm_escapes_release(&es);
}
