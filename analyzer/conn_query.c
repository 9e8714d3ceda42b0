/* conn_query.c - small queries over the connectivity graph built only on the
 * public analyzer/conn.h API: which policy rules allow an edge. */
#include "analyzer/check.h"

#include <stdlib.h>
#include <string.h>

size_t tm_conn_allowing(tm_graph *g, size_t src, size_t dst, const tm_ports *conns, tm_allow_ref **out)
{
	tm_explain ex;
	tm_allow_ref *v = NULL;
	size_t n = 0, cap = 0;
	*out = NULL;
	memset(&ex, 0, sizeof ex);
	if (tm_conn_explain(g, src, dst, &ex) != TM_OK)
		goto out;
	for (int pass = 0; pass < 2; pass++) {
		tm_dir want = pass == 0 ? TM_DIR_EGRESS : TM_DIR_INGRESS;
		for (size_t i = 0; i < ex.n; i++) {
			const tm_why *w = &ex.v[i];
			if (w->dir != want || w->kind != TM_WHY_RULE || w->action != TM_ACT_ALLOW)
				continue;
			if (conns && tm_ports_is_empty(tm_ports_inter(g->m->ports, w->ports, conns)))
				continue;
			bool dup = false;
			for (size_t j = 0; j < n && !dup; j++)
				dup = v[j].dir == w->dir && v[j].rule == w->rule && !tm_strcmp_null(v[j].policy, w->policy) &&
				      !tm_strcmp_null(v[j].policy_kind, w->policy_kind);
			if (dup)
				continue;
			TM_HEAP_GROW(v, n, cap);
			v[n].dir = w->dir;
			v[n].policy_kind = w->policy_kind;
			v[n].policy = w->policy;
			v[n].rule_name = w->rule_name;
			v[n].rule = w->rule;
			v[n].loc = w->loc;
			n++;
		}
	}
out:
	tm_explain_release(&ex);
	*out = v;
	return n;
}

void tm_allow_ref_format(const tm_allow_ref *r, tm_buf *out)
{
	tm_buf_addf(out, "%s %s %s rule %ld", r->policy_kind ? r->policy_kind : "policy", r->policy ? r->policy : "?",
		    r->dir == TM_DIR_EGRESS ? "egress" : "ingress", r->rule);
	if (r->rule_name)
		tm_buf_addf(out, " (%s)", r->rule_name);
}

const char *tm_allow_ref_ignore(const tm_model *m, const tm_allow_ref *r)
{
	if (!r->policy_kind || !r->policy)
		return NULL;
	const char *sl = strchr(r->policy, '/');
	if (sl) { /* a NetworkPolicy, or a Cilium policy's allow part: ns/name */
		size_t nl = (size_t)(sl - r->policy);
		for (size_t i = 0; i < m->nnetpols; i++) {
			const tm_netpol *np = m->netpols[i];
			if (!strcmp(TM_NETPOL_KIND(np), r->policy_kind) && !strcmp(np->name, sl + 1) && strlen(np->ns) == nl &&
			    !memcmp(np->ns, r->policy, nl))
				return np->ignore;
		}
	}
	if (!strcmp(r->policy_kind, "NetworkPolicy"))
		return NULL;
	if (!strcmp(r->policy_kind, "BaselineAdminNetworkPolicy"))
		return m->banp ? m->banp->ignore : NULL;
	for (size_t i = 0; i < m->nanps; i++)
		if (!strcmp(m->anps[i]->name, r->policy))
			return m->anps[i]->ignore;
	for (size_t i = 0; i < m->nbaselines; i++)
		if (!strcmp(m->baselines[i]->name, r->policy))
			return m->baselines[i]->ignore;
	return NULL;
}
