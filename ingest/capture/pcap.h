/* pcap.h - the capture reader: pcap/pcapng captures -> one tm_flow per
 * connection in a tm_flowset (model/flow.h), with the application protocol
 * detected by content and, for TLS, the handshake facts that decide mutual
 * TLS (docs/flows.md).
 *
 * Pipeline: pcap.c (libpcap loop, link layers, IPv4/IPv6, TCP/UDP,
 * bounds-checked) -> flowtab.c (open-addressing 5-tuple table, idle
 * eviction, hard cap) -> tcpstream.c (bounded in-order payload per
 * direction) -> detect.c (plaintext protocols, STARTTLS, mesh) and tls.c
 * (records, handshake messages) -> x509.c (OpenSSL), all in ingest/capture/.
 *
 * The library never prints; per-file problems become diagnostics in
 * fs->diags, and the counters (TM_PCAP_STATS, in that order) become fs's
 * named counters after each file and at tm_capture_finish(). */
#ifndef TM_CAPTURE_PCAP_H
#define TM_CAPTURE_PCAP_H

#include "ingest/capture/capture.h"

void tm_pcap_opts_default(tm_pcap_opts *o);

/* Name, description and value of counter i (0-based); false past the end. */
bool tm_pcap_stat_get(const tm_pcap_stats *s, size_t i, const char **name, const char **descr,
		      uint64_t *value);

/* A reader that adds to fs, which must outlive it. opts may be NULL for the
 * defaults. Returns NULL on OOM. */
tm_capture *tm_capture_new(tm_flowset *fs, const tm_pcap_opts *opts);
/* Frees the reader's state (not fs). Flows still active are dropped unless
 * tm_capture_finish() closed them. */
void tm_capture_free(tm_capture *c);

/* Read one capture (pcap or pcapng; path "-" = stdin). Returns TM_OK when
 * the file was usable, also when it ended early (warning + counter);
 * TM_ERR_IO when it cannot be opened or is not a capture. A connection
 * continued in a later file is one record. */
tm_err tm_capture_read_file(tm_capture *c, const char *path);
/* Same with an open stream, which is closed (libpcap owns it). */
tm_err tm_capture_read_fp(tm_capture *c, FILE *fp, const char *name);
/* The set the reader adds to, and its options: other flow readers of the
 * reader table (ingest/readers.c) add to the same set. */
tm_flowset *tm_capture_flowset(tm_capture *c);
const tm_pcap_opts *tm_capture_opts(const tm_capture *c);
/* Optional progress callback. */
void tm_capture_set_progress(tm_capture *c, tm_pcap_progress_fn fn, void *ctx);

/* Closes every active flow, counts, warns about limits that cost data,
 * publishes the counters and sorts fs (tm_flowset_sort). Idempotent. */
void tm_capture_finish(tm_capture *c);

/* Decode one link-layer frame (linktype = DLT_/LINKTYPE_ value): the packet
 * path of tm_capture_read_*, exposed for tests and the fuzz harness. ts_us
 * is the capture time. Records made so have source TM_FLOW_NO_SOURCE. */
void tm_capture_packet(tm_capture *c, int linktype, int64_t ts_us, const uint8_t *p, size_t caplen,
		       size_t len);

#endif
