/* test_ipmap.c - addresses to graph endpoints (analyzer/ipmap.c): pod IPs
 * to their workloads, other addresses to the IP-range endpoint of the side
 * asked for, IPv6, addresses no endpoint holds, and overlapping ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ingest/ingest.h"
#include "analyzer/ipmap.h"

static const char cluster[] =
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
	"apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a, labels: {app: web}}\n"
	"spec: {containers: [{name: c, image: web:1}]}\nstatus: {podIP: 10.1.0.5}\n---\n"
	"apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: a, labels: {app: db}}\n"
	"spec: {containers: [{name: c, image: db:1}]}\n"
	"status: {podIP: 10.1.0.6, podIPs: [{ip: 10.1.0.6}, {ip: 'fd00::6'}]}\n---\n"
	"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\n"
	"spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"
	"  ingress:\n  - from: [{ipBlock: {cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}]\n"
	"  egress:\n  - to: [{ipBlock: {cidr: 203.0.113.0/24}}, {ipBlock: {cidr: '2001:db8::/32'}}]\n";

static tm_ip ip(const char *s)
{
	tm_ip a;
	assert_true(tm_ip_parse(s, &a));
	return a;
}

static tm_graph *graph(tm_model **m, bool ipv6)
{
	tm_load_opts o;
	tm_load_opts_default(&o);
	*m = tm_model_new();
	assert_int_equal(tm_load_buffer(*m, "t.yaml", cluster, strlen(cluster), false, &o), TM_OK);
	assert_int_equal(tm_load_finish(*m, &o), TM_OK);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	co.ipv6 = ipv6;
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(*m, &co, &g), TM_OK);
	return g;
}

static long workload_ep(const tm_graph *g, const char *name)
{
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_WORKLOAD && !strcmp(g->eps[i].w->name, name))
			return (long)i;
	fail_msg("no endpoint %s", name);
	return -1;
}

/* the endpoint is an IP range of the side asked for and holds a */
static void assert_range(const tm_graph *g, long ep, tm_ip a, bool src)
{
	assert_true(ep >= 0 && (size_t)ep < g->neps);
	const tm_endpoint *e = &g->eps[ep];
	assert_int_equal(e->kind, TM_EP_IPRANGE);
	assert_int_equal(e->is_src_atom, src);
	assert_true(tm_ip_cmp(e->range.lo, a) <= 0 && tm_ip_cmp(a, e->range.hi) <= 0);
}

static void test_pods_and_ranges(void **state)
{
	(void)state;
	tm_model *m;
	tm_graph *g = graph(&m, true);
	tm_ipmap im;
	assert_int_equal(tm_ipmap_build(&im, g), TM_OK);
	long web = workload_ep(g, "web"), db = workload_ep(g, "db");
	assert_true(web != db);
	/* pod IPs, either side, both families of a dual-stack pod */
	assert_int_equal(tm_ipmap_lookup(&im, ip("10.1.0.5"), TM_IPMAP_SRC), web);
	assert_int_equal(tm_ipmap_lookup(&im, ip("10.1.0.5"), TM_IPMAP_DST), web);
	assert_int_equal(tm_ipmap_lookup(&im, ip("10.1.0.6"), TM_IPMAP_DST), db);
	assert_int_equal(tm_ipmap_lookup(&im, ip("fd00::6"), TM_IPMAP_SRC), db);
	/* source side: the ingress ipBlock and its except are different atoms */
	tm_ip in = ip("192.168.2.1"), ex = ip("192.168.1.7");
	long s_in = tm_ipmap_lookup(&im, in, TM_IPMAP_SRC), s_ex = tm_ipmap_lookup(&im, ex, TM_IPMAP_SRC);
	assert_range(g, s_in, in, true);
	assert_range(g, s_ex, ex, true);
	assert_true(s_in != s_ex);
	assert_int_equal(s_in, tm_graph_find_src(g, "192.168.2.1"));
	/* destination side: the same address is in a destination atom */
	long d_in = tm_ipmap_lookup(&im, in, TM_IPMAP_DST);
	assert_range(g, d_in, in, false);
	assert_true(d_in != s_in);
	/* the egress block is one destination atom, exactly */
	tm_ip v = ip("203.0.113.9");
	long d = tm_ipmap_lookup(&im, v, TM_IPMAP_DST);
	assert_range(g, d, v, false);
	assert_int_equal(tm_ip_cmp(g->eps[d].range.lo, ip("203.0.113.0")), 0);
	assert_int_equal(tm_ip_cmp(g->eps[d].range.hi, ip("203.0.113.255")), 0);
	assert_int_equal(d, tm_graph_find(g, "203.0.113.9"));
	assert_int_equal(tm_ipmap_lookup(&im, ip("203.0.113.0"), TM_IPMAP_DST), d);
	assert_int_equal(tm_ipmap_lookup(&im, ip("203.0.113.255"), TM_IPMAP_DST), d);
	assert_true(tm_ipmap_lookup(&im, ip("203.0.114.0"), TM_IPMAP_DST) != d);
	/* IPv6: the egress block, and a v6 address is never in an IPv4 range */
	tm_ip v6 = ip("2001:db8::1");
	long d6 = tm_ipmap_lookup(&im, v6, TM_IPMAP_DST);
	assert_range(g, d6, v6, false);
	assert_int_equal(tm_ip_cmp(g->eps[d6].range.lo, ip("2001:db8::")), 0);
	tm_ipmap_release(&im);
	tm_graph_free(g);
	tm_model_free(m);
}

/* Without --ipv6 the graph has no IPv6 ranges: an IPv6 address that is no
 * pod's maps to nothing (a pod's IPv6 address still maps). */
static void test_unknown(void **state)
{
	(void)state;
	tm_model *m;
	tm_graph *g = graph(&m, false);
	tm_ipmap im;
	assert_int_equal(tm_ipmap_build(&im, g), TM_OK);
	assert_int_equal(tm_ipmap_lookup(&im, ip("2001:db8::1"), TM_IPMAP_DST), -1);
	assert_int_equal(tm_ipmap_lookup(&im, ip("2001:db8::1"), TM_IPMAP_SRC), -1);
	assert_int_equal(tm_ipmap_lookup(&im, ip("fd00::6"), TM_IPMAP_DST), workload_ep(g, "db"));
	tm_ipmap_release(&im);
	tm_graph_free(g);
	tm_model_free(m);
}

/* Ranges of one side that overlap (not made by the engine, which carves
 * disjoint atoms, but the map must not depend on it): the lowest endpoint
 * holding the address, as a scan in endpoint order finds it. */
static void test_overlap(void **state)
{
	(void)state;
	tm_model *m = tm_model_new();
	tm_endpoint eps[4];
	memset(eps, 0, sizeof eps);
	tm_iprange wide, narrow, other, v6;
	assert_true(tm_cidr_parse("10.0.0.0/8", &wide, NULL));
	assert_true(tm_cidr_parse("10.0.0.0/24", &narrow, NULL));
	assert_true(tm_cidr_parse("10.0.0.0/24", &other, NULL));
	assert_true(tm_cidr_parse("2001:db8::/32", &v6, NULL));
	eps[0] = (tm_endpoint){.kind = TM_EP_IPRANGE, .range = wide};
	eps[1] = (tm_endpoint){.kind = TM_EP_IPRANGE, .range = narrow};
	eps[2] = (tm_endpoint){.kind = TM_EP_IPRANGE, .range = other, .is_src_atom = true};
	eps[3] = (tm_endpoint){.kind = TM_EP_IPRANGE, .range = v6};
	tm_graph g;
	memset(&g, 0, sizeof g);
	g.m = m;
	g.eps = eps;
	g.neps = 4;
	tm_ipmap im;
	assert_int_equal(tm_ipmap_build(&im, &g), TM_OK);
	assert_true(im.overlap[TM_IPMAP_DST]);
	assert_false(im.overlap[TM_IPMAP_SRC]);
	assert_int_equal(tm_ipmap_lookup(&im, ip("10.0.0.1"), TM_IPMAP_DST), 0);
	assert_int_equal(tm_ipmap_lookup(&im, ip("10.200.0.1"), TM_IPMAP_DST), 0);
	assert_int_equal(tm_ipmap_lookup(&im, ip("2001:db8::5"), TM_IPMAP_DST), 3);
	assert_int_equal(tm_ipmap_lookup(&im, ip("11.0.0.0"), TM_IPMAP_DST), -1);
	assert_int_equal(tm_ipmap_lookup(&im, ip("10.0.0.1"), TM_IPMAP_SRC), 2);
	assert_int_equal(tm_ipmap_lookup(&im, ip("10.0.1.0"), TM_IPMAP_SRC), -1);
	assert_int_equal(tm_ipmap_lookup(&im, ip("9.255.255.255"), TM_IPMAP_SRC), -1);
	tm_ipmap_release(&im);
	/* swap the order: now the narrow range is the lower endpoint */
	eps[0].range = narrow;
	eps[1].range = wide;
	assert_int_equal(tm_ipmap_build(&im, &g), TM_OK);
	assert_int_equal(tm_ipmap_lookup(&im, ip("10.0.0.1"), TM_IPMAP_DST), 0);
	assert_int_equal(tm_ipmap_lookup(&im, ip("10.0.1.1"), TM_IPMAP_DST), 1);
	tm_ipmap_release(&im);
	tm_model_free(m);
}

/* a Deployment's two pods: one endpoint for both at workload granularity,
 * each its own at pod granularity (the address names that pod only) */
static const char deploy[] =
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\n"
	"spec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
	"  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: web:1}]}\n---\n"
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: a\n  labels: {app: web}\n"
	"  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]\n"
	"spec: {containers: [{name: c, image: web:1}]}\nstatus: {podIP: 10.2.0.1}\n---\n"
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-2\n  namespace: a\n  labels: {app: web}\n"
	"  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]\n"
	"spec: {containers: [{name: c, image: web:1}]}\nstatus: {podIP: 10.2.0.2}\n";

static void test_pod_granularity(void **state)
{
	(void)state;
	tm_load_opts o;
	tm_load_opts_default(&o);
	tm_model *m = tm_model_new();
	assert_int_equal(tm_load_buffer(m, "d.yaml", deploy, strlen(deploy), false, &o), TM_OK);
	assert_int_equal(tm_load_finish(m, &o), TM_OK);
	for (int gran = 0; gran < 2; gran++) {
		tm_conn_opts co;
		tm_conn_opts_default(&co);
		co.granularity = gran ? TM_GRAN_POD : TM_GRAN_WORKLOAD;
		tm_graph *g = NULL;
		assert_int_equal(tm_conn_compute(m, &co, &g), TM_OK);
		tm_ipmap im;
		assert_int_equal(tm_ipmap_build(&im, g), TM_OK);
		long a = tm_ipmap_lookup(&im, ip("10.2.0.1"), TM_IPMAP_DST);
		long b = tm_ipmap_lookup(&im, ip("10.2.0.2"), TM_IPMAP_SRC);
		assert_true(a >= 0 && b >= 0);
		assert_int_equal(g->eps[a].kind, TM_EP_WORKLOAD);
		assert_int_equal(g->eps[b].kind, TM_EP_WORKLOAD);
		if (!gran) {
			assert_int_equal(a, b);
			assert_string_equal(g->eps[a].w->name, "web");
		} else {
			assert_true(a != b);
			assert_non_null(g->eps[a].pod);
			assert_string_equal(g->eps[a].pod->name, "web-1");
			assert_string_equal(g->eps[b].pod->name, "web-2");
		}
		const tm_ipmap_addr *x;
		assert_int_equal(tm_ipmap_exact(&im, ip("10.2.0.1"), &x), 1);
		assert_int_equal(tm_ipmap_exact(&im, ip("10.2.0.3"), &x), 0);
		tm_ipmap_release(&im);
		tm_graph_free(g);
	}
	tm_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pods_and_ranges),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_pod_granularity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
