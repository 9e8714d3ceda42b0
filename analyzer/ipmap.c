/* ipmap.c - addresses to graph endpoints (ipmap.h): binary search over the
 * exact addresses, then over the side's ranges. */
#include "analyzer/ipmap.h"

#include <stdlib.h>
#include <string.h>

static int addr_cmp(const void *a, const void *b)
{
	const tm_ipmap_addr *x = a, *y = b;
	int c = tm_ip_cmp(x->ip, y->ip);
	return c ? c : (x->ep < y->ep ? -1 : x->ep > y->ep);
}

static int range_cmp(const void *a, const void *b)
{
	const tm_ipmap_range *x = a, *y = b;
	int c = tm_ip_cmp(x->r.lo, y->r.lo);
	return c ? c : (x->ep < y->ep ? -1 : x->ep > y->ep);
}

tm_err tm_ipmap_build(tm_ipmap *im, const tm_graph *g)
{
	const tm_model *m = g->m;
	size_t cap = 0, rcap[2] = {0, 0};
	memset(im, 0, sizeof *im);
	/* workload -> its endpoint, then each pod IP -> that endpoint */
	long *wep = malloc((m->nworkloads + 1) * sizeof *wep);
	if (!wep)
		return TM_ERR_NOMEM;
	for (size_t i = 0; i < m->nworkloads; i++)
		wep[i] = -1;
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *e = &g->eps[i];
		if (e->kind == TM_EP_WORKLOAD && g->granularity == TM_GRAN_POD) {
			/* one endpoint per Pod: its own addresses */
			for (size_t k = 0; e->pod && k < e->pod->nips; k++) {
				TM_HEAP_GROW(im->addrs, im->naddrs, cap);
				im->addrs[im->naddrs++] = (tm_ipmap_addr){e->pod->ips[k], (uint32_t)i,
									  e->pod->host_network ? TM_VIA_HOST : TM_VIA_POD};
			}
		} else if (e->kind == TM_EP_WORKLOAD && e->w->index < m->nworkloads && m->workloads[e->w->index] == e->w)
			wep[e->w->index] = (long)i;
		else if (e->kind == TM_EP_IPRANGE) {
			int s = e->is_src_atom ? TM_IPMAP_SRC : TM_IPMAP_DST;
			TM_HEAP_GROW(im->ranges[s], im->nranges[s], rcap[s]);
			im->ranges[s][im->nranges[s]++] = (tm_ipmap_range){e->range, (uint32_t)i};
		}
	}
	/* workload granularity: each pod's addresses name its workload's endpoint */
	for (size_t i = 0; g->granularity != TM_GRAN_POD && i < m->npods; i++) {
		const tm_pod *p = m->pods[i];
		if (!p->owner || p->owner->index >= m->nworkloads || wep[p->owner->index] < 0)
			continue;
		for (size_t k = 0; k < p->nips; k++) {
			TM_HEAP_GROW(im->addrs, im->naddrs, cap);
			im->addrs[im->naddrs++] = (tm_ipmap_addr){p->ips[k], (uint32_t)wep[p->owner->index],
								  p->host_network ? TM_VIA_HOST : TM_VIA_POD};
		}
	}
	free(wep);
	if (im->naddrs > 1)
		qsort(im->addrs, im->naddrs, sizeof *im->addrs, addr_cmp);
	for (int s = 0; s < 2; s++) {
		if (im->nranges[s] > 1)
			qsort(im->ranges[s], im->nranges[s], sizeof *im->ranges[s], range_cmp);
		for (size_t i = 1; i < im->nranges[s] && !im->overlap[s]; i++)
			im->overlap[s] = tm_ip_cmp(im->ranges[s][i].r.lo, im->ranges[s][i - 1].r.hi) <= 0;
	}
	return TM_OK;
}

void tm_ipmap_release(tm_ipmap *im)
{
	free(im->svcaddrs);
	free(im->svc_start);
	free(im->svc_eps);
	free(im->nodes);
	free(im->pods);
	free(im->wls);
	free(im->addrs);
	free(im->ranges[0]);
	free(im->ranges[1]);
	memset(im, 0, sizeof *im);
}

size_t tm_ipmap_exact(const tm_ipmap *im, tm_ip ip, const tm_ipmap_addr **first)
{
	/* the first exact entry for ip, then the run of equal ones */
	size_t lo = 0, hi = im->naddrs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tm_ip_cmp(im->addrs[mid].ip, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	while (lo + n < im->naddrs && !tm_ip_cmp(im->addrs[lo + n].ip, ip))
		n++;
	*first = n ? &im->addrs[lo] : NULL;
	return n;
}

long tm_ipmap_range_of(const tm_ipmap *im, tm_ip ip, tm_ipmap_side side)
{
	const tm_ipmap_range *r = im->ranges[side];
	size_t n = im->nranges[side];
	if (im->overlap[side]) {
		long best = -1;
		for (size_t i = 0; i < n && tm_ip_cmp(r[i].r.lo, ip) <= 0; i++)
			if (tm_ip_cmp(ip, r[i].r.hi) <= 0 && (best < 0 || r[i].ep < (uint32_t)best))
				best = (long)r[i].ep;
		return best;
	}
	/* disjoint: the last range starting at or below ip is the only candidate */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tm_ip_cmp(r[mid].r.lo, ip) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && tm_ip_cmp(ip, r[lo - 1].r.hi) <= 0)
		return (long)r[lo - 1].ep;
	return -1;
}

long tm_ipmap_lookup(const tm_ipmap *im, tm_ip ip, tm_ipmap_side side)
{
	const tm_ipmap_addr *a;
	if (tm_ipmap_exact(im, ip, &a))
		return (long)a->ep; /* the lowest endpoint */
	return tm_ipmap_range_of(im, ip, side);
}

/* ---- the full map: hosts, --ip-map, Services, nodes ----------------------- */
const char *tm_ipmap_via_name(tm_ipmap_via v)
{
	static const char *const names[] = {"none", "pod", "host", "ip-map", "service", "node-port", "name", "range"};
	return (size_t)v < TM_ARRAY_LEN(names) ? names[v] : "?";
}

static int name_cmp(const void *a, const void *b)
{
	const tm_ipmap_name *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);
	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : (x->ep < y->ep ? -1 : x->ep > y->ep);
}

static int svcaddr_cmp(const void *a, const void *b)
{
	const tm_ipmap_svcaddr *x = a, *y = b;
	int c = tm_ip_cmp(x->ip, y->ip);
	return c ? c : (x->svc < y->svc ? -1 : x->svc > y->svc);
}

static int ip_cmp(const void *a, const void *b)
{
	return tm_ip_cmp(*(const tm_ip *)a, *(const tm_ip *)b);
}

/* the first entry of v[0..n) named (ns, name), or NULL */
static const tm_ipmap_name *name_find(const tm_ipmap_name *v, size_t n, const char *ns, const char *name, size_t nl)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].ns, ns);
		if (!c) {
			c = strncmp(v[mid].name, name, nl);
			if (!c && v[mid].name[nl])
				c = 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && !strcmp(v[lo].ns, ns) && !strncmp(v[lo].name, name, nl) && !v[lo].name[nl])
		return &v[lo];
	return NULL;
}

long tm_ipmap_workload_endpoint(const tm_ipmap *im, const char *ns, const char *name, const char *kind)
{
	const tm_ipmap_name *e = name_find(im->wls, im->nwls, ns, name, strlen(name));
	for (; e && e < im->wls + im->nwls && !strcmp(e->ns, ns) && !strcmp(e->name, name); e++)
		if (!kind || !strcmp(e->kind, kind))
			return (long)e->ep;
	return -1;
}

/* name, then name cut at each '-' from the right: a controller's pods are
 * named <name>-<hash>-<id> (Deployment), <name>-<id> (DaemonSet, Job),
 * <name>-<ordinal> (StatefulSet) */
static long by_prefix(const tm_ipmap *im, const char *ns, const char *name)
{
	size_t n = strlen(name);
	for (;;) {
		const tm_ipmap_name *e = name_find(im->wls, im->nwls, ns, name, n);
		if (e)
			return (long)e->ep;
		while (n && name[n - 1] != '-')
			n--;
		if (n < 2)
			return -1;
		n--; /* drop the '-' */
	}
}

long tm_ipmap_pod_endpoint(const tm_ipmap *im, const char *ns, const char *pod, const char *owner)
{
	if (!ns || !pod)
		return -1;
	const tm_ipmap_name *e = name_find(im->pods, im->npods, ns, pod, strlen(pod));
	if (e)
		return (long)e->ep;
	long ep = owner ? by_prefix(im, ns, owner) : -1;
	return ep >= 0 ? ep : by_prefix(im, ns, pod);
}

static bool svc_selects_labels(const tm_service *s, const char *ns, const tm_labels *l)
{
	if (!s->has_selector || !s->selector.n || strcmp(s->ns, ns))
		return false;
	for (size_t i = 0; i < s->selector.n; i++) {
		const char *v = tm_labels_get(l, s->selector.v[i].key);
		if (!v || strcmp(v, s->selector.v[i].val))
			return false;
	}
	return true;
}

static void add_svcaddr(tm_ipmap *im, size_t *cap, const char *ip, size_t svc)
{
	tm_ip a;
	if (!ip || !tm_ip_parse(ip, &a))
		return; /* "None" (headless), "" */
	TM_HEAP_GROW(im->svcaddrs, im->nsvcaddrs, *cap);
	im->svcaddrs[im->nsvcaddrs++] = (tm_ipmap_svcaddr){a, (uint32_t)svc};
}

static long service_index(const tm_model *m, const char *ns, const char *name)
{
	for (size_t i = 0; i < m->nservices; i++)
		if (!strcmp(m->services[i]->ns, ns) && !strcmp(m->services[i]->name, name))
			return (long)i;
	return -1;
}

tm_err tm_ipmap_build_full(tm_ipmap *im, const tm_graph *g)
{
	const tm_model *m = g->m;
	tm_err rc = tm_ipmap_build(im, g);
	if (rc != TM_OK)
		return rc;
	size_t cap = im->naddrs, scap = 0, ncap = 0, pcap = 0, wcap = 0;
	/* names: workload endpoints, and at pod granularity the pods */
	for (size_t i = 0; i < g->neps; i++) {
		const tm_endpoint *e = &g->eps[i];
		if (e->kind != TM_EP_WORKLOAD)
			continue;
		TM_HEAP_GROW(im->wls, im->nwls, wcap);
		im->wls[im->nwls++] = (tm_ipmap_name){e->w->ns, e->w->name, e->w->kind, (uint32_t)i};
		if (e->pod) {
			TM_HEAP_GROW(im->pods, im->npods, pcap);
			im->pods[im->npods++] = (tm_ipmap_name){e->pod->ns, e->pod->name, "Pod", (uint32_t)i};
		}
	}
	if (im->nwls > 1)
		qsort(im->wls, im->nwls, sizeof *im->wls, name_cmp);
	/* workload granularity: each Pod object names its owner's endpoint */
	for (size_t i = 0; g->granularity != TM_GRAN_POD && i < m->npods; i++) {
		const tm_pod *p = m->pods[i];
		const tm_workload *w = p->owner;
		while (w && w->folded_into)
			w = w->folded_into;
		long ep = w ? tm_ipmap_workload_endpoint(im, w->ns, w->name, w->kind) : -1;
		if (ep < 0)
			continue;
		TM_HEAP_GROW(im->pods, im->npods, pcap);
		im->pods[im->npods++] = (tm_ipmap_name){p->ns, p->name, "Pod", (uint32_t)ep};
	}
	if (im->npods > 1)
		qsort(im->pods, im->npods, sizeof *im->pods, name_cmp);
	for (size_t i = 0; i < m->npods; i++)
		if (m->pods[i]->has_host_ip) {
			TM_HEAP_GROW(im->nodes, im->nnodes, ncap);
			im->nodes[im->nnodes++] = m->pods[i]->host_ip;
		}
	/* Services: addresses and backends */
	for (size_t i = 0; i < m->nservices; i++) {
		const tm_service *s = m->services[i];
		if (s->ncluster_ips)
			for (size_t k = 0; k < s->ncluster_ips; k++)
				add_svcaddr(im, &scap, s->cluster_ips[k], i);
		else
			add_svcaddr(im, &scap, s->cluster_ip, i);
		for (size_t k = 0; k < s->nexternal_ips; k++)
			add_svcaddr(im, &scap, s->external_ips[k], i);
		for (size_t k = 0; k < s->nlb_ips; k++)
			add_svcaddr(im, &scap, s->lb_ips[k], i);
	}
	/* --ip-map */
	for (size_t i = 0; i < m->nipbinds; i++) {
		const tm_ipbind *b = &m->ipbinds[i];
		long ep = -1;
		const char *what = NULL;
		switch (b->kind) {
		case TM_IPBIND_POD:
			ep = tm_ipmap_pod_endpoint(im, b->ns, b->name, b->owner);
			what = "pod";
			break;
		case TM_IPBIND_WORKLOAD:
			ep = tm_ipmap_workload_endpoint(im, b->ns, b->name, b->wkind);
			if (ep < 0 && !b->wkind)
				ep = tm_ipmap_pod_endpoint(im, b->ns, b->name, NULL);
			what = "workload";
			break;
		case TM_IPBIND_SERVICE: {
			long si = service_index(m, b->ns, b->name);
			if (si >= 0) {
				TM_HEAP_GROW(im->svcaddrs, im->nsvcaddrs, scap);
				im->svcaddrs[im->nsvcaddrs++] = (tm_ipmap_svcaddr){b->ip, (uint32_t)si};
				continue;
			}
			what = "Service";
			break;
		}
		case TM_IPBIND_NODE:
			TM_HEAP_GROW(im->nodes, im->nnodes, ncap);
			im->nodes[im->nnodes++] = b->ip;
			continue;
		}
		if (ep < 0) {
			if (!im->binds_unresolved++) {
				im->first_unresolved = b->loc;
				im->first_unresolved_name = what;
			}
			continue;
		}
		TM_HEAP_GROW(im->addrs, im->naddrs, cap);
		im->addrs[im->naddrs++] = (tm_ipmap_addr){b->ip, (uint32_t)ep, b->host_network ? TM_VIA_HOST : TM_VIA_IPMAP};
	}
	if (im->naddrs > 1)
		qsort(im->addrs, im->naddrs, sizeof *im->addrs, addr_cmp);
	if (im->nsvcaddrs > 1)
		qsort(im->svcaddrs, im->nsvcaddrs, sizeof *im->svcaddrs, svcaddr_cmp);
	if (im->nnodes > 1) {
		qsort(im->nodes, im->nnodes, sizeof *im->nodes, ip_cmp);
		size_t k = 1;
		for (size_t i = 1; i < im->nnodes; i++)
			if (tm_ip_cmp(im->nodes[i], im->nodes[k - 1]))
				im->nodes[k++] = im->nodes[i];
		im->nnodes = k;
	}
	/* backends of every Service, in endpoint order */
	im->svc_start = calloc(m->nservices + 1, sizeof *im->svc_start);
	size_t bcap = 0, nb = 0;
	if (!im->svc_start)
		return TM_ERR_NOMEM;
	for (size_t i = 0; i < m->nservices; i++) {
		im->svc_start[i] = nb;
		for (size_t k = 0; k < g->neps; k++) {
			const tm_endpoint *e = &g->eps[k];
			if (e->kind != TM_EP_WORKLOAD ||
			    !svc_selects_labels(m->services[i], e->w->ns, e->pod ? &e->pod->labels : &e->w->labels))
				continue;
			TM_HEAP_GROW(im->svc_eps, nb, bcap);
			im->svc_eps[nb++] = (uint32_t)k;
		}
	}
	im->svc_start[m->nservices] = nb;
	im->any_ips = im->naddrs > 0; /* Service addresses alone name no source */
	return TM_OK;
}

static bool is_node(const tm_ipmap *im, tm_ip ip)
{
	size_t lo = 0, hi = im->nnodes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = tm_ip_cmp(im->nodes[mid], ip);
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static tm_proto proto_of(uint8_t p)
{
	return p == 17 ? TM_PROTO_UDP : p == 132 ? TM_PROTO_SCTP : TM_PROTO_TCP;
}

uint16_t tm_ipmap_target_port(const tm_graph *g, long svc, uint8_t proto, uint16_t port, bool node_port, size_t ep)
{
	const tm_service *s = g->m->services[svc];
	tm_proto pr = proto_of(proto);
	for (size_t i = 0; i < s->nports; i++) {
		const tm_svcport *sp = &s->ports[i];
		if (sp->proto != pr || (node_port ? sp->node_port : sp->port) != port)
			continue;
		if (!sp->target_name)
			return (uint16_t)(sp->target_port ? sp->target_port : sp->port);
		const tm_workload *w = g->eps[ep].w;
		for (size_t k = 0; w && k < w->nports; k++)
			if (w->ports[k].name && !strcmp(w->ports[k].name, sp->target_name))
				return (uint16_t)w->ports[k].port;
		return 0; /* a named port that the backend does not have */
	}
	return 0;
}

static bool svc_has_node_port(const tm_service *s, uint8_t proto, uint16_t port)
{
	for (size_t i = 0; i < s->nports; i++)
		if (s->ports[i].node_port == port && s->ports[i].proto == proto_of(proto))
			return true;
	return false;
}

void tm_ipmap_resolve(const tm_ipmap *im, const tm_graph *g, tm_ip ip, uint8_t proto, uint16_t port,
		      tm_ipmap_side side, tm_ipmap_hit *hit)
{
	const tm_ipmap_addr *a;
	memset(hit, 0, sizeof *hit);
	hit->ep = hit->svc = -1;
	if (tm_ipmap_exact(im, ip, &a)) {
		hit->ep = (long)a->ep;
		hit->via = a->via ? (tm_ipmap_via)a->via : TM_VIA_POD;
		return;
	}
	if (side == TM_IPMAP_DST && im->nsvcaddrs) {
		size_t lo = 0, hi = im->nsvcaddrs;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (tm_ip_cmp(im->svcaddrs[mid].ip, ip) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < im->nsvcaddrs && !tm_ip_cmp(im->svcaddrs[lo].ip, ip)) {
			uint32_t s = im->svcaddrs[lo].svc;
			hit->svc = s;
			hit->via = TM_VIA_SERVICE;
			hit->backends = im->svc_eps + im->svc_start[s];
			hit->nbackends = im->svc_start[s + 1] - im->svc_start[s];
			hit->ep = hit->nbackends ? (long)hit->backends[0] : -1;
			return;
		}
	}
	if (side == TM_IPMAP_DST && im->nnodes && is_node(im, ip)) {
		for (size_t s = 0; s < g->m->nservices; s++)
			if (svc_has_node_port(g->m->services[s], proto, port)) {
				hit->svc = (long)s;
				hit->via = TM_VIA_NODEPORT;
				hit->backends = im->svc_eps + im->svc_start[s];
				hit->nbackends = im->svc_start[s + 1] - im->svc_start[s];
				hit->ep = hit->nbackends ? (long)hit->backends[0] : -1;
				return;
			}
	}
	hit->ep = tm_ipmap_range_of(im, ip, side);
	if (hit->ep >= 0)
		hit->via = TM_VIA_RANGE;
}
