/* escape.c - node escapes and co-location (analyzer/escape.h). */
#include "analyzer/escape.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *tm_escape_kind_name(tm_escape_kind k)
{
	static const char *const names[] = {"privileged", "sys-module", "hostpid-sys-admin", "hostpid-sys-ptrace",
					    "host-path", "runtime-socket", "var-log-symlink"};
	return (size_t)k < TM_ARRAY_LEN(names) ? names[k] : "?";
}

/* ---- which settings escape (docs/semantics.md "Node escapes") ---- */

static bool has_cap(const tm_ctr_sec *c, const char *cap)
{
	for (size_t i = 0; i < c->ncaps; i++)
		if (!strcmp(c->caps_add[i], cap) || !strcmp(c->caps_add[i], "ALL"))
			return true;
	return false;
}

/* path normalised: repeated and trailing slashes dropped, "." and ".."
 * components resolved (a hostPath is an absolute path on the node) */
static void normalise(const char *in, tm_buf *out)
{
	tm_buf_reset(out);
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		if (n == 1 && p[0] == '.') {
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *s = out->len ? strrchr(out->s, '/') : NULL;
			if (s) {
				out->len = (size_t)(s - out->s);
				out->s[out->len] = 0;
			}
		} else {
			(void)tm_buf_adds(out, "/");
			(void)tm_buf_add(out, p, n);
		}
		p += n;
	}
	if (!out->len)
		(void)tm_buf_adds(out, "/");
}

/* a is d, or a directory above it, or a path below it */
static bool path_covers(const char *a, const char *d)
{
	size_t na = strlen(a), nd = strlen(d);
	if (!strcmp(a, "/"))
		return true;
	if (na <= nd)
		return !strncmp(a, d, na) && (d[na] == 0 || d[na] == '/');
	return !strncmp(a, d, nd) && a[nd] == '/';
}

/* a is d or a directory above it */
static bool path_holds(const char *a, const char *d)
{
	size_t na = strlen(a);
	return !strcmp(a, "/") || (!strncmp(a, d, na) && (d[na] == 0 || d[na] == '/'));
}

static const char *const host_dirs[] = {"/etc", "/root", "/var/lib/kubelet", "/proc", "/dev"};
static const char *const sockets[] = {
	"/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
	"/var/run/containerd/containerd.sock", "/run/crio/crio.sock", "/var/run/crio/crio.sock",
	"/var/run/dockershim.sock", "/var/run/cri-dockerd.sock",
};
static const char *const socket_names[] = {"docker.sock", "containerd.sock", "crio.sock", "dockershim.sock",
					   "cri-dockerd.sock"};

static bool is_socket(const char *p)
{
	const char *base = strrchr(p, '/');
	base = base ? base + 1 : p;
	for (size_t i = 0; i < TM_ARRAY_LEN(socket_names); i++)
		if (!strcmp(base, socket_names[i]))
			return true;
	for (size_t i = 0; i < TM_ARRAY_LEN(sockets); i++)
		if (strcmp(p, "/") && path_holds(p, sockets[i]))
			return true;
	return false;
}

typedef struct howv {
	tm_escape_how *v;
	size_t n, cap;
} howv;

static void add_how(tm_arena *a, howv *hv, tm_escape_kind k, tm_srcloc loc, const char *fmt, ...) TM_PRINTF(5, 6);
static void add_how(tm_arena *a, howv *hv, tm_escape_kind k, tm_srcloc loc, const char *fmt, ...)
{
	tm_buf b;
	va_list ap;
	tm_buf_init(&b, 1 << 12);
	va_start(ap, fmt);
	(void)tm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	TM_HEAP_GROW(hv->v, hv->n, hv->cap);
	hv->v[hv->n++] = (tm_escape_how){k, tm_arena_strdup(a, tm_buf_str(&b)), loc};
	tm_buf_release(&b);
}

static const char *ctr(const char *name)
{
	return name ? name : "?";
}

static void escapes_of(tm_arena *a, const tm_podsec *s, howv *hv, tm_buf *tmp)
{
	for (size_t i = 0; i < s->nctrs; i++) {
		const tm_ctr_sec *c = &s->ctrs[i];
		if (c->privileged)
			add_how(a, hv, TM_ESC_PRIVILEGED, c->loc, "privileged: true (container %s)%s", ctr(c->name),
				s->host_pid ? ", with hostPID" : "");
		else if (has_cap(c, "SYS_MODULE"))
			add_how(a, hv, TM_ESC_SYS_MODULE, c->loc, "capabilities.add %s (container %s): loads kernel modules",
				has_cap(c, "ALL") ? "ALL" : "SYS_MODULE", ctr(c->name));
		else if (s->host_pid && has_cap(c, "SYS_ADMIN"))
			add_how(a, hv, TM_ESC_HOSTPID_ADMIN, c->loc,
				"hostPID with capabilities.add SYS_ADMIN (container %s): enters PID 1's namespaces", ctr(c->name));
		else if (s->host_pid && has_cap(c, "SYS_PTRACE"))
			add_how(a, hv, TM_ESC_HOSTPID_PTRACE, c->loc,
				"hostPID with capabilities.add SYS_PTRACE (container %s): attaches to a host process", ctr(c->name));
	}
	for (size_t i = 0; i < s->npaths; i++) {
		const tm_hostpath *h = &s->paths[i];
		if (!h->mounted)
			continue;
		normalise(h->path, tmp);
		const char *p = tm_buf_str(tmp);
		if (is_socket(p)) {
			add_how(a, hv, TM_ESC_RUNTIME_SOCKET, h->loc,
				"hostPath %s (volume %s, container %s): the container runtime's socket", h->path, ctr(h->volume),
				ctr(h->container));
			continue;
		}
		if (!h->writable)
			continue;
		bool dir = false;
		for (size_t k = 0; k < TM_ARRAY_LEN(host_dirs) && !dir; k++)
			dir = path_covers(p, host_dirs[k]);
		if (dir) {
			add_how(a, hv, TM_ESC_HOST_DIR, h->loc, "hostPath %s%s (volume %s, container %s), writable", h->path,
				!strcmp(p, "/") ? " (the host's root filesystem)" : "", ctr(h->volume), ctr(h->container));
			continue;
		}
		if (path_covers(p, "/var/log") && h->run_as_root != 0)
			add_how(a, hv, TM_ESC_VAR_LOG, h->loc,
				"hostPath %s (volume %s, container %s), writable, %s: symlinks that the kubelet's /logs follows",
				h->path, ctr(h->volume), ctr(h->container),
				h->run_as_root == 1 ? "as root" : "not shown to run as non-root");
	}
}

/* ---- co-location ---- */

typedef struct epnode {
	uint32_t ep;
	const char *node;
} epnode;

static int epnode_cmp(const void *a, const void *b)
{
	const epnode *x = a, *y = b;
	if (x->ep != y->ep)
		return x->ep < y->ep ? -1 : 1;
	return strcmp(x->node, y->node);
}

/* the first pair of endpoint e (npairs when none) */
static size_t first_pair(const epnode *pairs, size_t npairs, size_t e)
{
	size_t lo = 0, hi = npairs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pairs[mid].ep < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < npairs && pairs[lo].ep == e ? lo : npairs;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static long node_index(const char *name, const char **names, size_t n)
{
	const char **hit = bsearch(&name, names, n, sizeof *names, str_cmp);
	return hit ? hit - names : -1;
}

static int onnode_cmp(const void *a, const void *b)
{
	const tm_onnode *x = a, *y = b;
	return x->ep < y->ep ? -1 : x->ep > y->ep;
}

tm_err tm_escapes_build(const tm_graph *g, tm_escapes *es)
{
	const tm_model *m = g->m;
	size_t n = g->neps;
	memset(es, 0, sizeof *es);
	tm_arena_init(&es->arena);
	es->g = g;
	es->neps = n;
	es->sec = calloc(n + 1, sizeof *es->sec);
	es->daemonset = calloc(n + 1, 1);
	es->host_network = calloc(n + 1, 1);
	es->how_first = calloc(n + 2, sizeof *es->how_first);
	es->place = calloc(n + 1, sizeof *es->place);
	es->nplace = calloc(n + 1, sizeof *es->nplace);
	long *ep_of_w = malloc((g->nworkloads + 1) * sizeof *ep_of_w);
	epnode *pairs = NULL;
	size_t npairs = 0, cappairs = 0;
	const char **names = NULL;
	size_t nnames = 0;
	howv hv = {0};
	tm_buf tmp;
	tm_buf_init(&tmp, 1 << 16);
	if (!es->sec || !es->daemonset || !es->host_network || !es->how_first || !es->place || !es->nplace || !ep_of_w)
		abort();
	for (size_t i = 0; i < g->nworkloads; i++)
		ep_of_w[i] = -1;
	for (size_t e = 0; e < n; e++) {
		const tm_endpoint *ep = &g->eps[e];
		if (ep->kind != TM_EP_WORKLOAD)
			continue;
		if (ep->w->index < g->nworkloads)
			ep_of_w[ep->w->index] = (long)e;
		es->sec[e] = ep->pod && ep->pod->sec ? ep->pod->sec : ep->w->sec;
		es->daemonset[e] = !strcmp(ep->w->kind, "DaemonSet");
		es->host_network[e] = ep->w->host_network || (es->sec[e] && es->sec[e]->host_network);
		if (ep->pod && ep->pod->node) {
			TM_HEAP_GROW(pairs, npairs, cappairs);
			pairs[npairs++] = (epnode){(uint32_t)e, ep->pod->node};
		}
	}
	/* pods at workload granularity: their workload's endpoint */
	if (g->granularity == TM_GRAN_WORKLOAD)
		for (size_t i = 0; i < m->npods; i++) {
			const tm_pod *p = m->pods[i];
			const tm_workload *w = p->owner;
			while (w && w->folded_into)
				w = w->folded_into;
			if (!p->node || !w || w->index >= g->nworkloads || g->workloads[w->index] != w || ep_of_w[w->index] < 0)
				continue;
			TM_HEAP_GROW(pairs, npairs, cappairs);
			pairs[npairs++] = (epnode){(uint32_t)ep_of_w[w->index], p->node};
		}
	if (npairs > 1)
		qsort(pairs, npairs, sizeof *pairs, epnode_cmp);
	/* node names: Node objects and nodeNames */
	names = malloc((m->nknodes + npairs + 1) * sizeof *names);
	for (size_t i = 0; i < m->nknodes; i++)
		names[nnames++] = m->knodes[i]->name;
	for (size_t i = 0; i < npairs; i++)
		names[nnames++] = pairs[i].node;
	if (nnames > 1)
		qsort(names, nnames, sizeof *names, str_cmp);
	size_t k = 0;
	for (size_t i = 0; i < nnames; i++)
		if (!k || strcmp(names[k - 1], names[i]))
			names[k++] = names[i];
	nnames = k;
	es->node_objects = m->nknodes > 0;
	/* escapes */
	for (size_t e = 0; e < n; e++) {
		es->how_first[e] = (uint32_t)hv.n;
		if (es->sec[e])
			escapes_of(&es->arena, es->sec[e], &hv, &tmp);
	}
	es->how_first[n] = (uint32_t)hv.n;
	es->how = hv.v; /* transferred */
	es->nhow = hv.n;
	/* nodes: the named ones, then one of its own per escape-capable endpoint
	 * that is on none of them */
	size_t nown = 0;
	for (size_t e = 0; e < n; e++)
		if (tm_escapes_count(es, e) && !es->node_objects && first_pair(pairs, npairs, e) == npairs)
			nown++;
	es->nodes = calloc(nnames + nown + 1, sizeof *es->nodes);
	for (size_t i = 0; i < nnames; i++) {
		tm_hostnode *hn = &es->nodes[i];
		hn->name = tm_arena_printf(&es->arena, "%s[Node]", names[i]);
		hn->own = -1;
		for (size_t j = 0; j < m->nknodes && !hn->obj; j++)
			if (m->knodes[j]->name == names[i] || !strcmp(m->knodes[j]->name, names[i]))
				hn->obj = m->knodes[j];
	}
	es->nnodes = nnames;
	/* placements of each escape-capable endpoint */
	for (size_t e = 0; e < n; e++) {
		if (!tm_escapes_count(es, e))
			continue;
		tm_onnode *pl = NULL;
		size_t np = 0, cap = 0;
		for (size_t i = first_pair(pairs, npairs, e); i < npairs && pairs[i].ep == e; i++) {
			long ni = node_index(pairs[i].node, names, nnames);
			if (ni >= 0 && (!np || pl[np - 1].ep != (uint32_t)ni)) {
				TM_HEAP_GROW(pl, np, cap);
				pl[np++] = (tm_onnode){(uint32_t)ni, TM_PLACE_KNOWN, "spec.nodeName"};
			}
		}
		if (!np && es->node_objects)
			for (size_t i = 0; i < nnames; i++)
				if (es->nodes[i].obj && tm_podsec_fits_node(es->sec[e], es->nodes[i].obj, es->daemonset[e])) {
					TM_HEAP_GROW(pl, np, cap);
					pl[np++] = (tm_onnode){(uint32_t)i, TM_PLACE_POSSIBLE,
							       es->daemonset[e] ? "DaemonSet: runs on every node it tolerates and selects"
										: "its nodeSelector, node affinity and tolerations allow it"};
				}
		if (!np && !es->node_objects) {
			size_t i = es->nnodes++;
			es->nodes[i].name = tm_arena_printf(&es->arena, "(the node of %s)[Node]", g->eps[e].name);
			es->nodes[i].own = (long)e;
			TM_HEAP_GROW(pl, np, cap);
			pl[np++] = (tm_onnode){(uint32_t)i, TM_PLACE_KNOWN, "its own node: the input has no Node objects and no spec.nodeName for it"};
		}
		for (size_t i = 0; i < np; i++)
			es->nodes[pl[i].ep].active = true;
		es->place[e] = pl; /* transferred */
		es->nplace[e] = np;
	}
	/* members of each active node */
	for (size_t ni = 0; ni < es->nnodes; ni++) {
		tm_hostnode *hn = &es->nodes[ni];
		if (!hn->active)
			continue;
		size_t cap = 0;
		for (size_t e = 0; e < n; e++) {
			if (g->eps[e].kind != TM_EP_WORKLOAD)
				continue;
			tm_place pl = 0;
			const char *why = NULL;
			size_t lo = first_pair(pairs, npairs, e);
			bool placed = lo < npairs;
			if (hn->own >= 0) {
				if ((size_t)hn->own == e) {
					pl = TM_PLACE_KNOWN;
					why = "the escaping pod itself";
				} else if (tm_podsec_may_share(es->sec[hn->own], es->sec[e])) {
					pl = TM_PLACE_POSSIBLE;
					why = es->daemonset[e] ? "DaemonSet: runs on every node it tolerates and selects"
							       : "nothing keeps them apart (no Node objects; nodeSelector and node affinity allow it)";
				}
			} else if (placed) {
				for (size_t i = lo; i < npairs && pairs[i].ep == e && !pl; i++)
					if (!strcmp(pairs[i].node, names[ni])) {
						pl = TM_PLACE_KNOWN;
						why = "spec.nodeName";
					}
			} else if (hn->obj ? tm_podsec_fits_node(es->sec[e], hn->obj, es->daemonset[e]) : true) {
				pl = TM_PLACE_POSSIBLE;
				why = es->daemonset[e] ? "DaemonSet: runs on every node it tolerates and selects"
						       : hn->obj ? "its nodeSelector, node affinity and tolerations allow it"
								 : "no spec.nodeName; nothing keeps it off the node";
			}
			if (!pl)
				continue;
			TM_HEAP_GROW(hn->members, hn->nmembers, cap);
			hn->members[hn->nmembers++] = (tm_onnode){(uint32_t)e, pl, why};
		}
	}
	free(ep_of_w);
	free(pairs);
	free(names);
	tm_buf_release(&tmp);
	return TM_OK;
}

tm_place tm_escapes_on(const tm_escapes *es, size_t n, size_t ep, const char **why)
{
	const tm_hostnode *hn = &es->nodes[n];
	tm_onnode key = {(uint32_t)ep, 0, NULL};
	const tm_onnode *hit = hn->nmembers ? bsearch(&key, hn->members, hn->nmembers, sizeof key, onnode_cmp) : NULL;
	if (why)
		*why = hit ? hit->why : NULL;
	return hit ? hit->place : 0;
}

void tm_escapes_release(tm_escapes *es)
{
	for (size_t i = 0; i < es->nnodes; i++)
		free(es->nodes[i].members);
	for (size_t e = 0; e < es->neps; e++)
		free(es->place ? es->place[e] : NULL);
	free(es->nodes);
	free(es->place);
	free(es->nplace);
	free(es->how);
	free(es->how_first);
	free(es->sec);
	free(es->daemonset);
	free(es->host_network);
	tm_arena_release(&es->arena);
	memset(es, 0, sizeof *es);
}
