/* diagram_dot.c - the DOT text of a tm_diagram (analyzer/diagram.h): what
 * `trustmap graph` draws and the report inlines. Namespaces (or, at
 * namespace level, zones) are clusters tinted by zone; workloads are shaped
 * by kind; the internet, other IP ranges and the ingress controller have
 * shapes of their own; an edge is red with its rule when it breaks one,
 * coloured by protection otherwise, solid when allowed, bold when also
 * observed, dashed when only observed; a legend and a title say so. The
 * text depends only on the diagram, so it is a golden-testable contract. */
#include "render/diagram.h"

#include <string.h>

/* zone tints: fill, border (no red: red is for findings) */
static const char *const zone_fill[] = {"#eef4ff", "#f5f0ff", "#edfaf6", "#fdf6e7", "#fdf0f7", "#f1f7e9", "#eaf7fb", "#f4f4f5"};
static const char *const zone_line[] = {"#3b6fd4", "#7c4fd6", "#1f8f74", "#b7791f", "#c2417f", "#5f8a1f", "#1a87a8", "#71717a"};

#define C_FINDING "#d62828"
#define C_LOW "#d98a04"
#define C_MTLS "#1a7f37"
#define C_PERMISSIVE "#b7791f"
#define C_PLAIN "#e85d04"
#define C_REJECTED "#7b2cbf"
#define C_EDGE "#56627a"

static void q(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*s, out);
	}
	fputc('"', out);
}

/* text for an HTML-like label */
static void h(FILE *out, const char *s)
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

void tm_date_text(time_t t, tm_buf *out)
{
	struct tm tmv;
	char s[40];
	if (!t || !gmtime_r(&t, &tmv) || !strftime(s, sizeof s, "%Y-%m-%d %H:%M UTC", &tmv)) {
		(void)tm_buf_adds(out, "unknown");
		return;
	}
	(void)tm_buf_adds(out, s);
}

static long zone_idx(const tm_diagram *d, const char *z)
{
	for (size_t i = 0; z && i < d->nzones; i++)
		if (!strcmp(d->zones[i], z))
			return (long)i;
	return -1;
}

/* ports text, cut at a comma past max bytes */
static void ports_text(const tm_ports *p, tm_buf *b, size_t max)
{
	tm_buf t;
	tm_buf_init(&t, 1 << 20);
	tm_ports_format(p, &t);
	const char *s = tm_buf_str(&t);
	if (t.len <= max)
		(void)tm_buf_adds(b, s);
	else {
		size_t cut = max;
		while (cut > 8 && s[cut] != ',')
			cut--;
		(void)tm_buf_add(b, s, cut);
		(void)tm_buf_adds(b, ",…");
	}
	tm_buf_release(&t);
}

/* The protection words of an edge: the weakest, or, where the mesh gives its
 * TCP ports one thing and the other protocols (never proxied) another, both:
 * "TCP mtls-permissive, UDP/SCTP plaintext". */
static void prot_text(const tm_edge_annot *a, tm_buf *b, const char *pre, const char *post)
{
	tm_protection tcp = tm_prot_weakest(a->tcp_prots), other = tm_prot_weakest(a->other_prots);
	if (a->protection == TM_PROT_UNKNOWN)
		return;
	if (a->tcp_prots && a->other_prots && tcp != other)
		(void)tm_buf_addf(b, "%sTCP %s, UDP/SCTP %s%s", pre, tm_protection_name(tcp), tm_protection_name(other), post);
	else
		(void)tm_buf_addf(b, "%s%s%s", pre, tm_protection_name(a->protection), post);
}

static const char *shape_of(const char *kind, const char **style)
{
	*style = "filled";
	if (!kind)
		return "box";
	if (!strcmp(kind, "StatefulSet"))
		return "cylinder";
	if (!strcmp(kind, "DaemonSet"))
		return "box3d";
	if (!strcmp(kind, "Job") || !strcmp(kind, "CronJob"))
		return "hexagon";
	if (!strcmp(kind, "Pod"))
		return "ellipse";
	*style = "rounded,filled";
	return "box";
}

static void node_line(FILE *out, const tm_diagram *d, const tm_dnode *n, tm_buf *b)
{
	const char *shape = "box", *style = "rounded,filled", *fill = "#ffffff", *line = "#334155";
	tm_buf_reset(b);
	switch (n->kind) {
	case TM_DN_WORKLOAD:
		shape = shape_of(n->wkind, &style);
		(void)tm_buf_addf(b, "%s\n%s", n->name, n->wkind ? n->wkind : "");
		break;
	case TM_DN_NAMESPACE:
		shape = "folder";
		style = "filled";
		(void)tm_buf_addf(b, "%s\n%zu workload%s", n->name, n->nworkloads, n->nworkloads == 1 ? "" : "s");
		if (n->internal)
			(void)tm_buf_addf(b, "\n%zu internal", n->internal);
		break;
	case TM_DN_INTERNET:
		shape = "ellipse";
		style = "filled";
		fill = "#fde8e8";
		line = "#9b1c1c";
		(void)tm_buf_addf(b, "internet\n%s", n->name);
		break;
	case TM_DN_IPRANGE:
		shape = "ellipse";
		style = "dashed,filled";
		fill = "#f1f5f9";
		(void)tm_buf_addf(b, "IP range%s%s\n%s", n->zone ? " · zone " : "", n->zone ? n->zone : "", n->name);
		break;
	case TM_DN_INGRESS:
		shape = "invhouse";
		style = "filled";
		fill = "#ffedd5";
		line = "#c2410c";
		(void)tm_buf_adds(b, "ingress\ncontroller");
		break;
	case TM_DN_EVERY_NS:
		shape = "box3d";
		style = "filled";
		fill = "#e2e8f0";
		(void)tm_buf_adds(b, "every\nnamespace");
		break;
	}
	fputs("\t", out);
	q(out, n->id);
	fputs(" [label=", out);
	q(out, tm_buf_str(b));
	fprintf(out, " shape=%s style=\"%s\" fillcolor=\"%s\" color=\"%s\"", shape, style,
		n->focused ? "#fff3b0" : fill, n->focused ? "#b45309" : line);
	if (n->focused)
		fputs(" penwidth=3 fontname=\"Helvetica-Bold\"", out);
	long z = zone_idx(d, n->zone);
	if (n->kind == TM_DN_NAMESPACE && z >= 0 && n->cluster < 0)
		fprintf(out, " fillcolor=\"%s\"", zone_fill[(size_t)z % TM_ARRAY_LEN(zone_fill)]);
	fputs("]\n", out);
}

static void cluster_open(FILE *out, const tm_diagram *d, size_t ci, tm_buf *b)
{
	const tm_dcluster *c = &d->clusters[ci];
	bool ns = d->level != TM_LEVEL_NAMESPACE;
	long z = zone_idx(d, c->zone);
	tm_buf_reset(b);
	if (ns) {
		(void)tm_buf_addf(b, "namespace %s", c->name);
		if (c->zone)
			(void)tm_buf_addf(b, "\nzone %s", c->zone);
		else if (c->mixed_zones)
			(void)tm_buf_adds(b, "\nzones: mixed");
		if (c->internal_all) {
			(void)tm_buf_adds(b, "\nevery workload ↔ every workload:\n");
			ports_text(c->internal_all, b, 40);
			prot_text(&c->internal, b, " (", ")");
		}
	} else
		(void)tm_buf_addf(b, "zone %s", c->name);
	fprintf(out, "\tsubgraph \"cluster_%zu\" {\n\t\tlabel=", ci);
	q(out, tm_buf_str(b));
	fprintf(out, "\n\t\tstyle=\"rounded,filled\" fillcolor=\"%s\" color=\"%s\" penwidth=%s fontcolor=\"%s\"\n",
		z >= 0 ? zone_fill[(size_t)z % TM_ARRAY_LEN(zone_fill)] : "#fafafa",
		z >= 0 ? zone_line[(size_t)z % TM_ARRAY_LEN(zone_line)] : "#94a3b8", z >= 0 ? "1.6" : "1",
		z >= 0 ? zone_line[(size_t)z % TM_ARRAY_LEN(zone_line)] : "#334155");
}

static void edge_line(FILE *out, const tm_diagram *d, const tm_dedge *e, tm_buf *b)
{
	const tm_dnode *s = &d->nodes[e->src], *t = &d->nodes[e->dst];
	const char *color = C_EDGE, *style = "solid";
	double pen = 1.2;
	switch (e->a.protection) {
	case TM_PROT_MTLS: color = C_MTLS; break;
	case TM_PROT_MTLS_PERMISSIVE: color = C_PERMISSIVE; break;
	case TM_PROT_PLAINTEXT: color = C_PLAIN; break;
	case TM_PROT_REJECTED: color = C_REJECTED; break;
	default: break;
	}
	if (e->a.rule) {
		color = e->a.severity >= TM_SEV_MEDIUM ? C_FINDING : C_LOW;
		pen = 2.4;
	}
	if (e->a.origin == TM_ORIGIN_OBSERVED)
		style = "dashed";
	else if (e->a.origin == TM_ORIGIN_BOTH)
		pen += 1.2;
	tm_buf_reset(b);
	if (e->a.rule)
		(void)tm_buf_addf(b, "%s\n", e->a.rule);
	if (e->src_all && e->dst_all)
		(void)tm_buf_adds(b, "every → every: ");
	else if (e->dst_all)
		(void)tm_buf_adds(b, "→ every workload: ");
	else if (e->src_all)
		(void)tm_buf_adds(b, "every workload: ");
	ports_text(e->ports, b, 36);
	if (d->level == TM_LEVEL_NAMESPACE && e->count > 1)
		(void)tm_buf_addf(b, "\n%zu pairs", e->count);
	prot_text(&e->a, b, "\n", "");
	fputs("\t", out);
	q(out, s->id);
	fputs(" -> ", out);
	q(out, t->id);
	fputs(" [label=", out);
	q(out, tm_buf_str(b));
	fprintf(out, " color=\"%s\" fontcolor=\"%s\" style=%s penwidth=%.1f", color,
		e->a.rule ? color : "#334155", style, pen);
	if (e->a.protection == TM_PROT_REJECTED)
		fputs(" arrowhead=tee", out);
	if (e->src_all)
		fprintf(out, " ltail=\"cluster_%ld\"", s->cluster);
	if (e->dst_all)
		fprintf(out, " lhead=\"cluster_%ld\"", t->cluster);
	fputs("]\n", out);
}

static void legend_row(FILE *out, const char *color, const char *style, const char *text)
{
	fprintf(out, "<tr><td align=\"left\"><font color=\"%s\"><b>%s</b></font></td><td align=\"left\">", color, style);
	h(out, text);
	fputs("</td></tr>", out);
}

/* The legend lists what this diagram draws, and only that. */
static void legend(FILE *out, const tm_diagram *d)
{
	bool high = false, low = false, plain = false, prot[TM_NPROT] = {false}, both = false, seen = false,
	     group = false;
	for (size_t i = 0; i < d->nedges; i++) {
		const tm_dedge *e = &d->edges[i];
		if (e->a.rule && e->a.severity >= TM_SEV_MEDIUM)
			high = true;
		else if (e->a.rule)
			low = true;
		else if (e->a.protection == TM_PROT_UNKNOWN)
			plain = true;
		prot[e->a.protection] = true;
		both |= e->a.origin == TM_ORIGIN_BOTH;
		seen |= e->a.origin == TM_ORIGIN_OBSERVED;
		group |= e->src_all || e->dst_all;
	}
	bool kinds[6] = {false}, focus = false, ext[6] = {false};
	for (size_t i = 0; i < d->nnodes; i++) {
		const tm_dnode *n = &d->nodes[i];
		ext[n->kind] = true;
		focus |= n->focused;
		if (n->kind != TM_DN_WORKLOAD)
			continue;
		const char *st, *sh = shape_of(n->wkind, &st);
		kinds[!strcmp(sh, "cylinder") ? 1 : !strcmp(sh, "box3d") ? 2 : !strcmp(sh, "hexagon") ? 3 : !strcmp(sh, "ellipse") ? 4
		      : strcmp(st, "filled") ? 0 : 5] = true;
	}
	fputs("\t\"legend\" [shape=plain fontsize=9 label=<<table border=\"1\" cellborder=\"0\" cellspacing=\"0\" "
	      "cellpadding=\"2\" color=\"#94a3b8\" bgcolor=\"#ffffff\"><tr><td colspan=\"2\" align=\"left\"><b>Legend</b></td></tr>", out);
	if (high)
		legend_row(out, C_FINDING, "━━", "breaks a rule (label: the rule)");
	if (low)
		legend_row(out, C_LOW, "━━", "low or info finding");
	if (plain || !d->nedges)
		legend_row(out, C_EDGE, "──", d->has_protection ? "allowed, protection unknown" : "allowed (protection not known)");
	if (prot[TM_PROT_MTLS])
		legend_row(out, C_MTLS, "──", "mTLS");
	if (prot[TM_PROT_MTLS_PERMISSIVE])
		legend_row(out, C_PERMISSIVE, "──", "mTLS and plaintext (permissive)");
	if (prot[TM_PROT_PLAINTEXT])
		legend_row(out, C_PLAIN, "──", "plaintext");
	if (prot[TM_PROT_REJECTED])
		legend_row(out, C_REJECTED, "──┤", "rejected by the mesh");
	if (both)
		legend_row(out, C_EDGE, "━━", "bold: allowed and observed");
	if (seen)
		legend_row(out, C_EDGE, "╌╌", "dashed: observed, not allowed");
	if (group)
		legend_row(out, C_EDGE, "→▭", "to or from a namespace box: every workload in it");
	if (ext[TM_DN_NAMESPACE])
		legend_row(out, "#334155", "▭", "namespace; boxes: zones; pairs: workload pairs");
	static const char *const kind_text[6] = {"rounded box: Deployment and the like", "cylinder: StatefulSet", "3-D box: DaemonSet",
						 "hexagon: Job, CronJob", "ellipse: Pod", "box: other kinds"};
	for (size_t k = 0; k < 6; k++)
		if (kinds[k])
			legend_row(out, "#334155", "▢", kind_text[k]);
	if (ext[TM_DN_INTERNET])
		legend_row(out, "#9b1c1c", "◯", "internet: IP ranges no zone holds");
	if (ext[TM_DN_IPRANGE])
		legend_row(out, "#334155", "◌", "IP range of a zone");
	if (ext[TM_DN_INGRESS])
		legend_row(out, "#c2410c", "⌂", "ingress controller");
	if (focus)
		legend_row(out, "#b45309", "▣", "--focus");
	fputs("</table>>]\n", out);
}

static void title(FILE *out, const tm_diagram *d, const tm_diagram_title *t, tm_buf *b)
{
	fputs("\tlabel=<<b>", out);
	h(out, t && t->heading ? t->heading : "trustmap graph");
	fputs("</b><br/><font point-size=\"10\">input: ", out);
	for (size_t i = 0; t && i < t->npaths; i++) {
		if (i)
			fputs(", ", out);
		h(out, t->paths[i]);
	}
	fputs(" · zones: ", out);
	h(out, t && t->zones_file ? t->zones_file : "defaults");
	if (d->nzones > 1) {
		fputs(" (", out);
		for (size_t i = 0; i + 1 < d->nzones; i++)
			fprintf(out, "%s%s", i ? ", " : "", d->zones[i]);
		fputs(")", out);
	}
	tm_buf_reset(b);
	tm_date_text(t ? t->input_time : 0, b);
	fputs(" · input date: ", out);
	h(out, tm_buf_str(b));
	fputs("<br/>level: ", out);
	fputs(tm_level_name(d->level), out);
	if (d->auto_namespace)
		fputs(" (automatic: too many workloads to read)", out);
	if (d->zone) {
		fputs(" · zone ", out);
		h(out, d->zone);
		fputs(" only", out);
	}
	fprintf(out, " · %zu connection%s drawn", d->graph_edges, d->graph_edges == 1 ? "" : "s");
	if (d->grouped)
		fprintf(out, ", %zu of them as %s", d->grouped,
			d->level == TM_LEVEL_NAMESPACE ? "namespace groups" : "all-to-all groups");
	fputs("</font>>\n", out);
}

void tm_diagram_dot(const tm_diagram *d, const tm_diagram_title *t, FILE *out)
{
	tm_buf b;
	tm_buf_init(&b, 1 << 20);
	fputs("digraph \"trustmap\" {\n", out);
	fputs("\tgraph [rankdir=LR newrank=true compound=true fontname=\"Helvetica\" fontsize=12 labelloc=t labeljust=l "
	      "nodesep=0.3 ranksep=1.1 pad=0.3 bgcolor=\"#ffffff\"]\n", out);
	fputs("\tnode [fontname=\"Helvetica\" fontsize=10 margin=\"0.12,0.06\"]\n", out);
	fputs("\tedge [fontname=\"Helvetica\" fontsize=9 arrowsize=0.7]\n", out);
	title(out, d, t, &b);
	size_t i = 0;
	while (i < d->nnodes) {
		const tm_dnode *n = &d->nodes[i];
		if (n->cluster < 0) {
			node_line(out, d, n, &b);
			i++;
			continue;
		}
		size_t ci = (size_t)n->cluster;
		cluster_open(out, d, ci, &b);
		for (size_t k = 0; k < d->clusters[ci].n; k++) {
			fputs("\t", out);
			node_line(out, d, &d->nodes[i + k], &b);
		}
		fputs("\t}\n", out);
		i += d->clusters[ci].n ? d->clusters[ci].n : 1;
	}
	for (size_t k = 0; k < d->nedges; k++)
		edge_line(out, d, &d->edges[k], &b);
	if (!t || t->legend)
		legend(out, d);
	fputs("}\n", out);
	tm_buf_release(&b);
}

tm_err tm_render_graph_dot(const tm_render_in *in, FILE *out)
{
	tm_diagram_title t = {"trustmap graph", in->paths, in->npaths, in->zones, in->input_time, true};
	tm_diagram_dot(in->diagram, &t, out);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
