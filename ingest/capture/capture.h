/* capture.h - the capture reader's state, private to ingest/capture/: its
 * limits and counters, the active-flow table with each flow's TCP state,
 * the per-flow detection state (TCP reassembly, TLS parser) and the
 * certificate cache. What a reader produces is model (model/flow.h): the
 * records, strings and diagnostics in a tm_flowset; none of this is in it.
 * Types only: the functions are in pcap.h, flowtab.h, tcpstream.h,
 * detect.h and tls.h, one header per file. */
#ifndef TM_CAPTURE_H
#define TM_CAPTURE_H

#include "model/flow.h"

/* ---- limits and options (docs/flows.md, docs/limits.md) ----------------- */
typedef struct tm_pcap_opts {
	size_t max_active;      /* flows tracked at once (hash table cap); default 1,048,576 */
	size_t max_flows;       /* flow records kept in total; default 16,777,216 */
	uint32_t idle_timeout;  /* seconds of capture time before a flow is closed; default 300 */
	size_t max_stream;      /* buffered bytes per direction for detection; default 65,536 */
	size_t max_ooo;         /* out-of-order segments held per direction; default 8 */
	size_t max_tls_record;  /* TLS record length accepted; default 18,432 (2^14 + 2048) */
	size_t max_handshake;   /* TLS handshake message length; default 131,072 */
	size_t max_chain;       /* certificates per Certificate message; default 16 */
	size_t max_plain_scan;  /* plaintext bytes watched for a STARTTLS upgrade; default 16,384 */
	size_t max_snaplen;     /* larger record lengths are corrupt; default 262,144 */
} tm_pcap_opts;

void tm_pcap_opts_default(tm_pcap_opts *o);

/* ---- counters: every packet or byte range skipped is counted ----------- */
#define TM_PCAP_STATS(X)                                                              \
	X(packets, "packets read")                                                   \
	X(bytes, "bytes on the wire (original lengths)")                             \
	X(flows, "flows (connections)")                                              \
	X(tcp_flows, "TCP flows")                                                    \
	X(udp_flows, "UDP flows")                                                    \
	X(tls_flows, "flows with TLS")                                               \
	X(files_truncated, "capture files truncated or corrupt (rest of file skipped)") \
	X(snaplen_cut, "packets cut by snaplen (caplen < len)")                      \
	X(bad_caplen, "records with absurd lengths (dropped)")                       \
	X(unsupported_linktype, "packets of unsupported link types")                 \
	X(link_truncated, "packets too short for their link header")                 \
	X(non_ip, "non-IP packets (ARP, LLDP, ...)")                                 \
	X(pppoe_non_ip, "PPPoE packets not carrying IP")                             \
	X(vlan_too_deep, "packets with more than 8 VLAN tags")                       \
	X(ipv4_malformed, "malformed IPv4 headers")                                  \
	X(ipv6_malformed, "malformed IPv6 headers or extension chains")              \
	X(ip_fragments, "IP fragments (counted, not reassembled)")                   \
	X(other_ip_proto, "IP packets neither TCP nor UDP (ICMP, ...)")              \
	X(tcp_malformed, "malformed or truncated TCP headers")                       \
	X(udp_malformed, "malformed or truncated UDP headers")                       \
	X(payload_truncated, "TCP payloads cut short: snaplen or IP fragments (stream detection stopped)") \
	X(tcp_retransmissions, "TCP segments already seen (dropped)")                \
	X(tcp_out_of_order, "TCP segments held out of order")                        \
	X(tcp_gaps, "TCP streams with a gap (detection stopped)")                    \
	X(stream_limit, "TCP streams over the buffer limit (detection stopped)")     \
	X(tls_malformed, "malformed TLS records or handshake messages")              \
	X(tls_record_too_long, "TLS records longer than the limit")                  \
	X(tls_handshake_too_long, "TLS handshake messages longer than the limit")    \
	X(cert_errors, "certificates OpenSSL could not parse")                       \
	X(cert_chain_too_long, "certificate chains over the limit")                  \
	X(flows_idle_closed, "flows closed after the idle timeout")                  \
	X(flow_table_full, "packets dropped because the flow table was full")        \
	X(flow_records_full, "packets dropped because the flow record limit was reached")

typedef struct tm_pcap_stats {
#define TM_PCAP_STAT_FIELD(name, descr) uint64_t name;
	TM_PCAP_STATS(TM_PCAP_STAT_FIELD)
#undef TM_PCAP_STAT_FIELD
} tm_pcap_stats;

/* TCP state of a flow (tm_flowslot.flags) */
enum {
	TM_FF_SYN = 1,       /* client SYN seen */
	TM_FF_FIN_C = 2,     /* FIN from client */
	TM_FF_FIN_S = 4,     /* FIN from server */
	TM_FF_RST = 8,
	TM_FF_DONE = 16,     /* detection finished */
};

/* ---- one direction of a TCP stream (tcpstream.c) ---------------------- */
typedef struct tm_tcpseg {
	uint32_t seq, len;
	uint8_t *data;
} tm_tcpseg;

typedef struct tm_tcpdir {
	uint32_t next_seq;
	bool have_seq;
	bool dead;           /* gap, limit or snaplen cut: no more payload */
	uint8_t *buf;        /* unconsumed in-order bytes */
	size_t len, cap;
	size_t delivered;    /* bytes delivered so far */
	tm_tcpseg *ooo;      /* held out-of-order segments */
	size_t nooo;
} tm_tcpdir;

typedef struct tm_tls_parser tm_tls_parser;

/* ---- per-flow detection state (heap; freed when detection is done) ---- */
typedef struct tm_fstate {
	tm_tcpdir dir[2];        /* 0 = client to server, 1 = server to client */
	tm_tls_parser *tls;      /* set once TLS is seen */
	uint8_t proto_guess;     /* tm_app from plaintext content */
	bool plain_done[2];      /* direction gave its first payload */
	size_t plain_seen[2];    /* plaintext bytes watched */
	bool starttls_possible;
	bool proxy_done;         /* a PROXY protocol header was skipped (client side) */
} tm_fstate;

typedef struct tm_flowtab tm_flowtab;

/* The decoded 5-tuple of one packet, in packet direction. */
typedef struct tm_pkt {
	uint8_t family, proto;
	tm_ip src, dst;         /* the model's addresses (IPv4 as ::ffff:a.b.c.d) */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq;
	const uint8_t *payload;
	size_t paylen;          /* payload bytes available */
	bool payload_cut;       /* snaplen or fragment cut the payload */
	size_t wire_len;
	int64_t ts_us;
} tm_pkt;

/* ---- the active-flow table (flowtab.c, flowtab.h): one slot per active
 * flow, holding what only reading needs; the record is in the flow set --- */
typedef struct tm_flowslot {
	uint32_t hash;      /* 0 = empty */
	uint32_t idx;       /* into the flow set's records */
	tm_fstate *st;      /* detection state, NULL before the first payload and after it settled */
	uint32_t isn[2];    /* SYN sequence numbers per direction */
	uint8_t flags;      /* TM_FF_* */
	uint8_t isn_have;   /* bit d set when isn[d] is known */
} tm_flowslot;

struct tm_flowtab {
	tm_flowslot *s;
	size_t nslots;      /* power of two */
	size_t count;
	size_t max_active;
	int64_t next_expire_us;
	size_t last_slot;   /* the slot of the previous packet's flow: packets come in bursts */
	uint32_t last_hash; /* 0 = none; cleared whenever slots move */
	size_t cursor;      /* the idle sweep's next slot */
	uint64_t swept;     /* slots the sweeps looked at (tests hold the bound) */
};

typedef struct tm_certcache tm_certcache;

/* Called after every batch of up to 65536 packets. */
typedef void (*tm_pcap_progress_fn)(void *ctx, uint64_t packets, uint64_t flows);

/* One capture reader: the records go to fs (not owned); the rest is its own. */
typedef struct tm_capture {
	tm_flowset *fs;
	tm_pcap_opts opts;
	tm_pcap_stats stats;  /* copied to fs's counters after each file and at the end */
	tm_flowtab *tab;      /* active flows */
	tm_certcache *certs;  /* parsed certificates by DER bytes */
	int64_t now_us;       /* latest packet time seen */
	uint32_t source;      /* fs->sources index of the file being read */
	uint64_t file_packet; /* number of the packet being read in that file (1-based, tshark's
			       * frame.number): where each new record starts (tm_flow_pos_of) */
	tm_pcap_progress_fn progress;
	void *progress_ctx;
	bool finished;
} tm_capture;

#endif
