/* linkerd.c - Linkerd's policy objects (policy.linkerd.io): Server,
 * AuthorizationPolicy, MeshTLSAuthentication, NetworkAuthentication, the
 * legacy ServerAuthorization and the HTTPRoute/GRPCRoute that attach
 * authorizations to a Server (linkerd.io "Authorization Policy" reference);
 * what they mean: docs/semantics.md "Mesh mTLS posture". */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"
#include "model/mesh.h"

#include <string.h>

static const char *const api_known[] = {"policy.linkerd.io/v1alpha1", "policy.linkerd.io/v1beta1",
					"policy.linkerd.io/v1beta2", "policy.linkerd.io/v1beta3", NULL};

#define FLD(buf, ...) (snprintf(buf, sizeof buf, __VA_ARGS__), buf)

static const tm_node *spec_of(tm_k8s_ctx *c, const char *const *fields)
{
	tm_k8s_api_version_check(c, api_known);
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return NULL;
	if (!spec) {
		tm_k8s_error(c, c->obj, "spec", "is required");
		return NULL;
	}
	tm_k8s_known_fields(c, spec, "spec", fields);
	return spec;
}

static bool ref(tm_k8s_ctx *c, const tm_node *n, const char *field, bool need_kind, tm_l5d_ref *r)
{
	static const char *const fields[] = {"group", "kind", "name", "namespace", "port", "sectionName", NULL};
	memset(r, 0, sizeof *r);
	if (!n || n->kind != TM_NODE_MAP) {
		tm_k8s_error(c, n, field, "expected a map, got %s", n ? tm_node_kind_str(n) : "nothing");
		return false;
	}
	tm_k8s_known_fields(c, n, field, fields);
	char f[160];
	if (!tm_k8s_str(c, n, "group", FLD(f, "%s.group", field), &r->group) ||
	    !tm_k8s_str(c, n, "kind", FLD(f, "%s.kind", field), &r->kind) ||
	    !tm_k8s_str(c, n, "name", FLD(f, "%s.name", field), &r->name) ||
	    !tm_k8s_str(c, n, "namespace", FLD(f, "%s.namespace", field), &r->ns))
		return false;
	if (!r->kind && need_kind) {
		tm_k8s_error(c, n, FLD(f, "%s.kind", field), "is required");
		return false;
	}
	return true;
}

static bool refs(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field, tm_l5d_ref **out,
		 size_t *n)
{
	const tm_node *s = tm_k8s_seq(c, parent, key, field);
	*out = NULL;
	*n = 0;
	if (c->failed)
		return false;
	if (!s)
		return true;
	*out = tm_arena_alloc(&c->m->arena, (s->n ? s->n : 1) * sizeof **out);
	for (size_t i = 0; i < s->n; i++) {
		char f[96];
		if (!ref(c, s->items[i], FLD(f, "%s[%zu]", field, i), strcmp(key, "parentRefs") != 0, &(*out)[(*n)++]))
			return false;
	}
	return true;
}

static bool strlist(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field, tm_strlist *out)
{
	out->v = NULL;
	out->n = 0;
	const tm_node *s = tm_k8s_seq(c, parent, key, field);
	if (c->failed || !s)
		return !c->failed;
	out->v = tm_arena_alloc(&c->m->arena, (s->n ? s->n : 1) * sizeof(char *));
	for (size_t i = 0; i < s->n; i++) {
		if (s->items[i]->kind != TM_NODE_SCALAR || s->items[i]->stype == TM_SCALAR_NULL) {
			tm_k8s_error(c, s->items[i], field, "expected a list of strings");
			return false;
		}
		out->v[out->n++] = s->items[i]->str;
	}
	return true;
}

/* networks: [{cidr, except: [..]}] -> ranges, excepts marked */
static bool networks(tm_k8s_ctx *c, const tm_node *parent, const char *field, tm_l5d_cidr **out, size_t *n)
{
	const tm_node *s = tm_k8s_seq(c, parent, "networks", field);
	*out = NULL;
	*n = 0;
	if (c->failed)
		return false;
	size_t cap = 0;
	for (size_t i = 0; s && i < s->n; i++) {
		char f[96], g[112];
		FLD(f, "%s[%zu]", field, i);
		static const char *const fields[] = {"cidr", "except", NULL};
		tm_k8s_known_fields(c, s->items[i], f, fields);
		const char *cidr = NULL;
		tm_strlist ex;
		if (!tm_k8s_str(c, s->items[i], "cidr", FLD(g, "%s.cidr", f), &cidr) ||
		    !strlist(c, s->items[i], "except", FLD(g, "%s.except", f), &ex))
			return false;
		for (size_t k = 0; k <= ex.n; k++) {
			const char *t = k == 0 ? cidr : ex.v[k - 1];
			tm_iprange r;
			bool v4;
			if (!t) {
				tm_k8s_error(c, s->items[i], FLD(g, "%s.cidr", f), "is required");
				return false;
			}
			if (!tm_cidr_parse(t, &r, &v4)) {
				tm_k8s_error(c, s->items[i], FLD(g, "%s.%s", f, k ? "except" : "cidr"), "\"%s\" is not a CIDR", t);
				return false;
			}
			TM_ARENA_GROW(&c->m->arena, *out, *n, cap);
			(*out)[(*n)++] = (tm_l5d_cidr){r, k > 0};
		}
	}
	return true;
}

#define PUSH(ms, arr, n, cap, x)                                             \
	do {                                                                 \
		TM_ARENA_GROW(&c->m->arena, (ms)->arr, (ms)->n, (ms)->cap);  \
		(ms)->arr[(ms)->n++] = (x);                                  \
		(ms)->linkerd_objects = true;                                \
	} while (0)

void tm_k8s_linkerd_server(tm_k8s_ctx *c)
{
	static const char *const fields[] = {"podSelector", "externalWorkloadSelector", "port", "proxyProtocol",
					     "accessPolicy", NULL};
	const tm_node *spec = spec_of(c, fields);
	if (!spec)
		return;
	tm_l5d_server *s = tm_arena_alloc(&c->m->arena, sizeof *s);
	s->ns = c->ns;
	s->name = c->name;
	s->loc = c->obj->loc;
	const tm_node *meta = tm_node_get(c->obj, "metadata");
	if (!tm_k8s_labels(c, tm_node_get(meta, "labels"), "metadata.labels", &s->labels, TM_LABELS_WARN))
		return;
	const tm_node *ps = tm_node_get(spec, "podSelector");
	if (!ps) {
		if (tm_node_get(spec, "externalWorkloadSelector"))
			tm_k8s_warn(c, spec, "spec.externalWorkloadSelector: external workloads are not analysed; it selects no pod");
		else {
			tm_k8s_error(c, spec, "spec.podSelector", "is required");
			return;
		}
		s->pod_sel.nexpr = 1; /* "In" an empty set: matches no pod */
		s->pod_sel.expr = tm_arena_alloc(&c->m->arena, sizeof *s->pod_sel.expr);
		s->pod_sel.expr[0] = (tm_selexpr){tm_intern(&c->m->strs, "trustmap.io/never"), TM_SEL_IN, 0, NULL};
	} else if (!tm_k8s_selector(c, ps, "spec.podSelector", &s->pod_sel))
		return;
	const tm_node *pn = tm_node_get(spec, "port");
	if (!pn) {
		tm_k8s_error(c, spec, "spec.port", "is required");
		return;
	}
	long long iv = 0;
	const char *sv = NULL;
	bool is_int = false;
	if (!tm_k8s_int_or_str(c, pn, "spec.port", &iv, &sv, &is_int))
		return;
	if (is_int) {
		if (iv < 1 || iv > 65535) {
			tm_k8s_error(c, pn, "spec.port", "%lld must be between 1 and 65535", iv);
			return;
		}
		s->port = (uint32_t)iv;
	} else
		s->port_name = sv;
	if (!tm_k8s_str(c, spec, "proxyProtocol", "spec.proxyProtocol", &s->proxy_protocol) ||
	    !tm_k8s_str(c, spec, "accessPolicy", "spec.accessPolicy", &s->access_policy))
		return;
	static const char *const policies[] = {"deny", "all-unauthenticated", "cluster-unauthenticated", "all-authenticated",
					       "cluster-authenticated", "audit", NULL};
	if (s->access_policy) {
		size_t i = 0;
		while (policies[i] && strcmp(policies[i], s->access_policy))
			i++;
		if (!policies[i]) {
			tm_k8s_error(c, tm_node_get(spec, "accessPolicy"), "spec.accessPolicy",
				     "\"%s\" is not one of deny, all-unauthenticated, cluster-unauthenticated, "
				     "all-authenticated, cluster-authenticated, audit", s->access_policy);
			return;
		}
	}
	tm_meshobjs *ms = tm_mesh_get(c->m);
	PUSH(ms, servers, nservers, cap_servers, s);
}

void tm_k8s_linkerd_authz(tm_k8s_ctx *c)
{
	static const char *const fields[] = {"targetRef", "requiredAuthenticationRefs", NULL};
	const tm_node *spec = spec_of(c, fields);
	if (!spec)
		return;
	tm_l5d_authz *a = tm_arena_alloc(&c->m->arena, sizeof *a);
	a->ns = c->ns;
	a->name = c->name;
	a->loc = c->obj->loc;
	if (!ref(c, tm_node_get(spec, "targetRef"), "spec.targetRef", true, &a->target) ||
	    !refs(c, spec, "requiredAuthenticationRefs", "spec.requiredAuthenticationRefs", &a->refs, &a->nrefs))
		return;
	tm_meshobjs *ms = tm_mesh_get(c->m);
	PUSH(ms, l5d_azs, nl5d_azs, cap_l5d_azs, a);
}

void tm_k8s_linkerd_mtlsauthn(tm_k8s_ctx *c)
{
	static const char *const fields[] = {"identities", "identityRefs", NULL};
	const tm_node *spec = spec_of(c, fields);
	if (!spec)
		return;
	tm_l5d_mtlsauthn *a = tm_arena_alloc(&c->m->arena, sizeof *a);
	a->ns = c->ns;
	a->name = c->name;
	a->loc = c->obj->loc;
	if (!strlist(c, spec, "identities", "spec.identities", &a->identities) ||
	    !refs(c, spec, "identityRefs", "spec.identityRefs", &a->refs, &a->nrefs))
		return;
	tm_meshobjs *ms = tm_mesh_get(c->m);
	PUSH(ms, mtlsauthns, nmtlsauthns, cap_mtlsauthns, a);
}

void tm_k8s_linkerd_netauthn(tm_k8s_ctx *c)
{
	static const char *const fields[] = {"networks", NULL};
	const tm_node *spec = spec_of(c, fields);
	if (!spec)
		return;
	tm_l5d_netauthn *a = tm_arena_alloc(&c->m->arena, sizeof *a);
	a->ns = c->ns;
	a->name = c->name;
	a->loc = c->obj->loc;
	if (!networks(c, spec, "spec.networks", &a->nets, &a->nnets))
		return;
	tm_meshobjs *ms = tm_mesh_get(c->m);
	PUSH(ms, netauthns, nnetauthns, cap_netauthns, a);
}

void tm_k8s_linkerd_serverauthz(tm_k8s_ctx *c)
{
	static const char *const fields[] = {"server", "client", NULL};
	const tm_node *spec = spec_of(c, fields);
	if (!spec)
		return;
	tm_l5d_serverauthz *a = tm_arena_alloc(&c->m->arena, sizeof *a);
	a->ns = c->ns;
	a->name = c->name;
	a->loc = c->obj->loc;
	const tm_node *srv = tm_k8s_map(c, spec, "server", "spec.server");
	const tm_node *cl = tm_k8s_map(c, spec, "client", "spec.client");
	if (c->failed)
		return;
	static const char *const sf[] = {"name", "selector", NULL};
	static const char *const cf[] = {"networks", "unauthenticated", "meshTLS", NULL};
	tm_k8s_known_fields(c, srv, "spec.server", sf);
	tm_k8s_known_fields(c, cl, "spec.client", cf);
	if (!tm_k8s_str(c, srv, "name", "spec.server.name", &a->server_name))
		return;
	const tm_node *sel = tm_node_get(srv, "selector");
	if (sel) {
		a->has_server_sel = true;
		if (!tm_k8s_selector(c, sel, "spec.server.selector", &a->server_sel))
			return;
	}
	if (!a->server_name && !sel) {
		tm_k8s_error(c, srv ? srv : spec, "spec.server", "needs name or selector");
		return;
	}
	if (!cl) {
		tm_k8s_error(c, spec, "spec.client", "is required");
		return;
	}
	if (!tm_k8s_bool(c, cl, "unauthenticated", "spec.client.unauthenticated", &a->unauthenticated) ||
	    !networks(c, cl, "spec.client.networks", &a->nets, &a->nnets))
		return;
	const tm_node *mt = tm_k8s_map(c, cl, "meshTLS", "spec.client.meshTLS");
	if (c->failed)
		return;
	if (mt) {
		static const char *const mf[] = {"unauthenticatedTLS", "identities", "serviceAccounts", NULL};
		tm_k8s_known_fields(c, mt, "spec.client.meshTLS", mf);
		a->mesh_tls = true;
		if (!tm_k8s_bool(c, mt, "unauthenticatedTLS", "spec.client.meshTLS.unauthenticatedTLS", &a->unauth_tls) ||
		    !strlist(c, mt, "identities", "spec.client.meshTLS.identities", &a->identities))
			return;
		const tm_node *sas = tm_k8s_seq(c, mt, "serviceAccounts", "spec.client.meshTLS.serviceAccounts");
		if (c->failed)
			return;
		if (sas && sas->n) {
			a->sas = tm_arena_alloc(&c->m->arena, sas->n * sizeof *a->sas);
			for (size_t i = 0; i < sas->n; i++) {
				char f[80];
				tm_l5d_ref *r = &a->sas[a->nsas++];
				r->kind = "ServiceAccount";
				if (!tm_k8s_str(c, sas->items[i], "name", FLD(f, "spec.client.meshTLS.serviceAccounts[%zu].name", i), &r->name) ||
				    !tm_k8s_str(c, sas->items[i], "namespace", FLD(f, "spec.client.meshTLS.serviceAccounts[%zu].namespace", i), &r->ns))
					return;
				if (!r->name) {
					tm_k8s_error(c, sas->items[i], f, "name is required");
					return;
				}
			}
		}
	}
	if (!a->unauthenticated && !a->mesh_tls) {
		tm_k8s_error(c, cl, "spec.client", "needs meshTLS or unauthenticated: true");
		return;
	}
	tm_meshobjs *ms = tm_mesh_get(c->m);
	PUSH(ms, sazs, nsazs, cap_sazs, a);
}

void tm_k8s_linkerd_route(tm_k8s_ctx *c)
{
	tm_k8s_api_version_check(c, api_known);
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	tm_l5d_route *r = tm_arena_alloc(&c->m->arena, sizeof *r);
	r->kind = tm_intern(&c->m->strs, c->kind);
	r->ns = c->ns;
	r->name = c->name;
	r->loc = c->obj->loc;
	if (!refs(c, spec, "parentRefs", "spec.parentRefs", &r->parents, &r->nparents))
		return;
	tm_meshobjs *ms = tm_mesh_get(c->m);
	PUSH(ms, routes, nroutes, cap_routes, r);
}
