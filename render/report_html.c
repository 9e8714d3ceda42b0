/* report_html.c - `trustmap report -o report.html`: one self-contained page
 * a reviewer can hand on. Inline CSS and SVG, no external asset, readable
 * without JavaScript; a few lines of inline script only sort and filter the
 * findings table. Everything shown was computed by the pipeline
 * (analyzer/summary.h, the findings and their notes); this file formats it.
 * Lists that grow with the cluster are cut at stated limits, with counts. */
#include "render/diagram.h"
#include "render/findings.h"

#include <stdlib.h>
#include <string.h>

#define MAX_MEMBERS 40      /* zone members listed per zone */
#define MAX_FINDING_ROWS 3000
#define MAX_OBSERVED_ROWS 300

static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

static void ports(FILE *out, const tm_ports *p, tm_buf *b)
{
	tm_buf_reset(b);
	if (p)
		tm_ports_format(p, b);
	esc(out, tm_buf_str(b));
}

static const char css[] =
	"body{font:14px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1f2937;margin:0;background:#f8fafc}"
	"main{max-width:1320px;margin:0 auto;padding:24px 32px 48px}"
	"header{background:#0f172a;color:#e2e8f0;padding:20px 32px}header h1{margin:0 0 4px;font-size:22px;color:#fff}"
	"header p{margin:2px 0;font-size:13px}nav{margin-top:10px;font-size:13px}nav a{color:#93c5fd;margin-right:14px;text-decoration:none}"
	"h2{font-size:18px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid #e2e8f0}h3{font-size:15px;margin:18px 0 6px}"
	"section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:4px 20px 16px;margin-top:20px}"
	".cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}.card{border:1px solid #e2e8f0;border-radius:8px;padding:8px 14px;min-width:92px;background:#fff}"
	".card b{display:block;font-size:22px}.card span{font-size:12px;color:#64748b}"
	".sev-critical{background:#7f1d1d;color:#fff}.sev-high{background:#dc2626;color:#fff}.sev-medium{background:#f59e0b;color:#111}"
	".sev-low{background:#fde68a;color:#111}.sev-info{background:#e2e8f0;color:#111}"
	".card.sev-critical span,.card.sev-high span{color:#fee2e2}"
	".pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;white-space:nowrap}"
	"table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border:1px solid #e2e8f0;padding:4px 8px;text-align:left;vertical-align:top}"
	"th{background:#f1f5f9;font-weight:600}th.sort{cursor:pointer}tr:nth-child(even) td{background:#fcfdfe}"
	"code{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f1f5f9;padding:0 3px;border-radius:3px;overflow-wrap:anywhere}header code{background:#1e293b;color:#e2e8f0}"
	".fix{color:#166534}.muted{color:#64748b}.note{border-left:3px solid #f59e0b;padding:2px 10px;margin:6px 0;background:#fffbeb}"
	".matrix td{text-align:center;min-width:90px}.matrix th.row{text-align:right}.m-none{color:#94a3b8}.m-allow{background:#eff6ff!important}"
	".m-sens{background:#fff7ed!important}.m-find{background:#fee2e2!important;color:#7f1d1d}"
	".diagram{overflow:auto;border:1px solid #e2e8f0;border-radius:6px;background:#fff;padding:6px;max-height:1100px}"
	".diagram svg{max-width:100%;height:auto}details{margin:8px 0}summary{cursor:pointer;font-weight:600}"
	"#ffilter{margin:6px 0;display:none}#ffilter input,#ffilter select{font:inherit;padding:2px 6px;margin-right:8px}"
	"ul{margin:6px 0;padding-left:22px}li{margin:2px 0}";

/* sorting and filtering of the findings table; the page reads without it */
static const char js[] =
	"(function(){var t=document.getElementById('findings-table');if(!t)return;"
	"var f=document.getElementById('ffilter');f.style.display='block';"
	"var q=document.getElementById('fq'),s=document.getElementById('fs');"
	"function apply(){var v=q.value.toLowerCase(),m=+s.value;"
	"[].forEach.call(t.tBodies[0].rows,function(r){var ok=(+r.dataset.sev>=m)&&r.textContent.toLowerCase().indexOf(v)>=0;"
	"r.style.display=ok?'':'none';});}"
	"q.oninput=apply;s.onchange=apply;"
	"[].forEach.call(t.tHead.rows[0].cells,function(th,i){th.className='sort';th.title='sort';th.onclick=function(){"
	"var rows=[].slice.call(t.tBodies[0].rows),d=th.dataset.d=th.dataset.d==='1'?'-1':'1';"
	"rows.sort(function(a,b){var x=i===0?+a.dataset.sev:a.cells[i].textContent,y=i===0?+b.dataset.sev:b.cells[i].textContent;"
	"return (x<y?-1:x>y?1:0)*d;});rows.forEach(function(r){t.tBodies[0].appendChild(r);});};});})();";

static void sev_pill(FILE *out, tm_severity s)
{
	fprintf(out, "<span class=\"pill sev-%s\">%s</span>", tm_severity_name(s), tm_severity_name(s));
}

static void header(FILE *out, const tm_render_in *in, tm_buf *b)
{
	fputs("<header><h1>Trust boundaries report</h1><p>Input: ", out);
	for (size_t i = 0; i < in->npaths; i++) {
		if (i)
			fputs(", ", out);
		fputs("<code>", out);
		esc(out, in->paths[i]);
		fputs("</code>", out);
	}
	fputs(" · zones: ", out);
	esc(out, in->zones ? in->zones : "built-in defaults");
	tm_buf_reset(b);
	tm_date_text(in->input_time, b);
	fputs(" · input date: ", out);
	esc(out, tm_buf_str(b));
	fputs("</p><p>Made by trustmap " TM_VERSION " from the manifests alone (NetworkPolicy, AdminNetworkPolicy and "
	      "BaselineAdminNetworkPolicy semantics), with captured traffic where given.</p>"
	      "<nav><a href=\"#summary\">Summary</a><a href=\"#assumptions\">Assumptions</a><a href=\"#findings\">Findings</a>"
	      "<a href=\"#matrix\">Zone matrix</a><a href=\"#observed\">Observed vs allowed</a><a href=\"#lateral\">Lateral movement</a>"
	      "<a href=\"#diagrams\">Diagrams</a></nav></header><main>\n",
	      out);
}

static void card(FILE *out, const char *cls, size_t n, const char *what)
{
	fprintf(out, "<div class=\"card %s\"><b>%zu</b><span>%s</span></div>", cls, n, what);
}

static void summary(FILE *out, const tm_render_in *in)
{
	const tm_report *r = in->report;
	const tm_report_counts *c = &r->counts;
	tm_findings_summary s;
	tm_findings_summarize(in->findings, &s);
	fputs("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">", out);
	static const char *const sev_cls[TM_NSEV] = {"sev-info", "sev-low", "sev-medium", "sev-high", "sev-critical"};
	for (int i = TM_NSEV - 1; i >= 0; i--)
		card(out, sev_cls[i], s.by_sev[i], tm_severity_name((tm_severity)i));
	card(out, "", s.suppressed, "suppressed");
	fputs("</div><div class=\"cards\">", out);
	card(out, "", c->namespaces, "namespaces");
	card(out, "", c->workloads, "workloads");
	card(out, "", c->pods, "Pod objects");
	card(out, "", c->services, "services");
	card(out, "", c->netpols, "NetworkPolicies");
	card(out, "", c->admin_policies, "admin policies");
	card(out, "", c->edges, "allowed pairs");
	card(out, "", r->exposed_total, "internet-exposed");
	fputs("</div>", out);
	size_t reach_sens = 0;
	for (size_t i = 0; i < r->nexposed; i++)
		reach_sens += r->exposed[i].targets_total > 0;
	fprintf(out, "<p>%zu workload%s may be reached from the internet; %zu of those listed reach a sensitive zone within %u hop%s. "
		"%zu file%s, %zu object%s read.</p></section>\n",
		r->exposed_total, r->exposed_total == 1 ? "" : "s", reach_sens, r->hops, r->hops == 1 ? "" : "s", c->files,
		c->files == 1 ? "" : "s", c->objects, c->objects == 1 ? "" : "s");
}

static void assumptions(FILE *out, const tm_render_in *in, tm_buf *b)
{
	const tm_findings *f = in->findings;
	const tm_report *r = in->report;
	const tm_model *m = in->m;
	fputs("<section id=\"assumptions\"><h2>What was analysed, and every assumption</h2>", out);
	fputs("<h3>Zones in force</h3><table><thead><tr><th>zone</th><th>defined at</th><th>sensitive</th><th>members</th></tr></thead><tbody>", out);
	for (size_t i = 0; i < f->nzones; i++) {
		const tm_zone_members *z = &f->zones[i];
		bool sens = false;
		for (size_t k = 0; k < r->nzones; k++)
			if (!strcmp(r->zones[k], z->zone))
				sens = r->sensitive[k];
		fputs("<tr><td><b>", out);
		esc(out, z->zone);
		fputs("</b></td><td>", out);
		if (z->loc.file) {
			fputs("<code>", out);
			esc(out, z->loc.file);
			fprintf(out, ":%u</code>", z->loc.line);
		} else
			fputs("<span class=\"muted\">built-in default</span>", out);
		fprintf(out, "</td><td>%s</td><td>", sens ? "yes" : "");
		if (!z->nmembers)
			fputs("<span class=\"muted\">no endpoint</span>", out);
		for (size_t k = 0; k < z->nmembers && k < MAX_MEMBERS; k++) {
			fputs(k ? " " : "", out);
			fputs("<code>", out);
			esc(out, z->members[k]);
			fputs("</code>", out);
		}
		if (z->nmembers > MAX_MEMBERS)
			fprintf(out, " <span class=\"muted\">… and %zu more</span>", z->nmembers - MAX_MEMBERS);
		fputs("</td></tr>", out);
	}
	fputs("<tr><td><b>internet</b></td><td><span class=\"muted\">built-in</span></td><td></td><td>the ingress controller and "
	      "every IP range that no zone's ipBlocks hold</td></tr></tbody></table>", out);
	fputs("<h3>Not covered by this answer</h3>", out);
	if (!f->nnotes)
		fputs("<p class=\"muted\">No note: every input was read and analysed.</p>", out);
	for (size_t i = 0; i < f->nnotes; i++) {
		const tm_note *n = &f->notes[i];
		fputs("<div class=\"note\"><code>", out);
		esc(out, n->code);
		fputs("</code> ", out);
		esc(out, n->message);
		tm_buf_reset(b);
		tm_note_loc_text(n, b);
		if (b->len) {
			fputs(" <span class=\"muted\">(", out);
			esc(out, tm_buf_str(b));
			fputs(")</span>", out);
		}
		fputs("</div>", out);
	}
	fputs("<h3>Assumptions</h3><ul>", out);
	fputs("<li>Kinds read but not analysed: ", out);
	if (!m->nignored)
		fputs("none", out);
	for (size_t i = 0; i < m->nignored; i++) {
		fputs(i ? ", " : "", out);
		fputs("<code>", out);
		esc(out, m->ignored[i].kind);
		fprintf(out, "</code> (%zu)", m->ignored[i].count);
	}
	fputs(". Those of another project's policies are in the notes above; the others change no connection.</li>", out);
	fputs("<li>Namespaces without a Namespace object (their labels are taken to be only "
	      "<code>kubernetes.io/metadata.name</code>): ", out);
	if (!r->nundeclared)
		fputs("none", out);
	for (size_t i = 0; i < r->nundeclared && i < MAX_MEMBERS; i++) {
		fputs(i ? ", " : "", out);
		fputs("<code>", out);
		esc(out, r->undeclared[i]);
		fputs("</code>", out);
	}
	if (r->nundeclared > MAX_MEMBERS)
		fprintf(out, " … and %zu more", r->nundeclared - MAX_MEMBERS);
	fputs(".</li>", out);
	bool dns = false;
	for (size_t i = 0; i < f->nnotes; i++)
		dns = dns || !strcmp(f->notes[i].code, "dns-pods-not-in-input");
	fprintf(out, "<li>Cluster DNS: %s</li>",
		dns ? "the DNS pods are not in the input; egress rules aimed at them were taken to allow DNS (see the note)."
		    : "judged from the input as given.");
	fprintf(out, "<li>Service mesh: %s</li>",
		r->overview.has_protection
			? "protection (mTLS) comes from the mesh configuration in the input (Istio, Linkerd: the "
			  "assumptions of <code>--istio-*</code> and <code>--linkerd-*</code>) and, where it says nothing, "
			  "from captured traffic; an edge shows the weakest protection of its ports, and TCP apart from UDP/SCTP where the mesh gives them different ones."
			: "no mesh configuration and no capture settle it: every connection's protection is <i>unknown</i>.");
	fprintf(out, "<li>Lateral movement goes at most %u hops, over allowed connections only; IP ranges outside the "
		"cluster are end points, never stepping stones.</li>", r->hops);
	fputs("<li>Connections of a pod to itself are not subject to NetworkPolicy and are not listed.</li></ul></section>\n",
	      out);
}

static void findings(FILE *out, const tm_render_in *in, tm_buf *b)
{
	const tm_findings *f = in->findings;
	fputs("<section id=\"findings\"><h2>Findings by severity</h2>", out);
	tm_buf_reset(b);
	tm_findings_summary_text(f, b);
	fputs("<p>", out);
	esc(out, tm_buf_str(b));
	fputs(".</p>", out);
	if (!f->n) {
		fputs("<p class=\"muted\">No finding.</p></section>\n", out);
		return;
	}
	fputs("<div id=\"ffilter\">Filter: <input id=\"fq\" type=\"search\" placeholder=\"text\"> at least "
	      "<select id=\"fs\"><option value=\"0\">info</option><option value=\"1\">low</option><option value=\"2\">medium"
	      "</option><option value=\"3\">high</option><option value=\"4\">critical</option></select></div>", out);
	fputs("<table id=\"findings-table\"><thead><tr><th>severity</th><th>rule</th><th>where</th><th>finding and fix</th>"
	      "<th>location</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < f->n && i < MAX_FINDING_ROWS; i++) {
		const tm_finding *fd = &f->v[i];
		fprintf(out, "<tr data-sev=\"%d\"><td>", (int)fd->severity);
		sev_pill(out, fd->severity);
		if (fd->suppressed)
			fputs(" <span class=\"muted\">suppressed</span>", out);
		fputs("</td><td><code>", out);
		esc(out, fd->rule);
		fputs("</code></td><td>", out);
		if (fd->src && fd->dst) {
			fputs("<code>", out);
			esc(out, fd->src);
			fputs("</code> → <code>", out);
			esc(out, fd->dst);
			fputs("</code>", out);
			if (fd->conns) {
				fputs(" ", out);
				esc(out, fd->conns);
			}
		} else if (fd->subject)
			esc(out, fd->subject);
		else if (fd->src) {
			fputs("<code>", out);
			esc(out, fd->src);
			fputs("</code>", out);
		}
		fputs("</td><td>", out);
		esc(out, fd->message);
		if (fd->hint) {
			fputs("<br><span class=\"fix\"><b>Fix:</b> ", out);
			esc(out, fd->hint);
			fputs("</span>", out);
		}
		if (fd->suppressed) {
			fputs("<br><span class=\"muted\">Suppressed by ", out);
			esc(out, fd->suppressed_by);
			fputs(": ", out);
			esc(out, fd->suppress_reason);
			fputs("</span>", out);
		}
		fputs("</td><td>", out);
		for (size_t k = 0; k < fd->nlocations; k++) {
			const tm_floc *l = &fd->locations[k];
			fputs(k ? "<br><code>" : "<code>", out);
			esc(out, l->loc.file);
			if (l->loc.line)
				fprintf(out, ":%u", l->loc.line);
			fputs("</code>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>", out);
	if (f->n > MAX_FINDING_ROWS)
		fprintf(out, "<p>… and %zu more findings (see <code>trustmap check --format json</code>).</p>", f->n - MAX_FINDING_ROWS);
	fputs("</section>\n", out);
}

static void matrix(FILE *out, const tm_render_in *in, tm_buf *b)
{
	const tm_report *r = in->report;
	size_t nz = r->nzones;
	fputs("<section id=\"matrix\"><h2>Zone × zone</h2><p>Row: from; column: to. Each cell: the endpoint pairs the "
	      "policies allow, on which ports, how many are proven mTLS (or seen without it), how many were observed, and the "
	      "worst finding. Red: a rule is broken; orange: allowed into a sensitive zone.</p>"
	      "<div style=\"overflow:auto\"><table class=\"matrix\"><thead><tr><th>from \\ to</th>", out);
	for (size_t y = 0; y < nz; y++) {
		fputs("<th>", out);
		esc(out, r->zones[y]);
		fputs(y < nz - 1 && r->sensitive[y] ? " <span class=\"muted\">(sensitive)</span>" : "", out);
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>", out);
	for (size_t x = 0; x < nz; x++) {
		fputs("<tr><th class=\"row\">", out);
		esc(out, r->zones[x]);
		fputs("</th>", out);
		for (size_t y = 0; y < nz; y++) {
			const tm_zone_cell *c = &r->matrix[x * nz + y];
			if (!c->pairs && !c->observed_only) {
				fputs("<td class=\"m-none\">—</td>", out);
				continue;
			}
			const char *cls = c->rule ? "m-find" : (y < nz - 1 && r->sensitive[y]) ? "m-sens" : "m-allow";
			fprintf(out, "<td class=\"%s\"><b>%s</b> %zu pair%s<br><small>", cls, c->pairs ? "allowed" : "observed",
				c->pairs, c->pairs == 1 ? "" : "s");
			tm_buf_reset(b);
			if (c->ports)
				tm_ports_format(c->ports, b);
			if (b->len > 60) {
				b->len = 60;
				b->s[60] = 0;
				esc(out, tm_buf_str(b));
				fputs("…", out);
			} else
				esc(out, tm_buf_str(b));
			fputs("</small>", out);
			if (c->mtls || c->unprotected)
				fprintf(out, "<br><small>mTLS %zu, not %zu</small>", c->mtls, c->unprotected);
			else
				fputs("<br><small class=\"muted\">protection unknown</small>", out);
			if (r->has_observed)
				fprintf(out, "<br><small>observed %zu%s</small>", c->observed,
					c->observed_only ? " (some not allowed)" : "");
			if (c->rule) {
				fputs("<br><code>", out);
				esc(out, c->rule);
				fprintf(out, "</code> ×%zu", c->findings);
			}
			fputs("</td>", out);
		}
		fputs("</tr>", out);
	}
	fputs("</tbody></table></div></section>\n", out);
}

static void observed(FILE *out, const tm_render_in *in, tm_buf *b)
{
	const tm_report *r = in->report;
	fputs("<section id=\"observed\"><h2>Observed vs allowed</h2>", out);
	if (!r->has_observed) {
		fputs("<p class=\"muted\">No traffic was given (<code>--pcap FILE</code>): nothing observed to compare.</p></section>\n",
		      out);
		return;
	}
	fprintf(out, "<div class=\"cards\">");
	card(out, "", r->allowed_seen, "allowed and seen");
	card(out, "", r->allowed_unseen, "allowed, never seen");
	card(out, r->observed_only ? "sev-high" : "", r->observed_only, "seen, not allowed");
	fputs("</div><p>Allowed but never seen: candidates to close. Seen but not allowed: the policies are not enforced "
	      "where the capture was taken, or the capture predates them.</p>", out);
	const tm_annots *an = in->annots;
	if (an && an->nobserved_only) {
		fputs("<table><thead><tr><th>source</th><th>destination</th><th>seen on</th><th>protection</th></tr></thead><tbody>",
		      out);
		for (size_t i = 0; i < an->nobserved_only && i < MAX_OBSERVED_ROWS; i++) {
			const tm_observed_edge *o = &an->observed_only[i];
			fputs("<tr><td><code>", out);
			esc(out, in->g->eps[o->src].name);
			fputs("</code></td><td><code>", out);
			esc(out, in->g->eps[o->dst].name);
			fputs("</code></td><td>", out);
			ports(out, o->ports, b);
			fprintf(out, "</td><td>%s</td></tr>", tm_protection_name(o->a.protection));
		}
		fputs("</tbody></table>", out);
		if (an->nobserved_only > MAX_OBSERVED_ROWS)
			fprintf(out, "<p>… and %zu more.</p>", an->nobserved_only - MAX_OBSERVED_ROWS);
	}
	fputs("</section>\n", out);
}

static void lateral(FILE *out, const tm_render_in *in, tm_buf *b)
{
	const tm_report *r = in->report;
	fprintf(out, "<section id=\"lateral\"><h2>Lateral movement from internet-exposed workloads</h2><p>Every workload the "
		"internet (or the ingress controller) may reach directly, and what a compromise of it reaches within %u hops; "
		"paths into sensitive zones are listed.</p>", r->hops);
	if (!r->nexposed) {
		fputs("<p class=\"muted\">No workload is reachable from the internet.</p></section>\n", out);
		return;
	}
	fputs("<table><thead><tr><th>exposed workload</th><th>from the internet</th><th>reaches</th><th>into sensitive zones</th>"
	      "</tr></thead><tbody>", out);
	for (size_t i = 0; i < r->nexposed; i++) {
		const tm_exposed *x = &r->exposed[i];
		fputs("<tr><td><code>", out);
		esc(out, x->name);
		fputs("</code></td><td>", out);
		esc(out, x->via);
		fputs(": ", out);
		ports(out, x->from_internet, b);
		fprintf(out, "</td><td>%zu workload%s (%zu endpoints)</td><td>", x->reached_workloads,
			x->reached_workloads == 1 ? "" : "s", x->reached);
		if (!x->ntargets)
			fputs("<span class=\"muted\">none</span>", out);
		for (size_t k = 0; k < x->ntargets; k++) {
			const tm_reach_target *t = &x->targets[k];
			fputs(k ? "<br>" : "", out);
			fprintf(out, "<span class=\"pill sev-high\">%s</span> %u hop%s: ", t->zone, t->hops, t->hops == 1 ? "" : "s");
			esc(out, t->path);
			fputs(" <span class=\"muted\">(", out);
			ports(out, t->ports, b);
			fputs(")</span>", out);
		}
		if (x->targets_total > x->ntargets)
			fprintf(out, "<br>… and %zu more", x->targets_total - x->ntargets);
		fputs("</td></tr>", out);
	}
	fputs("</tbody></table>", out);
	if (r->exposed_total > r->nexposed)
		fprintf(out, "<p>… and %zu more exposed workloads (<code>trustmap reach</code> answers for any one).</p>",
			r->exposed_total - r->nexposed);
	fputs("</section>\n", out);
}

/* A diagram as inline SVG: the XML prolog, doctype and namespace
 * declarations are left out (HTML needs none, and they name URLs). */
static tm_err svg_inline(FILE *out, const tm_render_in *in, const tm_diagram *d, const char *heading, bool legend)
{
	char *dot = NULL, *svg = NULL;
	size_t dlen = 0, slen = 0;
	FILE *m1 = open_memstream(&dot, &dlen);
	if (!m1)
		return TM_ERR_NOMEM;
	tm_diagram_title t = {heading, in->paths, in->npaths, in->zones, in->input_time, legend};
	tm_diagram_dot(d, &t, m1);
	fclose(m1);
	FILE *m2 = open_memstream(&svg, &slen);
	tm_err rc = m2 ? tm_gv_render(dot, dlen, "svg", m2) : TM_ERR_NOMEM;
	if (m2)
		fclose(m2);
	free(dot);
	if (rc != TM_OK) {
		free(svg);
		return rc;
	}
	const char *s = strstr(svg, "<svg");
	fputs("<div class=\"diagram\">", out);
	while (s && *s) {
		const char *x = strstr(s, " xmlns");
		const char *gt = strchr(s, '>');
		if (!x || !gt || x > gt) { /* the rest: no more declarations in the root tag */
			fputs(s, out);
			break;
		}
		fwrite(s, 1, (size_t)(x - s), out);
		const char *q1 = strchr(x, '"');
		const char *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
		s = q2 ? q2 + 1 : x + 6;
	}
	fputs("</div>", out);
	free(svg);
	return TM_OK;
}

static tm_err diagrams(FILE *out, const tm_render_in *in)
{
	const tm_report *r = in->report;
	fputs("<section id=\"diagrams\"><h2>Diagrams</h2><h3>Namespaces</h3>", out);
	tm_err rc = svg_inline(out, in, &r->overview, "namespaces and zones", true);
	for (size_t i = 0; i < r->nper_zone && rc == TM_OK; i++) {
		const tm_diagram *d = &r->per_zone[i];
		fprintf(out, "<details%s><summary>zone ", i == 0 ? " open" : "");
		esc(out, d->zone);
		fprintf(out, ": %zu node%s, %zu edge%s (%s level)</summary>", d->nnodes, d->nnodes == 1 ? "" : "s", d->nedges,
			d->nedges == 1 ? "" : "s", tm_level_name(d->level));
		if (!d->nnodes)
			fputs("<p class=\"muted\">The zone holds no endpoint.</p>", out);
		else {
			tm_buf h;
			tm_buf_init(&h, 1024);
			(void)tm_buf_addf(&h, "zone %s", d->zone);
			rc = svg_inline(out, in, d, tm_buf_str(&h), false);
			tm_buf_release(&h);
		}
		fputs("</details>", out);
	}
	fputs("</section>\n", out);
	return rc;
}

tm_err tm_render_report_html(const tm_render_in *in, FILE *out)
{
	tm_buf b;
	tm_buf_init(&b, 1 << 20);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>trustmap report</title><style>", out);
	fputs(css, out);
	fputs("</style></head><body>\n", out);
	header(out, in, &b);
	summary(out, in);
	assumptions(out, in, &b);
	findings(out, in, &b);
	matrix(out, in, &b);
	observed(out, in, &b);
	lateral(out, in, &b);
	tm_err rc = diagrams(out, in);
	fputs("</main><script>", out);
	fputs(js, out);
	fputs("</script></body></html>\n", out);
	tm_buf_release(&b);
	if (rc == TM_OK && ferror(out))
		rc = TM_ERR_IO;
	return rc;
}
