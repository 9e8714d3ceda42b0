/* lines.h - flow logs line by line (Hubble and Zeek JSON lines, Zeek TSV):
 * a bounded line reader over a stream and the reporting of bad lines.
 *
 * A line longer than the limit is never held in memory: it is skipped to
 * its newline, counted, and reported with its file:line; a 1 GB line costs
 * one pass over its bytes. Problems of one input are reported as file:line:col
 * diagnostics for the first TM_LINES_REPORT lines, then counted in one
 * closing warning ("N more bad lines not listed"), never silently dropped.
 *
 * Ownership: the reader owns its buffer (tm_lines_close); a returned line is
 * valid until the next tm_lines_next(). */
#ifndef TM_FLOWLOG_LINES_H
#define TM_FLOWLOG_LINES_H

#include "model/flow.h"

#include <stdio.h>

#define TM_LINES_MAX_DEFAULT ((size_t)1 << 20) /* 1 MiB per line */
#define TM_LINES_REPORT 10                     /* bad lines listed per input */

typedef struct tm_lines {
	FILE *f;
	bool close_f;        /* opened here */
	const char *name;    /* interned in the flow set */
	char *buf;           /* max + 1 bytes window */
	size_t max, len, pos;
	bool eof, error;
	uint64_t lineno;     /* of the line returned last (1-based) */
	uint64_t too_long;   /* lines over max, skipped */
	uint64_t bad;        /* lines reported through tm_lines_bad() */
	tm_flowset *fs;      /* diagnostics go to fs->diags */
} tm_lines;

/* Open path ("-" = standard input) for fs; max 0 = TM_LINES_MAX_DEFAULT.
 * TM_ERR_IO (with a diagnostic) when it cannot be opened. */
tm_err tm_lines_open(tm_lines *l, tm_flowset *fs, const char *path, size_t max);
/* The next line without its newline (and a '\r' before it), NUL-terminated
 * in place; false at the end. Over-long lines are skipped and reported. */
bool tm_lines_next(tm_lines *l, char **line, size_t *len);
/* Report line l->lineno as bad (col 1-based, 0 = the whole line): listed
 * while fewer than TM_LINES_REPORT are, counted always. */
void tm_lines_bad(tm_lines *l, unsigned col, const char *fmt, ...) TM_PRINTF(3, 4);
/* Closes the stream, reports the bad lines not listed and a read error.
 * Returns TM_ERR_IO after a read error. */
tm_err tm_lines_close(tm_lines *l);

#endif
