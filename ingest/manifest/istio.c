/* istio.c - Istio's PeerAuthentication and AuthorizationPolicy
 * (security.istio.io) and DestinationRule (networking.istio.io), as the API
 * documents them (istio/api security/v1beta1, networking/v1alpha3); what they
 * mean: docs/semantics.md "Mesh mTLS posture". VirtualService and
 * ServiceEntry: istio_route.c. */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"
#include "ingest/manifest/istio.h"
#include "model/mesh.h"

#include <stdlib.h>
#include <string.h>

static const char *const api_sec[] = {"security.istio.io/v1", "security.istio.io/v1beta1", NULL};
const char *const tm_istio_api_net[] = {"networking.istio.io/v1", "networking.istio.io/v1beta1",
				      "networking.istio.io/v1alpha3", NULL};

#define FLD(buf, ...) (snprintf(buf, sizeof buf, __VA_ARGS__), buf)

/* A list of strings (absent: empty). */
bool tm_istio_strlist(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field, tm_strlist *out)
{
	out->v = NULL;
	out->n = 0;
	const tm_node *s = tm_k8s_seq(c, parent, key, field);
	if (c->failed || !s)
		return !c->failed;
	out->v = tm_arena_alloc(&c->m->arena, (s->n ? s->n : 1) * sizeof(char *));
	for (size_t i = 0; i < s->n; i++) {
		const tm_node *v = s->items[i];
		if (v->kind != TM_NODE_SCALAR || v->stype == TM_SCALAR_NULL) {
			tm_k8s_error(c, v, field, "expected a list of strings, got %s", tm_node_kind_str(v));
			return false;
		}
		out->v[out->n++] = v->str;
	}
	return true;
}

/* selector.matchLabels (the only field of an Istio WorkloadSelector) */
bool tm_istio_match_labels(tm_k8s_ctx *c, const tm_node *spec, const char *key, bool *has, tm_labels *out)
{
	char f[64];
	const tm_node *sel = tm_k8s_map(c, spec, key, FLD(f, "spec.%s", key));
	*has = false;
	out->n = 0;
	out->v = NULL;
	if (c->failed)
		return false;
	if (!sel)
		return true;
	static const char *const fields[] = {"matchLabels", NULL};
	tm_k8s_known_fields(c, sel, f, fields);
	char g[80];
	if (!tm_k8s_labels(c, tm_node_get(sel, "matchLabels"), FLD(g, "spec.%s.matchLabels", key), out, TM_LABELS_STRICT))
		return false;
	*has = out->n > 0;
	return true;
}

bool tm_istio_enum(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field,
		    const char *const *names, int *out)
{
	const char *s = NULL;
	if (!tm_k8s_str(c, parent, key, field, &s))
		return false;
	if (!s)
		return true;
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s)) {
			*out = i;
			return true;
		}
	tm_buf b;
	tm_buf_init(&b, 1024);
	for (int i = 0; names[i]; i++)
		(void)tm_buf_addf(&b, "%s%s", i ? ", " : "", names[i]);
	tm_k8s_error(c, tm_node_get(parent, key), field, "\"%s\" is not one of %s", s, tm_buf_str(&b));
	tm_buf_release(&b);
	return false;
}

static bool port_key(tm_k8s_ctx *c, const tm_node *k, const char *field, uint32_t *port)
{
	long long v = 0;
	char *end = NULL;
	if (k->kind == TM_NODE_SCALAR)
		v = strtoll(k->str, &end, 10);
	if (k->kind != TM_NODE_SCALAR || !end || *end || end == k->str || v < 1 || v > 65535) {
		tm_k8s_error(c, k, field, "\"%s\" is not a port number (1-65535)", k->kind == TM_NODE_SCALAR ? k->str : "?");
		return false;
	}
	*port = (uint32_t)v;
	return true;
}

/* ---- PeerAuthentication ---- */
static const char *const pa_modes[] = {"UNSET", "STRICT", "PERMISSIVE", "DISABLE", NULL};

void tm_k8s_istio_peerauth(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	tm_k8s_api_version_check(c, api_sec);
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	static const char *const fields[] = {"selector", "mtls", "portLevelMtls", NULL};
	tm_k8s_known_fields(c, spec, "spec", fields);
	tm_peerauth *pa = tm_arena_alloc(&m->arena, sizeof *pa);
	pa->ns = c->ns;
	pa->name = c->name;
	pa->loc = c->obj->loc;
	if (!tm_istio_match_labels(c, spec, "selector", &pa->has_selector, &pa->match))
		return;
	const tm_node *mtls = tm_k8s_map(c, spec, "mtls", "spec.mtls");
	int mode = TM_PA_UNSET;
	if (c->failed || !tm_istio_enum(c, mtls, "mode", "spec.mtls.mode", pa_modes, &mode))
		return;
	pa->mode = (tm_pa_mode)mode;
	const tm_node *pl = tm_k8s_map(c, spec, "portLevelMtls", "spec.portLevelMtls");
	if (c->failed)
		return;
	if (pl && pl->n) {
		pa->ports = tm_arena_alloc(&m->arena, pl->n * sizeof *pa->ports);
		for (size_t i = 0; i < pl->n; i++) {
			char f[96];
			uint32_t port;
			if (!port_key(c, pl->pairs[i].key, "spec.portLevelMtls", &port))
				return;
			FLD(f, "spec.portLevelMtls.%u", port);
			if (pl->pairs[i].val->kind != TM_NODE_MAP) {
				tm_k8s_error(c, pl->pairs[i].val, f, "expected a map, got %s", tm_node_kind_str(pl->pairs[i].val));
				return;
			}
			int pm = TM_PA_UNSET;
			char g[112];
			if (!tm_istio_enum(c, pl->pairs[i].val, "mode", FLD(g, "%s.mode", f), pa_modes, &pm))
				return;
			pa->ports[pa->nports++] = (tm_mesh_portmode){port, pm, pl->pairs[i].key->loc};
		}
		if (!pa->has_selector)
			tm_k8s_warn(c, pl, "spec.portLevelMtls: honoured only by a policy with a selector; ignored");
	}
	tm_meshobjs *ms = tm_mesh_get(m);
	ms->istio_objects = true;
	TM_ARENA_GROW(&m->arena, ms->pas, ms->npas, ms->cap_pas);
	ms->pas[ms->npas++] = pa;
}

/* ---- DestinationRule ---- */
static const char *const dr_modes[] = {"", "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL", NULL};

static bool dr_tls(tm_k8s_ctx *c, const tm_node *parent, const char *field, int *out)
{
	char f[160];
	*out = -1;
	const tm_node *tls = tm_k8s_map(c, parent, "tls", FLD(f, "%s.tls", field));
	if (c->failed)
		return false;
	if (!tls)
		return true;
	int mode = TM_DRTLS_DISABLE; /* the API's default mode is DISABLE */
	char g[176];
	if (!tm_istio_enum(c, tls, "mode", FLD(g, "%s.mode", f), dr_modes, &mode))
		return false;
	if (mode == 0) {
		tm_k8s_error(c, tm_node_get(tls, "mode"), g, "must not be empty");
		return false;
	}
	*out = mode;
	return true;
}

static bool dr_policy(tm_k8s_ctx *c, const tm_node *parent, const char *field, tm_dr_policy *out)
{
	char f[128];
	out->tls = -1;
	out->passthrough = -1;
	const tm_node *tp = tm_k8s_map(c, parent, "trafficPolicy", FLD(f, "%s.trafficPolicy", field));
	if (c->failed)
		return false;
	if (!tp)
		return true;
	if (!dr_tls(c, tp, f, &out->tls))
		return false;
	/* PASSTHROUGH load balancing changes what auto mTLS needs (mesh-mtls.md 3.2) */
	char l[160];
	const tm_node *lb = tm_k8s_map(c, tp, "loadBalancer", FLD(l, "%s.loadBalancer", f));
	const char *simple = NULL;
	if (c->failed || (lb && !tm_k8s_str(c, lb, "simple", FLD(l, "%s.loadBalancer.simple", f), &simple)))
		return false;
	if (simple)
		out->passthrough = !strcmp(simple, "PASSTHROUGH");
	char g[160];
	const tm_node *pls = tm_k8s_seq(c, tp, "portLevelSettings", FLD(g, "%s.portLevelSettings", f));
	if (c->failed)
		return false;
	if (pls && pls->n) {
		out->ports = tm_arena_alloc(&c->m->arena, pls->n * sizeof *out->ports);
		for (size_t i = 0; i < pls->n; i++) {
			char h[176], k[192];
			FLD(h, "%s.portLevelSettings[%zu]", f, i);
			const tm_node *pn = tm_k8s_map(c, pls->items[i], "port", FLD(k, "%s.port", h));
			long long num = 0;
			bool has = false;
			if (c->failed || !tm_k8s_int(c, pn, "number", FLD(k, "%s.port.number", h), &num, &has))
				return false;
			if (!has || num < 1 || num > 65535) {
				tm_k8s_error(c, pn ? pn : pls->items[i], k, has ? "must be between 1 and 65535" : "is required");
				return false;
			}
			int mode;
			if (!dr_tls(c, pls->items[i], h, &mode))
				return false;
			out->ports[out->nports++] = (tm_mesh_portmode){(uint32_t)num, mode, pls->items[i]->loc};
		}
	}
	return true;
}

void tm_k8s_istio_destrule(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	tm_k8s_api_version_check(c, tm_istio_api_net);
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	static const char *const fields[] = {"host", "trafficPolicy", "subsets", "exportTo", "workloadSelector", NULL};
	tm_k8s_known_fields(c, spec, "spec", fields);
	tm_destrule *dr = tm_arena_alloc(&m->arena, sizeof *dr);
	dr->ns = c->ns;
	dr->name = c->name;
	dr->loc = c->obj->loc;
	if (!tm_k8s_str(c, spec, "host", "spec.host", &dr->host))
		return;
	if (!dr->host || !*dr->host) {
		tm_k8s_error(c, spec ? spec : c->obj, "spec.host", "is required");
		return;
	}
	tm_strlist ex;
	if (!tm_istio_strlist(c, spec, "exportTo", "spec.exportTo", &ex))
		return;
	if (tm_node_get(spec, "exportTo")) {
		dr->export_to = ex.v;
		dr->nexport = ex.n;
	}
	if (!tm_istio_match_labels(c, spec, "workloadSelector", &dr->has_wsel, &dr->wsel) ||
	    !dr_policy(c, spec, "spec", &dr->pol))
		return;
	const tm_node *subs = tm_k8s_seq(c, spec, "subsets", "spec.subsets");
	if (c->failed)
		return;
	if (subs && subs->n) {
		dr->subsets = tm_arena_alloc(&m->arena, subs->n * sizeof *dr->subsets);
		for (size_t i = 0; i < subs->n; i++) {
			char f[64], g[80];
			FLD(f, "spec.subsets[%zu]", i);
			tm_dr_subset *s = &dr->subsets[dr->nsubsets];
			if (!tm_k8s_str(c, subs->items[i], "name", FLD(g, "%s.name", f), &s->name) ||
			    !tm_k8s_labels(c, tm_node_get(subs->items[i], "labels"), FLD(g, "%s.labels", f), &s->labels,
					   TM_LABELS_STRICT) ||
			    !dr_policy(c, subs->items[i], f, &s->pol))
				return;
			if (!s->name) {
				tm_k8s_error(c, subs->items[i], FLD(g, "%s.name", f), "is required");
				return;
			}
			dr->nsubsets++;
		}
	}
	tm_meshobjs *ms = tm_mesh_get(m);
	ms->istio_objects = true;
	TM_ARENA_GROW(&m->arena, ms->drs, ms->ndrs, ms->cap_drs);
	ms->drs[ms->ndrs++] = dr;
}

/* ---- AuthorizationPolicy ---- */
static const char *const az_actions[] = {"ALLOW", "DENY", "CUSTOM", "AUDIT", NULL};

static bool az_source(tm_k8s_ctx *c, const tm_node *src, const char *field, tm_az_source *s)
{
	static const char *const fields[] = {"principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals",
		"namespaces", "notNamespaces", "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks",
		"serviceAccounts", "notServiceAccounts", NULL};
	tm_k8s_known_fields(c, src, field, fields);
	char f[160];
	tm_strlist rp, nrp;
	if (!tm_istio_strlist(c, src, "principals", FLD(f, "%s.principals", field), &s->principals) ||
	    !tm_istio_strlist(c, src, "notPrincipals", FLD(f, "%s.notPrincipals", field), &s->not_principals) ||
	    !tm_istio_strlist(c, src, "namespaces", FLD(f, "%s.namespaces", field), &s->namespaces) ||
	    !tm_istio_strlist(c, src, "notNamespaces", FLD(f, "%s.notNamespaces", field), &s->not_namespaces) ||
	    !tm_istio_strlist(c, src, "serviceAccounts", FLD(f, "%s.serviceAccounts", field), &s->service_accounts) ||
	    !tm_istio_strlist(c, src, "ipBlocks", FLD(f, "%s.ipBlocks", field), &s->ip_blocks) ||
	    !tm_istio_strlist(c, src, "notIpBlocks", FLD(f, "%s.notIpBlocks", field), &s->not_ip_blocks) ||
	    !tm_istio_strlist(c, src, "remoteIpBlocks", FLD(f, "%s.remoteIpBlocks", field), &s->remote_ip_blocks) ||
	    !tm_istio_strlist(c, src, "requestPrincipals", FLD(f, "%s.requestPrincipals", field), &rp) ||
	    !tm_istio_strlist(c, src, "notRequestPrincipals", FLD(f, "%s.notRequestPrincipals", field), &nrp))
		return false;
	s->request_principals = rp.n || nrp.n;
	return true;
}

static bool az_rule(tm_k8s_ctx *c, const tm_node *rn, const char *field, tm_az_rule *r)
{
	static const char *const fields[] = {"from", "to", "when", NULL};
	tm_k8s_known_fields(c, rn, field, fields);
	char f[96];
	r->loc = rn->loc;
	const tm_node *from = tm_k8s_seq(c, rn, "from", FLD(f, "%s.from", field));
	const tm_node *to = tm_k8s_seq(c, rn, "to", FLD(f, "%s.to", field));
	const tm_node *when = tm_k8s_seq(c, rn, "when", FLD(f, "%s.when", field));
	if (c->failed)
		return false;
	r->l7 = when && when->n;
	if (from && from->n) {
		r->from = tm_arena_alloc(&c->m->arena, from->n * sizeof *r->from);
		for (size_t i = 0; i < from->n; i++) {
			char g[128];
			const tm_node *src = tm_k8s_map(c, from->items[i], "source", FLD(g, "%s.from[%zu].source", field, i));
			if (c->failed || !az_source(c, src, g, &r->from[r->nfrom++]))
				return false;
		}
	}
	size_t cap = 0;
	for (size_t i = 0; to && i < to->n; i++) {
		char g[128], h[144];
		const tm_node *op = tm_k8s_map(c, to->items[i], "operation", FLD(g, "%s.to[%zu].operation", field, i));
		if (c->failed)
			return false;
		static const char *const opf[] = {"hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths",
						  "notPaths", NULL};
		tm_k8s_known_fields(c, op, g, opf);
		static const char *const l7f[] = {"hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"};
		for (size_t k = 0; k < TM_ARRAY_LEN(l7f); k++)
			r->l7 |= tm_node_get(op, l7f[k]) != NULL;
		/* notPorts: every port but these (kept instead of ports) */
		for (int neg = 0; neg < 2; neg++) {
			tm_strlist ps;
			if (!tm_istio_strlist(c, op, neg ? "notPorts" : "ports", FLD(h, "%s.%s", g, neg ? "notPorts" : "ports"), &ps))
				return false;
			if (neg && ps.n && !r->not_ports) {
				r->not_ports = true;
				r->nports = 0;
			} else if (!neg && r->not_ports)
				continue;
			for (size_t k = 0; k < ps.n; k++) {
				char *end;
				long v = strtol(ps.v[k], &end, 10);
				if (*end || end == ps.v[k] || v < 1 || v > 65535) {
					tm_k8s_error(c, op, h, "\"%s\" is not a port number", ps.v[k]);
					return false;
				}
				TM_ARENA_GROW(&c->m->arena, r->ports, r->nports, cap);
				r->ports[r->nports++] = (uint32_t)v;
			}
		}
	}
	return true;
}

void tm_k8s_istio_authz(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	tm_k8s_api_version_check(c, api_sec);
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	static const char *const fields[] = {"selector", "targetRef", "targetRefs", "action", "provider", "rules", NULL};
	tm_k8s_known_fields(c, spec, "spec", fields);
	tm_authzpol *az = tm_arena_alloc(&m->arena, sizeof *az);
	az->ns = c->ns;
	az->name = c->name;
	az->loc = c->obj->loc;
	az->has_target_refs = tm_node_get(spec, "targetRef") || tm_node_get(spec, "targetRefs");
	int act = TM_AZ_ALLOW;
	if (!tm_istio_match_labels(c, spec, "selector", &az->has_selector, &az->match) ||
	    !tm_istio_enum(c, spec, "action", "spec.action", az_actions, &act))
		return;
	az->action = (tm_az_action)act;
	const tm_node *rules = tm_k8s_seq(c, spec, "rules", "spec.rules");
	if (c->failed)
		return;
	if (rules && rules->n) {
		az->rules = tm_arena_alloc(&m->arena, rules->n * sizeof *az->rules);
		for (size_t i = 0; i < rules->n; i++) {
			char f[48];
			if (rules->items[i]->kind != TM_NODE_MAP && !tm_node_is_null(rules->items[i])) {
				tm_k8s_error(c, rules->items[i], FLD(f, "spec.rules[%zu]", i), "expected a map, got %s",
					     tm_node_kind_str(rules->items[i]));
				return;
			}
			if (!az_rule(c, rules->items[i], FLD(f, "spec.rules[%zu]", i), &az->rules[az->nrules++]))
				return;
		}
	}
	tm_meshobjs *ms = tm_mesh_get(m);
	ms->istio_objects = true;
	TM_ARENA_GROW(&m->arena, ms->azs, ms->nazs, ms->cap_azs);
	ms->azs[ms->nazs++] = az;
}
