/* test_engines.c - the connectivity engines compared differentially.
 *
 * Every engine (tm_engines) computes the graph of every fixture that loads
 * (tests/e2e/<case>/, tests/fixtures/<file or dir>) under several option
 * sets; each graph must equal the default engine's: the same endpoints, the
 * same edges with the same (hash-consed, hence pointer-equal) port sets, the
 * same diagnostics, and for small graphs the same explanation of every pair.
 * The reference engine evaluates every pair directly, with no classes, no
 * peer cache, no pair cache and no pruning: a difference is a bug in one of
 * those. The model must come out of every computation as it went in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/ingest.h"
#include "analyzer/conn.h"

/* explanations of every pair are compared up to this many endpoints */
#define EXPLAIN_MAX_EPS 80

static size_t ncompared, nedges_seen, nexplained;

static void diag_text(const tm_diags *d, size_t i, tm_buf *b)
{
	tm_buf_reset(b);
	tm_diag_format(&d->v[i], b);
}

static void same_graph(const char *what, const tm_graph *a, const tm_graph *b)
{
	if (a->neps != b->neps || a->nedges != b->nedges)
		print_error("%s: %s has %zu endpoints, %zu edges; %s %zu, %zu\n", what, a->engine->name, a->neps,
			    a->nedges, b->engine->name, b->neps, b->nedges);
	assert_int_equal(a->neps, b->neps);
	for (size_t i = 0; i < a->neps; i++) {
		const tm_endpoint *x = &a->eps[i], *y = &b->eps[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->is_src_atom, y->is_src_atom);
		if (x->kind == TM_EP_IPRANGE)
			assert_true(tm_ip_cmp(x->range.lo, y->range.lo) == 0 && tm_ip_cmp(x->range.hi, y->range.hi) == 0);
		if (x->kind == TM_EP_WORKLOAD) {
			assert_string_equal(x->w->display, y->w->display);
			assert_ptr_equal(x->pod, y->pod);
		}
	}
	for (size_t i = 0; i < a->nedges && i < b->nedges; i++) {
		const tm_edge *x = &a->edges[i], *y = &b->edges[i];
		if (x->src != y->src || x->dst != y->dst || x->ports != y->ports) {
			tm_buf p, q;
			tm_buf_init(&p, 0);
			tm_buf_init(&q, 0);
			tm_ports_format(x->ports, &p);
			tm_ports_format(y->ports, &q);
			print_error("%s: edge %zu: %s: %s -> %s : %s; %s: %s -> %s : %s\n", what, i, a->engine->name,
				    a->eps[x->src].name, a->eps[x->dst].name, tm_buf_str(&p), b->engine->name,
				    b->eps[y->src].name, b->eps[y->dst].name, tm_buf_str(&q));
			tm_buf_release(&p);
			tm_buf_release(&q);
		}
		assert_int_equal(x->src, y->src);
		assert_int_equal(x->dst, y->dst);
		assert_ptr_equal(x->ports, y->ports);
	}
	assert_int_equal(a->nedges, b->nedges);
	nedges_seen += a->nedges;
	/* what the computation said */
	assert_int_equal(a->diags.n, b->diags.n);
	tm_buf p, q;
	tm_buf_init(&p, 0);
	tm_buf_init(&q, 0);
	for (size_t i = 0; i < a->diags.n; i++) {
		diag_text(&a->diags, i, &p);
		diag_text(&b->diags, i, &q);
		assert_string_equal(tm_buf_str(&p), tm_buf_str(&q));
	}
	tm_buf_release(&p);
	tm_buf_release(&q);
	/* the same decisions, traced */
	if (a->neps > EXPLAIN_MAX_EPS)
		return;
	for (size_t s = 0; s < a->neps; s++)
		for (size_t d = 0; d < a->neps; d++) {
			tm_explain x, y;
			tm_err ex = tm_conn_explain(a, s, d, &x), ey = tm_conn_explain(b, s, d, &y);
			assert_int_equal(ex, ey);
			if (ex == TM_OK) {
				assert_ptr_equal(x.allowed, y.allowed);
				assert_ptr_equal(x.egress, y.egress);
				assert_ptr_equal(x.ingress, y.ingress);
				assert_int_equal(x.n, y.n);
				for (size_t k = 0; k < x.n; k++) {
					assert_int_equal(x.v[k].kind, y.v[k].kind);
					assert_int_equal(x.v[k].dir, y.v[k].dir);
					assert_int_equal(x.v[k].rule, y.v[k].rule);
					assert_ptr_equal(x.v[k].ports, y.v[k].ports);
					assert_true(!tm_strcmp_null(x.v[k].policy, y.v[k].policy));
					assert_true(!tm_strcmp_null(x.v[k].port_name, y.v[k].port_name));
				}
				/* the graph's edge is the explanation's result */
				const tm_endpoint *se = &a->eps[s], *de = &a->eps[d];
				bool listed = s != d && de->kind != TM_EP_INGRESS &&
					      !(se->kind == TM_EP_IPRANGE && !se->is_src_atom) &&
					      !(de->kind == TM_EP_IPRANGE && (de->is_src_atom || se->kind != TM_EP_WORKLOAD));
				if (listed)
					assert_ptr_equal(tm_graph_conn(a, s, d), x.allowed);
				nexplained++;
			}
			tm_explain_release(&x);
			tm_explain_release(&y);
		}
}

/* An e2e scenario's cluster: tests/e2e/cluster, or its expect*.txt's
 * "cluster: DIR" (as tests/e2e/check.sh reads it). NULL: not a scenario. */
static const char *scenario_cluster(const char *path, char *buf, size_t cap)
{
	const char *cluster = NULL;
	DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "expect", 6))
			continue;
		if (!cluster)
			cluster = "tests/e2e/cluster";
		char f[1024];
		snprintf(f, sizeof f, "%s/%s", path, de->d_name);
		FILE *fp = fopen(f, "r");
		char line[1024];
		while (fp && fgets(line, sizeof line, fp))
			if (!strncmp(line, "cluster: ", 9)) {
				line[strcspn(line, "\r\n")] = 0;
				snprintf(buf, cap, "%s", line + 9);
				cluster = buf;
			}
		if (fp)
			fclose(fp);
	}
	if (d)
		closedir(d);
	return cluster;
}

static void compare_path(const char *path)
{
	tm_model *m = tm_model_new();
	tm_load_opts lo;
	tm_load_opts_default(&lo);
	lo.skip_invalid = true;
	char cbuf[1024];
	const char *cluster = strncmp(path, "tests/e2e/", 10) ? NULL : scenario_cluster(path, cbuf, sizeof cbuf);
	tm_err rc = cluster ? tm_load_path(m, cluster, &lo) : TM_OK;
	if (rc == TM_OK)
		rc = tm_load_path(m, path, &lo);
	tm_load_finish(m, &lo);
	if (rc != TM_OK || m->nworkloads == 0) {
		tm_model_free(m);
		return;
	}
	size_t neng;
	const tm_engine *const *engs = tm_engines(&neng);
	assert_true(neng >= 2);
	assert_ptr_equal(engs[0], tm_engine_find(NULL));
	for (int variant = 0; variant < 5; variant++) {
		tm_conn_opts o;
		tm_conn_opts_default(&o);
		o.ipblock_matches_pods = variant == 1 || variant == 4;
		o.ipv6 = variant == 2;
		o.granularity = variant >= 3 ? TM_GRAN_POD : TM_GRAN_WORKLOAD;
		size_t ndiags = m->diags.n, nw = m->nworkloads;
		tm_graph *base = NULL;
		o.engine = engs[0];
		assert_int_equal(tm_conn_compute(m, &o, &base), TM_OK);
		assert_ptr_equal(base->engine, engs[0]);
		for (size_t k = 1; k < neng; k++) {
			tm_graph *g = NULL;
			o.engine = engs[k];
			assert_int_equal(tm_conn_compute(m, &o, &g), TM_OK);
			assert_ptr_equal(g->engine, engs[k]);
			char what[512];
			snprintf(what, sizeof what, "%s (variant %d)", path, variant);
			same_graph(what, base, g);
			tm_graph_free(g);
			ncompared++;
		}
		tm_graph_free(base);
		/* the model is read only */
		assert_int_equal(m->diags.n, ndiags);
		assert_int_equal(m->nworkloads, nw);
		for (size_t i = 0; i < m->nworkloads; i++)
			assert_int_equal(m->workloads[i]->index, i);
		for (size_t i = 0; i < m->npods; i++)
			assert_true(!m->pods[i]->owner || m->pods[i]->owner->index < m->nworkloads);
	}
	tm_model_free(m);
}

static int name_qcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* every entry of dir (only directories with dirs_only), sorted */
static void compare_dir(const char *dir, bool dirs_only)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	char **v = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		char *p = malloc(len);
		snprintf(p, len, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(p, &st) != 0 || (dirs_only && !S_ISDIR(st.st_mode))) {
			free(p);
			continue;
		}
		v = realloc(v, (n + 1) * sizeof *v);
		v[n++] = p;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof *v, name_qcmp);
	for (size_t i = 0; i < n; i++) {
		compare_path(v[i]);
		free(v[i]);
	}
	free(v);
}

static void test_engines_agree_e2e(void **state)
{
	(void)state;
	size_t before = ncompared;
	compare_dir("tests/e2e", true);
	/* the cases are there and were compared */
	assert_true(ncompared - before >= 50);
}

static void test_engines_agree_fixtures(void **state)
{
	(void)state;
	size_t before = ncompared;
	compare_dir("tests/fixtures", false);
	assert_true(ncompared - before >= 10);
	assert_true(nedges_seen > 0);
	assert_true(nexplained > 0);
}

static void test_engine_registry(void **state)
{
	(void)state;
	size_t n;
	const tm_engine *const *v = tm_engines(&n);
	assert_ptr_equal(tm_engine_find(""), v[0]);
	assert_non_null(tm_engine_find("reference"));
	assert_null(tm_engine_find("no-such-engine"));
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(tm_engine_find(v[i]->name), v[i]);
		assert_non_null(v[i]->compute);
		assert_non_null(v[i]->explain);
	}
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_registry),
		cmocka_unit_test(test_engines_agree_e2e),
		cmocka_unit_test(test_engines_agree_fixtures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
