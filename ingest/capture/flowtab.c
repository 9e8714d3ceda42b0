/* flowtab.c - the active-flow table: open addressing with linear probing
 * and backward-shift deletion, keyed by the 5-tuple in either direction.
 * Slots hold the index of the flow record (in the flow set), the TCP
 * state and the detection state. A flow closes on idle timeout (capture time), on 5-tuple reuse
 * (FIN/RST then a new SYN), or at the end; the table never holds more than
 * opts.max_active flows (then packets of new flows are counted and dropped
 * after an eviction attempt). */
#include "ingest/capture/flowtab.h"
#include "ingest/capture/detect.h"
#include "ingest/capture/tcpstream.h"
#include "ingest/capture/tls.h"

#include <endian.h>

#include <stdlib.h>
#include <string.h>

tm_flowtab *tm_flowtab_new(size_t max_active)
{
	tm_flowtab *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->nslots = 1024;
	t->s = calloc(t->nslots, sizeof(tm_flowslot));
	if (!t->s) {
		free(t);
		return NULL;
	}
	t->max_active = max_active ? max_active : 1;
	return t;
}

void tm_fstate_free(tm_fstate *s)
{
	if (!s)
		return;
	tm_tcpdir_release(&s->dir[0]);
	tm_tcpdir_release(&s->dir[1]);
	tm_tls_parser_free(s->tls);
	free(s);
}

void tm_flowtab_free(tm_flowtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nslots && t->count; i++)
		if (t->s[i].hash) {
			tm_fstate_free(t->s[i].st);
			t->count--;
		}
	free(t->s);
	free(t);
}

size_t tm_flowtab_count(const tm_flowtab *t)
{
	return t->count;
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* the words of the address in network byte order, as they were when the
 * table hashed the packet's bytes */
static inline uint64_t ep_hash(tm_ip ip, uint16_t port, int family)
{
	uint64_t a, b = 0;
	if (family == 6) {
		a = htobe64(ip.hi);
		b = htobe64(ip.lo);
	} else {
		a = htobe32((uint32_t)ip.lo);
	}
	return mix64(a ^ (b * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)port << 48));
}

static inline uint32_t pkt_hash(const tm_pkt *p)
{
	/* symmetric: both directions of a connection hash alike */
	uint64_t h = ep_hash(p->src, p->sport, p->family) + ep_hash(p->dst, p->dport, p->family);
	h = mix64(h ^ p->proto);
	uint32_t r = (uint32_t)(h ^ (h >> 32));
	return r ? r : 1;
}

static void del_slot(tm_flowtab *t, size_t i)
{
	size_t mask = t->nslots - 1, j = i;
	t->s[i].hash = 0;
	t->count--;
	t->last_hash = 0;
	for (;;) {
		j = (j + 1) & mask;
		if (!t->s[j].hash)
			return;
		size_t home = t->s[j].hash & mask;
		/* can the entry at j move to the hole at i? */
		bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (between)
			continue;
		t->s[i] = t->s[j];
		t->s[j].hash = 0;
		i = j;
	}
}

void tm_flow_settle(tm_capture *c, tm_flow *f, tm_flowslot *s)
{
	tm_fstate *st = s->st;
	bool was_done = s->flags & TM_FF_DONE;
	/* segments still held after a gap that never closed: detection could
	 * not finish in that direction */
	for (int d = 0; st && !was_done && d < 2; d++)
		if (st->dir[d].nooo && !st->dir[d].dead)
			c->stats.tcp_gaps++;
	s->flags |= TM_FF_DONE;
	if (st && st->tls)
		tm_tls_finish(st->tls);
	tm_fstate_free(st);
	s->st = NULL;
	if (st || !was_done)
		tm_detect_mesh(f); /* once: a done flow without state was settled before */
}

static void close_slot(tm_capture *c, tm_flowtab *t, size_t i)
{
	tm_flow_settle(c, &c->fs->flows[t->s[i].idx], &t->s[i]);
	del_slot(t, i);
}

static bool grow(tm_flowtab *t)
{
	size_t n = t->nslots * 2, mask = n - 1;
	tm_flowslot *ns = calloc(n, sizeof(tm_flowslot));
	if (!ns)
		return false;
	for (size_t i = 0; i < t->nslots; i++) {
		if (!t->s[i].hash)
			continue;
		size_t j = t->s[i].hash & mask;
		while (ns[j].hash)
			j = (j + 1) & mask;
		ns[j] = t->s[i];
	}
	free(t->s);
	t->s = ns;
	t->nslots = n;
	t->last_hash = 0;
	t->cursor = 0; /* a sweep under way starts again */
	return true;
}

void tm_flowtab_close_all(tm_capture *c)
{
	tm_flowtab *t = c->tab;
	for (size_t i = 0; i < t->nslots && t->count; i++) {
		if (!t->s[i].hash)
			continue;
		tm_flow *f = &c->fs->flows[t->s[i].idx];
		if (tm_flow_idle(c, f, c->now_us) && !tm_flow_finished(&t->s[i]))
			c->stats.flows_idle_closed++; /* whether or not a sweep got to it */
		tm_flow_settle(c, f, &t->s[i]);
		t->s[i] = (tm_flowslot){0}; /* everything goes: no backward shifts */
		t->count--;
	}
	t->last_hash = 0;
	t->cursor = 0;
}

/* Idle flows are closed by a sweep that looks at no more than `budget` slots
 * per call, from a cursor, so that no packet pays for the whole table (a
 * capture can make every packet start a sweep: timestamps are input). A
 * sweep starts every half timeout of capture time and goes SWEEP_STEP slots
 * further with each packet that misses the lookup's fast path until it has
 * been round the table; when the table is full, a new connection first
 * sweeps SWEEP_FULL slots. Returns true when the cursor went round. */
enum { SWEEP_STEP = 256, SWEEP_FULL = 4096 };

static bool sweep(tm_capture *c, size_t budget)
{
	tm_flowtab *t = c->tab;
	while (budget && t->count && t->cursor < t->nslots) {
		size_t i = t->cursor;
		budget--;
		t->swept++;
		if (t->s[i].hash && tm_flow_idle(c, &c->fs->flows[t->s[i].idx], c->now_us)) {
			if (!tm_flow_finished(&t->s[i]))
				c->stats.flows_idle_closed++;
			close_slot(c, t, i);
			continue; /* another entry may have shifted into i */
		}
		t->cursor++;
	}
	if (t->count && t->cursor < t->nslots)
		return false;
	t->cursor = 0;
	return true;
}

static bool is_service_port(uint16_t p)
{
	static const uint16_t known[] = {1433, 1521, 2049, 2379, 2380, 3000, 3306, 4222, 5222, 5432, 5672,
					 6379, 6443, 6667, 8080, 8443, 9042, 9090, 9092, 9200, 10250,
					 11211, 15008, 15012, 15017, 27017};
	if (p < 1024)
		return true;
	for (size_t i = 0; i < TM_ARRAY_LEN(known); i++)
		if (known[i] == p)
			return true;
	return false;
}

/* true when the packet's source is the client */
static bool src_is_client(const tm_pkt *p)
{
	if (p->proto == 6) {
		if ((p->tcp_flags & 0x12) == 0x02)
			return true;  /* SYN */
		if ((p->tcp_flags & 0x12) == 0x12)
			return false; /* SYN-ACK */
	}
	bool ss = is_service_port(p->sport), ds = is_service_port(p->dport);
	if (ds && !ss)
		return true;
	if (ss && !ds)
		return false;
	if (ss && ds && p->sport != p->dport)
		return p->sport > p->dport;
	return true;
}

static long new_flow(tm_capture *c, const tm_pkt *p, size_t slot_i, uint32_t h, int *dir)
{
	tm_flowset *fs = c->fs;
	tm_flowtab *t = c->tab;
	if (fs->nflows >= c->opts.max_flows) {
		c->stats.flow_records_full++;
		return -1;
	}
	if (fs->nflows >= fs->capflows) {
		size_t nc = fs->capflows ? fs->capflows * 2 : 1024;
		tm_flow *nf = realloc(fs->flows, nc * sizeof *nf);
		if (!nf) {
			c->stats.flow_records_full++;
			return -1;
		}
		fs->flows = nf;
		fs->capflows = nc;
	}
	tm_flow *f = &fs->flows[fs->nflows];
	memset(f, 0, sizeof *f);
	f->family = p->family;
	f->proto = p->proto;
	bool sc = src_is_client(p);
	f->cli_ip = sc ? p->src : p->dst;
	f->srv_ip = sc ? p->dst : p->src;
	f->cli_port = sc ? p->sport : p->dport;
	f->srv_port = sc ? p->dport : p->sport;
	f->first_us = f->last_us = p->ts_us;
	f->order = (uint32_t)fs->nflows;
	f->source = c->source;
	f->origin = TM_FLOW_FROM_CAPTURE;
	if (tm_flowset_set_pos(fs, f, c->file_packet) != TM_OK) {
		c->stats.flow_records_full++;
		return -1;
	}
	c->stats.flows++;
	if (p->proto == 6)
		c->stats.tcp_flows++;
	else
		c->stats.udp_flows++;
	t->s[slot_i] = (tm_flowslot){.hash = h, .idx = (uint32_t)fs->nflows};
	if (p->proto == 6 && (p->tcp_flags & 0x12) == 0x02)
		t->s[slot_i].flags = TM_FF_SYN;
	t->count++;
	*dir = sc ? 0 : 1;
	return (long)fs->nflows++;
}

long tm_flowtab_lookup_slow(tm_capture *c, const tm_pkt *p, int *dir, tm_flowslot **slot)
{
	tm_flowtab *t = c->tab;
	if (c->now_us >= t->next_expire_us && t->count) {
		/* the first flow starts the clock; then a sweep at a time */
		if (!t->next_expire_us || sweep(c, SWEEP_STEP))
			t->next_expire_us = c->now_us + (int64_t)(c->opts.idle_timeout ? c->opts.idle_timeout : 1) * 500000;
	}
	uint32_t h = pkt_hash(p);
	size_t mask = t->nslots - 1, i = h & mask;
	while (t->s[i].hash) {
		if (t->s[i].hash == h) {
			tm_flow *f = &c->fs->flows[t->s[i].idx];
			int d = tm_flow_match(f, p);
			if (d >= 0) {
				if (!tm_flow_ends(c, f, &t->s[i], p)) {
					*dir = d;
					*slot = &t->s[i];
					t->last_slot = i;
					t->last_hash = h;
					return (long)t->s[i].idx;
				}
				if (tm_flow_idle(c, f, p->ts_us) && !tm_flow_finished(&t->s[i]))
					c->stats.flows_idle_closed++;
				close_slot(c, t, i);
				i = h & mask;
				break; /* a new flow takes the 5-tuple */
			}
		}
		i = (i + 1) & mask;
	}
	if (t->count >= t->max_active) {
		sweep(c, SWEEP_FULL);
		if (t->count >= t->max_active) {
			c->stats.flow_table_full++;
			return -1;
		}
	}
	if ((t->count + 1) * 2 > t->nslots) {
		if (!grow(t)) {
			c->stats.flow_table_full++;
			return -1;
		}
	}
	mask = t->nslots - 1;
	i = h & mask;
	while (t->s[i].hash)
		i = (i + 1) & mask;
	long idx = new_flow(c, p, i, h, dir);
	if (idx >= 0) {
		*slot = &t->s[i];
		t->last_slot = i;
		t->last_hash = h;
	}
	return idx;
}

void tm_flow_swap_roles(tm_flow *f, tm_flowslot *s)
{
	tm_fstate *st = s->st;
	tm_ip ip = f->cli_ip;
	f->cli_ip = f->srv_ip;
	f->srv_ip = ip;
	uint16_t port = f->cli_port;
	f->cli_port = f->srv_port;
	f->srv_port = port;
	uint32_t isn = s->isn[0];
	s->isn[0] = s->isn[1];
	s->isn[1] = isn;
	s->isn_have = (uint8_t)(((s->isn_have & 1) << 1) | ((s->isn_have >> 1) & 1));
	uint8_t fin = s->flags & (TM_FF_FIN_C | TM_FF_FIN_S);
	s->flags = (uint8_t)((s->flags & ~(TM_FF_FIN_C | TM_FF_FIN_S)) | ((fin & TM_FF_FIN_C) ? TM_FF_FIN_S : 0) |
			     ((fin & TM_FF_FIN_S) ? TM_FF_FIN_C : 0));
	if (st) {
		tm_tcpdir d = st->dir[0];
		st->dir[0] = st->dir[1];
		st->dir[1] = d;
		bool pd = st->plain_done[0];
		st->plain_done[0] = st->plain_done[1];
		st->plain_done[1] = pd;
		size_t ps = st->plain_seen[0];
		st->plain_seen[0] = st->plain_seen[1];
		st->plain_seen[1] = ps;
	}
}
