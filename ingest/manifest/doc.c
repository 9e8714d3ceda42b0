/* doc.c - YAML (libyaml events) and JSON (jansson) into tm_node trees. */
#include "ingest/manifest/doc.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include <jansson.h>

#include "ingest/manifest/yamlfast.h"

void tm_doc_limits_default(tm_doc_limits *l)
{
	l->max_depth = 64;
	l->max_nodes = 5000000;
	l->max_alias_nodes = 100000;
	l->max_file_bytes = (size_t)256 << 20;
}

tm_node *tm_node_get(const tm_node *n, const char *key)
{
	if (!n || n->kind != TM_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < n->n; i++) {
		const tm_node *k = n->pairs[i].key;
		if (k->kind == TM_NODE_SCALAR && strcmp(k->str, key) == 0)
			return n->pairs[i].val;
	}
	return NULL;
}

bool tm_node_is_null(const tm_node *n)
{
	return !n || (n->kind == TM_NODE_SCALAR && n->stype == TM_SCALAR_NULL);
}

const char *tm_node_kind_str(const tm_node *n)
{
	if (!n)
		return "nothing";
	switch (n->kind) {
	case TM_NODE_MAP: return "a map";
	case TM_NODE_SEQ: return "a list";
	case TM_NODE_SCALAR:
		switch (n->stype) {
		case TM_SCALAR_STR: return "a string";
		case TM_SCALAR_INT: return "an integer";
		case TM_SCALAR_FLOAT: return "a number";
		case TM_SCALAR_BOOL: return "a boolean";
		case TM_SCALAR_NULL: return "null";
		}
	}
	return "?";
}

static void docs_push(tm_arena *a, tm_docs *d, tm_node *n)
{
	TM_ARENA_GROW(a, d->docs, d->n, d->cap);
	d->docs[d->n++] = n;
}

/* ---- scalar resolution (YAML 1.2 core schema) ---- */
static bool all_digits(const char *s, size_t n, int base)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = base == 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
					 (c >= 'A' && c <= 'F'))
			: base == 8 ? (c >= '0' && c <= '7') : (c >= '0' && c <= '9');
		if (!ok)
			return false;
	}
	return true;
}

static tm_scalar_type resolve_plain(const char *s, size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '~') || (n == 4 && (!memcmp(s, "null", 4) ||
		!memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4))))
		return TM_SCALAR_NULL;
	if ((n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4))) ||
	    (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5))))
		return TM_SCALAR_BOOL;
	const char *p = s;
	size_t m = n;
	if (m && (*p == '-' || *p == '+')) {
		p++;
		m--;
	}
	if (all_digits(p, m, 10))
		return TM_SCALAR_INT;
	if (m > 2 && p[0] == '0' && p[1] == 'x' && all_digits(p + 2, m - 2, 16))
		return TM_SCALAR_INT;
	if (m > 2 && p[0] == '0' && p[1] == 'o' && all_digits(p + 2, m - 2, 8))
		return TM_SCALAR_INT;
	/* float: digits with one '.' and/or exponent */
	{
		size_t i = 0, digits = 0;
		bool dot = false, ok = true;
		while (i < m && ok) {
			char c = p[i];
			if (c >= '0' && c <= '9') {
				digits++;
				i++;
			} else if (c == '.' && !dot) {
				dot = true;
				i++;
			} else
				break;
		}
		if (digits && i < m && (p[i] == 'e' || p[i] == 'E')) {
			i++;
			if (i < m && (p[i] == '+' || p[i] == '-'))
				i++;
			if (i == m)
				ok = false;
			while (i < m && p[i] >= '0' && p[i] <= '9')
				i++;
		}
		if (ok && digits && i == m && (dot || memchr(p, 'e', m) || memchr(p, 'E', m)))
			return TM_SCALAR_FLOAT;
	}
	if ((m == 4 && (!strncmp(p, ".inf", 4) || !strncmp(p, ".Inf", 4) || !strncmp(p, ".INF", 4))) ||
	    (n == 4 && (!strncmp(s, ".nan", 4) || !strncmp(s, ".NaN", 4) || !strncmp(s, ".NAN", 4))))
		return TM_SCALAR_FLOAT;
	return TM_SCALAR_STR;
}

/* ---- YAML ---- */
typedef struct anchor {
	const char *name;
	tm_node *node;
	size_t weight; /* nodes in the subtree, aliases expanded */
} anchor;

/* Interned string -> index, open addressing, storage in the arena (tables
 * are small and short-lived; a grown table's old slots stay in the arena). */
typedef struct ptab {
	const char **keys;
	size_t *vals;
	size_t nslots, n;
} ptab;

static size_t ptab_slot(const char *k, size_t nslots)
{
	uint64_t h = (uint64_t)(uintptr_t)k * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 17) & (nslots - 1);
}

static bool ptab_get(const ptab *t, const char *k, size_t *v)
{
	if (!t->nslots)
		return false;
	for (size_t i = ptab_slot(k, t->nslots);; i = (i + 1) & (t->nslots - 1)) {
		if (!t->keys[i])
			return false;
		if (t->keys[i] == k) {
			*v = t->vals[i];
			return true;
		}
	}
}

/* Insert or replace. */
static void ptab_put(tm_arena *a, ptab *t, const char *k, size_t v)
{
	if ((t->n + 1) * 2 > t->nslots) {
		ptab old = *t;
		t->nslots = old.nslots ? old.nslots * 2 : 16;
		t->keys = tm_arena_alloc(a, t->nslots * sizeof *t->keys);
		t->vals = tm_arena_alloc(a, t->nslots * sizeof *t->vals);
		t->n = 0;
		for (size_t i = 0; i < old.nslots; i++)
			if (old.keys[i])
				ptab_put(a, t, old.keys[i], old.vals[i]);
	}
	size_t i = ptab_slot(k, t->nslots);
	while (t->keys[i] && t->keys[i] != k)
		i = (i + 1) & (t->nslots - 1);
	if (!t->keys[i])
		t->n++;
	t->keys[i] = k;
	t->vals[i] = v;
}

typedef struct frame {
	tm_node *node;
	const char *anchor;
	size_t weight;
	tm_node *pending_key; /* maps: key waiting for its value */
	size_t cap;
	ptab keys;            /* maps of 8 or more pairs: key text -> pair index */
} frame;

typedef struct yctx {
	tm_arena *a;
	tm_strtab *st;
	const tm_doc_limits *lim;
	const char *file;
	frame *stack;
	size_t depth, stack_cap;
	anchor *anchors;
	size_t nanchors, anchors_cap;
	ptab anchor_tab;       /* name -> latest index in anchors */
	size_t nodes, alias_nodes;
	tm_node *root;
	size_t root_weight;
	tm_srcloc *errloc;
	tm_buf *err;
} yctx;

static tm_srcloc mark_loc(const yctx *c, yaml_mark_t m)
{
	tm_srcloc l = {c->file, (unsigned)m.line + 1, (unsigned)m.column + 1};
	return l;
}

static tm_err yerr(yctx *c, yaml_mark_t m, const char *fmt, ...) TM_PRINTF(3, 4);
static tm_err yerr(yctx *c, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	*c->errloc = mark_loc(c, m);
	va_start(ap, fmt);
	tm_buf_vaddf(c->err, fmt, ap);
	va_end(ap);
	return TM_ERR_SYNTAX;
}

/* A yerr() that reports an input limit (docs/limits.md), not bad syntax. */
static tm_err ylimit(tm_err syntax)
{
	(void)syntax;
	return TM_ERR_LIMIT;
}

static const char *key_text(const tm_node *k)
{
	return k->kind == TM_NODE_SCALAR ? k->str : NULL;
}

/* Attach a finished node (with its weight) to the current parent. */
static tm_err attach(yctx *c, tm_node *n, size_t weight, yaml_mark_t m)
{
	if (c->depth == 0) {
		c->root = n;
		c->root_weight = weight;
		return TM_OK;
	}
	frame *f = &c->stack[c->depth - 1];
	f->weight += weight;
	tm_node *p = f->node;
	if (p->kind == TM_NODE_SEQ) {
		TM_ARENA_GROW(c->a, p->items, p->n, f->cap);
		p->items[p->n++] = n;
		return TM_OK;
	}
	if (!f->pending_key) {
		if (n->kind != TM_NODE_SCALAR) {
			/* "? [a, b] : c" or "*anchor-of-a-map : c": JSON and the API
			 * server have only string keys, and readers rely on it */
			tm_err rc = yerr(c, m, "a map key must be a string, not %s", tm_node_kind_str(n));
			*c->errloc = n->loc;
			return rc;
		}
		f->pending_key = n;
		return TM_OK;
	}
	tm_node *k = f->pending_key;
	f->pending_key = NULL;
	const char *kt = key_text(k);
	bool merge = kt && strcmp(kt, "<<") == 0;
	/* keys are interned: equal text is the same pointer. Small maps are
	 * searched; from 8 pairs on a hash table keeps this linear. */
	if (p->n >= 8 && !f->keys.nslots)
		for (size_t i = 0; i < p->n; i++) {
			const char *o = key_text(p->pairs[i].key);
			if (o && strcmp(o, "<<") != 0)
				ptab_put(c->a, &f->keys, o, i);
		}
	if (kt && !merge) {
		size_t first = 0;
		bool dup = false;
		if (f->keys.nslots)
			dup = ptab_get(&f->keys, kt, &first);
		else
			for (size_t i = 0; i < p->n && !dup; i++)
				if (key_text(p->pairs[i].key) == kt) {
					dup = true;
					first = i;
				}
		if (dup) { /* at the second key, not where its value ends */
			tm_err e = yerr(c, m, "duplicate key \"%s\" (first at line %u)", kt,
					p->pairs[first].key->loc.line);
			if (k->loc.line)
				*c->errloc = k->loc;
			return e;
		}
	}
	TM_ARENA_GROW(c->a, p->pairs, p->n, f->cap);
	p->pairs[p->n].key = k;
	p->pairs[p->n].val = n;
	if (f->keys.nslots && kt && !merge)
		ptab_put(c->a, &f->keys, kt, p->n);
	p->n++;
	return TM_OK;
}

static bool is_merge_key(const tm_pair *pr)
{
	const char *kt = key_text(pr->key);
	return kt && strcmp(kt, "<<") == 0;
}

/* Apply YAML merge keys ("<<: *anchor" or a list of them) when a map closes:
 * the map's own keys win, then earlier merges over later ones. Linear in
 * the pairs merged (a hash table of the keys present). */
static void apply_merges(yctx *c, tm_node *m, size_t *cap)
{
	size_t nmerge = 0;
	for (size_t i = 0; i < m->n; i++)
		nmerge += is_merge_key(&m->pairs[i]);
	if (!nmerge)
		return;
	tm_node **vals = tm_arena_alloc(c->a, nmerge * sizeof *vals);
	size_t k = 0, nv = 0;
	ptab have = {0};
	for (size_t i = 0; i < m->n; i++) {
		if (is_merge_key(&m->pairs[i])) {
			vals[nv++] = m->pairs[i].val;
			continue;
		}
		const char *kt = key_text(m->pairs[i].key);
		if (kt)
			ptab_put(c->a, &have, kt, k);
		m->pairs[k++] = m->pairs[i];
	}
	m->n = k;
	for (size_t i = 0; i < nv; i++) {
		tm_node *v = vals[i];
		size_t nsrc = v->kind == TM_NODE_SEQ ? v->n : 1;
		for (size_t s = 0; s < nsrc; s++) {
			tm_node *src = v->kind == TM_NODE_SEQ ? v->items[s] : v;
			if (src->kind != TM_NODE_MAP)
				continue;
			for (size_t j = 0; j < src->n; j++) {
				const char *sk = key_text(src->pairs[j].key);
				size_t dummy;
				if (sk && ptab_get(&have, sk, &dummy))
					continue;
				TM_ARENA_GROW(c->a, m->pairs, m->n, *cap);
				if (sk)
					ptab_put(c->a, &have, sk, m->n);
				m->pairs[m->n++] = src->pairs[j];
			}
		}
	}
}

static tm_node *new_node(yctx *c, tm_node_kind k, yaml_mark_t m)
{
	tm_node *n = tm_arena_alloc(c->a, sizeof *n);
	n->kind = k;
	n->loc = mark_loc(c, m);
	c->nodes++;
	return n;
}

static tm_err add_anchor(yctx *c, const char *name, tm_node *n, size_t w)
{
	/* a later anchor of the same name shadows an earlier one; anchors are
	 * per document (nanchors is reset to 0 at each document start) */
	if (c->nanchors == 0)
		memset(&c->anchor_tab, 0, sizeof c->anchor_tab);
	ptab_put(c->a, &c->anchor_tab, name, c->nanchors);
	TM_ARENA_GROW(c->a, c->anchors, c->nanchors, c->anchors_cap);
	c->anchors[c->nanchors].name = name;
	c->anchors[c->nanchors].node = n;
	c->anchors[c->nanchors].weight = w;
	c->nanchors++;
	return TM_OK;
}

static tm_err handle_event(yctx *c, yaml_event_t *ev)
{
	yaml_mark_t m = ev->start_mark;
	if (c->nodes > c->lim->max_nodes)
		return ylimit(yerr(c, m, "more than %zu nodes in one file (limit --max-nodes)", c->lim->max_nodes));
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		tm_node *n = new_node(c, TM_NODE_SCALAR, m);
		const char *v = (const char *)ev->data.scalar.value;
		size_t len = ev->data.scalar.length;
		if (memchr(v, 0, len))
			return yerr(c, m, "a string contains a NUL character (\\0)");
		n->str = tm_intern_n(c->st, v, len);
		n->len = len;
		const char *tag = (const char *)ev->data.scalar.tag;
		if (tag && strcmp(tag, YAML_STR_TAG) == 0)
			n->stype = TM_SCALAR_STR;
		else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag)
			n->stype = resolve_plain(v, len);
		else
			n->stype = TM_SCALAR_STR;
		if (ev->data.scalar.anchor)
			add_anchor(c, tm_intern(c->st, (const char *)ev->data.scalar.anchor), n, 1);
		return attach(c, n, 1, m);
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		if (c->depth >= c->lim->max_depth)
			return ylimit(yerr(c, m, "nesting deeper than %u levels (limit --max-depth)",
					   c->lim->max_depth));
		tm_node *n = new_node(c, ev->type == YAML_MAPPING_START_EVENT ? TM_NODE_MAP : TM_NODE_SEQ, m);
		TM_HEAP_GROW(c->stack, c->depth, c->stack_cap);
		frame *f = &c->stack[c->depth++];
		memset(f, 0, sizeof *f);
		f->node = n;
		f->weight = 1;
		const yaml_char_t *an = ev->type == YAML_MAPPING_START_EVENT
			? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
		f->anchor = an ? tm_intern(c->st, (const char *)an) : NULL;
		return TM_OK;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		frame f = c->stack[--c->depth];
		if (f.node->kind == TM_NODE_MAP)
			apply_merges(c, f.node, &f.cap);
		if (f.anchor)
			add_anchor(c, f.anchor, f.node, f.weight);
		return attach(c, f.node, f.weight, m);
	}
	case YAML_ALIAS_EVENT: {
		const char *name = tm_intern(c->st, (const char *)ev->data.alias.anchor);
		size_t i;
		if (c->nanchors && ptab_get(&c->anchor_tab, name, &i) && i < c->nanchors) {
			const frame *pf = c->depth ? &c->stack[c->depth - 1] : NULL;
			if (pf && pf->node->kind == TM_NODE_MAP && !pf->pending_key &&
			    c->anchors[i].node->kind != TM_NODE_SCALAR) /* reported here: at the alias */
				return yerr(c, m, "a map key must be a string, not %s",
					    tm_node_kind_str(c->anchors[i].node));
			c->alias_nodes += c->anchors[i].weight;
			if (c->alias_nodes > c->lim->max_alias_nodes)
				return ylimit(yerr(c, m, "alias expansion exceeds %zu nodes (limit --max-alias-nodes)",
						   c->lim->max_alias_nodes));
			return attach(c, c->anchors[i].node, c->anchors[i].weight, m);
		}
		return yerr(c, m, "unknown alias \"*%s\"", name);
	}
	default:
		return TM_OK;
	}
}

/* Line and column (1-based) of byte offset off in data. */
static yaml_mark_t offset_mark(const char *data, size_t len, size_t off)
{
	yaml_mark_t m = {off, 0, 0};
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (data[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
			m.column++; /* count characters, not UTF-8 continuation bytes */
		}
	}
	return m;
}

/* libyaml's error as a message with the position of the problem. Reader
 * errors (bad UTF-8, control characters) carry a byte offset, not a mark. */
static tm_err yaml_problem(yctx *c, const yaml_parser_t *p, const char *data, size_t len)
{
	const char *prob = p->problem ? p->problem : "cannot parse";
	if (p->error == YAML_READER_ERROR) {
		size_t off = p->problem_offset;
		/* a bad continuation byte: point at the start of its sequence */
		if (strstr(prob, "trailing"))
			for (size_t k = 0; k < 3 && off > 0 && off <= len &&
			     ((unsigned char)data[off - 1] & 0x80); k++) {
				off--;
				if (((unsigned char)data[off] & 0xC0) == 0xC0)
					break;
			}
		yaml_mark_t m = offset_mark(data, len, off);
		if (p->problem_value >= 0 && off < len && strstr(prob, "octet"))
			return yerr(c, m, "not valid UTF-8: byte 0x%02X at offset %zu (%s)",
				    (unsigned char)data[off], off, prob);
		if (p->problem_value >= 0 && off < len)
			return yerr(c, m, "%s: byte 0x%02X at offset %zu", prob, (unsigned char)data[off], off);
		return yerr(c, m, "%s at offset %zu", prob, off);
	}
	yaml_mark_t m = p->problem_mark;
	const char *hint = m.index < len && data[m.index] == '\t'
		? " (a tab: YAML indentation must use spaces)" : "";
	if (p->context && p->context_mark.line != m.line)
		return yerr(c, m, "%s %s that starts at line %zu, column %zu%s", prob, p->context,
			    p->context_mark.line + 1, p->context_mark.column + 1, hint);
	if (p->context)
		return yerr(c, m, "%s %s%s", prob, p->context, hint);
	return yerr(c, m, "%s%s", prob, hint);
}

/* One event of either scanner into the tree; documents are collected in out. */
static tm_err feed_event(yctx *c, tm_docs *out, yaml_event_t *ev)
{
	yaml_event_type_t t = ev->type;
	if (t == YAML_DOCUMENT_START_EVENT) {
		c->root = NULL;
		c->nanchors = 0;
	}
	tm_err rc = handle_event(c, ev);
	if (t == YAML_DOCUMENT_END_EVENT) {
		if (c->root && !tm_node_is_null(c->root))
			docs_push(c->a, out, c->root);
		else
			out->empty_docs++;
		c->root = NULL;
	}
	return rc;
}

typedef struct fast_ctx {
	yctx *c;
	tm_docs *out;
} fast_ctx;

static int fast_sink(void *arg, yaml_event_t *ev)
{
	fast_ctx *f = arg;
	return feed_event(f->c, f->out, ev) != TM_OK;
}

/* The block-style subset without libyaml (yamlfast.h, about 10 times
 * faster). true: out holds the documents. false: everything it did is
 * undone, and libyaml parses the buffer from the start (and reports errors,
 * limits included, exactly as without this path). */
static bool parse_yaml_fast(const yctx *c0, const char *data, size_t len, tm_docs *out)
{
	yctx c = *c0;
	size_t n0 = out->n, e0 = out->empty_docs, elen = c0->err->len;
	tm_srcloc el0 = *c0->errloc;
	fast_ctx fc = {&c, out};
	bool ok = tm_yaml_fast(data, len, fast_sink, &fc);
	free(c.stack);
	if (!ok) {
		out->n = n0;
		out->empty_docs = e0;
		*c0->errloc = el0;
		if (c0->err->len != elen) {
			c0->err->len = elen;
			c0->err->s[elen] = 0;
		}
	}
	return ok;
}

static tm_err parse_yaml(tm_arena *a, tm_strtab *st, const tm_doc_limits *lim, const char *file,
			 const char *data, size_t len, tm_docs *out, tm_srcloc *errloc, tm_buf *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	yctx c;
	tm_err rc = TM_OK;
	memset(&c, 0, sizeof c);
	c.a = a;
	c.st = st;
	c.lim = lim;
	c.file = file;
	c.errloc = errloc;
	c.err = err;
	if (parse_yaml_fast(&c, data, len, out))
		return TM_OK;
	if (!yaml_parser_initialize(&p))
		return TM_ERR_NOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = yaml_problem(&c, &p, data, len);
			break;
		}
		yaml_event_type_t t = ev.type;
		rc = feed_event(&c, out, &ev);
		yaml_event_delete(&ev);
		if (rc != TM_OK || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	free(c.stack);
	return rc;
}

/* ---- JSON ---- */
/* jansson keeps no positions: a second pass over the text that jansson has
 * accepted records where each value and each object key starts (line and
 * column, 1-based, columns in code points as for YAML), in the order in
 * which from_json() meets them (jansson keeps the members of an object in
 * their order, and duplicates are rejected). */
typedef struct jpos {
	const char *p, *end;
	unsigned line, col;
	tm_srcloc *v;
	size_t n, cap;
	const char *file;
} jpos;

static void jp_adv(jpos *s)
{
	char ch = *s->p++;
	if (ch == '\n') {
		s->line++;
		s->col = 1;
	} else if (((unsigned char)ch & 0xC0) != 0x80) {
		s->col++;
	}
}

static void jp_ws(jpos *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		jp_adv(s);
}

static void jp_mark(jpos *s)
{
	TM_HEAP_GROW(s->v, s->n, s->cap);
	s->v[s->n++] = (tm_srcloc){s->file, s->line, s->col};
}

static void jp_string(jpos *s)
{
	jp_adv(s); /* the opening quote */
	while (s->p < s->end) {
		if (*s->p == '\\') {
			jp_adv(s);
			if (s->p < s->end)
				jp_adv(s);
		} else if (*s->p == '"') {
			jp_adv(s);
			return;
		} else {
			jp_adv(s);
		}
	}
}

static void jp_value(jpos *s, unsigned depth)
{
	jp_ws(s);
	if (s->p >= s->end || depth > 100000)
		return;
	jp_mark(s);
	char ch = *s->p;
	if (ch == '{' || ch == '[') {
		char close = ch == '{' ? '}' : ']';
		jp_adv(s);
		for (;;) {
			jp_ws(s);
			if (s->p >= s->end)
				return;
			if (*s->p == close) {
				jp_adv(s);
				return;
			}
			if (ch == '{') {
				jp_mark(s); /* the key */
				jp_string(s);
				jp_ws(s);
				if (s->p < s->end && *s->p == ':')
					jp_adv(s);
			}
			jp_value(s, depth + 1);
			jp_ws(s);
			if (s->p < s->end && *s->p == ',')
				jp_adv(s);
		}
	}
	if (ch == '"') {
		jp_string(s);
		return;
	}
	while (s->p < s->end && !strchr(",]} \t\n\r", *s->p))
		jp_adv(s);
}

typedef struct jctx {
	tm_arena *a;
	tm_strtab *st;
	const tm_doc_limits *lim;
	tm_srcloc loc;
	size_t nodes;
	const tm_srcloc *pos; /* from jp_value(), in from_json() order */
	size_t npos, ipos;
} jctx;

static tm_srcloc jc_loc(jctx *c)
{
	return c->ipos < c->npos ? c->pos[c->ipos++] : c->loc;
}

static tm_node *from_json(jctx *c, json_t *j, unsigned depth, tm_err *rc)
{
	if (depth > c->lim->max_depth) {
		*rc = TM_ERR_LIMIT;
		return NULL;
	}
	if (++c->nodes > c->lim->max_nodes) {
		*rc = TM_ERR_LIMIT;
		return NULL;
	}
	tm_node *n = tm_arena_alloc(c->a, sizeof *n);
	n->loc = jc_loc(c);
	char num[64];
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		n->kind = TM_NODE_MAP;
		n->n = json_object_size(j);
		n->pairs = tm_arena_alloc(c->a, (n->n ? n->n : 1) * sizeof(tm_pair));
		size_t i = 0;
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v) {
			tm_node *kn = tm_arena_alloc(c->a, sizeof *kn);
			kn->kind = TM_NODE_SCALAR;
			kn->stype = TM_SCALAR_STR;
			kn->loc = jc_loc(c);
			if (++c->nodes > c->lim->max_nodes) { /* keys count, as for YAML */
				*rc = TM_ERR_LIMIT;
				return NULL;
			}
			kn->str = tm_intern(c->st, k);
			kn->len = strlen(k);
			n->pairs[i].key = kn;
			n->pairs[i].val = from_json(c, v, depth + 1, rc);
			if (!n->pairs[i].val)
				return NULL;
			i++;
		}
		return n;
	}
	case JSON_ARRAY: {
		n->kind = TM_NODE_SEQ;
		n->n = json_array_size(j);
		n->items = tm_arena_alloc(c->a, (n->n ? n->n : 1) * sizeof(tm_node *));
		for (size_t i = 0; i < n->n; i++) {
			n->items[i] = from_json(c, json_array_get(j, i), depth + 1, rc);
			if (!n->items[i])
				return NULL;
		}
		return n;
	}
	case JSON_STRING:
		n->kind = TM_NODE_SCALAR;
		n->stype = TM_SCALAR_STR;
		n->len = json_string_length(j);
		n->str = tm_intern_n(c->st, json_string_value(j), n->len);
		return n;
	case JSON_INTEGER:
		n->kind = TM_NODE_SCALAR;
		n->stype = TM_SCALAR_INT;
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		n->str = tm_intern(c->st, num);
		n->len = strlen(num);
		return n;
	case JSON_REAL:
		n->kind = TM_NODE_SCALAR;
		n->stype = TM_SCALAR_FLOAT;
		snprintf(num, sizeof num, "%.17g", json_real_value(j));
		n->str = tm_intern(c->st, num);
		n->len = strlen(num);
		return n;
	case JSON_TRUE:
	case JSON_FALSE:
		n->kind = TM_NODE_SCALAR;
		n->stype = TM_SCALAR_BOOL;
		n->str = tm_intern(c->st, json_is_true(j) ? "true" : "false");
		n->len = strlen(n->str);
		return n;
	case JSON_NULL:
	default:
		n->kind = TM_NODE_SCALAR;
		n->stype = TM_SCALAR_NULL;
		n->str = tm_intern(c->st, "null");
		n->len = 4;
		return n;
	}
}

/* Before jansson builds a tree: find the first place where the text nests
 * deeper than the depth limit, or the point after which it would hold more
 * values than the node limit, so that neither costs memory and the error
 * has a line and column. Counts, outside strings, the opening brackets,
 * the commas and the colons (an upper bound on the values and keys). Returns TM_OK or TM_ERR_LIMIT
 * with *line and *col set and the message in err. */
static tm_err json_prescan(const char *data, size_t len, const tm_doc_limits *lim, unsigned line,
			   unsigned col, tm_srcloc *errloc, tm_buf *err)
{
	size_t depth = 0, values = 1;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char ch = data[i];
		if (in_str) {
			if (ch == '\\')
				i++, col++;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == '[' || ch == '{') {
			values++;
			if (++depth > lim->max_depth) {
				errloc->line = line;
				errloc->col = col;
				tm_buf_addf(err, "nesting deeper than %u levels (limit --max-depth)", lim->max_depth);
				return TM_ERR_LIMIT;
			}
		} else if (ch == ']' || ch == '}') {
			if (depth)
				depth--;
		} else if (ch == ',' || ch == ':') {
			values++; /* a value, or (':') an object key: keys count as in YAML */
		}
		if (values > lim->max_nodes) {
			errloc->line = line;
			errloc->col = col;
			tm_buf_addf(err, "more than %zu nodes in one file (limit --max-nodes)", lim->max_nodes);
			return TM_ERR_LIMIT;
		}
		if (ch == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)ch & 0xC0) != 0x80) {
			col++;
		}
	}
	return TM_OK;
}

static tm_err parse_json(tm_arena *a, tm_strtab *st, const tm_doc_limits *lim, const char *file,
			 const char *data, size_t len, tm_docs *out, tm_srcloc *errloc, tm_buf *err)
{
	size_t off = 0;
	unsigned line = 1, col = 1;
	tm_err prc = json_prescan(data, len, lim, line, col, errloc, err);
	if (prc != TM_OK)
		return prc;
	while (off < len) {
		/* skip whitespace between concatenated values, tracking position */
		while (off < len && (data[off] == ' ' || data[off] == '\t' || data[off] == '\n' ||
				     data[off] == '\r')) {
			if (data[off] == '\n') {
				line++;
				col = 1;
			} else
				col++;
			off++;
		}
		if (off >= len)
			break;
		json_error_t je;
		json_t *j = json_loadb(data + off, len - off,
				       JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		if (!j) {
			errloc->file = file;
			errloc->line = line + (unsigned)(je.line > 0 ? je.line - 1 : 0);
			errloc->col = je.line <= 1 ? col + (unsigned)(je.column > 0 ? je.column - 1 : 0)
						   : (unsigned)(je.column > 0 ? je.column : 1);
			if (strstr(je.text, "JSON_ALLOW_NUL"))
				tm_buf_adds(err, "a string contains a NUL character (\\u0000)");
			else
				tm_buf_adds(err, je.text);
			return TM_ERR_SYNTAX;
		}
		size_t used = je.position;
		jpos jp = {data + off, data + off + (used ? used : len - off), line, col, NULL, 0, 0, file};
		jp_value(&jp, 0);
		jctx c = {a, st, lim, {file, line, col}, 0, jp.v, jp.n, 0};
		tm_err rc = TM_OK;
		tm_node *n = from_json(&c, j, 0, &rc);
		json_decref(j);
		free(jp.v);
		if (!n) {
			*errloc = c.loc;
			tm_buf_addf(err, "JSON value exceeds the nesting (%u) or node (%zu) limit",
				    lim->max_depth, lim->max_nodes);
			return rc;
		}
		docs_push(a, out, n);
		/* advance past the value, counting lines */
		for (size_t i = 0; i < used && off + i < len; i++) {
			if (data[off + i] == '\n') {
				line++;
				col = 1;
			} else
				col++;
		}
		off += used ? used : len - off;
	}
	return TM_OK;
}

tm_err tm_doc_parse(tm_arena *a, tm_strtab *st, const tm_doc_limits *lim, const char *file,
		    const char *data, size_t len, bool is_json, tm_docs *out, tm_srcloc *errloc,
		    tm_buf *err)
{
	tm_doc_limits dl;
	if (!lim) {
		tm_doc_limits_default(&dl);
		lim = &dl;
	}
	errloc->file = file;
	errloc->line = errloc->col = 0;
	if (len > lim->max_file_bytes) {
		tm_buf_addf(err, "file is larger than %zu bytes (limit --max-file-size)",
			    lim->max_file_bytes);
		return TM_ERR_LIMIT;
	}
	/* skip a UTF-8 byte order mark */
	if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
	    (unsigned char)data[2] == 0xBF) {
		data += 3;
		len -= 3;
	}
	if (is_json)
		return parse_json(a, st, lim, file, data, len, out, errloc, err);
	return parse_yaml(a, st, lim, file, data, len, out, errloc, err);
}
