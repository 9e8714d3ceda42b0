/* flowtab.h - the active-flow table of the capture reader (flowtab.c):
 * the lookup's fast path is inline here because it runs once per packet.
 * Private to ingest/capture/. */
#ifndef TM_CAPTURE_FLOWTAB_H
#define TM_CAPTURE_FLOWTAB_H

#include "ingest/capture/capture.h"

#include <string.h>

tm_flowtab *tm_flowtab_new(size_t max_active);
void tm_flowtab_free(tm_flowtab *t);
size_t tm_flowtab_count(const tm_flowtab *t);

static inline bool tm_ip_eq(tm_ip a, tm_ip b)
{
	return ((a.hi ^ b.hi) | (a.lo ^ b.lo)) == 0;
}

/* 0: pkt goes client to server, 1: server to client, -1: other flow */
static inline int tm_flow_match(const tm_flow *f, const tm_pkt *p)
{
	if (f->proto != p->proto || f->family != p->family)
		return -1;
	if (f->cli_port == p->sport && f->srv_port == p->dport && tm_ip_eq(f->cli_ip, p->src) &&
	    tm_ip_eq(f->srv_ip, p->dst))
		return 0;
	if (f->cli_port == p->dport && f->srv_port == p->sport && tm_ip_eq(f->cli_ip, p->dst) &&
	    tm_ip_eq(f->srv_ip, p->src))
		return 1;
	return -1;
}

/* The connection ended: a RST, or FIN both ways. */
static inline bool tm_flow_finished(const tm_flowslot *s)
{
	return (s->flags & TM_FF_RST) || ((s->flags & TM_FF_FIN_C) && (s->flags & TM_FF_FIN_S));
}

/* Nothing of the flow for longer than the idle timeout, at time now. */
static inline bool tm_flow_idle(const tm_capture *c, const tm_flow *f, int64_t now)
{
	return now - f->last_us > (int64_t)c->opts.idle_timeout * 1000000;
}

/* A new connection on the 5-tuple: a SYN after FIN or RST, or a SYN that is
 * not the client's first one again (another ISN, or from the other end);
 * and any packet after the idle timeout. */
static inline bool tm_flow_ends(const tm_capture *c, const tm_flow *f, const tm_flowslot *s, const tm_pkt *p)
{
	if (p->proto == 6 && (p->tcp_flags & 0x12) == 0x02) {
		if (s->flags & (TM_FF_FIN_C | TM_FF_FIN_S | TM_FF_RST))
			return true;
		if (s->isn_have & 1) {
			bool from_client = p->sport == f->cli_port && tm_ip_eq(p->src, f->cli_ip);
			if (!from_client || p->seq != s->isn[0])
				return true; /* a retransmitted SYN has the same ISN */
		}
	}
	return tm_flow_idle(c, f, p->ts_us);
}

long tm_flowtab_lookup_slow(tm_capture *c, const tm_pkt *pkt, int *dir, tm_flowslot **slot);

/* Finds or creates the flow for pkt. *dir = 0 when pkt goes client to
 * server. Returns the flow index in c->fs->flows or -1 (counted). *slot is
 * the flow's table entry, valid until the next lookup. */
static inline long tm_flowtab_lookup(tm_capture *c, const tm_pkt *p, int *dir, tm_flowslot **slot)
{
	tm_flowtab *t = c->tab;
	if (t->last_hash && c->now_us < t->next_expire_us) {
		/* packets come in bursts: most belong to the previous packet's
		 * flow, found without hashing (the table holds a 5-tuple once) */
		tm_flowslot *sl = &t->s[t->last_slot];
		const tm_flow *f = &c->fs->flows[sl->idx];
		int d = tm_flow_match(f, p);
		if (d >= 0 && sl->hash == t->last_hash && !tm_flow_ends(c, f, sl, p)) {
			*dir = d;
			*slot = sl;
			return (long)sl->idx;
		}
	}
	return tm_flowtab_lookup_slow(c, p, dir, slot);
}
/* Close every flow (the end of the input); flows idle for longer than the
 * timeout by then count in flows_idle_closed. */
void tm_flowtab_close_all(tm_capture *c);
void tm_fstate_free(tm_fstate *s);
/* The flow's detection ends (it finished, the connection closed, or the
 * flow leaves the table): count gaps that never closed, settle the TLS and
 * mesh facts, free s->st (NULL after) and mark the flow done. */
void tm_flow_settle(tm_capture *c, tm_flow *f, tm_flowslot *s);
/* The flow's client becomes its server and back: for a flow without SYN
 * whose ports guessed the roles wrong. */
void tm_flow_swap_roles(tm_flow *f, tm_flowslot *s);

#endif
