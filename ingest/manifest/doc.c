/* doc.c - YAML (libyaml events, or the fast scanner's) and JSON (json.c's
 * events) into tm_node trees: one tree builder for both formats, which
 * also streams the items of a List one at a time and skips the fields no
 * analysis reads (doc.h). */
#include "ingest/manifest/doc.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ingest/manifest/json.h"
#include "ingest/manifest/yamlfast.h"

void tm_doc_limits_default(tm_doc_limits *l)
{
	l->max_depth = 64;
	l->max_nodes = 1000000;
	l->max_alias_nodes = 100000;
	l->max_file_bytes = (size_t)4 << 30;
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

/* ---- the tree builder (YAML and JSON events) ---- */
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

/* What a map is, for streaming and for the fields skipped unbuilt */
enum { R_NONE, R_OBJ, R_META, R_ANN, R_STATUS, R_ITEMS };

typedef struct frame {
	tm_node *node;
	const char *anchor;
	size_t weight;
	tm_node *pending_key; /* maps: key waiting for its value */
	size_t cap;
	ptab keys;            /* maps of 8 or more pairs: key text -> pair index */
	unsigned char role;   /* R_* */
	unsigned char child;  /* the role of pending_key's value */
	bool streaming;       /* a List's items: handed over one at a time, not kept */
} frame;

/* Inside a skipped value only what accept/reject needs is kept: the depth,
 * the node count and, per map, its keys (for duplicates). */
typedef struct slevel {
	size_t id;
	bool map, want_key;
} slevel;

typedef struct skey {
	size_t level;   /* 0: empty slot */
	uint64_t h;
	size_t off, len;
	size_t line;
} skey;

enum { S_ITEMS, S_KIND, S_METADATA, S_STATUS, S_MANAGED, S_ANNOTATIONS, S_LAST_APPLIED, S_MERGE, S_N };
static const char *const special_keys[S_N] = {
	"items", "kind", "metadata", "status", "managedFields", "annotations",
	"kubectl.kubernetes.io/last-applied-configuration", "<<",
};
/* status fields kept: the pod's addresses and phase, a controller's counts */
static const char *const status_kept[] = {
	"podIP", "podIPs", "hostIP", "hostIPs", "phase", "replicas", "readyReplicas",
	"availableReplicas", "updatedReplicas", "currentReplicas", "numberReady",
	"currentNumberScheduled", "desiredNumberScheduled", "active", "succeeded", "failed", NULL,
};

typedef struct yctx {
	tm_arena *a;            /* where nodes go now */
	tm_arena doc_a, item_a; /* streaming: the current document, the current List item */
	bool own_arenas;
	tm_strtab *st;
	const tm_doc_limits *lim;
	const char *file;
	frame *stack;
	size_t depth, stack_cap;
	anchor *anchors;
	size_t nanchors, anchors_cap;
	ptab anchor_tab;       /* name -> latest index in anchors */
	size_t nodes;          /* of the current object: the document, or a List item */
	size_t doc_nodes;      /* the document's own while its items are read */
	size_t text_nodes;     /* read from the text of the file (aliases not counted) */
	size_t alias_nodes;
	tm_node *root;
	size_t root_weight;
	tm_srcloc *errloc;
	tm_buf *err;
	const char *sk_str[S_N];
	const char *status_str[TM_ARRAY_LEN(status_kept)];
	/* what the caller wants */
	bool stream, skip, json;
	tm_doc_reader *rd;     /* tm_doc_read; NULL for tm_doc_parse */
	tm_docs *out;          /* tm_doc_parse */
	/* the text the events come from, for looking ahead */
	const char *data;
	size_t len, base_line, base_off;
	size_t la_off, la_line; /* line cursor: offset of line la_line */
	/* streaming state */
	const char *stream_kind;
	size_t stream_line;
	bool keep_items;
	size_t doc_index, item_index;
	size_t replay_docs, replay_items; /* already delivered by the fast scanner */
	size_t doc_line;       /* where the current document started */
	bool doc_open;         /* between its start and its end */
	tm_err sink_rc;        /* what stopped a scanner */
	size_t since_progress;
	/* skipping */
	size_t skip_depth;
	bool skip_pending;
	yaml_mark_t skip_mark;
	slevel *sl;
	size_t nsl, sl_cap, sl_ids;
	skey *sk;
	size_t sk_slots, sk_n;
	char *skb;
	size_t skb_len, skb_cap;
} yctx;

static tm_srcloc mark_loc(const yctx *c, yaml_mark_t m)
{
	tm_srcloc l = {c->file, (unsigned)(m.line + c->base_line) + 1, (unsigned)m.column + 1};
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

static bool is_merge_text(const yctx *c, const char *kt)
{
	return !c->json && kt == c->sk_str[S_MERGE];
}

/* ---- the line cursor and looking ahead for a List's kind ---- */
/* Offset of line (0-based) of c->data; linear over a parse, as lines are
 * asked for in increasing order (a restart goes back to the start). */
static size_t line_offset(yctx *c, size_t line)
{
	if (line < c->la_line) {
		c->la_line = 0;
		c->la_off = 0;
	}
	while (c->la_line < line && c->la_off < c->len) {
		const char *nl = memchr(c->data + c->la_off, '\n', c->len - c->la_off);
		c->la_off = nl ? (size_t)(nl - c->data) + 1 : c->len;
		c->la_line++;
	}
	return c->la_off;
}

static bool kind_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '-' || ch == '_';
}

/* YAML: the document's top-level "kind: X" on a line after line (a key of
 * the top-level block map starts a line at column 0; in the fast scanner's
 * subset nothing else does), before the next document. NULL: none, or not
 * a plain word (then the List is read whole). */
static const char *yaml_peek_kind(yctx *c, size_t line)
{
	size_t off = line_offset(c, line);
	const char *p = c->data, *end = c->data + c->len;
	const char *q = memchr(p + off, '\n', c->len - off);
	while (q && q + 1 < end) {
		const char *ls = q + 1, *le = memchr(ls, '\n', (size_t)(end - ls));
		size_t n = (size_t)((le ? le : end) - ls);
		if (n >= 3 && (!memcmp(ls, "---", 3) || !memcmp(ls, "...", 3)) &&
		    (n == 3 || ls[3] == ' ' || ls[3] == '\r' || ls[3] == '\t'))
			return NULL;
		if (n > 5 && !memcmp(ls, "kind:", 5) && ls[5] == ' ') {
			size_t i = 5;
			while (i < n && ls[i] == ' ')
				i++;
			size_t v = i;
			while (i < n && kind_char(ls[i]))
				i++;
			size_t ve = i;
			while (i < n && (ls[i] == ' ' || ls[i] == '\r'))
				i++;
			if (ve == v || !(i == n || ls[i] == '#'))
				return NULL;
			return tm_intern_n(c->st, ls + v, ve - v);
		}
		q = le;
	}
	return NULL;
}

static const char *root_kind(const yctx *c)
{
	const tm_node *r = c->depth ? c->stack[0].node : c->root;
	if (!r || r->kind != TM_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		if (key_text(r->pairs[i].key) == c->sk_str[S_KIND]) {
			const tm_node *v = r->pairs[i].val;
			return v->kind == TM_NODE_SCALAR && v->stype == TM_SCALAR_STR ? v->str : NULL;
		}
	return NULL;
}

static bool is_list_kind(const char *k)
{
	size_t n = k ? strlen(k) : 0;
	return n >= 4 && !strcmp(k + n - 4, "List");
}

/* ---- handing objects over ---- */
static void progress(yctx *c, yaml_mark_t m)
{
	tm_doc_reader *r = c->rd;
	if (!r || !r->progress || ++c->since_progress < 512)
		return;
	c->since_progress = 0;
	size_t off = c->json ? m.index : line_offset(c, m.line);
	r->progress(r->progress_ctx, "reading manifests", (uint64_t)(off + c->base_off),
		    (uint64_t)(c->len + c->base_off));
}

static void deliver(yctx *c, const tm_node *n, const char *list_kind)
{
	if (c->rd) {
		c->rd->objects++;
		c->rd->fn(c->rd->arg, n, list_kind);
	} else {
		TM_ARENA_GROW(c->a, c->out->docs, c->out->n, c->out->cap);
		c->out->docs[c->out->n++] = (tm_node *)n;
	}
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
		if (f->streaming) {
			/* one item of a List: read, then forgotten */
			if (!(c->doc_index < c->replay_docs ||
			      (c->doc_index == c->replay_docs && c->item_index < c->replay_items)))
				deliver(c, n, c->stream_kind);
			c->item_index++;
			c->nodes = 0;
			if (!c->keep_items)
				tm_arena_reset(&c->item_a);
			progress(c, m);
			return TM_OK;
		}
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
		/* the value's role, and whether it is skipped unbuilt */
		const char *kt = n->str;
		unsigned char child = R_NONE;
		switch (f->role) {
		case R_OBJ:
			child = kt == c->sk_str[S_METADATA] ? R_META : kt == c->sk_str[S_STATUS] ? R_STATUS
				: kt == c->sk_str[S_ITEMS] ? R_ITEMS : R_NONE;
			break;
		case R_META:
			if (kt == c->sk_str[S_MANAGED])
				c->skip_pending = c->skip;
			else if (kt == c->sk_str[S_ANNOTATIONS])
				child = R_ANN;
			break;
		case R_ANN:
			if (kt == c->sk_str[S_LAST_APPLIED])
				c->skip_pending = c->skip;
			break;
		case R_STATUS: {
			bool kept = false;
			for (size_t i = 0; c->status_str[i]; i++)
				kept |= kt == c->status_str[i];
			c->skip_pending = c->skip && !kept;
			break;
		}
		default:
			break;
		}
		f->child = child;
		return TM_OK;
	}
	tm_node *k = f->pending_key;
	f->pending_key = NULL;
	const char *kt = key_text(k);
	bool merge = kt && is_merge_text(c, kt);
	/* keys are interned: equal text is the same pointer. Small maps are
	 * searched; from 8 pairs on a hash table keeps this linear. */
	if (p->n >= 8 && !f->keys.nslots)
		for (size_t i = 0; i < p->n; i++) {
			const char *o = key_text(p->pairs[i].key);
			if (o && !is_merge_text(c, o))
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

static bool is_merge_key(const yctx *c, const tm_pair *pr)
{
	const char *kt = key_text(pr->key);
	return kt && is_merge_text(c, kt);
}

/* Apply YAML merge keys ("<<: *anchor" or a list of them) when a map closes:
 * the map's own keys win, then earlier merges over later ones. Linear in
 * the pairs merged (a hash table of the keys present). */
static void apply_merges(yctx *c, tm_node *m, size_t *cap)
{
	size_t nmerge = 0;
	for (size_t i = 0; i < m->n; i++)
		nmerge += is_merge_key(c, &m->pairs[i]);
	if (!nmerge)
		return;
	tm_node **vals = tm_arena_alloc(c->a, nmerge * sizeof *vals);
	size_t k = 0, nv = 0;
	ptab have = {0};
	for (size_t i = 0; i < m->n; i++) {
		if (is_merge_key(c, &m->pairs[i])) {
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
	c->text_nodes++;
	return n;
}

static tm_err add_anchor(yctx *c, const char *name, tm_node *n, size_t w)
{
	/* a later anchor of the same name shadows an earlier one; anchors are
	 * per document (nanchors is reset to 0 at each document start). An
	 * anchor inside a List item may be used by a later item: items are
	 * then kept until the document ends. */
	if (c->a == &c->item_a)
		c->keep_items = true;
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

/* ---- skipped values ---- */
static uint64_t key_hash(size_t level, const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ ((uint64_t)level * 0x9e3779b97f4a7c15ull);
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h | 1;
}

static void skey_insert(yctx *c, const skey *e)
{
	size_t i = (size_t)(e->h >> 7) & (c->sk_slots - 1);
	while (c->sk[i].level)
		i = (i + 1) & (c->sk_slots - 1);
	c->sk[i] = *e;
	c->sk_n++;
}

/* A key of a skipped map: a duplicate is an error as in a built one. */
static tm_err skip_key(yctx *c, size_t level, const char *s, size_t n, yaml_mark_t m)
{
	if (is_merge_text(c, n == 2 && !memcmp(s, "<<", 2) ? c->sk_str[S_MERGE] : NULL))
		return TM_OK;
	if ((c->sk_n + 1) * 2 > c->sk_slots) {
		skey *old = c->sk;
		size_t on = c->sk_slots;
		c->sk_slots = on ? on * 2 : 64;
		c->sk = calloc(c->sk_slots, sizeof *c->sk);
		if (!c->sk)
			abort();
		c->sk_n = 0;
		for (size_t i = 0; i < on; i++)
			if (old[i].level)
				skey_insert(c, &old[i]);
		free(old);
	}
	uint64_t h = key_hash(level, s, n);
	for (size_t i = (size_t)(h >> 7) & (c->sk_slots - 1); c->sk[i].level; i = (i + 1) & (c->sk_slots - 1)) {
		const skey *e = &c->sk[i];
		if (e->level == level && e->h == h && e->len == n && !memcmp(c->skb + e->off, s, n))
			return yerr(c, m, "duplicate key \"%.*s\" (first at line %zu)", (int)(n > 200 ? 200 : n), s,
				    e->line + c->base_line + 1);
	}
	if (c->skb_len + n > c->skb_cap) {
		while (c->skb_len + n > c->skb_cap)
			c->skb_cap = c->skb_cap ? c->skb_cap * 2 : 4096;
		c->skb = tm_xrealloc(c->skb, c->skb_cap);
	}
	memcpy(c->skb + c->skb_len, s, n);
	skey e = {level, h, c->skb_len, n, m.line};
	c->skb_len += n;
	skey_insert(c, &e);
	return TM_OK;
}

static tm_err skip_done(yctx *c, yaml_mark_t at)
{
	if (c->sk_n) {
		memset(c->sk, 0, c->sk_slots * sizeof *c->sk);
		c->sk_n = 0;
	}
	c->skb_len = 0;
	tm_node *n = tm_arena_alloc(c->a, sizeof *n); /* a null in its place */
	n->kind = TM_NODE_SCALAR;
	n->stype = TM_SCALAR_NULL;
	n->str = "null";
	n->len = 4;
	n->loc = mark_loc(c, at);
	return attach(c, n, 1, at);
}

/* One event inside (or opening) a value that no analysis reads: checked
 * for what makes an input unusable (depth, size, NUL, keys), not built. */
static tm_err skip_event(yctx *c, yaml_event_t *ev)
{
	yaml_mark_t m = ev->start_mark;
	slevel *l = c->nsl ? &c->sl[c->nsl - 1] : NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
	case YAML_ALIAS_EVENT: {
		c->nodes++;
		c->text_nodes++;
		if (ev->type == YAML_SCALAR_EVENT) {
			const char *v = (const char *)ev->data.scalar.value;
			size_t len = ev->data.scalar.length;
			if (memchr(v, 0, len))
				return yerr(c, m, "a string contains a NUL character (\\0)");
			if (l && l->map && l->want_key) {
				tm_err rc = skip_key(c, l->id, v, len, m);
				if (rc != TM_OK)
					return rc;
			}
		}
		if (!c->skip_depth) {
			c->skip_pending = false;
			return skip_done(c, m);
		}
		if (l->map)
			l->want_key = !l->want_key;
		return TM_OK;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (c->depth + c->skip_depth >= c->lim->max_depth)
			return ylimit(yerr(c, m, "nesting deeper than %u levels (limit --max-depth)",
					   c->lim->max_depth));
		if (l && l->map && l->want_key)
			return yerr(c, m, "a map key must be a string, not %s",
				    ev->type == YAML_MAPPING_START_EVENT ? "a map" : "a list");
		c->nodes++;
		c->text_nodes++;
		if (!c->skip_depth) {
			c->skip_pending = false;
			c->skip_mark = m;
		}
		TM_HEAP_GROW(c->sl, c->nsl, c->sl_cap);
		c->sl[c->nsl].id = ++c->sl_ids;
		c->sl[c->nsl].map = ev->type == YAML_MAPPING_START_EVENT;
		c->sl[c->nsl].want_key = true;
		c->nsl++;
		c->skip_depth++;
		return TM_OK;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		c->nsl--;
		if (--c->skip_depth == 0)
			return skip_done(c, c->skip_mark);
		l = &c->sl[c->nsl - 1];
		if (l->map)
			l->want_key = !l->want_key;
		return TM_OK;
	default:
		return TM_OK;
	}
}

static unsigned char role_of_new(const yctx *c, bool map)
{
	unsigned char r = R_OBJ;
	if (c->depth) {
		const frame *p = &c->stack[c->depth - 1];
		r = p->node->kind == TM_NODE_MAP ? p->child : p->role == R_ITEMS ? R_OBJ : R_NONE;
	}
	if (map && r == R_ITEMS)
		r = R_NONE;
	if (!map && r != R_ITEMS)
		r = R_NONE;
	return r;
}

/* "tag:yaml.org,2002:" and a type name (json.h): told by its first letter */
static tm_scalar_type json_type(const char *tag)
{
	size_t n = sizeof "tag:yaml.org,2002:" - 1;
	switch (tag ? tag[n] : 's') {
	case 'i': return TM_SCALAR_INT;
	case 'f': return TM_SCALAR_FLOAT;
	case 'b': return TM_SCALAR_BOOL;
	case 'n': return TM_SCALAR_NULL;
	default: return TM_SCALAR_STR;
	}
}

static size_t alias_bound(const yctx *c)
{
	/* relative to the input: as many nodes as its text holds, and never
	 * less than the limit (a small file's anchors are not held to its size) */
	return c->text_nodes > c->lim->max_alias_nodes ? c->text_nodes : c->lim->max_alias_nodes;
}

static tm_err handle_event(yctx *c, yaml_event_t *ev)
{
	yaml_mark_t m = ev->start_mark;
	if (c->nodes > c->lim->max_nodes)
		return ylimit(yerr(c, m, "more than %zu nodes in one object (limit --max-nodes)", c->lim->max_nodes));
	if (c->skip_pending || c->skip_depth)
		return skip_event(c, ev);
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
		if (c->json)
			n->stype = json_type(tag);
		else if (tag && strcmp(tag, YAML_STR_TAG) == 0)
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
		bool map = ev->type == YAML_MAPPING_START_EVENT;
		unsigned char role = role_of_new(c, map);
		tm_node *n = new_node(c, map ? TM_NODE_MAP : TM_NODE_SEQ, m);
		/* the items of a top-level List, read one at a time: its kind is
		 * known (before "items", or looked up after it: kubectl writes
		 * keys in sorted order) */
		bool streaming = false;
		if (c->stream && role == R_ITEMS && c->depth == 1) {
			const char *k = root_kind(c);
			if (!k && c->json) {
				size_t kl = 0;
				const char *p = tm_json_peek_kind(c->data, c->len, m.index, &kl);
				k = p ? tm_intern_n(c->st, p, kl) : NULL;
			} else if (!k) {
				k = yaml_peek_kind(c, m.line);
			}
			if (is_list_kind(k)) {
				streaming = true;
				c->stream_kind = k;
				c->stream_line = m.line;
				c->doc_nodes = c->nodes;
				c->nodes = 0;
				c->a = &c->item_a;
			}
		}
		TM_HEAP_GROW(c->stack, c->depth, c->stack_cap);
		frame *f = &c->stack[c->depth++];
		memset(f, 0, sizeof *f);
		f->node = n;
		f->weight = 1;
		f->role = role;
		f->streaming = streaming;
		const yaml_char_t *an = map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
		f->anchor = an ? tm_intern(c->st, (const char *)an) : NULL;
		return TM_OK;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		frame f = c->stack[--c->depth];
		if (f.streaming) {
			c->a = &c->doc_a;
			c->nodes = c->doc_nodes;
		}
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
			if (c->alias_nodes > alias_bound(c) && c->text_nodes > c->lim->max_alias_nodes)
				return ylimit(yerr(c, m, "alias expansion exceeds %zu nodes, as many as the text holds so far "
						   "(limit: --max-alias-nodes or the size of the text, whichever is larger)",
						   alias_bound(c)));
			if (c->alias_nodes > alias_bound(c))
				return ylimit(yerr(c, m, "alias expansion exceeds %zu nodes (limit --max-alias-nodes)",
						   alias_bound(c)));
			return attach(c, c->anchors[i].node, c->anchors[i].weight, m);
		}
		return yerr(c, m, "unknown alias \"*%s\"", name);
	}
	default:
		return TM_OK;
	}
}

/* Line and column (0-based) of byte offset off in data. */
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
				    (unsigned char)data[off], off + c->base_off, prob);
		if (p->problem_value >= 0 && off < len)
			return yerr(c, m, "%s: byte 0x%02X at offset %zu", prob, (unsigned char)data[off],
				    off + c->base_off);
		return yerr(c, m, "%s at offset %zu", prob, off + c->base_off);
	}
	yaml_mark_t m = p->problem_mark;
	const char *hint = m.index < len && data[m.index] == '\t'
		? " (a tab: YAML indentation must use spaces)" : "";
	if (p->context && p->context_mark.line != m.line)
		return yerr(c, m, "%s %s that starts at line %zu, column %zu%s", prob, p->context,
			    p->context_mark.line + c->base_line + 1, p->context_mark.column + 1, hint);
	if (p->context)
		return yerr(c, m, "%s %s%s", prob, p->context, hint);
	return yerr(c, m, "%s%s", prob, hint);
}

static void doc_begin(yctx *c, yaml_mark_t m)
{
	c->root = NULL;
	c->nanchors = 0;
	c->anchors = NULL;
	c->anchors_cap = 0;
	memset(&c->anchor_tab, 0, sizeof c->anchor_tab);
	c->nodes = 0;
	c->item_index = 0;
	c->stream_kind = NULL;
	c->keep_items = false;
	c->doc_line = m.line;
	c->doc_open = true;
	if (c->own_arenas)
		c->a = &c->doc_a;
}

static tm_err doc_end(yctx *c, yaml_mark_t m)
{
	tm_err rc = TM_OK;
	bool replayed = c->doc_index < c->replay_docs;
	if (c->stream_kind && c->root && root_kind(c) != c->stream_kind) {
		/* only a document outside the fast scanner's subset can hide its
		 * top-level "kind" from the look-ahead */
		tm_srcloc at = c->root->loc;
		rc = yerr(c, m, "the items at line %zu were read as those of a %s, but the document's "
			  "\"kind\" is not %s: write \"kind: %s\" as a line of its own", c->stream_line + c->base_line + 1,
			  c->stream_kind, c->stream_kind, c->stream_kind);
		*c->errloc = at;
	} else if (c->root && (c->json || !tm_node_is_null(c->root))) {
		if (!replayed)
			deliver(c, c->root, NULL);
	} else if (!replayed && c->rd) {
		c->rd->empty_docs++;
	} else if (!replayed) {
		c->out->empty_docs++;
	}
	if (!replayed && c->rd)
		c->rd->docs++;
	c->root = NULL;
	c->doc_index++;
	c->doc_open = false;
	progress(c, m);
	if (c->own_arenas) {
		tm_arena_reset(&c->doc_a);
		tm_arena_reset(&c->item_a);
		c->a = &c->doc_a;
	}
	return rc;
}

/* One event of any scanner into the tree; documents are handed over. */
static tm_err feed_event(yctx *c, yaml_event_t *ev)
{
	yaml_event_type_t t = ev->type;
	if (t == YAML_DOCUMENT_START_EVENT)
		doc_begin(c, ev->start_mark);
	tm_err rc = handle_event(c, ev);
	if (t == YAML_DOCUMENT_END_EVENT && rc == TM_OK)
		rc = doc_end(c, ev->start_mark);
	return rc;
}

static int event_sink(void *arg, yaml_event_t *ev)
{
	yctx *c = arg;
	c->sink_rc = feed_event(c, ev);
	return c->sink_rc != TM_OK;
}

static void ctx_init(yctx *c, tm_strtab *st, const tm_doc_limits *lim, const char *file,
		     tm_srcloc *errloc, tm_buf *err)
{
	memset(c, 0, sizeof *c);
	c->st = st;
	c->lim = lim;
	c->file = file;
	c->errloc = errloc;
	c->err = err;
	for (size_t i = 0; i < S_N; i++)
		c->sk_str[i] = tm_intern(st, special_keys[i]);
	for (size_t i = 0; status_kept[i]; i++)
		c->status_str[i] = tm_intern(st, status_kept[i]);
}

static void ctx_release(yctx *c)
{
	free(c->stack);
	free(c->sl);
	free(c->sk);
	free(c->skb);
	c->stack = NULL;
	c->sl = NULL;
	c->sk = NULL;
	c->skb = NULL;
	if (c->own_arenas) {
		tm_arena_release(&c->doc_a);
		tm_arena_release(&c->item_a);
	}
}

/* A fresh state for a (re)start on data; the caller's choices kept. */
static void ctx_restart(yctx *c, const char *data, size_t len)
{
	yctx keep = *c;
	ctx_release(c);
	ctx_init(c, keep.st, keep.lim, keep.file, keep.errloc, keep.err);
	c->stream = keep.stream;
	c->skip = keep.skip;
	c->json = keep.json;
	c->rd = keep.rd;
	c->out = keep.out;
	c->own_arenas = keep.own_arenas;
	c->a = keep.own_arenas ? &c->doc_a : keep.a;
	if (keep.own_arenas) {
		tm_arena_init(&c->doc_a);
		tm_arena_init(&c->item_a);
	}
	c->data = data;
	c->len = len;
}

static tm_err parse_json(yctx *c)
{
	yaml_mark_t at = {0, 0, 0};
	tm_json_rc jr = tm_json_events(c->data, c->len, c->lim->max_depth, event_sink, c, &at, c->err);
	if (jr == TM_JSON_SYNTAX) {
		*c->errloc = mark_loc(c, at);
		return TM_ERR_SYNTAX;
	}
	if (jr == TM_JSON_STOPPED) /* the builder's error, with its message */
		return c->sink_rc;
	return TM_OK;
}

static tm_err parse_yaml(yctx *c, const char *data, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	tm_err rc = TM_OK;
	size_t n0 = c->out ? c->out->n : 0, e0 = c->out ? c->out->empty_docs : 0;
	size_t elen = c->err->len;
	tm_srcloc el0 = *c->errloc;
	/* the block-style subset without libyaml (yamlfast.h, about 10 times
	 * faster); skipping unread fields is safe there (no anchors) */
	if (tm_yaml_fast(data, len, event_sink, c))
		return TM_OK;
	/* Everything it did is undone, and libyaml parses again, reporting
	 * errors (limits included) exactly as without the fast path. What was
	 * already handed over stays: libyaml resumes at the start of the
	 * document the fast scanner stopped in and skips its items read. */
	bool resume = !c->out && (c->doc_open || c->doc_index > 0);
	bool open = c->doc_open;
	size_t items = open ? c->item_index : 0, line = c->doc_line;
	if (c->out) {
		c->out->n = n0;
		c->out->empty_docs = e0;
	}
	*c->errloc = el0;
	if (c->err->len != elen) {
		c->err->len = elen;
		c->err->s[elen] = 0;
	}
	size_t off = resume ? line_offset(c, line) : 0;
	ctx_restart(c, data + off, len - off);
	c->skip = false; /* libyaml's documents may hold anchors */
	c->base_off = off;
	c->base_line = resume ? line : 0;
	c->replay_docs = resume && !open ? 1 : 0; /* the last one it read, whole */
	c->replay_items = items;
	if (!yaml_parser_initialize(&p))
		return TM_ERR_NOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)c->data, c->len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = yaml_problem(c, &p, c->data, c->len);
			break;
		}
		yaml_event_type_t t = ev.type;
		rc = feed_event(c, &ev);
		yaml_event_delete(&ev);
		if (rc != TM_OK || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return rc;
}

static tm_err doc_run(yctx *c, const char *data, size_t len, bool is_json)
{
	const tm_doc_limits *lim = c->lim;
	c->errloc->file = c->file;
	c->errloc->line = c->errloc->col = 0;
	if (len > lim->max_file_bytes) {
		tm_buf_addf(c->err, "file is larger than %zu bytes (limit --max-file-size)", lim->max_file_bytes);
		return TM_ERR_LIMIT;
	}
	/* skip a UTF-8 byte order mark */
	if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
	    (unsigned char)data[2] == 0xBF) {
		data += 3;
		len -= 3;
	}
	c->data = data;
	c->len = len;
	c->json = is_json;
	tm_err rc = is_json ? parse_json(c) : parse_yaml(c, data, len);
	return rc;
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
	yctx c;
	ctx_init(&c, st, lim, file, errloc, err);
	c.a = a;
	c.out = out;
	tm_err rc = doc_run(&c, data, len, is_json);
	ctx_release(&c);
	return rc;
}

tm_err tm_doc_read(tm_doc_reader *r, const char *data, size_t len, bool is_json, tm_srcloc *errloc,
		   tm_buf *err)
{
	tm_doc_limits dl;
	const tm_doc_limits *lim = r->lim;
	if (!lim) {
		tm_doc_limits_default(&dl);
		lim = &dl;
	}
	yctx c;
	ctx_init(&c, r->st, lim, r->file, errloc, err);
	c.rd = r;
	c.stream = true;
	c.skip = !r->keep_unread;
	c.own_arenas = true;
	tm_arena_init(&c.doc_a);
	tm_arena_init(&c.item_a);
	c.a = &c.doc_a;
	tm_err rc = doc_run(&c, data, len, is_json);
	if (r->progress)
		r->progress(r->progress_ctx, "reading manifests", len, len);
	ctx_release(&c);
	return rc;
}
