/* mesh.h - mesh mTLS posture from manifests: for every allowed connection of
 * a graph (analyzer/conn.h) and every port range of it, is it protected by
 * the mesh's mutual TLS, and does the server port refuse plaintext?
 *
 * The decision tables are those of the mesh specification (Istio rows 1-23,
 * Linkerd rows L1-L7); every decision is recorded in docs/semantics.md
 * ("Mesh mTLS posture"). The model and the graph are read only; a
 * tm_mesh_result owns what it computes (tm_mesh_result_free) and refers into
 * the graph, which must outlive it. Its parts follow the graph's edges: it
 * is computed after any narrowing of the graph (focus, --port). */
#ifndef TM_ANALYZER_MESH_H
#define TM_ANALYZER_MESH_H

#include "analyzer/conn.h"
#include "model/mesh.h"

typedef enum {
	TM_PROT_MTLS,            /* mesh mTLS, and the server port refuses plaintext */
	TM_PROT_MTLS_PERMISSIVE, /* mesh mTLS, but the server port also accepts plaintext */
	TM_PROT_PLAINTEXT,
	TM_PROT_REJECTED,        /* allowed by the network policies, refused by the mesh */
	TM_PROT_UNKNOWN,         /* the manifests do not settle it (the reason says why) */
	TM_NPROT
} tm_protection;

/* "mtls", "mtls-permissive", "plaintext", "rejected", "unknown" */
const char *tm_protection_name(tm_protection p);

/* The cluster-wide assumptions (docs/semantics.md): NULL / TM_TRI_UNKNOWN =
 * what the install's ConfigMaps in the input say, else the default. */
typedef struct tm_mesh_opts {
	const char *istio_root_ns;        /* istio-system */
	const char *istio_trust_domain;   /* cluster.local */
	tm_tri istio_auto_mtls;           /* yes */
	tm_tri istio_inject_enabled;      /* yes: the injector's default policy is "enabled" */
	tm_tri istio_ns_by_default;       /* no: enableNamespacesByDefault */
	tm_tri istio_ambient;             /* unknown: istio-cni ambient.enabled */
	const char *linkerd_ns;           /* linkerd */
	const char *linkerd_trust_domain; /* cluster.local */
	const char *linkerd_default_policy; /* all-unauthenticated */
	const char *linkerd_opaque_ports; /* 25,587,3306,4444,5432,6379,9300,11211 */
	const char *linkerd_skip_ports;   /* 4567,4568 (inbound and outbound) */
	tm_cilium_enc cilium_encryption;  /* unknown: Helm encryption.type, cilium-config enable-* */
	tm_tri cilium_mutual_auth;        /* unknown: cilium-config mesh-auth-mutual-enabled */
} tm_mesh_opts;

void tm_mesh_opts_default(tm_mesh_opts *o);

/* ---- the assumptions in force, each with where it came from ---- */
typedef enum {
	TM_MSET_ISTIO_ROOT_NS, TM_MSET_ISTIO_TRUST_DOMAIN, TM_MSET_ISTIO_AUTO_MTLS, TM_MSET_ISTIO_INJECT,
	TM_MSET_ISTIO_NS_BY_DEFAULT, TM_MSET_ISTIO_AMBIENT, TM_MSET_LINKERD_NS, TM_MSET_LINKERD_TRUST_DOMAIN,
	TM_MSET_LINKERD_POLICY, TM_MSET_LINKERD_OPAQUE_PORTS, TM_MSET_LINKERD_SKIP_PORTS, TM_MSET_CILIUM_ENCRYPTION,
	TM_MSET_CILIUM_MUTUAL_AUTH,
	TM_NMSET
} tm_mesh_setting;

/* The option that sets s, without its dashes ("istio-root-namespace"). */
const char *tm_mesh_setting_name(tm_mesh_setting s);

typedef enum {
	TM_MFROM_DEFAULT,   /* the specification's default */
	TM_MFROM_OPTION,    /* a command-line option */
	TM_MFROM_CONFIGMAP, /* an install ConfigMap of the input */
	TM_MFROM_INPUT,     /* another object of the input (a ztunnel DaemonSet: ambient is installed) */
} tm_mesh_from_kind;

/* "default", "option", "configmap", "input" */
const char *tm_mesh_from_kind_name(tm_mesh_from_kind k);

typedef struct tm_mesh_from {
	tm_mesh_from_kind kind;
	const char *object;     /* CONFIGMAP: "ns/name"; INPUT: "DaemonSet ns/name"; else NULL */
	const char *key;        /* CONFIGMAP: what of it decided ("mesh", "values", "enable-wireguard"), else NULL */
} tm_mesh_from;

typedef struct tm_mesh_settings {
	tm_mesh_opts eff;       /* every field set; istio_ambient and cilium_* may be unknown */
	tm_mesh_from from[TM_NMSET];
} tm_mesh_settings;

/* The assumptions in force for model m: an option of o (NULL: none) wins,
 * else the install's ConfigMaps in m, else the default (docs/semantics.md
 * "Mesh mTLS posture", Assumptions). Strings are m's or static. */
void tm_mesh_settings_resolve(const tm_model *m, const tm_mesh_opts *o, tm_mesh_settings *s);
/* Does o set any assumption? */
bool tm_mesh_opts_any(const tm_mesh_opts *o);

typedef enum {
	TM_PROXY_NONE, TM_PROXY_ISTIO_SIDECAR, TM_PROXY_ISTIO_AMBIENT, TM_PROXY_LINKERD, TM_PROXY_UNKNOWN
} tm_proxy;

const char *tm_proxy_name(tm_proxy p);

/* What decided a workload's proxy (tm_mesh_wl.basis). */
typedef enum {
	TM_MBY_NONE,            /* nothing enrols it */
	TM_MBY_HOST_NETWORK,    /* hostNetwork: never a proxy */
	TM_MBY_INJECTED,        /* already injected (a proxy container, status annotation or label) */
	TM_MBY_NS_LABEL,        /* a namespace label (istio-injection, istio.io/rev, istio.io/dataplane-mode) */
	TM_MBY_POD_LABEL,       /* a pod label (sidecar.istio.io/inject, istio.io/rev, istio.io/dataplane-mode) */
	TM_MBY_NS_ANNOTATION,   /* the namespace's linkerd.io/inject */
	TM_MBY_POD_ANNOTATION,  /* the pod's linkerd.io/inject or sidecar.istio.io/inject */
	TM_MBY_NS_BY_DEFAULT,   /* Istio enableNamespacesByDefault */
	TM_MBY_POLICY,          /* the injector's policy (disabled) */
	TM_MBY_NEVER_NS,        /* a namespace Istio never injects (kube-system, ...) */
	TM_MBY_AUTOMOUNT,       /* Linkerd: automountServiceAccountToken is false */
} tm_mesh_by;

/* "none", "host-network", "already-injected", "namespace-label", "pod-label",
 * "namespace-annotation", "pod-annotation", "namespaces-by-default",
 * "inject-policy", "never-injected-namespace", "automount-off" */
const char *tm_mesh_by_name(tm_mesh_by b);

/* What runs beside one workload of the graph. */
typedef struct tm_mesh_wl {
	tm_proxy proxy;
	const char *why;        /* how that was decided */
	tm_mesh_by basis;       /* the kind of fact that decided it */
	const char *revision;   /* Istio sidecar: the revision whose injector is called ("default", ...), or NULL */
	const char *meshed_ns;  /* the namespace enrols its pods ("istio-injection=enabled", ...), or NULL */
} tm_mesh_wl;

/* What enrolment reads beyond the workload. */
typedef struct tm_mesh_env {
	const tm_model *m;
	const tm_mesh_settings *set;
	tm_arena *arena;        /* for the reasons */
	tm_strtab *strs;
} tm_mesh_env;

/* Which proxy runs beside w, and why (docs/semantics.md "Which proxy");
 * strings in env's arena and table, or static. The posture and the census
 * both decide with this. */
void tm_mesh_enrol(const tm_mesh_env *env, const tm_workload *w, tm_mesh_wl *out);
/* What enrols a namespace's pods by a label or annotation of the namespace
 * ("istio-injection=enabled", "istio.io/rev=canary",
 * "istio.io/dataplane-mode=ambient", "linkerd.io/inject: enabled"), or NULL;
 * tm_mesh_enrol gives each workload this as meshed_ns. ns may be NULL. */
const char *tm_mesh_ns_enrols(const tm_mesh_env *env, const tm_namespace *ns);
/* Does ns carry io.cilium/mtls-enabled=true (Cilium's ztunnel enrols its
 * pods, hostNetwork ones aside)? ns may be NULL. */
bool tm_mesh_cilium_ns_enrolled(const tm_namespace *ns);
/* Linkerd's default inbound policy of w when no Server selects a port: the
 * pod's config.linkerd.io/default-inbound-policy, else its namespace's, else
 * the cluster's (set); *from: "pod annotation", "namespace annotation" or
 * "cluster default". */
const char *tm_mesh_linkerd_default_policy(const tm_mesh_settings *set, const tm_workload *w, const char **from);
/* The level a PeerAuthentication applies at, by where it is and its
 * selector (docs/semantics.md "Istio server side"): the root namespace
 * without a selector is mesh-wide, with one ignored; elsewhere without a
 * selector the namespace's, with one the selected workloads'. */
typedef enum { TM_PASCOPE_MESH, TM_PASCOPE_NAMESPACE, TM_PASCOPE_WORKLOAD, TM_PASCOPE_IGNORED, TM_NPASCOPE } tm_pa_scope;
/* "mesh", "namespace", "workload", "ignored" */
const char *tm_pa_scope_name(tm_pa_scope sc);
tm_pa_scope tm_mesh_istio_pa_scope(const tm_peerauth *p, const char *root_ns);
/* The mesh-wide PeerAuthentication: the first by name in the root
 * namespace without a selector, or NULL. */
const tm_peerauth *tm_mesh_istio_mesh_pa(const tm_meshobjs *ms, const char *root_ns);

/* One port subset of an edge with one protection. */
typedef struct tm_mesh_part {
	tm_protection prot;
	bool authenticated;     /* a Cilium rule requiring mutual authentication admits these ports, and it is on */
	const tm_ports *ports;
	const char *reason;     /* the table row(s) and the objects that decided it */
} tm_mesh_part;

/* A Cilium rule requiring mutual authentication (or always failing it)
 * that admits some ports of an edge (TM125). */
typedef struct tm_mesh_auth {
	const char *rule;       /* "CiliumNetworkPolicy ns/name ingress rule 0" */
	tm_srcloc loc;          /* of the rule */
	tm_rule_auth mode;      /* TM_AUTH_REQUIRED or TM_AUTH_TEST_ALWAYS_FAIL */
	const tm_ports *ports;  /* what it admits of the edge */
} tm_mesh_auth;

typedef struct tm_mesh_conn {
	tm_mesh_part *v;        /* ordered by the first port of each subset; one protection may have two
				 * parts, authenticated and not */
	size_t n;
	tm_mesh_auth *auths;    /* the admitting rules with an authentication mode, in explain's order */
	size_t nauths;
} tm_mesh_conn;

/* What the posture could not judge, or judged otherwise than an object
 * says, stated where the answer is read: a note of check's findings
 * (docs/checks.md "Notes"), and a warning on stderr (conn --show-mtls). */
typedef struct tm_mesh_note {
	const char *code;       /* "mesh-serviceentry-no-addresses", "mesh-serviceentry-service-host" */
	tm_srcloc loc;          /* the object's */
	const char *message;
} tm_mesh_note;

typedef struct tm_mesh_result {
	const tm_graph *g;
	tm_mesh_opts eff;       /* the assumptions in force, every field set (set.eff) */
	tm_mesh_settings set;   /* ... with where each came from */
	bool cilium;            /* the Cilium posture applies: an install in the input, or a --cilium-* option */
	const char *cilium_why; /* what says so */
	const char *cilium_enc_from, *cilium_auth_from; /* "--cilium-encryption", "cilium-config ns/name enable-wireguard", "default" */
	tm_mesh_wl *wl;         /* per g->workloads[i] */
	tm_mesh_conn *conns;    /* per g->edges[i] */
	size_t nconns;
	tm_arena arena;
	tm_strtab strs;
	tm_diags diags;         /* ambiguous policies, ignored selectors, ... */
	tm_mesh_note *notes;    /* in the input's order; strings in the arena */
	size_t nnotes, cap_notes;
} tm_mesh_result;

/* Caller owns *out (tm_mesh_result_free). */
tm_err tm_mesh_compute(const tm_graph *g, const tm_mesh_opts *o, tm_mesh_result **out);
void tm_mesh_result_free(tm_mesh_result *r);
/* The ports of edge i with protection p (the empty set when none), authenticated or not. */
const tm_ports *tm_mesh_edge_ports(const tm_mesh_result *r, size_t edge, tm_protection p);
/* The proxy beside endpoint ep (TM_PROXY_NONE for IP ranges and the ingress controller). */
tm_proxy tm_mesh_ep_proxy(const tm_mesh_result *r, size_t ep);
/* The effective PeerAuthentication mode of workload w on TCP port (UNSET:
 * no policy); *by names the deciding policy or is NULL. */
tm_pa_mode tm_mesh_istio_pa(const tm_mesh_result *r, const tm_workload *w, uint32_t port, const char **by);
/* Does the Linkerd inbound policy of w on port admit unauthenticated
 * clients? (*by: what decides) */
bool tm_mesh_linkerd_admits_plaintext(const tm_mesh_result *r, const tm_workload *w, uint32_t port, const char **by);

/* ---- the decision tables (unit-tested row by row) ---- */
typedef enum { TM_MP_NONE, TM_MP_SIDECAR, TM_MP_AMBIENT } tm_istio_proxy;

typedef struct tm_istio_case {
	tm_istio_proxy client, server;
	tm_pa_mode pa;    /* effective on the server's target port; UNSET = no policy (PERMISSIVE) */
	bool ns_disable;  /* the mesh/namespace level of the Service's namespace is DISABLE */
	tm_dr_tls dr;     /* the DestinationRule TLS mode the client sees */
	bool auto_mtls;
	bool bypass;      /* the port is excluded from capture (row 23) */
	bool mixed;       /* a headless or PASSTHROUGH Service with an endpoint without a sidecar:
			   * auto mTLS gives the client no TLS context (rows 3, 3c) */
} tm_istio_case;

/* *row: "1" .. "23", "3c". */
tm_protection tm_mesh_istio_decide(const tm_istio_case *k, const char **row);

typedef struct tm_l5d_case {
	bool client_meshed, server_meshed;
	bool skipped;       /* skip-inbound-ports / skip-outbound-ports (row L7) */
	bool authorized;    /* the server's inbound policy admits this client */
	bool admits_unauth; /* ... and admits unauthenticated clients on the port */
} tm_l5d_case;

/* *row: "L1" .. "L7". */
tm_protection tm_mesh_linkerd_decide(const tm_l5d_case *k, const char **row);

/* Cilium (docs/semantics.md, mesh specification section 6): the transport a
 * port gets below any mesh proxy, and what a rule requiring mutual
 * authentication adds. */
typedef struct tm_cilium_case {
	tm_protection mesh; /* what the mesh proxies give (no proxy: plaintext) */
	tm_cilium_enc enc;
	bool client_enrolled, server_enrolled; /* ztunnel: the namespace has io.cilium/mtls-enabled=true */
	bool tcp;
	tm_tri same_node;   /* the two pods are known to share a node (YES) or not */
	tm_rule_auth auth;  /* of the rules that admit the port: TEST_ALWAYS_FAIL, else REQUIRED, else NONE */
	tm_tri mutual;      /* mutual authentication is on */
	bool unauth_peer;   /* an end has an identity Cilium never authenticates: a reserved one (world,
			     * host, remote-node) or a CIDR identity (row A5) */
} tm_cilium_case;

/* *row: "C1" .. "C8" (the transport, only below a mesh's plaintext; else
 * NULL), *arow: "A1" .. "A5" (a rule's authentication mode: required and
 * on A1, off A2, test-always-fail A3, not known A4, required with an end
 * Cilium never authenticates A5 whatever the install; else NULL);
 * *authenticated: row A1 and not rejected. */
tm_protection tm_mesh_cilium_decide(const tm_cilium_case *k, const char **row, const char **arow, bool *authenticated);
/* The Cilium identity of endpoint ep when it is one that Cilium never
 * authenticates (row A5), else NULL: an IP range is world (fromEntities)
 * or a CIDR identity (fromCIDR, fromCIDRSet), a host-network pod its
 * node's host or remote-node. A static string. */
const char *tm_mesh_cilium_unauth_identity(const tm_endpoint *ep);

#endif
