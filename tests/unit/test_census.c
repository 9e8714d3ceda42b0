/* test_census.c - the mesh census (analyzer/mesh_census.h) agrees with the
 * posture of `conn --show-mtls`: for every workload of the mesh fixtures,
 * under the default assumptions and under options that change enrolment,
 * the proxy the census names is the one every decided port of every edge
 * names at that end ("istio #N: client sidecar, server no proxy", "linkerd
 * LN: client meshed, ..."), a workload the census leaves out is never a
 * meshed end, and an undecided one makes its ports unknown with the
 * census's reason. Then the census's own arithmetic and object counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "analyzer/mesh_census.h"
#include "ingest/ingest.h"

/* tests/fixtures/mesh/census/enrolment.yaml: the ends no other fixture has
 * (ambient without ztunnel, a revision no istiod serves, hostNetwork in an
 * injected namespace, a declining pod label, a never-injected namespace, an
 * already-injected pod) beside a Linkerd namespace, all allowed to meet */
#define ENROLMENT "tests/fixtures/mesh/census/enrolment.yaml"

typedef struct fixture {
	const char *paths[4];  /* NULL-terminated */
	const char *opt;       /* one option of tm_mesh_opts set, or NULL */
} fixture;

static const fixture fixtures[] = {
	{{"tests/fixtures/mesh/istio-table.yaml"}, NULL},
	{{"tests/fixtures/mesh/istio-table.yaml"}, "istio-ambient=no"},
	{{"tests/fixtures/mesh/istio-table.yaml"}, "istio-inject-policy=disabled"},
	{{"tests/fixtures/mesh/linkerd-table.yaml"}, NULL},
	{{"tests/fixtures/mesh/istio-table.yaml", "tests/fixtures/mesh/linkerd-table.yaml"}, NULL},
	{{"tests/fixtures/mesh/istio-authn"}, NULL},
	{{"tests/fixtures/mesh/istio-authn"}, "istio-namespaces-by-default=on"},
	{{"tests/fixtures/mesh/bookinfo", "tests/fixtures/mesh/bookinfo-authz.yaml"}, NULL},
	{{"tests/fixtures/mesh/emojivoto"}, NULL},
	{{"tests/fixtures/mesh/istio-authn", "tests/fixtures/mesh/emojivoto", "tests/fixtures/mesh/install/configmaps.yaml"}, NULL},
	{{"tests/fixtures/mesh/istio-headless-mixed.yaml"}, NULL},
	{{"tests/fixtures/mesh/istio-route/base.yaml", "tests/fixtures/mesh/istio-route/vs-mtls.yaml"}, NULL},
	{{"tests/fixtures/mesh/cilium/table.yaml", "tests/fixtures/mesh/cilium/config-ztunnel.yaml"}, NULL},
	{{ENROLMENT}, NULL},
	{{ENROLMENT}, "istio-ambient=yes"},
};

static void set_opt(tm_mesh_opts *o, const char *opt)
{
	tm_mesh_opts_default(o);
	if (!opt)
		return;
	if (!strcmp(opt, "istio-ambient=no"))
		o->istio_ambient = TM_TRI_NO;
	else if (!strcmp(opt, "istio-ambient=yes"))
		o->istio_ambient = TM_TRI_YES;
	else if (!strcmp(opt, "istio-inject-policy=disabled"))
		o->istio_inject_enabled = TM_TRI_NO;
	else if (!strcmp(opt, "istio-namespaces-by-default=on"))
		o->istio_ns_by_default = TM_TRI_YES;
	else
		fail_msg("unknown option %s", opt);
}

static tm_model *load(const fixture *f)
{
	tm_model *m = tm_model_new();
	tm_load_opts o;
	tm_load_opts_default(&o);
	for (size_t i = 0; f->paths[i]; i++)
		assert_int_equal(tm_load_path(m, f->paths[i], &o), TM_OK);
	assert_int_equal(tm_load_finish(m, &o), TM_OK);
	return m;
}

/* what the posture's reasons name at one end, per occurrence */
typedef struct tally {
	size_t istio[TM_CENSUS_NPROXY], linkerd[TM_CENSUS_NPROXY], unknown, plain;
} tally;

/* the word after "<side> " up to ',', ';' or the end, in [s, lim) */
static size_t word_after(const char *s, const char *side, const char **w)
{
	const char *p = strstr(s, side);
	if (!p)
		return 0;
	*w = p + strlen(side);
	return strcspn(*w, ",;");
}

static bool word_is(const char *w, size_t n, const char *want)
{
	return n == strlen(want) && !strncmp(w, want, n);
}

/* Every "istio #..: client X, server Y" and "linkerd L..: client X, server Y"
 * of a reason agrees with the census's proxy at that end (side 0 client, 1 server). */
static void check_rows(const char *reason, int side, tm_proxy p, const char *what, tally *t)
{
	static const char *const sides[2] = {": client ", ", server "};
	for (const char *s = strstr(reason, "istio #"); s; s = strstr(s + 1, "istio #")) {
		const char *w;
		size_t n = word_after(s, sides[side], &w);
		assert_true(n > 0);
		const char *want = p == TM_PROXY_ISTIO_SIDECAR ? "sidecar" : p == TM_PROXY_ISTIO_AMBIENT ? "ambient" : "no proxy";
		if (!word_is(w, n, want))
			fail_msg("%s: census says %s, the posture \"%.*s\" (%s)", what, tm_proxy_name(p), (int)n, w, reason);
		t->istio[p]++;
	}
	for (const char *s = strstr(reason, "linkerd L"); s; s = strstr(s + 1, "linkerd L")) {
		const char *w;
		size_t n = word_after(s, sides[side], &w);
		assert_true(n > 0);
		const char *want = p == TM_PROXY_LINKERD ? "meshed" : "not meshed";
		if (!word_is(w, n, want))
			fail_msg("%s: census says %s, the posture \"%.*s\" (%s)", what, tm_proxy_name(p), (int)n, w, reason);
		t->linkerd[p]++;
	}
}

static void check_end(const tm_mesh_census *c, const tm_mesh_part *pt, const tm_endpoint *ep, int side,
		      const tm_endpoint *other, tally *t)
{
	const tm_census_wl *cw = &c->wl[ep->w->index];
	assert_ptr_equal(cw->w, ep->w);
	tm_proxy p = cw->enrol.proxy;
	const char *what = ep->w->display;
	if (p == TM_PROXY_UNKNOWN) {
		/* an undecided end: its TCP ports are unknown, for the census's
		 * reason; UDP and SCTP are plaintext, no table row decided */
		if (pt->prot == TM_PROT_UNKNOWN && !strstr(pt->reason, cw->enrol.why))
			fail_msg("%s: the census's reason \"%s\" is not the posture's \"%s\"", what, cw->enrol.why, pt->reason);
		if (pt->prot != TM_PROT_UNKNOWN &&
		    (!strstr(pt->reason, "proxy TCP only") || strstr(pt->reason, "istio #") || strstr(pt->reason, "linkerd L")))
			fail_msg("%s: census says unknown, the posture decided \"%s\"", what, pt->reason);
		t->unknown++;
		return;
	}
	if (p != TM_PROXY_NONE && strstr(pt->reason, "no mesh proxy at either end"))
		fail_msg("%s: census says %s, the posture no proxy at either end", what, tm_proxy_name(p));
	bool other_none = other->kind != TM_EP_WORKLOAD || c->wl[other->w->index].enrol.proxy == TM_PROXY_NONE;
	if (p == TM_PROXY_NONE && other_none) {
		if (!strstr(pt->reason, "no mesh proxy at either end"))
			fail_msg("%s: census says no proxy at either end, the posture \"%s\"", what, pt->reason);
		t->plain++;
	}
	check_rows(pt->reason, side, p, what, t);
}

/* Cilium's ztunnel rows C5 (both namespaces enrolled) and C8 (neither)
 * agree with the census's io.cilium/mtls-enabled per namespace. */
static void check_cilium(const tm_mesh_census *c, const tm_mesh_part *pt, const tm_endpoint *a, const tm_endpoint *b)
{
	const tm_census_ns *na = NULL, *nb = NULL;
	for (size_t i = 0; i < c->nns; i++) {
		if (c->ns[i].ns == a->w->nsp)
			na = &c->ns[i];
		if (c->ns[i].ns == b->w->nsp)
			nb = &c->ns[i];
	}
	assert_non_null(na);
	assert_non_null(nb);
	if (strstr(pt->reason, "cilium C5:"))
		assert_true(na->cilium_ztunnel && nb->cilium_ztunnel);
	if (strstr(pt->reason, "cilium C6:"))
		assert_true(na->cilium_ztunnel && !nb->cilium_ztunnel);
	if (strstr(pt->reason, "cilium C7:"))
		assert_true(!na->cilium_ztunnel && nb->cilium_ztunnel);
}

static void agree(const fixture *f, tally *t)
{
	tm_model *m = load(f);
	tm_mesh_opts o;
	set_opt(&o, f->opt);
	tm_mesh_census *c = NULL;
	assert_int_equal(tm_mesh_census_compute(m, &o, &c), TM_OK);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(m, &co, &g), TM_OK);
	tm_mesh_result *r = NULL;
	assert_int_equal(tm_mesh_compute(g, &o, &r), TM_OK);
	/* one set of assumptions */
	for (size_t s = 0; s < TM_NMSET; s++) {
		assert_int_equal(c->set.from[s].kind, r->set.from[s].kind);
		assert_string_equal(tm_census_setting_value(&c->set, (tm_mesh_setting)s),
				    tm_census_setting_value(&r->set, (tm_mesh_setting)s));
	}
	/* the proxy of every workload endpoint */
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_WORKLOAD)
			assert_int_equal(tm_mesh_ep_proxy(r, i), c->wl[g->eps[i].w->index].enrol.proxy);
	/* and what every decided port says of its two ends */
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_endpoint *se = &g->eps[g->edges[i].src], *de = &g->eps[g->edges[i].dst];
		for (size_t k = 0; k < r->conns[i].n; k++) {
			const tm_mesh_part *pt = &r->conns[i].v[k];
			if (se->kind == TM_EP_WORKLOAD)
				check_end(c, pt, se, 0, de, t);
			if (de->kind == TM_EP_WORKLOAD)
				check_end(c, pt, de, 1, se, t);
			if (se->kind == TM_EP_WORKLOAD && de->kind == TM_EP_WORKLOAD && r->cilium)
				check_cilium(c, pt, se, de);
		}
	}
	tm_mesh_result_free(r);
	tm_graph_free(g);
	tm_mesh_census_free(c);
	tm_model_free(m);
}

static void test_census_agrees_with_posture(void **state)
{
	(void)state;
	tally t;
	memset(&t, 0, sizeof t);
	for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++)
		agree(&fixtures[i], &t);
	/* every kind of end was met, so no agreement above is vacuous */
	assert_true(t.istio[TM_PROXY_ISTIO_SIDECAR] > 0);
	assert_true(t.istio[TM_PROXY_ISTIO_AMBIENT] > 0);
	assert_true(t.istio[TM_PROXY_NONE] > 0);
	assert_true(t.istio[TM_PROXY_LINKERD] > 0); /* the enrolment fixture: both meshes */
	assert_true(t.linkerd[TM_PROXY_LINKERD] > 0);
	assert_true(t.linkerd[TM_PROXY_NONE] > 0);
	assert_true(t.linkerd[TM_PROXY_ISTIO_SIDECAR] > 0);
	assert_true(t.unknown > 0);
	assert_true(t.plain > 0);
}

static const tm_census_wl *wl_named(const tm_mesh_census *c, const char *display)
{
	for (size_t i = 0; i < c->nwl; i++)
		if (!strcmp(c->wl[i].w->display, display))
			return &c->wl[i];
	fail_msg("no workload %s", display);
	return NULL;
}

/* the census's sums, and what it says of each end of the enrolment fixture */
static void test_census_counts(void **state)
{
	(void)state;
	const fixture f = {{ENROLMENT}, NULL};
	tm_model *m = load(&f);
	tm_mesh_census *c = NULL;
	assert_int_equal(tm_mesh_census_compute(m, NULL, &c), TM_OK);
	size_t sum[TM_CENSUS_NPROXY] = {0}, nwl = 0, total = 0;
	for (size_t i = 0; i < c->nns; i++) {
		nwl += c->ns[i].nworkloads;
		for (size_t p = 0; p < TM_CENSUS_NPROXY; p++)
			sum[p] += c->ns[i].proxies[p];
	}
	for (size_t p = 0; p < TM_CENSUS_NPROXY; p++) {
		assert_int_equal(sum[p], c->proxies[p]);
		total += c->proxies[p];
	}
	assert_int_equal(nwl, c->nwl);
	assert_int_equal(total, c->nwl);
	assert_int_equal(c->nwl, 8);
	assert_int_equal(wl_named(c, "l5d/l[Deployment]")->enrol.proxy, TM_PROXY_LINKERD);
	assert_int_equal(wl_named(c, "amb/a[Deployment]")->enrol.proxy, TM_PROXY_UNKNOWN);
	assert_int_equal(wl_named(c, "rev/r[Deployment]")->enrol.proxy, TM_PROXY_UNKNOWN);
	assert_string_equal(wl_named(c, "rev/r[Deployment]")->enrol.revision, "canary");
	const tm_census_wl *h = wl_named(c, "inj/h[Deployment]");
	assert_int_equal(h->enrol.basis, TM_MBY_HOST_NETWORK);
	assert_true(tm_census_excluded(h));
	const tm_census_wl *d = wl_named(c, "inj/d[Deployment]");
	assert_int_equal(d->enrol.proxy, TM_PROXY_NONE);
	assert_int_equal(d->enrol.basis, TM_MBY_POD_LABEL);
	assert_true(tm_census_excluded(d));
	assert_int_equal(wl_named(c, "inj/s[Deployment]")->enrol.proxy, TM_PROXY_ISTIO_SIDECAR);
	assert_int_equal(wl_named(c, "kube-system/k[Deployment]")->enrol.basis, TM_MBY_NEVER_NS);
	assert_true(tm_census_excluded(wl_named(c, "kube-system/k[Deployment]")));
	const tm_census_wl *p = wl_named(c, "default/p[Pod]");
	assert_int_equal(p->enrol.proxy, TM_PROXY_ISTIO_SIDECAR);
	assert_int_equal(p->enrol.basis, TM_MBY_INJECTED);
	assert_int_equal(c->excluded, 3);
	/* namespaces: what enrols them, kube-system's label included (Istio never injects there) */
	for (size_t i = 0; i < c->nns; i++) {
		const char *n = c->ns[i].ns->name, *e = c->ns[i].enrols;
		if (!strcmp(n, "amb"))
			assert_string_equal(e, "istio.io/dataplane-mode=ambient");
		else if (!strcmp(n, "rev"))
			assert_string_equal(e, "istio.io/rev=canary");
		else if (!strcmp(n, "inj") || !strcmp(n, "kube-system"))
			assert_string_equal(e, "istio-injection=enabled");
		else if (!strcmp(n, "l5d"))
			assert_string_equal(e, "linkerd.io/inject: enabled");
		else
			assert_null(e);
	}
	tm_mesh_census_free(c);
	tm_model_free(m);
}

/* PeerAuthentications by level and mode as the posture applies them: the
 * Istio task's mesh-wide STRICT policy, then the same under another root
 * namespace, where it becomes an ordinary namespace policy */
static void test_census_objects(void **state)
{
	(void)state;
	const fixture f = {{"tests/fixtures/mesh/istio-authn", "tests/fixtures/mesh/istio-authn-steps/peerauth-01-mesh-strict.yaml",
			    "tests/fixtures/mesh/istio-authn-steps/peerauth-03-workload-bar-httpbin-strict.yaml"}, NULL};
	tm_model *m = load(&f);
	tm_mesh_census *c = NULL;
	assert_int_equal(tm_mesh_census_compute(m, NULL, &c), TM_OK);
	assert_int_equal(c->objs.pas, 2);
	assert_non_null(c->objs.mesh_pa);
	assert_string_equal(c->objs.mesh_pa->ns, "istio-system");
	assert_int_equal(c->objs.pa_modes[TM_PASCOPE_MESH][TM_PA_STRICT], 1);
	assert_int_equal(c->objs.pa_modes[TM_PASCOPE_WORKLOAD][TM_PA_STRICT], 1);
	tm_mesh_census_free(c);
	tm_mesh_opts o;
	tm_mesh_opts_default(&o);
	o.istio_root_ns = "bar"; /* the workload policy of bar is now in the root namespace: ignored */
	assert_int_equal(tm_mesh_census_compute(m, &o, &c), TM_OK);
	assert_null(c->objs.mesh_pa);
	assert_int_equal(c->objs.pa_modes[TM_PASCOPE_NAMESPACE][TM_PA_STRICT], 1);
	assert_int_equal(c->objs.pa_modes[TM_PASCOPE_IGNORED][TM_PA_STRICT], 1);
	assert_int_equal(c->set.from[TM_MSET_ISTIO_ROOT_NS].kind, TM_MFROM_OPTION);
	assert_string_equal(tm_census_setting_value(&c->set, TM_MSET_ISTIO_ROOT_NS), "bar");
	tm_mesh_census_free(c);
	tm_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_census_agrees_with_posture),
		cmocka_unit_test(test_census_counts),
		cmocka_unit_test(test_census_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
