/* flows.c - `trustmap flows` output: txt (one line per connection), json
 * (an array, keys in a fixed order), csv (one header line, flat columns). */
#include "render/flows.h"
#include "render/render.h"
#include "render/jsonw.h"
#include "analyzer/flowmap.h"

#include <stdlib.h>
#include <string.h>

/* one thread writes the output: skip stdio's per-call locking */
#define fputs fputs_unlocked
#define fwrite fwrite_unlocked
#define fputc fputc_unlocked

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

/* ---- json: through render/jsonw.h ---------------------------------------- */
static void json_cert(tm_jsonw *o, const tm_cert *c, const char *status)
{
	TM_JSONW_LIT(o, "{");
	if (status) {
		TM_JSONW_LIT(o, "\"status\": ");
		tm_jsonw_str(o, status);
		TM_JSONW_LIT(o, ", ");
	}
	TM_JSONW_LIT(o, "\"subject\": ");
	tm_jsonw_str(o, c->subject);
	TM_JSONW_LIT(o, ", \"issuer\": ");
	tm_jsonw_str(o, c->issuer);
	TM_JSONW_LIT(o, ", \"sans\": [");
	for (size_t i = 0; i < c->nsans; i++) {
		if (i)
			TM_JSONW_LIT(o, ", ");
		tm_jsonw_str(o, c->sans[i]);
	}
	TM_JSONW_LIT(o, "], \"not_before\": ");
	tm_jsonw_str(o, c->not_before);
	TM_JSONW_LIT(o, ", \"not_after\": ");
	tm_jsonw_str(o, c->not_after);
	TM_JSONW_LIT(o, "}");
}

static void json_tls(tm_jsonw *o, const tm_tls *t)
{
	char cb[64];
	TM_JSONW_LIT(o, "{\n      \"version\": ");
	tm_jsonw_str(o, tm_tls_version_name(t->version));
	TM_JSONW_LIT(o, ",\n      \"offered_version\": ");
	tm_jsonw_str(o, tm_tls_version_name(t->offered_version));
	TM_JSONW_LIT(o, ",\n      \"sni\": ");
	tm_jsonw_str(o, t->sni);
	TM_JSONW_LIT(o, ",\n      \"alpn\": ");
	tm_jsonw_str(o, t->alpn);
	TM_JSONW_LIT(o, ",\n      \"alpn_offered\": [");
	if (t->alpn_offered && *t->alpn_offered) {
		const char *s = t->alpn_offered;
		for (bool first = true; s; first = false) {
			const char *e = strchr(s, ',');
			size_t l = e ? (size_t)(e - s) : strlen(s);
			if (!first)
				TM_JSONW_LIT(o, ", ");
			tm_jsonw_str_n(o, s, l);
			s = e ? e + 1 : NULL;
		}
	}
	TM_JSONW_LIT(o, "],\n      \"cipher\": ");
	tm_jsonw_str(o, cipher_str(t, cb));
	TM_JSONW_LIT(o, ",\n      \"starttls\": ");
	tm_jsonw_bool(o, t->starttls);
	TM_JSONW_LIT(o, ",\n      \"resumed\": ");
	tm_jsonw_bool(o, t->resumed);
	TM_JSONW_LIT(o, ",\n      \"hello_retry\": ");
	tm_jsonw_bool(o, t->hrr);
	TM_JSONW_LIT(o, ",\n      \"cert_requested\": ");
	tm_jsonw_bool(o, t->cert_requested);
	TM_JSONW_LIT(o, ",\n      \"server_cert\": ");
	json_cert(o, &t->server_cert, tm_server_cert_status_name(t->server_cert_status));
	TM_JSONW_LIT(o, ",\n      \"client_cert\": ");
	tm_jsonw_str(o, tm_client_cert_name(t->client_cert));
	TM_JSONW_LIT(o, ",\n      \"client_cert_inferred\": ");
	tm_jsonw_bool(o, t->client_cert_inferred);
	TM_JSONW_LIT(o, ",\n      \"client_identity\": ");
	tm_jsonw_str(o, t->client_identity);
	if (t->client_cert == TM_CC_YES && t->client_certificate.subject) {
		TM_JSONW_LIT(o, ",\n      \"client_certificate\": ");
		json_cert(o, &t->client_certificate, NULL);
	}
	TM_JSONW_LIT(o, "\n    }");
}

static const char *transport(const tm_flow *f)
{
	return f->proto == 6 ? "tcp" : f->proto == 132 ? "sctp" : "udp";
}

/* where record f was observed: {"file", "packet"|"line", "tls"[, "l7"]} (docs/flows.md) */
static void json_seen_in(tm_jsonw *o, const tm_flowset *fs, const tm_flow *f)
{
	tm_flow_where w;
	tm_flow_where_of(fs, f, &w);
	TM_JSONW_LIT(o, "{\"file\": ");
	tm_jsonw_str(o, w.file);
	TM_JSONW_LIT(o, ", \"");
	tm_jsonw_raws(o, w.unit);
	TM_JSONW_LIT(o, "\": ");
	if (w.pos)
		tm_jsonw_u64(o, w.pos);
	else
		TM_JSONW_LIT(o, "null");
	TM_JSONW_LIT(o, ", \"tls\": ");
	if (w.tls) {
		TM_JSONW_LIT(o, "{\"file\": ");
		tm_jsonw_str(o, w.tls_file);
		TM_JSONW_LIT(o, ", \"line\": ");
		if (w.tls_pos)
			tm_jsonw_u64(o, w.tls_pos);
		else
			TM_JSONW_LIT(o, "null");
		TM_JSONW_LIT(o, "}");
	} else
		TM_JSONW_LIT(o, "null");
	if (w.l7_pos) {
		/* Hubble: the L7 event that showed plaintext, when not the first */
		TM_JSONW_LIT(o, ", \"l7\": {\"line\": ");
		tm_jsonw_u64(o, w.l7_pos);
		TM_JSONW_LIT(o, "}");
	}
	TM_JSONW_LIT(o, "}");
}

/* one end as the flow log named it: {namespace, pod, workload, kind, identity, world} */
static void json_peer(tm_jsonw *o, const tm_flow_peer *p)
{
	TM_JSONW_LIT(o, "{\"namespace\": ");
	tm_jsonw_str(o, p ? p->ns : NULL);
	TM_JSONW_LIT(o, ", \"pod\": ");
	tm_jsonw_str(o, p ? p->pod : NULL);
	TM_JSONW_LIT(o, ", \"workload\": ");
	tm_jsonw_str(o, p ? p->workload : NULL);
	TM_JSONW_LIT(o, ", \"kind\": ");
	tm_jsonw_str(o, p ? p->kind : NULL);
	TM_JSONW_LIT(o, ", \"identity\": ");
	tm_jsonw_str(o, p ? p->identity : NULL);
	TM_JSONW_LIT(o, ", \"world\": ");
	tm_jsonw_bool(o, p && p->world);
	TM_JSONW_LIT(o, "}");
}

/* What a flow log said of record f besides the connection (docs/flows.md
 * "flow_log"): the flags judgements read (content unseen, an attempt
 * without an answer, ...) and the facts they name (pods, uid, drop
 * reason), so that a summary read back judges as the log did. null for a
 * record with neither (captures). */
static void json_flow_log(tm_jsonw *o, const tm_flowset *fs, const tm_flow *f)
{
	const tm_flow_meta *m = tm_flow_meta_of(fs, f);
	if (!m && !f->flags) {
		TM_JSONW_LIT(o, "null");
		return;
	}
	TM_JSONW_LIT(o, "{\"content_unseen\": ");
	tm_jsonw_bool(o, f->flags & TM_FLOW_F_CONTENT_UNSEEN);
	TM_JSONW_LIT(o, ", \"attempt\": ");
	tm_jsonw_bool(o, f->flags & TM_FLOW_F_ATTEMPT);
	TM_JSONW_LIT(o, ", \"encrypted\": ");
	tm_jsonw_bool(o, f->flags & TM_FLOW_F_ENCRYPTED);
	TM_JSONW_LIT(o, ", \"policy_drop\": ");
	tm_jsonw_bool(o, f->flags & TM_FLOW_F_POLICY_DROP);
	TM_JSONW_LIT(o, ", \"drop_reason\": ");
	tm_jsonw_str(o, m ? m->drop_reason : NULL);
	TM_JSONW_LIT(o, ", \"policy\": ");
	tm_jsonw_str(o, m ? m->policy : NULL);
	TM_JSONW_LIT(o, ", \"uid\": ");
	tm_jsonw_str(o, m ? m->uid : NULL);
	TM_JSONW_LIT(o, ", \"service\": ");
	tm_jsonw_str(o, m ? m->service : NULL);
	TM_JSONW_LIT(o, ", \"node\": ");
	tm_jsonw_str(o, m ? m->node : NULL);
	TM_JSONW_LIT(o, ", \"direction\": ");
	tm_jsonw_str(o, m ? m->direction : NULL);
	TM_JSONW_LIT(o, ", \"events\": ");
	tm_jsonw_u64(o, m ? m->events : 0);
	TM_JSONW_LIT(o, ", \"src\": ");
	json_peer(o, m ? &m->src : NULL);
	TM_JSONW_LIT(o, ", \"dst\": ");
	json_peer(o, m ? &m->dst : NULL);
	TM_JSONW_LIT(o, "}");
}

/* the mapping of record i, or NULL without manifests */
static const tm_fm_flow *mapping(const tm_flowmap *obs, size_t i)
{
	return obs && i < obs->n ? &obs->v[i] : NULL;
}

static const char *svc_name(const tm_graph *g, const tm_fm_flow *of, char *buf, size_t cap)
{
	if (!of || of->svc < 0)
		return NULL;
	const tm_service *s = g->m->services[of->svc];
	snprintf(buf, cap, "%s/%s", s->ns, s->name);
	return buf;
}

tm_err tm_render_flows_json(const tm_flowset *fs, FILE *out)
{
	return tm_render_flows_json_obs(fs, NULL, NULL, out);
}

tm_err tm_render_flows_json_obs(const tm_flowset *fs, const tm_graph *g, const tm_flowmap *obs, FILE *out)
{
	char sb[600];
	char ip[64];
	tm_jsonw *o = tm_jsonw_new(out);
	if (!o)
		return TM_ERR_NOMEM;
	TM_JSONW_LIT(o, "[");
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		if (i)
			TM_JSONW_LIT(o, ",\n  {\n");
		else
			TM_JSONW_LIT(o, "\n  {\n");
		TM_JSONW_LIT(o, "    \"transport\": ");
		tm_jsonw_str(o, transport(f));
		TM_JSONW_LIT(o, ",\n    \"src_ip\": ");
		tm_flow_format_ip(f, true, ip, sizeof ip);
		tm_jsonw_str(o, ip);
		TM_JSONW_LIT(o, ",\n    \"src_port\": ");
		tm_jsonw_u64(o, f->cli_port);
		tm_flow_format_ip(f, false, ip, sizeof ip);
		TM_JSONW_LIT(o, ",\n    \"dst_ip\": ");
		tm_jsonw_str(o, ip);
		TM_JSONW_LIT(o, ",\n    \"dst_port\": ");
		tm_jsonw_u64(o, f->srv_port);
		TM_JSONW_LIT(o, ",\n    \"packets\": ");
		tm_jsonw_u64(o, f->packets);
		TM_JSONW_LIT(o, ",\n    \"bytes\": ");
		tm_jsonw_u64(o, f->bytes);
		TM_JSONW_LIT(o, ",\n    \"first\": ");
		tm_jsonw_fixed6(o, f->first_us);
		TM_JSONW_LIT(o, ",\n    \"last\": ");
		tm_jsonw_fixed6(o, f->last_us);
		TM_JSONW_LIT(o, ",\n    \"app\": ");
		tm_jsonw_str(o, tm_app_name((tm_app)f->app));
		TM_JSONW_LIT(o, ",\n    \"mesh\": ");
		tm_jsonw_str(o, tm_mesh_name((tm_mesh)f->mesh));
		TM_JSONW_LIT(o, ",\n    \"http\": ");
		if (f->http) {
			TM_JSONW_LIT(o, "{\"method\": ");
			tm_jsonw_str(o, f->http->method);
			TM_JSONW_LIT(o, ", \"host\": ");
			tm_jsonw_str(o, f->http->host);
			TM_JSONW_LIT(o, ", \"path\": ");
			tm_jsonw_str(o, f->http->path);
			TM_JSONW_LIT(o, "}");
		} else {
			TM_JSONW_LIT(o, "null");
		}
		TM_JSONW_LIT(o, ",\n    \"tls\": ");
		if (f->tls)
			json_tls(o, f->tls);
		else
			TM_JSONW_LIT(o, "null");
		TM_JSONW_LIT(o, ",\n    \"source\": ");
		tm_jsonw_str(o, tm_flow_origin_name((tm_flow_origin)f->origin));
		TM_JSONW_LIT(o, ",\n    \"seen_in\": ");
		json_seen_in(o, fs, f);
		TM_JSONW_LIT(o, ",\n    \"verdict\": ");
		tm_jsonw_str(o, tm_flow_verdict_name((tm_flow_verdict)f->verdict));
		TM_JSONW_LIT(o, ",\n    \"flow_log\": ");
		json_flow_log(o, fs, f);
		const tm_fm_flow *of = mapping(obs, i);
		if (of) {
			TM_JSONW_LIT(o, ",\n    \"src_workload\": ");
			tm_jsonw_str(o, tm_flowmap_end_name(g, of, true));
			TM_JSONW_LIT(o, ",\n    \"dst_workload\": ");
			tm_jsonw_str(o, tm_flowmap_end_name(g, of, false));
			TM_JSONW_LIT(o, ",\n    \"dst_service\": ");
			tm_jsonw_str(o, svc_name(g, of, sb, sizeof sb));
			TM_JSONW_LIT(o, ",\n    \"allowed_by_policy\": ");
			if (of->allowed < 0)
				TM_JSONW_LIT(o, "null");
			else
				tm_jsonw_bool(o, of->allowed == 1);
			TM_JSONW_LIT(o, ",\n    \"unmapped\": ");
			tm_jsonw_str(o, of->why ? tm_unmap_reason_text((tm_unmap_reason)of->why) : NULL);
		}
		TM_JSONW_LIT(o, "\n  }");
	}
	if (fs->nflows)
		TM_JSONW_LIT(o, "\n]\n");
	else
		TM_JSONW_LIT(o, "]\n");
	return tm_jsonw_close(o);
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
	return tm_render_flows_txt_obs(fs, NULL, NULL, out);
}

tm_err tm_render_flows_txt_obs(const tm_flowset *fs, const tm_graph *g, const tm_flowmap *obs, FILE *out)
{
	char sb[600];
	if (!fs->nflows)
		fputs("no TCP or UDP connections\n", out);
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		fmt_time(out, f->first_us);
		fprintf(out, " %s ", transport(f));
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
		fprintf(out, " packets=%llu bytes=%llu", (unsigned long long)f->packets, (unsigned long long)f->bytes);
		if (f->origin != TM_FLOW_FROM_CAPTURE)
			fprintf(out, " source=%s", tm_flow_origin_name((tm_flow_origin)f->origin));
		if (f->verdict)
			fprintf(out, " verdict=%s", tm_flow_verdict_name((tm_flow_verdict)f->verdict));
		/* a drop names the policy it is known by (the denying one when the
		 * flow log says): quoted when a kind is part of it */
		const tm_flow_meta *fm = tm_flow_meta_of(fs, f);
		if ((f->verdict == TM_VERDICT_DROPPED || f->verdict == TM_VERDICT_ERROR) && fm && fm->policy) {
			const char *q = strchr(fm->policy, ' ') ? "\"" : "";
			fprintf(out, " policy=%s%s%s", q, fm->policy, q);
		}
		const tm_fm_flow *of = mapping(obs, i);
		if (of) {
			const char *sn = tm_flowmap_end_name(g, of, true), *dn = tm_flowmap_end_name(g, of, false);
			fprintf(out, " src=%s dst=%s", sn ? sn : "?", dn ? dn : "?");
			if (of->svc >= 0)
				fprintf(out, " svc=%s", svc_name(g, of, sb, sizeof sb));
			if (of->why)
				fprintf(out, " unmapped (%s)", tm_unmap_reason_text((tm_unmap_reason)of->why));
			else
				fprintf(out, " %s", of->allowed ? "allowed" : "DENIED");
		}
		fputc('\n', out);
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
	return tm_render_flows_csv_obs(fs, NULL, NULL, out);
}

/* the columns after client_identity */
static void csv_tail(FILE *out, const tm_flow *f, const tm_graph *g, const tm_fm_flow *of)
{
	char sb[600];
	csv_opt(out, tm_flow_origin_name((tm_flow_origin)f->origin));
	csv_opt(out, tm_flow_verdict_name((tm_flow_verdict)f->verdict));
	csv_opt(out, of ? tm_flowmap_end_name(g, of, true) : NULL);
	csv_opt(out, of ? tm_flowmap_end_name(g, of, false) : NULL);
	csv_opt(out, svc_name(g, of, sb, sizeof sb));
	fputs(!of || of->allowed < 0 ? "," : of->allowed ? ",true" : ",false", out);
	fputc('\n', out);
}

tm_err tm_render_flows_csv_obs(const tm_flowset *fs, const tm_graph *g, const tm_flowmap *obs, FILE *out)
{
	char ip[64], cb[64];
	fputs("transport,src_ip,src_port,dst_ip,dst_port,packets,bytes,first,last,app,mesh,http_method,"
	      "http_host,http_path,tls_version,sni,alpn,cipher,starttls,server_cert_status,"
	      "server_subject,server_issuer,server_sans,client_cert,client_cert_inferred,client_identity,"
	      "source,verdict,src_workload,dst_workload,dst_service,allowed_by_policy\n",
	      out);
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		const tm_tls *t = f->tls;
		fputs(transport(f), out);
		fputc(',', out);
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
			fputs(",,,,,,,,,,,,", out);
			csv_tail(out, f, g, mapping(obs, i));
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
		csv_tail(out, f, g, mapping(obs, i));
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
