/* doc.h - one small document tree for YAML and JSON input, with positions.
 *
 * YAML is read as libyaml's events (or the fast scanner's, yamlfast.h),
 * JSON as json.h's: one tree builder makes tm_node trees of both, every
 * node with its line and column. Hard limits bound depth, nodes per object
 * and alias expansion (docs/limits.md).
 *
 * Two ways in. tm_doc_parse() keeps every document's whole tree in the
 * caller's arena (the zones file, tests). tm_doc_read() streams: each
 * document, and each item of a top-level List, is handed to a callback and
 * forgotten when it returns, so memory is bounded by the largest object,
 * not by the file; and the fields that no analysis reads are checked
 * (syntax, depth, size, duplicate keys) but not built: metadata.managedFields,
 * the last-applied-configuration annotation, and status other than the
 * addresses, phase and replica counts. */
#ifndef TM_DOC_H
#define TM_DOC_H

#include "model/base.h"

typedef enum { TM_NODE_SCALAR, TM_NODE_MAP, TM_NODE_SEQ } tm_node_kind;

/* Type of a scalar after YAML core-schema / JSON resolution. */
typedef enum {
	TM_SCALAR_STR,
	TM_SCALAR_INT,
	TM_SCALAR_FLOAT,
	TM_SCALAR_BOOL,
	TM_SCALAR_NULL,
} tm_scalar_type;

typedef struct tm_node tm_node;
typedef struct tm_pair {
	tm_node *key;
	tm_node *val;
} tm_pair;

struct tm_node {
	tm_node_kind kind;
	tm_scalar_type stype; /* scalars only */
	tm_srcloc loc;
	const char *str;      /* scalars: text (interned) */
	size_t len;           /* scalars: bytes in str (may contain NUL from JSON) */
	size_t n;             /* map pairs or seq items */
	tm_pair *pairs;       /* map */
	tm_node **items;      /* seq */
};

typedef struct tm_doc_limits {
	unsigned max_depth;       /* nesting depth; default 64 */
	size_t max_nodes;         /* nodes per object (a document or a List item); default 1,000,000 */
	size_t max_alias_nodes;   /* alias expansion per file: at most this or the nodes of
				   * the file's text, whichever is larger; default 100,000 */
	size_t max_file_bytes;    /* default 4 GiB */
} tm_doc_limits;

void tm_doc_limits_default(tm_doc_limits *l);

/* One parsed document of a stream. */
typedef struct tm_docs {
	tm_node **docs; /* NULL entries for empty documents are skipped: never NULL here */
	size_t n, cap;
	size_t empty_docs;
} tm_docs;

/* Parse all documents in data (YAML stream, or one JSON value when is_json).
 * On a syntax error returns TM_ERR_SYNTAX with documents before the error kept
 * in out and the message (with line:col) in err. file is interned by caller. */
tm_err tm_doc_parse(tm_arena *a, tm_strtab *st, const tm_doc_limits *lim,
		    const char *file, const char *data, size_t len, bool is_json,
		    tm_docs *out, tm_srcloc *errloc, tm_buf *err);

/* Streaming: fn gets each document (list_kind NULL) and, before the
 * document around them, each item of a top-level List (list_kind: the
 * List's kind, "PodList" or "List"); the List document itself then holds an
 * empty "items". A node is valid only during the call (strings are interned
 * in st and stay). Objects handed over before an error stay handed over. */
typedef void (*tm_doc_fn)(void *arg, const tm_node *obj, const char *list_kind);

typedef struct tm_doc_reader {
	tm_strtab *st;
	const tm_doc_limits *lim;   /* NULL: the defaults */
	const char *file;           /* interned by the caller */
	tm_doc_fn fn;
	void *arg;
	bool keep_unread;           /* build the fields no analysis reads too (tests) */
	tm_progress_fn progress;    /* optional: bytes of this input read */
	void *progress_ctx;
	/* out */
	size_t docs, empty_docs;    /* documents read, empty ones among them */
	size_t objects;             /* calls of fn */
} tm_doc_reader;

tm_err tm_doc_read(tm_doc_reader *r, const char *data, size_t len, bool is_json, tm_srcloc *errloc,
		   tm_buf *err);

/* Map lookup by key; NULL when absent or n is not a map. */
tm_node *tm_node_get(const tm_node *n, const char *key);
bool tm_node_is_null(const tm_node *n);
const char *tm_node_kind_str(const tm_node *n);

#endif
