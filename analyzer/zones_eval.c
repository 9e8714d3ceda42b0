/* zones_eval.c - zone membership of endpoints and zone boundary rules over
 * the edges of the connectivity graph (docs/zones.md). */
#include "analyzer/check.h"
#include "model/flow.h"
#include "analyzer/mesh.h"

#include <stdlib.h>
#include <string.h>

static bool workload_in_zone(const tm_workload *w, const tm_zone *zn)
{
	const tm_labels *nsl = w->nsp ? &w->nsp->labels : NULL;
	if (zn->label_value) {
		const char *v = nsl ? tm_labels_get(nsl, "trustmap.io/zone") : NULL;
		if ((v && !strcmp(v, zn->label_value)) ||
		    ((v = tm_labels_get(&w->labels, "trustmap.io/zone")) && !strcmp(v, zn->label_value)))
			return true;
	}
	if (!zn->has_ns_sel && !zn->has_pod_sel && !zn->nnamespaces)
		return false; /* an ipBlocks-only zone (or a label-only default zone) */
	if (zn->nnamespaces) {
		bool hit = false;
		for (size_t i = 0; i < zn->nnamespaces && !hit; i++)
			hit = !strcmp(zn->namespaces[i], w->ns);
		if (!hit)
			return false;
	}
	if (zn->has_ns_sel) {
		tm_labels empty = {0};
		if (!tm_selector_matches(&zn->ns_sel, nsl ? nsl : &empty))
			return false;
	}
	if (zn->has_pod_sel && !tm_selector_matches(&zn->pod_sel, &w->labels))
		return false;
	return true;
}

static bool range_in_zone(const tm_iprange *r, const tm_zone *zn)
{
	if (!zn->has_ips)
		return false;
	return tm_ipset_contains_range(&zn->ips, *r) || tm_ipset_contains_ip(&zn->ips, r->lo) ||
	       tm_ipset_contains_ip(&zn->ips, r->hi);
}

void tm_zonemap_build(tm_zonemap *zm, const tm_graph *g, const tm_zones *z)
{
	memset(zm, 0, sizeof *zm);
	zm->z = z;
	zm->neps = g->neps;
	zm->nzones = z ? z->nzones : 0;
	zm->ev = NULL;
	zm->bits = calloc(zm->neps * zm->nzones + 1, 1);
	if (!zm->bits)
		abort();
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *ep = &g->eps[i];
		for (size_t k = 0; k < zm->nzones; k++) {
			bool in = false;
			if (ep->kind == TM_EP_WORKLOAD)
				in = workload_in_zone(ep->w, &z->zones[k]);
			else if (ep->kind == TM_EP_IPRANGE)
				in = range_in_zone(&ep->range, &z->zones[k]);
			zm->bits[i * zm->nzones + k] = in;
		}
	}
}

void tm_zonemap_release(tm_zonemap *zm)
{
	free(zm->bits);
	memset(zm, 0, sizeof *zm);
}

static long zone_index(const tm_zones *z, const char *name)
{
	for (size_t i = 0; z && i < z->nzones; i++)
		if (!strcmp(z->zones[i].name, name))
			return (long)i;
	return -1;
}

/* internet: the ingress controller, and the IP ranges that no zone with
 * ipBlocks holds entirely (an office or node network declared as a zone is
 * not the internet). */
static bool in_internet(const tm_zonemap *zm, const tm_graph *g, size_t ep)
{
	if (g->eps[ep].kind == TM_EP_INGRESS)
		return true;
	if (g->eps[ep].kind != TM_EP_IPRANGE)
		return false;
	/* fail closed: a range stops being internet only when one zone's
	 * ipBlocks hold all of it; a /30 office network must not hide the /8
	 * range it falls in */
	for (size_t k = 0; k < zm->nzones; k++)
		if (zm->z->zones[k].has_ips && zm->bits[ep * zm->nzones + k] &&
		    tm_ipset_contains_range(&zm->z->zones[k].ips, g->eps[ep].range))
			return false;
	return true;
}

bool tm_zonemap_in(const tm_zonemap *zm, const tm_graph *g, size_t ep, const char *name)
{
	if (!strcmp(name, TM_ZONE_ANY))
		return true;
	if (!strcmp(name, TM_ZONE_INTERNET))
		return in_internet(zm, g, ep);
	long k = zone_index(zm->z, name);
	return k >= 0 && zm->bits[ep * zm->nzones + (size_t)k];
}

/* Endpoint membership test with zone index resolved once: -1 any, -2 internet. */
static bool in_idx(const tm_zonemap *zm, const tm_graph *g, size_t ep, long k)
{
	if (k == -1)
		return true;
	if (k == -2)
		return in_internet(zm, g, ep);
	return zm->bits[ep * zm->nzones + (size_t)k];
}

static long resolve(const tm_zones *z, const char *name)
{
	if (!strcmp(name, TM_ZONE_ANY))
		return -1;
	if (!strcmp(name, TM_ZONE_INTERNET))
		return -2;
	long k = zone_index(z, name);
	return k >= 0 ? k : -3;
}

static const char *rule_title(tm_buf *b, const tm_zrule *r)
{
	tm_buf_reset(b);
	switch (r->action) {
	case TM_ZACT_DENY:
		tm_buf_addf(b, "zone %s must not reach zone %s", r->from, r->to);
		break;
	case TM_ZACT_ALLOW_ONLY:
		tm_buf_addf(b, "only listed sources may reach zone %s", r->to);
		if (strcmp(r->from, TM_ZONE_ANY))
			tm_buf_addf(b, " from zone %s", r->from);
		break;
	case TM_ZACT_REQUIRE_MTLS:
		if (strcmp(r->from, TM_ZONE_ANY))
			tm_buf_addf(b, "connections from zone %s into zone %s must use mTLS", r->from, r->to);
		else
			tm_buf_addf(b, "connections into zone %s must use mTLS", r->to);
		break;
	}
	return tm_buf_str(b);
}

static const char *rule_help(tm_buf *b, const tm_zrule *r, const tm_zones *z)
{
	tm_buf_reset(b);
	tm_buf_addf(b, "Zone rule %s (%s, severity %s", r->name, tm_zaction_name(r->action),
		    tm_severity_name(r->severity));
	if (z->file)
		tm_buf_addf(b, ", %s:%u", z->file, r->loc.line);
	else
		tm_buf_adds(b, ", a default rule");
	tm_buf_adds(b, "). ");
	switch (r->action) {
	case TM_ZACT_DENY:
		tm_buf_adds(b, "Every connection that the policies allow from the source zone to the target zone is a finding.");
		break;
	case TM_ZACT_ALLOW_ONLY:
		tm_buf_adds(b, "Every allowed connection into the target zone that the rule's allow list does not cover is a finding.");
		break;
	case TM_ZACT_REQUIRE_MTLS:
		tm_buf_adds(b, "Every allowed connection into the target zone that is not proven to use mutual TLS is a finding. "
			       "Without mesh or observed-traffic evidence, no connection is proven.");
		break;
	}
	tm_buf_adds(b, " See docs/zones.md.");
	return tm_buf_str(b);
}

static bool allow_matches_src(const tm_graph *g, const tm_zonemap *zm, const tm_zallow *a, size_t src)
{
	if (a->zone)
		return tm_zonemap_in(zm, g, src, a->zone);
	const tm_endpoint *ep = &g->eps[src];
	if (ep->kind != TM_EP_WORKLOAD)
		return false;
	return !strcmp(ep->w->ns, a->ns) && (!strcmp(a->workload, "*") || !strcmp(ep->w->name, a->workload)) &&
	       (!a->kind || !strcmp(ep->w->kind, a->kind));
}

bool tm_finding_attach_edge(tm_graph *g, tm_findings *out, tm_finding *fd, size_t src, size_t dst,
			    const tm_ports *conns)
{
	bool named = false;
	tm_allow_ref *refs;
	size_t nr = tm_conn_allowing(g, src, dst, conns, &refs);
	tm_buf b, o;
	tm_buf_init(&b, 0);
	tm_buf_init(&o, 0);
	for (size_t i = 0; i < nr; i++) {
		tm_buf_reset(&b);
		tm_allow_ref_format(&refs[i], &b);
		tm_finding_add_loc(out, fd, refs[i].loc, tm_buf_str(&b));
		tm_buf_reset(&o);
		tm_buf_addf(&o, "%s %s", refs[i].policy_kind, refs[i].policy);
		named |= tm_finding_suppress(out, fd, tm_allow_ref_ignore(g->m, &refs[i]), tm_buf_str(&o));
	}
	if (!nr) {
		/* no policy restricts the connection: point at the workload that needs one */
		const tm_endpoint *ep = g->eps[dst].kind == TM_EP_WORKLOAD ? &g->eps[dst] : &g->eps[src];
		if (ep->kind == TM_EP_WORKLOAD) {
			tm_buf_reset(&b);
			tm_buf_addf(&b, "%s (no policy restricts this connection: default allow)", ep->name);
			tm_finding_add_loc(out, fd, ep->w->loc, tm_buf_str(&b));
		}
	}
	size_t ends[2] = {src, dst};
	for (int k = 0; k < 2; k++) {
		const tm_endpoint *ep = &g->eps[ends[k]];
		if (ep->kind != TM_EP_WORKLOAD)
			continue;
		tm_buf_reset(&o);
		tm_buf_addf(&o, "%s %s/%s", ep->w->kind, ep->w->ns, ep->w->name);
		named |= tm_finding_suppress(out, fd, ep->w->ignore, tm_buf_str(&o));
		if (ep->w->nsp) {
			tm_buf_reset(&o);
			tm_buf_addf(&o, "namespace %s", ep->w->ns);
			named |= tm_finding_suppress(out, fd, ep->w->nsp->ignore, tm_buf_str(&o));
		}
	}
	free(refs);
	tm_buf_release(&b);
	tm_buf_release(&o);
	return named;
}

/* What one zone rule finds on a connection (or a group of connections
 * between IP ranges and one endpoint): the ports at fault and, for
 * require-mtls with captures, what they showed. */
typedef struct verdict {
	const tm_ports *bad;
	const tm_ports *without; /* seen without mutual TLS (require-mtls) */
	const tm_ports *proven;  /* proven mutual TLS (require-mtls) */
} verdict;

static bool judge(tm_graph *g, const tm_zonemap *zm, const tm_zrule *r, const tm_edge *e, verdict *v)
{
	tm_portpool *pp = g->m->ports;
	v->bad = e->ports;
	v->without = v->proven = tm_ports_empty(pp);
	if (r->action == TM_ZACT_ALLOW_ONLY) {
		for (size_t a = 0; a < r->nallow && !tm_ports_is_empty(v->bad); a++)
			if (allow_matches_src(g, zm, &r->allow[a], e->src))
				v->bad = r->allow[a].ports ? tm_ports_minus(pp, v->bad, r->allow[a].ports) : tm_ports_empty(pp);
	} else if (r->action == TM_ZACT_REQUIRE_MTLS) {
		const tm_mtls_obs *obs = tm_mtls_lookup(zm->ev, e->src, e->dst);
		if (zm->mesh) /* the mesh's mTLS, or its refusal, satisfies the rule; captures override it */
			v->bad = tm_ports_minus(pp, v->bad, tm_mesh_satisfies(zm->mesh, (size_t)(e - g->edges)));
		if (obs) {
			v->bad = tm_ports_minus(pp, v->bad, obs->proven);
			if (zm->mesh)
				v->bad = tm_ports_union(pp, v->bad, tm_ports_inter(pp, e->ports, obs->without));
			v->without = tm_ports_inter(pp, obs->without, v->bad);
			v->proven = obs->proven;
		}
	}
	return !tm_ports_is_empty(v->bad);
}

/* the record of the members that shows a port of without first (input,
 * position, order): what a require-mtls finding names */
static const tm_flow *first_rec(const tm_zonemap *zm, const tm_ports *without, const tm_edge *const *members, size_t nm)
{
	const tm_flow *best = NULL;
	const tm_flowset *fs = zm->ev ? zm->ev->fs : NULL;
	if (!fs || tm_ports_is_empty(without))
		return NULL;
	for (size_t i = 0; i < nm; i++) {
		const tm_flow *f = tm_mtls_rec(zm->ev, members[i]->src, members[i]->dst, without);
		if (!f)
			continue;
		uint64_t pf = tm_flow_pos_of(fs, f), pb = best ? tm_flow_pos_of(fs, best) : 0;
		if (!best || f->source < best->source || (f->source == best->source && (pf < pb || (pf == pb && f->order < best->order))))
			best = f;
	}
	return best;
}

static void add_finding(tm_graph *g, const tm_zonemap *zm, const tm_zrule *r, const char *title, const char *sn,
			const char *dn, const verdict *v, const tm_edge *const *members, size_t nm, tm_findings *out)
{
	tm_buf ct, msg;
	tm_buf_init(&ct, 0);
	tm_buf_init(&msg, 0);
	tm_ports_format(v->bad, &ct);
	switch (r->action) {
	case TM_ZACT_DENY:
		tm_buf_addf(&msg, "%s (zone %s) may connect to %s (zone %s) on %s; rule %s denies any connection from %s to %s",
			    sn, r->from, dn, r->to, tm_buf_str(&ct), r->name, r->from, r->to);
		break;
	case TM_ZACT_ALLOW_ONLY:
		tm_buf_addf(&msg, "%s may connect to %s (zone %s) on %s, which the allow list of rule %s does not cover",
			    sn, dn, r->to, tm_buf_str(&ct), r->name);
		break;
	case TM_ZACT_REQUIRE_MTLS:
		tm_buf_addf(&msg, "%s may connect to %s (zone %s) on %s and mTLS is not proven", sn, dn, r->to,
			    tm_buf_str(&ct));
		if (zm->mesh && nm)
			tm_mesh_edge_note(zm->mesh, (size_t)(members[0] - g->edges), v->bad, &msg);
		else if (!zm->ev) {
			tm_buf_adds(&msg, ": trustmap has no mesh or observed-traffic evidence (check --flows), "
					  "so every allowed connection counts");
		}
		if (zm->ev) {
			if (!tm_ports_is_empty(v->without)) {
				unsigned k = 0;
				for (size_t i = 0; i < nm; i++)
					k |= tm_mtls_rec_kinds(zm->ev, members[i]->src, members[i]->dst, v->without);
				tm_buf_addf(&msg, ": %s show it without mutual TLS on ", tm_evkind_plural(k));
				tm_ports_format(v->without, &msg);
			} else
				tm_buf_addf(&msg, ": no %s connection proves it", tm_evkind_participle(tm_mtls_kinds_read(zm->ev)));
			if (!tm_ports_is_empty(v->proven)) {
				tm_buf_adds(&msg, " (proven on ");
				tm_ports_format(v->proven, &msg);
				tm_buf_adds(&msg, ")");
			}
		}
		break;
	}
	tm_finding *fd = tm_findings_add(out, r->name, r->severity, title, tm_buf_str(&msg));
	fd->src = tm_findings_str(out, sn);
	fd->dst = tm_findings_str(out, dn);
	fd->conns = tm_findings_str(out, tm_buf_str(&ct));
	if (r->action == TM_ZACT_REQUIRE_MTLS)
		tm_mtls_rec_attach(zm->ev, first_rec(zm, v->without, members, nm), out, fd);
	fd->hint = tm_findings_str(out,
		r->action == TM_ZACT_REQUIRE_MTLS
		? "Enforce mutual TLS for this connection (service mesh STRICT mode), or narrow the policy rules listed so that the connection is not allowed."
		: r->action == TM_ZACT_ALLOW_ONLY
		? "Narrow the policy rules listed (peer selectors, ports) to the sources the zone rule allows, or add this source to the rule's allow list if it is intended."
		: "Narrow the peer selectors or ports of the policy rules listed so that they no longer admit this source, or move the workload out of the zone.");
	/* the members of a group share its verdict; the group is suppressed
	 * only when each of its connections is (the policies that allow the
	 * ranges may differ) */
	bool each = true;
	for (size_t i = 0; i < nm; i++)
		each &= tm_finding_attach_edge(g, out, fd, members[i]->src, members[i]->dst, v->bad);
	if (!each && fd->suppressed) {
		fd->suppressed = false;
		fd->suppress_reason = fd->suppressed_by = NULL;
	}
	tm_buf_release(&ct);
	tm_buf_release(&msg);
}

/* Connections between an endpoint and IP ranges, for one rule: adjacent
 * ranges with the same verdict make one finding over their union, so that
 * an unrelated ipBlock that splits the address space neither adds findings
 * nor changes their keys (diff, SARIF fingerprints). */
typedef struct iprec {
	uint32_t other;   /* the endpoint that is not an IP range */
	bool ip_is_src;
	verdict v;        /* hash-consed sets: equal verdicts are equal pointers */
	tm_iprange range;
	const tm_edge *e;
} iprec;

static int iprec_cmp(const void *a, const void *b)
{
	const iprec *x = a, *y = b;
	if (x->other != y->other)
		return x->other < y->other ? -1 : 1;
	if (x->ip_is_src != y->ip_is_src)
		return x->ip_is_src ? 1 : -1;
	const void *px[3] = {x->v.bad, x->v.without, x->v.proven}, *py[3] = {y->v.bad, y->v.without, y->v.proven};
	for (int i = 0; i < 3; i++)
		if (px[i] != py[i])
			return (uintptr_t)px[i] < (uintptr_t)py[i] ? -1 : 1;
	return tm_ip_cmp(x->range.lo, y->range.lo);
}

static bool same_group(const iprec *x, const iprec *y)
{
	return x->other == y->other && x->ip_is_src == y->ip_is_src && x->v.bad == y->v.bad &&
	       x->v.without == y->v.without && x->v.proven == y->v.proven;
}

/* y's range continues x's run (same family, adjacent or overlapping) */
static bool continues(const tm_iprange *run, const tm_iprange *y)
{
	return tm_ip_is_v4(run->hi) == tm_ip_is_v4(y->lo) &&
	       (tm_ip_cmp(y->lo, run->hi) <= 0 || tm_ip_cmp(y->lo, tm_ip_next(run->hi)) == 0);
}

static void add_ip_findings(tm_graph *g, const tm_zonemap *zm, const tm_zrule *r, const char *title, iprec *recs,
			    size_t n, tm_findings *out)
{
	if (!n)
		return;
	qsort(recs, n, sizeof *recs, iprec_cmp);
	const tm_edge **members = malloc((n + 1) * sizeof *members);
	tm_buf name;
	tm_buf_init(&name, 0);
	if (!members)
		abort();
	for (size_t i = 0; i < n;) {
		tm_iprange run = recs[i].range;
		size_t j = i, nm = 0;
		while (j < n && same_group(&recs[i], &recs[j]) && (j == i || continues(&run, &recs[j].range))) {
			if (tm_ip_cmp(recs[j].range.hi, run.hi) > 0)
				run.hi = recs[j].range.hi;
			members[nm++] = recs[j].e;
			j++;
		}
		tm_buf_reset(&name);
		tm_iprange_format(&run, &name);
		tm_buf_adds(&name, "[External]");
		const char *on = g->eps[recs[i].other].name;
		add_finding(g, zm, r, title, recs[i].ip_is_src ? tm_buf_str(&name) : on,
			    recs[i].ip_is_src ? on : tm_buf_str(&name), &recs[i].v, members, nm, out);
		i = j;
	}
	free(members);
	tm_buf_release(&name);
}

tm_err tm_zones_eval(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out)
{
	tm_buf title, help;
	if (!z)
		return TM_OK;
	tm_buf_init(&title, 0);
	tm_buf_init(&help, 0);
	iprec *recs = NULL;
	size_t nrecs = 0, cap_recs = 0;
	for (size_t ri = 0; ri < z->nrules; ri++) {
		const tm_zrule *r = &z->rules[ri];
		long fk = resolve(z, r->from), tk = resolve(z, r->to);
		if (fk == -3 || tk == -3)
			continue; /* validated by the parser; defaults always resolve */
		rule_title(&title, r);
		tm_findings_add_rule(out, r->name, r->name, tm_buf_str(&title), rule_help(&help, r, z), r->severity);
		nrecs = 0;
		for (size_t ei = 0; ei < g->nedges; ei++) {
			const tm_edge *e = &g->edges[ei];
			bool sm = fk == -1 ? !(tk >= 0 && in_idx(zm, g, e->src, tk)) : in_idx(zm, g, e->src, fk);
			if (!sm)
				continue;
			bool dm = tk == -1 ? !(fk >= 0 && in_idx(zm, g, e->dst, fk)) : in_idx(zm, g, e->dst, tk);
			if (!dm)
				continue;
			verdict v;
			if (!judge(g, zm, r, e, &v))
				continue;
			bool sip = g->eps[e->src].kind == TM_EP_IPRANGE, dip = g->eps[e->dst].kind == TM_EP_IPRANGE;
			if (sip == dip) {
				add_finding(g, zm, r, tm_buf_str(&title), g->eps[e->src].name, g->eps[e->dst].name, &v, &e, 1,
					    out);
				continue;
			}
			TM_HEAP_GROW(recs, nrecs, cap_recs);
			recs[nrecs++] = (iprec){sip ? e->dst : e->src, sip, v, g->eps[sip ? e->src : e->dst].range, e};
		}
		add_ip_findings(g, zm, r, tm_buf_str(&title), recs, nrecs, out);
	}
	free(recs);
	tm_buf_release(&title);
	tm_buf_release(&help);
	return TM_OK;
}

/* Does zone zn look at namespace labels (a namespaceSelector, or a default
 * zone's trustmap.io/zone label)? */
static bool zone_uses_ns_labels(const tm_zone *zn)
{
	return zn->has_ns_sel || zn->label_value;
}

static const char *side_text(tm_buf *b, const tm_zrule *r)
{
	tm_buf_reset(b);
	tm_buf_addf(b, "%s %s -> %s", tm_zaction_name(r->action), r->from, r->to);
	return tm_buf_str(b);
}

tm_err tm_zones_report(const tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out)
{
	if (!z)
		return TM_OK;
	const tm_model *m = g->m;
	size_t undeclared = 0;
	for (size_t i = 0; i < m->nnamespaces; i++)
		undeclared += !m->namespaces[i]->declared;
	size_t *count = calloc(z->nzones + 1, sizeof *count);
	tm_buf msg, b;
	tm_buf_init(&msg, 0);
	tm_buf_init(&b, 0);
	if (!count)
		abort();
	for (size_t k = 0; k < z->nzones; k++) {
		tm_zone_members *zs = tm_findings_add_zone(out, z->zones[k].name, z->zones[k].loc);
		for (size_t i = 0; i < g->neps; i++)
			if (zm->bits[i * zm->nzones + k]) {
				tm_zone_members_add(out, zs, g->eps[i].name);
				count[k]++;
			}
	}
	/* the defaults (pci, frontend) are empty in most clusters: only a
	 * zones file says that a zone should hold something */
	const tm_check_info *ez = tm_check_find("TM113"), *er = tm_check_find("TM114");
	for (size_t k = 0; z->file && k < z->nzones; k++) {
		const tm_zone *zn = &z->zones[k];
		if (count[k])
			continue;
		tm_buf_reset(&msg);
		if (zn->has_ips && !zn->has_ns_sel && !zn->has_pod_sel && !zn->nnamespaces)
			tm_buf_addf(&msg,
				    "zone %s holds no IP-range endpoint: no range of the graph (the policies' ipBlocks carve "
				    "them) falls inside its ipBlocks, so its addresses stay in larger ranges",
				    zn->name);
		else
			tm_buf_addf(&msg, "zone %s matches no workload and no IP-range endpoint of the input", zn->name);
		if (zone_uses_ns_labels(zn) && undeclared)
			tm_buf_addf(&msg, " (%zu namespace%s of the input %s no Namespace object, so %s labels are unknown)",
				    undeclared, undeclared == 1 ? "" : "s", undeclared == 1 ? "has" : "have",
				    undeclared == 1 ? "its" : "their");
		size_t nr = 0;
		for (size_t ri = 0; ri < z->nrules; ri++)
			nr += !strcmp(z->rules[ri].from, zn->name) || !strcmp(z->rules[ri].to, zn->name);
		if (nr)
			tm_buf_addf(&msg, ": the %zu rule%s naming it check%s nothing", nr, nr == 1 ? "" : "s", nr == 1 ? "s" : "");
		tm_buf_reset(&b);
		tm_buf_addf(&b, "zone %s", zn->name);
		tm_finding *fd = tm_findings_add(out, ez->id, ez->severity, ez->title, tm_buf_str(&msg));
		fd->subject = tm_findings_str(out, tm_buf_str(&b));
		fd->hint = tm_findings_str(out, ez->hint);
		tm_finding_add_loc(out, fd, zn->loc, tm_buf_str(&b));
	}
	for (size_t ri = 0; z->file && ri < z->nrules; ri++) {
		const tm_zrule *r = &z->rules[ri];
		long fk = resolve(z, r->from), tk = resolve(z, r->to);
		const char *empty = fk >= 0 && !count[fk] ? r->from : tk >= 0 && !count[tk] ? r->to : NULL;
		if (!empty)
			continue;
		tm_buf_reset(&msg);
		tm_buf_addf(&msg, "zone rule %s (%s) checks nothing: zone %s matches nothing in the input", r->name,
			    side_text(&b, r), empty);
		tm_buf_reset(&b);
		tm_buf_addf(&b, "zone rule %s", r->name);
		tm_finding *fd = tm_findings_add(out, er->id, r->severity, er->title, tm_buf_str(&msg));
		fd->subject = tm_findings_str(out, tm_buf_str(&b));
		fd->hint = tm_findings_str(out, er->hint);
		tm_finding_add_loc(out, fd, r->loc, tm_buf_str(&b));
	}
	free(count);
	tm_buf_release(&msg);
	tm_buf_release(&b);
	return TM_OK;
}
