/* json.h - a streaming JSON reader with positions, producing the same
 * libyaml events as the YAML readers (yamlfast.h), so that one tree builder
 * (doc.c) serves both formats.
 *
 * RFC 8259 with the choices jansson made for us before (JSON_DECODE_ANY,
 * JSON_DISABLE_EOF_CHECK): any value at the top level, several values one
 * after another (each one document), strings strictly UTF-8, "\u0000"
 * rejected, integers within 64 bits. Nothing is built here: one pass over
 * the text, every event delivered as it is read, with its line and column
 * (0-based, columns in code points, as libyaml's marks). Numbers are given
 * as jansson printed them ("%lld", reals "%.17g") with a type tag, strings
 * decoded. Duplicate keys are the tree builder's to find.
 * tests/unit/test_json.c and tests/fuzz/fuzz_jsondiff.c compare it with
 * jansson: the same inputs accepted, the same values read. */
#ifndef TM_JSON_H
#define TM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "ingest/manifest/yamlfast.h"
#include "model/base.h"

/* Tags of scalar events: JSON types are exact, not resolved from text. */
#define TM_JSON_STR_TAG YAML_STR_TAG
#define TM_JSON_INT_TAG YAML_INT_TAG
#define TM_JSON_FLOAT_TAG YAML_FLOAT_TAG
#define TM_JSON_BOOL_TAG YAML_BOOL_TAG
#define TM_JSON_NULL_TAG YAML_NULL_TAG

typedef enum {
	TM_JSON_OK,      /* every event delivered, STREAM_START ... STREAM_END */
	TM_JSON_STOPPED, /* the sink returned non-zero */
	TM_JSON_SYNTAX,  /* err holds the message, *at the position */
} tm_json_rc;

/* max_depth bounds the reader's own stack (the sink enforces the limit
 * that users set; nesting deeper than max_depth + 1 is an error here). */
tm_json_rc tm_json_events(const char *data, size_t len, unsigned max_depth, tm_yaml_sink sink,
			  void *arg, yaml_mark_t *at, tm_buf *err);

/* The value of the top-level "kind" of the object around the array that
 * opens at data[off] ('['), looked up in the text after the array without
 * building anything; NULL when there is none or it is not a plain string.
 * Exact for valid JSON; for invalid JSON the reader reports the error. */
const char *tm_json_peek_kind(const char *data, size_t len, size_t off, size_t *klen);

#endif
