/* test_mesh.c - the mesh decision tables row by row (analyzer/mesh.h), and
 * one model end to end: a PeerAuthentication read and applied to a port. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "analyzer/mesh.h"
#include "analyzer/mesh_route.h"
#include "model/podsec.h"
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

/* the model of one YAML text, loaded as the command line does */
static tm_model *load_text(const char *text, size_t len)
{
	tm_model *m = tm_model_new();
	tm_load_opts o;
	tm_load_opts_default(&o);
	assert_int_equal(tm_load_buffer(m, "t.yaml", text, len, false, &o), TM_OK);
	tm_load_finish(m, &o);
	return m;
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
	tm_model *m = load_text(manifest, sizeof manifest - 1);
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

/* VirtualService routing (analyzer/mesh_route.c): host names, the weights
 * that take traffic, gateway-only services and undefined subsets. */
static const char vs_manifest[] =
	"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r, namespace: a}\n"
	"spec: {host: r, subsets: [{name: v1, labels: {v: '1'}}, {name: v2, labels: {v: '2'}}]}\n---\n"
	"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: a}\n"
	"spec:\n  hosts: [r]\n  http:\n"
	"  - match: [{port: 8080}]\n    route: [{destination: {host: other.example.com}}]\n"
	"  - route:\n    - {destination: {host: r, subset: v1}, weight: 100}\n"
	"    - {destination: {host: r, subset: v2}, weight: 0}\n    - {destination: {host: r, subset: v9}}\n---\n"
	"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: g, namespace: a}\n"
	"spec: {hosts: [r], gateways: [gw], http: [{route: [{destination: {host: r, subset: v2}}]}]}\n";

static void test_vs_pick(void **state)
{
	(void)state;
	assert_true(tm_mesh_host_match("r", "a", "r.a.svc.cluster.local"));
	assert_false(tm_mesh_host_match("r", "b", "r.a.svc.cluster.local"));
	assert_false(tm_mesh_host_match("r", "a", "rr.a.svc.cluster.local"));
	assert_true(tm_mesh_host_match("*.a.svc.cluster.local", "x", "r.a.svc.cluster.local"));
	assert_true(tm_mesh_host_match("r.a.svc.cluster.local", "x", "r.a.svc.cluster.local"));
	tm_model *m = load_text(vs_manifest, sizeof vs_manifest - 1);
	assert_int_equal(m->mesh->nvss, 2);
	assert_false(m->mesh->vss[0]->mesh); /* a/g: gateway only */
	unsigned char routed[3];
	tm_vs_pick p;
	tm_buf names;
	tm_buf_init(&names, 4096);
	tm_mesh_vs_pick(m->mesh, &m->arena, "a", NULL, "a", "r", 9080, m->mesh->drs[0], routed, &p, &names);
	assert_true(p.applies);
	assert_false(p.no_route);
	assert_int_equal(routed[0], 0);
	assert_int_equal(routed[1], 1); /* v1 */
	assert_int_equal(routed[2], 0); /* v2: weight 0, and only a gateway routes to it otherwise */
	assert_null(p.undefined);       /* v9 has no weight beside others: no traffic */
	assert_null(p.other);           /* the other host is on port 8080 only */
	assert_string_equal(tm_buf_str(&names), "VirtualService a/r");
	tm_buf_reset(&names);
	tm_mesh_vs_pick(m->mesh, &m->arena, "a", NULL, "a", "r", 8080, m->mesh->drs[0], routed, &p, &names);
	assert_non_null(p.other);
	assert_string_equal(p.other, "other.example.com");
	/* the port-8080 route takes every request: the route after it is not built */
	assert_int_equal(routed[1], 0);
	assert_string_equal(tm_buf_str(&names), "VirtualService a/r (this client takes spec.http[0]; spec.http[1] comes "
						"after a catch-all)");
	tm_buf_release(&names);
	tm_model_free(m);
}

/* tm_mesh_vs_may_name: the per-Service answer that lets the posture skip
 * tm_mesh_vs_pick must say yes whenever some host could name the Service. */
static const char vs_may_manifest[] =
	"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: a}\n"
	"spec: {hosts: [r], http: [{route: [{destination: {host: r}}]}]}\n---\n"
	"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: w, namespace: z}\n"
	"spec: {hosts: ['*.c.svc.cluster.local'], gateways: [gw], http: [{route: [{destination: {host: x}}]}]}\n";

static void test_vs_may_name(void **state)
{
	(void)state;
	tm_model *m = load_text(vs_may_manifest, sizeof vs_may_manifest - 1);
	assert_true(tm_mesh_vs_may_name(m->mesh, "a", "r"));  /* a short host, in its own namespace */
	assert_false(tm_mesh_vs_may_name(m->mesh, "b", "r")); /* ... in another */
	assert_false(tm_mesh_vs_may_name(m->mesh, "a", "s"));
	assert_true(tm_mesh_vs_may_name(m->mesh, "c", "q"));  /* a wildcard, gateway-only: still a yes */
	assert_false(tm_mesh_vs_may_name(NULL, "a", "r"));
	tm_model_free(m);
}

/* AuthorizationPolicies of the root namespace and of the server's own are
 * both read, in the list's (namespace, name) order, whichever namespace
 * sorts first: server a (before istio-system) is denied by a's DENY policy,
 * server z (after it) by the root's; server b has none of its own. */
static const char authz_order_manifest[] =
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {istio-injection: enabled}}\n---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: b, labels: {istio-injection: enabled}}\n---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: z, labels: {istio-injection: enabled}}\n---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s, namespace: a}\n"
	"spec: {selector: {matchLabels: {app: s}}, template: {metadata: {labels: {app: s}}, spec: {containers: "
	"[{name: s, ports: [{containerPort: 8080}]}]}}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s, namespace: b}\n"
	"spec: {selector: {matchLabels: {app: s}}, template: {metadata: {labels: {app: s}}, spec: {containers: "
	"[{name: s, ports: [{containerPort: 8080}]}]}}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s, namespace: z}\n"
	"spec: {selector: {matchLabels: {app: s}}, template: {metadata: {labels: {app: s}}, spec: {containers: "
	"[{name: s, ports: [{containerPort: 8080}]}]}}}\n---\n"
	"apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\nspec: {selector: {app: s}, ports: [{port: 8080}]}\n---\n"
	"apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: b}\nspec: {selector: {app: s}, ports: [{port: 8080}]}\n---\n"
	"apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: z}\nspec: {selector: {app: s}, ports: [{port: 8080}]}\n---\n"
	"apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: root-deny, namespace: istio-system}\n"
	"spec: {action: DENY, rules: [{to: [{operation: {ports: ['8080']}}]}]}\n---\n"
	"apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: own-deny, namespace: a}\n"
	"spec: {action: DENY, rules: [{to: [{operation: {ports: ['8080']}}]}]}\n---\n"
	"apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: own-deny, namespace: z}\n"
	"spec: {action: DENY, rules: [{to: [{operation: {ports: ['8080']}}]}]}\n";

static void test_authz_order(void **state)
{
	(void)state;
	tm_model *m = load_text(authz_order_manifest, sizeof authz_order_manifest - 1);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(m, &co, &g), TM_OK);
	tm_mesh_result *r = NULL;
	assert_int_equal(tm_mesh_compute(g, NULL, &r), TM_OK);
	/* the edges from b/s to each server */
	static const struct {
		const char *dst, *by;
	} want[] = {{"a/s[Deployment]", "AuthorizationPolicy a/own-deny (DENY)"},
		    {"z/s[Deployment]", "AuthorizationPolicy istio-system/root-deny (DENY)"}};
	size_t seen = 0;
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_endpoint *src = &g->eps[g->edges[i].src], *dst = &g->eps[g->edges[i].dst];
		if (strcmp(src->name, "b/s[Deployment]"))
			continue;
		for (size_t k = 0; k < TM_ARRAY_LEN(want); k++) {
			if (strcmp(dst->name, want[k].dst))
				continue;
			/* every port is open: TCP 8080 alone is the rejected part */
			const tm_mesh_conn *c = &r->conns[i];
			const tm_mesh_part *rej = NULL;
			for (size_t j = 0; j < c->n; j++)
				if (c->v[j].prot == TM_PROT_REJECTED)
					rej = &c->v[j];
			assert_non_null(rej);
			assert_int_equal(rej->ports->n[TM_PROTO_TCP], 1);
			assert_int_equal(rej->ports->r[TM_PROTO_TCP][0].lo, 8080);
			assert_int_equal(rej->ports->r[TM_PROTO_TCP][0].hi, 8080);
			if (!strstr(rej->reason, want[k].by))
				fail_msg("%s: %s", want[k].dst, rej->reason);
			seen++;
		}
	}
	assert_int_equal(seen, TM_ARRAY_LEN(want));
	tm_mesh_result_free(r);
	tm_graph_free(g);
	tm_model_free(m);
}

/* Match conditions per client (analyzer/mesh_route.c): sourceLabels and
 * sourceNamespace settled for the client's own sidecar, the first route
 * that takes all of its traffic ending the list, conditions of the request
 * leaving the next route in, and an HTTP match that lists gateways read by
 * them alone, as pilot does. */
static const char vs_match_manifest[] =
	"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r, namespace: a}\n"
	"spec: {host: r, subsets: [{name: v1, labels: {v: '1'}}, {name: v2, labels: {v: '2'}},"
	" {name: v3, labels: {v: '3'}}, {name: v4, labels: {v: '4'}}]}\n---\n"
	"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: a}\n"
	"spec:\n  hosts: [r]\n  http:\n"
	"  - match: [{sourceLabels: {app: web}, uri: {prefix: /api}}]\n    route: [{destination: {host: r, subset: v3}}]\n"
	"  - match: [{sourceLabels: {app: web}, sourceNamespace: a, ignoreUriCase: true, uri: {prefix: /}}]\n"
	"    route: [{destination: {host: r, subset: v1}}]\n"
	"  - match: [{gateways: [mesh], sourceLabels: {app: nobody}, headers: {x: {exact: y}}}]\n"
	"    route: [{destination: {host: r, subset: v4}}]\n"
	"  - route: [{destination: {host: r, subset: v2}}]\n"
	"  - route: [{destination: {host: r}}]\n---\n"
	"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: t, namespace: a}\n"
	"spec:\n  hosts: [t]\n  tcp:\n"
	"  - match: [{gateways: [mesh], sourceLabels: {app: web}}]\n    route: [{destination: {host: t, subset: v1}}]\n"
	"  - match: [{destinationSubnets: [10.0.0.0/8]}]\n    route: [{destination: {host: t, subset: v3}}]\n"
	"  - route: [{destination: {host: t, subset: v2}}]\n";

static void test_vs_match(void **state)
{
	(void)state;
	tm_model *m = load_text(vs_match_manifest, sizeof vs_match_manifest - 1);
	assert_int_equal(m->mesh->nvss, 2);
	const tm_virtualsvc *vs = m->mesh->vss[0];
	assert_int_equal(vs->nroutes, 5);
	assert_true(vs->routes[0].has_match);
	assert_string_equal(vs->routes[0].matches[0].unsettled, "uri");
	assert_null(vs->routes[1].matches[0].unsettled); /* prefix "/": every path */
	assert_string_equal(vs->routes[1].matches[0].src_ns, "a");
	assert_string_equal(vs->routes[2].matches[0].unsettled, "headers");
	assert_true(vs->routes[2].matches[0].gateways);
	assert_false(vs->routes[3].has_match);
	const tm_destrule *d = m->mesh->drs[0];
	tm_label wl[] = {{"app", "web"}, {"v", "9"}}, dl[] = {{"app", "db"}};
	tm_labels web = {2, wl}, db = {1, dl};
	unsigned char routed[5];
	tm_vs_pick p;
	tm_buf names;
	tm_buf_init(&names, 4096);
	/* web in a: the uri route may take it, the next takes the rest */
	tm_mesh_vs_pick(m->mesh, &m->arena, "a", &web, "a", "r", 9080, d, routed, &p, &names);
	assert_false(p.no_route);
	assert_int_equal(routed[0], 0);
	assert_int_equal(routed[1], 1);
	assert_int_equal(routed[2], 0);
	assert_int_equal(routed[3], 1);
	assert_int_equal(routed[4], 0);
	assert_string_equal(tm_buf_str(&names), "VirtualService a/r (this client takes spec.http[0] where its uri matches, "
						"spec.http[1]; "
						"spec.http[2], spec.http[3], spec.http[4] come after a catch-all)");
	/* web in b: sourceNamespace a leaves it to the headers route (labels
	 * unread: it lists gateways) and the catch-all after it */
	tm_buf_reset(&names);
	tm_mesh_vs_pick(m->mesh, &m->arena, "b", &web, "a", "r", 9080, d, routed, &p, &names);
	assert_int_equal(routed[1], 0);
	assert_int_equal(routed[2], 1);
	assert_int_equal(routed[3], 1);
	assert_int_equal(routed[4], 1);
	assert_int_equal(routed[0], 0);
	assert_string_equal(tm_buf_str(&names), "VirtualService a/r (this client takes spec.http[0] where its uri matches, "
						"spec.http[2] where its headers match, spec.http[3]; spec.http[1] is for "
						"other sources; spec.http[4] comes after a catch-all)");
	/* db, and a client that is no pod: no sourceLabels selects them */
	for (int k = 0; k < 2; k++) {
		tm_buf_reset(&names);
		tm_mesh_vs_pick(m->mesh, &m->arena, "a", k ? NULL : &db, "a", "r", 9080, d, routed, &p, &names);
		assert_int_equal(routed[1], 0);
		assert_int_equal(routed[2], 1);
		assert_int_equal(routed[3], 0);
		assert_int_equal(routed[4], 1);
	}
	/* tcp: gateways do not hide sourceLabels; a destination subnet is the
	 * connection's to settle */
	tm_buf_reset(&names);
	tm_mesh_vs_pick(m->mesh, &m->arena, "a", &web, "a", "t", 9080, NULL, routed, &p, &names);
	assert_true(p.applies);
	assert_non_null(p.undefined);
	assert_string_equal(p.undefined, "v1");
	assert_string_equal(tm_buf_str(&names), "VirtualService a/t (this client takes spec.tcp[0]; spec.tcp[1], "
						"spec.tcp[2] come after a catch-all)");
	tm_buf_reset(&names);
	tm_mesh_vs_pick(m->mesh, &m->arena, "a", &db, "a", "t", 9080, NULL, routed, &p, &names);
	assert_string_equal(p.undefined, "v3");
	assert_string_equal(tm_buf_str(&names), "VirtualService a/t (this client takes spec.tcp[1] where its "
						"destinationSubnets match, spec.tcp[2]; "
						"spec.tcp[0] is for other sources)");
	tm_buf_release(&names);
	tm_model_free(m);
}

/* Routes without an upstream (analyzer/mesh_route.c): a catch-all
 * redirect or directResponse that a client reaches before any route with
 * destinations leaves nothing of its traffic for the Service's endpoints
 * (answered); a redirect that may take some ends nothing; a route with
 * destinations before it keeps them. */
static const char vs_answer_manifest[] =
	"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r, namespace: a}\n"
	"spec: {host: r, subsets: [{name: v1, labels: {v: '1'}}]}\n---\n"
	"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: a}\n"
	"spec:\n  hosts: [r]\n  http:\n"
	"  - match: [{sourceLabels: {app: web}, uri: {exact: /x}}]\n    route: [{destination: {host: r, subset: v1}}]\n"
	"  - match: [{sourceLabels: {app: web}}]\n    directResponse: {status: 503}\n"
	"  - match: [{uri: {prefix: /old}}]\n    redirect: {uri: /new}\n"
	"  - match: [{sourceLabels: {app: db}}]\n    redirect: {authority: b}\n    route: [{destination: {host: r, subset: v1}}]\n"
	"  - route: [{destination: {host: r, subset: v1}}]\n";

static void test_vs_answer(void **state)
{
	(void)state;
	tm_model *m = load_text(vs_answer_manifest, sizeof vs_answer_manifest - 1);
	const tm_virtualsvc *vs = m->mesh->vss[0];
	assert_null(vs->routes[0].answer);
	assert_string_equal(vs->routes[1].answer, "directResponse");
	assert_string_equal(vs->routes[2].answer, "redirect");
	assert_string_equal(vs->routes[3].answer, "redirect");
	assert_int_equal(vs->routes[3].ndests, 0); /* pilot takes the redirect, not route[] */
	const tm_destrule *d = m->mesh->drs[0];
	tm_label wl[] = {{"app", "web"}}, dl[] = {{"app", "db"}}, ol[] = {{"app", "other"}};
	tm_labels web = {1, wl}, db = {1, dl}, other = {1, ol};
	unsigned char routed[2];
	tm_vs_pick p;
	tm_buf names;
	tm_buf_init(&names, 4096);
	/* web: /x goes upstream first, so the directResponse is not all */
	tm_mesh_vs_pick(m->mesh, &m->arena, "a", &web, "a", "r", 9080, d, routed, &p, &names);
	assert_null(p.answered);
	assert_false(p.no_route);
	assert_int_equal(routed[1], 1);
	/* db: the uri redirect may take some, its own catch-all redirect the rest */
	tm_buf_reset(&names);
	tm_mesh_vs_pick(m->mesh, &m->arena, "a", &db, "a", "r", 9080, d, routed, &p, &names);
	assert_non_null(p.answered);
	assert_string_equal(p.answered, "VirtualService a/r spec.http[3] (redirect)");
	assert_false(p.no_route);
	assert_int_equal(routed[0], 0);
	assert_int_equal(routed[1], 0);
	/* any other client: the uri redirect ends nothing, the catch-all routes */
	tm_buf_reset(&names);
	tm_mesh_vs_pick(m->mesh, &m->arena, "a", &other, "a", "r", 9080, d, routed, &p, &names);
	assert_null(p.answered);
	assert_int_equal(routed[1], 1);
	tm_buf_release(&names);
	tm_model_free(m);
}

/* The Cilium rows (docs/semantics.md "Mesh mTLS posture", Cilium): the
 * transport below a mesh's plaintext, then a rule's authentication mode. */
static void test_cilium_table(void **state)
{
	(void)state;
#define P TM_PROT_PLAINTEXT
#define M TM_PROT_MTLS
#define MP TM_PROT_MTLS_PERMISSIVE
#define R TM_PROT_REJECTED
#define U TM_PROT_UNKNOWN
#define N TM_AUTH_NONE
#define RQ TM_AUTH_REQUIRED
#define F TM_AUTH_TEST_ALWAYS_FAIL
#define D TM_AUTH_DISABLED
#define Y TM_TRI_YES
#define NO TM_TRI_NO
#define UK TM_TRI_UNKNOWN
	static const struct {
		tm_cilium_case k;
		tm_protection want;
		const char *row, *arow;
		bool authd;
	} rows[] = {
		/* mesh, enc, client enrolled, server enrolled, tcp, same node, auth, mutual */
		{{P, TM_CENC_NONE, false, false, true, UK, N, UK}, P, "C1", NULL, false},
		{{P, TM_CENC_UNKNOWN, false, false, true, UK, N, UK}, U, "C2", NULL, false},
		{{P, TM_CENC_UNKNOWN, true, true, true, UK, N, UK}, U, "C2", NULL, false},
		{{P, TM_CENC_WIREGUARD, false, false, true, Y, N, UK}, P, "C3", NULL, false},
		{{P, TM_CENC_IPSEC, false, false, false, Y, N, UK}, P, "C3", NULL, false},
		{{P, TM_CENC_WIREGUARD, false, false, true, NO, N, UK}, U, "C4", NULL, false},
		{{P, TM_CENC_IPSEC, false, false, true, UK, N, UK}, U, "C4", NULL, false},
		{{P, TM_CENC_ZTUNNEL, true, true, true, UK, N, UK}, M, "C5", NULL, false},
		{{P, TM_CENC_ZTUNNEL, true, false, true, UK, N, UK}, P, "C6", NULL, false},
		{{P, TM_CENC_ZTUNNEL, false, true, true, UK, N, UK}, U, "C7", NULL, false},
		{{P, TM_CENC_ZTUNNEL, false, false, true, UK, N, UK}, P, "C8", NULL, false},
		{{P, TM_CENC_ZTUNNEL, true, true, false, UK, N, UK}, P, "C8", NULL, false}, /* UDP: not redirected */
		/* authentication required: on adds the attribute, off drops (rejected), not known is unknown */
		{{P, TM_CENC_NONE, false, false, true, UK, RQ, Y}, P, "C1", "A1", true},
		{{P, TM_CENC_WIREGUARD, false, false, true, UK, RQ, Y}, U, "C4", "A1", true},
		{{P, TM_CENC_ZTUNNEL, true, true, true, UK, RQ, Y}, M, "C5", "A1", true},
		{{P, TM_CENC_NONE, false, false, true, UK, RQ, NO}, R, "C1", "A2", false},
		{{P, TM_CENC_ZTUNNEL, true, true, true, UK, RQ, NO}, R, "C5", "A2", false},
		{{P, TM_CENC_NONE, false, false, true, UK, RQ, UK}, U, "C1", "A4", false},
		{{P, TM_CENC_ZTUNNEL, true, true, true, UK, RQ, UK}, U, "C5", "A4", false},
		{{P, TM_CENC_NONE, false, false, true, UK, F, Y}, R, "C1", "A3", false},
		{{P, TM_CENC_NONE, false, false, true, UK, D, UK}, P, "C1", NULL, false}, /* disabled: as none */
		/* an end Cilium never authenticates (reserved or CIDR identity): dropped whatever the install */
		{{P, TM_CENC_NONE, false, false, true, UK, RQ, Y, true}, R, "C1", "A5", false},
		{{P, TM_CENC_ZTUNNEL, true, true, true, UK, RQ, Y, true}, R, "C5", "A5", false},
		{{P, TM_CENC_NONE, false, false, true, UK, RQ, NO, true}, R, "C1", "A5", false},
		{{P, TM_CENC_NONE, false, false, true, UK, RQ, UK, true}, R, "C1", "A5", false},
		{{M, TM_CENC_NONE, false, false, true, UK, RQ, Y, true}, R, NULL, "A5", false},
		{{P, TM_CENC_NONE, false, false, true, UK, F, Y, true}, R, "C1", "A3", false}, /* test-always-fail first */
		{{P, TM_CENC_NONE, false, false, true, UK, D, Y, true}, P, "C1", NULL, false}, /* disabled: no check */
		{{P, TM_CENC_NONE, false, false, true, UK, N, Y, true}, P, "C1", NULL, false},
		/* a mesh verdict other than plaintext stays (no transport row) */
		{{M, TM_CENC_WIREGUARD, false, false, true, UK, N, UK}, M, NULL, NULL, false},
		{{MP, TM_CENC_ZTUNNEL, true, true, true, UK, N, UK}, MP, NULL, NULL, false},
		{{R, TM_CENC_NONE, false, false, true, UK, RQ, NO}, R, NULL, "A2", false},
		{{R, TM_CENC_NONE, false, false, true, UK, RQ, UK}, R, NULL, "A4", false},
		{{R, TM_CENC_NONE, false, false, true, UK, RQ, Y}, R, NULL, "A1", false},
		{{U, TM_CENC_NONE, false, false, true, UK, RQ, Y}, U, NULL, "A1", true},
		{{M, TM_CENC_NONE, false, false, true, UK, RQ, NO}, R, NULL, "A2", false},
		{{M, TM_CENC_NONE, false, false, true, UK, RQ, UK}, U, NULL, "A4", false},
		{{M, TM_CENC_NONE, false, false, true, UK, F, Y}, R, NULL, "A3", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		const char *row = "x", *arow = "x";
		bool authd = !rows[i].authd;
		tm_protection p = tm_mesh_cilium_decide(&rows[i].k, &row, &arow, &authd);
		if (p != rows[i].want || tm_strcmp_null(row, rows[i].row) || tm_strcmp_null(arow, rows[i].arow) ||
		    authd != rows[i].authd)
			fail_msg("case %zu: got %s (rows %s %s, authenticated %d)", i, tm_protection_name(p), row ? row : "-",
				 arow ? arow : "-", authd);
	}
#undef P
#undef M
#undef MP
#undef R
#undef U
#undef N
#undef RQ
#undef F
#undef D
#undef Y
#undef NO
#undef UK
}

static const char cilium_manifest[] =
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\n"
	"data: {enable-ipsec: \"True\", mesh-auth-mutual-enabled: \"1\"}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c, namespace: a}\n"
	"spec: {selector: {matchLabels: {app: c}}, template: {metadata: {labels: {app: c}}, spec: {containers: [{name: c}]}}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s, namespace: a}\n"
	"spec: {selector: {matchLabels: {app: s}}, template: {metadata: {labels: {app: s}}, spec: {containers: "
	"[{name: s, ports: [{containerPort: 8080}]}]}}}\n---\n"
	"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: s, namespace: a}\n"
	"spec: {podSelector: {matchLabels: {app: s}}, ingress: [{from: [{podSelector: {matchLabels: {app: c}}}], "
	"ports: [{port: 8080}]}, {from: [{podSelector: {matchLabels: {app: c}}}], ports: [{port: 9000, endPort: 9001}]}]}\n";

static tm_model *cilium_model(void)
{
	return load_text(cilium_manifest, sizeof cilium_manifest - 1);
}

/* Which ends Cilium never authenticates (row A5): IP ranges (world or a
 * CIDR identity) and hostNetwork pods (host, remote-node); ordinary pods
 * and the ingress controller pseudo-source (a pod) are authenticated. */
static void test_cilium_unauth_identity(void **state)
{
	(void)state;
	tm_podsec hs, ps;
	memset(&hs, 0, sizeof hs);
	memset(&ps, 0, sizeof ps);
	hs.host_network = true;
	tm_workload hw, pw, bare;
	memset(&hw, 0, sizeof hw);
	memset(&pw, 0, sizeof pw);
	memset(&bare, 0, sizeof bare);
	hw.sec = &hs;
	pw.sec = &ps;
	tm_endpoint ep;
	memset(&ep, 0, sizeof ep);
	ep.kind = TM_EP_IPRANGE;
	assert_non_null(strstr(tm_mesh_cilium_unauth_identity(&ep), "world"));
	ep.kind = TM_EP_WORKLOAD;
	ep.w = &hw;
	assert_non_null(strstr(tm_mesh_cilium_unauth_identity(&ep), "host or remote-node"));
	ep.w = &pw;
	assert_null(tm_mesh_cilium_unauth_identity(&ep));
	ep.w = &bare;
	assert_null(tm_mesh_cilium_unauth_identity(&ep));
	ep.kind = TM_EP_INGRESS;
	ep.w = NULL;
	assert_null(tm_mesh_cilium_unauth_identity(&ep));
}

/* The cilium-config values (Go's ParseBool spellings), an option winning
 * over them, and a rule requiring authentication found through explain's
 * trace: the authenticated ports are a part of their own. */
static void test_cilium_install(void **state)
{
	(void)state;
	tm_model *m = cilium_model();
	assert_non_null(m->mesh);
	assert_true(m->mesh->install.cilium_config);
	assert_int_equal(m->mesh->install.cilium_encryption, TM_CENC_IPSEC);
	assert_int_equal(m->mesh->install.cilium_mutual_auth, TM_TRI_YES);
	const char *what = NULL;
	assert_true(tm_cilium_present(m, &what));
	assert_string_equal(what, "the cilium-config ConfigMap");
	/* what the CiliumNetworkPolicy reader fills: the rule's authentication mode */
	assert_int_equal(m->nnetpols, 1);
	m->netpols[0]->kind = "CiliumNetworkPolicy";
	m->netpols[0]->in_rules[0].auth = TM_AUTH_REQUIRED;
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	tm_graph *g = NULL;
	assert_int_equal(tm_conn_compute(m, &co, &g), TM_OK);
	size_t e = g->nedges;
	for (size_t i = 0; i < g->nedges; i++)
		if (!strcmp(g->eps[g->edges[i].src].name, "a/c[Deployment]") && !strcmp(g->eps[g->edges[i].dst].name, "a/s[Deployment]"))
			e = i;
	assert_true(e < g->nedges);
	tm_mesh_result *r = NULL;
	assert_int_equal(tm_mesh_compute(g, NULL, &r), TM_OK);
	assert_true(r->cilium);
	assert_int_equal(r->eff.cilium_encryption, TM_CENC_IPSEC);
	assert_string_equal(r->cilium_enc_from, "cilium-config kube-system/cilium-config enable-ipsec");
	/* IPsec: unknown (between nodes only); rule 0's TCP 8080 authenticated, rule 1's 9000-9001 not */
	tm_buf b;
	tm_buf_init(&b, 0);
	assert_int_equal(r->conns[e].n, 2);
	assert_int_equal(r->conns[e].v[0].prot, TM_PROT_UNKNOWN);
	assert_true(r->conns[e].v[0].authenticated);
	tm_ports_format(r->conns[e].v[0].ports, &b);
	assert_string_equal(tm_buf_str(&b), "TCP 8080");
	assert_non_null(strstr(r->conns[e].v[0].reason, " a/s ingress rule 0 requires mutual authentication"));
	assert_int_equal(r->conns[e].v[1].prot, TM_PROT_UNKNOWN);
	assert_false(r->conns[e].v[1].authenticated);
	assert_null(strstr(r->conns[e].v[1].reason, "cilium A"));
	tm_mesh_result_free(r);
	/* options win: no encryption, mutual authentication off */
	tm_mesh_opts mo;
	tm_mesh_opts_default(&mo);
	mo.cilium_encryption = TM_CENC_NONE;
	mo.cilium_mutual_auth = TM_TRI_NO;
	assert_int_equal(tm_mesh_compute(g, &mo, &r), TM_OK);
	assert_string_equal(r->cilium_auth_from, "--cilium-mutual-auth");
	assert_int_equal(r->conns[e].n, 2);
	tm_buf_reset(&b);
	tm_ports_format(r->conns[e].v[0].ports, &b);
	assert_string_equal(tm_buf_str(&b), "TCP 8080");
	assert_int_equal(r->conns[e].v[0].prot, TM_PROT_REJECTED);
	assert_false(r->conns[e].v[0].authenticated);
	assert_non_null(strstr(r->conns[e].v[0].reason, "cilium A2:"));
	assert_int_equal(r->conns[e].v[1].prot, TM_PROT_PLAINTEXT);
	/* the admitting rule that requires authentication, for TM125 */
	assert_int_equal(r->conns[e].nauths, 1);
	assert_int_equal(r->conns[e].auths[0].mode, TM_AUTH_REQUIRED);
	assert_string_equal(r->conns[e].auths[0].rule, "CiliumNetworkPolicy a/s ingress rule 0");
	assert_int_equal(r->conns[e].auths[0].loc.line, m->netpols[0]->in_rules[0].loc.line);
	tm_buf_reset(&b);
	tm_ports_format(r->conns[e].auths[0].ports, &b);
	assert_string_equal(tm_buf_str(&b), "TCP 8080");
	tm_mesh_result_free(r);
	/* on: TCP 8080 plaintext and authenticated, 9000-9001 plaintext: two parts of one protection */
	mo.cilium_mutual_auth = TM_TRI_YES;
	assert_int_equal(tm_mesh_compute(g, &mo, &r), TM_OK);
	assert_int_equal(r->conns[e].n, 2);
	assert_int_equal(r->conns[e].v[0].prot, TM_PROT_PLAINTEXT);
	assert_true(r->conns[e].v[0].authenticated);
	assert_int_equal(r->conns[e].v[1].prot, TM_PROT_PLAINTEXT);
	assert_false(r->conns[e].v[1].authenticated);
	tm_buf_reset(&b);
	tm_ports_format(tm_mesh_edge_ports(r, e, TM_PROT_PLAINTEXT), &b);
	assert_string_equal(tm_buf_str(&b), "TCP 8080,9000-9001");
	tm_mesh_result_free(r);
	tm_buf_release(&b);
	tm_graph_free(g);
	tm_model_free(m);
}


static const char settings_manifest[] =
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\n"
	"data: {mesh: \"rootNamespace: mesh-root\\nenableAutoMtls: false\\n\"}\n---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {istio-injection: enabled}}\n---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: s, namespace: a}\n"
	"spec: {selector: {matchLabels: {app: s}}, template: {metadata: {labels: {app: s}}, spec: {containers: "
	"[{name: s}]}}}\n";

/* where each assumption comes from, and the enrolment's basis and revision */
static void test_settings_from(void **state)
{
	(void)state;
	tm_model *m = load_text(settings_manifest, sizeof settings_manifest - 1);
	tm_mesh_opts mo;
	tm_mesh_opts_default(&mo);
	assert_false(tm_mesh_opts_any(&mo));
	mo.linkerd_ns = "l5d";
	assert_true(tm_mesh_opts_any(&mo));
	tm_mesh_settings s;
	tm_mesh_settings_resolve(m, &mo, &s);
	assert_string_equal(s.eff.istio_root_ns, "mesh-root");
	assert_int_equal(s.from[TM_MSET_ISTIO_ROOT_NS].kind, TM_MFROM_CONFIGMAP);
	assert_string_equal(s.from[TM_MSET_ISTIO_ROOT_NS].object, "istio-system/istio");
	assert_int_equal(s.eff.istio_auto_mtls, TM_TRI_NO);
	assert_int_equal(s.from[TM_MSET_ISTIO_AUTO_MTLS].kind, TM_MFROM_CONFIGMAP);
	assert_int_equal(s.from[TM_MSET_ISTIO_TRUST_DOMAIN].kind, TM_MFROM_DEFAULT);
	assert_string_equal(s.eff.linkerd_ns, "l5d");
	assert_int_equal(s.from[TM_MSET_LINKERD_NS].kind, TM_MFROM_OPTION);
	assert_int_equal(s.from[TM_MSET_ISTIO_AMBIENT].kind, TM_MFROM_DEFAULT);
	assert_string_equal(tm_mesh_setting_name(TM_MSET_LINKERD_POLICY), "linkerd-default-inbound-policy");
	const tm_workload *w = NULL;
	for (size_t i = 0; i < m->nworkloads; i++)
		if (!strcmp(m->workloads[i]->name, "s"))
			w = m->workloads[i];
	assert_non_null(w);
	tm_mesh_env env = {m, &s, &m->arena, &m->strs};
	tm_mesh_wl wl;
	tm_mesh_enrol(&env, w, &wl);
	assert_int_equal(wl.proxy, TM_PROXY_ISTIO_SIDECAR);
	assert_int_equal(wl.basis, TM_MBY_NS_LABEL);
	assert_string_equal(wl.revision, "default");
	assert_string_equal(wl.why, "sidecar injected: namespace label istio-injection=enabled");
	const char *from;
	assert_string_equal(tm_mesh_linkerd_default_policy(&s, w, &from), "all-unauthenticated");
	assert_string_equal(from, "cluster default");
	tm_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_istio_table),
		cmocka_unit_test(test_linkerd_table),
		cmocka_unit_test(test_peerauth_ports),
		cmocka_unit_test(test_vs_pick),
		cmocka_unit_test(test_vs_may_name),
		cmocka_unit_test(test_authz_order),
		cmocka_unit_test(test_vs_match),
		cmocka_unit_test(test_vs_answer),
		cmocka_unit_test(test_settings_from),
		cmocka_unit_test(test_cilium_table),
		cmocka_unit_test(test_cilium_unauth_identity),
		cmocka_unit_test(test_cilium_install),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
