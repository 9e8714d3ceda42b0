/* pcap.h - observed traffic: pcap/pcapng captures -> one record per
 * connection, with the application protocol detected by content and, for
 * TLS, the handshake facts that decide mutual TLS (docs/flows.md).
 *
 * Pipeline: ingest/pcap.c (libpcap loop, link layers, IPv4/IPv6, TCP/UDP,
 * bounds-checked) -> ingest/flowtab.c (open-addressing 5-tuple table, idle
 * eviction, hard cap) -> ingest/tcpstream.c (bounded in-order payload per
 * direction) -> ingest/detect.c (plaintext protocols, STARTTLS) and
 * ingest/tls.c (records, handshake messages) -> ingest/x509.c (OpenSSL).
 *
 * Ownership: a tm_flowset owns every tm_flow and every string and tm_tls
 * reachable from it (its arena) until tm_flowset_free(). The library never
 * prints; per-file problems become diagnostics in fs->diags and counters in
 * fs->stats. */
#ifndef TM_PCAP_H
#define TM_PCAP_H

#include "model/base.h"

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

/* Name, description and value of counter i (0-based); false past the end. */
bool tm_pcap_stat_get(const tm_pcap_stats *s, size_t i, const char **name, const char **descr,
		      uint64_t *value);

/* ---- results ----------------------------------------------------------- */
typedef enum {
	TM_APP_UNKNOWN = 0,
	TM_APP_TLS,
	TM_APP_HTTP,
	TM_APP_HTTP2,
	TM_APP_DNS,
	TM_APP_POSTGRES,
	TM_APP_MYSQL,
	TM_APP_REDIS,
	TM_APP_MONGODB,
	TM_APP_KAFKA,
	TM_APP_AMQP,
	TM_APP_SSH,
	TM_APP_SMTP,
	TM_APP_IMAP,
	TM_APP_POP3,
	TM_APP_XMPP,
	TM_APP_IRC,
	TM_APP_FTP,
	TM_APP__COUNT
} tm_app;

const char *tm_app_name(tm_app a); /* "tls", "http", ... "unknown" */

typedef enum { TM_MESH_NONE = 0, TM_MESH_ISTIO, TM_MESH_LINKERD } tm_mesh;
const char *tm_mesh_name(tm_mesh m); /* NULL, "istio", "linkerd" */

typedef enum { TM_CC_UNKNOWN = 0, TM_CC_YES, TM_CC_NO } tm_client_cert;
const char *tm_client_cert_name(tm_client_cert c); /* "unknown" "yes" "no" */

typedef enum {
	TM_SC_MISSING = 0, /* no Certificate message in the capture */
	TM_SC_PLAIN,       /* parsed (TLS <= 1.2) */
	TM_SC_ENCRYPTED,   /* TLS 1.3: inside the encrypted handshake */
	TM_SC_UNPARSED,    /* seen, but OpenSSL could not parse it */
} tm_server_cert_status;
const char *tm_server_cert_status_name(tm_server_cert_status s);

typedef struct tm_cert {
	const char *subject;   /* RFC 2253, NULL when not known */
	const char *issuer;
	const char **sans;     /* "DNS:x", "URI:spiffe://...", "IP:1.2.3.4", "email:..." */
	size_t nsans;
	const char *not_before; /* "YYYY-MM-DDTHH:MM:SSZ" */
	const char *not_after;
} tm_cert;

typedef struct tm_tls {
	uint16_t version;         /* negotiated: 0x0300..0x0304; 0 = not seen */
	uint16_t offered_version; /* highest in ClientHello (supported_versions) */
	int32_t cipher;           /* negotiated cipher suite, -1 = not seen */
	const char *sni;          /* NULL when absent */
	const char *alpn;         /* negotiated (ServerHello); NULL when not seen */
	const char *alpn_offered; /* ClientHello list, comma-separated */
	bool starttls;            /* upgraded from a plaintext protocol */
	bool cert_requested;      /* CertificateRequest seen (TLS <= 1.2) */
	bool resumed;             /* abbreviated handshake / PSK */
	bool hrr;                 /* HelloRetryRequest */
	tm_server_cert_status server_cert_status;
	tm_cert server_cert;
	tm_client_cert client_cert;
	bool client_cert_inferred; /* TLS 1.3 size heuristic (docs/flows.md) */
	const char *client_identity; /* URI SAN, else DNS SAN, else subject */
	tm_cert client_certificate;  /* when seen in clear */
} tm_tls;

typedef struct tm_http {
	const char *method, *host, *path;
} tm_http;

typedef struct tm_flow {
	uint8_t family;     /* 4 or 6 */
	uint8_t proto;      /* 6 TCP, 17 UDP */
	uint8_t app;        /* tm_app */
	uint8_t mesh;       /* tm_mesh */
	uint8_t flags;      /* internal TCP state (TM_FF_*) */
	uint8_t isn_have;   /* internal: bit d set when isn[d] is known */
	uint8_t cli_ip[16], srv_ip[16]; /* IPv4 in the first 4 bytes */
	uint16_t cli_port, srv_port;
	uint32_t order;                 /* creation sequence (tie-break) */
	uint32_t isn[2];                /* internal: SYN sequence numbers per direction */
	uint64_t packets, bytes;        /* both directions, original lengths */
	int64_t first_us, last_us;      /* capture time, microseconds since the epoch */
	tm_tls *tls;                    /* NULL for non-TLS flows */
	tm_http *http;                  /* first HTTP/1.x request, or NULL */
} tm_flow;

typedef struct tm_flowtab tm_flowtab;

typedef struct tm_flowset {
	tm_arena arena;    /* tm_tls, tm_http, strings */
	tm_strtab strs;
	tm_diags diags;
	tm_pcap_opts opts;
	tm_pcap_stats stats;
	tm_flow *flows;    /* heap; valid after tm_flowset_finish() */
	size_t nflows, capflows;
	tm_flowtab *tab;   /* active flows while reading */
	struct tm_certcache *certs; /* parsed certificates by DER bytes */
	int64_t now_us;    /* latest packet time seen */
	bool finished;
} tm_flowset;

/* opts may be NULL for the defaults. Returns NULL on OOM. */
tm_flowset *tm_flowset_new(const tm_pcap_opts *opts);
void tm_flowset_free(tm_flowset *fs);

/* Read one capture (pcap or pcapng; path "-" = stdin). Returns TM_OK when
 * the file was usable, also when it ended early (warning + counter);
 * TM_ERR_IO when it cannot be opened or is not a capture. */
tm_err tm_flowset_read_file(tm_flowset *fs, const char *path);
/* Same with an open stream, which is closed (libpcap owns it). */
tm_err tm_flowset_read_fp(tm_flowset *fs, FILE *fp, const char *name);
/* Optional progress callback, called after every batch of up to 65536 packets. */
typedef void (*tm_pcap_progress_fn)(void *ctx, uint64_t packets, uint64_t flows);
void tm_flowset_set_progress(tm_flowset *fs, tm_pcap_progress_fn fn, void *ctx);

/* Closes every active flow and sorts by first-seen time, then 5-tuple.
 * Idempotent. */
void tm_flowset_finish(tm_flowset *fs);

/* Decode one link-layer frame (linktype = DLT_/LINKTYPE_ value) into the
 * flow set: the packet path of tm_flowset_read_*, exposed for tests and the
 * fuzz harness. ts_us is the capture time. */
void tm_flowset_packet(tm_flowset *fs, int linktype, int64_t ts_us, const uint8_t *p,
		       size_t caplen, size_t len);

/* "1.0".."1.3", "SSL 3.0", or NULL when v == 0 */
const char *tm_tls_version_name(uint16_t v);
/* "10.0.0.1" / "2001:db8::1" into out (>= 46 bytes) */
void tm_flow_format_ip(const tm_flow *f, bool client, char *out, size_t outlen);

#endif
