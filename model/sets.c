/* sets.c - labels, selectors, hash-consed port sets, IP range sets. */
#include "model/sets.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

/* ---- labels ---- */
const char *tm_labels_get(const tm_labels *l, const char *key)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(l->v[mid].key, key);
		if (c == 0)
			return l->v[mid].val;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool tm_labels_equal(const tm_labels *a, const tm_labels *b)
{
	return tm_labels_cmp(a, b) == 0;
}

int tm_labels_cmp(const tm_labels *a, const tm_labels *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++) {
		int c = strcmp(a->v[i].key, b->v[i].key);
		if (c)
			return c;
		c = strcmp(a->v[i].val, b->v[i].val);
		if (c)
			return c;
	}
	return a->n < b->n ? -1 : a->n > b->n ? 1 : 0;
}

static int label_cmp(const void *x, const void *y)
{
	return strcmp(((const tm_label *)x)->key, ((const tm_label *)y)->key);
}

bool tm_labels_sort(tm_labels *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, label_cmp);
	for (size_t i = 1; i < l->n; i++)
		if (strcmp(l->v[i - 1].key, l->v[i].key) == 0)
			return false;
	return true;
}

tm_labels tm_labels_with(tm_arena *a, const tm_labels *l, const char *key, const char *val)
{
	tm_labels r;
	r.v = tm_arena_alloc(a, (l->n + 1) * sizeof *r.v);
	r.n = 0;
	bool done = false;
	for (size_t i = 0; i < l->n; i++) {
		int c = strcmp(l->v[i].key, key);
		if (!done && c >= 0) {
			r.v[r.n].key = key;
			r.v[r.n].val = val;
			r.n++;
			done = true;
			if (c == 0)
				continue;
		}
		r.v[r.n++] = l->v[i];
	}
	if (!done) {
		r.v[r.n].key = key;
		r.v[r.n].val = val;
		r.n++;
	}
	return r;
}

/* ---- selectors ---- */
bool tm_selector_is_empty(const tm_selector *s)
{
	return s->match.n == 0 && s->nexpr == 0;
}

bool tm_selector_matches(const tm_selector *s, const tm_labels *l)
{
	for (size_t i = 0; i < s->match.n; i++) {
		const char *v = tm_labels_get(l, s->match.v[i].key);
		if (!v || strcmp(v, s->match.v[i].val) != 0)
			return false;
	}
	for (size_t i = 0; i < s->nexpr; i++) {
		const tm_selexpr *e = &s->expr[i];
		const char *v = tm_labels_get(l, e->key);
		bool in = false;
		switch (e->op) {
		case TM_SEL_EXISTS:
			if (!v)
				return false;
			break;
		case TM_SEL_DOESNOTEXIST:
			if (v)
				return false;
			break;
		case TM_SEL_IN:
		case TM_SEL_NOTIN:
			if (v)
				for (size_t j = 0; j < e->nvals && !in; j++)
					in = strcmp(e->vals[j], v) == 0;
			if (e->op == TM_SEL_IN && !in)
				return false;
			if (e->op == TM_SEL_NOTIN && in)
				return false;
			break;
		}
	}
	return true;
}

void tm_selector_format(const tm_selector *s, tm_buf *out)
{
	if (tm_selector_is_empty(s)) {
		tm_buf_adds(out, "{}");
		return;
	}
	const char *sep = "";
	for (size_t i = 0; i < s->match.n; i++) {
		tm_buf_addf(out, "%s%s=%s", sep, s->match.v[i].key, s->match.v[i].val);
		sep = ",";
	}
	static const char *ops[] = {"in", "notin", "exists", "!"};
	for (size_t i = 0; i < s->nexpr; i++) {
		const tm_selexpr *e = &s->expr[i];
		if (e->op == TM_SEL_EXISTS)
			tm_buf_addf(out, "%s%s", sep, e->key);
		else if (e->op == TM_SEL_DOESNOTEXIST)
			tm_buf_addf(out, "%s!%s", sep, e->key);
		else {
			tm_buf_addf(out, "%s%s %s (", sep, e->key, ops[e->op]);
			for (size_t j = 0; j < e->nvals; j++)
				tm_buf_addf(out, "%s%s", j ? "," : "", e->vals[j]);
			tm_buf_adds(out, ")");
		}
		sep = ",";
	}
}

/* ---- ports ---- */
const char *tm_proto_name(tm_proto p)
{
	static const char *n[] = {"SCTP", "TCP", "UDP"};
	return (unsigned)p < TM_NPROTO ? n[p] : "?";
}

bool tm_proto_parse(const char *s, tm_proto *out)
{
	for (int p = 0; p < TM_NPROTO; p++)
		if (strcmp(s, tm_proto_name((tm_proto)p)) == 0) {
			*out = (tm_proto)p;
			return true;
		}
	return false;
}

bool tm_port_spec_parse(const char *s, tm_proto *proto, uint32_t *port)
{
	char p[8];
	size_t i = 0;
	const char *num = s;
	*proto = TM_PROTO_TCP;
	while (s[i] && s[i] != '/' && s[i] != '-' && s[i] != ':')
		i++;
	if (s[i]) { /* PROTO SEP PORT */
		if (i == 0 || i >= sizeof p)
			return false;
		for (size_t k = 0; k < i; k++)
			p[k] = (char)(s[k] >= 'a' && s[k] <= 'z' ? s[k] - 32 : s[k]);
		p[i] = 0;
		if (!tm_proto_parse(p, proto))
			return false;
		num = s + i + 1;
	}
	if (*num < '0' || *num > '9')
		return false;
	uint32_t v = 0;
	for (; *num; num++) {
		if (*num < '0' || *num > '9')
			return false;
		v = v * 10 + (uint32_t)(*num - '0');
		if (v > 65535)
			return false;
	}
	if (v < 1)
		return false;
	*port = v;
	return true;
}

typedef struct opcache_ent {
	uint32_t a, b, op;
	const tm_ports *r;
} opcache_ent;

#define OPCACHE_SIZE 65536u

struct tm_portpool {
	tm_arena arena;
	const tm_ports **slots;
	size_t nslots, count;
	const tm_ports *empty, *all;
	opcache_ent *cache;
	const tm_ports **byid;
	size_t nbyid, capbyid;
};

static size_t ports_hash(const uint32_t n[TM_NPROTO], const tm_prange *const r[TM_NPROTO])
{
	uint64_t h = 1469598103934665603ull;
	for (int p = 0; p < TM_NPROTO; p++) {
		h = (h ^ (n[p] + 0x9e37u)) * 1099511628211ull;
		for (uint32_t i = 0; i < n[p]; i++) {
			h = (h ^ r[p][i].lo) * 1099511628211ull;
			h = (h ^ r[p][i].hi) * 1099511628211ull;
		}
	}
	return (size_t)(h ^ (h >> 31));
}

static bool ports_same(const tm_ports *x, const uint32_t n[TM_NPROTO],
		       const tm_prange *const r[TM_NPROTO])
{
	for (int p = 0; p < TM_NPROTO; p++) {
		if (x->n[p] != n[p])
			return false;
		if (n[p] && memcmp(x->r[p], r[p], n[p] * sizeof(tm_prange)) != 0)
			return false;
	}
	return true;
}

static void pool_grow(tm_portpool *pp)
{
	size_t nn = pp->nslots ? pp->nslots * 2 : 1024;
	const tm_ports **ns = tm_xrealloc(NULL, nn * sizeof(*ns));
	memset(ns, 0, nn * sizeof(*ns));
	for (size_t i = 0; i < pp->nslots; i++) {
		const tm_ports *p = pp->slots[i];
		if (!p)
			continue;
		size_t h = p->hash & (nn - 1);
		while (ns[h])
			h = (h + 1) & (nn - 1);
		ns[h] = p;
	}
	free(pp->slots);
	pp->slots = ns;
	pp->nslots = nn;
}

/* Intern normalized (sorted, merged) ranges. */
static const tm_ports *pool_get(tm_portpool *pp, const uint32_t n[TM_NPROTO],
				const tm_prange *const r[TM_NPROTO])
{
	if ((pp->count + 1) * 2 > pp->nslots)
		pool_grow(pp);
	size_t hv = ports_hash(n, r);
	size_t h = hv & (pp->nslots - 1);
	while (pp->slots[h]) {
		if (pp->slots[h]->hash == hv && ports_same(pp->slots[h], n, r))
			return pp->slots[h];
		h = (h + 1) & (pp->nslots - 1);
	}
	tm_ports *np = tm_arena_alloc(&pp->arena, sizeof *np);
	for (int p = 0; p < TM_NPROTO; p++) {
		np->n[p] = n[p];
		np->r[p] = n[p] ? tm_arena_memdup(&pp->arena, r[p], n[p] * sizeof(tm_prange)) : NULL;
	}
	np->hash = hv;
	np->id = (uint32_t)pp->count;
	TM_HEAP_GROW(pp->byid, pp->nbyid, pp->capbyid);
	pp->byid[pp->nbyid++] = np;
	pp->slots[h] = np;
	pp->count++;
	return np;
}

tm_portpool *tm_portpool_new(void)
{
	tm_portpool *pp = tm_xrealloc(NULL, sizeof *pp);
	memset(pp, 0, sizeof *pp);
	tm_arena_init(&pp->arena);
	/* calloc: a large zeroed block is mapped lazily, page by page as used
	 * (a memset here cost 1.5 MiB of page faults per model) */
	pp->cache = calloc(OPCACHE_SIZE, sizeof(opcache_ent));
	if (!pp->cache) /* tm_xrealloc reports and aborts as on every OOM */
		pp->cache = memset(tm_xrealloc(NULL, OPCACHE_SIZE * sizeof(opcache_ent)), 0,
				   OPCACHE_SIZE * sizeof(opcache_ent));
	uint32_t n[TM_NPROTO] = {0, 0, 0};
	const tm_prange *r[TM_NPROTO] = {NULL, NULL, NULL};
	pp->empty = pool_get(pp, n, r); /* id 0 */
	static const tm_prange full = {1, 65535};
	uint32_t na[TM_NPROTO] = {1, 1, 1};
	const tm_prange *ra[TM_NPROTO] = {&full, &full, &full};
	pp->all = pool_get(pp, na, ra);
	return pp;
}

void tm_portpool_free(tm_portpool *pp)
{
	if (!pp)
		return;
	free(pp->slots);
	free(pp->cache);
	free(pp->byid);
	tm_arena_release(&pp->arena);
	free(pp);
}

const tm_ports *tm_ports_empty(tm_portpool *pp) { return pp->empty; }
const tm_ports *tm_ports_by_id(const tm_portpool *pp, uint32_t id) { return id < pp->nbyid ? pp->byid[id] : NULL; }
const tm_ports *tm_ports_all(tm_portpool *pp) { return pp->all; }

const tm_ports *tm_ports_range(tm_portpool *pp, tm_proto p, uint32_t lo, uint32_t hi)
{
	if (lo < 1)
		lo = 1;
	if (hi > 65535)
		hi = 65535;
	if (lo > hi)
		return pp->empty;
	tm_prange one = {lo, hi};
	uint32_t n[TM_NPROTO] = {0, 0, 0};
	const tm_prange *r[TM_NPROTO] = {NULL, NULL, NULL};
	n[p] = 1;
	r[p] = &one;
	return pool_get(pp, n, r);
}

enum { OP_UNION = 1, OP_INTER = 2, OP_MINUS = 3 };

static uint32_t push_range(tm_prange *out, uint32_t n, uint32_t lo, uint32_t hi)
{
	if (n && out[n - 1].hi + 1 >= lo) {
		if (hi > out[n - 1].hi)
			out[n - 1].hi = hi;
		return n;
	}
	out[n].lo = lo;
	out[n].hi = hi;
	return n + 1;
}

/* Two sorted, merged interval lists combined into out (room for na+nb+1). */
static uint32_t combine(int op, const tm_prange *a, uint32_t na, const tm_prange *b, uint32_t nb,
			tm_prange *out)
{
	uint32_t n = 0, i = 0, j = 0;
	if (op == OP_UNION) {
		while (i < na || j < nb) {
			const tm_prange *x = (j >= nb || (i < na && a[i].lo <= b[j].lo)) ? &a[i++] : &b[j++];
			n = push_range(out, n, x->lo, x->hi);
		}
		return n;
	}
	if (op == OP_INTER) {
		while (i < na && j < nb) {
			uint32_t lo = a[i].lo > b[j].lo ? a[i].lo : b[j].lo;
			uint32_t hi = a[i].hi < b[j].hi ? a[i].hi : b[j].hi;
			if (lo <= hi)
				n = push_range(out, n, lo, hi);
			if (a[i].hi < b[j].hi)
				i++;
			else
				j++;
		}
		return n;
	}
	/* minus */
	for (i = 0; i < na; i++) {
		uint32_t lo = a[i].lo;
		const uint32_t hi = a[i].hi;
		while (j < nb && b[j].hi < lo)
			j++;
		uint32_t k = j;
		while (lo <= hi) {
			if (k >= nb || b[k].lo > hi) {
				n = push_range(out, n, lo, hi);
				break;
			}
			if (b[k].lo > lo)
				n = push_range(out, n, lo, b[k].lo - 1);
			if (b[k].hi >= hi)
				break;
			lo = b[k].hi + 1;
			k++;
		}
	}
	return n;
}

static const tm_ports *ports_op(tm_portpool *pp, int op, const tm_ports *a, const tm_ports *b)
{
	uint32_t key = (a->id * 2654435761u) ^ (b->id * 40503u) ^ ((uint32_t)op << 29);
	opcache_ent *ce = &pp->cache[(key ^ (key >> 16)) & (OPCACHE_SIZE - 1)];
	if (ce->r && ce->a == a->id && ce->b == b->id && ce->op == (uint32_t)op)
		return ce->r;
	uint32_t n[TM_NPROTO];
	tm_prange *r[TM_NPROTO];
	tm_prange stackbuf[3][32];
	for (int p = 0; p < TM_NPROTO; p++) {
		uint32_t maxn = a->n[p] + b->n[p] + 1;
		r[p] = maxn <= 32 ? stackbuf[p] : tm_xrealloc(NULL, maxn * sizeof(tm_prange));
		n[p] = combine(op, a->r[p], a->n[p], b->r[p], b->n[p], r[p]);
	}
	const tm_prange *cr[TM_NPROTO] = {r[0], r[1], r[2]};
	const tm_ports *res = pool_get(pp, n, cr);
	for (int p = 0; p < TM_NPROTO; p++)
		if (r[p] != stackbuf[p])
			free(r[p]);
	ce->a = a->id;
	ce->b = b->id;
	ce->op = (uint32_t)op;
	ce->r = res;
	return res;
}

const tm_ports *tm_ports_union(tm_portpool *pp, const tm_ports *a, const tm_ports *b)
{
	if (a == b || b == pp->empty)
		return a;
	if (a == pp->empty)
		return b;
	if (a == pp->all || b == pp->all)
		return pp->all;
	if (a->id > b->id) {
		const tm_ports *t = a;
		a = b;
		b = t;
	}
	return ports_op(pp, OP_UNION, a, b);
}

const tm_ports *tm_ports_inter(tm_portpool *pp, const tm_ports *a, const tm_ports *b)
{
	if (a == b || b == pp->all)
		return a;
	if (a == pp->all)
		return b;
	if (a == pp->empty || b == pp->empty)
		return pp->empty;
	if (a->id > b->id) {
		const tm_ports *t = a;
		a = b;
		b = t;
	}
	return ports_op(pp, OP_INTER, a, b);
}

const tm_ports *tm_ports_minus(tm_portpool *pp, const tm_ports *a, const tm_ports *b)
{
	if (b == pp->empty)
		return a;
	if (a == b || b == pp->all || a == pp->empty)
		return pp->empty;
	return ports_op(pp, OP_MINUS, a, b);
}

bool tm_ports_is_empty(const tm_ports *p)
{
	return p->n[0] == 0 && p->n[1] == 0 && p->n[2] == 0;
}

bool tm_ports_is_all(const tm_ports *p)
{
	for (int i = 0; i < TM_NPROTO; i++)
		if (p->n[i] != 1 || p->r[i][0].lo != 1 || p->r[i][0].hi != 65535)
			return false;
	return true;
}

bool tm_ports_contains(const tm_ports *p, tm_proto proto, uint32_t port)
{
	for (uint32_t i = 0; i < p->n[proto]; i++)
		if (p->r[proto][i].lo <= port && port <= p->r[proto][i].hi)
			return true;
	return false;
}

void tm_ports_format(const tm_ports *p, tm_buf *out)
{
	if (tm_ports_is_all(p)) {
		tm_buf_adds(out, "All Connections");
		return;
	}
	if (tm_ports_is_empty(p)) {
		tm_buf_adds(out, "No Connections");
		return;
	}
	bool first = true;
	for (int pr = 0; pr < TM_NPROTO; pr++) {
		if (!p->n[pr])
			continue;
		if (!first)
			tm_buf_addc(out, ',');
		tm_buf_adds(out, tm_proto_name((tm_proto)pr));
		tm_buf_addc(out, ' ');
		first = false;
		for (uint32_t i = 0; i < p->n[pr]; i++) {
			if (i)
				tm_buf_addc(out, ',');
			/* decimal by hand: this runs once per edge of the graph, and
			 * printf dominated the text output of large clusters */
			char num[24];
			size_t k = 0;
			for (int side = 0; side < 2; side++) {
				uint32_t v = side ? p->r[pr][i].hi : p->r[pr][i].lo;
				if (side) {
					if (p->r[pr][i].lo == p->r[pr][i].hi)
						break;
					num[k++] = '-';
				}
				char d[10];
				size_t nd = 0;
				do {
					d[nd++] = (char)('0' + v % 10);
					v /= 10;
				} while (v);
				while (nd)
					num[k++] = d[--nd];
			}
			tm_buf_add(out, num, k);
		}
	}
}

/* ---- IP ---- */
int tm_ip_cmp(tm_ip a, tm_ip b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

bool tm_ip_is_v4(tm_ip a)
{
	return a.hi == 0 && (a.lo >> 32) == 0xffffu;
}

tm_ip tm_ip_next(tm_ip a)
{
	a.lo++;
	if (a.lo == 0)
		a.hi++;
	return a;
}

tm_ip tm_ip_prev(tm_ip a)
{
	if (a.lo == 0)
		a.hi--;
	a.lo--;
	return a;
}

static tm_ip ip_from_bytes(const unsigned char b[16])
{
	tm_ip r = {0, 0};
	for (int i = 0; i < 8; i++)
		r.hi = (r.hi << 8) | b[i];
	for (int i = 8; i < 16; i++)
		r.lo = (r.lo << 8) | b[i];
	return r;
}

bool tm_ip_parse(const char *s, tm_ip *out)
{
	unsigned char b[16];
	struct in_addr a4;
	if (strchr(s, ':') == NULL) {
		/* inet_pton accepts only canonical dotted quads: good, the API server
		 * rejects leading zeros too */
		if (inet_pton(AF_INET, s, &a4) != 1)
			return false;
		memset(b, 0, 10);
		b[10] = b[11] = 0xff;
		memcpy(b + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, s, b) != 1)
		return false;
	*out = ip_from_bytes(b);
	return true;
}

bool tm_cidr_parse(const char *s, tm_iprange *out, bool *is_v4)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || slash - s > 45)
		return false;
	char addr[64];
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = 0;
	const char *pl = slash + 1;
	if (!*pl || strlen(pl) > 3)
		return false;
	unsigned bits = 0;
	for (const char *p = pl; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		bits = bits * 10 + (unsigned)(*p - '0');
	}
	if (pl[0] == '0' && pl[1])
		return false;
	tm_ip ip;
	if (!tm_ip_parse(addr, &ip))
		return false;
	bool v4 = strchr(addr, ':') == NULL;
	unsigned maxb = v4 ? 32 : 128;
	if (bits > maxb)
		return false;
	unsigned host = maxb - bits; /* host bits */
	tm_ip lo = ip, hi = ip;
	for (unsigned i = 0; i < host; i++) {
		if (i < 64) {
			lo.lo &= ~((uint64_t)1 << i);
			hi.lo |= (uint64_t)1 << i;
		} else {
			lo.hi &= ~((uint64_t)1 << (i - 64));
			hi.hi |= (uint64_t)1 << (i - 64);
		}
	}
	out->lo = lo;
	out->hi = hi;
	if (is_v4)
		*is_v4 = v4;
	return true;
}

void tm_ip_format(tm_ip a, tm_buf *out)
{
	unsigned char b[16];
	char s[64];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(a.hi >> (56 - 8 * i));
	for (int i = 0; i < 8; i++)
		b[8 + i] = (unsigned char)(a.lo >> (56 - 8 * i));
	if (tm_ip_is_v4(a))
		inet_ntop(AF_INET, b + 12, s, sizeof s);
	else
		inet_ntop(AF_INET6, b, s, sizeof s);
	tm_buf_adds(out, s);
}

void tm_iprange_format(const tm_iprange *r, tm_buf *out)
{
	tm_ip_format(r->lo, out);
	tm_buf_addc(out, '-');
	tm_ip_format(r->hi, out);
}

tm_iprange tm_iprange_v4_all(void)
{
	tm_iprange r = {{0, 0xffff00000000ull}, {0, 0xffffffffffffull}};
	return r;
}

tm_iprange tm_iprange_v6_all(void)
{
	tm_iprange r = {{0, 0}, {UINT64_MAX, UINT64_MAX}};
	return r;
}

void tm_ipset_init(tm_ipset *s)
{
	s->n = 0;
	s->r = NULL;
}

void tm_ipset_release(tm_ipset *s)
{
	free(s->r);
	s->r = NULL;
	s->n = 0;
}

void tm_ipset_add(tm_ipset *s, tm_iprange r)
{
	tm_iprange *nv = tm_xrealloc(NULL, (s->n + 1) * sizeof *nv);
	size_t n = 0, i = 0;
	while (i < s->n && tm_ip_cmp(tm_ip_next(s->r[i].hi), r.lo) < 0 &&
	       !(s->r[i].hi.hi == UINT64_MAX && s->r[i].hi.lo == UINT64_MAX))
		nv[n++] = s->r[i++];
	tm_iprange m = r;
	while (i < s->n && tm_ip_cmp(s->r[i].lo, tm_ip_next(m.hi)) <= 0) {
		if (tm_ip_cmp(s->r[i].lo, m.lo) < 0)
			m.lo = s->r[i].lo;
		if (tm_ip_cmp(s->r[i].hi, m.hi) > 0)
			m.hi = s->r[i].hi;
		i++;
		if (m.hi.hi == UINT64_MAX && m.hi.lo == UINT64_MAX)
			break;
	}
	nv[n++] = m;
	while (i < s->n)
		nv[n++] = s->r[i++];
	free(s->r);
	s->r = nv;
	s->n = n;
}

void tm_ipset_add_block(tm_ipset *s, tm_iprange r, bool is_v4)
{
	if (is_v4) {
		tm_ipset_add(s, r);
		return;
	}
	tm_ipset v6;
	tm_ipset_init(&v6);
	tm_ipset_add(&v6, r);
	tm_ipset_subtract(&v6, tm_iprange_v4_all());
	for (size_t i = 0; i < v6.n; i++)
		tm_ipset_add(s, v6.r[i]);
	tm_ipset_release(&v6);
}

void tm_ipset_subtract(tm_ipset *s, tm_iprange r)
{
	tm_iprange *nv = tm_xrealloc(NULL, (s->n + 2) * sizeof *nv);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		tm_iprange x = s->r[i];
		if (tm_ip_cmp(x.hi, r.lo) < 0 || tm_ip_cmp(x.lo, r.hi) > 0) {
			nv[n++] = x;
			continue;
		}
		if (tm_ip_cmp(x.lo, r.lo) < 0) {
			tm_iprange left = {x.lo, tm_ip_prev(r.lo)};
			nv[n++] = left;
		}
		if (tm_ip_cmp(x.hi, r.hi) > 0) {
			tm_iprange right = {tm_ip_next(r.hi), x.hi};
			nv[n++] = right;
		}
	}
	free(s->r);
	s->r = nv;
	s->n = n;
}

bool tm_ipset_contains_range(const tm_ipset *s, tm_iprange r)
{
	for (size_t i = 0; i < s->n; i++)
		if (tm_ip_cmp(s->r[i].lo, r.lo) <= 0 && tm_ip_cmp(r.hi, s->r[i].hi) <= 0)
			return true;
	return false;
}

bool tm_ipset_contains_ip(const tm_ipset *s, tm_ip a)
{
	tm_iprange r = {a, a};
	return tm_ipset_contains_range(s, r);
}
