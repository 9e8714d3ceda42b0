/* json.c - JSON text to libyaml events, one pass, with positions (json.h).
 *
 * An explicit stack instead of recursion (the depth users may allow is far
 * beyond a C stack's). Every read of the text is bounded by len; the text
 * need not be NUL-terminated. */
#include "ingest/manifest/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct jr {
	const char *s;
	size_t len, i;
	size_t line, lstart;      /* 0-based line; offset of its first byte */
	size_t cont;              /* UTF-8 continuation bytes read on this line (in strings) */
	tm_yaml_sink sink;
	void *arg;
	char *buf;                /* a decoded string or a formatted number */
	size_t blen, bcap;
	unsigned char *stk;       /* '{' or '[' per open container */
	size_t *stk_at;           /* where each opened */
	size_t depth, cap;
	size_t max_depth;
	yaml_mark_t *at;
	tm_buf *err;
	bool stopped;
} jr;

/* The mark of off, at or after everything read so far on its line:
 * columns count code points, and bytes above 0x7F are only valid inside
 * strings, whose continuation bytes read_string() counts. */
static yaml_mark_t mark_at(jr *r, size_t off)
{
	yaml_mark_t m = {off, r->line, off - r->lstart - r->cont};
	return m;
}

/* the position of an earlier offset on any line (for messages only) */
static yaml_mark_t mark_any(const jr *r, size_t off)
{
	yaml_mark_t m = {off, 0, 0};
	size_t ls = 0;
	for (size_t k = 0; k < off && k < r->len; k++)
		if (r->s[k] == '\n') {
			m.line++;
			ls = k + 1;
		}
	for (size_t k = ls; k < off && k < r->len; k++)
		m.column += ((unsigned char)r->s[k] & 0xC0) != 0x80;
	return m;
}

static tm_json_rc fail(jr *r, size_t off, const char *fmt, ...) TM_PRINTF(3, 4);
static tm_json_rc fail(jr *r, size_t off, const char *fmt, ...)
{
	va_list ap;
	*r->at = mark_any(r, off); /* exact wherever off is; errors only */
	va_start(ap, fmt);
	tm_buf_vaddf(r->err, fmt, ap);
	va_end(ap);
	return TM_JSON_SYNTAX;
}

/* "near 'x'": up to 20 bytes of the token at off, for messages */
static void near_text(const jr *r, size_t off, char *out, size_t n)
{
	size_t k = 0;
	while (off + k < r->len && k + 1 < n && k < 20) {
		unsigned char ch = (unsigned char)r->s[off + k];
		if (ch < 0x20 || ch >= 0x7f || (k && strchr(",:[]{} \t", ch)))
			break;
		out[k] = (char)ch;
		k++;
	}
	out[k] = 0;
}

static void emit(jr *r, yaml_event_type_t t, yaml_mark_t m, const char *v, size_t n, const char *tag)
{
	if (r->stopped)
		return;
	yaml_event_t ev;
	memset(&ev, 0, sizeof ev);
	ev.type = t;
	ev.start_mark = ev.end_mark = m;
	if (t == YAML_MAPPING_START_EVENT)
		ev.data.mapping_start.implicit = 1;
	if (t == YAML_SEQUENCE_START_EVENT)
		ev.data.sequence_start.implicit = 1;
	if (t == YAML_SCALAR_EVENT) {
		ev.data.scalar.value = (yaml_char_t *)(uintptr_t)v;
		ev.data.scalar.length = n;
		ev.data.scalar.tag = (yaml_char_t *)(uintptr_t)tag;
		bool str = tag == NULL || !strcmp(tag, TM_JSON_STR_TAG);
		ev.data.scalar.style = str ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE;
		ev.data.scalar.quoted_implicit = str;
	}
	if (r->sink(r->arg, &ev))
		r->stopped = true;
}

static void put(jr *r, const char *p, size_t n)
{
	if (r->blen + n + 1 > r->bcap) {
		while (r->blen + n + 1 > r->bcap)
			r->bcap = r->bcap ? r->bcap * 2 : 256;
		r->buf = tm_xrealloc(r->buf, r->bcap);
	}
	memcpy(r->buf + r->blen, p, n);
	r->blen += n;
	r->buf[r->blen] = 0;
}

static void put_cp(jr *r, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	put(r, u, n);
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, at most U+10FFFF), 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
	unsigned c = p[0];
	size_t n;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[k] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(const jr *r, size_t at, uint32_t *v)
{
	if (at + 4 > r->len)
		return false;
	*v = 0;
	for (size_t k = 0; k < 4; k++) {
		int h = hexval(r->s[at + k]);
		if (h < 0)
			return false;
		*v = (*v << 4) | (uint32_t)h;
	}
	return true;
}

/* The string whose '"' is at r->i, decoded into r->buf; r->i after it. */
static tm_json_rc read_string(jr *r)
{
	size_t start = r->i;
	const unsigned char *s = (const unsigned char *)r->s;
	r->i++;
	r->blen = 0;
	if (r->buf)
		r->buf[0] = 0;
	for (;;) {
		size_t run = r->i;
		while (r->i < r->len && s[r->i] != '"' && s[r->i] != '\\' && s[r->i] >= 0x20 && s[r->i] < 0x80)
			r->i++;
		if (r->i > run)
			put(r, r->s + run, r->i - run);
		if (r->i >= r->len) {
			yaml_mark_t o = mark_any(r, start);
			return fail(r, r->len, "premature end of input in the string that starts at line %zu, column %zu",
				    o.line + 1, o.column + 1);
		}
		unsigned char c = s[r->i];
		if (c == '"') {
			r->i++;
			return TM_JSON_OK;
		}
		if (c < 0x20)
			return fail(r, r->i, "control character 0x%02X in a string (write it as \\u%04X)", c, c);
		if (c >= 0x80) {
			size_t n = utf8_len(s + r->i, r->len - r->i);
			if (!n)
				return fail(r, r->i, "not valid UTF-8: byte 0x%02X at offset %zu", c, r->i);
			put(r, r->s + r->i, n);
			r->i += n;
			r->cont += n - 1;
			continue;
		}
		/* a backslash */
		size_t esc = r->i;
		if (r->i + 1 >= r->len)
			return fail(r, r->len, "premature end of input in a string escape");
		char e = r->s[r->i + 1];
		r->i += 2;
		switch (e) {
		case '"': put(r, "\"", 1); break;
		case '\\': put(r, "\\", 1); break;
		case '/': put(r, "/", 1); break;
		case 'b': put(r, "\b", 1); break;
		case 'f': put(r, "\f", 1); break;
		case 'n': put(r, "\n", 1); break;
		case 'r': put(r, "\r", 1); break;
		case 't': put(r, "\t", 1); break;
		case 'u': {
			uint32_t cp, lo;
			if (!hex4(r, r->i, &cp))
				return fail(r, esc, "invalid \\u escape in a string (four hexadecimal digits expected)");
			r->i += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(r, esc, "invalid Unicode escape '\\u%04X' (a lone low surrogate)", (unsigned)cp);
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (r->i + 1 >= r->len || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u' ||
				    !hex4(r, r->i + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return fail(r, esc, "invalid Unicode escape '\\u%04X' (a high surrogate without its low half)",
						    (unsigned)cp);
				r->i += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			if (cp == 0)
				return fail(r, esc, "a string contains a NUL character (\\u0000)");
			put_cp(r, cp);
			break;
		}
		default:
			if ((unsigned char)e >= 0x20 && (unsigned char)e < 0x7f)
				return fail(r, esc, "invalid escape '\\%c' in a string", e);
			return fail(r, esc, "invalid escape in a string (byte 0x%02X after '\\')", (unsigned char)e);
		}
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number at r->i: RFC 8259 grammar; integers as jansson keeps them
 * (long long, printed "%lld"), others as doubles printed "%.17g". */
static tm_json_rc read_number(jr *r, yaml_mark_t m)
{
	size_t st = r->i, k = r->i;
	bool real = false;
	if (k < r->len && r->s[k] == '-')
		k++;
	if (k >= r->len || !is_digit(r->s[k]))
		goto bad;
	if (r->s[k] == '0') {
		k++;
		if (k < r->len && is_digit(r->s[k]))
			goto bad;
	} else {
		while (k < r->len && is_digit(r->s[k]))
			k++;
	}
	if (k < r->len && r->s[k] == '.') {
		real = true;
		k++;
		if (k >= r->len || !is_digit(r->s[k]))
			goto bad;
		while (k < r->len && is_digit(r->s[k]))
			k++;
	}
	if (k < r->len && (r->s[k] == 'e' || r->s[k] == 'E')) {
		real = true;
		k++;
		if (k < r->len && (r->s[k] == '+' || r->s[k] == '-'))
			k++;
		if (k >= r->len || !is_digit(r->s[k]))
			goto bad;
		while (k < r->len && is_digit(r->s[k]))
			k++;
	}
	r->i = k;
	{
		/* strtoll/strtod need a terminated copy */
		r->blen = 0;
		put(r, r->s + st, k - st);
		char num[64];
		errno = 0;
		if (!real) {
			long long v = strtoll(r->buf, NULL, 10);
			if (errno == ERANGE)
				return fail(r, st, "too big %sinteger", r->buf[0] == '-' ? "negative " : "");
			snprintf(num, sizeof num, "%lld", v);
			emit(r, YAML_SCALAR_EVENT, m, num, strlen(num), TM_JSON_INT_TAG);
		} else {
			double v = strtod(r->buf, NULL);
			if (errno == ERANGE && (v > 1.0 || v < -1.0))
				return fail(r, st, "real number overflow");
			snprintf(num, sizeof num, "%.17g", v);
			emit(r, YAML_SCALAR_EVENT, m, num, strlen(num), TM_JSON_FLOAT_TAG);
		}
	}
	return TM_JSON_OK;
bad: {
	char nt[24];
	near_text(r, st, nt, sizeof nt);
	return fail(r, st, "invalid number near '%s'", nt);
}
}

static void skip_ws(jr *r)
{
	const char *s = r->s;
	size_t i = r->i, len = r->len;
	for (;;) {
		while (i < len && s[i] == ' ')
			i++;
		if (i >= len)
			break;
		if (s[i] == '\n') {
			r->line++;
			r->lstart = ++i;
			r->cont = 0;
		} else if (s[i] == '\t' || s[i] == '\r') {
			i++;
		} else {
			break;
		}
	}
	r->i = i;
}

static const char *open_name(unsigned char c)
{
	return c == '{' ? "'{'" : "'['";
}

/* at end of input inside containers: name the innermost open one */
static tm_json_rc premature(jr *r, const char *what)
{
	if (!r->depth)
		return fail(r, r->len, "premature end of input (%s expected)", what);
	yaml_mark_t o = mark_any(r, r->stk_at[r->depth - 1]);
	return fail(r, r->len, "premature end of input (%s expected; the %s at line %zu, column %zu is not closed)",
		    what, open_name(r->stk[r->depth - 1]), o.line + 1, o.column + 1);
}

static tm_json_rc unexpected(jr *r, const char *what)
{
	unsigned char c = (unsigned char)r->s[r->i];
	if (c >= 0x80 && !utf8_len((const unsigned char *)r->s + r->i, r->len - r->i))
		return fail(r, r->i, "not valid UTF-8: byte 0x%02X at offset %zu", c, r->i);
	char nt[24];
	near_text(r, r->i, nt, sizeof nt);
	if (!nt[0])
		return fail(r, r->i, "%s expected, not byte 0x%02X", what, c);
	return fail(r, r->i, "%s expected near '%s'", what, nt);
}

/* A literal (true, false, null) at r->i */
static tm_json_rc read_word(jr *r, yaml_mark_t m)
{
	static const struct {
		const char *w;
		const char *tag;
	} words[] = {{"true", TM_JSON_BOOL_TAG}, {"false", TM_JSON_BOOL_TAG}, {"null", TM_JSON_NULL_TAG}};
	for (size_t k = 0; k < TM_ARRAY_LEN(words); k++) {
		size_t n = strlen(words[k].w);
		if (r->len - r->i >= n && !memcmp(r->s + r->i, words[k].w, n) &&
		    (r->i + n >= r->len || !((r->s[r->i + n] >= 'a' && r->s[r->i + n] <= 'z') ||
					     (r->s[r->i + n] >= 'A' && r->s[r->i + n] <= 'Z')))) {
			/* as jansson: "true1" is true, then 1 (one value after another) */
			r->i += n;
			emit(r, YAML_SCALAR_EVENT, m, words[k].w, n, words[k].tag);
			return TM_JSON_OK;
		}
	}
	return unexpected(r, "a value");
}

static void push(jr *r, unsigned char c)
{
	if (r->depth >= r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->stk = tm_xrealloc(r->stk, r->cap);
		r->stk_at = tm_xrealloc(r->stk_at, r->cap * sizeof *r->stk_at);
	}
	r->stk[r->depth] = c;
	r->stk_at[r->depth] = r->i;
	r->depth++;
}

/* a key string and its colon, at r->i (after white space) */
static tm_json_rc read_key(jr *r)
{
	if (r->i >= r->len)
		return premature(r, "a string (an object key)");
	if (r->s[r->i] != '"')
		return unexpected(r, "a string (an object key)");
	yaml_mark_t m = mark_at(r, r->i);
	tm_json_rc rc = read_string(r);
	if (rc != TM_JSON_OK)
		return rc;
	emit(r, YAML_SCALAR_EVENT, m, r->buf ? r->buf : "", r->blen, TM_JSON_STR_TAG);
	skip_ws(r);
	if (r->i >= r->len)
		return premature(r, "':'");
	if (r->s[r->i] != ':')
		return unexpected(r, "':' after an object key");
	r->i++;
	return TM_JSON_OK;
}

/* One top-level value and everything inside it. */
static tm_json_rc read_value(jr *r)
{
	for (;;) {
		/* a value is expected */
		skip_ws(r);
		if (r->stopped)
			return TM_JSON_STOPPED;
		if (r->i >= r->len)
			return premature(r, "a value");
		yaml_mark_t m = mark_at(r, r->i);
		char c = r->s[r->i];
		tm_json_rc rc = TM_JSON_OK;
		if (c == '{' || c == '[') {
			if (r->depth > r->max_depth)
				return fail(r, r->i, "nesting deeper than %zu levels", r->max_depth);
			emit(r, c == '{' ? YAML_MAPPING_START_EVENT : YAML_SEQUENCE_START_EVENT, m, NULL, 0, NULL);
			push(r, (unsigned char)c);
			r->i++;
			skip_ws(r);
			if (r->stopped)
				return TM_JSON_STOPPED;
			if (r->i < r->len && r->s[r->i] == (c == '{' ? '}' : ']')) {
				r->depth--;
				emit(r, c == '{' ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT, mark_at(r, r->i),
				     NULL, 0, NULL);
				r->i++;
			} else if (c == '{') {
				if ((rc = read_key(r)) != TM_JSON_OK)
					return rc;
				continue;
			} else {
				continue;
			}
		} else if (c == '"') {
			if ((rc = read_string(r)) != TM_JSON_OK)
				return rc;
			emit(r, YAML_SCALAR_EVENT, m, r->buf ? r->buf : "", r->blen, TM_JSON_STR_TAG);
		} else if (c == '-' || is_digit(c)) {
			if ((rc = read_number(r, m)) != TM_JSON_OK)
				return rc;
		} else {
			if ((rc = read_word(r, m)) != TM_JSON_OK)
				return rc;
		}
		/* after a value: close containers, or a comma */
		for (;;) {
			if (r->stopped)
				return TM_JSON_STOPPED;
			if (!r->depth)
				return TM_JSON_OK;
			skip_ws(r);
			unsigned char top = r->stk[r->depth - 1];
			const char *want = top == '{' ? "',' or '}'" : "',' or ']'";
			if (r->i >= r->len)
				return premature(r, want);
			char d = r->s[r->i];
			if (d == ',') {
				r->i++;
				if (top == '{') {
					skip_ws(r);
					if ((rc = read_key(r)) != TM_JSON_OK)
						return rc;
				}
				break;
			}
			if (d == (top == '{' ? '}' : ']')) {
				r->depth--;
				emit(r, top == '{' ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT, mark_at(r, r->i),
				     NULL, 0, NULL);
				r->i++;
				continue;
			}
			return unexpected(r, want);
		}
	}
}

tm_json_rc tm_json_events(const char *data, size_t len, unsigned max_depth, tm_yaml_sink sink,
			  void *arg, yaml_mark_t *at, tm_buf *err)
{
	jr r;
	memset(&r, 0, sizeof r);
	r.s = data;
	r.len = len;
	r.sink = sink;
	r.arg = arg;
	r.max_depth = max_depth;
	r.at = at;
	r.err = err;
	tm_json_rc rc = TM_JSON_OK;
	yaml_mark_t m0 = {0, 0, 0};
	emit(&r, YAML_STREAM_START_EVENT, m0, NULL, 0, NULL);
	for (;;) {
		skip_ws(&r);
		if (r.stopped) {
			rc = TM_JSON_STOPPED;
			goto out;
		}
		if (r.i >= r.len)
			break;
		yaml_mark_t m = mark_at(&r, r.i);
		emit(&r, YAML_DOCUMENT_START_EVENT, m, NULL, 0, NULL);
		rc = read_value(&r);
		if (rc != TM_JSON_OK)
			goto out;
		emit(&r, YAML_DOCUMENT_END_EVENT, mark_at(&r, r.i), NULL, 0, NULL);
	}
	emit(&r, YAML_STREAM_END_EVENT, mark_at(&r, r.i), NULL, 0, NULL);
	rc = r.stopped ? TM_JSON_STOPPED : TM_JSON_OK;
out:
	free(r.buf);
	free(r.stk);
	free(r.stk_at);
	return rc;
}

/* ---- looking ahead for "kind" ---- */
/* the end of the string that opens at p[i] ('"'), or len */
static size_t skip_str(const char *p, size_t len, size_t i, bool *esc)
{
	for (i++; i < len; i++) {
		const char *q = memchr(p + i, '"', len - i);
		const char *b = memchr(p + i, '\\', (q ? (size_t)(q - p) : len) - i);
		if (b) {
			*esc = true;
			i = (size_t)(b - p) + 1;
			continue;
		}
		return q ? (size_t)(q - p) + 1 : len;
	}
	return len;
}

static size_t skip_ws_at(const char *p, size_t len, size_t i)
{
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i;
}

/* the bytes that matter to skip_val() inside a container */
static const unsigned char structural[256] = {
	['"'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
};

/* the end of the value at p[i] (lexically: strings and brackets) */
static size_t skip_val(const char *p, size_t len, size_t i)
{
	size_t depth = 0;
	bool esc;
	while (i < len) {
		if (depth)
			while (i < len && !structural[(unsigned char)p[i]])
				i++;
		if (i >= len)
			break;
		char c = p[i];
		if (c == '"') {
			i = skip_str(p, len, i, &esc);
			if (!depth)
				return i;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (!depth)
				return i;
			if (--depth == 0)
				return i + 1;
		} else if (!depth && (c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r')) {
			return i;
		}
		i++;
	}
	return len;
}

const char *tm_json_peek_kind(const char *data, size_t len, size_t off, size_t *klen)
{
	if (off >= len || data[off] != '[')
		return NULL;
	size_t i = skip_val(data, len, off);
	for (;;) {
		i = skip_ws_at(data, len, i);
		if (i >= len || data[i] != ',')
			return NULL;
		i = skip_ws_at(data, len, i + 1);
		if (i >= len || data[i] != '"')
			return NULL;
		bool esc = false;
		size_t ke = skip_str(data, len, i, &esc);
		bool is_kind = !esc && ke - i == 6 && !memcmp(data + i, "\"kind\"", 6);
		i = skip_ws_at(data, len, ke);
		if (i >= len || data[i] != ':')
			return NULL;
		i = skip_ws_at(data, len, i + 1);
		if (is_kind) {
			if (i >= len || data[i] != '"')
				return NULL;
			esc = false;
			size_t ve = skip_str(data, len, i, &esc);
			if (esc || ve > len || ve < i + 2)
				return NULL;
			*klen = ve - i - 2;
			return data + i + 1;
		}
		i = skip_val(data, len, i);
	}
}
