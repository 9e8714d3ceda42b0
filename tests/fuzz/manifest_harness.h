/* manifest_harness.h - the body shared by fuzz_yaml.c and fuzz_json.c.
 *
 * One input is run through what a user's `trustmap conn` does with a
 * manifest file: tm_doc_parse (document tree, with its invariants checked
 * here), then tm_load_buffer (the streaming reader: List items one at a
 * time, unread fields skipped) + tm_load_finish into a model, then, when the
 * input was accepted, tm_conn_compute, one explanation and the renderers
 * (written to /dev/null), and the mesh posture when mesh objects were
 * read; the inventory's mesh census (analyzer/mesh_census.h) whenever the
 * model holds mesh facts, accepted or not, as `trustmap inventory
 * --skip-invalid` would show it. Everything is freed, so LeakSanitizer reports any
 * leak. The input is the exact-size buffer libFuzzer hands over: it is not
 * NUL-terminated, so AddressSanitizer sees any read past its end. */
#ifndef TM_FUZZ_MANIFEST_HARNESS_H
#define TM_FUZZ_MANIFEST_HARNESS_H

#include "model/model.h"
#include "ingest/ingest.h"
#include "analyzer/conn.h"
#include "analyzer/mesh.h"
#include "analyzer/mesh_census.h"
#include "model/mesh.h"
#include "render/render.h"

#include <stdlib.h>
#include <string.h>

/* Count the nodes of a tree as a walk sees them (aliases expanded) and check
 * the shape tm_doc_parse promises. Aborts on a broken invariant, which
 * libFuzzer reports as a crash. */
static size_t fuzz_walk(const tm_node *n, unsigned depth, const tm_doc_limits *lim, size_t budget)
{
	if (!n || depth > lim->max_depth + 1)
		abort();
	size_t seen = 1;
	switch (n->kind) {
	case TM_NODE_SCALAR:
		/* NUL characters are rejected, so the text is exactly a C string */
		if (!n->str || strlen(n->str) != n->len)
			abort();
		break;
	case TM_NODE_MAP:
		for (size_t i = 0; i < n->n && seen <= budget; i++) {
			if (!n->pairs[i].key || !n->pairs[i].val)
				abort();
			seen += fuzz_walk(n->pairs[i].key, depth + 1, lim, budget - seen);
			seen += fuzz_walk(n->pairs[i].val, depth + 1, lim, budget - seen);
		}
		break;
	case TM_NODE_SEQ:
		for (size_t i = 0; i < n->n && seen <= budget; i++)
			seen += fuzz_walk(n->items[i], depth + 1, lim, budget - seen);
		break;
	default:
		abort();
	}
	return seen;
}

static void fuzz_docs(const char *data, size_t size, bool is_json, const tm_doc_limits *lim)
{
	tm_arena a;
	tm_strtab st;
	tm_docs docs = {0};
	tm_srcloc eloc;
	tm_buf emsg;
	tm_arena_init(&a);
	tm_strtab_init(&st, &a);
	tm_buf_init(&emsg, 64 * 1024);
	const char *file = tm_intern(&st, is_json ? "fuzz.json" : "fuzz.yaml");
	tm_err rc = tm_doc_parse(&a, &st, lim, file, data, size, is_json, &docs, &eloc, &emsg);
	if (rc != TM_OK && emsg.len == 0)
		abort(); /* every failure carries a message */
	if (rc != TM_OK && eloc.file != file)
		abort();
	/* the alias limit bounds what a walk of the trees can visit: the nodes
	 * of the text (at most a few per byte) plus alias expansion (at most the
	 * alias limit or the text's nodes, whichever is larger), plus the keys
	 * the limits do not count */
	size_t text = 4 * size + 16;
	size_t budget = 2 * (text + (text > lim->max_alias_nodes ? text : lim->max_alias_nodes)) + 16;
	size_t total = 0;
	for (size_t i = 0; i < docs.n; i++) {
		total += fuzz_walk(docs.docs[i], 0, lim, budget);
		if (total > budget)
			abort();
	}
	tm_buf_release(&emsg);
	tm_strtab_release(&st);
	tm_arena_release(&a);
}

static tm_err fuzz_model(const char *data, size_t size, bool is_json, const tm_load_opts *o)
{
	tm_model *m = tm_model_new();
	tm_graph *g = NULL;
	tm_err rc = tm_load_buffer(m, is_json ? "fuzz.json" : "fuzz.yaml", data, size, is_json, o);
	tm_load_finish(m, o);
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		tm_diags_print(&m->diags, null, TM_DIAG_INFO);
		tm_render_inventory_txt(&(tm_render_in){.m = m}, null);
	}
	/* the census, with and without the options that change enrolment */
	if (tm_mesh_present(m)) {
		tm_mesh_opts co;
		tm_mesh_opts_default(&co);
		for (int pass = 0; pass < 2; pass++) {
			tm_mesh_census *mc = NULL;
			if (tm_mesh_census_compute(m, &co, &mc) == TM_OK && mc && null) {
				tm_render_inventory_txt(&(tm_render_in){.m = m, .census = mc}, null);
				tm_render_inventory_json(&(tm_render_in){.m = m, .census = mc}, null);
			}
			tm_mesh_census_free(mc);
			co.istio_ambient = TM_TRI_YES;
			co.istio_ns_by_default = TM_TRI_YES;
			co.istio_inject_enabled = TM_TRI_NO;
			co.istio_root_ns = "default";
		}
	}
	if (rc == TM_OK) {
		tm_conn_opts co;
		tm_conn_opts_default(&co);
		if (tm_conn_compute(m, &co, &g) == TM_OK && g) {
			if (null) {
				tm_render_conn_txt(&(tm_render_in){.g = g}, null);
				tm_render_conn_json(&(tm_render_in){.g = g}, null);
			}
			/* the mesh posture (conn --show-mtls): the Istio and Linkerd
			 * objects just read, VirtualService routing included */
			tm_mesh_result *mr = NULL;
			tm_mesh_opts mo;
			tm_mesh_opts_default(&mo);
			if (tm_mesh_present(m) && tm_mesh_compute(g, &mo, &mr) == TM_OK && mr && null) {
				tm_render_conn_txt(&(tm_render_in){.g = g, .mesh = mr}, null);
				tm_render_conn_json(&(tm_render_in){.g = g, .mesh = mr}, null);
			}
			tm_mesh_result_free(mr);
			if (g->neps >= 2) {
				tm_explain ex;
				memset(&ex, 0, sizeof ex);
				if (tm_conn_explain(g, 0, g->neps - 1, &ex) == TM_OK && null)
					tm_render_explain_txt(&(tm_render_in){.g = g, .explain = &ex, .src = 0, .dst = g->neps - 1}, null);
				tm_explain_release(&ex);
			}
		}
	}
	if (null)
		fclose(null);
	tm_graph_free(g);
	tm_model_free(m);
	return rc;
}

static int fuzz_manifest(const uint8_t *data, size_t size, bool is_json)
{
	tm_load_opts o;
	tm_load_opts_default(&o);
	/* smaller than the defaults so that one input stays fast; the limits
	 * themselves are what is being exercised */
	o.limits.max_nodes = 200000;
	o.limits.max_alias_nodes = 20000;
	fuzz_docs((const char *)data, size, is_json, &o.limits);
	/* --skip-invalid changes nothing for an input that loads cleanly */
	if (fuzz_model((const char *)data, size, is_json, &o) != TM_OK) {
		o.skip_invalid = true;
		fuzz_model((const char *)data, size, is_json, &o);
	}
	return 0;
}

#endif
