/* test_conn.c - the connectivity engine on small in-memory clusters: exact
 * port sets between endpoints (tm_graph_conn) and the decisions behind them
 * (tm_conn_explain). Every expectation is written from the NetworkPolicy /
 * AdminNetworkPolicy specification (docs/semantics.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/conn.h"
#include "ingest/ingest.h"

typedef struct fixture {
	tm_model *m;
	tm_graph *g;
	char buf[1024];
} fixture;

/* Load YAML, compute the graph; fails the test on any load error. */
static void load(fixture *f, const char *yaml, bool ipblock_matches_pods)
{
	tm_load_opts lo;
	tm_load_opts_default(&lo);
	f->m = tm_model_new();
	assert_non_null(f->m);
	assert_int_equal(tm_load_buffer(f->m, "test.yaml", yaml, strlen(yaml), false, &lo), TM_OK);
	assert_int_equal(tm_load_finish(f->m, &lo), TM_OK);
	tm_conn_opts co;
	tm_conn_opts_default(&co);
	co.ipblock_matches_pods = ipblock_matches_pods;
	assert_int_equal(tm_conn_compute(f->m, &co, &f->g), TM_OK);
}

static void unload(fixture *f)
{
	tm_graph_free(f->g);
	tm_model_free(f->m);
	f->g = NULL;
	f->m = NULL;
}

static size_t ep(fixture *f, const char *spec)
{
	long i = tm_graph_find(f->g, spec);
	if (i < 0)
		fail_msg("endpoint %s not found (%ld)", spec, i);
	return (size_t)i;
}

static const char *fmt(fixture *f, const tm_ports *p)
{
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_ports_format(p, &b);
	snprintf(f->buf, sizeof f->buf, "%s", tm_buf_str(&b));
	tm_buf_release(&b);
	return f->buf;
}

/* tm_graph_find names the destination-side range of an IP; a source IP
 * lies in one of the ranges that ingress ipBlocks carve out */
static size_t src_ep(fixture *f, const char *spec)
{
	tm_ip ip;
	if (!tm_ip_parse(spec, &ip))
		return ep(f, spec);
	for (size_t i = 0; i < f->g->neps; i++) {
		const tm_endpoint *e = &f->g->eps[i];
		if (e->kind == TM_EP_IPRANGE && e->is_src_atom && tm_ip_cmp(ip, e->range.lo) >= 0 &&
		    tm_ip_cmp(ip, e->range.hi) <= 0)
			return i;
	}
	fail_msg("no source range holds %s", spec);
	return 0;
}

/* the allowed connections src -> dst as NPA text */
static const char *conn(fixture *f, const char *src, const char *dst)
{
	return fmt(f, tm_graph_conn(f->g, src_ep(f, src), ep(f, dst)));
}

#define NS(n) "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " n "\n  labels:\n    team: " n "\n---\n"
/* a bare pod with one named TCP port */
#define POD(ns, name, app, pname, port)                                                              \
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: " name "\n  namespace: " ns "\n  labels:\n    app: " app \
	"\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: " port "\n      name: " pname   \
	"\n---\n"

/* ---- named ports resolve on each destination ---- */
static void test_named_port_per_destination(void **state)
{
	(void)state;
	fixture f = {0};
	load(&f,
	     NS("a") NS("c")
	     POD("a", "w1", "web", "http", "8080")
	     POD("a", "w2", "web2", "http", "9090")
	     POD("c", "client", "client", "metrics", "9100")
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: eg, namespace: c}\n"
	     "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n"
	     "  - to: [{namespaceSelector: {matchLabels: {team: a}}}]\n    ports: [{port: http}]\n---\n"
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: a}\n"
	     "spec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: http}, {port: 53, protocol: UDP}]\n",
	     false);
	/* the same name, two numbers: 8080 on w1, 9090 on w2 */
	assert_string_equal(conn(&f, "a/w1", "a/w2"), "TCP 9090,UDP 53");
	assert_string_equal(conn(&f, "a/w2", "a/w1"), "TCP 8080,UDP 53");
	/* egress named port meets ingress named port */
	assert_string_equal(conn(&f, "c/client", "a/w1"), "TCP 8080");
	assert_string_equal(conn(&f, "c/client", "a/w2"), "TCP 9090");
	/* an IP range has no containers: the egress rule's named port gives nothing */
	assert_string_equal(conn(&f, "c/client", "8.8.8.8"), "No Connections");
	/* ingress from outside resolves on the destination */
	assert_string_equal(conn(&f, "203.0.113.1", "a/w2"), "TCP 9090,UDP 53");
	unload(&f);
}

/* a named port whose protocol differs from the rule's matches nothing */
static void test_named_port_protocol_must_match(void **state)
{
	(void)state;
	fixture f = {0};
	load(&f,
	     NS("a")
	     POD("a", "w", "web", "http", "8080")
	     POD("a", "v", "v", "other", "1")
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: a}\n"
	     "spec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - ports: [{port: http, protocol: UDP}]\n",
	     false);
	assert_string_equal(conn(&f, "a/v", "a/w"), "No Connections");
	unload(&f);
}

/* ---- endPort ---- */
static void test_end_port(void **state)
{
	(void)state;
	fixture f = {0};
	load(&f,
	     NS("a")
	     POD("a", "w", "web", "http", "8080")
	     POD("a", "v", "v", "other", "1")
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: a}\n"
	     "spec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n"
	     "  - ports: [{port: 8000, endPort: 8100}, {port: 8100, endPort: 8200, protocol: TCP},"
	     " {port: 53, endPort: 53, protocol: UDP}, {protocol: SCTP}]\n",
	     false);
	assert_string_equal(conn(&f, "a/v", "a/w"), "SCTP 1-65535,TCP 8000-8200,UDP 53");
	unload(&f);
}

/* ---- ipBlock atoms ---- */
static void test_ipblock_atoms(void **state)
{
	(void)state;
	fixture f = {0};
	load(&f,
	     NS("a")
	     POD("a", "w", "web", "http", "8080")
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: eg, namespace: a}\n"
	     "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n"
	     "  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.3.0.0/16, 10.1.0.0/16]}}]\n"
	     "  - to: [{ipBlock: {cidr: 192.168.0.0/16, except: [192.168.1.0/24, 192.168.2.0/24]}}]\n",
	     false);
	/* destination atoms: the whole space cut at the boundaries of each
	 * peer's set (cidr minus except). Adjacent excepts of one peer leave no
	 * boundary between them: 192.168.1.0-192.168.2.255 is one atom, as
	 * every address in it is treated alike (NPA merges them too). */
	static const char *want[] = {
		"0.0.0.0-9.255.255.255[External]",       "10.0.0.0-10.0.255.255[External]",
		"10.1.0.0-10.1.255.255[External]",       "10.2.0.0-10.2.255.255[External]",
		"10.3.0.0-10.3.255.255[External]",       "10.4.0.0-10.255.255.255[External]",
		"11.0.0.0-192.167.255.255[External]",    "192.168.0.0-192.168.0.255[External]",
		"192.168.1.0-192.168.2.255[External]",   "192.168.3.0-192.168.255.255[External]",
		"192.169.0.0-255.255.255.255[External]",
	};
	size_t k = 0, nsrc = 0;
	for (size_t i = 0; i < f.g->neps; i++) {
		const tm_endpoint *e = &f.g->eps[i];
		if (e->kind != TM_EP_IPRANGE)
			continue;
		if (e->is_src_atom) {
			/* no ingress ipBlock: the sources are one range */
			assert_string_equal(e->name, "0.0.0.0-255.255.255.255[External]");
			nsrc++;
			continue;
		}
		assert_true(k < sizeof want / sizeof *want);
		assert_string_equal(e->name, want[k]);
		k++;
	}
	assert_int_equal(k, 11);
	assert_int_equal(nsrc, 1);
	assert_string_equal(conn(&f, "a/w", "10.0.0.1"), "All Connections");
	assert_string_equal(conn(&f, "a/w", "10.1.2.3"), "No Connections");
	assert_string_equal(conn(&f, "a/w", "10.2.255.255"), "All Connections");
	assert_string_equal(conn(&f, "a/w", "10.3.0.0"), "No Connections");
	assert_string_equal(conn(&f, "a/w", "10.4.0.0"), "All Connections");
	assert_string_equal(conn(&f, "a/w", "10.255.255.255"), "All Connections");
	assert_string_equal(conn(&f, "a/w", "192.168.0.255"), "All Connections");
	assert_string_equal(conn(&f, "a/w", "192.168.2.0"), "No Connections");
	assert_string_equal(conn(&f, "a/w", "192.168.3.0"), "All Connections");
	assert_string_equal(conn(&f, "a/w", "9.255.255.255"), "No Connections");
	assert_string_equal(conn(&f, "a/w", "11.0.0.0"), "No Connections");
	unload(&f);
}

/* an IPv6 block (even ::/0) holds no IPv4 address: IPv4 lives inside the
 * IPv6 space (::ffff:0:0/96) in tm_ipset, and must not be matched by it */
static void test_ipv6_block_excludes_ipv4(void **state)
{
	(void)state;
	fixture f = {0};
	load(&f,
	     NS("a")
	     POD("a", "w", "web", "http", "8080")
	     POD("a", "v", "v", "http", "8080")
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: eg, namespace: a}\n"
	     "spec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress, Ingress]\n"
	     "  egress:\n  - to: [{ipBlock: {cidr: \"::/0\"}}]\n"
	     "  ingress:\n  - from: [{ipBlock: {cidr: \"::/0\"}}]\n---\n"
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: n}\n"
	     "spec:\n  priority: 1\n  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: v}}}}\n"
	     "  egress:\n  - {name: d, action: Deny, to: [{networks: [8.8.8.8/32, \"::/0\"]}]}\n",
	     false);
	assert_string_equal(conn(&f, "a/w", "8.8.8.8"), "No Connections");
	assert_string_equal(conn(&f, "a/w", "0.0.0.0"), "No Connections");
	assert_string_equal(conn(&f, "203.0.113.1", "a/w"), "No Connections");
	assert_string_equal(conn(&f, "a/v", "8.8.8.8"), "No Connections");
	assert_string_equal(conn(&f, "a/v", "8.8.8.9"), "All Connections");
	assert_string_equal(conn(&f, "a/v", "1.1.1.1"), "All Connections");
	unload(&f);
}

/* ipBlocks match pod IPs only with --ipblock-matches-pods */
#define PODIP(ns, name, app, ip)                                                                     \
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: " name "\n  namespace: " ns "\n  labels:\n    app: " app \
	"\nspec:\n  containers: [{name: c}]\nstatus:\n  podIP: " ip "\n---\n"

static void test_ipblock_matches_pods(void **state)
{
	(void)state;
	static const char *yaml =
		NS("a")
		PODIP("a", "in", "in", "10.0.0.5")
		PODIP("a", "out", "out", "10.0.1.5")
		PODIP("a", "noip", "noip", "\"\"")
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: a}\n"
		"spec:\n  podSelector: {matchLabels: {app: out}}\n  ingress:\n"
		"  - from: [{ipBlock: {cidr: 10.0.0.0/24}}]\n";
	fixture f = {0};
	load(&f, yaml, false);
	assert_string_equal(conn(&f, "a/in", "a/out"), "No Connections");
	assert_string_equal(conn(&f, "a/noip", "a/out"), "No Connections");
	unload(&f);
	load(&f, yaml, true);
	assert_string_equal(conn(&f, "a/in", "a/out"), "All Connections");
	/* a pod without an address is never inside an ipBlock */
	assert_string_equal(conn(&f, "a/noip", "a/out"), "No Connections");
	unload(&f);
}

/* ---- policyTypes ---- */
static void test_policy_types_inference(void **state)
{
	(void)state;
	fixture f = {0};
	load(&f,
	     NS("a")
	     POD("a", "p", "p", "http", "80")
	     POD("a", "q", "q", "http", "80")
	     POD("a", "r", "r", "http", "80")
	     /* egress rules, no policyTypes: Ingress and Egress */
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: eg, namespace: a}\n"
	     "spec:\n  podSelector: {matchLabels: {app: p}}\n  egress:\n  - to: [{podSelector: {matchLabels: {app: q}}}]\n---\n"
	     /* ingress rules only: Ingress */
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: a}\n"
	     "spec:\n  podSelector: {matchLabels: {app: q}}\n  ingress:\n  - ports: [{port: 80}]\n---\n"
	     /* explicit Egress: its ingress rules are ignored */
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: r, namespace: a}\n"
	     "spec:\n  podSelector: {matchLabels: {app: r}}\n  policyTypes: [Egress]\n"
	     "  ingress:\n  - from: [{podSelector: {matchLabels: {app: nobody}}}]\n",
	     false);
	assert_string_equal(conn(&f, "a/q", "a/p"), "No Connections");    /* p: ingress isolated */
	assert_string_equal(conn(&f, "a/p", "a/q"), "TCP 80");            /* p egress to q, q ingress 80 */
	assert_string_equal(conn(&f, "a/p", "a/r"), "No Connections");    /* p egress only to q */
	assert_string_equal(conn(&f, "a/q", "8.8.8.8"), "All Connections"); /* q: egress open */
	assert_string_equal(conn(&f, "a/q", "a/r"), "All Connections");   /* r: ingress rules ignored */
	assert_string_equal(conn(&f, "a/r", "a/q"), "No Connections");    /* r: egress isolated, no rules */
	assert_string_equal(conn(&f, "8.8.8.8", "a/r"), "All Connections"); /* r's ingress is open */
	unload(&f);
}

/* ---- self pairs ---- */
static void test_self_pairs_skipped(void **state)
{
	(void)state;
	fixture f = {0};
	load(&f,
	     NS("a")
	     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: a}\n"
	     "spec:\n  replicas: 3\n  selector: {matchLabels: {app: d}}\n"
	     "  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: c}]}\n---\n"
	     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: e, namespace: a}\n"
	     "spec:\n  replicas: 1\n  selector: {matchLabels: {app: d}}\n"
	     "  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: c}]}\n",
	     false);
	/* d and e are one class, yet d -> e is an edge and d -> d is not */
	assert_string_equal(conn(&f, "a/d", "a/e"), "All Connections");
	assert_string_equal(conn(&f, "a/d", "a/d"), "No Connections");
	for (size_t i = 0; i < f.g->nedges; i++)
		assert_int_not_equal(f.g->edges[i].src, f.g->edges[i].dst);
	unload(&f);
}

/* ---- AdminNetworkPolicy tiers ---- */
#define HOUSE(h) NS(h) POD(h, h, h, "web", "80")

static void test_anp_pass_falls_through_to_np(void **state)
{
	(void)state;
	fixture f = {0};
	load(&f,
	     HOUSE("g") HOUSE("s") HOUSE("r")
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: pass}\n"
	     "spec:\n  priority: 10\n  subject: {namespaces: {matchLabels: {team: g}}}\n  ingress:\n"
	     "  - {name: pass-s, action: Pass, from: [{namespaces: {matchLabels: {team: s}}}]}\n"
	     "  - {name: deny-s, action: Deny, from: [{namespaces: {matchLabels: {team: s}}}]}\n---\n"
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: g}\n"
	     "spec:\n  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: s}}}]\n"
	     "    ports: [{port: 80}]\n---\n"
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\n"
	     "spec:\n  subject: {namespaces: {}}\n  ingress:\n"
	     "  - {name: deny-s, action: Deny, from: [{namespaces: {matchLabels: {team: s}}}]}\n",
	     false);
	/* passed (the later Deny never sees it), then the NP allows TCP 80 */
	assert_string_equal(conn(&f, "s/s", "g/g"), "TCP 80");
	/* r is not passed: the NP isolates g and does not allow r */
	assert_string_equal(conn(&f, "r/r", "g/g"), "No Connections");
	/* the BANP applies where no NP selects: s -> r denied, g -> r allowed */
	assert_string_equal(conn(&f, "s/s", "r/r"), "No Connections");
	assert_string_equal(conn(&f, "g/g", "r/r"), "All Connections");

	/* explain: a Pass rule of the ANP, then the NP rule, then the NP default deny */
	tm_explain ex;
	assert_int_equal(tm_conn_explain(f.g, ep(&f, "s/s"), ep(&f, "g/g"), &ex), TM_OK);
	bool pass = false, nprule = false, npdeny = false, banp = false;
	for (size_t i = 0; i < ex.n; i++) {
		const tm_why *w = &ex.v[i];
		if (w->dir != TM_DIR_INGRESS)
			continue;
		if (w->kind == TM_WHY_RULE && w->action == TM_ACT_PASS) {
			assert_string_equal(w->policy, "pass");
			assert_string_equal(w->rule_name, "pass-s");
			assert_true(tm_ports_is_all(w->ports));
			pass = true;
		}
		if (w->kind == TM_WHY_RULE && w->policy_kind && !strcmp(w->policy_kind, "NetworkPolicy")) {
			assert_string_equal(w->policy, "g/np");
			assert_int_equal(w->rule, 0);
			assert_string_equal(fmt(&f, w->ports), "TCP 80");
			nprule = true;
		}
		if (w->kind == TM_WHY_NP_DEFAULT_DENY) {
			assert_string_equal(fmt(&f, w->ports), "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535");
			npdeny = true;
		}
		if (w->policy_kind && !strcmp(w->policy_kind, "BaselineAdminNetworkPolicy"))
			banp = true;
	}
	assert_true(pass && nprule && npdeny);
	assert_false(banp);
	assert_string_equal(fmt(&f, ex.allowed), "TCP 80");
	tm_explain_release(&ex);
	unload(&f);
}

static void test_banp_only_without_np(void **state)
{
	(void)state;
	fixture f = {0};
	load(&f,
	     HOUSE("g") HOUSE("s") HOUSE("h")
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\n"
	     "spec:\n  subject: {namespaces: {}}\n  ingress:\n"
	     "  - {name: deny-s, action: Deny, from: [{namespaces: {matchLabels: {team: s}}}]}\n"
	     "  - {name: allow-s-web, action: Allow, from: [{namespaces: {matchLabels: {team: s}}}],"
	     " ports: [{portNumber: {port: 80, protocol: TCP}}]}\n---\n"
	     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: h}\n"
	     "spec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 443}]\n",
	     false);
	/* the first BANP rule decides everything: the later Allow is shadowed */
	assert_string_equal(conn(&f, "s/s", "g/g"), "No Connections");
	assert_string_equal(conn(&f, "h/h", "g/g"), "All Connections");
	/* h has a NetworkPolicy: the baseline does not apply there */
	assert_string_equal(conn(&f, "s/s", "h/h"), "TCP 443");
	assert_string_equal(conn(&f, "g/g", "h/h"), "TCP 443");

	tm_explain ex;
	assert_int_equal(tm_conn_explain(f.g, ep(&f, "h/h"), ep(&f, "g/g"), &ex), TM_OK);
	bool dflt = false;
	for (size_t i = 0; i < ex.n; i++)
		if (ex.v[i].dir == TM_DIR_INGRESS && ex.v[i].kind == TM_WHY_BANP_DEFAULT) {
			assert_true(tm_ports_is_all(ex.v[i].ports));
			dflt = true;
		}
	assert_true(dflt);
	tm_explain_release(&ex);
	unload(&f);
}

static void test_anp_priority_and_named_port(void **state)
{
	(void)state;
	fixture f = {0};
	/* given in the wrong order: priority 50 before priority 5 */
	load(&f,
	     HOUSE("g") HOUSE("s")
	     "apiVersion: v1\nkind: Pod\nmetadata: {name: dns, namespace: g, labels: {app: dns}}\n"
	     "spec:\n  containers:\n  - name: c\n    ports: [{containerPort: 5353, name: dns, protocol: UDP},"
	     " {containerPort: 8053, name: web}]\n---\n"
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: p50}\n"
	     "spec:\n  priority: 50\n  subject: {namespaces: {matchLabels: {team: g}}}\n  ingress:\n"
	     "  - {name: deny-all-s, action: Deny, from: [{namespaces: {matchLabels: {team: s}}}]}\n---\n"
	     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: p5}\n"
	     "spec:\n  priority: 5\n  subject: {namespaces: {matchLabels: {team: g}}}\n  ingress:\n"
	     "  - {name: allow-named, action: Allow, from: [{namespaces: {matchLabels: {team: s}}}],"
	     " ports: [{namedPort: dns}, {namedPort: web}, {portRange: {start: 9000, end: 9010, protocol: SCTP}}]}\n",
	     false);
	/* namedPort takes the container port's protocol, per destination */
	assert_string_equal(conn(&f, "s/s", "g/dns"), "SCTP 9000-9010,TCP 8053,UDP 5353");
	assert_string_equal(conn(&f, "s/s", "g/g"), "SCTP 9000-9010,TCP 80");
	assert_string_equal(conn(&f, "g/g", "g/dns"), "All Connections");
	unload(&f);
}

/* ---- selectors ---- */
static void test_selector_operators(void **state)
{
	(void)state;
	tm_label lv[] = {{"app", "web"}, {"tier", "front"}};
	tm_labels l = {2, lv};
	const char *vals[] = {"web", "api"};
	tm_selexpr e = {"app", TM_SEL_IN, 2, vals};
	tm_selector s = {{0, NULL}, 1, &e};
	assert_true(tm_selector_matches(&s, &l));
	e.op = TM_SEL_NOTIN;
	assert_false(tm_selector_matches(&s, &l));
	/* NotIn matches a label set without the key; In does not */
	e.key = "zone";
	assert_true(tm_selector_matches(&s, &l));
	e.op = TM_SEL_IN;
	assert_false(tm_selector_matches(&s, &l));
	e.op = TM_SEL_DOESNOTEXIST;
	assert_true(tm_selector_matches(&s, &l));
	e.op = TM_SEL_EXISTS;
	assert_false(tm_selector_matches(&s, &l));
	e.key = "tier";
	assert_true(tm_selector_matches(&s, &l));
	/* matchLabels and matchExpressions are ANDed */
	tm_label ml[] = {{"app", "api"}};
	s.match.n = 1;
	s.match.v = ml;
	assert_false(tm_selector_matches(&s, &l));
	ml[0].val = "web";
	assert_true(tm_selector_matches(&s, &l));
	/* the empty selector matches everything, even no labels */
	tm_selector empty = {{0, NULL}, 0, NULL};
	tm_labels none = {0, NULL};
	assert_true(tm_selector_is_empty(&empty));
	assert_true(tm_selector_matches(&empty, &none));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_port_per_destination),
		cmocka_unit_test(test_named_port_protocol_must_match),
		cmocka_unit_test(test_end_port),
		cmocka_unit_test(test_ipblock_atoms),
		cmocka_unit_test(test_ipv6_block_excludes_ipv4),
		cmocka_unit_test(test_ipblock_matches_pods),
		cmocka_unit_test(test_policy_types_inference),
		cmocka_unit_test(test_self_pairs_skipped),
		cmocka_unit_test(test_anp_pass_falls_through_to_np),
		cmocka_unit_test(test_banp_only_without_np),
		cmocka_unit_test(test_anp_priority_and_named_port),
		cmocka_unit_test(test_selector_operators),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
