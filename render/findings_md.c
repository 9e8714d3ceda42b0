/* findings_md.c - `check` and `diff` as Markdown, ready to post as a
 * pull-request comment. */
#include "render/findings.h"

#include <string.h>

/* Table cell text: '|' escaped, newlines as spaces, '<' '>' as entities. */
static void cell(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else
			fputc(*s, out);
	}
}

/* Inline code: backticks inside are replaced so the span stays closed. */
static void code(FILE *out, const char *s)
{
	fputc('`', out);
	for (; s && *s; s++)
		fputc(*s == '`' ? '\'' : *s == '|' ? '/' : *s == '\n' ? ' ' : *s, out);
	fputc('`', out);
}

static const char *const sev_icon[TM_NSEV] = {"info", "low", "medium", "**high**", "**critical**"};

static void findings_table(const tm_findings *f, FILE *out)
{
	fputs("| severity | rule | where | finding | location |\n|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < f->n; i++) {
		const tm_finding *fd = &f->v[i];
		fprintf(out, "| %s%s | ", sev_icon[fd->severity], fd->suppressed ? " (suppressed)" : "");
		code(out, fd->rule);
		fputs(" | ", out);
		if (fd->src && fd->dst) {
			code(out, fd->src);
			fputs(" → ", out);
			code(out, fd->dst);
			if (fd->conns) {
				fputs(" ", out);
				cell(out, fd->conns);
			}
		} else if (fd->subject)
			cell(out, fd->subject);
		else if (fd->src)
			code(out, fd->src);
		fputs(" | ", out);
		cell(out, fd->message);
		if (fd->hint) {
			fputs("<br>*Fix:* ", out);
			cell(out, fd->hint);
		}
		if (fd->suppressed) {
			fputs("<br>*Suppressed by* ", out);
			cell(out, fd->suppressed_by);
			fputs(": ", out);
			cell(out, fd->suppress_reason);
		}
		fputs(" | ", out);
		for (size_t k = 0; k < fd->nlocations; k++) {
			const tm_floc *l = &fd->locations[k];
			fputs(k ? "<br>" : "", out);
			fputc('`', out);
			cell(out, l->loc.file);
			if (l->loc.line)
				fprintf(out, ":%u", l->loc.line);
			fputc('`', out);
		}
		fputs(" |\n", out);
	}
}

tm_err tm_render_findings_md(const tm_render_in *in, FILE *out)
{
	const tm_findings *f = in->findings;
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_findings_summary_text(f, &b);
	fprintf(out, "### trustmap check\n\n**%s** (zones: %s)\n\n", tm_buf_str(&b), in->zones ? in->zones : "defaults");
	if (f->n)
		findings_table(f, out);
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

tm_err tm_render_diff_md(const tm_render_in *in, FILE *out)
{
	const tm_diff *d = in->diff;
	static const char *const kinds[] = {"changed", "added", "removed"};
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_findings_summary_text(d->new_findings, &b);
	fprintf(out, "### trustmap diff\n\n**New: %s. Fixed: %zu.** Connections changed: %zu.\n\n", tm_buf_str(&b),
		d->fixed_findings->n, d->n);
	if (d->new_findings->n) {
		fputs("#### New findings\n\n", out);
		findings_table(d->new_findings, out);
		fputc('\n', out);
	}
	if (d->fixed_findings->n) {
		fprintf(out, "<details><summary>Fixed findings (%zu)</summary>\n\n", d->fixed_findings->n);
		findings_table(d->fixed_findings, out);
		fputs("\n</details>\n\n", out);
	}
	if (d->n) {
		fprintf(out, "<details><summary>Connectivity changes (%zu)</summary>\n\n"
			     "| diff-type | source | destination | before | after | info |\n|---|---|---|---|---|---|\n", d->n);
		for (size_t i = 0; i < d->n; i++) {
			const tm_conn_change *c = &d->v[i];
			fprintf(out, "| %s | ", kinds[c->kind]);
			code(out, c->src);
			fputs(" | ", out);
			code(out, c->dst);
			fputs(" | ", out);
			cell(out, c->old_text);
			fputs(" | ", out);
			cell(out, c->new_text);
			fputs(" | ", out);
			cell(out, c->info ? c->info : "");
			fputs(" |\n", out);
		}
		fputs("\n</details>\n", out);
	}
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
