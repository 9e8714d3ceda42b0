/* test_flows_render.c - `trustmap flows --format json` writes through the
 * JSON writer (render/jsonw.h) with its 8-bytes-at-a-time escape scan: every
 * string must come out exactly as the byte-at-a-time escaper below (the
 * escapes of docs/json.md) writes it, whatever the position of the byte that
 * needs escaping, and records that cross the buffer's edge must come out
 * whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/flow.h"
#include "render/flows.h"
#include "render/render.h"

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
	fclose(f);
	return buf;
}

static char *render(const tm_flowset *fs)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	assert_int_equal(tm_render_flows_json(fs, f), TM_OK);
	fclose(f);
	return buf;
}

static tm_flowset *one_tls_flow(const char *sni)
{
	tm_flowset *fs = tm_flowset_new();
	assert_non_null(fs);
	fs->flows = calloc(1, sizeof *fs->flows);
	assert_non_null(fs->flows);
	fs->nflows = fs->capflows = 1;
	tm_flow *f = &fs->flows[0];
	f->family = 4;
	f->proto = 6;
	f->app = TM_APP_TLS;
	f->tls = tm_arena_alloc(&fs->arena, sizeof *f->tls);
	f->tls->cipher = -1;
	f->tls->sni = tm_arena_strndup(&fs->arena, sni, strlen(sni));
	return fs;
}

/* the SNI line of the rendered record */
static void check_sni(const char *sni)
{
	tm_flowset *fs = one_tls_flow(sni);
	char *out = render(fs);
	char *want = json_of(sni);
	const char *k = strstr(out, "\"sni\": ");
	assert_non_null(k);
	k += strlen("\"sni\": ");
	size_t wl = strlen(want);
	if (strncmp(k, want, wl) || strncmp(k + wl, ",\n", 2)) {
		print_error("sni %zu bytes: got %.*s want %s\n", strlen(sni), (int)(wl + 2), k, want);
		fail();
	}
	free(want);
	free(out);
	tm_flowset_free(fs);
}

static void test_escape_every_position(void **state)
{
	(void)state;
	static const char specials[] = {'"', '\\', '\n', '\t', 0x01, 0x1f};
	char s[64];
	for (size_t len = 1; len < 40; len++) {
		for (size_t pos = 0; pos < len; pos++) {
			for (size_t k = 0; k < sizeof specials; k++) {
				memset(s, 'a', len);
				s[len] = 0;
				s[pos] = specials[k];
				check_sni(s);
			}
		}
	}
	/* bytes >= 0x80 (UTF-8) and the bytes around the specials pass as they are */
	check_sni("caf\xc3\xa9.shop.svc.cluster.local");
	check_sni("\x7f\x20!#[]^_`{|}~ 0123456789abcdef");
	check_sni("!!!!!!!!!!!!!!!!!!!!!!!!!");   /* 0x21, just below '"' */
	check_sni("##########################");  /* 0x23, just above '"' */
	check_sni("]]]]]]]]]]]]]]]]]]]]]]]]]]");  /* 0x5d, just above the backslash */
	check_sni("[[[[[[[[[[[[[[[[[[[[[[[[[[["); /* 0x5b, just below it */
}

/* records that straddle the 64 KiB buffer come out whole: the output of
 * n identical flows is n copies of one record */
static void test_many_records(void **state)
{
	(void)state;
	tm_flowset *one = one_tls_flow("payments.shop.svc");
	char *single = render(one);
	/* the record body between "[\n" and "\n]\n" */
	const char *body = single + 2;
	size_t blen = strlen(single) - 2 - 3;

	enum { N = 500 };
	tm_flowset *fs = one_tls_flow("payments.shop.svc");
	tm_flow *fl = realloc(fs->flows, N * sizeof *fl);
	assert_non_null(fl);
	for (size_t i = 1; i < N; i++)
		fl[i] = fl[0];
	fs->flows = fl;
	fs->nflows = fs->capflows = N;
	char *out = render(fs);
	assert_true(strlen(out) > 65536 * 2);
	const char *p = out;
	assert_memory_equal(p, "[\n", 2);
	p += 2;
	for (size_t i = 0; i < N; i++) {
		if (i) {
			assert_memory_equal(p, ",\n", 2);
			p += 2;
		}
		assert_memory_equal(p, body, blen);
		p += blen;
	}
	assert_string_equal(p, "\n]\n");
	free(out);
	free(single);
	tm_flowset_free(fs);
	tm_flowset_free(one);
}

static void test_empty(void **state)
{
	(void)state;
	tm_flowset *fs = tm_flowset_new();
	char *out = render(fs);
	assert_string_equal(out, "[]\n");
	free(out);
	tm_flowset_free(fs);
}

/* CSV: a name from the wire that a spreadsheet would run as a formula gets
 * a leading apostrophe; other names are as they are. */
static void test_csv_formula(void **state)
{
	(void)state;
	static const char *const in[] = {"=cmd|calc", "+1", "-x", "@SUM(A1)", "api.shop.svc"};
	static const char *const want[] = {",'=cmd|calc,", ",'+1,", ",'-x,", ",'@SUM(A1),", ",api.shop.svc,"};
	for (size_t i = 0; i < 5; i++) {
		tm_flowset *fs = one_tls_flow(in[i]);
		char *buf = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&buf, &n);
		assert_int_equal(tm_render_flows_csv(fs, f), TM_OK);
		fclose(f);
		assert_non_null(strstr(buf, want[i]));
		free(buf);
		tm_flowset_free(fs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_every_position),
		cmocka_unit_test(test_many_records),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_csv_formula),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
