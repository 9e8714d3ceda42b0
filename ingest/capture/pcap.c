/* pcap.c - capture files with libpcap (pcap and pcapng), link layers
 * decoded here with bounds checks: Ethernet (802.1Q/802.1ad/QinQ, PPPoE
 * session), Linux cooked SLL and SLL2, raw IPv4/IPv6, BSD null/loop; then
 * IPv4 (fragments counted, not reassembled), IPv6 with extension headers,
 * TCP and UDP into the flow table. */
#include "ingest/capture/pcap.h"
#include "ingest/capture/bytes.h"
#include "ingest/capture/detect.h"
#include "ingest/capture/flowtab.h"
#include "ingest/capture/tcpstream.h"
#include "ingest/capture/tls.h"

#include <endian.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

void tm_pcap_opts_default(tm_pcap_opts *o)
{
	o->max_active = (size_t)1 << 20;
	o->max_flows = (size_t)1 << 24;
	o->idle_timeout = 300;
	o->max_stream = 65536;
	o->max_ooo = 8;
	o->max_tls_record = 16384 + 2048;
	o->max_handshake = 131072;
	o->max_chain = 16;
	o->max_plain_scan = 16384;
	o->max_snaplen = 262144;
}

bool tm_pcap_stat_get(const tm_pcap_stats *s, size_t i, const char **name, const char **descr,
		      uint64_t *value)
{
	static const struct {
		const char *name, *descr;
		size_t off;
	} tab[] = {
#define TM_PCAP_STAT_ROW(n, d) {#n, d, offsetof(tm_pcap_stats, n)},
		TM_PCAP_STATS(TM_PCAP_STAT_ROW)
#undef TM_PCAP_STAT_ROW
	};
	if (i >= TM_ARRAY_LEN(tab))
		return false;
	*name = tab[i].name;
	*descr = tab[i].descr;
	memcpy(value, (const char *)s + tab[i].off, sizeof *value);
	return true;
}

tm_capture *tm_capture_new(tm_flowset *fs, const tm_pcap_opts *opts)
{
	tm_capture *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->fs = fs;
	if (opts)
		c->opts = *opts;
	else
		tm_pcap_opts_default(&c->opts);
	c->source = TM_FLOW_NO_SOURCE;
	c->tab = tm_flowtab_new(c->opts.max_active);
	c->certs = tm_certcache_new(4096);
	if (!c->tab || !c->certs) {
		tm_capture_free(c);
		return NULL;
	}
	return c;
}

void tm_capture_free(tm_capture *c)
{
	if (!c)
		return;
	tm_flowtab_free(c->tab);
	tm_certcache_free(c->certs);
	free(c);
}

void tm_capture_set_progress(tm_capture *c, tm_pcap_progress_fn fn, void *ctx)
{
	c->progress = fn;
	c->progress_ctx = ctx;
}

/* The reader's counters become the flow set's, in TM_PCAP_STATS order. */
static void publish(tm_capture *c)
{
	const char *name, *descr;
	uint64_t v;
	for (size_t i = 0; tm_pcap_stat_get(&c->stats, i, &name, &descr, &v); i++)
		if (tm_flowset_counter_set(c->fs, name, descr, v) != TM_OK)
			break; /* out of memory: --stats shows fewer counters */
}

/* ---- packet decode ------------------------------------------------------ */

/* The first bytes of a TCP conversation that only a client sends: a TLS
 * ClientHello record, an HTTP/1.x request line. */
static bool opens_conversation(const uint8_t *p, size_t n)
{
	if (n >= 6 && p[0] == 22 && p[1] == 3 && p[5] == 1)
		return true;
	static const char *const methods[] = {"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ",
					      "CONNECT ", "PRI * HTTP/2"};
	for (size_t i = 0; i < TM_ARRAY_LEN(methods); i++) {
		size_t l = strlen(methods[i]);
		if (n >= l && !memcmp(p, methods[i], l))
			return true;
	}
	return false;
}

static void transport(tm_capture *c, tm_pkt *pk, const uint8_t *p, size_t n)
{
	tm_flowslot *sl = NULL;
	int dir = 0;
	if (pk->proto == 6) {
		if (!TM_HAVE(n, 0, 20)) {
			c->stats.tcp_malformed++;
			return;
		}
		size_t hl = (size_t)(p[12] >> 4) * 4;
		if (hl < 20 || hl > n) {
			c->stats.tcp_malformed++;
			return;
		}
		pk->sport = (uint16_t)TM_U16(p, 0);
		pk->dport = (uint16_t)TM_U16(p, 2);
		pk->seq = TM_U32(p, 4);
		pk->tcp_flags = p[13];
		pk->payload = p + hl;
		pk->paylen = n - hl;
	} else {
		if (!TM_HAVE(n, 0, 8)) {
			c->stats.udp_malformed++;
			return;
		}
		pk->sport = (uint16_t)TM_U16(p, 0);
		pk->dport = (uint16_t)TM_U16(p, 2);
		size_t ul = TM_U16(p, 4);
		if (ul < 8) {
			c->stats.udp_malformed++;
			return;
		}
		pk->payload = p + 8;
		pk->paylen = n - 8;
		if (ul - 8 < pk->paylen)
			pk->paylen = ul - 8;
		else if (ul - 8 > pk->paylen)
			pk->payload_cut = true;
	}
	long idx = tm_flowtab_lookup(c, pk, &dir, &sl);
	if (idx < 0)
		return;
	tm_flow *f = &c->fs->flows[idx];
	f->packets++;
	f->bytes += pk->wire_len;
	if (pk->ts_us > f->last_us)
		f->last_us = pk->ts_us;
	if (pk->proto == 17) {
		if (f->app == TM_APP_UNKNOWN && f->packets <= 4 && !pk->payload_cut)
			tm_detect_udp(c, f, dir, pk->payload, pk->paylen);
		return;
	}
	if (dir == 1 && pk->paylen && !(sl->flags & (TM_FF_SYN | TM_FF_DONE)) && !(sl->isn_have & 1) &&
	    f->app == TM_APP_UNKNOWN && !f->tls && (!sl->st || (!sl->st->dir[0].delivered && !sl->st->dir[1].delivered)) &&
	    opens_conversation(pk->payload, pk->paylen)) {
		/* no SYN, and the side that the ports took for the server speaks
		 * first with what only a client says: the ports were wrong */
		tm_flow_swap_roles(f, sl);
		dir = 0;
	}
	if (pk->tcp_flags & 0x04)
		sl->flags |= TM_FF_RST;
	if (pk->tcp_flags & 0x01)
		sl->flags |= dir == 0 ? TM_FF_FIN_C : TM_FF_FIN_S;
	if (sl->flags & TM_FF_DONE)
		return;
	if (!sl->st) {
		/* no state until the first payload: a SYN only leaves its ISN */
		if (pk->tcp_flags & 0x02) {
			sl->isn[dir] = pk->seq;
			sl->isn_have |= (uint8_t)(1u << dir);
		}
		if (pk->paylen == 0)
			goto closed; /* a SYN with data (TCP Fast Open) goes on */
		sl->st = calloc(1, sizeof(tm_fstate));
		if (!sl->st) {
			sl->flags |= TM_FF_DONE;
			return;
		}
		for (int d = 0; d < 2; d++)
			if (sl->isn_have & (1u << d)) {
				sl->st->dir[d].next_seq = sl->isn[d] + 1;
				sl->st->dir[d].have_seq = true;
			}
	}
	tm_tcpstream_segment(c, f, sl, dir, pk);
closed:;
	bool dead = sl->st && sl->st->dir[0].dead && sl->st->dir[1].dead;
	if ((sl->flags & TM_FF_DONE) || tm_flow_finished(sl) || dead)
		tm_flow_settle(c, f, sl);
}

static void ipv4(tm_capture *c, tm_pkt *pk, const uint8_t *p, size_t n)
{
	if (!TM_HAVE(n, 0, 20) || (p[0] >> 4) != 4) {
		c->stats.ipv4_malformed++;
		return;
	}
	size_t hl = (size_t)(p[0] & 15) * 4, tl = TM_U16(p, 2);
	if (tl == 0)
		tl = n; /* TCP segmentation offload, captured on the sender: the NIC fills it in (as Wireshark reads it) */
	if (hl < 20 || hl > n || tl < hl) {
		c->stats.ipv4_malformed++;
		return;
	}
	bool cut = false;
	if (tl < n)
		n = tl; /* link-layer padding */
	else if (tl > n)
		cut = true; /* snaplen */
	uint32_t frag = TM_U16(p, 6);
	if (frag & 0x3fff) {
		c->stats.ip_fragments++;
		if (frag & 0x1fff)
			return; /* not the first fragment: no transport header */
		cut = true;
	}
	pk->family = 4;
	/* the model's IPv4 addresses: ::ffff:a.b.c.d */
	pk->src = (tm_ip){0, 0xffff00000000ULL | TM_U32(p, 12)};
	pk->dst = (tm_ip){0, 0xffff00000000ULL | TM_U32(p, 16)};
	pk->proto = p[9];
	pk->payload_cut = cut;
	if (pk->proto != 6 && pk->proto != 17) {
		c->stats.other_ip_proto++;
		return;
	}
	transport(c, pk, p + hl, n - hl);
}

static void ipv6(tm_capture *c, tm_pkt *pk, const uint8_t *p, size_t n)
{
	if (!TM_HAVE(n, 0, 40) || (p[0] >> 4) != 6) {
		c->stats.ipv6_malformed++;
		return;
	}
	size_t pl = TM_U16(p, 4);
	bool cut = false;
	if (pl == 0 && p[6] == 0) {
		pl = n - 40; /* jumbogram: trust the capture */
	} else if (40 + pl < n) {
		n = 40 + pl;
	} else if (40 + pl > n) {
		cut = true;
	}
	uint32_t nh = p[6];
	size_t o = 40;
	for (int hops = 0;; hops++) {
		if (hops > 16) {
			c->stats.ipv6_malformed++;
			return;
		}
		if (nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140) {
			if (!TM_HAVE(n, o, 8)) {
				c->stats.ipv6_malformed++;
				return;
			}
			nh = p[o];
			o += ((size_t)p[o + 1] + 1) * 8;
		} else if (nh == 51) { /* AH */
			if (!TM_HAVE(n, o, 8)) {
				c->stats.ipv6_malformed++;
				return;
			}
			nh = p[o];
			o += ((size_t)p[o + 1] + 2) * 4;
		} else if (nh == 44) { /* fragment */
			if (!TM_HAVE(n, o, 8)) {
				c->stats.ipv6_malformed++;
				return;
			}
			uint32_t off = TM_U16(p, o + 2);
			if (off & 0xfff9) { /* offset 0 and no more fragments: an atomic fragment, whole */
				c->stats.ip_fragments++;
				if (off & 0xfff8)
					return;
				cut = true;
			}
			nh = p[o];
			o += 8;
		} else {
			break;
		}
		if (o > n) {
			c->stats.ipv6_malformed++;
			return;
		}
	}
	pk->family = 6;
	pk->src = (tm_ip){TM_U64(p, 8), TM_U64(p, 16)};
	pk->dst = (tm_ip){TM_U64(p, 24), TM_U64(p, 32)};
	pk->proto = (uint8_t)nh;
	pk->payload_cut = cut;
	if (nh != 6 && nh != 17) {
		c->stats.other_ip_proto++;
		return;
	}
	transport(c, pk, p + o, n - o);
}

static void ethertype(tm_capture *c, tm_pkt *pk, uint32_t et, const uint8_t *p, size_t n)
{
	for (int tags = 0;; tags++) {
		if (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
			if (tags >= 8) {
				c->stats.vlan_too_deep++;
				return;
			}
			if (!TM_HAVE(n, 0, 4)) {
				c->stats.link_truncated++;
				return;
			}
			et = TM_U16(p, 2);
			p += 4;
			n -= 4;
			continue;
		}
		if (et == 0x8864) { /* PPPoE session: ver/type, code, session, length, PPP proto */
			if (!TM_HAVE(n, 0, 8)) {
				c->stats.link_truncated++;
				return;
			}
			uint32_t ppp = TM_U16(p, 6);
			p += 8;
			n -= 8;
			if (ppp == 0x0021)
				et = 0x0800;
			else if (ppp == 0x0057)
				et = 0x86dd;
			else {
				c->stats.pppoe_non_ip++;
				return;
			}
		}
		break;
	}
	if (et == 0x0800)
		ipv4(c, pk, p, n);
	else if (et == 0x86dd)
		ipv6(c, pk, p, n);
	else
		c->stats.non_ip++;
}

static void raw_ip(tm_capture *c, tm_pkt *pk, const uint8_t *p, size_t n)
{
	if (n < 1) {
		c->stats.link_truncated++;
		return;
	}
	if ((p[0] >> 4) == 4)
		ipv4(c, pk, p, n);
	else if ((p[0] >> 4) == 6)
		ipv6(c, pk, p, n);
	else
		c->stats.non_ip++;
}

void tm_capture_packet(tm_capture *c, int linktype, int64_t ts_us, const uint8_t *p, size_t caplen,
		       size_t len)
{
	tm_pkt pk;
	pk.ts_us = ts_us;
	pk.wire_len = len;
	pk.payload_cut = false;
	pk.tcp_flags = 0;
	pk.seq = 0;
	c->file_packet++;
	c->stats.packets++;
	c->stats.bytes += len;
	if (ts_us > c->now_us)
		c->now_us = ts_us;
	if (caplen < len)
		c->stats.snaplen_cut++;
	switch (linktype) {
	case 1: /* DLT_EN10MB */
		if (!TM_HAVE(caplen, 0, 14)) {
			c->stats.link_truncated++;
			return;
		}
		ethertype(c, &pk, TM_U16(p, 12), p + 14, caplen - 14);
		return;
	case 113: /* DLT_LINUX_SLL */
		if (!TM_HAVE(caplen, 0, 16)) {
			c->stats.link_truncated++;
			return;
		}
		ethertype(c, &pk, TM_U16(p, 14), p + 16, caplen - 16);
		return;
	case 276: /* DLT_LINUX_SLL2 */
		if (!TM_HAVE(caplen, 0, 20)) {
			c->stats.link_truncated++;
			return;
		}
		ethertype(c, &pk, TM_U16(p, 0), p + 20, caplen - 20);
		return;
	case 12: case 14: case 101: case 228: case 229: /* raw IP */
		raw_ip(c, &pk, p, caplen);
		return;
	case 0: case 108: { /* DLT_NULL (host order), DLT_LOOP (network order) */
		if (!TM_HAVE(caplen, 0, 4)) {
			c->stats.link_truncated++;
			return;
		}
		uint32_t af = linktype == 108 ? TM_U32(p, 0) : TM_LE32(p, 0);
		if (linktype == 0 && af > 0xffff)
			af = TM_U32(p, 0); /* written by a big-endian host */
		if (af == 2)
			ipv4(c, &pk, p + 4, caplen - 4);
		else if (af == 24 || af == 28 || af == 30)
			ipv6(c, &pk, p + 4, caplen - 4);
		else
			c->stats.non_ip++;
		return;
	}
	default:
		c->stats.unsupported_linktype++;
		return;
	}
}

/* ---- files --------------------------------------------------------------- */

struct rd_ctx {
	tm_capture *c;
	int linktype;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct rd_ctx *rc = (struct rd_ctx *)user;
	tm_capture *c = rc->c;
	if (h->caplen > c->opts.max_snaplen) {
		c->stats.bad_caplen++;
		c->stats.packets++;
		c->file_packet++;
		return;
	}
	/* clamp absurd times (pcapng allows 64-bit seconds) so arithmetic cannot overflow */
	int64_t sec = (int64_t)h->ts.tv_sec;
	if (sec < 0)
		sec = 0;
	else if (sec > ((int64_t)1 << 40))
		sec = (int64_t)1 << 40;
	int64_t ts = sec * 1000000 + (int64_t)(h->ts.tv_usec % 1000000);
	tm_capture_packet(c, rc->linktype, ts, data, h->caplen, h->len < h->caplen ? h->caplen : h->len);
}

static tm_err read_pcap(tm_capture *c, pcap_t *pc, const char *name)
{
	tm_flowset *fs = c->fs;
	int r;
	int lt = pcap_datalink(pc);
	tm_srcloc loc = {tm_intern(&fs->strs, name), 0, 0};
	bool lt_ok = lt == 0 || lt == 1 || lt == 12 || lt == 14 || lt == 101 || lt == 108 || lt == 113 ||
		     lt == 228 || lt == 229 || lt == 276;
	if (!lt_ok) {
		const char *ln = pcap_datalink_val_to_name(lt);
		tm_diags_add(&fs->diags, TM_DIAG_WARN, loc, "link type %d (%s) is not supported; packets counted and skipped",
			     lt, ln ? ln : "?");
	}
	c->source = tm_flowset_add_source(fs, TM_FLOW_FROM_CAPTURE, name);
	c->file_packet = 0;
	/* pcap_dispatch: one library call per batch instead of per packet */
	struct rd_ctx rc_ = {c, lt};
	uint64_t before = c->stats.packets;
	do {
		r = pcap_dispatch(pc, 65536, on_packet, (u_char *)&rc_);
		if (c->progress && r > 0)
			c->progress(c->progress_ctx, c->stats.packets, c->stats.flows);
	} while (r > 0);
	if (r == -1) {
		const char *why = pcap_geterr(pc);
		if (strstr(why, "different from the type of the first interface")) {
			/* libpcap reads one link type per file: not a usable capture */
			tm_diags_add(&fs->diags, TM_DIAG_ERROR, loc,
				     "not a usable capture: a pcapng whose interfaces have different link types, which "
				     "libpcap cannot read (%s; %llu packets read); split it by interface first, e.g. "
				     "tshark -r FILE -Y 'frame.interface_id == 0' -w PART0.pcapng",
				     why, (unsigned long long)(c->stats.packets - before));
			return TM_ERR_IO;
		}
		c->stats.files_truncated++;
		tm_diags_add(&fs->diags, TM_DIAG_WARN, loc, "capture ends early: %s (%llu packets read)", why,
			     (unsigned long long)(c->stats.packets - before));
	}
	return TM_OK;
}

static tm_err open_error(tm_capture *c, const char *name, const char *err)
{
	tm_srcloc loc = {tm_intern(&c->fs->strs, name), 0, 0};
	tm_diags_add(&c->fs->diags, TM_DIAG_ERROR, loc, "not a usable capture: %s", err);
	return TM_ERR_IO;
}

tm_err tm_capture_read_fp(tm_capture *c, FILE *fp, const char *name)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, err);
	if (!pc) {
		fclose(fp);
		return open_error(c, name, err);
	}
	tm_err rc = read_pcap(c, pc, name);
	pcap_close(pc); /* closes fp too */
	publish(c);
	return rc;
}

tm_flowset *tm_capture_flowset(tm_capture *c)
{
	return c->fs;
}

const tm_pcap_opts *tm_capture_opts(const tm_capture *c)
{
	return &c->opts;
}

tm_err tm_capture_read_file(tm_capture *c, const char *path)
{
	if (!strcmp(path, "-")) {
		/* libpcap closes the FILE on pcap_close(): give it its own */
		FILE *fp = fdopen(dup(0), "rb");
		if (!fp)
			return open_error(c, "-", strerror(errno));
		return tm_capture_read_fp(c, fp, "-");
	}
	/* our own stream with a 1 MiB buffer: libpcap's default stdio buffer
	 * makes one read() per few packets */
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		char msg[PCAP_ERRBUF_SIZE];
		snprintf(msg, sizeof msg, "%s: %s", path, strerror(errno)); /* as libpcap words it */
		return open_error(c, path, msg);
	}
	setvbuf(fp, NULL, _IOFBF, (size_t)1 << 20);
	return tm_capture_read_fp(c, fp, path);
}

void tm_capture_finish(tm_capture *c)
{
	tm_flowset *fs = c->fs;
	if (c->finished)
		return;
	c->finished = true;
	tm_flowtab_close_all(c);
	uint64_t ntls = 0;
	for (size_t i = 0; i < fs->nflows; i++)
		if (fs->flows[i].tls)
			ntls++;
	c->stats.tls_flows = ntls;
	/* limits that cost data are said, not only counted under --stats */
	tm_srcloc none = {0};
	if (c->stats.flow_table_full)
		tm_diags_add(&fs->diags, TM_DIAG_WARN, none,
			     "the flow table was full: %llu packets of new connections were dropped (raise --flow-table)",
			     (unsigned long long)c->stats.flow_table_full);
	if (c->stats.flow_records_full)
		tm_diags_add(&fs->diags, TM_DIAG_WARN, none,
			     "the flow record limit was reached: %llu packets of further connections were dropped (raise --max-flows)",
			     (unsigned long long)c->stats.flow_records_full);
	publish(c);
	tm_flowset_sort(fs);
}
