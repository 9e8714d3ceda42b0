/* flows.h - renderers for observed flows (`trustmap flows`; their rows are
 * in render/table.c); the formats are documented in docs/flows.md. Flows
 * are written in the order given (readers sort them: tm_flowset_sort()). */
#ifndef TM_RENDER_FLOWS_H
#define TM_RENDER_FLOWS_H

#include "model/flow.h"
#include "analyzer/conn.h"

tm_err tm_render_flows_txt(const tm_flowset *fs, FILE *out);
tm_err tm_render_flows_json(const tm_flowset *fs, FILE *out);
tm_err tm_render_flows_csv(const tm_flowset *fs, FILE *out);
/* The same with each record's mapping onto g (analyzer/flowmap.h):
 * src_workload, dst_workload, dst_service, allowed_by_policy; g and obs NULL
 * without manifests. */
struct tm_flowmap;
tm_err tm_render_flows_txt_obs(const tm_flowset *fs, const tm_graph *g, const struct tm_flowmap *obs, FILE *out);
tm_err tm_render_flows_json_obs(const tm_flowset *fs, const tm_graph *g, const struct tm_flowmap *obs, FILE *out);
tm_err tm_render_flows_csv_obs(const tm_flowset *fs, const tm_graph *g, const struct tm_flowmap *obs, FILE *out);
/* Every counter of fs, in its order, one per line: "name value  # description". */
tm_err tm_render_flows_stats(const tm_flowset *fs, FILE *out);

#endif
