/* yamlfast.c - the block-style YAML subset, scanned directly into libyaml
 * events (see yamlfast.h for the subset and the contract).
 *
 * The scanner works line by line: a block node's extent is decided by the
 * indentation of the following content lines, exactly as in YAML, and any
 * line that would need a rule outside the subset (a continuation line, a tab,
 * an anchor, ...) makes it give up. Every read is bounded by the buffer
 * length: the current line ends at '\n' or at the end of the data. */
#include "ingest/manifest/yamlfast.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fy {
	const char *s;
	size_t len;
	size_t ls;        /* offset of the current line's first byte */
	size_t le;        /* offset of its end ('\n' or len) */
	size_t line;      /* 0-based number of the current line */
	bool bad;
	tm_yaml_sink sink;
	void *arg;
	char *buf;        /* decoded quoted scalars */
	size_t cap;
	unsigned depth;
} fy;

#define FY_MAX_DEPTH 10000 /* recursion guard; the sink's own limit is far lower */

enum { L_EOF, L_CONTENT, L_DOC, L_OTHER };

static void set_line(fy *f, size_t start, size_t line)
{
	f->ls = start;
	f->line = line;
	const char *nl = start < f->len ? memchr(f->s + start, '\n', f->len - start) : NULL;
	f->le = nl ? (size_t)(nl - f->s) : f->len;
	if (nl && f->le > start && f->s[f->le - 1] == '\r')
		f->le--; /* CRLF: the line's content ends before the CR */
}

static void next_line(fy *f)
{
	size_t e = f->le;
	if (e < f->len && f->s[e] == '\r')
		e++;
	if (e >= f->len) {
		f->ls = f->le = f->len;
		return;
	}
	set_line(f, e + 1, f->line + 1);
}

static bool at_eol(const fy *f, size_t p)
{
	return p >= f->le;
}

static size_t skip_sp(const fy *f, size_t p)
{
	while (p < f->le && f->s[p] == ' ')
		p++;
	return p;
}

/* p is at a blank: is the rest of the line empty or a comment? */
static bool rest_empty(const fy *f, size_t p)
{
	p = skip_sp(f, p);
	return at_eol(f, p) || f->s[p] == '#';
}

/* Skip blank and comment-only lines; classify the next one. */
static int peek_line(fy *f, size_t *indent)
{
	for (;;) {
		if (f->ls >= f->len)
			return L_EOF;
		size_t p = skip_sp(f, f->ls);
		if (at_eol(f, p) || f->s[p] == '#') {
			next_line(f);
			if (f->ls >= f->len)
				return L_EOF;
			continue;
		}
		*indent = p - f->ls;
		if (p == f->ls && f->le - p >= 3 && !memcmp(f->s + p, "---", 3) &&
		    (f->le - p == 3 || f->s[p + 3] == ' '))
			return L_DOC;
		if (p == f->ls && (f->s[p] == '%' || (f->le - p >= 3 && !memcmp(f->s + p, "...", 3))))
			return L_OTHER;
		return L_CONTENT;
	}
}

static void emit(fy *f, yaml_event_type_t t, size_t line, size_t col)
{
	if (f->bad)
		return;
	yaml_event_t ev;
	memset(&ev, 0, sizeof ev);
	ev.type = t;
	ev.start_mark.line = line;
	ev.start_mark.column = col;
	ev.end_mark = ev.start_mark;
	if (t == YAML_MAPPING_START_EVENT)
		ev.data.mapping_start.implicit = 1;
	if (t == YAML_SEQUENCE_START_EVENT)
		ev.data.sequence_start.implicit = 1;
	if (f->sink(f->arg, &ev))
		f->bad = true;
}

static void emit_scalar(fy *f, size_t line, size_t col, const char *v, size_t n, yaml_scalar_style_t style)
{
	if (f->bad)
		return;
	yaml_event_t ev;
	memset(&ev, 0, sizeof ev);
	ev.type = YAML_SCALAR_EVENT;
	ev.start_mark.line = line;
	ev.start_mark.column = col;
	ev.end_mark = ev.start_mark;
	ev.data.scalar.value = (yaml_char_t *)(uintptr_t)v;
	ev.data.scalar.length = n;
	ev.data.scalar.style = style;
	ev.data.scalar.plain_implicit = style == YAML_PLAIN_SCALAR_STYLE;
	ev.data.scalar.quoted_implicit = style != YAML_PLAIN_SCALAR_STYLE;
	if (f->sink(f->arg, &ev))
		f->bad = true;
}

static bool buf_put(fy *f, size_t n, char c)
{
	if (n >= f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 256;
		char *nb = realloc(f->buf, nc);
		if (!nb)
			return false;
		f->buf = nb;
		f->cap = nc;
	}
	f->buf[n] = c;
	return true;
}

/* A single-line quoted scalar at p; returns the offset after the closing quote. */
static size_t quoted(fy *f, size_t p)
{
	char q = f->s[p];
	size_t i = p + 1, n = 0;
	for (;;) {
		if (at_eol(f, i)) {
			f->bad = true; /* multi-line: outside the subset */
			return i;
		}
		char c = f->s[i];
		if (c == q) {
			if (q == '\'' && i + 1 < f->le && f->s[i + 1] == '\'') {
				if (!buf_put(f, n++, '\''))
					goto oom;
				i += 2;
				continue;
			}
			break;
		}
		if (q == '"' && c == '\\') {
			char e = i + 1 < f->le ? f->s[i + 1] : 0;
			if (e != '\\' && e != '"' && e != '/') {
				f->bad = true;
				return i;
			}
			c = e;
			i++;
		}
		if (!buf_put(f, n++, c))
			goto oom;
		i++;
	}
	emit_scalar(f, f->line, p - f->ls, n ? f->buf : "", n,
		    q == '"' ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_SINGLE_QUOTED_SCALAR_STYLE);
	return i + 1;
oom:
	f->bad = true;
	return i;
}

/* Can a plain scalar start at p? ("-1", "?x" and ":x" can; "- x" cannot.) */
static bool plain_start_ok(const fy *f, size_t p)
{
	char c = f->s[p];
	if (c == '-' || c == '?' || c == ':') {
		char d = p + 1 < f->le ? f->s[p + 1] : ' ';
		return d != ' ' && !strchr(",[]{}", d);
	}
	return !strchr(",[]{}#&*!|>'\"%@`<=~", c) && c != ' ';
}

static size_t flow_node(fy *f, size_t p);

/* A plain scalar inside a flow collection. */
static size_t flow_plain(fy *f, size_t p)
{
	size_t i = p, end = p;
	/* in flow context '?' introduces an explicit key (libyaml reads "[?x]"
	 * as [{x: null}]): not our subset */
	if (f->s[p] == '?' || !plain_start_ok(f, p)) {
		f->bad = true;
		return p;
	}
	while (!at_eol(f, i)) {
		char c = f->s[i];
		if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}')
			break;
		if (c == ':') {
			char d = i + 1 < f->le ? f->s[i + 1] : ' ';
			if (d == ' ' || d == ',' || d == ']' || d == '}')
				break;
			f->bad = true; /* ':' inside a flow scalar: leave it to libyaml */
			return i;
		}
		if (c == '#' && f->s[i - 1] == ' ') {
			f->bad = true;
			return i;
		}
		i++;
		if (c != ' ')
			end = i;
	}
	emit_scalar(f, f->line, p - f->ls, f->s + p, end - p, YAML_PLAIN_SCALAR_STYLE);
	return i;
}

static size_t flow_scalar(fy *f, size_t p)
{
	if (f->s[p] == '"' || f->s[p] == '\'')
		return quoted(f, p);
	return flow_plain(f, p);
}

/* '{' or '[' at p, all on the current line; returns the offset after the closer. */
static size_t flow_node(fy *f, size_t p)
{
	if (++f->depth > FY_MAX_DEPTH) {
		f->bad = true;
		return p;
	}
	bool map = f->s[p] == '{';
	char close = map ? '}' : ']';
	emit(f, map ? YAML_MAPPING_START_EVENT : YAML_SEQUENCE_START_EVENT, f->line, p - f->ls);
	size_t i = skip_sp(f, p + 1);
	bool first = true;
	while (!f->bad) {
		if (at_eol(f, i)) {
			f->bad = true; /* multi-line flow */
			break;
		}
		if (f->s[i] == close && first) {
			i++;
			break;
		}
		/* an entry */
		char c = f->s[i];
		if (map) {
			if (c == '{' || c == '[') {
				f->bad = true;
				break;
			}
			size_t kstart = i;
			i = flow_scalar(f, i);
			if (f->bad)
				break;
			i = skip_sp(f, i);
			if (i - kstart > 1000) {
				f->bad = true; /* libyaml's simple key length limit */
				break;
			}
			if (at_eol(f, i) || f->s[i] != ':' || i + 1 >= f->le || f->s[i + 1] != ' ') {
				f->bad = true; /* key without value, or "a:b" */
				break;
			}
			i = skip_sp(f, i + 1);
			if (at_eol(f, i) || f->s[i] == ',' || f->s[i] == '}') {
				f->bad = true; /* empty value */
				break;
			}
			c = f->s[i];
		}
		if (c == '{' || c == '[')
			i = flow_node(f, i);
		else
			i = flow_scalar(f, i);
		if (f->bad)
			break;
		i = skip_sp(f, i);
		if (at_eol(f, i)) {
			f->bad = true;
			break;
		}
		if (!map && f->s[i] == ':') {
			f->bad = true; /* a single-pair mapping inside a sequence */
			break;
		}
		if (f->s[i] == close) {
			i++;
			break;
		}
		if (f->s[i] != ',') {
			f->bad = true;
			break;
		}
		i = skip_sp(f, i + 1);
		if (!at_eol(f, i) && f->s[i] == close) {
			f->bad = true; /* trailing comma */
			break;
		}
		first = false;
	}
	emit(f, map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT, f->line, i - f->ls);
	f->depth--;
	return i;
}

/* A node that must end on this line (scalar or flow collection) at p;
 * moves to the next line. */
static void inline_value(fy *f, size_t p)
{
	char c = f->s[p];
	size_t i;
	if (c == '{' || c == '[') {
		i = flow_node(f, p);
		if (!f->bad && !(at_eol(f, i) || (f->s[i] == ' ' && rest_empty(f, i))))
			f->bad = true;
	} else if (c == '"' || c == '\'') {
		i = quoted(f, p);
		if (!f->bad && !(at_eol(f, i) || (f->s[i] == ' ' && rest_empty(f, i))))
			f->bad = true;
	} else {
		if (!plain_start_ok(f, p)) {
			f->bad = true;
			return;
		}
		size_t end = p;
		for (i = p; !at_eol(f, i); i++) {
			char d = f->s[i];
			if (d == '#' && f->s[i - 1] == ' ')
				break;
			if (d == ':' && (i + 1 >= f->le || f->s[i + 1] == ' ')) {
				f->bad = true; /* "a: b: c" is an error for libyaml */
				return;
			}
			if (d != ' ')
				end = i + 1;
		}
		emit_scalar(f, f->line, p - f->ls, f->s + p, end - p, YAML_PLAIN_SCALAR_STYLE);
	}
	next_line(f);
}

/* Is there a block mapping key at p? Sets *colon to its ':'.
 * 1 key, 0 not a key, -1 outside the subset. */
static int scan_key(fy *f, size_t p, size_t *colon)
{
	char c = f->s[p];
	if (c == '{' || c == '[')
		return 0; /* a flow collection (a flow key would need libyaml) */
	if (c == '"' || c == '\'' || c == '?' || c == '&' || c == '*' || c == '!' || c == '<')
		return -1;
	for (size_t i = p; !at_eol(f, i); i++) {
		char d = f->s[i];
		if (d == '#' && i > p && f->s[i - 1] == ' ')
			return 0;
		if (d == ':' && (i + 1 >= f->le || f->s[i + 1] == ' ')) {
			/* libyaml drops a simple key longer than 1024 characters */
			if (!plain_start_ok(f, p) || i == p || i - p > 1000)
				return -1;
			*colon = i;
			return 1;
		}
	}
	return 0;
}

static bool is_entry(const fy *f, size_t p)
{
	return f->s[p] == '-' && (p + 1 >= f->le || f->s[p + 1] == ' ');
}

static void block_node(fy *f, size_t p, bool in_entry);

/* A literal block scalar ("|" clip or "|-" strip) at v, the value of a key
 * at column col, as kubectl writes last-applied-configuration. Blank lines
 * inside or right after it, indentation indicators, "|+", folded ">" and a
 * last line without a line break are left to libyaml. Moves to the line
 * after the scalar. */
static void literal(fy *f, size_t v, size_t col)
{
	size_t line = f->line, mcol = v - f->ls, p = v + 1, n = 0;
	bool strip = false;
	if (p < f->le && f->s[p] == '-') {
		strip = true;
		p++;
	}
	if (!(at_eol(f, p) || (f->s[p] == ' ' && rest_empty(f, p)))) {
		f->bad = true;
		return;
	}
	next_line(f);
	if (f->ls >= f->len) {
		f->bad = true;
		return;
	}
	size_t ind = skip_sp(f, f->ls) - f->ls;
	if (at_eol(f, f->ls + ind) || ind <= col) {
		f->bad = true;
		return;
	}
	for (;;) {
		for (size_t i = f->ls + ind; i < f->le; i++)
			if (!buf_put(f, n++, f->s[i])) {
				f->bad = true;
				return;
			}
		if (!buf_put(f, n++, '\n') || f->le >= f->len) {
			f->bad = true; /* no line break at the end of the data */
			return;
		}
		next_line(f);
		if (f->ls >= f->len)
			break;
		size_t q = skip_sp(f, f->ls);
		if (at_eol(f, q)) {
			f->bad = true;
			return;
		}
		if (q - f->ls < ind)
			break;
	}
	if (strip)
		n--;
	emit_scalar(f, line, mcol, f->buf, n, YAML_LITERAL_SCALAR_STYLE);
}

static void block_seq(fy *f, size_t col)
{
	size_t ind;
	emit(f, YAML_SEQUENCE_START_EVENT, f->line, col);
	while (!f->bad) {
		size_t p = skip_sp(f, f->ls + col + 1);
		if (at_eol(f, p) || f->s[p] == '#') {
			f->bad = true; /* "-" alone: the item is on the next lines */
			break;
		}
		block_node(f, p, true);
		if (f->bad)
			break;
		int r = peek_line(f, &ind);
		if (r == L_CONTENT && ind == col && is_entry(f, f->ls + col))
			continue;
		if (r == L_CONTENT && ind > col)
			f->bad = true;
		break;
	}
	emit(f, YAML_SEQUENCE_END_EVENT, f->line, 0);
}

static void block_map(fy *f, size_t col)
{
	size_t ind, colon = 0;
	emit(f, YAML_MAPPING_START_EVENT, f->line, col);
	while (!f->bad) {
		size_t p = f->ls + col;
		if (scan_key(f, p, &colon) != 1) {
			f->bad = true;
			break;
		}
		size_t kend = colon;
		while (kend > p && f->s[kend - 1] == ' ')
			kend--;
		emit_scalar(f, f->line, col, f->s + p, kend - p, YAML_PLAIN_SCALAR_STYLE);
		size_t v = skip_sp(f, colon + 1);
		if (at_eol(f, v) || f->s[v] == '#') {
			size_t kline = f->line, kls = f->ls;
			next_line(f);
			int r = peek_line(f, &ind);
			if (r == L_CONTENT && ind > col)
				block_node(f, f->ls + ind, false);
			else if (r == L_CONTENT && ind == col && is_entry(f, f->ls + col))
				block_seq(f, col); /* indentless sequence */
			else /* no value: libyaml marks the empty scalar after the ':' */
				emit_scalar(f, kline, colon + 1 - kls, "", 0, YAML_PLAIN_SCALAR_STYLE);
		} else {
			if (is_entry(f, v) || f->s[v] == '>') {
				f->bad = true;
				break;
			}
			if (f->s[v] == '|')
				literal(f, v, col);
			else
				inline_value(f, v);
		}
		if (f->bad)
			break;
		int r = peek_line(f, &ind);
		if (r == L_CONTENT && ind == col) {
			if (is_entry(f, f->ls + col))
				f->bad = true;
			continue;
		}
		if (r == L_CONTENT && ind > col)
			f->bad = true;
		break;
	}
	emit(f, YAML_MAPPING_END_EVENT, f->line, 0);
}

/* A block node whose first content is at p on the current line. */
static void block_node(fy *f, size_t p, bool in_entry)
{
	size_t colon;
	if (++f->depth > FY_MAX_DEPTH) {
		f->bad = true;
		return;
	}
	size_t col = p - f->ls;
	if (is_entry(f, p)) {
		if (in_entry)
			f->bad = true; /* "- - a" */
		else
			block_seq(f, col);
	} else {
		int k = scan_key(f, p, &colon);
		if (k < 0)
			f->bad = true;
		else if (k == 1)
			block_map(f, col);
		else
			inline_value(f, p);
	}
	f->depth--;
}

bool tm_yaml_fast(const char *data, size_t len, tm_yaml_sink sink, void *arg)
{
	fy f;
	memset(&f, 0, sizeof f);
	f.s = data;
	f.len = len;
	f.sink = sink;
	f.arg = arg;
	/* bytes outside the subset anywhere: leave the whole buffer to libyaml
	 * (tabs, CR, control bytes, non-ASCII whose marks count characters) */
	size_t nl = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		if ((c < 0x20 && c != '\n' && !(c == '\r' && i + 1 < len && data[i + 1] == '\n')) || c >= 0x7f)
			return false;
		nl += c == '\n';
	}
	/* libyaml puts the end of the stream at column 0 of the line after the
	 * last one that has characters */
	size_t eof_line = len && data[len - 1] != '\n' ? nl + 1 : nl;
	set_line(&f, 0, 0);
	emit(&f, YAML_STREAM_START_EVENT, 0, 0);
	size_t ind;
	bool implicit_ok = true;
	while (!f.bad) {
		int r = peek_line(&f, &ind);
		if (r == L_EOF)
			break;
		if (r == L_OTHER || (r == L_CONTENT && !implicit_ok)) {
			f.bad = true;
			break;
		}
		implicit_ok = false;
		emit(&f, YAML_DOCUMENT_START_EVENT, f.line, 0);
		if (r == L_DOC) {
			if (!rest_empty(&f, f.ls + 3)) {
				f.bad = true; /* "--- value" */
				break;
			}
			size_t dline = f.line;
			next_line(&f);
			r = peek_line(&f, &ind);
			if (r != L_CONTENT) {
				/* an empty document: the null is marked where the next token starts */
				(void)dline;
				emit_scalar(&f, r == L_EOF ? eof_line : f.line, 0, "", 0, YAML_PLAIN_SCALAR_STYLE);
				emit(&f, YAML_DOCUMENT_END_EVENT, f.line, 0);
				continue;
			}
		}
		block_node(&f, f.ls + ind, false);
		if (f.bad)
			break;
		r = peek_line(&f, &ind);
		if (r == L_CONTENT || r == L_OTHER)
			f.bad = true;
		emit(&f, YAML_DOCUMENT_END_EVENT, f.line, 0);
	}
	emit(&f, YAML_STREAM_END_EVENT, f.line, 0);
	free(f.buf);
	return !f.bad;
}
