/* jsondiff.h - our JSON reader (ingest/manifest/json.c through doc.c)
 * against jansson, the library it replaced: the same inputs accepted, and
 * for accepted ones the same values (keys in order, strings byte for byte,
 * integers as "%lld", reals as "%.17g", booleans, nulls). Shared by
 * tests/unit/test_json.c (fixed inputs) and tests/fuzz/fuzz_jsondiff.c.
 *
 * Differences that are choices, not bugs, are not compared: an input
 * either side stops at a limit (depth: ours --max-depth, jansson 2048), and
 * error messages (ours name line and column; both must fail). */
#ifndef TM_JSONDIFF_H
#define TM_JSONDIFF_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ingest/manifest/doc.h"

/* jansson as doc.c used it: values one after another, white space between */
static int jd_jansson(const char *data, size_t len, json_t **vals, size_t max, size_t *n, bool *depth_err)
{
	size_t off = 0;
	*n = 0;
	*depth_err = false;
	while (off < len) {
		while (off < len && (data[off] == ' ' || data[off] == '\t' || data[off] == '\n' || data[off] == '\r'))
			off++;
		if (off >= len)
			break;
		json_error_t je;
		json_t *j = json_loadb(data + off, len - off,
				       JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		if (!j) {
			*depth_err = strstr(je.text, "depth") != NULL;
			return -1;
		}
		if (*n == max) {
			json_decref(j);
			return -2;
		}
		vals[(*n)++] = j;
		off += je.position ? (size_t)je.position : len - off;
	}
	return 0;
}

/* 0: the same value; otherwise a note in why */
static int jd_same(const json_t *j, const tm_node *t, char *why, size_t wn)
{
	char num[64];
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		if (t->kind != TM_NODE_MAP || t->n != json_object_size(j)) {
			snprintf(why, wn, "object of %zu keys vs %s of %zu", json_object_size(j), tm_node_kind_str(t), t->n);
			return 1;
		}
		size_t i = 0;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v) {
			if (strcmp(t->pairs[i].key->str, k) != 0) {
				snprintf(why, wn, "key %zu: \"%s\" vs \"%s\"", i, k, t->pairs[i].key->str);
				return 1;
			}
			if (jd_same(v, t->pairs[i].val, why, wn))
				return 1;
			i++;
		}
		return 0;
	}
	case JSON_ARRAY:
		if (t->kind != TM_NODE_SEQ || t->n != json_array_size(j)) {
			snprintf(why, wn, "array of %zu vs %s of %zu", json_array_size(j), tm_node_kind_str(t), t->n);
			return 1;
		}
		for (size_t i = 0; i < t->n; i++)
			if (jd_same(json_array_get(j, i), t->items[i], why, wn))
				return 1;
		return 0;
	case JSON_STRING:
		if (t->kind != TM_NODE_SCALAR || t->stype != TM_SCALAR_STR || t->len != json_string_length(j) ||
		    memcmp(t->str, json_string_value(j), t->len) != 0) {
			snprintf(why, wn, "string \"%s\" vs %s \"%s\"", json_string_value(j), tm_node_kind_str(t),
				 t->str ? t->str : "");
			return 1;
		}
		return 0;
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		if (t->kind != TM_NODE_SCALAR || t->stype != TM_SCALAR_INT || strcmp(t->str, num) != 0) {
			snprintf(why, wn, "integer %s vs %s %s", num, tm_node_kind_str(t), t->str ? t->str : "");
			return 1;
		}
		return 0;
	case JSON_REAL:
		snprintf(num, sizeof num, "%.17g", json_real_value(j));
		if (t->kind != TM_NODE_SCALAR || t->stype != TM_SCALAR_FLOAT || strcmp(t->str, num) != 0) {
			snprintf(why, wn, "real %s vs %s %s", num, tm_node_kind_str(t), t->str ? t->str : "");
			return 1;
		}
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		if (t->kind != TM_NODE_SCALAR || t->stype != TM_SCALAR_BOOL ||
		    strcmp(t->str, json_is_true(j) ? "true" : "false") != 0) {
			snprintf(why, wn, "boolean vs %s", tm_node_kind_str(t));
			return 1;
		}
		return 0;
	default:
		if (!tm_node_is_null(t)) {
			snprintf(why, wn, "null vs %s", tm_node_kind_str(t));
			return 1;
		}
		return 0;
	}
}

/* 0: both agree (or a limit made the comparison moot); 1: they differ,
 * described in why. */
static int jsondiff(const char *data, size_t len, char *why, size_t wn)
{
	enum { MAXV = 4096 };
	if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
	    (unsigned char)data[2] == 0xBF) { /* ours skips a byte order mark, jansson would not */
		data += 3;
		len -= 3;
	}
	static json_t *vals[MAXV];
	size_t nv = 0;
	bool depth_err;
	int jr = jd_jansson(data, len, vals, MAXV, &nv, &depth_err);
	tm_arena a;
	tm_strtab st;
	tm_docs docs = {0};
	tm_srcloc el;
	tm_buf err;
	tm_doc_limits lim;
	tm_doc_limits_default(&lim);
	lim.max_depth = 2000;
	lim.max_nodes = (size_t)1 << 30;
	tm_arena_init(&a);
	tm_strtab_init(&st, &a);
	tm_buf_init(&err, 0);
	tm_err rc = tm_doc_parse(&a, &st, &lim, "f.json", data, len, true, &docs, &el, &err);
	int out = 0;
	why[0] = 0;
	if (jr == -2 || rc == TM_ERR_LIMIT || depth_err) {
		out = 0; /* a limit on either side */
	} else if ((jr == 0) != (rc == TM_OK)) {
		snprintf(why, wn, "jansson %s, ours %s (%s)", jr == 0 ? "accepts" : "rejects",
			 rc == TM_OK ? "accepts" : "rejects", tm_buf_str(&err));
		out = 1;
	} else if (jr == 0) {
		/* a BOM is ours to skip (doc.c does it before reading) */
		if (nv != docs.n) {
			snprintf(why, wn, "%zu values vs %zu documents", nv, docs.n);
			out = 1;
		}
		for (size_t i = 0; !out && i < nv; i++)
			out = jd_same(vals[i], docs.docs[i], why, wn);
	}
	for (size_t i = 0; i < nv; i++)
		json_decref(vals[i]);
	tm_buf_release(&err);
	tm_strtab_release(&st);
	tm_arena_release(&a);
	return out;
}

#endif
