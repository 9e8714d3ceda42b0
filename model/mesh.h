/* mesh.h - service-mesh objects (Istio, Linkerd) and the pod facts that decide
 * whether a pod runs a mesh proxy: the nouns behind `conn --show-mtls` and
 * the mesh checks (docs/semantics.md "Mesh mTLS posture").
 *
 * Ownership: everything here lives in the model's arena (strings interned
 * in its table); m->mesh is NULL until a mesh object or a mesh ConfigMap is
 * read. tm_mesh_finish() (called by tm_model_finish) sorts every list by
 * (namespace, name). */
#ifndef TM_MODEL_MESH_H
#define TM_MODEL_MESH_H

#include "model/model.h"

/* ---- per pod (template) and per namespace ---- */

/* The pod-template facts a mesh injector or CNI reads. Annotations are kept
 * only for the mesh prefixes (sidecar.istio.io/, traffic.sidecar.istio.io/,
 * istio.io/, proxy.istio.io/, linkerd.io/, config.linkerd.io/,
 * config.alpha.linkerd.io/); labels are the workload's own. */
typedef struct tm_mesh_pod {
	tm_labels ann;
	bool istio_proxy;    /* a container named istio-proxy (kube-inject output) */
	bool linkerd_proxy;  /* a container named linkerd-proxy (linkerd inject output) */
	bool automount_off;  /* automountServiceAccountToken: false */
} tm_mesh_pod;

/* Is key one of the mesh annotation prefixes above? */
bool tm_mesh_annotation_key(const char *key);

/* ---- Istio ---- */
typedef enum { TM_PA_UNSET = 0, TM_PA_STRICT, TM_PA_PERMISSIVE, TM_PA_DISABLE } tm_pa_mode;
const char *tm_pa_mode_name(tm_pa_mode m);

typedef struct tm_mesh_portmode {
	uint32_t port;
	int mode;            /* tm_pa_mode or tm_dr_tls; -1 = not set (inherit) */
	tm_srcloc loc;
} tm_mesh_portmode;

typedef struct tm_peerauth {
	const char *ns, *name;
	bool has_selector;   /* selector.matchLabels non-empty */
	tm_labels match;
	tm_pa_mode mode;
	tm_mesh_portmode *ports; /* portLevelMtls: container (target) ports */
	size_t nports;
	tm_srcloc loc;
} tm_peerauth;

typedef enum {
	TM_DRTLS_AUTO = 0,   /* no tls: auto mTLS */
	TM_DRTLS_DISABLE, TM_DRTLS_SIMPLE, TM_DRTLS_MUTUAL, TM_DRTLS_ISTIO_MUTUAL,
} tm_dr_tls;
const char *tm_dr_tls_name(tm_dr_tls t);

typedef struct tm_dr_policy {
	int tls;             /* tm_dr_tls, -1 = no tls here (inherit) */
	int passthrough;     /* loadBalancer.simple PASSTHROUGH: 1, another: 0, none here: -1 */
	tm_mesh_portmode *ports; /* portLevelSettings: Service ports */
	size_t nports;
} tm_dr_policy;

typedef struct tm_dr_subset {
	const char *name;
	tm_labels labels;
	tm_dr_policy pol;
} tm_dr_subset;

typedef struct tm_destrule {
	const char *ns, *name;
	const char *host;    /* as written */
	const char **export_to; /* NULL = every namespace */
	size_t nexport;
	bool has_wsel;
	tm_labels wsel;      /* workloadSelector.matchLabels */
	tm_dr_policy pol;
	tm_dr_subset *subsets;
	size_t nsubsets;
	tm_srcloc loc;
} tm_destrule;

typedef struct tm_strlist {
	const char **v;
	size_t n;
} tm_strlist;

/* VirtualService (networking.istio.io): which DestinationRule subset, or
 * which other host, a client's traffic to a host goes to. Of each route's
 * match[] the conditions pilot settles when it builds a sidecar's routes
 * are kept (port, sourceLabels, sourceNamespace); the ones only the
 * request or connection settles (uri, headers, sniHosts, ...) are kept as
 * the first one's name. */
typedef enum { TM_VSR_HTTP, TM_VSR_TCP, TM_VSR_TLS } tm_vs_route_kind;

/* One entry of a route's match[] that sidecar traffic can take: its
 * gateways are absent or name "mesh" (the others are not kept). */
typedef struct tm_vs_match {
	uint32_t port;          /* 0: every port */
	tm_labels src_labels;   /* sourceLabels: must be a subset of the client's (none: any client) */
	const char *src_ns;     /* sourceNamespace, NULL: any */
	bool gateways;          /* it lists gateways itself (one of them "mesh") */
	const char *unsettled;  /* the first condition of the request or connection ("uri", "headers",
				 * "sniHosts", ...): the match may or may not take a request; NULL: none */
	const char *canon;      /* the entry as written, canonical (keys sorted; name, and values that
				 * say nothing, left out), interned: equal entries are the same pointer;
				 * NULL when too large to compare */
	tm_srcloc loc;
} tm_vs_match;

typedef struct tm_vs_dest {
	const char *host;    /* as written */
	const char *subset;  /* NULL: no subset */
	uint32_t port;       /* destination.port.number, 0 = not given */
	long long weight;    /* -1 = not given */
	bool mirror;         /* http[].mirror(s): a copy of the request */
	tm_srcloc loc;
} tm_vs_dest;

typedef struct tm_vs_route {
	tm_vs_route_kind kind;
	size_t index;        /* its position in spec.http, spec.tcp or spec.tls */
	bool has_match;      /* match[] lists any entry; false: the route takes every request */
	tm_vs_match *matches; /* the entries sidecar traffic can take (has_match and none: gateways only) */
	size_t nmatches;
	bool gw_entries;     /* an entry of match[] is for other gateways only (not kept) */
	tm_vs_dest *dests;   /* route[] (+ mirrors); none: redirect, directResponse, delegate */
	size_t ndests;
	bool delegate;
	const char *answer;  /* "redirect" or "directResponse": the client's own sidecar answers (no dests,
			      * whatever route[] says: pilot's translateRoute takes them first); NULL: none */
	tm_srcloc loc;
} tm_vs_route;

typedef struct tm_virtualsvc {
	const char *ns, *name;
	const char *ignore;  /* trustmap.io/ignore annotation, or NULL */
	tm_srcloc ignore_loc;
	tm_strlist hosts;
	bool mesh;           /* gateways absent, empty, or naming "mesh": sidecar traffic */
	const char **export_to; /* NULL = every namespace */
	size_t nexport;
	tm_vs_route *routes;
	size_t nroutes;
	tm_srcloc loc;
} tm_virtualsvc;

/* ServiceEntry (networking.istio.io): a host added to the mesh's registry. */
typedef enum { TM_SE_MESH_EXTERNAL = 0, TM_SE_MESH_INTERNAL } tm_se_location;
typedef enum { TM_SE_NONE = 0, TM_SE_STATIC, TM_SE_DNS, TM_SE_DNS_ROUND_ROBIN } tm_se_resolution;

typedef struct tm_se_port {
	uint32_t number, target; /* target 0 = number */
	const char *name, *protocol;
} tm_se_port;

typedef struct tm_serviceentry {
	const char *ns, *name;
	tm_strlist hosts;
	tm_iprange *addrs;   /* spec.addresses (IPs and CIDRs) */
	size_t naddrs;
	tm_se_location location; /* the API's default: MESH_EXTERNAL */
	tm_se_resolution resolution;
	tm_se_port *ports;
	size_t nports;
	bool has_wsel;
	tm_labels wsel;      /* workloadSelector.labels */
	const char **export_to;
	size_t nexport;
	tm_srcloc loc;
} tm_serviceentry;

typedef enum { TM_AZ_ALLOW, TM_AZ_DENY, TM_AZ_CUSTOM, TM_AZ_AUDIT } tm_az_action;
const char *tm_az_action_name(tm_az_action a);

/* One entry of rules[].from[].source. */
typedef struct tm_az_source {
	tm_strlist principals, not_principals, namespaces, not_namespaces, service_accounts;
	tm_strlist ip_blocks, not_ip_blocks, remote_ip_blocks;
	bool request_principals; /* JWT: not a peer identity */
} tm_az_source;

typedef struct tm_az_rule {
	tm_az_source *from;  /* OR; none = any source */
	size_t nfrom;
	uint32_t *ports;     /* to[].operation.ports, union; none = every port */
	size_t nports;
	bool not_ports;      /* to[].operation.notPorts given (ports lists them) */
	bool l7;             /* methods, paths, hosts or `when`: decided per request */
	tm_srcloc loc;
} tm_az_rule;

typedef struct tm_authzpol {
	const char *ns, *name;
	bool has_selector;
	tm_labels match;
	bool has_target_refs; /* targetRef(s): waypoint/gateway policies */
	tm_az_action action;
	tm_az_rule *rules;   /* none: ALLOW matches nothing (deny all), DENY nothing */
	size_t nrules;
	tm_srcloc loc;
} tm_authzpol;

/* ---- Linkerd ---- */
typedef struct tm_l5d_ref {
	const char *group, *kind, *name, *ns; /* ns NULL = the object's */
} tm_l5d_ref;

typedef struct tm_l5d_server {
	const char *ns, *name;
	tm_labels labels;    /* metadata.labels (ServerAuthorization server.selector) */
	tm_selector pod_sel;
	uint32_t port;       /* 0 when named */
	const char *port_name;
	const char *access_policy; /* NULL = deny */
	const char *proxy_protocol;
	tm_srcloc loc;
} tm_l5d_server;

typedef struct tm_l5d_authz {
	const char *ns, *name;
	tm_l5d_ref target;
	tm_l5d_ref *refs;    /* requiredAuthenticationRefs: all must match */
	size_t nrefs;
	tm_srcloc loc;
} tm_l5d_authz;

typedef struct tm_l5d_mtlsauthn {
	const char *ns, *name;
	tm_strlist identities;
	tm_l5d_ref *refs;    /* identityRefs */
	size_t nrefs;
	tm_srcloc loc;
} tm_l5d_mtlsauthn;

typedef struct tm_l5d_cidr {
	tm_iprange r;
	bool except;
} tm_l5d_cidr;

typedef struct tm_l5d_netauthn {
	const char *ns, *name;
	tm_l5d_cidr *nets;
	size_t nnets;
	tm_srcloc loc;
} tm_l5d_netauthn;

typedef struct tm_l5d_serverauthz {
	const char *ns, *name;
	const char *server_name;
	bool has_server_sel;
	tm_selector server_sel;
	bool mesh_tls, unauth_tls, unauthenticated;
	tm_strlist identities;
	tm_l5d_ref *sas;     /* meshTLS.serviceAccounts */
	size_t nsas;
	tm_l5d_cidr *nets;   /* client.networks */
	size_t nnets;
	tm_srcloc loc;
} tm_l5d_serverauthz;

typedef struct tm_l5d_route {
	const char *kind, *ns, *name;
	tm_l5d_ref *parents; /* parentRefs */
	size_t nparents;
	tm_srcloc loc;
} tm_l5d_route;

/* ---- the install: cluster-wide assumptions (docs/semantics.md) ---- */
typedef enum { TM_TRI_UNKNOWN = 0, TM_TRI_NO, TM_TRI_YES } tm_tri;

/* Cilium's transparent encryption (cilium-config enable-wireguard,
 * enable-ipsec, enable-ztunnel). */
typedef enum {
	TM_CENC_UNKNOWN = 0, TM_CENC_NONE, TM_CENC_WIREGUARD, TM_CENC_IPSEC, TM_CENC_ZTUNNEL
} tm_cilium_enc;
/* "unknown", "none", "wireguard", "ipsec", "ztunnel" */
const char *tm_cilium_enc_name(tm_cilium_enc e);
/* The namespace label that enrols a namespace's pods into Cilium's ztunnel. */
#define TM_CILIUM_ZTUNNEL_LABEL "io.cilium/mtls-enabled"

typedef struct tm_mesh_install {
	/* set by an install ConfigMap read from the input (NULL/0 = not seen) */
	const char *istio_root_ns, *istio_trust_domain;
	tm_tri istio_auto_mtls, istio_inject_policy_enabled, istio_ns_by_default;
	const char *linkerd_ns, *linkerd_trust_domain, *linkerd_default_policy;
	const char *linkerd_opaque_ports, *linkerd_skip_inbound, *linkerd_skip_outbound;
	tm_srcloc istio_loc, injector_loc, linkerd_loc;
	const char *istio_cm, *injector_cm, *linkerd_cm; /* "ns/name" of the ConfigMap read, or NULL */
	/* the cilium-config ConfigMap (cilium_config: it was read) */
	bool cilium_config;
	tm_cilium_enc cilium_encryption; /* UNKNOWN: a key had a bad value, or two modes were on */
	tm_tri cilium_mutual_auth;       /* mesh-auth-enabled and mesh-auth-mutual-enabled */
	const char *cilium_enc_key, *cilium_auth_key; /* the key that decided, for reasons */
	const char *cilium_config_name;  /* ns/name */
	tm_srcloc cilium_loc;
} tm_mesh_install;

typedef struct tm_meshobjs {
	tm_peerauth **pas; size_t npas, cap_pas;
	tm_destrule **drs; size_t ndrs, cap_drs;
	tm_authzpol **azs; size_t nazs, cap_azs;
	tm_l5d_server **servers; size_t nservers, cap_servers;
	tm_l5d_authz **l5d_azs; size_t nl5d_azs, cap_l5d_azs;
	tm_l5d_mtlsauthn **mtlsauthns; size_t nmtlsauthns, cap_mtlsauthns;
	tm_l5d_netauthn **netauthns; size_t nnetauthns, cap_netauthns;
	tm_l5d_serverauthz **sazs; size_t nsazs, cap_sazs;
	tm_l5d_route **routes; size_t nroutes, cap_routes;
	tm_virtualsvc **vss; size_t nvss, cap_vss;
	tm_serviceentry **ses; size_t nses, cap_ses;
	tm_mesh_install install;
	bool istio_objects, linkerd_objects; /* a mesh object (not only a ConfigMap) was read */
} tm_meshobjs;

/* m->mesh, created on first use. */
tm_meshobjs *tm_mesh_get(tm_model *m);
/* Does the model hold mesh policy objects or injection facts (labels,
 * annotations, proxy containers) that the mesh analysis would judge? A
 * Cilium install (tm_cilium_present) counts. */
bool tm_mesh_present(const tm_model *m);
/* Is Cilium installed, by the input: the cilium-config ConfigMap, a cilium
 * DaemonSet, a policy read from a Cilium kind (tm_netpol.kind "Cilium..."),
 * or a namespace labelled io.cilium/mtls-enabled.
 * *what (may be NULL) names the first of them. */
bool tm_cilium_present(const tm_model *m, const char **what);
/* Sort every list by (namespace, name); called by tm_model_finish. */
void tm_mesh_finish(tm_model *m);
/* For one of those lists (v: its pointers, e.g. (void *const *)ms->azs):
 * is it in that order, every namespace set? And, when it is, the run
 * [*lo, *hi) of namespace ns, by binary search: the analyses that compare a
 * namespace per edge read its run instead of the list. */
bool tm_mesh_list_sorted(void *const *v, size_t n);
void tm_mesh_ns_run(void *const *v, size_t n, const char *ns, size_t *lo, size_t *hi);

#endif
