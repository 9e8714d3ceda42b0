/* x509.c - certificate facts with OpenSSL: subject, issuer, SANs (DNS, URI
 * such as spiffe://, IP, email) and validity. */
#include "ingest/capture/tls.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include <openssl/err.h>

/* Printable copy: bytes outside 0x20..0x7e, and the backslash (unless the
 * text is RFC 2253, whose escapes use it), become \xNN. */
static const char *clean_str(tm_strtab *strs, const char *prefix, const unsigned char *s, size_t n, bool rfc2253)
{
	tm_buf b;
	tm_buf_init(&b, 8192);
	tm_buf_adds(&b, prefix);
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && (s[i] != '\\' || rfc2253))
			tm_buf_addc(&b, (char)s[i]);
		else
			tm_buf_addf(&b, "\\x%02x", s[i]);
	}
	const char *r = tm_intern(strs, tm_buf_str(&b));
	tm_buf_release(&b);
	return r;
}

static const char *name_str(tm_strtab *strs, const X509_NAME *nm)
{
	const char *r = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return NULL;
	if (X509_NAME_print_ex(bio, nm, 0, XN_FLAG_RFC2253) >= 0) {
		char *data = NULL;
		long n = BIO_get_mem_data(bio, &data);
		if (n >= 0 && data)
			r = clean_str(strs, "", (const unsigned char *)data, (size_t)n, true);
	}
	BIO_free(bio);
	return r;
}

static const char *time_str(tm_strtab *strs, const ASN1_TIME *t)
{
	struct tm tmv;
	char out[32];
	if (!t || !ASN1_TIME_to_tm(t, &tmv))
		return NULL;
	if (!strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tmv))
		return NULL;
	return tm_intern(strs, out);
}

tm_err tm_x509_extract(const uint8_t *der, size_t len, tm_strtab *strs, tm_arena *arena,
		       size_t max_sans, tm_cert *out)
{
	tm_err rc = TM_OK;
	const unsigned char *p = der;
	GENERAL_NAMES *gens = NULL;
	X509 *x = NULL;
	memset(out, 0, sizeof *out);
	if (len == 0 || len > 0x7fffffff) {
		rc = TM_ERR_SYNTAX;
		goto out;
	}
	x = d2i_X509(NULL, &p, (long)len);
	if (!x) {
		rc = TM_ERR_SYNTAX;
		goto out;
	}
	out->subject = name_str(strs, X509_get_subject_name(x));
	out->issuer = name_str(strs, X509_get_issuer_name(x));
	out->not_before = time_str(strs, X509_get0_notBefore(x));
	out->not_after = time_str(strs, X509_get0_notAfter(x));
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens) {
		int n = sk_GENERAL_NAME_num(gens);
		size_t keep = n > 0 ? (size_t)n : 0;
		if (keep > max_sans)
			keep = max_sans;
		out->sans = keep ? tm_arena_alloc(arena, keep * sizeof(char *)) : NULL;
		for (int i = 0; i < n && out->nsans < keep; i++) {
			const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
			const char *s = NULL;
			switch (g->type) {
			case GEN_DNS:
				s = clean_str(strs, "DNS:", ASN1_STRING_get0_data(g->d.dNSName),
					      (size_t)ASN1_STRING_length(g->d.dNSName), false);
				break;
			case GEN_URI:
				s = clean_str(strs, "URI:", ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
					      (size_t)ASN1_STRING_length(g->d.uniformResourceIdentifier), false);
				break;
			case GEN_EMAIL:
				s = clean_str(strs, "email:", ASN1_STRING_get0_data(g->d.rfc822Name),
					      (size_t)ASN1_STRING_length(g->d.rfc822Name), false);
				break;
			case GEN_IPADD: {
				const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
				int al = ASN1_STRING_length(g->d.iPAddress);
				char ip[64];
				if (al == 4) {
					snprintf(ip, sizeof ip, "IP:%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
					s = tm_intern(strs, ip);
				} else if (al == 16) {
					int k = snprintf(ip, sizeof ip, "IP:");
					for (int j = 0; j < 16; j += 2)
						k += snprintf(ip + k, sizeof ip - (size_t)k, "%s%x", j ? ":" : "",
							      (unsigned)(a[j] << 8 | a[j + 1]));
					s = tm_intern(strs, ip);
				}
				break;
			}
			default:
				break;
			}
			if (s)
				out->sans[out->nsans++] = s;
		}
	}
out:
	GENERAL_NAMES_free(gens);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

const char *tm_cert_identity(const tm_cert *c)
{
	for (size_t i = 0; i < c->nsans; i++)
		if (!strncmp(c->sans[i], "URI:", 4))
			return c->sans[i] + 4;
	for (size_t i = 0; i < c->nsans; i++)
		if (!strncmp(c->sans[i], "DNS:", 4))
			return c->sans[i] + 4;
	return c->subject;
}

/* ---- cache of parsed certificates, keyed by the DER bytes -------------- */
typedef struct cc_entry {
	uint64_t hash;
	uint8_t *der;
	size_t len;
	tm_err rc;
	tm_cert cert;
} cc_entry;

struct tm_certcache {
	cc_entry *v;
	size_t nslots, count, max;
};

tm_certcache *tm_certcache_new(size_t max)
{
	tm_certcache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->max = max;
	c->nslots = 16; /* grows to 2 * max */
	c->v = calloc(c->nslots, sizeof *c->v);
	if (!c->v) {
		free(c);
		return NULL;
	}
	return c;
}

void tm_certcache_free(tm_certcache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nslots; i++)
		free(c->v[i].der);
	free(c->v);
	free(c);
}

static uint64_t der_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h | 1;
}

tm_err tm_x509_extract_cached(tm_certcache *c, const uint8_t *der, size_t len, tm_strtab *strs,
			      tm_arena *arena, size_t max_sans, tm_cert *out)
{
	if (!c)
		return tm_x509_extract(der, len, strs, arena, max_sans, out);
	uint64_t h = der_hash(der, len);
	size_t mask = c->nslots - 1, i = h & mask;
	while (c->v[i].hash) {
		cc_entry *e = &c->v[i];
		if (e->hash == h && e->len == len && !memcmp(e->der, der, len)) {
			*out = e->cert;
			return e->rc;
		}
		i = (i + 1) & mask;
	}
	tm_err rc = tm_x509_extract(der, len, strs, arena, max_sans, out);
	if (c->count < c->max && (c->count + 1) * 2 > c->nslots) {
		size_t nn = c->nslots * 2;
		cc_entry *nv = calloc(nn, sizeof *nv);
		if (!nv)
			return rc;
		for (size_t k = 0; k < c->nslots; k++) {
			if (!c->v[k].hash)
				continue;
			size_t j = c->v[k].hash & (nn - 1);
			while (nv[j].hash)
				j = (j + 1) & (nn - 1);
			nv[j] = c->v[k];
		}
		free(c->v);
		c->v = nv;
		c->nslots = nn;
		mask = nn - 1;
		i = h & mask;
		while (c->v[i].hash)
			i = (i + 1) & mask;
	}
	if (c->count < c->max) {
		uint8_t *copy = malloc(len ? len : 1);
		if (copy) {
			memcpy(copy, der, len);
			c->v[i] = (cc_entry){h, copy, len, rc, *out};
			c->count++;
		}
	}
	return rc;
}
