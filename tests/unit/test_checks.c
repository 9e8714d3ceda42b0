/* test_checks.c - built-in checks and zone rules on the bundled sample:
 * every planted flaw of samples/README.md is found, nothing else at medium
 * or above; the fixed sample is clean; diff sees the fixes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ingest/ingest.h"
#include "analyzer/check.h"
#include "ingest/manifest/zones.h"

typedef struct run {
	tm_model *m;
	tm_graph *g;
	tm_zones *z;
	tm_findings f;
} run;

static void run_check(run *r, const char *path, const char *zones)
{
	tm_load_opts o;
	tm_load_opts_default(&o);
	r->m = tm_model_new();
	assert_int_equal(tm_load_path(r->m, path, &o), TM_OK);
	assert_int_equal(tm_load_finish(r->m, &o), TM_OK);
	if (zones)
		assert_int_equal(tm_zones_load(r->m, zones, &r->z), TM_OK);
	else
		r->z = tm_zones_default(r->m);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	assert_int_equal(tm_conn_compute(r->m, &co, &r->g), TM_OK);
	tm_findings_init(&r->f);
	assert_int_equal(tm_check_all(r->g, r->z, &r->f), TM_OK);
}

static void run_free(run *r)
{
	tm_findings_release(&r->f);
	tm_graph_free(r->g);
	tm_zones_free(r->z);
	tm_model_free(r->m);
}

/* The finding with this rule and subject/src (substring of message if both NULL). */
static const tm_finding *find(const run *r, const char *rule, const char *subject, const char *src)
{
	for (size_t i = 0; i < r->f.n; i++) {
		const tm_finding *fd = &r->f.v[i];
		if (strcmp(fd->rule, rule))
			continue;
		if (subject && (!fd->subject || strcmp(fd->subject, subject)))
			continue;
		if (src && (!fd->src || strcmp(fd->src, src)))
			continue;
		return fd;
	}
	return NULL;
}

static bool has_loc(const tm_finding *fd, const char *file, unsigned line)
{
	for (size_t i = 0; i < fd->nlocations; i++)
		if (strstr(fd->locations[i].loc.file, file) && fd->locations[i].loc.line == line)
			return true;
	return false;
}

static void test_shop_flaws(void **state)
{
	(void)state;
	run r;
	run_check(&r, "samples/shop", NULL);
	const tm_finding *fd;
	/* F1 + F2: storefront => payment-api, both allowing rules located */
	fd = find(&r, "frontend-must-not-reach-pci", NULL, "web/storefront[Deployment]");
	assert_non_null(fd);
	assert_int_equal(fd->severity, TM_SEV_CRITICAL);
	assert_string_equal(fd->dst, "payments/payment-api[Deployment]");
	assert_string_equal(fd->conns, "TCP 8443");
	assert_true(has_loc(fd, "62-policies-payments.yaml", 16)); /* F1 */
	assert_true(has_loc(fd, "60-policies-web.yaml", 27));      /* F2 */
	assert_int_equal(fd->locations[0].loc.col, 5);
	/* F3: data has no policy */
	assert_non_null(find(&r, "TM101", "namespace data", NULL));
	assert_non_null(find(&r, "TM102", "namespace data", NULL));
	assert_non_null(find(&r, "TM103", NULL, "data/postgres[StatefulSet]"));
	/* F4: cart egress to 0.0.0.0/0 on every port */
	fd = find(&r, "TM105", "NetworkPolicy shop/cart-egress egress rule 0", NULL);
	assert_non_null(fd);
	assert_int_equal(fd->severity, TM_SEV_HIGH);
	assert_true(has_loc(fd, "61-policies-shop.yaml", 44));
	/* F5: named port vault-tls */
	fd = find(&r, "TM107", NULL, NULL);
	assert_non_null(fd);
	assert_non_null(strstr(fd->message, "vault-tls"));
	/* F6: orders without DNS */
	assert_non_null(find(&r, "TM108", NULL, "shop/orders[Deployment]"));
	/* F7: stale policy */
	assert_non_null(find(&r, "TM104", "NetworkPolicy shop/legacy-api-ingress", NULL));
	/* F8: kube-system without policy, monitoring without egress deny (but with ingress deny) */
	assert_non_null(find(&r, "TM101", "namespace kube-system", NULL));
	assert_non_null(find(&r, "TM102", "namespace monitoring", NULL));
	assert_null(find(&r, "TM101", "namespace monitoring", NULL));
	/* F9: internet-exposed storefront reaching PCI directly */
	fd = find(&r, "TM106", NULL, "web/storefront[Deployment]");
	assert_non_null(fd);
	assert_int_equal(fd->severity, TM_SEV_HIGH);
	assert_non_null(strstr(fd->message, "LoadBalancer Service web/storefront"));
	/* correct on purpose: nothing at medium or above about web, shop's ingress, catalog or payment-api */
	for (size_t i = 0; i < r.f.n; i++) {
		const tm_finding *x = &r.f.v[i];
		if (x->severity < TM_SEV_MEDIUM)
			continue;
		const char *about = x->subject ? x->subject : x->src ? x->src : "";
		assert_null(strstr(about, "catalog"));
		assert_null(strstr(about, "shop/from-storefront"));
		assert_null(strstr(about, "payment-api-egress"));
		assert_null(strstr(about, "storefront-from-internet"));
		assert_null(strstr(about, "namespace web"));
		assert_null(strstr(about, "namespace payments"));
		assert_null(strstr(about, "namespace shop"));
		assert_false(x->suppressed);
	}
	/* sorted: severity never increases */
	for (size_t i = 1; i < r.f.n; i++)
		assert_true(r.f.v[i - 1].severity >= r.f.v[i].severity);
	run_free(&r);
}

static void test_shop_fixed_clean(void **state)
{
	(void)state;
	run r;
	run_check(&r, "samples/shop-fixed", NULL);
	assert_false(tm_findings_any_at_least(&r.f, TM_SEV_MEDIUM));
	run_free(&r);
}

static void test_zones_file_on_shop(void **state)
{
	(void)state;
	run r;
	run_check(&r, "samples/shop", "samples/zones.yaml");
	const tm_finding *fd = find(&r, "only-shop-orders-into-pci", NULL, "web/storefront[Deployment]");
	assert_non_null(fd);
	assert_int_equal(fd->severity, TM_SEV_HIGH);
	/* orders is on the allow list */
	assert_null(find(&r, "only-shop-orders-into-pci", NULL, "shop/orders[Deployment]"));
	fd = find(&r, "pci-requires-mtls", NULL, "shop/orders[Deployment]");
	assert_non_null(fd);
	assert_non_null(strstr(fd->message, "mTLS is not proven"));
	run_free(&r);
}

static void test_diff_shop(void **state)
{
	(void)state;
	run a, b;
	run_check(&a, "samples/shop", NULL);
	run_check(&b, "samples/shop-fixed", NULL);
	tm_diff d;
	assert_int_equal(tm_diff_compute(a.g, b.g, &a.f, &b.f, &d), TM_OK);
	bool removed = false, added = false;
	for (size_t i = 0; i < d.n; i++) {
		const tm_conn_change *c = &d.v[i];
		if (c->kind == TM_DIFF_REMOVED && !strcmp(c->src, "web/storefront[Deployment]") &&
		    !strcmp(c->dst, "payments/payment-api[Deployment]")) {
			removed = true;
			assert_string_equal(c->old_text, "TCP 8443");
			assert_string_equal(c->new_text, "No Connections");
		}
		if (c->kind == TM_DIFF_ADDED && !strcmp(c->src, "payments/payment-api[Deployment]") &&
		    !strcmp(c->dst, "payments/card-vault[StatefulSet]"))
			added = true; /* F5 fixed: the vault is reachable */
		if (i)
			assert_true(d.v[i - 1].kind <= c->kind);
	}
	assert_true(removed);
	assert_true(added);
	assert_int_equal(d.new_findings->n, 0);
	assert_true(d.fixed_findings->n >= 9);
	tm_diff_release(&d);
	/* and the other way round every fix is a new finding */
	assert_int_equal(tm_diff_compute(b.g, a.g, &b.f, &a.f, &d), TM_OK);
	assert_true(tm_findings_any_at_least(d.new_findings, TM_SEV_CRITICAL));
	tm_diff_release(&d);
	run_free(&a);
	run_free(&b);
}

static const char small[] =
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {team: x}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: a}\n"
	"spec: {template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: i, ports: [{name: web, containerPort: 80}]}]}}}\n---\n"
	"apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: a}\n"
	"spec: {type: NodePort, selector: {app: api}, ports: [{port: 80, nodePort: 30080}]}\n---\n"
	/* rule 1 is covered by rule 0 of the same policy; rule 2 is not (other port) */
	"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\n"
	"spec:\n  podSelector: {matchLabels: {app: api}}\n  ingress:\n"
	"  - from: [{podSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8}}]\n    ports: [{port: 80}, {port: 443}]\n"
	"  - from: [{ipBlock: {cidr: 10.1.0.0/16}}]\n    ports: [{port: 80}]\n"
	"  - from: [{podSelector: {}}]\n    ports: [{port: 8080}]\n---\n"
	"apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: pass-a}\n"
	"spec:\n  priority: 10\n  subject: {namespaces: {matchLabels: {team: x}}}\n"
	"  ingress:\n  - {name: pass-all, action: Pass, from: [{namespaces: {}}]}\n"
	"  egress:\n  - {name: allow-all, action: Allow, to: [{networks: [0.0.0.0/0]}]}\n---\n"
	"apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: nobody}\n"
	"spec:\n  priority: 20\n  subject: {namespaces: {matchLabels: {team: none}}}\n"
	"  ingress:\n  - {name: deny, action: Deny, from: [{namespaces: {}}]}\n";

static void test_small_checks(void **state)
{
	(void)state;
	tm_load_opts o;
	tm_load_opts_default(&o);
	run r;
	r.m = tm_model_new();
	assert_int_equal(tm_load_buffer(r.m, "small.yaml", small, strlen(small), false, &o), TM_OK);
	assert_int_equal(tm_load_finish(r.m, &o), TM_OK);
	r.z = tm_zones_default(r.m);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	assert_int_equal(tm_conn_compute(r.m, &co, &r.g), TM_OK);
	tm_findings_init(&r.f);
	assert_int_equal(tm_check_all(r.g, r.z, &r.f), TM_OK);
	const tm_finding *fd = find(&r, "TM110", NULL, NULL);
	assert_non_null(fd);
	assert_string_equal(fd->subject, "NetworkPolicy a/p ingress rule 1");
	assert_non_null(strstr(fd->message, "covered by NetworkPolicy a/p ingress rule 0"));
	assert_null(find(&r, "TM110", "NetworkPolicy a/p ingress rule 2", NULL));
	assert_null(find(&r, "TM110", "NetworkPolicy a/p ingress rule 0", NULL));
	fd = find(&r, "TM109", NULL, NULL);
	assert_non_null(fd);
	assert_non_null(strstr(fd->message, "pass-all"));
	fd = find(&r, "TM105", "AdminNetworkPolicy pass-a egress rule 0", NULL);
	assert_non_null(fd);
	assert_int_equal(fd->severity, TM_SEV_HIGH);
	assert_non_null(find(&r, "TM104", "AdminNetworkPolicy nobody", NULL));
	fd = find(&r, "TM106", NULL, "a/api[Deployment]");
	assert_non_null(fd);
	assert_int_equal(fd->severity, TM_SEV_INFO); /* no sensitive zone in this cluster */
	assert_non_null(strstr(fd->message, "NodePort Service a/api"));
	/* every rule that ran is described for SARIF */
	assert_non_null(tm_findings_rule(&r.f, "TM110"));
	assert_non_null(tm_findings_rule(&r.f, "frontend-must-not-reach-pci"));
	run_free(&r);
}

static void run_paths(run *r, const char *const *paths, const char *zones)
{
	tm_load_opts o;
	tm_load_opts_default(&o);
	r->m = tm_model_new();
	for (size_t i = 0; paths[i]; i++)
		assert_int_equal(tm_load_path(r->m, paths[i], &o), TM_OK);
	assert_int_equal(tm_load_finish(r->m, &o), TM_OK);
	if (zones)
		assert_int_equal(tm_zones_load(r->m, zones, &r->z), TM_OK);
	else
		r->z = tm_zones_default(r->m);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	assert_int_equal(tm_conn_compute(r->m, &co, &r->g), TM_OK);
	tm_findings_init(&r->f);
	assert_int_equal(tm_check_all(r->g, r->z, &r->f), TM_OK);
}

static const tm_note *find_note(const run *r, const char *code)
{
	for (size_t i = 0; i < r->f.nnotes; i++)
		if (!strcmp(r->f.notes[i].code, code))
			return &r->f.notes[i];
	return NULL;
}

/* TM108: a rule aimed at the cluster DNS counts when the DNS pods are not in
 * the input (and a note says so); with them in the input the edges decide. */
static void test_dns_rule(void **state)
{
	(void)state;
	run r;
	const char *alone[] = {"tests/fixtures/dns/app.yaml", "tests/fixtures/dns/dns-recommended.yaml", NULL};
	run_paths(&r, alone, NULL);
	assert_null(find(&r, "TM108", NULL, NULL));
	assert_null(find(&r, "TM112", NULL, NULL));
	const tm_note *n = find_note(&r, "dns-pods-not-in-input");
	assert_non_null(n);
	assert_non_null(strstr(n->message, "for 1 workload,"));
	run_free(&r);
	const char *with_ks[] = {"tests/fixtures/dns/app.yaml", "tests/fixtures/dns/dns-recommended.yaml",
				 "tests/fixtures/dns/kube-system.yaml", NULL};
	run_paths(&r, with_ks, NULL);
	assert_null(find(&r, "TM108", NULL, NULL));
	assert_null(find_note(&r, "dns-pods-not-in-input"));
	run_free(&r);
	const char *wrong[] = {"tests/fixtures/dns/app.yaml", "tests/fixtures/dns/dns-wrong-labels.yaml", NULL};
	run_paths(&r, wrong, NULL);
	assert_non_null(find(&r, "TM108", NULL, "shop/web[Deployment]"));
	assert_null(find_note(&r, "dns-pods-not-in-input"));
	run_free(&r);
	const char *tcp[] = {"tests/fixtures/dns/app.yaml", "tests/fixtures/dns/dns-tcp-only.yaml", NULL};
	run_paths(&r, tcp, NULL);
	const tm_finding *fd = find(&r, "TM108", NULL, "shop/web[Deployment]");
	assert_non_null(fd);
	assert_non_null(strstr(fd->message, "TCP only"));
	run_free(&r);
}

/* TM113/TM114 and zone membership: a typo in a zone of a zones file. */
static void test_empty_zones(void **state)
{
	(void)state;
	run r;
	const char *shop[] = {"samples/shop", NULL};
	run_paths(&r, shop, "tests/zones/empty/zones.yaml");
	assert_int_equal(r.f.nzones, 4);
	assert_string_equal(r.f.zones[1].zone, "pci");
	assert_int_equal(r.f.zones[1].nmembers, 0);
	assert_string_equal(r.f.zones[0].zone, "frontend");
	assert_int_equal(r.f.zones[0].nmembers, 1);
	assert_string_equal(r.f.zones[0].members[0], "web/storefront[Deployment]");
	assert_non_null(find(&r, "TM113", "zone pci", NULL));
	assert_non_null(find(&r, "TM113", "zone ops", NULL));
	assert_null(find(&r, "TM113", "zone frontend", NULL));
	const tm_finding *fd = find(&r, "TM114", "zone rule frontend-must-not-reach-pci", NULL);
	assert_non_null(fd);
	assert_int_equal(fd->severity, TM_SEV_CRITICAL);
	assert_true(tm_findings_any_at_least(&r.f, TM_SEV_CRITICAL));
	assert_null(find(&r, "TM114", "zone rule office-only-to-frontend", NULL));
	run_free(&r);
	/* the defaults are listed but not judged */
	run_paths(&r, shop, NULL);
	assert_int_equal(r.f.nzones, 2);
	assert_null(find(&r, "TM113", NULL, NULL));
	assert_null(find(&r, "TM114", NULL, NULL));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shop_flaws),
		cmocka_unit_test(test_shop_fixed_clean),
		cmocka_unit_test(test_zones_file_on_shop),
		cmocka_unit_test(test_diff_shop),
		cmocka_unit_test(test_small_checks),
		cmocka_unit_test(test_dns_rule),
		cmocka_unit_test(test_empty_zones),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
