/* test_yamlfast.c - the fast YAML subset scanner must produce exactly the
 * events libyaml produces (type, start mark, scalar value and plain-ness),
 * must accept the usual manifest shapes, and must decline what is outside
 * its subset (the caller then uses libyaml). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "ingest/manifest/yamlfast.h"
#include "model/base.h"

/* One event as text: "TYPE line:col [P|Q]value". */
static void ev_text(tm_buf *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		tm_buf_addf(b, "S %zu:%zu %c", (size_t)ev->start_mark.line, (size_t)ev->start_mark.column,
			    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? 'P' : 'Q');
		tm_buf_add(b, (const char *)ev->data.scalar.value, ev->data.scalar.length);
		break;
	case YAML_MAPPING_START_EVENT:
		tm_buf_addf(b, "M %zu:%zu", (size_t)ev->start_mark.line, (size_t)ev->start_mark.column);
		break;
	case YAML_SEQUENCE_START_EVENT:
		tm_buf_addf(b, "Q %zu:%zu", (size_t)ev->start_mark.line, (size_t)ev->start_mark.column);
		break;
	case YAML_MAPPING_END_EVENT: tm_buf_adds(b, "m"); break;
	case YAML_SEQUENCE_END_EVENT: tm_buf_adds(b, "q"); break;
	case YAML_DOCUMENT_START_EVENT: tm_buf_adds(b, "D"); break;
	case YAML_DOCUMENT_END_EVENT: tm_buf_adds(b, "d"); break;
	case YAML_STREAM_START_EVENT: tm_buf_adds(b, "<"); break;
	case YAML_STREAM_END_EVENT: tm_buf_adds(b, ">"); break;
	default: tm_buf_adds(b, "?"); break;
	}
	tm_buf_adds(b, "\n");
}

static int sink(void *arg, yaml_event_t *ev)
{
	ev_text(arg, ev);
	return 0;
}

/* libyaml's events, or false on a syntax error. */
static bool libyaml_events(const char *s, size_t n, tm_buf *b)
{
	yaml_parser_t p;
	yaml_event_t ev;
	bool ok = true;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)s, n);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			ok = false;
			break;
		}
		ev_text(b, &ev);
		bool end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	return ok;
}

/* 1: fast accepted and matches libyaml; 0: fast declined. Fails the test
 * when fast accepts what libyaml rejects or produces other events. */
static int check_one(const char *s, size_t n, const char *what)
{
	tm_buf a, b;
	tm_buf_init(&a, (size_t)1 << 30);
	tm_buf_init(&b, (size_t)1 << 30);
	bool lib_ok = libyaml_events(s, n, &a);
	bool fast_ok = tm_yaml_fast(s, n, sink, &b);
	if (fast_ok && (!lib_ok || strcmp(tm_buf_str(&a), tm_buf_str(&b)) != 0)) {
		fprintf(stderr, "%s: fast scanner differs from libyaml (libyaml %s)\n--- libyaml\n%s--- fast\n%s",
			what, lib_ok ? "ok" : "error", tm_buf_str(&a), tm_buf_str(&b));
		fail();
	}
	tm_buf_release(&a);
	tm_buf_release(&b);
	return fast_ok;
}

static int check_str(const char *s)
{
	return check_one(s, strlen(s), s);
}

static void test_accepted_shapes(void **state)
{
	(void)state;
	static const char *ok[] = {
		"a: 1\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    app: web\n",
		"a:\n- x\n- y\nb: 2\n",
		"a:\n  - x\n  - {k: v}\n",
		"spec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n      name: http\n",
		"a: {x: 1, y: [a, b, 'c d'], z: {}}\nb: []\n",
		"a: \"q\\\"uote\"\nb: 'it''s'\nc: plain text  # comment\n",
		"# head\n---\na: 1\n---\n# empty\n---\nb: 2\n",
		"a:\nb: 1\n",
		"a:   \n  # c\nb:\n",
		"- a\n- b: 1\n  c: 2\n- [x, y]\n",
		"key with spaces: v\nk2 : v2\n",
		"a: http://x:80/y\nb: -1\nc: x#y\nd: 10.0.0.0/8\n",
		"---\n",
		"",
		"# only a comment\n",
		"a: 1",
		"  a: 1\n  b: 2\n",
		"a: {name: http, containerPort: 8080, protocol: TCP}\n",
		"x: [\"a\", 'b', c]\n",
		"a: 1\r\nb:\r\n- x # c\r\n\r\n",
		"metadata:\n  annotations:\n    last-applied: |\n      {\"a\": 1}\n    other: x\nspec: {}\n",
		"a: |-\n  line one\n    indented # not a comment\n  three\nb: |\n  x\n# c\nc: 1\n",
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		if (!check_str(ok[i])) {
			fprintf(stderr, "declined: %s\n", ok[i]);
			fail();
		}
	}
}

static void test_declined_shapes(void **state)
{
	(void)state;
	static const char *no[] = {
		"a: &x 1\nb: *x\n",
		"a: !!str 1\n",
		"a: |+\n  text\n",
		"a: |2\n  text\n",
		"a: |\n\n  text\n",
		"a: |\n  text\n\n  more\n",
		"a: |\n  text",
		"a: |\nb: 1\n",
		"- |\n  text\n",
		"a: >\n  text\n",
		"a: b\n  continued\n",
		"a:\tb\n",
		"a: \"multi\n  line\"\n",
		"a: [x,\n  y]\n",
		"? complex\n: v\n",
		"a: b: c\n",
		"a: 1\n- b\n",
		"<<: {a: 1}\n",
		"a: caf\xc3\xa9\n",
		"a: 1\rb: 2\n",
		"%YAML 1.2\n---\na: 1\n",
		"a: 1\n...\n",
		"- - a\n",
		"-\n  a: 1\n",
		"--- a\n",
		"a: \"\\u0041\"\n",
		"a: {b}\n",
		"a: [b: c]\n",
		"a: {b: }\n",
		"a: [x, ]\n",
		"a: 1\n b: 2\n",
		"a:\n  - x\n  b: 1\n",
		"a: 1\nb\n",
		"a: [x] y\n",
		"\"k\": v\n",
	};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
		if (check_str(no[i])) {
			fprintf(stderr, "accepted: %s\n", no[i]);
			fail();
		}
	}
	/* libyaml rejects a simple key longer than 1024 characters (found by
	 * fuzz_yamlfast); a 1000-character key is fine for both */
	tm_buf k;
	tm_buf_init(&k, 0);
	for (int i = 0; i < 1100; i++)
		tm_buf_addc(&k, 'k');
	tm_buf_adds(&k, ": v\n");
	assert_int_equal(check_str(tm_buf_str(&k)), 0);
	tm_buf_reset(&k);
	tm_buf_adds(&k, "a: {");
	for (int i = 0; i < 1100; i++)
		tm_buf_addc(&k, 'k');
	tm_buf_adds(&k, ": v}\n");
	assert_int_equal(check_str(tm_buf_str(&k)), 0);
	tm_buf_reset(&k);
	for (int i = 0; i < 1000; i++)
		tm_buf_addc(&k, 'k');
	tm_buf_adds(&k, ": v\n");
	assert_int_equal(check_str(tm_buf_str(&k)), 1);
	tm_buf_release(&k);
}

/* Every YAML file of the samples and, when present, of the shared corpora:
 * whatever the fast scanner accepts must match libyaml event for event. */
static size_t files, accepted;

static void walk(const char *dir, unsigned depth)
{
	DIR *d = opendir(dir);
	if (!d || depth > 8) {
		if (d)
			closedir(d);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		size_t l = strlen(path);
		if (e->d_type == DT_DIR) {
			walk(path, depth + 1);
			continue;
		}
		if (!(l > 5 && !strcmp(path + l - 5, ".yaml")) && !(l > 4 && !strcmp(path + l - 4, ".yml")))
			continue;
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		tm_buf b;
		tm_buf_init(&b, (size_t)1 << 30);
		char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			tm_buf_add(&b, chunk, n);
		fclose(f);
		files++;
		accepted += (size_t)check_one(tm_buf_str(&b), b.len, path);
		tm_buf_release(&b);
	}
	closedir(d);
}

static void test_corpora(void **state)
{
	(void)state;
	walk("samples", 0);
	walk("tests", 0);
	walk("../shared/conformance", 0);
	fprintf(stderr, "yamlfast: %zu of %zu YAML files in the subset, all equal to libyaml\n", accepted, files);
	assert_true(files > 0);
	assert_true(accepted > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_shapes),
		cmocka_unit_test(test_declined_shapes),
		cmocka_unit_test(test_corpora),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
