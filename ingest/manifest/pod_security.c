/* pod_security.c - the isolation and placement facts of a pod spec
 * (securityContext, host namespaces, hostPath volumes, nodeName,
 * nodeSelector, required node affinity, tolerations) and the Node kind
 * (labels, taints): model/podsec.h, docs/semantics.md "Node escapes and
 * co-location". Fields of the wrong type are warned about and left out;
 * the object is read on (these facts do not decide connectivity). */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"
#include "model/podsec.h"

#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

/* a scalar's text, or NULL (warned when present and not a scalar) */
static const char *scalar(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field)
{
	const tm_node *v = tm_node_get(parent, key);
	if (!v || tm_node_is_null(v))
		return NULL;
	if (v->kind != TM_NODE_SCALAR) {
		tm_k8s_warn(c, v, "%s.%s: expected a scalar, got %s; ignored", field, key, tm_node_kind_str(v));
		return NULL;
	}
	return v->str;
}

/* true/false; absent (or wrong type, warned) is false */
static bool flag(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field, bool *set)
{
	const tm_node *v = tm_node_get(parent, key);
	if (set)
		*set = false;
	if (!v || tm_node_is_null(v))
		return false;
	if (v->kind != TM_NODE_SCALAR || v->stype != TM_SCALAR_BOOL) {
		tm_k8s_warn(c, v, "%s.%s: expected true or false, got %s; ignored", field, key,
			    v->kind == TM_NODE_SCALAR ? v->str : tm_node_kind_str(v));
		return false;
	}
	if (set)
		*set = true;
	return !strcmp(v->str, "true");
}

static const tm_node *seq(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field)
{
	const tm_node *v = tm_node_get(parent, key);
	if (!v || tm_node_is_null(v))
		return NULL;
	if (v->kind != TM_NODE_SEQ) {
		tm_k8s_warn(c, v, "%s.%s: expected a list, got %s; ignored", field, key, tm_node_kind_str(v));
		return NULL;
	}
	return v;
}

/* runAsUser / runAsNonRoot of a securityContext: 1 root, 0 not root, -1 not said */
static int run_as_root(const tm_node *sc)
{
	const tm_node *u = tm_node_get(sc, "runAsUser");
	if (u && u->kind == TM_NODE_SCALAR && u->stype == TM_SCALAR_INT)
		return strcmp(u->str, "0") == 0 ? 1 : 0;
	const tm_node *nr = tm_node_get(sc, "runAsNonRoot");
	if (nr && nr->kind == TM_NODE_SCALAR && nr->stype == TM_SCALAR_BOOL && !strcmp(nr->str, "true"))
		return 0;
	return -1;
}

/* "CAP_SYS_ADMIN", "sys_admin" -> "SYS_ADMIN" (interned) */
static const char *cap_name(tm_model *m, const char *s)
{
	if (!strncasecmp(s, "CAP_", 4))
		s += 4;
	size_t n = strlen(s);
	char *u = tm_arena_strndup(&m->arena, s, n);
	for (size_t i = 0; i < n; i++)
		u[i] = (char)toupper((unsigned char)u[i]);
	return tm_intern(&m->strs, u);
}

typedef struct mount_ref {
	const char *volume, *container;
	bool ro;
	int root;
} mount_ref;

static void read_container(tm_k8s_ctx *c, const tm_node *ct, const char *field, int pod_root, tm_ctr_sec *out,
			   mount_ref **mounts, size_t *nm, size_t *capm)
{
	tm_model *m = c->m;
	const tm_node *sc = tm_node_get(ct, "securityContext");
	char f[224];
	snprintf(f, sizeof f, "%s.securityContext", field);
	memset(out, 0, sizeof *out);
	out->name = scalar(c, ct, "name", field);
	out->loc = ct->loc;
	out->run_as_root = pod_root;
	if (sc && sc->kind == TM_NODE_MAP) {
		out->privileged = flag(c, sc, "privileged", f, NULL);
		out->ape = flag(c, sc, "allowPrivilegeEscalation", f, &out->ape_set);
		int r = run_as_root(sc);
		if (r >= 0)
			out->run_as_root = r;
		const tm_node *caps = tm_node_get(sc, "capabilities");
		char g[240];
		snprintf(g, sizeof g, "%s.capabilities", f);
		const tm_node *add = caps && caps->kind == TM_NODE_MAP ? seq(c, caps, "add", g) : NULL;
		if (add && add->n) {
			out->caps_add = tm_arena_alloc(&m->arena, add->n * sizeof *out->caps_add);
			for (size_t i = 0; i < add->n; i++)
				if (add->items[i]->kind == TM_NODE_SCALAR)
					out->caps_add[out->ncaps++] = cap_name(m, add->items[i]->str);
		}
	}
	const tm_node *vm = seq(c, ct, "volumeMounts", field);
	for (size_t i = 0; vm && i < vm->n; i++) {
		const char *vn = scalar(c, vm->items[i], "name", field);
		if (!vn)
			continue;
		TM_HEAP_GROW(*mounts, *nm, *capm);
		(*mounts)[(*nm)++] = (mount_ref){vn, out->name, flag(c, vm->items[i], "readOnly", field, NULL),
						  out->run_as_root};
	}
}

static void read_tolerations(tm_k8s_ctx *c, const tm_node *spec, const char *field, tm_podsec *s)
{
	const tm_node *tl = seq(c, spec, "tolerations", field);
	if (!tl || !tl->n)
		return;
	s->tols = tm_arena_alloc(&c->m->arena, tl->n * sizeof *s->tols);
	for (size_t i = 0; i < tl->n; i++) {
		const tm_node *t = tl->items[i];
		const char *op = scalar(c, t, "operator", field);
		tm_toleration *o = &s->tols[s->ntols++];
		o->key = scalar(c, t, "key", field);
		o->exists = op && !strcmp(op, "Exists");
		o->value = scalar(c, t, "value", field);
		o->effect = scalar(c, t, "effect", field);
	}
}

static void read_affinity(tm_k8s_ctx *c, const tm_node *spec, tm_podsec *s)
{
	tm_model *m = c->m;
	const tm_node *a = tm_node_get(tm_node_get(tm_node_get(spec, "affinity"), "nodeAffinity"),
				       "requiredDuringSchedulingIgnoredDuringExecution");
	const tm_node *terms = tm_node_get(a, "nodeSelectorTerms");
	if (!terms || terms->kind != TM_NODE_SEQ || !terms->n)
		return;
	s->terms = tm_arena_alloc(&m->arena, terms->n * sizeof *s->terms);
	for (size_t i = 0; i < terms->n; i++) {
		const tm_node *ex = tm_node_get(terms->items[i], "matchExpressions");
		tm_nodeterm *t = &s->terms[s->nterms++];
		if (!ex || ex->kind != TM_NODE_SEQ)
			continue;
		t->expr = tm_arena_alloc(&m->arena, (ex->n + 1) * sizeof *t->expr);
		for (size_t j = 0; j < ex->n; j++) {
			const tm_node *e = ex->items[j];
			const char *key = scalar(c, e, "key", "nodeAffinity.matchExpressions");
			const char *op = scalar(c, e, "operator", "nodeAffinity.matchExpressions");
			if (!key || !op)
				continue;
			tm_selexpr *x = &t->expr[t->nexpr++];
			x->key = key;
			x->op = !strcmp(op, "In")           ? TM_SEL_IN
				: !strcmp(op, "NotIn")        ? TM_SEL_NOTIN
				: !strcmp(op, "DoesNotExist") ? TM_SEL_DOESNOTEXIST
							      : TM_SEL_EXISTS; /* Exists, Gt, Lt */
			const tm_node *vals = tm_node_get(e, "values");
			if (vals && vals->kind == TM_NODE_SEQ && vals->n) {
				x->vals = tm_arena_alloc(&m->arena, vals->n * sizeof *x->vals);
				for (size_t k = 0; k < vals->n; k++)
					if (vals->items[k]->kind == TM_NODE_SCALAR)
						x->vals[x->nvals++] = vals->items[k]->str;
			}
		}
	}
}

const tm_podsec *tm_k8s_pod_security(tm_k8s_ctx *c, const tm_node *spec, const char *field)
{
	tm_model *m = c->m;
	if (!spec || spec->kind != TM_NODE_MAP)
		return NULL;
	tm_podsec s;
	memset(&s, 0, sizeof s);
	s.loc = spec->loc;
	s.host_pid = flag(c, spec, "hostPID", field, NULL);
	s.host_ipc = flag(c, spec, "hostIPC", field, NULL);
	/* hostNetwork is the workload reader's (warned there) */
	const tm_node *hnv = tm_node_get(spec, "hostNetwork");
	s.host_network = hnv && hnv->kind == TM_NODE_SCALAR && hnv->stype == TM_SCALAR_BOOL && !strcmp(hnv->str, "true");
	const tm_node *hp = tm_node_get(spec, "hostPID"), *hn = tm_node_get(spec, "hostNetwork");
	s.host_pid_loc = hp ? hp->loc : spec->loc;
	s.host_network_loc = hn ? hn->loc : spec->loc;
	const tm_node *psc = tm_node_get(spec, "securityContext");
	s.run_as_root = psc && psc->kind == TM_NODE_MAP ? run_as_root(psc) : -1;
	s.node_name = scalar(c, spec, "nodeName", field);
	/* containers */
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
	mount_ref *mounts = NULL;
	size_t nm = 0, capm = 0, nc = 0;
	for (size_t li = 0; li < TM_ARRAY_LEN(lists); li++) {
		const tm_node *cs = tm_node_get(spec, lists[li]);
		if (cs && cs->kind == TM_NODE_SEQ)
			nc += cs->n;
	}
	if (nc)
		s.ctrs = tm_arena_alloc(&m->arena, nc * sizeof *s.ctrs);
	for (size_t li = 0; li < TM_ARRAY_LEN(lists); li++) {
		const tm_node *cs = tm_node_get(spec, lists[li]);
		for (size_t i = 0; cs && cs->kind == TM_NODE_SEQ && i < cs->n; i++) {
			char f[192];
			snprintf(f, sizeof f, "%s.%s[%zu]", field, lists[li], i);
			if (cs->items[i]->kind == TM_NODE_MAP)
				read_container(c, cs->items[i], f, s.run_as_root, &s.ctrs[s.nctrs++], &mounts, &nm, &capm);
		}
	}
	/* hostPath volumes, with how they are mounted */
	const tm_node *vols = seq(c, spec, "volumes", field);
	size_t nh = 0;
	for (size_t i = 0; vols && i < vols->n; i++)
		nh += tm_node_get(vols->items[i], "hostPath") != NULL;
	if (nh)
		s.paths = tm_arena_alloc(&m->arena, nh * sizeof *s.paths);
	for (size_t i = 0; vols && i < vols->n; i++) {
		const tm_node *v = vols->items[i], *h = tm_node_get(v, "hostPath");
		if (!h)
			continue;
		char f[192];
		snprintf(f, sizeof f, "%s.volumes[%zu].hostPath", field, i);
		if (h->kind != TM_NODE_MAP) { /* hostPath: / is not a hostPath volume */
			tm_k8s_warn(c, h, "%s: expected a map (path, type), got %s; ignored", f, tm_node_kind_str(h));
			continue;
		}
		const char *path = scalar(c, h, "path", f);
		if (!path)
			continue;
		tm_hostpath *o = &s.paths[s.npaths++];
		o->volume = scalar(c, v, "name", f);
		o->path = path;
		o->type = scalar(c, h, "type", f);
		o->loc = v->loc;
		o->run_as_root = -1;
		for (size_t k = 0; o->volume && k < nm; k++) {
			if (strcmp(mounts[k].volume, o->volume))
				continue;
			bool better = !o->mounted || (!mounts[k].ro && !o->writable);
			o->mounted = true;
			o->writable |= !mounts[k].ro;
			if (better) {
				o->container = mounts[k].container;
				o->run_as_root = mounts[k].root;
			}
		}
	}
	free(mounts);
	/* placement */
	const tm_node *ns = tm_node_get(spec, "nodeSelector");
	if (ns && ns->kind == TM_NODE_MAP)
		tm_k8s_labels(c, ns, "nodeSelector", &s.node_selector, TM_LABELS_ANY);
	read_affinity(c, spec, &s);
	read_tolerations(c, spec, field, &s);
	bool any_ctr = false;
	for (size_t i = 0; i < s.nctrs; i++)
		any_ctr |= s.ctrs[i].privileged || s.ctrs[i].ncaps || s.ctrs[i].ape_set;
	if (!s.host_pid && !s.host_ipc && !s.host_network && !any_ctr && !s.npaths && !s.node_name &&
	    !s.node_selector.n && !s.nterms && !s.ntols)
		return NULL;
	return tm_arena_memdup(&m->arena, &s, sizeof s);
}

void tm_k8s_kube_node(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	const tm_node *meta = tm_node_get(c->obj, "metadata");
	tm_knode *n = tm_arena_alloc(&m->arena, sizeof *n);
	n->name = c->name;
	n->loc = c->obj->loc;
	if (!tm_k8s_labels(c, tm_node_get(meta, "labels"), "metadata.labels", &n->labels, TM_LABELS_WARN))
		return;
	const tm_node *spec = tm_node_get(c->obj, "spec");
	n->unschedulable = flag(c, spec, "unschedulable", "spec", NULL);
	const tm_node *ts = seq(c, spec, "taints", "spec");
	if (ts && ts->n) {
		n->taints = tm_arena_alloc(&m->arena, ts->n * sizeof *n->taints);
		for (size_t i = 0; i < ts->n; i++) {
			const char *key = scalar(c, ts->items[i], "key", "spec.taints");
			if (!key)
				continue;
			tm_taint *t = &n->taints[n->ntaints++];
			t->key = key;
			t->value = scalar(c, ts->items[i], "value", "spec.taints");
			t->effect = scalar(c, ts->items[i], "effect", "spec.taints");
		}
	}
	for (size_t i = 0; i < m->nknodes; i++)
		if (!strcmp(m->knodes[i]->name, n->name)) {
			tm_k8s_warn(c, c->obj, "duplicate Node (first at %s:%u); this later one replaces it",
				    m->knodes[i]->loc.file, m->knodes[i]->loc.line);
			m->knodes[i] = n;
			return;
		}
	TM_ARENA_GROW(&m->arena, m->knodes, m->nknodes, m->cap_knodes);
	m->knodes[m->nknodes++] = n;
}
