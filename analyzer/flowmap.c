/* flowmap.c - observed flows on the graph (flowmap.h). */
#include "analyzer/flowmap.h"

#include <stdlib.h>
#include <string.h>

const char *tm_unmap_reason_text(tm_unmap_reason r)
{
	switch (r) {
	case TM_UNMAP_NONE: return "mapped";
	case TM_UNMAP_NO_IPS: return "no pod IPs in the input";
	case TM_UNMAP_PRIVATE: return "a private address of no pod, Service or node in the input";
	case TM_UNMAP_NO_ENDPOINT: return "an address that no endpoint holds (IPv6 without IPv6 endpoints?)";
	case TM_UNMAP_NO_BACKEND: return "a Service address whose Service selects no workload of the input";
	case TM_UNMAP_SAME: return "both ends on one endpoint";
	case TM_UNMAP__N: break;
	}
	return "?";
}

/* private, loopback, link-local, shared (CGNAT), ULA: not the internet */
static bool is_private(tm_ip ip)
{
	if (tm_ip_is_v4(ip)) {
		uint32_t a = (uint32_t)ip.lo;
		return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
		       (a >> 22) == (100u << 2 | 1) || (a >> 24) == 127 || (a >> 16) == (169u << 8 | 254) || a == 0;
	}
	uint16_t top = (uint16_t)(ip.hi >> 48);
	return (top & 0xfe00) == 0xfc00 || (top & 0xffc0) == 0xfe80 || (ip.hi == 0 && ip.lo <= 1);
}

static tm_proto proto_of(uint8_t p)
{
	return p == 17 ? TM_PROTO_UDP : p == 132 ? TM_PROTO_SCTP : TM_PROTO_TCP;
}

/* one end: the mapper, then the flow log's pod name */
static void resolve_end(const tm_ipmap *im, const tm_graph *g, const tm_flowset *fs, const tm_flow *f, bool src,
			tm_ipmap_hit *h)
{
	const tm_flow_meta *meta = tm_flow_meta_of(fs, f);
	tm_ipmap_resolve(im, g, src ? f->cli_ip : f->srv_ip, f->proto, src ? f->cli_port : f->srv_port,
			 src ? TM_IPMAP_SRC : TM_IPMAP_DST, h);
	const tm_flow_peer *p = meta ? (src ? &meta->src : &meta->dst) : NULL;
	if ((h->ep < 0 || h->via == TM_VIA_RANGE) && p && p->pod && p->ns) {
		long ep = tm_ipmap_pod_endpoint(im, p->ns, p->pod, p->workload);
		if (ep >= 0) {
			h->ep = ep;
			h->via = TM_VIA_NAME;
		}
	}
}

static int edge_cmp(const void *a, const void *b)
{
	const tm_fm_edge *x = a, *y = b;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->dst < y->dst ? -1 : x->dst > y->dst;
}

tm_err tm_flowmap_build(const tm_graph *g, const tm_flowset *fs, tm_flowmap *o)
{
	tm_ipmap im;
	memset(o, 0, sizeof *o);
	if (tm_ipmap_build_full(&im, g) != TM_OK)
		return TM_ERR_NOMEM;
	tm_portpool *pp = g->m->ports;
	o->any_ips = im.any_ips;
	o->binds_unresolved = im.binds_unresolved;
	o->first_unresolved = im.first_unresolved;
	o->n = fs->nflows;
	o->v = calloc(fs->nflows + 1, sizeof *o->v);
	tm_fm_edge *ev = NULL;
	size_t ne = 0, cap = 0;
	if (!o->v) {
		tm_ipmap_release(&im);
		return TM_ERR_NOMEM;
	}
	for (size_t i = 0; i < fs->nflows; i++) {
		const tm_flow *f = &fs->flows[i];
		tm_fm_flow *of = &o->v[i];
		tm_ipmap_hit hs, hd;
		resolve_end(&im, g, fs, f, true, &hs);
		resolve_end(&im, g, fs, f, false, &hd);
		of->src = (int32_t)hs.ep;
		of->dst = (int32_t)hd.ep;
		of->svc = (int32_t)hd.svc;
		of->via_src = (uint8_t)hs.via;
		of->via_dst = (uint8_t)hd.via;
		of->dport = f->srv_port;
		of->allowed = -1;
		of->connection = f->verdict != TM_VERDICT_DROPPED && f->verdict != TM_VERDICT_ERROR &&
				 !(f->flags & TM_FLOW_F_ATTEMPT);
		tm_unmap_reason why = TM_UNMAP_NONE;
		for (int side = 0; side < 2 && !why; side++) {
			const tm_ipmap_hit *h = side ? &hd : &hs;
			tm_ip ip = side ? f->srv_ip : f->cli_ip;
			if (h->ep < 0)
				why = h->svc >= 0 ? TM_UNMAP_NO_BACKEND : TM_UNMAP_NO_ENDPOINT;
			else if (h->via == TM_VIA_RANGE && is_private(ip))
				why = o->any_ips ? TM_UNMAP_PRIVATE : TM_UNMAP_NO_IPS;
			else if (h->via == TM_VIA_RANGE)
				*(side ? &of->internet_dst : &of->internet_src) = true;
		}
		if (!why && hs.ep == hd.ep)
			why = TM_UNMAP_SAME;
		of->why = (uint8_t)why;
		if (of->connection)
			o->connections++;
		else
			o->not_connections++;
		if (of->connection && ((hs.ep >= 0 && g->eps[hs.ep].kind == TM_EP_WORKLOAD) ||
				       (hd.ep >= 0 && g->eps[hd.ep].kind == TM_EP_WORKLOAD)))
			o->on_workloads++;
		if (why) {
			o->unmapped++;
			o->by_reason[why]++;
			continue;
		}
		o->mapped++;
		/* the policies: to a Service, allowed when one backend allows
		 * the port its targetPort reaches */
		size_t nb = hd.svc >= 0 ? hd.nbackends : 1;
		bool allowed = false;
		uint16_t first_port = f->srv_port;
		for (size_t b = 0; b < nb && !allowed; b++) {
			size_t d = hd.svc >= 0 ? hd.backends[b] : (size_t)hd.ep;
			uint16_t port = f->srv_port;
			if (hd.svc >= 0) {
				uint16_t tp = tm_ipmap_target_port(g, hd.svc, f->proto, f->srv_port, hd.via == TM_VIA_NODEPORT, d);
				port = tp ? tp : f->srv_port;
			}
			if (b == 0)
				first_port = port;
			if (d != (size_t)hs.ep && tm_ports_contains(tm_graph_conn(g, (size_t)hs.ep, d), proto_of(f->proto), port)) {
				allowed = true;
				of->dst = (int32_t)d;
				first_port = port;
			}
		}
		of->dport = first_port;
		of->allowed = allowed;
		if (!of->connection)
			continue;
		TM_HEAP_GROW(ev, ne, cap);
		const tm_ports *p = tm_ports_range(pp, proto_of(f->proto), of->dport, of->dport);
		ev[ne++] = (tm_fm_edge){(uint32_t)of->src, (uint32_t)of->dst, p, allowed ? tm_ports_empty(pp) : p,
					 f->first_us, f->last_us, f->packets, 1, 1u << f->origin, i};
	}
	/* one edge per pair */
	if (ne > 1)
		qsort(ev, ne, sizeof *ev, edge_cmp);
	size_t k = 0;
	for (size_t i = 0; i < ne; i++) {
		tm_fm_edge *last = k ? &ev[k - 1] : NULL;
		if (last && last->src == ev[i].src && last->dst == ev[i].dst) {
			last->ports = tm_ports_union(pp, last->ports, ev[i].ports);
			last->denied = tm_ports_union(pp, last->denied, ev[i].denied);
			if (ev[i].first_us < last->first_us) {
				last->first_us = ev[i].first_us;
				last->first_flow = ev[i].first_flow;
			}
			if (ev[i].last_us > last->last_us)
				last->last_us = ev[i].last_us;
			last->packets += ev[i].packets;
			last->flows++;
			last->origins |= ev[i].origins;
		} else
			ev[k++] = ev[i];
	}
	o->edges = ev;
	o->nedges = k;
	tm_ipmap_release(&im);
	return TM_OK;
}

void tm_flowmap_release(tm_flowmap *o)
{
	free(o->v);
	free(o->edges);
	memset(o, 0, sizeof *o);
}

const tm_fm_edge *tm_flowmap_edge(const tm_flowmap *o, size_t src, size_t dst)
{
	if (!o || !o->nedges)
		return NULL;
	tm_fm_edge key = {.src = (uint32_t)src, .dst = (uint32_t)dst};
	return bsearch(&key, o->edges, o->nedges, sizeof *o->edges, edge_cmp);
}

const char *tm_flowmap_end_name(const tm_graph *g, const tm_fm_flow *of, bool src)
{
	int32_t ep = src ? of->src : of->dst;
	if (ep < 0 || (of->why && of->why != TM_UNMAP_SAME && (src ? of->via_src : of->via_dst) == TM_VIA_RANGE &&
		       !(src ? of->internet_src : of->internet_dst)))
		return NULL;
	if (src ? of->internet_src : of->internet_dst)
		return "internet";
	return g->eps[ep].name;
}

void tm_fevidence_where(const tm_flowset *fs, const tm_flow *f, tm_fevidence *e)
{
	const tm_flow_source *src = f->source < fs->nsources ? &fs->sources[f->source] : NULL;
	const tm_flow_seen *seen = tm_flow_seen_of(fs, f);
	if (src && src->origin == TM_FLOW_FROM_SUMMARY) {
		if (!seen || !seen->file) {
			/* an older summary: it says nothing of where; its own line */
			e->source = tm_flow_origin_name(TM_FLOW_FROM_SUMMARY);
			e->file = src->name;
			e->unit = "line";
			e->pos = seen ? seen->via_pos : 0;
			return;
		}
		/* the record keeps the origin it was observed by */
		e->source = tm_flow_origin_name((tm_flow_origin)f->origin);
		e->file = seen->file;
		e->unit = tm_flow_pos_unit((tm_flow_origin)f->origin);
		e->pos = seen->pos;
		e->via_file = seen->via_file;
		e->via_pos = seen->via_pos;
		return;
	}
	tm_flow_origin kind = src ? src->origin : (tm_flow_origin)f->origin;
	e->source = tm_flow_origin_name(kind);
	e->file = src ? src->name : NULL;
	e->unit = tm_flow_pos_unit(kind);
	e->pos = tm_flow_pos_of(fs, f);
}
