/* sets.h - label sets, selectors, port sets and IP range sets.
 *
 * tm_labels: a sorted array of interned key/value pairs.
 * tm_ports:  an immutable, hash-consed set of (protocol, port) for TCP, UDP
 *            and SCTP: equal sets are the same pointer, so equality is ==.
 *            Owned by the tm_portpool that made it.
 * tm_ipset:  a set of IP addresses as sorted, disjoint, closed 128-bit
 *            intervals (IPv4 lives in ::ffff:0:0/96, printed dotted). */
#ifndef TM_SETS_H
#define TM_SETS_H

#include "model/base.h"

/* ---- labels and selectors ---- */
typedef struct tm_label {
	const char *key, *val; /* interned */
} tm_label;

typedef struct tm_labels {
	size_t n;
	tm_label *v; /* sorted by key, keys unique */
} tm_labels;

/* Value of key, or NULL. Keys must be interned in the same table as l's,
 * but comparison is by strcmp so any string works. */
const char *tm_labels_get(const tm_labels *l, const char *key);
bool tm_labels_equal(const tm_labels *a, const tm_labels *b);
int tm_labels_cmp(const tm_labels *a, const tm_labels *b);
/* Sort in place and reject duplicate keys (returns false). */
bool tm_labels_sort(tm_labels *l);
/* Copy of l with key=val set (replacing an existing key). */
tm_labels tm_labels_with(tm_arena *a, const tm_labels *l, const char *key, const char *val);

typedef enum { TM_SEL_IN, TM_SEL_NOTIN, TM_SEL_EXISTS, TM_SEL_DOESNOTEXIST } tm_selop;

typedef struct tm_selexpr {
	const char *key;
	tm_selop op;
	size_t nvals;
	const char **vals;
} tm_selexpr;

typedef struct tm_selector {
	tm_labels match;
	size_t nexpr;
	tm_selexpr *expr;
} tm_selector;

/* An empty selector matches every label set. */
bool tm_selector_matches(const tm_selector *s, const tm_labels *l);
bool tm_selector_is_empty(const tm_selector *s);
void tm_selector_format(const tm_selector *s, tm_buf *out);

/* ---- ports ---- */
typedef enum { TM_PROTO_SCTP = 0, TM_PROTO_TCP = 1, TM_PROTO_UDP = 2, TM_NPROTO = 3 } tm_proto;
/* Protocols are indexed in the order NPA prints them (SCTP < TCP < UDP). */
const char *tm_proto_name(tm_proto p);
bool tm_proto_parse(const char *s, tm_proto *out);
/* One port as a user writes it on the command line: "TCP/443", "udp-53",
 * "sctp:9000" (protocol in any case, then '/', '-' or ':') or "8080" (TCP).
 * Ports 1..65535. */
bool tm_port_spec_parse(const char *s, tm_proto *proto, uint32_t *port);

typedef struct tm_prange {
	uint32_t lo, hi; /* closed, 1..65535 */
} tm_prange;

typedef struct tm_ports {
	uint32_t n[TM_NPROTO];
	const tm_prange *r[TM_NPROTO];
	size_t hash;
	uint32_t id; /* dense id within its pool, 0 = empty set */
} tm_ports;

typedef struct tm_portpool tm_portpool;

tm_portpool *tm_portpool_new(void);
void tm_portpool_free(tm_portpool *pp);
const tm_ports *tm_ports_empty(tm_portpool *pp);
const tm_ports *tm_ports_all(tm_portpool *pp);
const tm_ports *tm_ports_by_id(const tm_portpool *pp, uint32_t id);
/* One protocol, ports lo..hi (lo=1, hi=65535 for the whole protocol). */
const tm_ports *tm_ports_range(tm_portpool *pp, tm_proto p, uint32_t lo, uint32_t hi);
const tm_ports *tm_ports_union(tm_portpool *pp, const tm_ports *a, const tm_ports *b);
const tm_ports *tm_ports_inter(tm_portpool *pp, const tm_ports *a, const tm_ports *b);
const tm_ports *tm_ports_minus(tm_portpool *pp, const tm_ports *a, const tm_ports *b);
bool tm_ports_is_empty(const tm_ports *p);
bool tm_ports_is_all(const tm_ports *p);
bool tm_ports_contains(const tm_ports *p, tm_proto proto, uint32_t port);
/* NPA text: "All Connections", "No Connections", or "TCP 80,8080-8081,UDP 53". */
void tm_ports_format(const tm_ports *p, tm_buf *out);

/* ---- IP addresses and range sets ---- */
typedef struct tm_ip {
	uint64_t hi, lo;
} tm_ip;

typedef struct tm_iprange {
	tm_ip lo, hi; /* closed */
} tm_iprange;

typedef struct tm_ipset {
	size_t n;
	tm_iprange *r; /* sorted, disjoint, non-adjacent; heap-owned by the set */
} tm_ipset;

int tm_ip_cmp(tm_ip a, tm_ip b);
bool tm_ip_is_v4(tm_ip a);
/* Parse "1.2.3.4" or an IPv6 address. */
bool tm_ip_parse(const char *s, tm_ip *out);
/* Parse a CIDR "a.b.c.d/n" or "v6/n" into its range. Host bits set are
 * accepted (as the API server does) and masked off. */
bool tm_cidr_parse(const char *s, tm_iprange *out, bool *is_v4);
void tm_ip_format(tm_ip a, tm_buf *out);
/* "first-last" for NPA. */
void tm_iprange_format(const tm_iprange *r, tm_buf *out);
tm_iprange tm_iprange_v4_all(void);
tm_iprange tm_iprange_v6_all(void);
tm_ip tm_ip_next(tm_ip a);
tm_ip tm_ip_prev(tm_ip a);

void tm_ipset_init(tm_ipset *s);
void tm_ipset_release(tm_ipset *s);
void tm_ipset_add(tm_ipset *s, tm_iprange r);
/* Add a CIDR block: an IPv6 block never holds IPv4 addresses, which live in
 * ::ffff:0:0/96 of the same space, so that part is left out of it. */
void tm_ipset_add_block(tm_ipset *s, tm_iprange r, bool is_v4);
void tm_ipset_subtract(tm_ipset *s, tm_iprange r);
bool tm_ipset_contains_range(const tm_ipset *s, tm_iprange r);
bool tm_ipset_contains_ip(const tm_ipset *s, tm_ip a);

#endif
