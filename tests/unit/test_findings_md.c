/* test_findings_md.c - Markdown for pull-request comments stays within
 * GitHub's 65,536-character comment limit however large the input (a
 * policy-less cluster gaining policies changes every pair), with the summary
 * first, every table cut with "… and N more", and --max-rows honoured. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/check.h"
#include "render/render.h"

#define LIMIT 65536

static void add_findings(tm_findings *f, size_t n)
{
	char msg[200], src[64], dst[64];
	for (size_t i = 0; i < n; i++) {
		snprintf(msg, sizeof msg, "workload %zu may connect to workload %zu on every port of every protocol", i, i + 1);
		tm_finding *fd = tm_findings_add(f, "TM105", TM_SEV_HIGH, "Overly broad rule", msg);
		snprintf(src, sizeof src, "ns%zu/app-%zu[Deployment]", i % 97, i);
		snprintf(dst, sizeof dst, "ns%zu/db-%zu[StatefulSet]", i % 89, i);
		fd->src = tm_findings_str(f, src);
		fd->dst = tm_findings_str(f, dst);
		fd->hint = tm_findings_str(f, "List the peers and ports the workload really needs.");
		tm_finding_add_loc(f, fd, (tm_srcloc){"policies/a-rather-long-directory-name/policy.yaml", (unsigned)i + 1, 3},
				   "NetworkPolicy x/y ingress rule 0");
	}
}

static char *render(tm_render_fn fn, const tm_render_in *in, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	assert_int_equal(fn(in, f), TM_OK);
	fclose(f);
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void big_diff(tm_diff *d, size_t nchanges, size_t nfindings)
{
	memset(d, 0, sizeof *d);
	tm_arena_init(&d->arena);
	d->v = calloc(nchanges, sizeof *d->v);
	assert_non_null(d->v);
	for (size_t i = 0; i < nchanges; i++) {
		d->v[i].kind = TM_DIFF_CHANGED;
		d->v[i].src = tm_arena_printf(&d->arena, "namespace-%zu/workload-%zu[Deployment]", i % 1000, i);
		d->v[i].dst = tm_arena_printf(&d->arena, "namespace-%zu/workload-%zu[Deployment]", i % 997, i + 7);
		d->v[i].old_text = "All Connections";
		d->v[i].new_text = "TCP 8080";
	}
	d->n = d->cap = nchanges;
	d->new_findings = calloc(1, sizeof *d->new_findings);
	d->fixed_findings = calloc(1, sizeof *d->fixed_findings);
	tm_findings_init(d->new_findings);
	tm_findings_init(d->fixed_findings);
	add_findings(d->new_findings, nfindings);
	add_findings(d->fixed_findings, nfindings);
	tm_findings_add_note(d->new_findings, "kinds-not-analysed", (tm_srcloc){"c.yaml", 1, 1},
			     "2 CiliumNetworkPolicy objects not analysed");
}

/* 400,000 changed pairs and 20,000 findings each way: hundreds of MB unbounded */
static void test_diff_md_bounded(void **state)
{
	(void)state;
	tm_diff d;
	big_diff(&d, 400000, 20000);
	size_t len;
	char *s = render(tm_render_diff_md, &(tm_render_in){.diff = &d}, &len);
	assert_true(len < LIMIT);
	assert_int_equal(strlen(s), len);
	/* the summary first, then the notes */
	assert_true(!strncmp(s, "### trustmap diff\n\n**New: 20000 findings: 20000 high. Fixed: 20000.** Connections changed: 400000.", 96));
	assert_non_null(strstr(s, "`kinds-not-analysed`: 2 CiliumNetworkPolicy objects not analysed"));
	assert_true(strstr(s, "Not covered") < strstr(s, "#### New findings"));
	/* each table cut, the rest counted; every block closed */
	assert_int_equal(count(s, "… and "), 3);
	assert_non_null(strstr(s, "… and 400000 more (see the JSON)"));
	assert_non_null(strstr(s, "<details><summary>Fixed findings (20000)</summary>"));
	assert_int_equal(count(s, "<details>"), count(s, "</details>"));
	assert_true(s[len - 1] == '\n');
	free(s);
	tm_diff_release(&d);
}

static void test_check_md_bounded(void **state)
{
	(void)state;
	tm_findings f;
	tm_findings_init(&f);
	add_findings(&f, 50000);
	size_t len;
	char *s = render(tm_render_findings_md, &(tm_render_in){.findings = &f}, &len);
	assert_true(len < LIMIT);
	assert_true(!strncmp(s, "### trustmap check\n\n**50000 findings: 50000 high** (zones: defaults)", 68));
	assert_int_equal(count(s, "… and "), 1);
	assert_non_null(strstr(s, " more (see the SARIF/JSON)\n"));
	/* the rows written plus the rows counted are all of them */
	const char *m = strstr(s, "… and ");
	size_t rest = strtoul(m + strlen("… and "), NULL, 10);
	assert_int_equal(count(s, "| **high** |") + rest, 50000);
	free(s);
	tm_findings_release(&f);
}

static void test_max_rows(void **state)
{
	(void)state;
	tm_diff d;
	big_diff(&d, 5, 4);
	size_t len;
	char *s = render(tm_render_diff_md, &(tm_render_in){.diff = &d, .max_rows = 2}, &len);
	assert_int_equal(count(s, "| **high** |"), 4); /* 2 new, 2 fixed */
	assert_int_equal(count(s, "| changed |"), 2);
	assert_int_equal(count(s, "… and 2 more (see the JSON)"), 2);
	assert_int_equal(count(s, "… and 3 more (see the JSON)"), 1);
	free(s);
	/* small enough: no cut */
	s = render(tm_render_diff_md, &(tm_render_in){.diff = &d}, &len);
	assert_null(strstr(s, "… and "));
	assert_int_equal(count(s, "| changed |"), 5);
	free(s);
	tm_diff_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_md_bounded),
		cmocka_unit_test(test_check_md_bounded),
		cmocka_unit_test(test_max_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
