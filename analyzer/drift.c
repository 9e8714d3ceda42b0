/* drift.c - what the observed traffic says against the policies and zones
 * (docs/checks.md TM130-TM134): connections the policies deny, plaintext
 * across zone boundaries, SPIFFE identities of another workload, allowed
 * connections never observed, internet egress from zones that must not
 * egress. Reads the observed edges and records of analyzer/flowmap.h. */
#include "analyzer/check.h"
#include "analyzer/flowmap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct dctx {
	tm_graph *g;
	const tm_zones *z;
	const tm_zonemap *zm;
	const tm_flowmap *o;
	const tm_flowset *fs;
	tm_findings *out;
	tm_buf msg, tmp;
} dctx;

static void utc(tm_buf *b, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tmv;
	char s[32];
	if (us >= 0 && gmtime_r(&t, &tmv) && strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tmv))
		tm_buf_adds(b, s);
	else
		tm_buf_addf(b, "%lld us", (long long)us);
}

/* "seen 3 times from T1 to T2, 14 packets, first in pcap a.pcap packet 4":
 * the edge's first record named as every finding names a record
 * (tm_fevidence_where), so that one read back from a summary names the
 * capture or log it was observed in, and the summary line it was read from
 * ("... (via summary s.json line 35)") */
static void evidence(dctx *c, const tm_fm_edge *e, tm_buf *b)
{
	tm_buf_addf(b, "seen %llu time%s from ", (unsigned long long)e->flows, e->flows == 1 ? "" : "s");
	utc(b, e->first_us);
	tm_buf_adds(b, " to ");
	utc(b, e->last_us);
	tm_buf_addf(b, ", %llu packet%s", (unsigned long long)e->packets, e->packets == 1 ? "" : "s");
	const tm_flow *f = &c->fs->flows[e->first_flow];
	if (f->source == TM_FLOW_NO_SOURCE || f->source >= c->fs->nsources)
		return;
	tm_fevidence w = {0};
	tm_fevidence_where(c->fs, f, &w);
	tm_buf_adds(b, ", first in ");
	tm_fevidence_format_where(&w, b);
}

static tm_finding *add(dctx *c, const char *id, tm_severity sev, const char *src, const char *dst,
		       const tm_ports *conns)
{
	const tm_check_info *ci = tm_check_find(id);
	tm_finding *fd = tm_findings_add(c->out, ci->id, sev, ci->title, tm_buf_str(&c->msg));
	fd->hint = tm_findings_str(c->out, ci->hint);
	fd->src = tm_findings_str(c->out, src);
	fd->dst = tm_findings_str(c->out, dst);
	if (conns) {
		tm_buf_reset(&c->tmp);
		tm_ports_format(conns, &c->tmp);
		fd->conns = tm_findings_str(c->out, tm_buf_str(&c->tmp));
	}
	return fd;
}

/* Where it was observed, as a location of the finding (SARIF
 * physicalLocation, the text's "at" lines): a file the user has where check
 * runs. That is the input read: a capture (no lines: its packet is in the
 * message), a flow log and its line, or for a record read back from a
 * summary the summary and the line its record starts on. The capture or
 * log the summary names may be on another node; the message names it. */
static void add_source_loc(dctx *c, tm_finding *fd, const tm_fm_edge *e)
{
	const tm_flow *f = &c->fs->flows[e->first_flow];
	if (f->source == TM_FLOW_NO_SOURCE || f->source >= c->fs->nsources)
		return;
	const tm_flow_source *src = &c->fs->sources[f->source];
	if (src->origin == TM_FLOW_FROM_SUMMARY) {
		const tm_flow_seen *seen = tm_flow_seen_of(c->fs, f);
		uint64_t line = seen ? seen->via_pos : 0;
		tm_finding_add_loc(c->out, fd, (tm_srcloc){src->name, line > UINT32_MAX ? 0 : (unsigned)line, 0},
				   "observed traffic (flow summary record)");
		return;
	}
	uint64_t pos = src->origin == TM_FLOW_FROM_CAPTURE ? 0 : tm_flow_pos_of(c->fs, f);
	tm_finding_add_loc(c->out, fd, (tm_srcloc){src->name, pos > UINT32_MAX ? 0 : (unsigned)pos, 0},
			   "observed traffic");
}

/* ---- TM130 ---- */
static void denied(dctx *c)
{
	for (size_t i = 0; i < c->o->nedges; i++) {
		const tm_fm_edge *e = &c->o->edges[i];
		if (tm_ports_is_empty(e->denied))
			continue;
		const char *sn = c->g->eps[e->src].name, *dn = c->g->eps[e->dst].name;
		tm_buf_reset(&c->msg);
		tm_buf_reset(&c->tmp);
		tm_ports_format(e->denied, &c->tmp);
		tm_buf_addf(&c->msg, "%s connected to %s on %s, which the policies deny: ", sn, dn, tm_buf_str(&c->tmp));
		evidence(c, e, &c->msg);
		tm_finding *fd = add(c, "TM130", TM_SEV_HIGH, sn, dn, e->denied);
		add_source_loc(c, fd, e);
		/* no rule allows it: the two workloads are the locations (and
		 * their trustmap.io/ignore annotations apply) */
		for (int k = 0; k < 2; k++) {
			const tm_endpoint *ep = &c->g->eps[k ? e->dst : e->src];
			if (ep->kind != TM_EP_WORKLOAD)
				continue;
			tm_finding_add_loc(c->out, fd, ep->w->loc, ep->w->display);
			tm_buf_reset(&c->tmp);
			tm_buf_addf(&c->tmp, "%s %s/%s", ep->w->kind, ep->w->ns, ep->w->name);
			tm_finding_suppress(c->out, fd, ep->w->ignore, tm_buf_str(&c->tmp));
		}
	}
}

/* ---- zones of endpoints ---- */
static bool in_zone(const dctx *c, size_t ep, size_t k)
{
	return c->zm->bits && c->zm->bits[ep * c->zm->nzones + k];
}

static bool zone_named(const dctx *c, size_t ep, const char *name)
{
	return tm_zonemap_in(c->zm, c->g, ep, name);
}

/* the zone rules from a zone of src to a zone of dst */
static const tm_zrule *rule_between(const dctx *c, size_t src, size_t dst, int action, tm_severity *max)
{
	const tm_zrule *best = NULL;
	for (size_t i = 0; c->z && i < c->z->nrules; i++) {
		const tm_zrule *r = &c->z->rules[i];
		if ((action >= 0 && (int)r->action != action) || !zone_named(c, src, r->from) || !zone_named(c, dst, r->to))
			continue;
		if (!best || r->severity > best->severity)
			best = r;
	}
	if (best && max)
		*max = best->severity;
	return best;
}

/* ---- TM131 ---- */
static void plaintext(dctx *c)
{
	tm_graph *g = c->g;
	size_t nz = c->z ? c->z->nzones : 0;
	/* per observed edge: the plaintext TCP ports */
	const tm_ports **plain = calloc(c->o->nedges + 1, sizeof *plain);
	if (!plain)
		return;
	tm_portpool *pp = g->m->ports;
	for (size_t i = 0; i < c->fs->nflows; i++) {
		const tm_flow *f = &c->fs->flows[i];
		const tm_fm_flow *of = &c->o->v[i];
		if (f->proto != 6 || !of->connection || of->why || f->tls || (f->flags & TM_FLOW_F_CONTENT_UNSEEN) ||
		    f->app == TM_APP_TLS || f->app == TM_APP_SSH || f->mesh)
			continue;
		const tm_fm_edge *e = tm_flowmap_edge(c->o, (size_t)of->src, (size_t)of->dst);
		if (!e)
			continue;
		size_t k = (size_t)(e - c->o->edges);
		const tm_ports *p = tm_ports_range(pp, TM_PROTO_TCP, of->dport, of->dport);
		plain[k] = plain[k] ? tm_ports_union(pp, plain[k], p) : p;
	}
	for (size_t i = 0; i < c->o->nedges; i++) {
		const tm_fm_edge *e = &c->o->edges[i];
		if (!plain[i] || (g->eps[e->src].kind != TM_EP_WORKLOAD && g->eps[e->dst].kind != TM_EP_WORKLOAD))
			continue;
		/* a zone boundary: a zone holds one end and not the other */
		const char *zs = NULL, *zd = NULL;
		bool cross = false;
		for (size_t k = 0; k < nz; k++) {
			bool a = in_zone(c, e->src, k), b = in_zone(c, e->dst, k);
			if (a && !zs)
				zs = c->z->zones[k].name;
			if (b && !zd)
				zd = c->z->zones[k].name;
			cross |= a != b;
		}
		bool is = zone_named(c, e->src, TM_ZONE_INTERNET), id = zone_named(c, e->dst, TM_ZONE_INTERNET);
		if (is && !zs)
			zs = TM_ZONE_INTERNET;
		if (id && !zd)
			zd = TM_ZONE_INTERNET;
		cross |= is != id;
		if (!cross)
			continue;
		/* require-mtls rules speak for their connections */
		if (rule_between(c, e->src, e->dst, TM_ZACT_REQUIRE_MTLS, NULL))
			continue;
		tm_severity sev = TM_SEV_MEDIUM;
		const tm_zrule *r = rule_between(c, e->src, e->dst, -1, &sev);
		const char *sn = g->eps[e->src].name, *dn = g->eps[e->dst].name;
		tm_buf_reset(&c->msg);
		tm_buf_reset(&c->tmp);
		tm_ports_format(plain[i], &c->tmp);
		tm_buf_addf(&c->msg, "plaintext from %s (zone %s) to %s (zone %s) on %s", sn, zs ? zs : "none", dn,
			    zd ? zd : "none", tm_buf_str(&c->tmp));
		if (r)
			tm_buf_addf(&c->msg, " (zone rule %s)", r->name);
		tm_buf_adds(&c->msg, ": ");
		evidence(c, e, &c->msg);
		tm_finding *fd = add(c, "TM131", sev, sn, dn, plain[i]);
		add_source_loc(c, fd, e);
		tm_finding_attach_edge(g, c->out, fd, e->src, e->dst, plain[i]);
	}
	free((void *)plain);
}

/* ---- TM132 ---- */
/* spiffe://td/ns/NS/sa/SA: NS and SA as slices; false when not that shape */
static bool spiffe_parts(const char *id, const char **ns, size_t *nsl, const char **sa, size_t *sal)
{
	if (strncmp(id, "spiffe://", 9))
		return false;
	const char *p = strchr(id + 9, '/');
	if (!p || strncmp(p, "/ns/", 4))
		return false;
	*ns = p + 4;
	const char *q = strchr(*ns, '/');
	if (!q || strncmp(q, "/sa/", 4))
		return false;
	*nsl = (size_t)(q - *ns);
	*sa = q + 4;
	*sal = strcspn(*sa, "/");
	return *nsl && *sal;
}

static const char *cert_spiffe(const tm_cert *ct)
{
	for (size_t i = 0; i < ct->nsans; i++)
		if (!strncmp(ct->sans[i], "URI:spiffe://", 13))
			return ct->sans[i] + 4;
	return NULL;
}

static void spiffe_one(dctx *c, size_t i, const char *id, bool client)
{
	const tm_fm_flow *of = &c->o->v[i];
	size_t ep = (size_t)(client ? of->src : of->dst);
	const tm_endpoint *e = &c->g->eps[ep];
	const char *ns, *sa;
	size_t nsl, sal;
	if (e->kind != TM_EP_WORKLOAD || !spiffe_parts(id, &ns, &nsl, &sa, &sal))
		return;
	const char *want_sa = e->w->service_account ? e->w->service_account : "default";
	bool ns_ok = strlen(e->w->ns) == nsl && !strncmp(e->w->ns, ns, nsl);
	bool sa_ok = strlen(want_sa) == sal && !strncmp(want_sa, sa, sal);
	if (ns_ok && sa_ok)
		return;
	/* one finding per (pair, identity) */
	for (size_t k = 0; k < c->out->n; k++) {
		const tm_finding *fd = &c->out->v[k];
		if (!strcmp(fd->rule, "TM132") && fd->src && !strcmp(fd->src, c->g->eps[of->src].name) && fd->dst &&
		    !strcmp(fd->dst, c->g->eps[of->dst].name) && strstr(fd->message, id))
			return;
	}
	const tm_fm_edge *oe = tm_flowmap_edge(c->o, (size_t)of->src, (size_t)of->dst);
	tm_buf_reset(&c->msg);
	tm_buf_addf(&c->msg, "the %s certificate of %s -> %s carries %s, but %s runs in namespace %s as service account %s",
		    client ? "client" : "server", c->g->eps[of->src].name, c->g->eps[of->dst].name, id, e->name, e->w->ns,
		    want_sa);
	if (oe) {
		tm_buf_adds(&c->msg, "; ");
		evidence(c, oe, &c->msg);
	}
	tm_finding *fd = add(c, "TM132", TM_SEV_HIGH, c->g->eps[of->src].name, c->g->eps[of->dst].name, NULL);
	if (oe)
		add_source_loc(c, fd, oe);
	tm_finding_add_loc(c->out, fd, e->w->loc, e->w->display);
}

static void spiffe(dctx *c)
{
	for (size_t i = 0; i < c->fs->nflows; i++) {
		const tm_flow *f = &c->fs->flows[i];
		const tm_fm_flow *of = &c->o->v[i];
		if (!f->tls || of->why || of->src < 0 || of->dst < 0)
			continue;
		const char *cid = f->tls->client_identity;
		if (!cid || strncmp(cid, "spiffe://", 9))
			cid = cert_spiffe(&f->tls->client_certificate);
		if (cid)
			spiffe_one(c, i, cid, true);
		const char *sid = cert_spiffe(&f->tls->server_cert);
		if (sid)
			spiffe_one(c, i, sid, false);
	}
}

/* ---- TM133 ---- */
static void never_observed(dctx *c)
{
	tm_graph *g = c->g;
	if (!c->o->nedges)
		return;
	unsigned char *seen = calloc(g->neps + 1, 1);
	if (!seen)
		return;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < c->o->nedges; i++) {
		seen[c->o->edges[i].src] = seen[c->o->edges[i].dst] = 1;
		if (c->o->edges[i].first_us < lo)
			lo = c->o->edges[i].first_us;
		if (c->o->edges[i].last_us > hi)
			hi = c->o->edges[i].last_us;
	}
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		if (e->src == e->dst || g->eps[e->src].kind != TM_EP_WORKLOAD || g->eps[e->dst].kind != TM_EP_WORKLOAD ||
		    !(seen[e->src] || seen[e->dst]) || tm_flowmap_edge(c->o, e->src, e->dst))
			continue;
		const char *sn = g->eps[e->src].name, *dn = g->eps[e->dst].name;
		tm_buf_reset(&c->msg);
		tm_buf_reset(&c->tmp);
		tm_ports_format(e->ports, &c->tmp);
		tm_buf_addf(&c->msg, "%s may connect to %s on %s, but no such connection was observed between ", sn, dn,
			    tm_buf_str(&c->tmp));
		utc(&c->msg, lo);
		tm_buf_adds(&c->msg, " and ");
		utc(&c->msg, hi);
		tm_finding *fd = add(c, "TM133", TM_SEV_INFO, sn, dn, e->ports);
		tm_finding_attach_edge(g, c->out, fd, e->src, e->dst, e->ports);
	}
	free(seen);
}

/* ---- TM134 ---- */
static void internet_egress(dctx *c)
{
	tm_graph *g = c->g;
	for (size_t i = 0; i < c->o->nedges; i++) {
		const tm_fm_edge *e = &c->o->edges[i];
		if (g->eps[e->dst].kind != TM_EP_IPRANGE || !zone_named(c, e->dst, TM_ZONE_INTERNET))
			continue;
		/* a public address was seen on this edge */
		bool pub = false;
		for (size_t k = 0; k < c->fs->nflows && !pub; k++)
			pub = c->o->v[k].connection && c->o->v[k].src == (int32_t)e->src && c->o->v[k].dst == (int32_t)e->dst &&
			      c->o->v[k].internet_dst;
		const tm_zrule *r = pub ? rule_between(c, e->src, e->dst, TM_ZACT_DENY, NULL) : NULL;
		if (!r || !strcmp(r->from, TM_ZONE_ANY))
			continue;
		const char *sn = g->eps[e->src].name;
		tm_buf_reset(&c->msg);
		tm_buf_reset(&c->tmp);
		tm_ports_format(e->ports, &c->tmp);
		tm_buf_addf(&c->msg, "%s (zone %s) connected to the internet on %s; zone rule %s denies connections from %s to %s: ",
			    sn, r->from, tm_buf_str(&c->tmp), r->name, r->from, r->to);
		evidence(c, e, &c->msg);
		tm_finding *fd = add(c, "TM134", r->severity, sn, "internet", e->ports);
		add_source_loc(c, fd, e);
		tm_finding_attach_edge(g, c->out, fd, e->src, e->dst, e->ports);
	}
}

tm_err tm_drift_run(tm_graph *g, const tm_zones *z, const tm_zonemap *zm, const struct tm_flowmap *o,
		    const struct tm_flowset *fs, tm_findings *out)
{
	dctx c = {g, z, zm, o, fs, out, {0}, {0}};
	size_t n;
	const tm_check_info *t = tm_checks_table(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].observed)
			tm_findings_add_rule(out, t[i].id, t[i].name, t[i].title, t[i].help, t[i].severity);
	tm_buf_init(&c.msg, 0);
	tm_buf_init(&c.tmp, 0);
	denied(&c);
	plaintext(&c);
	spiffe(&c);
	never_observed(&c);
	internet_egress(&c);
	tm_buf_release(&c.msg);
	tm_buf_release(&c.tmp);
	return TM_OK;
}
