/* json.c - JSON outputs (contracts documented in docs/json.md). Written
 * streaming, keys in a fixed order, so that large graphs need no DOM. */
#include "render/render.h"

#include <string.h>

void tm_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

tm_err tm_render_conn_json(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	tm_buf b;
	tm_buf_init(&b, 0);
	fputs("[", out);
	for (size_t i = 0; i < g->nedges; i++) {
		const tm_edge *e = &g->edges[i];
		tm_buf_reset(&b);
		tm_ports_format(e->ports, &b);
		fputs(i ? ",\n  {\n    \"src\": " : "\n  {\n    \"src\": ", out);
		tm_json_str(out, g->eps[e->src].name);
		fputs(",\n    \"dst\": ", out);
		tm_json_str(out, g->eps[e->dst].name);
		if (!g->conn_focused) {
			fputs(",\n    \"conn\": ", out);
			tm_json_str(out, tm_buf_str(&b));
		}
		fputs("\n  }", out);
	}
	fputs(g->nedges ? "\n]\n" : "]\n", out);
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

static void labels_json(const tm_labels *l, FILE *out)
{
	fputc('{', out);
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			fputs(", ", out);
		tm_json_str(out, l->v[i].key);
		fputs(": ", out);
		tm_json_str(out, l->v[i].val);
	}
	fputc('}', out);
}

static void loc_json(const tm_srcloc *l, FILE *out)
{
	fputs("{\"file\": ", out);
	tm_json_str(out, l->file ? l->file : "");
	fprintf(out, ", \"line\": %u, \"column\": %u}", l->line, l->col);
}

tm_err tm_render_inventory_json(const tm_render_in *in, FILE *out)
{
	const tm_model *m = in->m;
	fputs("{\n  \"namespaces\": [", out);
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const tm_namespace *ns = m->namespaces[i];
		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
		tm_json_str(out, ns->name);
		fprintf(out, ", \"declared\": %s, \"labels\": ", ns->declared ? "true" : "false");
		labels_json(&ns->labels, out);
		fputc('}', out);
	}
	fputs(m->nnamespaces ? "\n  ],\n  \"workloads\": [" : "],\n  \"workloads\": [", out);
	for (size_t i = 0; i < m->nworkloads; i++) {
		const tm_workload *w = m->workloads[i];
		fputs(i ? ",\n    {\"id\": " : "\n    {\"id\": ", out);
		tm_json_str(out, w->display);
		fputs(", \"kind\": ", out);
		tm_json_str(out, w->kind);
		fputs(", \"namespace\": ", out);
		tm_json_str(out, w->ns);
		fputs(", \"name\": ", out);
		tm_json_str(out, w->name);
		fprintf(out, ", \"pods\": %u, \"host_network\": %s, \"service_account\": ",
			w->from_pods ? w->npods : w->replicas, w->host_network ? "true" : "false");
		if (w->service_account)
			tm_json_str(out, w->service_account);
		else
			fputs("null", out);
		fputs(", \"labels\": ", out);
		labels_json(&w->labels, out);
		fputs(", \"ports\": [", out);
		for (size_t k = 0; k < w->nports; k++) {
			fprintf(out, "%s{\"name\": ", k ? ", " : "");
			if (w->ports[k].name)
				tm_json_str(out, w->ports[k].name);
			else
				fputs("null", out);
			fprintf(out, ", \"protocol\": \"%s\", \"port\": %u}", tm_proto_name(w->ports[k].proto),
				w->ports[k].port);
		}
		fputs("], \"location\": ", out);
		loc_json(&w->loc, out);
		fputc('}', out);
	}
	fputs(m->nworkloads ? "\n  ],\n  \"services\": [" : "],\n  \"services\": [", out);
	for (size_t i = 0; i < m->nservices; i++) {
		const tm_service *s = m->services[i];
		fputs(i ? ",\n    {\"namespace\": " : "\n    {\"namespace\": ", out);
		tm_json_str(out, s->ns);
		fputs(", \"name\": ", out);
		tm_json_str(out, s->name);
		fputs(", \"type\": ", out);
		tm_json_str(out, s->type);
		fputs(", \"selector\": ", out);
		if (s->has_selector)
			labels_json(&s->selector, out);
		else
			fputs("null", out);
		fputs(", \"ports\": [", out);
		for (size_t k = 0; k < s->nports; k++) {
			const tm_svcport *p = &s->ports[k];
			fprintf(out, "%s{\"protocol\": \"%s\", \"port\": %u, \"target_port\": ", k ? ", " : "",
				tm_proto_name(p->proto), p->port);
			if (p->target_name)
				tm_json_str(out, p->target_name);
			else
				fprintf(out, "%u", p->target_port);
			fprintf(out, ", \"node_port\": %u}", p->node_port);
		}
		fputs("]}", out);
	}
	fputs(m->nservices ? "\n  ],\n  \"network_policies\": [" : "],\n  \"network_policies\": [", out);
	tm_buf b;
	tm_buf_init(&b, 0);
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *p = m->netpols[i];
		fputs(i ? ",\n    {\"namespace\": " : "\n    {\"namespace\": ", out);
		tm_json_str(out, p->ns);
		fputs(", \"name\": ", out);
		tm_json_str(out, p->name);
		tm_buf_reset(&b);
		tm_selector_format(&p->pod_sel, &b);
		fputs(", \"pod_selector\": ", out);
		tm_json_str(out, tm_buf_str(&b));
		fprintf(out, ", \"ingress\": %s, \"egress\": %s, \"ingress_rules\": %zu, \"egress_rules\": %zu, \"location\": ",
			p->ingress ? "true" : "false", p->egress ? "true" : "false", p->nin, p->neg);
		loc_json(&p->loc, out);
		fputc('}', out);
	}
	tm_buf_release(&b);
	fputs(m->nnetpols ? "\n  ],\n  \"admin_network_policies\": [" : "],\n  \"admin_network_policies\": [", out);
	size_t na = tm_model_npolicies_admin(m);
	for (size_t i = 0; i < na; i++) {
		const tm_anp *a = tm_model_policy_admin(m, i);
		fputs(i ? ",\n    {\"kind\": " : "\n    {\"kind\": ", out);
		tm_json_str(out, a->kind ? a->kind : a->baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy");
		fputs(", \"name\": ", out);
		tm_json_str(out, a->name);
		fprintf(out, ", \"baseline\": %s, \"priority\": %d, \"ingress_rules\": %zu, \"egress_rules\": %zu}",
			a->baseline ? "true" : "false", (a->baseline && !a->kind) ? -1 : a->priority, a->nin, a->neg);
	}
	fputs(na ? "\n  ],\n  \"exposure\": [" : "],\n  \"exposure\": [", out);
	for (size_t i = 0; i < m->nexposures; i++) {
		const tm_exposure *x = m->exposures[i];
		fputs(i ? ",\n    {\"kind\": " : "\n    {\"kind\": ", out);
		tm_json_str(out, x->kind);
		fputs(", \"namespace\": ", out);
		tm_json_str(out, x->ns);
		fputs(", \"name\": ", out);
		tm_json_str(out, x->name);
		fputs(", \"service\": ", out);
		tm_json_str(out, x->service);
		fputs(", \"port\": ", out);
		if (x->port_name)
			tm_json_str(out, x->port_name);
		else
			fprintf(out, "%u", x->port);
		fputs(", \"host\": ", out);
		if (x->host)
			tm_json_str(out, x->host);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputs(m->nexposures ? "\n  ],\n  \"ignored\": [" : "],\n  \"ignored\": [", out);
	for (size_t i = 0; i < m->nignored; i++) {
		fputs(i ? ",\n    {\"kind\": " : "\n    {\"kind\": ", out);
		tm_json_str(out, m->ignored[i].kind);
		fprintf(out, ", \"count\": %zu}", m->ignored[i].count);
	}
	fprintf(out, "%s  \"summary\": {\"files\": %zu, \"documents\": %zu, \"objects\": %zu, \"invalid_skipped\": %zu, "
		"\"warnings\": %zu, \"errors\": %zu}\n}\n",
		m->nignored ? "\n  ],\n" : "],\n", m->files_read, m->docs_read, m->objects_read, m->invalid_skipped,
		m->diags.nwarnings, m->diags.nerrors);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

static const char *why_kind_json(tm_why_kind k)
{
	switch (k) {
	case TM_WHY_RULE: return "rule";
	case TM_WHY_NP_DEFAULT_DENY: return "networkpolicy-default-deny";
	case TM_WHY_NOT_SELECTED: return "not-selected-default-allow";
	case TM_WHY_BANP_DEFAULT: return "baseline-default-allow";
	case TM_WHY_EXTERNAL: return "external";
	case TM_WHY_NAMED_UNRESOLVED: return "named-port-unresolved";
	}
	return "?";
}

tm_err tm_render_explain_json(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	size_t src = in->src, dst = in->dst;
	const tm_explain *ex = in->explain;
	tm_buf b;
	tm_buf_init(&b, 0);
	fputs("{\n  \"src\": ", out);
	tm_json_str(out, g->eps[src].name);
	fputs(",\n  \"dst\": ", out);
	tm_json_str(out, g->eps[dst].name);
	fputs(",\n  \"note\": ", out);
	if (src == dst)
		tm_json_str(out, TM_EXPLAIN_SELF_NOTE);
	else
		fputs("null", out);
	const tm_ports *sets[3] = {ex->allowed, ex->egress, ex->ingress};
	const char *names[3] = {"conn", "egress", "ingress"};
	for (int i = 0; i < 3; i++) {
		tm_buf_reset(&b);
		tm_ports_format(sets[i], &b);
		fprintf(out, ",\n  \"%s\": ", names[i]);
		tm_json_str(out, tm_buf_str(&b));
	}
	fputs(",\n  \"decisions\": [", out);
	for (size_t i = 0; i < ex->n; i++) {
		const tm_why *w = &ex->v[i];
		tm_buf_reset(&b);
		if (w->ports)
			tm_ports_format(w->ports, &b);
		else
			tm_buf_adds(&b, "No Connections");
		fprintf(out, "%s\n    {\"direction\": \"%s\", \"kind\": \"%s\", \"conn\": ", i ? "," : "",
			w->dir == TM_DIR_EGRESS ? "egress" : "ingress", why_kind_json(w->kind));
		tm_json_str(out, tm_buf_str(&b));
		const char *verdict = w->kind == TM_WHY_NAMED_UNRESOLVED ? "none"
			: w->kind == TM_WHY_NP_DEFAULT_DENY ? "deny"
			: w->kind == TM_WHY_RULE ? (w->action == TM_ACT_ALLOW ? "allow" : w->action == TM_ACT_DENY ? "deny" : "pass")
			: "allow";
		fprintf(out, ", \"verdict\": \"%s\"", verdict);
		if (w->kind == TM_WHY_NAMED_UNRESOLVED) {
			fputs(", \"port_name\": ", out);
			tm_json_str(out, w->port_name);
		}
		if (w->kind == TM_WHY_RULE || w->kind == TM_WHY_NAMED_UNRESOLVED) {
			fputs(", \"policy_kind\": ", out);
			tm_json_str(out, w->policy_kind);
			fputs(", \"policy\": ", out);
			tm_json_str(out, w->policy);
			fprintf(out, ", \"rule\": %ld, \"rule_name\": ", w->rule);
			if (w->rule_name)
				tm_json_str(out, w->rule_name);
			else
				fputs("null", out);
			fputs(", \"location\": ", out);
			loc_json(&w->loc, out);
		}
		fputc('}', out);
	}
	fputs(ex->n ? "\n  ]\n}\n" : "]\n}\n", out);
	tm_buf_release(&b);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}
