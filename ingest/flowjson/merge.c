/* merge.c - the records of several flow summaries as one set
 * (tm_flowjson_merge in flowjson.h; docs/flows.md "Merging"). The summary
 * records are sorted by connection (transport and the two ends, whichever
 * is the client) and first-seen time; each run of one connection is swept
 * once, so merging is O(n log n) in the records read. */
#include "ingest/flowjson/flowjson.h"

#include <stdlib.h>
#include <string.h>

/* the lower end of a connection, by address then port */
static bool cli_is_low(const tm_flow *f)
{
	int c = tm_ip_cmp(f->cli_ip, f->srv_ip);
	return c < 0 || (c == 0 && f->cli_port <= f->srv_port);
}

static int conn_cmp(const tm_flow *x, const tm_flow *y)
{
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	bool xl = cli_is_low(x), yl = cli_is_low(y);
	tm_ip xa = xl ? x->cli_ip : x->srv_ip, xb = xl ? x->srv_ip : x->cli_ip;
	tm_ip ya = yl ? y->cli_ip : y->srv_ip, yb = yl ? y->srv_ip : y->cli_ip;
	uint16_t xpa = xl ? x->cli_port : x->srv_port, xpb = xl ? x->srv_port : x->cli_port;
	uint16_t ypa = yl ? y->cli_port : y->srv_port, ypb = yl ? y->srv_port : y->cli_port;
	int c;
	if ((c = tm_ip_cmp(xa, ya)))
		return c;
	if (xpa != ypa)
		return xpa < ypa ? -1 : 1;
	if ((c = tm_ip_cmp(xb, yb)))
		return c;
	if (xpb != ypb)
		return xpb < ypb ? -1 : 1;
	return 0;
}

static int idx_cmp(const void *a, const void *b, void *ctx)
{
	const tm_flow *v = ctx;
	const tm_flow *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];
	int c = conn_cmp(x, y);
	if (c)
		return c;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* r is c seen elsewhere: its times overlap c's, or r starts at most the
 * slack after c ends (a connection of one packet at each point, seen on two
 * nodes microseconds apart). r starts no earlier than c (the sort). */
static bool overlaps(const tm_flow *c, const tm_flow *r)
{
	return r->first_us <= c->last_us || r->first_us - c->last_us <= TM_FLOWJSON_MERGE_SLACK_US;
}

/* What one observation point did not see of the handshake (a capture that
 * started late, a packet dropped there), the other may have. Known values
 * are kept. */
static void merge_tls(tm_tls *c, const tm_tls *r)
{
	if (!c->version)
		c->version = r->version;
	if (!c->offered_version)
		c->offered_version = r->offered_version;
	if (c->cipher < 0) {
		c->cipher = r->cipher;
		c->cipher_name = r->cipher_name;
	}
	if (!c->sni)
		c->sni = r->sni;
	if (!c->alpn)
		c->alpn = r->alpn;
	if (!c->alpn_offered)
		c->alpn_offered = r->alpn_offered;
	c->starttls |= r->starttls;
	c->cert_requested |= r->cert_requested;
	c->resumed |= r->resumed;
	c->hrr |= r->hrr;
	if (c->server_cert_status == TM_SC_MISSING) {
		c->server_cert_status = r->server_cert_status;
		c->server_cert = r->server_cert;
	}
	if (c->client_cert == TM_CC_UNKNOWN && r->client_cert != TM_CC_UNKNOWN) {
		c->client_cert = r->client_cert;
		c->client_cert_inferred = r->client_cert_inferred;
		c->client_identity = r->client_identity;
		c->client_certificate = r->client_certificate;
	}
}

/* r's flow-log facts into c's (flow_log): known values are kept, the
 * other's fill the gaps; r's ends are swapped when it sees the connection
 * the other way round. Events are the same events seen twice: the larger.
 * c takes r's verdict, and r's point with it, when r's is the stronger
 * (tm_flow_fold_verdict). */
static void merge_meta(tm_flowset *fs, tm_flow *c, const tm_flow *r, bool same)
{
	const tm_flow_meta *rm = tm_flow_meta_of(fs, r);
	tm_flow_meta *cm = tm_flow_meta_of(fs, c);
	if (rm && !cm)
		cm = tm_flowset_add_meta(fs, c);
	if (!rm || !cm) {
		(void)tm_flow_fold_verdict(c, NULL, (tm_flow_verdict)r->verdict, NULL);
		return;
	}
	tm_flow_peer_fill(&cm->src, same ? &rm->src : &rm->dst);
	tm_flow_peer_fill(&cm->dst, same ? &rm->dst : &rm->src);
	const tm_flow_point p = {rm->node, rm->direction, rm->drop_reason, rm->policy};
	(void)tm_flow_fold_verdict(c, cm, (tm_flow_verdict)r->verdict, &p);
	if (!cm->uid)
		cm->uid = rm->uid;
	if (!cm->service)
		cm->service = rm->service;
	if (rm->events > cm->events)
		cm->events = rm->events;
}

/* r into c: c's orientation; r's facts only when it sees the connection
 * the same way round and c lacks them. c keeps where it was seen (its
 * seen_in), and r's ssl.log position with r's TLS facts when it takes them. */
static void merge_into(tm_flowset *fs, tm_flow *c, const tm_flow *r)
{
	tm_flow_seen *cs = c->order < fs->nseen ? fs->seen[c->order] : NULL;
	const tm_flow_seen *rs = tm_flow_seen_of(fs, r);
	/* the same packets seen at two points: counted once */
	if (r->packets > c->packets)
		c->packets = r->packets;
	if (r->bytes > c->bytes)
		c->bytes = r->bytes;
	if (r->last_us > c->last_us)
		c->last_us = r->last_us;
	if (r->order < c->order) {
		c->order = r->order;
		(void)tm_flowset_seen_set(fs, c, cs); /* r's slot: r is folded away */
	}
	if (r->source < c->source)
		c->source = r->source;
	bool same = !tm_ip_cmp(c->cli_ip, r->cli_ip) && c->cli_port == r->cli_port;
	/* what either point saw of the path: encrypted by the CNI, dropped
	 * by policy; an answer seen at either point makes it a connection */
	c->flags |= (uint8_t)(r->flags & (TM_FLOW_F_ENCRYPTED | TM_FLOW_F_POLICY_DROP));
	if (!(r->flags & TM_FLOW_F_ATTEMPT))
		c->flags &= (uint8_t)~TM_FLOW_F_ATTEMPT;
	/* A Hubble verdict is one observation point's (flow.proto: FORWARDED
	 * "to the next processing entity"): the source's node forwarding it at
	 * egress does not say the destination's node let it in. A drop at
	 * either point is where the connection ended, so the stronger verdict
	 * (DROPPED over ERROR over the ones that pass a point) is the
	 * connection's, whichever summary comes first. Either end's view
	 * counts, reversed or not: the verdict is of the packets, not the roles. */
	merge_meta(fs, c, r, same);
	if (!same)
		return;
	/* content the other point saw: c takes its facts below */
	if (!(r->flags & TM_FLOW_F_CONTENT_UNSEEN))
		c->flags &= (uint8_t)~TM_FLOW_F_CONTENT_UNSEEN;
	if (c->app == TM_APP_UNKNOWN)
		c->app = r->app;
	if (!c->mesh)
		c->mesh = r->mesh;
	if (!c->http)
		c->http = r->http;
	if (r->tls && !c->tls) {
		c->tls = r->tls;
		if (rs && rs->tls) {
			tm_flow_seen *e = cs ? cs : tm_flowset_seen(fs, c);
			if (e) {
				e->tls = true;
				e->tls_file = rs->tls_file;
				e->tls_pos = rs->tls_pos;
			}
		}
	} else if (r->tls && c->tls != r->tls)
		merge_tls(c->tls, r->tls);
}

/* qsort_r-free sort: the comparison needs the records; a small merge sort */
static void sort_idx(size_t *v, size_t *tmp, size_t n, const tm_flow *f)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_idx(v, tmp, h, f);
	sort_idx(v + h, tmp, n - h, f);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = idx_cmp(&v[j], &v[i], (void *)f) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

/* a record read from a summary: its input's origin says so */
static bool from_summary(const tm_flowset *fs, const tm_flow *f)
{
	return f->source < fs->nsources && fs->sources[f->source].origin == TM_FLOW_FROM_SUMMARY;
}

void tm_flowjson_merge(tm_flowset *fs)
{
	size_t n = 0;
	for (size_t i = 0; i < fs->nflows; i++)
		n += from_summary(fs, &fs->flows[i]);
	if (!n)
		return;
	size_t *idx = tm_xrealloc(NULL, n * sizeof *idx), *tmp = tm_xrealloc(NULL, n * sizeof *tmp);
	uint32_t *stamp = tm_xrealloc(NULL, (fs->nsources ? fs->nsources : 1) * sizeof *stamp);
	bool *dead = tm_xrealloc(NULL, fs->nflows * sizeof *dead);
	memset(stamp, 0, (fs->nsources ? fs->nsources : 1) * sizeof *stamp);
	memset(dead, 0, fs->nflows * sizeof *dead);
	for (size_t i = 0, k = 0; i < fs->nflows; i++)
		if (from_summary(fs, &fs->flows[i]))
			idx[k++] = i;
	sort_idx(idx, tmp, n, fs->flows);
	uint32_t gid = 0;
	uint64_t merged = 0;
	tm_flow *cur = NULL;
	for (size_t k = 0; k < n; k++) {
		tm_flow *r = &fs->flows[idx[k]];
		bool known = r->source < fs->nsources;
		if (cur && !conn_cmp(cur, r) && (!known || stamp[r->source] != gid) && overlaps(cur, r)) {
			merge_into(fs, cur, r);
			dead[idx[k]] = true;
			merged++;
		} else {
			cur = r;
			gid++;
		}
		if (known)
			stamp[r->source] = gid;
	}
	size_t w = 0;
	for (size_t i = 0; i < fs->nflows; i++)
		if (!dead[i])
			fs->flows[w++] = fs->flows[i];
	fs->nflows = w;
	(void)tm_flowset_counter_set(fs, "summary_merged", "summary records merged into another (same connection)",
				     merged);
	tm_flowset_sort(fs);
	free(idx);
	free(tmp);
	free(stamp);
	free(dead);
}
