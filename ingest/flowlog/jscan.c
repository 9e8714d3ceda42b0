/* jscan.c - the pull scanner of flow-log JSON (jscan.h). */
#include "ingest/flowlog/jscan.h"

#include <stdlib.h>
#include <string.h>

void tm_js_init(tm_js *j, const char *s, size_t len, char *scratch, size_t scap)
{
	memset(j, 0, sizeof *j);
	j->p = j->start = s;
	j->end = s + len;
	j->scratch = scratch;
	j->scap = scap;
}

static bool fail(tm_js *j, const char *why)
{
	if (!j->err) {
		j->err = why;
		j->err_col = (size_t)(j->p - j->start) + 1;
	}
	j->p = j->end;
	return false;
}

static inline void ws(tm_js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

tm_js_type tm_js_peek(tm_js *j)
{
	ws(j);
	if (j->err || j->p >= j->end)
		return TM_JS_END;
	switch (*j->p) {
	case '{': return TM_JS_OBJ;
	case '[': return TM_JS_ARR;
	case '"': return TM_JS_STR;
	case 't': return TM_JS_TRUE;
	case 'f': return TM_JS_FALSE;
	case 'n': return TM_JS_NULL;
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return TM_JS_NUM;
		return TM_JS_END;
	}
}

bool tm_js_obj(tm_js *j)
{
	if (tm_js_peek(j) != TM_JS_OBJ)
		return fail(j, "expected an object");
	if (++j->depth > TM_JS_DEPTH)
		return fail(j, "nested too deeply");
	j->p++;
	ws(j);
	return true;
}

bool tm_js_arr(tm_js *j)
{
	if (tm_js_peek(j) != TM_JS_ARR)
		return fail(j, "expected an array");
	if (++j->depth > TM_JS_DEPTH)
		return fail(j, "nested too deeply");
	j->p++;
	ws(j);
	return true;
}

/* a string at j->p ('"'): raw slice when it has no escape, else unescaped
 * into scratch */
static bool str_raw(tm_js *j, tm_js_str *out)
{
	const char *s = ++j->p;
	const char *q = s;
	while (q < j->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
		q++;
	if (q < j->end && *q == '"') {
		out->s = s;
		out->n = (size_t)(q - s);
		j->p = q + 1;
		return true;
	}
	/* escapes: copy into scratch */
	size_t n = (size_t)(q - s);
	char *o = j->scratch + j->sused;
	size_t room = j->scap - j->sused;
	if (n > room)
		return fail(j, "string too long");
	memcpy(o, s, n);
	j->p = q;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20)
			return fail(j, "control character in a string");
		if (n + 4 > room)
			return fail(j, "string too long");
		if (c != '\\') {
			o[n++] = (char)c;
			j->p++;
			continue;
		}
		if (j->end - j->p < 2)
			return fail(j, "truncated escape");
		char e = j->p[1];
		j->p += 2;
		switch (e) {
		case '"': o[n++] = '"'; break;
		case '\\': o[n++] = '\\'; break;
		case '/': o[n++] = '/'; break;
		case 'b': o[n++] = '\b'; break;
		case 'f': o[n++] = '\f'; break;
		case 'n': o[n++] = '\n'; break;
		case 'r': o[n++] = '\r'; break;
		case 't': o[n++] = '\t'; break;
		case 'u': {
			unsigned v = 0;
			if (j->end - j->p < 4)
				return fail(j, "truncated \\u escape");
			for (int i = 0; i < 4; i++) {
				char h = j->p[i];
				v <<= 4;
				if (h >= '0' && h <= '9')
					v |= (unsigned)(h - '0');
				else if (h >= 'a' && h <= 'f')
					v |= (unsigned)(h - 'a' + 10);
				else if (h >= 'A' && h <= 'F')
					v |= (unsigned)(h - 'A' + 10);
				else
					return fail(j, "bad \\u escape");
			}
			j->p += 4;
			/* surrogates are kept as U+FFFD: names in flow logs are ASCII */
			if (v >= 0xD800 && v <= 0xDFFF)
				v = 0xFFFD;
			if (v < 0x80)
				o[n++] = (char)v;
			else if (v < 0x800) {
				o[n++] = (char)(0xC0 | (v >> 6));
				o[n++] = (char)(0x80 | (v & 0x3F));
			} else {
				o[n++] = (char)(0xE0 | (v >> 12));
				o[n++] = (char)(0x80 | ((v >> 6) & 0x3F));
				o[n++] = (char)(0x80 | (v & 0x3F));
			}
			break;
		}
		default:
			j->p -= 1;
			return fail(j, "bad escape");
		}
	}
	if (j->p >= j->end)
		return fail(j, "unterminated string");
	j->p++;
	out->s = o;
	out->n = n;
	j->sused += n;
	return true;
}

/* after a value inside a container: ',' (more follows) or the closer */
static bool after(tm_js *j, char closer, bool *more)
{
	ws(j);
	if (j->p < j->end && *j->p == ',') {
		j->p++;
		ws(j);
		*more = true;
		return true;
	}
	if (j->p < j->end && *j->p == closer) {
		j->p++;
		j->depth--;
		*more = false;
		return true;
	}
	return fail(j, closer == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
}

/* Containers track whether the next member is the first: a position right
 * after '{' or '['. */
static bool first_in(const tm_js *j, char open)
{
	const char *q = j->p;
	while (q > j->start && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r'))
		q--;
	return q > j->start && q[-1] == open;
}

bool tm_js_key(tm_js *j, tm_js_str *key)
{
	if (j->err)
		return false;
	ws(j);
	if (!first_in(j, '{')) {
		bool more;
		if (!after(j, '}', &more) || !more)
			return false;
	} else if (j->p < j->end && *j->p == '}') {
		j->p++;
		j->depth--;
		return false;
	}
	if (j->p >= j->end || *j->p != '"')
		return fail(j, "expected a key");
	if (!str_raw(j, key))
		return false;
	ws(j);
	if (j->p >= j->end || *j->p != ':')
		return fail(j, "expected ':'");
	j->p++;
	ws(j);
	return true;
}

bool tm_js_more(tm_js *j)
{
	if (j->err)
		return false;
	ws(j);
	if (first_in(j, '[')) {
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			j->depth--;
			return false;
		}
		return true;
	}
	bool more;
	return after(j, ']', &more) && more;
}

static bool literal(tm_js *j, const char *lit, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return fail(j, "bad literal");
	j->p += n;
	return true;
}

static bool number(tm_js *j, const char **s, size_t *n)
{
	const char *q = j->p;
	if (q < j->end && *q == '-')
		q++;
	if (q >= j->end || *q < '0' || *q > '9')
		return fail(j, "bad number");
	if (*q == '0')
		q++;
	else
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	if (q < j->end && *q == '.') {
		q++;
		if (q >= j->end || *q < '0' || *q > '9')
			return fail(j, "bad number");
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= j->end || *q < '0' || *q > '9')
			return fail(j, "bad number");
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	*s = j->p;
	*n = (size_t)(q - j->p);
	j->p = q;
	return true;
}

bool tm_js_skip(tm_js *j)
{
	tm_js_str k;
	const char *s;
	size_t n;
	switch (tm_js_peek(j)) {
	case TM_JS_OBJ:
		if (!tm_js_obj(j))
			return false;
		while (tm_js_key(j, &k))
			if (!tm_js_skip(j))
				return false;
		return !j->err;
	case TM_JS_ARR:
		if (!tm_js_arr(j))
			return false;
		while (tm_js_more(j))
			if (!tm_js_skip(j))
				return false;
		return !j->err;
	case TM_JS_STR:
		return str_raw(j, &k);
	case TM_JS_NUM:
		return number(j, &s, &n);
	case TM_JS_TRUE:
		return literal(j, "true", 4);
	case TM_JS_FALSE:
		return literal(j, "false", 5);
	case TM_JS_NULL:
		return literal(j, "null", 4);
	case TM_JS_END:
		break;
	}
	return fail(j, j->p >= j->end ? "truncated" : "expected a value");
}

/* a value of another type: skipped, false with no error */
static bool mismatch(tm_js *j)
{
	tm_js_skip(j);
	return false;
}

bool tm_js_string(tm_js *j, tm_js_str *out)
{
	if (tm_js_peek(j) != TM_JS_STR)
		return mismatch(j);
	return str_raw(j, out);
}

static bool digits_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (!n || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool tm_js_u64(tm_js *j, uint64_t *out)
{
	const char *s;
	size_t n;
	tm_js_str str;
	tm_js_type t = tm_js_peek(j);
	if (t == TM_JS_NUM) {
		if (!number(j, &s, &n))
			return false;
		return digits_u64(s, n, out);
	}
	if (t == TM_JS_STR) {
		if (!str_raw(j, &str))
			return false;
		return digits_u64(str.s, str.n, out);
	}
	return mismatch(j);
}

bool tm_js_num(tm_js *j, double *out)
{
	const char *s;
	size_t n;
	tm_js_str str;
	char b[64];
	tm_js_type t = tm_js_peek(j);
	if (t == TM_JS_NUM) {
		if (!number(j, &s, &n))
			return false;
	} else if (t == TM_JS_STR) {
		if (!str_raw(j, &str))
			return false;
		s = str.s;
		n = str.n;
	} else
		return mismatch(j);
	if (!n || n >= sizeof b)
		return false;
	memcpy(b, s, n);
	b[n] = 0;
	char *e;
	*out = strtod(b, &e);
	return *e == 0;
}

bool tm_js_bool(tm_js *j, bool *out)
{
	tm_js_type t = tm_js_peek(j);
	if (t == TM_JS_TRUE) {
		*out = true;
		return literal(j, "true", 4);
	}
	if (t == TM_JS_FALSE) {
		*out = false;
		return literal(j, "false", 5);
	}
	return mismatch(j);
}

bool tm_js_done(tm_js *j)
{
	ws(j);
	if (j->err)
		return false;
	if (j->p != j->end)
		return fail(j, "text after the value");
	return true;
}
