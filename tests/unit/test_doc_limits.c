/* test_doc_limits.c - input limits of the document parser (docs/limits.md)
 * and the inputs that once took quadratic time (docs/security.md): each
 * must stop at its limit with TM_ERR_LIMIT and a position, or finish in
 * linear time. The time bounds are generous (seconds for work that takes
 * milliseconds) so that only a return of the quadratic code fails them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/ingest.h"

typedef struct fixture {
	tm_arena a;
	tm_strtab st;
	tm_docs d;
	tm_srcloc el;
	tm_buf err;
	tm_doc_limits lim;
} fixture;

static void fx_init(fixture *f)
{
	memset(f, 0, sizeof *f);
	tm_arena_init(&f->a);
	tm_strtab_init(&f->st, &f->a);
	tm_buf_init(&f->err, 0);
	tm_doc_limits_default(&f->lim);
}

static void fx_release(fixture *f)
{
	tm_buf_release(&f->err);
	tm_strtab_release(&f->st);
	tm_arena_release(&f->a);
}

static tm_err parse(fixture *f, const char *s, size_t n, bool json)
{
	memset(&f->d, 0, sizeof f->d);
	tm_buf_reset(&f->err);
	return tm_doc_parse(&f->a, &f->st, &f->lim, "f", s, n, json, &f->d, &f->el, &f->err);
}

static double cpu_seconds(clock_t since)
{
	return (double)(clock() - since) / CLOCKS_PER_SEC;
}

/* 64 MiB of '[' stops at the depth limit, at the 65th bracket. */
static void test_deep_brackets(void **state)
{
	(void)state;
	size_t n = (size_t)64 << 20;
	char *s = malloc(n);
	assert_non_null(s);
	memset(s, '[', n);
	for (int json = 0; json < 2; json++) {
		fixture f;
		fx_init(&f);
		assert_int_equal(parse(&f, s, n, json), TM_ERR_LIMIT);
		assert_non_null(strstr(tm_buf_str(&f.err), "nesting deeper than 64 levels (limit --max-depth)"));
		assert_int_equal(f.el.line, 1);
		assert_int_equal(f.el.col, 65);
		fx_release(&f);
	}
	free(s);
}

/* billion laughs: the alias limit, as TM_ERR_LIMIT */
static void test_alias_limit(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	tm_buf y;
	tm_buf_init(&y, 0);
	tm_buf_adds(&y, "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
	for (int i = 1; i < 9; i++) {
		tm_buf_addf(&y, "a%d: &a%d [", i, i);
		for (int k = 0; k < 10; k++)
			tm_buf_addf(&y, "%s*a%d", k ? "," : "", i - 1);
		tm_buf_adds(&y, "]\n");
	}
	clock_t t0 = clock();
	assert_int_equal(parse(&f, y.s, y.len, false), TM_ERR_LIMIT);
	assert_true(cpu_seconds(t0) < 2.0);
	assert_non_null(strstr(tm_buf_str(&f.err), "(limit --max-alias-nodes)"));
	assert_int_equal(f.el.line, 5); /* within a4 the expansion passes 100,000 */
	fx_release(&f);
	tm_buf_release(&y);
}

/* One map of 200,000 keys: duplicate detection was quadratic (8 minutes). */
static void test_many_keys_linear(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	tm_buf y;
	tm_buf_init(&y, 0);
	for (int i = 0; i < 200000; i++)
		tm_buf_addf(&y, "k%d: v\n", i);
	clock_t t0 = clock();
	assert_int_equal(parse(&f, y.s, y.len, false), TM_OK);
	assert_true(cpu_seconds(t0) < 10.0);
	assert_int_equal(f.d.n, 1);
	assert_int_equal(f.d.docs[0]->n, 200000);
	/* and a duplicate at the end of a large map is still found */
	tm_buf_adds(&y, "k17: again\n");
	assert_int_equal(parse(&f, y.s, y.len, false), TM_ERR_SYNTAX);
	assert_non_null(strstr(tm_buf_str(&f.err), "duplicate key \"k17\" (first at line 18)"));
	assert_int_equal(f.el.line, 200001);
	fx_release(&f);
	tm_buf_release(&y);
}

/* 99,000 aliases to 100,000 anchors: the alias lookup was a linear search. */
static void test_many_anchors_linear(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	tm_buf y;
	tm_buf_init(&y, 0);
	tm_buf_adds(&y, "a:\n");
	for (int i = 0; i < 100000; i++)
		tm_buf_addf(&y, "  - &a%d x%d\n", i, i);
	tm_buf_adds(&y, "b:\n");
	for (int i = 0; i < 99000; i++)
		tm_buf_addf(&y, "  - *a%d\n", i);
	clock_t t0 = clock();
	assert_int_equal(parse(&f, y.s, y.len, false), TM_OK);
	assert_true(cpu_seconds(t0) < 10.0);
	tm_node *b = tm_node_get(f.d.docs[0], "b");
	assert_non_null(b);
	assert_int_equal(b->n, 99000);
	assert_string_equal(b->items[98999]->str, "x98999");
	fx_release(&f);
	tm_buf_release(&y);
}

/* A merge of 40,000 keys into a map of 40,000: was quadratic; the map's own
 * keys win over merged ones. Anchors are per document, a later one shadows. */
static void test_big_merge_and_shadowing(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	tm_buf y;
	tm_buf_init(&y, 0);
	tm_buf_adds(&y, "a: &a\n");
	for (int i = 0; i < 40000; i++)
		tm_buf_addf(&y, "  k%d: base\n", i);
	tm_buf_adds(&y, "b:\n  <<: *a\n");
	for (int i = 0; i < 40000; i += 2)
		tm_buf_addf(&y, "  k%d: own\n", i);
	clock_t t0 = clock();
	assert_int_equal(parse(&f, y.s, y.len, false), TM_OK);
	assert_true(cpu_seconds(t0) < 10.0);
	tm_node *b = tm_node_get(f.d.docs[0], "b");
	assert_int_equal(b->n, 40000);
	assert_string_equal(tm_node_get(b, "k0")->str, "own");
	assert_string_equal(tm_node_get(b, "k1")->str, "base");
	assert_null(tm_node_get(b, "<<"));
	const char *sh = "x: &n one\ny: &n two\nz: *n\n---\nw: *n\n";
	assert_int_equal(parse(&f, sh, strlen(sh), false), TM_ERR_SYNTAX);
	assert_string_equal(tm_node_get(f.d.docs[0], "z")->str, "two");
	assert_non_null(strstr(tm_buf_str(&f.err), "unknown alias \"*n\""));
	assert_int_equal(f.el.line, 5);
	fx_release(&f);
	tm_buf_release(&y);
}

/* JSON: node and depth limits as the tree is built, with positions;
 * duplicate keys and NUL characters are errors in both syntaxes. */
static void test_json_limits_and_strings(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	f.lim.max_nodes = 100;
	tm_buf y;
	tm_buf_init(&y, 0);
	tm_buf_adds(&y, "[\n");
	for (int i = 0; i < 200; i++)
		tm_buf_addf(&y, "%d,\n", i);
	tm_buf_adds(&y, "0]\n");
	assert_int_equal(parse(&f, y.s, y.len, true), TM_ERR_LIMIT);
	assert_non_null(strstr(tm_buf_str(&f.err), "more than 100 nodes in one object (limit --max-nodes)"));
	assert_int_equal(f.el.line, 102);
	/* brackets inside strings do not count */
	const char *str = "{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}";
	assert_int_equal(parse(&f, str, strlen(str), true), TM_OK);
	const char *dup = "{\"a\": 1,\n \"a\": 2}";
	assert_int_equal(parse(&f, dup, strlen(dup), true), TM_ERR_SYNTAX);
	assert_non_null(strstr(tm_buf_str(&f.err), "duplicate key \"a\" (first at line 1)"));
	assert_int_equal(f.el.line, 2);
	const char *nul = "{\"a\": \"x\\u0000y\"}";
	assert_int_equal(parse(&f, nul, strlen(nul), true), TM_ERR_SYNTAX);
	assert_non_null(strstr(tm_buf_str(&f.err), "NUL character"));
	const char *ynul = "a: \"x\\0y\"\n";
	assert_int_equal(parse(&f, ynul, strlen(ynul), false), TM_ERR_SYNTAX);
	assert_non_null(strstr(tm_buf_str(&f.err), "NUL character"));
	fx_release(&f);
	tm_buf_release(&y);
}

/* ---- streaming (tm_doc_read) ---- */
typedef struct seen {
	size_t objs, items, nulls_managed, status_keys;
	const char *last_kind;
	tm_strtab *st;
} seen;

static void seen_fn(void *arg, const tm_node *obj, const char *list_kind)
{
	seen *s = arg;
	s->objs++;
	if (list_kind) {
		s->items++;
		s->last_kind = list_kind;
	}
	const tm_node *meta = tm_node_get(obj, "metadata");
	const tm_node *mf = tm_node_get(meta, "managedFields");
	if (mf && tm_node_is_null(mf))
		s->nulls_managed++;
	const tm_node *st = tm_node_get(obj, "status");
	for (size_t i = 0; st && st->kind == TM_NODE_MAP && i < st->n; i++)
		s->status_keys += !tm_node_is_null(st->pairs[i].val);
}

static tm_err sread(fixture *f, seen *s, const char *txt, size_t n, bool json)
{
	memset(s, 0, sizeof *s);
	tm_buf_reset(&f->err);
	tm_doc_reader r;
	memset(&r, 0, sizeof r);
	r.st = &f->st;
	r.lim = &f->lim;
	r.file = "f";
	r.fn = seen_fn;
	r.arg = s;
	return tm_doc_read(&r, txt, n, json, &f->el, &f->err);
}

/* A List of 20,000 items, "kind" after "items" (as kubectl sorts keys):
 * each item is handed over alone, and --max-nodes holds per item, not
 * per file; managedFields and most of status are not built. */
static void test_stream_list(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	f.lim.max_nodes = 200;
	for (int json = 0; json < 2; json++) {
		tm_buf y;
		tm_buf_init(&y, 0);
		if (json)
			tm_buf_adds(&y, "{\"apiVersion\": \"v1\", \"items\": [\n");
		else
			tm_buf_adds(&y, "apiVersion: v1\nitems:\n");
		for (int i = 0; i < 20000; i++) {
			if (json)
				tm_buf_addf(&y, "%s{\"kind\": \"Pod\", \"metadata\": {\"name\": \"p%d\", \"managedFields\": "
					    "[{\"manager\": \"kubectl\", \"fieldsV1\": {\"f:a\": {}, \"f:b\": {}}}]},"
					    " \"status\": {\"phase\": \"Running\", \"podIP\": \"10.0.0.1\", "
					    "\"conditions\": [{\"type\": \"Ready\"}]}}\n", i ? "," : "", i);
			else
				tm_buf_addf(&y, "- kind: Pod\n  metadata:\n    name: p%d\n    managedFields:\n"
					    "    - manager: kubectl\n      fieldsV1:\n        f:a: {}\n        f:b: {}\n"
					    "  status:\n    phase: Running\n    podIP: 10.0.0.1\n    conditions:\n"
					    "    - type: Ready\n", i);
		}
		tm_buf_adds(&y, json ? "], \"kind\": \"List\", \"metadata\": {\"resourceVersion\": \"\"}}\n"
				     : "kind: List\nmetadata:\n  resourceVersion: \"\"\n");
		seen s;
		assert_int_equal(sread(&f, &s, y.s, y.len, json), TM_OK);
		assert_int_equal(s.items, 20000);
		assert_int_equal(s.objs, 20001); /* and the List around them */
		assert_string_equal(s.last_kind, "List");
		assert_int_equal(s.nulls_managed, 20000);
		assert_int_equal(s.status_keys, 2 * 20000); /* phase, podIP; conditions skipped */
		/* a duplicate key inside a skipped field is still an error */
		const char *dup = json ? "{\"kind\": \"Pod\", \"metadata\": {\"managedFields\": [{\"a\": 1,\n \"a\": 2}]}}"
				       : "kind: Pod\nmetadata:\n  managedFields:\n  - a: 1\n    a: 2\n";
		assert_int_equal(sread(&f, &s, dup, strlen(dup), json), TM_ERR_SYNTAX);
		assert_non_null(strstr(tm_buf_str(&f.err), "duplicate key \"a\""));
		assert_int_equal(f.el.line, json ? 2 : 5);
		/* one item over the node limit */
		tm_buf_reset(&y);
		tm_buf_adds(&y, json ? "{\"kind\": \"List\", \"items\": [{\"kind\": \"Pod\", \"a\": ["
				     : "kind: List\nitems:\n- kind: Pod\n  a:\n");
		for (int i = 0; i < 300; i++) {
			if (json)
				tm_buf_addf(&y, "%s%d", i ? "," : "", i);
			else
				tm_buf_addf(&y, "  - %d\n", i);
		}
		tm_buf_adds(&y, json ? "]}]}" : "");
		assert_int_equal(sread(&f, &s, y.s, y.len, json), TM_ERR_LIMIT);
		assert_non_null(strstr(tm_buf_str(&f.err), "more than 200 nodes in one object (limit --max-nodes)"));
		tm_buf_release(&y);
	}
	/* "items" of an object that is not a List are not objects */
	const char *notlist = "items:\n- kind: Pod\n  metadata: {name: a}\nkind: Thing\n";
	seen s;
	assert_int_equal(sread(&f, &s, notlist, strlen(notlist), false), TM_OK);
	assert_int_equal(s.objs, 1);
	assert_int_equal(s.items, 0);
	fx_release(&f);
}

/* Alias expansion is bounded relative to the text: a large file may
 * expand as many nodes as it holds, a small one at most --max-alias-nodes. */
static void test_alias_relative(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	f.lim.max_alias_nodes = 1000;
	tm_buf y;
	tm_buf_init(&y, 0);
	tm_buf_adds(&y, "base: &b {");
	for (int i = 0; i < 100; i++)
		tm_buf_addf(&y, "%sk%d: v", i ? ", " : "", i);
	tm_buf_adds(&y, "}\nfill:\n");
	for (int i = 0; i < 5000; i++)
		tm_buf_addf(&y, "- x%d\n", i);
	tm_buf_adds(&y, "uses: [");
	for (int i = 0; i < 20; i++) /* 20 x 201 nodes, under the 5,200 of the text */
		tm_buf_addf(&y, "%s*b", i ? ", " : "");
	tm_buf_adds(&y, "]\n");
	assert_int_equal(parse(&f, y.s, y.len, false), TM_OK);
	/* past the text's size: stopped */
	y.len -= 2;
	for (int i = 0; i < 40; i++)
		tm_buf_adds(&y, ", *b");
	tm_buf_adds(&y, "]\n");
	assert_int_equal(parse(&f, y.s, y.len, false), TM_ERR_LIMIT);
	assert_non_null(strstr(tm_buf_str(&f.err), "as many as the text holds so far"));
	fx_release(&f);
	tm_buf_release(&y);
}

/* YAML reader errors carry the position of the bad byte. */
static void test_yaml_reader_error_position(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	const char *bad = "a: 1\nb: caf\xe9!\n";
	assert_int_equal(parse(&f, bad, strlen(bad), false), TM_ERR_SYNTAX);
	assert_int_equal(f.el.line, 2);
	assert_int_equal(f.el.col, 7);
	assert_non_null(strstr(tm_buf_str(&f.err), "not valid UTF-8: byte 0xE9 at offset 11"));
	const char *tab = "a:\n\tb: 1\n";
	assert_int_equal(parse(&f, tab, strlen(tab), false), TM_ERR_SYNTAX);
	assert_non_null(strstr(tm_buf_str(&f.err), "a tab"));
	fx_release(&f);
}

/* Rules of a policy that fails later are released (LeakSanitizer), and a
 * bare "-" as the last rule is kept (it allows everything). */
static void test_failed_policy_releases_ipblocks(void **state)
{
	(void)state;
	const char *y =
		"kind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  podSelector: {}\n"
		"  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n"
		"  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]\n";
	tm_model *m = tm_model_new();
	tm_load_opts o;
	tm_load_opts_default(&o);
	assert_int_equal(tm_load_buffer(m, "f", y, strlen(y), false, &o), TM_ERR_INVALID);
	assert_int_equal(m->nnetpols, 0);
	tm_model_free(m);
	const char *bare = "kind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  podSelector: {}\n"
			   "  ingress:\n  - from: [{podSelector: {}}]\n  -\n";
	m = tm_model_new();
	assert_int_equal(tm_load_buffer(m, "f", bare, strlen(bare), false, &o), TM_OK);
	assert_int_equal(m->nnetpols, 1);
	assert_int_equal(m->netpols[0]->nin, 2);
	assert_true(m->netpols[0]->in_rules[1].all_peers);
	assert_true(m->netpols[0]->in_rules[1].all_ports);
	tm_model_free(m);
}

/* A file of made-up kinds: counted, at most 1,024 by name, in linear time. */
static void test_many_unknown_kinds(void **state)
{
	(void)state;
	tm_buf y;
	tm_buf_init(&y, 0);
	for (int i = 0; i < 2000; i++)
		tm_buf_addf(&y, "---\nkind: K%d\nmetadata: {name: x}\n", i);
	tm_model *m = tm_model_new();
	tm_load_opts o;
	tm_load_opts_default(&o);
	assert_int_equal(tm_load_buffer(m, "f", y.s, y.len, false, &o), TM_OK);
	assert_int_equal(m->nignored, 1025);
	size_t total = 0, other = 0;
	for (size_t i = 0; i < m->nignored; i++) {
		total += m->ignored[i].count;
		if (!strcmp(m->ignored[i].kind, "(other kinds)"))
			other = m->ignored[i].count;
	}
	assert_int_equal(total, 2000);
	assert_int_equal(other, 2000 - 1024);
	tm_model_free(m);
	tm_buf_release(&y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep_brackets),
		cmocka_unit_test(test_alias_limit),
		cmocka_unit_test(test_many_keys_linear),
		cmocka_unit_test(test_many_anchors_linear),
		cmocka_unit_test(test_big_merge_and_shadowing),
		cmocka_unit_test(test_json_limits_and_strings),
		cmocka_unit_test(test_stream_list),
		cmocka_unit_test(test_alias_relative),
		cmocka_unit_test(test_yaml_reader_error_position),
		cmocka_unit_test(test_failed_policy_releases_ipblocks),
		cmocka_unit_test(test_many_unknown_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
