/* test_pcap.c - link layers, IP, TCP reassembly and the flow table, on
 * frames built here and fed to tm_capture_packet(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ingest/capture/pcap.h"
#include "ingest/capture/flowtab.h"
#include "ingest/capture/detect.h"

typedef struct bb {
	uint8_t d[4096];
	size_t n;
} bb;

static void put(bb *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof b->d);
	if (n)
		memcpy(b->d + b->n, p, n);
	b->n += n;
}
static void u8(bb *b, unsigned v) { uint8_t x = (uint8_t)v; put(b, &x, 1); }
static void u16(bb *b, unsigned v) { u8(b, v >> 8); u8(b, v); }
static void u32(bb *b, unsigned v) { u16(b, v >> 16); u16(b, v & 0xffff); }

enum { SYN = 2, ACK = 16, FIN = 1, RST = 4, PSH = 8 };

static void tcp(bb *b, unsigned sport, unsigned dport, unsigned seq, unsigned flags, const void *pl, size_t n)
{
	u16(b, sport);
	u16(b, dport);
	u32(b, seq);
	u32(b, 0);
	u8(b, 5 << 4);
	u8(b, flags);
	u16(b, 65535);
	u16(b, 0);
	u16(b, 0);
	put(b, pl, n);
}

static void ip4(bb *b, const uint8_t src[4], const uint8_t dst[4], unsigned proto, const bb *l4, unsigned frag)
{
	u8(b, 0x45);
	u8(b, 0);
	u16(b, (unsigned)(20 + l4->n));
	u16(b, 1);
	u16(b, frag);
	u8(b, 64);
	u8(b, proto);
	u16(b, 0);
	put(b, src, 4);
	put(b, dst, 4);
	put(b, l4->d, l4->n);
}

static void eth(bb *b, const unsigned *tags, size_t ntags, unsigned et)
{
	static const uint8_t mac[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	put(b, mac, 12);
	for (size_t i = 0; i < ntags; i++) {
		u16(b, tags[i]);
		u16(b, (unsigned)(100 + i));
	}
	u16(b, et);
}

static const uint8_t A[4] = {10, 0, 0, 1}, B[4] = {10, 0, 0, 2};

/* a capture reader on a flow set of its own */
static tm_capture *cap_new(const tm_pcap_opts *o)
{
	tm_flowset *fs = tm_flowset_new();
	assert_non_null(fs);
	tm_capture *c = tm_capture_new(fs, o);
	assert_non_null(c);
	return c;
}

static void cap_free(tm_capture *c)
{
	tm_flowset *fs = c->fs;
	tm_capture_free(c);
	tm_flowset_free(fs);
}

/* Ethernet (QinQ tagged) IPv4 TCP frame */
static void frame(tm_capture *cap, int64_t t, bool a_to_b, unsigned sp, unsigned dp, unsigned seq, unsigned fl,
		  const void *pl, size_t n)
{
	bb l4 = {0}, f = {0};
	static const unsigned tags[] = {0x88a8, 0x8100};
	tcp(&l4, sp, dp, seq, fl, pl, n);
	eth(&f, tags, 2, 0x0800);
	ip4(&f, a_to_b ? A : B, a_to_b ? B : A, 6, &l4, 0);
	tm_capture_packet(cap, 1, t, f.d, f.n, f.n);
}

/* A ClientHello with SNI, as a record, delivered out of order and retransmitted */
static void test_reassembly_qinq(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	bb ch = {0}, body = {0}, ext = {0};
	u16(&body, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(&body, i);
	u8(&body, 0);
	u16(&body, 2);
	u16(&body, 0x1301);
	u8(&body, 1);
	u8(&body, 0);
	const char *sni = "api.shop.svc";
	u16(&ext, 0);
	u16(&ext, (unsigned)strlen(sni) + 5);
	u16(&ext, (unsigned)strlen(sni) + 3);
	u8(&ext, 0);
	u16(&ext, (unsigned)strlen(sni));
	put(&ext, sni, strlen(sni));
	u16(&body, (unsigned)ext.n);
	put(&body, ext.d, ext.n);
	u8(&ch, 22);
	u16(&ch, 0x0301);
	u16(&ch, (unsigned)body.n + 4);
	u8(&ch, 1);
	u8(&ch, 0);
	u16(&ch, (unsigned)body.n);
	put(&ch, body.d, body.n);
	frame(cap, 1000, true, 40000, 8443, 100, SYN, NULL, 0);
	frame(cap, 1001, false, 8443, 40000, 500, SYN | ACK, NULL, 0);
	size_t half = ch.n / 2;
	/* second half first, then the first half twice */
	frame(cap, 1002, true, 40000, 8443, 101 + (unsigned)half, ACK | PSH, ch.d + half, ch.n - half);
	frame(cap, 1003, true, 40000, 8443, 101, ACK | PSH, ch.d, half);
	frame(cap, 1004, true, 40000, 8443, 101, ACK | PSH, ch.d, half);
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 1);
	const tm_flow *f = &cap->fs->flows[0];
	assert_int_equal(f->cli_port, 40000);
	assert_int_equal(f->srv_port, 8443);
	assert_int_equal(f->packets, 5);
	assert_int_equal(f->app, TM_APP_TLS);
	assert_non_null(f->tls);
	assert_string_equal(f->tls->sni, "api.shop.svc");
	assert_int_equal(cap->stats.tcp_out_of_order, 1);
	assert_int_equal(cap->stats.tcp_retransmissions, 1);
	cap_free(cap);
}

/* SYN-ACK first (capture started late): the SYN-ACK sender is the server */
static void test_direction_and_reuse(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	frame(cap, 10, false, 5432, 50000, 1, SYN | ACK, NULL, 0);
	frame(cap, 11, true, 50000, 5432, 1, FIN | ACK, NULL, 0);
	frame(cap, 12, true, 50000, 5432, 900, SYN, NULL, 0); /* reuse after FIN */
	frame(cap, 13, false, 5432, 50000, 1, SYN | ACK, NULL, 0);
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 2);
	assert_int_equal(cap->fs->flows[0].cli_port, 50000);
	assert_int_equal(cap->fs->flows[0].packets, 2);
	assert_int_equal(cap->fs->flows[1].packets, 2);
	assert_true(cap->fs->flows[1].first_us == 12);
	cap_free(cap);
}

static void test_idle_and_cap(void **state)
{
	(void)state;
	tm_pcap_opts o;
	tm_pcap_opts_default(&o);
	o.idle_timeout = 1;
	o.max_active = 2;
	tm_capture *cap = cap_new(&o);
	frame(cap, 0, true, 1001, 80, 1, SYN, NULL, 0);
	frame(cap, 1, true, 1002, 80, 1, SYN, NULL, 0);
	frame(cap, 2, true, 1003, 80, 1, SYN, NULL, 0); /* table full, nothing idle */
	assert_int_equal(cap->stats.flow_table_full, 1);
	frame(cap, 5000000, true, 1001, 80, 7, ACK, NULL, 0); /* 5 s later: idle flows closed */
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 3);
	assert_true(cap->stats.flows_idle_closed >= 1);
	cap_free(cap);
}

/* Timestamps are input: a capture whose every packet comes more than half
 * the idle timeout after the previous one starts a sweep with every packet.
 * No packet may pay for the whole table (20,000 flows: 64k slots). */
static void test_sweep_bounded(void **state)
{
	(void)state;
	tm_pcap_opts o;
	tm_pcap_opts_default(&o);
	o.idle_timeout = 1;
	tm_capture *cap = cap_new(&o);
	enum { N = 20000 };
	for (unsigned i = 0; i < N; i++)
		frame(cap, 0, true, 10000 + i, 80, 1, SYN, NULL, 0);
	assert_int_equal(tm_flowtab_count(cap->tab), N);
	for (unsigned i = 0; i < N; i++)
		frame(cap, (int64_t)(i + 1) * 600000, true, 10000 + i, 443, 1, SYN, NULL, 0);
	assert_true(cap->tab->swept <= (uint64_t)256 * 2 * N);
	/* the first 20,000 went idle and were swept out on the way */
	assert_true(tm_flowtab_count(cap->tab) < N / 2);
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 2 * N);
	/* every flow but the last two (within 1 s of the end) ended by the timeout */
	assert_int_equal(cap->stats.flows_idle_closed, 2 * N - 2);
	cap_free(cap);
}

/* A new SYN on a 5-tuple starts a new flow even without FIN or RST when its
 * ISN differs (a client reusing its port); a retransmitted SYN (same ISN)
 * does not. A flow that ended with FIN is not counted as idle-closed. */
static void test_reuse_new_isn(void **state)
{
	(void)state;
	tm_pcap_opts o;
	tm_pcap_opts_default(&o);
	o.idle_timeout = 1;
	tm_capture *cap = cap_new(&o);
	frame(cap, 0, true, 50000, 5432, 100, SYN, NULL, 0);
	frame(cap, 1, true, 50000, 5432, 100, SYN, NULL, 0); /* retransmitted */
	frame(cap, 2, false, 5432, 50000, 7, SYN | ACK, NULL, 0);
	frame(cap, 3, true, 50000, 5432, 101, ACK, NULL, 0);
	frame(cap, 4, true, 50000, 5432, 9000, SYN, NULL, 0); /* another ISN: a new connection */
	frame(cap, 5, false, 5432, 50000, 70, SYN | ACK, NULL, 0);
	frame(cap, 6, true, 50000, 5432, 9001, FIN | ACK, NULL, 0);
	frame(cap, 7, false, 5432, 50000, 71, FIN | ACK, NULL, 0);
	frame(cap, 8, true, 50001, 5432, 1, SYN, NULL, 0);       /* never finished */
	frame(cap, 5000000, true, 40000, 80, 1, SYN, NULL, 0); /* 5 s later: all three are idle */
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 4);
	assert_int_equal(cap->fs->flows[0].packets, 4);
	assert_int_equal(cap->fs->flows[1].packets, 4);
	/* the first ended by the new SYN, the second by FIN, the third by the timeout */
	assert_int_equal(cap->stats.flows_idle_closed, 1);
	cap_free(cap);
}

/* No SYN in the capture, and the first packet is the server's ACK: the
 * ports say nothing (50000, 40000), so the first sender was taken for the
 * client. The first payload, an HTTP request from the other side, puts the
 * roles right; a server that speaks first (a banner) does not move them. */
static void test_roles_without_syn(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	static const char req[] = "GET /pay HTTP/1.1\r\nHost: api.shop.svc\r\n\r\n";
	frame(cap, 0, false, 40000, 50000, 7, ACK, NULL, 0);                 /* server's ACK first */
	frame(cap, 1, true, 50000, 40000, 1, ACK | PSH, req, sizeof req - 1); /* the client's request */
	frame(cap, 2, false, 40000, 50000, 7, ACK | PSH, "HTTP/1.1 200 OK\r\n\r\n", 19);
	static const char banner[] = "220 mail.shop.svc ESMTP\r\n";
	frame(cap, 3, false, 41000, 50001, 7, ACK, NULL, 0);
	frame(cap, 4, false, 41000, 50001, 7, ACK | PSH, banner, sizeof banner - 1);
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 2);
	assert_int_equal(cap->fs->flows[0].cli_port, 50000);
	assert_int_equal(cap->fs->flows[0].srv_port, 40000);
	assert_int_equal(cap->fs->flows[0].app, TM_APP_HTTP);
	assert_non_null(cap->fs->flows[0].http);
	assert_string_equal(cap->fs->flows[0].http->host, "api.shop.svc");
	assert_int_equal(cap->fs->flows[1].cli_port, 41000); /* the first sender, unchanged */
	cap_free(cap);
}

/* A request sent a byte or two at a time: the first segment ("G") is too
 * short to tell, so it waits for the rest instead of giving up. */
static void test_short_first_segment(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	static const char req[] = "GET /a HTTP/1.1\r\nHost: split.test\r\n\r\n";
	frame(cap, 0, true, 50000, 8080, 0, SYN, NULL, 0);
	frame(cap, 1, false, 8080, 50000, 0, SYN | ACK, NULL, 0);
	frame(cap, 2, true, 50000, 8080, 1, ACK | PSH, req, 1);
	frame(cap, 3, true, 50000, 8080, 2, ACK | PSH, req + 1, 2);
	frame(cap, 4, true, 50000, 8080, 4, ACK | PSH, req + 3, sizeof req - 4);
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 1);
	assert_int_equal(cap->fs->flows[0].app, TM_APP_HTTP);
	assert_non_null(cap->fs->flows[0].http);
	assert_string_equal(cap->fs->flows[0].http->host, "split.test");
	cap_free(cap);
}

/* A segment held after a gap that never closes: when the connection ends,
 * the direction counts in tcp_gaps (detection could not finish). */
static void test_gap_never_closed(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	frame(cap, 0, true, 50000, 443, 0, SYN, NULL, 0);
	frame(cap, 1, false, 443, 50000, 0, SYN | ACK, NULL, 0);
	frame(cap, 2, true, 50000, 443, 101, ACK | PSH, "\x16\x03\x01\x00\x10", 5); /* bytes 1-100 lost */
	frame(cap, 3, true, 50000, 443, 106, FIN | ACK, NULL, 0);
	frame(cap, 4, false, 443, 50000, 1, FIN | ACK, NULL, 0);
	tm_capture_finish(cap);
	assert_int_equal(cap->stats.tcp_out_of_order, 1);
	assert_int_equal(cap->stats.tcp_gaps, 1);
	assert_int_equal(cap->fs->flows[0].app, TM_APP_UNKNOWN);
	cap_free(cap);
}

/* The client's ClientHello cut by the snapshot length, the server's
 * handshake whole: the flow is TLS from its first byte, not a STARTTLS. */
static void test_cut_clienthello_not_starttls(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	uint8_t ch[300] = {22, 3, 1, 1, 40, 1, 0, 1, 36, 3, 3};
	uint8_t sh[] = {22, 3, 3, 0, 6, 2, 0, 0, 2, 3, 3};
	frame(cap, 0, true, 50000, 443, 0, SYN, NULL, 0);
	frame(cap, 1, false, 443, 50000, 0, SYN | ACK, NULL, 0);
	{ /* the ClientHello segment, 100 bytes captured of it */
		bb l4 = {0}, f = {0};
		static const unsigned tags[] = {0x88a8, 0x8100};
		tcp(&l4, 50000, 443, 1, ACK | PSH, ch, sizeof ch);
		eth(&f, tags, 2, 0x0800);
		ip4(&f, A, B, 6, &l4, 0);
		tm_capture_packet(cap, 1, 2, f.d, 100, f.n);
	}
	frame(cap, 3, false, 443, 50000, 1, ACK | PSH, sh, sizeof sh);
	tm_capture_finish(cap);
	assert_int_equal(cap->stats.payload_truncated, 1);
	assert_int_equal(cap->fs->flows[0].app, TM_APP_TLS);
	assert_non_null(cap->fs->flows[0].tls);
	assert_false(cap->fs->flows[0].tls->starttls);
	cap_free(cap);
}

/* TCP Fast Open: the client's first data rides on its SYN. */
static void test_fast_open(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	static const char req[] = "GET /tfo HTTP/1.1\r\nHost: fast.test\r\n\r\n";
	frame(cap, 0, true, 50000, 80, 1000, SYN, req, sizeof req - 1);
	frame(cap, 1, false, 80, 50000, 0, SYN | ACK, NULL, 0);
	frame(cap, 2, true, 50000, 80, 1000, SYN, req, sizeof req - 1); /* retransmitted: same ISN */
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 1);
	assert_int_equal(cap->fs->flows[0].app, TM_APP_HTTP);
	assert_non_null(cap->fs->flows[0].http);
	assert_string_equal(cap->fs->flows[0].http->host, "fast.test");
	cap_free(cap);
}

/* A load balancer's PROXY protocol header (v1 text, v2 binary) before the
 * client's request: skipped, and what follows is detected. */
static void test_proxy_protocol(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	static const char v1[] = "PROXY TCP4 203.0.113.7 10.0.0.2 51000 80\r\nGET /a HTTP/1.1\r\nHost: one.test\r\n\r\n";
	frame(cap, 0, true, 50000, 80, 0, SYN, NULL, 0);
	frame(cap, 1, false, 80, 50000, 0, SYN | ACK, NULL, 0);
	frame(cap, 2, true, 50000, 80, 1, ACK | PSH, v1, sizeof v1 - 1);
	uint8_t v2[64] = {13, 10, 13, 10, 0, 13, 10, 'Q', 'U', 'I', 'T', 10, 0x21, 0x11, 0, 12,
			  203, 0, 113, 7, 10, 0, 0, 2, 0xc7, 0x38, 0, 80};
	static const char req[] = "GET /b HTTP/1.1\r\nHost: two.test\r\n\r\n";
	memcpy(v2 + 28, req, sizeof req - 1);
	frame(cap, 3, true, 50001, 80, 0, SYN, NULL, 0);
	frame(cap, 4, false, 80, 50001, 0, SYN | ACK, NULL, 0);
	frame(cap, 5, true, 50001, 80, 1, ACK | PSH, v2, 28 + sizeof req - 1);
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(cap->fs->flows[i].app, TM_APP_HTTP);
		assert_non_null(cap->fs->flows[i].http);
		assert_string_equal(cap->fs->flows[i].http->host, i ? "two.test" : "one.test");
	}
	cap_free(cap);
}

static void test_link_layers(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	/* DNS query over UDP in IPv6 with hop-by-hop + destination options, Linux SLL2 */
	bb dns = {0}, udp = {0}, ip6 = {0}, f = {0};
	u16(&dns, 0x1234);
	u16(&dns, 0x0100);
	u16(&dns, 1);
	u16(&dns, 0);
	u16(&dns, 0);
	u16(&dns, 0);
	put(&dns, "\3www\4shop\3svc\0", 14);
	u16(&dns, 1);
	u16(&dns, 1);
	u16(&udp, 53000);
	u16(&udp, 53);
	u16(&udp, (unsigned)dns.n + 8);
	u16(&udp, 0);
	put(&udp, dns.d, dns.n);
	u32(&ip6, 0x60000000);
	u16(&ip6, (unsigned)udp.n + 16);
	u8(&ip6, 0); /* hop-by-hop */
	u8(&ip6, 64);
	uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, d6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x53};
	put(&ip6, s6, 16);
	put(&ip6, d6, 16);
	u8(&ip6, 60); /* -> destination options */
	u8(&ip6, 0);
	u32(&ip6, 0x01040000);
	u16(&ip6, 0);
	u8(&ip6, 17); /* -> UDP */
	u8(&ip6, 0);
	u32(&ip6, 0x01040000);
	u16(&ip6, 0);
	put(&ip6, udp.d, udp.n);
	u16(&f, 0x86dd);
	u16(&f, 0);
	u32(&f, 1);
	u16(&f, 1);
	u8(&f, 0);
	u8(&f, 6);
	put(&f, "\0\0\0\0\0\0\0\0", 8);
	put(&f, ip6.d, ip6.n);
	tm_capture_packet(cap, 276, 1, f.d, f.n, f.n);
	/* the same datagram over raw IP (LINKTYPE_IPV6) and BSD null */
	tm_capture_packet(cap, 229, 2, ip6.d, ip6.n, ip6.n);
	bb nul = {0};
	put(&nul, "\x1e\0\0\0", 4); /* AF_INET6 (30) little-endian */
	put(&nul, ip6.d, ip6.n);
	tm_capture_packet(cap, 0, 3, nul.d, nul.n, nul.n);
	/* PPPoE session carrying IPv4 TCP */
	bb l4 = {0}, pp = {0};
	tcp(&l4, 40001, 80, 1, SYN, NULL, 0);
	eth(&pp, NULL, 0, 0x8864);
	u8(&pp, 0x11);
	u8(&pp, 0);
	u16(&pp, 1);
	u16(&pp, (unsigned)l4.n + 22);
	u16(&pp, 0x0021);
	ip4(&pp, A, B, 6, &l4, 0);
	tm_capture_packet(cap, 1, 4, pp.d, pp.n, pp.n);
	/* a non-first IPv4 fragment, a short frame, a bad IHL, ARP, an unknown link type */
	bb fr = {0};
	eth(&fr, NULL, 0, 0x0800);
	ip4(&fr, A, B, 17, &udp, 0x0010);
	tm_capture_packet(cap, 1, 5, fr.d, fr.n, fr.n);
	tm_capture_packet(cap, 1, 6, fr.d, 10, 60);
	fr.d[14] = 0x42;
	tm_capture_packet(cap, 1, 7, fr.d, fr.n, fr.n);
	fr.d[12] = 0x08;
	fr.d[13] = 0x06;
	tm_capture_packet(cap, 1, 8, fr.d, fr.n, fr.n);
	tm_capture_packet(cap, 147, 9, fr.d, fr.n, fr.n);
	tm_capture_finish(cap);
	assert_int_equal(cap->stats.packets, 9);
	assert_int_equal(cap->fs->nflows, 2);
	assert_int_equal(cap->fs->flows[0].family, 6);
	assert_int_equal(cap->fs->flows[0].app, TM_APP_DNS);
	assert_int_equal(cap->fs->flows[0].packets, 3);
	assert_int_equal(cap->fs->flows[0].srv_port, 53);
	char ip[64];
	tm_flow_format_ip(&cap->fs->flows[0], false, ip, sizeof ip);
	assert_string_equal(ip, "2001:db8::53");
	assert_int_equal(cap->fs->flows[1].family, 4);
	assert_int_equal(cap->fs->flows[1].srv_port, 80);
	assert_int_equal(cap->stats.ip_fragments, 1);
	assert_int_equal(cap->stats.link_truncated, 1);
	assert_int_equal(cap->stats.snaplen_cut, 1);
	assert_int_equal(cap->stats.ipv4_malformed, 1);
	assert_int_equal(cap->stats.non_ip, 1);
	assert_int_equal(cap->stats.unsupported_linktype, 1);
	cap_free(cap);
}

static void test_http_detection(void **state)
{
	(void)state;
	tm_capture *cap = cap_new(NULL);
	const char *req1 = "GET /api/v1/items?x=1 HTTP/1.1\r\nUser-Agent: t\r\n";
	const char *req2 = "hOsT: shop.example:8080\r\n\r\n";
	frame(cap, 1, true, 41000, 9999, 1, SYN, NULL, 0);
	frame(cap, 2, true, 41000, 9999, 2, ACK | PSH, req1, strlen(req1));
	frame(cap, 3, true, 41000, 9999, 2 + (unsigned)strlen(req1), ACK | PSH, req2, strlen(req2));
	tm_capture_finish(cap);
	assert_int_equal(cap->fs->nflows, 1);
	assert_int_equal(cap->fs->flows[0].app, TM_APP_HTTP);
	assert_non_null(cap->fs->flows[0].http);
	assert_string_equal(cap->fs->flows[0].http->method, "GET");
	assert_string_equal(cap->fs->flows[0].http->path, "/api/v1/items?x=1");
	assert_string_equal(cap->fs->flows[0].http->host, "shop.example:8080");
	assert_null(cap->fs->flows[0].tls);
	cap_free(cap);
}

/* plaintext protocols by content, on a port that says nothing */
#define S(lit) lit, sizeof(lit) - 1
static void test_plaintext_detection(void **state)
{
	(void)state;
	static const uint8_t kafka[] = {0, 0, 0, 17, 0, 3, 0, 9, 0, 0, 0, 1, 0, 5, 'r', 'd', 'k', 'a', 'f', 0, 0};
	static const uint8_t mongo[] = {40, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xdd, 7, 0, 0, 0, 0, 0, 0, 0,
					19, 0, 0, 0, 16, 'p', 'i', 'n', 'g', 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t pg[] = {0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f};
	struct {
		const void *p;
		size_t n;
		bool from_server;
		tm_app app;
	} cases[] = {
		{S("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), false, TM_APP_HTTP2},
		{S("SSH-2.0-OpenSSH_9.2\r\n"), true, TM_APP_SSH},
		{S("AMQP\0\0\x09\x01"), false, TM_APP_AMQP},
		{kafka, sizeof kafka, false, TM_APP_KAFKA},
		{mongo, sizeof mongo, false, TM_APP_MONGODB},
		{pg, sizeof pg, false, TM_APP_POSTGRES},
		{S("*1\r\n$4\r\nPING\r\n"), false, TM_APP_REDIS},
		{S("220 smtp.example ESMTP ready\r\n"), true, TM_APP_SMTP},
		{S("220 ProFTPD Server ready\r\n"), true, TM_APP_FTP},
		{S("* OK IMAP4rev1 ready\r\n"), true, TM_APP_IMAP},
		{S("+OK POP3 ready\r\n"), true, TM_APP_POP3},
		{S("<?xml version='1.0'?><stream:stream>"), false, TM_APP_XMPP},
		{S("\x13\x37garbage that is no protocol"), false, TM_APP_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tm_capture *cap = cap_new(NULL);
		unsigned cport = 42000, sport = 4444;
		frame(cap, 1, true, cport, sport, 10, SYN, NULL, 0);
		frame(cap, 2, false, sport, cport, 50, SYN | ACK, NULL, 0);
		if (cases[i].from_server)
			frame(cap, 3, false, sport, cport, 51, ACK | PSH, cases[i].p, cases[i].n);
		else
			frame(cap, 3, true, cport, sport, 11, ACK | PSH, cases[i].p, cases[i].n);
		tm_capture_finish(cap);
		assert_int_equal(cap->fs->nflows, 1);
		if (cap->fs->flows[0].app != cases[i].app)
			fail_msg("case %zu: app %s, expected %s", i, tm_app_name((tm_app)cap->fs->flows[0].app),
				 tm_app_name(cases[i].app));
		cap_free(cap);
	}
}

static void test_mesh_signatures(void **state)
{
	(void)state;
	tm_flow f;
	tm_tls t;
	const char *sans[] = {"DNS:web.shop.serviceaccount.identity.linkerd.cluster.local"};
	memset(&f, 0, sizeof f);
	memset(&t, 0, sizeof t);
	f.proto = 6;
	f.srv_port = 8080;
	f.tls = &t;
	t.alpn_offered = "h2,transport.l5d.io/v1";
	tm_detect_mesh(&f);
	assert_int_equal(f.mesh, TM_MESH_LINKERD);
	f.mesh = 0;
	t.alpn_offered = NULL;
	t.server_cert.sans = sans;
	t.server_cert.nsans = 1;
	tm_detect_mesh(&f);
	assert_int_equal(f.mesh, TM_MESH_LINKERD);
	f.mesh = 0;
	t.server_cert.nsans = 0;
	t.sni = "outbound_.9080_._.reviews.default.svc.cluster.local";
	tm_detect_mesh(&f);
	assert_int_equal(f.mesh, TM_MESH_ISTIO);
	f.mesh = 0;
	t.sni = "outbound.example.com"; /* not Istio's form */
	tm_detect_mesh(&f);
	assert_int_equal(f.mesh, TM_MESH_NONE);
	/* outbound_.PORT_.SUBSET_.FQDN, all of it: a name that only starts so is no signature */
	t.sni = "outbound_.example.com";
	assert_int_equal(tm_flow_mesh_signature(&f), TM_MESH_NONE);
	t.sni = "outbound_.9080_.reviews.default.svc.cluster.local";
	assert_int_equal(tm_flow_mesh_signature(&f), TM_MESH_NONE);
	t.sni = "outbound_.9080_.v1_.reviews.default.svc.cluster.local";
	assert_int_equal(tm_flow_mesh_signature(&f), TM_MESH_ISTIO);
	t.sni = NULL;
	f.tls = NULL;
	f.srv_port = 15008; /* HBONE */
	tm_detect_mesh(&f);
	assert_int_equal(f.mesh, TM_MESH_ISTIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reassembly_qinq),
		cmocka_unit_test(test_direction_and_reuse),
		cmocka_unit_test(test_idle_and_cap),
		cmocka_unit_test(test_sweep_bounded),
		cmocka_unit_test(test_reuse_new_isn),
		cmocka_unit_test(test_roles_without_syn),
		cmocka_unit_test(test_short_first_segment),
		cmocka_unit_test(test_gap_never_closed),
		cmocka_unit_test(test_cut_clienthello_not_starttls),
		cmocka_unit_test(test_fast_open),
		cmocka_unit_test(test_proxy_protocol),
		cmocka_unit_test(test_link_layers),
		cmocka_unit_test(test_http_detection),
		cmocka_unit_test(test_plaintext_detection),
		cmocka_unit_test(test_mesh_signatures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
