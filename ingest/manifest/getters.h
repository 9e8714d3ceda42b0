/* getters.h - internal to ingest/manifest/: the per-object context, its
 * diagnostics and the typed getters and validation (getters.c) that every
 * manifest reader and the zones file use. */
#ifndef TM_GETTERS_H
#define TM_GETTERS_H

#include "ingest/ingest.h"

typedef struct tm_k8s_ctx {
	tm_model *m;
	const tm_load_opts *o;
	const tm_node *obj;   /* the object being read */
	const char *kind, *ns, *name;
	bool failed;          /* an error was reported for this object */
	tm_err err;           /* first error of the run (TM_OK if none) */
	unsigned nerrors;     /* errors of this object so far, reported or not */
} tm_k8s_ctx;

/* Errors reported per object; the rest are counted and said in one line
 * ("... and N more errors") by tm_k8s_errors_end. */
#define TM_K8S_MAX_ERRORS 20

/* Report a problem in the current object at node n (or the object). Errors
 * mark the object failed; under skip_invalid they are recorded as warnings.
 * Readers go on after an error to the parts that do not depend on the one
 * that failed (the next rule, peer, port, label, field), so that every
 * independent error of an object is reported at once, each at its own
 * position; what depends on a failed part is not read (no cascade). */
void tm_k8s_error(tm_k8s_ctx *c, const tm_node *n, const char *field, const char *fmt, ...)
	TM_PRINTF(4, 5);
/* End of an object: the count of errors beyond TM_K8S_MAX_ERRORS. */
void tm_k8s_errors_end(tm_k8s_ctx *c);
void tm_k8s_warn(tm_k8s_ctx *c, const tm_node *n, const char *fmt, ...) TM_PRINTF(3, 4);

/* Typed getters: absent or null -> default and true; wrong type -> error. */
bool tm_k8s_str(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field,
		const char **out);
bool tm_k8s_int(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field,
		long long *out, bool *present);
bool tm_k8s_bool(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field, bool *out);
/* A map or NULL; a non-map is an error. */
const tm_node *tm_k8s_map(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field);
const tm_node *tm_k8s_seq(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field);
/* validate: TM_LABELS_ANY (no check), TM_LABELS_STRICT (bad syntax is an
 * error: selectors), TM_LABELS_WARN (bad syntax is a warning and the label
 * is kept: object metadata, which NPA reads without checking). */
enum { TM_LABELS_ANY = 0, TM_LABELS_STRICT = 1, TM_LABELS_WARN = 2 };
bool tm_k8s_labels(tm_k8s_ctx *c, const tm_node *map, const char *field, tm_labels *out, int validate);
/* The operator and values of matchExpressions[i] (e, a map; op its operator
 * as read, NULL when absent) into se, whose key the caller reads (plain
 * label keys here, Cilium's source-prefixed ones in cilium.c). One error
 * for a bad operator or a values field that is not a list or does not fit
 * the operator, one per bad value; false when any was given. why is scratch. */
bool tm_k8s_selexpr(tm_k8s_ctx *c, const tm_node *e, const char *field, size_t i, const char *op, tm_selexpr *se,
		    tm_buf *why);
/* Label selector (matchLabels + matchExpressions). */
bool tm_k8s_selector(tm_k8s_ctx *c, const tm_node *n, const char *field, tm_selector *out);
/* Scalar text of an int-or-string; *is_int tells which. */
bool tm_k8s_int_or_str(tm_k8s_ctx *c, const tm_node *n, const char *field, long long *iv,
		       const char **sv, bool *is_int);

/* The trustmap.io/ignore annotation of an object's metadata, or NULL; *loc
 * is its key's position (messages about the annotation point there). */
const char *tm_k8s_ignore_annotation(const tm_node *meta, tm_srcloc *loc);

/* Warn about keys of map that are not in known (NULL-terminated): a typo
 * such as "ingres" would otherwise silently change the policy's meaning. */
void tm_k8s_known_fields(tm_k8s_ctx *c, const tm_node *map, const char *field, const char *const *known);
/* The n bytes at s are a DNS subdomain (RFC 1123: names, namespaces). */
bool tm_k8s_dns_subdomain(const char *s, size_t n);
/* the fields of ObjectMeta, NULL-terminated */
extern const char *const tm_k8s_objectmeta_fields[];

#endif
