/* test_jsonw.c - the JSON writer of render/jsonw.h: every escape, UTF-8 as
 * it is, strings longer than its buffer, numbers, and a write error that
 * tm_jsonw_close() reports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/jsonw.h"

/* what the writer must produce for n bytes: the escapes of docs/json.md,
 * one byte at a time */
static char *reference(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
	fclose(f);
	return buf;
}

typedef struct out {
	char *buf;
	size_t len;
	FILE *f;
	tm_jsonw *w;
} out;

static void out_open(out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	o->w = tm_jsonw_new(o->f);
	assert_non_null(o->w);
}

static void out_close(out *o)
{
	assert_int_equal(tm_jsonw_close(o->w), TM_OK);
	fclose(o->f);
}

static void check_str_n(const char *s, size_t n)
{
	out o;
	out_open(&o);
	tm_jsonw_str_n(o.w, s, n);
	out_close(&o);
	char *want = reference(s, n);
	if (o.len != strlen(want) || memcmp(o.buf, want, o.len)) {
		print_error("%zu bytes: got %.*s want %s\n", n, (int)o.len, o.buf, want);
		fail();
	}
	free(want);
	free(o.buf);
}

static void test_every_control_character(void **state)
{
	(void)state;
	char s[48];
	/* each byte below 0x20 (NUL included, with an explicit length), and the
	 * quote and backslash, at every position of strings up to 40 bytes */
	for (int c = 0; c < 0x20 + 2; c++) {
		char ch = (char)(c < 0x20 ? c : c == 0x20 ? '"' : '\\');
		for (size_t len = 1; len < 40; len++)
			for (size_t pos = 0; pos < len; pos++) {
				memset(s, 'a', len);
				s[pos] = ch;
				check_str_n(s, len);
			}
	}
	/* the short forms and the \u00xx forms, spelled out */
	out o;
	out_open(&o);
	tm_jsonw_str(o.w, "\"\\\n\r\t\x01\x1f\x7f/");
	out_close(&o);
	assert_int_equal(o.len, strlen("\"\\\"\\\\\\n\\r\\t\\u0001\\u001f\x7f/\""));
	assert_memory_equal(o.buf, "\"\\\"\\\\\\n\\r\\t\\u0001\\u001f\x7f/\"", o.len);
	free(o.buf);
	/* a NUL inside an explicit length is escaped, not an end */
	check_str_n("a\0b", 3);
}

static void test_utf8_and_neighbours(void **state)
{
	(void)state;
	static const char *const s[] = {
		"caf\xc3\xa9.shop.svc.cluster.local", "\xe2\x82\xac\xf0\x9f\x94\x92 \xff\xfe\x80",
		"\x7f\x20!#[]^_`{|}~ 0123456789abcdef", "!!!!!!!!!!!!!!!!!!!!!!!!!", "##########################",
		"]]]]]]]]]]]]]]]]]]]]]]]]]]", "[[[[[[[[[[[[[[[[[[[[[[[[[[[", "",
	};
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		check_str_n(s[i], strlen(s[i]));
	/* every byte from 0x20 up passes as it is */
	char all[256 - 0x20];
	for (int c = 0x20; c < 256; c++)
		all[c - 0x20] = (char)c;
	check_str_n(all, sizeof all);
	out o;
	out_open(&o);
	tm_jsonw_str(o.w, NULL);
	out_close(&o);
	assert_int_equal(o.len, 4);
	assert_memory_equal(o.buf, "null", 4);
	free(o.buf);
}

/* strings longer than the 64 KiB buffer, with and without escapes, after
 * a buffer that is already partly full */
static void test_longer_than_buffer(void **state)
{
	(void)state;
	size_t n = 3 * sizeof(((tm_jsonw *)0)->b) + 17;
	char *s = malloc(n);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	check_str_n(s, n);
	for (size_t i = 0; i < n; i += 4099)
		s[i] = i % 2 ? '\n' : '"';
	check_str_n(s, n);
	for (size_t i = 0; i < n; i++)
		s[i] = '\x02'; /* six bytes out per byte in */
	check_str_n(s, n);

	out o;
	out_open(&o);
	for (int i = 0; i < 1000; i++)
		TM_JSONW_LIT(o.w, "0123456789");
	tm_jsonw_str_n(o.w, s, n);
	tm_jsonw_raw(o.w, s, n);
	out_close(&o);
	char *want = reference(s, n);
	size_t wl = strlen(want);
	assert_int_equal(o.len, 10000 + wl + n);
	for (int i = 0; i < 1000; i++)
		assert_memory_equal(o.buf + 10 * i, "0123456789", 10);
	assert_memory_equal(o.buf + 10000, want, wl);
	assert_memory_equal(o.buf + 10000 + wl, s, n);
	free(want);
	free(o.buf);
	free(s);
}

static void test_numbers(void **state)
{
	(void)state;
	out o;
	out_open(&o);
	static const uint64_t u[] = {0, 9, 10, 99, 100, 101, 65535, 1000000, UINT64_MAX};
	for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
		tm_jsonw_u64(o.w, u[i]);
		TM_JSONW_LIT(o.w, " ");
	}
	static const int64_t v[] = {0, -1, 42, INT64_MIN, INT64_MAX};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		tm_jsonw_i64(o.w, v[i]);
		TM_JSONW_LIT(o.w, " ");
	}
	static const int64_t t[] = {0, 1, 999999, 1000000, 1700000000123456, -1, -1000000, -1500000};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		tm_jsonw_fixed6(o.w, t[i]);
		TM_JSONW_LIT(o.w, " ");
	}
	tm_jsonw_bool(o.w, true);
	tm_jsonw_bool(o.w, false);
	out_close(&o);
	assert_int_equal(o.len, strlen(o.buf));
	assert_string_equal(o.buf, "0 9 10 99 100 101 65535 1000000 18446744073709551615 "
				   "0 -1 42 -9223372036854775808 9223372036854775807 "
				   "0.000000 0.000001 0.999999 1.000000 1700000000.123456 -1.999999 -1.000000 -2.500000 "
				   "truefalse");
	free(o.buf);
}

/* a full disk: the error is reported, by the write that fails or at the end */
static void test_write_error(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	tm_jsonw *w = tm_jsonw_new(f);
	assert_non_null(w);
	TM_JSONW_LIT(w, "[");
	for (int i = 0; i < 20000; i++) /* past the buffer: written while rendering */
		tm_jsonw_str(w, "payments.shop.svc.cluster.local");
	assert_true(w->failed);
	assert_int_equal(tm_jsonw_close(w), TM_ERR_IO);
	fclose(f);

	/* a small output on an unbuffered stream fails at the close */
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	w = tm_jsonw_new(f);
	assert_non_null(w);
	TM_JSONW_LIT(w, "[]\n");
	assert_false(w->failed);
	assert_int_equal(tm_jsonw_close(w), TM_ERR_IO);
	fclose(f);
	assert_int_equal(tm_jsonw_close(NULL), TM_ERR_NOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_control_character),
		cmocka_unit_test(test_utf8_and_neighbours),
		cmocka_unit_test(test_longer_than_buffer),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
