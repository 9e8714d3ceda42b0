/* hubble.h - the Hubble reader: Cilium flow events as JSON lines into one
 * tm_flow per connection (docs/flows.md#hubble).
 *
 * Two shapes: `hubble observe -o json` (and the flow exporter) write
 * {"flow": {...}, "node_name": ..., "time": ...}; the legacy output writes
 * the bare Flow. Field names are protobuf names (api/v1/flow/flow.proto),
 * enums strings (numbers accepted), 64-bit integers strings, default values
 * omitted. Events of one connection are folded (a reply into its
 * connection, is_reply absent: by the reversed 5-tuple and the TCP flags);
 * DROPPED/ERROR events make records of their own (verdict DROPPED): evidence
 * that policy is enforced, not connections. Events of several observation
 * points (Hubble Relay: every node's) are one connection: at
 * tm_hubble_finish a drop record is folded into the passing record of its
 * connection (DROPPED, naming the drop's node and direction) unless a reply
 * passed. Non-flow lines (lost events, node status) and ICMP are counted.
 *
 * Ownership: the reader's state is its own; records and strings go into the
 * flow set, which must outlive it. */
#ifndef TM_HUBBLE_H
#define TM_HUBBLE_H

#include "model/flow.h"

typedef struct tm_hubble tm_hubble;

/* max_line 0: the default line limit (ingest/flowlog/lines.h). NULL on OOM. */
tm_hubble *tm_hubble_new(tm_flowset *fs, size_t max_line);
void tm_hubble_free(tm_hubble *h);
/* One export ("-" = standard input). TM_ERR_IO when it cannot be opened or
 * read; bad lines are warnings with file:line:col and counted. */
tm_err tm_hubble_read_file(tm_hubble *h, const char *path);
/* One line (no newline) of input name: the fuzz harness's entry. */
void tm_hubble_line(tm_hubble *h, const char *line, size_t len);
/* Folds drop records into their connections (above), publishes the
 * counters (hubble_*) and sorts fs; records are removed from fs, so no
 * other reader may hold indices into it (the other readers finish first).
 * Idempotent. */
void tm_hubble_finish(tm_hubble *h);

#endif
