/* flowjson.c - flow summaries (`trustmap flows -f json`) back into a
 * tm_flowset (flowjson.h): a bounded scanner splits the top-level array into
 * its elements, jansson parses each one, and every field the renderer
 * writes is read back into the same tm_flow, so that rendering what was read
 * gives the input again byte for byte. */
#include "ingest/flowjson/flowjson.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct cipher_name {
	uint16_t id;
	const char *name;
} cipher_name;

static const cipher_name ciphers[] = {
#include "ingest/capture/tls_ciphers.inc"
};

/* One summary being read. */
typedef struct rd {
	tm_flowset *fs;
	const char *name;   /* interned */
	uint32_t source;
	size_t max_flows;
	tm_buf elem;        /* the element being scanned */
	unsigned line, col; /* position of the next byte */
	unsigned eline, ecol; /* where the element started */
	/* scanner state */
	enum { S_START, S_BEFORE_ELEM, S_ELEM, S_AFTER_ELEM, S_END } state;
	unsigned depth;
	bool in_str, esc, any; /* any: an element was read (for "[1,]" vs "[]") */
	tm_err err;
} rd;

/* the first error of the summary, "msg" with arg in place of its %s */
static tm_err fail(rd *r, unsigned line, unsigned col, tm_err e, const char *msg, const char *arg)
{
	if (r->err != TM_OK)
		return r->err;
	tm_srcloc l = {r->name, line, col};
	const char *pct = strstr(msg, "%s");
	int pre = pct ? (int)(pct - msg) : (int)strlen(msg);
	tm_diags_add(&r->fs->diags, TM_DIAG_ERROR, l, "%.*s%s%s", pre, msg, pct && arg ? arg : "", pct ? pct + 2 : "");
	r->err = e;
	return e;
}

/* ---- fields ---------------------------------------------------------------- */
static const char *str_of(rd *r, const json_t *v)
{
	return json_is_string(v) ? tm_intern_n(&r->fs->strs, json_string_value(v), json_string_length(v)) : NULL;
}

/* a string member, or null/absent (NULL); false when it is another type */
static bool get_str(rd *r, const json_t *o, const char *key, const char **out)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	*out = str_of(r, v);
	return true;
}

static bool get_u64(const json_t *o, const char *key, uint64_t max, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* "first"/"last": seconds with six decimals (tm_jsonw_fixed6). The whole
 * seconds and the fraction are taken apart before rounding, so that times
 * up to 2^32 s (year 2106) come back to the microsecond. */
static bool get_time(const json_t *o, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		/* as for a real below: the renderer writes it with decimals, which
		 * must read back */
		if (i >= 4294967296 || i <= -4294967296)
			return false;
		*out = (int64_t)i * 1000000;
		return true;
	}
	if (!json_is_real(v))
		return false;
	double d = json_real_value(v), s = floor(d);
	if (!(fabs(s) < 4294967296.0)) /* to the microsecond up to 2^32 s (year 2106) */
		return false;
	*out = (int64_t)s * 1000000 + (int64_t)llround((d - s) * 1e6);
	return true;
}

static bool get_bool(const json_t *o, const char *key, bool *out)
{
	const json_t *v = json_object_get(o, key);
	*out = false;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

static bool parse_ip(const char *s, tm_ip *ip, uint8_t *family)
{
	if (!s || !tm_ip_parse(s, ip))
		return false;
	*family = strchr(s, ':') ? 6 : 4;
	return true;
}

static bool version_of(const char *s, uint16_t *v)
{
	static const struct { const char *name; uint16_t v; } vs[] = {
		{"SSL 3.0", 0x0300}, {"1.0", 0x0301}, {"1.1", 0x0302}, {"1.2", 0x0303}, {"1.3", 0x0304},
		{"unknown", 0x7f00}, /* a version the capture reader did not name */
	};
	*v = 0;
	if (!s)
		return true;
	for (size_t i = 0; i < TM_ARRAY_LEN(vs); i++)
		if (!strcmp(s, vs[i].name)) {
			*v = vs[i].v;
			return true;
		}
	return false;
}

/* the cipher suite by IANA name or "0x1A2B" */
static bool cipher_of(const char *s, int32_t *c, const char **name)
{
	*c = -1;
	*name = NULL;
	if (!s)
		return true;
	if (s[0] == '0' && s[1] == 'x' && strlen(s) == 6 && strspn(s + 2, "0123456789ABCDEF") == 4) {
		*c = (int32_t)strtol(s + 2, NULL, 16);
		return true;
	}
	for (size_t i = 0; i < TM_ARRAY_LEN(ciphers); i++)
		if (!strcmp(ciphers[i].name, s)) {
			*c = ciphers[i].id;
			*name = s;
			return true;
		}
	return false;
}

static bool cert_of(rd *r, const json_t *o, tm_cert *c, tm_server_cert_status *status)
{
	memset(c, 0, sizeof *c);
	if (!json_is_object(o))
		return false;
	if (status) {
		const char *st = NULL;
		if (!get_str(r, o, "status", &st) || !st)
			return false;
		bool found = false;
		for (int i = TM_SC_MISSING; i <= TM_SC_UNPARSED && !found; i++)
			if (!strcmp(st, tm_server_cert_status_name((tm_server_cert_status)i))) {
				*status = (tm_server_cert_status)i;
				found = true;
			}
		if (!found)
			return false;
	}
	if (!get_str(r, o, "subject", &c->subject) || !get_str(r, o, "issuer", &c->issuer) ||
	    !get_str(r, o, "not_before", &c->not_before) || !get_str(r, o, "not_after", &c->not_after))
		return false;
	const json_t *sans = json_object_get(o, "sans");
	if (sans && !json_is_array(sans))
		return false;
	c->nsans = sans ? json_array_size(sans) : 0;
	if (c->nsans) {
		c->sans = tm_arena_alloc(&r->fs->arena, c->nsans * sizeof *c->sans);
		for (size_t i = 0; i < c->nsans; i++)
			if (!(c->sans[i] = str_of(r, json_array_get(sans, i))))
				return false;
	}
	return true;
}

/* NULL with *bad set to the field in error */
static tm_tls *tls_of(rd *r, const json_t *o, const char **bad)
{
	tm_tls *t = tm_arena_alloc(&r->fs->arena, sizeof *t);
	memset(t, 0, sizeof *t);
	const char *s = NULL;
	if (!get_str(r, o, "version", &s) || !version_of(s, &t->version))
		return *bad = "tls.version", NULL;
	if (!get_str(r, o, "offered_version", &s) || !version_of(s, &t->offered_version))
		return *bad = "tls.offered_version", NULL;
	if (!get_str(r, o, "sni", &t->sni))
		return *bad = "tls.sni", NULL;
	if (!get_str(r, o, "alpn", &t->alpn))
		return *bad = "tls.alpn", NULL;
	const json_t *ao = json_object_get(o, "alpn_offered");
	if (ao && !json_is_array(ao))
		return *bad = "tls.alpn_offered", NULL;
	if (ao && json_array_size(ao)) {
		tm_buf b;
		tm_buf_init(&b, TM_FLOWJSON_MAX_RECORD);
		for (size_t i = 0; i < json_array_size(ao); i++) {
			const json_t *e = json_array_get(ao, i);
			if (!json_is_string(e)) {
				tm_buf_release(&b);
				return *bad = "tls.alpn_offered", NULL;
			}
			if (i)
				(void)tm_buf_addc(&b, ',');
			(void)tm_buf_add(&b, json_string_value(e), json_string_length(e));
		}
		t->alpn_offered = tm_intern_n(&r->fs->strs, tm_buf_str(&b), b.len);
		tm_buf_release(&b);
	}
	if (!get_str(r, o, "cipher", &s) || !cipher_of(s, &t->cipher, &t->cipher_name))
		return *bad = "tls.cipher", NULL;
	if (!get_bool(o, "starttls", &t->starttls) || !get_bool(o, "resumed", &t->resumed) ||
	    !get_bool(o, "hello_retry", &t->hrr) || !get_bool(o, "cert_requested", &t->cert_requested) ||
	    !get_bool(o, "client_cert_inferred", &t->client_cert_inferred))
		return *bad = "tls (a flag)", NULL;
	if (!cert_of(r, json_object_get(o, "server_cert"), &t->server_cert, &t->server_cert_status))
		return *bad = "tls.server_cert", NULL;
	if (!get_str(r, o, "client_cert", &s) || !s)
		return *bad = "tls.client_cert", NULL;
	if (!strcmp(s, "yes"))
		t->client_cert = TM_CC_YES;
	else if (!strcmp(s, "no"))
		t->client_cert = TM_CC_NO;
	else if (!strcmp(s, "unknown"))
		t->client_cert = TM_CC_UNKNOWN;
	else
		return *bad = "tls.client_cert", NULL;
	if (!get_str(r, o, "client_identity", &t->client_identity))
		return *bad = "tls.client_identity", NULL;
	const json_t *cc = json_object_get(o, "client_certificate");
	if (cc && !cert_of(r, cc, &t->client_certificate, NULL))
		return *bad = "tls.client_certificate", NULL;
	return t;
}

/* a position member: a count from 1, or null (0: not known) */
static bool get_pos(const json_t *o, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);
	*out = 0;
	if (json_is_null(v))
		return true;
	return get_u64(o, key, UINT64_MAX, out) && *out;
}

/* "seen_in" (docs/flows.md): where the record was observed, {file, packet
 * (pcap) or line, tls: null or {file, line}, and for Hubble l7: {line} when
 * set}; absent (a summary of an older version) or null: not known. false
 * when it is malformed. */
static bool seen_of(rd *r, const json_t *o, tm_flow_origin origin, tm_flow_seen *s)
{
	const json_t *v = json_object_get(o, "seen_in");
	memset(s, 0, sizeof *s);
	if (!v || json_is_null(v))
		return true;
	const char *unit = tm_flow_pos_unit(origin);
	if (!json_is_object(v) || !get_str(r, v, "file", &s->file) || !get_pos(v, unit, &s->pos))
		return false;
	/* the other unit's key would be read back as nothing */
	if (json_object_get(v, strcmp(unit, "packet") ? "packet" : "line"))
		return false;
	/* Hubble: the L7 event that showed plaintext, after the first */
	const json_t *l7 = json_object_get(v, "l7");
	if (l7 && (origin != TM_FLOW_FROM_HUBBLE || !json_is_object(l7) || json_is_null(json_object_get(l7, "line")) ||
		   !get_pos(l7, "line", &s->content_pos)))
		return false;
	const json_t *t = json_object_get(v, "tls");
	if (!t || json_is_null(t))
		return true;
	s->tls = true;
	return json_is_object(t) && get_str(r, t, "file", &s->tls_file) && get_pos(t, "line", &s->tls_pos);
}

/* one end in "flow_log": {namespace, pod, workload, kind, identity, world},
 * each null or absent when not known; the whole null or absent: nothing */
static bool peer_of(rd *r, const json_t *v, tm_flow_peer *p)
{
	memset(p, 0, sizeof *p);
	if (!v || json_is_null(v))
		return true;
	return json_is_object(v) && get_str(r, v, "namespace", &p->ns) && get_str(r, v, "pod", &p->pod) &&
	       get_str(r, v, "workload", &p->workload) && get_str(r, v, "kind", &p->kind) &&
	       get_str(r, v, "identity", &p->identity) && get_bool(v, "world", &p->world);
}

/* "flow_log" (docs/flows.md): what the flow log said besides the
 * connection. An object gives f its flags and a tm_flow_meta with the
 * facts (every member may be absent or null: not known); null gives
 * neither. Absent (a summary of an older version) is read as that version
 * read it: *absent is set and f keeps no flag. NULL, or the field in error. */
static const char *flow_log_of(rd *r, const json_t *o, tm_flow *f, bool *absent)
{
	static const struct { const char *key, *field; uint8_t flag; } flags[] = {
		{"content_unseen", "flow_log.content_unseen", TM_FLOW_F_CONTENT_UNSEEN},
		{"attempt", "flow_log.attempt", TM_FLOW_F_ATTEMPT},
		{"encrypted", "flow_log.encrypted", TM_FLOW_F_ENCRYPTED},
		{"policy_drop", "flow_log.policy_drop", TM_FLOW_F_POLICY_DROP},
	};
	const json_t *v = json_object_get(o, "flow_log");
	*absent = !v;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_object(v))
		return "flow_log";
	for (size_t i = 0; i < TM_ARRAY_LEN(flags); i++) {
		bool b;
		if (!get_bool(v, flags[i].key, &b))
			return flags[i].field;
		if (b)
			f->flags |= flags[i].flag;
	}
	tm_flow_meta *m = tm_flowset_add_meta(r->fs, f);
	if (!m)
		return "flow_log (out of memory)";
	const struct { const char *key, *field; const char **to; } strs[] = {
		{"drop_reason", "flow_log.drop_reason", &m->drop_reason},
		{"policy", "flow_log.policy", &m->policy},
		{"uid", "flow_log.uid", &m->uid},
		{"service", "flow_log.service", &m->service},
		{"node", "flow_log.node", &m->node},
		{"direction", "flow_log.direction", &m->direction},
	};
	for (size_t i = 0; i < TM_ARRAY_LEN(strs); i++)
		if (!get_str(r, v, strs[i].key, strs[i].to))
			return strs[i].field;
	const json_t *ev = json_object_get(v, "events");
	if (ev && !json_is_null(ev) && !get_u64(v, "events", UINT64_MAX, &m->events))
		return "flow_log.events";
	if (!peer_of(r, json_object_get(v, "src"), &m->src))
		return "flow_log.src";
	if (!peer_of(r, json_object_get(v, "dst"), &m->dst))
		return "flow_log.dst";
	return NULL;
}

/* one array element: a record, or a diagnostic naming the field */
static tm_err record(rd *r, const json_t *o)
{
	tm_flow f;
	memset(&f, 0, sizeof f);
	const char *bad = NULL, *s = NULL;
	uint64_t u = 0;
	if (!json_is_object(o))
		return fail(r, r->eline, r->ecol, TM_ERR_INVALID, "flow summary: a record is not an object%s", NULL);
	if (!get_str(r, o, "transport", &s) || !s || (strcmp(s, "tcp") && strcmp(s, "udp")))
		bad = "transport";
	f.proto = s && !strcmp(s, "udp") ? 17 : 6;
	uint8_t fam2 = 0;
	if (!bad && (!get_str(r, o, "src_ip", &s) || !parse_ip(s, &f.cli_ip, &f.family)))
		bad = "src_ip";
	if (!bad && (!get_str(r, o, "dst_ip", &s) || !parse_ip(s, &f.srv_ip, &fam2) || fam2 != f.family))
		bad = "dst_ip";
	if (!bad && !get_u64(o, "src_port", 65535, &u))
		bad = "src_port";
	f.cli_port = (uint16_t)u;
	if (!bad && !get_u64(o, "dst_port", 65535, &u))
		bad = "dst_port";
	f.srv_port = (uint16_t)u;
	if (!bad && !get_u64(o, "packets", UINT64_MAX, &f.packets))
		bad = "packets";
	if (!bad && !get_u64(o, "bytes", UINT64_MAX, &f.bytes))
		bad = "bytes";
	if (!bad && !get_time(o, "first", &f.first_us))
		bad = "first";
	if (!bad && (!get_time(o, "last", &f.last_us) || f.last_us < f.first_us))
		bad = "last";
	if (!bad) {
		bool found = false;
		if (get_str(r, o, "app", &s) && s)
			for (int i = 0; i < TM_APP__COUNT && !found; i++)
				if (!strcmp(s, tm_app_name((tm_app)i))) {
					f.app = (uint8_t)i;
					found = true;
				}
		if (!found)
			bad = "app";
	}
	if (!bad) {
		if (!get_str(r, o, "mesh", &s))
			bad = "mesh";
		else if (s && !strcmp(s, "istio"))
			f.mesh = TM_MESH_ISTIO;
		else if (s && !strcmp(s, "linkerd"))
			f.mesh = TM_MESH_LINKERD;
		else if (s)
			bad = "mesh";
	}
	if (!bad) {
		/* Hubble's verdict: a DROPPED record is no connection */
		if (!get_str(r, o, "verdict", &s))
			bad = "verdict";
		for (int k = TM_VERDICT_FORWARDED; !bad && s && k <= TM_VERDICT_UNKNOWN; k++)
			if (!strcmp(s, tm_flow_verdict_name((tm_flow_verdict)k)))
				f.verdict = (uint8_t)k;
		if (s && !f.verdict)
			bad = "verdict";
	}
	const json_t *h = json_object_get(o, "http");
	if (!bad && h && !json_is_null(h)) {
		f.http = tm_arena_alloc(&r->fs->arena, sizeof *f.http);
		if (!json_is_object(h) || !get_str(r, h, "method", &f.http->method) ||
		    !get_str(r, h, "host", &f.http->host) || !get_str(r, h, "path", &f.http->path))
			bad = "http";
	}
	const json_t *t = json_object_get(o, "tls");
	if (!bad && t && !json_is_null(t)) {
		if (!json_is_object(t))
			bad = "tls";
		else
			f.tls = tls_of(r, t, &bad);
	}
	bool no_flow_log = false;
	if (!bad)
		bad = flow_log_of(r, o, &f, &no_flow_log);
	if (bad)
		return fail(r, r->eline, r->ecol, TM_ERR_INVALID, "flow summary: record: field %s is missing or invalid",
			    bad);
	if (r->fs->nflows >= r->max_flows)
		return fail(r, r->eline, r->ecol, TM_ERR_LIMIT, "flow summary: more records than --max-flows%s", NULL);
	/* the record keeps the source it was observed by (pcap, hubble, zeek);
	 * that it came through a summary is its input's origin (fs->sources) */
	f.origin = TM_FLOW_FROM_SUMMARY;
	const json_t *src = json_object_get(o, "source");
	const char *sn = json_is_string(src) ? json_string_value(src) : NULL;
	for (int k = TM_FLOW_FROM_CAPTURE; sn && k < TM_FLOW_FROM_SUMMARY; k++)
		if (!strcmp(sn, tm_flow_origin_name((tm_flow_origin)k)))
			f.origin = (uint8_t)k;
	/* a summary without flow_log (an older version): Hubble's reader sees
	 * content only where its L7 proxy read HTTP, so its other records say
	 * nothing of plaintext or TLS; the other flags read as not set */
	if (no_flow_log && f.origin == TM_FLOW_FROM_HUBBLE && f.app != TM_APP_HTTP && !f.tls)
		f.flags |= TM_FLOW_F_CONTENT_UNSEEN;
	tm_flow_seen seen;
	if (!seen_of(r, o, (tm_flow_origin)f.origin, &seen))
		return fail(r, r->eline, r->ecol, TM_ERR_INVALID, "flow summary: record: field %s is missing or invalid",
			    "seen_in");
	f.source = r->source;
	f.order = (uint32_t)r->fs->nflows;
	TM_HEAP_GROW(r->fs->flows, r->fs->nflows, r->fs->capflows);
	r->fs->flows[r->fs->nflows++] = f;
	/* where the summary holds it: evidence names the observation through it */
	seen.via_file = r->source < r->fs->nsources ? r->fs->sources[r->source].name : NULL;
	seen.via_pos = r->eline;
	tm_flow_seen *e = tm_flowset_seen(r->fs, &r->fs->flows[r->fs->nflows - 1]);
	if (!e)
		return fail(r, r->eline, r->ecol, TM_ERR_NOMEM, "flow summary: out of memory%s", NULL);
	*e = seen;
	return TM_OK;
}

static tm_err element_done(rd *r)
{
	json_error_t je;
	json_t *o = json_loadb(tm_buf_str(&r->elem), r->elem.len, JSON_REJECT_DUPLICATES, &je);
	tm_err e;
	if (!o) {
		unsigned line = r->eline + (je.line > 1 ? (unsigned)je.line - 1 : 0);
		unsigned col = je.line > 1 ? (unsigned)je.column : r->ecol + (je.column > 0 ? (unsigned)je.column - 1 : 0);
		e = fail(r, line, col, TM_ERR_SYNTAX, "flow summary: %s", je.text);
	} else {
		e = record(r, o);
		json_decref(o);
	}
	tm_buf_reset(&r->elem);
	return e;
}

/* ---- the scanner: "[" element ("," element)* "]" ---------------------- */
static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static tm_err feed(rd *r, const char *p, size_t n)
{
	for (size_t i = 0; i < n && r->err == TM_OK; i++) {
		char c = p[i];
		unsigned line = r->line, col = r->col;
		if (c == '\n') {
			r->line++;
			r->col = 1;
		} else {
			r->col++;
		}
		switch (r->state) {
		case S_START:
			if (c != '[')
				return fail(r, line, col, TM_ERR_SYNTAX,
					    "not a flow summary (trustmap flows -f json): it does not start with '['%s", NULL);
			r->state = S_BEFORE_ELEM;
			break;
		case S_BEFORE_ELEM:
			if (is_ws(c))
				break;
			if (c == ']' && !r->any) {
				r->state = S_END;
				break;
			}
			if (c != '{')
				return fail(r, line, col, TM_ERR_SYNTAX, "flow summary: expected a record ('{')%s", NULL);
			r->state = S_ELEM;
			r->eline = line;
			r->ecol = col;
			r->depth = 0;
			r->in_str = r->esc = false;
			/* the brace is part of the element */
			/* FALLTHROUGH */
		case S_ELEM:
			if (tm_buf_addc(&r->elem, c) != TM_OK)
				return fail(r, r->eline, r->ecol, TM_ERR_LIMIT,
					    "flow summary: a record is longer than 1 MiB%s", NULL);
			if (r->in_str) {
				if (r->esc)
					r->esc = false;
				else if (c == '\\')
					r->esc = true;
				else if (c == '"')
					r->in_str = false;
			} else if (c == '"') {
				r->in_str = true;
			} else if (c == '{' || c == '[') {
				if (++r->depth > 64)
					return fail(r, line, col, TM_ERR_LIMIT, "flow summary: nested too deeply%s", NULL);
			} else if (c == '}' || c == ']') {
				if (--r->depth == 0) {
					r->any = true;
					r->state = S_AFTER_ELEM;
					if (element_done(r) != TM_OK)
						return r->err;
				}
			}
			break;
		case S_AFTER_ELEM:
			if (is_ws(c))
				break;
			if (c == ',')
				r->state = S_BEFORE_ELEM;
			else if (c == ']')
				r->state = S_END;
			else
				return fail(r, line, col, TM_ERR_SYNTAX, "flow summary: expected ',' or ']'%s", NULL);
			break;
		case S_END:
			if (!is_ws(c))
				return fail(r, line, col, TM_ERR_SYNTAX, "flow summary: text after the array%s", NULL);
			break;
		}
	}
	return r->err;
}

static tm_err rd_begin(rd *r, tm_flowset *fs, const char *name, size_t max_flows)
{
	memset(r, 0, sizeof *r);
	r->fs = fs;
	r->name = tm_intern(&fs->strs, name);
	r->max_flows = max_flows;
	r->line = r->col = 1;
	tm_buf_init(&r->elem, TM_FLOWJSON_MAX_RECORD);
	r->source = tm_flowset_add_source(fs, TM_FLOW_FROM_SUMMARY, name);
	return r->source == TM_FLOW_NO_SOURCE ? TM_ERR_NOMEM : TM_OK;
}

static tm_err rd_end(rd *r)
{
	if (r->err == TM_OK && r->state != S_END)
		fail(r, r->line, r->col, TM_ERR_SYNTAX, "flow summary: the array is not closed (truncated file?)%s", NULL);
	tm_buf_release(&r->elem);
	const tm_counter *c = tm_flowset_counter(r->fs, "summaries");
	(void)tm_flowset_counter_set(r->fs, "summaries", "flow summaries read (--merge)", (c ? c->value : 0) + 1);
	return r->err;
}

tm_err tm_flowjson_read_buffer(tm_flowset *fs, const char *name, const char *data, size_t len, size_t max_flows)
{
	rd r;
	tm_err e = rd_begin(&r, fs, name, max_flows);
	if (e != TM_OK) {
		tm_buf_release(&r.elem);
		return e;
	}
	(void)feed(&r, data, len);
	return rd_end(&r);
}

tm_err tm_flowjson_read_file(tm_flowset *fs, const char *path, size_t max_flows)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		tm_srcloc l = {tm_intern(&fs->strs, path), 0, 0};
		tm_diags_add(&fs->diags, TM_DIAG_ERROR, l, "cannot open: %s", strerror(errno));
		return TM_ERR_IO;
	}
	rd r;
	tm_err e = rd_begin(&r, fs, path, max_flows);
	char chunk[65536];
	size_t n;
	while (e == TM_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		e = feed(&r, chunk, n);
	if (e == TM_OK && ferror(f)) {
		fail(&r, r.line, r.col, TM_ERR_IO, "read error: %s", strerror(errno));
	}
	fclose(f);
	if (e == TM_ERR_NOMEM) {
		tm_buf_release(&r.elem);
		return e;
	}
	return rd_end(&r);
}

bool tm_flowjson_sniff_file(const char *path)
{
	/* only regular files: a byte read from a pipe (<(tcpdump -w -)) or a
	 * device would be lost to the capture reader */
	struct stat st;
	if (!strcmp(path, "-") || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	int c = getc(f);
	fclose(f);
	return c == '[';
}
