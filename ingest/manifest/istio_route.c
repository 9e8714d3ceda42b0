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

/* The first condition of HTTPMatchRequest mn that only the request
 * settles (pilot turns it into an Envoy route match), or NULL. A uri of
 * prefix "/" or regex ".*" takes every path: pilot's IsCatchAllRoute counts
 * such a match as catch-all, and so does this; ignoreUriCase alone changes
 * nothing. */
static bool http_unsettled(tm_k8s_ctx *c, const tm_node *mn, const char *field, const char **out)
{
	char f[192];
	*out = NULL;
	const tm_node *uri = tm_k8s_map(c, mn, "uri", FLD(f, "%s.uri", field));
	if (c->failed)
		return false;
	if (uri && uri->n) {
		static const char *const sm[] = {"exact", "prefix", "regex", NULL};
		tm_k8s_known_fields(c, uri, f, sm);
		const char *prefix = NULL, *regex = NULL, *exact = NULL;
		char g[208];
		if (!tm_k8s_str(c, uri, "prefix", FLD(g, "%s.prefix", f), &prefix) ||
		    !tm_k8s_str(c, uri, "regex", FLD(g, "%s.regex", f), &regex) ||
		    !tm_k8s_str(c, uri, "exact", FLD(g, "%s.exact", f), &exact))
			return false;
		bool all = !exact && ((prefix && !strcmp(prefix, "/") && !regex) || (regex && !strcmp(regex, ".*") && !prefix));
		if (!all && (prefix || regex || exact))
			*out = "uri";
	}
	/* StringMatch conditions: any value, even {}, is a header matcher */
	static const char *const strmatch[] = {"scheme", "method", "authority", NULL};
	for (size_t i = 0; strmatch[i]; i++) {
		const tm_node *n = tm_k8s_map(c, mn, strmatch[i], FLD(f, "%s.%s", field, strmatch[i]));
		if (c->failed)
			return false;
		if (n && !*out)
			*out = strmatch[i];
	}
	/* maps of name -> StringMatch: each entry is a matcher, none is none */
	static const char *const maps[] = {"headers", "queryParams", "withoutHeaders", NULL};
	for (size_t i = 0; maps[i]; i++) {
		const tm_node *n = tm_k8s_map(c, mn, maps[i], FLD(f, "%s.%s", field, maps[i]));
		if (c->failed)
			return false;
		if (n && n->n && !*out)
			*out = maps[i];
	}
	return true;
}

/* The L4 (tcp) or TLS conditions that only the connection settles: the
 * destination address, the source address, the SNI. */
static bool l4_unsettled(tm_k8s_ctx *c, const tm_node *mn, const char *field, tm_vs_route_kind kind, const char **out)
{
	char f[192];
	tm_strlist l;
	*out = NULL;
	if (kind == TM_VSR_TLS) {
		if (!tm_istio_strlist(c, mn, "sniHosts", FLD(f, "%s.sniHosts", field), &l))
			return false;
		if (l.n)
			*out = "sniHosts";
	}
	if (!tm_istio_strlist(c, mn, "destinationSubnets", FLD(f, "%s.destinationSubnets", field), &l))
		return false;
	if (l.n && !*out)
		*out = "destinationSubnets";
	if (kind == TM_VSR_TCP) {
		const char *src = NULL;
		if (!tm_k8s_str(c, mn, "sourceSubnet", FLD(f, "%s.sourceSubnet", field), &src))
			return false;
		if (src && *src && !*out)
			*out = "sourceSubnet";
	}
	return true;
}

/* ---- an entry of match[] written canonically ----
 * istioctl analyze's IST0130 (pkg/config/validation, analyzeUnreachable-
 * HTTPRules and the TCP and TLS ones) compares entries by their JSON without
 * the name: maps by sorted key, the proto's empty values left out. Two
 * entries equal so select the same requests. */
static void canon_node(tm_buf *b, const tm_node *n)
{
	if (n->kind == TM_NODE_SCALAR) {
		if (n->stype == TM_SCALAR_NULL)
			(void)tm_buf_addc(b, '~');
		else {
			(void)tm_buf_addf(b, "%zu:", n->len);
			(void)tm_buf_add(b, n->str, n->len);
		}
		return;
	}
	if (n->kind == TM_NODE_SEQ) {
		(void)tm_buf_addc(b, '[');
		for (size_t i = 0; i < n->n; i++) {
			canon_node(b, n->items[i]);
			(void)tm_buf_addc(b, ',');
		}
		(void)tm_buf_addc(b, ']');
		return;
	}
	/* keys in order: the smallest not yet written, each time (maps here are small) */
	(void)tm_buf_addc(b, '{');
	const char *last = NULL;
	for (size_t k = 0; k < n->n; k++) {
		const tm_pair *next = NULL;
		for (size_t i = 0; i < n->n; i++) {
			const char *ks = n->pairs[i].key->str;
			if ((!last || strcmp(ks, last) > 0) && (!next || strcmp(ks, next->key->str) < 0))
				next = &n->pairs[i];
		}
		if (!next)
			break;
		last = next->key->str;
		(void)tm_buf_addf(b, "%zu:%s=", strlen(last), last);
		canon_node(b, next->val);
		(void)tm_buf_addc(b, ',');
	}
	(void)tm_buf_addc(b, '}');
}

/* A value the proto's JSON leaves out: null, false, 0, "", an empty list or map. */
static bool canon_empty(const tm_node *v)
{
	if (v->kind != TM_NODE_SCALAR)
		return v->n == 0;
	return v->stype == TM_SCALAR_NULL || (v->stype == TM_SCALAR_BOOL && !strcmp(v->str, "false")) ||
	       (v->stype == TM_SCALAR_INT && !strcmp(v->str, "0")) || (v->stype == TM_SCALAR_STR && !v->len);
}

static const char *match_canon(tm_k8s_ctx *c, const tm_node *mn)
{
	tm_buf b;
	tm_buf_init(&b, 16 * 1024);
	tm_node top = *mn;
	tm_pair kept[32];
	top.pairs = kept;
	top.n = 0;
	for (size_t i = 0; i < mn->n && top.n < TM_ARRAY_LEN(kept); i++)
		if (strcmp(mn->pairs[i].key->str, "name") && !canon_empty(mn->pairs[i].val))
			kept[top.n++] = mn->pairs[i];
	const char *out = NULL;
	if (top.n == mn->n || top.n < TM_ARRAY_LEN(kept)) {
		canon_node(&b, &top);
		if (!b.toobig)
			out = tm_intern_n(&c->m->strs, b.s ? b.s : "", b.len);
	}
	tm_buf_release(&b);
	return out;
}

/* match[] of a route: each entry sidecar traffic can take (its gateways
 * absent or naming "mesh"), with the conditions pilot settles for a given
 * sidecar (port, sourceLabels, sourceNamespace) and the first one only the
 * request or connection settles. *mesh: the route is for sidecars (no
 * match[], or an entry kept). */
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
	static const char *const tcp_fields[] = {"destinationSubnets", "port", "sourceSubnet", "sourceLabels",
		"gateways", "sourceNamespace", NULL};
	static const char *const tls_fields[] = {"sniHosts", "destinationSubnets", "port", "sourceLabels", "gateways",
		"sourceNamespace", NULL};
	r->has_match = true;
	r->matches = tm_arena_alloc(&c->m->arena, ms->n * sizeof *r->matches);
	for (size_t i = 0; i < ms->n; i++) {
		char g[160], h[192];
		const tm_node *mn = ms->items[i];
		FLD(g, "%s[%zu]", f, i);
		if (mn->kind != TM_NODE_MAP) {
			tm_k8s_error(c, mn, g, "expected a map, got %s", tm_node_kind_str(mn));
			return false;
		}
		tm_k8s_known_fields(c, mn, g, r->kind == TM_VSR_HTTP ? http_fields : r->kind == TM_VSR_TCP ? tcp_fields
														   : tls_fields);
		tm_vs_match *m = &r->matches[r->nmatches];
		memset(m, 0, sizeof *m);
		m->loc = mn->loc;
		tm_strlist gws;
		if (!tm_istio_strlist(c, mn, "gateways", FLD(h, "%s.gateways", g), &gws) ||
		    !port_num(c, mn, "port", FLD(h, "%s.port", g), &m->port) ||
		    !tm_k8s_labels(c, tm_node_get(mn, "sourceLabels"), FLD(h, "%s.sourceLabels", g), &m->src_labels,
				   TM_LABELS_STRICT) ||
		    !tm_k8s_str(c, mn, "sourceNamespace", FLD(h, "%s.sourceNamespace", g), &m->src_ns))
			return false;
		if (m->src_ns && !*m->src_ns)
			m->src_ns = NULL; /* pilot: "" is any namespace */
		if (r->kind == TM_VSR_HTTP ? !http_unsettled(c, mn, g, &m->unsettled)
					   : !l4_unsettled(c, mn, g, r->kind, &m->unsettled))
			return false;
		bool for_mesh = !gws.n;
		for (size_t k = 0; k < gws.n; k++)
			for_mesh |= !strcmp(gws.v[k], "mesh");
		if (!for_mesh) {
			r->gw_entries = true;
			continue; /* only at those gateways */
		}
		m->gateways = gws.n > 0;
		m->canon = match_canon(c, mn);
		r->nmatches++;
	}
	*mesh = r->nmatches > 0;
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
	/* pilot's translateRoute: a redirect, else a directResponse, else
	 * route[] (and the mirrors) - the client's sidecar answers a request
	 * the first two take and sends nothing upstream. A delegate is merged
	 * before (the API refuses it beside either). */
	if (kind == TM_VSR_HTTP) {
		char af[128], df[128];
		const tm_node *redir = tm_k8s_map(c, rn, "redirect", FLD(af, "%s.redirect", field));
		const tm_node *direct = tm_k8s_map(c, rn, "directResponse", FLD(df, "%s.directResponse", field));
		if (c->failed)
			return false;
		if (!r->delegate)
			r->answer = redir ? "redirect" : direct ? "directResponse" : NULL;
	}
	if (!mesh || r->answer) {
		r->ndests = 0; /* only at gateways: no sidecar traffic takes it; or answered by the sidecar */
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
	vs->ignore = tm_k8s_ignore_annotation(tm_node_get(c->obj, "metadata"), &vs->ignore_loc);
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
			r->index = i;
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
