/* mtls.c - observed traffic as evidence for require-mtls zone rules: each
 * observed TCP connection (model/flow.h) is mapped to the endpoints of the
 * connectivity graph and recorded as proven mutual TLS (a client certificate
 * was presented, or a service mesh's mTLS was recognised in a TLS handshake
 * where the client did not decline a certificate) or as observed without it
 * (plaintext, or TLS without a client certificate). A port observed without
 * mutual TLS is not proven by other connections on it. TLS 1.3 connections
 * whose client certificate is encrypted and not inferred prove nothing either
 * way. */
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

tm_err tm_mtls_evidence_build_obs(const tm_graph *g, const struct tm_flowset *fs, const tm_flowmap *o,
				  tm_mtls_evidence *ev)
{
	memset(ev, 0, sizeof *ev);
	tm_portpool *pp = g->m->ports;
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		const tm_fm_flow *of = &o->v[i];
		if (f->proto != 6 || !of->connection)
			continue;
		ev->flows++;
		long s = of->src, d = of->dst;
		if ((s >= 0 && g->eps[s].kind == TM_EP_WORKLOAD) || (d >= 0 && g->eps[d].kind == TM_EP_WORKLOAD))
			ev->on_workloads++;
		if (s < 0 || d < 0 || s == d) {
			ev->unmapped++;
			continue;
		}
		int pr = proves(f);
		if (pr < 0)
			continue;
		const tm_ports *port = tm_ports_range(pp, TM_PROTO_TCP, of->dport, of->dport);
		TM_HEAP_GROW(ev->v, ev->n, ev->cap);
		ev->v[ev->n++] = (tm_mtls_obs){(uint32_t)s, (uint32_t)d, pr ? port : tm_ports_empty(pp),
					       pr ? tm_ports_empty(pp) : port};
	}
	merge(pp, ev);
	return TM_OK;
}

tm_err tm_mtls_evidence_build(const tm_graph *g, const struct tm_flowset *fs, tm_mtls_evidence *ev)
{
	tm_ipmap im;
	memset(ev, 0, sizeof *ev);
	if (tm_ipmap_build(&im, g) != TM_OK)
		return TM_ERR_NOMEM;
	tm_portpool *pp = g->m->ports;
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		if (f->proto != 6)
			continue;
		ev->flows++;
		long s = tm_ipmap_lookup(&im, f->cli_ip, TM_IPMAP_SRC), d = tm_ipmap_lookup(&im, f->srv_ip, TM_IPMAP_DST);
		if ((s >= 0 && g->eps[s].kind == TM_EP_WORKLOAD) || (d >= 0 && g->eps[d].kind == TM_EP_WORKLOAD))
			ev->on_workloads++;
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

void tm_mtls_evidence_release(tm_mtls_evidence *ev)
{
	free(ev->v);
	memset(ev, 0, sizeof *ev);
}
