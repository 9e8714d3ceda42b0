/* pipeline.c - the one pipeline (pipeline.h). */
#include "pipeline/pipeline.h"
#include "ingest/flowjson/flowjson.h"
#include "ingest/ipmap/ipmap_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

void tm_request_init(tm_request *rq)
{
	memset(rq, 0, sizeof *rq);
	tm_load_opts_default(&rq->load);
	tm_conn_opts_default(&rq->conn);
	tm_pcap_opts_default(&rq->pcap);
	tm_mesh_opts_default(&rq->mesh_opts);
	rq->fdir = TM_FOCUS_BOTH;
}

static void result_init(tm_result *r)
{
	memset(r, 0, sizeof *r);
	tm_findings_init(&r->findings);
	tm_buf_init(&r->error, 0);
	r->src = r->dst = -1;
}

void tm_result_release(tm_result *r)
{
	if (r->has_report)
		tm_report_release(&r->report);
	if (r->has_diagram)
		tm_diagram_release(&r->diagram);
	if (r->has_annots)
		tm_annots_release(&r->annots);
	if (r->has_explain)
		tm_explain_release(&r->explain);
	if (r->has_reach)
		tm_reach_release(&r->reach);
	if (r->has_escapes)
		tm_escapes_release(&r->escapes);
	tm_observed_release(&r->observed);
	tm_mtls_evidence_release(&r->ev);
	tm_flowmap_release(&r->obs);
	tm_findings_release(&r->findings);
	tm_flowset_free(r->flows);
	tm_zones_free(r->z);
	tm_mesh_result_free(r->mesh);
	tm_mesh_census_free(r->census);
	tm_graph_free(r->g);
	tm_model_free(r->m);
	tm_buf_release(&r->error);
	memset(r, 0, sizeof *r);
}

/* End of a step: tell the caller; returns e. */
static tm_err step(const tm_request *rq, tm_result *r, tm_step s, tm_err e)
{
	if (e != TM_OK && r->failed == TM_STEP_NONE) {
		r->failed = s;
		r->err = e;
	}
	if (rq->step_done)
		rq->step_done(rq->ctx, s, r);
	return e;
}

static tm_err fail(tm_result *r, tm_err e, const char *fmt, ...) TM_PRINTF(3, 4);
static tm_err fail(tm_result *r, tm_err e, const char *fmt, ...)
{
	va_list ap;
	tm_buf_reset(&r->error);
	va_start(ap, fmt);
	tm_buf_vaddf(&r->error, fmt, ap);
	va_end(ap);
	return e;
}

/* The policy-like kinds (tm_kind_policy_project): a row matches the kind's
 * name, and, when group is set, an apiVersion of that group (only a kind of
 * ours from another group, "NetworkPolicy (crd.antrea.io/v1beta1)", comes
 * with its apiVersion; other kinds are counted by name). Service mesh
 * authorization is here until the mesh is analysed. */
static const struct policy_kind {
	const char *kind, *group, *project;
} policy_kinds[] = {
	{"CiliumNetworkPolicy", NULL, "Cilium"},
	{"CiliumClusterwideNetworkPolicy", NULL, "Cilium"},
	{"NetworkPolicy", "projectcalico.org", "Calico"},
	{"NetworkPolicy", "crd.projectcalico.org", "Calico"},
	{"GlobalNetworkPolicy", NULL, "Calico"},
	{"NetworkPolicy", "crd.antrea.io", "Antrea"},
	{"ClusterNetworkPolicy", "crd.antrea.io", "Antrea"},
	{"AntreaNetworkPolicy", NULL, "Antrea"},
	{"AntreaClusterNetworkPolicy", NULL, "Antrea"},
	{"AuthorizationPolicy", NULL, "Istio or Linkerd"},
	{"PeerAuthentication", NULL, "Istio"},
	{"ServerAuthorization", NULL, "Linkerd"},
	{"EgressFirewall", NULL, "OVN-Kubernetes"},
	{"EgressNetworkPolicy", NULL, "OpenShift"},
	{"MultiNetworkPolicy", NULL, "Multus"},
};

const char *tm_kind_policy_project(const char *kind)
{
	const char *open = strstr(kind, " (");
	size_t kl = open ? (size_t)(open - kind) : strlen(kind);
	const char *api = open ? open + 2 : NULL;
	for (size_t i = 0; i < TM_ARRAY_LEN(policy_kinds); i++) {
		const struct policy_kind *p = &policy_kinds[i];
		if (strlen(p->kind) != kl || strncmp(p->kind, kind, kl))
			continue;
		if (p->group && !(api && !strncmp(api, p->group, strlen(p->group)) && api[strlen(p->group)] == '/'))
			continue;
		return p->project;
	}
	/* another group's NetworkPolicy, AdminNetworkPolicy or
	 * ClusterNetworkPolicy that no row names is still a policy */
	if (api && kl >= 13 && !strncmp(kind + kl - 13, "NetworkPolicy", 13))
		return "another project";
	return NULL;
}

/* What the answer does not cover, as notes of the findings (every renderer
 * of findings states them; stderr alone is hidden by -q). */
static void input_notes(tm_result *r)
{
	const tm_model *m = r->m;
	for (size_t i = 0; i < m->nignored; i++) {
		const tm_kindcount *k = &m->ignored[i];
		const char *proj = tm_kind_policy_project(k->kind);
		if (!proj)
			continue; /* ConfigMap and the like change no connection */
		tm_findings_add_note(&r->findings, "kinds-not-analysed", k->first,
				     "%zu %s object%s not analysed (policies of %s): the connections %s allow%s or den%s "
				     "are not in this answer",
				     k->count, k->kind, k->count == 1 ? "" : "s", proj, k->count == 1 ? "it" : "they",
				     k->count == 1 ? "s" : "", k->count == 1 ? "ies" : "y");
	}
	for (size_t i = 0; i < m->nunmodelled; i++) {
		const tm_kindcount *k = &m->unmodelled[i];
		tm_findings_add_note(&r->findings, "policy-parts-not-modelled", k->first,
				     "%zu %s part%s not modelled (each warned at its position): what %s allow%s or den%s "
				     "beyond what is shown is not in this answer",
				     k->count, k->kind, k->count == 1 ? "" : "s", k->count == 1 ? "it" : "they",
				     k->count == 1 ? "s" : "", k->count == 1 ? "ies" : "y");
	}
	for (size_t i = 0; i < m->nskipped; i++) {
		const tm_skipped *s = &m->skipped[i];
		if (s->kind)
			tm_findings_add_note(&r->findings, "skipped-invalid", s->loc,
					     "invalid %s skipped (--skip-invalid): what it allows or denies is not in this answer",
					     s->kind);
		else
			tm_findings_add_note(&r->findings, "skipped-invalid", s->loc,
					     "rest of the file skipped after a syntax error (--skip-invalid): its objects "
					     "are not in this answer");
	}
	size_t all = m->invalid_skipped + m->files_skipped;
	if (all > m->nskipped)
		tm_findings_add_note(&r->findings, "skipped-invalid", (tm_srcloc){0},
				     "%zu more input%s skipped (--skip-invalid), not listed: %zu invalid object%s and %zu "
				     "file%s in all", all - m->nskipped, all - m->nskipped == 1 ? "" : "s",
				     m->invalid_skipped, m->invalid_skipped == 1 ? "" : "s", m->files_skipped,
				     m->files_skipped == 1 ? "" : "s");
	tm_findings_sort(&r->findings);
}

/* --missing-is-empty paths that do not exist (a diff's OLD in a first pull
 * request): said in a note, and left out of the load */
static bool path_missing(const tm_request *rq, tm_result *r, const char *path)
{
	struct stat st;
	if (!rq->missing_is_empty || strcmp(path, "-") == 0 || stat(path, &st) == 0 || errno != ENOENT)
		return false;
	tm_findings_add_note(&r->findings, "input-missing", (tm_srcloc){0},
			     "%s does not exist: read as an empty input (no workloads, no policies)", path);
	tm_diags_add(&r->m->diags, TM_DIAG_WARN, (tm_srcloc){0},
		     "%s does not exist: read as an empty input (no workloads, no policies)", path);
	return true;
}

static tm_err load(const tm_request *rq, tm_result *r)
{
	tm_model *m = r->m;
	tm_err rc = TM_OK;
	tm_load_opts lo = rq->load;
	if (!lo.progress) {
		lo.progress = rq->step_progress;
		lo.progress_ctx = rq->step_progress_ctx;
	}
	size_t missing = 0;
	for (size_t i = 0; i < rq->npaths; i++) {
		if (path_missing(rq, r, rq->paths[i])) {
			missing++;
			continue;
		}
		lo.ns = rq->path_ns ? rq->path_ns[i] : NULL;
		/* the same PATH again under another -n (only then: without -n a
		 * repeated PATH reads as before, its objects duplicates) */
		lo.again = false;
		for (size_t j = 0; j < i && !lo.again && rq->path_ns; j++) {
			const char *a = rq->path_ns[j], *b = rq->path_ns[i];
			lo.again = !strcmp(rq->paths[j], rq->paths[i]) && (a && b ? strcmp(a, b) != 0 : a != b);
		}
		tm_err e = tm_load_path(m, rq->paths[i], &lo);
		if (e != TM_OK && rc == TM_OK)
			rc = e;
	}
	tm_load_finish(m, &rq->load);
	for (size_t i = 0; i < rq->nip_maps; i++) {
		tm_err e = tm_ipmap_file_load(m, rq->ip_maps[i]);
		if (e != TM_OK && rc == TM_OK)
			rc = e;
	}
	if (missing && missing == rq->npaths) {
		r->input_missing = true;
		return TM_OK;
	}
	/* a job pointed at the wrong (or a not yet generated) directory must not
	 * pass --fail-on: no manifest file at all is an input error; files
	 * without objects are said, not silently zero (NPA says the same) */
	if (rc == TM_OK && m->files_read == 0) {
		tm_buf b;
		tm_buf_init(&b, 0);
		for (size_t i = 0; i < rq->npaths; i++)
			tm_buf_addf(&b, "%s%s", i ? ", " : "", rq->paths[i]);
		tm_diags_add(&m->diags, TM_DIAG_ERROR, (tm_srcloc){0}, "no manifest file (*.yaml, *.yml, *.json) in %s",
			     tm_buf_str(&b));
		tm_buf_release(&b);
		rc = TM_ERR_IO;
	} else if (rc == TM_OK && m->objects_read == 0)
		tm_diags_add(&m->diags, TM_DIAG_WARN, (tm_srcloc){0}, "no Kubernetes objects in the input: nothing to analyse");
	else if (rc == TM_OK && m->nworkloads == 0)
		tm_diags_add(&m->diags, TM_DIAG_WARN, (tm_srcloc){0},
			     "no workloads (Pods or their controllers) in the input: no connections to compute");
	if (rc != TM_OK && !rq->load.skip_invalid && (rc == TM_ERR_SYNTAX || rc == TM_ERR_INVALID))
		fail(r, rc, "input rejected (%s); --skip-invalid reads the rest", tm_err_str(rc));
	if (rc == TM_OK)
		input_notes(r);
	return rc;
}

static tm_err zones(const tm_request *rq, tm_result *r)
{
	if (!rq->zones_file) {
		r->z = tm_zones_default(r->m);
		return TM_OK;
	}
	tm_err e = tm_zones_load(r->m, rq->zones_file, &r->z);
	if (e != TM_OK)
		fail(r, e, "zones file %s rejected", rq->zones_file);
	return e;
}

static tm_err graph(const tm_request *rq, tm_result *r)
{
	tm_conn_opts co = rq->conn;
	if (rq->checks)
		tm_check_ignore_names(r->m, r->z);
	if (rq->pods)
		co.granularity = TM_GRAN_POD;
	/* a model with IPv6 ipBlocks has IPv6 endpoints: reach, explain and
	 * check name them (conn keeps NPA's IPv4-only default unless --ipv6) */
	if (rq->ipv6_auto && tm_model_has_ipv6(r->m))
		co.ipv6 = true;
	/* endpoints first, edges in the edges step once the names the request
	 * gives are known to exist (an unknown SRC is refused before any row) */
	co.defer_edges = true;
	tm_err e = tm_conn_compute(r->m, &co, &r->g);
	if (e == TM_OK && !r->g)
		e = TM_ERR_NOMEM;
	/* the ingress controller's row now: its diagnostics belong to this step */
	for (size_t i = 0; e == TM_OK && i < r->g->neps; i++)
		if (r->g->eps[i].kind == TM_EP_INGRESS) {
			uint32_t ic = (uint32_t)i;
			e = tm_conn_rows(r->g, &ic, 1);
		}
	if (e != TM_OK)
		fail(r, e, "connectivity computation failed");
	return e;
}

static tm_err find_one(tm_result *r, const char *spec, bool src_side, long *out)
{
	*out = tm_graph_resolve_one(r->g, spec, src_side ? TM_SIDE_SRC : TM_SIDE_DST, &r->error);
	return *out >= 0 ? TM_OK : TM_ERR_USAGE;
}

static tm_err mark_all(tm_result *r, const char *opt, const char *const *specs, size_t n, bool *mark)
{
	for (size_t i = 0; i < n; i++)
		if (!tm_graph_mark(r->g, specs[i], mark))
			return fail(r, TM_ERR_USAGE, "%s %s: no such workload", opt, specs[i]);
	return TM_OK;
}

/* The endpoints the request names, resolved before any edge is computed. */
typedef struct marks {
	bool *focus, *peer; /* --focus, --focus-peer (NULL: not asked) */
} marks;

static bool wants_focus(const tm_request *rq)
{
	return rq->nfocus || rq->npeers || rq->fdir != TM_FOCUS_BOTH;
}

static tm_err endpoints(const tm_request *rq, tm_result *r, marks *mk)
{
	tm_graph *g = r->g;
	tm_err e = TM_OK;
	if (rq->src) {
		e = find_one(r, rq->src, !rq->reverse, &r->src); /* reverse: the target is a destination */
		if (e == TM_OK && rq->dst)
			e = find_one(r, rq->dst, false, &r->dst);
		if (e == TM_OK && rq->dst && g->eps[r->src].kind == TM_EP_IPRANGE && g->eps[r->dst].kind == TM_EP_IPRANGE)
			e = fail(r, TM_ERR_USAGE, "both ends are IP ranges outside the cluster");
		if (e != TM_OK)
			return e;
	}
	if (wants_focus(rq)) {
		mk->focus = calloc(g->neps + 1, 1);
		mk->peer = rq->npeers ? calloc(g->neps + 1, 1) : NULL;
		e = mark_all(r, "--focus", rq->focus, rq->nfocus, mk->focus);
		if (e == TM_OK)
			e = mark_all(r, "--focus-peer", rq->peers, rq->npeers, mk->peer);
		if (e == TM_OK && !rq->nfocus) /* only peers: focus on everything */
			memset(mk->focus, 1, g->neps);
	}
	return e;
}

/* reach: the rows breadth-first from SRC, as far as reach looks (the
 * ingress controller's row, computed with the graph, is kept) */
static tm_err reach_rows(const tm_request *rq, tm_result *r)
{
	tm_graph *g = r->g;
	size_t n = g->neps;
	tm_edge *acc = NULL;
	size_t nacc = 0, capacc = 0;
	uint32_t *hops = malloc((n + 1) * sizeof *hops), *front = malloc((n + 1) * sizeof *front);
	uint32_t *next = malloc((n + 1) * sizeof *next);
	if (!hops || !front || !next) {
		free(hops);
		free(front);
		free(next);
		return TM_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		hops[i] = UINT32_MAX;
	uint32_t src = (uint32_t)r->src;
	for (size_t i = 0; i < g->nedges; i++) { /* the ingress controller's row */
		if (g->edges[i].src == src)
			continue; /* SRC's row comes below */
		TM_HEAP_GROW(acc, nacc, capacc);
		acc[nacc++] = g->edges[i];
	}
	size_t nfront = 0;
	hops[src] = 0;
	front[nfront++] = src;
	tm_err e = TM_OK;
	for (uint32_t h = 0; h < rq->hops && nfront && e == TM_OK; h++) {
		/* the frontier's rows (reach does not go on from IP ranges, nor
		 * from the ingress controller, whose row is there already) */
		size_t k = 0;
		for (size_t i = 0; i < nfront; i++)
			if (front[i] == src || g->eps[front[i]].kind == TM_EP_WORKLOAD)
				front[k++] = front[i];
		nfront = k;
		if (nfront > 1) {
			/* ascending, as tm_conn_rows wants them */
			bool *in = calloc(n + 1, 1);
			for (size_t i = 0; in && i < nfront; i++)
				in[front[i]] = true;
			k = 0;
			for (size_t i = 0; in && i < n; i++)
				if (in[i])
					front[k++] = (uint32_t)i;
			free(in);
		}
		e = tm_conn_rows(g, front, nfront);
		size_t nnext = 0;
		for (size_t i = 0; e == TM_OK && i < g->nedges; i++) {
			const tm_edge *ed = &g->edges[i];
			if (g->eps[ed->src].kind == TM_EP_INGRESS && ed->src != src)
				continue; /* kept already */
			TM_HEAP_GROW(acc, nacc, capacc);
			acc[nacc++] = *ed;
			if (hops[ed->dst] == UINT32_MAX) {
				hops[ed->dst] = h + 1;
				next[nnext++] = ed->dst;
			}
		}
		memcpy(front, next, nnext * sizeof *front);
		nfront = nnext;
	}
	free(hops);
	free(front);
	free(next);
	/* the rows sorted by source (each row is sorted by destination) */
	if (e == TM_OK) {
		tm_edge *sorted = malloc((nacc + 1) * sizeof *sorted);
		size_t *cnt = calloc(n + 1, sizeof *cnt);
		if (!sorted || !cnt)
			e = TM_ERR_NOMEM;
		for (size_t i = 0; e == TM_OK && i < nacc; i++)
			cnt[acc[i].src + 1]++;
		for (size_t i = 0; e == TM_OK && i < n; i++)
			cnt[i + 1] += cnt[i];
		for (size_t i = 0; e == TM_OK && i < nacc; i++)
			sorted[cnt[acc[i].src]++] = acc[i];
		if (e == TM_OK) {
			free(g->edges);
			g->edges = sorted;
			g->nedges = nacc;
			g->cap_edges = nacc + 1;
			sorted = NULL;
		}
		free(sorted);
		free(cnt);
	}
	free(acc);
	return e;
}

/* The edges the request needs: every row for conn, graph, check and
 * captures; none beyond the graph step's for explain; reach's rows for
 * reach. Then the narrowing the request asks for. */
static tm_err edges(const tm_request *rq, tm_result *r, marks *mk)
{
	tm_graph *g = r->g;
	tm_err e = TM_OK;
	/* reach walks rows on demand from SRC over network edges only; a reverse
	 * walk needs the edges into its target, and escapes (pod -> node -> pod)
	 * jump to rows the network walk never asked for: every row then */
	bool all = rq->checks || rq->ncaptures || rq->nhubble || rq->nzeek || (!rq->explain && !rq->hops) || wants_focus(rq) ||
		   (rq->hops && (rq->reverse || !rq->network_only));
	if (all)
		e = tm_conn_rows(g, NULL, 0);
	else if (rq->hops && r->src >= 0 && tm_conn_has_rows(g))
		e = reach_rows(rq, r);
	if (e != TM_OK)
		return fail(r, e, "connectivity computation failed");
	if (mk->focus)
		tm_graph_focus(g, mk->focus, mk->peer, rq->fdir);
	/* conn and graph: the connections that allow one port (NPA's
	 * --focus-conn); explain narrows its answer instead */
	if (rq->has_port && !rq->explain)
		tm_graph_focus_conn(g, rq->port_proto, rq->port);
	return e;
}

/* Manifests from git carry no pod IPs (status.podIPs): observed addresses
 * then map to IP ranges only, never to a workload; say so, once, with the
 * counts. Otherwise every record not mapped is counted by reason. */
static void flow_notes(tm_result *r)
{
	const tm_mtls_evidence *ev = &r->ev;
	const tm_flowmap *o = &r->obs;
	if (!o->any_ips && ev->flows) {
		size_t mapped = ev->flows - ev->unmapped;
		const char *seen = tm_evkind_participle(tm_mtls_kinds_read(ev)); /* "captured", "logged" */
		tm_findings_add_note(&r->findings, "flows-no-pod-ips", (tm_srcloc){0},
				     "no pod IPs in the input (manifests without status.podIPs): %s connections map only to "
				     "IP ranges, never to workloads; of %zu TCP connection%s, %zu mapped to a pair of endpoints "
				     "(%zu to a workload), %zu not mapped",
				     seen, ev->flows, ev->flows == 1 ? "" : "s", mapped, ev->on_workloads, ev->unmapped);
		tm_diags_add(&r->flows->diags, TM_DIAG_WARN, (tm_srcloc){0},
			     "no pod IPs in the manifests: the %zu %s TCP connection%s only to IP ranges, never to "
			     "workloads (%zu not mapped); give manifests with status (kubectl get pods -o yaml) or --ip-map",
			     ev->flows, seen, ev->flows == 1 ? " maps" : "s map", ev->unmapped);
	} else if (!o->any_ips && o->n) {
		tm_findings_add_note(&r->findings, "flows-no-pod-ips", (tm_srcloc){0},
				     "no pod IPs in the input (manifests without status.podIPs): the %zu observed record%s map "
				     "only to IP ranges, never to workloads (--ip-map FILE gives the addresses)",
				     o->n, o->n == 1 ? "" : "s");
	} else if (o->unmapped) {
		tm_buf b;
		tm_buf_init(&b, 0);
		for (int k = 1; k < TM_UNMAP__N; k++)
			if (o->by_reason[k])
				tm_buf_addf(&b, "%s%zu: %s", b.len ? "; " : "", o->by_reason[k],
					    tm_unmap_reason_text((tm_unmap_reason)k));
		tm_findings_add_note(&r->findings, "flows-unmapped", (tm_srcloc){0},
				     "%zu of %zu observed record%s not mapped onto a pair of endpoints (%s); what they show is not "
				     "judged",
				     o->unmapped, o->n, o->n == 1 ? "" : "s", tm_buf_str(&b));
		tm_buf_release(&b);
	}
	if (o->binds_unresolved)
		tm_findings_add_note(&r->findings, "ip-map-unresolved", o->first_unresolved,
				     "%zu --ip-map entr%s name%s nothing in the manifests: %s addresses not mapped",
				     o->binds_unresolved, o->binds_unresolved == 1 ? "y" : "ies",
				     o->binds_unresolved == 1 ? "s" : "", o->binds_unresolved == 1 ? "its" : "their");
	tm_findings_sort(&r->findings);
}

static tm_err read_flows(const tm_request *rq, tm_flow_session *s, const char *reader, const char *const *paths,
			 size_t n)
{
	tm_err rc = TM_OK;
	/* every input is read, so that every unusable one is reported */
	for (size_t i = 0; i < n; i++) {
		tm_err e = tm_load_flows_path(s, reader, paths[i]);
		if (e != TM_OK && rc == TM_OK)
			rc = e;
	}
	(void)rq;
	return rc;
}

static tm_err flows(const tm_request *rq, tm_result *r)
{
	r->flows = tm_flowset_new();
	if (!r->flows)
		return fail(r, TM_ERR_NOMEM, "out of memory");
	tm_flow_session s;
	tm_flow_session_init(&s, r->flows, &rq->pcap);
	s.progress = rq->progress;
	s.progress_ctx = rq->progress_ctx;
	s.max_line = rq->max_line;
	tm_err rc = read_flows(rq, &s, "pcap", rq->captures, rq->ncaptures);
	tm_err e = read_flows(rq, &s, "hubble", rq->hubble, rq->nhubble);
	if (rc == TM_OK)
		rc = e;
	e = read_flows(rq, &s, "zeek", rq->zeek, rq->nzeek);
	if (rc == TM_OK)
		rc = e;
	tm_flow_session_finish(&s);
	/* summaries of captures taken elsewhere: each connection once */
	tm_flowjson_merge(r->flows);
	if (rc == TM_OK && !r->flows->nflows) {
		/* said, not an empty answer that reads as "no traffic to worry about" */
		if (!rq->nhubble && !rq->nzeek) {
			const tm_counter *pk = tm_flowset_counter(r->flows, "packets");
			unsigned long long np = pk ? (unsigned long long)pk->value : 0;
			tm_diags_add(&r->flows->diags, TM_DIAG_WARN, (tm_srcloc){0},
				     "no TCP or UDP connection in the capture%s (%llu packet%s read; --stats counts the rest)",
				     rq->ncaptures == 1 ? "" : "s", np, np == 1 ? "" : "s");
		} else
			tm_diags_add(&r->flows->diags, TM_DIAG_WARN, (tm_srcloc){0},
				     "no TCP, UDP or SCTP connection in the observed traffic (--stats counts what was read)");
	}
	if (rc != TM_OK || !r->g)
		return rc;
	r->has_ev = true;
	rc = tm_flowmap_build(r->g, r->flows, &r->obs);
	if (rc == TM_OK)
		rc = tm_mtls_evidence_build_obs(r->g, r->flows, &r->obs, &r->ev);
	if (rc == TM_OK)
		flow_notes(r);
	return rc;
}

static tm_err census(const tm_request *rq, tm_result *r)
{
	tm_err e = tm_mesh_census_compute(r->m, &rq->mesh_opts, &r->census);
	if (e != TM_OK)
		fail(r, e, "mesh census failed");
	return e;
}

static tm_err mesh(const tm_request *rq, tm_result *r)
{
	tm_err e = tm_mesh_compute(r->g, &rq->mesh_opts, &r->mesh);
	if (e != TM_OK)
		fail(r, e, "mesh analysis failed");
	/* what the posture could not judge: the report says what stderr says */
	for (size_t i = 0; e == TM_OK && i < r->mesh->nnotes; i++)
		tm_findings_add_note(&r->findings, r->mesh->notes[i].code, r->mesh->notes[i].loc, "%s",
				     r->mesh->notes[i].message);
	if (e == TM_OK && r->mesh->nnotes)
		tm_findings_sort(&r->findings);
	return e;
}

/* A note for each namespace selector whose answer depends on labels of
 * namespaces that have no Namespace object in the input (`kubectl get
 * pods,netpol`): the report then says what stderr's warning says. */
typedef struct nssel_notes {
	const tm_model *m;
	tm_findings *f;
	tm_buf sel, names;
} nssel_notes;

static void nssel_note(void *ctx, const tm_selector *sel, tm_srcloc loc, const char *what)
{
	nssel_notes *x = ctx;
	const tm_namespace *ns[5];
	size_t n = tm_model_nssel_unknown(x->m, sel, ns, TM_ARRAY_LEN(ns));
	if (!n)
		return;
	tm_buf_reset(&x->sel);
	tm_selector_format(sel, &x->sel);
	tm_buf_reset(&x->names);
	for (size_t i = 0; i < n && i < TM_ARRAY_LEN(ns); i++)
		(void)tm_buf_addf(&x->names, "%s%s", i ? ", " : "", ns[i]->name);
	if (n > TM_ARRAY_LEN(ns))
		(void)tm_buf_addf(&x->names, " and %zu more", n - TM_ARRAY_LEN(ns));
	tm_findings_add_note(x->f, "namespace-labels-unknown", loc,
			     "%s: namespaceSelector %s tests labels of namespace%s without a Namespace object in the input "
			     "(%s); it is decided on kubernetes.io/metadata.name alone for %s",
			     what, tm_buf_str(&x->sel), n == 1 ? "" : "s", tm_buf_str(&x->names), n == 1 ? "it" : "them");
}

static tm_err checks(const tm_request *rq, tm_result *r)
{
	nssel_notes x = {r->m, &r->findings, {0}, {0}};
	tm_buf_init(&x.sel, 1 << 16);
	tm_buf_init(&x.names, 1 << 16);
	tm_model_each_nssel(r->m, nssel_note, &x);
	tm_buf_release(&x.sel);
	tm_buf_release(&x.names);
	tm_err e = tm_check_all_with(r->g, r->z, r->has_ev ? &r->ev : NULL, r->mesh, r->has_ev ? &r->obs : NULL,
				     r->flows, &r->findings);
	if (e != TM_OK)
		fail(r, e, "check failed");
	return e;
}

/* explain --port: only the decisions about that port */
static void explain_narrow(tm_portpool *pp, tm_explain *ex, tm_proto proto, uint32_t port)
{
	const tm_ports *one = tm_ports_range(pp, proto, port, port);
	ex->allowed = tm_ports_inter(pp, ex->allowed, one);
	ex->egress = tm_ports_inter(pp, ex->egress, one);
	ex->ingress = tm_ports_inter(pp, ex->ingress, one);
	size_t k = 0;
	bool deny_kept[2] = {false, false}; /* per direction: the last default deny is kept */
	for (size_t i = 0; i < ex->n; i++) {
		tm_why *w = &ex->v[i];
		if (w->kind == TM_WHY_ISOLATED || w->kind == TM_WHY_NEAR_PORT || w->kind == TM_WHY_NEAR_PEER) {
			/* what isolates and what almost matched, for a deny of this port */
			if (!deny_kept[w->dir])
				continue;
			if (w->kind == TM_WHY_NEAR_PEER) {
				w->rule_ports = tm_ports_inter(pp, w->rule_ports, one);
				if (tm_ports_is_empty(w->rule_ports))
					continue;
			}
			ex->v[k++] = *w;
			continue;
		}
		if (!ex->v[i].ports) {
			ex->v[k++] = ex->v[i]; /* a note, not a port decision */
			continue;
		}
		ex->v[i].ports = tm_ports_inter(pp, ex->v[i].ports, one);
		bool kept = !tm_ports_is_empty(ex->v[i].ports);
		if (ex->v[i].kind == TM_WHY_NP_DEFAULT_DENY)
			deny_kept[ex->v[i].dir] = kept;
		if (kept)
			ex->v[k++] = ex->v[i];
	}
	ex->n = k;
}

/* reach: the escapes, observed edges, --avoid and --to, the hops and their
 * evidence, the blast radius per hop */
static tm_err reach(const tm_request *rq, tm_result *r)
{
	tm_graph *g = r->g;
	tm_reach_opts o;
	tm_zonemap zm;
	tm_err e = TM_OK;
	memset(&o, 0, sizeof o);
	o.max_hops = rq->hops;
	o.reverse = rq->reverse;
	bool *avoid = calloc(g->neps + 1, 1), *to = rq->to ? calloc(g->neps + 1, 1) : NULL;
	tm_zonemap_build(&zm, g, r->z);
	if ((e = mark_all(r, "--avoid", rq->avoid, rq->navoid, avoid)) != TM_OK)
		goto out;
	if (to) {
		bool zone = false;
		for (size_t i = 0; r->z && i < r->z->nzones && !zone; i++)
			zone = !strcmp(r->z->zones[i].name, rq->to);
		zone |= !strcmp(rq->to, TM_ZONE_INTERNET);
		if (zone)
			for (size_t ep = 0; ep < g->neps; ep++)
				to[ep] = tm_zonemap_in(&zm, g, ep, rq->to);
		else if (!tm_graph_mark(g, rq->to, to)) {
			e = fail(r, TM_ERR_USAGE, "--to %s: no such zone, workload, pod or IP range", rq->to);
			goto out;
		}
	}
	if (!rq->network_only) {
		if ((e = tm_escapes_build(g, &r->escapes)) != TM_OK)
			goto out;
		r->has_escapes = true;
		o.escapes = &r->escapes;
	}
	if (r->flows && (e = tm_observed_build(g, r->flows, &r->observed)) == TM_OK) {
		r->has_observed = true;
		o.observed = &r->observed;
	}
	o.avoid = rq->navoid ? avoid : NULL;
	o.to = to;
	if (e == TM_OK)
		e = tm_reach_run(g, (uint32_t)r->src, &o, &r->reach);
	r->has_reach = true;
	if (e == TM_OK)
		e = tm_reach_evidence(g, &r->reach);
	if (e == TM_OK)
		tm_reach_summarize(&r->reach, &zm);
out:
	tm_zonemap_release(&zm);
	free(avoid);
	free(to);
	return e;
}

static tm_err answer(const tm_request *rq, tm_result *r)
{
	tm_err e = TM_OK;
	if (rq->explain) {
		e = tm_conn_explain(r->g, (size_t)r->src, (size_t)r->dst, &r->explain);
		r->has_explain = true;
		if (e == TM_OK && rq->has_port)
			explain_narrow(r->m->ports, &r->explain, rq->port_proto, rq->port);
	} else if (rq->hops)
		e = reach(rq, r);
	return e;
}

/* The date of the input (the diagram's title, the report): the newest
 * modification time of the manifest files under path (depth-limited). */
static void newest_under(const char *path, int depth, bool top, time_t *newest)
{
	struct stat st;
	if (depth > 32 || lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *dir = opendir(path);
		struct dirent *de;
		tm_buf b;
		tm_buf_init(&b, 1 << 16);
		while (dir && (de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			tm_buf_reset(&b);
			(void)tm_buf_addf(&b, "%s/%s", path, de->d_name);
			newest_under(tm_buf_str(&b), depth + 1, false, newest);
		}
		if (dir)
			closedir(dir);
		tm_buf_release(&b);
		return;
	}
	size_t n = strlen(path);
	bool manifest = (n > 5 && !strcmp(path + n - 5, ".yaml")) || (n > 4 && !strcmp(path + n - 4, ".yml")) ||
			(n > 5 && !strcmp(path + n - 5, ".json"));
	if (S_ISREG(st.st_mode) && (manifest || top) && st.st_mtime > *newest)
		*newest = st.st_mtime;
}

static time_t input_time(const tm_request *rq)
{
	time_t t = 0;
	for (size_t i = 0; i < rq->npaths; i++)
		if (strcmp(rq->paths[i], "-"))
			newest_under(rq->paths[i], 0, true, &t);
	return t;
}

static tm_err draw(const tm_request *rq, tm_result *r)
{
	tm_graph *g = r->g;
	tm_err e = tm_annots_build(g, &r->findings, r->mesh, r->has_ev ? &r->ev : NULL, &r->annots);
	if (e != TM_OK)
		return fail(r, e, "out of memory");
	r->has_annots = true;
	r->input_time = input_time(rq);
	tm_zonemap zm;
	tm_zonemap_build(&zm, g, r->z);
	bool *focus = NULL;
	if (rq->nfocus) {
		focus = calloc(g->neps + 1, 1);
		for (size_t i = 0; i < rq->nfocus; i++)
			tm_graph_mark(g, rq->focus[i], focus);
	}
	if (rq->diagram) {
		tm_diagram_opts o = rq->dopts;
		o.focus = focus;
		e = tm_diagram_build(g, &zm, &r->annots, &o, &r->diagram);
		r->has_diagram = e == TM_OK;
		if (e == TM_ERR_USAGE)
			fail(r, e, "--zone %s: no such zone (zones: %s)", o.zone, r->z->file ? r->z->file : "the defaults");
	}
	if (e == TM_OK && rq->report) {
		e = tm_report_build(g, &zm, &r->annots, rq->report_hops, &r->report);
		r->has_report = true;
		if (e != TM_OK)
			fail(r, e, "report failed");
	}
	free(focus);
	tm_zonemap_release(&zm);
	return e;
}

tm_err tm_run(const tm_request *rq, tm_result *r)
{
	result_init(r);
	tm_err e = TM_OK;
	bool manifests = rq->npaths > 0;
	if (manifests) {
		r->m = tm_model_new();
		if ((e = step(rq, r, TM_STEP_LOAD, load(rq, r))) != TM_OK)
			return e;
	}
	if (manifests && rq->census && (tm_mesh_present(r->m) || tm_mesh_opts_any(&rq->mesh_opts)) &&
	    (e = step(rq, r, TM_STEP_CENSUS, census(rq, r))) != TM_OK)
		return e;
	if (manifests && (rq->checks || rq->hops || rq->diagram || rq->report) && (e = step(rq, r, TM_STEP_ZONES, zones(rq, r))) != TM_OK)
		return e;
	if (manifests && (rq->graph || rq->checks || rq->src)) {
		if ((e = step(rq, r, TM_STEP_GRAPH, graph(rq, r))) != TM_OK)
			return e;
		marks mk = {NULL, NULL};
		if ((rq->src || wants_focus(rq) || rq->has_port) &&
		    (e = step(rq, r, TM_STEP_ENDPOINTS, endpoints(rq, r, &mk))) != TM_OK) {
			free(mk.focus);
			free(mk.peer);
			return e;
		}
		e = step(rq, r, TM_STEP_EDGES, edges(rq, r, &mk));
		free(mk.focus);
		free(mk.peer);
		if (e != TM_OK)
			return e;
		if ((rq->mesh || (rq->checks && tm_mesh_present(r->m))) && (e = step(rq, r, TM_STEP_MESH, mesh(rq, r))) != TM_OK)
			return e;
	}
	if ((rq->ncaptures || rq->nhubble || rq->nzeek) && (e = step(rq, r, TM_STEP_FLOWS, flows(rq, r))) != TM_OK)
		return e;
	/* an input that does not exist has no findings (and no zone to match) */
	if (manifests && rq->checks && !r->input_missing &&
	    (e = step(rq, r, TM_STEP_CHECKS, checks(rq, r))) != TM_OK)
		return e;
	if (r->src >= 0 && (rq->explain || rq->hops) && (e = step(rq, r, TM_STEP_ANSWER, answer(rq, r))) != TM_OK)
		return e;
	if (manifests && (rq->diagram || rq->report) && r->g && !r->input_missing)
		e = step(rq, r, TM_STEP_DRAW, draw(rq, r));
	return e;
}
