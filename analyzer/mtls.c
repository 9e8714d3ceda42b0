/* mtls.c - observed traffic as evidence for require-mtls zone rules and
 * TM124: each observed TCP connection (model/flow.h) is mapped to the
 * endpoints of the connectivity graph and recorded as proven mutual TLS (a
 * client certificate was presented, or a service mesh's mTLS was recognised
 * in a TLS handshake where the client did not decline a certificate) or as
 * observed without it (plaintext, or TLS without a client certificate). A
 * port observed without mutual TLS is not proven by other connections on it.
 * TLS 1.3 connections whose client certificate is encrypted and not inferred
 * prove nothing either way. Each connection seen without mutual TLS is kept
 * (tm_mtls_wrec), so that a finding names the first packet or line showing it
 * (and the line that decided it, when another one did: rec_where). */
#include "analyzer/check.h"
#include "analyzer/ipmap.h"
#include "analyzer/flowmap.h"
#include "model/flow.h"

#include <stdlib.h>
#include <string.h>

static int obs_cmp(const void *a, const void *b)
{
	const tm_mtls_obs *x = a, *y = b;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->dst < y->dst ? -1 : x->dst > y->dst;
}

/* by pair, then where the record is: input, position in it, creation order */
static int wrec_cmp(const void *a, const void *b, void *ctx)
{
	const tm_mtls_wrec *x = a, *y = b;
	const tm_flowset *fs = ctx;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	const tm_flow *fx = &fs->flows[x->flow], *fy = &fs->flows[y->flow];
	if (fx->source != fy->source)
		return fx->source < fy->source ? -1 : 1;
	uint64_t px = tm_flow_pos_of(fs, fx), py = tm_flow_pos_of(fs, fy);
	if (px != py)
		return px < py ? -1 : 1;
	return fx->order < fy->order ? -1 : fx->order > fy->order;
}

/* one record per pair, and a port seen without mutual TLS is not proven by
 * other connections on it: the capture shows that mTLS is not enforced there */
static void merge(tm_portpool *pp, tm_mtls_evidence *ev)
{
	if (ev->n > 1)
		qsort(ev->v, ev->n, sizeof *ev->v, obs_cmp);
	size_t k = 0;
	for (size_t i = 0; i < ev->n; i++) {
		if (k && ev->v[k - 1].src == ev->v[i].src && ev->v[k - 1].dst == ev->v[i].dst) {
			ev->v[k - 1].proven = tm_ports_union(pp, ev->v[k - 1].proven, ev->v[i].proven);
			ev->v[k - 1].without = tm_ports_union(pp, ev->v[k - 1].without, ev->v[i].without);
		} else
			ev->v[k++] = ev->v[i];
	}
	ev->n = k;
	for (size_t i = 0; i < ev->n; i++)
		ev->v[i].proven = tm_ports_minus(pp, ev->v[i].proven, ev->v[i].without);
	if (ev->nrecs > 1)
		qsort_r(ev->recs, ev->nrecs, sizeof *ev->recs, wrec_cmp, (void *)ev->fs);
}

/* what one TCP connection proves: 1 mutual TLS, 0 without, -1 nothing */
static int proves(const tm_flow *f)
{
	/* a client certificate seen (or inferred) proves it; a mesh
	 * signature (ALPN, SNI, port: all chosen by the client) only where
	 * the handshake did not show the client declining a certificate */
	bool proven = f->tls && (f->tls->client_cert == TM_CC_YES ||
				 (f->mesh != TM_MESH_NONE && f->tls->client_cert != TM_CC_NO));
	if (proven)
		return 1;
	/* a flow log that saw no payload (Hubble; Zeek without a service)
	 * says nothing about TLS */
	if (!f->tls && (f->flags & TM_FLOW_F_CONTENT_UNSEEN))
		return -1;
	return !f->tls || f->tls->client_cert == TM_CC_NO ? 0 : -1;
}

/* flow i of fs between endpoints s and d, to server port dport */
static void record(const tm_graph *g, tm_mtls_evidence *ev, size_t i, long s, long d, uint16_t dport)
{
	tm_portpool *pp = g->m->ports;
	const tm_flow *f = &ev->fs->flows[i];
	ev->flows++;
	if ((s >= 0 && g->eps[s].kind == TM_EP_WORKLOAD) || (d >= 0 && g->eps[d].kind == TM_EP_WORKLOAD))
		ev->on_workloads++;
	if (s < 0 || d < 0 || s == d) {
		ev->unmapped++;
		return;
	}
	int pr = proves(f);
	if (pr < 0)
		return;
	const tm_ports *port = tm_ports_range(pp, TM_PROTO_TCP, dport, dport);
	TM_HEAP_GROW(ev->v, ev->n, ev->cap);
	ev->v[ev->n++] = (tm_mtls_obs){(uint32_t)s, (uint32_t)d, pr ? port : tm_ports_empty(pp),
				       pr ? tm_ports_empty(pp) : port};
	if (!pr) {
		TM_HEAP_GROW(ev->recs, ev->nrecs, ev->caprecs);
		ev->recs[ev->nrecs++] = (tm_mtls_wrec){(uint32_t)s, (uint32_t)d, (uint32_t)i, dport};
	}
}

tm_err tm_mtls_evidence_build_obs(const tm_graph *g, const struct tm_flowset *fs, const tm_flowmap *o,
				  tm_mtls_evidence *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->fs = fs;
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_fm_flow *of = &o->v[i];
		if (fs->flows[i].proto != 6 || !of->connection)
			continue;
		record(g, ev, i, of->src, of->dst, of->dport);
	}
	merge(g->m->ports, ev);
	return TM_OK;
}

tm_err tm_mtls_evidence_build(const tm_graph *g, const struct tm_flowset *fs, tm_mtls_evidence *ev)
{
	tm_ipmap im;
	memset(ev, 0, sizeof *ev);
	ev->fs = fs;
	if (tm_ipmap_build(&im, g) != TM_OK)
		return TM_ERR_NOMEM;
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		if (f->proto != 6)
			continue;
		record(g, ev, i, tm_ipmap_lookup(&im, f->cli_ip, TM_IPMAP_SRC), tm_ipmap_lookup(&im, f->srv_ip, TM_IPMAP_DST),
		       f->srv_port);
	}
	merge(g->m->ports, ev);
	tm_ipmap_release(&im);
	return TM_OK;
}

const tm_mtls_obs *tm_mtls_lookup(const tm_mtls_evidence *ev, size_t src, size_t dst)
{
	if (!ev || !ev->n)
		return NULL;
	tm_mtls_obs key = {(uint32_t)src, (uint32_t)dst, NULL, NULL};
	return bsearch(&key, ev->v, ev->n, sizeof *ev->v, obs_cmp);
}

/* the first record of the pair src -> dst in ev->recs: lower bound */
static size_t pair_first(const tm_mtls_evidence *ev, size_t src, size_t dst)
{
	size_t lo = 0, hi = ev->nrecs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const tm_mtls_wrec *r = &ev->recs[mid];
		if (r->src < src || (r->src == src && r->dst < dst))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const tm_flow *tm_mtls_rec(const tm_mtls_evidence *ev, size_t src, size_t dst, const tm_ports *ports)
{
	if (!ev || !ev->nrecs || !ports)
		return NULL;
	for (size_t i = pair_first(ev, src, dst); i < ev->nrecs && ev->recs[i].src == src && ev->recs[i].dst == dst; i++)
		if (tm_ports_contains(ports, TM_PROTO_TCP, ev->recs[i].port))
			return &ev->fs->flows[ev->recs[i].flow];
	return NULL;
}

unsigned tm_mtls_rec_kinds(const tm_mtls_evidence *ev, size_t src, size_t dst, const tm_ports *ports)
{
	unsigned k = 0;
	if (!ev || !ev->nrecs || !ports)
		return 0;
	for (size_t i = pair_first(ev, src, dst); i < ev->nrecs && ev->recs[i].src == src && ev->recs[i].dst == dst; i++)
		if (tm_ports_contains(ports, TM_PROTO_TCP, ev->recs[i].port))
			k |= tm_flow_evkind((tm_flow_origin)ev->fs->flows[ev->recs[i].flow].origin);
	return k;
}

unsigned tm_mtls_kinds_read(const tm_mtls_evidence *ev)
{
	unsigned k = 0;
	const tm_flowset *fs = ev ? ev->fs : NULL;
	if (!fs)
		return 0;
	bool summary = false;
	for (size_t i = 0; i < fs->nsources; i++) {
		k |= tm_flow_evkind(fs->sources[i].origin);
		summary |= fs->sources[i].origin == TM_FLOW_FROM_SUMMARY;
	}
	/* a summary holds what other readers observed: its records say which */
	for (size_t i = 0; summary && i < fs->nflows; i++)
		k |= tm_flow_evkind((tm_flow_origin)fs->flows[i].origin);
	return k;
}

/* Where the evidence of record f is: the line or packet that decided what it
 * shows, and the one that established the connection when that is another.
 * A Zeek ssl.log line decides TLS without a client certificate (its conn.log
 * line established the connection); a Hubble L7 event that is not the
 * connection's first decides plaintext. A record read back from a summary
 * names the observation its seen_in gives, through the summary's line
 * (tm_fevidence_where), and the deciding line seen_in.tls or seen_in.l7
 * names. */
static void rec_where(const tm_flowset *fs, const tm_flow *f, tm_fevidence *e)
{
	const tm_flow_seen *seen = tm_flow_seen_of(fs, f);
	bool no_cert = f->tls && f->tls->client_cert == TM_CC_NO;
	tm_fevidence_where(fs, f, e);
	if (!seen)
		return;
	/* a summary's seen_in.tls may say the line is not known (tls, pos 0);
	 * a reader that joined an ssl.log record always knows it */
	uint64_t at = 0;
	const char *at_file = NULL, *at_unit = e->unit;
	if (no_cert && seen->tls_file && (seen->tls_pos || seen->tls)) {
		at = seen->tls_pos;
		at_file = seen->tls_file;
		at_unit = "line";
	} else if (!f->tls && seen->content_pos && seen->content_pos != e->pos) {
		at = seen->content_pos;
		at_file = e->file;
	}
	if (at || at_file) {
		e->conn_file = e->file;
		e->conn_pos = e->pos;
		e->file = at_file;
		e->unit = at_unit;
		e->pos = at;
	}
}

void tm_mtls_rec_attach(const tm_mtls_evidence *ev, const tm_flow *f, tm_findings *out, tm_finding *fd)
{
	if (!ev || !f)
		return;
	const tm_flowset *fs = ev->fs;
	char sip[64], dip[64];
	tm_flow_format_ip(f, true, sip, sizeof sip);
	tm_flow_format_ip(f, false, dip, sizeof dip);
	const tm_flow_meta *m = tm_flow_meta_of(fs, f);
	tm_fevidence e = {
		.transport = f->proto == 17 ? "udp" : "tcp",
		.src_ip = sip,
		.dst_ip = dip,
		.src_port = f->cli_port,
		.dst_port = f->srv_port,
		.time_us = f->first_us,
		.shows = f->tls ? "TLS without a client certificate" : "plaintext",
		.uid = m ? m->uid : NULL,
	};
	rec_where(fs, f, &e);
	tm_finding_set_evidence(out, fd, &e);
	tm_buf b;
	tm_buf_init(&b, 0);
	(void)tm_buf_adds(&b, fd->message);
	(void)tm_buf_adds(&b, "; first seen without mutual TLS in ");
	tm_fevidence_format(fd->evidence, &b);
	fd->message = tm_findings_str(out, tm_buf_str(&b));
	tm_buf_release(&b);
}

void tm_mtls_evidence_release(tm_mtls_evidence *ev)
{
	free(ev->v);
	free(ev->recs);
	memset(ev, 0, sizeof *ev);
}
