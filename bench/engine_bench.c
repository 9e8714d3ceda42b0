/* engine_bench.c - the connectivity engines and the conn writers alone (no
 * ingest): loads a cluster once, then
 *   - what the cluster holds: pods, workloads, policies, distinct IP ranges
 *     of ingress and egress ipBlocks;
 *   - what is done after ingest before an unknown SRC is refused;
 *   - per engine (the default, and "classes" unless -q): CPU seconds of
 *     tm_conn_compute (every edge), classes, endpoints, IP atoms, edges;
 *   - per line format (txt, json, csv, md): CPU seconds writing the graph to
 *     /dev/null, bytes, MB/s;
 * each timing the best of 3. Used by bench/cluster_bench.sh; the figures
 * are in docs/benchmarks.md and docs/scale.md.
 *   engine_bench [-q] DIR */
#include "ingest/ingest.h"
#include "analyzer/conn.h"
#include "render/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int range_qcmp(const void *a, const void *b)
{
	const tm_iprange *x = a, *y = b;
	int c = tm_ip_cmp(x->lo, y->lo);
	return c ? c : tm_ip_cmp(x->hi, y->hi);
}

/* distinct ranges of the ipBlocks of one direction's rules */
static size_t distinct_ranges(const tm_model *m, bool ingress)
{
	tm_iprange *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *p = m->netpols[i];
		const tm_rule *rs = ingress ? p->in_rules : p->eg_rules;
		size_t nr = ingress ? p->nin : p->neg;
		for (size_t j = 0; j < nr; j++)
			for (size_t k = 0; k < rs[j].npeers; k++)
				for (size_t q = 0; rs[j].peers[k].kind == TM_PEER_IPBLOCK && q < rs[j].peers[k].ips.n; q++) {
					TM_HEAP_GROW(v, n, cap);
					v[n++] = rs[j].peers[k].ips.r[q];
				}
	}
	if (n > 1)
		qsort(v, n, sizeof *v, range_qcmp);
	size_t d = 0;
	for (size_t i = 0; i < n; i++)
		if (!i || range_qcmp(&v[i], &v[i - 1]))
			d++;
	free(v);
	return d;
}

int main(int argc, char **argv)
{
	bool quick = argc == 3 && !strcmp(argv[1], "-q");
	if (argc != 2 && !quick) {
		fprintf(stderr, "usage: engine_bench [-q] DIR\n");
		return 2;
	}
	const char *dir = argv[argc - 1];
	tm_model *m = tm_model_new();
	tm_load_opts lo;
	tm_load_opts_default(&lo);
	if (tm_load_path(m, dir, &lo) != TM_OK) {
		fprintf(stderr, "engine_bench: cannot load %s\n", dir);
		return 2;
	}
	tm_load_finish(m, &lo);
	printf("cluster %s: %zu pods, %zu workloads, %zu NetworkPolicies, %zu distinct ingress ipBlock ranges, "
	       "%zu distinct egress ipBlock ranges\n", dir, m->npods, m->nworkloads, m->nnetpols,
	       distinct_ranges(m, true), distinct_ranges(m, false));
	{
		/* what the pipeline does after ingest before it refuses an unknown
		 * SRC: endpoints without edges, the ingress controller's row, the
		 * name resolved (pipeline/pipeline.c) */
		double best = 1e9;
		for (int r = 0; r < 3; r++) {
			double t0 = cpu_now();
			tm_conn_opts co;
			tm_conn_opts_default(&co);
			co.defer_edges = true;
			tm_graph *g;
			if (tm_conn_compute(m, &co, &g) != TM_OK)
				return 2;
			for (size_t i = 0; i < g->neps; i++)
				if (g->eps[i].kind == TM_EP_INGRESS) {
					uint32_t ic = (uint32_t)i;
					tm_conn_rows(g, &ic, 1);
				}
			tm_buf err;
			tm_buf_init(&err, 0);
			long src = tm_graph_resolve_one(g, "no-such-workload", TM_SIDE_SRC, &err);
			double t = cpu_now() - t0;
			best = t < best ? t : best;
			tm_buf_release(&err);
			tm_graph_free(g);
			if (src != -1)
				return 2;
		}
		printf("refusing an unknown SRC after ingest: %.3f s CPU\n", best);
	}
	const char *engines[] = {NULL, "classes"};
	tm_graph *keep = NULL;
	for (size_t k = 0; k < (quick ? 1u : 2u); k++) {
		tm_conn_opts co;
		tm_conn_opts_default(&co);
		co.engine = tm_engine_find(engines[k]);
		double best = 1e9;
		tm_graph *g = NULL;
		for (int r = 0; r < 3; r++) {
			tm_graph_free(g);
			double t0 = cpu_now();
			if (tm_conn_compute(m, &co, &g) != TM_OK)
				return 2;
			double t = cpu_now() - t0;
			best = t < best ? t : best;
		}
		size_t ns = 0, nd = 0;
		for (size_t i = 0; i < g->neps; i++)
			if (g->eps[i].kind == TM_EP_IPRANGE)
				*(g->eps[i].is_src_atom ? &ns : &nd) += 1;
		printf("engine %s: %.3f s CPU, %zu classes, %zu endpoints (%zu source and %zu destination IP ranges), "
		       "%zu edges\n", g->engine->name, best, g->nclasses, g->neps, ns, nd, g->nedges);
		if (k == 0)
			keep = g;
		else
			tm_graph_free(g);
	}
	const char *fmts[] = {"txt", "json", "csv", "md"};
	for (size_t f = 0; f < 4; f++) {
		const tm_renderer *rd = tm_renderer_find(TM_SUBJECT_CONN, fmts[f]);
		tm_render_in in;
		memset(&in, 0, sizeof in);
		in.m = m;
		in.g = keep;
		double best = 1e9;
		for (int r = 0; r < 3; r++) {
			FILE *out = fopen("/dev/null", "w");
			if (!out)
				return 2;
			double t0 = cpu_now();
			rd->render(&in, out);
			fflush(out);
			double t = cpu_now() - t0;
			best = t < best ? t : best;
			fclose(out);
		}
		char *mem = NULL;
		size_t len = 0;
		FILE *ms = open_memstream(&mem, &len);
		if (ms) {
			rd->render(&in, ms);
			fclose(ms);
			free(mem);
		}
		printf("write %s: %zu bytes, %.3f s CPU, %.0f MB/s\n", fmts[f], len, best, (double)len / best / 1e6);
	}
	tm_graph_free(keep);
	tm_model_free(m);
	return 0;
}
