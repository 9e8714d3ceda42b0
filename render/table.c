/* table.c - every renderer, one row each: subject, --format name, whether
 * the output is binary, the function. A new format is a new file and a row
 * here (and its name in formats[] below, which a unit test holds to the
 * rows). */
#include "render/render.h"
#include "render/flows.h"

#include <string.h>

/* the flows renderers take the flow set itself (render/flows.c) */
static tm_err flows_txt(const tm_render_in *in, FILE *out)
{
	return tm_render_flows_txt_obs(in->flows, in->g, in->observed, out);
}

static tm_err flows_json(const tm_render_in *in, FILE *out)
{
	return tm_render_flows_json_obs(in->flows, in->g, in->observed, out);
}

static tm_err flows_csv(const tm_render_in *in, FILE *out)
{
	return tm_render_flows_csv_obs(in->flows, in->g, in->observed, out);
}

static const tm_renderer renderers[] = {
	{TM_SUBJECT_INVENTORY, "txt", false, tm_render_inventory_txt},
	{TM_SUBJECT_INVENTORY, "json", false, tm_render_inventory_json},
	{TM_SUBJECT_CONN, "txt", false, tm_render_conn_txt},
	{TM_SUBJECT_CONN, "json", false, tm_render_conn_json},
	{TM_SUBJECT_CONN, "csv", false, tm_render_conn_csv},
	{TM_SUBJECT_CONN, "md", false, tm_render_conn_md},
	{TM_SUBJECT_CONN, "dot", false, tm_render_conn_dot},
	{TM_SUBJECT_CONN, "svg", false, tm_render_conn_svg},
	{TM_SUBJECT_CONN, "png", true, tm_render_conn_png},
	{TM_SUBJECT_EXPLAIN, "txt", false, tm_render_explain_txt},
	{TM_SUBJECT_EXPLAIN, "json", false, tm_render_explain_json},
	{TM_SUBJECT_REACH, "txt", false, tm_render_reach_txt},
	{TM_SUBJECT_REACH, "json", false, tm_render_reach_json},
	{TM_SUBJECT_FINDINGS, "txt", false, tm_render_findings_txt},
	{TM_SUBJECT_FINDINGS, "json", false, tm_render_findings_json},
	{TM_SUBJECT_FINDINGS, "sarif", false, tm_render_findings_sarif},
	{TM_SUBJECT_FINDINGS, "md", false, tm_render_findings_md},
	{TM_SUBJECT_DIFF, "txt", false, tm_render_diff_txt},
	{TM_SUBJECT_DIFF, "json", false, tm_render_diff_json},
	{TM_SUBJECT_DIFF, "md", false, tm_render_diff_md},
	{TM_SUBJECT_FLOWS, "txt", false, flows_txt},
	{TM_SUBJECT_FLOWS, "json", false, flows_json},
	{TM_SUBJECT_FLOWS, "csv", false, flows_csv},
	{TM_SUBJECT_GRAPH, "svg", false, tm_render_graph_svg},
	{TM_SUBJECT_GRAPH, "png", true, tm_render_graph_png},
	{TM_SUBJECT_GRAPH, "dot", false, tm_render_graph_dot},
	{TM_SUBJECT_REPORT, "html", false, tm_render_report_html},
	{TM_SUBJECT_REPORT, "md", false, tm_render_report_md},
};

/* the rows' names per subject, as the usage messages list them */
static const char *const formats[TM_SUBJECT__COUNT] = {
	[TM_SUBJECT_INVENTORY] = "txt|json",
	[TM_SUBJECT_CONN] = "txt|json|csv|md|dot|svg|png",
	[TM_SUBJECT_EXPLAIN] = "txt|json",
	[TM_SUBJECT_REACH] = "txt|json",
	[TM_SUBJECT_FINDINGS] = "txt|json|sarif|md",
	[TM_SUBJECT_DIFF] = "txt|json|md",
	[TM_SUBJECT_FLOWS] = "txt|json|csv",
	[TM_SUBJECT_GRAPH] = "svg|png|dot",
	[TM_SUBJECT_REPORT] = "html|md",
};

const tm_renderer *tm_renderer_find(tm_subject s, const char *format)
{
	if (!format)
		return NULL;
	for (size_t i = 0; i < TM_ARRAY_LEN(renderers); i++)
		if (renderers[i].subject == s && !strcmp(renderers[i].format, format))
			return &renderers[i];
	return NULL;
}

const char *tm_renderer_formats(tm_subject s)
{
	return (unsigned)s < TM_SUBJECT__COUNT ? formats[s] : "";
}

const tm_renderer *tm_renderers(size_t *n)
{
	*n = TM_ARRAY_LEN(renderers);
	return renderers;
}
