/* findings_md.c - `check` and `diff` as Markdown, ready to post as a
 * pull-request comment.
 *
 * A comment holds at most 65,536 characters (GitHub): every byte goes
 * through one counting writer (md), which never lets the output pass
 * TM_MD_LIMIT bytes (bytes >= characters). The summary and the notes come
 * first; each table row is formatted on its own and written only when it
 * fits (and --max-rows allows it); the first row that does not ends the
 * table with "… and N more (see the SARIF/JSON)", and nothing more is
 * formatted for that table, so a million-row diff costs a few hundred rows. */
#include "render/findings.h"

#include <string.h>



/* Write s unconditionally (headers, closing tags: within the reserve). */
void tm_md_raw(tm_md *w, const char *s, size_t n)
{
	if (w->used + n >= TM_MD_LIMIT) /* never: the reserve holds them */
		return;
	fwrite(s, 1, n, w->out);
	w->used += n;
}

void tm_md_puts(tm_md *w, const char *s)
{
	tm_md_raw(w, s, strlen(s));
}

/* Write b if it fits before the reserve; false when it does not. */
bool tm_md_fits(tm_md *w, const tm_buf *b)
{
	if (b->toobig || w->used + b->len + TM_MD_RESERVE >= TM_MD_LIMIT)
		return false;
	tm_md_raw(w, tm_buf_str(b), b->len);
	return true;
}

/* Table cell text: '|' escaped, newlines as spaces, '<' '>' as entities. */
void tm_md_cell(tm_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			(void)tm_buf_adds(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			(void)tm_buf_addc(b, ' ');
		else if (*s == '<')
			(void)tm_buf_adds(b, "&lt;");
		else if (*s == '>')
			(void)tm_buf_adds(b, "&gt;");
		else
			(void)tm_buf_addc(b, *s);
	}
}

/* Inline code: backticks inside are replaced so the span stays closed. */
void tm_md_code(tm_buf *b, const char *s)
{
	(void)tm_buf_addc(b, '`');
	for (; s && *s; s++)
		(void)tm_buf_addc(b, *s == '`' ? '\'' : *s == '|' ? '/' : *s == '\n' ? ' ' : *s);
	(void)tm_buf_addc(b, '`');
}

/* Rows [i, n) are left out: say how many, and where they all are. */
void tm_md_cut(tm_md *w, size_t left)
{
	char line[160];
	snprintf(line, sizeof line, "\n… and %zu more (see the %s)\n", left, w->rest);
	tm_md_puts(w, line);
}

/* Can row i of a table be written? (--max-rows, and the limit once hit) */
bool tm_md_row_allowed(const tm_md *w, size_t i)
{
	return !w->full && (!w->max_rows || i < w->max_rows);
}

/* Write the row in w->row, or cut the table there: false when cut. */
bool tm_md_row(tm_md *w, size_t i, size_t n)
{
	if (tm_md_fits(w, &w->row))
		return true;
	w->full = true;
	tm_md_cut(w, n - i);
	return false;
}

static const char *const sev_icon[TM_NSEV] = {"info", "low", "medium", "**high**", "**critical**"};

static void finding_row(tm_buf *b, const tm_finding *fd)
{
	(void)tm_buf_addf(b, "| %s%s | ", sev_icon[fd->severity], fd->suppressed ? " (suppressed)" : "");
	tm_md_code(b, fd->rule);
	(void)tm_buf_adds(b, " | ");
	if (fd->src && fd->dst) {
		tm_md_code(b, fd->src);
		(void)tm_buf_adds(b, " → ");
		tm_md_code(b, fd->dst);
		if (fd->conns) {
			(void)tm_buf_adds(b, " ");
			tm_md_cell(b, fd->conns);
		}
	} else if (fd->subject)
		tm_md_cell(b, fd->subject);
	else if (fd->src)
		tm_md_code(b, fd->src);
	(void)tm_buf_adds(b, " | ");
	tm_md_cell(b, fd->message);
	if (fd->hint) {
		(void)tm_buf_adds(b, "<br>*Fix:* ");
		tm_md_cell(b, fd->hint);
	}
	if (fd->suppressed) {
		(void)tm_buf_adds(b, "<br>*Suppressed by* ");
		tm_md_cell(b, fd->suppressed_by);
		(void)tm_buf_adds(b, ": ");
		tm_md_cell(b, fd->suppress_reason);
	}
	(void)tm_buf_adds(b, " | ");
	for (size_t k = 0; k < fd->nlocations; k++) {
		const tm_floc *l = &fd->locations[k];
		(void)tm_buf_adds(b, k ? "<br>`" : "`");
		tm_md_cell(b, l->loc.file);
		if (l->loc.line)
			(void)tm_buf_addf(b, ":%u", l->loc.line);
		(void)tm_buf_addc(b, '`');
	}
	(void)tm_buf_adds(b, " |\n");
}

void tm_md_findings_table(tm_md *w, const tm_findings *f)
{
	tm_md_puts(w, "| severity | rule | where | finding | location |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < f->n; i++) {
		if (!tm_md_row_allowed(w, i)) {
			tm_md_cut(w, f->n - i);
			return;
		}
		tm_buf_reset(&w->row);
		finding_row(&w->row, &f->v[i]);
		if (!tm_md_row(w, i, f->n))
			return;
	}
}

/* The notes, right after the summary: what the answer does not cover. */
void tm_md_notes(tm_md *w, const tm_findings *f)
{
	if (!f->nnotes)
		return;
	tm_md_puts(w, "> **Not covered by this answer:**\n");
	for (size_t i = 0; i < f->nnotes; i++) {
		const tm_note *n = &f->notes[i];
		tm_buf_reset(&w->row);
		(void)tm_buf_adds(&w->row, "> - ");
		tm_md_code(&w->row, n->code);
		(void)tm_buf_adds(&w->row, ": ");
		tm_md_cell(&w->row, n->message);
		tm_buf loc;
		tm_buf_init(&loc, 1 << 12);
		tm_note_loc_text(n, &loc);
		if (loc.len) {
			(void)tm_buf_adds(&w->row, " (");
			tm_md_code(&w->row, tm_buf_str(&loc));
			(void)tm_buf_adds(&w->row, ")");
		}
		tm_buf_release(&loc);
		(void)tm_buf_adds(&w->row, "\n");
		if (!tm_md_fits(w, &w->row)) {
			char line[160];
			snprintf(line, sizeof line, "> - … and %zu more notes (see the %s)\n", f->nnotes - i, w->rest);
			tm_md_puts(w, line);
			break;
		}
	}
	tm_md_puts(w, "\n");
}

void tm_md_init(tm_md *w, FILE *out, const tm_render_in *in, const char *rest)
{
	memset(w, 0, sizeof *w);
	w->rest = rest;
	w->out = out;
	w->max_rows = in->max_rows;
	tm_buf_init(&w->row, TM_MD_LIMIT); /* a row longer than a comment never fits */
}

tm_err tm_render_findings_md(const tm_render_in *in, FILE *out)
{
	const tm_findings *f = in->findings;
	tm_md w;
	tm_md_init(&w, out, in, "SARIF/JSON");
	tm_findings_summary_text(f, &w.row);
	(void)tm_buf_addf(&w.row, "** (zones: %s)\n\n", in->zones ? in->zones : "defaults");
	tm_md_puts(&w, "### trustmap check\n\n**");
	tm_md_raw(&w, tm_buf_str(&w.row), w.row.len);
	tm_md_notes(&w, f);
	if (f->n)
		tm_md_findings_table(&w, f);
	tm_buf_release(&w.row);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

static void change_row(tm_buf *b, const tm_conn_change *c)
{
	static const char *const kinds[] = {"changed", "added", "removed"};
	(void)tm_buf_addf(b, "| %s | ", kinds[c->kind]);
	tm_md_code(b, c->src);
	(void)tm_buf_adds(b, " | ");
	tm_md_code(b, c->dst);
	(void)tm_buf_adds(b, " | ");
	tm_md_cell(b, c->old_text);
	(void)tm_buf_adds(b, " | ");
	tm_md_cell(b, c->new_text);
	(void)tm_buf_adds(b, " | ");
	tm_md_cell(b, c->info ? c->info : "");
	(void)tm_buf_adds(b, " |\n");
}

static void prot_row(tm_buf *b, const tm_prot_change *p)
{
	(void)tm_buf_addf(b, "| %s | ", tm_prot_change_name(p->kind));
	tm_md_code(b, p->src);
	(void)tm_buf_adds(b, " | ");
	tm_md_code(b, p->dst);
	(void)tm_buf_adds(b, " | ");
	tm_md_cell(b, p->conn);
	(void)tm_buf_addf(b, " | %s | %s |\n", tm_protection_name(p->old_prot), tm_protection_name(p->new_prot));
}

/* The mesh protection changes, weakened and opened first (docs/semantics.md). */
static void prot_table(tm_md *w, const tm_diff *d)
{
	char line[200];
	snprintf(line, sizeof line,
		 "<details><summary>Mesh protection changes (%zu)</summary>\n\n"
		 "| diff-type | source | destination | ports | before | after |\n|---|---|---|---|---|---|\n",
		 d->nprot);
	tm_md_puts(w, line);
	for (size_t i = 0; i < d->nprot; i++) {
		if (!tm_md_row_allowed(w, i)) {
			tm_md_cut(w, d->nprot - i);
			break;
		}
		tm_buf_reset(&w->row);
		prot_row(&w->row, &d->prot[i]);
		if (!tm_md_row(w, i, d->nprot))
			break;
	}
	tm_md_puts(w, "\n</details>\n\n");
}

tm_err tm_render_diff_md(const tm_render_in *in, FILE *out)
{
	const tm_diff *d = in->diff;
	tm_md w;
	char line[200];
	tm_md_init(&w, out, in, "JSON");
	tm_findings_summary_text(d->new_findings, &w.row);
	tm_md_puts(&w, "### trustmap diff\n\n**New: ");
	tm_md_raw(&w, tm_buf_str(&w.row), w.row.len);
	snprintf(line, sizeof line, ". Fixed: %zu.** Connections changed: %zu.", d->fixed_findings->n, d->n);
	tm_md_puts(&w, line);
	if (d->nprot) {
		snprintf(line, sizeof line, " Mesh protection changed: %zu.", d->nprot);
		tm_md_puts(&w, line);
	}
	tm_md_puts(&w, "\n\n");
	tm_md_notes(&w, d->new_findings);
	if (d->new_findings->n) {
		tm_md_puts(&w, "#### New findings\n\n");
		tm_md_findings_table(&w, d->new_findings);
		tm_md_puts(&w, "\n");
	}
	if (d->fixed_findings->n) {
		snprintf(line, sizeof line, "<details><summary>Fixed findings (%zu)</summary>\n\n", d->fixed_findings->n);
		tm_md_puts(&w, line);
		tm_md_findings_table(&w, d->fixed_findings);
		tm_md_puts(&w, "\n</details>\n\n");
	}
	if (d->nprot)
		prot_table(&w, d);
	if (d->n) {
		snprintf(line, sizeof line,
			 "<details><summary>Connectivity changes (%zu)</summary>\n\n"
			 "| diff-type | source | destination | before | after | info |\n|---|---|---|---|---|---|\n",
			 d->n);
		tm_md_puts(&w, line);
		for (size_t i = 0; i < d->n; i++) {
			if (!tm_md_row_allowed(&w, i)) {
				tm_md_cut(&w, d->n - i);
				break;
			}
			tm_buf_reset(&w.row);
			change_row(&w.row, &d->v[i]);
			if (!tm_md_row(&w, i, d->n))
				break;
		}
		tm_md_puts(&w, "\n</details>\n");
	}
	tm_buf_release(&w.row);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
