/* jscan.h - a pull scanner for one JSON value in a buffer (a flow-log line):
 * members and elements are visited in order, values the caller does not
 * want are skipped without being built. It validates as it goes (RFC 8259
 * syntax, UTF-8 is not checked, nesting at most TM_JS_DEPTH) and stops at
 * the first error, which it keeps with its column.
 *
 * jansson builds a tree of every value; a Hubble line has a hundred of them
 * and the reader wants a dozen, so this is five times faster on the 1 M-line
 * benchmark (docs/benchmarks.md).
 *
 * Ownership: strings returned point into the line, or into the scanner's
 * scratch buffer when they hold escapes; both stay valid for the line. */
#ifndef TM_FLOWLOG_JSCAN_H
#define TM_FLOWLOG_JSCAN_H

#include "model/base.h"

#include <stdint.h>

#define TM_JS_DEPTH 64

typedef enum {
	TM_JS_END = 0, /* nothing more (or an error) */
	TM_JS_OBJ, TM_JS_ARR, TM_JS_STR, TM_JS_NUM, TM_JS_TRUE, TM_JS_FALSE, TM_JS_NULL,
} tm_js_type;

typedef struct tm_js_str {
	const char *s;
	size_t n;
} tm_js_str;

typedef struct tm_js {
	const char *p, *start, *end;
	unsigned depth;
	const char *err;      /* NULL until an error */
	size_t err_col;       /* 1-based */
	char *scratch;        /* unescaped strings, one after the other: at least the line's length */
	size_t scap, sused;
} tm_js;

/* scratch must hold len bytes (an unescaped string is never longer). */
void tm_js_init(tm_js *j, const char *s, size_t len, char *scratch, size_t scap);
/* The type of the next value (after blanks), without consuming it. */
tm_js_type tm_js_peek(tm_js *j);
/* Objects: tm_js_obj() consumes '{'; then while tm_js_key() gives a key,
 * read or skip its value. tm_js_key() returns false at '}' (consumed) or on
 * an error. Arrays likewise with tm_js_arr() and tm_js_more(). */
bool tm_js_obj(tm_js *j);
bool tm_js_key(tm_js *j, tm_js_str *key);
bool tm_js_arr(tm_js *j);
bool tm_js_more(tm_js *j);
/* Values. Each returns false (and sets err, but for a type mismatch,
 * which skips the value and returns false with err NULL) when the next
 * value is not of that type. */
bool tm_js_skip(tm_js *j);
bool tm_js_string(tm_js *j, tm_js_str *out);
/* an unsigned integer, or a string holding one (protobuf's 64-bit integers) */
bool tm_js_u64(tm_js *j, uint64_t *out);
/* a number (or a string holding one), as a double */
bool tm_js_num(tm_js *j, double *out);
bool tm_js_bool(tm_js *j, bool *out);
/* After the value: only blanks may follow. */
bool tm_js_done(tm_js *j);
/* true when s equals the NUL-terminated lit */
static inline bool tm_js_is(tm_js_str s, const char *lit)
{
	size_t i = 0;
	for (; i < s.n; i++)
		if (lit[i] != s.s[i] || !lit[i])
			return false;
	return lit[i] == 0;
}

#endif
