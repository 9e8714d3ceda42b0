/* zeek.c - Zeek conn.log + ssl.log, TSV or JSON lines (zeek.h). */
#include "ingest/zeek/zeek.h"
#include "ingest/flowlog/flowlog.h"
#include "ingest/flowlog/jscan.h"
#include "ingest/flowlog/lines.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef enum { LOG_UNKNOWN = 0, LOG_CONN, LOG_SSL } logkind;

/* the fields read, by name; a TSV header maps columns to these */
enum {
	F_TS, F_UID, F_OH, F_OP, F_RH, F_RP, F_PROTO, F_SERVICE, F_DURATION, F_OBYTES, F_RBYTES, F_STATE, F_OPKTS,
	F_RPKTS, F_OIPB, F_RIPB, F_VERSION, F_CIPHER, F_SNI, F_NEXTP, F_ESTAB, F_HIST, F_FPS, F_CFPS, F_FUIDS, F_CFUIDS,
	F_RESUMED, F__N
};
static const char *const fnames[F__N] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
	"orig_bytes", "resp_bytes", "conn_state", "orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes",
	"version", "cipher", "server_name", "next_protocol", "established", "ssl_history", "cert_chain_fps",
	"client_cert_chain_fps", "cert_chain_fuids", "client_cert_chain_fuids", "resumed",
};

/* one record's values: slices of the line; set: present and not unset */
typedef struct rec {
	const char *v[F__N];
	size_t n[F__N];
	bool set[F__N];
	bool list_nonempty[F__N]; /* sets: at least one element */
} rec;

typedef struct sslrec {
	const char *uid;
	tm_tls *tls;
	bool has_client_field;
	uint32_t source;   /* the ssl.log it was read from (tm_flowset.sources), or TM_FLOW_NO_SOURCE */
	uint64_t line;     /* its line there (1-based) */
} sslrec;

typedef struct zstats {
	uint64_t lines, conn, ssl, bad, too_long, other, non_l4, joined, ssl_unmatched, attempts, unknown_fields;
} zstats;

/* what a file's header said */
typedef struct tsvhdr {
	bool tsv;
	char sep, setsep;
	char unset[16], empty[16];
	logkind kind;
	int col[256];            /* column -> field, -1 unknown */
	size_t ncols;
	bool has_fields;
} tsvhdr;

struct tm_zeek {
	tm_flowset *fs;
	size_t max_line;
	char *scratch;
	size_t scap;
	tm_lines *cur;
	uint32_t source;
	uint64_t lineno;         /* of the line being read (1-based), for tm_flowset_set_pos */
	zstats st;
	/* uid -> conn record (open addressing on the interned pointer) */
	const char **uids;
	uint32_t *uidx;
	size_t ucap, ucount;
	sslrec *ssl;
	size_t nssl, capssl;
	bool finished;
};

tm_zeek *tm_zeek_new(tm_flowset *fs, size_t max_line)
{
	tm_zeek *z = calloc(1, sizeof *z);
	if (!z)
		return NULL;
	z->fs = fs;
	z->max_line = max_line ? max_line : TM_LINES_MAX_DEFAULT;
	z->scap = z->max_line + 8;
	z->scratch = malloc(z->scap);
	if (!z->scratch) {
		free(z);
		return NULL;
	}
	z->source = TM_FLOW_NO_SOURCE;
	return z;
}

void tm_zeek_free(tm_zeek *z)
{
	if (!z)
		return;
	free(z->uids);
	free(z->uidx);
	free(z->ssl);
	free(z->scratch);
	free(z);
}

static void bad(tm_zeek *z, unsigned col, const char *what)
{
	z->st.bad++;
	if (z->cur)
		tm_lines_bad(z->cur, col, "Zeek: %s; line skipped", what);
}

static size_t ptr_hash(const char *p)
{
	uintptr_t v = (uintptr_t)p;
	v ^= v >> 17;
	v *= 0xed5ad4bbu;
	v ^= v >> 11;
	return (size_t)v;
}

static bool uid_put(tm_zeek *z, const char *uid, uint32_t idx)
{
	if ((z->ucount + 1) * 2 > z->ucap) {
		size_t nc = z->ucap ? z->ucap * 2 : 4096;
		const char **nu = calloc(nc, sizeof *nu);
		uint32_t *ni = malloc(nc * sizeof *ni);
		if (!nu || !ni) {
			free(nu);
			free(ni);
			return false;
		}
		for (size_t i = 0; i < z->ucap; i++) {
			if (!z->uids[i])
				continue;
			size_t j = ptr_hash(z->uids[i]) & (nc - 1);
			while (nu[j])
				j = (j + 1) & (nc - 1);
			nu[j] = z->uids[i];
			ni[j] = z->uidx[i];
		}
		free(z->uids);
		free(z->uidx);
		z->uids = nu;
		z->uidx = ni;
		z->ucap = nc;
	}
	size_t j = ptr_hash(uid) & (z->ucap - 1);
	while (z->uids[j] && z->uids[j] != uid)
		j = (j + 1) & (z->ucap - 1);
	if (!z->uids[j])
		z->ucount++;
	z->uids[j] = uid;
	z->uidx[j] = idx;
	return true;
}

static long uid_get(const tm_zeek *z, const char *uid)
{
	if (!z->ucap)
		return -1;
	for (size_t j = ptr_hash(uid) & (z->ucap - 1); z->uids[j]; j = (j + 1) & (z->ucap - 1))
		if (z->uids[j] == uid)
			return (long)z->uidx[j];
	return -1;
}

static bool u64_of(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (!n || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static uint64_t num_or0(const rec *r, int f)
{
	uint64_t v = 0;
	if (r->set[f])
		u64_of(r->v[f], r->n[f], &v);
	return v;
}

static bool has(const rec *r, int f, const char *lit)
{
	return r->set[f] && strlen(lit) == r->n[f] && !memcmp(r->v[f], lit, r->n[f]);
}

/* "http,ssl" holds "ssl" */
static bool list_has(const rec *r, int f, const char *word)
{
	if (!r->set[f])
		return false;
	size_t wl = strlen(word);
	const char *s = r->v[f], *e = s + r->n[f];
	while (s < e) {
		const char *c = memchr(s, ',', (size_t)(e - s));
		size_t l = c ? (size_t)(c - s) : (size_t)(e - s);
		if (l == wl && !memcmp(s, word, wl))
			return true;
		s += l + 1;
	}
	return false;
}

static tm_app app_of_service(const rec *r)
{
	static const struct { const char *name; tm_app app; } apps[] = {
		{"ssl", TM_APP_TLS}, {"http", TM_APP_HTTP}, {"dns", TM_APP_DNS}, {"ssh", TM_APP_SSH},
		{"smtp", TM_APP_SMTP}, {"imap", TM_APP_IMAP}, {"pop3", TM_APP_POP3}, {"ftp", TM_APP_FTP},
		{"irc", TM_APP_IRC}, {"mysql", TM_APP_MYSQL}, {"postgresql", TM_APP_POSTGRES}, {"redis", TM_APP_REDIS},
	};
	for (size_t i = 0; i < TM_ARRAY_LEN(apps); i++)
		if (list_has(r, F_SERVICE, apps[i].name))
			return apps[i].app;
	return TM_APP_UNKNOWN;
}

static void conn_rec(tm_zeek *z, const rec *r)
{
	tm_flowset *fs = z->fs;
	tm_flowlog_conn c = {0};
	uint64_t op, rp;
	if (!r->set[F_OH] || !r->set[F_RH] || !r->set[F_TS] || !r->set[F_PROTO]) {
		bad(z, 0, "conn.log record without ts, id.orig_h, id.resp_h or proto");
		return;
	}
	if (!tm_ip_parse_n(r->v[F_OH], r->n[F_OH], &c.cli, &c.cli_family) ||
	    !tm_ip_parse_n(r->v[F_RH], r->n[F_RH], &c.srv, &c.srv_family)) {
		bad(z, 0, "id.orig_h or id.resp_h is not an address");
		return;
	}
	if (!tm_time_epoch(r->v[F_TS], r->n[F_TS], &c.ts) && !tm_time_rfc3339(r->v[F_TS], r->n[F_TS], &c.ts)) {
		bad(z, 0, "ts is not a time");
		return;
	}
	c.proto = has(r, F_PROTO, "tcp") ? 6 : has(r, F_PROTO, "udp") ? 17 : 0;
	if (!c.proto) {
		z->st.non_l4++;
		return;
	}
	if (!r->set[F_OP] || !r->set[F_RP] || !u64_of(r->v[F_OP], r->n[F_OP], &op) || !u64_of(r->v[F_RP], r->n[F_RP], &rp) ||
	    op > 65535 || rp > 65535) {
		bad(z, 0, "id.orig_p or id.resp_p is not a port");
		return;
	}
	c.cli_port = (uint16_t)op;
	c.srv_port = (uint16_t)rp;
	tm_flow *f = tm_flowlog_record(fs, &c, TM_FLOW_FROM_ZEEK, z->source);
	if (!f)
		return;
	z->st.conn++;
	if (r->set[F_DURATION]) {
		int64_t d;
		if (tm_time_epoch(r->v[F_DURATION], r->n[F_DURATION], &d) && d > 0)
			f->last_us = c.ts + d;
	}
	f->packets = num_or0(r, F_OPKTS) + num_or0(r, F_RPKTS);
	f->bytes = r->set[F_OIPB] || r->set[F_RIPB] ? num_or0(r, F_OIPB) + num_or0(r, F_RIPB)
						    : num_or0(r, F_OBYTES) + num_or0(r, F_RBYTES);
	f->app = (uint8_t)app_of_service(r);
	if (!r->set[F_SERVICE] || !r->n[F_SERVICE])
		f->flags |= TM_FLOW_F_CONTENT_UNSEEN; /* Zeek recognised no protocol: plaintext or TLS unknown */
	if (has(r, F_STATE, "S0")) {
		f->flags |= TM_FLOW_F_ATTEMPT;
		z->st.attempts++;
	}
	tm_flow_meta *m = tm_flowset_add_meta(fs, f);
	if (!m || tm_flowset_set_pos(fs, f, z->lineno) != TM_OK)
		return;
	m->events = 1;
	/* the uid joins ssl.log records, which only connections that Zeek's
	 * SSL analyzer saw have (service "ssl", or none when it gave up) */
	if (r->set[F_UID] && (!r->set[F_SERVICE] || !r->n[F_SERVICE] || list_has(r, F_SERVICE, "ssl"))) {
		m->uid = tm_intern_n(&fs->strs, r->v[F_UID], r->n[F_UID]);
	}
	if (r->set[F_SERVICE] && r->n[F_SERVICE])
		m->service = tm_intern_n(&fs->strs, r->v[F_SERVICE], r->n[F_SERVICE]);
}

static uint16_t tls_version(const rec *r)
{
	static const struct { const char *n; uint16_t v; } vs[] = {
		{"SSLv3", 0x0300}, {"TLSv10", 0x0301}, {"TLSv11", 0x0302}, {"TLSv12", 0x0303}, {"TLSv13", 0x0304},
	};
	for (size_t i = 0; i < TM_ARRAY_LEN(vs); i++)
		if (has(r, F_VERSION, vs[i].n))
			return vs[i].v;
	return 0;
}

static void ssl_rec(tm_zeek *z, const rec *r)
{
	tm_flowset *fs = z->fs;
	if (!r->set[F_UID]) {
		bad(z, 0, "ssl.log record without uid");
		return;
	}
	tm_tls *t = tm_arena_alloc(&fs->arena, sizeof *t);
	memset(t, 0, sizeof *t);
	t->cipher = -1;
	t->version = tls_version(r);
	if (r->set[F_CIPHER] && r->n[F_CIPHER])
		t->cipher_name = tm_intern_n(&fs->strs, r->v[F_CIPHER], r->n[F_CIPHER]);
	if (r->set[F_SNI] && r->n[F_SNI])
		t->sni = tm_intern_n(&fs->strs, r->v[F_SNI], r->n[F_SNI]);
	if (r->set[F_NEXTP] && r->n[F_NEXTP])
		t->alpn = tm_intern_n(&fs->strs, r->v[F_NEXTP], r->n[F_NEXTP]);
	t->resumed = has(r, F_RESUMED, "T") || has(r, F_RESUMED, "true");
	/* the server's certificate: sent in clear up to TLS 1.2 */
	bool srv = r->list_nonempty[F_FPS] || r->list_nonempty[F_FUIDS];
	t->server_cert_status = t->version == 0x0304 ? TM_SC_ENCRYPTED : srv ? TM_SC_PLAIN : TM_SC_MISSING;
	/* the client's: a chain seen says yes; none says no only where it would
	 * have been visible (TLS <= 1.2, an established handshake, and a Zeek
	 * that logs the field) */
	bool field = r->set[F_CFPS] || r->set[F_CFUIDS];
	bool cli = r->list_nonempty[F_CFPS] || r->list_nonempty[F_CFUIDS];
	bool estab = has(r, F_ESTAB, "T") || has(r, F_ESTAB, "true");
	if (cli)
		t->client_cert = TM_CC_YES;
	else if (field && t->version && t->version < 0x0304 && estab)
		t->client_cert = TM_CC_NO;
	else
		t->client_cert = TM_CC_UNKNOWN;
	TM_HEAP_GROW(z->ssl, z->nssl, z->capssl);
	z->ssl[z->nssl++] = (sslrec){tm_intern_n(&fs->strs, r->v[F_UID], r->n[F_UID]), t, field, z->source, z->lineno};
	z->st.ssl++;
}

static int field_of(const char *s, size_t n)
{
	for (int i = 0; i < F__N; i++)
		if (strlen(fnames[i]) == n && !memcmp(fnames[i], s, n))
			return i;
	return -1;
}

/* ---- JSON lines -------------------------------------------------------- */
static void json_line(tm_zeek *z, const tsvhdr *h, const char *line, size_t len)
{
	tm_js j;
	tm_js_str k, v;
	rec r;
	memset(&r, 0, sizeof r);
	tm_js_init(&j, line, len, z->scratch, z->scap);
	bool ok = tm_js_obj(&j);
	while (ok && tm_js_key(&j, &k)) {
		int f = field_of(k.s, k.n);
		tm_js_type t = tm_js_peek(&j);
		if (f < 0) {
			ok = tm_js_skip(&j);
			continue;
		}
		const char *s = j.p;
		if (t == TM_JS_STR) {
			ok = tm_js_string(&j, &v);
			r.v[f] = v.s;
			r.n[f] = v.n;
			r.set[f] = ok;
		} else if (t == TM_JS_NUM) {
			ok = tm_js_skip(&j);
			r.v[f] = s;
			r.n[f] = (size_t)(j.p - s);
			r.set[f] = ok;
		} else if (t == TM_JS_TRUE || t == TM_JS_FALSE) {
			bool b;
			ok = tm_js_bool(&j, &b);
			r.v[f] = b ? "T" : "F";
			r.n[f] = 1;
			r.set[f] = ok;
		} else if (t == TM_JS_ARR) {
			ok = tm_js_arr(&j);
			bool any = false;
			while (ok && tm_js_more(&j)) {
				any = true;
				ok = tm_js_skip(&j);
			}
			ok = ok && !j.err;
			r.set[f] = ok;
			r.list_nonempty[f] = any;
			r.v[f] = "";
			r.n[f] = 0; /* a repeated key: not the length of the value before */
		} else if (t == TM_JS_NULL)
			ok = tm_js_skip(&j);
		else {
			ok = tm_js_skip(&j);
			if (ok) {
				char why[96];
				snprintf(why, sizeof why, "%s: wrong type", fnames[f]);
				bad(z, (unsigned)(s - line) + 1, why);
				return;
			}
		}
	}
	if (!j.err)
		tm_js_done(&j);
	if (j.err) {
		bad(z, (unsigned)(j.err_col > 0xFFFF ? 0 : j.err_col), j.err);
		return;
	}
	logkind kind = h->kind;
	if (kind == LOG_UNKNOWN)
		kind = r.set[F_PROTO] || r.set[F_STATE] ? LOG_CONN
		       : r.set[F_VERSION] || r.set[F_CIPHER] || r.set[F_ESTAB] || r.set[F_HIST] ? LOG_SSL
											   : LOG_UNKNOWN;
	if (kind == LOG_CONN)
		conn_rec(z, &r);
	else if (kind == LOG_SSL)
		ssl_rec(z, &r);
	else
		z->st.other++;
}

/* ---- TSV ---------------------------------------------------------------- */
/* "\x09" -> a tab */
static char unhex_sep(const char *s, size_t n)
{
	if (n == 4 && s[0] == '\\' && s[1] == 'x') {
		char b[3] = {s[2], s[3], 0};
		return (char)strtol(b, NULL, 16);
	}
	return n ? s[0] : '\t';
}

static void copy_word(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

static void header_line(tm_zeek *z, tsvhdr *h, const char *line, size_t len)
{
	const char *sp = line;
	while (sp < line + len && *sp != ' ' && *sp != '\t')
		sp++;
	size_t kl = (size_t)(sp - line);
	const char *val = sp < line + len ? sp + 1 : sp;
	size_t vl = (size_t)(line + len - val);
	if (kl == 10 && !memcmp(line, "#separator", 10)) {
		h->sep = unhex_sep(val, vl);
		h->tsv = true;
		return;
	}
	/* the other headers are separated by the separator */
	if (sp < line + len && *sp != h->sep) {
		/* "#fields a b c" with spaces: not Zeek's, but readable */
	}
	if (kl == 14 && !memcmp(line, "#set_separator", 14))
		h->setsep = vl ? val[0] : ',';
	else if (kl == 12 && !memcmp(line, "#unset_field", 12))
		copy_word(h->unset, sizeof h->unset, val, vl);
	else if (kl == 12 && !memcmp(line, "#empty_field", 12))
		copy_word(h->empty, sizeof h->empty, val, vl);
	else if (kl == 5 && !memcmp(line, "#path", 5))
		h->kind = vl == 4 && !memcmp(val, "conn", 4) ? LOG_CONN : vl == 3 && !memcmp(val, "ssl", 3) ? LOG_SSL : h->kind;
	else if (kl == 7 && !memcmp(line, "#fields", 7)) {
		h->tsv = true;
		h->has_fields = true;
		h->ncols = 0;
		const char *s = val, *e = line + len;
		while (s <= e && h->ncols < TM_ARRAY_LEN(h->col)) {
			const char *c = memchr(s, h->sep, (size_t)(e - s));
			if (!c && h->sep == '\t')
				c = memchr(s, ' ', (size_t)(e - s));
			size_t l = c ? (size_t)(c - s) : (size_t)(e - s);
			h->col[h->ncols++] = field_of(s, l);
			if (!c)
				break;
			s = c + 1;
		}
	}
	(void)z;
}

static void tsv_line(tm_zeek *z, const tsvhdr *h, const char *line, size_t len)
{
	rec r;
	memset(&r, 0, sizeof r);
	if (!h->has_fields) {
		bad(z, 1, "TSV data before a #fields header");
		return;
	}
	size_t col = 0, ul = strlen(h->unset), el = strlen(h->empty);
	const char *s = line, *e = line + len;
	for (;;) {
		const char *c = memchr(s, h->sep, (size_t)(e - s));
		size_t l = c ? (size_t)(c - s) : (size_t)(e - s);
		if (col >= h->ncols) {
			bad(z, (unsigned)(s - line) + 1, "more columns than #fields names");
			return;
		}
		int f = h->col[col];
		if (f >= 0 && !(l == ul && !memcmp(s, h->unset, ul))) {
			bool empty = l == el && !memcmp(s, h->empty, el);
			r.set[f] = true;
			r.v[f] = empty ? "" : s;
			r.n[f] = empty ? 0 : l;
			r.list_nonempty[f] = !empty && l > 0;
		}
		col++;
		if (!c)
			break;
		s = c + 1;
	}
	if (col != h->ncols) {
		bad(z, 0, col < h->ncols ? "fewer columns than #fields names (truncated?)" : "more columns than #fields names");
		return;
	}
	logkind kind = h->kind;
	if (kind == LOG_UNKNOWN)
		kind = r.set[F_PROTO] ? LOG_CONN : r.set[F_VERSION] || r.set[F_CIPHER] ? LOG_SSL : LOG_UNKNOWN;
	if (kind == LOG_CONN)
		conn_rec(z, &r);
	else if (kind == LOG_SSL)
		ssl_rec(z, &r);
	else
		z->st.other++;
}

static void one_line(tm_zeek *z, tsvhdr *h, const char *line, size_t len)
{
	z->st.lines++;
	if (!len)
		return;
	if (line[0] == '#') {
		header_line(z, h, line, len);
		return;
	}
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == '{' && !h->has_fields)
		json_line(z, h, line, len);
	else if (h->tsv || h->has_fields)
		tsv_line(z, h, line, len);
	else
		bad(z, 1, "neither a JSON object nor TSV after a #fields header");
}

static void hdr_init(tsvhdr *h, const char *name)
{
	memset(h, 0, sizeof *h);
	h->sep = '\t';
	h->setsep = ',';
	snprintf(h->unset, sizeof h->unset, "-");
	snprintf(h->empty, sizeof h->empty, "(empty)");
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	if (!strncmp(b, "conn", 4))
		h->kind = LOG_CONN;
	else if (!strncmp(b, "ssl", 3))
		h->kind = LOG_SSL;
}

static void publish(tm_zeek *z)
{
	tm_flowset *fs = z->fs;
	tm_flowset_counter_set(fs, "zeek_lines", "Zeek log lines read", z->st.lines);
	tm_flowset_counter_set(fs, "zeek_conn", "Zeek conn.log records (connections)", z->st.conn);
	tm_flowset_counter_set(fs, "zeek_ssl", "Zeek ssl.log records", z->st.ssl);
	tm_flowset_counter_set(fs, "zeek_ssl_joined", "ssl.log records joined to their connection (uid)", z->st.joined);
	tm_flowset_counter_set(fs, "zeek_ssl_unmatched", "ssl.log records whose uid is in no conn.log read",
			       z->st.ssl_unmatched);
	tm_flowset_counter_set(fs, "zeek_attempts", "Zeek connections without an answer (conn_state S0)", z->st.attempts);
	tm_flowset_counter_set(fs, "zeek_bad_lines", "Zeek lines skipped: bad JSON or TSV, wrong types, truncated", z->st.bad);
	tm_flowset_counter_set(fs, "zeek_long_lines", "Zeek lines skipped: longer than the line limit", z->st.too_long);
	tm_flowset_counter_set(fs, "zeek_non_l4", "Zeek connections neither TCP nor UDP (ICMP)", z->st.non_l4);
	tm_flowset_counter_set(fs, "zeek_other", "Zeek records of neither conn.log nor ssl.log", z->st.other);
}

static tm_err read_file(tm_zeek *z, const char *path)
{
	tm_lines l;
	tm_err rc = tm_lines_open(&l, z->fs, path, z->max_line);
	if (rc != TM_OK)
		return rc;
	z->source = tm_flowset_add_source(z->fs, TM_FLOW_FROM_ZEEK, path);
	z->cur = &l;
	tsvhdr h;
	hdr_init(&h, path);
	char *s;
	size_t n;
	while (tm_lines_next(&l, &s, &n)) {
		z->lineno = l.lineno;
		one_line(z, &h, s, n);
	}
	z->st.too_long += l.too_long;
	rc = tm_lines_close(&l);
	z->cur = NULL;
	publish(z);
	return rc;
}

tm_err tm_zeek_read_path(tm_zeek *z, const char *path)
{
	struct stat st;
	if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		static const char *const logs[] = {"conn.log", "ssl.log"};
		tm_err rc = TM_OK;
		for (size_t i = 0; i < 2; i++) {
			size_t len = strlen(path) + 16;
			char *p = malloc(len);
			if (!p)
				return TM_ERR_NOMEM;
			snprintf(p, len, "%s/%s", path, logs[i]);
			if (stat(p, &st) == 0) {
				tm_err e = read_file(z, p);
				if (e != TM_OK && rc == TM_OK)
					rc = e;
			} else if (i == 0) {
				tm_diags_add(&z->fs->diags, TM_DIAG_ERROR, (tm_srcloc){tm_intern(&z->fs->strs, path), 0, 0},
					     "no conn.log in the directory");
				rc = TM_ERR_IO;
			}
			free(p);
		}
		return rc;
	}
	return read_file(z, path);
}

void tm_zeek_read_buffer(tm_zeek *z, const char *name, const char *data, size_t len)
{
	tsvhdr h;
	hdr_init(&h, name);
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, data, len);
	copy[len] = 0;
	char *s = copy, *e = copy + len;
	z->lineno = 0;
	while (s < e) {
		z->lineno++;
		char *nl = memchr(s, '\n', (size_t)(e - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(e - s);
		if (n > z->max_line)
			z->st.too_long++;
		else {
			if (n && s[n - 1] == '\r')
				n--;
			s[n] = 0;
			one_line(z, &h, s, n);
		}
		s = nl ? nl + 1 : e;
	}
	free(copy);
}

void tm_zeek_finish(tm_zeek *z)
{
	if (z->finished)
		return;
	z->finished = true;
	/* uid -> record, from the records themselves: other readers may have
	 * sorted the set since */
	for (size_t i = 0; i < z->fs->nflows; i++) {
		const tm_flow *f = &z->fs->flows[i];
		const tm_flow_meta *m = tm_flow_meta_of(z->fs, f);
		if (f->origin == TM_FLOW_FROM_ZEEK && m && m->uid)
			uid_put(z, m->uid, (uint32_t)i);
	}
	for (size_t i = 0; i < z->nssl; i++) {
		long fi = uid_get(z, z->ssl[i].uid);
		if (fi < 0) {
			z->st.ssl_unmatched++;
			continue;
		}
		tm_flow *f = &z->fs->flows[fi];
		if (f->tls)
			continue; /* one handshake per connection */
		f->tls = z->ssl[i].tls;
		/* where the TLS facts were read: a finding that rests on them names
		 * this line, the conn.log one established the connection */
		tm_flow_seen *seen = tm_flowset_seen(z->fs, f);
		if (seen) {
			uint32_t si = z->ssl[i].source;
			seen->tls_file = si < z->fs->nsources ? z->fs->sources[si].name : NULL;
			seen->tls_pos = z->ssl[i].line;
			seen->tls = true;
		}
		f->app = TM_APP_TLS;
		f->flags &= (uint8_t)~TM_FLOW_F_CONTENT_UNSEEN;
		z->st.joined++;
	}
	if (z->st.ssl_unmatched)
		tm_diags_add(&z->fs->diags, TM_DIAG_WARN, (tm_srcloc){0},
			     "Zeek: %llu ssl.log record%s whose uid is in no conn.log read (not joined)",
			     (unsigned long long)z->st.ssl_unmatched, z->st.ssl_unmatched == 1 ? "" : "s");
	/* a TLS connection without its ssl.log record: TLS, facts unknown; and
	 * the mesh a handshake's SNI/ALPN names, decided as for captures */
	for (size_t i = 0; i < z->fs->nflows; i++) {
		tm_flow *f = &z->fs->flows[i];
		if (f->origin != TM_FLOW_FROM_ZEEK)
			continue;
		if (f->app == TM_APP_TLS && !f->tls) {
			tm_tls *t = tm_arena_alloc(&z->fs->arena, sizeof *t);
			memset(t, 0, sizeof *t);
			t->cipher = -1;
			f->tls = t;
		}
		if (f->mesh == TM_MESH_NONE)
			f->mesh = (uint8_t)tm_flow_mesh_signature(f);
	}
	publish(z);
	tm_flowset_sort(z->fs);
}
