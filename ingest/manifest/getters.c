/* getters.c - the per-object diagnostics, typed getters and validation
 * (k8s.io/apimachinery) shared by every manifest reader and the zones file,
 * so that each problem reads `file:line:col: Kind ns/name: field: problem`. */
#include "ingest/manifest/getters.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	if (!c->o->skip_invalid && c->err == TM_OK)
		c->err = TM_ERR_INVALID;
	c->failed = true;
	if (++c->nerrors > TM_K8S_MAX_ERRORS)
		return; /* counted for tm_k8s_errors_end */
	tm_buf b;
	va_list ap;
	tm_buf_init(&b, 64 * 1024);
	obj_prefix(c, &b);
	if (field)
		(void)tm_buf_addf(&b, "%s: ", field);
	va_start(ap, fmt);
	(void)tm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (c->o->skip_invalid) /* on each: the lines are sorted by position */
		(void)tm_buf_adds(&b, " (object skipped)");
	tm_srcloc loc = n ? n->loc : c->obj ? c->obj->loc : (tm_srcloc){0};
	tm_diags_add(&c->m->diags, c->o->skip_invalid ? TM_DIAG_WARN : TM_DIAG_ERROR, loc, "%s", tm_buf_str(&b));
	tm_buf_release(&b);
}

void tm_k8s_errors_end(tm_k8s_ctx *c)
{
	if (c->nerrors <= TM_K8S_MAX_ERRORS)
		return;
	tm_buf b;
	tm_buf_init(&b, 4096);
	obj_prefix(c, &b);
	(void)tm_buf_addf(&b, "... and %u more errors in this object", c->nerrors - TM_K8S_MAX_ERRORS);
	tm_diags_add(&c->m->diags, c->o->skip_invalid ? TM_DIAG_WARN : TM_DIAG_ERROR,
		     c->obj ? c->obj->loc : (tm_srcloc){0}, "%s", tm_buf_str(&b));
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

const char *tm_k8s_ignore_annotation(const tm_node *meta, tm_srcloc *loc)
{
	const tm_node *ann = tm_node_get(meta, "annotations");
	*loc = (tm_srcloc){0};
	if (!ann || ann->kind != TM_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < ann->n; i++) {
		const tm_node *k = ann->pairs[i].key, *v = ann->pairs[i].val;
		if (k->kind != TM_NODE_SCALAR || strcmp(k->str, "trustmap.io/ignore"))
			continue;
		*loc = k->loc;
		return v->kind == TM_NODE_SCALAR ? v->str : NULL;
	}
	return NULL;
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

bool tm_k8s_dns_subdomain(const char *s, size_t n)
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
		if (!tm_k8s_dns_subdomain(k, (size_t)(slash - k))) {
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
	/* every label is checked on its own: one bad label does not hide the next */
	for (size_t i = 0; i < map->n; i++) {
		const tm_node *k = map->pairs[i].key, *v = map->pairs[i].val;
		if (k->kind != TM_NODE_SCALAR || (v->kind != TM_NODE_SCALAR)) {
			tm_k8s_error(c, v, field, "label values must be strings, got %s", tm_node_kind_str(v));
			ok = false;
			continue;
		}
		const char *val = v->stype == TM_SCALAR_NULL ? tm_intern(&c->m->strs, "") : v->str;
		if (k->len > c->o->max_label_len || strlen(val) > c->o->max_label_len) {
			bool key_long = k->len > c->o->max_label_len;
			tm_k8s_error(c, key_long ? k : v, field, "label %s of %zu bytes, longer than the limit of %zu (--max-label-length)",
				     key_long ? "key" : "value", key_long ? k->len : strlen(val), c->o->max_label_len);
			ok = false;
			continue;
		}
		bool ctl = false;
		for (const char *q = k->str; *q && !ctl; q++)
			ctl = (unsigned char)*q < 0x20 || *q == 0x7f;
		for (const char *q = val; *q && !ctl; q++)
			ctl = (unsigned char)*q < 0x20 || *q == 0x7f;
		if (ctl) { /* never kept: printed, they would forge output lines */
			tm_k8s_error(c, k, field, "label key or value holds control characters");
			ok = false;
			continue;
		}
		if (v->stype == TM_SCALAR_BOOL || v->stype == TM_SCALAR_INT || v->stype == TM_SCALAR_FLOAT)
			/* YAML types the plain scalar; label values are strings and
			 * kubectl rejects a bool or number here: quote it */
			tm_k8s_warn(c, v, "%s: label %s: value %s is %s, not a string (kubectl rejects it; quote it); "
				    "read as the string \"%s\"", field, k->str, v->str,
				    v->stype == TM_SCALAR_BOOL ? "a boolean" : "a number", v->str);
		if (validate && (!tm_valid_label_key(k->str, &why) || !tm_valid_label_value(val, &why))) {
			if (validate == TM_LABELS_WARN) {
				tm_k8s_warn(c, k, "%s: %s (the API server would reject it; kept as is)", field,
					    tm_buf_str(&why));
				tm_buf_reset(&why);
			} else {
				tm_k8s_error(c, k, field, "%s", tm_buf_str(&why));
				tm_buf_reset(&why);
				ok = false;
				continue;
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
	else
		out->n = 0;
	return ok;
}

/* The operator and values of one matchExpressions entry (getters.h). */
bool tm_k8s_selexpr(tm_k8s_ctx *c, const tm_node *e, const char *field, size_t i, const char *op, tm_selexpr *se,
		    tm_buf *why)
{
	unsigned e0 = c->nerrors;
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
			     "matchExpressions[%zu]: operator \"%s\" is not one of In, NotIn, Exists, DoesNotExist", i,
			     op ? op : "");
		return false; /* the values are checked against the operator */
	}
	const tm_node *vals = tm_k8s_seq(c, e, "values", field);
	if (c->nerrors != e0)
		return false;
	size_t nv = vals ? vals->n : 0;
	if ((se->op == TM_SEL_IN || se->op == TM_SEL_NOTIN) && nv == 0) {
		tm_k8s_error(c, e, field, "matchExpressions[%zu]: values must be non-empty for %s", i, op);
		return false;
	}
	if ((se->op == TM_SEL_EXISTS || se->op == TM_SEL_DOESNOTEXIST) && nv != 0) {
		tm_k8s_error(c, e, field, "matchExpressions[%zu]: values must be empty for %s", i, op);
		return false;
	}
	se->vals = tm_arena_alloc(&c->m->arena, (nv ? nv : 1) * sizeof(char *));
	se->nvals = 0;
	for (size_t j = 0; j < nv; j++) {
		const tm_node *v = vals->items[j];
		tm_buf_reset(why);
		if (v->kind != TM_NODE_SCALAR || !tm_valid_label_value(v->str, why)) {
			tm_k8s_error(c, v, field, "matchExpressions[%zu].values[%zu]: %s", i, j,
				     v->kind != TM_NODE_SCALAR ? "expected a string" : tm_buf_str(why));
			continue;
		}
		se->vals[se->nvals++] = v->str;
	}
	return c->nerrors == e0;
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
	unsigned e0 = c->nerrors;
	/* matchLabels and each expression are checked on their own */
	tm_k8s_labels(c, tm_node_get(n, "matchLabels"), field, &out->match, TM_LABELS_STRICT);
	const tm_node *ex = tm_k8s_seq(c, n, "matchExpressions", field);
	if (!ex)
		return c->nerrors == e0;
	out->expr = tm_arena_alloc(&c->m->arena, (ex->n ? ex->n : 1) * sizeof(tm_selexpr));
	tm_buf why;
	tm_buf_init(&why, 4096);
	for (size_t i = 0; i < ex->n; i++) {
		const tm_node *e = ex->items[i];
		tm_selexpr *se = &out->expr[out->nexpr];
		memset(se, 0, sizeof *se);
		const char *op = NULL, *key = NULL;
		if (e->kind != TM_NODE_MAP) {
			tm_k8s_error(c, e, field, "matchExpressions[%zu]: expected a map", i);
			continue;
		}
		unsigned e1 = c->nerrors;
		bool key_ok = tm_k8s_str(c, e, "key", field, &key);
		bool op_ok = tm_k8s_str(c, e, "operator", field, &op);
		tm_buf_reset(&why);
		if (key_ok && (!key || !tm_valid_label_key(key, &why)))
			tm_k8s_error(c, tm_node_get(e, "key") ? tm_node_get(e, "key") : e, field, "matchExpressions[%zu]: %s", i,
				     key ? tm_buf_str(&why) : "key is required");
		se->key = key;
		if (!op_ok)
			continue;
		tm_k8s_selexpr(c, e, field, i, op, se, &why);
		if (c->nerrors == e1)
			out->nexpr++;
	}
	tm_buf_release(&why);
	return c->nerrors == e0;
}

/* ObjectMeta (k8s.io/apimachinery/pkg/apis/meta/v1): a misspelt "lables"
 * would silently leave a pod without labels */
const char *const tm_k8s_objectmeta_fields[] = {
	"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
	"creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
	"ownerReferences", "finalizers", "managedFields", NULL,
};

