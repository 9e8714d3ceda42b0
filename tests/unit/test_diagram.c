/* test_diagram.c - analyzer/annot.h, analyzer/diagram.h, analyzer/summary.h
 * through the pipeline: findings land on their edges, all-to-all groups
 * become one edge (and a namespace's internal one its box's label), the
 * namespace level groups what every namespace reaches, --zone filters, the
 * report's zone matrix and exposure, and the DOT text is deterministic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline.h"
#include "render/diagram.h"

static void run(const char *path, const char *zones, tm_level level, const char *zone, bool report, tm_result *r)
{
	static const char *paths[1];
	tm_request rq;
	tm_request_init(&rq);
	paths[0] = path;
	rq.paths = paths;
	rq.npaths = 1;
	rq.graph = rq.checks = true;
	rq.zones_file = zones;
	rq.diagram = true;
	rq.dopts.level = level;
	rq.dopts.zone = zone;
	rq.report = report;
	assert_int_equal(tm_run(&rq, r), TM_OK);
	assert_true(r->has_diagram);
}

static long node(const tm_diagram *d, const char *id)
{
	for (size_t i = 0; i < d->nnodes; i++)
		if (!strcmp(d->nodes[i].id, id))
			return (long)i;
	return -1;
}

static const tm_dedge *edge(const tm_diagram *d, const char *s, const char *t)
{
	long a = node(d, s), b = node(d, t);
	for (size_t i = 0; i < d->nedges; i++)
		if ((long)d->edges[i].src == a && (long)d->edges[i].dst == b)
			return &d->edges[i];
	return NULL;
}

static void test_findings_on_edges(void **state)
{
	(void)state;
	tm_result r;
	run("samples/shop", "samples/zones.yaml", TM_LEVEL_WORKLOAD, NULL, false, &r);
	const tm_diagram *d = &r.diagram;
	const tm_dedge *e = edge(d, "web/storefront[Deployment]", "payments/payment-api[Deployment]");
	assert_non_null(e);
	assert_string_equal(e->a.rule, "frontend-must-not-reach-pci"); /* the critical one of four */
	assert_int_equal(e->a.severity, TM_SEV_CRITICAL);
	assert_int_equal(e->a.nfindings, 4); /* and TM106, only-shop-orders-into-pci, pci-requires-mtls */
	assert_int_equal(e->a.protection, TM_PROT_UNKNOWN);
	assert_int_equal(e->a.origin, TM_ORIGIN_ALLOWED);
	/* the ingress controller and the internet are nodes of their own kinds */
	assert_int_equal(d->nodes[node(d, "{ingress-controller}")].kind, TM_DN_INGRESS);
	assert_int_equal(d->nodes[node(d, "0.0.0.0-255.255.255.255[External]")].kind, TM_DN_INTERNET);
	/* every workload of data may reach every workload of kube-system: one edge, box to box */
	e = edge(d, "data/postgres[StatefulSet]", "kube-system/coredns[Deployment]");
	assert_non_null(e);
	assert_true(e->src_all && e->dst_all);
	assert_int_equal(e->count, 2);
	assert_null(edge(d, "data/redis[Deployment]", "kube-system/coredns[Deployment]"));
	/* nothing is lost: group edges count what they stand for */
	size_t n = 0;
	for (size_t i = 0; i < d->nedges; i++)
		n += d->edges[i].count;
	assert_int_equal(n, d->graph_edges);
	tm_result_release(&r);
}

static void test_namespace_level(void **state)
{
	(void)state;
	tm_result r;
	run("samples/shop", NULL, TM_LEVEL_NAMESPACE, NULL, false, &r);
	const tm_diagram *d = &r.diagram;
	assert_int_equal(d->level, TM_LEVEL_NAMESPACE);
	/* every namespace reaches kube-system (DNS): one edge from "every namespace" */
	const tm_dedge *e = edge(d, "every-namespace", "ns:kube-system");
	assert_non_null(e);
	assert_null(edge(d, "ns:web", "ns:kube-system"));
	e = edge(d, "ns:web", "ns:shop");
	assert_non_null(e);
	assert_int_equal(e->count, 3);
	assert_int_equal(d->nodes[node(d, "ns:data")].internal, 2);
	tm_result_release(&r);
}

static void test_zone_filter(void **state)
{
	(void)state;
	tm_result r;
	run("samples/shop", "samples/zones.yaml", TM_LEVEL_AUTO, "pci", false, &r);
	const tm_diagram *d = &r.diagram;
	for (size_t i = 0; i < d->nedges; i++) {
		const tm_dnode *s = &d->nodes[d->edges[i].src], *t = &d->nodes[d->edges[i].dst];
		assert_true((s->zone && !strcmp(s->zone, "pci")) || (t->zone && !strcmp(t->zone, "pci")));
	}
	assert_true(node(d, "payments/card-vault[StatefulSet]") >= 0);
	tm_result_release(&r);
}

static void test_all_to_all_inside(void **state)
{
	(void)state;
	/* emojivoto-like: no policy, every workload reaches every other */
	char dir[] = "/tmp/tm-diagram-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/a.yaml", dir);
	FILE *f = fopen(path, "w");
	for (int i = 0; i < 4; i++)
		fprintf(f, "apiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: app, labels: {app: a%d}}\n"
			   "spec: {containers: [{name: c, image: x}]}\n---\n", i, i);
	fclose(f);
	tm_result r;
	run(path, NULL, TM_LEVEL_WORKLOAD, NULL, false, &r);
	const tm_diagram *d = &r.diagram;
	assert_int_equal(d->nclusters, 1);
	assert_non_null(d->clusters[0].internal_all);
	for (size_t i = 0; i < d->nedges; i++) /* only the internet's edges are left */
		assert_true(d->nodes[d->edges[i].src].kind != TM_DN_WORKLOAD || d->nodes[d->edges[i].dst].kind != TM_DN_WORKLOAD);
	tm_result_release(&r);
	remove(path);
	remove(dir);
}

static char *dot_of(const tm_diagram *d)
{
	char *s = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&s, &n);
	tm_diagram_title t = {"t", NULL, 0, NULL, 0, true};
	tm_diagram_dot(d, &t, m);
	fclose(m);
	return s;
}

static void test_report_and_determinism(void **state)
{
	(void)state;
	tm_result a, b;
	run("samples/shop", "samples/zones.yaml", TM_LEVEL_AUTO, NULL, true, &a);
	run("samples/shop", "samples/zones.yaml", TM_LEVEL_AUTO, NULL, true, &b);
	char *x = dot_of(&a.diagram), *y = dot_of(&b.diagram);
	assert_string_equal(x, y);
	free(x);
	free(y);
	const tm_report *r = &a.report;
	assert_true(a.has_report);
	/* zones frontend, pci, data, then internet; frontend -> pci is allowed and broken */
	assert_int_equal(r->nzones, 4);
	assert_string_equal(r->zones[3], "internet");
	const tm_zone_cell *c = &r->matrix[0 * r->nzones + 1];
	assert_int_equal(c->pairs, 1);
	assert_string_equal(c->rule, "frontend-must-not-reach-pci");
	/* storefront is exposed and reaches pci in one hop */
	bool found = false;
	for (size_t i = 0; i < r->nexposed; i++)
		if (!strcmp(r->exposed[i].name, "web/storefront[Deployment]")) {
			found = true;
			assert_true(r->exposed[i].ntargets > 0);
			assert_string_equal(r->exposed[i].targets[0].zone, "pci");
			assert_int_equal(r->exposed[i].targets[0].hops, 1);
		}
	assert_true(found);
	assert_int_equal(r->nper_zone, 3);
	assert_int_equal(r->overview.level, TM_LEVEL_NAMESPACE);
	tm_result_release(&a);
	tm_result_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_findings_on_edges),
		cmocka_unit_test(test_namespace_level),
		cmocka_unit_test(test_zone_filter),
		cmocka_unit_test(test_all_to_all_inside),
		cmocka_unit_test(test_report_and_determinism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
