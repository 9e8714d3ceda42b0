/* mesh_pods.c - what the service meshes read from pods and namespaces
 * (annotations, proxy containers) and their install ConfigMaps (istio,
 * istio-sidecar-injector, linkerd-config; cilium-config is handed to
 * cilium_config.c): the facts that decide injection and the cluster-wide
 * defaults (docs/semantics.md "Mesh mTLS posture"). */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"
#include "model/mesh.h"

#include <string.h>

void tm_k8s_api_version_check(tm_k8s_ctx *c, const char *const *known)
{
	const tm_node *an = tm_node_get(c->obj, "apiVersion");
	if (!an || an->kind != TM_NODE_SCALAR)
		return;
	for (const char *const *k = known; *k; k++)
		if (!strcmp(an->str, *k))
			return;
	tm_k8s_warn(c, an, "apiVersion %s is not one trustmap knows; read as the newest known version", an->str);
}

/* the mesh annotations of meta, sorted */
static bool mesh_annotations(tm_k8s_ctx *c, const tm_node *meta, const char *field, tm_labels *out)
{
	const tm_node *ann = tm_node_get(meta, "annotations");
	out->n = 0;
	out->v = NULL;
	if (!ann || ann->kind != TM_NODE_MAP)
		return true;
	size_t n = 0;
	for (size_t i = 0; i < ann->n; i++) {
		const tm_node *k = ann->pairs[i].key;
		if (k->kind == TM_NODE_SCALAR && tm_mesh_annotation_key(k->str))
			n++;
	}
	if (!n)
		return true;
	out->v = tm_arena_alloc(&c->m->arena, n * sizeof(tm_label));
	for (size_t i = 0; i < ann->n; i++) {
		const tm_node *k = ann->pairs[i].key, *v = ann->pairs[i].val;
		if (k->kind != TM_NODE_SCALAR || !tm_mesh_annotation_key(k->str))
			continue;
		if (v->kind != TM_NODE_SCALAR) {
			tm_k8s_warn(c, v, "%s: annotation %s: expected a string, got %s; ignored", field, k->str,
				    tm_node_kind_str(v));
			continue;
		}
		out->v[out->n].key = k->str;
		out->v[out->n].val = v->stype == TM_SCALAR_NULL ? tm_intern(&c->m->strs, "") : v->str;
		out->n++;
	}
	if (!tm_labels_sort(out)) {
		tm_k8s_warn(c, ann, "%s: duplicate mesh annotation; the mesh annotations are ignored", field);
		out->n = 0;
	}
	return true;
}

const tm_mesh_pod *tm_k8s_mesh_pod(tm_k8s_ctx *c, const tm_node *meta, const tm_node *spec)
{
	tm_mesh_pod mp = {0};
	mesh_annotations(c, meta, "metadata.annotations", &mp.ann);
	static const char *const lists[] = {"containers", "initContainers"};
	for (size_t li = 0; li < 2; li++) {
		const tm_node *cs = tm_node_get(spec, lists[li]);
		for (size_t i = 0; cs && cs->kind == TM_NODE_SEQ && i < cs->n; i++) {
			const tm_node *nm = tm_node_get(cs->items[i], "name");
			if (!nm || nm->kind != TM_NODE_SCALAR)
				continue;
			mp.istio_proxy |= !strcmp(nm->str, "istio-proxy");
			mp.linkerd_proxy |= !strcmp(nm->str, "linkerd-proxy");
		}
	}
	const tm_node *am = tm_node_get(spec, "automountServiceAccountToken");
	mp.automount_off = am && am->kind == TM_NODE_SCALAR && am->stype == TM_SCALAR_BOOL && !strcmp(am->str, "false");
	if (!mp.ann.n && !mp.istio_proxy && !mp.linkerd_proxy && !mp.automount_off)
		return NULL;
	return tm_arena_memdup(&c->m->arena, &mp, sizeof mp);
}

tm_labels tm_k8s_mesh_ns(tm_k8s_ctx *c, const tm_node *meta)
{
	tm_labels l;
	mesh_annotations(c, meta, "metadata.annotations", &l);
	return l;
}

/* ---- install ConfigMaps ---- */
static bool prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

bool tm_k8s_mesh_configmap_wanted(const tm_node *obj)
{
	const tm_node *nm = tm_node_get(tm_node_get(obj, "metadata"), "name");
	if (!nm || nm->kind != TM_NODE_SCALAR)
		return false;
	const char *n = nm->str;
	const tm_node *data = tm_node_get(obj, "data");
	return !strcmp(n, "linkerd-config") || !strcmp(n, "cilium-config") || prefix(n, "istio-sidecar-injector") ||
	       ((!strcmp(n, "istio") || prefix(n, "istio-")) && tm_node_get(data, "mesh"));
}

/* One embedded YAML/JSON document of data[key], parsed into the scratch
 * arena a (strings interned in the model), or NULL (warned). */
static const tm_node *embedded(tm_k8s_ctx *c, tm_arena *a, const char *key)
{
	const tm_node *v = tm_node_get(tm_node_get(c->obj, "data"), key);
	if (!v)
		return NULL;
	if (v->kind != TM_NODE_SCALAR) {
		tm_k8s_warn(c, v, "data.%s: expected a string, got %s; ignored", key, tm_node_kind_str(v));
		return NULL;
	}
	tm_docs docs = {0};
	tm_srcloc eloc;
	tm_buf emsg;
	tm_buf_init(&emsg, 4096);
	tm_err e = tm_doc_parse(a, &c->m->strs, &c->o->limits, v->loc.file, v->str, v->len, false, &docs, &eloc,
				&emsg);
	const tm_node *root = docs.n ? docs.docs[0] : NULL;
	if (e != TM_OK || (root && root->kind != TM_NODE_MAP)) {
		tm_k8s_warn(c, v, "data.%s: not a YAML or JSON map (%s); the install values in it are not read", key,
			    e != TM_OK ? tm_buf_str(&emsg) : tm_node_kind_str(root));
		root = NULL;
	}
	tm_buf_release(&emsg);
	return root;
}

static const char *scalar(const tm_node *map, const char *path)
{
	const tm_node *n = map;
	char part[64];
	while (*path && n) {
		size_t k = strcspn(path, ".");
		if (k >= sizeof part)
			return NULL;
		memcpy(part, path, k);
		part[k] = 0;
		n = tm_node_get(n, part);
		path += k + (path[k] == '.');
	}
	return n && n->kind == TM_NODE_SCALAR && n->stype != TM_SCALAR_NULL ? n->str : NULL;
}

static tm_tri tri(const char *s)
{
	return !s ? TM_TRI_UNKNOWN : !strcmp(s, "true") || !strcmp(s, "enabled") ? TM_TRI_YES : TM_TRI_NO;
}

/* "4567,4568" or a YAML list of ports, as text */
static const char *port_list(tm_k8s_ctx *c, const tm_node *map, const char *path)
{
	const char *s = scalar(map, path);
	if (s)
		return s;
	const tm_node *n = map;
	char part[64];
	while (*path && n) {
		size_t k = strcspn(path, ".");
		if (k >= sizeof part)
			return NULL;
		memcpy(part, path, k);
		part[k] = 0;
		n = tm_node_get(n, part);
		path += k + (path[k] == '.');
	}
	if (!n || n->kind != TM_NODE_SEQ)
		return NULL;
	tm_buf b;
	tm_buf_init(&b, 64 * 1024);
	for (size_t i = 0; i < n->n; i++)
		if (n->items[i]->kind == TM_NODE_SCALAR)
			(void)tm_buf_addf(&b, "%s%s", b.len ? "," : "", n->items[i]->str);
	const char *r = tm_intern(&c->m->strs, tm_buf_str(&b));
	tm_buf_release(&b);
	return r;
}

/* "ns/name" of the ConfigMap being read, for what names an assumption's source */
static const char *cm_name(tm_k8s_ctx *c)
{
	return tm_intern(&c->m->strs, tm_arena_printf(&c->m->arena, "%s/%s", c->ns ? c->ns : "", c->name));
}

void tm_k8s_mesh_configmap(tm_k8s_ctx *c)
{
	if (!strcmp(c->name, "cilium-config")) {
		tm_k8s_cilium_config(c);
		return;
	}
	tm_mesh_install *in = &tm_mesh_get(c->m)->install;
	tm_arena a;
	tm_arena_init(&a);
	const tm_node *root;
	if (!strcmp(c->name, "linkerd-config")) {
		if ((root = embedded(c, &a, "values"))) {
			in->linkerd_ns = c->ns;
			in->linkerd_trust_domain = scalar(root, "identityTrustDomain");
			if (!in->linkerd_trust_domain)
				in->linkerd_trust_domain = scalar(root, "clusterDomain");
			in->linkerd_default_policy = scalar(root, "proxy.defaultInboundPolicy");
			in->linkerd_opaque_ports = port_list(c, root, "proxy.opaquePorts");
			in->linkerd_skip_inbound = port_list(c, root, "proxyInit.ignoreInboundPorts");
			in->linkerd_skip_outbound = port_list(c, root, "proxyInit.ignoreOutboundPorts");
			in->linkerd_loc = c->obj->loc;
			in->linkerd_cm = cm_name(c);
		}
	} else if (prefix(c->name, "istio-sidecar-injector")) {
		if ((root = embedded(c, &a, "config"))) {
			in->istio_inject_policy_enabled = tri(scalar(root, "policy"));
			in->injector_loc = c->obj->loc;
			in->injector_cm = cm_name(c);
		}
		if ((root = embedded(c, &a, "values"))) {
			in->istio_ns_by_default = tri(scalar(root, "sidecarInjectorWebhook.enableNamespacesByDefault"));
			in->injector_loc = c->obj->loc;
			in->injector_cm = cm_name(c);
		}
	} else if ((root = embedded(c, &a, "mesh"))) {
		in->istio_root_ns = scalar(root, "rootNamespace");
		if (!in->istio_root_ns)
			in->istio_root_ns = c->ns; /* the mesh config lives in the root namespace */
		in->istio_trust_domain = scalar(root, "trustDomain");
		in->istio_auto_mtls = tri(scalar(root, "enableAutoMtls"));
		in->istio_loc = c->obj->loc;
		in->istio_cm = cm_name(c);
	}
	tm_arena_release(&a);
}
