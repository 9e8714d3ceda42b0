/* test_renderers.c - the renderer table of render/render.h: each subject's
 * formats list is its rows' names in table order, every row is found by its
 * own (subject, format), names are unique per subject, and an unknown
 * format (or a format of another subject) is NULL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "render/render.h"

static void test_formats_match_rows(void **state)
{
	(void)state;
	size_t n;
	const tm_renderer *r = tm_renderers(&n);
	assert_true(n > 0);
	for (int s = 0; s < TM_SUBJECT__COUNT; s++) {
		char list[256] = "";
		size_t rows = 0;
		for (size_t i = 0; i < n; i++) {
			if (r[i].subject != (tm_subject)s)
				continue;
			assert_non_null(r[i].render);
			assert_non_null(r[i].format);
			assert_null(strchr(r[i].format, '|'));
			if (rows++)
				strncat(list, "|", sizeof list - strlen(list) - 1);
			strncat(list, r[i].format, sizeof list - strlen(list) - 1);
			/* found by its own name: the first row of that name is this one */
			assert_ptr_equal(tm_renderer_find((tm_subject)s, r[i].format), &r[i]);
		}
		assert_true(rows > 0); /* every subject has a renderer */
		assert_string_equal(tm_renderer_formats((tm_subject)s), list);
		/* txt first, but for the subjects drawn (graph: svg) or handed on (report: html) */
		if (s == TM_SUBJECT_GRAPH)
			assert_string_equal(list, "svg|png|dot");
		else if (s == TM_SUBJECT_REPORT)
			assert_string_equal(list, "html|md");
		else
			assert_true(!strncmp(list, "txt|", 4));
	}
	/* rows are grouped by subject */
	for (size_t i = 1; i < n; i++)
		assert_true(r[i].subject >= r[i - 1].subject);
}

static void test_unknown(void **state)
{
	(void)state;
	static const char *const bad[] = {"", "TXT", "json ", "jso", "xml", "sarif2", "txt|json"};
	for (int s = 0; s < TM_SUBJECT__COUNT; s++) {
		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
			assert_null(tm_renderer_find((tm_subject)s, bad[i]));
		assert_null(tm_renderer_find((tm_subject)s, NULL));
	}
	/* a format of one subject is not another's */
	assert_non_null(tm_renderer_find(TM_SUBJECT_FINDINGS, "sarif"));
	assert_null(tm_renderer_find(TM_SUBJECT_CONN, "sarif"));
	assert_null(tm_renderer_find(TM_SUBJECT_FINDINGS, "png"));
	assert_null(tm_renderer_find(TM_SUBJECT_REACH, "csv"));
	assert_null(tm_renderer_find(TM_SUBJECT__COUNT, "txt"));
	assert_string_equal(tm_renderer_formats(TM_SUBJECT__COUNT), "");
}

static void test_binary(void **state)
{
	(void)state;
	size_t n;
	const tm_renderer *r = tm_renderers(&n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(r[i].binary, (r[i].subject == TM_SUBJECT_CONN || r[i].subject == TM_SUBJECT_GRAPH) &&
						      !strcmp(r[i].format, "png"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats_match_rows),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
