/* jsonw.c - the JSON writer (render/jsonw.h). */
#include "render/jsonw.h"

#include <stdlib.h>

tm_jsonw *tm_jsonw_new(FILE *out)
{
	tm_jsonw *w = malloc(sizeof *w);
	if (!w)
		return NULL;
	w->out = out;
	w->n = 0;
	w->failed = false;
	return w;
}

void tm_jsonw_flush(tm_jsonw *w)
{
	if (w->n && !w->failed && fwrite(w->b, 1, w->n, w->out) != w->n)
		w->failed = true;
	w->n = 0;
}

tm_err tm_jsonw_close(tm_jsonw *w)
{
	if (!w)
		return TM_ERR_NOMEM;
	tm_jsonw_flush(w);
	tm_err rc = w->failed || ferror(w->out) ? TM_ERR_IO : TM_OK;
	free(w);
	return rc;
}

void tm_jsonw_lines(tm_jsonw *w, size_t n, const char *ind, void (*item)(tm_jsonw *w, size_t i, const void *ctx),
		    const void *ctx)
{
	TM_JSONW_LIT(w, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			TM_JSONW_LIT(w, ",");
		TM_JSONW_LIT(w, "\n");
		tm_jsonw_raws(w, ind);
		TM_JSONW_LIT(w, "  ");
		item(w, i, ctx);
	}
	if (n) {
		TM_JSONW_LIT(w, "\n");
		tm_jsonw_raws(w, ind);
	}
	TM_JSONW_LIT(w, "]");
}

void tm_jsonw_str_esc_(tm_jsonw *w, const char *s, size_t n, size_t i)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t from = 0; /* p[from..i) is still to copy */
	TM_JSONW_LIT(w, "\"");
	for (; i < n; i++) {
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		tm_jsonw_raw(w, s + from, i - from);
		from = i + 1;
		switch (c) {
		case '"': TM_JSONW_LIT(w, "\\\""); break;
		case '\\': TM_JSONW_LIT(w, "\\\\"); break;
		case '\n': TM_JSONW_LIT(w, "\\n"); break;
		case '\r': TM_JSONW_LIT(w, "\\r"); break;
		case '\t': TM_JSONW_LIT(w, "\\t"); break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			tm_jsonw_raw(w, u, sizeof u);
		}
		}
	}
	tm_jsonw_raw(w, s + from, n - from);
	TM_JSONW_LIT(w, "\"");
}

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
				     "25262728293031323334353637383940414243444546474849"
				     "50515253545556575859606162636465666768697071727374"
				     "75767778798081828384858687888990919293949596979899";

void tm_jsonw_u64(tm_jsonw *w, uint64_t v)
{
	char b[24];
	size_t i = sizeof b;
	while (v >= 100) {
		i -= 2;
		memcpy(b + i, digit_pairs + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		i -= 2;
		memcpy(b + i, digit_pairs + v * 2, 2);
	} else {
		b[--i] = (char)('0' + v);
	}
	tm_jsonw_raw(w, b + i, sizeof b - i);
}

void tm_jsonw_i64(tm_jsonw *w, int64_t v)
{
	if (v < 0) {
		TM_JSONW_LIT(w, "-");
		tm_jsonw_u64(w, (uint64_t)0 - (uint64_t)v);
		return;
	}
	tm_jsonw_u64(w, (uint64_t)v);
}

void tm_jsonw_fixed6(tm_jsonw *w, int64_t v)
{
	int64_t s = v / 1000000, r = v % 1000000;
	if (r < 0) {
		r += 1000000;
		s--;
	}
	char b[7];
	uint32_t f = (uint32_t)r;
	tm_jsonw_i64(w, s);
	b[0] = '.';
	memcpy(b + 1, digit_pairs + f / 10000 * 2, 2);
	memcpy(b + 3, digit_pairs + f / 100 % 100 * 2, 2);
	memcpy(b + 5, digit_pairs + f % 100 * 2, 2);
	tm_jsonw_raw(w, b, 7);
}
