/* flows.h - renderers for observed flows (`trustmap flows`; their rows are
 * in render/table.c); the formats are documented in docs/flows.md. Flows
 * are written in the order given (tm_flowset_finish() sorts them). */
#ifndef TM_RENDER_FLOWS_H
#define TM_RENDER_FLOWS_H

#include "ingest/pcap.h"

tm_err tm_render_flows_txt(const tm_flowset *fs, FILE *out);
tm_err tm_render_flows_json(const tm_flowset *fs, FILE *out);
tm_err tm_render_flows_csv(const tm_flowset *fs, FILE *out);
/* Every counter, one per line: "name value  # description". */
tm_err tm_render_flows_stats(const tm_flowset *fs, FILE *out);

#endif
