/* tcpstream.c - in-order TCP payload per direction, only as far as
 * detection needs: retransmitted bytes are dropped, out-of-order segments
 * are held (at most opts.max_ooo, within opts.max_stream of the expected
 * sequence number), and a gap or a buffer over opts.max_stream ends the
 * direction (counted). Bytes are handed to tm_detect_stream(), which says
 * how many it consumed; the rest waits for the next segment. */
#include "ingest/capture/tcpstream.h"
#include "ingest/capture/detect.h"
#include "ingest/capture/tls.h"

#include <stdlib.h>
#include <string.h>

void tm_tcpdir_release(tm_tcpdir *d)
{
	free(d->buf);
	for (size_t i = 0; i < d->nooo; i++)
		free(d->ooo[i].data);
	free(d->ooo);
	memset(d, 0, sizeof *d);
}

static void dir_kill(tm_tcpdir *d)
{
	bool have = d->have_seq;
	uint32_t next = d->next_seq;
	tm_tcpdir_release(d);
	d->dead = true;
	d->have_seq = have;
	d->next_seq = next;
}

/* In-order bytes: give them to detection, keep what it did not consume. */
static void deliver(tm_capture *c, tm_flow *f, tm_flowslot *sl, int di, const uint8_t *p, size_t n)
{
	tm_fstate *st = sl->st;
	tm_tcpdir *d = &st->dir[di];
	d->next_seq += (uint32_t)n;
	d->delivered += n;
	if (sl->flags & TM_FF_DONE)
		return;
	bool fresh = d->len == 0;
	if (fresh) {
		size_t used = tm_detect_stream(c, f, sl, di, p, n);
		if (used >= n || (sl->flags & TM_FF_DONE) || d->dead)
			return;
		p += used;
		n -= used;
	}
	if (d->len + n > c->opts.max_stream) {
		c->stats.stream_limit++;
		dir_kill(d);
		return;
	}
	if (d->len + n > d->cap) {
		size_t ncap = d->cap ? d->cap : 2048;
		while (ncap < d->len + n)
			ncap *= 2;
		uint8_t *nb = realloc(d->buf, ncap);
		if (!nb) {
			dir_kill(d);
			return;
		}
		d->buf = nb;
		d->cap = ncap;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	if (fresh)
		return; /* detection already saw these bytes: wait for more */
	size_t used = tm_detect_stream(c, f, sl, di, d->buf, d->len);
	if (sl->flags & TM_FF_DONE)
		return;
	if (used >= d->len)
		d->len = 0;
	else if (used) {
		memmove(d->buf, d->buf + used, d->len - used);
		d->len -= used;
	}
}

void tm_tcpstream_segment(tm_capture *c, tm_flow *f, tm_flowslot *sl, int di, const tm_pkt *pkt)
{
	tm_fstate *st = sl->st;
	tm_tcpdir *d = &st->dir[di];
	uint32_t seq = pkt->seq;
	const uint8_t *p = pkt->payload;
	size_t n = pkt->paylen;
	if (d->dead)
		return;
	if (pkt->tcp_flags & 0x02) { /* SYN: its data, if any (TCP Fast Open), follows the ISN */
		d->next_seq = seq + 1;
		d->have_seq = true;
		if (n == 0)
			return;
		seq++;
	}
	if (n == 0)
		return;
	if (pkt->payload_cut) {
		c->stats.payload_truncated++;
		if (f->app == TM_APP_UNKNOWN && !st->tls && d->delivered == 0 && n >= 3 && p[0] == 22 &&
		    tm_tls_record_start(p, n)) {
			/* the handshake is cut away, but this is TLS: say so, facts unknown */
			f->app = TM_APP_TLS;
			f->tls = tm_arena_alloc(&c->fs->arena, sizeof *f->tls);
			f->tls->cipher = -1;
		}
		dir_kill(d);
		return;
	}
	if (!d->have_seq) {
		d->next_seq = seq;
		d->have_seq = true;
	}
	int32_t rel = (int32_t)(seq - d->next_seq);
	if (rel < 0) {
		size_t old = (size_t)(-(int64_t)rel);
		if (old >= n) {
			c->stats.tcp_retransmissions++;
			return;
		}
		p += old;
		n -= old;
		rel = 0;
	}
	if (rel > 0) {
		if (d->nooo >= c->opts.max_ooo || (size_t)rel > c->opts.max_stream) {
			c->stats.tcp_gaps++;
			dir_kill(d);
			return;
		}
		for (size_t i = 0; i < d->nooo; i++)
			if (d->ooo[i].seq == seq && d->ooo[i].len >= n) {
				c->stats.tcp_retransmissions++;
				return;
			}
		uint8_t *copy = malloc(n);
		tm_tcpseg *no = realloc(d->ooo, (d->nooo + 1) * sizeof *no);
		if (!copy || !no) {
			free(copy);
			if (no)
				d->ooo = no;
			dir_kill(d);
			return;
		}
		d->ooo = no;
		memcpy(copy, p, n);
		d->ooo[d->nooo++] = (tm_tcpseg){seq, (uint32_t)n, copy};
		c->stats.tcp_out_of_order++;
		return;
	}
	deliver(c, f, sl, di, p, n);
	/* held segments that now fit */
	bool progress = true;
	while (progress && d->nooo && !d->dead && !(sl->flags & TM_FF_DONE)) {
		progress = false;
		for (size_t i = 0; i < d->nooo; i++) {
			int32_t r = (int32_t)(d->ooo[i].seq - d->next_seq);
			if (r > 0)
				continue;
			tm_tcpseg s = d->ooo[i];
			d->ooo[i] = d->ooo[--d->nooo];
			size_t skip = (size_t)(-(int64_t)r);
			if (skip < s.len)
				deliver(c, f, sl, di, s.data + skip, s.len - skip);
			else
				c->stats.tcp_retransmissions++;
			free(s.data);
			progress = true;
			break;
		}
	}
}
