/* zeek.h - the Zeek reader: conn.log (one record per connection) joined on
 * uid with ssl.log (TLS facts), in Zeek's TSV (columns named by the #fields
 * header, never by position: fields come and go between versions) or JSON
 * lines (LogAscii::use_json: keys like "id.orig_h", epoch or ISO 8601 "ts",
 * unset fields omitted, sets as arrays). docs/flows.md#zeek.
 *
 * A client certificate shows in ssl.log (client_cert_chain_fps, Zeek >= 4.1;
 * client_cert_chain_fuids before) only up to TLS 1.2: with TLS 1.3 it is
 * encrypted, and an empty list says "unknown", never "no".
 *
 * Ownership: as hubble.h. */
#ifndef TM_ZEEK_H
#define TM_ZEEK_H

#include "model/flow.h"

typedef struct tm_zeek tm_zeek;

tm_zeek *tm_zeek_new(tm_flowset *fs, size_t max_line);
void tm_zeek_free(tm_zeek *z);
/* A directory (its conn.log and ssl.log), a log file ("-" = standard
 * input): which log a file is comes from its #path header, else from its
 * name, else from each JSON line's keys. */
tm_err tm_zeek_read_path(tm_zeek *z, const char *path);
/* Lines of one log (the fuzz harness): text of len bytes named name. */
void tm_zeek_read_buffer(tm_zeek *z, const char *name, const char *data, size_t len);
/* Joins ssl.log to conn.log, publishes the counters (zeek_*), sorts fs. */
void tm_zeek_finish(tm_zeek *z);

#endif
