/* flowtab.h - internals of the capture pipeline shared by pcap.c,
 * flowtab.c, tcpstream.c, detect.c and tls.c. Not a public API. */
#ifndef TM_FLOWTAB_H
#define TM_FLOWTAB_H

#include "ingest/capture/pcap.h"
#include "ingest/capture/tls.h"

#include <string.h>

/* Bounds-checked reads of untrusted bytes (tcpdump GET_U_1 / ND_TCHECK_LEN).
 * Each takes the base pointer, the available length and an offset. */
static inline bool tm_have_(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}
#define TM_HAVE(len, off, n) tm_have_((size_t)(len), (size_t)(off), (size_t)(n))
#define TM_U8(p, off) ((uint32_t)(p)[(off)])
#define TM_U16(p, off) (((uint32_t)(p)[(off)] << 8) | (uint32_t)(p)[(off) + 1])
#define TM_U24(p, off) (((uint32_t)(p)[(off)] << 16) | ((uint32_t)(p)[(off) + 1] << 8) | (uint32_t)(p)[(off) + 2])
#define TM_U32(p, off) (((uint32_t)(p)[(off)] << 24) | ((uint32_t)(p)[(off) + 1] << 16) | \
			((uint32_t)(p)[(off) + 2] << 8) | (uint32_t)(p)[(off) + 3])
#define TM_LE32(p, off) (((uint32_t)(p)[(off) + 3] << 24) | ((uint32_t)(p)[(off) + 2] << 16) | \
			 ((uint32_t)(p)[(off) + 1] << 8) | (uint32_t)(p)[(off)])

/* flow flags (tm_flow.flags) */
enum {
	TM_FF_SYN = 1,       /* client SYN seen */
	TM_FF_FIN_C = 2,     /* FIN from client */
	TM_FF_FIN_S = 4,     /* FIN from server */
	TM_FF_RST = 8,
	TM_FF_DONE = 16,     /* detection finished */
};

/* ---- one direction of a TCP stream (tcpstream.c) ---------------------- */
typedef struct tm_tcpseg {
	uint32_t seq, len;
	uint8_t *data;
} tm_tcpseg;

typedef struct tm_tcpdir {
	uint32_t next_seq;
	bool have_seq;
	bool dead;           /* gap, limit or snaplen cut: no more payload */
	uint8_t *buf;        /* unconsumed in-order bytes */
	size_t len, cap;
	size_t delivered;    /* bytes delivered so far */
	tm_tcpseg *ooo;      /* held out-of-order segments */
	size_t nooo;
} tm_tcpdir;

/* ---- per-flow detection state (heap; freed when detection is done) ---- */
typedef struct tm_fstate {
	tm_tcpdir dir[2];        /* 0 = client to server, 1 = server to client */
	tm_tls_parser *tls;      /* set once TLS is seen */
	uint8_t proto_guess;     /* tm_app from plaintext content */
	bool plain_done[2];      /* direction gave its first payload */
	size_t plain_seen[2];    /* plaintext bytes watched */
	bool starttls_possible;
	bool proxy_done;         /* a PROXY protocol header was skipped (client side) */
} tm_fstate;

typedef struct tm_flowtab tm_flowtab;

tm_flowtab *tm_flowtab_new(size_t max_active);
void tm_flowtab_free(tm_flowtab *t);
size_t tm_flowtab_count(const tm_flowtab *t);

/* The decoded 5-tuple of one packet, in packet direction. */
typedef struct tm_pkt {
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq;
	const uint8_t *payload;
	size_t paylen;          /* payload bytes available */
	bool payload_cut;       /* snaplen or fragment cut the payload */
	size_t wire_len;
	int64_t ts_us;
} tm_pkt;

/* ---- the active-flow table (flowtab.c); the lookup's fast path is
 * inline here because it runs once per packet ------------------------- */
typedef struct tm_flowslot {
	uint32_t hash;      /* 0 = empty */
	uint32_t idx;       /* into fs->flows */
	tm_fstate *st;
} tm_flowslot;

struct tm_flowtab {
	tm_flowslot *s;
	size_t nslots;      /* power of two */
	size_t count;
	size_t max_active;
	int64_t next_expire_us;
	size_t last_slot;   /* the slot of the previous packet's flow: packets come in bursts */
	uint32_t last_hash; /* 0 = none; cleared whenever slots move */
	size_t cursor;      /* the idle sweep's next slot */
	uint64_t swept;     /* slots the sweeps looked at (tests hold the bound) */
};

/* addresses are 16 bytes with IPv4 in the first 4 and zeros after */
static inline bool tm_ip_eq(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;
	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
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
static inline bool tm_flow_finished(const tm_flow *f)
{
	return (f->flags & TM_FF_RST) || ((f->flags & TM_FF_FIN_C) && (f->flags & TM_FF_FIN_S));
}

/* Nothing of the flow for longer than the idle timeout, at time now. */
static inline bool tm_flow_idle(const tm_flowset *fs, const tm_flow *f, int64_t now)
{
	return now - f->last_us > (int64_t)fs->opts.idle_timeout * 1000000;
}

/* A new connection on the 5-tuple: a SYN after FIN or RST, or a SYN that is
 * not the client's first one again (another ISN, or from the other end);
 * and any packet after the idle timeout. */
static inline bool tm_flow_ends(const tm_flowset *fs, const tm_flow *f, const tm_pkt *p)
{
	if (p->proto == 6 && (p->tcp_flags & 0x12) == 0x02) {
		if (f->flags & (TM_FF_FIN_C | TM_FF_FIN_S | TM_FF_RST))
			return true;
		if (f->isn_have & 1) {
			bool from_client = p->sport == f->cli_port && tm_ip_eq(p->src, f->cli_ip);
			if (!from_client || p->seq != f->isn[0])
				return true; /* a retransmitted SYN has the same ISN */
		}
	}
	return tm_flow_idle(fs, f, p->ts_us);
}

long tm_flowtab_lookup_slow(tm_flowset *fs, const tm_pkt *pkt, int *dir, tm_fstate ***st);

/* Finds or creates the flow for pkt. *dir = 0 when pkt goes client to
 * server. Returns the flow index in fs->flows or -1 (counted). *st is the
 * detection state slot for the flow (may hold NULL). */
static inline long tm_flowtab_lookup(tm_flowset *fs, const tm_pkt *p, int *dir, tm_fstate ***st)
{
	tm_flowtab *t = fs->tab;
	if (t->last_hash && fs->now_us < t->next_expire_us) {
		/* packets come in bursts: most belong to the previous packet's
		 * flow, found without hashing (the table holds a 5-tuple once) */
		tm_flowslot *sl = &t->s[t->last_slot];
		const tm_flow *f = &fs->flows[sl->idx];
		int d = tm_flow_match(f, p);
		if (d >= 0 && sl->hash == t->last_hash && !tm_flow_ends(fs, f, p)) {
			*dir = d;
			*st = &sl->st;
			return (long)sl->idx;
		}
	}
	return tm_flowtab_lookup_slow(fs, p, dir, st);
}
/* Close every flow (the end of the input); flows idle for longer than the
 * timeout by then count in flows_idle_closed. */
void tm_flowtab_close_all(tm_flowset *fs);
void tm_fstate_free(tm_fstate *s);
/* The flow's detection ends (it finished, the connection closed, or the
 * flow leaves the table): count gaps that never closed, settle the TLS and
 * mesh facts, free st and mark the flow done. */
void tm_flow_settle(tm_flowset *fs, tm_flow *f, tm_fstate *st);
/* The flow's client becomes its server and back (st may be NULL): for a
 * flow without SYN whose ports guessed the roles wrong. */
void tm_flow_swap_roles(tm_flow *f, tm_fstate *st);

/* tcpstream.c: feed one segment of direction d; delivers in-order bytes to
 * tm_detect_stream(). */
void tm_tcpstream_segment(tm_flowset *fs, tm_flow *f, tm_fstate *st, int d, const tm_pkt *pkt);
void tm_tcpdir_release(tm_tcpdir *d);

/* detect.c: consume in-order bytes of direction d; returns bytes consumed.
 * Sets TM_FF_DONE in f->flags when nothing more needs to be seen. */
size_t tm_detect_stream(tm_flowset *fs, tm_flow *f, tm_fstate *st, int d, const uint8_t *p, size_t n);
/* detect.c: one UDP datagram. */
void tm_detect_udp(tm_flowset *fs, tm_flow *f, int d, const uint8_t *p, size_t n);
/* detect.c: mesh signatures from the TLS facts and ports. */
void tm_detect_mesh(tm_flow *f);

#endif
