/* flowjson.h - the flow-summary reader: the JSON that `trustmap flows -f
 * json` writes (docs/flows.md, render/flows.c) read back into a tm_flowset,
 * one record per array element, so that captures summarised where they were
 * taken (one per node) can be analysed together (`trustmap flows --merge`,
 * `trustmap check --flows`).
 *
 * The array is split into its elements by a bounded scanner (strings,
 * escapes and nesting tracked; an element may be at most
 * TM_FLOWJSON_MAX_RECORD bytes), and each element is parsed on its own
 * (jansson), so memory is one element plus the set, whatever the file's
 * size. Every problem is a diagnostic in fs->diags with file:line:column.
 *
 * Merging (tm_flowjson_merge, docs/flows.md "Merging"): records of the same
 * connection read from different summaries become one. */
#ifndef TM_FLOWJSON_H
#define TM_FLOWJSON_H

#include "model/flow.h"

#define TM_FLOWJSON_MAX_RECORD ((size_t)1 << 20)

/* Does the file at path hold a flow summary (its first byte opens a JSON
 * array)? Only regular files are looked at: standard input ("-"), pipes and
 * devices cannot be without consuming a byte, and are read as captures. */
bool tm_flowjson_sniff_file(const char *path);

/* Read one summary into fs (a new source of origin TM_FLOW_FROM_SUMMARY).
 * max_flows bounds the records in fs (as --max-flows does for captures).
 * TM_OK; TM_ERR_IO when it cannot be read; TM_ERR_SYNTAX / TM_ERR_INVALID
 * when it is not a summary (diagnostic added); TM_ERR_LIMIT past max_flows. */
tm_err tm_flowjson_read_file(tm_flowset *fs, const char *path, size_t max_flows);
/* The same from memory (tests, the fuzz harness). */
tm_err tm_flowjson_read_buffer(tm_flowset *fs, const char *name, const char *data, size_t len,
			       size_t max_flows);

/* How far apart two records of one connection from two observation
 * points may start and still be one (tm_flowjson_merge): the second
 * starts at most this long after the first ends. It covers the transit
 * between the points and the skew of the nodes' clocks (NTP keeps them
 * within milliseconds), so that a connection of one packet at each point
 * (a SYN forwarded at the source's node and dropped at the destination's,
 * microseconds later) is one; and it stays well below the second Linux
 * waits before a client may take the same 5-tuple again (tcp_tw_reuse),
 * so that a new connection reusing the 5-tuple stays apart. */
#define TM_FLOWJSON_MERGE_SLACK_US 100000

/* Merge the records read from summaries: two records from different
 * summaries are one connection when they have the same transport and the
 * same two ends (either direction) and their times overlap, or the second
 * starts within TM_FLOWJSON_MERGE_SLACK_US of the first's end: the same
 * packets seen at two points, such as the
 * two ends of a connection captured on two nodes. The record first in
 * time keeps its client and server; first and last span both; packets and
 * bytes are the larger (counted once); the facts (app, mesh, http, TLS
 * fields) it lacks are taken from the other when that one sees the
 * connection the same way round. Records one after the other are different
 * connections (a new one reusing the 5-tuple), as one run over the
 * captures would keep them; records of one summary are never merged with
 * each other; records read from captures are left alone. Then sorts fs
 * (tm_flowset_sort) when anything was read from a summary. */
void tm_flowjson_merge(tm_flowset *fs);

#endif
