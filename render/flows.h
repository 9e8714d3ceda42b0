/* flows.h - renderers for observed flows (`trustmap flows`; their rows are
 * in render/table.c); the formats are documented in docs/flows.md. Flows
 * are written in the order given (readers sort them: tm_flowset_sort()). */
#ifndef TM_RENDER_FLOWS_H
#define TM_RENDER_FLOWS_H

#include "model/flow.h"

tm_err tm_render_flows_txt(const tm_flowset *fs, FILE *out);
tm_err tm_render_flows_json(const tm_flowset *fs, FILE *out);
tm_err tm_render_flows_csv(const tm_flowset *fs, FILE *out);
/* Every counter of fs, in its order, one per line: "name value  # description". */
tm_err tm_render_flows_stats(const tm_flowset *fs, FILE *out);

#endif
