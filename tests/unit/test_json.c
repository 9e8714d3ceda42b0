/* test_json.c - the JSON reader (ingest/manifest/json.c) against jansson on
 * fixed inputs: corner cases of the grammar and of strings, numbers and
 * escapes, and every JSON file of the tree (tests/bad, tests/fixtures,
 * samples). Accept/reject and the values read must agree (jsondiff.h);
 * positions of values and errors are checked where jansson had none. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/jsondiff.h"

static const char *const cases[] = {
	"", " ", "{}", "[]", "1", "-0", "0.5", "1e5", "1E+5", "-1.25e-3", "01", "-", "1.", ".5", "1e", "+1",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
	"1e308", "1e309", "-1e400", "1e-400", "true", "false", "null", "truex", "true1", "nul", "[1,]", "[,1]",
	"{\"a\":1,}", "{\"a\" 1}", "{\"a\":}", "{1:2}", "{\"a\":1 \"b\":2}", "[1 2]", "[1]]", "{}}", "{} {}",
	"1 2 3", "[1][2]", "\"abc", "\"a\\\"b\"", "\"\\u00e9\"", "\"\\uD83D\\uDE00\"", "\"\\uD83D\"",
	"\"\\uDE00\"", "\"\\uD83Dx\"", "\"\\u12\"", "\"\\x\"", "\"\\u0000\"", "\"a\tb\"", "\"\xc3\xa9\"",
	"\"\xc3\"", "\"\xe0\x80\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\xff", "{\"a\":1,\"a\":2}",
	"{\"a\":{\"b\":1,\"b\":2}}", "[[[[[[[[[[]]]]]]]]]]", "[\"\\/\\b\\f\\n\\r\\t\"]", "  \n\t\r{\"k\" : [ ] }  ",
	"{\"<<\": {\"a\": 1}, \"a\": 2}", "{\"<<\": 1, \"<<\": 2}", "[1.0, 2.50, -0.0, 1e2]", "\"\\u0041\\u00DF\"",
	"{\"items\": [{\"kind\": \"Pod\"}], \"kind\": \"List\"}",
};

static void test_cases(void **state)
{
	(void)state;
	char why[512];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int d = jsondiff(cases[i], strlen(cases[i]), why, sizeof why);
		if (d)
			fail_msg("case %zu (%s): %s", i, cases[i], why);
	}
}

static void diff_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	char *b = NULL;
	size_t n = 0, cap = 0, got;
	char chunk[65536];
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (n + got > cap) {
			cap = (n + got) * 2;
			b = realloc(b, cap);
		}
		memcpy(b + n, chunk, got);
		n += got;
	}
	fclose(f);
	char why[512];
	if (jsondiff(b ? b : "", n, why, sizeof why))
		fail_msg("%s: %s", path, why);
	free(b);
}

static void diff_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".json")) {
			char p[1024];
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			diff_file(p);
		}
	}
	closedir(d);
}

static void test_files(void **state)
{
	(void)state;
	diff_dir("tests/bad");
	diff_dir("tests/fixtures");
	diff_dir("samples");
	diff_dir("tests/fuzz/corpus/fuzz_json");
}

/* positions of values and keys, and of errors (line:column, 1-based,
 * columns in characters) */
static void test_positions(void **state)
{
	(void)state;
	tm_arena a;
	tm_strtab st;
	tm_docs d = {0};
	tm_srcloc el;
	tm_buf err;
	tm_arena_init(&a);
	tm_strtab_init(&st, &a);
	tm_buf_init(&err, 0);
	const char *j = "{\"k\": [1,\n  \"\xc3\xa9\xc3\xa9\", {\"x\": null}]}";
	assert_int_equal(tm_doc_parse(&a, &st, NULL, "f", j, strlen(j), true, &d, &el, &err), TM_OK);
	const tm_node *k = tm_node_get(d.docs[0], "k");
	assert_int_equal(k->loc.line, 1);
	assert_int_equal(k->loc.col, 7);
	assert_int_equal(k->items[1]->loc.line, 2);
	assert_int_equal(k->items[1]->loc.col, 3);
	assert_int_equal(k->items[2]->loc.col, 9); /* after two 2-byte characters */
	assert_int_equal(k->items[2]->pairs[0].key->loc.col, 10);
	const char *bad = "{\"a\": \"\xc3\xa9\",\n \"b\": [1, 2 x]}";
	memset(&d, 0, sizeof d);
	assert_int_equal(tm_doc_parse(&a, &st, NULL, "f", bad, strlen(bad), true, &d, &el, &err), TM_ERR_SYNTAX);
	assert_int_equal(el.line, 2);
	assert_int_equal(el.col, 13);
	assert_non_null(strstr(tm_buf_str(&err), "',' or ']' expected near 'x'"));
	tm_buf_release(&err);
	tm_strtab_release(&st);
	tm_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
