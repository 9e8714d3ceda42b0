/* mesh_route.h - internal to analyzer/mesh*.c: Istio routing for the mesh
 * posture (mesh_route.c). Which DestinationRule subsets a client's traffic
 * to a Service port is routed to by the mesh-bound VirtualServices, and the
 * ServiceEntry that names an IP range. docs/semantics.md "Mesh mTLS
 * posture" states the rules. */
#ifndef TM_MESH_ROUTE_H
#define TM_MESH_ROUTE_H

#include "model/mesh.h"

/* Where the VirtualServices route one Service port. routed[] (caller's,
 * nsubsets + 1 entries, zeroed by tm_mesh_vs_pick): [0] the Service without
 * a subset (the rule's top-level policy), [1 + j] the rule's subset j. */
typedef struct tm_vs_pick {
	bool applies;           /* a mesh-bound VirtualService visible to the client names the host */
	bool no_route;          /* it applies, but none of its routes covers the Service port */
	const char *answered;   /* a redirect or directResponse route takes all of this client's traffic
				 * before any route with destinations ("VirtualService ns/name spec.http[0]
				 * (redirect)"): nothing goes to the Service's endpoints; NULL: not so */
	unsigned char *routed;
	size_t nrouted;
	const char *undefined;  /* the first routed subset the rule does not define (NULL: none) */
	const char *other;      /* the first destination that is another host or port, "host:port" */
	const char *delegate;   /* the first VirtualService whose route delegates ("ns/name") */
} tm_vs_pick;

/* Fill pick for a client in client_ns with pod labels client_labels (NULL:
 * the client is no pod, which no sourceLabels selects) calling Service
 * ns/name on svcport, whose DestinationRule (visible to that client) is d
 * (may be NULL); routed must hold (d ? d->nsubsets : 0) + 1 entries. The
 * routes are taken as pilot builds them for that client's sidecar
 * (mesh_route.c). names gets the VirtualServices that apply
 * ("VirtualService ns/a, VirtualService ns/b"), each followed by the routes
 * this client takes when its matches leave some out ("(this client takes
 * spec.http[1]; spec.http[0] is for other sources)"); strings allocated in
 * arena. */
void tm_mesh_vs_pick(const tm_meshobjs *ms, tm_arena *arena, const char *client_ns, const tm_labels *client_labels,
		     const char *svc_ns, const char *svc_name, uint32_t svcport, const tm_destrule *d, unsigned char *routed,
		     tm_vs_pick *pick, tm_buf *names);

/* The Service of m whose cluster name (<name>.<ns>.svc.cluster.local) is
 * host as written in a ServiceEntry of namespace se_ns (a short host is
 * <host>.<se_ns>.svc.cluster.local; wildcards name no Service); NULL when
 * none. Such a host is the Service's: pilot puts a Kubernetes Service before
 * a ServiceEntry of the same host in a sidecar's registry (docs/semantics.md). */
const struct tm_service *tm_mesh_se_host_service(const struct tm_model *m, const char *host, const char *se_ns);

/* The first host of se that no Service of m takes (as written), or NULL
 * when the Services take them all. */
const char *tm_mesh_se_host(const struct tm_model *m, const tm_serviceentry *se);

/* The ServiceEntry visible to client_ns whose addresses contain r, whose
 * ports (when it lists any) include port and that has a host no Service of
 * m takes (*host: the first such, as written); NULL when none. Several: the
 * first by namespace/name. */
const tm_serviceentry *tm_mesh_se_for_range(const tm_meshobjs *ms, const struct tm_model *m, const char *client_ns,
					    tm_iprange r, uint32_t port, const char **host);

/* Is host, as written in an object of namespace ns, the name fqdn? Short
 * names (no dot) are <host>.<ns>.svc.cluster.local; "*" and "*.suffix"
 * match by suffix. */
bool tm_mesh_host_match(const char *host, const char *ns, const char *fqdn);
/* Does a host of some VirtualService of ms match Service ns/name (whether or
 * not the VirtualService is mesh-bound or visible)? When not,
 * tm_mesh_vs_pick finds none for any client, as with ms NULL: the posture
 * asks once per Service instead of once per port decision. */
bool tm_mesh_vs_may_name(const tm_meshobjs *ms, const char *svc_ns, const char *svc_name);

#endif
