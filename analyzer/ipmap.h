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

typedef struct tm_ipmap_addr {
	tm_ip ip;
	uint32_t ep;
} tm_ipmap_addr;

typedef struct tm_ipmap_range {
	tm_iprange r;
	uint32_t ep;
} tm_ipmap_range;

typedef struct tm_ipmap {
	tm_ipmap_addr *addrs;          /* sorted by (ip, ep) */
	size_t naddrs;
	tm_ipmap_range *ranges[2];     /* per side, sorted by (lo, ep) */
	size_t nranges[2];
	bool overlap[2];               /* ranges of a side overlap: looked up in full */
} tm_ipmap;

/* TM_OK or TM_ERR_NOMEM (then im is empty). */
tm_err tm_ipmap_build(tm_ipmap *im, const tm_graph *g);
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
