/* jsonw.h - the one JSON writer of render/: streaming, through a 64 KiB
 * buffer of its own over a FILE (one stdio call per piece was a fifth of
 * `trustmap flows` on large captures, docs/benchmarks.md), strings scanned
 * for escapes 8 bytes at a time. The writer only formats: keys, commas and
 * newlines are the renderer's, written with TM_JSONW_LIT (tm_jsonw_lines
 * walks the one shape of array the renderers share).
 *
 * Escapes (every JSON output of trustmap, byte for byte): '"' and '\\' and
 * \n \r \t by their short forms, other bytes below 0x20 as \u00xx (lower-case
 * hex); every other byte, UTF-8 included, as it is.
 *
 * A write error is remembered: later writes are dropped and tm_jsonw_close()
 * reports TM_ERR_IO. */
#ifndef TM_RENDER_JSONW_H
#define TM_RENDER_JSONW_H

#include "model/base.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct tm_jsonw {
	FILE *out;
	size_t n;    /* bytes in b */
	bool failed; /* a write to out failed */
	char b[1 << 16];
} tm_jsonw;

/* A writer over out (which it does not own), or NULL when out of memory. */
tm_jsonw *tm_jsonw_new(FILE *out);
/* Flushes and frees w; TM_ERR_IO when a write failed or out has its error
 * flag set, else TM_OK. NULL is TM_ERR_NOMEM. */
tm_err tm_jsonw_close(tm_jsonw *w);
/* Hands the buffered bytes to out (e.g. before writing to out directly). */
void tm_jsonw_flush(tm_jsonw *w);

/* n bytes as they are. */
__attribute__((always_inline)) static inline void tm_jsonw_raw(tm_jsonw *w, const char *s, size_t n)
{
	if (n > sizeof w->b - w->n) {
		tm_jsonw_flush(w);
		if (n > sizeof w->b) {
			if (!w->failed && fwrite(s, 1, n, w->out) != n)
				w->failed = true;
			return;
		}
	}
	memcpy(w->b + w->n, s, n);
	w->n += n;
}

/* a string literal as it is, its length known at compile time */
#define TM_JSONW_LIT(w, lit) tm_jsonw_raw((w), "" lit, sizeof(lit) - 1)

/* a NUL-terminated string as it is (names and keywords that need no escape) */
static inline void tm_jsonw_raws(tm_jsonw *w, const char *s)
{
	tm_jsonw_raw(w, s, strlen(s));
}

/* false only when none of the 8 bytes is < 0x20, '"' or '\\' (the borrows
 * of the "has a byte below" trick can flag a byte after a hit, never hide
 * one; the byte loop after it decides) */
static inline bool tm_jsonw_esc8_(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
	uint64_t lt = (v - ones * 0x20) & ~v;
	uint64_t zq = (q - ones) & ~q, zb = (b - ones) & ~b;
	return ((lt | zq | zb) & high) != 0;
}

/* the escaping path of tm_jsonw_str_n: s[i] is the first byte to escape */
void tm_jsonw_str_esc_(tm_jsonw *w, const char *s, size_t n, size_t i);

/* A JSON string literal of the n bytes at s (no NUL needed). */
static inline void tm_jsonw_str_n(tm_jsonw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint64_t v;
	for (; i + 8 <= n; i += 8) {
		memcpy(&v, p + i, 8);
		if (tm_jsonw_esc8_(v))
			break;
	}
	if (i < n && n - i < 8 && n >= 8) { /* the tail: the last 8 bytes, overlapping */
		memcpy(&v, p + n - 8, 8);
		if (!tm_jsonw_esc8_(v))
			i = n;
	}
	while (i < n && p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')
		i++;
	if (i < n) {
		tm_jsonw_str_esc_(w, s, n, i);
		return;
	}
	if (n + 2 <= sizeof w->b - w->n) {
		w->b[w->n++] = '"';
		memcpy(w->b + w->n, s, n);
		w->n += n;
		w->b[w->n++] = '"';
		return;
	}
	TM_JSONW_LIT(w, "\"");
	tm_jsonw_raw(w, s, n);
	TM_JSONW_LIT(w, "\"");
}

/* A JSON string literal of s; NULL is null. */
static inline void tm_jsonw_str(tm_jsonw *w, const char *s)
{
	if (s)
		tm_jsonw_str_n(w, s, strlen(s));
	else
		TM_JSONW_LIT(w, "null");
}

/* Integers in decimal. */
void tm_jsonw_u64(tm_jsonw *w, uint64_t v);
void tm_jsonw_i64(tm_jsonw *w, int64_t v);

static inline void tm_jsonw_bool(tm_jsonw *w, bool v)
{
	if (v)
		TM_JSONW_LIT(w, "true");
	else
		TM_JSONW_LIT(w, "false");
}

/* An array of n items, one a line: "[", then for each item "," (all but the
 * first), a newline, ind and two spaces, and what item(w, i, ctx) writes; a
 * newline and ind before "]" when there were items. */
void tm_jsonw_lines(tm_jsonw *w, size_t n, const char *ind, void (*item)(tm_jsonw *w, size_t i, const void *ctx),
		    const void *ctx);

/* v / 1000000 with six decimals, rounded down (microseconds as seconds:
 * -1 is -1.999999, as printf("%lld.%06lld") of the floor division). */
void tm_jsonw_fixed6(tm_jsonw *w, int64_t v);

#endif
