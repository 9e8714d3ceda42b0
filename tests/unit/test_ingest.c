/* test_ingest.c - document trees and Kubernetes ingest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ingest/ingest.h"
#include "pipeline/pipeline.h"

static tm_model *load(const char *yaml, bool json, tm_err *rc, bool skip)
{
	tm_model *m = tm_model_new();
	tm_load_opts o;
	tm_load_opts_default(&o);
	o.skip_invalid = skip;
	*rc = tm_load_buffer(m, "in.yaml", yaml, strlen(yaml), json, &o);
	tm_load_finish(m, &o);
	return m;
}

static bool has_diag(const tm_model *m, tm_diag_level lvl, unsigned line, unsigned col, const char *needle)
{
	for (size_t i = 0; i < m->diags.n; i++) {
		const tm_diag *d = &m->diags.v[i];
		if (d->level == lvl && (!line || d->loc.line == line) && (!col || d->loc.col == col) &&
		    strstr(d->msg, needle))
			return true;
	}
	return false;
}

static void test_positions_and_scalars(void **state)
{
	(void)state;
	tm_arena a;
	tm_strtab st;
	tm_arena_init(&a);
	tm_strtab_init(&st, &a);
	const char *y = "# comment\n---\nkind: Pod\nspec:\n  n: 42\n  s: \"42\"\n  b: true\n  z: ~\n---\n---\nx: 1\n";
	tm_docs d = {0};
	tm_srcloc el;
	tm_buf err;
	tm_buf_init(&err, 0);
	assert_int_equal(tm_doc_parse(&a, &st, NULL, "f", y, strlen(y), false, &d, &el, &err), TM_OK);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.empty_docs, 1);
	tm_node *spec = tm_node_get(d.docs[0], "spec");
	assert_non_null(spec);
	assert_int_equal(spec->loc.line, 5);
	assert_int_equal(spec->loc.col, 3);
	assert_int_equal(tm_node_get(spec, "n")->stype, TM_SCALAR_INT);
	assert_int_equal(tm_node_get(spec, "s")->stype, TM_SCALAR_STR);
	assert_int_equal(tm_node_get(spec, "b")->stype, TM_SCALAR_BOOL);
	assert_true(tm_node_is_null(tm_node_get(spec, "z")));
	tm_buf_release(&err);
	tm_strtab_release(&st);
	tm_arena_release(&a);
}

/* JSON values and keys carry their own line and column (1-based, columns
 * in code points), also after strings holding brackets, quotes and
 * non-ASCII, with CRLF line ends, and in a second concatenated value. */
static void test_json_positions(void **state)
{
	(void)state;
	tm_arena a;
	tm_strtab st;
	tm_arena_init(&a);
	tm_strtab_init(&st, &a);
	const char *j = "{\"kind\": \"Pod\",\r\n \"a\": [1, {\"b]\\\"}\": \"x{y\"}, [], {}],\n"
			"  \"\xc3\xa9\": \"\xc3\xbc\", \"c\": -1.5e3, \"d\": null}\n{\"second\": true}";
	tm_docs d = {0};
	tm_srcloc el;
	tm_buf err;
	tm_buf_init(&err, 0);
	assert_int_equal(tm_doc_parse(&a, &st, NULL, "f.json", j, strlen(j), true, &d, &el, &err), TM_OK);
	assert_int_equal(d.n, 2);
	const tm_node *r = d.docs[0];
	assert_int_equal(r->loc.line, 1);
	assert_int_equal(r->loc.col, 1);
	assert_int_equal(tm_node_get(r, "kind")->loc.col, 10);
	const tm_node *arr = tm_node_get(r, "a");
	assert_int_equal(arr->loc.line, 2);
	assert_int_equal(arr->loc.col, 7);
	assert_int_equal(r->pairs[1].key->loc.line, 2);
	assert_int_equal(r->pairs[1].key->loc.col, 2);
	assert_int_equal(arr->items[1]->loc.col, 11);
	assert_int_equal(arr->items[3]->loc.col, 33);
	assert_int_equal(tm_node_get(r, "c")->loc.line, 3);
	assert_int_equal(tm_node_get(r, "c")->loc.col, 18);
	assert_int_equal(r->pairs[4].key->loc.col, 26);
	assert_int_equal(d.docs[1]->loc.line, 4);
	assert_int_equal(tm_node_get(d.docs[1], "second")->loc.col, 12);
	tm_buf_release(&err);
	tm_strtab_release(&st);
	tm_arena_release(&a);
}

static void test_alias_limit_and_merge(void **state)
{
	(void)state;
	tm_arena a;
	tm_strtab st;
	tm_arena_init(&a);
	tm_strtab_init(&st, &a);
	/* billion laughs, 9 levels of 10 */
	tm_buf y;
	tm_buf_init(&y, 0);
	tm_buf_adds(&y, "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
	for (int i = 1; i < 9; i++)
		tm_buf_addf(&y, "a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i, i, i - 1, i - 1,
			    i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	tm_docs d = {0};
	tm_srcloc el;
	tm_buf err;
	tm_buf_init(&err, 0);
	tm_doc_limits lim;
	tm_doc_limits_default(&lim);
	assert_int_equal(tm_doc_parse(&a, &st, &lim, "f", y.s, y.len, false, &d, &el, &err), TM_ERR_LIMIT);
	assert_non_null(strstr(tm_buf_str(&err), "alias expansion"));
	assert_true(el.line >= 4);
	/* merge keys */
	const char *mk = "base: &b {app: web, tier: x}\nobj:\n  <<: *b\n  tier: y\n";
	tm_docs d2 = {0};
	tm_buf_reset(&err);
	assert_int_equal(tm_doc_parse(&a, &st, &lim, "f", mk, strlen(mk), false, &d2, &el, &err), TM_OK);
	tm_node *obj = tm_node_get(d2.docs[0], "obj");
	assert_string_equal(tm_node_get(obj, "app")->str, "web");
	assert_string_equal(tm_node_get(obj, "tier")->str, "y");
	/* duplicate keys are a syntax error with the position of the second */
	const char *dup = "a: 1\nb: 2\na: 3\n";
	tm_docs d3 = {0};
	tm_buf_reset(&err);
	assert_int_equal(tm_doc_parse(&a, &st, &lim, "f", dup, strlen(dup), false, &d3, &el, &err), TM_ERR_SYNTAX);
	assert_int_equal(el.line, 3);
	tm_buf_release(&err);
	tm_buf_release(&y);
	tm_strtab_release(&st);
	tm_arena_release(&a);
}

static void test_pods_collapse_into_owner(void **state)
{
	(void)state;
	const char *y =
		"apiVersion: v1\nkind: List\nitems:\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: cart-5d9c7b-a\n    namespace: shop\n"
		"    labels: {app: cart}\n"
		"    ownerReferences: [{kind: ReplicaSet, name: cart-5d9c7b, controller: true}]\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: cart-5d9c7b-b\n    namespace: shop\n"
		"    labels: {app: cart}\n"
		"    ownerReferences: [{kind: ReplicaSet, name: cart-5d9c7b, controller: true}]\n"
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->nworkloads, 1);
	assert_string_equal(m->workloads[0]->display, "shop/cart-5d9c7b[ReplicaSet]");
	assert_int_equal(m->workloads[0]->npods, 2);
	assert_int_equal(m->npods, 2);
	/* the namespace exists with its name label although never declared */
	assert_int_equal(m->nnamespaces, 1);
	assert_string_equal(tm_labels_get(&m->namespaces[0]->labels, "kubernetes.io/metadata.name"), "shop");
	assert_false(m->namespaces[0]->declared);
	/* the ConfigMap is counted, not dropped */
	assert_int_equal(m->nignored, 1);
	assert_string_equal(m->ignored[0].kind, "ConfigMap");
	tm_model_free(m);
}

static void test_invalid_netpol_names_field(void **state)
{
	(void)state;
	const char *y = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\n"
			"spec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - port: 70000\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_ERR_INVALID);
	assert_true(has_diag(m, TM_DIAG_ERROR, 8, 13, "NetworkPolicy n/p: spec.ingress[0].ports[0]: port: 70000"));
	assert_int_equal(m->nnetpols, 0);
	tm_model_free(m);
	/* --skip-invalid: a warning, and the rest is read */
	m = load(y, false, &rc, true);
	assert_int_equal(rc, TM_OK);
	assert_true(has_diag(m, TM_DIAG_WARN, 8, 13, "object skipped"));
	tm_model_free(m);
}

static void test_netpol_fields(void **state)
{
	(void)state;
	const char *y = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\n"
			"spec:\n  podSelector: {matchLabels: {app: db}}\n  egress:\n  - to:\n"
			"    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n"
			"    ports: [{port: 53, protocol: UDP}, {port: 8000, endPort: 8010}, {port: http}]\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->nnetpols, 1);
	tm_netpol *p = m->netpols[0];
	/* policyTypes inferred: Ingress always, Egress because egress rules exist */
	assert_true(p->ingress);
	assert_true(p->egress);
	assert_int_equal(p->neg, 1);
	assert_int_equal(p->eg_rules[0].peers[0].ips.n, 2);
	assert_true(p->eg_rules[0].has_named);
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_ports_format(p->eg_rules[0].fixed, &b);
	assert_string_equal(tm_buf_str(&b), "TCP 8000-8010,UDP 53");
	tm_buf_release(&b);
	tm_model_free(m);
}

static void test_json_and_errors(void **state)
{
	(void)state;
	const char *j = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"b\"}}}";
	tm_err rc;
	tm_model *m = load(j, true, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->nnamespaces, 1);
	assert_true(m->namespaces[0]->declared);
	assert_string_equal(tm_labels_get(&m->namespaces[0]->labels, "a"), "b");
	tm_model_free(m);
	m = load("{\"kind\": \"Pod\",\n \"metadata\": }", true, &rc, false);
	assert_int_equal(rc, TM_ERR_SYNTAX);
	assert_true(has_diag(m, TM_DIAG_ERROR, 2, 0, ""));
	tm_model_free(m);
	/* a top-level JSON array is not an object: a warning */
	m = load("[1, 2]", true, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_true(has_diag(m, TM_DIAG_WARN, 0, 0, "not a Kubernetes object"));
	tm_model_free(m);
}

static void test_anp_parse(void **state)
{
	(void)state;
	const char *y = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n"
			"metadata: {name: a}\nspec:\n  priority: 10\n  subject: {namespaces: {}}\n"
			"  ingress:\n  - name: r\n    action: Pass\n    from: [{namespaces: {matchLabels: {x: y}}}]\n"
			"    ports: [{portRange: {protocol: UDP, start: 1000, end: 2000}}, {namedPort: dns}]\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->nanps, 1);
	assert_int_equal(m->anps[0]->in_rules[0].action, TM_ACT_PASS);
	assert_true(m->anps[0]->in_rules[0].has_named);
	assert_true(tm_ports_contains(m->anps[0]->in_rules[0].fixed, TM_PROTO_UDP, 1500));
	assert_false(tm_ports_contains(m->anps[0]->in_rules[0].fixed, TM_PROTO_TCP, 1500));
	tm_model_free(m);
}


/* ---- issue 12 item 1: owned controllers fold into their owner ---- */

static const tm_folded *folded(const tm_model *m, const char *name)
{
	for (size_t i = 0; i < m->nfolded; i++)
		if (!strcmp(m->folded[i].name, name))
			return &m->folded[i];
	return NULL;
}

/* kubectl get all order: pods first, then the ReplicaSets, then the
 * Deployment; Pod -> ReplicaSet -> Deployment by ownerReferences */
static void test_fold_owned_controllers(void **state)
{
	(void)state;
	const char *y =
		"apiVersion: v1\nkind: List\nitems:\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: web-h1-a\n    namespace: n\n"
		"    labels: {app: web, pod-template-hash: h1}\n"
		"    ownerReferences: [{kind: ReplicaSet, name: web-h1, controller: true}]\n"
		"  status: {podIP: 10.0.0.1}\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: report-1-a\n    namespace: n\n"
		"    labels: {app: report, job-name: report-1}\n"
		"    ownerReferences: [{kind: Job, name: report-1, controller: true}]\n"
		"- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata:\n    name: web-h1\n    namespace: n\n"
		"    ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true}]\n"
		"  spec: {replicas: 1, template: {metadata: {labels: {app: web, pod-template-hash: h1}}}}\n"
		"  status: {replicas: 1}\n"
		"- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata:\n    name: web-h0\n    namespace: n\n"
		"    ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true}]\n"
		"  spec: {replicas: 0, template: {metadata: {labels: {app: web, pod-template-hash: h0, old: x}}}}\n"
		"  status: {replicas: 0}\n"
		"- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web, namespace: n}\n"
		"  spec: {replicas: 1, template: {metadata: {labels: {app: web}}}}\n"
		"- apiVersion: batch/v1\n  kind: Job\n  metadata:\n    name: report-1\n    namespace: n\n"
		"    ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: report, controller: true}]\n"
		"  spec: {template: {metadata: {labels: {app: report, job-name: report-1}}}}\n"
		"- apiVersion: batch/v1\n  kind: CronJob\n  metadata: {name: report, namespace: n}\n"
		"  spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: report}}}}}}\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->nworkloads, 2);
	assert_string_equal(m->workloads[0]->display, "n/report[CronJob]");
	assert_string_equal(m->workloads[1]->display, "n/web[Deployment]");
	assert_int_equal(m->workloads[1]->npods, 1);
	assert_int_equal(m->workloads[0]->npods, 1);
	for (size_t i = 0; i < m->npods; i++)
		assert_true(m->pods[i]->owner == m->workloads[0] || m->pods[i]->owner == m->workloads[1]);
	assert_int_equal(m->nfolded, 3);
	const tm_folded *f = folded(m, "web-h1");
	assert_non_null(f);
	assert_int_equal(f->why, TM_FOLD_OWNER);
	assert_ptr_equal(f->into, m->workloads[1]);
	assert_int_equal(f->npods, 1);
	f = folded(m, "web-h0");
	assert_non_null(f);
	assert_int_equal(f->why, TM_FOLD_OLD_REVISION);
	assert_ptr_equal(f->into, m->workloads[1]);
	f = folded(m, "report-1");
	assert_non_null(f);
	assert_int_equal(f->why, TM_FOLD_OWNER);
	assert_ptr_equal(f->into, m->workloads[0]);
	/* sorted by kind, namespace, name */
	assert_string_equal(m->folded[0].kind, "Job");
	assert_string_equal(m->folded[1].name, "web-h0");
	/* the old revision's template differs, but it has no replicas: no warning */
	assert_false(has_diag(m, TM_DIAG_WARN, 0, 0, "differ"));
	assert_true(has_diag(m, TM_DIAG_INFO, 0, 0, "ReplicaSet n/web-h0 is an old revision of n/web[Deployment]"));
	tm_model_free(m);
}

/* An old revision whose Deployment is not in the input (kubectl get
 * rs,pods) is dropped; a ReplicaSet at 0 that nothing owns, or one with a
 * pod, stays. status.replicas 0 counts as no replicas. */
static void test_old_revisions(void **state)
{
	(void)state;
	const char *y =
		"apiVersion: v1\nkind: List\nitems:\n"
		"- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata:\n    name: x-h0\n    namespace: n\n"
		"    ownerReferences: [{kind: Deployment, name: x, controller: true}]\n"
		"  spec: {replicas: 3, template: {metadata: {labels: {app: x}}}}\n  status: {replicas: 0}\n"
		"- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata: {name: mine, namespace: n}\n"
		"  spec: {replicas: 0, template: {metadata: {labels: {app: mine}}}}\n"
		"- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata:\n    name: z-h0\n    namespace: n\n"
		"    ownerReferences: [{kind: Deployment, name: z, controller: true}]\n"
		"  spec: {replicas: 0, template: {metadata: {labels: {app: z}}}}\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: z-h0-a\n    namespace: n\n    labels: {app: z}\n"
		"    ownerReferences: [{kind: ReplicaSet, name: z-h0, controller: true}]\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->nworkloads, 2);
	assert_string_equal(m->workloads[0]->name, "mine");
	assert_string_equal(m->workloads[1]->name, "z-h0");
	assert_int_equal(m->nfolded, 1);
	assert_string_equal(m->folded[0].name, "x-h0");
	assert_null(m->folded[0].into);
	assert_int_equal(m->folded[0].why, TM_FOLD_OLD_REVISION);
	assert_string_equal(m->folded[0].owner_kind, "Deployment");
	tm_buf b;
	tm_buf_init(&b, 0);
	assert_string_equal(tm_folded_reason(&m->folded[0], &b),
			    "an old revision of Deployment x, which is not in the input: 0 replicas, no pods");
	tm_buf_release(&b);
	tm_model_free(m);
}

/* Without ownerReferences (an export tool dropped them) a ReplicaSet named
 * D-<pod-template-hash> is matched to Deployment D by name; a Job named
 * C-<digits> is not matched to CronJob C (users name Jobs so too). */
static void test_fold_by_name(void **state)
{
	(void)state;
	const char *y =
		"apiVersion: v1\nkind: List\nitems:\n"
		"- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web, namespace: n}\n"
		"  spec: {template: {metadata: {labels: {app: web}}}}\n"
		"- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata: {name: web-5d8f, namespace: n}\n"
		"  spec: {replicas: 1, template: {metadata: {labels: {app: web, pod-template-hash: 5d8f}}}}\n"
		"- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata: {name: web-other, namespace: n}\n"
		"  spec: {replicas: 1, template: {metadata: {labels: {app: web, pod-template-hash: 5d8f}}}}\n"
		"- apiVersion: batch/v1\n  kind: CronJob\n  metadata: {name: backup, namespace: n}\n"
		"  spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: b}}}}}}\n"
		"- apiVersion: batch/v1\n  kind: Job\n  metadata: {name: backup-2024, namespace: n}\n"
		"  spec: {template: {metadata: {labels: {app: b}}}}\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->nworkloads, 4);
	assert_int_equal(m->nfolded, 1);
	assert_string_equal(m->folded[0].name, "web-5d8f");
	assert_int_equal(m->folded[0].why, TM_FOLD_NAME);
	assert_false(m->folded[0].from_pods);
	assert_string_equal(m->folded[0].into->name, "web");
	tm_model_free(m);
}

/* A rollout in progress: the old revision's pod keeps the old labels; the
 * Deployment's template decides, and a warning says so once. */
static void test_fold_label_drift(void **state)
{
	(void)state;
	const char *y =
		"apiVersion: v1\nkind: List\nitems:\n"
		"- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: api, namespace: n}\n"
		"  spec: {replicas: 2, template: {metadata: {labels: {app: api, version: v2}}}}\n"
		"- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata:\n    name: api-old\n    namespace: n\n"
		"    ownerReferences: [{kind: Deployment, name: api, controller: true}]\n"
		"  spec: {replicas: 1, template: {metadata: {labels: {app: api, version: v1, pod-template-hash: old}}}}\n"
		"- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata:\n    name: api-new\n    namespace: n\n"
		"    ownerReferences: [{kind: Deployment, name: api, controller: true}]\n"
		"  spec: {replicas: 1, template: {metadata: {labels: {app: api, version: v2, pod-template-hash: new}}}}\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: api-old-a\n    namespace: n\n"
		"    labels: {app: api, version: v1, pod-template-hash: old}\n"
		"    ownerReferences: [{kind: ReplicaSet, name: api-old, controller: true}]\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: api-new-a\n    namespace: n\n"
		"    labels: {app: api, version: v2, pod-template-hash: new}\n"
		"    ownerReferences: [{kind: ReplicaSet, name: api-new, controller: true}]\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->nworkloads, 1);
	assert_string_equal(tm_labels_get(&m->workloads[0]->labels, "version"), "v2");
	assert_int_equal(m->workloads[0]->npods, 2);
	size_t nw = 0;
	for (size_t i = 0; i < m->diags.n; i++)
		nw += m->diags.v[i].level == TM_DIAG_WARN;
	assert_int_equal(nw, 1);
	assert_true(has_diag(m, TM_DIAG_WARN, 22, 3, "n/api[Deployment]: 1 of its 2 pods has labels that differ from its "
			     "pod template (pod api-old-a: version=v1, template version=v2"));
	tm_model_free(m);
}

/* ---- issue 12 item 5: namespaces without a Namespace object ---- */
static void test_undeclared_namespaces(void **state)
{
	(void)state;
	const char *y =
		"apiVersion: v1\nkind: List\nitems:\n"
		"- apiVersion: v1\n  kind: Namespace\n  metadata: {name: known, labels: {team: web}}\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: a, labels: {app: p}}\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata: {name: q, namespace: known, labels: {app: q}}\n"
		"- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: np, namespace: empty}\n"
		"  spec:\n    podSelector: {}\n    ingress:\n"
		"    - from: [{namespaceSelector: {matchLabels: {team: web}}}]\n"
		"    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a}}}]\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->nnamespaces, 3);
	const tm_namespace *a = tm_model_namespace(m, "a", false), *known = tm_model_namespace(m, "known", false);
	const tm_namespace *empty = tm_model_namespace(m, "empty", false);
	assert_false(a->declared);
	assert_true(known->declared);
	assert_int_equal(a->nworkloads, 1);
	assert_int_equal(empty->nworkloads, 0);
	const tm_netpol *np = m->netpols[0];
	const tm_selector *team = &np->in_rules[0].peers[0].ns_sel, *byname = &np->in_rules[1].peers[0].ns_sel;
	assert_int_equal(tm_namespace_select(a, team), TM_NSSEL_UNKNOWN);
	assert_int_equal(tm_namespace_select(known, team), TM_NSSEL_YES);
	assert_int_equal(tm_namespace_select(a, byname), TM_NSSEL_YES);
	assert_int_equal(tm_namespace_select(empty, byname), TM_NSSEL_NO);
	tm_selector all = {0};
	assert_int_equal(tm_namespace_select(a, &all), TM_NSSEL_YES);
	/* a failing requirement on the name decides, whatever else is asked */
	tm_label both[2] = {{tm_intern(&m->strs, "kubernetes.io/metadata.name"), tm_intern(&m->strs, "b")},
			    {tm_intern(&m->strs, "team"), tm_intern(&m->strs, "web")}};
	tm_selector sb = {{2, both}, 0, NULL};
	assert_int_equal(tm_namespace_select(a, &sb), TM_NSSEL_NO);
	const char *vals[] = {"a"};
	tm_selexpr notin = {tm_intern(&m->strs, "kubernetes.io/metadata.name"), TM_SEL_NOTIN, 1, vals};
	tm_selector sn = {{0, NULL}, 1, &notin};
	assert_int_equal(tm_namespace_select(a, &sn), TM_NSSEL_NO);
	tm_selexpr dne = {tm_intern(&m->strs, "team"), TM_SEL_DOESNOTEXIST, 0, NULL};
	tm_selector sd = {{0, NULL}, 1, &dne};
	assert_int_equal(tm_namespace_select(a, &sd), TM_NSSEL_UNKNOWN);
	/* only namespaces with workloads count: "empty" has none */
	const tm_namespace *out[4];
	assert_int_equal(tm_model_nssel_unknown(m, team, out, 4), 1);
	assert_ptr_equal(out[0], a);
	assert_int_equal(tm_model_nssel_unknown(m, byname, out, 4), 0);
	assert_true(has_diag(m, TM_DIAG_WARN, 19, 14, "1 namespace has no Namespace object in the input (a)"));
	tm_model_free(m);
}

/* the pipeline states it with the findings, as a note */
static void test_undeclared_namespace_note(void **state)
{
	(void)state;
	const char *paths[] = {"tests/fixtures/undeclared-ns/pods-netpol.yaml"};
	tm_request rq;
	tm_request_init(&rq);
	rq.paths = paths;
	rq.npaths = 1;
	rq.checks = true;
	tm_result r;
	assert_int_equal(tm_run(&rq, &r), TM_OK);
	assert_int_equal(r.findings.nnotes, 1);
	assert_string_equal(r.findings.notes[0].code, "namespace-labels-unknown");
	assert_int_equal(r.findings.notes[0].loc.line, 43);
	assert_non_null(strstr(r.findings.notes[0].message,
			       "NetworkPolicy backend/api-ingress ingress rule 0 peer 0: namespaceSelector team=web tests "
			       "labels of namespaces without a Namespace object in the input (backend, frontend, monitoring)"));
	tm_result_release(&r);
}

/* ---- issue 12 item 10 ---- */
static void test_ignore_annotation_location(void **state)
{
	(void)state;
	const char *y =
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  annotations:\n"
		"    other: x\n    trustmap.io/ignore: \"TM101: legacy\"\n"
		"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: a\n"
		"  annotations: {trustmap.io/ignore: \"TM103\"}\n"
		"spec: {template: {metadata: {labels: {app: d}}}}\n"
		"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: a\n"
		"  annotations:\n      trustmap.io/ignore: \"TM105\"\nspec: {podSelector: {}}\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_OK);
	const tm_namespace *ns = tm_model_namespace(m, "a", false);
	assert_string_equal(ns->ignore, "TM101: legacy");
	assert_int_equal(ns->ignore_loc.line, 7);
	assert_int_equal(ns->ignore_loc.col, 5);
	assert_int_equal(m->workloads[0]->ignore_loc.line, 14);
	assert_int_equal(m->workloads[0]->ignore_loc.col, 17);
	assert_int_equal(m->netpols[0]->ignore_loc.line, 23);
	assert_int_equal(m->netpols[0]->ignore_loc.col, 7);
	tm_model_free(m);
}

/* every independent error of an object, each at its own position, in file
 * order; nothing about what depends on a bad part; at most 20, then a count */
static void test_every_error_of_an_object(void **state)
{
	(void)state;
	const char *y =
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\n"
		"spec:\n  policyTypes: [Sideways]\n  podSelector: {}\n  ingress:\n  - ports:\n"
		"    - {port: 70000, endPort: 80000}\n"
		"    - {protocol: QUIC, port: 80}\n"
		"  - 7\n";
	tm_err rc;
	tm_model *m = load(y, false, &rc, false);
	assert_int_equal(rc, TM_ERR_INVALID);
	assert_int_equal(m->diags.nerrors, 4);
	assert_true(has_diag(m, TM_DIAG_ERROR, 5, 17, "spec.policyTypes: \"Sideways\""));
	assert_true(has_diag(m, TM_DIAG_ERROR, 9, 14, "spec.ingress[0].ports[0]: port: 70000"));
	assert_true(has_diag(m, TM_DIAG_ERROR, 10, 18, "spec.ingress[0].ports[1]: protocol: \"QUIC\""));
	assert_true(has_diag(m, TM_DIAG_ERROR, 11, 5, "spec.ingress: [1]: expected a map"));
	assert_false(has_diag(m, TM_DIAG_ERROR, 0, 0, "endPort"));
	assert_int_equal(m->diags.v[0].loc.line, 5); /* file order, not reading order */
	assert_int_equal(m->nnetpols, 0);
	tm_model_free(m);
	/* the cap */
	tm_buf b;
	tm_buf_init(&b, 0);
	(void)tm_buf_adds(&b, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\n"
			  "spec:\n  podSelector: {}\n  ingress:\n  - ports:\n");
	for (int i = 0; i < 25; i++)
		(void)tm_buf_addf(&b, "    - port: %d\n", 70000 + i);
	m = load(tm_buf_str(&b), false, &rc, false);
	assert_int_equal(m->diags.nerrors, 20 + 1);
	assert_true(has_diag(m, TM_DIAG_ERROR, 1, 1, "NetworkPolicy n/p: ... and 5 more errors in this object"));
	tm_model_free(m);
	/* --skip-invalid: each one a warning that says the object was skipped */
	m = load(y, false, &rc, true);
	assert_int_equal(rc, TM_OK);
	assert_int_equal(m->diags.nwarnings, 4);
	assert_true(has_diag(m, TM_DIAG_WARN, 10, 18, "(object skipped)"));
	assert_int_equal(m->invalid_skipped, 1);
	tm_model_free(m);
	tm_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_and_scalars),
		cmocka_unit_test(test_json_positions),
		cmocka_unit_test(test_alias_limit_and_merge),
		cmocka_unit_test(test_pods_collapse_into_owner),
		cmocka_unit_test(test_invalid_netpol_names_field),
		cmocka_unit_test(test_netpol_fields),
		cmocka_unit_test(test_json_and_errors),
		cmocka_unit_test(test_anp_parse),
		cmocka_unit_test(test_fold_owned_controllers),
		cmocka_unit_test(test_old_revisions),
		cmocka_unit_test(test_fold_by_name),
		cmocka_unit_test(test_fold_label_drift),
		cmocka_unit_test(test_undeclared_namespaces),
		cmocka_unit_test(test_undeclared_namespace_note),
		cmocka_unit_test(test_ignore_annotation_location),
		cmocka_unit_test(test_every_error_of_an_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
