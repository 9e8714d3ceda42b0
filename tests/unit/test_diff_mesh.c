/* test_diff_mesh.c - diff's comparison of mesh protection (analyzer/diff_mesh.c):
 * the order and kinds of every pair of protections, TM126's severity, and the
 * pairs of tests/fixtures/mesh/diff end to end (port subsets split per
 * protection, a side without mesh objects, IP atoms merged back into NEW's
 * range, nothing compared without a mesh). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ingest/ingest.h"
#include "analyzer/check.h"
#include "analyzer/mesh.h"
#include "ingest/manifest/zones.h"

enum { MT = TM_PROT_MTLS, MP = TM_PROT_MTLS_PERMISSIVE, PT = TM_PROT_PLAINTEXT, RJ = TM_PROT_REJECTED, UK = TM_PROT_UNKNOWN };
enum { WK = TM_PCH_WEAKENED, OP = TM_PCH_OPENED, ST = TM_PCH_STRENGTHENED, CL = TM_PCH_CLOSED };

/* every ordered pair of distinct protections: its kind and whether TM126 reports it */
static void test_classify(void **state)
{
	(void)state;
	static const struct {
		int o, n, kind;
		bool weakens;
	} rows[] = {
		{MT, MP, WK, true}, {MT, UK, WK, true}, {MT, PT, WK, true}, {MP, UK, WK, true},
		{MP, PT, WK, true}, {UK, PT, WK, true},
		{MP, MT, ST, false}, {UK, MT, ST, false}, {PT, MT, ST, false}, {UK, MP, ST, false},
		{PT, MP, ST, false}, {PT, UK, ST, false},
		{RJ, PT, OP, true}, {RJ, UK, OP, true}, {RJ, MT, OP, false}, {RJ, MP, OP, false},
		{MT, RJ, CL, false}, {MP, RJ, CL, false}, {UK, RJ, CL, false}, {PT, RJ, CL, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tm_prot_change_kind k = tm_prot_change_classify((tm_protection)rows[i].o, (tm_protection)rows[i].n);
		assert_int_equal(k, rows[i].kind);
		assert_int_equal(tm_prot_change_weakens(k, (tm_protection)rows[i].n), rows[i].weakens);
	}
	assert_string_equal(tm_prot_change_name(TM_PCH_WEAKENED), "weakened");
	assert_string_equal(tm_prot_change_name(TM_PCH_CLOSED), "closed");
	assert_int_equal(tm_prot_change_severity(TM_PROT_PLAINTEXT, true), TM_SEV_HIGH);
	assert_int_equal(tm_prot_change_severity(TM_PROT_PLAINTEXT, false), TM_SEV_MEDIUM);
	assert_int_equal(tm_prot_change_severity(TM_PROT_MTLS_PERMISSIVE, true), TM_SEV_MEDIUM);
	assert_int_equal(tm_prot_change_severity(TM_PROT_UNKNOWN, true), TM_SEV_MEDIUM);
	assert_int_equal(tm_prot_change_severity(TM_PROT_UNKNOWN, false), TM_SEV_LOW);
	assert_int_equal(tm_prot_change_severity(TM_PROT_MTLS_PERMISSIVE, false), TM_SEV_LOW);
	/* a diff-only check: in the table, not one of check's mesh checks */
	const tm_check_info *ci = tm_check_find("mesh-protection-weakened");
	assert_non_null(ci);
	assert_string_equal(ci->id, "TM126");
	assert_true(ci->diff);
	assert_false(tm_check_is_mesh("TM126"));
}

typedef struct side {
	tm_model *m;
	tm_graph *g;
	tm_zones *z;
	tm_mesh_result *ms; /* NULL: as the pipeline leaves an input without mesh objects */
	tm_findings f;
} side;

#define DIR "tests/fixtures/mesh/diff/"

static void side_load(side *s, const char *path, const tm_mesh_opts *mo)
{
	tm_load_opts o;
	tm_load_opts_default(&o);
	memset(s, 0, sizeof *s);
	s->m = tm_model_new();
	assert_int_equal(tm_load_path(s->m, path, &o), TM_OK);
	assert_int_equal(tm_load_finish(s->m, &o), TM_OK);
	assert_int_equal(tm_zones_load(s->m, DIR "zones.yaml", &s->z), TM_OK);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	assert_int_equal(tm_conn_compute(s->m, &co, &s->g), TM_OK);
	if (tm_mesh_present(s->m))
		assert_int_equal(tm_mesh_compute(s->g, mo, &s->ms), TM_OK);
	tm_findings_init(&s->f);
	assert_int_equal(tm_check_all_mesh(s->g, s->z, NULL, s->ms, &s->f), TM_OK);
}

static void side_free(side *s)
{
	tm_findings_release(&s->f);
	tm_mesh_result_free(s->ms);
	tm_graph_free(s->g);
	tm_zones_free(s->z);
	tm_model_free(s->m);
}

typedef struct pairrun {
	side a, b;
	tm_diff d;
} pairrun;

static void pair_run(pairrun *p, const char *old, const char *nw, const tm_mesh_opts *mo)
{
	tm_mesh_opts def;
	tm_mesh_opts_default(&def);
	if (!mo)
		mo = &def;
	side_load(&p->a, old, mo);
	side_load(&p->b, nw, mo);
	assert_int_equal(tm_diff_compute(p->a.g, p->b.g, &p->a.f, &p->b.f, &p->d), TM_OK);
	assert_int_equal(tm_diff_mesh(p->a.g, p->a.ms, p->b.g, p->b.ms, p->b.z, mo, &p->d), TM_OK);
}

static void pair_free(pairrun *p)
{
	tm_diff_release(&p->d);
	side_free(&p->a);
	side_free(&p->b);
}

static const tm_prot_change *change(const tm_diff *d, const char *src, const char *dst, const char *conn)
{
	for (size_t i = 0; i < d->nprot; i++)
		if (!strcmp(d->prot[i].src, src) && !strcmp(d->prot[i].dst, dst) && !strcmp(d->prot[i].conn, conn))
			return &d->prot[i];
	return NULL;
}

static size_t count_rule(const tm_findings *f, const char *rule, tm_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += !strcmp(f->v[i].rule, rule) && f->v[i].severity == sev;
	return n;
}

static const char WEB[] = "web/storefront[Deployment]", PAY[] = "pay/payment-api[Deployment]",
		  PARTNER[] = "203.0.113.0-203.0.113.255[External]";

static void test_strict_to_permissive(void **state)
{
	(void)state;
	pairrun p;
	pair_run(&p, DIR "strict.yaml", DIR "permissive.yaml", NULL);
	assert_true(p.d.mesh);
	assert_int_equal(p.d.n, 0); /* no connection changed */
	assert_int_equal(p.d.nprot, 2);
	const tm_prot_change *c = change(&p.d, WEB, PAY, "TCP 8080,9090");
	assert_non_null(c);
	assert_int_equal(c->kind, TM_PCH_WEAKENED);
	assert_int_equal(c->old_prot, TM_PROT_MTLS);
	assert_int_equal(c->new_prot, TM_PROT_MTLS_PERMISSIVE);
	assert_non_null(strstr(c->old_reason, "STRICT"));
	assert_non_null(strstr(c->new_reason, "PERMISSIVE"));
	c = change(&p.d, PARTNER, PAY, "TCP 8080");
	assert_non_null(c);
	assert_int_equal(c->kind, TM_PCH_OPENED);
	assert_int_equal(c->new_prot, TM_PROT_PLAINTEXT);
	/* weakened first, then opened */
	assert_int_equal(p.d.prot[0].kind, TM_PCH_WEAKENED);
	/* pay is the target of a require-mtls rule: plaintext high, mtls-permissive medium */
	assert_int_equal(count_rule(p.d.new_findings, "TM126", TM_SEV_HIGH), 1);
	assert_int_equal(count_rule(p.d.new_findings, "TM126", TM_SEV_MEDIUM), 1);
	assert_non_null(tm_findings_rule(p.d.new_findings, "TM126"));
	assert_true(tm_findings_any_at_least(p.d.new_findings, TM_SEV_HIGH));
	pair_free(&p);
	/* the other way round: strengthened and closed, no TM126 */
	pair_run(&p, DIR "permissive.yaml", DIR "strict.yaml", NULL);
	assert_int_equal(p.d.nprot, 2);
	assert_int_equal(change(&p.d, WEB, PAY, "TCP 8080,9090")->kind, TM_PCH_STRENGTHENED);
	assert_int_equal(change(&p.d, PARTNER, PAY, "TCP 8080")->kind, TM_PCH_CLOSED);
	assert_int_equal(count_rule(p.d.new_findings, "TM126", TM_SEV_HIGH) +
				 count_rule(p.d.new_findings, "TM126", TM_SEV_MEDIUM) +
				 count_rule(p.d.new_findings, "TM126", TM_SEV_LOW),
			 0);
	pair_free(&p);
}

/* an AuthorizationPolicy denying 9090: only that port subset changes */
static void test_deny_splits_ports(void **state)
{
	(void)state;
	pairrun p;
	pair_run(&p, DIR "strict.yaml", DIR "deny.yaml", NULL);
	assert_int_equal(p.d.nprot, 1);
	const tm_prot_change *c = change(&p.d, WEB, PAY, "TCP 9090");
	assert_non_null(c);
	assert_int_equal(c->kind, TM_PCH_CLOSED);
	assert_int_equal(c->old_prot, TM_PROT_MTLS);
	assert_int_equal(c->new_prot, TM_PROT_REJECTED);
	assert_null(change(&p.d, WEB, PAY, "TCP 8080"));
	assert_false(tm_findings_any_at_least(p.d.new_findings, TM_SEV_INFO));
	pair_free(&p);
}

/* NEW holds no mesh object: its posture is computed for the comparison */
static void test_side_without_mesh(void **state)
{
	(void)state;
	pairrun p;
	pair_run(&p, DIR "strict.yaml", DIR "uninjected.yaml", NULL);
	assert_non_null(p.a.ms);
	assert_null(p.b.ms);
	assert_true(p.d.mesh);
	const tm_prot_change *c = change(&p.d, WEB, PAY, "TCP 8080,9090");
	assert_non_null(c);
	assert_int_equal(c->kind, TM_PCH_WEAKENED);
	assert_int_equal(c->new_prot, TM_PROT_PLAINTEXT);
	assert_int_equal(count_rule(p.d.new_findings, "TM126", TM_SEV_HIGH), 2);
	pair_free(&p);
	/* neither side has a mesh and no option is set: nothing is compared */
	pair_run(&p, DIR "uninjected.yaml", DIR "uninjected.yaml", NULL);
	assert_false(p.d.mesh);
	assert_null(tm_findings_rule(p.d.new_findings, "TM126"));
	pair_free(&p);
	/* ... with an option, it is (and nothing differs) */
	tm_mesh_opts mo;
	tm_mesh_opts_default(&mo);
	mo.istio_auto_mtls = TM_TRI_NO;
	pair_run(&p, DIR "uninjected.yaml", DIR "uninjected.yaml", &mo);
	assert_true(p.d.mesh);
	assert_int_equal(p.d.nprot, 0);
	pair_free(&p);
}

/* OLD carves the partner range in two (strict-split.yaml): NEW's one range
 * is split into atoms on the common refinement and merged back */
static void test_ip_atoms_merge(void **state)
{
	(void)state;
	pairrun p;
	pair_run(&p, DIR "strict-split.yaml", DIR "permissive.yaml", NULL);
	const tm_prot_change *c = change(&p.d, PARTNER, PAY, "TCP 8080");
	assert_non_null(c);
	assert_int_equal(c->kind, TM_PCH_OPENED);
	for (size_t i = 0; i < p.d.nprot; i++)
		assert_null(strstr(p.d.prot[i].src, "203.0.113.127"));
	pair_free(&p);
	/* the other way round, NEW's two ranges stay two */
	pair_run(&p, DIR "permissive.yaml", DIR "strict-split.yaml", NULL);
	assert_non_null(change(&p.d, "203.0.113.0-203.0.113.127[External]", PAY, "TCP 8080"));
	assert_non_null(change(&p.d, "203.0.113.128-203.0.113.255[External]", PAY, "TCP 8080"));
	/* 9090 is allowed only by NEW: not compared */
	assert_null(change(&p.d, "203.0.113.0-203.0.113.127[External]", PAY, "TCP 8080,9090"));
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_strict_to_permissive),
		cmocka_unit_test(test_deny_splits_ports),
		cmocka_unit_test(test_side_without_mesh),
		cmocka_unit_test(test_ip_atoms_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
