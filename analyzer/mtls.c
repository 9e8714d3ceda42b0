/* mtls.c - observed traffic as evidence for require-mtls zone rules: each
 * captured TCP connection (ingest/pcap.h) is mapped to the endpoints of the
 * connectivity graph and recorded as proven mutual TLS (a client certificate
 * was presented, or a service mesh's mTLS was recognised in a TLS handshake
 * where the client did not decline a certificate) or as observed without it
 * (plaintext, or TLS without a client certificate). A port observed without
 * mutual TLS is not proven by other connections on it. TLS 1.3 connections
 * whose client certificate is encrypted and not inferred prove nothing either
 * way. */
#include "analyzer/check.h"
#include "ingest/capture/pcap.h"

#include <stdlib.h>
#include <string.h>

typedef struct ipmap {
	tm_ip ip;
	uint32_t ep;
} ipmap;

static int ipmap_cmp(const void *a, const void *b)
{
	const ipmap *x = a, *y = b;
	int c = tm_ip_cmp(x->ip, y->ip);
	return c ? c : (x->ep < y->ep ? -1 : x->ep > y->ep);
}

static int obs_cmp(const void *a, const void *b)
{
	const tm_mtls_obs *x = a, *y = b;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->dst < y->dst ? -1 : x->dst > y->dst;
}

/* Pod IP first; else the IP-range endpoint of the right side holding it. */
static long ep_of(const tm_graph *g, const ipmap *pods, size_t npods, tm_ip ip, bool src)
{
	size_t lo = 0, hi = npods;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tm_ip_cmp(pods[mid].ip, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < npods && !tm_ip_cmp(pods[lo].ip, ip))
		return (long)pods[lo].ep;
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *e = &g->eps[i];
		if (e->kind == TM_EP_IPRANGE && e->is_src_atom == src && tm_ip_cmp(ip, e->range.lo) >= 0 &&
		    tm_ip_cmp(ip, e->range.hi) <= 0)
			return (long)i;
	}
	return -1;
}

tm_err tm_mtls_evidence_build(const tm_graph *g, const struct tm_flowset *fs, tm_mtls_evidence *ev)
{
	const tm_model *m = g->m;
	memset(ev, 0, sizeof *ev);
	/* workload -> endpoint, then pod IPs -> endpoint */
	long *wep = malloc((m->nworkloads + 1) * sizeof *wep);
	ipmap *pods = NULL;
	size_t npods = 0, cap = 0;
	if (!wep)
		return TM_ERR_NOMEM;
	for (size_t i = 0; i < m->nworkloads; i++)
		wep[i] = -1;
	for (size_t i = 0; i < g->neps; i++)
		if (g->eps[i].kind == TM_EP_WORKLOAD && g->eps[i].w->index < m->nworkloads &&
		    m->workloads[g->eps[i].w->index] == g->eps[i].w)
			wep[g->eps[i].w->index] = (long)i;
	for (size_t i = 0; i < m->npods; i++) {
		const tm_pod *p = m->pods[i];
		if (!p->owner || p->owner->index >= m->nworkloads || wep[p->owner->index] < 0)
			continue;
		for (size_t k = 0; k < p->nips; k++) {
			TM_HEAP_GROW(pods, npods, cap);
			pods[npods++] = (ipmap){p->ips[k], (uint32_t)wep[p->owner->index]};
		}
	}
	if (npods > 1)
		qsort(pods, npods, sizeof *pods, ipmap_cmp);
	tm_portpool *pp = m->ports;
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		if (f->proto != 6)
			continue;
		ev->flows++;
		char a[64], b[64];
		tm_ip ci, si;
		tm_flow_format_ip(f, true, a, sizeof a);
		tm_flow_format_ip(f, false, b, sizeof b);
		if (!tm_ip_parse(a, &ci) || !tm_ip_parse(b, &si)) {
			ev->unmapped++;
			continue;
		}
		long s = ep_of(g, pods, npods, ci, true), d = ep_of(g, pods, npods, si, false);
		if (s < 0 || d < 0 || s == d) {
			ev->unmapped++;
			continue;
		}
		/* a client certificate seen (or inferred) proves it; a mesh
		 * signature (ALPN, SNI, port: all chosen by the client) only where
		 * the handshake did not show the client declining a certificate */
		bool proven = f->tls && (f->tls->client_cert == TM_CC_YES ||
					 (f->mesh != TM_MESH_NONE && f->tls->client_cert != TM_CC_NO));
		bool without = !proven && (!f->tls || f->tls->client_cert == TM_CC_NO);
		if (!proven && !without)
			continue;
		const tm_ports *port = tm_ports_range(pp, TM_PROTO_TCP, f->srv_port, f->srv_port);
		TM_HEAP_GROW(ev->v, ev->n, ev->cap);
		ev->v[ev->n++] = (tm_mtls_obs){(uint32_t)s, (uint32_t)d, proven ? port : tm_ports_empty(pp),
					       proven ? tm_ports_empty(pp) : port};
	}
	/* one record per pair */
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
	/* a port seen without mutual TLS is not proven by other connections on
	 * it: the capture shows that mTLS is not enforced there */
	for (size_t i = 0; i < ev->n; i++)
		ev->v[i].proven = tm_ports_minus(pp, ev->v[i].proven, ev->v[i].without);
	free(wep);
	free(pods);
	return TM_OK;
}

const tm_mtls_obs *tm_mtls_lookup(const tm_mtls_evidence *ev, size_t src, size_t dst)
{
	if (!ev || !ev->n)
		return NULL;
	tm_mtls_obs key = {(uint32_t)src, (uint32_t)dst, NULL, NULL};
	return bsearch(&key, ev->v, ev->n, sizeof *ev->v, obs_cmp);
}

void tm_mtls_evidence_release(tm_mtls_evidence *ev)
{
	free(ev->v);
	memset(ev, 0, sizeof *ev);
}
