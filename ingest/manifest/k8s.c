/* k8s.c - documents to Kubernetes objects: dispatch by kind (one table),
 * lists, one in-memory input (tm_load_buffer) and the end of loading
 * (tm_load_finish). Files, directories and stdin: ingest/readers.c; the
 * typed getters and validation: getters.c. */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"

#include <stdlib.h>
#include <string.h>

void tm_load_opts_default(tm_load_opts *o)
{
	memset(o, 0, sizeof *o);
	tm_doc_limits_default(&o->limits);
	o->max_objects = 2000000;
	o->max_labels = 1000;
	o->max_label_len = 4096;
}

/* ---- dispatch ---- */
typedef struct kind_entry {
	const char *kind;
	void (*fn)(tm_k8s_ctx *c);
	bool cluster_scoped;
	/* the apiVersions this kind is ours in: "v1" exactly, or a group
	 * ("apps/" = any version of it); NULL-terminated */
	const char *const *api;
	/* NULL, or whether this object of the kind is one the reader uses (the
	 * others are counted as not analysed, as if the row were absent) */
	bool (*wants)(const tm_node *obj);
} kind_entry;

static const char *const api_core[] = {"v1", NULL};
static const char *const api_apps[] = {"apps/", "extensions/", NULL};
static const char *const api_batch[] = {"batch/", NULL};
static const char *const api_netpol[] = {"networking.k8s.io/", "extensions/", NULL};
static const char *const api_policy[] = {"policy.networking.k8s.io/", NULL};
static const char *const api_route[] = {"route.openshift.io/", NULL};
static const char *const api_gateway[] = {"gateway.networking.k8s.io/", NULL};
static const char *const api_istio_sec[] = {"security.istio.io/", NULL};
static const char *const api_istio_net[] = {"networking.istio.io/", NULL};
static const char *const api_linkerd[] = {"policy.linkerd.io/", NULL};

static bool api_ok(const char *const *allowed, const char *api)
{
	for (const char *const *a = allowed; *a; a++) {
		size_t n = strlen(*a);
		if ((*a)[n - 1] == '/' ? !strncmp(api, *a, n) : !strcmp(api, *a))
			return true;
	}
	return false;
}

static void anp_fn(tm_k8s_ctx *c) { tm_k8s_anp(c, false); }
static void banp_fn(tm_k8s_ctx *c) { tm_k8s_anp(c, true); }

static const kind_entry kinds[] = {
	{"Namespace", tm_k8s_namespace, true, api_core},
	{"Pod", tm_k8s_pod, false, api_core},
	{"Node", tm_k8s_kube_node, true, api_core},
	{"Deployment", tm_k8s_workload, false, api_apps},
	{"ReplicaSet", tm_k8s_workload, false, api_apps},
	{"StatefulSet", tm_k8s_workload, false, api_apps},
	{"DaemonSet", tm_k8s_workload, false, api_apps},
	{"Job", tm_k8s_workload, false, api_batch},
	{"CronJob", tm_k8s_workload, false, api_batch},
	{"ReplicationController", tm_k8s_workload, false, api_core},
	{"NetworkPolicy", tm_k8s_netpol, false, api_netpol},
	{"AdminNetworkPolicy", anp_fn, true, api_policy},
	{"BaselineAdminNetworkPolicy", banp_fn, true, api_policy},
	{"ClusterNetworkPolicy", tm_k8s_cnp, true, api_policy},
	{"Service", tm_k8s_service, false, api_core},
	{"Ingress", tm_k8s_ingress, false, api_netpol},
	{"Route", tm_k8s_route, false, api_route},
	{"HTTPRoute", tm_k8s_httproute, false, api_gateway},
	/* service meshes (istio.c, linkerd.c) */
	{"PeerAuthentication", tm_k8s_istio_peerauth, false, api_istio_sec},
	{"AuthorizationPolicy", tm_k8s_istio_authz, false, api_istio_sec},
	{"DestinationRule", tm_k8s_istio_destrule, false, api_istio_net},
	{"ConfigMap", tm_k8s_mesh_configmap, false, api_core, tm_k8s_mesh_configmap_wanted},
	{"Server", tm_k8s_linkerd_server, false, api_linkerd},
	{"AuthorizationPolicy", tm_k8s_linkerd_authz, false, api_linkerd},
	{"MeshTLSAuthentication", tm_k8s_linkerd_mtlsauthn, false, api_linkerd},
	{"NetworkAuthentication", tm_k8s_linkerd_netauthn, false, api_linkerd},
	{"ServerAuthorization", tm_k8s_linkerd_serverauthz, false, api_linkerd},
	{"HTTPRoute", tm_k8s_linkerd_route, false, api_linkerd},
	{"GRPCRoute", tm_k8s_linkerd_route, false, api_linkerd},
};

static void read_object(tm_model *m, const tm_load_opts *o, const tm_node *obj, const char *list_kind,
			tm_err *err, unsigned depth);

static void read_list(tm_model *m, const tm_load_opts *o, const tm_node *obj, const char *kind,
		      tm_err *err, unsigned depth)
{
	tm_k8s_ctx c = {m, o, obj, kind, NULL, NULL, false, TM_OK};
	const tm_node *items = tm_k8s_seq(&c, obj, "items", "items");
	if (c.err && *err == TM_OK)
		*err = c.err;
	if (!items)
		return;
	/* a typed list (PodList) may leave kind out of its items */
	const char *item_kind = NULL;
	size_t kl = strlen(kind);
	if (strcmp(kind, "List") != 0 && kl > 4)
		item_kind = tm_intern_n(&m->strs, kind, kl - 4);
	for (size_t i = 0; i < items->n; i++)
		read_object(m, o, items->items[i], item_kind, err, depth + 1);
}

static void read_object(tm_model *m, const tm_load_opts *o, const tm_node *obj, const char *list_kind,
			tm_err *err, unsigned depth)
{
	tm_k8s_ctx c = {m, o, obj, NULL, NULL, NULL, false, TM_OK};
	if (obj->kind != TM_NODE_MAP) {
		tm_diags_add(&m->diags, TM_DIAG_WARN, obj->loc,
			     "not a Kubernetes object (%s at the top level); ignored", tm_node_kind_str(obj));
		m->files_without_objects++;
		tm_model_count_ignored(m, "(not an object)", obj->loc);
		return;
	}
	const char *kind = NULL, *api = NULL;
	const tm_node *kn = tm_node_get(obj, "kind");
	if (kn && kn->kind == TM_NODE_SCALAR && kn->stype == TM_SCALAR_STR)
		kind = kn->str;
	if (!kind)
		kind = list_kind;
	const tm_node *an = tm_node_get(obj, "apiVersion");
	if (an && an->kind == TM_NODE_SCALAR)
		api = an->str;
	if (!kind && kn && !tm_node_is_null(kn)) {
		tm_diags_add(&m->diags, TM_DIAG_WARN, kn->loc,
			     "\"kind\" is %s, not a string: not a Kubernetes object; ignored",
			     tm_node_kind_str(kn));
		tm_model_count_ignored(m, "(no kind)", obj->loc);
		return;
	}
	if (!kind) {
		tm_diags_add(&m->diags, TM_DIAG_WARN, obj->loc,
			     "document has no \"kind\": not a Kubernetes object; ignored");
		tm_model_count_ignored(m, "(no kind)", obj->loc);
		return;
	}
	size_t kl = strlen(kind);
	if (kl >= 4 && strcmp(kind + kl - 4, "List") == 0 && tm_node_get(obj, "items")) {
		if (depth > 8) {
			tm_diags_add(&m->diags, TM_DIAG_WARN, obj->loc, "%s nested too deeply; ignored", kind);
			return;
		}
		read_list(m, o, obj, kind, err, depth);
		return;
	}
	m->objects_read++;
	if (m->objects_read > o->max_objects) {
		if (m->objects_read == o->max_objects + 1) {
			tm_diags_add(&m->diags, TM_DIAG_ERROR, obj->loc,
				     "more than %zu objects (limit --max-objects)", o->max_objects);
			if (*err == TM_OK)
				*err = TM_ERR_LIMIT;
		}
		return;
	}
	const tm_node *meta = tm_node_get(obj, "metadata");
	c.kind = kind;
	bool other_group = false;
	for (size_t i = 0; i < TM_ARRAY_LEN(kinds); i++) {
		if (strcmp(kinds[i].kind, kind) != 0)
			continue;
		/* another group's kind of the same name (a Calico NetworkPolicy,
		 * an Antrea ClusterNetworkPolicy, a CRD's Pod) is not ours: read as
		 * ours, its fields would be misread; it is counted as not analysed
		 * (unless a later row reads that group: AuthorizationPolicy) */
		if (api && !api_ok(kinds[i].api, api)) {
			other_group = true;
			continue;
		}
		if (kinds[i].wants && !kinds[i].wants(obj))
			break;
		if (meta && meta->kind != TM_NODE_MAP) {
			tm_k8s_error(&c, meta, "metadata", "expected a map, got %s", tm_node_kind_str(meta));
			goto out;
		}
		if (!tm_k8s_str(&c, meta, "name", "metadata.name", &c.name))
			goto out;
		bool generated = false;
		if (!c.name) {
			const char *gn = NULL;
			tm_k8s_str(&c, meta, "generateName", "metadata.generateName", &gn);
			if (gn) {
				/* the API server appends a random suffix: each such object
				 * is one of its own, never a duplicate of another */
				c.name = tm_intern(&m->strs, tm_arena_printf(&m->arena, "%s#%zu", gn, ++m->generated_names));
				generated = true;
			}
		}
		if (!c.name) {
			tm_k8s_error(&c, meta ? meta : obj, "metadata.name", "is required");
			goto out;
		}
		/* names are DNS-1123 subdomains. Control characters are an error (an
		 * escaped newline in a name would forge output lines); other names
		 * the API server would reject (NPA's tests use underscores) are
		 * read with a warning */
		const char *ns_raw = NULL;
		if (!kinds[i].cluster_scoped && !tm_k8s_str(&c, meta, "namespace", "metadata.namespace", &ns_raw))
			goto out;
		for (int f = 0; f < 2; f++) {
			const char *v = f == 0 ? (generated ? NULL : c.name) : ns_raw;
			if (!v || !*v || tm_k8s_dns_subdomain(v, strlen(v)))
				continue;
			bool ctl = false;
			char shown[96];
			size_t k = 0;
			for (size_t j = 0; v[j]; j++) {
				bool cc = (unsigned char)v[j] < 0x20 || v[j] == 0x7f;
				ctl |= cc;
				if (k + 1 < sizeof shown)
					shown[k++] = cc ? '?' : v[j];
			}
			shown[k] = 0;
			const tm_node *at = tm_node_get(meta, f == 0 ? "name" : "namespace");
			const char *field = f == 0 ? "metadata.name" : "metadata.namespace";
			if (ctl) {
				c.name = "(invalid name)";
				tm_k8s_error(&c, at, field, "\"%s\" holds control characters (shown as ?)", shown);
				goto out;
			}
			tm_k8s_warn(&c, at, "%s: \"%s\" is not a DNS-1123 name (lowercase letters, digits, '-' and '.'); "
				    "the API server would reject it", field, shown);
		}
		if (!kinds[i].cluster_scoped)
			c.ns = ns_raw && *ns_raw ? ns_raw : tm_intern(&m->strs, "default");
		tm_k8s_known_fields(&c, meta, "metadata", tm_k8s_objectmeta_fields);
		kinds[i].fn(&c);
		goto out;
	}
	if (other_group)
		tm_model_count_ignored(m, tm_intern(&m->strs, tm_arena_printf(&m->arena, "%s (%s)", kind, api)), obj->loc);
	else
		tm_model_count_ignored(m, kind, obj->loc);
out:
	if (c.failed)
		tm_model_skipped(m, obj->loc, kind);
	if (c.err && *err == TM_OK)
		*err = c.err;
}

tm_err tm_load_buffer(tm_model *m, const char *name, const char *data, size_t len, bool is_json,
		      const tm_load_opts *o)
{
	tm_docs docs = {0};
	tm_srcloc eloc;
	tm_buf emsg;
	tm_err err = TM_OK;
	name = tm_intern(&m->strs, name);
	tm_buf_init(&emsg, 64 * 1024);
	m->files_read++;
	/* The document trees live only while this file's objects are read: the
	 * model keeps interned strings and its own copies, never tm_node
	 * pointers, so a scratch arena bounds memory by the largest file. */
	tm_arena scratch;
	tm_arena_init(&scratch);
	tm_err rc = tm_doc_parse(&scratch, &m->strs, &o->limits, name, data, len, is_json, &docs,
				 &eloc, &emsg);
	size_t before = m->objects_read + m->nignored;
	for (size_t i = 0; i < docs.n; i++)
		read_object(m, o, docs.docs[i], NULL, &err, 0);
	m->docs_read += docs.n;
	m->empty_docs += docs.empty_docs;
	if (rc != TM_OK) {
		tm_diags_add(&m->diags, o->skip_invalid ? TM_DIAG_WARN : TM_DIAG_ERROR, eloc, "%s%s",
			     tm_buf_str(&emsg),
			     o->skip_invalid ? (docs.n ? " (rest of the file skipped)" : " (file skipped)") : "");
		if (!o->skip_invalid && err == TM_OK)
			err = rc;
		else if (o->skip_invalid)
			tm_model_skipped(m, eloc, NULL);
	} else if (docs.n == 0) {
		tm_srcloc l = {name, 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_WARN, l, "no Kubernetes object in this file");
		m->files_without_objects++;
	}
	(void)before;
	tm_buf_release(&emsg);
	tm_arena_release(&scratch);
	return err;
}

/* `kubectl get deploy,pods -o yaml` holds a Deployment and the Pods of its
 * ReplicaSet, but not the ReplicaSet: pods owned by ReplicaSet "D-<hash>"
 * with label pod-template-hash=<hash> belong to Deployment D when it is in
 * the input, and are folded into it rather than made a second workload. */
static void fold_replicasets(tm_model *m)
{
	size_t k = 0, folded = 0;
	for (size_t i = 0; i < m->nworkloads; i++) {
		tm_workload *w = m->workloads[i];
		const char *hash = w->from_pods && !strcmp(w->kind, "ReplicaSet")
			? tm_labels_get(&w->labels, "pod-template-hash") : NULL;
		size_t nl = strlen(w->name), hl = hash ? strlen(hash) : 0;
		tm_workload *d = NULL;
		if (hash && hl && nl > hl + 1 && w->name[nl - hl - 1] == '-' && !strcmp(w->name + nl - hl, hash)) {
			const char *dname = tm_intern_n(&m->strs, w->name, nl - hl - 1);
			d = tm_model_find_workload(m, w->ns, "Deployment", dname);
			if (d && d->from_pods)
				d = NULL;
		}
		/* likewise the pods of Job "C-<scheduled minute>" of CronJob C */
		if (!d && w->from_pods && !strcmp(w->kind, "Job")) {
			size_t j = nl;
			while (j && w->name[j - 1] >= '0' && w->name[j - 1] <= '9')
				j--;
			if (j > 1 && j < nl && w->name[j - 1] == '-') {
				d = tm_model_find_workload(m, w->ns, "CronJob", tm_intern_n(&m->strs, w->name, j - 1));
				if (d && d->from_pods)
					d = NULL;
			}
		}
		if (!d) {
			m->workloads[k++] = w;
			continue;
		}
		w->folded_into = d;
		d->npods += w->npods;
		folded++;
		tm_diags_add(&m->diags, TM_DIAG_INFO, w->loc, "pods of %s %s/%s are counted as %s %s", w->kind, w->ns,
			     w->name, d->kind, d->display);
	}
	m->nworkloads = k;
	if (folded)
		for (size_t p = 0; p < m->npods; p++)
			if (m->pods[p]->owner->folded_into)
				m->pods[p]->owner = m->pods[p]->owner->folded_into;
}

/* The same Service (ns/name) or exposing object (kind/ns/name) read twice:
 * the later one replaces the earlier, with a warning, as kubectl apply would.
 * One stable sort per list instead of a scan per object. */
static int svc_dup_cmp(const void *a, const void *b)
{
	const tm_service *x = *(tm_service *const *)a, *y = *(tm_service *const *)b;
	int c = strcmp(x->ns, y->ns);
	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = x->seq < y->seq ? -1 : x->seq > y->seq; /* read order */
	return c;
}

static int exp_dup_cmp(const void *a, const void *b)
{
	const tm_exposure *x = *(tm_exposure *const *)a, *y = *(tm_exposure *const *)b;
	int c = strcmp(x->kind, y->kind);
	if (!c)
		c = strcmp(x->ns, y->ns);
	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = x->obj_seq < y->obj_seq ? -1 : x->obj_seq > y->obj_seq;
	if (!c)
		c = x->seq < y->seq ? -1 : x->seq > y->seq;
	return c;
}

static void settle_duplicates(tm_model *m)
{
	if (m->nservices > 1) {
		for (size_t i = 0; i < m->nservices; i++)
			m->services[i]->seq = i; /* the list is in read order until sorted */
		qsort(m->services, m->nservices, sizeof(void *), svc_dup_cmp);
		size_t k = 0;
		for (size_t i = 0; i < m->nservices; i++) {
			tm_service *s = m->services[i];
			if (i + 1 < m->nservices && m->services[i + 1]->ns == s->ns &&
			    !strcmp(m->services[i + 1]->name, s->name)) {
				tm_srcloc l = m->services[i + 1]->loc;
				tm_diags_add(&m->diags, TM_DIAG_WARN, l,
					     "Service %s/%s: duplicate Service (first at %s:%u); this later one replaces it",
					     s->ns, s->name, s->loc.file, s->loc.line);
				continue;
			}
			m->services[k++] = s;
		}
		m->nservices = k;
	}
	if (m->nexposures > 1) {
		qsort(m->exposures, m->nexposures, sizeof(void *), exp_dup_cmp);
		size_t k = 0;
		for (size_t i = 0; i < m->nexposures; i++) {
			tm_exposure *x = m->exposures[i];
			/* the last object of this kind/ns/name wins */
			size_t j = i;
			while (j + 1 < m->nexposures && !strcmp(m->exposures[j + 1]->kind, x->kind) &&
			       m->exposures[j + 1]->ns == x->ns && !strcmp(m->exposures[j + 1]->name, x->name))
				j++;
			size_t last = m->exposures[j]->obj_seq;
			bool warned = false;
			for (size_t q = i; q <= j; q++) {
				if (m->exposures[q]->obj_seq == last)
					m->exposures[k++] = m->exposures[q];
				else if (!warned) {
					tm_diags_add(&m->diags, TM_DIAG_WARN, m->exposures[j]->obj_loc,
						     "%s %s/%s: duplicate %s (first at %s:%u); this later one replaces it",
						     x->kind, x->ns, x->name, x->kind, m->exposures[q]->obj_loc.file,
						     m->exposures[q]->obj_loc.line);
					warned = true;
				}
			}
			i = j;
		}
		m->nexposures = k;
	}
}

tm_err tm_load_finish(tm_model *m, const tm_load_opts *o)
{
	(void)o;
	fold_replicasets(m);
	settle_duplicates(m);
	for (size_t i = 0; i < m->nworkloads; i++) {
		tm_workload *w = m->workloads[i];
		w->nsp = tm_model_namespace(m, w->ns, true);
	}
	for (size_t i = 0; i < m->nnetpols; i++)
		tm_model_namespace(m, m->netpols[i]->ns, true);
	tm_model_finish(m);
	return TM_OK;
}
