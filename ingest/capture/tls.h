/* tls.h - TLS handshake parser (tls.c) and X.509 extraction (x509.c) of
 * the capture reader. Private to ingest/capture/.
 *
 * The parser is fed the in-order bytes of each direction of one connection,
 * at TLS record boundaries, and fills a tm_tls. It keeps at most one
 * handshake message per direction (capped by opts->max_handshake) and never
 * holds a pointer into the bytes it is given. Strings go to ctx->strs. */
#ifndef TM_CAPTURE_TLS_H
#define TM_CAPTURE_TLS_H

#include "ingest/capture/capture.h"

typedef struct tm_certcache tm_certcache;

typedef struct tm_tls_ctx {
	tm_strtab *strs;            /* strings of the result */
	tm_arena *arena;            /* SAN arrays */
	tm_pcap_stats *stats;       /* counters (tls_*, cert_*) */
	const tm_pcap_opts *opts;   /* limits */
	tm_certcache *certs;        /* may be NULL: no caching */
} tm_tls_ctx;

typedef struct tm_tls_parser tm_tls_parser;

/* out is filled as the handshake is seen; caller owns both. NULL on OOM. */
tm_tls_parser *tm_tls_parser_new(tm_tls *out);
void tm_tls_parser_free(tm_tls_parser *p);

/* Bytes of direction d (0 = client to server) starting at a record
 * boundary; returns how many were consumed (whole records; the rest must be
 * offered again with more data). Bytes before the first TLS record of a
 * direction (STARTTLS plaintext) are skipped. */
size_t tm_tls_feed(tm_tls_parser *p, const tm_tls_ctx *ctx, int d, const uint8_t *data, size_t n);
/* True when nothing later in the connection can change the result. */
bool tm_tls_done(const tm_tls_parser *p);
/* End of the connection (or of the capture): settles what is still open. */
void tm_tls_finish(tm_tls_parser *p);

/* A TLS record header (handshake, alert or CCS, version 3.x) starts p. */
bool tm_tls_record_start(const uint8_t *p, size_t n);

/* IANA name of a cipher suite, NULL when not in the built-in table
 * (tls_ciphers.inc); the parser sets tm_tls.cipher_name with it. */
const char *tm_tls_cipher_name(int32_t cipher);

/* Thresholds of the TLS 1.3 client-certificate heuristic (docs/flows.md):
 * the first encrypted client record after the server's encrypted flight. */
#define TM_TLS13_FINISHED_MAX 120 /* <= : Finished only -> no client certificate */
#define TM_TLS13_CERT_MIN 250     /* >= : Certificate + CertificateVerify -> yes */

/* Parse one DER certificate into out (strings interned in strs, SAN array
 * in arena). Returns TM_OK or TM_ERR_SYNTAX. At most max_sans SANs kept. */
tm_err tm_x509_extract(const uint8_t *der, size_t len, tm_strtab *strs, tm_arena *arena,
		       size_t max_sans, tm_cert *out);
/* Certificates seen again (the same DER bytes) are not parsed again: a
 * cluster has few certificates and many connections. Results live as long
 * as strs/arena given to tm_x509_extract_cached(). At most max entries. */
tm_certcache *tm_certcache_new(size_t max);
void tm_certcache_free(tm_certcache *c);
tm_err tm_x509_extract_cached(tm_certcache *c, const uint8_t *der, size_t len, tm_strtab *strs,
			      tm_arena *arena, size_t max_sans, tm_cert *out);

/* URI SAN, else DNS SAN, else subject; NULL when nothing. */
const char *tm_cert_identity(const tm_cert *c);

#endif
