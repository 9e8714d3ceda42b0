/* test_tiers.c - AdminNetworkPolicy -> NetworkPolicy -> Baseline -> default
 * allow, port by port: a connection set is split between tiers, and every
 * part is decided by the first tier (and the first rule) that covers it.
 * Expectations follow the policy-api specification (docs/semantics.md 6). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/conn.h"
#include "ingest/ingest.h"

static tm_model *M;
static tm_graph *G;
static char out[1024];

static void load(const char *yaml)
{
	tm_load_opts lo;
	tm_load_opts_default(&lo);
	M = tm_model_new();
	assert_int_equal(tm_load_buffer(M, "tiers.yaml", yaml, strlen(yaml), false, &lo), TM_OK);
	assert_int_equal(tm_load_finish(M, &lo), TM_OK);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	assert_int_equal(tm_conn_compute(M, &co, &G), TM_OK);
}

static void unload(void)
{
	tm_graph_free(G);
	tm_model_free(M);
	G = NULL;
	M = NULL;
}

static const char *fmt(const tm_ports *p)
{
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_ports_format(p, &b);
	snprintf(out, sizeof out, "%s", tm_buf_str(&b));
	tm_buf_release(&b);
	return out;
}

static size_t ep(const char *spec)
{
	long i = tm_graph_find(G, spec);
	if (i < 0)
		fail_msg("endpoint %s not found", spec);
	return (size_t)i;
}

static const char *conn(const char *s, const char *d)
{
	return fmt(tm_graph_conn(G, ep(s), ep(d)));
}

#define HOUSE(h)                                                                                      \
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: " h ", labels: {house: " h "}}\n---\n"       \
	"apiVersion: v1\nkind: Pod\nmetadata: {name: " h ", namespace: " h ", labels: {app: " h "}}\n"   \
	"spec:\n  containers:\n  - name: c\n    ports: [{containerPort: 80, name: web}]\n---\n"
#define FROM(h) "[{namespaces: {matchLabels: {house: " h "}}}]"
#define TCP(lo, hi) "{portRange: {start: " #lo ", end: " #hi ", protocol: TCP}}"

/* an ANP Deny on one port, a NetworkPolicy allowing everything: the port is
 * denied, the rest allowed by the NP */
static void test_anp_deny_one_port_np_rest(void **state)
{
	(void)state;
	load(HOUSE("g") HOUSE("s")
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\n"
	     "spec:\n  priority: 1\n  subject: {namespaces: {matchLabels: {house: g}}}\n  ingress:\n"
	     "  - {name: d, action: Deny, from: " FROM("s") ", ports: [{portNumber: {port: 80, protocol: TCP}}]}\n---\n"
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: all, namespace: g}\n"
	     "spec:\n  podSelector: {}\n  ingress: [{}]\n");
	assert_string_equal(conn("s/s", "g/g"), "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535");
	unload();
}

/* ANP egress Allow at the source does not override the destination's
 * NetworkPolicy default deny: both sides must allow */
static void test_both_sides_judged(void **state)
{
	(void)state;
	load(HOUSE("g") HOUSE("s")
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\n"
	     "spec:\n  priority: 1\n  subject: {namespaces: {matchLabels: {house: s}}}\n  egress:\n"
	     "  - {name: allow, action: Allow, to: " FROM("g") "}\n"
	     "  - {name: deny, action: Deny, to: [{networks: [0.0.0.0/0]}]}\n---\n"
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: g}\n"
	     "spec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 443}]\n");
	assert_string_equal(conn("s/s", "g/g"), "TCP 443");
	assert_string_equal(conn("g/g", "s/s"), "All Connections");
	assert_string_equal(conn("s/s", "8.8.8.8"), "No Connections");
	assert_string_equal(conn("g/g", "8.8.8.8"), "All Connections");
	unload();
}

/* Pass of TCP 1-100 in the first ANP, Allow of everything in the second: the
 * passed ports skip the second ANP and reach the baseline, which denies them */
static void test_pass_splits_ports(void **state)
{
	(void)state;
	load(HOUSE("g") HOUSE("s")
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: first}\n"
	     "spec:\n  priority: 10\n  subject: {namespaces: {matchLabels: {house: g}}}\n  ingress:\n"
	     "  - {name: pass-low, action: Pass, from: " FROM("s") ", ports: [" TCP(1, 100) "]}\n---\n"
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: second}\n"
	     "spec:\n  priority: 20\n  subject: {namespaces: {matchLabels: {house: g}}}\n  ingress:\n"
	     "  - {name: allow-all, action: Allow, from: " FROM("s") "}\n---\n"
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\n"
	     "spec:\n  subject: {namespaces: {}}\n  ingress:\n"
	     "  - {name: allow-web, action: Allow, from: " FROM("s") ", ports: [" TCP(80, 80) "]}\n"
	     "  - {name: deny-all, action: Deny, from: " FROM("s") "}\n");
	/* TCP 1-100 passed: baseline allows 80 (first rule), denies the rest */
	assert_string_equal(conn("s/s", "g/g"), "SCTP 1-65535,TCP 80,101-65535,UDP 1-65535");
	/* g has no ANP towards it from s... the other way round: only the baseline */
	assert_string_equal(conn("g/g", "s/s"), "All Connections");

	tm_explain ex;
	assert_int_equal(tm_conn_explain(G, ep("s/s"), ep("g/g"), &ex), TM_OK);
	const char *want[][3] = {
		/* policy, rule name, ports */
		{"first", "pass-low", "TCP 1-100"},
		{"second", "allow-all", "SCTP 1-65535,TCP 101-65535,UDP 1-65535"},
		{"default", "allow-web", "TCP 80"},
		{"default", "deny-all", "TCP 1-79,81-100"},
	};
	size_t k = 0;
	for (size_t i = 0; i < ex.n; i++) {
		const tm_why *w = &ex.v[i];
		if (w->dir != TM_DIR_INGRESS)
			continue;
		assert_int_equal(w->kind, TM_WHY_RULE);
		assert_true(k < 4);
		assert_string_equal(w->policy, want[k][0]);
		assert_string_equal(w->rule_name, want[k][1]);
		assert_string_equal(fmt(w->ports), want[k][2]);
		k++;
	}
	assert_int_equal(k, 4);
	assert_string_equal(fmt(ex.allowed), "SCTP 1-65535,TCP 80,101-65535,UDP 1-65535");
	tm_explain_release(&ex);
	unload();
}

/* with a NetworkPolicy on the subject the passed ports go to it, and the
 * baseline is not consulted even for ports the NP does not allow */
static void test_pass_to_np_skips_baseline(void **state)
{
	(void)state;
	load(HOUSE("g") HOUSE("s")
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: first}\n"
	     "spec:\n  priority: 10\n  subject: {namespaces: {matchLabels: {house: g}}}\n  ingress:\n"
	     "  - {name: pass-all, action: Pass, from: " FROM("s") "}\n---\n"
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: g}\n"
	     "spec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: web}]\n---\n"
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\n"
	     "spec:\n  subject: {namespaces: {}}\n  ingress:\n"
	     "  - {name: allow-s, action: Allow, from: " FROM("s") "}\n");
	assert_string_equal(conn("s/s", "g/g"), "TCP 80");

	tm_explain ex;
	assert_int_equal(tm_conn_explain(G, ep("s/s"), ep("g/g"), &ex), TM_OK);
	for (size_t i = 0; i < ex.n; i++)
		if (ex.v[i].policy_kind)
			assert_string_not_equal(ex.v[i].policy_kind, "BaselineAdminNetworkPolicy");
	tm_explain_release(&ex);
	unload();
}

/* the first matching rule of an ANP decides; later rules see only the rest */
static void test_rule_order_within_anp(void **state)
{
	(void)state;
	load(HOUSE("g") HOUSE("s")
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\n"
	     "spec:\n  priority: 1\n  subject: {namespaces: {matchLabels: {house: g}}}\n  ingress:\n"
	     "  - {name: allow-80-90, action: Allow, from: " FROM("s") ", ports: [" TCP(80, 90) "]}\n"
	     "  - {name: deny-85-200, action: Deny, from: " FROM("s") ", ports: [" TCP(85, 200) "]}\n"
	     "  - {name: allow-tcp, action: Allow, from: " FROM("s") ", ports: [" TCP(1, 65535) "]}\n"
	     "  - {name: deny-all, action: Deny, from: " FROM("s") "}\n");
	assert_string_equal(conn("s/s", "g/g"), "TCP 1-90,201-65535");
	unload();
}

/* an ANP and a v1alpha2 ClusterNetworkPolicy are different resources: an
 * equal priority (or name) is a warning in either order, while two ANPs with
 * one priority are rejected as NPA rejects them */
static void test_anp_cnp_same_priority(void **state)
{
	(void)state;
	static const char *cnp =
		"apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: p}\n"
		"spec:\n  tier: Admin\n  priority: 5\n  subject: {namespaces: {}}\n  ingress:\n"
		"  - {name: d, action: Deny, from: [{namespaces: {}}]}\n---\n";
	static const char *anp =
		"apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: p}\n"
		"spec:\n  priority: 5\n  subject: {namespaces: {}}\n  ingress:\n"
		"  - {name: a, action: Allow, from: [{namespaces: {}}]}\n---\n";
	static const char *anp2 =
		"apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: q}\n"
		"spec:\n  priority: 5\n  subject: {namespaces: {}}\n  ingress:\n"
		"  - {name: a, action: Allow, from: [{namespaces: {}}]}\n";
	char buf[2048];
	tm_load_opts lo;
	tm_load_opts_default(&lo);
	for (int order = 0; order < 2; order++) {
		snprintf(buf, sizeof buf, "%s%s", order ? anp : cnp, order ? cnp : anp);
		tm_model *m = tm_model_new();
		assert_int_equal(tm_load_buffer(m, "p.yaml", buf, strlen(buf), false, &lo), TM_OK);
		assert_int_equal(m->diags.nerrors, 0);
		assert_true(m->diags.nwarnings >= 1);
		assert_int_equal(m->nanps, 2);
		tm_model_free(m);
	}
	snprintf(buf, sizeof buf, "%s%s", anp, anp2);
	tm_model *m = tm_model_new();
	assert_int_not_equal(tm_load_buffer(m, "p.yaml", buf, strlen(buf), false, &lo), TM_OK);
	assert_true(m->diags.nerrors >= 1);
	tm_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anp_deny_one_port_np_rest),
		cmocka_unit_test(test_both_sides_judged),
		cmocka_unit_test(test_pass_splits_ports),
		cmocka_unit_test(test_pass_to_np_skips_baseline),
		cmocka_unit_test(test_rule_order_within_anp),
		cmocka_unit_test(test_anp_cnp_same_priority),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
