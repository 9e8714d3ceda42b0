/* istio_route.c - Istio's VirtualService and ServiceEntry
 * (networking.istio.io), as istio/api networking/v1alpha3 documents them:
 * the routes that pick a DestinationRule subset or another host, and the
 * hosts a ServiceEntry adds (their location decides auto mTLS). What they
 * mean: docs/semantics.md "Mesh mTLS posture". */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/istio.h"

#include <stdlib.h>
#include <string.h>

#define FLD(buf, ...) (snprintf(buf, sizeof buf, __VA_ARGS__), buf)

/* exportTo: NULL (every namespace) when absent */
static bool export_to(tm_k8s_ctx *c, const tm_node *spec, const char ***v, size_t *n)
{
	tm_strlist ex;
	if (!tm_istio_strlist(c, spec, "exportTo", "spec.exportTo", &ex))
		return false;
	if (tm_node_get(spec, "exportTo")) {
		*v = ex.v;
		*n = ex.n;
	}
	return true;
}

/* A port number at parent.key (absent: 0). */
static bool port_num(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field, uint32_t *out)
{
	long long v = 0;
	bool has = false;
	*out = 0;
	if (!tm_k8s_int(c, parent, key, field, &v, &has))
		return false;
	if (has && (v < 1 || v > 65535)) {
		tm_k8s_error(c, tm_node_get(parent, key), field, "must be between 1 and 65535");
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* hosts: required and non-empty for both kinds */
static bool hosts(tm_k8s_ctx *c, const tm_node *spec, tm_strlist *out)
{
	if (!tm_istio_strlist(c, spec, "hosts", "spec.hosts", out))
		return false;
	if (!out->n) {
		tm_k8s_error(c, tm_node_get(spec, "hosts") ? tm_node_get(spec, "hosts") : spec, "spec.hosts",
			     "must list at least one host");
		return false;
	}
	for (size_t i = 0; i < out->n; i++)
		if (!*out->v[i]) {
			tm_k8s_error(c, tm_node_get(spec, "hosts")->items[i], "spec.hosts", "must not be empty");
			return false;
		}
	return true;
}

/* ---- VirtualService ---- */

/* One destination: {host, subset, port: {number}} at d.key. */
static bool vs_destination(tm_k8s_ctx *c, const tm_node *d, const char *key, const char *field, tm_vs_dest *out)
{
	char f[192], g[208];
	const tm_node *dn = tm_k8s_map(c, d, key, FLD(f, "%s.%s", field, key));
	if (c->failed)
		return false;
	if (!dn) {
		tm_k8s_error(c, d, f, "is required");
		return false;
	}
	static const char *const fields[] = {"host", "subset", "port", NULL};
	tm_k8s_known_fields(c, dn, f, fields);
	out->loc = dn->loc;
	if (!tm_k8s_str(c, dn, "host", FLD(g, "%s.host", f), &out->host) ||
	    !tm_k8s_str(c, dn, "subset", FLD(g, "%s.subset", f), &out->subset))
		return false;
	if (!out->host || !*out->host) {
		tm_k8s_error(c, dn, FLD(g, "%s.host", f), "is required");
		return false;
	}
	if (out->subset && !*out->subset)
		out->subset = NULL;
	const tm_node *pn = tm_k8s_map(c, dn, "port", FLD(g, "%s.port", f));
	char h[224];
	if (c->failed || !port_num(c, pn, "number", FLD(h, "%s.port.number", f), &out->port))
		return false;
	return true;
}

/* The ports of match[] and whether the route applies to sidecars: a match
 * naming gateways without "mesh" applies only at those gateways. */
static bool vs_matches(tm_k8s_ctx *c, const tm_node *rn, const char *field, tm_vs_route *r, bool *mesh)
{
	char f[128];
	const tm_node *ms = tm_k8s_seq(c, rn, "match", FLD(f, "%s.match", field));
	*mesh = true;
	if (c->failed)
		return false;
	if (!ms || !ms->n)
		return true;
	static const char *const http_fields[] = {"name", "uri", "scheme", "method", "authority", "headers", "port",
		"sourceLabels", "gateways", "queryParams", "ignoreUriCase", "withoutHeaders", "sourceNamespace",
		"statPrefix", NULL};
	static const char *const l4_fields[] = {"destinationSubnets", "port", "sourceLabels", "gateways",
		"sourceNamespace", "sniHosts", NULL};
	bool any_port = false, any_mesh = false;
	r->ports = tm_arena_alloc(&c->m->arena, ms->n * sizeof *r->ports);
	for (size_t i = 0; i < ms->n; i++) {
		char g[160], h[176];
		const tm_node *mn = ms->items[i];
		FLD(g, "%s[%zu]", f, i);
		if (mn->kind != TM_NODE_MAP) {
			tm_k8s_error(c, mn, g, "expected a map, got %s", tm_node_kind_str(mn));
			return false;
		}
		tm_k8s_known_fields(c, mn, g, r->kind == TM_VSR_HTTP ? http_fields : l4_fields);
		tm_strlist gws;
		if (!tm_istio_strlist(c, mn, "gateways", FLD(h, "%s.gateways", g), &gws))
			return false;
		bool m = !gws.n;
		for (size_t k = 0; k < gws.n; k++)
			m |= !strcmp(gws.v[k], "mesh");
		if (!m)
			continue;
		any_mesh = true;
		uint32_t p;
		if (!port_num(c, mn, "port", FLD(h, "%s.port", g), &p))
			return false;
		if (!p)
			any_port = true;
		else
			r->ports[r->nports++] = p;
	}
	*mesh = any_mesh;
	if (any_port)
		r->nports = 0; /* a match without a port: every port */
	return true;
}

static const char *const route_keys[] = {[TM_VSR_HTTP] = "http", [TM_VSR_TCP] = "tcp", [TM_VSR_TLS] = "tls"};

static bool vs_route(tm_k8s_ctx *c, const tm_node *rn, tm_vs_route_kind kind, const char *field, tm_vs_route *r)
{
	static const char *const http_fields[] = {"name", "match", "route", "redirect", "directResponse", "delegate",
		"rewrite", "timeout", "retries", "fault", "mirror", "mirrors", "mirrorPercent", "mirrorPercentage",
		"mirror_percent", "corsPolicy", "headers", NULL};
	static const char *const l4_fields[] = {"match", "route", NULL};
	if (rn->kind != TM_NODE_MAP) {
		tm_k8s_error(c, rn, field, "expected a map, got %s", tm_node_kind_str(rn));
		return false;
	}
	r->kind = kind;
	r->loc = rn->loc;
	bool mesh;
	if (!vs_matches(c, rn, field, r, &mesh))
		return false;
	tm_k8s_known_fields(c, rn, field, kind == TM_VSR_HTTP ? http_fields : l4_fields); /* after match: file order */
	char f[128];
	const tm_node *rt = tm_k8s_seq(c, rn, "route", FLD(f, "%s.route", field));
	char mf[128], msf[128];
	const tm_node *mirror = kind == TM_VSR_HTTP ? tm_k8s_map(c, rn, "mirror", FLD(mf, "%s.mirror", field)) : NULL;
	const tm_node *mirrors = kind == TM_VSR_HTTP ? tm_k8s_seq(c, rn, "mirrors", FLD(msf, "%s.mirrors", field)) : NULL;
	if (c->failed)
		return false;
	r->delegate = kind == TM_VSR_HTTP && tm_node_get(rn, "delegate") && !tm_node_is_null(tm_node_get(rn, "delegate"));
	size_t cap = (rt ? rt->n : 0) + (mirror ? 1 : 0) + (mirrors ? mirrors->n : 0);
	r->dests = tm_arena_alloc(&c->m->arena, (cap ? cap : 1) * sizeof *r->dests);
	for (size_t i = 0; rt && i < rt->n; i++) {
		char g[160];
		const tm_node *dn = rt->items[i];
		FLD(g, "%s[%zu]", f, i);
		if (dn->kind != TM_NODE_MAP) {
			tm_k8s_error(c, dn, g, "expected a map, got %s", tm_node_kind_str(dn));
			return false;
		}
		static const char *const fields[] = {"destination", "weight", "headers", NULL};
		tm_k8s_known_fields(c, dn, g, fields);
		tm_vs_dest *d = &r->dests[r->ndests];
		bool has = false;
		char h[176];
		d->weight = -1;
		if (!vs_destination(c, dn, "destination", g, d) ||
		    !tm_k8s_int(c, dn, "weight", FLD(h, "%s.weight", g), &d->weight, &has))
			return false;
		if (!has)
			d->weight = -1;
		else if (d->weight < 0) {
			tm_k8s_error(c, tm_node_get(dn, "weight"), h, "must not be negative");
			return false;
		}
		r->ndests++;
	}
	if (mirror) {
		tm_vs_dest *d = &r->dests[r->ndests];
		d->weight = -1;
		d->mirror = true;
		FLD(f, "%s", field);
		if (!vs_destination(c, rn, "mirror", f, d)) /* the mirror is a Destination itself */
			return false;
		r->ndests++;
	}
	for (size_t i = 0; mirrors && i < mirrors->n; i++) {
		char g[144];
		FLD(g, "%s.mirrors[%zu]", field, i);
		if (mirrors->items[i]->kind != TM_NODE_MAP) {
			tm_k8s_error(c, mirrors->items[i], g, "expected a map, got %s", tm_node_kind_str(mirrors->items[i]));
			return false;
		}
		static const char *const fields[] = {"destination", "percentage", NULL};
		tm_k8s_known_fields(c, mirrors->items[i], g, fields);
		tm_vs_dest *d = &r->dests[r->ndests];
		d->weight = -1;
		d->mirror = true;
		if (!vs_destination(c, mirrors->items[i], "destination", g, d))
			return false;
		r->ndests++;
	}
	if (!mesh) {
		r->ndests = 0; /* only at gateways: no sidecar traffic takes it */
		r->delegate = false;
	}
	return true;
}

void tm_k8s_istio_virtualsvc(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	tm_k8s_api_version_check(c, tm_istio_api_net);
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	static const char *const fields[] = {"hosts", "gateways", "http", "tls", "tcp", "exportTo", NULL};
	tm_k8s_known_fields(c, spec, "spec", fields);
	tm_virtualsvc *vs = tm_arena_alloc(&m->arena, sizeof *vs);
	vs->ns = c->ns;
	vs->name = c->name;
	vs->loc = c->obj->loc;
	tm_strlist gws;
	if (!hosts(c, spec, &vs->hosts) || !tm_istio_strlist(c, spec, "gateways", "spec.gateways", &gws) ||
	    !export_to(c, spec, &vs->export_to, &vs->nexport))
		return;
	/* no gateways: "mesh" is the default; listing gateways drops it unless named */
	vs->mesh = !gws.n;
	for (size_t i = 0; i < gws.n; i++)
		vs->mesh |= !strcmp(gws.v[i], "mesh");
	size_t cap = 0;
	for (int k = TM_VSR_HTTP; k <= TM_VSR_TLS; k++) {
		char f[16];
		const tm_node *rs = tm_k8s_seq(c, spec, route_keys[k], FLD(f, "spec.%s", route_keys[k]));
		if (c->failed)
			return;
		for (size_t i = 0; rs && i < rs->n; i++) {
			char g[48];
			TM_ARENA_GROW(&m->arena, vs->routes, vs->nroutes, cap);
			tm_vs_route *r = &vs->routes[vs->nroutes];
			memset(r, 0, sizeof *r);
			if (!vs_route(c, rs->items[i], (tm_vs_route_kind)k, FLD(g, "spec.%s[%zu]", route_keys[k], i), r))
				return;
			vs->nroutes++;
		}
	}
	tm_meshobjs *ms = tm_mesh_get(m);
	ms->istio_objects = true;
	TM_ARENA_GROW(&m->arena, ms->vss, ms->nvss, ms->cap_vss);
	ms->vss[ms->nvss++] = vs;
}

/* ---- ServiceEntry ---- */
static const char *const se_locations[] = {"MESH_EXTERNAL", "MESH_INTERNAL", NULL};
static const char *const se_resolutions[] = {"NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", NULL};

void tm_k8s_istio_serviceentry(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	tm_k8s_api_version_check(c, tm_istio_api_net);
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	static const char *const fields[] = {"hosts", "addresses", "ports", "location", "resolution", "endpoints",
		"workloadSelector", "exportTo", "subjectAltNames", NULL};
	tm_k8s_known_fields(c, spec, "spec", fields);
	tm_serviceentry *se = tm_arena_alloc(&m->arena, sizeof *se);
	se->ns = c->ns;
	se->name = c->name;
	se->loc = c->obj->loc;
	int loc = TM_SE_MESH_EXTERNAL, res = TM_SE_NONE;
	tm_strlist addrs;
	if (!hosts(c, spec, &se->hosts) || !tm_istio_enum(c, spec, "location", "spec.location", se_locations, &loc) ||
	    !tm_istio_enum(c, spec, "resolution", "spec.resolution", se_resolutions, &res) ||
	    !tm_istio_strlist(c, spec, "addresses", "spec.addresses", &addrs) ||
	    !export_to(c, spec, &se->export_to, &se->nexport))
		return;
	se->location = (tm_se_location)loc;
	se->resolution = (tm_se_resolution)res;
	if (addrs.n) {
		se->addrs = tm_arena_alloc(&m->arena, addrs.n * sizeof *se->addrs);
		for (size_t i = 0; i < addrs.n; i++) {
			bool v4;
			tm_iprange r;
			tm_ip ip;
			if (tm_ip_parse(addrs.v[i], &ip))
				r = (tm_iprange){ip, ip};
			else if (!tm_cidr_parse(addrs.v[i], &r, &v4)) {
				tm_k8s_error(c, tm_node_get(spec, "addresses")->items[i], "spec.addresses",
					     "\"%s\" is not an IP address or CIDR", addrs.v[i]);
				return;
			}
			se->addrs[se->naddrs++] = r;
		}
	}
	const tm_node *ws = tm_k8s_map(c, spec, "workloadSelector", "spec.workloadSelector");
	if (c->failed)
		return;
	if (ws) {
		static const char *const wf[] = {"labels", NULL};
		tm_k8s_known_fields(c, ws, "spec.workloadSelector", wf);
		if (!tm_k8s_labels(c, tm_node_get(ws, "labels"), "spec.workloadSelector.labels", &se->wsel,
				   TM_LABELS_STRICT))
			return;
		se->has_wsel = se->wsel.n > 0;
		if (tm_node_get(spec, "endpoints")) {
			tm_k8s_error(c, tm_node_get(spec, "endpoints"), "spec.endpoints",
				     "must not be given with spec.workloadSelector");
			return;
		}
	}
	const tm_node *ps = tm_k8s_seq(c, spec, "ports", "spec.ports");
	if (c->failed)
		return;
	if (ps && ps->n) {
		se->ports = tm_arena_alloc(&m->arena, ps->n * sizeof *se->ports);
		for (size_t i = 0; i < ps->n; i++) {
			char f[48], g[64];
			const tm_node *pn = ps->items[i];
			FLD(f, "spec.ports[%zu]", i);
			if (pn->kind != TM_NODE_MAP) {
				tm_k8s_error(c, pn, f, "expected a map, got %s", tm_node_kind_str(pn));
				return;
			}
			static const char *const pf[] = {"number", "protocol", "name", "targetPort", NULL};
			tm_k8s_known_fields(c, pn, f, pf);
			tm_se_port *p = &se->ports[se->nports];
			if (!port_num(c, pn, "number", FLD(g, "%s.number", f), &p->number) ||
			    !port_num(c, pn, "targetPort", FLD(g, "%s.targetPort", f), &p->target) ||
			    !tm_k8s_str(c, pn, "name", FLD(g, "%s.name", f), &p->name) ||
			    !tm_k8s_str(c, pn, "protocol", FLD(g, "%s.protocol", f), &p->protocol))
				return;
			if (!p->number) {
				tm_k8s_error(c, pn, FLD(g, "%s.number", f), "is required");
				return;
			}
			se->nports++;
		}
	}
	tm_meshobjs *ms = tm_mesh_get(m);
	ms->istio_objects = true;
	TM_ARENA_GROW(&m->arena, ms->ses, ms->nses, ms->cap_ses);
	ms->ses[ms->nses++] = se;
}
