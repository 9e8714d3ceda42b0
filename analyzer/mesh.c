/* mesh.c - mesh mTLS posture per edge and port (mesh.h). The decision
 * tables first, then what feeds them: which proxy runs beside each workload,
 * the effective PeerAuthentication of a server port, the DestinationRule a
 * client sees, Istio and Linkerd authorization, and finally the edges cut
 * into port subsets of one protection each. docs/semantics.md "Mesh mTLS
 * posture" states every rule used here. */
#include "analyzer/mesh.h"
#include "analyzer/mesh_route.h"
#include "model/podsec.h"

#include <stdlib.h>
#include <string.h>

const char *tm_protection_name(tm_protection p)
{
	switch (p) {
	case TM_PROT_MTLS: return "mtls";
	case TM_PROT_MTLS_PERMISSIVE: return "mtls-permissive";
	case TM_PROT_PLAINTEXT: return "plaintext";
	case TM_PROT_REJECTED: return "rejected";
	case TM_PROT_UNKNOWN: return "unknown";
	case TM_NPROT: break;
	}
	return "?";
}

const char *tm_proxy_name(tm_proxy p)
{
	switch (p) {
	case TM_PROXY_NONE: return "none";
	case TM_PROXY_ISTIO_SIDECAR: return "istio-sidecar";
	case TM_PROXY_ISTIO_AMBIENT: return "istio-ambient";
	case TM_PROXY_LINKERD: return "linkerd";
	case TM_PROXY_UNKNOWN: return "unknown";
	}
	return "?";
}

void tm_mesh_opts_default(tm_mesh_opts *o)
{
	memset(o, 0, sizeof *o);
}

/* ---- the decision tables ---- */
tm_protection tm_mesh_istio_decide(const tm_istio_case *k, const char **row)
{
	tm_pa_mode pa = k->pa == TM_PA_UNSET ? TM_PA_PERMISSIVE : k->pa;
	bool strict = pa == TM_PA_STRICT;
	tm_protection mtls = strict ? TM_PROT_MTLS : TM_PROT_MTLS_PERMISSIVE;
#define R(r, v) do { *row = (r); return (v); } while (0)
	if (k->bypass)
		R("23", TM_PROT_PLAINTEXT);
	switch (k->client) {
	case TM_MP_AMBIENT:
		if (k->server == TM_MP_NONE)
			R("22", TM_PROT_PLAINTEXT);
		R("18", mtls); /* HBONE; DISABLE does not turn it off */
	case TM_MP_SIDECAR:
		if (k->server == TM_MP_NONE) {
			switch (k->dr) {
			case TM_DRTLS_ISTIO_MUTUAL: R("13", TM_PROT_REJECTED);
			case TM_DRTLS_DISABLE: R("14", TM_PROT_PLAINTEXT);
			case TM_DRTLS_SIMPLE: case TM_DRTLS_MUTUAL: R("11", TM_PROT_UNKNOWN);
			case TM_DRTLS_AUTO: break;
			}
			R("12", TM_PROT_PLAINTEXT);
		}
		if (k->server == TM_MP_AMBIENT) {
			/* a sidecar sends HBONE unless the DestinationRule turns TLS
			 * off (the ambient server then sees a plaintext client) or
			 * originates TLS of its own */
			if (k->dr == TM_DRTLS_AUTO || k->dr == TM_DRTLS_ISTIO_MUTUAL) {
				if (k->dr == TM_DRTLS_AUTO && !k->auto_mtls)
					R(strict ? "20" : "21", strict ? TM_PROT_REJECTED : TM_PROT_PLAINTEXT);
				R("19", mtls);
			}
			if (k->dr == TM_DRTLS_DISABLE)
				R(strict ? "20" : "21", strict ? TM_PROT_REJECTED : TM_PROT_PLAINTEXT);
			R(strict ? "10" : "11", strict ? TM_PROT_REJECTED : TM_PROT_UNKNOWN);
		}
		switch (k->dr) {
		case TM_DRTLS_AUTO:
			if (!k->auto_mtls) /* no TLS context: the client sends plaintext */
				R(strict ? "7" : pa == TM_PA_DISABLE ? "9" : "8", strict ? TM_PROT_REJECTED : TM_PROT_PLAINTEXT);
			if (k->ns_disable || k->mixed)
				R(strict ? "3c" : "3", strict ? TM_PROT_REJECTED : TM_PROT_PLAINTEXT);
			if (pa == TM_PA_DISABLE)
				R("3", TM_PROT_PLAINTEXT);
			R(strict ? "1" : "2", mtls);
		case TM_DRTLS_ISTIO_MUTUAL:
			if (pa == TM_PA_DISABLE)
				R("6", TM_PROT_REJECTED);
			R(strict ? "4" : "5", mtls);
		case TM_DRTLS_DISABLE:
			if (strict)
				R("7", TM_PROT_REJECTED);
			R(pa == TM_PA_DISABLE ? "9" : "8", TM_PROT_PLAINTEXT);
		case TM_DRTLS_SIMPLE:
		case TM_DRTLS_MUTUAL:
			R(strict ? "10" : "11", strict ? TM_PROT_REJECTED : TM_PROT_UNKNOWN);
		}
		break;
	case TM_MP_NONE:
		if (k->server == TM_MP_NONE)
			R("17", TM_PROT_PLAINTEXT);
		if (k->server == TM_MP_AMBIENT)
			R(strict ? "20" : "21", strict ? TM_PROT_REJECTED : TM_PROT_PLAINTEXT);
		R(strict ? "15" : "16", strict ? TM_PROT_REJECTED : TM_PROT_PLAINTEXT);
	}
	R("?", TM_PROT_UNKNOWN);
#undef R
}

tm_protection tm_mesh_linkerd_decide(const tm_l5d_case *k, const char **row)
{
	if (k->skipped) {
		*row = "L7";
		return TM_PROT_PLAINTEXT;
	}
	if (!k->server_meshed) {
		*row = k->client_meshed ? "L5" : "L6";
		return TM_PROT_PLAINTEXT;
	}
	if (k->client_meshed) {
		*row = k->authorized ? "L1" : "L2";
		return !k->authorized ? TM_PROT_REJECTED : k->admits_unauth ? TM_PROT_MTLS_PERMISSIVE : TM_PROT_MTLS;
	}
	*row = k->authorized ? "L3" : "L4";
	return k->authorized ? TM_PROT_PLAINTEXT : TM_PROT_REJECTED;
}

/* Cilium (mesh specification section 6). Below a mesh verdict other than
 * plaintext nothing changes; else the transport: none C1, unknown C2,
 * WireGuard/IPsec C3 (same node) and C4, ztunnel C5-C8. Then a rule
 * requiring mutual authentication: A1 (on), A2 (off: no agent puts the
 * pair in the auth map, which the datapath checks, so it drops the traffic:
 * rejected), A3 (test-always-fail: rejected), A4 (not known: unknown),
 * A5 (an end Cilium never authenticates: the agent skips reserved
 * identities and a CIDR identity has no SPIFFE identity, so no pair is
 * ever put in the auth map and the datapath drops it whatever the
 * install: rejected). */
tm_protection tm_mesh_cilium_decide(const tm_cilium_case *k, const char **row, const char **arow, bool *authenticated)
{
	tm_protection p = k->mesh;
	bool both = k->tcp && k->client_enrolled && k->server_enrolled;
	*authenticated = false;
	*row = *arow = NULL;
	if (p == TM_PROT_PLAINTEXT)
		switch (k->enc) {
		case TM_CENC_NONE: *row = "C1"; break;
		case TM_CENC_WIREGUARD: case TM_CENC_IPSEC:
			*row = k->same_node == TM_TRI_YES ? "C3" : "C4";
			p = k->same_node == TM_TRI_YES ? TM_PROT_PLAINTEXT : TM_PROT_UNKNOWN;
			break;
		case TM_CENC_ZTUNNEL:
			if (both)
				*row = "C5", p = TM_PROT_MTLS;
			else if (k->tcp && k->client_enrolled)
				*row = "C6";
			else if (k->tcp && k->server_enrolled)
				*row = "C7", p = TM_PROT_UNKNOWN;
			else
				*row = "C8";
			break;
		case TM_CENC_UNKNOWN: default: *row = "C2"; p = TM_PROT_UNKNOWN; break;
		}
	if (k->auth == TM_AUTH_TEST_ALWAYS_FAIL) {
		*arow = "A3";
		return TM_PROT_REJECTED;
	}
	if (k->auth != TM_AUTH_REQUIRED)
		return p;
	if (k->unauth_peer) {
		*arow = "A5";
		return TM_PROT_REJECTED;
	}
	if (k->mutual == TM_TRI_YES) {
		*arow = "A1";
		*authenticated = p != TM_PROT_REJECTED;
		return p;
	}
	if (k->mutual == TM_TRI_NO) {
		*arow = "A2";
		return TM_PROT_REJECTED;
	}
	*arow = "A4";
	return p == TM_PROT_REJECTED ? p : TM_PROT_UNKNOWN;
}

const char *tm_mesh_cilium_unauth_identity(const tm_endpoint *ep)
{
	if (ep->kind == TM_EP_IPRANGE)
		return "the reserved identity world (fromEntities) or a CIDR identity (fromCIDR)";
	if (ep->kind == TM_EP_WORKLOAD && ep->w && ep->w->sec && ep->w->sec->host_network)
		return "the reserved identity host or remote-node (a host-network pod)";
	return NULL;
}

/* ---- small helpers ---- */
typedef struct mctx {
	tm_mesh_result *r;
	const tm_model *m;
	const tm_meshobjs *ms;        /* may be NULL */
	tm_portpool *pp;
	tm_buf b;
	/* the Linkerd identity suffix ".serviceaccount.identity.<ns>.<td>" */
	const char *l5d_suffix;
	bool *pa_warned;          /* per workload: ambiguity said */
	uint32_t *bounds;         /* scratch: port boundaries of one pair */
	size_t nbounds, cap_bounds;
	bool any_auth;            /* a rule of the model has a Cilium authentication mode */
	struct authref *auths;    /* scratch: the admitting rules of one pair that require authentication */
	size_t nauths, cap_auths;
	/* Set by tm_mesh_compute (false in the one-off contexts of the public
	 * helpers, which scan every object): the lists are sorted by namespace,
	 * so a namespace's objects are one run (NS_SPAN). */
	bool svc_sorted, pas_sorted, drs_sorted, azs_sorted, servers_sorted;
	bool have_mesh_pa;        /* mesh_pa is tm_mesh_istio_mesh_pa's answer */
	const tm_peerauth *mesh_pa;
	/* per server endpoint: its sorted, distinct port boundaries (edge_parts) */
	struct bset *bcache;
	uint32_t *gbounds;        /* the boundaries every workload server shares */
	size_t ngbounds;
	/* per graph workload (by index): the TCP ports of the Services that
	 * select it (services_of), its Istio principal (mesh_port) */
	struct wlsvc *wsvc;
	const char **principal;
	struct wlaz *wazs;        /* the AuthorizationPolicies that apply to it (az_applies) */
	/* per Service of m->services: 0 not known yet, 1 no VirtualService can
	 * name it, 2 one may (istio_port) */
	unsigned char *svc_vs;
	tm_arena scratch;         /* the caches above */
} mctx;

typedef struct wlaz {
	const struct tm_authzpol **v;
	size_t n;
	bool done;
} wlaz;

typedef struct bset {
	const uint32_t *v;
	size_t n;
	bool done;
} bset;

/* The run of a namespace's objects in a list of pointers to structs with an
 * ns member, sorted by namespace (tm_model_finish sorts Services and every
 * mesh list by namespace, then name): two binary searches. An unsorted list
 * gives the whole list; the callers still compare the namespace, so the
 * result is the same, only slower. */
typedef struct span {
	size_t lo, hi;
} span;

#define NS_SPAN(v, n, sorted, key, out) do {                                                   \
		size_t a_ = 0, b_ = (n);                                                        \
		if (!(sorted)) {                                                                \
			(out) = (span){0, (n)};                                                 \
			break;                                                                  \
		}                                                                               \
		while (a_ < b_) {                                                               \
			size_t m_ = a_ + (b_ - a_) / 2;                                         \
			if (strcmp((v)[m_]->ns, (key)) < 0)                                     \
				a_ = m_ + 1;                                                    \
			else                                                                    \
				b_ = m_;                                                        \
		}                                                                               \
		(out).lo = a_;                                                                  \
		b_ = (n);                                                                       \
		while (a_ < b_) {                                                               \
			size_t m_ = a_ + (b_ - a_) / 2;                                         \
			if (strcmp((v)[m_]->ns, (key)) <= 0)                                    \
				a_ = m_ + 1;                                                    \
			else                                                                    \
				b_ = m_;                                                        \
		}                                                                               \
		(out).hi = a_;                                                                  \
	} while (0)

/* the list's namespaces are all set and in strcmp order */
#define NS_SORTED(v, n, out) do {                                                              \
		(out) = true;                                                                   \
		for (size_t i_ = 0; i_ < (n) && (out); i_++)                                    \
			(out) = (v)[i_]->ns && (!i_ || strcmp((v)[i_ - 1]->ns, (v)[i_]->ns) <= 0); \
	} while (0)

typedef struct authref {
	const tm_ports *ports;    /* what the rule admits of the pair */
	uint8_t auth;             /* TM_AUTH_REQUIRED or TM_AUTH_TEST_ALWAYS_FAIL */
	const char *what;         /* "CiliumNetworkPolicy ns/name ingress rule 0" */
	tm_srcloc loc;            /* of the rule */
} authref;

static const char *intern(mctx *x, const char *s)
{
	return tm_intern(&x->r->strs, s);
}

/* "8080,9090", "4567-4568", "*" */
static bool port_in_list(const char *list, uint32_t p)
{
	if (!list)
		return false;
	const char *s = list;
	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		if (*s == '*')
			return true;
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;
		if (end == s)
			return false;
		if (*end == '-') {
			const char *t = end + 1;
			hi = strtoul(t, &end, 10);
			if (end == t)
				hi = lo;
		}
		if (p >= lo && p <= hi)
			return true;
		s = end;
		while (*s && *s != ',')
			s++;
	}
	return false;
}

static void bound_add(mctx *x, uint32_t p)
{
	if (p < 1 || p > 65536)
		return;
	TM_HEAP_GROW(x->bounds, x->nbounds, x->cap_bounds);
	x->bounds[x->nbounds++] = p;
}

/* boundaries of a port list: each port p gives p and p+1 */
static void bounds_of_list(mctx *x, const char *list)
{
	if (!list)
		return;
	const char *s = list;
	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		if (!*s || *s == '*')
			break;
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;
		if (end == s)
			break;
		if (*end == '-') {
			const char *t = end + 1;
			hi = strtoul(t, &end, 10);
			if (end == t)
				hi = lo;
		}
		if (lo <= 65535) {
			bound_add(x, (uint32_t)lo);
			bound_add(x, (uint32_t)(hi > 65535 ? 65535 : hi) + 1);
		}
		s = end;
		while (*s && *s != ',')
			s++;
	}
}

static const char *ann(const tm_workload *w, const char *key)
{
	return w->mesh ? tm_labels_get(&w->mesh->ann, key) : NULL;
}

/* a pod annotation, else its namespace's (Linkerd's config annotations are inherited) */
static const char *ann_or_ns(const tm_workload *w, const char *key)
{
	const char *v = ann(w, key);
	return v ? v : w->nsp ? tm_labels_get(&w->nsp->mesh_ann, key) : NULL;
}

static const char *nslabel(const tm_workload *w, const char *key)
{
	return w->nsp ? tm_labels_get(&w->nsp->labels, key) : NULL;
}

static bool labels_subset(const tm_labels *sub, const tm_labels *of)
{
	for (size_t i = 0; i < sub->n; i++) {
		const char *v = tm_labels_get(of, sub->v[i].key);
		if (!v || strcmp(v, sub->v[i].val))
			return false;
	}
	return true;
}

static const char *sa_of(const tm_workload *w)
{
	return w->service_account && *w->service_account ? w->service_account : "default";
}

/* ---- which proxy runs beside a workload ---- */
static bool ns_never_injected(const char *ns)
{
	return !strcmp(ns, "kube-system") || !strcmp(ns, "kube-public") || !strcmp(ns, "kube-node-lease") ||
	       !strcmp(ns, "local-path-storage");
}

static bool rev_known(const tm_model *m, const char *rev)
{
	if (!strcmp(rev, "default"))
		return true;
	for (size_t i = 0; i < m->nworkloads; i++) {
		const tm_workload *w = m->workloads[i];
		if (strncmp(w->name, "istiod", 6))
			continue;
		const char *lr = tm_labels_get(&w->labels, "istio.io/rev");
		if ((lr && !strcmp(lr, rev)) || (!strncmp(w->name, "istiod-", 7) && !strcmp(w->name + 7, rev)))
			return true;
	}
	return false;
}

const char *tm_mesh_by_name(tm_mesh_by b)
{
	switch (b) {
	case TM_MBY_NONE: return "none";
	case TM_MBY_HOST_NETWORK: return "host-network";
	case TM_MBY_INJECTED: return "already-injected";
	case TM_MBY_NS_LABEL: return "namespace-label";
	case TM_MBY_POD_LABEL: return "pod-label";
	case TM_MBY_NS_ANNOTATION: return "namespace-annotation";
	case TM_MBY_POD_ANNOTATION: return "pod-annotation";
	case TM_MBY_NS_BY_DEFAULT: return "namespaces-by-default";
	case TM_MBY_POLICY: return "inject-policy";
	case TM_MBY_NEVER_NS: return "never-injected-namespace";
	case TM_MBY_AUTOMOUNT: return "automount-off";
	}
	return "?";
}

static const char *env_str(const tm_mesh_env *env, const tm_buf *b)
{
	return tm_intern(env->strs, tm_buf_str(b));
}

const char *tm_mesh_ns_enrols(const tm_mesh_env *env, const tm_namespace *ns)
{
	if (!ns)
		return NULL;
	const char *inj = tm_labels_get(&ns->labels, "istio-injection"), *rev = tm_labels_get(&ns->labels, "istio.io/rev");
	const char *mode = tm_labels_get(&ns->labels, "istio.io/dataplane-mode");
	const char *l5d = tm_labels_get(&ns->mesh_ann, "linkerd.io/inject");
	if (inj && !strcmp(inj, "enabled"))
		return "istio-injection=enabled";
	if (rev && !inj)
		return tm_intern(env->strs, tm_arena_printf(env->arena, "istio.io/rev=%s", rev));
	if (mode && !strcmp(mode, "ambient"))
		return "istio.io/dataplane-mode=ambient";
	if (l5d && (!strcmp(l5d, "enabled") || !strcmp(l5d, "ingress")))
		return tm_intern(env->strs, tm_arena_printf(env->arena, "linkerd.io/inject: %s", l5d));
	return NULL;
}

/* Which proxy: hostNetwork, already injected, Istio's webhook rules and
 * injector, Istio ambient, Linkerd's annotation, in that order. */
static void enrol(const tm_mesh_env *env, const tm_workload *w, tm_mesh_wl *out, tm_buf *b)
{
	const tm_mesh_opts *o = &env->set->eff;
	const char *nsinj = nslabel(w, "istio-injection"), *nsrev = nslabel(w, "istio.io/rev");
	const char *nsmode = nslabel(w, "istio.io/dataplane-mode");
	const char *nsl5d = w->nsp ? tm_labels_get(&w->nsp->mesh_ann, "linkerd.io/inject") : NULL;
	memset(out, 0, sizeof *out);
	out->meshed_ns = tm_mesh_ns_enrols(env, w->nsp);
	out->proxy = TM_PROXY_NONE;
	out->why = "no mesh injection applies";
	out->basis = TM_MBY_NONE;
	if (w->host_network) {
		out->why = "hostNetwork pods get no proxy";
		out->basis = TM_MBY_HOST_NETWORK;
		return;
	}
	/* already injected (kube-inject / linkerd inject output) */
	const char *tls_mode = tm_labels_get(&w->labels, "security.istio.io/tlsMode");
	if ((w->mesh && w->mesh->istio_proxy) || ann(w, "sidecar.istio.io/status") || (tls_mode && !strcmp(tls_mode, "istio"))) {
		out->proxy = TM_PROXY_ISTIO_SIDECAR;
		out->why = "already injected (istio-proxy container, sidecar.istio.io/status or security.istio.io/tlsMode)";
		out->basis = TM_MBY_INJECTED;
		return;
	}
	if ((w->mesh && w->mesh->linkerd_proxy) || tm_labels_get(&w->labels, "linkerd.io/control-plane-ns")) {
		out->proxy = TM_PROXY_LINKERD;
		out->why = "already injected (linkerd-proxy container or linkerd.io/control-plane-ns)";
		out->basis = TM_MBY_INJECTED;
		return;
	}
	/* Istio sidecar injection: the webhook selection, then the injector */
	const char *plab = tm_labels_get(&w->labels, "sidecar.istio.io/inject");
	const char *prev = tm_labels_get(&w->labels, "istio.io/rev");
	bool pfalse = plab && !strcmp(plab, "false");
	const char *rev = NULL, *rule = NULL;
	tm_mesh_by rule_by = TM_MBY_NONE;
	if (nsinj && !strcmp(nsinj, "enabled") && !pfalse)
		rule = "namespace label istio-injection=enabled", rev = "default", rule_by = TM_MBY_NS_LABEL;
	else if (!nsinj && !nsrev && plab && !strcmp(plab, "true") && !prev)
		rule = "pod label sidecar.istio.io/inject=true", rev = "default", rule_by = TM_MBY_POD_LABEL;
	else if (nsrev && !nsinj && !pfalse)
		rule = "namespace label istio.io/rev", rev = nsrev, rule_by = TM_MBY_NS_LABEL;
	else if (!nsinj && !nsrev && prev && !pfalse)
		rule = "pod label istio.io/rev", rev = prev, rule_by = TM_MBY_POD_LABEL;
	else if (o->istio_ns_by_default == TM_TRI_YES && !nsinj && !nsrev && !plab && !prev && !ns_never_injected(w->ns))
		rule = "enableNamespacesByDefault", rev = "default", rule_by = TM_MBY_NS_BY_DEFAULT;
	if (rule && !ns_never_injected(w->ns)) {
		const char *opinion = plab ? plab : ann(w, "sidecar.istio.io/inject");
		bool inject = opinion && !strcmp(opinion, "true") ? true
			: opinion && !strcmp(opinion, "false") ? false : o->istio_inject_enabled != TM_TRI_NO;
		tm_buf_reset(b);
		if (!inject) {
			bool declines = opinion && !strcmp(opinion, "false");
			(void)tm_buf_addf(b, "%s, but %s", rule,
					  declines ? "the pod's sidecar.istio.io/inject is \"false\""
					  : "the injector's policy is disabled and the pod does not ask for it");
			out->why = env_str(env, b);
			out->basis = !declines ? TM_MBY_POLICY : plab ? TM_MBY_POD_LABEL : TM_MBY_POD_ANNOTATION;
		} else if (!rev_known(env->m, rev)) {
			out->proxy = TM_PROXY_UNKNOWN;
			(void)tm_buf_addf(b, "%s names Istio revision %s, which no istiod in the input serves", rule, rev);
			out->why = env_str(env, b);
			out->basis = rule_by;
			out->revision = rev;
			return;
		} else {
			out->proxy = TM_PROXY_ISTIO_SIDECAR;
			(void)tm_buf_addf(b, "sidecar injected: %s", rule);
			out->why = env_str(env, b);
			out->basis = rule_by;
			out->revision = rev;
			return;
		}
	} else if (rule) {
		tm_buf_reset(b);
		(void)tm_buf_addf(b, "%s, but Istio never injects namespace %s", rule, w->ns);
		out->why = env_str(env, b);
		out->basis = TM_MBY_NEVER_NS;
	}
	else if (nsinj && strcmp(nsinj, "enabled")) {
		tm_buf_reset(b);
		(void)tm_buf_addf(b, "namespace label istio-injection=%s: nothing in the namespace is injected", nsinj);
		out->why = env_str(env, b);
		out->basis = TM_MBY_NS_LABEL;
	} else if (pfalse && out->meshed_ns) {
		out->why = "pod label sidecar.istio.io/inject=false";
		out->basis = TM_MBY_POD_LABEL;
	}
	/* Istio ambient */
	const char *pmode = tm_labels_get(&w->labels, "istio.io/dataplane-mode");
	bool enrolled = (pmode && !strcmp(pmode, "ambient")) ||
			(nsmode && !strcmp(nsmode, "ambient") && !(pmode && !strcmp(pmode, "none")));
	if (enrolled) {
		tm_tri amb = o->istio_ambient;
		bool bypod = pmode && !strcmp(pmode, "ambient");
		const char *by = bypod ? "pod label istio.io/dataplane-mode=ambient" : "namespace label istio.io/dataplane-mode=ambient";
		out->basis = bypod ? TM_MBY_POD_LABEL : TM_MBY_NS_LABEL;
		tm_buf_reset(b);
		if (amb == TM_TRI_YES) {
			out->proxy = TM_PROXY_ISTIO_AMBIENT;
			(void)tm_buf_addf(b, "ambient: %s", by);
		} else if (amb == TM_TRI_NO)
			(void)tm_buf_addf(b, "%s, but ambient is not installed (--istio-ambient no)", by);
		else {
			out->proxy = TM_PROXY_UNKNOWN;
			(void)tm_buf_addf(b, "%s: whether istio-cni runs with ambient enabled is not in the input (--istio-ambient)", by);
		}
		out->why = env_str(env, b);
		return;
	}
	if (pmode && !strcmp(pmode, "none") && nsmode && !strcmp(nsmode, "ambient")) {
		out->why = "pod label istio.io/dataplane-mode=none";
		out->basis = TM_MBY_POD_LABEL;
	}
	/* Linkerd: the annotation, the pod's before the namespace's */
	const char *pl = ann(w, "linkerd.io/inject");
	const char *v = pl ? pl : nsl5d;
	if (v) {
		tm_buf_reset(b);
		out->basis = pl ? TM_MBY_POD_ANNOTATION : TM_MBY_NS_ANNOTATION;
		if (!strcmp(v, "enabled") || !strcmp(v, "ingress")) {
			if (w->mesh && w->mesh->automount_off) {
				(void)tm_buf_addf(b, "linkerd.io/inject: %s, but automountServiceAccountToken is false", v);
				out->why = env_str(env, b);
				out->basis = TM_MBY_AUTOMOUNT;
				return;
			}
			out->proxy = TM_PROXY_LINKERD;
			(void)tm_buf_addf(b, "proxy injected: %s annotation linkerd.io/inject: %s", pl ? "pod" : "namespace", v);
		} else if (!strcmp(v, "disabled"))
			(void)tm_buf_addf(b, "%s annotation linkerd.io/inject: disabled", pl ? "pod" : "namespace");
		else
			(void)tm_buf_addf(b, "linkerd.io/inject: \"%s\" is not enabled, ingress or disabled: no injection", v);
		out->why = env_str(env, b);
	}
}

void tm_mesh_enrol(const tm_mesh_env *env, const tm_workload *w, tm_mesh_wl *out)
{
	tm_buf b;
	tm_buf_init(&b, 64 * 1024);
	enrol(env, w, out, &b);
	tm_buf_release(&b);
}

const char *tm_mesh_linkerd_default_policy(const tm_mesh_settings *set, const tm_workload *w, const char **from)
{
	const char *pol = ann(w, "config.linkerd.io/default-inbound-policy");
	*from = "pod annotation";
	if (!pol && w->nsp && (pol = tm_labels_get(&w->nsp->mesh_ann, "config.linkerd.io/default-inbound-policy")))
		*from = "namespace annotation";
	if (!pol) {
		pol = set->eff.linkerd_default_policy;
		*from = "cluster default";
	}
	return pol;
}

/* ---- Istio server side: PeerAuthentication ---- */
typedef struct pa_set {
	const tm_peerauth *mesh, *ns, *wl;
} pa_set;

const char *tm_pa_scope_name(tm_pa_scope sc)
{
	switch (sc) {
	case TM_PASCOPE_MESH: return "mesh";
	case TM_PASCOPE_NAMESPACE: return "namespace";
	case TM_PASCOPE_WORKLOAD: return "workload";
	case TM_PASCOPE_IGNORED: return "ignored";
	case TM_NPASCOPE: break;
	}
	return "?";
}

tm_pa_scope tm_mesh_istio_pa_scope(const tm_peerauth *p, const char *root_ns)
{
	bool root = !strcmp(p->ns, root_ns);
	return root ? (p->has_selector ? TM_PASCOPE_IGNORED : TM_PASCOPE_MESH)
		    : p->has_selector ? TM_PASCOPE_WORKLOAD : TM_PASCOPE_NAMESPACE;
}

const tm_peerauth *tm_mesh_istio_mesh_pa(const tm_meshobjs *ms, const char *root_ns)
{
	for (size_t i = 0; ms && i < ms->npas; i++)
		if (tm_mesh_istio_pa_scope(ms->pas[i], root_ns) == TM_PASCOPE_MESH)
			return ms->pas[i];
	return NULL;
}

static void pa_find(mctx *x, const tm_workload *w, pa_set *s)
{
	memset(s, 0, sizeof *s);
	if (!x->ms)
		return;
	const char *root = x->r->eff.istio_root_ns;
	size_t nns = 0, nwl = 0;
	s->mesh = x->have_mesh_pa ? x->mesh_pa : tm_mesh_istio_mesh_pa(x->ms, root);
	span sp;
	NS_SPAN(x->ms->pas, x->ms->npas, x->pas_sorted, w->ns, sp);
	for (size_t i = sp.lo; i < sp.hi; i++) {
		const tm_peerauth *p = x->ms->pas[i];
		if (strcmp(p->ns, w->ns))
			continue;
		switch (tm_mesh_istio_pa_scope(p, root)) {
		case TM_PASCOPE_NAMESPACE:
			if (!nns++)
				s->ns = p;
			break;
		case TM_PASCOPE_WORKLOAD:
			if (labels_subset(&p->match, &w->labels) && !nwl++)
				s->wl = p;
			break;
		case TM_PASCOPE_MESH:     /* the root namespace's own policy is the mesh policy */
		case TM_PASCOPE_IGNORED:  /* a selector in the root namespace */
		case TM_NPASCOPE:
			break;
		}
	}
	if ((nns > 1 || nwl > 1) && x->pa_warned && !x->pa_warned[w->index]) {
		x->pa_warned[w->index] = true;
		tm_diags_add(&x->r->diags, TM_DIAG_WARN, w->loc,
			     "%s: several %s PeerAuthentications apply; the oldest wins, and the manifests have no "
			     "creation times: using %s/%s (first by name)", w->display, nwl > 1 ? "workload" : "namespace",
			     (nwl > 1 ? s->wl : s->ns)->ns, (nwl > 1 ? s->wl : s->ns)->name);
	}
}

/* The effective mode on port (UNSET: nothing set), the deciding policy in *by;
 * *nsmesh the mesh/namespace result only (auto mTLS's cluster layer). */
static tm_pa_mode pa_effective(const pa_set *s, uint32_t port, const tm_peerauth **by, tm_pa_mode *nsmesh)
{
	tm_pa_mode mode = TM_PA_UNSET;
	*by = NULL;
	const tm_peerauth *lv[3] = {s->mesh, s->ns, s->wl};
	for (int i = 0; i < 3; i++) {
		if (i == 2 && nsmesh)
			*nsmesh = mode;
		if (lv[i] && lv[i]->mode != TM_PA_UNSET) {
			mode = lv[i]->mode;
			*by = lv[i];
		}
	}
	if (s->wl)
		for (size_t k = 0; k < s->wl->nports; k++)
			if (s->wl->ports[k].port == port && s->wl->ports[k].mode != TM_PA_UNSET) {
				mode = (tm_pa_mode)s->wl->ports[k].mode;
				*by = s->wl;
			}
	return mode;
}

tm_pa_mode tm_mesh_istio_pa(const tm_mesh_result *r, const tm_workload *w, uint32_t port, const char **by)
{
	mctx x = {.r = (tm_mesh_result *)r, .m = r->g->m, .ms = r->g->m->mesh};
	pa_set s;
	pa_find(&x, w, &s);
	const tm_peerauth *p;
	tm_pa_mode mode = pa_effective(&s, port, &p, NULL);
	*by = p ? tm_intern(&x.r->strs, tm_arena_printf(&x.r->arena, "PeerAuthentication %s/%s", p->ns, p->name)) : NULL;
	return mode;
}

/* ---- Services: the Service ports that reach a target port ---- */
typedef struct svcref {
	const tm_service *s;
	const tm_svcport *sp;
	size_t idx;          /* of s in m->services */
	uint32_t target;     /* the workload's port that sp reaches (0: none) */
} svcref;

typedef struct wlsvc {
	svcref *v;
	size_t n;
	bool done;
} wlsvc;

static uint32_t target_of(const tm_workload *w, const tm_svcport *sp)
{
	if (!sp->target_name)
		return sp->target_port;
	for (size_t i = 0; i < w->nports; i++)
		if (w->ports[i].name && !strcmp(w->ports[i].name, sp->target_name) && w->ports[i].proto == sp->proto)
			return w->ports[i].port;
	return 0;
}

/* Every TCP port of the Services selecting w, in list order (out: the heap's) */
static size_t services_all(const mctx *x, const tm_workload *w, uint32_t port, bool any_port, svcref **out, size_t *cap)
{
	const tm_model *m = x->m;
	size_t n = 0;
	span sp;
	NS_SPAN(m->services, m->nservices, x->svc_sorted, w->ns, sp);
	for (size_t i = sp.lo; i < sp.hi; i++) {
		const tm_service *s = m->services[i];
		if (!s->has_selector || !s->selector.n || strcmp(s->ns, w->ns) || !labels_subset(&s->selector, &w->labels))
			continue;
		for (size_t k = 0; k < s->nports; k++) {
			if (s->ports[k].proto != TM_PROTO_TCP)
				continue;
			uint32_t t = target_of(w, &s->ports[k]);
			if (!any_port && t != port)
				continue;
			TM_HEAP_GROW(*out, n, *cap);
			(*out)[n++] = (svcref){s, &s->ports[k], i, t};
		}
	}
	return n;
}

/* The (at most max) Service ports that reach w's port, in list order: from
 * the per-workload list of tm_mesh_compute's context, else by a scan. */
static size_t services_of(mctx *x, const tm_workload *w, uint32_t port, svcref *out, size_t max)
{
	size_t n = 0;
	if (x->wsvc) {
		wlsvc *c = &x->wsvc[w->index];
		if (!c->done) {
			svcref *v = NULL;
			size_t cap = 0;
			c->n = services_all(x, w, 0, true, &v, &cap);
			c->v = c->n ? tm_arena_memdup(&x->scratch, v, c->n * sizeof *v) : NULL;
			c->done = true;
			free(v);
		}
		for (size_t i = 0; i < c->n && n < max; i++)
			if (c->v[i].target == port)
				out[n++] = c->v[i];
		return n;
	}
	svcref *v = NULL;
	size_t cap = 0, all = services_all(x, w, port, false, &v, &cap);
	for (size_t i = 0; i < all && n < max; i++)
		out[n++] = v[i];
	free(v);
	return n;
}

/* Auto mTLS's cluster layer for a headless or PASSTHROUGH Service: a TLS
 * context only when every endpoint of the cluster (the subset's, with one)
 * carries the sidecar's tlsMode label (pilot cluster_builder: "all endpoints
 * have the istio tlsMode label"); true when one does not. */
static bool mixed_endpoints(const mctx *x, const tm_service *s, const tm_labels *subset)
{
	for (size_t i = 0; i < x->r->g->nworkloads; i++) {
		const tm_workload *w = x->r->g->workloads[i];
		if (strcmp(w->ns, s->ns) || !labels_subset(&s->selector, &w->labels) ||
		    (subset && !labels_subset(subset, &w->labels)))
			continue;
		if (x->r->wl[w->index].proxy != TM_PROXY_ISTIO_SIDECAR)
			return true;
	}
	return false;
}

/* ---- Istio client side: DestinationRule ---- */
static bool dr_visible(const tm_destrule *d, const char *client_ns)
{
	if (!d->export_to)
		return true;
	for (size_t i = 0; i < d->nexport; i++)
		if (!strcmp(d->export_to[i], "*") || !strcmp(d->export_to[i], client_ns) ||
		    (!strcmp(d->export_to[i], ".") && !strcmp(d->ns, client_ns)))
			return true;
	return false;
}

/* how well host matches fqdn: 0 none; exact beats any wildcard, longer wildcards beat shorter */
static size_t host_score(mctx *x, const tm_destrule *d, const char *fqdn)
{
	const char *h = d->host;
	if (!strchr(h, '.') && strcmp(h, "*")) {
		tm_buf_reset(&x->b);
		(void)tm_buf_addf(&x->b, "%s.%s.svc.cluster.local", h, d->ns);
		h = tm_buf_str(&x->b);
	}
	if (!strcmp(h, fqdn))
		return 100000;
	if (h[0] == '*') {
		size_t hl = strlen(h + 1), fl = strlen(fqdn);
		if (hl <= fl && !strcmp(fqdn + fl - hl, h + 1))
			return hl + 1;
	}
	return 0;
}

/* The DestinationRule a client sees for host fqdn of namespace host_ns (a
 * Service's, or a ServiceEntry's). */
static const tm_destrule *dr_find_host(mctx *x, const tm_workload *client, const char *fqdn, const char *host_ns)
{
	if (!x->ms || !x->ms->ndrs)
		return NULL;
	const char *order[3] = {client->ns, host_ns, x->r->eff.istio_root_ns};
	for (int k = 0; k < 3; k++) {
		if ((k == 1 && !strcmp(order[1], order[0])) || (k == 2 && (!strcmp(order[2], order[0]) || !strcmp(order[2], order[1]))))
			continue;
		const tm_destrule *best = NULL;
		size_t best_score = 0;
		span sp;
		NS_SPAN(x->ms->drs, x->ms->ndrs, x->drs_sorted, order[k], sp);
		for (size_t i = sp.lo; i < sp.hi; i++) {
			const tm_destrule *d = x->ms->drs[i];
			if (strcmp(d->ns, order[k]) || !dr_visible(d, client->ns))
				continue;
			if (d->has_wsel && (strcmp(d->ns, client->ns) || !labels_subset(&d->wsel, &client->labels)))
				continue;
			size_t sc = host_score(x, d, fqdn);
			if (sc && d->has_wsel)
				sc += 200000; /* a rule for this very client first */
			if (sc > best_score) {
				best = d;
				best_score = sc;
			}
		}
		if (best)
			return best;
	}
	return NULL;
}

static const tm_destrule *dr_find(mctx *x, const tm_workload *client, const tm_service *s)
{
	char fqdn[600];
	snprintf(fqdn, sizeof fqdn, "%s.%s.svc.cluster.local", s->name, s->ns);
	return dr_find_host(x, client, fqdn, s->ns);
}

static int pol_tls(const tm_dr_policy *p, uint32_t svcport, int inherited)
{
	int t = p->tls >= 0 ? p->tls : inherited;
	for (size_t i = 0; i < p->nports; i++)
		if (p->ports[i].port == svcport && p->ports[i].mode >= 0)
			t = p->ports[i].mode;
	return t;
}

/* ---- Istio authorization ---- */
static bool pat_match(const char *pat, const char *v)
{
	if (!v || !*v)
		return false; /* no peer identity: nothing matches, not even "*" */
	size_t pl = strlen(pat), vl = strlen(v);
	if (!strcmp(pat, "*"))
		return true;
	if (pl && pat[0] == '*')
		return vl >= pl - 1 && !strcmp(v + vl - (pl - 1), pat + 1);
	if (pl && pat[pl - 1] == '*')
		return !strncmp(v, pat, pl - 1);
	return !strcmp(pat, v);
}

static bool any_match(const tm_strlist *l, const char *v)
{
	for (size_t i = 0; i < l->n; i++)
		if (pat_match(l->v[i], v))
			return true;
	return false;
}

typedef struct peer {
	const tm_workload *w;     /* NULL for an IP range or the ingress controller */
	const tm_endpoint *ep;
	const char *principal;    /* Istio "td/ns/X/sa/Y" when the connection is mTLS */
	const char *ns;           /* its namespace when mTLS */
} peer;

static bool range_in_blocks(const tm_strlist *l, const tm_endpoint *ep)
{
	for (size_t i = 0; i < l->n; i++) {
		tm_iprange r;
		bool v4;
		if (tm_cidr_parse(l->v[i], &r, &v4) && tm_ip_cmp(r.lo, ep->range.lo) <= 0 && tm_ip_cmp(ep->range.hi, r.hi) <= 0)
			return true;
	}
	return false;
}

/* 1 matches, 0 does not, -1 cannot tell (pod IPs, forwarded addresses) */
static int source_match(const tm_az_source *s, const peer *p)
{
	if (s->principals.n && !any_match(&s->principals, p->principal))
		return 0;
	if (s->not_principals.n && any_match(&s->not_principals, p->principal))
		return 0;
	if (s->namespaces.n && !any_match(&s->namespaces, p->ns))
		return 0;
	if (s->not_namespaces.n && any_match(&s->not_namespaces, p->ns))
		return 0;
	if (s->service_accounts.n) {
		/* "ns/sa" */
		char sa[512] = "";
		if (p->principal && p->ns && p->w)
			snprintf(sa, sizeof sa, "%s/%s", p->ns, sa_of(p->w));
		if (!any_match(&s->service_accounts, sa))
			return 0;
	}
	if (s->ip_blocks.n || s->not_ip_blocks.n) {
		if (!p->ep || p->ep->kind != TM_EP_IPRANGE)
			return -1;
		if (s->ip_blocks.n && !range_in_blocks(&s->ip_blocks, p->ep))
			return 0;
		if (s->not_ip_blocks.n && range_in_blocks(&s->not_ip_blocks, p->ep))
			return 0;
	}
	if (s->remote_ip_blocks.n)
		return -1;
	return 1;
}

static int rule_match(const tm_az_rule *r, const peer *p, uint32_t port, bool *l7)
{
	if (r->nports) {
		bool in = false;
		for (size_t i = 0; i < r->nports; i++)
			in |= r->ports[i] == port;
		if (in == r->not_ports)
			return 0;
	}
	int res = r->nfrom ? 0 : 1;
	for (size_t i = 0; i < r->nfrom && res != 1; i++) {
		int m = source_match(&r->from[i], p);
		if (m == 1 && r->from[i].request_principals)
			*l7 = true;
		if (m == 1 || (m == -1 && res == 0))
			res = m;
	}
	if (res == 1 && r->l7)
		*l7 = true;
	return res;
}

static bool az_applies(mctx *x, const tm_authzpol *a, const tm_workload *w)
{
	if (a->has_target_refs)
		return false; /* waypoint and gateway policies: not enforced by the workload's proxy */
	bool root = !strcmp(a->ns, x->r->eff.istio_root_ns);
	if (!root && strcmp(a->ns, w->ns))
		return false;
	return !a->has_selector || labels_subset(&a->match, &w->labels);
}

/* The candidates for az_applies on srv, in list order: the root namespace's
 * and the server's runs when the list is sorted, else all of it. */
static size_t az_candidates(const mctx *x, const tm_workload *srv, span sp[2])
{
	sp[0] = (span){0, x->ms->nazs};
	sp[1] = (span){0, 0};
	if (x->azs_sorted) {
		NS_SPAN(x->ms->azs, x->ms->nazs, true, x->r->eff.istio_root_ns, sp[0]);
		if (strcmp(x->r->eff.istio_root_ns, srv->ns))
			NS_SPAN(x->ms->azs, x->ms->nazs, true, srv->ns, sp[1]);
		if (sp[1].lo < sp[0].lo) {
			span t = sp[0];
			sp[0] = sp[1];
			sp[1] = t;
		}
	}
	return (sp[0].hi - sp[0].lo) + (sp[1].hi - sp[1].lo);
}

static const tm_authzpol *az_candidate(const mctx *x, const span sp[2], size_t j)
{
	size_t n0 = sp[0].hi - sp[0].lo;
	return x->ms->azs[j < n0 ? sp[0].lo + j : sp[1].lo + (j - n0)];
}

/* the AuthorizationPolicies that apply to srv, in list order, kept per
 * workload (x->wazs) */
static const wlaz *az_of(mctx *x, const tm_workload *srv)
{
	wlaz *c = &x->wazs[srv->index];
	if (c->done)
		return c;
	span sp[2];
	size_t nc = az_candidates(x, srv, sp), n = 0;
	const tm_authzpol **v = tm_arena_alloc(&x->scratch, (nc + 1) * sizeof *v);
	for (size_t j = 0; j < nc; j++)
		if (az_applies(x, az_candidate(x, sp, j), srv))
			v[n++] = az_candidate(x, sp, j);
	*c = (wlaz){v, n, true};
	return c;
}

/* 1 allowed, 0 denied (*why), -1 cannot tell (*why) */
static int istio_authz(mctx *x, const tm_workload *srv, const peer *p, uint32_t port, const char **why)
{
	if (!x->ms || !x->ms->nazs)
		return 1;
	bool any_allow = false, allowed = false, unsure = false;
	const tm_authzpol *allow_by = NULL;
	span sp[2];
	const wlaz *c = x->wazs ? az_of(x, srv) : NULL;
	size_t nc = c ? c->n : az_candidates(x, srv, sp);
	for (size_t j = 0; j < nc; j++) {
		const tm_authzpol *a = c ? c->v[j] : az_candidate(x, sp, j);
		if (!c && !az_applies(x, a, srv))
			continue;
		tm_buf_reset(&x->b);
		if (a->action == TM_AZ_CUSTOM) {
			(void)tm_buf_addf(&x->b, "AuthorizationPolicy %s/%s is CUSTOM: an external authorizer decides", a->ns, a->name);
			*why = intern(x, tm_buf_str(&x->b));
			return -1;
		}
		if (a->action == TM_AZ_AUDIT)
			continue;
		for (size_t k = 0; k < a->nrules; k++) {
			bool l7 = false;
			int m = rule_match(&a->rules[k], p, port, &l7);
			if (a->action == TM_AZ_DENY && m == 1 && !l7) {
				(void)tm_buf_addf(&x->b, "AuthorizationPolicy %s/%s (DENY) rule %zu denies it", a->ns, a->name, k);
				*why = intern(x, tm_buf_str(&x->b));
				return 0;
			}
			if (a->action == TM_AZ_ALLOW && m == 1 && !allowed) {
				allowed = true;
				allow_by = a;
			}
			if (m == -1)
				unsure = true;
		}
		if (a->action == TM_AZ_ALLOW)
			any_allow = true;
	}
	if (!any_allow || allowed) {
		(void)allow_by;
		return 1;
	}
	tm_buf_reset(&x->b);
	if (unsure) {
		(void)tm_buf_adds(&x->b, "an AuthorizationPolicy rule on IP blocks decides, and the pod addresses are not in the input");
		*why = intern(x, tm_buf_str(&x->b));
		return -1;
	}
	(void)tm_buf_adds(&x->b, "no ALLOW AuthorizationPolicy rule admits this client");
	if (p->principal == NULL)
		(void)tm_buf_adds(&x->b, " without a mesh identity");
	*why = intern(x, tm_buf_str(&x->b));
	return 0;
}

/* ---- Linkerd inbound policy ---- */
static const char *const cluster_nets[] = {"10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8"};

static bool nets_contain(const tm_l5d_cidr *n, size_t nn, tm_iprange r)
{
	bool in = false;
	for (size_t i = 0; i < nn; i++) {
		bool cov = tm_ip_cmp(n[i].r.lo, r.lo) <= 0 && tm_ip_cmp(r.hi, n[i].r.hi) <= 0;
		bool overlap = tm_ip_cmp(n[i].r.lo, r.hi) <= 0 && tm_ip_cmp(r.lo, n[i].r.hi) <= 0;
		if (n[i].except && overlap)
			return false;
		if (!n[i].except && cov)
			in = true;
	}
	return in;
}

/* is the client in the networks? 1, 0, -1 (pods whose addresses are unknown and the
 * networks do not cover every cluster network) */
static int client_in_nets(const tm_l5d_cidr *n, size_t nn, const peer *p)
{
	if (!nn)
		return 1;
	if (p->ep && p->ep->kind == TM_EP_IPRANGE)
		return nets_contain(n, nn, p->ep->range);
	if (p->ep && p->ep->pod && p->ep->pod->nips) {
		for (size_t i = 0; i < p->ep->pod->nips; i++)
			if (!nets_contain(n, nn, (tm_iprange){p->ep->pod->ips[i], p->ep->pod->ips[i]}))
				return 0;
		return 1;
	}
	bool all = true;
	for (size_t i = 0; i < TM_ARRAY_LEN(cluster_nets); i++) {
		tm_iprange r;
		bool v4;
		if (tm_cidr_parse(cluster_nets[i], &r, &v4) && !nets_contain(n, nn, r))
			all = false;
	}
	return all ? 1 : -1;
}

static bool in_cluster_nets(const peer *p)
{
	if (!p->ep || p->ep->kind != TM_EP_IPRANGE)
		return true;
	tm_l5d_cidr n[TM_ARRAY_LEN(cluster_nets)];
	for (size_t i = 0; i < TM_ARRAY_LEN(cluster_nets); i++) {
		bool v4;
		tm_cidr_parse(cluster_nets[i], &n[i].r, &v4);
		n[i].except = false;
	}
	for (size_t i = 0; i < TM_ARRAY_LEN(cluster_nets); i++)
		if (nets_contain(&n[i], 1, p->ep->range))
			return true;
	return false;
}

/* a default or access policy: does it admit p (meshed?) */
static int policy_admits(const char *pol, const peer *p, bool meshed, bool *unauth)
{
	*unauth = false;
	if (!pol || !strcmp(pol, "deny"))
		return 0;
	if (!strcmp(pol, "all-unauthenticated") || !strcmp(pol, "audit")) {
		*unauth = true;
		return 1;
	}
	if (!strcmp(pol, "cluster-unauthenticated")) {
		*unauth = true;
		return in_cluster_nets(p);
	}
	if (!strcmp(pol, "all-authenticated"))
		return meshed;
	if (!strcmp(pol, "cluster-authenticated"))
		return meshed && in_cluster_nets(p);
	return -1;
}

static bool server_port(const tm_l5d_server *s, const tm_workload *w, uint32_t port)
{
	if (s->port)
		return s->port == port;
	for (size_t i = 0; i < w->nports; i++)
		if (w->ports[i].name && !strcmp(w->ports[i].name, s->port_name) && w->ports[i].port == port &&
		    w->ports[i].proto == TM_PROTO_TCP)
			return true;
	return false;
}

static const tm_l5d_server *l5d_server_of(mctx *x, const tm_workload *w, uint32_t port)
{
	if (!x->ms)
		return NULL;
	span sp;
	NS_SPAN(x->ms->servers, x->ms->nservers, x->servers_sorted, w->ns, sp);
	for (size_t i = sp.lo; i < sp.hi; i++) {
		const tm_l5d_server *s = x->ms->servers[i];
		if (!strcmp(s->ns, w->ns) && tm_selector_matches(&s->pod_sel, &w->labels) && server_port(s, w, port))
			return s;
	}
	return NULL;
}

static const char *l5d_identity(mctx *x, const tm_workload *w)
{
	tm_buf_reset(&x->b);
	(void)tm_buf_addf(&x->b, "%s.%s%s", sa_of(w), w->ns, x->l5d_suffix);
	return intern(x, tm_buf_str(&x->b));
}

static bool mtls_authn_match(mctx *x, const tm_l5d_mtlsauthn *a, const peer *p, bool meshed)
{
	if (!meshed || !p->w)
		return false;
	const char *id = l5d_identity(x, p->w);
	for (size_t i = 0; i < a->identities.n; i++)
		if (!strcmp(a->identities.v[i], "*") || pat_match(a->identities.v[i], id))
			return true;
	for (size_t i = 0; i < a->nrefs; i++) {
		const tm_l5d_ref *r = &a->refs[i];
		const char *rns = r->ns ? r->ns : a->ns;
		if (r->kind && !strcmp(r->kind, "ServiceAccount") && r->name && !strcmp(r->name, sa_of(p->w)) && !strcmp(rns, p->w->ns))
			return true;
		if (r->kind && !strcmp(r->kind, "Namespace") && r->name && !strcmp(r->name, p->w->ns))
			return true;
	}
	return false;
}

/* one AuthorizationPolicy: 1 admits, 0 not, -1 cannot tell; *unauth: it admits plaintext clients */
static int l5d_authz_admits(mctx *x, const tm_l5d_authz *a, const peer *p, bool meshed, bool *unauth)
{
	int res = 1;
	bool needs_id = false;
	for (size_t i = 0; i < a->nrefs; i++) {
		const tm_l5d_ref *r = &a->refs[i];
		const char *rns = r->ns ? r->ns : a->ns;
		int m = 0;
		if (!strcmp(r->kind, "MeshTLSAuthentication")) {
			needs_id = true;
			for (size_t k = 0; x->ms && k < x->ms->nmtlsauthns; k++)
				if (!strcmp(x->ms->mtlsauthns[k]->ns, rns) && r->name && !strcmp(x->ms->mtlsauthns[k]->name, r->name))
					m = mtls_authn_match(x, x->ms->mtlsauthns[k], p, meshed);
		} else if (!strcmp(r->kind, "NetworkAuthentication")) {
			for (size_t k = 0; x->ms && k < x->ms->nnetauthns; k++)
				if (!strcmp(x->ms->netauthns[k]->ns, rns) && r->name && !strcmp(x->ms->netauthns[k]->name, r->name))
					m = client_in_nets(x->ms->netauthns[k]->nets, x->ms->netauthns[k]->nnets, p);
		} else if (!strcmp(r->kind, "ServiceAccount")) {
			needs_id = true;
			m = meshed && p->w && r->name && !strcmp(r->name, sa_of(p->w)) && !strcmp(rns, p->w->ns);
		}
		if (m == 0)
			res = 0;
		else if (m == -1 && res == 1)
			res = -1;
	}
	*unauth = !needs_id;
	return res;
}

static bool route_has_parent(const tm_l5d_route *rt, const tm_l5d_server *s)
{
	for (size_t i = 0; i < rt->nparents; i++)
		if (rt->parents[i].kind && !strcmp(rt->parents[i].kind, "Server") && rt->parents[i].name &&
		    !strcmp(rt->parents[i].name, s->name) && (!rt->parents[i].ns || !strcmp(rt->parents[i].ns, s->ns)))
			return true;
	return false;
}

static bool authz_targets(mctx *x, const tm_l5d_authz *a, const tm_l5d_server *s)
{
	const tm_l5d_ref *t = &a->target;
	if (strcmp(a->ns, s->ns) || !t->name)
		return false;
	if (!strcmp(t->kind, "Server"))
		return !strcmp(t->name, s->name);
	if (!strcmp(t->kind, "Namespace"))
		return !strcmp(t->name, s->ns);
	if (!strcmp(t->kind, "HTTPRoute") || !strcmp(t->kind, "GRPCRoute"))
		for (size_t i = 0; x->ms && i < x->ms->nroutes; i++) {
			const tm_l5d_route *rt = x->ms->routes[i];
			if (!strcmp(rt->ns, a->ns) && !strcmp(rt->name, t->name) && !strcmp(rt->kind, t->kind) && route_has_parent(rt, s))
				return true;
		}
	return false;
}

static int saz_admits(mctx *x, const tm_l5d_serverauthz *a, const peer *p, bool meshed, bool *unauth)
{
	*unauth = a->unauthenticated;
	int net = client_in_nets(a->nets, a->nnets, p);
	if (a->unauthenticated)
		return net;
	if (!meshed || !p->w)
		return 0;
	bool ok = a->unauth_tls;
	const char *id = l5d_identity(x, p->w);
	for (size_t i = 0; i < a->identities.n && !ok; i++)
		ok = !strcmp(a->identities.v[i], "*") || pat_match(a->identities.v[i], id);
	for (size_t i = 0; i < a->nsas && !ok; i++)
		ok = !strcmp(a->sas[i].name, sa_of(p->w)) && !strcmp(a->sas[i].ns ? a->sas[i].ns : a->ns, p->w->ns);
	return ok ? net : 0;
}

static bool saz_targets(const tm_l5d_serverauthz *a, const tm_l5d_server *s)
{
	if (strcmp(a->ns, s->ns))
		return false;
	if (a->server_name)
		return !strcmp(a->server_name, s->name);
	return a->has_server_sel && tm_selector_matches(&a->server_sel, &s->labels);
}

/* 1 authorized, 0 not, -1 cannot tell; *unauth: the port admits unauthenticated clients */
static int l5d_policy(mctx *x, const tm_workload *srv, uint32_t port, const peer *p, bool meshed, bool *unauth,
		      const char **why)
{
	const tm_l5d_server *s = l5d_server_of(x, srv, port);
	*unauth = false;
	if (!s) {
		const char *from;
		const char *pol = tm_mesh_linkerd_default_policy(&x->r->set, srv, &from);
		int res = policy_admits(pol, p, meshed, unauth);
		tm_buf_reset(&x->b);
		(void)tm_buf_addf(&x->b, "no Server selects the port; default inbound policy %s (%s)", pol, from);
		*why = intern(x, tm_buf_str(&x->b));
		return res;
	}
	int res = 0;
	const char *by = NULL;
	bool any_unauth = false;
	for (size_t i = 0; x->ms && i < x->ms->nl5d_azs; i++) {
		const tm_l5d_authz *a = x->ms->l5d_azs[i];
		if (!authz_targets(x, a, s))
			continue;
		bool u;
		int m = l5d_authz_admits(x, a, p, meshed, &u);
		any_unauth |= u;
		if (m == 1 && res != 1) {
			res = 1;
			by = tm_arena_printf(&x->r->arena, "AuthorizationPolicy %s/%s", a->ns, a->name);
		} else if (m == -1 && res == 0) {
			res = -1;
			by = tm_arena_printf(&x->r->arena, "AuthorizationPolicy %s/%s (network of the client unknown)", a->ns, a->name);
		}
	}
	for (size_t i = 0; x->ms && i < x->ms->nsazs; i++) {
		const tm_l5d_serverauthz *a = x->ms->sazs[i];
		if (!saz_targets(a, s))
			continue;
		bool u;
		int m = saz_admits(x, a, p, meshed, &u);
		any_unauth |= u;
		if (m == 1 && res != 1) {
			res = 1;
			by = tm_arena_printf(&x->r->arena, "ServerAuthorization %s/%s", a->ns, a->name);
		} else if (m == -1 && res == 0) {
			res = -1;
			by = tm_arena_printf(&x->r->arena, "ServerAuthorization %s/%s (network of the client unknown)", a->ns, a->name);
		}
	}
	bool u = false;
	if (res == 0) {
		const char *pol = s->access_policy ? s->access_policy : "deny";
		res = policy_admits(pol, p, meshed, &u);
		by = tm_arena_printf(&x->r->arena, "no authorization admits it; accessPolicy %s", pol);
	} else {
		bool dummy;
		policy_admits(s->access_policy ? s->access_policy : "deny", p, meshed, &dummy);
		u = dummy && s->access_policy;
	}
	*unauth = any_unauth || u;
	tm_buf_reset(&x->b);
	(void)tm_buf_addf(&x->b, "Server %s/%s: %s", s->ns, s->name, by);
	*why = intern(x, tm_buf_str(&x->b));
	return res;
}

bool tm_mesh_linkerd_admits_plaintext(const tm_mesh_result *r, const tm_workload *w, uint32_t port, const char **by)
{
	mctx x = {.r = (tm_mesh_result *)r, .m = r->g->m, .ms = r->g->m->mesh};
	tm_buf_init(&x.b, 64 * 1024);
	x.l5d_suffix = tm_intern(&x.r->strs, tm_arena_printf(&x.r->arena, ".serviceaccount.identity.%s.%s", r->eff.linkerd_ns,
							    r->eff.linkerd_trust_domain));
	peer p = {0};
	bool unauth = false;
	int res = l5d_policy(&x, w, port, &p, false, &unauth, by);
	tm_buf_release(&x.b);
	return res == 1 || unauth;
}

/* ---- one port of one pair ---- */
typedef struct verdict {
	tm_protection prot;
	const char *reason;
	bool authenticated;
	const char *cilium;     /* what Cilium adds (cilium_port), or NULL */
} verdict;

static tm_protection worse(tm_protection a, tm_protection b)
{
	static const int rank[TM_NPROT] = {[TM_PROT_MTLS] = 0, [TM_PROT_MTLS_PERMISSIVE] = 1, [TM_PROT_PLAINTEXT] = 2,
					   [TM_PROT_UNKNOWN] = 3, [TM_PROT_REJECTED] = 4};
	return rank[a] >= rank[b] ? a : b;
}

static tm_istio_proxy istio_side(tm_proxy p)
{
	return p == TM_PROXY_ISTIO_SIDECAR ? TM_MP_SIDECAR : p == TM_PROXY_ISTIO_AMBIENT ? TM_MP_AMBIENT : TM_MP_NONE;
}

static const char *proxy_word(tm_istio_proxy p)
{
	return p == TM_MP_SIDECAR ? "sidecar" : p == TM_MP_AMBIENT ? "ambient" : "no proxy";
}

/* An IP range that a ServiceEntry names: its host's DestinationRule
 * decides what the client's sidecar sends (rows 12-14 and 11); auto mTLS
 * gives a MESH_EXTERNAL entry no TLS context, and an address outside the
 * cluster has no sidecar either way. false when no entry names the range. */
static bool se_outcome(mctx *x, const peer *cl, const tm_endpoint *sep, uint32_t port, tm_istio_case *k, tm_buf *drs)
{
	if (!sep || sep->kind != TM_EP_IPRANGE || !cl->w)
		return false;
	const char *written = NULL;
	const tm_serviceentry *se = tm_mesh_se_for_range(x->ms, x->m, cl->w->ns, sep->range, port, &written);
	if (!se)
		return false;
	const char *host = written;
	if (!strchr(host, '.') && host[0] != '*')
		host = tm_arena_printf(&x->r->arena, "%s.%s.svc.cluster.local", host, se->ns);
	const tm_destrule *d = dr_find_host(x, cl->w, host, se->ns);
	int t = d ? pol_tls(&d->pol, port, -1) : -1;
	k->dr = t < 0 ? TM_DRTLS_AUTO : (tm_dr_tls)t;
	(void)tm_buf_addf(drs, "ServiceEntry %s/%s host %s %s", se->ns, se->name, written,
			  se->location == TM_SE_MESH_EXTERNAL ? "MESH_EXTERNAL" : "MESH_INTERNAL");
	if (d)
		(void)tm_buf_addf(drs, ", DestinationRule %s/%s %s", d->ns, d->name, tm_dr_tls_name(k->dr));
	else if (se->location == TM_SE_MESH_EXTERNAL)
		(void)tm_buf_adds(drs, ", no DestinationRule (auto mTLS gives a mesh-external host no TLS context)");
	else
		(void)tm_buf_adds(drs, ", no DestinationRule (auto mTLS: the address has no sidecar)");
	return true;
}

static void mesh_note(mctx *x, const char *code, tm_srcloc loc, const char *msg)
{
	tm_mesh_result *r = x->r;
	TM_ARENA_GROW(&r->arena, r->notes, r->nnotes, r->cap_notes);
	r->notes[r->nnotes++] = (tm_mesh_note){code, loc, intern(x, msg)};
	tm_diags_add(&r->diags, TM_DIAG_WARN, loc, "%s", msg);
}

/* ServiceEntries the posture cannot use: hosts without addresses (DNS
 * names: the connections are IP edges), and hosts that are a Kubernetes
 * Service's, which the sidecars take from the Service (pilot's sidecar scope
 * puts the Kubernetes Service first; the entry's ports, location and
 * resolution do not apply to that host) */
static void se_notes(mctx *x)
{
	static const char *const res[] = {"NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"};
	tm_buf hosts;
	tm_buf_init(&hosts, 64 * 1024);
	for (size_t i = 0; x->ms && i < x->ms->nses; i++) {
		const tm_serviceentry *se = x->ms->ses[i];
		size_t nfree = 0;
		tm_buf_reset(&hosts);
		for (size_t k = 0; k < se->hosts.n; k++) {
			const tm_service *s = tm_mesh_se_host_service(x->m, se->hosts.v[k], se->ns);
			if (!s) {
				(void)tm_buf_addf(&hosts, "%s%s", nfree++ ? ", " : "", se->hosts.v[k]);
				continue;
			}
			tm_buf_reset(&x->b);
			(void)tm_buf_addf(&x->b, "ServiceEntry %s/%s host %s is the Kubernetes Service %s/%s: the sidecars use "
					  "the Service for it (a Kubernetes Service goes before a ServiceEntry of its host), so "
					  "the entry's addresses, ports, location and resolution do not apply to that host",
					  se->ns, se->name, se->hosts.v[k], s->ns, s->name);
			mesh_note(x, "mesh-serviceentry-service-host", se->loc, tm_buf_str(&x->b));
		}
		if (se->naddrs || !nfree)
			continue;
		tm_buf_reset(&x->b);
		(void)tm_buf_addf(&x->b, "ServiceEntry %s/%s has no addresses (resolution %s): its host%s %s cannot be matched "
				  "to the connections' IP addresses offline, so the connections to %s are judged as to "
				  "addresses no ServiceEntry names",
				  se->ns, se->name, (size_t)se->resolution < TM_ARRAY_LEN(res) ? res[se->resolution] : "?",
				  nfree == 1 ? "" : "s", tm_buf_str(&hosts), nfree == 1 ? "it" : "them");
		mesh_note(x, "mesh-serviceentry-no-addresses", se->loc, tm_buf_str(&x->b));
	}
	tm_buf_release(&hosts);
}

static verdict istio_port(mctx *x, const peer *cl, tm_proxy cp, const tm_workload *srv, const tm_endpoint *sep, tm_proxy sp,
			  uint32_t port)
{
	tm_istio_case k = {istio_side(cp), istio_side(sp), TM_PA_UNSET, false, TM_DRTLS_AUTO,
			   x->r->eff.istio_auto_mtls != TM_TRI_NO, false};
	const tm_peerauth *pa_by = NULL;
	tm_buf b;
	tm_buf_init(&b, 64 * 1024);
	const char *bypass = NULL;
	if (srv && k.server != TM_MP_NONE) {
		pa_set s;
		pa_find(x, srv, &s);
		tm_pa_mode nsm = TM_PA_UNSET;
		k.pa = pa_effective(&s, port, &pa_by, &nsm);
		k.ns_disable = nsm == TM_PA_DISABLE;
		if (k.server == TM_MP_AMBIENT && k.pa == TM_PA_DISABLE)
			k.pa = TM_PA_PERMISSIVE; /* ambient: DISABLE only means plaintext is accepted */
		if (k.server == TM_MP_SIDECAR) {
			const char *ex = ann(srv, "traffic.sidecar.istio.io/excludeInboundPorts");
			const char *inc = ann(srv, "traffic.sidecar.istio.io/includeInboundPorts");
			if (port_in_list(ex, port))
				bypass = "the server's excludeInboundPorts";
			else if (inc && strcmp(inc, "*") && !port_in_list(inc, port))
				bypass = "the server's includeInboundPorts";
		}
	}
	svcref sv[8];
	size_t nsv = srv ? services_of(x, srv, port, sv, TM_ARRAY_LEN(sv)) : 0;
	const char *client_unknown = NULL;
	if (k.client == TM_MP_SIDECAR && cl->w) {
		const char *ex = ann(cl->w, "traffic.sidecar.istio.io/excludeOutboundPorts");
		if (port_in_list(ex, port))
			bypass = "the client's excludeOutboundPorts";
		for (size_t i = 0; i < nsv && !bypass; i++)
			if (port_in_list(ex, sv[i].sp->port))
				bypass = "the client's excludeOutboundPorts";
		const char *exip = ann(cl->w, "traffic.sidecar.istio.io/excludeOutboundIPRanges");
		const char *incip = ann(cl->w, "traffic.sidecar.istio.io/includeOutboundIPRanges");
		if (!bypass && ((exip && *exip) || (incip && strcmp(incip, "*"))))
			client_unknown = "the client's excludeOutboundIPRanges/includeOutboundIPRanges decide, and Service "
					 "and pod addresses are not in the input";
	}
	k.bypass = bypass != NULL;
	verdict v;
	const char *row;
	if (client_unknown) {
		v = (verdict){TM_PROT_UNKNOWN, client_unknown};
		goto out;
	}
	/* the DestinationRule outcomes: every Service that reaches the port, and
	 * every subset of its rule that selects the server */
	int ndr = 0;
	tm_protection first = TM_PROT_MTLS;
	bool differ = false;
	const char *first_row = NULL;
	tm_buf drs;
	tm_buf_init(&drs, 64 * 1024);
	if (k.client == TM_MP_SIDECAR && !k.bypass) {
		if (!nsv && k.server == TM_MP_SIDECAR) {
			/* either way, the server's authorization may still refuse it */
			tm_buf_release(&drs);
			const char *why = NULL, *why0 = NULL;
			peer p0 = *cl;
			p0.principal = p0.ns = NULL;
			if (istio_authz(x, srv, cl, port, &why) == 0 && istio_authz(x, srv, &p0, port, &why0) == 0) {
				v = (verdict){TM_PROT_REJECTED, intern(x, tm_arena_printf(&x->r->arena,
					"istio: no Service selects the server on this port; with or without mTLS, %s", why0))};
				goto out;
			}
			v = (verdict){TM_PROT_UNKNOWN, intern(x, tm_arena_printf(&x->r->arena,
				"istio: no Service selects the server on this port, and whether a sidecar uses mTLS for pod-IP "
				"traffic is not settled by the manifests"))};
			goto out;
		}
#define OUTCOME(pr_, row_) do { \
		if (!ndr++) { first = (pr_); first_row = (row_); } else if ((pr_) != first) differ = true; \
	} while (0)
		if (!nsv && se_outcome(x, cl, sep, port, &k, &drs)) {
			tm_protection pr0 = tm_mesh_istio_decide(&k, &row);
			OUTCOME(pr0, row);
		}
		/* a Service whose VirtualServices route none of its traffic to
		 * this server's subsets: counted, named */
		size_t nunrouted = 0;
		const char *unrouted = NULL;
		for (size_t i = 0; i < nsv; i++) {
			const tm_destrule *d = dr_find(x, cl->w, sv[i].s);
			size_t nsub = d ? d->nsubsets : 0;
			unsigned char *routed = tm_arena_alloc(&x->r->arena, nsub + 1);
			tm_vs_pick vp;
			tm_buf vsn;
			tm_buf_init(&vsn, 64 * 1024);
			/* the client's own labels: the pod's at pod granularity */
			/* without the mesh objects tm_mesh_vs_pick finds no VirtualService */
			const tm_meshobjs *vms = x->ms;
			if (x->svc_vs && vms) {
				if (!x->svc_vs[sv[i].idx])
					x->svc_vs[sv[i].idx] = tm_mesh_vs_may_name(vms, sv[i].s->ns, sv[i].s->name) ? 2 : 1;
				if (x->svc_vs[sv[i].idx] == 1)
					vms = NULL;
			}
			tm_mesh_vs_pick(vms, &x->r->arena, cl->w->ns, &cl->w->labels, sv[i].s->ns, sv[i].s->name,
					sv[i].sp->port, d, routed, &vp, &vsn);
			bool route = vp.applies && !vp.no_route;
			if (vp.applies)
				(void)tm_buf_addf(&drs, "%s%s%s", drs.len ? ", " : "", tm_buf_str(&vsn),
						  vp.no_route ? " (no route for the port: every subset counted)"
						  : vp.answered ? tm_arena_printf(&x->r->arena, " (%s answers this client itself: "
										  "nothing to the Service)", vp.answered) : "");
			int before = ndr;
			for (size_t j = 0; j <= nsub; j++) {
				if (route && !routed[j])
					continue;
				if (j && !labels_subset(&d->subsets[j - 1].labels, &srv->labels))
					continue;
				int t = d ? pol_tls(&d->pol, sv[i].sp->port, -1) : -1;
				if (j)
					t = pol_tls(&d->subsets[j - 1].pol, sv[i].sp->port, t);
				tm_istio_case kk = k;
				kk.dr = t < 0 ? TM_DRTLS_AUTO : (tm_dr_tls)t;
				int pt = d ? d->pol.passthrough : -1;
				if (j && d->subsets[j - 1].pol.passthrough >= 0)
					pt = d->subsets[j - 1].pol.passthrough;
				const char *headless = sv[i].s->cluster_ip && !strcmp(sv[i].s->cluster_ip, "None") ? "headless" : NULL;
				if (kk.dr == TM_DRTLS_AUTO && kk.auto_mtls && (pt == 1 || headless) &&
				    mixed_endpoints(x, sv[i].s, j ? &d->subsets[j - 1].labels : NULL)) {
					kk.mixed = true;
					(void)tm_buf_addf(&drs, "%s%s Service %s/%s with an endpoint without a sidecar (auto mTLS sends plaintext)",
							  drs.len ? ", " : "", headless ? headless : "PASSTHROUGH", sv[i].s->ns, sv[i].s->name);
				}
				tm_protection pr = tm_mesh_istio_decide(&kk, &row);
				if (!ndr)
					k.dr = kk.dr;
				OUTCOME(pr, row);
				if (d)
					(void)tm_buf_addf(&drs, "%sDestinationRule %s/%s%s%s %s", drs.len ? ", " : "", d->ns, d->name,
							  j ? " subset " : "", j ? d->subsets[j - 1].name : "", tm_dr_tls_name(kk.dr));
			}
			if (route && (vp.other || vp.delegate)) {
				/* the bytes go to another host's endpoints, judged on the edges to them */
				OUTCOME(TM_PROT_UNKNOWN, "3.1");
				if (vp.other)
					(void)tm_buf_addf(&drs, ", routed to %s (another destination: not followed)", vp.other);
				else
					(void)tm_buf_addf(&drs, ", a route of VirtualService %s delegates (not followed)", vp.delegate);
			}
			if (route && vp.undefined) {
				(void)tm_buf_addf(&drs, ", routed to subset %s, which %s%s%s does not define (no such cluster: the "
						  "client's sidecar answers 503%s)", vp.undefined, d ? "DestinationRule " : "no DestinationRule",
						  d ? d->ns : "", d ? tm_arena_printf(&x->r->arena, "/%s", d->name) : "",
						  ndr > before ? "; the rest is routed" : "");
				if (ndr == before)
					OUTCOME(TM_PROT_REJECTED, "3.1");
			}
			if (ndr == before) {
				nunrouted++;
				if (vp.answered) /* no routed destination at all: the client's sidecar answers */
					unrouted = tm_arena_printf(&x->r->arena, "%s answers this client's requests to Service "
								   "%s/%s port %u itself (its sidecar sends nothing to the "
								   "Service's endpoints)", vp.answered, sv[i].s->ns,
								   sv[i].s->name, sv[i].sp->port);
				else
					unrouted = tm_arena_printf(&x->r->arena, "%s routes Service %s/%s port %u to subsets "
								   "that do not select the server", tm_buf_str(&vsn),
								   sv[i].s->ns, sv[i].s->name, sv[i].sp->port);
			}
			tm_buf_release(&vsn);
		}
		if (nsv && nunrouted == nsv) {
			tm_buf_release(&drs);
			v = (verdict){TM_PROT_UNKNOWN, intern(x, tm_arena_printf(&x->r->arena,
				"istio: %s%s; the server gets this client's pod-IP traffic only, which the manifests do not settle",
				unrouted, nsv > 1 ? " (and likewise the other Services)" : ""))};
			goto out;
		}
#undef OUTCOME
	}
	tm_protection pr;
	if (ndr && differ) {
		pr = TM_PROT_UNKNOWN;
		row = "3.1";
		(void)tm_buf_addf(&b, "istio: the outcome depends on the Service or subset the client uses (%s)", tm_buf_str(&drs));
	} else {
		pr = ndr ? first : tm_mesh_istio_decide(&k, &row);
		if (ndr)
			row = first_row;
		(void)tm_buf_addf(&b, "istio #%s: client %s, server %s", row, proxy_word(k.client), proxy_word(k.server));
		if (k.bypass)
			(void)tm_buf_addf(&b, ", port excluded from capture by %s", bypass);
		else {
			if (k.server != TM_MP_NONE) {
				(void)tm_buf_addf(&b, ", PeerAuthentication %s", k.pa == TM_PA_UNSET ? "none (PERMISSIVE)" : tm_pa_mode_name(k.pa));
				if (pa_by)
					(void)tm_buf_addf(&b, " (%s/%s)", pa_by->ns, pa_by->name);
				if (k.ns_disable && k.client == TM_MP_SIDECAR && k.dr == TM_DRTLS_AUTO)
					(void)tm_buf_adds(&b, ", namespace/mesh level DISABLE");
			}
			if (k.client == TM_MP_SIDECAR)
				(void)tm_buf_addf(&b, ", %s", drs.len ? tm_buf_str(&drs) : k.auto_mtls ? "no DestinationRule (auto mTLS)"
										 : "no DestinationRule, auto mTLS off");
		}
	}
	tm_buf_release(&drs);
	/* authorization at the server's proxy */
	if (!k.bypass && k.server != TM_MP_NONE && srv && (pr == TM_PROT_MTLS || pr == TM_PROT_MTLS_PERMISSIVE || pr == TM_PROT_PLAINTEXT)) {
		peer p = *cl;
		if (pr == TM_PROT_PLAINTEXT || !cl->w)
			p.principal = p.ns = NULL;
		const char *why = NULL;
		int az = istio_authz(x, srv, &p, port, &why);
		if (az == 0) {
			pr = TM_PROT_REJECTED;
			(void)tm_buf_addf(&b, "; %s", why);
		} else if (az == -1) {
			pr = TM_PROT_UNKNOWN;
			(void)tm_buf_addf(&b, "; %s", why);
		}
	}
	v = (verdict){pr, intern(x, tm_buf_str(&b))};
out:
	tm_buf_release(&b);
	return v;
}

static verdict linkerd_port(mctx *x, const peer *cl, tm_proxy cp, const tm_workload *srv, tm_proxy sp, uint32_t port)
{
	tm_l5d_case k = {cp == TM_PROXY_LINKERD, sp == TM_PROXY_LINKERD, false, false, false};
	tm_buf b;
	tm_buf_init(&b, 64 * 1024);
	const char *skip = NULL;
	if (k.server_meshed && (port_in_list(ann_or_ns(srv, "config.linkerd.io/skip-inbound-ports"), port) ||
				port_in_list(x->r->eff.linkerd_skip_ports, port)))
		skip = "skip-inbound-ports of the server";
	if (!skip && k.client_meshed && cl->w &&
	    (port_in_list(ann_or_ns(cl->w, "config.linkerd.io/skip-outbound-ports"), port) ||
	     port_in_list(x->r->eff.linkerd_skip_ports, port)))
		skip = "skip-outbound-ports of the client";
	k.skipped = skip != NULL;
	const char *why = NULL;
	int az = 1;
	if (k.server_meshed && !k.skipped) {
		az = l5d_policy(x, srv, port, cl, k.client_meshed, &k.admits_unauth, &why);
		k.authorized = az == 1;
	}
	const char *row;
	tm_protection pr = tm_mesh_linkerd_decide(&k, &row);
	if (az == -1)
		pr = TM_PROT_UNKNOWN;
	(void)tm_buf_addf(&b, "linkerd %s: client %s, server %s", row, k.client_meshed ? "meshed" : "not meshed",
			  k.server_meshed ? "meshed" : "not meshed");
	if (skip)
		(void)tm_buf_addf(&b, ", port in %s", skip);
	if (why)
		(void)tm_buf_addf(&b, ", %s", why);
	verdict v = {pr, intern(x, tm_buf_str(&b))};
	tm_buf_release(&b);
	return v;
}

static const char *proxy_unknown_why(mctx *x, const tm_mesh_wl *c, const tm_mesh_wl *s)
{
	tm_buf_reset(&x->b);
	if (c && c->proxy == TM_PROXY_UNKNOWN)
		(void)tm_buf_addf(&x->b, "client: %s", c->why);
	if (s && s->proxy == TM_PROXY_UNKNOWN)
		(void)tm_buf_addf(&x->b, "%sserver: %s", x->b.len ? "; " : "", s->why);
	return intern(x, tm_buf_str(&x->b));
}

static bool is_istio(tm_proxy p)
{
	return p == TM_PROXY_ISTIO_SIDECAR || p == TM_PROXY_ISTIO_AMBIENT;
}

/* ---- Cilium below the meshes ---- */
bool tm_mesh_cilium_ns_enrolled(const tm_namespace *ns)
{
	const char *v = ns ? tm_labels_get(&ns->labels, TM_CILIUM_ZTUNNEL_LABEL) : NULL;
	return v && !strcmp(v, "true");
}

static bool ztunnel_enrolled(const tm_workload *w)
{
	return w && tm_mesh_cilium_ns_enrolled(w->nsp) && !(w->sec && w->sec->host_network);
}

static tm_tri same_node(const tm_workload *a, const tm_workload *b)
{
	const char *na = a && a->sec ? a->sec->node_name : NULL, *nb = b && b->sec ? b->sec->node_name : NULL;
	return !na || !nb ? TM_TRI_UNKNOWN : !strcmp(na, nb) ? TM_TRI_YES : TM_TRI_NO;
}

static const char *enc_words(tm_cilium_enc e)
{
	return e == TM_CENC_WIREGUARD ? "WireGuard" : e == TM_CENC_IPSEC ? "IPsec" : tm_cilium_enc_name(e);
}

/* The Cilium transport and mutual authentication of one port, given the
 * mesh's verdict v: a mesh's mtls, mtls-permissive, rejected or unknown
 * stays; its plaintext (or no proxy at all) is what Cilium carries. */
static verdict cilium_port(mctx *x, const tm_endpoint *ce, const tm_endpoint *se, tm_proto proto, uint32_t port,
			   verdict v)
{
	tm_mesh_result *r = x->r;
	const tm_workload *cw = ce->kind == TM_EP_WORKLOAD ? ce->w : NULL, *sw = se->kind == TM_EP_WORKLOAD ? se->w : NULL;
	const tm_endpoint *un = tm_mesh_cilium_unauth_identity(ce) ? ce : tm_mesh_cilium_unauth_identity(se) ? se : NULL;
	tm_cilium_case k = {v.prot, r->eff.cilium_encryption, ztunnel_enrolled(cw), ztunnel_enrolled(sw),
			    proto == TM_PROTO_TCP, same_node(cw, sw), TM_AUTH_NONE, r->eff.cilium_mutual_auth, un != NULL};
	const char *auth_by = NULL;
	for (size_t i = 0; i < x->nauths; i++)
		if (tm_ports_contains(x->auths[i].ports, proto, port) &&
		    (k.auth == TM_AUTH_NONE || (k.auth == TM_AUTH_REQUIRED && x->auths[i].auth == TM_AUTH_TEST_ALWAYS_FAIL))) {
			k.auth = (tm_rule_auth)x->auths[i].auth;
			auth_by = x->auths[i].what;
		}
	const char *row, *arow;
	bool authd;
	tm_protection p = tm_mesh_cilium_decide(&k, &row, &arow, &authd);
	tm_buf_reset(&x->b);
	if (row) {
		(void)tm_buf_addf(&x->b, "; cilium %s: ", row);
		switch (row[1]) {
		case '1': (void)tm_buf_addf(&x->b, "no transparent encryption (%s)", r->cilium_enc_from); break;
		case '2':
			(void)tm_buf_addf(&x->b, "Cilium runs (%s), but its transparent encryption is not known (%s): none "
					  "is plaintext, WireGuard or IPsec encrypt between nodes only%s", r->cilium_why,
					  r->cilium_enc_from,
					  k.tcp && k.client_enrolled && k.server_enrolled
						  ? ", ztunnel would be mTLS (both namespaces enrolled)" : "");
			break;
		case '3':
			(void)tm_buf_addf(&x->b, "%s (%s) leaves traffic between pods of one node in clear, and both run on "
					  "node %s", enc_words(k.enc), r->cilium_enc_from, cw->sec->node_name);
			break;
		case '4':
			(void)tm_buf_addf(&x->b, "%s (%s) encrypts between nodes only, with node keys: not mTLS, and clear "
					  "when both pods run on one node", enc_words(k.enc), r->cilium_enc_from);
			break;
		case '5':
			(void)tm_buf_addf(&x->b, "ztunnel (%s) HBONE mTLS, both namespaces enrolled (" TM_CILIUM_ZTUNNEL_LABEL
					  "=true)", r->cilium_enc_from);
			break;
		case '6':
			(void)tm_buf_addf(&x->b, "ztunnel (%s): the client's namespace is enrolled, the server's is not: "
					  "plaintext to an unenrolled pod", r->cilium_enc_from);
			break;
		case '7':
			(void)tm_buf_addf(&x->b, "ztunnel (%s): the server's namespace is enrolled, the client's is not: "
					  "whether the server's ztunnel accepts plaintext is not documented", r->cilium_enc_from);
			break;
		default:
			(void)tm_buf_addf(&x->b, "ztunnel (%s): %s", r->cilium_enc_from,
					  !k.tcp ? "ztunnel redirects TCP only" : "neither namespace is enrolled");
			break;
		}
	}
	if (arow && arow[1] == '1')
		(void)tm_buf_addf(&x->b, "; cilium A1: authenticated: %s requires mutual authentication (%s: on): the "
				  "agents check the peers' identities out of band, the data is not encrypted by it",
				  auth_by, r->cilium_auth_from);
	else if (arow && arow[1] == '2')
		(void)tm_buf_addf(&x->b, "; cilium A2: %s requires mutual authentication, which is off (%s): no agent "
				  "authenticates the pair, so Cilium drops the traffic", auth_by, r->cilium_auth_from);
	else if (arow && arow[1] == '5')
		(void)tm_buf_addf(&x->b, "; cilium A5: %s requires mutual authentication, but %s has %s: Cilium never "
				  "authenticates it (pkg/auth), so no agent authenticates the pair and Cilium drops the "
				  "traffic whatever the install", auth_by, un->name, tm_mesh_cilium_unauth_identity(un));
	else if (arow && arow[1] == '4')
		(void)tm_buf_addf(&x->b, "; cilium A4: %s requires mutual authentication, and whether it is on is not known "
				  "(%s): on, the agents authenticate the pair; off, Cilium drops the traffic", auth_by,
				  r->cilium_auth_from);
	else if (arow)
		(void)tm_buf_addf(&x->b, "; cilium A3: %s has authentication mode test-always-fail: always dropped", auth_by);
	return (verdict){p, v.reason, authd, x->b.len ? intern(x, tm_buf_str(&x->b) + 2) : NULL};
}

static verdict mesh_port(mctx *x, const tm_edge *e, tm_proto proto, uint32_t port)
{
	const tm_graph *g = x->r->g;
	const tm_endpoint *ce = &g->eps[e->src], *se = &g->eps[e->dst];
	const tm_workload *cw = ce->kind == TM_EP_WORKLOAD ? ce->w : NULL, *sw = se->kind == TM_EP_WORKLOAD ? se->w : NULL;
	const tm_mesh_wl *cm = cw ? &x->r->wl[cw->index] : NULL, *sm = sw ? &x->r->wl[sw->index] : NULL;
	tm_proxy cp = cm ? cm->proxy : TM_PROXY_NONE, sp = sm ? sm->proxy : TM_PROXY_NONE;
	if (cp == TM_PROXY_NONE && sp == TM_PROXY_NONE)
		return (verdict){TM_PROT_PLAINTEXT, ce->kind == TM_EP_INGRESS
			? "no mesh proxy at either end (the ingress controller is taken to have none)"
			: "no mesh proxy at either end"};
	if (proto != TM_PROTO_TCP)
		return (verdict){TM_PROT_PLAINTEXT, proto == TM_PROTO_UDP ? "UDP: the meshes proxy TCP only"
									  : "SCTP: the meshes proxy TCP only"};
	if (cp == TM_PROXY_UNKNOWN || sp == TM_PROXY_UNKNOWN)
		return (verdict){TM_PROT_UNKNOWN, proxy_unknown_why(x, cm, sm)};
	peer cl = {cw, ce, NULL, NULL};
	if (cw) {
		const char **pc = x->principal ? &x->principal[cw->index] : NULL;
		if (!pc || !*pc) {
			tm_buf_reset(&x->b);
			(void)tm_buf_addf(&x->b, "%s/ns/%s/sa/%s", x->r->eff.istio_trust_domain, cw->ns, sa_of(cw));
			cl.principal = intern(x, tm_buf_str(&x->b));
			if (pc)
				*pc = cl.principal;
		} else
			cl.principal = *pc;
		cl.ns = cw->ns;
	}
	verdict v = {TM_PROT_PLAINTEXT, NULL}, lv;
	bool have = false;
	if (is_istio(cp) || is_istio(sp)) {
		v = istio_port(x, &cl, is_istio(cp) ? cp : TM_PROXY_NONE, sw, se, is_istio(sp) ? sp : TM_PROXY_NONE, port);
		have = true;
	}
	if (cp == TM_PROXY_LINKERD || sp == TM_PROXY_LINKERD) {
		lv = linkerd_port(x, &cl, cp == TM_PROXY_LINKERD ? cp : TM_PROXY_NONE, sw, sp == TM_PROXY_LINKERD ? sp : TM_PROXY_NONE, port);
		if (!have)
			v = lv;
		else {
			/* two meshes: each end sees the other as unmeshed */
			tm_protection w = worse(v.prot, lv.prot);
			tm_buf_reset(&x->b);
			(void)tm_buf_addf(&x->b, "%s; %s", v.reason, lv.reason);
			v = (verdict){w, intern(x, tm_buf_str(&x->b))};
		}
	}
	return v;
}

static verdict decide_port(mctx *x, const tm_edge *e, tm_proto proto, uint32_t port)
{
	verdict v = mesh_port(x, e, proto, port);
	if (!x->r->cilium)
		return v;
	const tm_graph *g = x->r->g;
	return cilium_port(x, &g->eps[e->src], &g->eps[e->dst], proto, port, v);
}

/* The admitting rules of edge e that require mutual authentication (or
 * always fail it), and their port boundaries; explain's trace, so that
 * these are the rules conn and explain name. */
static tm_err edge_auths(mctx *x, const tm_edge *e)
{
	x->nauths = 0;
	if (!x->r->cilium || !x->any_auth)
		return TM_OK;
	tm_explain ex;
	memset(&ex, 0, sizeof ex);
	tm_err rc = tm_conn_explain(x->r->g, e->src, e->dst, &ex);
	for (size_t i = 0; rc == TM_OK && i < ex.n; i++) {
		const tm_why *w = &ex.v[i];
		if (w->kind != TM_WHY_RULE || w->action != TM_ACT_ALLOW || !w->ports ||
		    (w->auth != TM_AUTH_REQUIRED && w->auth != TM_AUTH_TEST_ALWAYS_FAIL))
			continue;
		const tm_ports *ps = tm_ports_inter(x->pp, w->ports, e->ports);
		if (tm_ports_is_empty(ps))
			continue;
		TM_HEAP_GROW(x->auths, x->nauths, x->cap_auths);
		tm_buf_reset(&x->b);
		(void)tm_buf_addf(&x->b, "%s %s %s rule %ld", w->policy_kind ? w->policy_kind : "policy",
				  w->policy ? w->policy : "?", w->dir == TM_DIR_EGRESS ? "egress" : "ingress", w->rule);
		x->auths[x->nauths++] = (authref){ps, w->auth, intern(x, tm_buf_str(&x->b)), w->loc};
		for (int pr = 0; pr < TM_NPROTO; pr++)
			for (uint32_t k = 0; k < ps->n[pr]; k++) {
				bound_add(x, ps->r[pr][k].lo);
				bound_add(x, ps->r[pr][k].hi + 1);
			}
	}
	tm_explain_release(&ex);
	return rc;
}

/* ---- the edges cut into port subsets ---- */
static int u32cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* the server's own boundaries: its ports, the target ports of its
 * namespace's Services, its capture annotations */
static void server_bounds(mctx *x, const tm_workload *w)
{
	for (size_t i = 0; i < w->nports; i++) {
		bound_add(x, w->ports[i].port);
		bound_add(x, w->ports[i].port + 1);
	}
	span sp;
	NS_SPAN(x->m->services, x->m->nservices, x->svc_sorted, w->ns, sp);
	for (size_t i = sp.lo; i < sp.hi; i++) {
		const tm_service *s = x->m->services[i];
		if (strcmp(s->ns, w->ns))
			continue;
		for (size_t k = 0; k < s->nports; k++) {
			uint32_t t = target_of(w, &s->ports[k]);
			bound_add(x, t);
			bound_add(x, t + 1);
		}
	}
	static const char *const keys[] = {"traffic.sidecar.istio.io/excludeInboundPorts",
					   "traffic.sidecar.istio.io/includeInboundPorts", "config.linkerd.io/skip-inbound-ports"};
	for (size_t i = 0; i < TM_ARRAY_LEN(keys); i++)
		bounds_of_list(x, ann_or_ns(w, keys[i]));
}

/* the boundaries of every workload server: Linkerd's default skipped ports,
 * the ports that PeerAuthentications, AuthorizationPolicy rules and Linkerd
 * Servers name (wherever they are) */
static void shared_bounds(mctx *x)
{
	bounds_of_list(x, x->r->eff.linkerd_skip_ports);
	const tm_meshobjs *ms = x->ms;
	for (size_t i = 0; ms && i < ms->npas; i++)
		for (size_t k = 0; k < ms->pas[i]->nports; k++) {
			bound_add(x, ms->pas[i]->ports[k].port);
			bound_add(x, ms->pas[i]->ports[k].port + 1);
		}
	for (size_t i = 0; ms && i < ms->nazs; i++)
		for (size_t r = 0; r < ms->azs[i]->nrules; r++)
			for (size_t k = 0; k < ms->azs[i]->rules[r].nports; k++) {
				bound_add(x, ms->azs[i]->rules[r].ports[k]);
				bound_add(x, ms->azs[i]->rules[r].ports[k] + 1);
			}
	for (size_t i = 0; ms && i < ms->nservers; i++)
		if (ms->servers[i]->port) {
			bound_add(x, ms->servers[i]->port);
			bound_add(x, ms->servers[i]->port + 1);
		}
}

/* x->bounds sorted, each value once: the segments of edge_parts are the same
 * with or without the repeats, and the lists are kept per server */
static void bounds_sort_unique(mctx *x)
{
	if (x->nbounds < 2)
		return;
	qsort(x->bounds, x->nbounds, sizeof *x->bounds, u32cmp);
	size_t n = 1;
	for (size_t i = 1; i < x->nbounds; i++)
		if (x->bounds[i] != x->bounds[n - 1])
			x->bounds[n++] = x->bounds[i];
	x->nbounds = n;
}

/* The boundaries that edge_parts cuts an edge into ports at, as far as they
 * depend on the server endpoint alone; computed once per endpoint. A
 * workload's: server_bounds and the shared ones; an IP range's: the
 * ServiceEntries' ports. (Per edge: once per edge and Service and mesh
 * object, 15 times plain conn at 10k pods.) */
static const bset *dst_bounds(mctx *x, size_t ep)
{
	bset *c = &x->bcache[ep];
	if (c->done)
		return c;
	const tm_endpoint *se = &x->r->g->eps[ep];
	x->nbounds = 0;
	if (se->kind == TM_EP_WORKLOAD) {
		server_bounds(x, se->w);
		for (size_t i = 0; i < x->ngbounds; i++)
			bound_add(x, x->gbounds[i]);
	}
	for (size_t i = 0; se->kind == TM_EP_IPRANGE && x->ms && i < x->ms->nses; i++)
		for (size_t k = 0; k < x->ms->ses[i]->nports; k++) {
			bound_add(x, x->ms->ses[i]->ports[k].number);
			bound_add(x, x->ms->ses[i]->ports[k].number + 1);
		}
	bounds_sort_unique(x);
	c->v = x->nbounds ? tm_arena_memdup(&x->scratch, x->bounds, x->nbounds * sizeof *x->bounds) : NULL;
	c->n = x->nbounds;
	c->done = true;
	x->nbounds = 0;
	return c;
}

typedef struct bucket {
	tm_protection prot;
	bool authenticated;
	const tm_ports *ports;
	tm_buf reasons;
	const char *last, *last_cilium;
} bucket;

/* each reason once (they are interned) */
static void add_reason(bucket *k, const char *reason)
{
	const char *s = tm_buf_str(&k->reasons);
	size_t rl = strlen(reason);
	bool seen = false;
	for (const char *p = strstr(s, reason); p && !seen; p = strstr(p + 1, reason))
		seen = (p == s || (p >= s + 2 && p[-2] == ';')) && (p[rl] == 0 || p[rl] == ';');
	if (!seen)
		(void)tm_buf_addf(&k->reasons, "%s%s", k->reasons.len ? "; " : "", reason);
}

static void add_seg(mctx *x, bucket *bk, tm_proto proto, uint32_t lo, uint32_t hi, verdict v)
{
	bucket *k = &bk[v.prot + (v.authenticated ? TM_NPROT : 0)];
	k->ports = tm_ports_union(x->pp, k->ports, tm_ports_range(x->pp, proto, lo, hi));
	if (v.reason && v.reason != k->last) {
		add_reason(k, v.reason);
		k->last = v.reason;
	}
	if (v.cilium && v.cilium != k->last_cilium) {
		add_reason(k, v.cilium);
		k->last_cilium = v.cilium;
	}
}

static tm_err edge_parts(mctx *x, size_t ei)
{
	const tm_graph *g = x->r->g;
	const tm_edge *e = &g->edges[ei];
	const tm_endpoint *ce = &g->eps[e->src];
	const bset *sb = dst_bounds(x, e->dst);
	/* the client's and the pair's boundaries, when there are any, joined
	 * with the server's */
	x->nbounds = 0;
	if (ce->kind == TM_EP_WORKLOAD) {
		bounds_of_list(x, ann(ce->w, "traffic.sidecar.istio.io/excludeOutboundPorts"));
		bounds_of_list(x, ann_or_ns(ce->w, "config.linkerd.io/skip-outbound-ports"));
	}
	tm_err rc = edge_auths(x, e);
	if (rc != TM_OK)
		return rc;
	const uint32_t *bv = sb->v;
	size_t nb = sb->n;
	if (x->nbounds) {
		for (size_t i = 0; i < sb->n; i++)
			bound_add(x, sb->v[i]);
		bounds_sort_unique(x);
		bv = x->bounds;
		nb = x->nbounds;
	}
	bucket bk[2 * TM_NPROT]; /* by protection, then authenticated */
	for (int p = 0; p < 2 * TM_NPROT; p++) {
		bk[p] = (bucket){(tm_protection)(p % TM_NPROT), p >= TM_NPROT, tm_ports_empty(x->pp), {0}, NULL, NULL};
		tm_buf_init(&bk[p].reasons, 1 << 20);
	}
	for (int pr = 0; pr < TM_NPROTO; pr++) {
		const tm_ports *ps = e->ports;
		for (uint32_t i = 0; i < ps->n[pr]; i++) {
			uint32_t lo = ps->r[pr][i].lo, hi = ps->r[pr][i].hi;
			if (pr != TM_PROTO_TCP && !x->nauths) {
				add_seg(x, bk, (tm_proto)pr, lo, hi, decide_port(x, e, (tm_proto)pr, lo));
				continue;
			}
			/* segments between boundaries: one decision each */
			size_t b = 0;
			while (b < nb && bv[b] <= lo)
				b++;
			uint32_t a = lo;
			while (a <= hi) {
				uint32_t z = hi;
				if (b < nb && bv[b] - 1 < z)
					z = bv[b] - 1;
				add_seg(x, bk, (tm_proto)pr, a, z, decide_port(x, e, (tm_proto)pr, a));
				a = z + 1;
				while (b < nb && bv[b] <= a)
					b++;
				if (z == 65535)
					break;
			}
		}
	}
	size_t n = 0;
	tm_mesh_part tmp[2 * TM_NPROT];
	for (int p = 0; p < 2 * TM_NPROT; p++) {
		if (!tm_ports_is_empty(bk[p].ports))
			tmp[n++] = (tm_mesh_part){bk[p].prot, bk[p].authenticated, bk[p].ports,
						  intern(x, tm_buf_str(&bk[p].reasons))};
		tm_buf_release(&bk[p].reasons);
	}
	/* by the first port of each subset: protocol (SCTP, TCP, UDP), then port */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			uint64_t ka = 0, kb = 0;
			for (int pr = TM_NPROTO - 1; pr >= 0; pr--) {
				if (tmp[j - 1].ports->n[pr])
					ka = ((uint64_t)pr << 32) | tmp[j - 1].ports->r[pr][0].lo;
				if (tmp[j].ports->n[pr])
					kb = ((uint64_t)pr << 32) | tmp[j].ports->r[pr][0].lo;
			}
			if (ka <= kb)
				break;
			tm_mesh_part t = tmp[j];
			tmp[j] = tmp[j - 1];
			tmp[j - 1] = t;
		}
	x->r->conns[ei].v = n ? tm_arena_memdup(&x->r->arena, tmp, n * sizeof *tmp) : NULL;
	x->r->conns[ei].n = n;
	if (x->nauths) {
		tm_mesh_auth *a = tm_arena_alloc(&x->r->arena, x->nauths * sizeof *a);
		for (size_t i = 0; i < x->nauths; i++)
			a[i] = (tm_mesh_auth){x->auths[i].what, x->auths[i].loc, (tm_rule_auth)x->auths[i].auth,
					      x->auths[i].ports};
		x->r->conns[ei].auths = a;
		x->r->conns[ei].nauths = x->nauths;
	}
	return TM_OK;
}

static const char *const setting_names[TM_NMSET] = {
	[TM_MSET_ISTIO_ROOT_NS] = "istio-root-namespace", [TM_MSET_ISTIO_TRUST_DOMAIN] = "istio-trust-domain",
	[TM_MSET_ISTIO_AUTO_MTLS] = "istio-auto-mtls", [TM_MSET_ISTIO_INJECT] = "istio-inject-policy",
	[TM_MSET_ISTIO_NS_BY_DEFAULT] = "istio-namespaces-by-default", [TM_MSET_ISTIO_AMBIENT] = "istio-ambient",
	[TM_MSET_LINKERD_NS] = "linkerd-namespace", [TM_MSET_LINKERD_TRUST_DOMAIN] = "linkerd-trust-domain",
	[TM_MSET_LINKERD_POLICY] = "linkerd-default-inbound-policy", [TM_MSET_LINKERD_OPAQUE_PORTS] = "linkerd-opaque-ports",
	[TM_MSET_LINKERD_SKIP_PORTS] = "linkerd-skip-ports", [TM_MSET_CILIUM_ENCRYPTION] = "cilium-encryption",
	[TM_MSET_CILIUM_MUTUAL_AUTH] = "cilium-mutual-auth",
};

const char *tm_mesh_setting_name(tm_mesh_setting s)
{
	return s < TM_NMSET ? setting_names[s] : "?";
}

const char *tm_mesh_from_kind_name(tm_mesh_from_kind k)
{
	switch (k) {
	case TM_MFROM_DEFAULT: return "default";
	case TM_MFROM_OPTION: return "option";
	case TM_MFROM_CONFIGMAP: return "configmap";
	case TM_MFROM_INPUT: return "input";
	}
	return "?";
}

bool tm_mesh_opts_any(const tm_mesh_opts *o)
{
	return o->istio_root_ns || o->istio_trust_domain || o->istio_auto_mtls != TM_TRI_UNKNOWN ||
	       o->istio_inject_enabled != TM_TRI_UNKNOWN || o->istio_ns_by_default != TM_TRI_UNKNOWN ||
	       o->istio_ambient != TM_TRI_UNKNOWN || o->linkerd_ns || o->linkerd_trust_domain || o->linkerd_default_policy ||
	       o->linkerd_opaque_ports || o->linkerd_skip_ports || o->cilium_encryption != TM_CENC_UNKNOWN ||
	       o->cilium_mutual_auth != TM_TRI_UNKNOWN;
}

/* an option, else the install ConfigMap (cm, key), else the default */
static const char *pick(tm_mesh_from *f, const char *opt, const char *install, const char *cm, const char *key,
			const char *def)
{
	*f = opt ? (tm_mesh_from){TM_MFROM_OPTION, NULL, NULL}
		 : install ? (tm_mesh_from){TM_MFROM_CONFIGMAP, cm, key} : (tm_mesh_from){TM_MFROM_DEFAULT, NULL, NULL};
	return opt ? opt : install ? install : def;
}

static tm_tri pick_tri(tm_mesh_from *f, tm_tri opt, tm_tri install, const char *cm, const char *key, tm_tri def)
{
	*f = opt != TM_TRI_UNKNOWN ? (tm_mesh_from){TM_MFROM_OPTION, NULL, NULL}
	     : install != TM_TRI_UNKNOWN ? (tm_mesh_from){TM_MFROM_CONFIGMAP, cm, key}
					 : (tm_mesh_from){TM_MFROM_DEFAULT, NULL, NULL};
	return opt != TM_TRI_UNKNOWN ? opt : install != TM_TRI_UNKNOWN ? install : def;
}

void tm_mesh_settings_resolve(const tm_model *m, const tm_mesh_opts *o, tm_mesh_settings *s)
{
	static const tm_mesh_install none;
	const tm_mesh_install *in = m->mesh ? &m->mesh->install : &none;
	tm_mesh_opts def;
	tm_mesh_opts_default(&def);
	if (!o)
		o = &def;
	memset(s, 0, sizeof *s);
	tm_mesh_opts *e = &s->eff;
	tm_mesh_from *f = s->from;
	e->istio_root_ns = pick(&f[TM_MSET_ISTIO_ROOT_NS], o->istio_root_ns, in->istio_root_ns, in->istio_cm, "mesh",
				"istio-system");
	e->istio_trust_domain = pick(&f[TM_MSET_ISTIO_TRUST_DOMAIN], o->istio_trust_domain, in->istio_trust_domain,
				     in->istio_cm, "mesh", "cluster.local");
	e->istio_auto_mtls = pick_tri(&f[TM_MSET_ISTIO_AUTO_MTLS], o->istio_auto_mtls, in->istio_auto_mtls, in->istio_cm,
				      "mesh", TM_TRI_YES);
	e->istio_inject_enabled = pick_tri(&f[TM_MSET_ISTIO_INJECT], o->istio_inject_enabled,
					   in->istio_inject_policy_enabled, in->injector_cm, "config", TM_TRI_YES);
	e->istio_ns_by_default = pick_tri(&f[TM_MSET_ISTIO_NS_BY_DEFAULT], o->istio_ns_by_default,
					  in->istio_ns_by_default, in->injector_cm, "values", TM_TRI_NO);
	/* ambient: the option, else a ztunnel DaemonSet in the input says installed, else unknown */
	e->istio_ambient = o->istio_ambient;
	f[TM_MSET_ISTIO_AMBIENT].kind = o->istio_ambient != TM_TRI_UNKNOWN ? TM_MFROM_OPTION : TM_MFROM_DEFAULT;
	for (size_t i = 0; e->istio_ambient == TM_TRI_UNKNOWN && i < m->nworkloads; i++)
		if (!strcmp(m->workloads[i]->name, "ztunnel") && !strcmp(m->workloads[i]->kind, "DaemonSet")) {
			e->istio_ambient = TM_TRI_YES;
			f[TM_MSET_ISTIO_AMBIENT] = (tm_mesh_from){TM_MFROM_INPUT, m->workloads[i]->display, NULL};
		}
	e->linkerd_ns = pick(&f[TM_MSET_LINKERD_NS], o->linkerd_ns, in->linkerd_ns, in->linkerd_cm, "namespace", "linkerd");
	e->linkerd_trust_domain = pick(&f[TM_MSET_LINKERD_TRUST_DOMAIN], o->linkerd_trust_domain, in->linkerd_trust_domain,
				       in->linkerd_cm, "values", "cluster.local");
	e->linkerd_default_policy = pick(&f[TM_MSET_LINKERD_POLICY], o->linkerd_default_policy, in->linkerd_default_policy,
					 in->linkerd_cm, "values", "all-unauthenticated");
	e->linkerd_opaque_ports = pick(&f[TM_MSET_LINKERD_OPAQUE_PORTS], o->linkerd_opaque_ports, in->linkerd_opaque_ports,
				       in->linkerd_cm, "values", "25,587,3306,4444,5432,6379,9300,11211");
	e->linkerd_skip_ports = pick(&f[TM_MSET_LINKERD_SKIP_PORTS], o->linkerd_skip_ports, in->linkerd_skip_inbound,
				     in->linkerd_cm, "values", "4567,4568");
	/* Cilium: an option given, else cilium-config, else unknown */
	e->cilium_encryption = o->cilium_encryption != TM_CENC_UNKNOWN ? o->cilium_encryption : in->cilium_encryption;
	f[TM_MSET_CILIUM_ENCRYPTION] = o->cilium_encryption != TM_CENC_UNKNOWN ? (tm_mesh_from){TM_MFROM_OPTION, NULL, NULL}
				       : in->cilium_config ? (tm_mesh_from){TM_MFROM_CONFIGMAP, in->cilium_config_name, in->cilium_enc_key}
							   : (tm_mesh_from){TM_MFROM_DEFAULT, NULL, NULL};
	e->cilium_mutual_auth = o->cilium_mutual_auth != TM_TRI_UNKNOWN ? o->cilium_mutual_auth : in->cilium_mutual_auth;
	f[TM_MSET_CILIUM_MUTUAL_AUTH] = o->cilium_mutual_auth != TM_TRI_UNKNOWN ? (tm_mesh_from){TM_MFROM_OPTION, NULL, NULL}
					: in->cilium_config ? (tm_mesh_from){TM_MFROM_CONFIGMAP, in->cilium_config_name, in->cilium_auth_key}
							    : (tm_mesh_from){TM_MFROM_DEFAULT, NULL, NULL};
}

/* "--cilium-encryption", "cilium-config ns/name enable-wireguard", or what says there is neither */
static const char *cilium_from(tm_mesh_result *r, tm_mesh_setting s, const char *none)
{
	const tm_mesh_from *f = &r->set.from[s];
	if (f->kind == TM_MFROM_OPTION)
		return s == TM_MSET_CILIUM_ENCRYPTION ? "--cilium-encryption" : "--cilium-mutual-auth";
	if (f->kind == TM_MFROM_CONFIGMAP)
		return tm_arena_printf(&r->arena, "cilium-config %s %s", f->object, f->key);
	return none;
}

tm_err tm_mesh_compute(const tm_graph *g, const tm_mesh_opts *o, tm_mesh_result **out)
{
	tm_mesh_result *r = tm_xrealloc(NULL, sizeof *r);
	memset(r, 0, sizeof *r);
	tm_arena_init(&r->arena);
	tm_strtab_init(&r->strs, &r->arena);
	tm_diags_init(&r->diags, &r->arena);
	r->g = g;
	const tm_model *m = g->m;
	tm_mesh_settings_resolve(m, o, &r->set);
	r->eff = r->set.eff;
	tm_mesh_opts *e = &r->eff;
	const char *cil_what = NULL;
	r->cilium = tm_cilium_present(m, &cil_what) || (o && (o->cilium_encryption != TM_CENC_UNKNOWN ||
							       o->cilium_mutual_auth != TM_TRI_UNKNOWN));
	r->cilium_why = cil_what ? cil_what : "a --cilium-* option";
	r->cilium_enc_from = cilium_from(r, TM_MSET_CILIUM_ENCRYPTION, "no cilium-config in the input and no --cilium-encryption");
	r->cilium_auth_from = cilium_from(r, TM_MSET_CILIUM_MUTUAL_AUTH,
					  "no cilium-config in the input and no --cilium-mutual-auth");
	mctx x = {.r = r, .m = m, .ms = m->mesh, .pp = m->ports};
	for (size_t i = 0; i < m->nnetpols && !x.any_auth; i++) {
		const tm_netpol *np = m->netpols[i];
		for (size_t k = 0; k < np->nin && !x.any_auth; k++)
			x.any_auth = np->in_rules[k].auth == TM_AUTH_REQUIRED || np->in_rules[k].auth == TM_AUTH_TEST_ALWAYS_FAIL;
		for (size_t k = 0; k < np->neg && !x.any_auth; k++)
			x.any_auth = np->eg_rules[k].auth == TM_AUTH_REQUIRED || np->eg_rules[k].auth == TM_AUTH_TEST_ALWAYS_FAIL;
	}
	tm_buf_init(&x.b, 64 * 1024);
	x.l5d_suffix = tm_intern(&r->strs, tm_arena_printf(&r->arena, ".serviceaccount.identity.%s.%s", e->linkerd_ns,
							  e->linkerd_trust_domain));
	/* PeerAuthentications whose selector the root namespace makes void */
	for (size_t i = 0; x.ms && i < x.ms->npas; i++)
		if (tm_mesh_istio_pa_scope(x.ms->pas[i], e->istio_root_ns) == TM_PASCOPE_IGNORED)
			tm_diags_add(&r->diags, TM_DIAG_WARN, x.ms->pas[i]->loc,
				     "PeerAuthentication %s/%s: a policy with a selector in the root namespace is ignored by "
				     "the sidecars and by ambient",
				     x.ms->pas[i]->ns, x.ms->pas[i]->name);
	se_notes(&x);
	tm_mesh_env env = {m, &r->set, &r->arena, &r->strs};
	r->wl = tm_arena_alloc(&r->arena, (g->nworkloads + 1) * sizeof *r->wl);
	x.pa_warned = tm_arena_alloc(&r->arena, g->nworkloads + 1);
	for (size_t i = 0; i < g->nworkloads; i++) {
		enrol(&env, g->workloads[i], &r->wl[i], &x.b);
		if (r->wl[i].proxy == TM_PROXY_ISTIO_SIDECAR || r->wl[i].proxy == TM_PROXY_ISTIO_AMBIENT) {
			pa_set s;
			pa_find(&x, g->workloads[i], &s); /* says ambiguities once per workload */
		}
	}
	NS_SORTED(m->services, m->nservices, x.svc_sorted);
	if (x.ms) {
		NS_SORTED(x.ms->pas, x.ms->npas, x.pas_sorted);
		NS_SORTED(x.ms->drs, x.ms->ndrs, x.drs_sorted);
		NS_SORTED(x.ms->azs, x.ms->nazs, x.azs_sorted);
		NS_SORTED(x.ms->servers, x.ms->nservers, x.servers_sorted);
	}
	x.mesh_pa = tm_mesh_istio_mesh_pa(x.ms, e->istio_root_ns);
	x.have_mesh_pa = true;
	tm_arena_init(&x.scratch);
	x.bcache = tm_arena_alloc(&x.scratch, (g->neps + 1) * sizeof *x.bcache);
	memset(x.bcache, 0, (g->neps + 1) * sizeof *x.bcache);
	x.wsvc = tm_arena_alloc(&x.scratch, (g->nworkloads + 1) * sizeof *x.wsvc);
	memset(x.wsvc, 0, (g->nworkloads + 1) * sizeof *x.wsvc);
	x.principal = tm_arena_alloc(&x.scratch, (g->nworkloads + 1) * sizeof *x.principal);
	memset(x.principal, 0, (g->nworkloads + 1) * sizeof *x.principal);
	x.wazs = tm_arena_alloc(&x.scratch, (g->nworkloads + 1) * sizeof *x.wazs);
	memset(x.wazs, 0, (g->nworkloads + 1) * sizeof *x.wazs);
	x.svc_vs = tm_arena_alloc(&x.scratch, m->nservices + 1);
	memset(x.svc_vs, 0, m->nservices + 1);
	x.nbounds = 0;
	shared_bounds(&x);
	bounds_sort_unique(&x);
	x.gbounds = x.nbounds ? tm_arena_memdup(&x.scratch, x.bounds, x.nbounds * sizeof *x.bounds) : NULL;
	x.ngbounds = x.nbounds;
	r->nconns = g->nedges;
	r->conns = tm_arena_alloc(&r->arena, (g->nedges + 1) * sizeof *r->conns);
	tm_err rc = TM_OK;
	for (size_t i = 0; i < g->nedges && rc == TM_OK; i++)
		rc = edge_parts(&x, i);
	free(x.bounds);
	free(x.auths);
	tm_arena_release(&x.scratch);
	tm_buf_release(&x.b);
	*out = r;
	return rc;
}

void tm_mesh_result_free(tm_mesh_result *r)
{
	if (!r)
		return;
	tm_strtab_release(&r->strs);
	tm_arena_release(&r->arena);
	free(r);
}

const tm_ports *tm_mesh_edge_ports(const tm_mesh_result *r, size_t edge, tm_protection p)
{
	tm_portpool *pp = r->g->m->ports;
	const tm_ports *u = tm_ports_empty(pp);
	if (edge < r->nconns)
		for (size_t i = 0; i < r->conns[edge].n; i++)
			if (r->conns[edge].v[i].prot == p) /* authenticated or not */
				u = tm_ports_union(pp, u, r->conns[edge].v[i].ports);
	return u;
}

tm_proxy tm_mesh_ep_proxy(const tm_mesh_result *r, size_t ep)
{
	const tm_endpoint *e = &r->g->eps[ep];
	return e->kind == TM_EP_WORKLOAD ? r->wl[e->w->index].proxy : TM_PROXY_NONE;
}
