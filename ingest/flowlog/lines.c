/* lines.c - the bounded line reader of flow logs (lines.h). */
#include "ingest/flowlog/lines.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK ((size_t)1 << 18)

tm_err tm_lines_open(tm_lines *l, tm_flowset *fs, const char *path, size_t max)
{
	memset(l, 0, sizeof *l);
	l->fs = fs;
	l->name = tm_intern(&fs->strs, path);
	l->max = max ? max : TM_LINES_MAX_DEFAULT;
	if (!strcmp(path, "-"))
		l->f = stdin;
	else {
		l->f = fopen(path, "rb");
		l->close_f = true;
	}
	if (!l->f) {
		tm_diags_add(&fs->diags, TM_DIAG_ERROR, (tm_srcloc){l->name, 0, 0}, "cannot open: %s", strerror(errno));
		return TM_ERR_IO;
	}
	/* the window holds one whole line plus a chunk read ahead */
	l->buf = malloc(l->max + CHUNK + 1);
	if (!l->buf) {
		if (l->close_f)
			fclose(l->f);
		l->f = NULL;
		return TM_ERR_NOMEM;
	}
	return TM_OK;
}

/* more bytes at the end of the window; false at the end of the input */
static bool fill(tm_lines *l)
{
	if (l->eof)
		return false;
	if (l->pos) {
		memmove(l->buf, l->buf + l->pos, l->len - l->pos);
		l->len -= l->pos;
		l->pos = 0;
	}
	size_t room = l->max + CHUNK - l->len;
	if (!room)
		return false;
	size_t n = fread(l->buf + l->len, 1, room < CHUNK ? room : CHUNK, l->f);
	if (n == 0) {
		if (ferror(l->f))
			l->error = true;
		l->eof = true;
		return false;
	}
	l->len += n;
	return true;
}

static void report(tm_lines *l, unsigned col, const char *fmt, va_list ap)
{
	l->bad++;
	if (l->bad > TM_LINES_REPORT)
		return;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	unsigned line = l->lineno > 0xFFFFFFFFu ? 0xFFFFFFFFu : (unsigned)l->lineno;
	tm_diags_add(&l->fs->diags, TM_DIAG_WARN, (tm_srcloc){l->name, line, col}, "%s", msg);
}

void tm_lines_bad(tm_lines *l, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(l, col, fmt, ap);
	va_end(ap);
}

static void too_long(tm_lines *l, ...)
{
	va_list ap;
	va_start(ap, l);
	report(l, 0, "line longer than %zu bytes: skipped", ap);
	va_end(ap);
}

bool tm_lines_next(tm_lines *l, char **line, size_t *len)
{
	for (;;) {
		size_t off = 0; /* bytes after pos already searched */
		char *nl = NULL;
		for (;;) {
			nl = memchr(l->buf + l->pos + off, '\n', l->len - l->pos - off);
			if (nl)
				break;
			off = l->len - l->pos;
			if (off > l->max || !fill(l)) /* fill() moves the window: off stays relative to pos */
				break;
		}
		if (!nl && l->len - l->pos > l->max) {
			/* over the limit: drop bytes up to the newline, never holding them */
			l->lineno++;
			l->too_long++;
			too_long(l, l->max);
			for (;;) {
				nl = memchr(l->buf + l->pos, '\n', l->len - l->pos);
				if (nl) {
					l->pos = (size_t)(nl - l->buf) + 1;
					break;
				}
				l->pos = l->len = 0;
				if (!fill(l))
					return false;
			}
			continue;
		}
		if (!nl && l->pos == l->len)
			return false; /* the end, after a final newline */
		char *s = l->buf + l->pos;
		size_t n = nl ? (size_t)(nl - s) : l->len - l->pos;
		l->pos += n + (nl ? 1 : 0);
		l->lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		s[n] = 0;
		*line = s;
		*len = n;
		return true;
	}
}

tm_err tm_lines_close(tm_lines *l)
{
	tm_err rc = TM_OK;
	if (l->bad > TM_LINES_REPORT)
		tm_diags_add(&l->fs->diags, TM_DIAG_WARN, (tm_srcloc){l->name, 0, 0},
			     "%llu more bad line%s not listed (%llu in all)", (unsigned long long)(l->bad - TM_LINES_REPORT),
			     l->bad - TM_LINES_REPORT == 1 ? "" : "s", (unsigned long long)l->bad);
	if (l->error) {
		tm_diags_add(&l->fs->diags, TM_DIAG_ERROR, (tm_srcloc){l->name, 0, 0}, "read error");
		rc = TM_ERR_IO;
	}
	if (l->f && l->close_f)
		fclose(l->f);
	free(l->buf);
	l->buf = NULL;
	l->f = NULL;
	return rc;
}
