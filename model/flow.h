/* flow.h - observed connections: one record per connection with the
 * application protocol, mesh, TLS and HTTP facts (docs/flows.md), and the
 * set of records read from some inputs (tm_flowset).
 *
 * A reader (ingest/capture/ for pcap/pcapng) fills a tm_flowset; analyzers
 * and renderers read it. Nothing here knows how a record was observed: the
 * state a reader needs while reading (TCP reassembly, flow tables, ...) is
 * the reader's own.
 *
 * Ownership: a tm_flowset owns every tm_flow and every string, tm_tls and
 * tm_http reachable from it (its arena) until tm_flowset_free(). */
#ifndef TM_MODEL_FLOW_H
#define TM_MODEL_FLOW_H

#include "model/base.h"
#include "model/sets.h"

/* ---- facts of one connection --------------------------------------------- */
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
	const char *cipher_name;  /* its IANA name; NULL when not seen or not known to the reader */
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

/* "1.0".."1.3", "SSL 3.0", "unknown", or NULL when v == 0 */
const char *tm_tls_version_name(uint16_t v);

typedef struct tm_http {
	const char *method, *host, *path;
} tm_http;

/* ---- where records come from --------------------------------------------- */
typedef enum {
	TM_FLOW_FROM_CAPTURE = 0, /* pcap/pcapng (ingest/capture/) */
	TM_FLOW_FROM_HUBBLE,      /* Cilium Hubble flow export, JSON lines (ingest/hubble/) */
	TM_FLOW_FROM_ZEEK,        /* Zeek conn.log + ssl.log, TSV or JSON lines (ingest/zeek/) */
	TM_FLOW_FROM_SUMMARY,     /* `trustmap flows -f json` read back (ingest/flowjson/) */
} tm_flow_origin;

const char *tm_flow_origin_name(tm_flow_origin o); /* "pcap", "hubble", "zeek", "summary" */

/* What kind of evidence a record observed by o is, for the texts that name it
 * (TM124, require-mtls): a capture, or a flow log (Hubble, Zeek). A mask of
 * these says which kinds a finding rests on. */
enum { TM_EVKIND_CAPTURE = 1, TM_EVKIND_FLOWLOG = 2 };
unsigned tm_flow_evkind(tm_flow_origin o); /* 0 for TM_FLOW_FROM_SUMMARY (observed by no known reader) */
/* "the captures", "the flow logs", "the captures and flow logs"; a mask of 0
 * reads as captures */
const char *tm_evkind_plural(unsigned kinds);
/* "captured", "logged", "captured or logged" (0: "captured") */
const char *tm_evkind_participle(unsigned kinds);

/* What a flow log reported about the flow (Hubble's verdict); captures and
 * Zeek report none. */
typedef enum {
	TM_VERDICT_NONE = 0,
	TM_VERDICT_FORWARDED,
	TM_VERDICT_DROPPED,
	TM_VERDICT_ERROR,
	TM_VERDICT_AUDIT,
	TM_VERDICT_REDIRECTED,
	TM_VERDICT_TRACED,
	TM_VERDICT_TRANSLATED,
	TM_VERDICT_UNKNOWN,     /* VERDICT_UNKNOWN, or a name this version does not know */
} tm_flow_verdict;
/* "FORWARDED", ... as Hubble spells them; NULL for TM_VERDICT_NONE. */
const char *tm_flow_verdict_name(tm_flow_verdict v);
/* How strongly v speaks for a connection, for the one verdict of events or
 * records of it (Hubble's reader, flows --merge): DROPPED, then ERROR (the
 * packet went no further at some point, so the connection did not get
 * through there), then FORWARDED, REDIRECTED, TRANSLATED, AUDIT, TRACED
 * (passed a point), VERDICT_UNKNOWN, none. A value this version does not know
 * ranks as VERDICT_UNKNOWN. */
int tm_flow_verdict_rank(tm_flow_verdict v);

/* tm_flow.flags */
enum {
	TM_FLOW_F_CONTENT_UNSEEN = 1, /* the source saw no payload: plaintext or TLS is unknown */
	TM_FLOW_F_ENCRYPTED = 2,      /* the CNI encrypted it (Hubble IP.encrypted: WireGuard/IPsec) */
	TM_FLOW_F_POLICY_DROP = 4,    /* dropped by policy (POLICY_DENIED, POLICY_DENY, AUTH_REQUIRED) */
	TM_FLOW_F_ATTEMPT = 8,        /* an attempt without an answer (Zeek S0): no connection */
};

/* What a flow log says about one end besides its address (Hubble's
 * endpoint); every field may be NULL. Strings live in the set. */
typedef struct tm_flow_peer {
	const char *ns, *pod;          /* namespace, pod_name */
	const char *workload, *kind;   /* workloads[0] */
	const char *identity;          /* numeric security identity, as text */
	bool world;                    /* label reserved:world */
} tm_flow_peer;

/* Flow-log facts of a record (NULL for captures). */
typedef struct tm_flow_meta {
	tm_flow_peer src, dst;
	const char *drop_reason;       /* drop_reason_desc */
	const char *direction;         /* traffic_direction */
	const char *node;              /* node_name */
	const char *uid;               /* Zeek's connection uid */
	const char *service;           /* Zeek's service field (protocols by DPD) */
	const char *policy;            /* first of *_allowed_by / *_denied_by, "ns/name" */
	uint64_t events;               /* flow-log lines folded into the record */
} tm_flow_meta;

/* What one observation point said of a connection besides its verdict:
 * where it was (node_name, traffic_direction), why it dropped, the policy it
 * names. NULL fields: not said. Strings live in the set. */
typedef struct tm_flow_point {
	const char *node, *direction, *drop_reason, *policy;
} tm_flow_point;

struct tm_flow;
/* One more observation of f (meta m) whose verdict is v, said at point p
 * (events of a connection at several points, records of it merged): when v
 * is stronger than f's verdict (tm_flow_verdict_rank) f takes it, and m takes
 * every field p names, so the record says where the connection ended (the
 * destination's node at ingress, not the source's at egress); the fields m
 * lacks are filled from p either way. true when v was taken. */
bool tm_flow_fold_verdict(struct tm_flow *f, tm_flow_meta *m, tm_flow_verdict v, const tm_flow_point *p);
/* The names r gives that c lacks (the same end seen at another point). */
void tm_flow_peer_fill(tm_flow_peer *c, const tm_flow_peer *r);

/* One input read into the set (tm_flowset.sources). */
typedef struct tm_flow_source {
	tm_flow_origin origin;
	const char *name;   /* the path as given, "-" for standard input; interned */
} tm_flow_source;

/* Index of tm_flow.source for records fed without an input file (tests). */
#define TM_FLOW_NO_SOURCE UINT32_MAX

/* ---- one connection -------------------------------------------------------- */
typedef struct tm_flow {
	tm_ip cli_ip, srv_ip;   /* the model's addresses: IPv4 as ::ffff:a.b.c.d */
	uint64_t packets, bytes; /* both directions, original lengths */
	int64_t first_us, last_us; /* observation time, microseconds since the epoch */
	tm_tls *tls;            /* NULL for non-TLS flows */
	tm_http *http;          /* first HTTP/1.x request, or NULL */
	uint32_t order;         /* creation sequence in the set (the sort's last tie-break) */
	uint32_t source;        /* index in tm_flowset.sources of the input it was first seen in */
	uint32_t meta;          /* flow logs: index in tm_flowset.metas (tm_flow_meta_of); 0 = none
				 * (captures): an index, not a pointer, keeps the record at 104 bytes */
	uint16_t cli_port, srv_port;
	uint8_t family;         /* 4 or 6 as observed: an IPv6 packet carrying an IPv4-mapped
				 * address stays 6 (and prints as IPv6) */
	uint8_t proto;          /* 6 TCP, 17 UDP */
	uint8_t app;            /* tm_app */
	uint8_t mesh;           /* tm_mesh */
	uint8_t origin;         /* tm_flow_origin */
	uint8_t verdict;        /* tm_flow_verdict */
	uint8_t flags;          /* TM_FLOW_F_* */
} tm_flow;

/* "10.0.0.1" / "2001:db8::1" (RFC 5952) into out (>= 46 bytes). */
void tm_flow_format_ip(const tm_flow *f, bool client, char *out, size_t outlen);

/* ---- counters ----------------------------------------------------------------
 * Named counters that readers fill (packets read, malformed headers, ...),
 * listed in the order they were first set. A reader adds its own without a
 * change here. */
typedef struct tm_counter {
	const char *name;   /* "packets"; static or interned in the set */
	const char *descr;  /* "packets read" */
	uint64_t value;
} tm_counter;

/* ---- the set ---------------------------------------------------------------- */
typedef struct tm_flowset {
	tm_arena arena;    /* tm_tls, tm_http, strings, sources */
	tm_strtab strs;
	tm_diags diags;
	tm_flow *flows;    /* heap; in tm_flowset_sort() order once the readers are done */
	size_t nflows, capflows;
	tm_flow_source *sources; /* heap, in reading order */
	size_t nsources, capsources;
	tm_counter *counters;    /* heap */
	size_t ncounters, capcounters;
	tm_flow_meta **metas;    /* heap; [0] unused; the metas live in the arena */
	size_t nmetas, capmetas;
	uint64_t *pos;           /* heap, by tm_flow.order: where each record was first seen in
				  * its source (tm_flow_pos_of); a side array, like metas, so that
				  * the record stays at 104 bytes */
	size_t npos, cappos;
	struct tm_flow_seen **seen; /* heap, by tm_flow.order, NULL = none (tm_flow_seen_of); the
				     * entries live in the arena */
	size_t nseen, capseen;
} tm_flowset;

/* Where a record starts in its input (fs->sources[f->source]): a capture's
 * packet number (1-based, counted per file as tshark's frame.number) of the
 * connection's first packet, a flow log's line (1-based) of its first event
 * (Zeek: the conn.log line). 0 when not known (records read back from a
 * summary, records fed by tests). Keyed by tm_flow.order, which is unique in
 * a set; flows --merge keeps the smallest order of the records it folds. */
tm_err tm_flowset_set_pos(tm_flowset *fs, const tm_flow *f, uint64_t pos);
static inline uint64_t tm_flow_pos_of(const tm_flowset *fs, const tm_flow *f)
{
	return f->order < fs->npos ? fs->pos[f->order] : 0;
}
/* "packet" for a capture, "line" for a flow log or a summary: what
 * tm_flow_pos_of counts for records of source kind o. */
const char *tm_flow_pos_unit(tm_flow_origin o);

/* Where a record was read besides its position in its input: the ssl.log
 * record that Zeek's reader joined to the conn.log one (by uid), the Hubble
 * event that showed plaintext when it is not the first, and for a record
 * read back from a summary (`flows -f json`) where the summary says it was
 * seen (its `seen_in`) and where in the summary it was read. Strings live in
 * the set. */
typedef struct tm_flow_seen {
	const char *file;     /* summary records: the input it was observed in (as given), or NULL */
	uint64_t pos;         /* its packet or line there (tm_flow_pos_unit of f->origin); 0 not known */
	const char *tls_file; /* the ssl.log whose record gave f->tls, or NULL */
	uint64_t tls_pos;     /* that record's line (1-based); 0 not known */
	bool tls;             /* the two above are set (a summary may say "not known" for both) */
	uint64_t content_pos; /* Hubble: the line of the event that showed what the record carries
			       * (the first L7 event whose HTTP the proxy read: plaintext); 0 none */
	const char *via_file; /* summary records: the summary read (as given), and the line its */
	uint64_t via_pos;     /* record starts on; NULL/0 for records read by the other readers */
} tm_flow_seen;

/* f's entry, or NULL. */
static inline const tm_flow_seen *tm_flow_seen_of(const tm_flowset *fs, const tm_flow *f)
{
	return f->order < fs->nseen ? fs->seen[f->order] : NULL;
}
/* f's entry, made zeroed when it has none; NULL on OOM. */
tm_flow_seen *tm_flowset_seen(tm_flowset *fs, const tm_flow *f);
/* Makes s (an entry of fs, or NULL) f's entry: for a record that takes
 * another order (flows --merge). */
tm_err tm_flowset_seen_set(tm_flowset *fs, const tm_flow *f, tm_flow_seen *s);

/* Where a record was observed, for the texts and formats that name it
 * (evidence of findings, `flows -f json` seen_in): for a record read by a
 * capture or flow-log reader its input and position, for one read back from
 * a summary what the summary says (file NULL when it says nothing). */
typedef struct tm_flow_where {
	const char *file;     /* NULL when not known */
	const char *unit;     /* "packet" or "line" */
	uint64_t pos;         /* 0 when not known */
	const char *tls_file; /* Zeek: the ssl.log that gave the TLS facts, or NULL */
	uint64_t tls_pos;
	bool tls;             /* tls_file/tls_pos are set */
	uint64_t l7_pos;      /* Hubble: the line (in file) of the L7 event that showed plaintext,
			       * when it is not the first event (pos); 0 otherwise */
} tm_flow_where;
void tm_flow_where_of(const tm_flowset *fs, const tm_flow *f, tm_flow_where *w);

/* The mesh a TLS handshake's client-chosen signature names (docs/flows.md),
 * one decision for every reader that sees a handshake (capture, Zeek's
 * ssl.log): Istio for an ALPN list with an "istio" protocol (istio-peer-exchange,
 * istio, istio-http/1.1, istio-h2) or an SNI of Istio's cluster form
 * outbound_.PORT_.SUBSET_.FQDN; Linkerd for ALPN transport.l5d.io/v1 or a
 * certificate SAN of a Linkerd identity; Istio for TCP to HBONE's port 15008
 * without them. TM_MESH_NONE otherwise. */
tm_mesh tm_flow_mesh_signature(const tm_flow *f);

/* A new zeroed tm_flow_meta for f (in fs's arena), or NULL on OOM. */
tm_flow_meta *tm_flowset_add_meta(tm_flowset *fs, tm_flow *f);
/* f's flow-log facts, or NULL. */
static inline tm_flow_meta *tm_flow_meta_of(const tm_flowset *fs, const tm_flow *f)
{
	return f->meta ? fs->metas[f->meta] : NULL;
}

/* Returns NULL on OOM. */
tm_flowset *tm_flowset_new(void);
void tm_flowset_free(tm_flowset *fs);

/* Appends an input to fs->sources; returns its index (TM_FLOW_NO_SOURCE on OOM). */
uint32_t tm_flowset_add_source(tm_flowset *fs, tm_flow_origin origin, const char *name);

/* Sets counter name to value, appending it (name, descr) when new. name and
 * descr must live as long as fs (string literals, or fs->strs). */
tm_err tm_flowset_counter_set(tm_flowset *fs, const char *name, const char *descr, uint64_t value);
/* The counter called name, or NULL. */
const tm_counter *tm_flowset_counter(const tm_flowset *fs, const char *name);

/* A new zeroed record at the end of fs (order set), or NULL on OOM; valid
 * until the next call. */
tm_flow *tm_flowset_push(tm_flowset *fs);

/* Sorts the records by first-seen time, then family, client address and
 * port, server address and port, protocol, creation order. */
void tm_flowset_sort(tm_flowset *fs);

#endif
