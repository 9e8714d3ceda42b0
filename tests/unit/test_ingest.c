/* test_ingest.c - document trees and Kubernetes ingest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ingest/ingest.h"

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
