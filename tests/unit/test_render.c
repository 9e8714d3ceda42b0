/* test_render.c - SVG and PNG through Graphviz. Their bytes are not golden:
 * Graphviz orders clusters by internal ids derived from string addresses,
 * which differ between builds (e.g. under ASan); the content is checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "analyzer/conn.h"
#include "render/render.h"

static const char *cluster_yaml =
	"apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: front, labels: {app: web}}\n"
	"spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]}\n---\n"
	"apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: back, labels: {app: db}}\n"
	"spec: {containers: [{name: c, image: i}]}\n---\n"
	"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: back}\n"
	"spec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n"
	"  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: front}}}]\n"
	"    ports: [{port: 5432}]\n";

static char *render(tm_render_fn fn, size_t *len)
{
	tm_model *m = tm_model_new();
	tm_load_opts o;
	tm_load_opts_default(&o);
	assert_int_equal(tm_load_buffer(m, "c.yaml", cluster_yaml, strlen(cluster_yaml), false, &o), TM_OK);
	tm_load_finish(m, &o);
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(m, NULL, &g), TM_OK);
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_int_equal(fn(&(tm_render_in){.g = g}, f), TM_OK);
	fclose(f);
	tm_graph_free(g);
	tm_model_free(m);
	return buf;
}

static void test_svg(void **state)
{
	(void)state;
	size_t n1, n2;
	char *a = render(tm_render_conn_svg, &n1);
	char *b = render(tm_render_conn_svg, &n2);
	assert_non_null(strstr(a, "<svg"));
	assert_non_null(strstr(a, "</svg>"));
	/* both namespaces as clusters, both workloads, the edge and its label */
	assert_non_null(strstr(a, "<title>cluster_front[namespace]</title>"));
	assert_non_null(strstr(a, "<title>cluster_back[namespace]</title>"));
	assert_non_null(strstr(a, "<title>front/web[Pod]</title>"));
	assert_non_null(strstr(a, "<title>front/web[Pod]&#45;&gt;back/db[Pod]</title>"));
	assert_non_null(strstr(a, ">TCP 5432</text>"));
	/* no edge towards db from the outside world */
	assert_null(strstr(a, "[External]&#45;&gt;back/db"));
	/* the same process renders the same bytes */
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	free(a);
	free(b);
}

static void test_png(void **state)
{
	(void)state;
	size_t n;
	char *p = render(tm_render_conn_png, &n);
	assert_true(n > 1000);
	assert_memory_equal(p, "\x89PNG\r\n\x1a\n", 8);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_png),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
