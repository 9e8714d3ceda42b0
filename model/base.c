/* base.c - arena, buffers, string interning, diagnostics. */
#include "model/base.h"

#include <stdlib.h>
#include <string.h>

const char *tm_err_str(tm_err e)
{
	switch (e) {
	case TM_OK: return "ok";
	case TM_ERR_NOMEM: return "out of memory";
	case TM_ERR_IO: return "input/output error";
	case TM_ERR_SYNTAX: return "syntax error";
	case TM_ERR_INVALID: return "invalid object";
	case TM_ERR_LIMIT: return "input limit exceeded";
	case TM_ERR_USAGE: return "usage error";
	case TM_ERR_NOTFOUND: return "not found";
	}
	return "unknown error";
}

void *tm_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("trustmap: out of memory\n", stderr);
		abort();
	}
	return q;
}

/* ---- arena ---- */
struct tm_arena_chunk {
	tm_arena_chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK (256u * 1024u)

void tm_arena_init(tm_arena *a)
{
	a->head = NULL;
	a->used_total = 0;
}

void tm_arena_release(tm_arena *a)
{
	tm_arena_chunk *c = a->head;
	while (c) {
		tm_arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
	a->used_total = 0;
}

void tm_arena_reset(tm_arena *a)
{
	tm_arena_chunk *keep = NULL, *c = a->head;
	while (c) {
		tm_arena_chunk *n = c->next;
		if (!keep && c->size == ARENA_CHUNK)
			keep = c;
		else
			free(c);
		c = n;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
	a->used_total = 0;
}

void *tm_arena_alloc(tm_arena *a, size_t n)
{
	size_t need = (n + 15u) & ~(size_t)15u;
	tm_arena_chunk *c = a->head;
	if (!c || c->size - c->used < need) {
		size_t sz = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
		tm_arena_chunk *nc = tm_xrealloc(NULL, sizeof(*nc) + sz);
		nc->size = sz;
		nc->used = 0;
		if (c && need > ARENA_CHUNK / 4) {
			/* a big block: keep the current chunk as head for small ones */
			nc->next = c->next;
			c->next = nc;
			nc->used = need;
			memset(nc->data, 0, need);
			a->used_total += need;
			return nc->data;
		}
		nc->next = c;
		a->head = nc;
		c = nc;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->used_total += need;
	memset(p, 0, need);
	return p;
}

void *tm_arena_memdup(tm_arena *a, const void *p, size_t n)
{
	void *q = tm_arena_alloc(a, n);
	if (n)
		memcpy(q, p, n);
	return q;
}

char *tm_arena_strndup(tm_arena *a, const char *s, size_t n)
{
	char *q = tm_arena_alloc(a, n + 1);
	memcpy(q, s, n);
	q[n] = 0;
	return q;
}

char *tm_arena_strdup(tm_arena *a, const char *s)
{
	return tm_arena_strndup(a, s, strlen(s));
}

char *tm_arena_printf(tm_arena *a, const char *fmt, ...)
{
	tm_buf b;
	va_list ap;
	tm_buf_init(&b, 0);
	va_start(ap, fmt);
	tm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	char *r = tm_arena_strndup(a, tm_buf_str(&b), b.len);
	tm_buf_release(&b);
	return r;
}

/* ---- buf ---- */
void tm_buf_init(tm_buf *b, size_t cap)
{
	b->s = NULL;
	b->len = b->alloc = 0;
	b->cap = cap ? cap : TM_BUF_DEFAULT_CAP;
	b->toobig = false;
}

void tm_buf_release(tm_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->alloc = 0;
}

void tm_buf_reset(tm_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
	b->toobig = false;
}

tm_err tm_buf_add(tm_buf *b, const void *p, size_t n)
{
	if (n > b->cap || b->len > b->cap - n) {
		b->toobig = true;
		return TM_ERR_LIMIT;
	}
	if (b->len + n + 1 > b->alloc) {
		size_t na = b->alloc ? b->alloc : 64;
		while (na < b->len + n + 1)
			na *= 2;
		b->s = tm_xrealloc(b->s, na);
		b->alloc = na;
	}
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = 0;
	return TM_OK;
}

tm_err tm_buf_adds(tm_buf *b, const char *s)
{
	return tm_buf_add(b, s, strlen(s));
}

tm_err tm_buf_addc(tm_buf *b, char c)
{
	return tm_buf_add(b, &c, 1);
}

tm_err tm_buf_vaddf(tm_buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return TM_ERR_USAGE;
	if ((size_t)n < sizeof small)
		return tm_buf_add(b, small, (size_t)n);
	char *big = tm_xrealloc(NULL, (size_t)n + 1);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	tm_err e = tm_buf_add(b, big, (size_t)n);
	free(big);
	return e;
}

tm_err tm_buf_addf(tm_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tm_err e = tm_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return e;
}

const char *tm_buf_str(const tm_buf *b)
{
	return b->s ? b->s : "";
}

char *tm_buf_detach(tm_buf *b)
{
	char *s = b->s;
	if (!s) {
		s = tm_xrealloc(NULL, 1);
		s[0] = 0;
	}
	b->s = NULL;
	b->len = b->alloc = 0;
	return s;
}

/* ---- strtab ---- */
size_t tm_hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

void tm_strtab_init(tm_strtab *t, tm_arena *a)
{
	t->arena = a;
	t->nslots = 1024;
	t->count = 0;
	t->slots = tm_xrealloc(NULL, t->nslots * sizeof(*t->slots));
	memset(t->slots, 0, t->nslots * sizeof(*t->slots));
}

void tm_strtab_release(tm_strtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->nslots = t->count = 0;
}

/* Every interned string is stored right after a header with its hash and
 * length: probing compares those before any byte (most probes of a big
 * table end on a different string), and growing the table rehashes without
 * reading the strings. The string itself stays an ordinary C string. */
typedef struct strhdr {
	size_t hash, len;
} strhdr;

static const strhdr *str_hdr(const char *s)
{
	return (const strhdr *)(const void *)(s - sizeof(strhdr));
}

static void strtab_grow(tm_strtab *t)
{
	size_t nn = t->nslots * 2;
	const char **ns = tm_xrealloc(NULL, nn * sizeof(*ns));
	memset(ns, 0, nn * sizeof(*ns));
	for (size_t i = 0; i < t->nslots; i++) {
		const char *s = t->slots[i];
		if (!s)
			continue;
		size_t h = str_hdr(s)->hash & (nn - 1);
		while (ns[h])
			h = (h + 1) & (nn - 1);
		ns[h] = s;
	}
	free(t->slots);
	t->slots = ns;
	t->nslots = nn;
}

const char *tm_intern_n(tm_strtab *t, const char *s, size_t n)
{
	/* C-string semantics: strtab_grow rehashes by strlen, so bytes after
	 * an embedded NUL must not take part in the hash or the comparison */
	n = strnlen(s, n);
	if ((t->count + 1) * 2 > t->nslots)
		strtab_grow(t);
	size_t hv = tm_hash_str(s, n);
	size_t h = hv & (t->nslots - 1);
	while (t->slots[h]) {
		const char *c = t->slots[h];
		const strhdr *hd = str_hdr(c);
		if (hd->hash == hv && hd->len == n && memcmp(c, s, n) == 0)
			return c;
		h = (h + 1) & (t->nslots - 1);
	}
	char *p = tm_arena_alloc(t->arena, sizeof(strhdr) + n + 1);
	strhdr *hd = (strhdr *)(void *)p;
	hd->hash = hv;
	hd->len = n;
	char *c = p + sizeof(strhdr);
	memcpy(c, s, n);
	c[n] = 0;
	t->slots[h] = c;
	t->count++;
	return c;
}

const char *tm_intern(tm_strtab *t, const char *s)
{
	return tm_intern_n(t, s, strlen(s));
}

int tm_strcmp_null(const char *a, const char *b)
{
	if (!a)
		return b ? -1 : 0;
	if (!b)
		return 1;
	return strcmp(a, b);
}

/* ---- diagnostics ---- */
void tm_diags_init(tm_diags *d, tm_arena *a)
{
	memset(d, 0, sizeof *d);
	d->arena = a;
}

void tm_diags_add(tm_diags *d, tm_diag_level lvl, tm_srcloc loc, const char *fmt, ...)
{
	tm_buf b;
	va_list ap;
	tm_buf_init(&b, 64 * 1024);
	va_start(ap, fmt);
	tm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	TM_ARENA_GROW(d->arena, d->v, d->n, d->cap);
	d->v[d->n].level = lvl;
	d->v[d->n].loc = loc;
	d->v[d->n].msg = tm_arena_strndup(d->arena, tm_buf_str(&b), b.len);
	d->n++;
	if (lvl == TM_DIAG_ERROR)
		d->nerrors++;
	else if (lvl == TM_DIAG_WARN)
		d->nwarnings++;
	tm_buf_release(&b);
}

void tm_diag_format(const tm_diag *dg, tm_buf *out)
{
	if (dg->loc.file) {
		tm_buf_adds(out, dg->loc.file);
		if (dg->loc.line) {
			tm_buf_addf(out, ":%u", dg->loc.line);
			if (dg->loc.col)
				tm_buf_addf(out, ":%u", dg->loc.col);
		}
		tm_buf_adds(out, ": ");
	}
	tm_buf_adds(out, dg->level == TM_DIAG_ERROR ? "error: "
			 : dg->level == TM_DIAG_WARN ? "warning: " : "info: ");
	tm_buf_adds(out, dg->msg);
}

void tm_diags_print(const tm_diags *d, FILE *f, tm_diag_level min)
{
	tm_buf b;
	tm_buf_init(&b, 0);
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].level < min)
			continue;
		tm_buf_reset(&b);
		tm_diag_format(&d->v[i], &b);
		fprintf(f, "trustmap: %s\n", tm_buf_str(&b));
	}
	tm_buf_release(&b);
}
