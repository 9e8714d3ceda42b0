/* findings_txt.c - `check` and `diff` as text for people. */
#include "render/findings.h"

#include <string.h>

void tm_findings_summary_text(const tm_findings *f, tm_buf *out)
{
	tm_findings_summary s;
	tm_findings_summarize(f, &s);
	size_t active = s.total - s.suppressed;
	tm_buf_addf(out, "%zu finding%s", active, active == 1 ? "" : "s");
	bool first = true;
	for (int i = TM_NSEV - 1; i >= 0; i--) {
		if (!s.by_sev[i])
			continue;
		tm_buf_addf(out, "%s%zu %s", first ? ": " : ", ", s.by_sev[i], tm_severity_name((tm_severity)i));
		first = false;
	}
	if (s.suppressed)
		tm_buf_addf(out, " (and %zu suppressed)", s.suppressed);
}

void tm_note_loc_text(const tm_note *n, tm_buf *out)
{
	if (!n->loc.file || !*n->loc.file)
		return;
	(void)tm_buf_adds(out, n->loc.file);
	if (n->loc.line)
		(void)tm_buf_addf(out, ":%u", n->loc.line);
	if (n->loc.line && n->loc.col)
		(void)tm_buf_addf(out, ":%u", n->loc.col);
}

void tm_notes_txt(const tm_findings *f, FILE *out)
{
	if (!f->nnotes)
		return;
	tm_buf b;
	tm_buf_init(&b, 1 << 16);
	fputs("Not covered by this answer:\n", out);
	for (size_t i = 0; i < f->nnotes; i++) {
		const tm_note *n = &f->notes[i];
		fprintf(out, "  note %s: %s\n", n->code, n->message);
		tm_buf_reset(&b);
		tm_note_loc_text(n, &b);
		if (b.len)
			fprintf(out, "    at %s\n", tm_buf_str(&b));
	}
	fputc('\n', out);
	tm_buf_release(&b);
}

static void finding_txt(const tm_finding *fd, FILE *out)
{
	fprintf(out, "%s %s: %s%s\n", tm_severity_name(fd->severity), fd->rule, fd->title,
		fd->suppressed ? " [suppressed]" : "");
	if (fd->src && fd->dst)
		fprintf(out, "  %s => %s%s%s\n", fd->src, fd->dst, fd->conns ? " : " : "", fd->conns ? fd->conns : "");
	fprintf(out, "  %s\n", fd->message);
	for (size_t i = 0; i < fd->nlocations; i++) {
		const tm_floc *l = &fd->locations[i];
		fprintf(out, "  at %s", l->loc.file);
		if (l->loc.line)
			fprintf(out, ":%u", l->loc.line);
		if (l->loc.line && l->loc.col)
			fprintf(out, ":%u", l->loc.col);
		fprintf(out, "  %s\n", l->what ? l->what : "");
	}
	if (fd->hint)
		fprintf(out, "  fix: %s\n", fd->hint);
	if (fd->suppressed)
		fprintf(out, "  suppressed by %s: %s\n", fd->suppressed_by ? fd->suppressed_by : "annotation",
			fd->suppress_reason ? fd->suppress_reason : "");
}

/* -v: what each zone holds, so that a typo in a zone shows */
static void zones_txt(const tm_findings *f, FILE *out)
{
	for (size_t i = 0; i < f->nzones; i++) {
		const tm_zone_members *z = &f->zones[i];
		fprintf(out, "zone %s: %zu member%s\n", z->zone, z->nmembers, z->nmembers == 1 ? "" : "s");
		for (size_t k = 0; k < z->nmembers; k++)
			fprintf(out, "  %s\n", z->members[k]);
	}
	if (f->nzones)
		fputc('\n', out);
}

tm_err tm_render_findings_txt(const tm_render_in *in, FILE *out)
{
	const tm_findings *f = in->findings;
	tm_buf b;
	tm_buf_init(&b, 0);
	for (size_t i = 0; i < f->n; i++) {
		finding_txt(&f->v[i], out);
		fputc('\n', out);
	}
	if (in->verbose)
		zones_txt(f, out);
	tm_notes_txt(f, out);
	tm_findings_summary_text(f, &b);
	fprintf(out, "%s; zones: %s\n", tm_buf_str(&b), in->zones ? in->zones : "defaults");
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

static const char *const kind_names[] = {"changed", "added", "removed"};

tm_err tm_render_diff_txt(const tm_render_in *in, FILE *out)
{
	const tm_diff *d = in->diff;
	tm_buf b;
	tm_buf_init(&b, 0);
	fputs("Connectivity diff:\n", out);
	for (size_t i = 0; i < d->n; i++) {
		const tm_conn_change *c = &d->v[i];
		fprintf(out, "diff-type: %s, source: %s, destination: %s, dir1: %s, dir2: %s", kind_names[c->kind], c->src,
			c->dst, c->old_text, c->new_text);
		if (c->info)
			fprintf(out, ", workloads-diff-info: %s", c->info);
		fputc('\n', out);
	}
	if (!d->n)
		fputs("No connections diff\n", out);
	if (d->nprot)
		fputs("\nMesh protection diff:\n", out);
	for (size_t i = 0; i < d->nprot; i++) {
		const tm_prot_change *p = &d->prot[i];
		fprintf(out, "diff-type: %s, source: %s, destination: %s, ports: %s, dir1: %s, dir2: %s\n",
			tm_prot_change_name(p->kind), p->src, p->dst, p->conn, tm_protection_name(p->old_prot),
			tm_protection_name(p->new_prot));
	}
	fputs("\nFindings diff:\n", out);
	for (int k = 0; k < 2; k++) {
		const tm_findings *f = k == 0 ? d->new_findings : d->fixed_findings;
		for (size_t i = 0; i < f->n; i++) {
			const tm_finding *fd = &f->v[i];
			fprintf(out, "%s: %s %s: %s%s\n", k == 0 ? "new" : "fixed", tm_severity_name(fd->severity), fd->rule,
				fd->message, fd->suppressed ? " [suppressed]" : "");
		}
	}
	tm_buf_reset(&b);
	if (d->new_findings->nnotes)
		fputc('\n', out);
	tm_notes_txt(d->new_findings, out);
	tm_findings_summary_text(d->new_findings, &b);
	fprintf(out, "new: %s; fixed: %zu; unchanged: %zu\n", tm_buf_str(&b), d->fixed_findings->n,
		d->unchanged_findings);
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
