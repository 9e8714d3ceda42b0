/* test_zones.c - the zones file parser (ingest/manifest/zones.c), zone membership and
 * zone rules (analyzer/zones_eval.c), ignore annotations (model/findings.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/manifest/zones.h"
#include "analyzer/check.h"
#include "model/flow.h"

#include <stdlib.h>

static tm_model *load(const char *yaml)
{
	tm_load_opts o;
	tm_load_opts_default(&o);
	tm_model *m = tm_model_new();
	assert_int_equal(tm_load_buffer(m, "t.yaml", yaml, strlen(yaml), false, &o), TM_OK);
	assert_int_equal(tm_load_finish(m, &o), TM_OK);
	return m;
}

static const char *last_error(const tm_model *m)
{
	static char out[1024];
	out[0] = 0;
	for (size_t i = 0; i < m->diags.n; i++)
		if (m->diags.v[i].level == TM_DIAG_ERROR) {
			tm_buf b;
			tm_buf_init(&b, 0);
			tm_diag_format(&m->diags.v[i], &b);
			snprintf(out, sizeof out, "%s", tm_buf_str(&b));
			tm_buf_release(&b);
		}
	return out;
}

static tm_err parse(tm_model *m, const char *text, tm_zones **z)
{
	return tm_zones_parse(m, "z.yaml", text, strlen(text), z);
}

static const char cluster[] =
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {tier: frontend}}\n---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {compliance: pci-dss}}\n---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: ops, labels: {trustmap.io/zone: tools}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: site, namespace: web}\n"
	"spec: {template: {metadata: {labels: {app: site}}, spec: {containers: [{name: c, image: i}]}}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: pay}\n"
	"spec: {template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: i}]}}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker, namespace: pay}\n"
	"spec: {template: {metadata: {labels: {app: worker}}, spec: {containers: [{name: c, image: i}]}}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bot, namespace: ops}\n"
	"spec: {template: {metadata: {labels: {app: bot}}, spec: {containers: [{name: c, image: i}]}}}\n";

static void test_parse_ok(void **state)
{
	(void)state;
	tm_model *m = load(cluster);
	tm_zones *z = NULL;
	assert_int_equal(parse(m,
		"apiVersion: trustmap.io/v1\nkind: Zones\nzones:\n"
		"- name: pci\n  namespaces: [pay]\n  podSelector: {matchLabels: {app: api}}\n"
		"- name: office\n  ipBlocks: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]\n"
		"rules:\n- name: only-site\n  to: pci\n  action: allow-only\n  allow:\n"
		"  - from: web/site\n    ports: [TCP/8443, udp/53, TCP/9000-9001]\n  - from: office\n",
		&z), TM_OK);
	assert_non_null(z);
	assert_int_equal(z->nzones, 2);
	assert_int_equal(z->nrules, 1);
	const tm_zrule *r = &z->rules[0];
	assert_string_equal(r->from, "any");
	assert_int_equal(r->action, TM_ZACT_ALLOW_ONLY);
	assert_int_equal(r->severity, TM_SEV_MEDIUM);
	assert_int_equal(r->nallow, 2);
	assert_string_equal(r->allow[0].ns, "web");
	assert_string_equal(r->allow[0].workload, "site");
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_ports_format(r->allow[0].ports, &b);
	assert_string_equal(tm_buf_str(&b), "TCP 8443,9000-9001,UDP 53");
	tm_buf_release(&b);
	assert_string_equal(r->allow[1].zone, "office");
	assert_null(r->allow[1].ports);
	/* the target of an allow-only rule is sensitive */
	assert_true(tm_zones_find(z, "pci")->sensitive);
	assert_false(tm_zones_find(z, "office")->sensitive);
	tm_ip ip;
	assert_true(tm_ip_parse("10.2.3.4", &ip));
	assert_true(tm_ipset_contains_ip(&tm_zones_find(z, "office")->ips, ip));
	assert_true(tm_ip_parse("10.1.3.4", &ip));
	assert_false(tm_ipset_contains_ip(&tm_zones_find(z, "office")->ips, ip));
	tm_zones_free(z);
	tm_model_free(m);
}

static void expect_error(const char *text, const char *msg)
{
	tm_model *m = load(cluster);
	tm_zones *z = (tm_zones *)1;
	assert_int_not_equal(parse(m, text, &z), TM_OK);
	assert_null(z);
	assert_string_equal(last_error(m), msg);
	tm_model_free(m);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("apiVersion: trustmap.io/v2\nkind: Zones\nzones: []\n",
		     "z.yaml:1:13: error: apiVersion: expected trustmap.io/v1, got trustmap.io/v2");
	expect_error("apiVersion: trustmap.io/v1\nkind: Zones\nzones:\n- name: a\n  namespaces: [x]\n"
		     "rules:\n- name: r\n  to: b\n  action: deny\n",
		     "z.yaml:8:7: error: rules[0]: to: no zone named \"b\" (zones, any or internet)");
	expect_error("apiVersion: trustmap.io/v1\nkind: Zones\nzones:\n- name: a\n  namespaces: [x]\n"
		     "rules:\n- name: r\n  to: a\n  action: deny\n  allow: []\n",
		     "z.yaml:10:10: error: rules[0]: allow is only meaningful with action allow-only");
	expect_error("apiVersion: trustmap.io/v1\nkind: Zones\nzones:\n- name: a\n  namespaces: [x]\n"
		     "rules:\n- name: TM101\n  to: a\n  action: deny\n",
		     "z.yaml:7:9: error: rules[0]: rule names TM<digits> are reserved for built-in checks");
	expect_error("apiVersion: trustmap.io/v1\nkind: Zones\nzones:\n- name: a\n  ipBlocks: [10.0.0.0/33]\n",
		     "z.yaml:5:14: error: zones[0]: ipBlocks[0]: expected a CIDR such as 10.0.0.0/8");
	expect_error("apiVersion: trustmap.io/v1\nkind: Zones\nrules:\n- name: r\n  from: any\n  action: deny\n",
		     "z.yaml:4:3: error: rules[0]: rule \"r\" needs from or to: a rule between any and any is not a boundary");
	expect_error("apiVersion: trustmap.io/v1\nkind: Zones\n---\nkind: Zones\n",
		     "z.yaml:4:1: error: zones file: expected exactly one document, found 2");
	expect_error("a: b: c\n", "z.yaml:1:5: error: zones file: mapping values are not allowed in this context");
	expect_error("- 1\n", "z.yaml:1:1: error: zones file: expected a map, got a list");
}

static void test_defaults_and_membership(void **state)
{
	(void)state;
	tm_model *m = load(cluster);
	tm_zones *z = tm_zones_default(m);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(m, &co, &g), TM_OK);
	assert_non_null(tm_zones_find(z, "tools")); /* from the trustmap.io/zone label */
	tm_zonemap zm;
	tm_zonemap_build(&zm, g, z);
	long api = tm_graph_find(g, "pay/api"), site = tm_graph_find(g, "web/site"), bot = tm_graph_find(g, "ops/bot");
	assert_true(api >= 0 && site >= 0 && bot >= 0);
	assert_true(tm_zonemap_in(&zm, g, (size_t)api, "pci")); /* compliance: pci-dss */
	assert_false(tm_zonemap_in(&zm, g, (size_t)api, "frontend"));
	assert_true(tm_zonemap_in(&zm, g, (size_t)site, "frontend"));
	assert_true(tm_zonemap_in(&zm, g, (size_t)bot, "tools"));
	assert_false(tm_zonemap_in(&zm, g, (size_t)bot, "internet"));
	assert_true(tm_zonemap_in(&zm, g, (size_t)bot, "any"));

	/* no policies: everything is open, so the default deny rule fires for web/site => pay/api and pay/worker */
	tm_findings f;
	tm_findings_init(&f);
	assert_int_equal(tm_zones_eval(g, z, &zm, &f), TM_OK);
	size_t n = 0;
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].rule, "frontend-must-not-reach-pci")) {
			n++;
			assert_string_equal(f.v[i].src, "web/site[Deployment]");
			assert_int_equal(f.v[i].severity, TM_SEV_CRITICAL);
			assert_string_equal(f.v[i].conns, "All Connections");
			/* no policy allows it (default allow): the location is the workload to protect */
			assert_int_equal(f.v[i].nlocations, 1);
			assert_non_null(strstr(f.v[i].locations[0].what, "no policy restricts"));
			assert_string_equal(f.v[i].locations[0].loc.file, "t.yaml");
			assert_true(f.v[i].locations[0].loc.line > 12); /* a Deployment, after the namespaces */
		}
	assert_int_equal(n, 2);
	tm_findings_release(&f);
	tm_zonemap_release(&zm);
	tm_graph_free(g);
	tm_zones_free(z);
	tm_model_free(m);
}

static void test_allow_only_subtracts_ports(void **state)
{
	(void)state;
	tm_model *m = load(cluster);
	tm_zones *z = NULL;
	assert_int_equal(parse(m,
		"apiVersion: trustmap.io/v1\nkind: Zones\nzones:\n- name: pci\n  namespaces: [pay]\n"
		"rules:\n- name: only-site\n  to: pci\n  action: allow-only\n  severity: high\n  allow:\n"
		"  - from: web/site\n    ports: [TCP/1-65535, UDP/*, SCTP/*]\n  - from: ops/*\n    ports: [TCP/80]\n",
		&z), TM_OK);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(m, &co, &g), TM_OK);
	tm_findings f;
	tm_findings_init(&f);
	assert_int_equal(tm_check_all(g, z, &f), TM_OK);
	size_t n = 0;
	for (size_t i = 0; i < f.n; i++) {
		if (strcmp(f.v[i].rule, "only-site"))
			continue;
		/* web/site is fully allowed; ops/bot beyond TCP 80; pay's own workloads are in the zone;
		 * the internet (no policy) reaches pay on everything */
		if (strstr(f.v[i].src, "[External]")) {
			assert_string_equal(f.v[i].conns, "All Connections");
			continue;
		}
		n++;
		assert_string_equal(f.v[i].src, "ops/bot[Deployment]");
		assert_int_equal(f.v[i].severity, TM_SEV_HIGH);
		assert_string_equal(f.v[i].conns, "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535");
	}
	assert_int_equal(n, 2); /* ops/bot => pay/api and => pay/worker */
	tm_findings_release(&f);
	tm_graph_free(g);
	tm_zones_free(z);
	tm_model_free(m);
}

static void test_internet_excludes_zone_ranges(void **state)
{
	(void)state;
	char buf[8192];
	snprintf(buf, sizeof buf, "%s---\n"
		 "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: pay}\n"
		 "spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}]}\n---\n"
		 "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: q, namespace: pay}\n"
		 "spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 22}]}]}\n",
		 cluster);
	tm_model *m = load(buf);
	tm_zones *z = NULL;
	assert_int_equal(parse(m,
		"apiVersion: trustmap.io/v1\nkind: Zones\nzones:\n- name: pci\n  namespaces: [pay]\n"
		"- name: office\n  ipBlocks: [10.0.0.0/8]\n"
		"rules:\n- name: no-internet\n  from: internet\n  to: pci\n  action: deny\n", &z), TM_OK);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(m, &co, &g), TM_OK);
	tm_findings f;
	tm_findings_init(&f);
	assert_int_equal(tm_check_all(g, z, &f), TM_OK);
	size_t n = 0;
	for (size_t i = 0; i < f.n; i++) {
		if (strcmp(f.v[i].rule, "no-internet"))
			continue;
		n++;
		/* the office range (which may also use port 22) is not the internet */
		assert_null(strstr(f.v[i].src, "10.0.0.0-10.255.255.255"));
		assert_string_equal(f.v[i].conns, "TCP 443");
		assert_int_equal(f.v[i].nlocations, 1);
	}
	assert_int_equal(n, 4); /* two ranges outside 10/8, times pay/api and pay/worker */
	tm_findings_release(&f);
	tm_graph_free(g);
	tm_zones_free(z);
	tm_model_free(m);
}

/* require-mtls with observed traffic: two flows as the captures of
 * tests/zones/flows/cluster.yaml describe them (one with a client
 * certificate, one without), built by hand so that no capture is needed. */
static void test_require_mtls_with_flows(void **state)
{
	(void)state;
	tm_load_opts o;
	tm_load_opts_default(&o);
	tm_model *m = tm_model_new();
	assert_int_equal(tm_load_path(m, "tests/zones/flows/cluster.yaml", &o), TM_OK);
	assert_int_equal(tm_load_finish(m, &o), TM_OK);
	tm_zones *z = NULL;
	assert_int_equal(tm_zones_load(m, "tests/zones/flows-zones.yaml", &z), TM_OK);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(m, &co, &g), TM_OK);

	tm_flowset *fs = tm_flowset_new();
	assert_non_null(fs);
	tm_tls yes, no;
	memset(&yes, 0, sizeof yes);
	memset(&no, 0, sizeof no);
	yes.client_cert = TM_CC_YES;
	no.client_cert = TM_CC_NO;
	fs->flows = calloc(3, sizeof *fs->flows);
	fs->nflows = 3;
	const char *const ips[3][2] = {{"192.168.0.64", "54.36.191.227"},
				       {"192.168.123.132", "52.200.36.167"},
				       {"8.8.8.8", "9.9.9.9"}}; /* no endpoint on either side */
	const uint16_t ports[3] = {443, 5432, 443};
	for (int i = 0; i < 3; i++) {
		fs->flows[i].family = 4;
		fs->flows[i].proto = 6;
		assert_true(tm_ip_parse(ips[i][0], &fs->flows[i].cli_ip));
		assert_true(tm_ip_parse(ips[i][1], &fs->flows[i].srv_ip));
		fs->flows[i].cli_port = 40000;
		fs->flows[i].srv_port = ports[i];
		fs->flows[i].tls = i == 1 ? &no : &yes;
	}
	tm_mtls_evidence ev;
	assert_int_equal(tm_mtls_evidence_build(g, fs, &ev), TM_OK);
	assert_int_equal(ev.flows, 3);
	/* 8.8.8.8 is in the source atom 0.0.0.0-..., 9.9.9.9 in a destination range: both map, no policy edge */
	assert_int_equal(ev.n, 3);
	long billing = tm_graph_find(g, "clients/billing"), vendor = tm_graph_find(g, "54.36.191.227");
	assert_true(billing >= 0 && vendor >= 0);
	const tm_mtls_obs *ob = tm_mtls_lookup(&ev, (size_t)billing, (size_t)vendor);
	assert_non_null(ob);
	assert_true(tm_ports_contains(ob->proven, TM_PROTO_TCP, 443));
	assert_true(tm_ports_is_empty(ob->without));

	tm_findings f;
	tm_findings_init(&f);
	assert_int_equal(tm_check_all_ev(g, z, &ev, &f), TM_OK);
	size_t n = 0;
	bool seen_without = false;
	for (size_t i = 0; i < f.n; i++) {
		if (strcmp(f.v[i].rule, "vendors-require-mtls"))
			continue;
		n++;
		/* the proven pair is not reported */
		assert_false(!strcmp(f.v[i].src, "clients/billing[Pod]") && strstr(f.v[i].dst, "54.36.191.227"));
		if (!strcmp(f.v[i].src, "clients/reports[Pod]") && strstr(f.v[i].dst, "52.200.36.167")) {
			seen_without = true;
			assert_non_null(strstr(f.v[i].message, "without mutual TLS on TCP 5432"));
		} else
			assert_non_null(strstr(f.v[i].message, "no captured connection proves it"));
	}
	assert_int_equal(n, 3);
	assert_true(seen_without);
	tm_findings_release(&f);

	/* without captures every allowed connection counts */
	tm_findings_init(&f);
	assert_int_equal(tm_check_all(g, z, &f), TM_OK);
	n = 0;
	for (size_t i = 0; i < f.n; i++)
		n += !strcmp(f.v[i].rule, "vendors-require-mtls");
	assert_int_equal(n, 4);
	tm_findings_release(&f);
	tm_mtls_evidence_release(&ev);
	tm_flowset_free(fs);
	tm_graph_free(g);
	tm_zones_free(z);
	tm_model_free(m);
}

static void test_ignore_annotation(void **state)
{
	(void)state;
	const char *r;
	size_t rl;
	assert_true(tm_ignore_matches("TM101, frontend-must-not-reach-pci: accepted risk", "frontend-must-not-reach-pci", &r, &rl));
	assert_int_equal(rl, strlen("accepted risk"));
	assert_memory_equal(r, "accepted risk", rl);
	assert_true(tm_ignore_matches("TM101", "TM101", &r, &rl));
	assert_int_equal(rl, 0);
	assert_false(tm_ignore_matches("TM1011: x", "TM101", &r, &rl));
	assert_false(tm_ignore_matches("TM102: TM101", "TM101", &r, &rl)); /* the reason is not a rule list */
	assert_true(tm_ignore_matches("*: everything", "TM105", &r, &rl));
	assert_false(tm_ignore_matches(NULL, "TM105", &r, &rl));
}

static void test_severity_and_sort(void **state)
{
	(void)state;
	tm_severity s;
	assert_true(tm_severity_parse("critical", &s));
	assert_int_equal(s, TM_SEV_CRITICAL);
	assert_false(tm_severity_parse("Critical", &s));
	tm_findings f;
	tm_findings_init(&f);
	tm_finding *a = tm_findings_add(&f, "TM105", TM_SEV_LOW, "t", "m1");
	tm_srcloc l1 = {"b.yaml", 3, 1}, l2 = {"a.yaml", 9, 2};
	tm_finding_add_loc(&f, a, l1, "x");
	tm_finding_add_loc(&f, a, l2, "y");
	tm_finding_add_loc(&f, a, l1, "x");
	tm_findings_add(&f, "TM101", TM_SEV_LOW, "t", "m2");
	tm_finding *c = tm_findings_add(&f, "zz", TM_SEV_HIGH, "t", "m3");
	c->suppressed = true;
	tm_findings_sort(&f);
	assert_string_equal(f.v[0].rule, "zz");
	assert_string_equal(f.v[1].rule, "TM101");
	assert_string_equal(f.v[2].rule, "TM105");
	assert_int_equal(f.v[2].nlocations, 2); /* duplicate dropped */
	assert_string_equal(f.v[2].locations[0].loc.file, "a.yaml");
	/* the suppressed high finding does not count for --fail-on */
	assert_false(tm_findings_any_at_least(&f, TM_SEV_MEDIUM));
	assert_true(tm_findings_any_at_least(&f, TM_SEV_LOW));
	tm_findings_release(&f);
}

/* A zone's ipBlocks: each except carves its own cidr only (not another
 * block of the zone), and must be a strict subset of it, as in a
 * NetworkPolicy ipBlock. */
static void test_ipblocks_except(void **state)
{
	(void)state;
	tm_model *m = load(cluster);
	tm_zones *z = NULL;
	assert_int_equal(parse(m,
		"apiVersion: trustmap.io/v1\nkind: Zones\nzones:\n"
		"- name: office\n  ipBlocks: [192.168.1.0/24, {cidr: 192.168.0.0/16, except: [192.168.1.0/24]}]\n"
		"rules: []\n", &z), TM_OK);
	const tm_zone *zn = tm_zones_find(z, "office");
	assert_non_null(zn);
	tm_ip a;
	assert_true(tm_ip_parse("192.168.1.7", &a));
	bool in = false;
	for (size_t i = 0; i < zn->ips.n; i++)
		in |= tm_ip_cmp(a, zn->ips.r[i].lo) >= 0 && tm_ip_cmp(a, zn->ips.r[i].hi) <= 0;
	assert_true(in); /* the first block holds it, whatever the second excepts */
	tm_zones_free(z);
	z = NULL;
	assert_int_equal(parse(m,
		"apiVersion: trustmap.io/v1\nkind: Zones\nzones:\n"
		"- name: office\n  ipBlocks: [{cidr: 10.0.0.0/8, except: [11.0.0.0/16]}]\nrules: []\n", &z),
		TM_ERR_INVALID);
	tm_zones_free(z);
	tm_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_defaults_and_membership),
		cmocka_unit_test(test_allow_only_subtracts_ports),
		cmocka_unit_test(test_internet_excludes_zone_ranges),
		cmocka_unit_test(test_require_mtls_with_flows),
		cmocka_unit_test(test_ignore_annotation),
		cmocka_unit_test(test_ipblocks_except),
		cmocka_unit_test(test_severity_and_sort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
