/* flow.c - the flow record's names and addresses, and the flow set: its
 * sources, named counters and sort. */
#include "model/flow.h"

#include <stdlib.h>
#include <string.h>

const char *tm_app_name(tm_app a)
{
	static const char *const names[TM_APP__COUNT] = {
		"unknown", "tls", "http", "http2", "dns", "postgres", "mysql", "redis", "mongodb",
		"kafka", "amqp", "ssh", "smtp", "imap", "pop3", "xmpp", "irc", "ftp",
	};
	return (unsigned)a < TM_APP__COUNT ? names[a] : "unknown";
}

const char *tm_mesh_name(tm_mesh m)
{
	return m == TM_MESH_ISTIO ? "istio" : m == TM_MESH_LINKERD ? "linkerd" : NULL;
}

const char *tm_client_cert_name(tm_client_cert c)
{
	return c == TM_CC_YES ? "yes" : c == TM_CC_NO ? "no" : "unknown";
}

const char *tm_server_cert_status_name(tm_server_cert_status s)
{
	switch (s) {
	case TM_SC_PLAIN: return "plain";
	case TM_SC_ENCRYPTED: return "encrypted";
	case TM_SC_UNPARSED: return "unparsed";
	default: return "missing";
	}
}

const char *tm_tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "1.0";
	case 0x0302: return "1.1";
	case 0x0303: return "1.2";
	case 0x0304: return "1.3";
	default: return v ? "unknown" : NULL;
	}
}

void tm_flow_format_ip(const tm_flow *f, bool client, char *out, size_t outlen)
{
	tm_ip a = client ? f->cli_ip : f->srv_ip;
	if (f->family == 4) {
		size_t k = 0;
		for (int i = 0; i < 4 && outlen >= 16; i++) {
			unsigned v = (unsigned)(a.lo >> (24 - 8 * i)) & 255;
			if (i)
				out[k++] = '.';
			if (v >= 100)
				out[k++] = (char)('0' + v / 100);
			if (v >= 10)
				out[k++] = (char)('0' + v / 10 % 10);
			out[k++] = (char)('0' + v % 10);
		}
		if (outlen)
			out[outlen >= 16 ? k : 0] = 0;
		return;
	}
	/* RFC 5952: longest run of >= 2 zero groups becomes "::" */
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)((i < 4 ? a.hi : a.lo) >> (48 - 16 * (i & 3)));
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	size_t k = 0;
	for (int i = 0; i < 8 && k < outlen; i++) {
		if (i == best) {
			k += (size_t)snprintf(out + k, outlen - k, "::");
			i += bestlen - 1;
			continue;
		}
		k += (size_t)snprintf(out + k, outlen - k, "%s%x", (k && out[k - 1] != ':') ? ":" : "", g[i]);
	}
	if (k == 0 && outlen)
		out[0] = 0;
}

const char *tm_flow_origin_name(tm_flow_origin o)
{
	switch (o) {
	case TM_FLOW_FROM_CAPTURE: return "pcap";
	case TM_FLOW_FROM_HUBBLE: return "hubble";
	case TM_FLOW_FROM_ZEEK: return "zeek";
	case TM_FLOW_FROM_SUMMARY: return "summary";
	}
	return "?";
}

unsigned tm_flow_evkind(tm_flow_origin o)
{
	switch (o) {
	case TM_FLOW_FROM_CAPTURE: return TM_EVKIND_CAPTURE;
	case TM_FLOW_FROM_HUBBLE:
	case TM_FLOW_FROM_ZEEK: return TM_EVKIND_FLOWLOG;
	case TM_FLOW_FROM_SUMMARY: return 0;
	}
	return 0;
}

const char *tm_evkind_plural(unsigned kinds)
{
	if (kinds == TM_EVKIND_FLOWLOG)
		return "the flow logs";
	return kinds == (TM_EVKIND_CAPTURE | TM_EVKIND_FLOWLOG) ? "the captures and flow logs" : "the captures";
}

const char *tm_evkind_participle(unsigned kinds)
{
	if (kinds == TM_EVKIND_FLOWLOG)
		return "logged";
	return kinds == (TM_EVKIND_CAPTURE | TM_EVKIND_FLOWLOG) ? "captured or logged" : "captured";
}

const char *tm_flow_verdict_name(tm_flow_verdict v)
{
	static const char *const names[] = {NULL, "FORWARDED", "DROPPED", "ERROR", "AUDIT", "REDIRECTED", "TRACED",
					    "TRANSLATED", "VERDICT_UNKNOWN"};
	return (size_t)v < TM_ARRAY_LEN(names) ? names[v] : NULL;
}

int tm_flow_verdict_rank(tm_flow_verdict v)
{
	/* indexed by tm_flow_verdict; every value has its own rank, so that
	 * the stronger of two is one answer whichever comes first */
	static const int rank[] = {
		[TM_VERDICT_NONE] = 0,
		[TM_VERDICT_UNKNOWN] = 1,
		[TM_VERDICT_TRACED] = 2,
		[TM_VERDICT_AUDIT] = 3,
		[TM_VERDICT_TRANSLATED] = 4,
		[TM_VERDICT_REDIRECTED] = 5,
		[TM_VERDICT_FORWARDED] = 6,
		[TM_VERDICT_ERROR] = 7,
		[TM_VERDICT_DROPPED] = 8,
	};
	return (size_t)v < TM_ARRAY_LEN(rank) ? rank[v] : 1;
}

bool tm_flow_fold_verdict(tm_flow *f, tm_flow_meta *m, tm_flow_verdict v, const tm_flow_point *p)
{
	bool taken = tm_flow_verdict_rank(v) > tm_flow_verdict_rank((tm_flow_verdict)f->verdict);
	if (taken)
		f->verdict = (uint8_t)v;
	if (!m)
		return taken;
	/* the point whose verdict the connection takes says where that was.
	 * The policy is the deciding point's alone: a drop that names none
	 * (Cilium's default deny) must not be shown beside the policy that let
	 * the packets out at another point, which did not decide */
	if (taken) {
		if (p->drop_reason)
			m->drop_reason = p->drop_reason;
		m->policy = p->policy;
		if (p->node)
			m->node = p->node;
		if (p->direction)
			m->direction = p->direction;
	}
	if (!m->drop_reason)
		m->drop_reason = p->drop_reason;
	if (!m->policy && !taken && v == (tm_flow_verdict)f->verdict)
		m->policy = p->policy;
	if (!m->node)
		m->node = p->node;
	if (!m->direction)
		m->direction = p->direction;
	return taken;
}

void tm_flow_peer_fill(tm_flow_peer *c, const tm_flow_peer *r)
{
	if (!c->ns && !c->pod) {
		c->ns = r->ns;
		c->pod = r->pod;
	}
	if (!c->workload) {
		c->workload = r->workload;
		c->kind = r->kind;
	}
	if (!c->identity)
		c->identity = r->identity;
	c->world |= r->world;
}

tm_err tm_flowset_set_pos(tm_flowset *fs, const tm_flow *f, uint64_t pos)
{
	if (f->order >= fs->cappos) {
		size_t nc = fs->cappos ? fs->cappos : 1024;
		while (nc <= f->order)
			nc *= 2;
		uint64_t *n = realloc(fs->pos, nc * sizeof *n);
		if (!n)
			return TM_ERR_NOMEM;
		fs->pos = n;
		fs->cappos = nc;
	}
	if (f->order >= fs->npos) {
		memset(fs->pos + fs->npos, 0, (f->order + 1 - fs->npos) * sizeof *fs->pos);
		fs->npos = (size_t)f->order + 1;
	}
	fs->pos[f->order] = pos;
	return TM_OK;
}

const char *tm_flow_pos_unit(tm_flow_origin o)
{
	return o == TM_FLOW_FROM_CAPTURE ? "packet" : "line";
}

static bool seen_fit(tm_flowset *fs, const tm_flow *f)
{
	if (f->order >= fs->capseen) {
		size_t nc = fs->capseen ? fs->capseen : 1024;
		while (nc <= f->order)
			nc *= 2;
		tm_flow_seen **n = realloc(fs->seen, nc * sizeof *n);
		if (!n)
			return false;
		fs->seen = n;
		fs->capseen = nc;
	}
	if (f->order >= fs->nseen) {
		memset(fs->seen + fs->nseen, 0, (f->order + 1 - fs->nseen) * sizeof *fs->seen);
		fs->nseen = (size_t)f->order + 1;
	}
	return true;
}

tm_err tm_flowset_seen_set(tm_flowset *fs, const tm_flow *f, tm_flow_seen *s)
{
	if (!seen_fit(fs, f))
		return TM_ERR_NOMEM;
	fs->seen[f->order] = s;
	return TM_OK;
}

tm_flow_seen *tm_flowset_seen(tm_flowset *fs, const tm_flow *f)
{
	if (!seen_fit(fs, f))
		return NULL;
	if (!fs->seen[f->order]) {
		tm_flow_seen *e = tm_arena_alloc(&fs->arena, sizeof *e);
		memset(e, 0, sizeof *e);
		fs->seen[f->order] = e;
	}
	return fs->seen[f->order];
}

void tm_flow_where_of(const tm_flowset *fs, const tm_flow *f, tm_flow_where *w)
{
	const tm_flow_source *src = f->source < fs->nsources ? &fs->sources[f->source] : NULL;
	const tm_flow_seen *s = tm_flow_seen_of(fs, f);
	memset(w, 0, sizeof *w);
	if (src && src->origin == TM_FLOW_FROM_SUMMARY) {
		/* what the summary says; the record keeps the reader that observed it */
		w->unit = tm_flow_pos_unit((tm_flow_origin)f->origin);
		w->file = s ? s->file : NULL;
		w->pos = s ? s->pos : 0;
	} else {
		w->unit = tm_flow_pos_unit(src ? src->origin : (tm_flow_origin)f->origin);
		w->file = src ? src->name : NULL;
		w->pos = tm_flow_pos_of(fs, f);
	}
	w->tls_file = s ? s->tls_file : NULL;
	w->tls_pos = s ? s->tls_pos : 0;
	w->tls = s && s->tls;
	w->l7_pos = s && s->content_pos != w->pos ? s->content_pos : 0;
}

static bool list_has_prefix(const char *list, const char *prefix)
{
	size_t pl = strlen(prefix);
	for (const char *s = list; s && *s;) {
		if (!strncmp(s, prefix, pl))
			return true;
		s = strchr(s, ',');
		if (s)
			s++;
	}
	return false;
}

static bool cert_has(const tm_cert *c, const char *needle)
{
	for (size_t i = 0; i < c->nsans; i++)
		if (strstr(c->sans[i], needle))
			return true;
	return false;
}

/* outbound_.PORT_.SUBSET_.FQDN (mesh spec section 7; SUBSET may be empty) */
static bool istio_sni(const char *sni)
{
	if (!sni || strncmp(sni, "outbound_.", 10))
		return false;
	const char *p = sni + 10;
	size_t d = 0;
	while (p[d] >= '0' && p[d] <= '9')
		d++;
	if (!d || d > 5 || strncmp(p + d, "_.", 2))
		return false;
	const char *sub_end = strstr(p + d + 2, "_.");
	return sub_end && sub_end[2];
}

tm_mesh tm_flow_mesh_signature(const tm_flow *f)
{
	const tm_tls *t = f->tls;
	if (t) {
		if (list_has_prefix(t->alpn_offered, "istio") || list_has_prefix(t->alpn, "istio") || istio_sni(t->sni))
			return TM_MESH_ISTIO;
		if (list_has_prefix(t->alpn_offered, "transport.l5d.io/v1") ||
		    list_has_prefix(t->alpn, "transport.l5d.io/v1") || cert_has(&t->server_cert, ".identity.linkerd.") ||
		    cert_has(&t->client_certificate, ".identity.linkerd."))
			return TM_MESH_LINKERD;
	}
	if (f->proto == 6 && f->srv_port == 15008)
		return TM_MESH_ISTIO;
	return TM_MESH_NONE;
}

tm_flow_meta *tm_flowset_add_meta(tm_flowset *fs, tm_flow *f)
{
	if (fs->nmetas + 1 >= fs->capmetas) {
		size_t nc = fs->capmetas ? fs->capmetas * 2 : 1024;
		if (nc > UINT32_MAX)
			return NULL;
		tm_flow_meta **n = realloc(fs->metas, nc * sizeof *n);
		if (!n)
			return NULL;
		fs->metas = n;
		fs->capmetas = nc;
		if (!fs->nmetas)
			fs->metas[fs->nmetas++] = NULL; /* index 0: none */
	}
	tm_flow_meta *m = tm_arena_alloc(&fs->arena, sizeof *m);
	memset(m, 0, sizeof *m);
	fs->metas[fs->nmetas] = m;
	f->meta = (uint32_t)fs->nmetas++;
	return m;
}

tm_flow *tm_flowset_push(tm_flowset *fs)
{
	if (fs->nflows >= fs->capflows) {
		size_t nc = fs->capflows ? fs->capflows * 2 : 1024;
		tm_flow *nf = realloc(fs->flows, nc * sizeof *nf);
		if (!nf)
			return NULL;
		fs->flows = nf;
		fs->capflows = nc;
	}
	tm_flow *f = &fs->flows[fs->nflows];
	memset(f, 0, sizeof *f);
	f->order = (uint32_t)fs->nflows++;
	f->source = TM_FLOW_NO_SOURCE;
	return f;
}

tm_flowset *tm_flowset_new(void)
{
	tm_flowset *fs = calloc(1, sizeof *fs);
	if (!fs)
		return NULL;
	tm_arena_init(&fs->arena);
	tm_strtab_init(&fs->strs, &fs->arena);
	tm_diags_init(&fs->diags, &fs->arena);
	return fs;
}

void tm_flowset_free(tm_flowset *fs)
{
	if (!fs)
		return;
	free(fs->flows);
	free(fs->sources);
	free(fs->counters);
	free(fs->metas);
	free(fs->pos);
	free(fs->seen);
	tm_strtab_release(&fs->strs);
	tm_arena_release(&fs->arena);
	free(fs);
}

uint32_t tm_flowset_add_source(tm_flowset *fs, tm_flow_origin origin, const char *name)
{
	if (fs->nsources >= fs->capsources) {
		size_t nc = fs->capsources ? fs->capsources * 2 : 8;
		tm_flow_source *ns = realloc(fs->sources, nc * sizeof *ns);
		if (!ns)
			return TM_FLOW_NO_SOURCE;
		fs->sources = ns;
		fs->capsources = nc;
	}
	fs->sources[fs->nsources] = (tm_flow_source){origin, tm_intern(&fs->strs, name)};
	return (uint32_t)fs->nsources++;
}

tm_err tm_flowset_counter_set(tm_flowset *fs, const char *name, const char *descr, uint64_t value)
{
	for (size_t i = 0; i < fs->ncounters; i++)
		if (fs->counters[i].name == name || !strcmp(fs->counters[i].name, name)) {
			fs->counters[i].value = value;
			return TM_OK;
		}
	if (fs->ncounters >= fs->capcounters) {
		size_t nc = fs->capcounters ? fs->capcounters * 2 : 64;
		tm_counter *n = realloc(fs->counters, nc * sizeof *n);
		if (!n)
			return TM_ERR_NOMEM;
		fs->counters = n;
		fs->capcounters = nc;
	}
	fs->counters[fs->ncounters++] = (tm_counter){name, descr, value};
	return TM_OK;
}

const tm_counter *tm_flowset_counter(const tm_flowset *fs, const char *name)
{
	for (size_t i = 0; i < fs->ncounters; i++)
		if (!strcmp(fs->counters[i].name, name))
			return &fs->counters[i];
	return NULL;
}

static int flow_cmp(const void *a, const void *b)
{
	const tm_flow *x = a, *y = b;
	int c;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((c = tm_ip_cmp(x->cli_ip, y->cli_ip)))
		return c;
	if (x->cli_port != y->cli_port)
		return x->cli_port < y->cli_port ? -1 : 1;
	if ((c = tm_ip_cmp(x->srv_ip, y->srv_ip)))
		return c;
	if (x->srv_port != y->srv_port)
		return x->srv_port < y->srv_port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* sort keys: the first-seen time decides almost always; ties go to flow_cmp */
typedef struct sort_key {
	int64_t first_us;
	uint32_t idx;
} sort_key;

static int sort_key_cmp(const void *a, const void *b, void *ctx)
{
	const sort_key *x = a, *y = b;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	const tm_flow *v = ctx;
	return flow_cmp(&v[x->idx], &v[y->idx]);
}

void tm_flowset_sort(tm_flowset *fs)
{
	if (fs->nflows < 2)
		return;
	/* records are made in first-seen order: a capture in time order needs
	 * no sort */
	size_t in_order = 1;
	while (in_order < fs->nflows && flow_cmp(&fs->flows[in_order - 1], &fs->flows[in_order]) < 0)
		in_order++;
	if (in_order == fs->nflows)
		return;
	/* sort small keys, then permute the records in place: sorting the
	 * records themselves would make glibc's qsort copy them all */
	sort_key *keys = malloc(fs->nflows * sizeof *keys);
	if (!keys) {
		qsort(fs->flows, fs->nflows, sizeof *fs->flows, flow_cmp);
		return;
	}
	for (size_t i = 0; i < fs->nflows; i++)
		keys[i] = (sort_key){fs->flows[i].first_us, (uint32_t)i};
	qsort_r(keys, fs->nflows, sizeof *keys, sort_key_cmp, fs->flows);
	uint32_t *perm = (uint32_t *)keys; /* perm[i] = keys[i].idx, in place */
	for (size_t i = 0; i < fs->nflows; i++)
		perm[i] = keys[i].idx;
	for (size_t i = 0; i < fs->nflows; i++) {
		if (perm[i] == i)
			continue;
		tm_flow tmp = fs->flows[i];
		size_t j = i;
		for (;;) {
			size_t k = perm[j];
			perm[j] = (uint32_t)j;
			if (k == i) {
				fs->flows[j] = tmp;
				break;
			}
			fs->flows[j] = fs->flows[k];
			j = k;
		}
	}
	free(perm);
}
