/* k8s_services.c - Services and what exposes them: Ingress
 * (networking.k8s.io/v1), OpenShift Route, Gateway API HTTPRoute. */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"

#include <string.h>

void tm_k8s_service(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	static const char *const spec_fields[] = {
		"allocateLoadBalancerNodePorts", "clusterIP", "clusterIPs", "externalIPs", "externalName",
		"externalTrafficPolicy", "healthCheckNodePort", "internalTrafficPolicy", "ipFamilies",
		"ipFamilyPolicy", "loadBalancerClass", "loadBalancerIP", "loadBalancerSourceRanges", "ports",
		"publishNotReadyAddresses", "selector", "sessionAffinity", "sessionAffinityConfig",
		"trafficDistribution", "type", NULL,
	};
	tm_k8s_known_fields(c, spec, "spec", spec_fields);
	tm_service *s = tm_arena_alloc(&m->arena, sizeof *s);
	s->ns = c->ns;
	s->name = c->name;
	s->loc = c->obj->loc;
	/* type, selector, every port and externalIPs are checked on their own */
	tm_k8s_str(c, spec, "type", "spec.type", &s->type);
	tm_k8s_str(c, spec, "clusterIP", "spec.clusterIP", &s->cluster_ip);
	if (!s->type)
		s->type = tm_intern(&m->strs, "ClusterIP");
	unsigned e0 = c->nerrors;
	const tm_node *sel = tm_k8s_map(c, spec, "selector", "spec.selector");
	s->has_selector = sel != NULL;
	if (c->nerrors == e0)
		tm_k8s_labels(c, sel, "spec.selector", &s->selector, TM_LABELS_ANY);
	const tm_node *ports = tm_k8s_seq(c, spec, "ports", "spec.ports");
	s->ports = tm_arena_alloc(&m->arena, ((ports ? ports->n : 0) + 1) * sizeof(tm_svcport));
	for (size_t i = 0; ports && i < ports->n; i++) {
		const tm_node *p = ports->items[i];
		static const char *const port_fields[] = {"name", "protocol", "appProtocol", "port", "targetPort",
							  "nodePort", NULL};
		char f[48], g[64];
		snprintf(f, sizeof f, "spec.ports[%zu]", i);
		tm_k8s_known_fields(c, p, f, port_fields);
		tm_svcport *sp = &s->ports[s->nports];
		memset(sp, 0, sizeof *sp);
		long long port = 0, np = 0;
		bool has = false, hasnp = false;
		const char *proto = NULL;
		unsigned e1 = c->nerrors;
#define FIELD(k) (snprintf(g, sizeof g, "%s.%s", f, k), g)
		tm_k8s_str(c, p, "name", FIELD("name"), &sp->name);
		tm_k8s_int(c, p, "nodePort", FIELD("nodePort"), &np, &hasnp);
		if (tm_k8s_int(c, p, "port", FIELD("port"), &port, &has) && (!has || port < 1 || port > 65535))
			tm_k8s_error(c, has ? tm_node_get(p, "port") : p, FIELD("port"),
				     has ? "must be between 1 and 65535" : "is required");
		sp->port = (uint32_t)port;
		sp->node_port = hasnp && np > 0 && np <= 65535 ? (uint32_t)np : 0;
		sp->proto = TM_PROTO_TCP;
		if (tm_k8s_str(c, p, "protocol", FIELD("protocol"), &proto) && proto && !tm_proto_parse(proto, &sp->proto))
			tm_k8s_error(c, tm_node_get(p, "protocol"), FIELD("protocol"), "\"%s\" is not one of TCP, UDP, SCTP",
				     proto);
		const tm_node *tp = tm_node_get(p, "targetPort");
		if (tm_node_is_null(tp))
			sp->target_port = sp->port;
		else {
			long long iv = 0;
			const char *sv = NULL;
			bool is_int;
			if (!tm_k8s_int_or_str(c, tp, FIELD("targetPort"), &iv, &sv, &is_int)) {
				/* said */
			} else if (is_int) {
				if (iv < 1 || iv > 65535)
					tm_k8s_error(c, tp, FIELD("targetPort"), "must be between 1 and 65535");
				else
					sp->target_port = (uint32_t)iv;
			} else {
				/* a name, as the API validates it ("8080" quoted is no name) */
				tm_buf why;
				tm_buf_init(&why, 0);
				if (!tm_valid_port_name(sv, &why))
					tm_k8s_error(c, tp, FIELD("targetPort"), "%s", tm_buf_str(&why));
				else
					sp->target_name = sv;
				tm_buf_release(&why);
			}
		}
#undef FIELD
		if (c->nerrors == e1)
			s->nports++;
	}
	const tm_node *ext = tm_k8s_seq(c, spec, "externalIPs", "spec.externalIPs");
	if (c->failed)
		return;
	if (ext && ext->n) {
		s->external_ips = tm_arena_alloc(&m->arena, ext->n * sizeof(char *));
		for (size_t i = 0; i < ext->n; i++)
			if (ext->items[i]->kind == TM_NODE_SCALAR)
				s->external_ips[s->nexternal_ips++] = ext->items[i]->str;
	}
	const tm_node *cips = tm_k8s_seq(c, spec, "clusterIPs", "spec.clusterIPs");
	if (c->failed)
		return;
	if (cips && cips->n) {
		s->cluster_ips = tm_arena_alloc(&m->arena, cips->n * sizeof(char *));
		for (size_t i = 0; i < cips->n; i++)
			if (cips->items[i]->kind == TM_NODE_SCALAR)
				s->cluster_ips[s->ncluster_ips++] = cips->items[i]->str;
	}
	/* status.loadBalancer.ingress[].ip: the addresses a LoadBalancer got */
	const tm_node *st = tm_node_get(c->obj, "status");
	const tm_node *lb = st && st->kind == TM_NODE_MAP ? tm_node_get(st, "loadBalancer") : NULL;
	const tm_node *ing = lb && lb->kind == TM_NODE_MAP ? tm_node_get(lb, "ingress") : NULL;
	if (ing && ing->kind == TM_NODE_SEQ && ing->n) {
		s->lb_ips = tm_arena_alloc(&m->arena, ing->n * sizeof(char *));
		for (size_t i = 0; i < ing->n; i++) {
			const tm_node *ip = ing->items[i]->kind == TM_NODE_MAP ? tm_node_get(ing->items[i], "ip") : NULL;
			if (ip && ip->kind == TM_NODE_SCALAR)
				s->lb_ips[s->nlb_ips++] = ip->str;
		}
	}
	/* duplicates (the later replaces the earlier) are settled in
	 * tm_load_finish, in one sort rather than a scan per object */
	TM_ARENA_GROW(&m->arena, m->services, m->nservices, m->cap_svc);
	m->services[m->nservices++] = s;
}

static void add_exposure(tm_k8s_ctx *c, const tm_node *at, const char *svc, uint32_t port,
			 const char *port_name, const char *host)
{
	tm_model *m = c->m;
	tm_exposure *e = tm_arena_alloc(&m->arena, sizeof *e);
	e->kind = tm_intern(&m->strs, c->kind);
	e->ns = c->ns;
	e->name = c->name;
	e->service = svc;
	e->port = port;
	e->port_name = port_name;
	e->host = host;
	e->loc = at ? at->loc : c->obj->loc;
	e->obj_seq = m->objects_read;
	e->seq = m->nexposures;
	e->obj_loc = c->obj->loc;
	TM_ARENA_GROW(&m->arena, m->exposures, m->nexposures, m->cap_exp);
	m->exposures[m->nexposures++] = e;
}

/* backend.service {name, port {number | name}} */
static void ingress_backend(tm_k8s_ctx *c, const tm_node *backend, const char *host)
{
	const tm_node *svc = tm_node_get(backend, "service");
	if (!svc) {
		/* networking.k8s.io/v1beta1 style: serviceName/servicePort */
		const char *name = NULL;
		tm_k8s_str(c, backend, "serviceName", "backend.serviceName", &name);
		if (name) {
			const tm_node *sp = tm_node_get(backend, "servicePort");
			long long iv = 0;
			const char *sv = NULL;
			bool is_int = false;
			if (sp && !tm_k8s_int_or_str(c, sp, "backend.servicePort", &iv, &sv, &is_int))
				return;
			add_exposure(c, backend, name, is_int ? (uint32_t)iv : 0, sv, host);
		}
		return;
	}
	const char *name = NULL, *pname = NULL;
	long long num = 0;
	bool has = false;
	const tm_node *port = tm_node_get(svc, "port");
	unsigned e0 = c->nerrors;
	tm_k8s_str(c, svc, "name", "backend.service.name", &name);
	tm_k8s_int(c, port, "number", "backend.service.port.number", &num, &has);
	tm_k8s_str(c, port, "name", "backend.service.port.name", &pname);
	if (c->nerrors != e0)
		return;
	if (name)
		add_exposure(c, svc, name, has ? (uint32_t)num : 0, pname, host);
}

/* an object found invalid exposes nothing (under --skip-invalid) */
static void exposures_settle(tm_k8s_ctx *c, size_t before)
{
	if (c->failed)
		c->m->nexposures = before;
}

void tm_k8s_ingress(tm_k8s_ctx *c)
{
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	size_t before = c->m->nexposures;
	const tm_node *def = tm_node_get(spec, "defaultBackend");
	if (!def)
		def = tm_node_get(spec, "backend");
	if (def)
		ingress_backend(c, def, NULL);
	const tm_node *rules = tm_k8s_seq(c, spec, "rules", "spec.rules");
	for (size_t i = 0; rules && i < rules->n; i++) {
		const char *host = NULL;
		tm_k8s_str(c, rules->items[i], "host", "spec.rules.host", &host);
		const tm_node *paths = tm_k8s_seq(c, tm_node_get(rules->items[i], "http"), "paths", "spec.rules.http.paths");
		for (size_t j = 0; paths && j < paths->n; j++)
			ingress_backend(c, tm_node_get(paths->items[j], "backend"), host);
	}
	exposures_settle(c, before);
}

void tm_k8s_route(tm_k8s_ctx *c)
{
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	size_t before = c->m->nexposures;
	const char *host = NULL;
	tm_k8s_str(c, spec, "host", "spec.host", &host);
	uint32_t port = 0;
	const char *pname = NULL;
	const tm_node *tp = tm_node_get(tm_node_get(spec, "port"), "targetPort");
	if (!tm_node_is_null(tp)) {
		long long iv = 0;
		bool is_int;
		if (tm_k8s_int_or_str(c, tp, "spec.port.targetPort", &iv, &pname, &is_int) && is_int)
			port = (uint32_t)iv;
	}
	const tm_node *to = tm_node_get(spec, "to");
	const char *name = NULL;
	tm_k8s_str(c, to, "name", "spec.to.name", &name);
	if (name)
		add_exposure(c, to, name, port, pname, host);
	const tm_node *alt = tm_k8s_seq(c, spec, "alternateBackends", "spec.alternateBackends");
	for (size_t i = 0; alt && i < alt->n; i++) {
		const char *an = NULL;
		tm_k8s_str(c, alt->items[i], "name", "spec.alternateBackends.name", &an);
		if (an)
			add_exposure(c, alt->items[i], an, port, pname, host);
	}
	exposures_settle(c, before);
}

void tm_k8s_httproute(tm_k8s_ctx *c)
{
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	size_t before = c->m->nexposures;
	const char *host = NULL;
	const tm_node *hosts = tm_node_get(spec, "hostnames");
	if (hosts && hosts->kind == TM_NODE_SEQ && hosts->n && hosts->items[0]->kind == TM_NODE_SCALAR)
		host = hosts->items[0]->str;
	const tm_node *rules = tm_k8s_seq(c, spec, "rules", "spec.rules");
	for (size_t i = 0; rules && i < rules->n; i++) {
		const tm_node *refs = tm_k8s_seq(c, rules->items[i], "backendRefs", "spec.rules.backendRefs");
		for (size_t j = 0; refs && j < refs->n; j++) {
			const char *kind = NULL, *name = NULL, *ns = NULL;
			long long port = 0;
			bool has = false;
			unsigned e0 = c->nerrors;
			tm_k8s_str(c, refs->items[j], "kind", "backendRefs.kind", &kind);
			tm_k8s_str(c, refs->items[j], "name", "backendRefs.name", &name);
			tm_k8s_str(c, refs->items[j], "namespace", "backendRefs.namespace", &ns);
			tm_k8s_int(c, refs->items[j], "port", "backendRefs.port", &port, &has);
			if (c->nerrors != e0)
				continue;
			if (kind && strcmp(kind, "Service"))
				continue;
			if (ns && strcmp(ns, c->ns)) {
				tm_k8s_warn(c, refs->items[j], "backendRefs to namespace %s are not followed", ns);
				continue;
			}
			if (name)
				add_exposure(c, refs->items[j], name, has ? (uint32_t)port : 0, NULL, host);
		}
	}
	exposures_settle(c, before);
}
