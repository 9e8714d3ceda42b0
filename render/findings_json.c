/* findings_json.c - `check` and `diff` as JSON (contract: docs/json.md). */
#include "render/findings.h"
#include "render/render.h"
#include "render/jsonw.h"

#include <string.h>

/* a newline and the indent of the current level, then text */
static void nl(tm_jsonw *w, const char *ind, const char *text)
{
	TM_JSONW_LIT(w, "\n");
	tm_jsonw_raws(w, ind);
	tm_jsonw_raws(w, text);
}

/* "file": F, "line": L and, with column, "column": C: where a location, a
 * note or a zone is (docs/json.md) */
static void where_json(tm_jsonw *w, const char *file, const tm_srcloc *loc, bool column)
{
	TM_JSONW_LIT(w, "\"file\": ");
	tm_jsonw_str(w, file);
	TM_JSONW_LIT(w, ", \"line\": ");
	tm_jsonw_u64(w, loc->line);
	if (column) {
		TM_JSONW_LIT(w, ", \"column\": ");
		tm_jsonw_u64(w, loc->col);
	}
}

/* a finding's location i (ctx: the finding) */
static void location_json(tm_jsonw *w, size_t i, const void *ctx)
{
	const tm_floc *l = &((const tm_finding *)ctx)->locations[i];
	TM_JSONW_LIT(w, "{");
	where_json(w, l->loc.file, &l->loc, true);
	TM_JSONW_LIT(w, ", \"what\": ");
	tm_jsonw_str(w, l->what);
	TM_JSONW_LIT(w, "}");
}

void tm_fevidence_jsonw(tm_jsonw *w, const tm_fevidence *ev)
{
	TM_JSONW_LIT(w, "{\"source\": ");
	tm_jsonw_str(w, ev->source);
	TM_JSONW_LIT(w, ", \"file\": ");
	tm_jsonw_str(w, ev->file);
	TM_JSONW_LIT(w, ", \"");
	tm_jsonw_raws(w, ev->unit && !strcmp(ev->unit, "packet") ? "packet" : "line");
	TM_JSONW_LIT(w, "\": ");
	if (ev->pos)
		tm_jsonw_u64(w, ev->pos);
	else
		TM_JSONW_LIT(w, "null");
	TM_JSONW_LIT(w, ", \"time\": ");
	tm_jsonw_fixed6(w, ev->time_us);
	TM_JSONW_LIT(w, ", \"transport\": ");
	tm_jsonw_str(w, ev->transport);
	TM_JSONW_LIT(w, ", \"src_ip\": ");
	tm_jsonw_str(w, ev->src_ip);
	TM_JSONW_LIT(w, ", \"src_port\": ");
	tm_jsonw_u64(w, ev->src_port);
	TM_JSONW_LIT(w, ", \"dst_ip\": ");
	tm_jsonw_str(w, ev->dst_ip);
	TM_JSONW_LIT(w, ", \"dst_port\": ");
	tm_jsonw_u64(w, ev->dst_port);
	TM_JSONW_LIT(w, ", \"shows\": ");
	tm_jsonw_str(w, ev->shows);
	if (ev->uid) {
		TM_JSONW_LIT(w, ", \"uid\": ");
		tm_jsonw_str(w, ev->uid);
	}
	if (ev->conn_file) {
		TM_JSONW_LIT(w, ", \"connection\": {\"file\": ");
		tm_jsonw_str(w, ev->conn_file);
		TM_JSONW_LIT(w, ", \"line\": ");
		if (ev->conn_pos)
			tm_jsonw_u64(w, ev->conn_pos);
		else
			TM_JSONW_LIT(w, "null");
		TM_JSONW_LIT(w, "}");
	}
	if (ev->via_file) {
		TM_JSONW_LIT(w, ", \"via_summary\": {\"file\": ");
		tm_jsonw_str(w, ev->via_file);
		TM_JSONW_LIT(w, ", \"line\": ");
		if (ev->via_pos)
			tm_jsonw_u64(w, ev->via_pos);
		else
			TM_JSONW_LIT(w, "null");
		TM_JSONW_LIT(w, "}");
	}
	TM_JSONW_LIT(w, "}");
}

static void finding_json(tm_jsonw *w, const tm_finding *fd, const char *ind)
{
	TM_JSONW_LIT(w, "{");
	nl(w, ind, "  \"rule\": ");
	tm_jsonw_str(w, fd->rule);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"severity\": \"");
	tm_jsonw_raws(w, tm_severity_name(fd->severity));
	TM_JSONW_LIT(w, "\",");
	nl(w, ind, "  \"title\": ");
	tm_jsonw_str(w, fd->title);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"message\": ");
	tm_jsonw_str(w, fd->message);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"subject\": ");
	tm_jsonw_str(w, fd->subject);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"src\": ");
	tm_jsonw_str(w, fd->src);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"dst\": ");
	tm_jsonw_str(w, fd->dst);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"conns\": ");
	tm_jsonw_str(w, fd->conns);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"locations\": ");
	char inner[24];
	snprintf(inner, sizeof inner, "%s  ", ind);
	tm_jsonw_lines(w, fd->nlocations, inner, location_json, fd);
	TM_JSONW_LIT(w, ",");
	if (fd->evidence) {
		nl(w, ind, "  \"evidence\": ");
		tm_fevidence_jsonw(w, fd->evidence);
		TM_JSONW_LIT(w, ",");
	}
	nl(w, ind, "  \"hint\": ");
	tm_jsonw_str(w, fd->hint);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"suppressed\": ");
	tm_jsonw_bool(w, fd->suppressed);
	if (fd->suppressed) {
		TM_JSONW_LIT(w, ",");
		nl(w, ind, "  \"suppressed_by\": ");
		tm_jsonw_str(w, fd->suppressed_by);
		TM_JSONW_LIT(w, ",");
		nl(w, ind, "  \"suppression_reason\": ");
		tm_jsonw_str(w, fd->suppress_reason);
	}
	nl(w, ind, "}");
}

static void summary_json(tm_jsonw *w, const tm_findings *f, const tm_render_in *o, const char *ind)
{
	tm_findings_summary s;
	tm_findings_summarize(f, &s);
	TM_JSONW_LIT(w, "{");
	nl(w, ind, "  \"total\": ");
	tm_jsonw_u64(w, s.total);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"active\": ");
	tm_jsonw_u64(w, s.total - s.suppressed);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"suppressed\": ");
	tm_jsonw_u64(w, s.suppressed);
	TM_JSONW_LIT(w, ",");
	nl(w, ind, "  \"by_severity\": {");
	for (int i = TM_NSEV - 1; i >= 0; i--) {
		TM_JSONW_LIT(w, "\"");
		tm_jsonw_raws(w, tm_severity_name((tm_severity)i));
		TM_JSONW_LIT(w, "\": ");
		tm_jsonw_u64(w, s.by_sev[i]);
		if (i)
			TM_JSONW_LIT(w, ", ");
	}
	TM_JSONW_LIT(w, "}");
	if (o) {
		TM_JSONW_LIT(w, ",");
		nl(w, ind, "  \"zones\": ");
		tm_jsonw_str(w, o->zones);
		TM_JSONW_LIT(w, ",");
		nl(w, ind, "  \"fail_on\": ");
		if (o->has_fail_on) {
			TM_JSONW_LIT(w, "\"");
			tm_jsonw_raws(w, tm_severity_name(o->fail_on));
			TM_JSONW_LIT(w, "\",");
			nl(w, ind, "  \"failed\": ");
			tm_jsonw_bool(w, tm_findings_any_at_least(f, o->fail_on));
		} else {
			TM_JSONW_LIT(w, "null,");
			nl(w, ind, "  \"failed\": false");
		}
	}
	nl(w, ind, "}");
}

/* "notes": what the answer does not cover (docs/json.md); note i (ctx: the findings) */
static void note_json(tm_jsonw *w, size_t i, const void *ctx)
{
	const tm_note *n = &((const tm_findings *)ctx)->notes[i];
	TM_JSONW_LIT(w, "{\"code\": ");
	tm_jsonw_str(w, n->code);
	TM_JSONW_LIT(w, ", \"message\": ");
	tm_jsonw_str(w, n->message);
	TM_JSONW_LIT(w, ", ");
	where_json(w, n->loc.file && *n->loc.file ? n->loc.file : NULL, &n->loc, true);
	TM_JSONW_LIT(w, "}");
}

static void findings_array(tm_jsonw *w, const tm_findings *f, const char *ind)
{
	char inner[16];
	snprintf(inner, sizeof inner, "%s  ", ind);
	TM_JSONW_LIT(w, "[");
	for (size_t i = 0; i < f->n; i++) {
		if (i)
			TM_JSONW_LIT(w, ",");
		nl(w, inner, "");
		finding_json(w, &f->v[i], inner);
	}
	if (f->n)
		nl(w, ind, "");
	TM_JSONW_LIT(w, "]");
}

/* zone i (ctx: the findings), with where it is declared for JSON */
static void zone_json(tm_jsonw *w, size_t i, const void *ctx, bool where)
{
	const tm_zone_members *z = &((const tm_findings *)ctx)->zones[i];
	TM_JSONW_LIT(w, "{\"name\": ");
	tm_jsonw_str(w, z->zone);
	if (where) {
		TM_JSONW_LIT(w, ", ");
		where_json(w, z->loc.file, &z->loc, false);
	}
	TM_JSONW_LIT(w, ", \"members\": [");
	for (size_t k = 0; k < z->nmembers; k++) {
		if (k)
			TM_JSONW_LIT(w, ", ");
		tm_jsonw_str(w, z->members[k]);
	}
	TM_JSONW_LIT(w, "]}");
}

static void zone_where(tm_jsonw *w, size_t i, const void *ctx)
{
	zone_json(w, i, ctx, true);
}

static void zone_members(tm_jsonw *w, size_t i, const void *ctx)
{
	zone_json(w, i, ctx, false);
}

void tm_zones_jsonw(tm_jsonw *w, const tm_findings *f, const char *ind, bool where)
{
	tm_jsonw_lines(w, f->nzones, ind, where ? zone_where : zone_members, f);
}

tm_err tm_render_findings_json(const tm_render_in *in, FILE *out)
{
	const tm_findings *f = in->findings;
	tm_jsonw *w = tm_jsonw_new(out);
	if (!w)
		return TM_ERR_NOMEM;
	TM_JSONW_LIT(w, "{\n  \"findings\": ");
	findings_array(w, f, "  ");
	TM_JSONW_LIT(w, ",\n  \"notes\": ");
	tm_jsonw_lines(w, f->nnotes, "  ", note_json, f);
	TM_JSONW_LIT(w, ",\n  \"summary\": ");
	summary_json(w, f, in, "  ");
	TM_JSONW_LIT(w, ",\n  \"zones\": ");
	tm_zones_jsonw(w, f, "  ", true);
	TM_JSONW_LIT(w, "\n}\n");
	return tm_jsonw_close(w);
}

/* ,\n  "protection_changes": [...] (docs/json.md) */
static void prot_changes_json(tm_jsonw *w, const tm_diff *d)
{
	TM_JSONW_LIT(w, ",\n  \"protection_changes\": [");
	for (size_t i = 0; i < d->nprot; i++) {
		const tm_prot_change *p = &d->prot[i];
		if (i)
			TM_JSONW_LIT(w, ",");
		TM_JSONW_LIT(w, "\n    {\"diff_type\": \"");
		tm_jsonw_raws(w, tm_prot_change_name(p->kind));
		TM_JSONW_LIT(w, "\", \"src\": ");
		tm_jsonw_str(w, p->src);
		TM_JSONW_LIT(w, ", \"dst\": ");
		tm_jsonw_str(w, p->dst);
		TM_JSONW_LIT(w, ", \"conn\": ");
		tm_jsonw_str(w, p->conn);
		TM_JSONW_LIT(w, ", \"old\": \"");
		tm_jsonw_raws(w, tm_protection_name(p->old_prot));
		TM_JSONW_LIT(w, "\", \"new\": \"");
		tm_jsonw_raws(w, tm_protection_name(p->new_prot));
		TM_JSONW_LIT(w, "\", \"old_reason\": ");
		tm_jsonw_str(w, p->old_reason);
		TM_JSONW_LIT(w, ", \"new_reason\": ");
		tm_jsonw_str(w, p->new_reason);
		TM_JSONW_LIT(w, "}");
	}
	if (d->nprot)
		TM_JSONW_LIT(w, "\n  ]");
	else
		TM_JSONW_LIT(w, "]");
}

tm_err tm_render_diff_json(const tm_render_in *in, FILE *out)
{
	static const char *const kinds[] = {"changed", "added", "removed"};
	const tm_diff *d = in->diff;
	tm_jsonw *w = tm_jsonw_new(out);
	if (!w)
		return TM_ERR_NOMEM;
	TM_JSONW_LIT(w, "{\n  \"connections\": [");
	for (size_t i = 0; i < d->n; i++) {
		const tm_conn_change *c = &d->v[i];
		if (i)
			TM_JSONW_LIT(w, ",");
		TM_JSONW_LIT(w, "\n    {\"diff_type\": \"");
		tm_jsonw_raws(w, kinds[c->kind]);
		TM_JSONW_LIT(w, "\", \"src\": ");
		tm_jsonw_str(w, c->src);
		TM_JSONW_LIT(w, ", \"dst\": ");
		tm_jsonw_str(w, c->dst);
		TM_JSONW_LIT(w, ", \"old\": ");
		tm_jsonw_str(w, c->old_text);
		TM_JSONW_LIT(w, ", \"new\": ");
		tm_jsonw_str(w, c->new_text);
		TM_JSONW_LIT(w, ", \"info\": ");
		tm_jsonw_str(w, c->info);
		TM_JSONW_LIT(w, "}");
	}
	if (d->n)
		TM_JSONW_LIT(w, "\n  ]");
	else
		TM_JSONW_LIT(w, "]");
	if (d->mesh) /* only when the protection was compared: a diff without a mesh is unchanged */
		prot_changes_json(w, d);
	TM_JSONW_LIT(w, ",\n  \"new_findings\": ");
	findings_array(w, d->new_findings, "  ");
	TM_JSONW_LIT(w, ",\n  \"fixed_findings\": ");
	findings_array(w, d->fixed_findings, "  ");
	TM_JSONW_LIT(w, ",\n  \"notes\": ");
	tm_jsonw_lines(w, d->new_findings->nnotes, "  ", note_json, d->new_findings);
	TM_JSONW_LIT(w, ",\n  \"summary\": ");
	/* the summary counts new findings: --fail-on applies to them only */
	summary_json(w, d->new_findings, in, "  ");
	TM_JSONW_LIT(w, ",\n  \"fixed\": ");
	tm_jsonw_u64(w, d->fixed_findings->n);
	TM_JSONW_LIT(w, ",\n  \"unchanged\": ");
	tm_jsonw_u64(w, d->unchanged_findings);
	TM_JSONW_LIT(w, "\n}\n");
	return tm_jsonw_close(w);
}
