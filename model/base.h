/* base.h - arena, capped growable buffer, interned strings, errors and
 * source locations: the vocabulary every other module of libtrustmap uses.
 *
 * Ownership: objects allocated from a tm_arena live until tm_arena_release();
 * nothing allocated from an arena is freed on its own. A tm_buf owns its
 * bytes until tm_buf_release() or tm_buf_detach() (which transfers them). */
#ifndef TM_BASE_H
#define TM_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdbool.h>

#define TM_VERSION "0.1.0"

#if defined(__GNUC__)
#define TM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TM_PRINTF(a, b)
#endif

#define TM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors ---------------------------------------------------------- */
typedef enum {
	TM_OK = 0,
	TM_ERR_NOMEM = -1,
	TM_ERR_IO = -2,       /* cannot open or read an input */
	TM_ERR_SYNTAX = -3,   /* YAML/JSON/zones syntax */
	TM_ERR_INVALID = -4,  /* a well-formed object that the API would reject */
	TM_ERR_LIMIT = -5,    /* an input limit was exceeded (docs/limits.md) */
	TM_ERR_USAGE = -6,    /* bad request from the caller */
	TM_ERR_NOTFOUND = -7,
} tm_err;

const char *tm_err_str(tm_err e);

/* Progress of a long step (reading manifests, analysis, writing): done of
 * total units (total 0: unknown), called now and then and once with
 * done == total at the end. The caller decides whether to show it. */
typedef void (*tm_progress_fn)(void *ctx, const char *step, uint64_t done, uint64_t total);

/* ---- arena ----------------------------------------------------------- */
typedef struct tm_arena_chunk tm_arena_chunk;
typedef struct tm_arena {
	tm_arena_chunk *head;
	size_t used_total; /* bytes handed out, for statistics */
} tm_arena;

void tm_arena_init(tm_arena *a);
void tm_arena_release(tm_arena *a);
/* Forget everything allocated, keeping one chunk for reuse (a scratch
 * arena emptied per document or List item). */
void tm_arena_reset(tm_arena *a);
/* Zeroed memory, aligned for any type; aborts the process on OOM
 * (an arena allocation failure leaves no consistent state to report from). */
void *tm_arena_alloc(tm_arena *a, size_t n);
void *tm_arena_memdup(tm_arena *a, const void *p, size_t n);
char *tm_arena_strndup(tm_arena *a, const char *s, size_t n);
char *tm_arena_strdup(tm_arena *a, const char *s);
char *tm_arena_printf(tm_arena *a, const char *fmt, ...) TM_PRINTF(2, 3);

/* Growable array in an arena: old storage is abandoned to the arena. */
#define TM_ARENA_GROW(arena, ptr, n, cap)                                    \
	do {                                                                 \
		if ((n) >= (cap)) {                                          \
			size_t ncap_ = (cap) ? (cap) * 2 : 8;                \
			void *np_ = tm_arena_alloc((arena), ncap_ * sizeof(*(ptr))); \
			if ((n)) memcpy(np_, (ptr), (n) * sizeof(*(ptr)));   \
			(ptr) = np_;                                         \
			(cap) = ncap_;                                       \
		}                                                            \
	} while (0)

/* Growable array on the heap (for scratch data not kept in the model). */
void *tm_xrealloc(void *p, size_t n);
#define TM_HEAP_GROW(ptr, n, cap)                                            \
	do {                                                                 \
		if ((n) >= (cap)) {                                          \
			(cap) = (cap) ? (cap) * 2 : 8;                       \
			(ptr) = tm_xrealloc((ptr), (cap) * sizeof(*(ptr)));  \
		}                                                            \
	} while (0)

/* ---- capped growable buffer (curl dynbuf) ------------------------------ */
typedef struct tm_buf {
	char *s;      /* always NUL-terminated when len > 0 or after any add */
	size_t len;
	size_t alloc;
	size_t cap;   /* hard upper bound on len; 0 = TM_BUF_DEFAULT_CAP */
	bool toobig;  /* an add was refused because of cap */
} tm_buf;

#define TM_BUF_DEFAULT_CAP ((size_t)1 << 30)

void tm_buf_init(tm_buf *b, size_t cap);
void tm_buf_release(tm_buf *b);
void tm_buf_reset(tm_buf *b);
tm_err tm_buf_add(tm_buf *b, const void *p, size_t n);
tm_err tm_buf_adds(tm_buf *b, const char *s);
tm_err tm_buf_addc(tm_buf *b, char c);
tm_err tm_buf_addf(tm_buf *b, const char *fmt, ...) TM_PRINTF(2, 3);
tm_err tm_buf_vaddf(tm_buf *b, const char *fmt, va_list ap);
/* The current content ("" when empty); valid until the next add. */
const char *tm_buf_str(const tm_buf *b);
/* Caller owns the returned heap string (free()); b is reset. */
char *tm_buf_detach(tm_buf *b);

/* ---- interned strings ------------------------------------------------- */
/* Equal strings from one tm_strtab are the same pointer. Storage in the arena. */
typedef struct tm_strtab {
	tm_arena *arena;
	const char **slots;
	size_t nslots, count;
} tm_strtab;

void tm_strtab_init(tm_strtab *t, tm_arena *a);
void tm_strtab_release(tm_strtab *t);
const char *tm_intern(tm_strtab *t, const char *s);
const char *tm_intern_n(tm_strtab *t, const char *s, size_t n);

/* ---- progress ---------------------------------------------------------- */
/* A long step says how far it is: done of total units (rows, bytes, edges)
 * of the step named by step (a static string: "analysis", "writing", ...),
 * now and then and once more with done == total at its end. The library
 * never prints; the command line shows a line on a terminal for a step that
 * runs past 2 s. */
typedef void (*tm_progress_fn)(void *ctx, const char *step, uint64_t done, uint64_t total);

/* ---- source locations and diagnostics -------------------------------- */
typedef struct tm_srcloc {
	const char *file; /* interned; "-" for stdin */
	unsigned line;    /* 1-based; 0 = unknown */
	unsigned col;     /* 1-based; 0 = unknown */
} tm_srcloc;

typedef enum { TM_DIAG_INFO, TM_DIAG_WARN, TM_DIAG_ERROR } tm_diag_level;

typedef struct tm_diag {
	tm_diag_level level;
	tm_srcloc loc;
	const char *msg; /* arena */
} tm_diag;

typedef struct tm_diags {
	tm_arena *arena;
	tm_diag *v;
	size_t n, cap;
	size_t nerrors, nwarnings;
} tm_diags;

void tm_diags_init(tm_diags *d, tm_arena *a);
void tm_diags_add(tm_diags *d, tm_diag_level lvl, tm_srcloc loc, const char *fmt, ...)
	TM_PRINTF(4, 5);
/* "file:line:col: level: message" (parts of the location that are unknown are left out). */
void tm_diag_format(const tm_diag *dg, tm_buf *out);
void tm_diags_print(const tm_diags *d, FILE *f, tm_diag_level min);

/* Helpers */
size_t tm_hash_str(const char *s, size_t n);
int tm_strcmp_null(const char *a, const char *b);

#endif
