/* mesh_census.c - the mesh census of a model (mesh_census.h): enrolment of
 * every workload and namespace by the posture's own functions, then the
 * mesh policy objects counted. */
#include "analyzer/mesh_census.h"

#include <stdlib.h>
#include <string.h>

static const char *tri_word(tm_tri t, const char *yes, const char *no)
{
	return t == TM_TRI_YES ? yes : t == TM_TRI_NO ? no : "unknown";
}

const char *tm_census_setting_value(const tm_mesh_settings *set, tm_mesh_setting s)
{
	const tm_mesh_opts *e = &set->eff;
	switch (s) {
	case TM_MSET_ISTIO_ROOT_NS: return e->istio_root_ns;
	case TM_MSET_ISTIO_TRUST_DOMAIN: return e->istio_trust_domain;
	case TM_MSET_ISTIO_AUTO_MTLS: return tri_word(e->istio_auto_mtls, "on", "off");
	case TM_MSET_ISTIO_INJECT: return tri_word(e->istio_inject_enabled, "enabled", "disabled");
	case TM_MSET_ISTIO_NS_BY_DEFAULT: return tri_word(e->istio_ns_by_default, "on", "off");
	case TM_MSET_ISTIO_AMBIENT: return tri_word(e->istio_ambient, "yes", "no");
	case TM_MSET_LINKERD_NS: return e->linkerd_ns;
	case TM_MSET_LINKERD_TRUST_DOMAIN: return e->linkerd_trust_domain;
	case TM_MSET_LINKERD_POLICY: return e->linkerd_default_policy;
	case TM_MSET_LINKERD_OPAQUE_PORTS: return e->linkerd_opaque_ports;
	case TM_MSET_LINKERD_SKIP_PORTS: return e->linkerd_skip_ports;
	case TM_MSET_CILIUM_ENCRYPTION: return tm_cilium_enc_name(e->cilium_encryption);
	case TM_MSET_CILIUM_MUTUAL_AUTH: return tri_word(e->cilium_mutual_auth, "on", "off");
	case TM_NMSET: break;
	}
	return "?";
}

bool tm_census_excluded(const tm_census_wl *w)
{
	return w->enrol.proxy == TM_PROXY_NONE && w->enrol.basis != TM_MBY_NONE;
}

/* ---- the policy objects ---- */
static void count_dr_policy(tm_census_objs *o, const tm_dr_policy *p, bool top)
{
	if (top && p->tls <= TM_DRTLS_ISTIO_MUTUAL)
		o->dr_tls[p->tls < 0 ? TM_DRTLS_AUTO : p->tls]++;
	else if (!top && p->tls >= 0 && p->tls <= TM_DRTLS_ISTIO_MUTUAL)
		o->dr_overrides[p->tls]++;
	for (size_t k = 0; k < p->nports; k++)
		if (p->ports[k].mode >= 0 && p->ports[k].mode <= TM_DRTLS_ISTIO_MUTUAL)
			o->dr_overrides[p->ports[k].mode]++;
}

static void count_objects(tm_mesh_census *c)
{
	const tm_meshobjs *ms = c->m->mesh;
	tm_census_objs *o = &c->objs;
	if (!ms)
		return;
	const char *root = c->set.eff.istio_root_ns;
	o->pas = ms->npas;
	o->mesh_pa = tm_mesh_istio_mesh_pa(ms, root);
	for (size_t i = 0; i < ms->npas; i++) {
		const tm_peerauth *p = ms->pas[i];
		o->pa_modes[tm_mesh_istio_pa_scope(p, root)][p->mode]++;
		o->pa_port_level += p->nports > 0;
	}
	o->drs = ms->ndrs;
	for (size_t i = 0; i < ms->ndrs; i++) {
		const tm_destrule *d = ms->drs[i];
		count_dr_policy(o, &d->pol, true);
		for (size_t k = 0; k < d->nsubsets; k++)
			count_dr_policy(o, &d->subsets[k].pol, false);
	}
	o->azs = ms->nazs;
	for (size_t i = 0; i < ms->nazs; i++) {
		o->az_actions[ms->azs[i]->action]++;
		o->az_target_refs += ms->azs[i]->has_target_refs;
	}
	o->vss = ms->nvss;
	for (size_t i = 0; i < ms->nvss; i++)
		o->vs_mesh += ms->vss[i]->mesh;
	o->ses = ms->nses;
	for (size_t i = 0; i < ms->nses; i++)
		o->se_internal += ms->ses[i]->location == TM_SE_MESH_INTERNAL;
	o->servers = ms->nservers;
	o->l5d_azs = ms->nl5d_azs;
	o->mtlsauthns = ms->nmtlsauthns;
	o->netauthns = ms->nnetauthns;
	o->sazs = ms->nsazs;
	for (size_t i = 0; i < ms->nroutes; i++) {
		if (!strcmp(ms->routes[i]->kind, "GRPCRoute"))
			o->grpc_routes++;
		else
			o->http_routes++;
	}
}

/* ---- enrolment ---- */
/* the census entry of ns (m->namespaces is sorted by name), or c->nns */
static size_t ns_index(const tm_mesh_census *c, const tm_namespace *ns)
{
	size_t lo = 0, hi = c->nns;
	while (ns && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(ns->name, c->ns[mid].ns->name);
		if (!d)
			return c->ns[mid].ns == ns ? mid : c->nns;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return c->nns;
}

tm_err tm_mesh_census_compute(const tm_model *m, const tm_mesh_opts *o, tm_mesh_census **out)
{
	tm_mesh_census *c = tm_xrealloc(NULL, sizeof *c);
	memset(c, 0, sizeof *c);
	tm_arena_init(&c->arena);
	tm_strtab_init(&c->strs, &c->arena);
	c->m = m;
	tm_mesh_settings_resolve(m, o, &c->set);
	c->cilium = tm_cilium_present(m, &c->cilium_why);
	tm_mesh_env env = {m, &c->set, &c->arena, &c->strs};
	c->nns = m->nnamespaces;
	c->ns = tm_arena_alloc(&c->arena, (c->nns + 1) * sizeof *c->ns);
	for (size_t i = 0; i < c->nns; i++) {
		tm_census_ns *n = &c->ns[i];
		n->ns = m->namespaces[i];
		n->enrols = tm_mesh_ns_enrols(&env, n->ns);
		n->cilium_ztunnel = tm_mesh_cilium_ns_enrolled(n->ns);
	}
	c->nwl = m->nworkloads;
	c->wl = tm_arena_alloc(&c->arena, (c->nwl + 1) * sizeof *c->wl);
	for (size_t i = 0; i < c->nwl; i++) {
		tm_census_wl *w = &c->wl[i];
		w->w = m->workloads[i];
		tm_mesh_enrol(&env, w->w, &w->enrol);
		c->proxies[w->enrol.proxy]++;
		c->excluded += tm_census_excluded(w);
		size_t k = ns_index(c, w->w->nsp);
		if (k < c->nns) {
			c->ns[k].nworkloads++;
			c->ns[k].proxies[w->enrol.proxy]++;
		}
	}
	count_objects(c);
	*out = c;
	return TM_OK;
}

void tm_mesh_census_free(tm_mesh_census *c)
{
	if (!c)
		return;
	tm_strtab_release(&c->strs);
	tm_arena_release(&c->arena);
	free(c);
}
