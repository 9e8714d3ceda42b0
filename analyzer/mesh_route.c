/* mesh_route.c - Istio routing for the mesh posture (mesh_route.h): the
 * DestinationRule subsets the mesh-bound VirtualServices route a Service
 * port to, and the ServiceEntry of an IP range. Routing as pilot builds a
 * sidecar's routes (pilot/pkg/networking/core/route, BuildHTTPRoutesFor-
 * VirtualService; core/listener's TCP and TLS filter chains): a
 * VirtualService applies to sidecars when its gateways are absent or name
 * "mesh"; its routes are taken in order, and of each route's matches pilot
 * settles for the client's own sidecar those of port, sourceLabels and
 * sourceNamespace, while uri, headers, SNI and the like are left to the
 * request. A route no match of which is for this client takes nothing; a
 * route without matches, or with a match for this client that has no
 * condition of the request, takes all the rest (pilot stops there: later
 * routes are never built); the routes between take some. A route with one
 * destination takes all its traffic, with several a destination of weight
 * 0 (or none given) takes none. A redirect or directResponse route has no
 * upstream: the client's sidecar answers what it takes, and when it takes
 * all the rest before any route with destinations, nothing of this
 * client's goes to the Service's endpoints (pick->answered). */
#include "analyzer/mesh_route.h"
#include "model/model.h"

#include <stdio.h>
#include <string.h>

bool tm_mesh_host_match(const char *host, const char *ns, const char *fqdn)
{
	if (!strcmp(host, "*"))
		return true;
	if (host[0] == '*') {
		size_t hl = strlen(host + 1), fl = strlen(fqdn);
		return hl <= fl && !strcmp(fqdn + fl - hl, host + 1);
	}
	if (strchr(host, '.'))
		return !strcmp(host, fqdn);
	size_t hl = strlen(host), nl = strlen(ns);
	return !strncmp(fqdn, host, hl) && fqdn[hl] == '.' && !strncmp(fqdn + hl + 1, ns, nl) &&
	       !strcmp(fqdn + hl + 1 + nl, ".svc.cluster.local");
}

bool tm_mesh_vs_may_name(const tm_meshobjs *ms, const char *svc_ns, const char *svc_name)
{
	char fqdn[600];
	snprintf(fqdn, sizeof fqdn, "%s.%s.svc.cluster.local", svc_name, svc_ns);
	for (size_t i = 0; ms && i < ms->nvss; i++)
		for (size_t h = 0; h < ms->vss[i]->hosts.n; h++)
			if (tm_mesh_host_match(ms->vss[i]->hosts.v[h], ms->vss[i]->ns, fqdn))
				return true;
	return false;
}

static bool visible(const char *const *ex, size_t nex, const char *obj_ns, const char *client_ns)
{
	if (!ex)
		return true;
	for (size_t i = 0; i < nex; i++)
		if (!strcmp(ex[i], "*") || !strcmp(ex[i], client_ns) || (!strcmp(ex[i], ".") && !strcmp(obj_ns, client_ns)))
			return true;
	return false;
}

/* Is match m of route r for this client? pilot's sourceMatchHTTP reads an
 * HTTP match that lists gateways by its gateways alone (sourceLabels and
 * sourceNamespace unread: "mesh" is among them, or it was not kept);
 * matchTCP and matchTLS read them all. A client that is no pod has no
 * labels (labels NULL). */
static bool match_source(const tm_vs_route *r, const tm_vs_match *m, const char *client_ns, const tm_labels *labels)
{
	if (r->kind == TM_VSR_HTTP && m->gateways)
		return true;
	for (size_t i = 0; i < m->src_labels.n; i++) {
		const char *v = labels ? tm_labels_get(labels, m->src_labels.v[i].key) : NULL;
		if (!v || strcmp(v, m->src_labels.v[i].val))
			return false;
	}
	return !m->src_ns || (client_ns && !strcmp(m->src_ns, client_ns));
}

typedef enum { TAKE_NONE, TAKE_SOME, TAKE_ALL } vs_take;

/* How much of this client's traffic to svcport route r takes. *other: none,
 * because every match on the port is for other sources. *cond: some, by
 * the request or connection condition named (the first match's). TLS routes never
 * take all: pilot gives each match a filter chain keyed by its SNI hosts
 * (required by the API), and Envoy picks the most specific chain, not the
 * first. A delegate's own routes decide (not followed). */
static vs_take route_take(const tm_vs_route *r, const char *client_ns, const tm_labels *labels, uint32_t svcport,
			  bool *other, const char **cond)
{
	*other = false;
	*cond = NULL;
	bool all_ok = r->kind != TM_VSR_TLS && !r->delegate;
	if (!r->has_match)
		return all_ok ? TAKE_ALL : TAKE_SOME;
	vs_take t = TAKE_NONE;
	for (size_t i = 0; i < r->nmatches; i++) {
		const tm_vs_match *m = &r->matches[i];
		if (m->port && m->port != svcport)
			continue;
		if (!match_source(r, m, client_ns, labels)) {
			*other = true;
			continue;
		}
		if (!m->unsettled && all_ok) {
			*cond = NULL;
			return TAKE_ALL;
		}
		if (!*cond)
			*cond = m->unsettled;
		t = TAKE_SOME;
	}
	if (t != TAKE_NONE)
		*other = false;
	return t;
}

static const char *const route_keys[] = {[TM_VSR_HTTP] = "http", [TM_VSR_TCP] = "tcp", [TM_VSR_TLS] = "tls"};

static void route_name(tm_buf *b, const tm_vs_route *r, const char *cond)
{
	(void)tm_buf_addf(b, "%sspec.%s[%zu]", b->len ? ", " : "", route_keys[r->kind], r->index);
	if (cond) /* "headers", "sniHosts", ... are plural */
		(void)tm_buf_addf(b, " where its %s match%s", cond, cond[strlen(cond) - 1] == 's' ? "" : "es");
}

void tm_mesh_vs_pick(const tm_meshobjs *ms, tm_arena *arena, const char *client_ns, const tm_labels *client_labels,
		     const char *svc_ns, const char *svc_name, uint32_t svcport, const tm_destrule *d, unsigned char *routed,
		     tm_vs_pick *pick, tm_buf *names)
{
	size_t nsub = d ? d->nsubsets : 0;
	memset(pick, 0, sizeof *pick);
	memset(routed, 0, nsub + 1);
	pick->routed = routed;
	pick->nrouted = nsub + 1;
	if (!ms)
		return;
	char fqdn[600];
	snprintf(fqdn, sizeof fqdn, "%s.%s.svc.cluster.local", svc_name, svc_ns);
	bool covered = false;
	tm_buf taken, other_src, after;
	bool some = false; /* a route takes what a condition of the request selects */
	tm_buf_init(&taken, 16 * 1024);
	tm_buf_init(&other_src, 16 * 1024);
	tm_buf_init(&after, 16 * 1024);
	for (size_t i = 0; i < ms->nvss; i++) {
		const tm_virtualsvc *vs = ms->vss[i];
		if (!vs->mesh || !visible(vs->export_to, vs->nexport, vs->ns, client_ns))
			continue;
		bool names_host = false;
		for (size_t h = 0; h < vs->hosts.n && !names_host; h++)
			names_host = tm_mesh_host_match(vs->hosts.v[h], vs->ns, fqdn);
		if (!names_host)
			continue;
		pick->applies = true;
		tm_buf_reset(&taken);
		tm_buf_reset(&other_src);
		tm_buf_reset(&after);
		bool caught = false;
		some = false;
		for (size_t k = 0; k < vs->nroutes; k++) {
			const tm_vs_route *r = &vs->routes[k];
			bool other;
			const char *cond;
			vs_take t = route_take(r, client_ns, client_labels, svcport, &other, &cond);
			if (caught) {
				if (t != TAKE_NONE || other)
					route_name(&after, r, NULL); /* unreachable for this client */
				continue;
			}
			if (t == TAKE_NONE) {
				if (other)
					route_name(&other_src, r, NULL);
				continue; /* another port, other sources, or gateways only */
			}
			caught = t == TAKE_ALL;
			some |= cond != NULL;
			route_name(&taken, r, cond);
			if (caught && r->answer && !covered && !pick->answered)
				/* all the rest, and nothing went upstream before */
				pick->answered = tm_arena_printf(arena, "VirtualService %s/%s spec.%s[%zu] (%s)", vs->ns, vs->name,
								 route_keys[r->kind], r->index, r->answer);
			if (!r->ndests && !r->delegate)
				continue; /* no upstream (redirect, directResponse) */
			covered = true;
			if (r->delegate && !pick->delegate)
				pick->delegate = tm_arena_printf(arena, "%s/%s", vs->ns, vs->name);
			size_t nroute = 0;
			for (size_t j = 0; j < r->ndests; j++)
				nroute += !r->dests[j].mirror;
			for (size_t j = 0; j < r->ndests; j++) {
				const tm_vs_dest *dst = &r->dests[j];
				if (!dst->mirror && nroute > 1 && dst->weight <= 0)
					continue; /* weight 0 (or none among several): no traffic */
				if (!tm_mesh_host_match(dst->host, vs->ns, fqdn) || (dst->port && dst->port != svcport)) {
					if (!pick->other)
						pick->other = dst->port ? tm_arena_printf(arena, "%s:%u", dst->host, dst->port)
									: dst->host;
					continue;
				}
				if (!dst->subset) {
					routed[0] = 1;
					continue;
				}
				size_t s = 0;
				while (s < nsub && strcmp(d->subsets[s].name, dst->subset))
					s++;
				if (s < nsub)
					routed[1 + s] = 1;
				else if (!pick->undefined)
					pick->undefined = dst->subset;
			}
		}
		(void)tm_buf_addf(names, "%sVirtualService %s/%s", names->len ? ", " : "", vs->ns, vs->name);
		/* which routes take this client's traffic, when not simply all of one */
		if (other_src.len || after.len || some) {
			(void)tm_buf_addf(names, " (this client takes %s", taken.len ? tm_buf_str(&taken) : "no route");
			if (other_src.len)
				(void)tm_buf_addf(names, "; %s %s for other sources", tm_buf_str(&other_src),
						  strchr(tm_buf_str(&other_src), ',') ? "are" : "is");
			if (after.len)
				(void)tm_buf_addf(names, "; %s %s after a catch-all", tm_buf_str(&after),
						  strchr(tm_buf_str(&after), ',') ? "come" : "comes");
			(void)tm_buf_adds(names, ")");
		}
	}
	tm_buf_release(&taken);
	tm_buf_release(&other_src);
	tm_buf_release(&after);
	pick->no_route = pick->applies && !covered && !pick->answered;
	if (covered)
		pick->answered = NULL; /* another VirtualService of the host routes upstream */
}

static bool range_in(const tm_iprange *a, tm_iprange r)
{
	return (a->lo.hi < r.lo.hi || (a->lo.hi == r.lo.hi && a->lo.lo <= r.lo.lo)) &&
	       (r.hi.hi < a->hi.hi || (r.hi.hi == a->hi.hi && r.hi.lo <= a->hi.lo));
}

const tm_service *tm_mesh_se_host_service(const tm_model *m, const char *host, const char *se_ns)
{
	if (!host || host[0] == '*')
		return NULL;
	for (size_t i = 0; i < m->nservices; i++) {
		const tm_service *s = m->services[i];
		char fqdn[600];
		snprintf(fqdn, sizeof fqdn, "%s.%s.svc.cluster.local", s->name, s->ns);
		if (tm_mesh_host_match(host, se_ns, fqdn))
			return s;
	}
	return NULL;
}

const char *tm_mesh_se_host(const tm_model *m, const tm_serviceentry *se)
{
	for (size_t i = 0; i < se->hosts.n; i++)
		if (!tm_mesh_se_host_service(m, se->hosts.v[i], se->ns))
			return se->hosts.v[i];
	return NULL;
}

const tm_serviceentry *tm_mesh_se_for_range(const tm_meshobjs *ms, const tm_model *m, const char *client_ns,
					    tm_iprange r, uint32_t port, const char **host)
{
	for (size_t i = 0; ms && i < ms->nses; i++) {
		const tm_serviceentry *se = ms->ses[i];
		if (!visible(se->export_to, se->nexport, se->ns, client_ns))
			continue;
		/* the hosts a Kubernetes Service takes are the Service's */
		if (!(*host = tm_mesh_se_host(m, se)))
			continue;
		bool has_port = !se->nports;
		for (size_t k = 0; k < se->nports && !has_port; k++)
			has_port = se->ports[k].number == port;
		if (!has_port)
			continue;
		for (size_t k = 0; k < se->naddrs; k++)
			if (range_in(&se->addrs[k], r))
				return se;
	}
	return NULL;
}
