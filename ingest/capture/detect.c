/* detect.c - application protocol by content, not port: TLS (handed to
 * tls.c, also after a STARTTLS-style upgrade), HTTP/1.x, HTTP/2 prior
 * knowledge, DNS, PostgreSQL, MySQL, Redis, MongoDB, Kafka, AMQP, SSH,
 * SMTP, IMAP, POP3, XMPP, IRC, FTP; and mesh signatures. */
#include "ingest/capture/detect.h"
#include "ingest/capture/bytes.h"
#include "ingest/capture/tls.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool starts(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	return n >= l && !memcmp(p, s, l);
}

static bool istarts(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	if (n < l)
		return false;
	for (size_t i = 0; i < l; i++)
		if (tolower(p[i]) != tolower((unsigned char)s[i]))
			return false;
	return true;
}

/* the first line (without CRLF) contains s */
static bool line_has(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s), e = 0;
	while (e < n && p[e] != '\n')
		e++;
	for (size_t i = 0; i + l <= e; i++)
		if (!memcmp(p + i, s, l))
			return true;
	return false;
}

static const char *clean(tm_flowset *fs, const uint8_t *s, size_t n, size_t max)
{
	tm_buf b;
	if (n > max)
		n = max;
	size_t k = 0;
	while (k < n && s[k] >= 0x20 && s[k] < 0x7f && s[k] != '\\')
		k++;
	if (k == n)
		return tm_intern_n(&fs->strs, (const char *)s, n);
	tm_buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			tm_buf_addc(&b, (char)s[i]);
		else
			tm_buf_addf(&b, "\\x%02x", s[i]);
	}
	const char *r = tm_intern(&fs->strs, tm_buf_str(&b));
	tm_buf_release(&b);
	return r;
}

static const char *const http_methods[] = {"GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "OPTIONS ",
					   "PATCH ", "CONNECT ", "TRACE ", NULL};

/* HTTP/1.x request: 1 = yes (f->http filled), 0 = no, -1 = need more bytes */
static int http_request(tm_flowset *fs, tm_flow *f, const uint8_t *p, size_t n)
{
	size_t ml = 0;
	for (int i = 0; http_methods[i]; i++)
		if (starts(p, n, http_methods[i])) {
			ml = strlen(http_methods[i]);
			break;
		}
	if (!ml)
		return 0;
	size_t e = ml;
	while (e < n && p[e] != '\n')
		e++;
	if (e == n)
		return n < 4096 ? -1 : 0;
	size_t le = e > 0 && p[e - 1] == '\r' ? e - 1 : e;
	size_t ps = ml, pe = ps;
	while (pe < le && p[pe] != ' ')
		pe++;
	if (pe == ps || !TM_HAVE(le, pe, 9) || !starts(p + pe, le - pe, " HTTP/1."))
		return 0;
	/* headers: wait for the end of the header block (or 4 KiB) */
	bool end = false;
	for (size_t i = e; i + 3 < n; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') {
			end = true;
			break;
		}
	if (!end && n < 4096)
		return -1;
	tm_http *h = tm_arena_alloc(&fs->arena, sizeof *h);
	h->method = clean(fs, p, ml - 1, 16);
	h->path = clean(fs, p + ps, pe - ps, 1024);
	for (size_t i = e + 1; i < n;) {
		size_t j = i;
		while (j < n && p[j] != '\n')
			j++;
		size_t k = j > i && p[j - 1] == '\r' ? j - 1 : j;
		if (k == i)
			break;
		if (istarts(p + i, k - i, "host:")) {
			size_t v = i + 5;
			while (v < k && (p[v] == ' ' || p[v] == '\t'))
				v++;
			h->host = clean(fs, p + v, k - v, 256);
			break;
		}
		i = j + 1;
	}
	f->http = h;
	return 1;
}

static bool dns_message(const uint8_t *p, size_t n)
{
	if (n < 12)
		return false;
	uint32_t qd = TM_U16(p, 4), an = TM_U16(p, 6), opcode = (p[2] >> 3) & 15;
	if (qd < 1 || qd > 8 || an > 512 || opcode > 6 || (p[3] & 0x40))
		return false;
	size_t o = 12, total = 0;
	for (;;) {
		if (!TM_HAVE(n, o, 1))
			return false;
		size_t l = p[o];
		if (l == 0) {
			o++;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			o += 2;
			break;
		}
		if (l > 63 || !TM_HAVE(n, o + 1, l))
			return false;
		total += l + 1;
		if (total > 255)
			return false;
		o += 1 + l;
	}
	return TM_HAVE(n, o, 4);
}

static bool mysql_greeting(const uint8_t *p, size_t n)
{
	if (n < 10)
		return false;
	size_t len = p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
	if (p[3] != 0 || p[4] != 10 || len < 20 || len > 1024)
		return false;
	/* NUL-terminated printable server version */
	for (size_t i = 5; i < n && i < 5 + 64; i++) {
		if (p[i] == 0)
			return i > 5;
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	}
	return false;
}

static bool kafka_request(const uint8_t *p, size_t n)
{
	if (n < 14)
		return false;
	uint32_t size = TM_U32(p, 0), key = TM_U16(p, 4), ver = TM_U16(p, 6);
	uint32_t cl = TM_U16(p, 12);
	if (size != n - 4 || key > 80 || ver > 20)
		return false;
	if (cl == 0xffff)
		return true;
	if (!TM_HAVE(n, 14, cl) || cl == 0)
		return false;
	for (size_t i = 0; i < cl; i++)
		if (p[14 + i] < 0x20 || p[14 + i] > 0x7e)
			return false;
	return true;
}

static bool mongo_msg(const uint8_t *p, size_t n)
{
	if (n < 16)
		return false;
	uint32_t len = TM_LE32(p, 0), op = TM_LE32(p, 12);
	return len >= 16 && len <= 48u * 1024 * 1024 && len >= n &&
	       (op == 2013 || op == 2004 || op == 2012 || op == 1) && TM_LE32(p, 8) == 0;
}

static tm_app guess(tm_flowset *fs, tm_flow *f, int d, const uint8_t *p, size_t n, bool *wait)
{
	*wait = false;
	if (starts(p, n, "SSH-"))
		return TM_APP_SSH;
	if (d == 0) {
		if (starts(p, n, "PRI * HTTP/2.0\r\n"))
			return TM_APP_HTTP2;
		int h = http_request(fs, f, p, n);
		if (h > 0)
			return TM_APP_HTTP;
		if (h < 0) {
			*wait = true;
			return TM_APP_UNKNOWN;
		}
		if (n >= 8) {
			uint32_t len = TM_U32(p, 0), code = TM_U32(p, 4);
			if ((len == 8 && (code == 80877103 || code == 80877104)) ||
			    (len == 16 && code == 80877102) || (code == 0x00030000 && len >= 8 && len < 10000))
				return TM_APP_POSTGRES;
		}
		if (n >= 4 && p[0] == '*' && isdigit(p[1])) {
			for (size_t i = 2; i + 2 < n && i < 16; i++)
				if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '$')
					return TM_APP_REDIS;
		}
		if (starts(p, n, "PING\r\n"))
			return TM_APP_REDIS;
		if (mongo_msg(p, n))
			return TM_APP_MONGODB;
		if (starts(p, n, "AMQP"))
			return TM_APP_AMQP;
		if (kafka_request(p, n))
			return TM_APP_KAFKA;
		if (starts(p, n, "<?xml") || starts(p, n, "<stream:stream"))
			return TM_APP_XMPP;
		if (istarts(p, n, "EHLO ") || istarts(p, n, "HELO "))
			return TM_APP_SMTP;
		if (starts(p, n, "NICK ") || starts(p, n, "CAP LS"))
			return TM_APP_IRC;
		if (n >= 2 && TM_U16(p, 0) == n - 2 && dns_message(p + 2, n - 2))
			return TM_APP_DNS;
	} else {
		if (starts(p, n, "HTTP/1."))
			return TM_APP_HTTP;
		if (starts(p, n, "220")) {
			if (line_has(p, n, "FTP"))
				return TM_APP_FTP;
			return TM_APP_SMTP;
		}
		if (starts(p, n, "* OK"))
			return TM_APP_IMAP;
		if (starts(p, n, "+OK"))
			return TM_APP_POP3;
		if (mysql_greeting(p, n))
			return TM_APP_MYSQL;
		if (starts(p, n, "<?xml") || starts(p, n, "<stream:stream"))
			return TM_APP_XMPP;
		if (p[0] == ':' && (line_has(p, n, " NOTICE ") || line_has(p, n, " 670 ") || line_has(p, n, " 001 ")))
			return TM_APP_IRC;
		if (n >= 2 && TM_U16(p, 0) == n - 2 && dns_message(p + 2, n - 2))
			return TM_APP_DNS;
	}
	return TM_APP_UNKNOWN;
}

static bool may_upgrade(tm_app a)
{
	switch (a) {
	case TM_APP_UNKNOWN: case TM_APP_SMTP: case TM_APP_IMAP: case TM_APP_POP3: case TM_APP_XMPP:
	case TM_APP_IRC: case TM_APP_FTP: case TM_APP_POSTGRES: case TM_APP_MYSQL:
		return true;
	default:
		return false;
	}
}

size_t tm_detect_stream(tm_capture *c, tm_flow *f, tm_flowslot *sl, int d, const uint8_t *p, size_t n)
{
	tm_fstate *st = sl->st;
	tm_flowset *fs = c->fs;
	if (st->tls) {
		tm_tls_ctx tc = {&fs->strs, &fs->arena, &c->stats, &c->opts, c->certs};
		size_t used = tm_tls_feed(st->tls, &tc, d, p, n);
		if (tm_tls_done(st->tls))
			sl->flags |= TM_FF_DONE;
		return used;
	}
	if (n == 0)
		return 0;
	if (d == 0 && f->app == TM_APP_UNKNOWN && !st->plain_seen[0] && !st->proxy_done) {
		/* a load balancer's PROXY protocol header (v1 text, v2 binary) before
		 * the client's own first bytes: skip it, then detect what follows */
		static const uint8_t v2[12] = {13, 10, 13, 10, 0, 13, 10, 'Q', 'U', 'I', 'T', 10};
		size_t h = 0;
		if (n >= 6 && !memcmp(p, "PROXY ", 6)) {
			const uint8_t *e = memmem(p, n < 108 ? n : 108, "\r\n", 2);
			if (!e && n < 108)
				return 0; /* the line is not complete yet */
			h = e ? (size_t)(e - p) + 2 : 0;
		} else if (n >= 12 && !memcmp(p, v2, 12)) {
			if (n < 16)
				return 0;
			h = 16 + TM_U16(p, 14);
			if (h > n)
				return h <= c->opts.max_stream / 2 ? 0 : n;
		} else if (n < 12 && !memcmp(p, v2, n)) {
			return 0;
		}
		st->proxy_done = true;
		if (h)
			return h + tm_detect_stream(c, f, sl, d, p + h, n - h);
	}
	if (p[0] == 22 && n < 3)
		return 0; /* maybe the start of a TLS record */
	if (p[0] == 22 && tm_tls_record_start(p, n)) {
		/* f->tls exists already when the other direction's handshake was
		 * cut (snaplen, fragments): the flow was TLS from the start */
		tm_tls *t = f->tls ? f->tls : tm_arena_alloc(&fs->arena, sizeof *t);
		st->tls = tm_tls_parser_new(t);
		if (!st->tls) {
			sl->flags |= TM_FF_DONE;
			return n;
		}
		f->tls = t;
		if (f->app == TM_APP_UNKNOWN || f->app == TM_APP_TLS)
			f->app = TM_APP_TLS;
		else
			t->starttls = true;
		return tm_detect_stream(c, f, sl, d, p, n);
	}
	if (f->app == TM_APP_UNKNOWN || ((f->app == TM_APP_SMTP || f->app == TM_APP_FTP) && d == 0)) {
		bool wait;
		tm_app a = guess(fs, f, d, p, n, &wait);
		/* a first segment too short to tell (a request sent a few bytes at a
		 * time): keep it and decide on more, up to a line or 16 bytes */
		if (a == TM_APP_UNKNOWN && !st->plain_seen[d] && n < 16 && !memchr(p, '\n', n))
			wait = true;
		if (wait && n < c->opts.max_stream / 2)
			return 0;
		if (f->app == TM_APP_SMTP && d == 0 &&
		    (starts(p, n, "USER ") || starts(p, n, "AUTH TLS") || starts(p, n, "FEAT")))
			a = TM_APP_FTP;
		if (a != TM_APP_UNKNOWN && (f->app == TM_APP_UNKNOWN || a == TM_APP_FTP))
			f->app = (uint8_t)a;
	}
	st->plain_seen[d] += n;
	if (!may_upgrade((tm_app)f->app) || st->plain_seen[0] + st->plain_seen[1] > c->opts.max_plain_scan)
		sl->flags |= TM_FF_DONE;
	return n;
}

void tm_detect_udp(tm_capture *c, tm_flow *f, int d, const uint8_t *p, size_t n)
{
	(void)c;
	(void)d;
	if (dns_message(p, n))
		f->app = TM_APP_DNS;
}

void tm_detect_mesh(tm_flow *f)
{
	tm_mesh m = tm_flow_mesh_signature(f);
	if (m != TM_MESH_NONE)
		f->mesh = (uint8_t)m;
}
