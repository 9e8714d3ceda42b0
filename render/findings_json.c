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
	nl(w, ind, "  \"locations\": [");
	for (size_t i = 0; i < fd->nlocations; i++) {
		const tm_floc *l = &fd->locations[i];
		if (i)
			TM_JSONW_LIT(w, ",");
		nl(w, ind, "    {\"file\": ");
		tm_jsonw_str(w, l->loc.file);
		TM_JSONW_LIT(w, ", \"line\": ");
		tm_jsonw_u64(w, l->loc.line);
		TM_JSONW_LIT(w, ", \"column\": ");
		tm_jsonw_u64(w, l->loc.col);
		TM_JSONW_LIT(w, ", \"what\": ");
		tm_jsonw_str(w, l->what);
		TM_JSONW_LIT(w, "}");
	}
	if (fd->nlocations)
		nl(w, ind, "  ");
	TM_JSONW_LIT(w, "],");
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

/* "notes": what the answer does not cover (docs/json.md) */
static void notes_json(tm_jsonw *w, const tm_findings *f, const char *ind)
{
	TM_JSONW_LIT(w, "[");
	for (size_t i = 0; i < f->nnotes; i++) {
		const tm_note *n = &f->notes[i];
		if (i)
			TM_JSONW_LIT(w, ",");
		nl(w, ind, "  {\"code\": ");
		tm_jsonw_str(w, n->code);
		TM_JSONW_LIT(w, ", \"message\": ");
		tm_jsonw_str(w, n->message);
		TM_JSONW_LIT(w, ", \"file\": ");
		tm_jsonw_str(w, n->loc.file && *n->loc.file ? n->loc.file : NULL);
		TM_JSONW_LIT(w, ", \"line\": ");
		tm_jsonw_u64(w, n->loc.line);
		TM_JSONW_LIT(w, ", \"column\": ");
		tm_jsonw_u64(w, n->loc.col);
		TM_JSONW_LIT(w, "}");
	}
	if (f->nnotes)
		nl(w, ind, "");
	TM_JSONW_LIT(w, "]");
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

/* "zones": what each zone holds (docs/json.md) */
static void zones_json(tm_jsonw *w, const tm_findings *f)
{
	TM_JSONW_LIT(w, "[");
	for (size_t i = 0; i < f->nzones; i++) {
		const tm_zone_members *z = &f->zones[i];
		if (i)
			TM_JSONW_LIT(w, ",");
		TM_JSONW_LIT(w, "\n    {\"name\": ");
		tm_jsonw_str(w, z->zone);
		TM_JSONW_LIT(w, ", \"file\": ");
		tm_jsonw_str(w, z->loc.file);
		TM_JSONW_LIT(w, ", \"line\": ");
		tm_jsonw_u64(w, z->loc.line);
		TM_JSONW_LIT(w, ", \"members\": [");
		for (size_t k = 0; k < z->nmembers; k++) {
			if (k)
				TM_JSONW_LIT(w, ", ");
			tm_jsonw_str(w, z->members[k]);
		}
		TM_JSONW_LIT(w, "]}");
	}
	if (f->nzones)
		TM_JSONW_LIT(w, "\n  ");
	TM_JSONW_LIT(w, "]");
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
	notes_json(w, f, "  ");
	TM_JSONW_LIT(w, ",\n  \"summary\": ");
	summary_json(w, f, in, "  ");
	TM_JSONW_LIT(w, ",\n  \"zones\": ");
	zones_json(w, f);
	TM_JSONW_LIT(w, "\n}\n");
	return tm_jsonw_close(w);
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
		TM_JSONW_LIT(w, "\n  ],\n  \"new_findings\": ");
	else
		TM_JSONW_LIT(w, "],\n  \"new_findings\": ");
	findings_array(w, d->new_findings, "  ");
	TM_JSONW_LIT(w, ",\n  \"fixed_findings\": ");
	findings_array(w, d->fixed_findings, "  ");
	TM_JSONW_LIT(w, ",\n  \"notes\": ");
	notes_json(w, d->new_findings, "  ");
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
