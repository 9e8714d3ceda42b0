/* doc.h - one small document tree for YAML and JSON input, with positions.
 *
 * YAML is read with libyaml's event parser, JSON with jansson. Both become
 * tm_node trees allocated in the caller's arena. Hard limits bound depth,
 * node count and alias expansion (docs/limits.md). jansson reports no
 * per-value positions: JSON nodes carry the position of their document
 * (line 1, column 1) and are marked so. */
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
	size_t max_nodes;         /* nodes per file; default 5,000,000 */
	size_t max_alias_nodes;   /* nodes created by alias expansion per file; default 100,000 */
	size_t max_file_bytes;    /* default 256 MiB */
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

/* Map lookup by key; NULL when absent or n is not a map. */
tm_node *tm_node_get(const tm_node *n, const char *key);
bool tm_node_is_null(const tm_node *n);
const char *tm_node_kind_str(const tm_node *n);

#endif
