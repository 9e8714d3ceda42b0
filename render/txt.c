/* txt.c - text for people; `conn` lines are NPA's format byte for byte. */
#include "render/render.h"
#include "render/connw.h"

#include <string.h>

tm_err tm_render_conn_txt(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	if (in->mesh)
		return tm_render_conn_mtls_txt(in, out);
	char head[64];
	snprintf(head, sizeof head, "Permitted connections on %s:\n", g->focus_conn);
	tm_connfmt f = {TM_CELL_RAW, g->conn_focused ? head : "", "", "", " => ", g->conn_focused ? NULL : " : ",
			"\n", "", ""};
	return tm_connw_write(g, &f, out, in->progress, in->progress_ctx);
}

static void labels_txt(const tm_labels *l, FILE *out)
{
	if (!l->n) {
		fputs("-", out);
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		fprintf(out, "%s%s=%s", i ? "," : "", l->v[i].key, l->v[i].val);
}

tm_err tm_render_inventory_txt(const tm_render_in *in, FILE *out)
{
	const tm_model *m = in->m;
	tm_buf b;
	tm_buf_init(&b, 4096);
	fprintf(out, "Namespaces (%zu)\n", m->nnamespaces);
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const tm_namespace *ns = m->namespaces[i];
		fprintf(out, "  %s%s  ", ns->name, ns->declared ? "" : " (no Namespace object: labels unknown)");
		labels_txt(&ns->labels, out);
		fputc('\n', out);
	}
	fprintf(out, "\nWorkloads (%zu)\n", m->nworkloads);
	for (size_t i = 0; i < m->nworkloads; i++) {
		const tm_workload *w = m->workloads[i];
		fprintf(out, "  %s  pods=%u", w->display, w->from_pods ? w->npods : w->replicas);
		if (w->host_network)
			fputs(" hostNetwork", out);
		fputs("  labels=", out);
		labels_txt(&w->labels, out);
		if (w->nports) {
			fputs("  ports=", out);
			for (size_t k = 0; k < w->nports; k++)
				fprintf(out, "%s%s%s%s/%u", k ? "," : "", w->ports[k].name ? w->ports[k].name : "",
					w->ports[k].name ? ":" : "", tm_proto_name(w->ports[k].proto), w->ports[k].port);
		}
		fputc('\n', out);
	}
	/* what is not an endpoint of its own: only when there is any */
	if (m->nfolded) {
		fprintf(out, "\nFolded into their owners or dropped (%zu)\n", m->nfolded);
		for (size_t i = 0; i < m->nfolded; i++) {
			const tm_folded *f = &m->folded[i];
			fprintf(out, "  %s %s/%s  ", f->kind, f->ns, f->name);
			if (f->into)
				fprintf(out, "folded into %s", f->into->display);
			else
				fputs("dropped", out);
			if (f->npods)
				fprintf(out, "  pods=%u", f->npods);
			fprintf(out, "  (%s)\n", tm_folded_reason(f, &b));
		}
	}
	fprintf(out, "\nServices (%zu)\n", m->nservices);
	for (size_t i = 0; i < m->nservices; i++) {
		const tm_service *s = m->services[i];
		fprintf(out, "  %s/%s  %s  selector=", s->ns, s->name, s->type);
		labels_txt(&s->selector, out);
		fputs("  ports=", out);
		for (size_t k = 0; k < s->nports; k++) {
			const tm_svcport *p = &s->ports[k];
			fprintf(out, "%s%s/%u->", k ? "," : "", tm_proto_name(p->proto), p->port);
			if (p->target_name)
				fputs(p->target_name, out);
			else
				fprintf(out, "%u", p->target_port);
			if (p->node_port)
				fprintf(out, "(nodePort %u)", p->node_port);
		}
		if (!s->nports)
			fputs("-", out);
		fputc('\n', out);
	}
	fprintf(out, "\nNetworkPolicies (%zu)\n", m->nnetpols);
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *p = m->netpols[i];
		tm_buf_reset(&b);
		tm_selector_format(&p->pod_sel, &b);
		fprintf(out, "  %s/%s  podSelector=%s  types=%s%s%s  ingress-rules=%zu egress-rules=%zu  %s:%u\n",
			p->ns, p->name, tm_buf_str(&b), p->ingress ? "Ingress" : "",
			p->ingress && p->egress ? "," : "", p->egress ? "Egress" : "", p->nin, p->neg,
			p->loc.file, p->loc.line);
	}
	fprintf(out, "\nAdmin and baseline policies (%zu)\n", tm_model_npolicies_admin(m));
	for (size_t i = 0; i < tm_model_npolicies_admin(m); i++) {
		const tm_anp *a = tm_model_policy_admin(m, i);
		fprintf(out, "  %s %s  tier=%s", a->kind ? a->kind : a->baseline ? "BaselineAdminNetworkPolicy"
			: "AdminNetworkPolicy", a->name, a->baseline ? "baseline" : "admin");
		if (a->kind || !a->baseline)
			fprintf(out, " priority=%d", a->priority);
		fprintf(out, "  ingress-rules=%zu egress-rules=%zu\n", a->nin, a->neg);
	}
	fprintf(out, "\nExposure (%zu)\n", m->nexposures);
	for (size_t i = 0; i < m->nexposures; i++) {
		const tm_exposure *x = m->exposures[i];
		fprintf(out, "  %s %s/%s -> service %s", x->kind, x->ns, x->name, x->service);
		if (x->port)
			fprintf(out, ":%u", x->port);
		else if (x->port_name)
			fprintf(out, ":%s", x->port_name);
		if (x->host)
			fprintf(out, "  host=%s", x->host);
		fputc('\n', out);
	}
	size_t nign = 0;
	for (size_t i = 0; i < m->nignored; i++)
		nign += m->ignored[i].count;
	fprintf(out, "\nIgnored (%zu)\n", nign);
	for (size_t i = 0; i < m->nignored; i++)
		fprintf(out, "  %s  %zu  (first at %s:%u)\n", m->ignored[i].kind, m->ignored[i].count,
			m->ignored[i].first.file ? m->ignored[i].first.file : "-", m->ignored[i].first.line);
#define PLURAL(n) ((n) == 1 ? "" : "s")
	fprintf(out, "\nRead: %zu file%s, %zu document%s, %zu object%s", m->files_read, PLURAL(m->files_read),
		m->docs_read, PLURAL(m->docs_read), m->objects_read, PLURAL(m->objects_read));
	if (m->invalid_skipped)
		fprintf(out, ", %zu invalid object%s skipped", m->invalid_skipped, PLURAL(m->invalid_skipped));
	if (m->files_skipped)
		fprintf(out, ", %zu file%s skipped from a syntax error on", m->files_skipped, PLURAL(m->files_skipped));
	size_t nfold = 0, ndrop = 0;
	for (size_t i = 0; i < m->nfolded; i++)
		*(m->folded[i].into ? &nfold : &ndrop) += 1;
	if (nfold)
		fprintf(out, ", %zu folded into their owners", nfold);
	if (ndrop)
		fprintf(out, ", %zu old revision%s dropped", ndrop, PLURAL(ndrop));
#undef PLURAL
	fputc('\n', out);
	tm_buf_release(&b);
	if (in->census)
		return tm_render_inventory_mesh_txt(in->census, out);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

static const char *why_text(const tm_why *w)
{
	switch (w->kind) {
	case TM_WHY_RULE: return "rule";
	case TM_WHY_NP_DEFAULT_DENY: return "default deny";
	case TM_WHY_NOT_SELECTED: return "default allow";
	case TM_WHY_BANP_DEFAULT: return "default allow";
	case TM_WHY_EXTERNAL: return "no policy";
	case TM_WHY_NAMED_UNRESOLVED: return "unresolved named port";
	case TM_WHY_ISOLATED: return "isolated";
	case TM_WHY_NEAR_PORT: return "near miss: port";
	case TM_WHY_NEAR_PEER: return "near miss: peer";
	}
	return "?";
}

/* Beneath a default deny: the policies that isolate the endpoint and their
 * rules that almost matched (the decision function's trace, decide.c). */
static bool explain_isolation_txt(const tm_graph *g, const tm_why *w, size_t peer, tm_buf *b, FILE *out)
{
	const char *d = w->dir == TM_DIR_EGRESS ? "egress" : "ingress";
	if (w->kind == TM_WHY_ISOLATED) {
		fprintf(out, "        selected for %s by %s %s  [%s:%u:%u]\n", d, w->policy_kind, w->policy,
			w->loc.file ? w->loc.file : "-", w->loc.line, w->loc.col);
		return true;
	}
	if (w->kind != TM_WHY_NEAR_PORT && w->kind != TM_WHY_NEAR_PEER)
		return false;
	tm_buf_reset(b);
	tm_ports_format(w->rule_ports, b);
	if (w->kind == TM_WHY_NEAR_PORT)
		fprintf(out, "          %s rule %ld matches %s, but allows only %s", d, w->rule, g->eps[peer].name,
			tm_buf_str(b));
	else
		fprintf(out, "          %s rule %ld allows %s, but %s other peers, not %s", d, w->rule, tm_buf_str(b),
			w->dir == TM_DIR_EGRESS ? "to" : "from", g->eps[peer].name);
	fprintf(out, "  [%s:%u:%u]\n", w->loc.file ? w->loc.file : "-", w->loc.line, w->loc.col);
	return true;
}

tm_err tm_render_explain_txt(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	size_t src = in->src, dst = in->dst;
	const tm_explain *ex = in->explain;
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_ports_format(ex->allowed, &b);
	fprintf(out, "%s => %s : %s\n", g->eps[src].name, g->eps[dst].name, tm_buf_str(&b));
	if (src == dst)
		fprintf(out, "NOTE  %s\n", TM_EXPLAIN_SELF_NOTE);
	for (int d = 0; d < 2; d++) {
		tm_dir dir = d == 0 ? TM_DIR_EGRESS : TM_DIR_INGRESS;
		tm_buf_reset(&b);
		tm_ports_format(d == 0 ? ex->egress : ex->ingress, &b);
		fprintf(out, "\n%s of %s: %s\n", d == 0 ? "Egress" : "Ingress",
			g->eps[d == 0 ? src : dst].name, tm_buf_str(&b));
		for (size_t i = 0; i < ex->n; i++) {
			const tm_why *w = &ex->v[i];
			if (w->dir != dir)
				continue;
			if (explain_isolation_txt(g, w, d == 0 ? dst : src, &b, out))
				continue;
			if (w->kind == TM_WHY_NAMED_UNRESOLVED) {
				fprintf(out, "  NOTE  %s %s %s rule %ld names port \"%s\", which no container of %s has: "
					"that entry allows nothing  [%s:%u:%u]\n", w->policy_kind, w->policy,
					dir == TM_DIR_EGRESS ? "egress" : "ingress", w->rule, w->port_name,
					g->eps[dst].name, w->loc.file, w->loc.line, w->loc.col);
				continue;
			}
			tm_buf_reset(&b);
			tm_ports_format(w->ports, &b);
			const char *verdict = w->kind == TM_WHY_NP_DEFAULT_DENY ? "DENY"
				: w->kind == TM_WHY_RULE ? (w->action == TM_ACT_ALLOW ? "ALLOW"
							    : w->action == TM_ACT_DENY ? "DENY" : "PASS")
				: "ALLOW";
			fprintf(out, "  %-5s %s", verdict, tm_buf_str(&b));
			switch (w->kind) {
			case TM_WHY_RULE:
				fprintf(out, "  by %s %s %s rule %ld", w->policy_kind, w->policy,
					dir == TM_DIR_EGRESS ? "egress" : "ingress", w->rule);
				if (w->rule_name)
					fprintf(out, " (%s)", w->rule_name);
				if (w->loc.file)
					fprintf(out, "  [%s:%u:%u]", w->loc.file, w->loc.line, w->loc.col);
				break;
			case TM_WHY_NP_DEFAULT_DENY:
				fputs("  selected by NetworkPolicies, and no rule allows it (default deny)", out);
				break;
			case TM_WHY_NOT_SELECTED:
				fprintf(out, "  no NetworkPolicy selects it for %s (%s)",
					dir == TM_DIR_EGRESS ? "egress" : "ingress", why_text(w));
				break;
			case TM_WHY_BANP_DEFAULT:
				fputs("  no baseline-tier rule (BaselineAdminNetworkPolicy, Baseline ClusterNetworkPolicy) decided it (default allow)", out);
				break;
			case TM_WHY_EXTERNAL:
				fputs("  an IP range outside the cluster: no policy of its own", out);
				break;
			case TM_WHY_NAMED_UNRESOLVED:
			case TM_WHY_ISOLATED:
			case TM_WHY_NEAR_PORT:
			case TM_WHY_NEAR_PEER:
				break;
			}
			fputc('\n', out);
		}
	}
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
