/* k8s.h - internal to ingest/: the per-object context shared by k8s_*.c. */
#ifndef TM_K8S_H
#define TM_K8S_H

#include "ingest/ingest.h"

typedef struct tm_k8s_ctx {
	tm_model *m;
	const tm_load_opts *o;
	const tm_node *obj;   /* the object being read */
	const char *kind, *ns, *name;
	bool failed;          /* an error was reported for this object */
	tm_err err;           /* first error of the run (TM_OK if none) */
} tm_k8s_ctx;

/* Report a problem in the current object at node n (or the object). Errors
 * mark the object failed; under skip_invalid they are recorded as warnings. */
void tm_k8s_error(tm_k8s_ctx *c, const tm_node *n, const char *field, const char *fmt, ...)
	TM_PRINTF(4, 5);
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
/* Label selector (matchLabels + matchExpressions). */
bool tm_k8s_selector(tm_k8s_ctx *c, const tm_node *n, const char *field, tm_selector *out);
/* Scalar text of an int-or-string; *is_int tells which. */
bool tm_k8s_int_or_str(tm_k8s_ctx *c, const tm_node *n, const char *field, long long *iv,
		       const char **sv, bool *is_int);

/* Warn about keys of map that are not in known (NULL-terminated): a typo
 * such as "ingres" would otherwise silently change the policy's meaning. */
void tm_k8s_known_fields(tm_k8s_ctx *c, const tm_node *map, const char *field, const char *const *known);
/* the fields of ObjectMeta, NULL-terminated */
extern const char *const tm_k8s_objectmeta_fields[];

/* Shared by the NetworkPolicy, ANP/BANP and ClusterNetworkPolicy readers
 * (k8s_netpol.c): numeric ports into rule->fixed; the heap ranges of rules
 * that do not reach the model; an ANP/CNP `networks` peer. */
void tm_k8s_rule_settle(tm_model *m, tm_rule *r);

/* The rule lists of AdminNetworkPolicy/BaselineAdminNetworkPolicy and of
 * ClusterNetworkPolicy (k8s_netpol.c): what differs between the APIs. */
typedef struct tm_k8s_admin_flavour {
	const char *allow;  /* the action word that allows: Allow or Accept */
	bool pass;          /* Pass is an action */
	size_t max_rules;
	const char *ports_key; /* "ports" or "protocols" */
	bool (*read_peer)(tm_k8s_ctx *c, const tm_node *p, const char *field, bool egress, tm_peer *peer);
	bool (*read_ports)(tm_k8s_ctx *c, const tm_node *rn, const char *field, tm_rule *r);
} tm_k8s_admin_flavour;
bool tm_k8s_admin_rules(tm_k8s_ctx *c, const tm_node *spec, bool ingress, const tm_k8s_admin_flavour *fl,
			tm_rule **out, size_t *nout);
void tm_k8s_rules_release(tm_rule *r, size_t n);
bool tm_k8s_networks(tm_k8s_ctx *c, const tm_node *v, const char *field, bool nonempty, tm_peer *peer);

void tm_k8s_workload(tm_k8s_ctx *c);
void tm_k8s_pod(tm_k8s_ctx *c);
void tm_k8s_namespace(tm_k8s_ctx *c);
void tm_k8s_netpol(tm_k8s_ctx *c);
void tm_k8s_anp(tm_k8s_ctx *c, bool baseline);
void tm_k8s_cnp(tm_k8s_ctx *c);
void tm_k8s_service(tm_k8s_ctx *c);
void tm_k8s_ingress(tm_k8s_ctx *c);
void tm_k8s_route(tm_k8s_ctx *c);
void tm_k8s_httproute(tm_k8s_ctx *c);

#endif
