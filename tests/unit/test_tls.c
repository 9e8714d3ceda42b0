/* test_tls.c - the TLS handshake parser and X.509 extraction on messages
 * built here byte by byte (and a certificate made with OpenSSL). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ingest/capture/tls.h"

typedef struct bb {
	uint8_t d[16384];
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
static void u24(bb *b, unsigned v) { u8(b, v >> 16); u8(b, v >> 8); u8(b, v); }

/* handshake message type + body -> bytes */
static void hs(bb *out, unsigned type, const bb *body)
{
	u8(out, type);
	u24(out, (unsigned)body->n);
	put(out, body->d, body->n);
}

/* records of at most chunk bytes each */
static void records(bb *out, unsigned ctype, const bb *payload, size_t chunk)
{
	for (size_t o = 0; o < payload->n; o += chunk) {
		size_t l = payload->n - o < chunk ? payload->n - o : chunk;
		u8(out, ctype);
		u16(out, 0x0303);
		u16(out, (unsigned)l);
		put(out, payload->d + o, l);
	}
}

static void client_hello(bb *m, bool tls13, const char *sni, const char *alpn1, const char *alpn2)
{
	bb b = {0}, ext = {0}, e = {0};
	u16(&b, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(&b, i);
	u8(&b, 0); /* session id */
	u16(&b, 4);
	u16(&b, 0x1301);
	u16(&b, 0xc02f);
	u8(&b, 1);
	u8(&b, 0);
	/* SNI */
	size_t sl = strlen(sni);
	u16(&ext, 0);
	u16(&ext, (unsigned)(sl + 5));
	u16(&ext, (unsigned)(sl + 3));
	u8(&ext, 0);
	u16(&ext, (unsigned)sl);
	put(&ext, sni, sl);
	/* ALPN */
	size_t a1 = strlen(alpn1), a2 = strlen(alpn2);
	u16(&e, (unsigned)(a1 + a2 + 2));
	u8(&e, (unsigned)a1);
	put(&e, alpn1, a1);
	u8(&e, (unsigned)a2);
	put(&e, alpn2, a2);
	u16(&ext, 16);
	u16(&ext, (unsigned)e.n);
	put(&ext, e.d, e.n);
	if (tls13) {
		u16(&ext, 43);
		u16(&ext, 7);
		u8(&ext, 6);
		u16(&ext, 0x7a7a); /* GREASE */
		u16(&ext, 0x0304);
		u16(&ext, 0x0303);
	}
	u16(&b, (unsigned)ext.n);
	put(&b, ext.d, ext.n);
	hs(m, 1, &b);
}

static void server_hello(bb *m, bool tls13, unsigned cipher, const char *alpn)
{
	bb b = {0}, ext = {0};
	u16(&b, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(&b, 100 + i);
	u8(&b, 0);
	u16(&b, cipher);
	u8(&b, 0);
	if (tls13) {
		u16(&ext, 43);
		u16(&ext, 2);
		u16(&ext, 0x0304);
	}
	if (alpn) {
		size_t l = strlen(alpn);
		u16(&ext, 16);
		u16(&ext, (unsigned)(l + 3));
		u16(&ext, (unsigned)(l + 1));
		u8(&ext, (unsigned)l);
		put(&ext, alpn, l);
	}
	u16(&b, (unsigned)ext.n);
	put(&b, ext.d, ext.n);
	hs(m, 2, &b);
}

/* A self-signed certificate with a DNS and a SPIFFE URI SAN, DER. */
static size_t make_cert(uint8_t *out, size_t cap, const char *cn, const char *san)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	assert_non_null(k);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME *nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC, (const unsigned char *)"shop", -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, nm);
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
	assert_non_null(ex);
	X509_add_ext(x, ex, -1);
	X509_EXTENSION_free(ex);
	X509_sign(x, k, EVP_sha256());
	int n = i2d_X509(x, NULL);
	assert_true(n > 0 && (size_t)n <= cap);
	unsigned char *p = out;
	i2d_X509(x, &p);
	X509_free(x);
	EVP_PKEY_free(k);
	return (size_t)n;
}

static void certificate(bb *m, const uint8_t *der, size_t n)
{
	bb b = {0};
	if (n) {
		u24(&b, (unsigned)(n + 3));
		u24(&b, (unsigned)n);
		put(&b, der, n);
	} else {
		u24(&b, 0);
	}
	hs(m, 11, &b);
}

typedef struct fixture {
	tm_arena arena;
	tm_strtab strs;
	tm_pcap_stats stats;
	tm_pcap_opts opts;
	tm_tls_ctx ctx;
	tm_tls tls;
	tm_tls_parser *p;
} fixture;

static void fx_init(fixture *f)
{
	memset(f, 0, sizeof *f);
	tm_arena_init(&f->arena);
	tm_strtab_init(&f->strs, &f->arena);
	tm_pcap_opts_default(&f->opts);
	f->ctx = (tm_tls_ctx){&f->strs, &f->arena, &f->stats, &f->opts};
	f->p = tm_tls_parser_new(&f->tls);
}

static void fx_release(fixture *f)
{
	tm_tls_parser_free(f->p);
	tm_strtab_release(&f->strs);
	tm_arena_release(&f->arena);
}

/* feed byte ranges as a TCP stream would: keep what was not consumed */
static void feed(fixture *f, int d, const bb *b, size_t seg)
{
	static uint8_t pend[2][32768];
	static size_t np[2];
	for (size_t o = 0; o < b->n; o += seg) {
		size_t l = b->n - o < seg ? b->n - o : seg;
		memcpy(pend[d] + np[d], b->d + o, l);
		np[d] += l;
		size_t used = tm_tls_feed(f->p, &f->ctx, d, pend[d], np[d]);
		memmove(pend[d], pend[d] + used, np[d] - used);
		np[d] -= used;
	}
	np[d] = 0;
}

static void test_tls12_mutual(void **state)
{
	(void)state;
	fixture f;
	uint8_t der[2048], cder[2048];
	size_t n = make_cert(der, sizeof der, "payments", "DNS:payments.shop.svc,URI:spiffe://td/ns/shop/sa/payments");
	size_t cn = make_cert(cder, sizeof cder, "storefront", "URI:spiffe://td/ns/web/sa/storefront");
	fx_init(&f);
	bb m = {0}, r = {0};
	client_hello(&m, false, "payments.shop.svc", "h2", "http/1.1");
	records(&r, 22, &m, 50); /* the ClientHello spans records ... */
	feed(&f, 0, &r, 7);      /* ... and segments */
	assert_string_equal(f.tls.sni, "payments.shop.svc");
	assert_string_equal(f.tls.alpn_offered, "h2,http/1.1");
	m.n = r.n = 0;
	server_hello(&m, false, 0xc02f, "h2");
	certificate(&m, der, n);
	bb cr = {0};
	u8(&cr, 1);
	u8(&cr, 64);
	u16(&cr, 0);
	u16(&cr, 0);
	hs(&m, 13, &cr);
	bb empty = {0};
	hs(&m, 14, &empty);
	records(&r, 22, &m, 300);
	feed(&f, 1, &r, 100);
	assert_int_equal(f.tls.version, 0x0303);
	assert_int_equal(f.tls.cipher, 0xc02f);
	assert_string_equal(f.tls.alpn, "h2");
	assert_int_equal(f.tls.server_cert_status, TM_SC_PLAIN);
	assert_string_equal(f.tls.server_cert.subject, "CN=payments,O=shop");
	assert_int_equal(f.tls.server_cert.nsans, 2);
	assert_string_equal(f.tls.server_cert.sans[1], "URI:spiffe://td/ns/shop/sa/payments");
	assert_non_null(f.tls.server_cert.not_after);
	assert_true(f.tls.cert_requested);
	assert_int_equal(f.tls.client_cert, TM_CC_UNKNOWN);
	assert_false(tm_tls_done(f.p));
	m.n = r.n = 0;
	certificate(&m, cder, cn);
	records(&r, 22, &m, 16384);
	bb ccs = {0};
	u8(&ccs, 1);
	records(&r, 20, &ccs, 1);
	feed(&f, 0, &r, 1000);
	assert_int_equal(f.tls.client_cert, TM_CC_YES);
	assert_false(f.tls.client_cert_inferred);
	assert_string_equal(f.tls.client_identity, "spiffe://td/ns/web/sa/storefront");
	r.n = 0;
	records(&r, 20, &ccs, 1);
	feed(&f, 1, &r, 1000);
	assert_true(tm_tls_done(f.p));
	assert_int_equal(f.stats.tls_malformed, 0);
	fx_release(&f);
}

static void test_tls12_declined_and_absent(void **state)
{
	(void)state;
	for (int variant = 0; variant < 2; variant++) {
		fixture f;
		fx_init(&f);
		bb m = {0}, r = {0}, ccs = {0};
		client_hello(&m, false, "a.example", "x", "y");
		records(&r, 22, &m, 16384);
		feed(&f, 0, &r, 4096);
		m.n = r.n = 0;
		server_hello(&m, false, 0x009c, NULL);
		records(&r, 22, &m, 16384);
		feed(&f, 1, &r, 4096);
		m.n = r.n = 0;
		if (variant == 0)
			certificate(&m, NULL, 0); /* empty Certificate: declined */
		bb cke = {0};
		u16(&cke, 0);
		hs(&m, 16, &cke);
		records(&r, 22, &m, 16384);
		u8(&ccs, 1);
		records(&r, 20, &ccs, 1);
		feed(&f, 0, &r, 4096);
		assert_int_equal(f.tls.client_cert, TM_CC_NO);
		assert_int_equal(f.tls.server_cert_status, TM_SC_MISSING);
		fx_release(&f);
	}
}

/* TLS 1.3: the size of the client's first encrypted record decides. */
static void tls13_run(size_t first_client_record, tm_client_cert expect, bool inferred)
{
	fixture f;
	fx_init(&f);
	bb m = {0}, r = {0}, app = {0};
	client_hello(&m, true, "x.example", "istio-peer-exchange", "istio");
	records(&r, 22, &m, 16384);
	feed(&f, 0, &r, 1500);
	assert_int_equal(f.tls.offered_version, 0x0304);
	m.n = r.n = 0;
	server_hello(&m, true, 0x1301, NULL);
	records(&r, 22, &m, 16384);
	for (int i = 0; i < 900; i++)
		u8(&app, i);
	records(&r, 23, &app, 900); /* encrypted server flight */
	feed(&f, 1, &r, 1500);
	assert_int_equal(f.tls.version, 0x0304);
	assert_int_equal(f.tls.server_cert_status, TM_SC_ENCRYPTED);
	assert_int_equal(f.tls.client_cert, TM_CC_UNKNOWN);
	r.n = 0;
	bb ccs = {0};
	u8(&ccs, 1);
	records(&r, 20, &ccs, 1);
	app.n = first_client_record;
	records(&r, 23, &app, 16384);
	feed(&f, 0, &r, 1500);
	assert_int_equal(f.tls.client_cert, expect);
	assert_int_equal(f.tls.client_cert_inferred, inferred);
	assert_true(tm_tls_done(f.p));
	fx_release(&f);
}

static void test_tls13_inferred_no(void **state)
{
	(void)state;
	tls13_run(53, TM_CC_NO, true);  /* Finished (SHA-256) */
	tls13_run(69, TM_CC_NO, true);  /* Finished (SHA-384) */
}

static void test_tls13_inferred_yes(void **state)
{
	(void)state;
	tls13_run(700, TM_CC_YES, true);
}

static void test_tls13_undecided(void **state)
{
	(void)state;
	tls13_run(180, TM_CC_UNKNOWN, false);
}

static void test_absurd_lengths(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	/* record length over the limit */
	const uint8_t big[] = {22, 3, 3, 0xff, 0xff, 1, 2, 3};
	bb r = {0};
	put(&r, big, sizeof big);
	feed(&f, 0, &r, 100);
	assert_int_equal(f.stats.tls_record_too_long, 1);
	/* a handshake message claiming 16 MiB */
	bb m = {0};
	u8(&m, 1);
	u24(&m, 0xffffff);
	u8(&m, 0);
	r.n = 0;
	records(&r, 22, &m, 100);
	feed(&f, 1, &r, 100);
	assert_int_equal(f.stats.tls_handshake_too_long, 1);
	assert_true(tm_tls_done(f.p));
	fx_release(&f);
	/* a ClientHello whose extension lengths lie */
	fx_init(&f);
	m.n = r.n = 0;
	client_hello(&m, true, "lie.example", "a", "b");
	m.d[4 + 2 + 32 + 1 + 2 + 4 + 2] ^= 0x40; /* extensions length */
	records(&r, 22, &m, 16384);
	feed(&f, 0, &r, 16384);
	assert_int_equal(f.stats.tls_malformed, 1);
	fx_release(&f);
}

static void test_x509_garbage(void **state)
{
	(void)state;
	tm_arena a;
	tm_strtab s;
	tm_cert c;
	tm_arena_init(&a);
	tm_strtab_init(&s, &a);
	const uint8_t junk[] = {0x30, 0x82, 0xff, 0xff, 0x01};
	assert_int_equal(tm_x509_extract(junk, sizeof junk, &s, &a, 64, &c), TM_ERR_SYNTAX);
	assert_null(c.subject);
	tm_strtab_release(&s);
	tm_arena_release(&a);
}

/* ALPN names are bytes: anything outside printable ASCII, and the comma
 * that separates the list, is written \xNN; long lists come out whole */
static void test_alpn_bytes(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	bb m = {0}, r = {0};
	client_hello(&m, false, "a.svc", "a,b\x01", "h2");
	records(&r, 22, &m, 16384);
	feed(&f, 0, &r, 1000);
	assert_string_equal(f.tls.alpn_offered, "a\\x2cb\\x01,h2");
	fx_release(&f);

	char n1[201], n2[201], want[1024];
	memset(n1, 0x7f, 200);
	n1[200] = 0;
	memset(n2, 'z', 200);
	n2[200] = 0;
	size_t k = 0;
	for (int i = 0; i < 200; i++)
		k += (size_t)snprintf(want + k, sizeof want - k, "\\x7f");
	want[k++] = ',';
	memcpy(want + k, n2, 201);
	fx_init(&f);
	m.n = r.n = 0;
	client_hello(&m, false, "a.svc", n1, n2);
	records(&r, 22, &m, 16384);
	feed(&f, 0, &r, 1000);
	assert_string_equal(f.tls.alpn_offered, want);
	fx_release(&f);
}

/* Names from the wire are printable ASCII; every other byte, and the
 * backslash that starts an escape, is written \xNN, so a literal "\x00"
 * (4 bytes) and a NUL byte never read the same. */
static void test_sni_escapes(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f);
	bb m = {0}, r = {0};
	client_hello(&m, false, "a\\x00\tb", "h2", "h\\3");
	records(&r, 22, &m, 16384);
	feed(&f, 0, &r, 1000);
	assert_string_equal(f.tls.sni, "a\\x5cx00\\x09b");
	assert_string_equal(f.tls.alpn_offered, "h2,h\\x5c3");
	fx_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls12_mutual),
		cmocka_unit_test(test_tls12_declined_and_absent),
		cmocka_unit_test(test_tls13_inferred_no),
		cmocka_unit_test(test_tls13_inferred_yes),
		cmocka_unit_test(test_tls13_undecided),
		cmocka_unit_test(test_absurd_lengths),
		cmocka_unit_test(test_x509_garbage),
		cmocka_unit_test(test_alpn_bytes),
		cmocka_unit_test(test_sni_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
