/* readers.h - the reader table: every input format is one reader file plus
 * one row here (name, sniff, read), as tcpdump keys its printers by a
 * table. The path-level entry points (files, directories, "-") pick a row by
 * asking each row of the kind in table order whether it takes the input.
 *
 *   yaml, json   manifests into a tm_model (ingest/manifest/)
 *   flows-json   flow summaries (`trustmap flows -f json`) into a tm_flowset
 *                (ingest/flowjson/), by content: a file whose first byte is '['
 *   hubble       Hubble flow exports (JSON lines) into a tm_flowset (ingest/hubble/)
 *   zeek         Zeek conn.log/ssl.log (TSV or JSON lines) into a tm_flowset (ingest/zeek/)
 *   pcap         pcap/pcapng captures into a tm_flowset (ingest/capture/)
 *
 * Adding a reader: its file(s) under ingest/<family>/, a sniff and a read
 * function, and one row in readers.c. */
#ifndef TM_READERS_H
#define TM_READERS_H

#include "ingest/ingest.h"
#include "ingest/capture/pcap.h"
#include "ingest/hubble/hubble.h"
#include "ingest/zeek/zeek.h"

typedef enum {
	TM_INPUT_MANIFESTS, /* into a tm_model: dst is a tm_manifest_dst */
	TM_INPUT_FLOWS,     /* into a tm_flowset: dst is a tm_flow_session */
} tm_input_kind;

/* One input as a reader sees it. */
typedef struct tm_input {
	const char *name;  /* the path as given; "-" for standard input */
	const char *data;  /* manifests: the whole input, NUL-terminated; flow readers
			    * stream and open name themselves: NULL */
	size_t len;
} tm_input;

typedef struct tm_manifest_dst {
	tm_model *m;
	const tm_load_opts *o;
} tm_manifest_dst;

typedef struct tm_reader {
	const char *name;          /* "yaml", "json", "hubble", "zeek", "pcap" */
	tm_input_kind kind;
	const char *const *exts;   /* name endings read from a directory (any case); NULL: none */
	bool (*sniff)(const tm_input *in); /* does the reader take this input? */
	tm_err (*read)(void *dst, const tm_input *in);
} tm_reader;

/* The rows, in the order they are asked. */
const tm_reader *tm_readers(size_t *n);
/* The first row of kind that takes in, or NULL. */
const tm_reader *tm_reader_find(tm_input_kind kind, const tm_input *in);

/* Flow inputs: one flow set fed by any number of inputs of any flow
 * reader. Each reader's state is made when its first input comes (the pcap
 * path costs one pointer test per file, nothing per packet) and released by
 * tm_flow_session_finish(), which also closes the readers (counters,
 * sorting). */
typedef struct tm_flow_session {
	tm_flowset *fs;
	tm_pcap_opts pcap;
	tm_pcap_progress_fn progress;
	void *progress_ctx;
	size_t max_line;       /* flow logs: bytes per line, 0 = the default (1 MiB) */
	tm_capture *cap;       /* readers' states, NULL until used */
	tm_hubble *hubble;
	tm_zeek *zeek;
} tm_flow_session;

/* o may be NULL for the default capture options. */
void tm_flow_session_init(tm_flow_session *s, tm_flowset *fs, const tm_pcap_opts *o);
/* One input ("-" = standard input) through the row called reader ("pcap",
 * "hubble", "zeek"), or, reader NULL, the first flow row that takes it.
 * TM_ERR_NOMEM, TM_ERR_IO, or the reader's error. */
tm_err tm_load_flows_path(tm_flow_session *s, const char *reader, const char *path);
/* Closes every reader that was used and frees its state; s->fs stays. */
void tm_flow_session_finish(tm_flow_session *s);
/* Does the file start with a pcap or pcapng magic number? */
bool tm_path_is_capture(const char *path);

#endif
