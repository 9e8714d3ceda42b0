/* k8s_workloads.c - Namespaces, Pods and workload controllers. */
#include "ingest/manifest/k8s.h"
#include "ingest/manifest/getters.h"

#include <string.h>

void tm_k8s_namespace(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	const tm_node *meta = tm_node_get(c->obj, "metadata");
	tm_labels l;
	if (!tm_k8s_labels(c, tm_node_get(meta, "labels"), "metadata.labels", &l, TM_LABELS_WARN))
		return;
	tm_namespace *ns = tm_model_namespace(m, c->name, false);
	if (ns && ns->declared)
		tm_k8s_warn(c, c->obj, "duplicate Namespace (first at %s:%u); this later one replaces it",
			    ns->loc.file, ns->loc.line);
	if (!ns)
		ns = tm_model_namespace(m, c->name, true);
	ns->labels = tm_labels_with(&m->arena, &l, tm_intern(&m->strs, "kubernetes.io/metadata.name"), ns->name);
	ns->declared = true;
	ns->loc = c->obj->loc;
	ns->ignore = tm_k8s_ignore_annotation(meta, &ns->ignore_loc);
	ns->mesh_ann = tm_k8s_mesh_ns(c, meta);
}

/* containers[].ports of a pod spec; spec_field names the pod spec
 * ("spec.template.spec"), errors name the entry ("...containers[0].ports[1]").
 * Every container and port is checked on its own; false if one is bad. */
static bool read_ports(tm_k8s_ctx *c, const tm_node *spec, const char *spec_field, tm_cport **out, size_t *nout)
{
	tm_model *m = c->m;
	size_t cap = 0;
	char f[192], g[224];
	unsigned e0 = c->nerrors;
	*out = NULL;
	*nout = 0;
	static const char *lists[] = {"containers", "initContainers"};
	static const char *const port_fields[] = {"containerPort", "hostPort", "hostIP", "name", "protocol", NULL};
	for (size_t li = 0; li < 2; li++) {
		snprintf(f, sizeof f, "%s.%s", spec_field, lists[li]);
		const tm_node *cs = tm_k8s_seq(c, spec, lists[li], f);
		for (size_t i = 0; cs && i < cs->n; i++) {
			snprintf(f, sizeof f, "%s.%s[%zu].ports", spec_field, lists[li], i);
			unsigned e1 = c->nerrors;
			const tm_node *ps = tm_k8s_seq(c, cs->items[i], "ports", f);
			if (c->nerrors != e1)
				continue;
			/* init containers' ports only matter for sidecars (restartPolicy Always) */
			if (li == 1) {
				const char *rp = NULL;
				snprintf(g, sizeof g, "%s.%s[%zu].restartPolicy", spec_field, lists[li], i);
				tm_k8s_str(c, cs->items[i], "restartPolicy", g, &rp);
				if (!rp || strcmp(rp, "Always"))
					continue;
			}
			for (size_t j = 0; ps && j < ps->n; j++) {
				const tm_node *p = ps->items[j];
				snprintf(f, sizeof f, "%s.%s[%zu].ports[%zu]", spec_field, lists[li], i, j);
				tm_k8s_known_fields(c, p, f, port_fields);
				long long port = 0;
				bool has = false;
				const char *name = NULL, *proto = NULL;
				/* port, name and protocol are independent of each other */
				snprintf(g, sizeof g, "%s.containerPort", f);
				bool ok = tm_k8s_int(c, p, "containerPort", g, &port, &has);
				snprintf(g, sizeof g, "%s.name", f);
				ok &= tm_k8s_str(c, p, "name", g, &name);
				snprintf(g, sizeof g, "%s.protocol", f);
				ok &= tm_k8s_str(c, p, "protocol", g, &proto);
				tm_proto pr = TM_PROTO_TCP;
				if (proto && !tm_proto_parse(proto, &pr)) {
					tm_k8s_error(c, tm_node_get(p, "protocol"), g, "\"%s\" is not one of TCP, UDP, SCTP",
						     proto);
					ok = false;
				}
				if (has && (port < 1 || port > 65535)) {
					snprintf(g, sizeof g, "%s.containerPort", f);
					tm_k8s_error(c, tm_node_get(p, "containerPort"), g, "%lld must be between 1 and 65535",
						     port);
					ok = false;
				}
				if (!ok)
					continue;
				if (!has) {
					/* the API server would reject it; NPA reads on without it */
					tm_k8s_warn(c, p, "%s: a container port without containerPort is ignored", f);
					continue;
				}
				TM_ARENA_GROW(&m->arena, *out, *nout, cap);
				(*out)[*nout].name = name && *name ? name : NULL;
				(*out)[*nout].port = (uint32_t)port;
				(*out)[*nout].proto = pr;
				(*nout)++;
			}
		}
	}
	return c->nerrors == e0;
}

/* The controller ownerReference of an object (ownerReferences[] with
 * controller: true), or NULL/NULL. NPA names an owner of unknown kind a
 * Pod; Node owners (static pods' mirror pods) are no controller of ours. */
static bool read_controller(tm_k8s_ctx *c, const tm_node *meta, const char **kind, const char **name)
{
	*kind = *name = NULL;
	unsigned e0 = c->nerrors;
	const tm_node *owners = tm_k8s_seq(c, meta, "ownerReferences", "metadata.ownerReferences");
	for (size_t i = 0; owners && i < owners->n; i++) {
		bool ctl = false;
		const char *k = NULL, *n = NULL;
		char f[64];
		snprintf(f, sizeof f, "metadata.ownerReferences[%zu]", i);
		if (owners->items[i]->kind != TM_NODE_MAP) {
			tm_k8s_error(c, owners->items[i], f, "expected a map, got %s", tm_node_kind_str(owners->items[i]));
			continue;
		}
		snprintf(f, sizeof f, "metadata.ownerReferences[%zu].controller", i);
		bool ok = tm_k8s_bool(c, owners->items[i], "controller", f, &ctl);
		snprintf(f, sizeof f, "metadata.ownerReferences[%zu].kind", i);
		ok &= tm_k8s_str(c, owners->items[i], "kind", f, &k);
		snprintf(f, sizeof f, "metadata.ownerReferences[%zu].name", i);
		ok &= tm_k8s_str(c, owners->items[i], "name", f, &n);
		if (ok && ctl && n && !*kind && (!k || strcmp(k, "Node") != 0)) {
			*kind = k && *k ? k : "Pod";
			*name = n;
		}
	}
	return c->nerrors == e0;
}

static tm_workload *new_workload(tm_k8s_ctx *c, const char *kind, const char *name)
{
	tm_model *m = c->m;
	tm_workload *w = tm_arena_alloc(&m->arena, sizeof *w);
	w->kind = tm_intern(&m->strs, kind);
	w->ns = c->ns;
	w->name = tm_intern(&m->strs, name);
	w->display = tm_intern(&m->strs, tm_arena_printf(&m->arena, "%s/%s[%s]", w->ns, w->name, w->kind));
	w->replicas = 1;
	w->loc = c->obj->loc;
	TM_ARENA_GROW(&m->arena, m->workloads, m->nworkloads, m->cap_wl);
	m->workloads[m->nworkloads++] = w;
	return w;
}

void tm_k8s_workload(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	const tm_node *meta = tm_node_get(c->obj, "metadata");
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	if (c->failed)
		return;
	/* each part below is checked whatever became of the others; the
	 * object is kept only when none failed */
	const tm_node *tmpl;
	const char *tfield = "spec.template";
	bool cron = !strcmp(c->kind, "CronJob");
	if (cron) {
		const tm_node *jt = tm_k8s_map(c, spec, "jobTemplate", "spec.jobTemplate");
		const tm_node *js = tm_k8s_map(c, jt, "spec", "spec.jobTemplate.spec");
		tmpl = tm_k8s_map(c, js, "template", "spec.jobTemplate.spec.template");
		tfield = "spec.jobTemplate.spec.template";
	} else
		tmpl = tm_k8s_map(c, spec, "template", "spec.template");
	const tm_node *tmeta = tm_k8s_map(c, tmpl, "metadata", tfield);
	const tm_node *tspec = tm_k8s_map(c, tmpl, "spec", tfield);
	static const char *const tmpl_fields[] = {"metadata", "spec", NULL};
	tm_k8s_known_fields(c, tmpl, tfield, tmpl_fields);
	if (tmeta) {
		char f[64];
		snprintf(f, sizeof f, "%s.metadata", tfield);
		tm_k8s_known_fields(c, tmeta, f, tm_k8s_objectmeta_fields);
	}
	tm_labels labels;
	tm_k8s_labels(c, tm_node_get(tmeta, "labels"), "spec.template.metadata.labels", &labels, TM_LABELS_WARN);
	long long replicas = 1, st_replicas = -1;
	bool has = false, st_has = false;
	unsigned e0 = c->nerrors;
	tm_k8s_int(c, spec, !strcmp(c->kind, "Job") ? "parallelism" : "replicas", "spec.replicas", &replicas, &has);
	if (c->nerrors == e0 && (replicas < 0 || replicas > 2147483647))
		tm_k8s_error(c, tm_node_get(spec, "replicas"), "spec.replicas",
			     replicas < 0 ? "must not be negative" : "%lld is larger than the API's int32 allows", replicas);
	/* status.replicas of a ReplicaSet (or ReplicationController): 0 for an old revision */
	const tm_node *status = tm_node_get(c->obj, "status");
	if (status && status->kind == TM_NODE_MAP &&
	    (!strcmp(c->kind, "ReplicaSet") || !strcmp(c->kind, "ReplicationController")))
		tm_k8s_int(c, status, "replicas", "status.replicas", &st_replicas, &st_has);
	tm_cport *ports;
	size_t nports;
	read_ports(c, tspec, cron ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec", &ports, &nports);
	const char *sa = NULL;
	bool hostnet = false;
	tm_k8s_str(c, tspec, "serviceAccountName", "serviceAccountName", &sa);
	tm_k8s_bool(c, tspec, "hostNetwork", "hostNetwork", &hostnet);
	const char *okind, *oname;
	read_controller(c, meta, &okind, &oname);
	if (c->failed)
		return;
	tm_workload *dup = tm_model_find_workload(m, c->ns, c->kind, c->name);
	if (dup && !dup->from_pods)
		tm_k8s_warn(c, c->obj, "duplicate %s (first at %s:%u); this later one replaces it", c->kind,
			    dup->loc.file, dup->loc.line);
	tm_workload *w = dup ? dup : new_workload(c, c->kind, c->name);
	w->labels = labels;
	w->replicas = has ? (unsigned)(replicas > 1000000 ? 1000000 : replicas) : 1;
	w->no_replicas = (has && replicas == 0) || (st_has && st_replicas == 0);
	w->ports = ports;
	w->nports = nports;
	w->service_account = sa;
	w->host_network = hostnet;
	w->from_pods = false;
	w->owner_kind = okind ? tm_intern(&m->strs, okind) : NULL;
	w->owner_name = oname;
	w->loc = c->obj->loc;
	w->ignore = tm_k8s_ignore_annotation(meta, &w->ignore_loc);
	w->mesh = tm_k8s_mesh_pod(c, tmeta, tspec);
	w->sec = tm_k8s_pod_security(c, tspec, strcmp(c->kind, "CronJob") ? "spec.template.spec" : "spec.jobTemplate.spec.template.spec");
}

void tm_k8s_pod(tm_k8s_ctx *c)
{
	tm_model *m = c->m;
	const tm_node *meta = tm_node_get(c->obj, "metadata");
	const tm_node *spec = tm_k8s_map(c, c->obj, "spec", "spec");
	const tm_node *status = tm_k8s_map(c, c->obj, "status", "status");
	if (c->failed)
		return;
	if (strncmp(c->name, "virt-launcher-", 14) == 0) {
		tm_k8s_warn(c, c->obj, "KubeVirt launcher pod ignored (as NPA does)");
		tm_model_count_ignored(m, "Pod (virt-launcher)", c->obj->loc);
		return;
	}
	/* each part is checked whatever became of the others */
	tm_labels labels;
	tm_k8s_labels(c, tm_node_get(meta, "labels"), "metadata.labels", &labels, TM_LABELS_WARN);
	tm_cport *ports;
	size_t nports;
	read_ports(c, spec, "spec", &ports, &nports);
	const char *okind, *oname;
	read_controller(c, meta, &okind, &oname);
	const char *node = NULL, *sa = NULL;
	bool hostnet = false;
	tm_k8s_str(c, spec, "nodeName", "spec.nodeName", &node);
	tm_k8s_str(c, spec, "serviceAccountName", "spec.serviceAccountName", &sa);
	tm_k8s_bool(c, spec, "hostNetwork", "spec.hostNetwork", &hostnet);
	/* IPs: status.podIPs[].ip, else status.podIP */
	const tm_node *ips = tm_k8s_seq(c, status, "podIPs", "status.podIPs");
	const char *one = NULL;
	tm_k8s_str(c, status, "podIP", "status.podIP", &one);
	size_t nips = ips ? ips->n : 0;
	const char **ipstr = tm_arena_alloc(&m->arena, (nips + 1) * sizeof *ipstr);
	for (size_t i = 0; i < nips; i++) {
		char f[48];
		snprintf(f, sizeof f, "status.podIPs[%zu].ip", i);
		tm_k8s_str(c, ips->items[i], "ip", f, &ipstr[i]);
	}
	if (c->failed)
		return;
	tm_pod *p = tm_arena_alloc(&m->arena, sizeof *p);
	p->ns = c->ns;
	p->name = c->name;
	p->node = node;
	p->labels = labels;
	p->loc = c->obj->loc;
	p->sec = tm_k8s_pod_security(c, spec, "spec");
	p->ips = tm_arena_alloc(&m->arena, (nips + 1) * sizeof(tm_ip));
	for (size_t i = 0; i < nips; i++) {
		const char *s = ipstr[i];
		if (s && tm_ip_parse(s, &p->ips[p->nips]))
			p->nips++;
		else if (s)
			tm_k8s_warn(c, ips->items[i], "status.podIPs: \"%s\" is not an IP address; ignored", s);
	}
	if (!p->nips && one) {
		if (tm_ip_parse(one, &p->ips[0]))
			p->nips = 1;
		else
			tm_k8s_warn(c, tm_node_get(status, "podIP"), "status.podIP: \"%s\" is not an IP address; ignored", one);
	}
	/* the node's address (node ports; a hostNetwork pod's own IPs) */
	const char *hip = NULL;
	tm_k8s_str(c, status, "hostIP", "status.hostIP", &hip);
	if (c->failed)
		return;
	p->has_host_ip = hip && tm_ip_parse(hip, &p->host_ip);
	p->host_network = hostnet;
	const char *wkind = okind ? okind : "Pod";
	const char *wname = okind ? oname : c->name;
	tm_workload *w = tm_model_find_workload(m, c->ns, wkind, wname);
	if (w && !okind) {
		tm_k8s_warn(c, c->obj, "duplicate Pod (first at %s:%u); this later one replaces it",
			    w->loc.file, w->loc.line);
		w->labels = labels;
		w->ports = ports;
		w->nports = nports;
		w->loc = c->obj->loc;
		for (size_t i = 0; i < m->npods; i++)
			if (m->pods[i]->owner == w) {
				p->owner = w;
				m->pods[i] = p;
			}
		return;
	}
	if (!w) {
		w = new_workload(c, wkind, wname);
		w->labels = labels;
		w->ports = ports;
		w->nports = nports;
		w->from_pods = true;
		w->replicas = 0;
		w->service_account = sa;
		w->host_network = hostnet;
		w->mesh = tm_k8s_mesh_pod(c, meta, spec);
		if (!okind)
			w->ignore = tm_k8s_ignore_annotation(meta, &w->ignore_loc);
		w->sec = p->sec;
	} else if (w->from_pods && !tm_labels_equal(&w->labels, &labels)) {
		tm_k8s_warn(c, c->obj, "pods of %s have different labels; using those of the first pod",
			    w->display);
	}
	if (w->from_pods)
		w->replicas++;
	w->npods++;
	p->owner = w;
	TM_ARENA_GROW(&m->arena, m->pods, m->npods, m->cap_pods);
	m->pods[m->npods++] = p;
}
