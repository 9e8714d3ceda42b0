/* tls.c - TLS records and handshake messages across records and segments:
 * ClientHello (SNI, ALPN, supported_versions), ServerHello (version,
 * cipher, ALPN, HelloRetryRequest, resumption), Certificate (both sides),
 * CertificateRequest, ChangeCipherSpec; for TLS 1.3 the client-certificate
 * size heuristic (docs/flows.md). Every read is bounds-checked. */
#include "ingest/capture/tls.h"
#include "ingest/capture/bytes.h"

#include <stdlib.h>
#include <string.h>

typedef struct tls_dir {
	uint8_t *hs;          /* partial handshake message bytes */
	size_t hslen, hscap;
	bool started;         /* a TLS record was seen in this direction */
	bool ccs;             /* ChangeCipherSpec: later handshake records are encrypted */
	bool dead;            /* malformed or over a limit: ignore the rest */
	uint32_t enc_records; /* TLS 1.3 encrypted records */
} tls_dir;

struct tm_tls_parser {
	tm_tls *t;
	tls_dir d[2];
	bool server_hello;    /* a final (non-HRR) ServerHello was seen */
	bool is13;
	bool client_hs_done;  /* client Certificate decision made */
	bool inferred_done;
	uint8_t sid[32];
	uint8_t sidlen;
};

static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

tm_tls_parser *tm_tls_parser_new(tm_tls *out)
{
	tm_tls_parser *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->t = out;
	out->cipher = -1;
	return p;
}

void tm_tls_parser_free(tm_tls_parser *p)
{
	if (!p)
		return;
	free(p->d[0].hs);
	free(p->d[1].hs);
	free(p);
}

bool tm_tls_record_start(const uint8_t *p, size_t n)
{
	if (n < 3)
		return false;
	return (p[0] == 22 || p[0] == 21 || p[0] == 20) && p[1] == 3 && p[2] <= 4;
}

static bool is_grease(uint32_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static const char *str_n(const tm_tls_ctx *c, const uint8_t *s, size_t n)
{
	/* names from the wire: keep printable ASCII, escape the rest */
	tm_buf b;
	size_t k = 0;
	while (k < n && s[k] >= 0x20 && s[k] < 0x7f && s[k] != ',' && s[k] != '\\')
		k++;
	if (k == n)
		return tm_intern_n(c->strs, (const char *)s, n);
	tm_buf_init(&b, 4096);
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != ',' && s[i] != '\\')
			tm_buf_addc(&b, (char)s[i]);
		else
			tm_buf_addf(&b, "\\x%02x", s[i]);
	}
	const char *r = tm_intern(c->strs, tm_buf_str(&b));
	tm_buf_release(&b);
	return r;
}

/* ALPN protocol_name_list at m[off..off+len): comma-joined */
static const char *alpn_list(const tm_tls_ctx *c, const uint8_t *m, size_t len)
{
	/* a byte becomes at most 4 characters ("\\x1f"), plus a comma per name */
	static const char hex[] = "0123456789abcdef";
	char sb[1024];
	char *out = sb;
	const char *r = NULL;
	if (len * 4 + 1 > sizeof sb && !(out = malloc(len * 4 + 1)))
		return NULL;
	size_t o = 0, k = 0;
	while (o < len) {
		size_t l = m[o];
		if (!TM_HAVE(len, o + 1, l) || l == 0)
			goto out;
		if (k)
			out[k++] = ',';
		for (size_t i = 0; i < l; i++) {
			uint8_t ch = m[o + 1 + i];
			if (ch >= 0x20 && ch < 0x7f && ch != ',' && ch != '\\') {
				out[k++] = (char)ch;
			} else {
				out[k++] = '\\';
				out[k++] = 'x';
				out[k++] = hex[ch >> 4];
				out[k++] = hex[ch & 15];
			}
		}
		o += 1 + l;
	}
	r = tm_intern_n(c->strs, out, k);
out:
	if (out != sb)
		free(out);
	return r;
}

/* Extensions block m[0..len). Returns false when malformed. */
static bool parse_client_ext(tm_tls_parser *p, const tm_tls_ctx *c, const uint8_t *m, size_t len)
{
	size_t o = 0;
	while (o < len) {
		if (!TM_HAVE(len, o, 4))
			return false;
		uint32_t type = TM_U16(m, o), el = TM_U16(m, o + 2);
		o += 4;
		if (!TM_HAVE(len, o, el))
			return false;
		const uint8_t *e = m + o;
		if (type == 0 && el >= 2) { /* server_name */
			size_t ll = TM_U16(e, 0), q = 2;
			if (ll + 2 > el)
				return false;
			while (q + 3 <= 2 + ll) {
				uint32_t nt = e[q], nl = TM_U16(e, q + 1);
				if (!TM_HAVE(2 + ll, q + 3, nl))
					return false;
				if (nt == 0 && nl > 0) {
					p->t->sni = str_n(c, e + q + 3, nl);
					break;
				}
				q += 3 + nl;
			}
		} else if (type == 16 && el >= 2) { /* ALPN */
			size_t ll = TM_U16(e, 0);
			if (ll + 2 > el)
				return false;
			p->t->alpn_offered = alpn_list(c, e + 2, ll);
		} else if (type == 43 && el >= 1) { /* supported_versions */
			size_t ll = e[0];
			if (ll + 1 > el)
				return false;
			for (size_t q = 1; q + 1 < ll + 1; q += 2) {
				uint32_t v = TM_U16(e, q);
				if (!is_grease(v) && v <= 0x0304 && v > p->t->offered_version)
					p->t->offered_version = (uint16_t)v;
			}
		}
		o += el;
	}
	return true;
}

static bool parse_client_hello(tm_tls_parser *p, const tm_tls_ctx *c, const uint8_t *m, size_t len)
{
	size_t o = 0;
	if (!TM_HAVE(len, 0, 35))
		return false;
	uint32_t v = TM_U16(m, 0);
	if (v > p->t->offered_version && v <= 0x0303)
		p->t->offered_version = (uint16_t)v;
	o = 34;
	size_t sl = m[o];
	if (sl > 32 || !TM_HAVE(len, o + 1, sl))
		return false;
	memcpy(p->sid, m + o + 1, sl);
	p->sidlen = (uint8_t)sl;
	o += 1 + sl;
	if (!TM_HAVE(len, o, 2))
		return false;
	size_t cl = TM_U16(m, o);
	o += 2 + cl;
	if (!TM_HAVE(len, o, 1))
		return false;
	size_t ml = m[o];
	o += 1 + ml;
	if (o == len)
		return true; /* no extensions */
	if (!TM_HAVE(len, o, 2))
		return false;
	size_t el = TM_U16(m, o);
	o += 2;
	if (!TM_HAVE(len, o, el))
		return false;
	return parse_client_ext(p, c, m + o, el);
}

static bool parse_server_hello(tm_tls_parser *p, const tm_tls_ctx *c, const uint8_t *m, size_t len)
{
	if (!TM_HAVE(len, 0, 35))
		return false;
	uint32_t v = TM_U16(m, 0);
	bool hrr = !memcmp(m + 2, hrr_random, 32);
	size_t o = 34;
	size_t sl = m[o];
	if (sl > 32 || !TM_HAVE(len, o + 1, sl))
		return false;
	bool same_sid = sl > 0 && sl == p->sidlen && !memcmp(m + o + 1, p->sid, sl);
	o += 1 + sl;
	if (!TM_HAVE(len, o, 3))
		return false;
	uint32_t cipher = TM_U16(m, o);
	o += 3;
	bool psk = false;
	if (TM_HAVE(len, o, 2)) {
		size_t el = TM_U16(m, o);
		o += 2;
		if (!TM_HAVE(len, o, el))
			return false;
		const uint8_t *e = m + o;
		size_t q = 0;
		while (q < el) {
			if (!TM_HAVE(el, q, 4))
				return false;
			uint32_t type = TM_U16(e, q), xl = TM_U16(e, q + 2);
			q += 4;
			if (!TM_HAVE(el, q, xl))
				return false;
			if (type == 43 && xl == 2)
				v = TM_U16(e, q);
			else if (type == 41)
				psk = true;
			else if (type == 16 && xl >= 2) {
				size_t ll = TM_U16(e, q);
				if (ll + 2 <= xl)
					p->t->alpn = alpn_list(c, e + q + 2, ll);
			}
			q += xl;
		}
	}
	p->t->version = (uint16_t)v;
	p->t->cipher = (int32_t)cipher;
	p->t->cipher_name = tm_tls_cipher_name(p->t->cipher);
	if (hrr) {
		p->t->hrr = true;
		return true; /* a second ClientHello and the real ServerHello follow */
	}
	p->server_hello = true;
	if (v >= 0x0304) {
		p->is13 = true;
		p->t->server_cert_status = TM_SC_ENCRYPTED;
		p->t->client_cert = TM_CC_UNKNOWN;
		p->t->resumed = psk;
		p->d[1].ccs = true; /* everything after is encrypted */
	} else if (same_sid) {
		p->t->resumed = true;
	}
	return true;
}

/* Certificate (TLS <= 1.2 layout): certificate_list<0..2^24-1> */
static bool parse_certificate(tm_tls_parser *p, const tm_tls_ctx *c, int d, const uint8_t *m, size_t len)
{
	if (!TM_HAVE(len, 0, 3))
		return false;
	size_t ll = TM_U24(m, 0);
	if (ll + 3 > len)
		return false;
	tm_tls *t = p->t;
	if (d == 0) {
		t->client_cert = ll == 0 ? TM_CC_NO : TM_CC_YES;
		t->client_cert_inferred = false;
		p->client_hs_done = true;
	}
	size_t o = 3, nc = 0;
	while (o < 3 + ll) {
		if (!TM_HAVE(3 + ll, o, 3))
			return false;
		size_t cl = TM_U24(m, o);
		if (!TM_HAVE(3 + ll, o + 3, cl))
			return false;
		if (++nc > c->opts->max_chain) {
			c->stats->cert_chain_too_long++;
			break;
		}
		if (nc == 1) {
			tm_cert *dst = d == 0 ? &t->client_certificate : &t->server_cert;
			if (tm_x509_extract_cached(c->certs, m + o + 3, cl, c->strs, c->arena, 64, dst) != TM_OK) {
				c->stats->cert_errors++;
				if (d == 1)
					t->server_cert_status = TM_SC_UNPARSED;
			} else if (d == 1) {
				t->server_cert_status = TM_SC_PLAIN;
			} else {
				t->client_identity = tm_cert_identity(dst);
			}
		}
		o += 3 + cl;
	}
	return true;
}

static bool handshake_msg(tm_tls_parser *p, const tm_tls_ctx *c, int d, uint32_t type, const uint8_t *m,
			  size_t len)
{
	switch (type) {
	case 1:
		return d == 0 ? parse_client_hello(p, c, m, len) : true;
	case 2:
		return d == 1 ? parse_server_hello(p, c, m, len) : true;
	case 11:
		return p->is13 ? true : parse_certificate(p, c, d, m, len);
	case 13:
		if (d == 1 && !p->is13)
			p->t->cert_requested = true;
		return true;
	default:
		return true;
	}
}

static void dir_dead(tm_tls_parser *p, int d)
{
	p->d[d].dead = true;
	free(p->d[d].hs);
	p->d[d].hs = NULL;
	p->d[d].hslen = p->d[d].hscap = 0;
}

/* Append a handshake record's fragment and process complete messages. */
static void handshake_bytes(tm_tls_parser *p, const tm_tls_ctx *c, int d, const uint8_t *b, size_t n)
{
	tls_dir *td = &p->d[d];
	const uint8_t *m = b;
	size_t mlen = n;
	if (td->hslen) {
		if (td->hslen + n > td->hscap) {
			size_t ncap = td->hscap ? td->hscap : 4096;
			while (ncap < td->hslen + n)
				ncap *= 2;
			uint8_t *nb = realloc(td->hs, ncap);
			if (!nb) {
				dir_dead(p, d);
				return;
			}
			td->hs = nb;
			td->hscap = ncap;
		}
		memcpy(td->hs + td->hslen, b, n);
		td->hslen += n;
		m = td->hs;
		mlen = td->hslen;
	}
	size_t o = 0;
	while (TM_HAVE(mlen, o, 4)) {
		uint32_t type = m[o];
		size_t l = TM_U24(m, o + 1);
		if (l > c->opts->max_handshake) {
			c->stats->tls_handshake_too_long++;
			dir_dead(p, d);
			return;
		}
		if (!TM_HAVE(mlen, o + 4, l))
			break;
		if (!handshake_msg(p, c, d, type, m + o + 4, l)) {
			c->stats->tls_malformed++;
			dir_dead(p, d);
			return;
		}
		o += 4 + l;
	}
	size_t rest = mlen - o;
	if (rest == 0) {
		td->hslen = 0;
		return;
	}
	if (m == td->hs) {
		memmove(td->hs, td->hs + o, rest);
		td->hslen = rest;
		return;
	}
	if (rest > td->hscap) {
		size_t ncap = 4096;
		while (ncap < rest)
			ncap *= 2;
		uint8_t *nb = realloc(td->hs, ncap);
		if (!nb) {
			dir_dead(p, d);
			return;
		}
		td->hs = nb;
		td->hscap = ncap;
	}
	memcpy(td->hs, m + o, rest);
	td->hslen = rest;
}

static void tls13_infer(tm_tls_parser *p, size_t reclen)
{
	tm_tls *t = p->t;
	p->inferred_done = true;
	if (t->client_cert != TM_CC_UNKNOWN || t->resumed)
		return; /* resumption: the identity is the original session's */
	if (reclen <= TM_TLS13_FINISHED_MAX) {
		t->client_cert = TM_CC_NO;
		t->client_cert_inferred = true;
	} else if (reclen >= TM_TLS13_CERT_MIN) {
		t->client_cert = TM_CC_YES;
		t->client_cert_inferred = true;
	}
}

static void record(tm_tls_parser *p, const tm_tls_ctx *c, int d, uint32_t type, const uint8_t *b, size_t n)
{
	tls_dir *td = &p->d[d];
	switch (type) {
	case 20: /* ChangeCipherSpec (middlebox-compatibility CCS around a HelloRetryRequest is ignored) */
		if (!p->is13 && p->server_hello) {
			td->ccs = true;
			if (d == 0 && p->server_hello && !p->client_hs_done) {
				/* the client's handshake flight ended without a Certificate */
				if (p->t->client_cert == TM_CC_UNKNOWN && !p->t->resumed)
					p->t->client_cert = TM_CC_NO;
				p->client_hs_done = true;
			}
		}
		break;
	case 22: /* handshake */
		if (!td->ccs && !(p->is13 && d == 0 && p->server_hello))
			handshake_bytes(p, c, d, b, n);
		break;
	case 23: /* application data; TLS 1.3 encrypted handshake */
		if (p->is13) {
			td->enc_records++;
			if (d == 0 && !p->inferred_done && p->d[1].enc_records > 0)
				tls13_infer(p, n);
		}
		break;
	default: /* alert, heartbeat */
		break;
	}
}

size_t tm_tls_feed(tm_tls_parser *p, const tm_tls_ctx *c, int d, const uint8_t *data, size_t n)
{
	tls_dir *td = &p->d[d];
	size_t o = 0;
	if (td->dead)
		return n;
	if (!td->started) {
		if (n < 3 && data[0] == 22)
			return 0;
		if (!tm_tls_record_start(data, n))
			return n; /* plaintext before STARTTLS completes */
		td->started = true;
	}
	while (TM_HAVE(n, o, 5)) {
		uint32_t type = data[o], major = data[o + 1], len = TM_U16(data, o + 3);
		if (type < 20 || type > 24 || major != 3) {
			c->stats->tls_malformed++;
			dir_dead(p, d);
			return n;
		}
		if (len > c->opts->max_tls_record) {
			c->stats->tls_record_too_long++;
			dir_dead(p, d);
			return n;
		}
		if (!TM_HAVE(n, o + 5, len))
			break;
		record(p, c, d, type, data + o + 5, len);
		o += 5 + (size_t)len;
		if (td->dead)
			return n;
	}
	return o;
}

bool tm_tls_done(const tm_tls_parser *p)
{
	if (p->d[0].dead && p->d[1].dead)
		return true;
	if (!p->server_hello)
		return false;
	if (p->is13)
		return p->inferred_done || p->d[0].dead;
	return (p->d[0].ccs || p->d[0].dead) && (p->d[1].ccs || p->d[1].dead);
}

void tm_tls_finish(tm_tls_parser *p)
{
	(void)p; /* unknown stays unknown: the capture did not show enough */
}

typedef struct cipher_name {
	uint16_t id;
	const char *name;
} cipher_name;

static const cipher_name ciphers[] = {
#include "ingest/capture/tls_ciphers.inc"
};

static int cipher_cmp(const void *k, const void *e)
{
	uint16_t a = *(const uint16_t *)k, b = ((const cipher_name *)e)->id;
	return a < b ? -1 : a > b;
}

const char *tm_tls_cipher_name(int32_t c)
{
	if (c < 0 || c > 0xffff)
		return NULL;
	uint16_t key = (uint16_t)c;
	const cipher_name *e = bsearch(&key, ciphers, TM_ARRAY_LEN(ciphers), sizeof *ciphers, cipher_cmp);
	return e ? e->name : NULL;
}
