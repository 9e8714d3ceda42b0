/* flowlog.h - what the flow-log readers (ingest/hubble/, ingest/zeek/) share:
 * a connection table that folds events into one tm_flow per connection,
 * a connection's fields into a new record, and timestamps (RFC 3339, epoch
 * seconds with a fraction). */
#ifndef TM_FLOWLOG_H
#define TM_FLOWLOG_H

#include "model/flow.h"

/* Open-addressing table of connections: (key, class) -> record index in the
 * flow set. class separates records of one 5-tuple that must stay apart
 * while reading (Hubble: dropped vs. forwarded, until tm_hubble_finish). */
typedef struct tm_conntab_key {
	tm_ip cli, srv;
	uint16_t cport, sport;
	uint8_t proto, cls;
} tm_conntab_key;

typedef struct tm_conntab {
	uint64_t *hash;    /* 0 = empty */
	uint32_t *idx;
	size_t cap, count;
} tm_conntab;

void tm_conntab_init(tm_conntab *t);
void tm_conntab_release(tm_conntab *t);
/* The record of k, or -1. */
long tm_conntab_find(const tm_conntab *t, const tm_flowset *fs, const tm_conntab_key *k);
/* Remember record idx under k; false on OOM. */
bool tm_conntab_put(tm_conntab *t, const tm_flowset *fs, const tm_conntab_key *k, uint32_t idx);
/* The key of record f in class cls. */
void tm_conntab_key_of(const tm_flow *f, uint8_t cls, tm_conntab_key *k);

/* One connection as a flow log states it: the client's and the server's
 * address (each with the family tm_ip_parse_n gave it) and port, the IP
 * protocol, the log's verdict (TM_VERDICT_NONE when it has none) and the
 * time of its first event. */
typedef struct tm_flowlog_conn {
	tm_ip cli, srv;
	uint8_t cli_family, srv_family;
	uint16_t cli_port, srv_port;
	uint8_t proto, verdict;
	int64_t ts;
} tm_flowlog_conn;

/* c seen from the other end: client and server swapped. */
tm_flowlog_conn tm_flowlog_conn_reversed(const tm_flowlog_conn *c);
/* The table key of c in class cls (as tm_conntab_key_of of its record). */
void tm_flowlog_conn_key(const tm_flowlog_conn *c, uint8_t cls, tm_conntab_key *k);
/* A new record of c in fs, read by origin from source: family 6 when either
 * address is IPv6, else 4; first and last time c->ts; the rest zero. NULL
 * when out of memory. */
tm_flow *tm_flowlog_record(tm_flowset *fs, const tm_flowlog_conn *c, tm_flow_origin origin, uint32_t source);

/* "2024-05-01T12:00:00.123456789Z" (or an offset +HH:MM) -> microseconds
 * since the epoch; false when s is not such a time. */
bool tm_time_rfc3339(const char *s, size_t n, int64_t *us);
/* "1714564800.123456" -> microseconds; false when not a number of seconds. */
bool tm_time_epoch(const char *s, size_t n, int64_t *us);
/* an address "10.0.0.1" or IPv6 of n bytes -> ip and family 4/6 */
bool tm_ip_parse_n(const char *s, size_t n, tm_ip *ip, uint8_t *family);

#endif
