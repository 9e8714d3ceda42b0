/* mesh.c - the service-mesh part of the model (mesh.h). */
#include "model/mesh.h"

#include <stdlib.h>
#include <string.h>

static const char *const ann_prefixes[] = {
	"sidecar.istio.io/", "traffic.sidecar.istio.io/", "istio.io/", "proxy.istio.io/",
	"linkerd.io/", "config.linkerd.io/", "config.alpha.linkerd.io/",
};

bool tm_mesh_annotation_key(const char *key)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(ann_prefixes); i++)
		if (!strncmp(key, ann_prefixes[i], strlen(ann_prefixes[i])))
			return true;
	return false;
}

const char *tm_pa_mode_name(tm_pa_mode m)
{
	switch (m) {
	case TM_PA_UNSET: return "UNSET";
	case TM_PA_STRICT: return "STRICT";
	case TM_PA_PERMISSIVE: return "PERMISSIVE";
	case TM_PA_DISABLE: return "DISABLE";
	}
	return "?";
}

const char *tm_dr_tls_name(tm_dr_tls t)
{
	switch (t) {
	case TM_DRTLS_AUTO: return "none (auto mTLS)";
	case TM_DRTLS_DISABLE: return "DISABLE";
	case TM_DRTLS_SIMPLE: return "SIMPLE";
	case TM_DRTLS_MUTUAL: return "MUTUAL";
	case TM_DRTLS_ISTIO_MUTUAL: return "ISTIO_MUTUAL";
	}
	return "?";
}

const char *tm_az_action_name(tm_az_action a)
{
	switch (a) {
	case TM_AZ_ALLOW: return "ALLOW";
	case TM_AZ_DENY: return "DENY";
	case TM_AZ_CUSTOM: return "CUSTOM";
	case TM_AZ_AUDIT: return "AUDIT";
	}
	return "?";
}

const char *tm_cilium_enc_name(tm_cilium_enc e)
{
	switch (e) {
	case TM_CENC_UNKNOWN: return "unknown";
	case TM_CENC_NONE: return "none";
	case TM_CENC_WIREGUARD: return "wireguard";
	case TM_CENC_IPSEC: return "ipsec";
	case TM_CENC_ZTUNNEL: return "ztunnel";
	}
	return "?";
}

bool tm_cilium_present(const tm_model *m, const char **what)
{
	const char *w = NULL;
	if (m->mesh && m->mesh->install.cilium_config)
		w = "the cilium-config ConfigMap";
	for (size_t i = 0; !w && i < m->nworkloads; i++)
		if (!strcmp(m->workloads[i]->name, "cilium") && !strcmp(m->workloads[i]->kind, "DaemonSet"))
			w = "the cilium DaemonSet";
	for (size_t i = 0; !w && i < m->nnetpols; i++)
		if (m->netpols[i]->kind && !strncmp(m->netpols[i]->kind, "Cilium", 6))
			w = m->netpols[i]->kind;
	for (size_t i = 0; !w && i < m->nnamespaces; i++)
		if (tm_labels_get(&m->namespaces[i]->labels, TM_CILIUM_ZTUNNEL_LABEL))
			w = "the namespace label " TM_CILIUM_ZTUNNEL_LABEL;
	if (what)
		*what = w;
	return w != NULL;
}

tm_meshobjs *tm_mesh_get(tm_model *m)
{
	if (!m->mesh)
		m->mesh = tm_arena_alloc(&m->arena, sizeof *m->mesh);
	return m->mesh;
}

/* labels that decide Istio injection or ambient enrolment */
static bool istio_label(const tm_labels *l)
{
	return tm_labels_get(l, "istio-injection") || tm_labels_get(l, "istio.io/rev") ||
	       tm_labels_get(l, "istio.io/dataplane-mode") || tm_labels_get(l, "sidecar.istio.io/inject") ||
	       tm_labels_get(l, "security.istio.io/tlsMode") || tm_labels_get(l, "linkerd.io/control-plane-ns");
}

bool tm_mesh_present(const tm_model *m)
{
	if (m->mesh || tm_cilium_present(m, NULL))
		return true;
	for (size_t i = 0; i < m->nnamespaces; i++)
		if (m->namespaces[i]->mesh_ann.n || istio_label(&m->namespaces[i]->labels))
			return true;
	for (size_t i = 0; i < m->nworkloads; i++)
		if (m->workloads[i]->mesh || istio_label(&m->workloads[i]->labels))
			return true;
	return false;
}

/* every mesh object starts with (ns, name) */
typedef struct named {
	const char *ns, *name;
} named;

static int named_cmp(const void *a, const void *b)
{
	const named *x = *(const named *const *)a, *y = *(const named *const *)b;
	int c = strcmp(x->ns ? x->ns : "", y->ns ? y->ns : "");
	return c ? c : strcmp(x->name, y->name);
}

static void sort_named(void *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(void *), named_cmp);
}

bool tm_mesh_list_sorted(void *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const named *x = v[i];
		if (!x->ns || (i && strcmp(((const named *)v[i - 1])->ns, x->ns) > 0))
			return false;
	}
	return true;
}

void tm_mesh_ns_run(void *const *v, size_t n, const char *ns, size_t *lo, size_t *hi)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (strcmp(((const named *)v[m])->ns, ns) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	b = n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (strcmp(((const named *)v[m])->ns, ns) <= 0)
			a = m + 1;
		else
			b = m;
	}
	*hi = a;
}

static int route_cmp(const void *a, const void *b)
{
	const tm_l5d_route *x = *(const tm_l5d_route *const *)a, *y = *(const tm_l5d_route *const *)b;
	int c = strcmp(x->ns, y->ns);
	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->kind, y->kind);
}

void tm_mesh_finish(tm_model *m)
{
	tm_meshobjs *ms = m->mesh;
	if (!ms)
		return;
	sort_named(ms->pas, ms->npas);
	sort_named(ms->drs, ms->ndrs);
	sort_named(ms->azs, ms->nazs);
	sort_named(ms->servers, ms->nservers);
	sort_named(ms->l5d_azs, ms->nl5d_azs);
	sort_named(ms->mtlsauthns, ms->nmtlsauthns);
	sort_named(ms->netauthns, ms->nnetauthns);
	sort_named(ms->sazs, ms->nsazs);
	sort_named(ms->vss, ms->nvss);
	sort_named(ms->ses, ms->nses);
	if (ms->nroutes > 1)
		qsort(ms->routes, ms->nroutes, sizeof(void *), route_cmp);
}
