/* checks_mesh.c - the mesh checks TM120..TM125 (docs/checks.md), over the
 * mesh's mTLS posture (analyzer/mesh.h), TM127 over the VirtualServices'
 * routes, and what require-mtls zone rules take from the posture
 * (analyzer/zones_eval.c). Their rows are in the check table of
 * checks.c; they run, and their rules are listed, only when the pipeline
 * computed the posture (the input holds mesh objects or injection facts). */
#include "analyzer/check.h"
#include "model/flow.h"
#include "analyzer/mesh.h"

#include <stdlib.h>
#include <string.h>

bool tm_check_is_mesh(const char *id)
{
	return !strncmp(id, "TM12", 4) && ((id[4] >= '0' && id[4] <= '5') || id[4] == '7') && !id[5];
}

const tm_ports *tm_mesh_satisfies(const tm_mesh_result *ms, size_t edge)
{
	tm_portpool *pp = ms->g->m->ports;
	return tm_ports_union(pp, tm_mesh_edge_ports(ms, edge, TM_PROT_MTLS), tm_mesh_edge_ports(ms, edge, TM_PROT_REJECTED));
}

void tm_mesh_edge_note(const tm_mesh_result *ms, size_t edge, const tm_ports *bad, tm_buf *out)
{
	tm_portpool *pp = ms->g->m->ports;
	if (edge >= ms->nconns)
		return;
	const tm_mesh_conn *c = &ms->conns[edge];
	bool first = true;
	for (size_t i = 0; i < c->n; i++) {
		const tm_ports *p = tm_ports_inter(pp, c->v[i].ports, bad);
		if (tm_ports_is_empty(p))
			continue;
		(void)tm_buf_adds(out, first ? ": the mesh configuration gives " : "; ");
		(void)tm_buf_addf(out, "%s on ", tm_protection_name(c->v[i].prot));
		tm_ports_format(p, out);
		(void)tm_buf_addf(out, " (%s)", c->v[i].reason);
		first = false;
	}
}

typedef struct mctx {
	tm_graph *g;
	const tm_zones *z;
	const tm_zonemap *zm;
	const tm_mesh_result *ms;
	tm_findings *out;
	tm_buf msg, obj;
} mctx;

static tm_finding *add(mctx *c, const char *id, const char *subject)
{
	return tm_check_finding(c->out, id, tm_check_find(id)->severity, tm_buf_str(&c->msg), subject);
}

static void suppress_wl(mctx *c, tm_finding *fd, const tm_workload *w)
{
	tm_check_suppress_wl(c->out, fd, w, &c->obj);
}

/* the zone that makes ep sensitive for the mesh checks, or NULL */
const char *tm_mesh_sensitive_zone(const tm_zonemap *zm, const tm_graph *g, size_t ep, bool require_mtls_only)
{
	const tm_zones *z = zm->z;
	for (size_t i = 0; z && i < z->nrules; i++)
		if (z->rules[i].action == TM_ZACT_REQUIRE_MTLS && tm_zonemap_in(zm, g, ep, z->rules[i].to))
			return z->rules[i].to;
	for (size_t i = 0; z && !require_mtls_only && i < z->nzones; i++)
		if (z->zones[i].sensitive && tm_zonemap_in(zm, g, ep, z->zones[i].name))
			return z->zones[i].name;
	return NULL;
}

static const char *sensitive_zone(mctx *c, size_t ep, bool require_mtls_only)
{
	return tm_mesh_sensitive_zone(c->zm, c->g, ep, require_mtls_only);
}

/* ---- TM120: PERMISSIVE / DISABLE (or unauthenticated admitted) in a sensitive zone ---- */
static void check_plaintext_accepted(mctx *c)
{
	tm_graph *g = c->g;
	tm_portpool *pp = g->m->ports;
	for (size_t ep = 0; ep < g->neps; ep++) {
		if (g->eps[ep].kind != TM_EP_WORKLOAD)
			continue;
		tm_proxy px = tm_mesh_ep_proxy(c->ms, ep);
		if (px == TM_PROXY_NONE || px == TM_PROXY_UNKNOWN)
			continue;
		const char *zone = sensitive_zone(c, ep, false);
		if (!zone)
			continue;
		const tm_workload *w = g->eps[ep].w;
		/* per container port; a workload that declares none: its default */
		const tm_ports *by_mode[4] = {tm_ports_empty(pp), tm_ports_empty(pp), tm_ports_empty(pp), tm_ports_empty(pp)};
		const char *decider = NULL;
		bool any = false, whole = false;
		size_t np = w->nports ? w->nports : 1;
		for (size_t k = 0; k < np; k++) {
			uint32_t port = w->nports ? w->ports[k].port : 0;
			if (w->nports && w->ports[k].proto != TM_PROTO_TCP)
				continue;
			const char *by = NULL;
			int mode;
			if (px == TM_PROXY_LINKERD)
				mode = tm_mesh_linkerd_admits_plaintext(c->ms, w, port, &by) ? TM_PA_PERMISSIVE : TM_PA_STRICT;
			else {
				mode = tm_mesh_istio_pa(c->ms, w, port, &by);
				if (mode == TM_PA_UNSET)
					mode = TM_PA_PERMISSIVE, by = "no PeerAuthentication (PERMISSIVE)";
			}
			if (mode == TM_PA_STRICT)
				continue;
			any = true;
			if (!decider)
				decider = by;
			if (port)
				by_mode[mode] = tm_ports_union(pp, by_mode[mode], tm_ports_range(pp, TM_PROTO_TCP, port, port));
			else
				whole = true;
		}
		if (!any)
			continue;
		tm_buf_reset(&c->msg);
		(void)tm_buf_addf(&c->msg, "%s (zone %s) accepts plaintext", w->display, zone);
		if (whole)
			(void)tm_buf_adds(&c->msg, " on every port");
		for (int md = TM_PA_PERMISSIVE; md <= TM_PA_DISABLE; md++)
			if (!tm_ports_is_empty(by_mode[md])) {
				(void)tm_buf_adds(&c->msg, " on ");
				tm_ports_format(by_mode[md], &c->msg);
				if (px != TM_PROXY_LINKERD)
					(void)tm_buf_addf(&c->msg, " (%s)", tm_pa_mode_name((tm_pa_mode)md));
			}
		(void)tm_buf_addf(&c->msg, ": %s", decider ? decider : "the default");
		tm_finding *fd = add(c, "TM120", w->display);
		tm_finding_add_loc(c->out, fd, w->loc, w->display);
		suppress_wl(c, fd, w);
	}
}

/* ---- TM121: outside the mesh in a meshed namespace ---- */
static void check_excluded(mctx *c)
{
	tm_graph *g = c->g;
	for (size_t i = 0; i < g->nworkloads; i++) {
		const tm_mesh_wl *mw = &c->ms->wl[i];
		const tm_workload *w = g->workloads[i];
		if (!mw->meshed_ns || mw->proxy != TM_PROXY_NONE)
			continue;
		tm_buf_reset(&c->msg);
		(void)tm_buf_addf(&c->msg, "%s runs without a mesh proxy although namespace %s has %s: %s", w->display, w->ns,
				  mw->meshed_ns, mw->why);
		tm_finding *fd = add(c, "TM121", w->display);
		tm_finding_add_loc(c->out, fd, w->loc, w->display);
		suppress_wl(c, fd, w);
	}
}

/* ---- TM122: IP-based trust into a require-mtls zone ---- */
static bool np_selects(const tm_netpol *np, const tm_workload *w)
{
	return !strcmp(np->ns, w->ns) && tm_selector_matches(&np->pod_sel, &w->labels);
}

static bool labels_subset(const tm_labels *sub, const tm_labels *of)
{
	for (size_t i = 0; i < sub->n; i++) {
		const char *v = tm_labels_get(of, sub->v[i].key);
		if (!v || strcmp(v, sub->v[i].val))
			return false;
	}
	return true;
}

static bool az_selects(const tm_mesh_result *ms, const tm_authzpol *a, const tm_workload *w)
{
	if (a->has_target_refs)
		return false;
	if (strcmp(a->ns, ms->eff.istio_root_ns) && strcmp(a->ns, w->ns))
		return false;
	return !a->has_selector || labels_subset(&a->match, &w->labels);
}

static void ip_trust_finding(mctx *c, const char *what, tm_srcloc loc, const char *blocks, const tm_workload *w,
			     const char *zone, size_t nmore)
{
	tm_buf_reset(&c->msg);
	(void)tm_buf_addf(&c->msg, "%s admits %s by IP address into %s (zone %s, where a require-mtls rule applies)", what,
			  blocks, w->display, zone);
	if (nmore)
		(void)tm_buf_addf(&c->msg, " and %zu more workload%s of the zone", nmore, nmore == 1 ? "" : "s");
	tm_finding *fd = add(c, "TM122", what);
	tm_finding_add_loc(c->out, fd, loc, what);
	suppress_wl(c, fd, w);
}

static void check_ip_trust(mctx *c)
{
	tm_graph *g = c->g;
	const tm_model *m = g->m;
	tm_buf blocks, what;
	tm_buf_init(&blocks, 64 * 1024);
	tm_buf_init(&what, 4096);
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *np = m->netpols[i];
		if (!np->ingress)
			continue;
		for (size_t r = 0; r < np->nin; r++) {
			const tm_rule *ru = &np->in_rules[r];
			tm_buf_reset(&blocks);
			for (size_t k = 0; k < ru->npeers; k++)
				if (ru->peers[k].kind == TM_PEER_IPBLOCK)
					(void)tm_buf_addf(&blocks, "%s%s", blocks.len ? ", " : "", ru->peers[k].cidr);
			if (!blocks.len)
				continue;
			const tm_workload *first = NULL;
			const char *zone = NULL;
			size_t more = 0;
			for (size_t ep = 0; ep < g->neps; ep++) {
				if (g->eps[ep].kind != TM_EP_WORKLOAD || !np_selects(np, g->eps[ep].w))
					continue;
				const char *zn = sensitive_zone(c, ep, true);
				if (!zn)
					continue;
				if (!first)
					first = g->eps[ep].w, zone = zn;
				else
					more++;
			}
			if (!first)
				continue;
			tm_buf_reset(&what);
			(void)tm_buf_addf(&what, "%s %s/%s ingress rule %zu", TM_NETPOL_KIND(np), np->ns, np->name, r);
			ip_trust_finding(c, tm_buf_str(&what), ru->loc, tm_buf_str(&blocks), first, zone, more);
		}
	}
	const tm_meshobjs *ms = m->mesh;
	for (size_t i = 0; ms && i < ms->nazs; i++) {
		const tm_authzpol *a = ms->azs[i];
		if (a->action != TM_AZ_ALLOW)
			continue;
		for (size_t r = 0; r < a->nrules; r++) {
			tm_buf_reset(&blocks);
			for (size_t s = 0; s < a->rules[r].nfrom; s++) {
				const tm_az_source *src = &a->rules[r].from[s];
				for (size_t k = 0; k < src->ip_blocks.n; k++)
					(void)tm_buf_addf(&blocks, "%s%s", blocks.len ? ", " : "", src->ip_blocks.v[k]);
				for (size_t k = 0; k < src->remote_ip_blocks.n; k++)
					(void)tm_buf_addf(&blocks, "%s%s", blocks.len ? ", " : "", src->remote_ip_blocks.v[k]);
			}
			if (!blocks.len)
				continue;
			const tm_workload *first = NULL;
			const char *zone = NULL;
			size_t more = 0;
			for (size_t ep = 0; ep < g->neps; ep++) {
				if (g->eps[ep].kind != TM_EP_WORKLOAD || !az_selects(c->ms, a, g->eps[ep].w))
					continue;
				const char *zn = sensitive_zone(c, ep, true);
				if (!zn)
					continue;
				if (!first)
					first = g->eps[ep].w, zone = zn;
				else
					more++;
			}
			if (!first)
				continue;
			tm_buf_reset(&what);
			(void)tm_buf_addf(&what, "AuthorizationPolicy %s/%s rule %zu", a->ns, a->name, r);
			ip_trust_finding(c, tm_buf_str(&what), a->rules[r].loc, tm_buf_str(&blocks), first, zone, more);
		}
	}
	tm_buf_release(&blocks);
	tm_buf_release(&what);
}

/* ---- TM123: identity-based ALLOW on a plaintext connection ---- */
static bool identity_source(const tm_az_rule *r)
{
	for (size_t s = 0; s < r->nfrom; s++)
		if (r->from[s].principals.n || r->from[s].namespaces.n || r->from[s].service_accounts.n)
			return true;
	return false;
}

static bool rule_ports_meet(const tm_az_rule *r, const tm_ports *p)
{
	if (!r->nports)
		return true;
	for (size_t i = 0; i < r->nports; i++)
		if (tm_ports_contains(p, TM_PROTO_TCP, r->ports[i]) != r->not_ports)
			return true;
	return r->not_ports;
}

static bool l5d_identity_authz(const tm_meshobjs *ms, const tm_l5d_server *s)
{
	for (size_t i = 0; i < ms->nl5d_azs; i++) {
		const tm_l5d_authz *a = ms->l5d_azs[i];
		if (strcmp(a->ns, s->ns) || !a->target.name || strcmp(a->target.kind, "Server") || strcmp(a->target.name, s->name))
			continue;
		for (size_t k = 0; k < a->nrefs; k++)
			if (!strcmp(a->refs[k].kind, "MeshTLSAuthentication") || !strcmp(a->refs[k].kind, "ServiceAccount"))
				return true;
	}
	for (size_t i = 0; i < ms->nsazs; i++) {
		const tm_l5d_serverauthz *a = ms->sazs[i];
		bool targets = !strcmp(a->ns, s->ns) && (a->server_name ? !strcmp(a->server_name, s->name)
					     : a->has_server_sel && tm_selector_matches(&a->server_sel, &s->labels));
		if (targets && a->mesh_tls && !a->unauth_tls)
			return true;
	}
	return false;
}

static bool server_on(const tm_l5d_server *s, const tm_workload *w, const tm_ports *p)
{
	for (size_t i = 0; i < w->nports; i++)
		if (w->ports[i].proto == TM_PROTO_TCP && tm_ports_contains(p, TM_PROTO_TCP, w->ports[i].port) &&
		    (s->port ? s->port == w->ports[i].port : w->ports[i].name && !strcmp(w->ports[i].name, s->port_name)))
			return true;
	return s->port && tm_ports_contains(p, TM_PROTO_TCP, s->port);
}

/* The AuthorizationPolicies az_selects may take for w, in list order: the
 * root namespace's and w's runs when the list is sorted (tm_mesh_finish),
 * else the whole list; run[k] is [lo, hi). */
static void az_runs(const tm_mesh_result *r, const tm_meshobjs *ms, bool sorted, const tm_workload *w, size_t run[2][2])
{
	run[0][0] = 0, run[0][1] = ms->nazs;
	run[1][0] = run[1][1] = 0;
	if (!sorted)
		return;
	tm_mesh_ns_run((void *const *)ms->azs, ms->nazs, r->eff.istio_root_ns, &run[0][0], &run[0][1]);
	if (strcmp(r->eff.istio_root_ns, w->ns))
		tm_mesh_ns_run((void *const *)ms->azs, ms->nazs, w->ns, &run[1][0], &run[1][1]);
	if (run[1][0] < run[0][0]) {
		size_t lo = run[0][0], hi = run[0][1];
		run[0][0] = run[1][0], run[0][1] = run[1][1];
		run[1][0] = lo, run[1][1] = hi;
	}
}

static void check_principal_plaintext(mctx *c)
{
	tm_graph *g = c->g;
	const tm_meshobjs *ms = g->m->mesh;
	if (!ms)
		return;
	/* per edge, the policies of two namespaces rather than the cluster's
	 * (750k plaintext edges x 5k policies at 100k pods) */
	bool azs_sorted = tm_mesh_list_sorted((void *const *)ms->azs, ms->nazs);
	bool servers_sorted = tm_mesh_list_sorted((void *const *)ms->servers, ms->nservers);
	tm_buf by;
	tm_buf_init(&by, 64 * 1024);
	for (size_t ei = 0; ei < g->nedges; ei++) {
		const tm_edge *e = &g->edges[ei];
		if (g->eps[e->dst].kind != TM_EP_WORKLOAD)
			continue;
		/* TCP only: the meshes proxy (and authorize) nothing else, so a rule
		 * by identity never promised anything for UDP or SCTP */
		const tm_ports *pl = tm_ports_inter(g->m->ports, tm_mesh_edge_ports(c->ms, ei, TM_PROT_PLAINTEXT),
						    tm_ports_range(g->m->ports, TM_PROTO_TCP, 1, 65535));
		if (tm_ports_is_empty(pl))
			continue;
		const tm_workload *w = g->eps[e->dst].w;
		tm_buf_reset(&by);
		size_t run[2][2];
		az_runs(c->ms, ms, azs_sorted, w, run);
		for (int k = 0; k < 2; k++)
			for (size_t i = run[k][0]; i < run[k][1]; i++) {
				const tm_authzpol *a = ms->azs[i];
				if (a->action != TM_AZ_ALLOW || !az_selects(c->ms, a, w))
					continue;
				for (size_t r = 0; r < a->nrules; r++)
					if (identity_source(&a->rules[r]) && rule_ports_meet(&a->rules[r], pl)) {
						(void)tm_buf_addf(&by, "%sAuthorizationPolicy %s/%s rule %zu", by.len ? ", " : "",
								  a->ns, a->name, r);
						break;
					}
			}
		size_t slo = 0, shi = ms->nservers;
		if (servers_sorted)
			tm_mesh_ns_run((void *const *)ms->servers, ms->nservers, w->ns, &slo, &shi);
		for (size_t i = slo; i < shi; i++) {
			const tm_l5d_server *s = ms->servers[i];
			if (!strcmp(s->ns, w->ns) && tm_selector_matches(&s->pod_sel, &w->labels) && server_on(s, w, pl) &&
			    l5d_identity_authz(ms, s))
				(void)tm_buf_addf(&by, "%sServer %s/%s (authorization by mesh identity)", by.len ? ", " : "", s->ns, s->name);
		}
		if (!by.len)
			continue;
		tm_buf ct;
		tm_buf_init(&ct, 0);
		tm_ports_format(pl, &ct);
		tm_buf_reset(&c->msg);
		(void)tm_buf_addf(&c->msg, "%s admits clients of %s by mesh identity, but %s => %s is plaintext on %s", tm_buf_str(&by),
				  w->display, g->eps[e->src].name, g->eps[e->dst].name, tm_buf_str(&ct));
		for (size_t i = 0; i < c->ms->conns[ei].n; i++)
			if (c->ms->conns[ei].v[i].prot == TM_PROT_PLAINTEXT &&
			    !tm_ports_is_empty(tm_ports_inter(g->m->ports, c->ms->conns[ei].v[i].ports, pl)))
				(void)tm_buf_addf(&c->msg, " (%s)", c->ms->conns[ei].v[i].reason);
		tm_finding *fd = add(c, "TM123", NULL);
		fd->src = tm_findings_str(c->out, g->eps[e->src].name);
		fd->dst = tm_findings_str(c->out, g->eps[e->dst].name);
		fd->conns = tm_findings_str(c->out, tm_buf_str(&ct));
		tm_finding_attach_edge(g, c->out, fd, e->src, e->dst, pl);
		tm_buf_release(&ct);
	}
	tm_buf_release(&by);
}

/* ---- TM124: configured mTLS, observed without ---- */
static void check_capture_contradicts(mctx *c)
{
	tm_graph *g = c->g;
	tm_portpool *pp = g->m->ports;
	if (!c->zm->ev)
		return;
	for (size_t ei = 0; ei < g->nedges; ei++) {
		const tm_edge *e = &g->edges[ei];
		const tm_mtls_obs *obs = tm_mtls_lookup(c->zm->ev, e->src, e->dst);
		if (!obs)
			continue;
		const tm_ports *cfg = tm_ports_union(pp, tm_mesh_edge_ports(c->ms, ei, TM_PROT_MTLS),
						     tm_mesh_edge_ports(c->ms, ei, TM_PROT_MTLS_PERMISSIVE));
		const tm_ports *bad = tm_ports_inter(pp, cfg, obs->without);
		if (tm_ports_is_empty(bad))
			continue;
		tm_buf ct;
		tm_buf_init(&ct, 0);
		tm_ports_format(bad, &ct);
		tm_buf_reset(&c->msg);
		(void)tm_buf_addf(&c->msg, "the mesh configuration makes %s => %s mutual TLS on %s, but %s show it without "
				  "mutual TLS there", g->eps[e->src].name, g->eps[e->dst].name, tm_buf_str(&ct),
				  tm_evkind_plural(tm_mtls_rec_kinds(c->zm->ev, e->src, e->dst, bad)));
		tm_finding *fd = add(c, "TM124", NULL);
		fd->src = tm_findings_str(c->out, g->eps[e->src].name);
		fd->dst = tm_findings_str(c->out, g->eps[e->dst].name);
		fd->conns = tm_findings_str(c->out, tm_buf_str(&ct));
		tm_mtls_rec_attach(c->zm->ev, tm_mtls_rec(c->zm->ev, e->src, e->dst, bad), c->out, fd);
		tm_finding_attach_edge(g, c->out, fd, e->src, e->dst, bad);
		tm_buf_release(&ct);
	}
}

/* ---- TM125: a Cilium rule requiring mutual authentication the install does not give ---- */
static void check_cilium_auth(mctx *c)
{
	tm_graph *g = c->g;
	const tm_mesh_result *ms = c->ms;
	if (!ms->cilium)
		return;
	tm_tri mutual = ms->eff.cilium_mutual_auth;
	tm_buf ct;
	tm_buf_init(&ct, 0);
	for (size_t ei = 0; ei < g->nedges && ei < ms->nconns; ei++) {
		const tm_edge *e = &g->edges[ei];
		const tm_mesh_conn *mc = &ms->conns[ei];
		for (size_t k = 0; k < mc->nauths; k++) {
			const tm_mesh_auth *a = &mc->auths[k];
			bool fail = a->mode == TM_AUTH_TEST_ALWAYS_FAIL;
			const tm_endpoint *un = tm_mesh_cilium_unauth_identity(&g->eps[e->src]) ? &g->eps[e->src]
						: tm_mesh_cilium_unauth_identity(&g->eps[e->dst]) ? &g->eps[e->dst] : NULL;
			if (!fail && !un && mutual == TM_TRI_YES)
				continue;
			tm_buf_reset(&ct);
			tm_ports_format(a->ports, &ct);
			tm_buf_reset(&c->msg);
			if (!fail && un)
				(void)tm_buf_addf(&c->msg, "%s (%s:%u) requires mutual authentication for %s => %s on %s, but %s "
						  "has %s: Cilium never authenticates it (pkg/auth), so it drops this traffic the "
						  "policies allow whatever the install", a->rule, a->loc.file ? a->loc.file : "",
						  a->loc.line, g->eps[e->src].name, g->eps[e->dst].name, tm_buf_str(&ct), un->name,
						  tm_mesh_cilium_unauth_identity(un));
			else if (fail)
				(void)tm_buf_addf(&c->msg, "%s (%s:%u) has authentication mode test-always-fail: Cilium drops "
						  "%s => %s on %s, which the policies allow", a->rule, a->loc.file ? a->loc.file : "",
						  a->loc.line, g->eps[e->src].name, g->eps[e->dst].name, tm_buf_str(&ct));
			else
				(void)tm_buf_addf(&c->msg, "%s (%s:%u) requires mutual authentication for %s => %s on %s, but %s "
						  "(%s): %s", a->rule, a->loc.file ? a->loc.file : "", a->loc.line,
						  g->eps[e->src].name, g->eps[e->dst].name, tm_buf_str(&ct),
						  mutual == TM_TRI_NO ? "mutual authentication is off"
								      : "whether mutual authentication is on is not known",
						  ms->cilium_auth_from,
						  mutual == TM_TRI_NO ? "no agent authenticates the pair, so Cilium drops this "
									"traffic the policies allow"
								      : "if it is off, Cilium drops this traffic the policies allow");
			tm_finding *fd = tm_check_finding(c->out, "TM125", fail || un || mutual == TM_TRI_NO ? TM_SEV_HIGH : TM_SEV_MEDIUM,
							  tm_buf_str(&c->msg), NULL);
			fd->src = tm_findings_str(c->out, g->eps[e->src].name);
			fd->dst = tm_findings_str(c->out, g->eps[e->dst].name);
			fd->conns = tm_findings_str(c->out, tm_buf_str(&ct));
			tm_finding_attach_edge(g, c->out, fd, e->src, e->dst, a->ports);
		}
	}
	tm_buf_release(&ct);
}

/* ---- TM127: a VirtualService route that no request reaches ---- */
static const char *const route_keys[] = {[TM_VSR_HTTP] = "http", [TM_VSR_TCP] = "tcp", [TM_VSR_TLS] = "tls"};

/* Does route e take every request of every client on port p (0: on every
 * port)? No match[] at all (what IST0130 reads as catch-all: for every
 * gateway too), or an entry of no condition but the port (pilot's
 * IsCatchAllRoute; for tcp, matchTCP's chain without destinationSubnets),
 * neither narrowed by sourceLabels or sourceNamespace nor listing gateways
 * (those take the traffic of the gateways named, and the VirtualService's
 * own may be others). A delegate's routes decide what it takes: never. */
static bool takes_all(const tm_vs_route *e, uint32_t p, bool gw_too)
{
	if (e->delegate)
		return false;
	if (!e->has_match)
		return true;
	for (size_t i = 0; i < e->nmatches && !gw_too; i++) {
		const tm_vs_match *m = &e->matches[i];
		if (!m->gateways && !m->src_labels.n && !m->src_ns && !m->unsettled && (!m->port || m->port == p))
			return true;
	}
	return false;
}

/* Why route r of vs can take no request (into c->msg), or false: a route of
 * its kind before it takes every request of every client on each port it
 * is for, or each entry of it repeats, as written, an entry of a route
 * before it (which takes those requests first). tls routes are left alone:
 * Envoy picks the most specific SNI chain, not the first. */
static bool route_unreachable(mctx *c, const tm_virtualsvc *vs, size_t k)
{
	const tm_vs_route *r = &vs->routes[k];
	if (r->kind == TM_VSR_TLS)
		return false;
	/* entries for other gateways only are not kept, and those that list
	 * gateways may name some the VirtualService does not: only a route
	 * without match[] is sure to cover them */
	bool gw_too = r->gw_entries;
	for (size_t i = 0; i < r->nmatches && !gw_too; i++)
		gw_too = r->matches[i].gateways;
	tm_buf_reset(&c->msg);
	tm_buf_reset(&c->obj); /* the reasons of each entry */
	(void)tm_buf_addf(&c->msg, "VirtualService %s/%s spec.%s[%zu] takes no request: ", vs->ns, vs->name,
			  route_keys[r->kind], r->index);
	if (!r->has_match) {
		for (size_t j = 0; j < k; j++) {
			const tm_vs_route *e = &vs->routes[j];
			if (e->kind == r->kind && takes_all(e, 0, false)) {
				(void)tm_buf_addf(&c->msg, "spec.%s[%zu] before it %s", route_keys[e->kind], e->index,
						  e->has_match ? "has a match without conditions and takes every request"
							       : "has no match and takes every request (only the last "
								 "route can be without match)");
				return true;
			}
		}
		return false;
	}
	if (!r->nmatches)
		return false; /* for other gateways only: not judged */
	tm_buf why, first;
	tm_buf_init(&why, 4096);
	tm_buf_init(&first, 4096);
	bool all = true, same = true;
	for (size_t i = 0; i < r->nmatches && all; i++) {
		const tm_vs_match *m = &r->matches[i];
		tm_buf_reset(&why);
		all = false;
		for (size_t j = 0; j < k && !all; j++) {
			const tm_vs_route *e = &vs->routes[j];
			if (e->kind != r->kind || e->delegate)
				continue;
			if ((all = takes_all(e, m->port, gw_too))) {
				if (!e->has_match)
					(void)tm_buf_addf(&why, "spec.%s[%zu] before it has no match and takes every request",
							  route_keys[e->kind], e->index);
				else if (m->port)
					(void)tm_buf_addf(&why, "spec.%s[%zu] before it takes every request on port %u",
							  route_keys[e->kind], e->index, m->port);
				else /* an entry of no condition, on every port */
					(void)tm_buf_addf(&why, "spec.%s[%zu] before it takes every request",
							  route_keys[e->kind], e->index);
			}
			for (size_t q = 0; q < e->nmatches && !all; q++)
				if ((all = m->canon && e->matches[q].canon == m->canon))
					(void)tm_buf_addf(&why, "the same match as spec.%s[%zu] match[%zu], which comes first",
							  route_keys[e->kind], e->index, q);
		}
		if (!i)
			(void)tm_buf_adds(&first, tm_buf_str(&why));
		else
			same &= !strcmp(tm_buf_str(&why), tm_buf_str(&first));
		if (r->nmatches > 1)
			(void)tm_buf_addf(&c->obj, "%smatch[%zu]: %s", i ? "; " : "", i, tm_buf_str(&why));
	}
	/* one reason for all: said once */
	(void)tm_buf_adds(&c->msg, same || r->nmatches == 1 ? tm_buf_str(&first) : tm_buf_str(&c->obj));
	tm_buf_release(&why);
	tm_buf_release(&first);
	return all;
}

static void check_route_unreachable(mctx *c)
{
	const tm_model *m = c->g->m;
	if (!m->mesh)
		return;
	for (size_t i = 0; i < m->mesh->nvss; i++) {
		const tm_virtualsvc *vs = m->mesh->vss[i];
		for (size_t k = 0; k < vs->nroutes; k++) {
			if (!route_unreachable(c, vs, k))
				continue;
			const tm_vs_route *r = &vs->routes[k];
			tm_buf_reset(&c->obj);
			(void)tm_buf_addf(&c->obj, "VirtualService %s/%s spec.%s[%zu]", vs->ns, vs->name, route_keys[r->kind],
					  r->index);
			tm_finding *fd = add(c, "TM127", tm_buf_str(&c->obj));
			tm_finding_add_loc(c->out, fd, r->loc, tm_buf_str(&c->obj));
			tm_buf_reset(&c->obj);
			(void)tm_buf_addf(&c->obj, "VirtualService %s/%s", vs->ns, vs->name);
			tm_finding_suppress(c->out, fd, vs->ignore, tm_buf_str(&c->obj));
			const tm_namespace *ns = tm_model_namespace((tm_model *)m, vs->ns, false);
			if (ns) {
				tm_buf_reset(&c->obj);
				(void)tm_buf_addf(&c->obj, "namespace %s", ns->name);
				tm_finding_suppress(c->out, fd, ns->ignore, tm_buf_str(&c->obj));
			}
		}
	}
}

void tm_checks_mesh_run(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, tm_findings *out)
{
	mctx c = {g, z, zm, zm->mesh, out, {0}, {0}};
	if (!c.ms)
		return;
	tm_buf_init(&c.msg, 0);
	tm_buf_init(&c.obj, 0);
	check_plaintext_accepted(&c);
	check_excluded(&c);
	check_ip_trust(&c);
	check_principal_plaintext(&c);
	check_capture_contradicts(&c);
	check_cilium_auth(&c);
	check_route_unreachable(&c);
	tm_buf_release(&c.msg);
	tm_buf_release(&c.obj);
}
