/* flows.c - `trustmap flows` output: txt (one line per connection), json
 * (an array, keys in a fixed order), csv (one header line, flat columns). */
#include "render/flows.h"
#include "render/render.h"

#include <stdlib.h>
#include <string.h>

/* one thread writes the output: skip stdio's per-call locking */
#define fputs fputs_unlocked
#define fwrite fwrite_unlocked
#define fputc fputc_unlocked

static const tm_flows_renderer renderers[] = {
	{"txt", tm_render_flows_txt},
	{"json", tm_render_flows_json},
	{"csv", tm_render_flows_csv},
};

const tm_flows_renderer *tm_flows_renderer_find(const char *name)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(renderers); i++)
		if (!strcmp(renderers[i].name, name))
			return &renderers[i];
	return NULL;
}

const char *tm_flows_renderer_names(void)
{
	return "txt|json|csv";
}

static void put_u64(FILE *out, uint64_t v)
{
	char b[24];
	size_t i = sizeof b;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite(b + i, 1, sizeof b - i, out);
}

static void fmt_time(FILE *out, int64_t us)
{
	if (us >= 0) {
		char b[8];
		put_u64(out, (uint64_t)(us / 1000000));
		int64_t r = us % 1000000;
		b[0] = '.';
		for (int i = 6; i >= 1; i--) {
			b[i] = (char)('0' + r % 10);
			r /= 10;
		}
		fwrite(b, 1, 7, out);
		return;
	}
	int64_t s = us / 1000000, r = us % 1000000;
	if (r < 0) {
		r += 1000000;
		s--;
	}
	fprintf(out, "%lld.%06lld", (long long)s, (long long)r);
}

/* the cipher suite's name, "0x1A2B" when unnamed, NULL when not seen;
 * buf holds at least 7 bytes */
static const char *cipher_str(const tm_tls *t, char *buf)
{
	if (t->cipher < 0)
		return NULL;
	if (t->cipher_name)
		return t->cipher_name;
	static const char hex[] = "0123456789ABCDEF";
	unsigned c = (unsigned)t->cipher;
	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < 4; i++)
		buf[2 + i] = hex[(c >> (12 - 4 * i)) & 15];
	buf[6] = 0;
	return buf;
}

/* ---- json: written through a 64 KiB buffer of our own ---------------------
 * A flow record is some 800 bytes in ~40 pieces; one stdio call per piece
 * was a fifth of `trustmap flows` on large captures (docs/benchmarks.md). */
typedef struct obuf {
	FILE *out;
	size_t n;
	char b[1 << 16];
} obuf;

static void ob_flush(obuf *o)
{
	if (o->n)
		fwrite(o->b, 1, o->n, o->out);
	o->n = 0;
}

__attribute__((always_inline)) static inline void ob_put(obuf *o, const char *s, size_t n)
{
	if (n > sizeof o->b - o->n) {
		ob_flush(o);
		if (n > sizeof o->b) {
			fwrite(s, 1, n, o->out);
			return;
		}
	}
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

/* a string literal, its length known at compile time */
#define OB_LIT(o, lit) ob_put((o), "" lit, sizeof(lit) - 1)

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
				     "25262728293031323334353637383940414243444546474849"
				     "50515253545556575859606162636465666768697071727374"
				     "75767778798081828384858687888990919293949596979899";

static void ob_u64(obuf *o, uint64_t v)
{
	char b[24];
	size_t i = sizeof b;
	while (v >= 100) {
		i -= 2;
		memcpy(b + i, digit_pairs + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		i -= 2;
		memcpy(b + i, digit_pairs + v * 2, 2);
	} else {
		b[--i] = (char)('0' + v);
	}
	ob_put(o, b + i, sizeof b - i);
}

static void ob_bool(obuf *o, bool v)
{
	if (v)
		OB_LIT(o, "true");
	else
		OB_LIT(o, "false");
}

static void ob_time(obuf *o, int64_t us)
{
	if (us < 0) { /* rare: through stdio, in order */
		ob_flush(o);
		fmt_time(o->out, us);
		return;
	}
	char b[7];
	ob_u64(o, (uint64_t)(us / 1000000));
	uint32_t r = (uint32_t)(us % 1000000);
	b[0] = '.';
	memcpy(b + 1, digit_pairs + r / 10000 * 2, 2);
	memcpy(b + 3, digit_pairs + r / 100 % 100 * 2, 2);
	memcpy(b + 5, digit_pairs + r % 100 * 2, 2);
	ob_put(o, b, 7);
}

/* false only when none of the 8 bytes is < 0x20, '"' or '\\' (the borrows
 * of the "has a byte below" trick can flag a byte after a hit, never hide
 * one; the byte loop after it decides) */
static inline bool esc8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
	uint64_t lt = (v - ones * 0x20) & ~v;
	uint64_t zq = (q - ones) & ~q, zb = (b - ones) & ~b;
	return ((lt | zq | zb) & high) != 0;
}

/* a JSON string of n bytes; escaping (rare) goes through tm_json_str() */
static void ob_str_n(obuf *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint64_t v;
	for (; i + 8 <= n; i += 8) {
		memcpy(&v, p + i, 8);
		if (esc8(v))
			break;
	}
	if (i < n && n - i < 8 && n >= 8) { /* the tail: the last 8 bytes, overlapping */
		memcpy(&v, p + n - 8, 8);
		if (!esc8(v))
			i = n;
	}
	while (i < n && p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')
		i++;
	if (i < n) {
		char tmp[512];
		const char *z = s;
		if (s[n]) { /* not NUL-terminated here: a bounded copy */
			size_t l = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
			memcpy(tmp, s, l);
			tmp[l] = 0;
			z = tmp;
		}
		ob_flush(o);
		tm_json_str(o->out, z);
		return;
	}
	if (n + 2 <= sizeof o->b - o->n) {
		o->b[o->n++] = '"';
		memcpy(o->b + o->n, s, n);
		o->n += n;
		o->b[o->n++] = '"';
		return;
	}
	OB_LIT(o, "\"");
	ob_put(o, s, n);
	OB_LIT(o, "\"");
}

static void ob_str(obuf *o, const char *s)
{
	if (s)
		ob_str_n(o, s, strlen(s));
	else
		OB_LIT(o, "null");
}

static void json_cert(obuf *o, const tm_cert *c, const char *status)
{
	OB_LIT(o, "{");
	if (status) {
		OB_LIT(o, "\"status\": ");
		ob_str(o, status);
		OB_LIT(o, ", ");
	}
	OB_LIT(o, "\"subject\": ");
	ob_str(o, c->subject);
	OB_LIT(o, ", \"issuer\": ");
	ob_str(o, c->issuer);
	OB_LIT(o, ", \"sans\": [");
	for (size_t i = 0; i < c->nsans; i++) {
		if (i)
			OB_LIT(o, ", ");
		ob_str(o, c->sans[i]);
	}
	OB_LIT(o, "], \"not_before\": ");
	ob_str(o, c->not_before);
	OB_LIT(o, ", \"not_after\": ");
	ob_str(o, c->not_after);
	OB_LIT(o, "}");
}

static void json_tls(obuf *o, const tm_tls *t)
{
	char cb[64];
	OB_LIT(o, "{\n      \"version\": ");
	ob_str(o, tm_tls_version_name(t->version));
	OB_LIT(o, ",\n      \"offered_version\": ");
	ob_str(o, tm_tls_version_name(t->offered_version));
	OB_LIT(o, ",\n      \"sni\": ");
	ob_str(o, t->sni);
	OB_LIT(o, ",\n      \"alpn\": ");
	ob_str(o, t->alpn);
	OB_LIT(o, ",\n      \"alpn_offered\": [");
	if (t->alpn_offered && *t->alpn_offered) {
		const char *s = t->alpn_offered;
		for (bool first = true; s; first = false) {
			const char *e = strchr(s, ',');
			size_t l = e ? (size_t)(e - s) : strlen(s);
			if (!first)
				OB_LIT(o, ", ");
			ob_str_n(o, s, l);
			s = e ? e + 1 : NULL;
		}
	}
	OB_LIT(o, "],\n      \"cipher\": ");
	ob_str(o, cipher_str(t, cb));
	OB_LIT(o, ",\n      \"starttls\": ");
	ob_bool(o, t->starttls);
	OB_LIT(o, ",\n      \"resumed\": ");
	ob_bool(o, t->resumed);
	OB_LIT(o, ",\n      \"hello_retry\": ");
	ob_bool(o, t->hrr);
	OB_LIT(o, ",\n      \"cert_requested\": ");
	ob_bool(o, t->cert_requested);
	OB_LIT(o, ",\n      \"server_cert\": ");
	json_cert(o, &t->server_cert, tm_server_cert_status_name(t->server_cert_status));
	OB_LIT(o, ",\n      \"client_cert\": ");
	ob_str(o, tm_client_cert_name(t->client_cert));
	OB_LIT(o, ",\n      \"client_cert_inferred\": ");
	ob_bool(o, t->client_cert_inferred);
	OB_LIT(o, ",\n      \"client_identity\": ");
	ob_str(o, t->client_identity);
	if (t->client_cert == TM_CC_YES && t->client_certificate.subject) {
		OB_LIT(o, ",\n      \"client_certificate\": ");
		json_cert(o, &t->client_certificate, NULL);
	}
	OB_LIT(o, "\n    }");
}

tm_err tm_render_flows_json(const tm_flowset *fs, FILE *out)
{
	char ip[64];
	obuf *o = malloc(sizeof *o);
	if (!o)
		return TM_ERR_NOMEM;
	o->out = out;
	o->n = 0;
	OB_LIT(o, "[");
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		if (i)
			OB_LIT(o, ",\n  {\n");
		else
			OB_LIT(o, "\n  {\n");
		if (f->proto == 6)
			OB_LIT(o, "    \"transport\": \"tcp\",\n    \"src_ip\": ");
		else
			OB_LIT(o, "    \"transport\": \"udp\",\n    \"src_ip\": ");
		tm_flow_format_ip(f, true, ip, sizeof ip);
		ob_str(o, ip);
		OB_LIT(o, ",\n    \"src_port\": ");
		ob_u64(o, f->cli_port);
		tm_flow_format_ip(f, false, ip, sizeof ip);
		OB_LIT(o, ",\n    \"dst_ip\": ");
		ob_str(o, ip);
		OB_LIT(o, ",\n    \"dst_port\": ");
		ob_u64(o, f->srv_port);
		OB_LIT(o, ",\n    \"packets\": ");
		ob_u64(o, f->packets);
		OB_LIT(o, ",\n    \"bytes\": ");
		ob_u64(o, f->bytes);
		OB_LIT(o, ",\n    \"first\": ");
		ob_time(o, f->first_us);
		OB_LIT(o, ",\n    \"last\": ");
		ob_time(o, f->last_us);
		OB_LIT(o, ",\n    \"app\": ");
		ob_str(o, tm_app_name((tm_app)f->app));
		OB_LIT(o, ",\n    \"mesh\": ");
		ob_str(o, tm_mesh_name((tm_mesh)f->mesh));
		OB_LIT(o, ",\n    \"http\": ");
		if (f->http) {
			OB_LIT(o, "{\"method\": ");
			ob_str(o, f->http->method);
			OB_LIT(o, ", \"host\": ");
			ob_str(o, f->http->host);
			OB_LIT(o, ", \"path\": ");
			ob_str(o, f->http->path);
			OB_LIT(o, "}");
		} else {
			OB_LIT(o, "null");
		}
		OB_LIT(o, ",\n    \"tls\": ");
		if (f->tls)
			json_tls(o, f->tls);
		else
			OB_LIT(o, "null");
		OB_LIT(o, "\n  }");
	}
	if (fs->nflows)
		OB_LIT(o, "\n]\n");
	else
		OB_LIT(o, "]\n");
	ob_flush(o);
	free(o);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

static void endpoint(FILE *out, const tm_flow *f, bool client)
{
	char ip[64];
	tm_flow_format_ip(f, client, ip, sizeof ip);
	if (f->family == 6)
		fprintf(out, "[%s]:%u", ip, client ? f->cli_port : f->srv_port);
	else
		fprintf(out, "%s:%u", ip, client ? f->cli_port : f->srv_port);
}

tm_err tm_render_flows_txt(const tm_flowset *fs, FILE *out)
{
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		fmt_time(out, f->first_us);
		fprintf(out, " %s ", f->proto == 6 ? "tcp" : "udp");
		endpoint(out, f, true);
		fputs(" -> ", out);
		endpoint(out, f, false);
		fprintf(out, " %s", tm_app_name((tm_app)f->app));
		if (f->mesh)
			fprintf(out, " mesh=%s", tm_mesh_name((tm_mesh)f->mesh));
		if (f->http)
			fprintf(out, " %s %s%s", f->http->method ? f->http->method : "?",
				f->http->host ? f->http->host : "", f->http->path ? f->http->path : "");
		if (f->tls) {
			const tm_tls *t = f->tls;
			const char *v = tm_tls_version_name(t->version);
			fprintf(out, " tls=%s", v ? v : "?");
			if (t->starttls)
				fputs(" starttls", out);
			if (t->sni)
				fprintf(out, " sni=%s", t->sni);
			if (t->alpn)
				fprintf(out, " alpn=%s", t->alpn);
			fprintf(out, " server_cert=%s", tm_server_cert_status_name(t->server_cert_status));
			if (t->server_cert.subject)
				fprintf(out, " (%s)", t->server_cert.subject);
			fprintf(out, " client_cert=%s%s", tm_client_cert_name(t->client_cert),
				t->client_cert_inferred ? "(inferred)" : "");
			if (t->client_identity)
				fprintf(out, " client_id=%s", t->client_identity);
		}
		fprintf(out, " packets=%llu bytes=%llu\n", (unsigned long long)f->packets,
			(unsigned long long)f->bytes);
	}
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

/* A string from the wire in a CSV cell: one that a spreadsheet would take
 * for a formula (= + - @) gets a leading apostrophe (OWASP's advice), since
 * SNI, Host and paths are whatever the client sent. */
static void csv_opt(FILE *out, const char *s)
{
	fputc(',', out);
	if (!s)
		return;
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@') {
		tm_buf b;
		tm_buf_init(&b, 0);
		tm_buf_addc(&b, '\'');
		tm_buf_adds(&b, s);
		tm_csv_field(out, tm_buf_str(&b));
		tm_buf_release(&b);
		return;
	}
	tm_csv_field(out, s);
}

tm_err tm_render_flows_csv(const tm_flowset *fs, FILE *out)
{
	char ip[64], cb[64];
	fputs("transport,src_ip,src_port,dst_ip,dst_port,packets,bytes,first,last,app,mesh,http_method,"
	      "http_host,http_path,tls_version,sni,alpn,cipher,starttls,server_cert_status,"
	      "server_subject,server_issuer,server_sans,client_cert,client_cert_inferred,client_identity\n",
	      out);
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		const tm_tls *t = f->tls;
		fputs(f->proto == 6 ? "tcp," : "udp,", out);
		tm_flow_format_ip(f, true, ip, sizeof ip);
		fprintf(out, "%s,%u,", ip, f->cli_port);
		tm_flow_format_ip(f, false, ip, sizeof ip);
		fprintf(out, "%s,%u,%llu,%llu,", ip, f->srv_port, (unsigned long long)f->packets,
			(unsigned long long)f->bytes);
		fmt_time(out, f->first_us);
		fputc(',', out);
		fmt_time(out, f->last_us);
		fprintf(out, ",%s", tm_app_name((tm_app)f->app));
		csv_opt(out, tm_mesh_name((tm_mesh)f->mesh));
		csv_opt(out, f->http ? f->http->method : NULL);
		csv_opt(out, f->http ? f->http->host : NULL);
		csv_opt(out, f->http ? f->http->path : NULL);
		if (!t) {
			fputs(",,,,,,,,,,,,\n", out);
			continue;
		}
		csv_opt(out, tm_tls_version_name(t->version));
		csv_opt(out, t->sni);
		csv_opt(out, t->alpn);
		csv_opt(out, cipher_str(t, cb));
		fputs(t->starttls ? ",true" : ",false", out);
		csv_opt(out, tm_server_cert_status_name(t->server_cert_status));
		csv_opt(out, t->server_cert.subject);
		csv_opt(out, t->server_cert.issuer);
		tm_buf b;
		tm_buf_init(&b, 0);
		for (size_t k = 0; k < t->server_cert.nsans; k++) {
			if (k)
				tm_buf_addc(&b, ' ');
			tm_buf_adds(&b, t->server_cert.sans[k]);
		}
		csv_opt(out, b.len ? tm_buf_str(&b) : NULL);
		tm_buf_release(&b);
		csv_opt(out, tm_client_cert_name(t->client_cert));
		fputs(t->client_cert_inferred ? ",true" : ",false", out);
		csv_opt(out, t->client_identity);
		fputc('\n', out);
	}
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

tm_err tm_render_flows_stats(const tm_flowset *fs, FILE *out)
{
	for (size_t i = 0; i < fs->ncounters; i++) {
		const tm_counter *k = &fs->counters[i];
		fprintf(out, "%-24s %12llu  # %s\n", k->name, (unsigned long long)k->value, k->descr);
	}
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
