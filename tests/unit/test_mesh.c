/* test_mesh.c - the mesh decision tables row by row (analyzer/mesh.h), and
 * one model end to end: a PeerAuthentication read and applied to a port. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "analyzer/mesh.h"
#include "ingest/ingest.h"

enum { N = TM_MP_NONE, SC = TM_MP_SIDECAR, AM = TM_MP_AMBIENT };
enum { U = TM_PA_UNSET, ST = TM_PA_STRICT, PE = TM_PA_PERMISSIVE, DI = TM_PA_DISABLE };
enum { AUTO = TM_DRTLS_AUTO, DRD = TM_DRTLS_DISABLE, SIM = TM_DRTLS_SIMPLE, MUT = TM_DRTLS_MUTUAL, IM = TM_DRTLS_ISTIO_MUTUAL };

typedef struct irow {
	int client, server, pa;
	bool ns_disable;
	int dr;
	bool auto_mtls, bypass;
	tm_protection want;
	const char *row;
} irow;

static const irow istio_rows[] = {
	{SC, SC, ST, false, AUTO, true, false, TM_PROT_MTLS, "1"},
	{SC, SC, U, false, AUTO, true, false, TM_PROT_MTLS_PERMISSIVE, "2"},
	{SC, SC, PE, false, AUTO, true, false, TM_PROT_MTLS_PERMISSIVE, "2"},
	{SC, SC, DI, true, AUTO, true, false, TM_PROT_PLAINTEXT, "3"},
	{SC, SC, DI, false, AUTO, true, false, TM_PROT_PLAINTEXT, "3"},
	{SC, SC, ST, true, AUTO, true, false, TM_PROT_REJECTED, "3c"},
	{SC, SC, ST, false, IM, true, false, TM_PROT_MTLS, "4"},
	{SC, SC, U, false, IM, true, false, TM_PROT_MTLS_PERMISSIVE, "5"},
	{SC, SC, DI, false, IM, true, false, TM_PROT_REJECTED, "6"},
	{SC, SC, ST, false, DRD, true, false, TM_PROT_REJECTED, "7"},
	{SC, SC, PE, false, DRD, true, false, TM_PROT_PLAINTEXT, "8"},
	{SC, SC, DI, false, DRD, true, false, TM_PROT_PLAINTEXT, "9"},
	{SC, SC, ST, false, SIM, true, false, TM_PROT_REJECTED, "10"},
	{SC, SC, ST, false, MUT, true, false, TM_PROT_REJECTED, "10"},
	{SC, SC, PE, false, MUT, true, false, TM_PROT_UNKNOWN, "11"},
	{SC, SC, DI, false, SIM, true, false, TM_PROT_UNKNOWN, "11"},
	{SC, N, U, false, AUTO, true, false, TM_PROT_PLAINTEXT, "12"},
	{SC, N, U, false, IM, true, false, TM_PROT_REJECTED, "13"},
	{SC, N, U, false, DRD, true, false, TM_PROT_PLAINTEXT, "14"},
	{N, SC, ST, false, AUTO, true, false, TM_PROT_REJECTED, "15"},
	{N, SC, U, false, AUTO, true, false, TM_PROT_PLAINTEXT, "16"},
	{N, SC, DI, false, AUTO, true, false, TM_PROT_PLAINTEXT, "16"},
	{N, N, U, false, AUTO, true, false, TM_PROT_PLAINTEXT, "17"},
	{AM, AM, ST, false, AUTO, true, false, TM_PROT_MTLS, "18"},
	{AM, SC, DI, false, DRD, true, false, TM_PROT_MTLS_PERMISSIVE, "18"},
	{SC, AM, ST, false, AUTO, true, false, TM_PROT_MTLS, "19"},
	{SC, AM, U, false, IM, true, false, TM_PROT_MTLS_PERMISSIVE, "19"},
	{N, AM, ST, false, AUTO, true, false, TM_PROT_REJECTED, "20"},
	{N, AM, PE, false, AUTO, true, false, TM_PROT_PLAINTEXT, "21"},
	{AM, N, U, false, AUTO, true, false, TM_PROT_PLAINTEXT, "22"},
	{SC, SC, ST, false, IM, true, true, TM_PROT_PLAINTEXT, "23"},
	/* auto mTLS off: the client sends plaintext */
	{SC, SC, ST, false, AUTO, false, false, TM_PROT_REJECTED, "7"},
	{SC, SC, U, false, AUTO, false, false, TM_PROT_PLAINTEXT, "8"},
};

static void test_istio_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof istio_rows / sizeof *istio_rows; i++) {
		const irow *r = &istio_rows[i];
		tm_istio_case k = {(tm_istio_proxy)r->client, (tm_istio_proxy)r->server, (tm_pa_mode)r->pa, r->ns_disable,
				   (tm_dr_tls)r->dr, r->auto_mtls, r->bypass};
		const char *row = NULL;
		tm_protection p = tm_mesh_istio_decide(&k, &row);
		if (p != r->want || strcmp(row, r->row))
			fail_msg("case %zu: got %s (row %s), want %s (row %s)", i, tm_protection_name(p), row,
				 tm_protection_name(r->want), r->row);
	}
}

static void test_linkerd_table(void **state)
{
	(void)state;
	static const struct {
		tm_l5d_case k;
		tm_protection want;
		const char *row;
	} rows[] = {
		{{true, true, false, true, false}, TM_PROT_MTLS, "L1"},
		{{true, true, false, true, true}, TM_PROT_MTLS_PERMISSIVE, "L1"},
		{{true, true, false, false, false}, TM_PROT_REJECTED, "L2"},
		{{false, true, false, true, true}, TM_PROT_PLAINTEXT, "L3"},
		{{false, true, false, false, false}, TM_PROT_REJECTED, "L4"},
		{{true, false, false, false, false}, TM_PROT_PLAINTEXT, "L5"},
		{{false, false, false, false, false}, TM_PROT_PLAINTEXT, "L6"},
		{{true, true, true, false, false}, TM_PROT_PLAINTEXT, "L7"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		const char *row = NULL;
		tm_protection p = tm_mesh_linkerd_decide(&rows[i].k, &row);
		if (p != rows[i].want || strcmp(row, rows[i].row))
			fail_msg("case %zu: got %s (row %s)", i, tm_protection_name(p), row);
	}
}

static const char manifest[] =
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {istio-injection: enabled}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s, namespace: a}\n"
	"spec: {selector: {matchLabels: {app: s}}, template: {metadata: {labels: {app: s}}, spec: {containers: "
	"[{name: s, ports: [{containerPort: 8080}, {containerPort: 9090}]}]}}}\n---\n"
	"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: s, namespace: a}\n"
	"spec: {selector: {matchLabels: {app: s}}, mtls: {mode: STRICT}, portLevelMtls: {9090: {mode: DISABLE}}}\n";

static void test_peerauth_ports(void **state)
{
	(void)state;
	tm_model *m = tm_model_new();
	tm_load_opts o;
	tm_load_opts_default(&o);
	assert_int_equal(tm_load_buffer(m, "t.yaml", manifest, sizeof manifest - 1, false, &o), TM_OK);
	tm_load_finish(m, &o);
	assert_non_null(m->mesh);
	assert_int_equal(m->mesh->npas, 1);
	assert_true(tm_mesh_present(m));
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(m, &co, &g), TM_OK);
	tm_mesh_result *r = NULL;
	assert_int_equal(tm_mesh_compute(g, NULL, &r), TM_OK);
	const tm_workload *w = g->workloads[0];
	assert_int_equal(r->wl[0].proxy, TM_PROXY_ISTIO_SIDECAR);
	const char *by = NULL;
	assert_int_equal(tm_mesh_istio_pa(r, w, 8080, &by), TM_PA_STRICT);
	assert_string_equal(by, "PeerAuthentication a/s");
	assert_int_equal(tm_mesh_istio_pa(r, w, 9090, &by), TM_PA_DISABLE);
	assert_string_equal(r->eff.istio_root_ns, "istio-system");
	tm_mesh_result_free(r);
	tm_graph_free(g);
	tm_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_istio_table),
		cmocka_unit_test(test_linkerd_table),
		cmocka_unit_test(test_peerauth_ports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
