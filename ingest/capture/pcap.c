/* pcap.c - capture files with libpcap (pcap and pcapng), link layers
 * decoded here with bounds checks: Ethernet (802.1Q/802.1ad/QinQ, PPPoE
 * session), Linux cooked SLL and SLL2, raw IPv4/IPv6, BSD null/loop; then
 * IPv4 (fragments counted, not reassembled), IPv6 with extension headers,
 * TCP and UDP into the flow table. */
#include "ingest/capture/flowtab.h"

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

const char *tm_app_name(tm_app a)
{
	static const char *const names[TM_APP__COUNT] = {
		"unknown", "tls", "http", "http2", "dns", "postgres", "mysql", "redis", "mongodb",
		"kafka", "amqp", "ssh", "smtp", "imap", "pop3", "xmpp", "irc", "ftp",
	};
	return (unsigned)a < TM_APP__COUNT ? names[a] : "unknown";
}

const char *tm_mesh_name(tm_mesh m)
{
	return m == TM_MESH_ISTIO ? "istio" : m == TM_MESH_LINKERD ? "linkerd" : NULL;
}

const char *tm_client_cert_name(tm_client_cert c)
{
	return c == TM_CC_YES ? "yes" : c == TM_CC_NO ? "no" : "unknown";
}

const char *tm_server_cert_status_name(tm_server_cert_status s)
{
	switch (s) {
	case TM_SC_PLAIN: return "plain";
	case TM_SC_ENCRYPTED: return "encrypted";
	case TM_SC_UNPARSED: return "unparsed";
	default: return "missing";
	}
}

const char *tm_tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "1.0";
	case 0x0302: return "1.1";
	case 0x0303: return "1.2";
	case 0x0304: return "1.3";
	default: return v ? "unknown" : NULL;
	}
}

void tm_flow_format_ip(const tm_flow *f, bool client, char *out, size_t outlen)
{
	const uint8_t *a = client ? f->cli_ip : f->srv_ip;
	if (f->family == 4) {
		size_t k = 0;
		for (int i = 0; i < 4 && outlen >= 16; i++) {
			unsigned v = a[i];
			if (i)
				out[k++] = '.';
			if (v >= 100)
				out[k++] = (char)('0' + v / 100);
			if (v >= 10)
				out[k++] = (char)('0' + v / 10 % 10);
			out[k++] = (char)('0' + v % 10);
		}
		if (outlen)
			out[outlen >= 16 ? k : 0] = 0;
		return;
	}
	/* RFC 5952: longest run of >= 2 zero groups becomes "::" */
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	size_t k = 0;
	for (int i = 0; i < 8 && k < outlen; i++) {
		if (i == best) {
			k += (size_t)snprintf(out + k, outlen - k, "::");
			i += bestlen - 1;
			continue;
		}
		k += (size_t)snprintf(out + k, outlen - k, "%s%x", (k && out[k - 1] != ':') ? ":" : "", g[i]);
	}
	if (k == 0 && outlen)
		out[0] = 0;
}

tm_flowset *tm_flowset_new(const tm_pcap_opts *opts)
{
	tm_flowset *fs = calloc(1, sizeof *fs);
	if (!fs)
		return NULL;
	if (opts)
		fs->opts = *opts;
	else
		tm_pcap_opts_default(&fs->opts);
	tm_arena_init(&fs->arena);
	tm_strtab_init(&fs->strs, &fs->arena);
	tm_diags_init(&fs->diags, &fs->arena);
	fs->tab = tm_flowtab_new(fs->opts.max_active);
	fs->certs = tm_certcache_new(4096);
	if (!fs->tab || !fs->certs) {
		tm_flowset_free(fs);
		return NULL;
	}
	return fs;
}

void tm_flowset_free(tm_flowset *fs)
{
	if (!fs)
		return;
	tm_flowtab_free(fs->tab);
	tm_certcache_free(fs->certs);
	free(fs->flows);
	tm_strtab_release(&fs->strs);
	tm_arena_release(&fs->arena);
	free(fs);
}

static tm_pcap_progress_fn progress_fn;
static void *progress_ctx;

void tm_flowset_set_progress(tm_flowset *fs, tm_pcap_progress_fn fn, void *ctx)
{
	(void)fs;
	progress_fn = fn;
	progress_ctx = ctx;
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

static void transport(tm_flowset *fs, tm_pkt *pk, const uint8_t *p, size_t n)
{
	tm_fstate **stp = NULL;
	int dir = 0;
	if (pk->proto == 6) {
		if (!TM_HAVE(n, 0, 20)) {
			fs->stats.tcp_malformed++;
			return;
		}
		size_t hl = (size_t)(p[12] >> 4) * 4;
		if (hl < 20 || hl > n) {
			fs->stats.tcp_malformed++;
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
			fs->stats.udp_malformed++;
			return;
		}
		pk->sport = (uint16_t)TM_U16(p, 0);
		pk->dport = (uint16_t)TM_U16(p, 2);
		size_t ul = TM_U16(p, 4);
		if (ul < 8) {
			fs->stats.udp_malformed++;
			return;
		}
		pk->payload = p + 8;
		pk->paylen = n - 8;
		if (ul - 8 < pk->paylen)
			pk->paylen = ul - 8;
		else if (ul - 8 > pk->paylen)
			pk->payload_cut = true;
	}
	long idx = tm_flowtab_lookup(fs, pk, &dir, &stp);
	if (idx < 0)
		return;
	tm_flow *f = &fs->flows[idx];
	f->packets++;
	f->bytes += pk->wire_len;
	if (pk->ts_us > f->last_us)
		f->last_us = pk->ts_us;
	if (pk->proto == 17) {
		if (f->app == TM_APP_UNKNOWN && f->packets <= 4 && !pk->payload_cut)
			tm_detect_udp(fs, f, dir, pk->payload, pk->paylen);
		return;
	}
	if (dir == 1 && pk->paylen && !(f->flags & (TM_FF_SYN | TM_FF_DONE)) && !(f->isn_have & 1) &&
	    f->app == TM_APP_UNKNOWN && !f->tls && (!*stp || (!(*stp)->dir[0].delivered && !(*stp)->dir[1].delivered)) &&
	    opens_conversation(pk->payload, pk->paylen)) {
		/* no SYN, and the side that the ports took for the server speaks
		 * first with what only a client says: the ports were wrong */
		tm_flow_swap_roles(f, *stp);
		dir = 0;
	}
	if (pk->tcp_flags & 0x04)
		f->flags |= TM_FF_RST;
	if (pk->tcp_flags & 0x01)
		f->flags |= dir == 0 ? TM_FF_FIN_C : TM_FF_FIN_S;
	if (f->flags & TM_FF_DONE)
		return;
	if (!*stp) {
		/* no state until the first payload: a SYN only leaves its ISN */
		if (pk->tcp_flags & 0x02) {
			f->isn[dir] = pk->seq;
			f->isn_have |= (uint8_t)(1u << dir);
		}
		if (pk->paylen == 0)
			goto closed; /* a SYN with data (TCP Fast Open) goes on */
		*stp = calloc(1, sizeof(tm_fstate));
		if (!*stp) {
			f->flags |= TM_FF_DONE;
			return;
		}
		for (int d = 0; d < 2; d++)
			if (f->isn_have & (1u << d)) {
				(*stp)->dir[d].next_seq = f->isn[d] + 1;
				(*stp)->dir[d].have_seq = true;
			}
	}
	tm_tcpstream_segment(fs, f, *stp, dir, pk);
closed:;
	bool dead = *stp && (*stp)->dir[0].dead && (*stp)->dir[1].dead;
	if ((f->flags & TM_FF_DONE) || tm_flow_finished(f) || dead) {
		tm_flow_settle(fs, f, *stp);
		*stp = NULL;
	}
}

static void ipv4(tm_flowset *fs, tm_pkt *pk, const uint8_t *p, size_t n)
{
	if (!TM_HAVE(n, 0, 20) || (p[0] >> 4) != 4) {
		fs->stats.ipv4_malformed++;
		return;
	}
	size_t hl = (size_t)(p[0] & 15) * 4, tl = TM_U16(p, 2);
	if (tl == 0)
		tl = n; /* TCP segmentation offload, captured on the sender: the NIC fills it in (as Wireshark reads it) */
	if (hl < 20 || hl > n || tl < hl) {
		fs->stats.ipv4_malformed++;
		return;
	}
	bool cut = false;
	if (tl < n)
		n = tl; /* link-layer padding */
	else if (tl > n)
		cut = true; /* snaplen */
	uint32_t frag = TM_U16(p, 6);
	if (frag & 0x3fff) {
		fs->stats.ip_fragments++;
		if (frag & 0x1fff)
			return; /* not the first fragment: no transport header */
		cut = true;
	}
	pk->family = 4;
	/* whole 8-byte words, as the flow table reads them (a 4-byte store
	 * into a zeroed 16 cannot be forwarded to an 8-byte load) */
	uint32_t a4, b4;
	memcpy(&a4, p + 12, 4);
	memcpy(&b4, p + 16, 4);
	uint64_t w[2] = {0, 0};
	memcpy(w, &a4, 4);
	memcpy(pk->src, w, 16);
	w[0] = 0;
	memcpy(w, &b4, 4);
	memcpy(pk->dst, w, 16);
	pk->proto = p[9];
	pk->payload_cut = cut;
	if (pk->proto != 6 && pk->proto != 17) {
		fs->stats.other_ip_proto++;
		return;
	}
	transport(fs, pk, p + hl, n - hl);
}

static void ipv6(tm_flowset *fs, tm_pkt *pk, const uint8_t *p, size_t n)
{
	if (!TM_HAVE(n, 0, 40) || (p[0] >> 4) != 6) {
		fs->stats.ipv6_malformed++;
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
			fs->stats.ipv6_malformed++;
			return;
		}
		if (nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140) {
			if (!TM_HAVE(n, o, 8)) {
				fs->stats.ipv6_malformed++;
				return;
			}
			nh = p[o];
			o += ((size_t)p[o + 1] + 1) * 8;
		} else if (nh == 51) { /* AH */
			if (!TM_HAVE(n, o, 8)) {
				fs->stats.ipv6_malformed++;
				return;
			}
			nh = p[o];
			o += ((size_t)p[o + 1] + 2) * 4;
		} else if (nh == 44) { /* fragment */
			if (!TM_HAVE(n, o, 8)) {
				fs->stats.ipv6_malformed++;
				return;
			}
			uint32_t off = TM_U16(p, o + 2);
			if (off & 0xfff9) { /* offset 0 and no more fragments: an atomic fragment, whole */
				fs->stats.ip_fragments++;
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
			fs->stats.ipv6_malformed++;
			return;
		}
	}
	pk->family = 6;
	memcpy(pk->src, p + 8, 16);
	memcpy(pk->dst, p + 24, 16);
	pk->proto = (uint8_t)nh;
	pk->payload_cut = cut;
	if (nh != 6 && nh != 17) {
		fs->stats.other_ip_proto++;
		return;
	}
	transport(fs, pk, p + o, n - o);
}

static void ethertype(tm_flowset *fs, tm_pkt *pk, uint32_t et, const uint8_t *p, size_t n)
{
	for (int tags = 0;; tags++) {
		if (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
			if (tags >= 8) {
				fs->stats.vlan_too_deep++;
				return;
			}
			if (!TM_HAVE(n, 0, 4)) {
				fs->stats.link_truncated++;
				return;
			}
			et = TM_U16(p, 2);
			p += 4;
			n -= 4;
			continue;
		}
		if (et == 0x8864) { /* PPPoE session: ver/type, code, session, length, PPP proto */
			if (!TM_HAVE(n, 0, 8)) {
				fs->stats.link_truncated++;
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
				fs->stats.pppoe_non_ip++;
				return;
			}
		}
		break;
	}
	if (et == 0x0800)
		ipv4(fs, pk, p, n);
	else if (et == 0x86dd)
		ipv6(fs, pk, p, n);
	else
		fs->stats.non_ip++;
}

static void raw_ip(tm_flowset *fs, tm_pkt *pk, const uint8_t *p, size_t n)
{
	if (n < 1) {
		fs->stats.link_truncated++;
		return;
	}
	if ((p[0] >> 4) == 4)
		ipv4(fs, pk, p, n);
	else if ((p[0] >> 4) == 6)
		ipv6(fs, pk, p, n);
	else
		fs->stats.non_ip++;
}

void tm_flowset_packet(tm_flowset *fs, int linktype, int64_t ts_us, const uint8_t *p, size_t caplen,
		       size_t len)
{
	tm_pkt pk;
	pk.ts_us = ts_us;
	pk.wire_len = len;
	pk.payload_cut = false;
	pk.tcp_flags = 0;
	pk.seq = 0;
	fs->stats.packets++;
	fs->stats.bytes += len;
	if (ts_us > fs->now_us)
		fs->now_us = ts_us;
	if (caplen < len)
		fs->stats.snaplen_cut++;
	switch (linktype) {
	case 1: /* DLT_EN10MB */
		if (!TM_HAVE(caplen, 0, 14)) {
			fs->stats.link_truncated++;
			return;
		}
		ethertype(fs, &pk, TM_U16(p, 12), p + 14, caplen - 14);
		return;
	case 113: /* DLT_LINUX_SLL */
		if (!TM_HAVE(caplen, 0, 16)) {
			fs->stats.link_truncated++;
			return;
		}
		ethertype(fs, &pk, TM_U16(p, 14), p + 16, caplen - 16);
		return;
	case 276: /* DLT_LINUX_SLL2 */
		if (!TM_HAVE(caplen, 0, 20)) {
			fs->stats.link_truncated++;
			return;
		}
		ethertype(fs, &pk, TM_U16(p, 0), p + 20, caplen - 20);
		return;
	case 12: case 14: case 101: case 228: case 229: /* raw IP */
		raw_ip(fs, &pk, p, caplen);
		return;
	case 0: case 108: { /* DLT_NULL (host order), DLT_LOOP (network order) */
		if (!TM_HAVE(caplen, 0, 4)) {
			fs->stats.link_truncated++;
			return;
		}
		uint32_t af = linktype == 108 ? TM_U32(p, 0) : TM_LE32(p, 0);
		if (linktype == 0 && af > 0xffff)
			af = TM_U32(p, 0); /* written by a big-endian host */
		if (af == 2)
			ipv4(fs, &pk, p + 4, caplen - 4);
		else if (af == 24 || af == 28 || af == 30)
			ipv6(fs, &pk, p + 4, caplen - 4);
		else
			fs->stats.non_ip++;
		return;
	}
	default:
		fs->stats.unsupported_linktype++;
		return;
	}
}

/* ---- files --------------------------------------------------------------- */

struct rd_ctx {
	tm_flowset *fs;
	int linktype;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct rd_ctx *c = (struct rd_ctx *)user;
	tm_flowset *fs = c->fs;
	if (h->caplen > fs->opts.max_snaplen) {
		fs->stats.bad_caplen++;
		fs->stats.packets++;
		return;
	}
	/* clamp absurd times (pcapng allows 64-bit seconds) so arithmetic cannot overflow */
	int64_t sec = (int64_t)h->ts.tv_sec;
	if (sec < 0)
		sec = 0;
	else if (sec > ((int64_t)1 << 40))
		sec = (int64_t)1 << 40;
	int64_t ts = sec * 1000000 + (int64_t)(h->ts.tv_usec % 1000000);
	tm_flowset_packet(fs, c->linktype, ts, data, h->caplen, h->len < h->caplen ? h->caplen : h->len);
}

static tm_err read_pcap(tm_flowset *fs, pcap_t *pc, const char *name)
{
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
	/* pcap_dispatch: one library call per batch instead of per packet */
	struct rd_ctx rc_ = {fs, lt};
	uint64_t before = fs->stats.packets;
	do {
		r = pcap_dispatch(pc, 65536, on_packet, (u_char *)&rc_);
		if (progress_fn && r > 0)
			progress_fn(progress_ctx, fs->stats.packets, fs->stats.flows);
	} while (r > 0);
	if (r == -1) {
		const char *why = pcap_geterr(pc);
		if (strstr(why, "different from the type of the first interface")) {
			/* libpcap reads one link type per file: not a usable capture */
			tm_diags_add(&fs->diags, TM_DIAG_ERROR, loc,
				     "not a usable capture: a pcapng whose interfaces have different link types, which "
				     "libpcap cannot read (%s; %llu packets read); split it by interface first, e.g. "
				     "tshark -r FILE -Y 'frame.interface_id == 0' -w PART0.pcapng",
				     why, (unsigned long long)(fs->stats.packets - before));
			return TM_ERR_IO;
		}
		fs->stats.files_truncated++;
		tm_diags_add(&fs->diags, TM_DIAG_WARN, loc, "capture ends early: %s (%llu packets read)", why,
			     (unsigned long long)(fs->stats.packets - before));
	}
	return TM_OK;
}

static tm_err open_error(tm_flowset *fs, const char *name, const char *err)
{
	tm_srcloc loc = {tm_intern(&fs->strs, name), 0, 0};
	tm_diags_add(&fs->diags, TM_DIAG_ERROR, loc, "not a usable capture: %s", err);
	return TM_ERR_IO;
}

tm_err tm_flowset_read_fp(tm_flowset *fs, FILE *fp, const char *name)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, err);
	if (!pc) {
		fclose(fp);
		return open_error(fs, name, err);
	}
	tm_err rc = read_pcap(fs, pc, name);
	pcap_close(pc); /* closes fp too */
	return rc;
}

tm_err tm_flowset_read_file(tm_flowset *fs, const char *path)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc;
	if (!strcmp(path, "-")) {
		/* libpcap closes the FILE on pcap_close(): give it its own */
		FILE *fp = fdopen(dup(0), "rb");
		if (!fp)
			return open_error(fs, "-", strerror(errno));
		return tm_flowset_read_fp(fs, fp, "-");
	}
	/* our own stream with a 1 MiB buffer: libpcap's default stdio buffer
	 * makes one read() per few packets */
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		char msg[PCAP_ERRBUF_SIZE];
		snprintf(msg, sizeof msg, "%s: %s", path, strerror(errno)); /* as libpcap words it */
		return open_error(fs, path, msg);
	}
	setvbuf(fp, NULL, _IOFBF, (size_t)1 << 20);
	pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, err);
	if (!pc) {
		fclose(fp);
		return open_error(fs, path, err);
	}
	tm_err rc = read_pcap(fs, pc, path);
	pcap_close(pc); /* closes fp */
	return rc;
}

static int flow_cmp(const void *a, const void *b)
{
	const tm_flow *x = a, *y = b;
	int c;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((c = memcmp(x->cli_ip, y->cli_ip, 16)))
		return c;
	if (x->cli_port != y->cli_port)
		return x->cli_port < y->cli_port ? -1 : 1;
	if ((c = memcmp(x->srv_ip, y->srv_ip, 16)))
		return c;
	if (x->srv_port != y->srv_port)
		return x->srv_port < y->srv_port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* sort keys: the first-seen time decides almost always; ties go to flow_cmp */
typedef struct sort_key {
	int64_t first_us;
	uint32_t idx;
} sort_key;

static int sort_key_cmp(const void *a, const void *b, void *ctx)
{
	const sort_key *x = a, *y = b;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	const tm_flow *v = ctx;
	return flow_cmp(&v[x->idx], &v[y->idx]);
}

void tm_flowset_finish(tm_flowset *fs)
{
	if (fs->finished)
		return;
	fs->finished = true;
	tm_flowtab_close_all(fs);
	uint64_t ntls = 0;
	for (size_t i = 0; i < fs->nflows; i++)
		if (fs->flows[i].tls)
			ntls++;
	fs->stats.tls_flows = ntls;
	/* limits that cost data are said, not only counted under --stats */
	tm_srcloc none = {0};
	if (fs->stats.flow_table_full)
		tm_diags_add(&fs->diags, TM_DIAG_WARN, none,
			     "the flow table was full: %llu packets of new connections were dropped (raise --flow-table)",
			     (unsigned long long)fs->stats.flow_table_full);
	if (fs->stats.flow_records_full)
		tm_diags_add(&fs->diags, TM_DIAG_WARN, none,
			     "the flow record limit was reached: %llu packets of further connections were dropped (raise --max-flows)",
			     (unsigned long long)fs->stats.flow_records_full);
	if (fs->nflows < 2)
		return;
	/* records are made in first-seen order: a capture in time order needs
	 * no sort */
	size_t in_order = 1;
	while (in_order < fs->nflows && flow_cmp(&fs->flows[in_order - 1], &fs->flows[in_order]) < 0)
		in_order++;
	if (in_order == fs->nflows)
		return;
	/* sort small keys, then permute the records in place: sorting the
	 * records themselves would make glibc's qsort copy them all */
	sort_key *keys = malloc(fs->nflows * sizeof *keys);
	if (!keys) {
		qsort(fs->flows, fs->nflows, sizeof *fs->flows, flow_cmp);
		return;
	}
	for (size_t i = 0; i < fs->nflows; i++)
		keys[i] = (sort_key){fs->flows[i].first_us, (uint32_t)i};
	qsort_r(keys, fs->nflows, sizeof *keys, sort_key_cmp, fs->flows);
	uint32_t *perm = (uint32_t *)keys; /* perm[i] = keys[i].idx, in place */
	for (size_t i = 0; i < fs->nflows; i++)
		perm[i] = keys[i].idx;
	for (size_t i = 0; i < fs->nflows; i++) {
		if (perm[i] == i)
			continue;
		tm_flow tmp = fs->flows[i];
		size_t j = i;
		for (;;) {
			size_t k = perm[j];
			perm[j] = (uint32_t)j;
			if (k == i) {
				fs->flows[j] = tmp;
				break;
			}
			fs->flows[j] = fs->flows[k];
			j = k;
		}
	}
	free(perm);
}
