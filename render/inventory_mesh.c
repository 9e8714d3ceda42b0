/* inventory_mesh.c - the mesh census of `trustmap inventory`
 * (analyzer/mesh_census.h): the "Mesh:" section of the text and the "mesh"
 * object of the JSON (docs/json.md). Only formats what the census holds. */
#include "render/render.h"
#include "render/jsonw.h"

static const char *const pa_mode_keys[] = {"UNSET", "STRICT", "PERMISSIVE", "DISABLE"};
static const char *const dr_tls_keys[] = {"none", "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"};
static const char *const az_keys[] = {"ALLOW", "DENY", "CUSTOM", "AUDIT"};
/* the text's order of a namespace's counts: the meshes, then unknown, then none */
static const tm_proxy proxy_order[TM_CENSUS_NPROXY] = {TM_PROXY_ISTIO_SIDECAR, TM_PROXY_ISTIO_AMBIENT, TM_PROXY_LINKERD,
						      TM_PROXY_UNKNOWN, TM_PROXY_NONE};

/* Is w listed (a proxy, or a fact that kept it out)? The rest are counted. */
static bool listed(const tm_census_wl *w)
{
	return w->enrol.proxy != TM_PROXY_NONE || tm_census_excluded(w);
}

/* ---- text ---- */
static void from_txt(const tm_mesh_from *f, tm_mesh_setting s, FILE *out)
{
	switch (f->kind) {
	case TM_MFROM_OPTION:
		fprintf(out, "option --%s", tm_mesh_setting_name(s));
		break;
	case TM_MFROM_CONFIGMAP:
		fprintf(out, "ConfigMap %s", f->object ? f->object : "-");
		if (f->key)
			fprintf(out, " %s", f->key);
		break;
	case TM_MFROM_INPUT:
		fprintf(out, "input %s", f->object ? f->object : "-");
		break;
	case TM_MFROM_DEFAULT:
		fputs("default", out);
		break;
	}
}

/* " KEY=N" for each nonzero count, or " -" for none */
static void counts_txt(const size_t *v, const char *const *keys, size_t n, FILE *out)
{
	bool any = false;
	for (size_t i = 0; i < n; i++)
		if (v[i]) {
			fprintf(out, " %s=%zu", keys[i], v[i]);
			any = true;
		}
	if (!any)
		fputs(" -", out);
}

static void wl_txt(const tm_census_wl *w, FILE *out)
{
	fprintf(out, "    %s  %s  %s", w->w->display, tm_proxy_name(w->enrol.proxy), tm_mesh_by_name(w->enrol.basis));
	if (w->enrol.revision)
		fprintf(out, "  revision=%s", w->enrol.revision);
	fprintf(out, "  (%s)\n", w->enrol.why);
}

static void objects_txt(const tm_census_objs *o, FILE *out)
{
	fputs("  Policy objects\n", out);
	fprintf(out, "    PeerAuthentication  %zu", o->pas);
	for (size_t sc = 0; sc < TM_NPASCOPE; sc++) {
		size_t n = 0;
		for (size_t k = 0; k <= TM_PA_DISABLE; k++)
			n += o->pa_modes[sc][k];
		if (!n)
			continue;
		fprintf(out, "  %s:", tm_pa_scope_name((tm_pa_scope)sc));
		counts_txt(o->pa_modes[sc], pa_mode_keys, TM_PA_DISABLE + 1, out);
	}
	if (o->pa_port_level)
		fprintf(out, "  portLevelMtls=%zu", o->pa_port_level);
	if (o->mesh_pa)
		fprintf(out, "  mesh-wide=%s/%s", o->mesh_pa->ns, o->mesh_pa->name);
	fprintf(out, "\n    DestinationRule  %zu", o->drs);
	if (o->drs) {
		fputs("  tls:", out);
		counts_txt(o->dr_tls, dr_tls_keys, TM_DRTLS_ISTIO_MUTUAL + 1, out);
		fputs("  port/subset tls:", out);
		counts_txt(o->dr_overrides, dr_tls_keys, TM_DRTLS_ISTIO_MUTUAL + 1, out);
	}
	fprintf(out, "\n    AuthorizationPolicy  %zu", o->azs);
	if (o->azs) {
		fputs(" ", out);
		counts_txt(o->az_actions, az_keys, TM_AZ_AUDIT + 1, out);
		fprintf(out, "  targetRef=%zu", o->az_target_refs);
	}
	fprintf(out, "\n    VirtualService  %zu", o->vss);
	if (o->vss)
		fprintf(out, "  mesh=%zu gateway-only=%zu", o->vs_mesh, o->vss - o->vs_mesh);
	fprintf(out, "\n    ServiceEntry  %zu", o->ses);
	if (o->ses)
		fprintf(out, "  MESH_EXTERNAL=%zu MESH_INTERNAL=%zu", o->ses - o->se_internal, o->se_internal);
	fprintf(out, "\n    Server (Linkerd)  %zu\n", o->servers);
	fprintf(out, "    AuthorizationPolicy (Linkerd)  %zu\n", o->l5d_azs);
	fprintf(out, "    MeshTLSAuthentication  %zu\n", o->mtlsauthns);
	fprintf(out, "    NetworkAuthentication  %zu\n", o->netauthns);
	fprintf(out, "    ServerAuthorization  %zu\n", o->sazs);
	fprintf(out, "    HTTPRoute (Linkerd)  %zu\n", o->http_routes);
	fprintf(out, "    GRPCRoute (Linkerd)  %zu\n", o->grpc_routes);
}

tm_err tm_render_inventory_mesh_txt(const tm_mesh_census *c, FILE *out)
{
	fputs("\nMesh:\n", out);
	fprintf(out, "  Assumptions (%d)\n", (int)TM_NMSET);
	for (size_t s = 0; s < TM_NMSET; s++) {
		fprintf(out, "    %s  %s  (", tm_mesh_setting_name((tm_mesh_setting)s),
			tm_census_setting_value(&c->set, (tm_mesh_setting)s));
		from_txt(&c->set.from[s], (tm_mesh_setting)s, out);
		fputs(")\n", out);
	}
	fprintf(out, "  Cilium  %s\n", c->cilium ? c->cilium_why : "not in the input");
	fprintf(out, "  Namespaces (%zu)\n", c->nns);
	for (size_t i = 0; i < c->nns; i++) {
		const tm_census_ns *n = &c->ns[i];
		fprintf(out, "    %s  enrolled-by=%s%s  workloads=%zu", n->ns->name, n->enrols ? n->enrols : "-",
			n->cilium_ztunnel ? " " TM_CILIUM_ZTUNNEL_LABEL "=true" : "", n->nworkloads);
		for (size_t k = 0; k < TM_CENSUS_NPROXY; k++)
			if (n->proxies[proxy_order[k]])
				fprintf(out, " %s=%zu", tm_proxy_name(proxy_order[k]), n->proxies[proxy_order[k]]);
		fputc('\n', out);
	}
	size_t meshed = c->nwl - c->proxies[TM_PROXY_NONE] - c->proxies[TM_PROXY_UNKNOWN];
	fprintf(out, "  In a mesh (%zu)\n", meshed);
	for (size_t i = 0; i < c->nwl; i++)
		if (c->wl[i].enrol.proxy != TM_PROXY_NONE && c->wl[i].enrol.proxy != TM_PROXY_UNKNOWN)
			wl_txt(&c->wl[i], out);
	fprintf(out, "  Undecided: proxy unknown (%zu)\n", c->proxies[TM_PROXY_UNKNOWN]);
	for (size_t i = 0; i < c->nwl; i++)
		if (c->wl[i].enrol.proxy == TM_PROXY_UNKNOWN)
			wl_txt(&c->wl[i], out);
	fprintf(out, "  Kept out, with a reason (%zu)\n", c->excluded);
	for (size_t i = 0; i < c->nwl; i++)
		if (tm_census_excluded(&c->wl[i]))
			wl_txt(&c->wl[i], out);
	fprintf(out, "  No mesh injection applies: %zu workload%s\n", c->proxies[TM_PROXY_NONE] - c->excluded,
		c->proxies[TM_PROXY_NONE] - c->excluded == 1 ? "" : "s");
	objects_txt(&c->objs, out);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

/* ---- JSON ---- */
static void counts_json(tm_jsonw *w, const size_t *v, const char *const *keys, size_t n)
{
	TM_JSONW_LIT(w, "{");
	for (size_t i = 0; i < n; i++) {
		if (i)
			TM_JSONW_LIT(w, ", ");
		tm_jsonw_str(w, keys[i]);
		TM_JSONW_LIT(w, ": ");
		tm_jsonw_u64(w, v[i]);
	}
	TM_JSONW_LIT(w, "}");
}

static void proxies_json(tm_jsonw *w, const size_t *v)
{
	const char *keys[TM_CENSUS_NPROXY];
	for (size_t p = 0; p < TM_CENSUS_NPROXY; p++)
		keys[p] = tm_proxy_name((tm_proxy)p);
	counts_json(w, v, keys, TM_CENSUS_NPROXY);
}

static void objects_json(tm_jsonw *w, const tm_census_objs *o)
{
	TM_JSONW_LIT(w, "{\n      \"peer_authentications\": {\"count\": ");
	tm_jsonw_u64(w, o->pas);
	TM_JSONW_LIT(w, ", \"mesh_wide\": ");
	if (o->mesh_pa) {
		TM_JSONW_LIT(w, "{\"namespace\": ");
		tm_jsonw_str(w, o->mesh_pa->ns);
		TM_JSONW_LIT(w, ", \"name\": ");
		tm_jsonw_str(w, o->mesh_pa->name);
		TM_JSONW_LIT(w, "}");
	} else
		TM_JSONW_LIT(w, "null");
	TM_JSONW_LIT(w, ", \"port_level\": ");
	tm_jsonw_u64(w, o->pa_port_level);
	TM_JSONW_LIT(w, ", \"by_scope\": {");
	for (size_t sc = 0; sc < TM_NPASCOPE; sc++) {
		if (sc)
			TM_JSONW_LIT(w, ", ");
		tm_jsonw_str(w, tm_pa_scope_name((tm_pa_scope)sc));
		TM_JSONW_LIT(w, ": ");
		counts_json(w, o->pa_modes[sc], pa_mode_keys, TM_PA_DISABLE + 1);
	}
	TM_JSONW_LIT(w, "}},\n      \"destination_rules\": {\"count\": ");
	tm_jsonw_u64(w, o->drs);
	TM_JSONW_LIT(w, ", \"tls\": ");
	counts_json(w, o->dr_tls, dr_tls_keys, TM_DRTLS_ISTIO_MUTUAL + 1);
	TM_JSONW_LIT(w, ", \"port_and_subset_tls\": ");
	counts_json(w, o->dr_overrides, dr_tls_keys, TM_DRTLS_ISTIO_MUTUAL + 1);
	TM_JSONW_LIT(w, "},\n      \"authorization_policies\": {\"count\": ");
	tm_jsonw_u64(w, o->azs);
	TM_JSONW_LIT(w, ", \"actions\": ");
	counts_json(w, o->az_actions, az_keys, TM_AZ_AUDIT + 1);
	TM_JSONW_LIT(w, ", \"target_refs\": ");
	tm_jsonw_u64(w, o->az_target_refs);
	TM_JSONW_LIT(w, "},\n      \"virtual_services\": {\"count\": ");
	tm_jsonw_u64(w, o->vss);
	TM_JSONW_LIT(w, ", \"mesh\": ");
	tm_jsonw_u64(w, o->vs_mesh);
	TM_JSONW_LIT(w, ", \"gateway_only\": ");
	tm_jsonw_u64(w, o->vss - o->vs_mesh);
	TM_JSONW_LIT(w, "},\n      \"service_entries\": {\"count\": ");
	tm_jsonw_u64(w, o->ses);
	TM_JSONW_LIT(w, ", \"mesh_external\": ");
	tm_jsonw_u64(w, o->ses - o->se_internal);
	TM_JSONW_LIT(w, ", \"mesh_internal\": ");
	tm_jsonw_u64(w, o->se_internal);
	TM_JSONW_LIT(w, "},\n      \"linkerd\": {\"servers\": ");
	tm_jsonw_u64(w, o->servers);
	TM_JSONW_LIT(w, ", \"authorization_policies\": ");
	tm_jsonw_u64(w, o->l5d_azs);
	TM_JSONW_LIT(w, ", \"mesh_tls_authentications\": ");
	tm_jsonw_u64(w, o->mtlsauthns);
	TM_JSONW_LIT(w, ", \"network_authentications\": ");
	tm_jsonw_u64(w, o->netauthns);
	TM_JSONW_LIT(w, ", \"server_authorizations\": ");
	tm_jsonw_u64(w, o->sazs);
	TM_JSONW_LIT(w, ", \"http_routes\": ");
	tm_jsonw_u64(w, o->http_routes);
	TM_JSONW_LIT(w, ", \"grpc_routes\": ");
	tm_jsonw_u64(w, o->grpc_routes);
	TM_JSONW_LIT(w, "}\n    }");
}

void tm_render_inventory_mesh_json(const tm_mesh_census *c, tm_jsonw *w)
{
	TM_JSONW_LIT(w, "{\n    \"assumptions\": [");
	for (size_t s = 0; s < TM_NMSET; s++) {
		const tm_mesh_from *f = &c->set.from[s];
		tm_jsonw_raws(w, s ? ",\n      {\"name\": " : "\n      {\"name\": ");
		tm_jsonw_str(w, tm_mesh_setting_name((tm_mesh_setting)s));
		TM_JSONW_LIT(w, ", \"value\": ");
		tm_jsonw_str(w, tm_census_setting_value(&c->set, (tm_mesh_setting)s));
		TM_JSONW_LIT(w, ", \"from\": ");
		tm_jsonw_str(w, tm_mesh_from_kind_name(f->kind));
		TM_JSONW_LIT(w, ", \"object\": ");
		tm_jsonw_str(w, f->object);
		TM_JSONW_LIT(w, ", \"key\": ");
		tm_jsonw_str(w, f->key);
		TM_JSONW_LIT(w, "}");
	}
	TM_JSONW_LIT(w, "\n    ],\n    \"cilium\": ");
	tm_jsonw_str(w, c->cilium ? c->cilium_why : NULL);
	TM_JSONW_LIT(w, ",\n    \"namespaces\": [");
	for (size_t i = 0; i < c->nns; i++) {
		const tm_census_ns *n = &c->ns[i];
		tm_jsonw_raws(w, i ? ",\n      {\"name\": " : "\n      {\"name\": ");
		tm_jsonw_str(w, n->ns->name);
		TM_JSONW_LIT(w, ", \"enrolled_by\": ");
		tm_jsonw_str(w, n->enrols);
		TM_JSONW_LIT(w, ", \"cilium_ztunnel\": ");
		tm_jsonw_bool(w, n->cilium_ztunnel);
		TM_JSONW_LIT(w, ", \"workloads\": ");
		tm_jsonw_u64(w, n->nworkloads);
		TM_JSONW_LIT(w, ", \"proxies\": ");
		proxies_json(w, n->proxies);
		TM_JSONW_LIT(w, "}");
	}
	tm_jsonw_raws(w, c->nns ? "\n    ],\n    \"workloads\": [" : "],\n    \"workloads\": [");
	size_t k = 0;
	for (size_t i = 0; i < c->nwl; i++) {
		const tm_census_wl *x = &c->wl[i];
		if (!listed(x))
			continue;
		tm_jsonw_raws(w, k++ ? ",\n      {\"id\": " : "\n      {\"id\": ");
		tm_jsonw_str(w, x->w->display);
		TM_JSONW_LIT(w, ", \"proxy\": ");
		tm_jsonw_str(w, tm_proxy_name(x->enrol.proxy));
		TM_JSONW_LIT(w, ", \"basis\": ");
		tm_jsonw_str(w, tm_mesh_by_name(x->enrol.basis));
		TM_JSONW_LIT(w, ", \"excluded\": ");
		tm_jsonw_bool(w, tm_census_excluded(x));
		TM_JSONW_LIT(w, ", \"revision\": ");
		tm_jsonw_str(w, x->enrol.revision);
		TM_JSONW_LIT(w, ", \"reason\": ");
		tm_jsonw_str(w, x->enrol.why);
		TM_JSONW_LIT(w, "}");
	}
	tm_jsonw_raws(w, k ? "\n    ],\n    \"totals\": {\"workloads\": " : "],\n    \"totals\": {\"workloads\": ");
	tm_jsonw_u64(w, c->nwl);
	TM_JSONW_LIT(w, ", \"excluded\": ");
	tm_jsonw_u64(w, c->excluded);
	TM_JSONW_LIT(w, ", \"proxies\": ");
	proxies_json(w, c->proxies);
	TM_JSONW_LIT(w, "},\n    \"objects\": ");
	objects_json(w, &c->objs);
	TM_JSONW_LIT(w, "\n  }");
}
