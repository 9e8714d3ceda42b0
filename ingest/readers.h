/* readers.h - the reader table: every input format is one reader file plus
 * one row here (name, sniff, read), as tcpdump keys its printers by a
 * table. The path-level entry points (files, directories, "-") pick a row by
 * asking each row of the kind in table order whether it takes the input.
 *
 *   yaml, json   manifests into a tm_model (ingest/manifest/)
 *   flows-json   flow summaries (`trustmap flows -f json`) into a tm_flowset
 *                (ingest/flowjson/), by content: a file whose first byte is '['
 *   pcap         pcap/pcapng captures into a tm_flowset (ingest/capture/)
 *
 * Adding a reader: its file(s) under ingest/<family>/, a sniff and a read
 * function, and one row in readers.c. */
#ifndef TM_READERS_H
#define TM_READERS_H

#include "ingest/ingest.h"
#include "ingest/capture/pcap.h"

typedef enum {
	TM_INPUT_MANIFESTS, /* into a tm_model: dst is a tm_manifest_dst */
	TM_INPUT_FLOWS,     /* into a tm_flowset: dst is the flow reader's state (tm_capture) */
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
	const char *name;          /* "yaml", "json", "pcap" */
	tm_input_kind kind;
	const char *const *exts;   /* name endings read from a directory (any case); NULL: none */
	bool (*sniff)(const tm_input *in); /* does the reader take this input? */
	tm_err (*read)(void *dst, const tm_input *in);
} tm_reader;

/* The rows, in the order they are asked. */
const tm_reader *tm_readers(size_t *n);
/* The first row of kind that takes in, or NULL. */
const tm_reader *tm_reader_find(tm_input_kind kind, const tm_input *in);

/* Flow inputs: one capture file ("-" = standard input) into c's flow set
 * through the table. Same results as tm_capture_read_file(). */
tm_err tm_load_flows_path(tm_capture *c, const char *path);

#endif
