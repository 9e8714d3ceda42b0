/* findings_json.c - `check` and `diff` as JSON (contract: docs/json.md). */
#include "render/findings.h"
#include "render/render.h"

#include <string.h>

static void jstr_or_null(FILE *out, const char *s)
{
	if (s)
		tm_json_str(out, s);
	else
		fputs("null", out);
}

static void finding_json(const tm_finding *fd, FILE *out, const char *ind)
{
	fprintf(out, "{\n%s  \"rule\": ", ind);
	tm_json_str(out, fd->rule);
	fprintf(out, ",\n%s  \"severity\": \"%s\",\n%s  \"title\": ", ind, tm_severity_name(fd->severity), ind);
	tm_json_str(out, fd->title);
	fprintf(out, ",\n%s  \"message\": ", ind);
	tm_json_str(out, fd->message);
	fprintf(out, ",\n%s  \"subject\": ", ind);
	jstr_or_null(out, fd->subject);
	fprintf(out, ",\n%s  \"src\": ", ind);
	jstr_or_null(out, fd->src);
	fprintf(out, ",\n%s  \"dst\": ", ind);
	jstr_or_null(out, fd->dst);
	fprintf(out, ",\n%s  \"conns\": ", ind);
	jstr_or_null(out, fd->conns);
	fprintf(out, ",\n%s  \"locations\": [", ind);
	for (size_t i = 0; i < fd->nlocations; i++) {
		const tm_floc *l = &fd->locations[i];
		fprintf(out, "%s\n%s    {\"file\": ", i ? "," : "", ind);
		tm_json_str(out, l->loc.file);
		fprintf(out, ", \"line\": %u, \"column\": %u, \"what\": ", l->loc.line, l->loc.col);
		jstr_or_null(out, l->what);
		fputc('}', out);
	}
	if (fd->nlocations)
		fprintf(out, "\n%s  ", ind);
	fprintf(out, "],\n%s  \"hint\": ", ind);
	jstr_or_null(out, fd->hint);
	fprintf(out, ",\n%s  \"suppressed\": %s", ind, fd->suppressed ? "true" : "false");
	if (fd->suppressed) {
		fprintf(out, ",\n%s  \"suppressed_by\": ", ind);
		jstr_or_null(out, fd->suppressed_by);
		fprintf(out, ",\n%s  \"suppression_reason\": ", ind);
		jstr_or_null(out, fd->suppress_reason);
	}
	fprintf(out, "\n%s}", ind);
}

static void summary_json(const tm_findings *f, const tm_render_in *o, FILE *out, const char *ind)
{
	tm_findings_summary s;
	tm_findings_summarize(f, &s);
	fprintf(out, "{\n%s  \"total\": %zu,\n%s  \"active\": %zu,\n%s  \"suppressed\": %zu,\n%s  \"by_severity\": {", ind,
		s.total, ind, s.total - s.suppressed, ind, s.suppressed, ind);
	for (int i = TM_NSEV - 1; i >= 0; i--)
		fprintf(out, "\"%s\": %zu%s", tm_severity_name((tm_severity)i), s.by_sev[i], i ? ", " : "");
	fputs("}", out);
	if (o) {
		fprintf(out, ",\n%s  \"zones\": ", ind);
		jstr_or_null(out, o->zones);
		fprintf(out, ",\n%s  \"fail_on\": ", ind);
		if (o->has_fail_on)
			fprintf(out, "\"%s\",\n%s  \"failed\": %s", tm_severity_name(o->fail_on), ind,
				tm_findings_any_at_least(f, o->fail_on) ? "true" : "false");
		else
			fprintf(out, "null,\n%s  \"failed\": false", ind);
	}
	fprintf(out, "\n%s}", ind);
}

static void findings_array(const tm_findings *f, FILE *out, const char *ind)
{
	char inner[16];
	snprintf(inner, sizeof inner, "%s  ", ind);
	fputc('[', out);
	for (size_t i = 0; i < f->n; i++) {
		fprintf(out, "%s\n%s", i ? "," : "", inner);
		finding_json(&f->v[i], out, inner);
	}
	if (f->n)
		fprintf(out, "\n%s", ind);
	fputc(']', out);
}

tm_err tm_render_findings_json(const tm_render_in *in, FILE *out)
{
	const tm_findings *f = in->findings;
	fputs("{\n  \"findings\": ", out);
	findings_array(f, out, "  ");
	fputs(",\n  \"summary\": ", out);
	summary_json(f, in, out, "  ");
	fputs("\n}\n", out);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

tm_err tm_render_diff_json(const tm_render_in *in, FILE *out)
{
	const tm_diff *d = in->diff;
	static const char *const kinds[] = {"changed", "added", "removed"};
	fputs("{\n  \"connections\": [", out);
	for (size_t i = 0; i < d->n; i++) {
		const tm_conn_change *c = &d->v[i];
		fprintf(out, "%s\n    {\"diff_type\": \"%s\", \"src\": ", i ? "," : "", kinds[c->kind]);
		tm_json_str(out, c->src);
		fputs(", \"dst\": ", out);
		tm_json_str(out, c->dst);
		fputs(", \"old\": ", out);
		tm_json_str(out, c->old_text);
		fputs(", \"new\": ", out);
		tm_json_str(out, c->new_text);
		fputs(", \"info\": ", out);
		jstr_or_null(out, c->info);
		fputc('}', out);
	}
	fputs(d->n ? "\n  ],\n  \"new_findings\": " : "],\n  \"new_findings\": ", out);
	findings_array(d->new_findings, out, "  ");
	fputs(",\n  \"fixed_findings\": ", out);
	findings_array(d->fixed_findings, out, "  ");
	fputs(",\n  \"summary\": ", out);
	/* the summary counts new findings: --fail-on applies to them only */
	summary_json(d->new_findings, in, out, "  ");
	fprintf(out, ",\n  \"fixed\": %zu,\n  \"unchanged\": %zu\n}\n", d->fixed_findings->n, d->unchanged_findings);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
