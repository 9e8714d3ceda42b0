/* k8s.c - documents to Kubernetes objects: dispatch by kind, lists, shared
 * typed getters and validation, and reading files, directories and stdin. */
#include "ingest/manifest/k8s.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void tm_load_opts_default(tm_load_opts *o)
{
	memset(o, 0, sizeof *o);
	tm_doc_limits_default(&o->limits);
	o->max_objects = 2000000;
	o->max_labels = 1000;
	o->max_label_len = 4096;
}

/* ---- diagnostics ---- */
static void obj_prefix(tm_k8s_ctx *c, tm_buf *b)
{
	if (c->kind) {
		tm_buf_addf(b, "%s ", c->kind);
		if (c->ns)
			tm_buf_addf(b, "%s/", c->ns);
		tm_buf_addf(b, "%s: ", c->name ? c->name : "(unnamed)");
	}
}

void tm_k8s_error(tm_k8s_ctx *c, const tm_node *n, const char *field, const char *fmt, ...)
{
	tm_buf b;
	va_list ap;
	tm_buf_init(&b, 64 * 1024);
	obj_prefix(c, &b);
	if (field)
		tm_buf_addf(&b, "%s: ", field);
	va_start(ap, fmt);
	tm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (c->o->skip_invalid)
		tm_buf_adds(&b, " (object skipped)");
	tm_srcloc loc = n ? n->loc : c->obj ? c->obj->loc : (tm_srcloc){0};
	if (!c->failed || !c->o->skip_invalid)
		tm_diags_add(&c->m->diags, c->o->skip_invalid ? TM_DIAG_WARN : TM_DIAG_ERROR, loc, "%s",
			     tm_buf_str(&b));
	if (!c->o->skip_invalid && c->err == TM_OK)
		c->err = TM_ERR_INVALID;
	c->failed = true;
	tm_buf_release(&b);
}

void tm_k8s_warn(tm_k8s_ctx *c, const tm_node *n, const char *fmt, ...)
{
	tm_buf b;
	va_list ap;
	tm_buf_init(&b, 64 * 1024);
	obj_prefix(c, &b);
	va_start(ap, fmt);
	tm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	tm_srcloc loc = n ? n->loc : c->obj ? c->obj->loc : (tm_srcloc){0};
	tm_diags_add(&c->m->diags, TM_DIAG_WARN, loc, "%s", tm_buf_str(&b));
	tm_buf_release(&b);
}

/* ---- typed getters ---- */
bool tm_k8s_str(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field,
		const char **out)
{
	const tm_node *n = tm_node_get(parent, key);
	*out = NULL;
	if (tm_node_is_null(n))
		return true;
	if (n->kind != TM_NODE_SCALAR) {
		tm_k8s_error(c, n, field, "expected a string, got %s", tm_node_kind_str(n));
		return false;
	}
	*out = n->str;
	return true;
}

static bool parse_ll(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}

bool tm_k8s_int(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field,
		long long *out, bool *present)
{
	const tm_node *n = tm_node_get(parent, key);
	if (present)
		*present = false;
	if (tm_node_is_null(n))
		return true;
	if (n->kind == TM_NODE_SCALAR && n->stype == TM_SCALAR_INT && !parse_ll(n->str, out)) {
		tm_k8s_error(c, n, field, "number \"%.40s\" out of range (or not a decimal integer)", n->str);
		return false;
	}
	if (n->kind != TM_NODE_SCALAR || n->stype != TM_SCALAR_INT) {
		tm_k8s_error(c, n, field, "expected an integer, got %s%s%s%s", tm_node_kind_str(n),
			     n->kind == TM_NODE_SCALAR ? " \"" : "", n->kind == TM_NODE_SCALAR ? n->str : "",
			     n->kind == TM_NODE_SCALAR ? "\"" : "");
		return false;
	}
	if (present)
		*present = true;
	return true;
}

bool tm_k8s_bool(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field, bool *out)
{
	const tm_node *n = tm_node_get(parent, key);
	if (tm_node_is_null(n))
		return true;
	if (n->kind == TM_NODE_SCALAR && n->stype == TM_SCALAR_STR) {
		/* kubectl reads YAML 1.1 (sigs.k8s.io/yaml), where these are booleans */
		static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", NULL};
		static const char *const no[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL};
		for (int i = 0; yes[i]; i++)
			if (!strcmp(n->str, yes[i]) || !strcmp(n->str, no[i])) {
				*out = !strcmp(n->str, yes[i]);
				return true;
			}
	}
	if (n->kind != TM_NODE_SCALAR || n->stype != TM_SCALAR_BOOL) {
		tm_k8s_error(c, n, field, "expected true or false, got %s", tm_node_kind_str(n));
		return false;
	}
	*out = n->str[0] == 't' || n->str[0] == 'T';
	return true;
}

const tm_node *tm_k8s_map(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field)
{
	const tm_node *n = tm_node_get(parent, key);
	if (tm_node_is_null(n))
		return NULL;
	if (n->kind != TM_NODE_MAP) {
		tm_k8s_error(c, n, field, "expected a map, got %s", tm_node_kind_str(n));
		return NULL;
	}
	return n;
}

const tm_node *tm_k8s_seq(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field)
{
	const tm_node *n = tm_node_get(parent, key);
	if (tm_node_is_null(n))
		return NULL;
	if (n->kind != TM_NODE_SEQ) {
		tm_k8s_error(c, n, field, "expected a list, got %s", tm_node_kind_str(n));
		return NULL;
	}
	return n;
}

bool tm_k8s_int_or_str(tm_k8s_ctx *c, const tm_node *n, const char *field, long long *iv,
		       const char **sv, bool *is_int)
{
	*sv = NULL;
	*is_int = false;
	if (n->kind != TM_NODE_SCALAR || n->stype == TM_SCALAR_NULL) {
		tm_k8s_error(c, n, field, "expected a number or a name, got %s", tm_node_kind_str(n));
		return false;
	}
	if (n->stype == TM_SCALAR_FLOAT || n->stype == TM_SCALAR_BOOL) {
		tm_k8s_error(c, n, field, "expected an integer or a name, got %s \"%s\"", tm_node_kind_str(n),
			     n->str);
		return false;
	}
	if (n->stype == TM_SCALAR_INT) {
		if (!parse_ll(n->str, iv)) {
			tm_k8s_error(c, n, field, "number \"%s\" out of range", n->str);
			return false;
		}
		*is_int = true;
		return true;
	}
	*sv = n->str;
	return true;
}

void tm_k8s_known_fields(tm_k8s_ctx *c, const tm_node *map, const char *field, const char *const *known)
{
	if (!map || map->kind != TM_NODE_MAP)
		return;
	for (size_t i = 0; i < map->n; i++) {
		const tm_node *k = map->pairs[i].key;
		bool ok = false;
		for (const char *const *q = known; *q && !ok; q++)
			ok = k->kind == TM_NODE_SCALAR && !strcmp(k->str, *q);
		if (!ok)
			tm_k8s_warn(c, k, "%s: unknown field \"%.80s\" ignored (the API server rejects or drops it too)",
				    field, k->kind == TM_NODE_SCALAR ? k->str : "?");
	}
}

/* ---- validation (k8s.io/apimachinery validation) ---- */
static bool is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool qualified_name(const char *s, size_t n)
{
	if (n == 0 || n > 63 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static bool dns_subdomain(const char *s, size_t n)
{
	if (n == 0 || n > 253)
		return false;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			size_t len = i - start;
			if (len == 0 || len > 63)
				return false;
			const char *l = s + start;
			if (!((l[0] >= 'a' && l[0] <= 'z') || (l[0] >= '0' && l[0] <= '9')))
				return false;
			char e = l[len - 1];
			if (!((e >= 'a' && e <= 'z') || (e >= '0' && e <= '9')))
				return false;
			for (size_t j = 0; j < len; j++)
				if (!((l[j] >= 'a' && l[j] <= 'z') || (l[j] >= '0' && l[j] <= '9') || l[j] == '-'))
					return false;
			start = i + 1;
		}
	}
	return true;
}

bool tm_valid_label_key(const char *k, tm_buf *why)
{
	const char *slash = strchr(k, '/');
	if (slash) {
		if (!dns_subdomain(k, (size_t)(slash - k))) {
			tm_buf_addf(why, "label key \"%.80s%s\": prefix must be a DNS subdomain", k, strlen(k) > 80 ? "..." : "");
			return false;
		}
		k = slash + 1;
	}
	if (!qualified_name(k, strlen(k))) {
		tm_buf_addf(why, "label key \"%.80s%s\": name must be 1-63 characters of [A-Za-z0-9_.-], "
			    "starting and ending with an alphanumeric character", k, strlen(k) > 80 ? "..." : "");
		return false;
	}
	return true;
}

bool tm_valid_label_value(const char *v, tm_buf *why)
{
	size_t n = strlen(v);
	if (n == 0 || qualified_name(v, n))
		return true;
	tm_buf_addf(why, "label value \"%.80s\"", v);
	if (n > 80)
		tm_buf_addf(why, "... (%zu characters)", n);
	tm_buf_adds(why, ": must be empty or 1-63 characters of [A-Za-z0-9_.-], starting and ending with an "
		    "alphanumeric character");
	return false;
}

bool tm_valid_port_name(const char *s, tm_buf *why)
{
	size_t n = strlen(s);
	bool letter = false, ok = n >= 1 && n <= 15 && s[0] != '-' && s[n - 1] != '-';
	for (size_t i = 0; ok && i < n; i++) {
		char ch = s[i];
		if (ch >= 'a' && ch <= 'z')
			letter = true;
		else if (!(ch >= '0' && ch <= '9') && ch != '-')
			ok = false;
		if (ch == '-' && i + 1 < n && s[i + 1] == '-')
			ok = false;
	}
	if (ok && letter)
		return true;
	tm_buf_addf(why, "port name \"%.80s\": must be 1-15 characters of [a-z0-9-] with at least one "
		    "letter, no leading, trailing or double '-'", s);
	return false;
}

bool tm_k8s_labels(tm_k8s_ctx *c, const tm_node *map, const char *field, tm_labels *out, int validate)
{
	out->n = 0;
	out->v = NULL;
	if (tm_node_is_null(map))
		return true;
	if (map->kind != TM_NODE_MAP) {
		tm_k8s_error(c, map, field, "expected a map of labels, got %s", tm_node_kind_str(map));
		return false;
	}
	if (map->n > c->o->max_labels) {
		tm_k8s_error(c, map, field, "%zu labels, more than the limit of %zu (--max-labels)", map->n,
			     c->o->max_labels);
		return false;
	}
	out->v = tm_arena_alloc(&c->m->arena, (map->n ? map->n : 1) * sizeof(tm_label));
	tm_buf why;
	tm_buf_init(&why, 4096);
	bool ok = true;
	for (size_t i = 0; i < map->n && ok; i++) {
		const tm_node *k = map->pairs[i].key, *v = map->pairs[i].val;
		if (k->kind != TM_NODE_SCALAR || (v->kind != TM_NODE_SCALAR)) {
			tm_k8s_error(c, v, field, "label values must be strings, got %s", tm_node_kind_str(v));
			ok = false;
			break;
		}
		const char *val = v->stype == TM_SCALAR_NULL ? tm_intern(&c->m->strs, "") : v->str;
		if (v->stype == TM_SCALAR_BOOL || v->stype == TM_SCALAR_INT || v->stype == TM_SCALAR_FLOAT)
			/* YAML types the plain scalar; label values are strings and
			 * kubectl rejects a bool or number here: quote it */
			tm_k8s_warn(c, v, "%s: label %s: value %s is %s, not a string (kubectl rejects it; quote it); "
				    "read as the string \"%s\"", field, k->str, v->str,
				    v->stype == TM_SCALAR_BOOL ? "a boolean" : "a number", v->str);
		if (k->len > c->o->max_label_len || strlen(val) > c->o->max_label_len) {
			bool key_long = k->len > c->o->max_label_len;
			tm_k8s_error(c, key_long ? k : v, field, "label %s of %zu bytes, longer than the limit of %zu (--max-label-length)",
				     key_long ? "key" : "value", key_long ? k->len : strlen(val), c->o->max_label_len);
			ok = false;
			break;
		}
		bool ctl = false;
		for (const char *q = k->str; *q && !ctl; q++)
			ctl = (unsigned char)*q < 0x20 || *q == 0x7f;
		for (const char *q = val; *q && !ctl; q++)
			ctl = (unsigned char)*q < 0x20 || *q == 0x7f;
		if (ctl) { /* never kept: printed, they would forge output lines */
			tm_k8s_error(c, k, field, "label key or value holds control characters");
			ok = false;
			break;
		}
		if (validate && (!tm_valid_label_key(k->str, &why) || !tm_valid_label_value(val, &why))) {
			if (validate == TM_LABELS_WARN) {
				tm_k8s_warn(c, k, "%s: %s (the API server would reject it; kept as is)", field,
					    tm_buf_str(&why));
				tm_buf_reset(&why);
			} else {
				tm_k8s_error(c, k, field, "%s", tm_buf_str(&why));
				ok = false;
				break;
			}
		}
		out->v[out->n].key = k->str;
		out->v[out->n].val = val;
		out->n++;
	}
	tm_buf_release(&why);
	if (ok && !tm_labels_sort(out)) {
		tm_k8s_error(c, map, field, "duplicate label key");
		ok = false;
	}
	if (ok)
		tm_model_intern_labels(c->m, out);
	return ok;
}

bool tm_k8s_selector(tm_k8s_ctx *c, const tm_node *n, const char *field, tm_selector *out)
{
	memset(out, 0, sizeof *out);
	if (tm_node_is_null(n))
		return true;
	if (n->kind != TM_NODE_MAP) {
		tm_k8s_error(c, n, field, "expected a label selector map, got %s", tm_node_kind_str(n));
		return false;
	}
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->pairs[i].key->str;
		if (strcmp(k, "matchLabels") && strcmp(k, "matchExpressions"))
			tm_k8s_warn(c, n->pairs[i].key, "%s: unknown selector field \"%s\" ignored", field, k);
	}
	if (!tm_k8s_labels(c, tm_node_get(n, "matchLabels"), field, &out->match, TM_LABELS_STRICT))
		return false;
	const tm_node *ex = tm_k8s_seq(c, n, "matchExpressions", field);
	if (c->failed)
		return false;
	if (!ex)
		return true;
	out->expr = tm_arena_alloc(&c->m->arena, (ex->n ? ex->n : 1) * sizeof(tm_selexpr));
	tm_buf why;
	tm_buf_init(&why, 4096);
	bool ok = true;
	for (size_t i = 0; i < ex->n && ok; i++) {
		const tm_node *e = ex->items[i];
		tm_selexpr *se = &out->expr[out->nexpr];
		const char *op = NULL, *key = NULL;
		if (e->kind != TM_NODE_MAP) {
			tm_k8s_error(c, e, field, "matchExpressions[%zu]: expected a map", i);
			ok = false;
			break;
		}
		if (!tm_k8s_str(c, e, "key", field, &key) || !tm_k8s_str(c, e, "operator", field, &op)) {
			ok = false;
			break;
		}
		if (!key || !tm_valid_label_key(key, &why)) {
			tm_k8s_error(c, e, field, "matchExpressions[%zu]: %s", i,
				     key ? tm_buf_str(&why) : "key is required");
			ok = false;
			break;
		}
		se->key = key;
		if (op && !strcmp(op, "In"))
			se->op = TM_SEL_IN;
		else if (op && !strcmp(op, "NotIn"))
			se->op = TM_SEL_NOTIN;
		else if (op && !strcmp(op, "Exists"))
			se->op = TM_SEL_EXISTS;
		else if (op && !strcmp(op, "DoesNotExist"))
			se->op = TM_SEL_DOESNOTEXIST;
		else {
			tm_k8s_error(c, tm_node_get(e, "operator") ? tm_node_get(e, "operator") : e, field,
				     "matchExpressions[%zu]: operator \"%s\" is not one of In, NotIn, Exists, DoesNotExist",
				     i, op ? op : "");
			ok = false;
			break;
		}
		const tm_node *vals = tm_k8s_seq(c, e, "values", field);
		if (c->failed) {
			ok = false;
			break;
		}
		size_t nv = vals ? vals->n : 0;
		if ((se->op == TM_SEL_IN || se->op == TM_SEL_NOTIN) && nv == 0) {
			tm_k8s_error(c, e, field, "matchExpressions[%zu]: values must be non-empty for %s", i, op);
			ok = false;
			break;
		}
		if ((se->op == TM_SEL_EXISTS || se->op == TM_SEL_DOESNOTEXIST) && nv != 0) {
			tm_k8s_error(c, e, field, "matchExpressions[%zu]: values must be empty for %s", i, op);
			ok = false;
			break;
		}
		se->vals = tm_arena_alloc(&c->m->arena, (nv ? nv : 1) * sizeof(char *));
		for (size_t j = 0; j < nv; j++) {
			const tm_node *v = vals->items[j];
			if (v->kind != TM_NODE_SCALAR || !tm_valid_label_value(v->str, &why)) {
				tm_k8s_error(c, v, field, "matchExpressions[%zu].values[%zu]: %s", i, j,
					     v->kind != TM_NODE_SCALAR ? "expected a string" : tm_buf_str(&why));
				ok = false;
				break;
			}
			se->vals[se->nvals++] = v->str;
		}
		out->nexpr++;
	}
	tm_buf_release(&why);
	return ok;
}

/* ---- dispatch ---- */
typedef struct kind_entry {
	const char *kind;
	void (*fn)(tm_k8s_ctx *c);
	bool cluster_scoped;
	/* the apiVersions this kind is ours in: "v1" exactly, or a group
	 * ("apps/" = any version of it); NULL-terminated */
	const char *const *api;
} kind_entry;

static const char *const api_core[] = {"v1", NULL};
static const char *const api_apps[] = {"apps/", "extensions/", NULL};
static const char *const api_batch[] = {"batch/", NULL};
static const char *const api_netpol[] = {"networking.k8s.io/", "extensions/", NULL};
static const char *const api_policy[] = {"policy.networking.k8s.io/", NULL};
static const char *const api_route[] = {"route.openshift.io/", NULL};
static const char *const api_gateway[] = {"gateway.networking.k8s.io/", NULL};

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
};

static void read_object(tm_model *m, const tm_load_opts *o, const tm_node *obj, const char *list_kind,
			tm_err *err, unsigned depth);

/* ObjectMeta (k8s.io/apimachinery/pkg/apis/meta/v1): a misspelt "lables"
 * would silently leave a pod without labels */
const char *const tm_k8s_objectmeta_fields[] = {
	"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
	"creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
	"ownerReferences", "finalizers", "managedFields", NULL,
};

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
	for (size_t i = 0; i < TM_ARRAY_LEN(kinds); i++) {
		if (strcmp(kinds[i].kind, kind) != 0)
			continue;
		/* another group's kind of the same name (a Calico NetworkPolicy,
		 * an Antrea ClusterNetworkPolicy, a CRD's Pod) is not ours: read as
		 * ours, its fields would be misread; it is counted as not analysed */
		if (api && !api_ok(kinds[i].api, api)) {
			tm_model_count_ignored(m, tm_intern(&m->strs, tm_arena_printf(&m->arena, "%s (%s)", kind, api)),
					       obj->loc);
			goto out;
		}
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
			if (!v || !*v || dns_subdomain(v, strlen(v)))
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
	tm_model_count_ignored(m, kind, obj->loc);
out:
	if (c.failed)
		m->invalid_skipped++;
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

/* the name ends in e, in any case (a.YAML is YAML too) */
static bool has_ext(const char *n, const char *e)
{
	size_t ln = strlen(n), le = strlen(e);
	return ln > le && strcasecmp(n + ln - le, e) == 0;
}

static tm_err read_fp(tm_model *m, const char *name, FILE *f, bool is_json, const tm_load_opts *o)
{
	tm_buf b;
	tm_buf_init(&b, o->limits.max_file_bytes + 1);
	char chunk[65536];
	size_t n;
	tm_err rc = TM_OK;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (tm_buf_add(&b, chunk, n) != TM_OK) {
			tm_srcloc l = {tm_intern(&m->strs, name), 0, 0};
			tm_diags_add(&m->diags, TM_DIAG_ERROR, l,
				     "file is larger than %zu bytes (limit --max-file-size)",
				     o->limits.max_file_bytes);
			rc = TM_ERR_LIMIT;
			goto out;
		}
	}
	if (ferror(f)) {
		tm_srcloc l = {tm_intern(&m->strs, name), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "read error: %s", strerror(errno));
		rc = TM_ERR_IO;
		goto out;
	}
	if (!is_json && !strcmp(name, "-")) {
		/* stdin: JSON when the first non-blank byte opens a JSON value */
		const char *s = tm_buf_str(&b);
		while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
			s++;
		is_json = *s == '{' || *s == '[';
	}
	rc = tm_load_buffer(m, name, tm_buf_str(&b), b.len, is_json, o);
out:
	tm_buf_release(&b);
	return rc;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories already read in one tm_load_path(), by device and inode:
 * symbolic links may make a directory its own descendant ("a -> .") or
 * reach one directory by many paths, which would otherwise be read
 * again and again (2^64 times for two links to "." and the depth cap). */
typedef struct dirseen {
	dev_t *dev;
	ino_t *ino;
	size_t n, cap, cap2;
} dirseen;

static bool dirseen_add(dirseen *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
			return false;
	TM_HEAP_GROW(s->dev, s->n, s->cap);
	TM_HEAP_GROW(s->ino, s->n, s->cap2);
	s->dev[s->n] = st->st_dev;
	s->ino[s->n] = st->st_ino;
	s->n++;
	return true;
}

static tm_err load_dir(tm_model *m, const char *path, const tm_load_opts *o, unsigned depth,
		       dirseen *seen)
{
	struct stat dst;
	if (depth > 64)
		return TM_OK;
	if (stat(path, &dst) == 0 && !dirseen_add(seen, &dst)) {
		tm_srcloc l = {tm_intern(&m->strs, path), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_WARN, l,
			     "directory already read under another path (symbolic links); not read again");
		return TM_OK;
	}
	DIR *d = opendir(path);
	if (!d) {
		tm_srcloc l = {tm_intern(&m->strs, path), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "cannot read directory: %s", strerror(errno));
		return TM_ERR_IO;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		TM_HEAP_GROW(names, n, cap);
		size_t len = strlen(path) + strlen(e->d_name) + 2;
		names[n] = tm_xrealloc(NULL, len);
		snprintf(names[n], len, "%s%s%s", path, has_ext(path, "/") ? "" : "/", e->d_name);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, str_cmp);
	tm_err rc = TM_OK;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		tm_err r = TM_OK;
		if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
			r = load_dir(m, names[i], o, depth + 1, seen);
		else if (has_ext(names[i], ".yaml") || has_ext(names[i], ".yml") || has_ext(names[i], ".json"))
			r = tm_load_path(m, names[i], o);
		if (r != TM_OK && rc == TM_OK)
			rc = r;
		free(names[i]);
	}
	free(names);
	return rc;
}

tm_err tm_load_path(tm_model *m, const char *path, const tm_load_opts *o)
{
	if (!strcmp(path, "-"))
		return read_fp(m, "-", stdin, false, o);
	struct stat st;
	if (stat(path, &st) != 0) {
		tm_srcloc l = {tm_intern(&m->strs, path), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "cannot open: %s", strerror(errno));
		return TM_ERR_IO;
	}
	if (S_ISDIR(st.st_mode)) {
		dirseen seen = {0};
		tm_err rc = load_dir(m, path, o, 0, &seen);
		free(seen.dev);
		free(seen.ino);
		return rc;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		tm_srcloc l = {tm_intern(&m->strs, path), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "cannot open: %s", strerror(errno));
		return TM_ERR_IO;
	}
	tm_err rc = read_fp(m, path, f, has_ext(path, ".json"), o);
	fclose(f);
	return rc;
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
