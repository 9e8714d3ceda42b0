/* ipmap.h - addresses to the endpoints of a connectivity graph: a pod IP
 * (status.podIP(s)) to its workload's endpoint; any other address to the
 * IP-range endpoint that holds it, on the side asked for (ipBlocks carve
 * source-side and destination-side ranges separately, analyzer/ipatoms.c).
 * At pod granularity each Pod endpoint holds its own addresses.
 * Built once per graph, queried with the model's tm_ip (IPv4 as
 * ::ffff:a.b.c.d); exact addresses are tried before ranges, so that other
 * exact kinds (Service IPs, host IPs) can join the pods' table.
 *
 * Ownership: a tm_ipmap holds heap arrays released by tm_ipmap_release();
 * it keeps no pointer into the graph. */
#ifndef TM_IPMAP_H
#define TM_IPMAP_H

#include "analyzer/conn.h"

typedef enum { TM_IPMAP_DST = 0, TM_IPMAP_SRC = 1 } tm_ipmap_side;

/* How an address reached its endpoint. */
typedef enum {
	TM_VIA_NONE = 0,
	TM_VIA_POD,      /* status.podIP(s) */
	TM_VIA_HOST,     /* a hostNetwork pod's address (the node's, shared with the node) */
	TM_VIA_IPMAP,    /* an --ip-map entry */
	TM_VIA_SERVICE,  /* a Service's clusterIP(s), externalIPs or LoadBalancer ingress IP: its backend */
	TM_VIA_NODEPORT, /* a node's address on a Service's nodePort: its backend */
	TM_VIA_NAME,     /* the flow log named the pod (Hubble's namespace and pod_name) */
	TM_VIA_RANGE,    /* the IP-range endpoint that holds it */
} tm_ipmap_via;
const char *tm_ipmap_via_name(tm_ipmap_via v); /* "pod", "host", "ip-map", "service", "node-port", "name", "range" */

typedef struct tm_ipmap_addr {
	tm_ip ip;
	uint32_t ep;
	uint8_t via;     /* TM_VIA_POD, TM_VIA_HOST or TM_VIA_IPMAP */
} tm_ipmap_addr;

/* a Service address */
typedef struct tm_ipmap_svcaddr {
	tm_ip ip;
	uint32_t svc;    /* index in m->services */
} tm_ipmap_svcaddr;

typedef struct tm_ipmap_range {
	tm_iprange r;
	uint32_t ep;
} tm_ipmap_range;

typedef struct tm_ipmap_name {
	const char *ns, *name, *kind;
	uint32_t ep;
} tm_ipmap_name;

typedef struct tm_ipmap {
	tm_ipmap_addr *addrs;          /* sorted by (ip, ep) */
	size_t naddrs;
	tm_ipmap_range *ranges[2];     /* per side, sorted by (lo, ep) */
	size_t nranges[2];
	bool overlap[2];               /* ranges of a side overlap: looked up in full */
	/* Services (tm_ipmap_build_full): addresses, and each Service's backend
	 * endpoints (svc_eps[svc_start[i] .. svc_start[i + 1]), endpoint order) */
	tm_ipmap_svcaddr *svcaddrs;    /* sorted by (ip, svc) */
	size_t nsvcaddrs;
	size_t *svc_start;
	uint32_t *svc_eps;
	tm_ip *nodes;                  /* node addresses (pods' hostIP, --ip-map nodes), sorted, unique */
	size_t nnodes;
	size_t binds_unresolved;       /* --ip-map entries that name nothing in the model */
	tm_srcloc first_unresolved;
	const char *first_unresolved_name;
	bool any_ips;                  /* pod IPs, Service IPs or --ip-map entries exist */
	tm_ipmap_name *pods, *wls;    /* (ns, name) -> endpoint, sorted: names in flow logs, --ip-map */
	size_t npods, nwls;
} tm_ipmap;

/* A resolved address (tm_ipmap_resolve). */
typedef struct tm_ipmap_hit {
	long ep;                  /* endpoint, -1 when none */
	tm_ipmap_via via;
	long svc;                 /* index in m->services (via SERVICE/NODEPORT), else -1 */
	const uint32_t *backends; /* the Service's backend endpoints; ep is the first */
	size_t nbackends;
} tm_ipmap_hit;

/* TM_OK or TM_ERR_NOMEM (then im is empty). Pod IPs and ranges only. */
tm_err tm_ipmap_build(tm_ipmap *im, const tm_graph *g);
/* The same plus hostNetwork pods' addresses, --ip-map entries (m->ipbinds),
 * Service addresses and node addresses. */
tm_err tm_ipmap_build_full(tm_ipmap *im, const tm_graph *g);
/* ip:port (proto 6/17/132) seen on side: exact addresses (pods, hosts,
 * --ip-map), then, on the destination side, Service addresses and node
 * ports (to the Service's backends), then the side's IP ranges. */
void tm_ipmap_resolve(const tm_ipmap *im, const tm_graph *g, tm_ip ip, uint8_t proto, uint16_t port,
		      tm_ipmap_side side, tm_ipmap_hit *hit);
/* The port that a connection to svc's port (or node port, node_port set)
 * reaches on endpoint ep: targetPort, a named one resolved on ep's container
 * ports; 0 when svc has no such port. */
uint16_t tm_ipmap_target_port(const tm_graph *g, long svc, uint8_t proto, uint16_t port, bool node_port, size_t ep);
/* The workload endpoint of pod ns/name (a Pod object, else the workload of
 * that namespace whose name is the longest prefix "name-" of it), or -1. */
long tm_ipmap_pod_endpoint(const tm_ipmap *im, const char *ns, const char *pod, const char *owner);
/* The endpoint of workload ns/name (of kind, when not NULL), or -1. */
long tm_ipmap_workload_endpoint(const tm_ipmap *im, const char *ns, const char *name, const char *kind);
void tm_ipmap_release(tm_ipmap *im);
/* The endpoint index of ip seen on side, or -1: a pod IP's workload (the
 * lowest endpoint when pods of two workloads share an IP), else the IP-range
 * endpoint of that side holding it (the lowest when ranges overlap). */
long tm_ipmap_lookup(const tm_ipmap *im, tm_ip ip, tm_ipmap_side side);
/* The exact entries for ip (pod IPs; several when pods of several
 * endpoints share it), in endpoint order: their number, *first the first. */
size_t tm_ipmap_exact(const tm_ipmap *im, tm_ip ip, const tm_ipmap_addr **first);
/* The IP-range endpoint of side holding ip (the lowest when ranges
 * overlap), or -1; exact entries are not consulted. */
long tm_ipmap_range_of(const tm_ipmap *im, tm_ip ip, tm_ipmap_side side);

#endif
