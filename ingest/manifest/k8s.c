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
static const char *const api_cilium[] = {"cilium.io/", NULL};

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
	{"CiliumNetworkPolicy", tm_k8s_cilium_np, false, api_cilium},
	{"CiliumClusterwideNetworkPolicy", tm_k8s_cilium_ccnp, true, api_cilium},
	{"Service", tm_k8s_service, false, api_core},
	{"Ingress", tm_k8s_ingress, false, api_netpol},
	{"Route", tm_k8s_route, false, api_route},
	{"HTTPRoute", tm_k8s_httproute, false, api_gateway},
	/* service meshes (istio.c, linkerd.c) */
	{"PeerAuthentication", tm_k8s_istio_peerauth, false, api_istio_sec},
	{"AuthorizationPolicy", tm_k8s_istio_authz, false, api_istio_sec},
	{"DestinationRule", tm_k8s_istio_destrule, false, api_istio_net},
	{"VirtualService", tm_k8s_istio_virtualsvc, false, api_istio_net},
	{"ServiceEntry", tm_k8s_istio_serviceentry, false, api_istio_net},
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

/* The messages about one object, top to bottom as in its file (readers
 * visit fields in their own order); equal positions keep theirs. */
typedef struct diag_at {
	tm_diag d;
	size_t seq;
} diag_at;

static int diag_at_cmp(const void *a, const void *b)
{
	const diag_at *x = a, *y = b;
	if (x->d.loc.line != y->d.loc.line)
		return x->d.loc.line < y->d.loc.line ? -1 : 1;
	if (x->d.loc.col != y->d.loc.col)
		return x->d.loc.col < y->d.loc.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void diags_in_file_order(tm_diags *d, size_t from)
{
	size_t n = d->n - from;
	if (n < 2)
		return;
	diag_at *v = tm_xrealloc(NULL, n * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i].d = d->v[from + i];
		v[i].seq = i;
	}
	qsort(v, n, sizeof *v, diag_at_cmp);
	for (size_t i = 0; i < n; i++)
		d->v[from + i] = v[i].d;
	free(v);
}

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
	size_t d0 = m->diags.n;
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
		if (kinds[i].cluster_scoped && o->again)
			goto out; /* the same object, read with the path's first -n */
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
		if (!kinds[i].cluster_scoped && o->ns && ns_raw && *ns_raw && strcmp(ns_raw, o->ns)) {
			/* kubectl apply -n NS refuses it too */
			tm_k8s_error(&c, tm_node_get(meta, "namespace"), "metadata.namespace",
				     "\"%s\" does not match the namespace -n %s gives this file", ns_raw, o->ns);
			goto out;
		}
		if (!kinds[i].cluster_scoped)
			c.ns = ns_raw && *ns_raw ? ns_raw : tm_intern(&m->strs, o->ns ? o->ns : "default");
		tm_k8s_known_fields(&c, meta, "metadata", tm_k8s_objectmeta_fields);
		kinds[i].fn(&c);
		goto out;
	}
	if (other_group)
		tm_model_count_ignored(m, tm_intern(&m->strs, tm_arena_printf(&m->arena, "%s (%s)", kind, api)), obj->loc);
	else
		tm_model_count_ignored(m, kind, obj->loc);
out:
	if (c.nerrors > 1)
		diags_in_file_order(&m->diags, d0);
	tm_k8s_errors_end(&c);
	if (c.failed)
		tm_model_skipped(m, obj->loc, kind);
	if (c.err && *err == TM_OK)
		*err = c.err;
}

typedef struct load_ctx {
	tm_model *m;
	const tm_load_opts *o;
	tm_err err;
} load_ctx;

/* One document, or one item of a List read as a stream (doc.h). */
static void load_one(void *arg, const tm_node *obj, const char *list_kind)
{
	load_ctx *l = arg;
	const char *item_kind = NULL;
	size_t kl = list_kind ? strlen(list_kind) : 0;
	/* a typed list (PodList) may leave kind out of its items */
	if (list_kind && strcmp(list_kind, "List") != 0 && kl > 4)
		item_kind = tm_intern_n(&l->m->strs, list_kind, kl - 4);
	read_object(l->m, l->o, obj, item_kind, &l->err, list_kind ? 1 : 0);
}

tm_err tm_load_buffer(tm_model *m, const char *name, const char *data, size_t len, bool is_json,
		      const tm_load_opts *o)
{
	tm_srcloc eloc;
	tm_buf emsg;
	name = tm_intern(&m->strs, name);
	tm_buf_init(&emsg, 64 * 1024);
	m->files_read++;
	/* Each document and each List item lives only while it is read: the
	 * model keeps interned strings and its own copies, never tm_node
	 * pointers, so memory is bounded by the largest object. */
	load_ctx l = {m, o, TM_OK};
	tm_doc_reader rd;
	memset(&rd, 0, sizeof rd);
	rd.st = &m->strs;
	rd.lim = &o->limits;
	rd.file = name;
	rd.fn = load_one;
	rd.arg = &l;
	rd.progress = o->progress;
	rd.progress_ctx = o->progress_ctx;
	tm_err rc = tm_doc_read(&rd, data, len, is_json, &eloc, &emsg);
	tm_err err = l.err;
	size_t ndocs = rd.docs - rd.empty_docs;
	m->docs_read += ndocs;
	m->empty_docs += rd.empty_docs;
	if (rc != TM_OK) {
		tm_diags_add(&m->diags, o->skip_invalid ? TM_DIAG_WARN : TM_DIAG_ERROR, eloc, "%s%s",
			     tm_buf_str(&emsg),
			     o->skip_invalid ? (rd.objects ? " (rest of the file skipped)" : " (file skipped)") : "");
		if (!o->skip_invalid && err == TM_OK)
			err = rc;
		else if (o->skip_invalid)
			tm_model_skipped(m, eloc, NULL);
	} else if (rd.objects == 0) {
		tm_srcloc at = {name, 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_WARN, at, "no Kubernetes object in this file");
		m->files_without_objects++;
	}
	tm_buf_release(&emsg);
	return err;
}

/* ---- owned controllers fold into their owner (docs/semantics.md, section 1) ---- */

/* `kubectl get all` and `kubectl get deploy,rs,pods` hold a Deployment, its
 * ReplicaSets (the current one and up to ten old revisions) and their Pods;
 * a CronJob, its Jobs and their Pods. One application is one endpoint: the
 * owned controller folds into its owner, and its Pods count as the owner's. */
static bool folds_into(const tm_workload *w, const tm_workload *o)
{
	return (!strcmp(w->kind, "ReplicaSet") && !strcmp(o->kind, "Deployment")) ||
	       (!strcmp(w->kind, "Job") && !strcmp(o->kind, "CronJob"));
}

/* The owner in the input that w folds into, or NULL. */
static tm_workload *direct_owner(tm_model *m, tm_workload *w, tm_fold_why *why)
{
	tm_workload *o = NULL;
	if (!w->from_pods && w->owner_kind) {
		/* the object itself is in the input: its controller ownerReference */
		o = tm_model_find_workload(m, w->ns, w->owner_kind, w->owner_name);
		*why = TM_FOLD_OWNER;
		return o && o != w && !o->from_pods && folds_into(w, o) ? o : NULL;
	}
	/* only its pods are (`kubectl get deploy,pods`), or the object lost its
	 * ownerReferences (an export tool): pods owned by ReplicaSet "D-<hash>"
	 * with label pod-template-hash=<hash> belong to Deployment D, the pods
	 * of Job "C-<scheduled minute>" to CronJob C (a Job object without
	 * ownerReferences is a Job of its own: users name Jobs so too) */
	*why = TM_FOLD_NAME;
	size_t nl = strlen(w->name);
	if (!strcmp(w->kind, "ReplicaSet")) {
		const char *hash = tm_labels_get(&w->labels, "pod-template-hash");
		size_t hl = hash ? strlen(hash) : 0;
		if (hl && nl > hl + 1 && w->name[nl - hl - 1] == '-' && !strcmp(w->name + nl - hl, hash))
			o = tm_model_find_workload(m, w->ns, "Deployment", tm_intern_n(&m->strs, w->name, nl - hl - 1));
	} else if (!strcmp(w->kind, "Job") && w->from_pods) {
		size_t j = nl;
		while (j && w->name[j - 1] >= '0' && w->name[j - 1] <= '9')
			j--;
		if (j > 1 && j < nl && w->name[j - 1] == '-')
			o = tm_model_find_workload(m, w->ns, "CronJob", tm_intern_n(&m->strs, w->name, j - 1));
	}
	return o && !o->from_pods ? o : NULL;
}

/* A ReplicaSet (or ReplicationController) that a controller manages, at 0
 * replicas, with no Pod in the input: an old revision, not an endpoint. */
static bool old_revision(const tm_workload *w)
{
	return !w->from_pods && w->owner_kind && w->no_replicas && w->npods == 0 &&
	       (!strcmp(w->kind, "ReplicaSet") || !strcmp(w->kind, "ReplicationController"));
}

/* Labels that controllers add to what they create (ReplicaSet templates,
 * Job templates, Pods): no sign that a pod differs from its owner's template. */
static bool controller_label(const char *key)
{
	static const char *const keys[] = {
		"pod-template-hash", "controller-revision-hash", "pod-template-generation",
		"statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "controller-uid", "job-name",
		"batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name",
		"batch.kubernetes.io/job-completion-index", NULL,
	};
	for (const char *const *k = keys; *k; k++)
		if (!strcmp(key, *k))
			return true;
	return false;
}

/* The first key (in order) where a and b differ, controller labels aside:
 * *key, and its values *va and *vb (NULL when absent). false when equal. */
static bool labels_differ(const tm_labels *a, const tm_labels *b, const char **key, const char **va, const char **vb)
{
	size_t i = 0, j = 0;
	while (i < a->n || j < b->n) {
		if (i < a->n && controller_label(a->v[i].key)) {
			i++;
			continue;
		}
		if (j < b->n && controller_label(b->v[j].key)) {
			j++;
			continue;
		}
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i].key, b->v[j].key);
		if (c == 0 && !strcmp(a->v[i].val, b->v[j].val)) {
			i++;
			j++;
			continue;
		}
		*key = c <= 0 ? a->v[i].key : b->v[j].key;
		*va = c <= 0 ? a->v[i].val : NULL;
		*vb = c >= 0 ? b->v[j].val : NULL;
		return true;
	}
	return false;
}

static int folded_cmp(const void *x, const void *y)
{
	const tm_folded *a = x, *b = y;
	int c = strcmp(a->kind, b->kind);
	if (!c)
		c = strcmp(a->ns, b->ns);
	return c ? c : strcmp(a->name, b->name);
}

static void label_drift(tm_model *m, tm_workload *const *members, size_t nmembers);

static void fold_owned(tm_model *m)
{
	size_t n = m->nworkloads, k = 0;
	if (!n)
		return;
	tm_fold_why *why = tm_xrealloc(NULL, n * sizeof *why);
	/* 1. every workload's owner in the input */
	for (size_t i = 0; i < n; i++)
		m->workloads[i]->folded_into = direct_owner(m, m->workloads[i], &why[i]);
	/* 2. to the top of the chain. Pods hang on their ReplicaSet, which folds
	 * into its Deployment (Pod -> ReplicaSet -> Deployment). The owners
	 * (Deployment, CronJob) fold into nothing, so one step reaches the top;
	 * a longer chain, or a cycle, would be cut after 8 and fold nothing */
	tm_workload **top = tm_xrealloc(NULL, n * sizeof *top);
	for (size_t i = 0; i < n; i++) {
		tm_workload *r = m->workloads[i]->folded_into;
		for (int hops = 0; r && r->folded_into && hops < 8; hops++)
			r = r->folded_into;
		top[i] = r && !r->folded_into ? r : NULL;
		if (old_revision(m->workloads[i]))
			why[i] = TM_FOLD_OLD_REVISION;
	}
	for (size_t i = 0; i < n; i++)
		m->workloads[i]->folded_into = top[i];
	free(top);
	/* 3. record, count the pods of the owner, keep the rest */
	tm_workload **members = tm_xrealloc(NULL, n * sizeof *members);
	size_t nmembers = 0;
	for (size_t i = 0; i < n; i++) {
		tm_workload *w = m->workloads[i], *r = w->folded_into;
		bool dropped = !r && why[i] == TM_FOLD_OLD_REVISION;
		if (!r && !dropped) {
			m->workloads[k++] = w;
			continue;
		}
		members[nmembers++] = w;
		TM_ARENA_GROW(&m->arena, m->folded, m->nfolded, m->cap_folded);
		tm_folded *f = &m->folded[m->nfolded++];
		memset(f, 0, sizeof *f);
		f->kind = w->kind;
		f->ns = w->ns;
		f->name = w->name;
		f->into = r;
		f->owner_kind = w->owner_kind;
		f->owner_name = w->owner_name;
		f->why = why[i];
		f->npods = w->npods;
		f->from_pods = w->from_pods;
		f->loc = w->loc;
		if (r)
			r->npods += w->npods;
	}
	m->nworkloads = k;
	free(why);
	for (size_t p = 0; p < m->npods; p++)
		if (m->pods[p]->owner->folded_into)
			m->pods[p]->owner = m->pods[p]->owner->folded_into;
	if (m->nfolded > 1)
		qsort(m->folded, m->nfolded, sizeof *m->folded, folded_cmp);
	/* -v: what became of each, in the order inventory lists them */
	for (size_t i = 0; i < m->nfolded; i++) {
		const tm_folded *f = &m->folded[i];
		const tm_workload *r = f->into;
		if (f->why == TM_FOLD_NAME && f->from_pods)
			tm_diags_add(&m->diags, TM_DIAG_INFO, f->loc, "pods of %s %s/%s are counted as %s %s", f->kind, f->ns,
				     f->name, r->kind, r->display);
		else if (f->why == TM_FOLD_NAME)
			tm_diags_add(&m->diags, TM_DIAG_INFO, f->loc, "%s %s/%s has no ownerReferences; by its name and "
				     "pod-template-hash it is folded into %s (%u pod%s)", f->kind, f->ns, f->name, r->display,
				     f->npods, f->npods == 1 ? "" : "s");
		else if (f->why == TM_FOLD_OWNER)
			tm_diags_add(&m->diags, TM_DIAG_INFO, f->loc, "%s %s/%s is folded into its controller %s (%u pod%s)",
				     f->kind, f->ns, f->name, r->display, f->npods, f->npods == 1 ? "" : "s");
		else if (r)
			tm_diags_add(&m->diags, TM_DIAG_INFO, f->loc, "%s %s/%s is an old revision of %s (0 replicas, no pods): "
				     "folded into it", f->kind, f->ns, f->name, r->display);
		else
			tm_diags_add(&m->diags, TM_DIAG_INFO, f->loc, "%s %s/%s is an old revision of %s %s, which is not in the "
				     "input (0 replicas, no pods): not an endpoint", f->kind, f->ns, f->name, f->owner_kind,
				     f->owner_name);
	}
	label_drift(m, members, nmembers);
	free(members);
}

/* The owner's pod template stays authoritative for its labels. Say once per
 * owner when its pods, or a live ReplicaSet folded into it, carry other
 * labels (a rollout in progress: the old revision's pods keep the old ones). */
typedef struct drift {
	size_t ndiff, nall;
	const char *what, *key, *va, *vb; /* the first that differs */
	tm_srcloc loc;
} drift;

static void label_drift(tm_model *m, tm_workload *const *members, size_t nmembers)
{
	size_t n = m->nworkloads;
	drift *d = tm_xrealloc(NULL, (n + 1) * sizeof *d);
	memset(d, 0, (n + 1) * sizeof *d);
	for (size_t i = 0; i < n; i++)
		m->workloads[i]->index = i; /* tm_model_finish sets it again after the sort */
	tm_arena *a = &m->arena;
	for (size_t i = 0; i < m->npods; i++) {
		const tm_pod *p = m->pods[i];
		const tm_workload *r = p->owner;
		if (r->from_pods)
			continue; /* the owner's labels are its first pod's: warned when read */
		drift *x = &d[r->index];
		x->nall++;
		const char *k, *va, *vb;
		if (labels_differ(&p->labels, &r->labels, &k, &va, &vb) && x->ndiff++ == 0) {
			x->what = tm_arena_printf(a, "pod %s", p->name);
			x->key = k;
			x->va = va;
			x->vb = vb;
			x->loc = p->loc;
		}
	}
	for (size_t i = 0; i < nmembers; i++) {
		const tm_workload *w = members[i], *r = w->folded_into;
		const char *k, *va, *vb;
		if (!r || w->from_pods || w->no_replicas || d[r->index].what)
			continue;
		if (labels_differ(&w->labels, &r->labels, &k, &va, &vb)) {
			drift *x = &d[r->index];
			x->what = tm_arena_printf(a, "%s %s (%u replica%s)", w->kind, w->name, w->replicas,
						  w->replicas == 1 ? "" : "s");
			x->key = k;
			x->va = va;
			x->vb = vb;
			x->loc = w->loc;
		}
	}
	tm_buf b;
	tm_buf_init(&b, 4096);
	for (size_t i = 0; i < n; i++) {
		const drift *x = &d[i];
		if (!x->what)
			continue;
		const tm_workload *r = m->workloads[i];
		tm_buf_reset(&b);
		if (x->ndiff)
			(void)tm_buf_addf(&b, "%s: %zu of its %zu pods %s labels that differ from its pod template", r->display,
					  x->ndiff, x->nall, x->ndiff == 1 ? "has" : "have");
		else
			(void)tm_buf_addf(&b, "%s: a ReplicaSet with replicas has a pod template that differs from its own", r->display);
		(void)tm_buf_addf(&b, " (%s: ", x->what);
		if (x->va)
			(void)tm_buf_addf(&b, "%s=%s", x->key, x->va);
		else
			(void)tm_buf_addf(&b, "no %s", x->key);
		if (x->vb)
			(void)tm_buf_addf(&b, ", template %s=%s", x->key, x->vb);
		else
			(void)tm_buf_addf(&b, ", template without %s", x->key);
		(void)tm_buf_adds(&b, "; a rollout in progress?): the analysis uses the template's labels, "
				  "--granularity pod each pod's own");
		tm_diags_add(&m->diags, TM_DIAG_WARN, x->loc, "%s", tm_buf_str(&b));
	}
	tm_buf_release(&b);
	free(d);
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

/* ---- namespaces without a Namespace object (`kubectl get pods,netpol`) ---- */
typedef struct nssel_scan {
	tm_model *m;
	size_t nsel;           /* selectors whose answer is unknown for one of them */
	tm_srcloc first_loc;
	const char *first;     /* arena copy of the first one's description */
} nssel_scan;

static void nssel_visit(void *ctx, const tm_selector *sel, tm_srcloc loc, const char *what)
{
	nssel_scan *x = ctx;
	if (!tm_model_nssel_unknown(x->m, sel, NULL, 0))
		return;
	if (x->nsel++ == 0) {
		x->first = tm_arena_strdup(&x->m->arena, what);
		x->first_loc = loc;
	}
}

/* Said once: which namespaces hold workloads but have no Namespace object,
 * as a warning when a namespace selector tests a label other than
 * kubernetes.io/metadata.name (its answer for them is a guess), else for -v. */
static void report_undeclared(tm_model *m)
{
	size_t n = 0;
	tm_buf names;
	tm_buf_init(&names, 1 << 16);
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const tm_namespace *ns = m->namespaces[i];
		if (ns->declared || !ns->nworkloads)
			continue;
		if (n < 10)
			(void)tm_buf_addf(&names, "%s%s", n ? ", " : "", ns->name);
		n++;
	}
	if (n > 10)
		(void)tm_buf_addf(&names, " and %zu more", n - 10);
	if (n) {
		nssel_scan x = {m, 0, {0}, NULL};
		tm_model_each_nssel(m, nssel_visit, &x);
		if (x.nsel)
			tm_diags_add(&m->diags, TM_DIAG_WARN, x.first_loc,
				     "%zu namespace%s no Namespace object in the input (%s), so %s labels are unknown but for "
				     "kubernetes.io/metadata.name; %zu namespace selector%s another label and %s decided on "
				     "that one alone for %s (%s%s): add the Namespace objects (kubectl get namespaces -o yaml)",
				     n, n == 1 ? " has" : "s have", tm_buf_str(&names), n == 1 ? "its" : "their", x.nsel,
				     x.nsel == 1 ? " tests" : "s test", x.nsel == 1 ? "is" : "are", n == 1 ? "it" : "them",
				     x.nsel == 1 ? "" : "first: ", x.first);
		else
			tm_diags_add(&m->diags, TM_DIAG_INFO, (tm_srcloc){0},
				     "%zu namespace%s no Namespace object in the input (%s): only kubernetes.io/metadata.name "
				     "is known of %s labels, and no namespace selector tests another",
				     n, n == 1 ? " has" : "s have", tm_buf_str(&names), n == 1 ? "its" : "their");
	}
	tm_buf_release(&names);
}

tm_err tm_load_finish(tm_model *m, const tm_load_opts *o)
{
	(void)o;
	fold_owned(m);
	settle_duplicates(m);
	for (size_t i = 0; i < m->nworkloads; i++) {
		tm_workload *w = m->workloads[i];
		w->nsp = tm_model_namespace(m, w->ns, true);
		w->nsp->nworkloads++;
	}
	tm_k8s_cilium_finish(m);
	for (size_t i = 0; i < m->nnetpols; i++)
		tm_model_namespace(m, m->netpols[i]->ns, true);
	tm_model_finish(m);
	report_undeclared(m);
	return TM_OK;
}
