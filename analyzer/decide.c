/* decide.c - the one decision function.
 *
 * eval_dir() decides a direction for a pair: the ANP tier by priority (the
 * first matching rule decides each port; Pass hands ports on), then the
 * NetworkPolicies (the union of matching rules; default deny when any
 * selects the subject), then the baseline tier, then default allow. The bulk
 * computation (graph_build.c) and tm_conn_explain() (explain.c) both call
 * it, so what `explain` says is what `conn` computed. */
#include "analyzer/engine_priv.h"

#include <string.h>

static bool ip_peer_matches(const tm_rule *r, tm_iprange atom)
{
	for (size_t j = 0; j < r->npeers; j++)
		if (r->peers[j].kind == TM_PEER_IPBLOCK && tm_ipset_contains_range(&r->peers[j].ips, atom))
			return true;
	return false;
}

static bool rule_matches(const engine *e, const erule *er, peerref p)
{
	if (er->r->all_peers)
		return true;
	if (p.is_ip)
		return ip_peer_matches(er->r, p.atom);
	if (bit_get(er->bits, p.cls))
		return true;
	if (e->o.ipblock_matches_pods && e->c[p.cls].rep) {
		/* a workload matches when each of its pods that has addresses has
		 * one inside (a dual-stack pod talks IPv4 from its IPv4 address);
		 * at pod granularity a workload endpoint's pods are its Pod only */
		const tm_model *m = e->m;
		const tm_workload *w = e->c[p.cls].rep;
		const tm_pod *only = e->c[p.cls].pod;
		bool view = e->g->granularity == TM_GRAN_POD;
		bool any = false;
		for (size_t i = 0; i < m->npods; i++) {
			const tm_pod *pod = m->pods[i];
			if ((view ? pod != only : pod->owner != w) || !pod->nips)
				continue;
			bool inside = false;
			for (size_t k = 0; k < pod->nips && !inside; k++) {
				tm_iprange one = {pod->ips[k], pod->ips[k]};
				inside = ip_peer_matches(er->r, one);
			}
			if (!inside)
				return false;
			any = true;
		}
		return any;
	}
	return false;
}

/* The rule's ports towards destination class dst (NULL: an IP range). */
static const tm_ports *rule_ports(engine *e, const tm_rule *r, const cls *dst)
{
	if (!r->has_named || !dst)
		return r->fixed;
	const tm_ports *u = r->fixed;
	for (size_t i = 0; i < r->nports; i++) {
		const tm_portspec *ps = &r->ports[i];
		if (!ps->name)
			continue;
		for (size_t k = 0; k < dst->nports; k++) {
			const tm_cport *cp = &dst->ports[k];
			if (cp->name && !strcmp(cp->name, ps->name) && (ps->proto_from_pod || cp->proto == ps->proto))
				u = tm_ports_union(e->pp, u, tm_ports_range(e->pp, cp->proto, cp->port, cp->port));
		}
	}
	return u;
}

void eng_why_add(tm_explain *ex, tm_dir dir, tm_why_kind kind, const epol *pol, const tm_rule *r,
		 const tm_ports *ports)
{
	if (!ex)
		return;
	TM_HEAP_GROW(ex->v, ex->n, ex->cap);
	tm_why *w = &ex->v[ex->n++];
	memset(w, 0, sizeof *w);
	w->dir = dir;
	w->kind = kind;
	w->rule = -1;
	w->ports = ports;
	if (pol) {
		w->policy_kind = pol->kind_name;
		w->policy = pol->name;
	}
	if (r) {
		w->rule = (long)r->index;
		w->rule_name = r->name;
		w->action = r->action;
		w->auth = r->auth;
		w->loc = r->loc;
	}
}

/* A matching rule whose named port no container of the destination has:
 * it silently allows nothing for that entry, which explain says. */
static void why_unresolved(tm_explain *ex, tm_dir dir, const epol *pol, const tm_rule *r, const cls *dst)
{
	for (size_t i = 0; i < r->nports; i++) {
		const tm_portspec *ps = &r->ports[i];
		bool found = false;
		if (!ps->name)
			continue;
		for (size_t k = 0; dst && k < dst->nports && !found; k++)
			found = dst->ports[k].name && !strcmp(dst->ports[k].name, ps->name) &&
				(ps->proto_from_pod || dst->ports[k].proto == ps->proto);
		if (found)
			continue;
		eng_why_add(ex, dir, TM_WHY_NAMED_UNRESOLVED, pol, r, NULL);
		ex->v[ex->n - 1].port_name = ps->name;
		ex->v[ex->n - 1].loc = ps->loc;
	}
}

/* After a NetworkPolicy default deny of denied: every policy that isolates
 * the subject for dir, and the rules of those that almost matched: the right
 * peer but other ports, or some of the denied ports but other peers. */
static void why_isolated(engine *e, tm_explain *ex, tm_dir dir, epol **nps, size_t nnps, peerref p,
			 const cls *dst, const tm_ports *denied)
{
	bool ing = dir == TM_DIR_INGRESS;
	for (size_t i = 0; i < nnps; i++) {
		epol *pol = nps[i];
		eng_why_add(ex, dir, TM_WHY_ISOLATED, pol, NULL, NULL);
		ex->v[ex->n - 1].loc = pol->loc;
		erule *rs = ing ? pol->in : pol->eg;
		size_t nr = ing ? pol->nin : pol->neg;
		for (size_t j = 0; j < nr; j++) {
			const tm_ports *rp = rule_ports(e, rs[j].r, dst);
			bool peer = rule_matches(e, &rs[j], p);
			const tm_ports *some = tm_ports_inter(e->pp, rp, denied);
			if (peer && tm_ports_is_empty(rp))
				continue; /* allows nothing at all (an unresolved named port: said already) */
			if (!peer && tm_ports_is_empty(some))
				continue; /* neither the peer nor the port */
			eng_why_add(ex, dir, peer ? TM_WHY_NEAR_PORT : TM_WHY_NEAR_PEER, pol, rs[j].r, NULL);
			ex->v[ex->n - 1].rule_ports = peer ? rp : some;
		}
	}
}

/* The connections that subject class k allows in direction dir with peer p.
 * Port resolution targets the destination: k for ingress, p for egress. */
const tm_ports *eng_eval_dir(engine *e, tm_dir dir, uint32_t k, peerref p, tm_explain *ex)
{
	tm_portpool *pp = e->pp;
	const cls *kc = &e->c[k];
	const cls *dst = dir == TM_DIR_INGRESS ? kc : (p.is_ip ? NULL : &e->c[p.cls]);
	const tm_ports *allowed = tm_ports_empty(pp), *undecided = tm_ports_all(pp);
	const tm_ports *passed = tm_ports_empty(pp);
	bool ing = dir == TM_DIR_INGRESS;

	/* tier 1: AdminNetworkPolicies by priority, rules in order */
	epol **anps = ing ? kc->anp_in : kc->anp_eg;
	size_t nanps = ing ? kc->nanp_in : kc->nanp_eg;
	for (size_t i = 0; i < nanps && !tm_ports_is_empty(undecided); i++) {
		epol *pol = anps[i];
		erule *rs = ing ? pol->in : pol->eg;
		size_t nr = ing ? pol->nin : pol->neg;
		for (size_t j = 0; j < nr && !tm_ports_is_empty(undecided); j++) {
			if (!rule_matches(e, &rs[j], p))
				continue;
			const tm_ports *cov = tm_ports_inter(pp, undecided, rule_ports(e, rs[j].r, dst));
			if (tm_ports_is_empty(cov))
				continue;
			if (rs[j].r->action == TM_ACT_ALLOW)
				allowed = tm_ports_union(pp, allowed, cov);
			else if (rs[j].r->action == TM_ACT_PASS)
				passed = tm_ports_union(pp, passed, cov);
			undecided = tm_ports_minus(pp, undecided, cov);
			eng_why_add(ex, dir, TM_WHY_RULE, pol, rs[j].r, cov);
		}
	}
	const tm_ports *rest = tm_ports_union(pp, undecided, passed);
	if (tm_ports_is_empty(rest))
		return allowed;

	/* tier 2: NetworkPolicies */
	epol **nps = ing ? kc->np_in : kc->np_eg;
	size_t nnps = ing ? kc->nnp_in : kc->nnp_eg;
	if (nnps) {
		const tm_ports *npa = tm_ports_empty(pp);
		for (size_t i = 0; i < nnps; i++) {
			epol *pol = nps[i];
			erule *rs = ing ? pol->in : pol->eg;
			size_t nr = ing ? pol->nin : pol->neg;
			for (size_t j = 0; j < nr; j++) {
				if (!rule_matches(e, &rs[j], p))
					continue;
				const tm_ports *rp = rule_ports(e, rs[j].r, dst);
				npa = tm_ports_union(pp, npa, rp);
				if (ex) {
					const tm_ports *cov = tm_ports_inter(pp, rest, rp);
					if (!tm_ports_is_empty(cov))
						eng_why_add(ex, dir, TM_WHY_RULE, pol, rs[j].r, cov);
					why_unresolved(ex, dir, pol, rs[j].r, dst);
				}
			}
		}
		const tm_ports *ok = tm_ports_inter(pp, rest, npa);
		if (ex) {
			const tm_ports *denied = tm_ports_minus(pp, rest, npa);
			if (!tm_ports_is_empty(denied)) {
				eng_why_add(ex, dir, TM_WHY_NP_DEFAULT_DENY, NULL, NULL, denied);
				why_isolated(e, ex, dir, nps, nnps, p, dst, denied);
			}
		}
		return tm_ports_union(pp, allowed, ok);
	}

	/* tier 3: the baseline policies (BANP, Baseline-tier CNPs by priority):
	 * the first matching rule decides; Pass skips the rest of the tier, so it
	 * ends in the default allow like Allow/Accept does */
	if (kc->nbl) {
		for (size_t i = 0; i < kc->nbl && !tm_ports_is_empty(rest); i++) {
			epol *pol = kc->bl[i];
			erule *rs = ing ? pol->in : pol->eg;
			size_t nr = ing ? pol->nin : pol->neg;
			for (size_t j = 0; j < nr && !tm_ports_is_empty(rest); j++) {
				if (!rule_matches(e, &rs[j], p))
					continue;
				const tm_ports *cov = tm_ports_inter(pp, rest, rule_ports(e, rs[j].r, dst));
				if (tm_ports_is_empty(cov))
					continue;
				if (rs[j].r->action != TM_ACT_DENY)
					allowed = tm_ports_union(pp, allowed, cov);
				rest = tm_ports_minus(pp, rest, cov);
				eng_why_add(ex, dir, TM_WHY_RULE, pol, rs[j].r, cov);
			}
		}
		if (!tm_ports_is_empty(rest))
			eng_why_add(ex, dir, TM_WHY_BANP_DEFAULT, NULL, NULL, rest);
	} else
		eng_why_add(ex, dir, TM_WHY_NOT_SELECTED, NULL, NULL, rest);
	return tm_ports_union(pp, allowed, rest);
}

/* ---- the ingress controller (NPA 2.6) ---- */
const tm_ports *eng_exposure_ports(engine *e, const tm_workload *w, bool *any_exposure)
{
	const tm_model *m = e->m;
	const tm_ports *u = tm_ports_empty(e->pp);
	/* tm_model_finish() sorts exposures by (ns, kind, name) and services by
	 * (ns, name): binary searches find the namespace's exposures and each
	 * exposure's services (this runs once per workload). */
	size_t lo = 0, hi = m->nexposures;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->exposures[mid]->ns, w->ns) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < m->nexposures && !strcmp(m->exposures[i]->ns, w->ns); i++) {
		const tm_exposure *x = m->exposures[i];
		if (strcmp(x->kind, "Ingress") && strcmp(x->kind, "Route"))
			continue;
		size_t slo = 0, shi = m->nservices;
		while (slo < shi) {
			size_t mid = slo + (shi - slo) / 2;
			const tm_service *sv = m->services[mid];
			int c = strcmp(sv->ns, x->ns);
			if (c < 0 || (c == 0 && strcmp(sv->name, x->service) < 0))
				slo = mid + 1;
			else
				shi = mid;
		}
		for (size_t s = slo; s < m->nservices; s++) {
			const tm_service *svc = m->services[s];
			if (strcmp(svc->ns, x->ns) || strcmp(svc->name, x->service))
				break;
			if (!svc->has_selector || svc->selector.n == 0)
				continue;
			tm_selector sel = {svc->selector, 0, NULL};
			if (!tm_selector_matches(&sel, &w->labels))
				continue;
			*any_exposure = true;
			for (size_t k = 0; k < svc->nports; k++) {
				const tm_svcport *sp = &svc->ports[k];
				/* the exposure names a service port by number or name, or
				 * (as NPA also accepts) its targetPort; the first match wins */
				bool given = x->port || x->port_name;
				bool match = !given ||
					(x->port && (x->port == sp->port || (!sp->target_name && x->port == sp->target_port))) ||
					(x->port_name && ((sp->name && !strcmp(x->port_name, sp->name)) ||
							  (sp->target_name && !strcmp(x->port_name, sp->target_name))));
				if (!match)
					continue;
				uint32_t target = sp->target_port;
				bool found = false;
				for (size_t c = 0; c < w->nports; c++) {
					const tm_cport *cp = &w->ports[c];
					/* a named targetPort must be a TCP port; a number must be
					 * declared by a container (of any protocol, as NPA) */
					if (sp->target_name ? (cp->name && !strcmp(cp->name, sp->target_name) &&
							       cp->proto == TM_PROTO_TCP)
							    : cp->port == target) {
						target = cp->port;
						found = true;
						break;
					}
				}
				if (found)
					u = tm_ports_union(e->pp, u, tm_ports_range(e->pp, TM_PROTO_TCP, target, target));
				if (given)
					break;
			}
		}
	}
	return u;
}
