/* engine.c - the connectivity engines, by name, and what every graph has
 * whichever engine computed it.
 *
 * An engine is a tm_engine (conn.h): compute, explain, release, rows. The
 * default one decides IP ranges through interval tables per class and
 * computes rows on demand (engine_fast.c); "classes" groups workloads into
 * classes and prunes candidate pairs (graph_build.c), and is what the
 * default is compared with by the random-cluster test (tests/engines/); the
 * reference one evaluates every endpoint pair directly (engine_ref.c). A new engine is a file
 * with its tm_engine and one row below; tests/unit/test_engines.c then
 * compares it with the others on every fixture. */
#include "analyzer/engine_priv.h"

#include <stdlib.h>
#include <string.h>

static const tm_engine *const engines[] = {
	&tm_engine_fast,
	&tm_engine_classes,
	&tm_engine_reference,
};

const tm_engine *tm_engine_find(const char *name)
{
	if (!name || !*name)
		return engines[0];
	for (size_t i = 0; i < TM_ARRAY_LEN(engines); i++)
		if (!strcmp(engines[i]->name, name))
			return engines[i];
	return NULL;
}

const tm_engine *const *tm_engines(size_t *n)
{
	*n = TM_ARRAY_LEN(engines);
	return engines;
}

void tm_conn_opts_default(tm_conn_opts *o)
{
	memset(o, 0, sizeof *o);
}

tm_err tm_conn_compute(const tm_model *m, const tm_conn_opts *o, tm_graph **out)
{
	const tm_engine *en = o && o->engine ? o->engine : engines[0];
	*out = NULL;
	return en->compute(m, o, out);
}

bool tm_conn_has_rows(const tm_graph *g)
{
	return g->engine && g->engine->rows;
}

tm_err tm_conn_rows(tm_graph *g, const uint32_t *srcs, size_t n)
{
	if (!tm_conn_has_rows(g))
		return TM_OK;
	if (srcs)
		return g->engine->rows(g, srcs, n);
	uint32_t *all = tm_xrealloc(NULL, (g->neps + 1) * sizeof *all);
	for (size_t i = 0; i < g->neps; i++)
		all[i] = (uint32_t)i;
	tm_err e = g->engine->rows(g, all, g->neps);
	free(all);
	return e;
}

tm_err tm_conn_explain(const tm_graph *g, size_t src, size_t dst, tm_explain *ex)
{
	memset(ex, 0, sizeof *ex);
	if (!g->engine || !g->engine->explain)
		return TM_ERR_USAGE;
	return g->engine->explain(g, src, dst, ex);
}

void tm_explain_release(tm_explain *ex)
{
	free(ex->v);
	memset(ex, 0, sizeof *ex);
}

void tm_graph_free(tm_graph *g)
{
	if (!g)
		return;
	if (g->engine && g->engine->release)
		g->engine->release(g);
	free(g->shown);
	free(g->eps);
	free(g->edges);
	tm_strtab_release(&g->strs);
	tm_arena_release(&g->arena);
	free(g);
}
