/* hubble.c - Hubble flow events (JSON lines) into connections (hubble.h). */
#include "ingest/hubble/hubble.h"
#include "ingest/flowlog/flowlog.h"
#include "ingest/flowlog/jscan.h"
#include "ingest/flowlog/lines.h"

#include <stdlib.h>
#include <string.h>

typedef struct hstats {
	uint64_t lines, events, bad, too_long, other, non_l4, no_ip, replies, dropped, unknown_fields, records;
	uint64_t drops_folded;
} hstats;

/* A drop record and the passing record of the same connection (by record
 * order), made while reading; tm_hubble_finish folds the first into the
 * second unless the connection was answered. */
typedef struct twin {
	uint32_t pass, drop;
} twin;

struct tm_hubble {
	tm_flowset *fs;
	size_t max_line;
	char *scratch;
	size_t scap;
	tm_conntab tab;
	tm_lines *cur;          /* the input being read, or NULL (tm_hubble_line alone) */
	uint32_t source;
	hstats st;
	const char *first_unknown; /* the first unknown field name of the input, and its line */
	uint64_t first_unknown_line, unknown_in_file;
	uint64_t file_lines;    /* lines fed since the input began (tm_hubble_line alone) */
	twin *twins;
	size_t ntwins, captwins;
	uint8_t *answered;      /* by record order: a reply that passed was folded into it */
	size_t nanswered;
	tm_buf pname;           /* a policy's name being made (policy_name) */
	bool finished;
};

/* the first Policy of an *_allowed_by or *_denied_by list (flow.proto) */
typedef struct policy_in {
	tm_js_str name, ns, kind;
} policy_in;

/* one event, as read */
typedef struct peer_in {
	tm_js_str ns, pod, wl, kind, identity;
	bool world;
} peer_in;

typedef struct hev {
	tm_flowlog_conn c;       /* as the event goes: cli its source, srv its destination;
				  * c.proto 0: no TCP/UDP/SCTP layer */
	bool has_ts;
	bool has_src, has_dst;
	bool icmp;
	bool syn, ack;
	int reply;               /* -1 unknown */
	bool encrypted, policy_drop;
	tm_js_str drop, dir, node, l7;
	policy_in allowed, denied; /* *_allowed_by, *_denied_by */
	peer_in ps, pd;
	bool is_flow;            /* a Flow's field was seen */
} hev;

tm_hubble *tm_hubble_new(tm_flowset *fs, size_t max_line)
{
	tm_hubble *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->fs = fs;
	h->max_line = max_line ? max_line : TM_LINES_MAX_DEFAULT;
	h->scap = h->max_line + 8;
	h->scratch = malloc(h->scap);
	if (!h->scratch) {
		free(h);
		return NULL;
	}
	tm_conntab_init(&h->tab);
	/* kind, namespace and name, each of one line at most */
	tm_buf_init(&h->pname, 3 * h->max_line + 8);
	h->source = TM_FLOW_NO_SOURCE;
	return h;
}

void tm_hubble_free(tm_hubble *h)
{
	if (!h)
		return;
	tm_conntab_release(&h->tab);
	tm_buf_release(&h->pname);
	free(h->twins);
	free(h->answered);
	free(h->scratch);
	free(h);
}

static void bad(tm_hubble *h, unsigned col, const char *what)
{
	h->st.bad++;
	if (h->cur)
		tm_lines_bad(h->cur, col, "Hubble: %s; line skipped", what);
}

/* fields of flow.proto that the reader does not need: skipped, not counted
 * as unknown */
static bool known_unused(tm_js_str k)
{
	static const char *const names[] = {
		"uuid", "drop_reason", "auth_type", "ethernet", "tunnel", "node_labels", "source_names",
		"destination_names", "reply", "event_type", "source_service", "destination_service",
		"policy_match_type", "trace_observation_point", "trace_reason", "file", "debug_capture_point",
		"interface", "proxy_port", "trace_context", "sock_xlate_point", "socket_cookie", "cgroup_id",
		"Summary", "extensions", "policy_log", "ip_trace_id", "emitter", "aggregate", "log_record",
		"cluster_name", NULL,
	};
	for (size_t i = 0; names[i]; i++)
		if (tm_js_is(k, names[i]))
			return true;
	return false;
}

static void unknown(tm_hubble *h, tm_js_str k)
{
	h->st.unknown_fields++;
	if (!h->unknown_in_file++) {
		h->first_unknown = tm_intern_n(&h->fs->strs, k.s, k.n < 64 ? k.n : 64);
		h->first_unknown_line = h->cur ? h->cur->lineno : 0;
	}
}

static tm_flow_verdict verdict_of(tm_js *j)
{
	static const char *const names[] = {"VERDICT_UNKNOWN", "FORWARDED", "DROPPED", "ERROR", "AUDIT",
					    "REDIRECTED", "TRACED", "TRANSLATED"};
	static const tm_flow_verdict vals[] = {TM_VERDICT_UNKNOWN, TM_VERDICT_FORWARDED, TM_VERDICT_DROPPED,
					       TM_VERDICT_ERROR, TM_VERDICT_AUDIT, TM_VERDICT_REDIRECTED,
					       TM_VERDICT_TRACED, TM_VERDICT_TRANSLATED};
	tm_js_str s;
	uint64_t n;
	if (tm_js_peek(j) == TM_JS_NUM)
		return tm_js_u64(j, &n) && n < 8 ? vals[n] : TM_VERDICT_UNKNOWN;
	if (!tm_js_string(j, &s))
		return TM_VERDICT_UNKNOWN;
	for (size_t i = 0; i < 8; i++)
		if (tm_js_is(s, names[i]))
			return vals[i];
	return TM_VERDICT_UNKNOWN;
}

/* a string member, or a wrong type: false with the line marked bad */
static bool want_str(tm_js *j, tm_js_str *out)
{
	if (tm_js_peek(j) == TM_JS_NULL)
		return tm_js_skip(j);
	if (!tm_js_string(j, out)) {
		if (!j->err) {
			j->err = "expected a string";
			j->err_col = (size_t)(j->p - j->start);
			j->p = j->end;
		}
		return false;
	}
	return true;
}

static bool want_u16(tm_js *j, uint16_t *out)
{
	uint64_t v;
	if (!tm_js_u64(j, &v) || v > 65535) {
		if (!j->err) {
			j->err = "expected a port number";
			j->err_col = (size_t)(j->p - j->start);
			j->p = j->end;
		}
		return false;
	}
	*out = (uint16_t)v;
	return true;
}

static bool want_bool(tm_js *j, bool *out)
{
	if (!tm_js_bool(j, out)) {
		if (!j->err) {
			j->err = "expected true or false";
			j->err_col = (size_t)(j->p - j->start);
			j->p = j->end;
		}
		return false;
	}
	return true;
}

static bool parse_ip(tm_js *j, hev *e)
{
	tm_js_str k, v;
	if (!tm_js_obj(j))
		return false;
	while (tm_js_key(j, &k)) {
		if (tm_js_is(k, "source") || tm_js_is(k, "destination")) {
			bool src = k.s[0] == 's';
			if (!want_str(j, &v))
				return false;
			if (!v.n)
				continue;
			if (!tm_ip_parse_n(v.s, v.n, src ? &e->c.cli : &e->c.srv, src ? &e->c.cli_family : &e->c.srv_family)) {
				j->err = "IP: not an address";
				j->err_col = (size_t)(j->p - j->start);
				j->p = j->end;
				return false;
			}
			*(src ? &e->has_src : &e->has_dst) = true;
		} else if (tm_js_is(k, "encrypted")) {
			if (!want_bool(j, &e->encrypted))
				return false;
		} else if (!tm_js_skip(j))
			return false;
	}
	return !j->err;
}

static bool parse_ports(tm_js *j, hev *e, uint8_t proto)
{
	tm_js_str k;
	e->c.proto = proto;
	if (!tm_js_obj(j))
		return false;
	while (tm_js_key(j, &k)) {
		if (tm_js_is(k, "source_port")) {
			if (!want_u16(j, &e->c.cli_port))
				return false;
		} else if (tm_js_is(k, "destination_port")) {
			if (!want_u16(j, &e->c.srv_port))
				return false;
		} else if (proto == 6 && tm_js_is(k, "flags")) {
			tm_js_str f;
			bool b;
			if (!tm_js_obj(j))
				return false;
			while (tm_js_key(j, &f)) {
				if (!want_bool(j, &b))
					return false;
				if (tm_js_is(f, "SYN"))
					e->syn = b;
				else if (tm_js_is(f, "ACK"))
					e->ack = b;
			}
			if (j->err)
				return false;
		} else if (!tm_js_skip(j))
			return false;
	}
	return !j->err;
}

static bool parse_l4(tm_js *j, hev *e)
{
	tm_js_str k;
	if (!tm_js_obj(j))
		return false;
	while (tm_js_key(j, &k)) {
		bool ok;
		if (tm_js_is(k, "TCP"))
			ok = parse_ports(j, e, 6);
		else if (tm_js_is(k, "UDP"))
			ok = parse_ports(j, e, 17);
		else if (tm_js_is(k, "SCTP"))
			ok = parse_ports(j, e, 132);
		else {
			if (tm_js_is(k, "ICMPv4") || tm_js_is(k, "ICMPv6"))
				e->icmp = true;
			ok = tm_js_skip(j);
		}
		if (!ok)
			return false;
	}
	return !j->err;
}

static bool parse_peer(tm_js *j, peer_in *p)
{
	tm_js_str k, v;
	if (tm_js_peek(j) == TM_JS_NULL)
		return tm_js_skip(j);
	if (!tm_js_obj(j))
		return false;
	while (tm_js_key(j, &k)) {
		bool ok = true;
		if (tm_js_is(k, "namespace"))
			ok = want_str(j, &p->ns);
		else if (tm_js_is(k, "pod_name"))
			ok = want_str(j, &p->pod);
		else if (tm_js_is(k, "identity")) {
			/* uint32: a number */
			const char *s = j->p;
			uint64_t id;
			ok = tm_js_u64(j, &id);
			if (ok) {
				while (*s == ' ')
					s++;
				p->identity = (tm_js_str){s, (size_t)(j->p - s)};
				if (p->identity.n && *s == '"') {
					p->identity.s++;
					p->identity.n -= 2;
				}
			} else if (!j->err) {
				j->err = "identity: expected a number";
				j->err_col = (size_t)(j->p - j->start);
				j->p = j->end;
			}
		} else if (tm_js_is(k, "labels")) {
			if (tm_js_peek(j) == TM_JS_NULL)
				ok = tm_js_skip(j);
			else if ((ok = tm_js_arr(j))) {
				while (ok && tm_js_more(j)) {
					if ((ok = want_str(j, &v)) && tm_js_is(v, "reserved:world"))
						p->world = true;
				}
				ok = ok && !j->err;
			}
		} else if (tm_js_is(k, "workloads")) {
			if (tm_js_peek(j) == TM_JS_NULL)
				ok = tm_js_skip(j);
			else if ((ok = tm_js_arr(j))) {
				bool first = true;
				while (ok && tm_js_more(j)) {
					tm_js_str wk;
					if (!(ok = tm_js_obj(j)))
						break;
					while (ok && tm_js_key(j, &wk)) {
						if (first && tm_js_is(wk, "name"))
							ok = want_str(j, &p->wl);
						else if (first && tm_js_is(wk, "kind"))
							ok = want_str(j, &p->kind);
						else
							ok = tm_js_skip(j);
					}
					ok = ok && !j->err;
					first = false;
				}
				ok = ok && !j->err;
			}
		} else
			ok = tm_js_skip(j);
		if (!ok)
			return false;
	}
	return !j->err;
}

/* The first policy of an *_allowed_by or *_denied_by list that has a name
 * (labels and revision are not needed); the first list read keeps it. */
static bool parse_policies(tm_js *j, policy_in *first)
{
	bool have = first->name.n > 0;
	if (tm_js_peek(j) == TM_JS_NULL)
		return tm_js_skip(j);
	if (!tm_js_arr(j))
		return false;
	while (tm_js_more(j)) {
		tm_js_str k;
		policy_in p = {{0}, {0}, {0}};
		if (!tm_js_obj(j))
			return false;
		while (tm_js_key(j, &k)) {
			tm_js_str *to = tm_js_is(k, "name") ? &p.name : tm_js_is(k, "namespace") ? &p.ns
				      : tm_js_is(k, "kind") ? &p.kind : NULL;
			if (to ? !want_str(j, to) : !tm_js_skip(j))
				return false;
		}
		if (j->err)
			return false;
		if (!have && p.name.n) {
			*first = p;
			have = true;
		}
	}
	return !j->err;
}

static bool is_policy_drop(tm_js_str s)
{
	return tm_js_is(s, "POLICY_DENIED") || tm_js_is(s, "POLICY_DENY") || tm_js_is(s, "AUTH_REQUIRED");
}

/* One member of a Flow, or of the wrapper (which shares time and
 * node_name and holds the Flow under "flow"). */
static bool member(tm_hubble *h, tm_js *j, tm_js_str k, hev *e, int depth)
{
	bool ok = true;
	if (tm_js_is(k, "flow") && depth == 0) {
		if (!tm_js_obj(j))
			return false;
		tm_js_str fk;
		while (ok && tm_js_key(j, &fk))
			ok = member(h, j, fk, e, 1);
		e->is_flow = true;
		return ok && !j->err;
	}
	if (tm_js_is(k, "time")) {
		tm_js_str v;
		if (!(ok = want_str(j, &v)))
			return false;
		if (v.n && !tm_time_rfc3339(v.s, v.n, &e->c.ts)) {
			j->err = "time: not an RFC 3339 time";
			j->err_col = (size_t)(j->p - j->start);
			j->p = j->end;
			return false;
		}
		e->has_ts = v.n > 0;
		return true;
	}
	if (tm_js_is(k, "node_name"))
		return want_str(j, &e->node);
	if (tm_js_is(k, "IP")) {
		e->is_flow = true;
		return parse_ip(j, e);
	}
	if (tm_js_is(k, "l4")) {
		e->is_flow = true;
		return parse_l4(j, e);
	}
	if (tm_js_is(k, "verdict")) {
		e->is_flow = true;
		e->c.verdict = (uint8_t)verdict_of(j);
		return !j->err;
	}
	if (tm_js_is(k, "drop_reason_desc")) {
		if (tm_js_peek(j) == TM_JS_NUM)
			return tm_js_skip(j);
		if (!(ok = want_str(j, &e->drop)))
			return false;
		e->policy_drop = is_policy_drop(e->drop);
		return true;
	}
	if (tm_js_is(k, "traffic_direction"))
		return tm_js_peek(j) == TM_JS_NUM ? tm_js_skip(j) : want_str(j, &e->dir);
	if (tm_js_is(k, "is_reply")) {
		bool b;
		if (tm_js_peek(j) == TM_JS_NULL)
			return tm_js_skip(j);
		if (!want_bool(j, &b))
			return false;
		e->reply = b;
		return true;
	}
	if (tm_js_is(k, "source"))
		return parse_peer(j, &e->ps);
	if (tm_js_is(k, "destination"))
		return parse_peer(j, &e->pd);
	if (tm_js_is(k, "egress_allowed_by") || tm_js_is(k, "ingress_allowed_by"))
		return parse_policies(j, &e->allowed);
	if (tm_js_is(k, "egress_denied_by") || tm_js_is(k, "ingress_denied_by"))
		return parse_policies(j, &e->denied);
	if (tm_js_is(k, "Type"))
		return tm_js_skip(j);
	if (tm_js_is(k, "l7")) {
		/* which L7 protocol the proxy parsed: its member name */
		tm_js_str lk;
		if (tm_js_peek(j) != TM_JS_OBJ)
			return tm_js_skip(j);
		if (!tm_js_obj(j))
			return false;
		while (tm_js_key(j, &lk)) {
			if (tm_js_is(lk, "http") || tm_js_is(lk, "dns") || tm_js_is(lk, "kafka"))
				e->l7 = lk;
			if (!tm_js_skip(j))
				return false;
		}
		return !j->err;
	}
	if (depth == 0 && (tm_js_is(k, "lost_events") || tm_js_is(k, "node_status") || tm_js_is(k, "agent_event") ||
			   tm_js_is(k, "debug_event")))
		return tm_js_skip(j);
	if (!known_unused(k))
		unknown(h, k);
	return tm_js_skip(j);
}

static const char *str_or_null(tm_hubble *h, tm_js_str s)
{
	return s.n ? tm_intern_n(&h->fs->strs, s.s, s.n) : NULL;
}

/* "Kind ns/name" ("ns/name" without a kind, "Kind name" for a cluster-wide
 * policy), interned; NULL for none, or when it does not fit. */
static const char *policy_name(tm_hubble *h, const policy_in *p)
{
	if (!p->name.n)
		return NULL;
	tm_buf *b = &h->pname;
	tm_buf_reset(b);
	tm_err rc = TM_OK;
	if (p->kind.n) {
		rc = tm_buf_add(b, p->kind.s, p->kind.n);
		rc = rc ? rc : tm_buf_addc(b, ' ');
	}
	if (p->ns.n) {
		rc = rc ? rc : tm_buf_add(b, p->ns.s, p->ns.n);
		rc = rc ? rc : tm_buf_addc(b, '/');
	}
	rc = rc ? rc : tm_buf_add(b, p->name.s, p->name.n);
	return rc == TM_OK ? tm_intern_n(&h->fs->strs, b->s, b->len) : NULL;
}

/* The policy an event names: the one that denied it for a drop (or, in
 * audit mode, would have), else the one that allowed it. Where an event has
 * both (allowed at egress, denied at ingress), the denial decided. */
static const policy_in *policy_of(const hev *e)
{
	bool denying = e->c.verdict == TM_VERDICT_DROPPED || e->c.verdict == TM_VERDICT_ERROR ||
		       e->c.verdict == TM_VERDICT_AUDIT;
	return denying && e->denied.name.n ? &e->denied : &e->allowed;
}

static void peer_out(tm_hubble *h, const peer_in *p, tm_flow_peer *o)
{
	o->ns = str_or_null(h, p->ns);
	o->pod = str_or_null(h, p->pod);
	o->workload = str_or_null(h, p->wl);
	o->kind = str_or_null(h, p->kind);
	o->identity = str_or_null(h, p->identity);
	o->world = p->world;
}

/* The L7 proxy read HTTP on f: plaintext, shown by the event being read
 * (its line, for the evidence that names it). false on OOM. */
static bool shown(tm_hubble *h, tm_flow *f)
{
	tm_flow_seen *s = tm_flowset_seen(h->fs, f);
	if (!s)
		return false;
	f->flags &= (uint8_t)~TM_FLOW_F_CONTENT_UNSEEN;
	s->content_pos = h->cur ? h->cur->lineno : h->file_lines;
	return true;
}

static bool is_drop(uint8_t v)
{
	return v == TM_VERDICT_DROPPED || v == TM_VERDICT_ERROR;
}

/* Record f, just made in class cls, and the record of the same connection
 * in the other class (either way round), if any: a twin for
 * tm_hubble_finish. On OOM the two stay apart, as they were. */
static void find_twin(tm_hubble *h, const tm_flow *f, uint8_t cls)
{
	tm_conntab_key k, r;
	tm_conntab_key_of(f, (uint8_t)!cls, &k);
	r = k;
	r.cli = k.srv;
	r.srv = k.cli;
	r.cport = k.sport;
	r.sport = k.cport;
	long t = tm_conntab_find(&h->tab, h->fs, &k);
	if (t < 0)
		t = tm_conntab_find(&h->tab, h->fs, &r);
	if (t < 0)
		return;
	if (h->ntwins >= h->captwins) {
		size_t nc = h->captwins ? h->captwins * 2 : 64;
		twin *n = realloc(h->twins, nc * sizeof *n);
		if (!n)
			return;
		h->twins = n;
		h->captwins = nc;
	}
	uint32_t other = h->fs->flows[t].order;
	h->twins[h->ntwins++] = cls ? (twin){other, f->order} : (twin){f->order, other};
}

/* a reply that passed was folded into f: its destination answered */
static void mark_answered(tm_hubble *h, const tm_flow *f)
{
	if (f->order >= h->nanswered) {
		size_t nc = h->nanswered ? h->nanswered : 1024;
		while (nc <= f->order)
			nc *= 2;
		uint8_t *n = realloc(h->answered, nc);
		if (!n)
			return; /* then its twin, if any, is folded: as without the reply */
		memset(n + h->nanswered, 0, nc - h->nanswered);
		h->answered = n;
		h->nanswered = nc;
	}
	h->answered[f->order] = 1;
}

static void fold(tm_hubble *h, const hev *e)
{
	tm_flowset *fs = h->fs;
	uint8_t cls = is_drop(e->c.verdict);
	const tm_flowlog_conn back = tm_flowlog_conn_reversed(&e->c);
	tm_conntab_key fwd, rev;
	tm_flowlog_conn_key(&e->c, cls, &fwd);
	tm_flowlog_conn_key(&back, cls, &rev);
	long fi = tm_conntab_find(&h->tab, fs, &fwd);
	bool reply = e->reply == 1;
	if (e->reply < 0) {
		/* unknown: a SYN-ACK answers; else the direction already known */
		if (e->c.proto == 6 && e->syn && e->ack)
			reply = true;
		else if (fi < 0 && tm_conntab_find(&h->tab, fs, &rev) >= 0)
			reply = true;
	}
	if (reply) {
		h->st.replies++;
		fi = tm_conntab_find(&h->tab, fs, &rev);
	}
	tm_flow *f;
	if (fi >= 0)
		f = &fs->flows[fi];
	else {
		/* a reply seen without its connection still shows the connection,
		 * from the reply's destination */
		f = tm_flowlog_record(fs, reply ? &back : &e->c, TM_FLOW_FROM_HUBBLE, h->source);
		if (!f)
			return;
		h->st.records++;
		f->flags = TM_FLOW_F_CONTENT_UNSEEN;
		tm_flow_meta *m = tm_flowset_add_meta(fs, f);
		if (!m || tm_flowset_set_pos(fs, f, h->cur ? h->cur->lineno : h->file_lines) != TM_OK) {
			fs->nflows--;
			return;
		}
		peer_out(h, reply ? &e->pd : &e->ps, &m->src);
		peer_out(h, reply ? &e->ps : &e->pd, &m->dst);
		tm_conntab_key k;
		tm_conntab_key_of(f, cls, &k);
		if (!tm_conntab_put(&h->tab, fs, &k, f->order)) {
			fs->nflows--;
			return;
		}
		find_twin(h, f, cls);
	}
	tm_flow_meta *m = tm_flow_meta_of(fs, f);
	f->packets++;
	m->events++;
	if (e->c.ts < f->first_us)
		f->first_us = e->c.ts;
	if (e->c.ts > f->last_us)
		f->last_us = e->c.ts;
	if (reply && !cls)
		mark_answered(h, f);
	/* the strongest verdict of its events (in one class: drops are records
	 * of their own until tm_hubble_finish), and the point that said it */
	if (tm_flow_verdict_rank((tm_flow_verdict)e->c.verdict) > tm_flow_verdict_rank((tm_flow_verdict)f->verdict) ||
	    (!m->node && e->node.n) || (!m->direction && e->dir.n) || (!m->drop_reason && e->drop.n) ||
	    (!m->policy && policy_of(e)->name.n)) {
		const tm_flow_point p = {str_or_null(h, e->node), str_or_null(h, e->dir), str_or_null(h, e->drop),
					 policy_name(h, policy_of(e))};
		(void)tm_flow_fold_verdict(f, m, (tm_flow_verdict)e->c.verdict, &p);
	}
	if (e->encrypted)
		f->flags |= TM_FLOW_F_ENCRYPTED;
	if (e->policy_drop)
		f->flags |= TM_FLOW_F_POLICY_DROP;
	if (e->l7.n && f->app == TM_APP_UNKNOWN) {
		f->app = tm_js_is(e->l7, "http") ? TM_APP_HTTP : tm_js_is(e->l7, "dns") ? TM_APP_DNS : TM_APP_KAFKA;
		if (f->app == TM_APP_HTTP && !shown(h, f))
			return;
	}
}

void tm_hubble_line(tm_hubble *h, const char *line, size_t len)
{
	tm_js j;
	tm_js_str k;
	hev e;
	h->st.lines++;
	h->file_lines++;
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len)
		return; /* blank */
	memset(&e, 0, sizeof e);
	e.reply = -1;
	tm_js_init(&j, line, len, h->scratch, h->scap);
	if (tm_js_peek(&j) != TM_JS_OBJ) {
		bad(h, (unsigned)i + 1, "not a JSON object");
		return;
	}
	bool ok = tm_js_obj(&j);
	while (ok && tm_js_key(&j, &k))
		ok = member(h, &j, k, &e, 0);
	if (ok && !j.err)
		tm_js_done(&j);
	if (j.err) {
		char why[96];
		snprintf(why, sizeof why, "%s", j.p >= j.end && !strcmp(j.err, "truncated") ? "truncated JSON" : j.err);
		bad(h, (unsigned)(j.err_col > 0xFFFF ? 0 : j.err_col), why);
		return;
	}
	if (!e.is_flow) {
		h->st.other++;
		return;
	}
	h->st.events++;
	if (!e.has_src || !e.has_dst) {
		h->st.no_ip++;
		return;
	}
	if (!e.c.proto) {
		h->st.non_l4++;
		return;
	}
	if (is_drop(e.c.verdict))
		h->st.dropped++;
	fold(h, &e);
}

static void publish(tm_hubble *h)
{
	tm_flowset *fs = h->fs;
	tm_flowset_counter_set(fs, "hubble_lines", "Hubble lines read", h->st.lines);
	tm_flowset_counter_set(fs, "hubble_events", "Hubble flow events", h->st.events);
	tm_flowset_counter_set(fs, "hubble_connections", "connections made from Hubble events",
			       h->st.records - h->st.drops_folded);
	tm_flowset_counter_set(fs, "hubble_replies", "Hubble reply events folded into their connection", h->st.replies);
	tm_flowset_counter_set(fs, "hubble_dropped", "Hubble DROPPED/ERROR events", h->st.dropped);
	tm_flowset_counter_set(fs, "hubble_drops_folded",
			       "Hubble drop records folded into their connection (passed at another point)",
			       h->st.drops_folded);
	tm_flowset_counter_set(fs, "hubble_bad_lines", "Hubble lines skipped: not JSON, wrong types, truncated", h->st.bad);
	tm_flowset_counter_set(fs, "hubble_long_lines", "Hubble lines skipped: longer than the line limit", h->st.too_long);
	tm_flowset_counter_set(fs, "hubble_other_events", "Hubble lines without a flow (lost events, node status)", h->st.other);
	tm_flowset_counter_set(fs, "hubble_no_ip", "Hubble flows without an IP layer", h->st.no_ip);
	tm_flowset_counter_set(fs, "hubble_non_l4", "Hubble flows without TCP/UDP/SCTP (ICMP, ...)", h->st.non_l4);
	tm_flowset_counter_set(fs, "hubble_unknown_fields", "Hubble fields this version does not know (ignored)",
			       h->st.unknown_fields);
}

tm_err tm_hubble_read_file(tm_hubble *h, const char *path)
{
	tm_lines l;
	tm_err rc = tm_lines_open(&l, h->fs, path, h->max_line);
	if (rc != TM_OK)
		return rc;
	h->source = tm_flowset_add_source(h->fs, TM_FLOW_FROM_HUBBLE, path);
	h->file_lines = 0;
	h->cur = &l;
	h->unknown_in_file = 0;
	char *s;
	size_t n;
	while (tm_lines_next(&l, &s, &n))
		tm_hubble_line(h, s, n);
	h->st.too_long += l.too_long;
	if (h->unknown_in_file)
		tm_diags_add(&h->fs->diags, TM_DIAG_WARN, (tm_srcloc){l.name, (unsigned)h->first_unknown_line, 0},
			     "Hubble: %llu field%s unknown to this reader ignored (the first: \"%s\")",
			     (unsigned long long)h->unknown_in_file, h->unknown_in_file == 1 ? "" : "s",
			     h->first_unknown);
	if (l.lineno && !h->st.events && !h->st.bad)
		tm_diags_add(&h->fs->diags, TM_DIAG_WARN, (tm_srcloc){l.name, 0, 0},
			     "no Hubble flow in %llu line%s (hubble observe -o json, or the flow exporter)",
			     (unsigned long long)l.lineno, l.lineno == 1 ? "" : "s");
	rc = tm_lines_close(&l);
	h->cur = NULL;
	publish(h);
	return rc;
}

/* d, a drop record, into p, the passing record of its connection: the
 * same connection seen at another point. p keeps its ends and takes d's
 * events, times and verdict (and with it d's point: node, direction, drop
 * reason); where the connection was first seen is the earlier of the two. */
static void fold_drop(tm_flowset *fs, tm_flow *p, const tm_flow *d)
{
	tm_flow_meta *pm = tm_flow_meta_of(fs, p);
	const tm_flow_meta *dm = tm_flow_meta_of(fs, d);
	bool same = !tm_ip_cmp(p->cli_ip, d->cli_ip) && p->cli_port == d->cli_port;
	p->packets += d->packets;
	p->bytes += d->bytes;
	if (d->last_us > p->last_us)
		p->last_us = d->last_us;
	if (d->first_us < p->first_us)
		p->first_us = d->first_us;
	p->flags |= (uint8_t)(d->flags & (TM_FLOW_F_ENCRYPTED | TM_FLOW_F_POLICY_DROP));
	const tm_flow_point none = {NULL, NULL, NULL, NULL};
	const tm_flow_point dp = dm ? (tm_flow_point){dm->node, dm->direction, dm->drop_reason, dm->policy} : none;
	(void)tm_flow_fold_verdict(p, pm, (tm_flow_verdict)d->verdict, &dp);
	if (pm && dm) {
		tm_flow_peer_fill(&pm->src, same ? &dm->src : &dm->dst);
		tm_flow_peer_fill(&pm->dst, same ? &dm->dst : &dm->src);
		pm->events += dm->events;
	}
	/* the drop's first event came first: the record starts there (a line of
	 * p's own input, or of an earlier one when p names no later L7 line) */
	const tm_flow_seen *ps = tm_flow_seen_of(fs, p);
	if (d->order < p->order && (d->source == p->source || !ps || !ps->content_pos)) {
		p->source = d->source;
		(void)tm_flowset_set_pos(fs, p, tm_flow_pos_of(fs, d));
	}
}

/* Events of one connection at several observation points (a Hubble Relay
 * export holds every node's: forwarded at the source's node at egress,
 * dropped at the destination's at ingress; one node's egress and ingress
 * when both pods are on it) are one connection. A drop at any point is
 * where it ended (tm_flow_verdict_rank, as flows --merge decides), unless a
 * reply passed: the destination answered, the connection got through, and
 * the drop was of a later packet (kept as a record of its own, evidence of
 * enforcement, as before). Decided once every event is in, so the input
 * order does not matter. The records may have been sorted by another
 * reader since they were made: found again by order. On OOM the twins stay
 * apart. */
static void fold_twins(tm_hubble *h)
{
	tm_flowset *fs = h->fs;
	if (!h->ntwins || !fs->nflows)
		return;
	uint32_t maxo = 0;
	for (size_t i = 0; i < fs->nflows; i++)
		if (fs->flows[i].order > maxo)
			maxo = fs->flows[i].order;
	uint32_t *at = malloc(((size_t)maxo + 1) * sizeof *at);
	bool *dead = calloc(fs->nflows, sizeof *dead);
	if (!at || !dead)
		goto out;
	memset(at, 0xff, ((size_t)maxo + 1) * sizeof *at);
	for (size_t i = 0; i < fs->nflows; i++)
		at[fs->flows[i].order] = (uint32_t)i;
	for (size_t t = 0; t < h->ntwins; t++) {
		const twin w = h->twins[t];
		if (w.pass > maxo || w.drop > maxo || at[w.pass] == UINT32_MAX || at[w.drop] == UINT32_MAX)
			continue;
		if (dead[at[w.drop]] || (w.pass < h->nanswered && h->answered[w.pass]))
			continue;
		fold_drop(fs, &fs->flows[at[w.pass]], &fs->flows[at[w.drop]]);
		dead[at[w.drop]] = true;
		h->st.drops_folded++;
	}
	if (h->st.drops_folded) {
		size_t k = 0;
		for (size_t i = 0; i < fs->nflows; i++)
			if (!dead[i])
				fs->flows[k++] = fs->flows[i];
		fs->nflows = k;
	}
out:
	free(at);
	free(dead);
}

void tm_hubble_finish(tm_hubble *h)
{
	if (h->finished)
		return;
	h->finished = true;
	fold_twins(h);
	publish(h);
	tm_flowset_sort(h->fs);
}
