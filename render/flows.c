/* flows.c - `trustmap flows` output: txt (one line per connection), json
 * (an array, keys in a fixed order), csv (one header line, flat columns). */
#include "render/flows.h"
#include "render/render.h"
#include "ingest/tls.h"

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

/* tm_json_str() with a fast path: most strings need no escaping. */
static void json_s(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p >= 0x20 && *p != '"' && *p != '\\')
		p++;
	if (*p) {
		tm_json_str(out, s);
		return;
	}
	putc_unlocked('"', out);
	fwrite(s, 1, (size_t)(p - (const unsigned char *)s), out);
	putc_unlocked('"', out);
}

static void json_str_or_null(FILE *out, const char *s)
{
	if (s)
		json_s(out, s);
	else
		fputs("null", out);
}

static void cipher_str(const tm_tls *t, char *buf, size_t n)
{
	const char *nm = tm_tls_cipher_name(t->cipher);
	if (t->cipher < 0)
		buf[0] = 0;
	else if (nm)
		snprintf(buf, n, "%s", nm);
	else
		snprintf(buf, n, "0x%04X", (unsigned)t->cipher);
}

static void json_cert(FILE *out, const tm_cert *c, const char *status)
{
	fputs("{", out);
	if (status) {
		fputs("\"status\": ", out);
		json_s(out, status);
		fputs(", ", out);
	}
	fputs("\"subject\": ", out);
	json_str_or_null(out, c->subject);
	fputs(", \"issuer\": ", out);
	json_str_or_null(out, c->issuer);
	fputs(", \"sans\": [", out);
	for (size_t i = 0; i < c->nsans; i++) {
		if (i)
			fputs(", ", out);
		json_s(out, c->sans[i]);
	}
	fputs("], \"not_before\": ", out);
	json_str_or_null(out, c->not_before);
	fputs(", \"not_after\": ", out);
	json_str_or_null(out, c->not_after);
	fputs("}", out);
}

static void json_tls(FILE *out, const tm_tls *t)
{
	char cb[64];
	fputs("{\n      \"version\": ", out);
	json_str_or_null(out, tm_tls_version_name(t->version));
	fputs(",\n      \"offered_version\": ", out);
	json_str_or_null(out, tm_tls_version_name(t->offered_version));
	fputs(",\n      \"sni\": ", out);
	json_str_or_null(out, t->sni);
	fputs(",\n      \"alpn\": ", out);
	json_str_or_null(out, t->alpn);
	fputs(",\n      \"alpn_offered\": [", out);
	if (t->alpn_offered && *t->alpn_offered) {
		const char *s = t->alpn_offered;
		for (bool first = true; s; first = false) {
			const char *e = strchr(s, ',');
			size_t l = e ? (size_t)(e - s) : strlen(s);
			char tmp[512];
			if (l >= sizeof tmp)
				l = sizeof tmp - 1;
			memcpy(tmp, s, l);
			tmp[l] = 0;
			if (!first)
				fputs(", ", out);
			json_s(out, tmp);
			s = e ? e + 1 : NULL;
		}
	}
	fputs("],\n      \"cipher\": ", out);
	cipher_str(t, cb, sizeof cb);
	json_str_or_null(out, cb[0] ? cb : NULL);
	fprintf(out, ",\n      \"starttls\": %s", t->starttls ? "true" : "false");
	fprintf(out, ",\n      \"resumed\": %s", t->resumed ? "true" : "false");
	fprintf(out, ",\n      \"hello_retry\": %s", t->hrr ? "true" : "false");
	fprintf(out, ",\n      \"cert_requested\": %s", t->cert_requested ? "true" : "false");
	fputs(",\n      \"server_cert\": ", out);
	json_cert(out, &t->server_cert, tm_server_cert_status_name(t->server_cert_status));
	fputs(",\n      \"client_cert\": ", out);
	json_s(out, tm_client_cert_name(t->client_cert));
	fprintf(out, ",\n      \"client_cert_inferred\": %s", t->client_cert_inferred ? "true" : "false");
	fputs(",\n      \"client_identity\": ", out);
	json_str_or_null(out, t->client_identity);
	if (t->client_cert == TM_CC_YES && t->client_certificate.subject) {
		fputs(",\n      \"client_certificate\": ", out);
		json_cert(out, &t->client_certificate, NULL);
	}
	fputs("\n    }", out);
}

tm_err tm_render_flows_json(const tm_flowset *fs, FILE *out)
{
	char ip[64];
	fputs("[", out);
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		fputs(i ? ",\n  {\n" : "\n  {\n", out);
		fputs(f->proto == 6 ? "    \"transport\": \"tcp\",\n" : "    \"transport\": \"udp\",\n", out);
		tm_flow_format_ip(f, true, ip, sizeof ip);
		fputs("    \"src_ip\": \"", out);
		fputs(ip, out);
		fputs("\",\n    \"src_port\": ", out);
		put_u64(out, f->cli_port);
		tm_flow_format_ip(f, false, ip, sizeof ip);
		fputs(",\n    \"dst_ip\": \"", out);
		fputs(ip, out);
		fputs("\",\n    \"dst_port\": ", out);
		put_u64(out, f->srv_port);
		fputs(",\n    \"packets\": ", out);
		put_u64(out, f->packets);
		fputs(",\n    \"bytes\": ", out);
		put_u64(out, f->bytes);
		fputs(",\n    \"first\": ", out);
		fmt_time(out, f->first_us);
		fputs(",\n    \"last\": ", out);
		fmt_time(out, f->last_us);
		fputs(",\n    \"app\": \"", out);
		fputs(tm_app_name((tm_app)f->app), out);
		fputs("\",\n    \"mesh\": ", out);
		json_str_or_null(out, tm_mesh_name((tm_mesh)f->mesh));
		fputs(",\n    \"http\": ", out);
		if (f->http) {
			fputs("{\"method\": ", out);
			json_str_or_null(out, f->http->method);
			fputs(", \"host\": ", out);
			json_str_or_null(out, f->http->host);
			fputs(", \"path\": ", out);
			json_str_or_null(out, f->http->path);
			fputs("}", out);
		} else {
			fputs("null", out);
		}
		fputs(",\n    \"tls\": ", out);
		if (f->tls)
			json_tls(out, f->tls);
		else
			fputs("null", out);
		fputs("\n  }", out);
	}
	fputs(fs->nflows ? "\n]\n" : "]\n", out);
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

static void csv_opt(FILE *out, const char *s)
{
	fputc(',', out);
	if (s)
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
		cipher_str(t, cb, sizeof cb);
		csv_opt(out, cb[0] ? cb : NULL);
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
	const char *name, *descr;
	uint64_t v;
	for (size_t i = 0; tm_pcap_stat_get(&fs->stats, i, &name, &descr, &v); i++)
		fprintf(out, "%-24s %12llu  # %s\n", name, (unsigned long long)v, descr);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
