/* report_md.c - `trustmap report -o report.md`: the report as GitHub
 * Markdown (tables, collapsible <details>), within the 65,536 characters of
 * a pull-request comment: every byte goes through the counting writer of
 * findings_md.c (render/findings.h), so a table that does not fit is cut
 * with a count. The diagrams are not inlined (a comment cannot hold SVG):
 * `trustmap graph` draws them. */
#include "render/diagram.h"
#include "render/findings.h"

#include <string.h>

static void row_end(tm_md *w, size_t i, size_t n, bool *cut)
{
	if (!*cut && !tm_md_row(w, i, n))
		*cut = true;
}

static void assumptions_md(tm_md *w, const tm_render_in *in)
{
	const tm_findings *f = in->findings;
	const tm_report *r = in->report;
	tm_md_puts(w, "<details><summary>What was analysed, and every assumption</summary>\n\n"
		      "| zone | members |\n|---|---|\n");
	bool cut = false;
	for (size_t i = 0; i < f->nzones && !cut; i++) {
		const tm_zone_members *z = &f->zones[i];
		tm_buf_reset(&w->row);
		(void)tm_buf_adds(&w->row, "| ");
		tm_md_code(&w->row, z->zone);
		(void)tm_buf_addf(&w->row, " | %zu: ", z->nmembers);
		for (size_t k = 0; k < z->nmembers && k < 12; k++) {
			(void)tm_buf_adds(&w->row, k ? ", " : "");
			tm_md_code(&w->row, z->members[k]);
		}
		if (z->nmembers > 12)
			(void)tm_buf_addf(&w->row, " … and %zu more", z->nmembers - 12);
		(void)tm_buf_adds(&w->row, " |\n");
		row_end(w, i, f->nzones, &cut);
	}
	tm_buf_reset(&w->row);
	(void)tm_buf_adds(&w->row, "\n- Kinds not analysed: ");
	if (!in->m->nignored)
		(void)tm_buf_adds(&w->row, "none");
	for (size_t i = 0; i < in->m->nignored && i < 30; i++)
		(void)tm_buf_addf(&w->row, "%s`%s` (%zu)", i ? ", " : "", in->m->ignored[i].kind, in->m->ignored[i].count);
	(void)tm_buf_adds(&w->row, "\n- Namespaces without a Namespace object: ");
	if (!r->nundeclared)
		(void)tm_buf_adds(&w->row, "none");
	for (size_t i = 0; i < r->nundeclared && i < 30; i++)
		(void)tm_buf_addf(&w->row, "%s`%s`", i ? ", " : "", r->undeclared[i]);
	if (r->nundeclared > 30)
		(void)tm_buf_addf(&w->row, " … and %zu more", r->nundeclared - 30);
	(void)tm_buf_addf(&w->row, "\n- Service mesh: %s\n- Lateral movement: at most %u hops over allowed connections.\n\n",
			  r->overview.has_protection ? "protection from the mesh configuration, and captures where it says nothing"
						     : "nothing settles it; protection unknown",
			  r->hops);
	(void)tm_md_fits(w, &w->row);
	tm_md_puts(w, "</details>\n\n");
}

static void matrix_md(tm_md *w, const tm_report *r)
{
	size_t nz = r->nzones;
	tm_md_puts(w, "#### Zone × zone (row: from, column: to)\n\n");
	tm_buf_reset(&w->row);
	(void)tm_buf_adds(&w->row, "| from \\ to |");
	for (size_t y = 0; y < nz; y++)
		(void)tm_buf_addf(&w->row, " %s |", r->zones[y]);
	(void)tm_buf_adds(&w->row, "\n|---|");
	for (size_t y = 0; y < nz; y++)
		(void)tm_buf_adds(&w->row, "---|");
	(void)tm_buf_adds(&w->row, "\n");
	if (!tm_md_fits(w, &w->row))
		return;
	bool cut = false;
	for (size_t x = 0; x < nz && !cut; x++) {
		tm_buf_reset(&w->row);
		(void)tm_buf_addf(&w->row, "| **%s** |", r->zones[x]);
		for (size_t y = 0; y < nz; y++) {
			const tm_zone_cell *c = &r->matrix[x * nz + y];
			if (!c->pairs && !c->observed_only) {
				(void)tm_buf_adds(&w->row, " — |");
				continue;
			}
			(void)tm_buf_addf(&w->row, " %zu pair%s", c->pairs, c->pairs == 1 ? "" : "s");
			if (c->mtls || c->unprotected)
				(void)tm_buf_addf(&w->row, ", mTLS %zu/%zu", c->mtls, c->mtls + c->unprotected);
			if (r->has_observed)
				(void)tm_buf_addf(&w->row, ", seen %zu", c->observed);
			if (c->rule) {
				(void)tm_buf_adds(&w->row, ", ");
				tm_md_code(&w->row, c->rule);
			}
			(void)tm_buf_adds(&w->row, " |");
		}
		(void)tm_buf_adds(&w->row, "\n");
		row_end(w, x, nz, &cut);
	}
	tm_md_puts(w, "\n");
}

static void lateral_md(tm_md *w, const tm_render_in *in)
{
	const tm_report *r = in->report;
	char line[200];
	snprintf(line, sizeof line, "<details><summary>Lateral movement from internet-exposed workloads (%zu, %u hops)</summary>\n\n",
		 r->exposed_total, r->hops);
	tm_md_puts(w, line);
	if (!r->nexposed) {
		tm_md_puts(w, "No workload is reachable from the internet.\n\n</details>\n\n");
		return;
	}
	tm_md_puts(w, "| exposed | from the internet | reaches | into sensitive zones |\n|---|---|---|---|\n");
	bool cut = false;
	tm_buf p;
	tm_buf_init(&p, 1 << 16);
	for (size_t i = 0; i < r->nexposed && !cut; i++) {
		const tm_exposed *x = &r->exposed[i];
		tm_buf_reset(&w->row);
		(void)tm_buf_adds(&w->row, "| ");
		tm_md_code(&w->row, x->name);
		(void)tm_buf_adds(&w->row, " | ");
		tm_buf_reset(&p);
		tm_ports_format(x->from_internet, &p);
		tm_md_cell(&w->row, tm_buf_str(&p));
		(void)tm_buf_addf(&w->row, " | %zu workloads | ", x->reached_workloads);
		for (size_t k = 0; k < x->ntargets && k < 4; k++) {
			(void)tm_buf_addf(&w->row, "%s**%s** (%u): ", k ? "<br>" : "", x->targets[k].zone, x->targets[k].hops);
			tm_md_cell(&w->row, x->targets[k].path);
		}
		if (x->targets_total > 4)
			(void)tm_buf_addf(&w->row, "<br>… and %zu more", x->targets_total - 4);
		if (!x->ntargets)
			(void)tm_buf_adds(&w->row, "none");
		(void)tm_buf_adds(&w->row, " |\n");
		row_end(w, i, r->nexposed, &cut);
	}
	tm_buf_release(&p);
	tm_md_puts(w, "\n</details>\n\n");
}

tm_err tm_render_report_md(const tm_render_in *in, FILE *out)
{
	const tm_report *r = in->report;
	const tm_report_counts *c = &r->counts;
	tm_md w;
	char line[400];
	tm_md_init(&w, out, in, "HTML report or the JSON of check");
	tm_md_puts(&w, "### trustmap report\n\n");
	tm_buf_reset(&w.row);
	(void)tm_buf_adds(&w.row, "Input: ");
	for (size_t i = 0; i < in->npaths && i < 20; i++) {
		(void)tm_buf_adds(&w.row, i ? ", " : "");
		tm_md_code(&w.row, in->paths[i]);
	}
	(void)tm_buf_addf(&w.row, " · zones: %s · input date: ", in->zones ? in->zones : "defaults");
	tm_date_text(in->input_time, &w.row);
	(void)tm_buf_adds(&w.row, "\n\n**");
	tm_findings_summary_text(in->findings, &w.row);
	(void)tm_buf_adds(&w.row, "**\n\n");
	(void)tm_md_fits(&w, &w.row);
	snprintf(line, sizeof line,
		 "| namespaces | workloads | Pod objects | NetworkPolicies | admin policies | allowed pairs | internet-exposed |\n"
		 "|---|---|---|---|---|---|---|\n| %zu | %zu | %zu | %zu | %zu | %zu | %zu |\n\n",
		 c->namespaces, c->workloads, c->pods, c->netpols, c->admin_policies, c->edges, r->exposed_total);
	tm_md_puts(&w, line);
	tm_md_notes(&w, in->findings);
	if (in->findings->n) {
		tm_md_puts(&w, "#### Findings\n\n");
		tm_md_findings_table(&w, in->findings);
		tm_md_puts(&w, "\n");
	}
	matrix_md(&w, r);
	if (r->has_observed) {
		snprintf(line, sizeof line, "**Observed vs allowed:** %zu allowed and seen, %zu allowed and never seen, %zu seen "
			 "but not allowed.\n\n", r->allowed_seen, r->allowed_unseen, r->observed_only);
		tm_md_puts(&w, line);
	}
	lateral_md(&w, in);
	assumptions_md(&w, in);
	tm_md_puts(&w, "Diagrams: `trustmap graph --zones FILE -o graph.svg PATH` (or the HTML report).\n");
	tm_buf_release(&w.row);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
