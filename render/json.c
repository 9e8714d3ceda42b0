/* json.c - JSON outputs (contracts documented in docs/json.md). Written
 * streaming, keys in a fixed order, so that large graphs need no DOM. */
#include "render/render.h"
#include "render/jsonw.h"
#include "render/connw.h"

#include <string.h>

tm_err tm_render_conn_json(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	if (in->mesh)
		return tm_render_conn_mtls_json(in, out);
	tm_connfmt f = {TM_CELL_JSON, "[", "\n  {\n    \"src\": ", ",\n  {\n    \"src\": ", ",\n    \"dst\": ",
			g->conn_focused ? NULL : ",\n    \"conn\": ", "\n  }", "\n]\n", "]\n"};
	return tm_connw_write(g, &f, out, in->progress, in->progress_ctx);
}

static void labels_json(tm_jsonw *w, const tm_labels *l)
{
	TM_JSONW_LIT(w, "{");
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			TM_JSONW_LIT(w, ", ");
		tm_jsonw_str(w, l->v[i].key);
		TM_JSONW_LIT(w, ": ");
		tm_jsonw_str(w, l->v[i].val);
	}
	TM_JSONW_LIT(w, "}");
}

static void loc_json(tm_jsonw *w, const tm_srcloc *l)
{
	TM_JSONW_LIT(w, "{\"file\": ");
	tm_jsonw_str(w, l->file ? l->file : "");
	TM_JSONW_LIT(w, ", \"line\": ");
	tm_jsonw_u64(w, l->line);
	TM_JSONW_LIT(w, ", \"column\": ");
	tm_jsonw_u64(w, l->col);
	TM_JSONW_LIT(w, "}");
}

/* the end of a listing and the key of the next: "\n  ],\n  \"key\": [" after
 * items, "],\n  \"key\": [" after none */
static void next_list(tm_jsonw *w, size_t n, const char *key)
{
	if (n)
		TM_JSONW_LIT(w, "\n  ],\n  \"");
	else
		TM_JSONW_LIT(w, "],\n  \"");
	tm_jsonw_raws(w, key);
	TM_JSONW_LIT(w, "\": [");
}

/* ",\n    {\"key\": " before an item, without the comma for the first */
static void item(tm_jsonw *w, size_t i, const char *key)
{
	if (i)
		TM_JSONW_LIT(w, ",\n    {\"");
	else
		TM_JSONW_LIT(w, "\n    {\"");
	tm_jsonw_raws(w, key);
	TM_JSONW_LIT(w, "\": ");
}

tm_err tm_render_inventory_json(const tm_render_in *in, FILE *out)
{
	const tm_model *m = in->m;
	tm_jsonw *w = tm_jsonw_new(out);
	if (!w)
		return TM_ERR_NOMEM;
	TM_JSONW_LIT(w, "{\n  \"namespaces\": [");
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const tm_namespace *ns = m->namespaces[i];
		item(w, i, "name");
		tm_jsonw_str(w, ns->name);
		TM_JSONW_LIT(w, ", \"declared\": ");
		tm_jsonw_bool(w, ns->declared);
		TM_JSONW_LIT(w, ", \"labels\": ");
		labels_json(w, &ns->labels);
		TM_JSONW_LIT(w, "}");
	}
	next_list(w, m->nnamespaces, "workloads");
	for (size_t i = 0; i < m->nworkloads; i++) {
		const tm_workload *wl = m->workloads[i];
		item(w, i, "id");
		tm_jsonw_str(w, wl->display);
		TM_JSONW_LIT(w, ", \"kind\": ");
		tm_jsonw_str(w, wl->kind);
		TM_JSONW_LIT(w, ", \"namespace\": ");
		tm_jsonw_str(w, wl->ns);
		TM_JSONW_LIT(w, ", \"name\": ");
		tm_jsonw_str(w, wl->name);
		TM_JSONW_LIT(w, ", \"pods\": ");
		tm_jsonw_u64(w, wl->from_pods ? wl->npods : wl->replicas);
		TM_JSONW_LIT(w, ", \"host_network\": ");
		tm_jsonw_bool(w, wl->host_network);
		TM_JSONW_LIT(w, ", \"service_account\": ");
		tm_jsonw_str(w, wl->service_account);
		TM_JSONW_LIT(w, ", \"labels\": ");
		labels_json(w, &wl->labels);
		TM_JSONW_LIT(w, ", \"ports\": [");
		for (size_t k = 0; k < wl->nports; k++) {
			if (k)
				TM_JSONW_LIT(w, ", ");
			TM_JSONW_LIT(w, "{\"name\": ");
			tm_jsonw_str(w, wl->ports[k].name);
			TM_JSONW_LIT(w, ", \"protocol\": \"");
			tm_jsonw_raws(w, tm_proto_name(wl->ports[k].proto));
			TM_JSONW_LIT(w, "\", \"port\": ");
			tm_jsonw_u64(w, wl->ports[k].port);
			TM_JSONW_LIT(w, "}");
		}
		TM_JSONW_LIT(w, "], \"location\": ");
		loc_json(w, &wl->loc);
		TM_JSONW_LIT(w, "}");
	}
	next_list(w, m->nworkloads, "folded");
	for (size_t i = 0; i < m->nfolded; i++) {
		const tm_folded *f = &m->folded[i];
		item(w, i, "kind");
		tm_jsonw_str(w, f->kind);
		TM_JSONW_LIT(w, ", \"namespace\": ");
		tm_jsonw_str(w, f->ns);
		TM_JSONW_LIT(w, ", \"name\": ");
		tm_jsonw_str(w, f->name);
		TM_JSONW_LIT(w, ", \"into\": ");
		tm_jsonw_str(w, f->into ? f->into->display : NULL);
		TM_JSONW_LIT(w, ", \"reason\": \"");
		tm_jsonw_raws(w, tm_fold_why_id(f->why));
		TM_JSONW_LIT(w, "\", \"controller\": ");
		if (f->owner_kind) {
			TM_JSONW_LIT(w, "{\"kind\": ");
			tm_jsonw_str(w, f->owner_kind);
			TM_JSONW_LIT(w, ", \"name\": ");
			tm_jsonw_str(w, f->owner_name);
			TM_JSONW_LIT(w, "}");
		} else
			TM_JSONW_LIT(w, "null");
		TM_JSONW_LIT(w, ", \"pods\": ");
		tm_jsonw_u64(w, f->npods);
		TM_JSONW_LIT(w, ", \"in_input\": ");
		tm_jsonw_bool(w, !f->from_pods);
		TM_JSONW_LIT(w, ", \"location\": ");
		loc_json(w, &f->loc);
		TM_JSONW_LIT(w, "}");
	}
	next_list(w, m->nfolded, "services");
	for (size_t i = 0; i < m->nservices; i++) {
		const tm_service *s = m->services[i];
		item(w, i, "namespace");
		tm_jsonw_str(w, s->ns);
		TM_JSONW_LIT(w, ", \"name\": ");
		tm_jsonw_str(w, s->name);
		TM_JSONW_LIT(w, ", \"type\": ");
		tm_jsonw_str(w, s->type);
		TM_JSONW_LIT(w, ", \"selector\": ");
		if (s->has_selector)
			labels_json(w, &s->selector);
		else
			TM_JSONW_LIT(w, "null");
		TM_JSONW_LIT(w, ", \"ports\": [");
		for (size_t k = 0; k < s->nports; k++) {
			const tm_svcport *p = &s->ports[k];
			if (k)
				TM_JSONW_LIT(w, ", ");
			TM_JSONW_LIT(w, "{\"protocol\": \"");
			tm_jsonw_raws(w, tm_proto_name(p->proto));
			TM_JSONW_LIT(w, "\", \"port\": ");
			tm_jsonw_u64(w, p->port);
			TM_JSONW_LIT(w, ", \"target_port\": ");
			if (p->target_name)
				tm_jsonw_str(w, p->target_name);
			else
				tm_jsonw_u64(w, p->target_port);
			TM_JSONW_LIT(w, ", \"node_port\": ");
			tm_jsonw_u64(w, p->node_port);
			TM_JSONW_LIT(w, "}");
		}
		TM_JSONW_LIT(w, "]}");
	}
	next_list(w, m->nservices, "network_policies");
	tm_buf b;
	tm_buf_init(&b, 0);
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *p = m->netpols[i];
		item(w, i, "namespace");
		tm_jsonw_str(w, p->ns);
		TM_JSONW_LIT(w, ", \"name\": ");
		tm_jsonw_str(w, p->name);
		tm_buf_reset(&b);
		tm_selector_format(&p->pod_sel, &b);
		TM_JSONW_LIT(w, ", \"pod_selector\": ");
		tm_jsonw_str_n(w, tm_buf_str(&b), b.len);
		TM_JSONW_LIT(w, ", \"ingress\": ");
		tm_jsonw_bool(w, p->ingress);
		TM_JSONW_LIT(w, ", \"egress\": ");
		tm_jsonw_bool(w, p->egress);
		TM_JSONW_LIT(w, ", \"ingress_rules\": ");
		tm_jsonw_u64(w, p->nin);
		TM_JSONW_LIT(w, ", \"egress_rules\": ");
		tm_jsonw_u64(w, p->neg);
		TM_JSONW_LIT(w, ", \"location\": ");
		loc_json(w, &p->loc);
		TM_JSONW_LIT(w, "}");
	}
	tm_buf_release(&b);
	next_list(w, m->nnetpols, "admin_network_policies");
	size_t na = tm_model_npolicies_admin(m);
	for (size_t i = 0; i < na; i++) {
		const tm_anp *a = tm_model_policy_admin(m, i);
		item(w, i, "kind");
		tm_jsonw_str(w, a->kind ? a->kind : a->baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy");
		TM_JSONW_LIT(w, ", \"name\": ");
		tm_jsonw_str(w, a->name);
		TM_JSONW_LIT(w, ", \"baseline\": ");
		tm_jsonw_bool(w, a->baseline);
		TM_JSONW_LIT(w, ", \"priority\": ");
		tm_jsonw_i64(w, (a->baseline && !a->kind) ? -1 : a->priority);
		TM_JSONW_LIT(w, ", \"ingress_rules\": ");
		tm_jsonw_u64(w, a->nin);
		TM_JSONW_LIT(w, ", \"egress_rules\": ");
		tm_jsonw_u64(w, a->neg);
		TM_JSONW_LIT(w, "}");
	}
	next_list(w, na, "exposure");
	for (size_t i = 0; i < m->nexposures; i++) {
		const tm_exposure *x = m->exposures[i];
		item(w, i, "kind");
		tm_jsonw_str(w, x->kind);
		TM_JSONW_LIT(w, ", \"namespace\": ");
		tm_jsonw_str(w, x->ns);
		TM_JSONW_LIT(w, ", \"name\": ");
		tm_jsonw_str(w, x->name);
		TM_JSONW_LIT(w, ", \"service\": ");
		tm_jsonw_str(w, x->service);
		TM_JSONW_LIT(w, ", \"port\": ");
		if (x->port_name)
			tm_jsonw_str(w, x->port_name);
		else
			tm_jsonw_u64(w, x->port);
		TM_JSONW_LIT(w, ", \"host\": ");
		tm_jsonw_str(w, x->host);
		TM_JSONW_LIT(w, "}");
	}
	next_list(w, m->nexposures, "ignored");
	for (size_t i = 0; i < m->nignored; i++) {
		item(w, i, "kind");
		tm_jsonw_str(w, m->ignored[i].kind);
		TM_JSONW_LIT(w, ", \"count\": ");
		tm_jsonw_u64(w, m->ignored[i].count);
		TM_JSONW_LIT(w, "}");
	}
	if (m->nignored)
		TM_JSONW_LIT(w, "\n  ],\n");
	else
		TM_JSONW_LIT(w, "],\n");
	if (in->census) {
		TM_JSONW_LIT(w, "  \"mesh\": ");
		tm_render_inventory_mesh_json(in->census, w);
		TM_JSONW_LIT(w, ",\n");
	}
	TM_JSONW_LIT(w, "  \"summary\": {\"files\": ");
	tm_jsonw_u64(w, m->files_read);
	TM_JSONW_LIT(w, ", \"documents\": ");
	tm_jsonw_u64(w, m->docs_read);
	TM_JSONW_LIT(w, ", \"objects\": ");
	tm_jsonw_u64(w, m->objects_read);
	TM_JSONW_LIT(w, ", \"invalid_skipped\": ");
	tm_jsonw_u64(w, m->invalid_skipped);
	TM_JSONW_LIT(w, ", \"warnings\": ");
	tm_jsonw_u64(w, m->diags.nwarnings);
	TM_JSONW_LIT(w, ", \"errors\": ");
	tm_jsonw_u64(w, m->diags.nerrors);
	TM_JSONW_LIT(w, "}\n}\n");
	return tm_jsonw_close(w);
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
	case TM_WHY_ISOLATED: return "isolated-by";
	case TM_WHY_NEAR_PORT: return "near-miss-port";
	case TM_WHY_NEAR_PEER: return "near-miss-peer";
	}
	return "?";
}

tm_err tm_render_explain_json(const tm_render_in *in, FILE *out)
{
	const tm_graph *g = in->g;
	size_t src = in->src, dst = in->dst;
	const tm_explain *ex = in->explain;
	tm_jsonw *w = tm_jsonw_new(out);
	if (!w)
		return TM_ERR_NOMEM;
	tm_buf b;
	tm_buf_init(&b, 0);
	TM_JSONW_LIT(w, "{\n  \"src\": ");
	tm_jsonw_str(w, g->eps[src].name);
	TM_JSONW_LIT(w, ",\n  \"dst\": ");
	tm_jsonw_str(w, g->eps[dst].name);
	TM_JSONW_LIT(w, ",\n  \"note\": ");
	tm_jsonw_str(w, src == dst ? TM_EXPLAIN_SELF_NOTE : NULL);
	const tm_ports *sets[3] = {ex->allowed, ex->egress, ex->ingress};
	const char *names[3] = {"conn", "egress", "ingress"};
	for (int i = 0; i < 3; i++) {
		tm_buf_reset(&b);
		tm_ports_format(sets[i], &b);
		TM_JSONW_LIT(w, ",\n  \"");
		tm_jsonw_raws(w, names[i]);
		TM_JSONW_LIT(w, "\": ");
		tm_jsonw_str_n(w, tm_buf_str(&b), b.len);
	}
	TM_JSONW_LIT(w, ",\n  \"decisions\": [");
	for (size_t i = 0; i < ex->n; i++) {
		const tm_why *y = &ex->v[i];
		tm_buf_reset(&b);
		if (y->ports)
			tm_ports_format(y->ports, &b);
		else
			tm_buf_adds(&b, "No Connections");
		if (i)
			TM_JSONW_LIT(w, ",");
		TM_JSONW_LIT(w, "\n    {\"direction\": \"");
		tm_jsonw_raws(w, y->dir == TM_DIR_EGRESS ? "egress" : "ingress");
		TM_JSONW_LIT(w, "\", \"kind\": \"");
		tm_jsonw_raws(w, why_kind_json(y->kind));
		TM_JSONW_LIT(w, "\", \"conn\": ");
		tm_jsonw_str(w, tm_buf_str(&b));
		bool note = y->kind == TM_WHY_NAMED_UNRESOLVED || y->kind == TM_WHY_ISOLATED ||
			    y->kind == TM_WHY_NEAR_PORT || y->kind == TM_WHY_NEAR_PEER;
		const char *verdict = note ? "none"
			: y->kind == TM_WHY_NP_DEFAULT_DENY ? "deny"
			: y->kind == TM_WHY_RULE ? (y->action == TM_ACT_ALLOW ? "allow" : y->action == TM_ACT_DENY ? "deny" : "pass")
			: "allow";
		TM_JSONW_LIT(w, ", \"verdict\": \"");
		tm_jsonw_raws(w, verdict);
		TM_JSONW_LIT(w, "\"");
		if (y->kind == TM_WHY_NAMED_UNRESOLVED) {
			TM_JSONW_LIT(w, ", \"port_name\": ");
			tm_jsonw_str(w, y->port_name);
		}
		if (y->kind == TM_WHY_NEAR_PORT || y->kind == TM_WHY_NEAR_PEER) {
			tm_buf_reset(&b);
			tm_ports_format(y->rule_ports, &b);
			TM_JSONW_LIT(w, ", \"rule_conn\": ");
			tm_jsonw_str_n(w, tm_buf_str(&b), b.len);
		}
		if (y->kind == TM_WHY_ISOLATED) {
			TM_JSONW_LIT(w, ", \"policy_kind\": ");
			tm_jsonw_str(w, y->policy_kind);
			TM_JSONW_LIT(w, ", \"policy\": ");
			tm_jsonw_str(w, y->policy);
			TM_JSONW_LIT(w, ", \"location\": ");
			loc_json(w, &y->loc);
		}
		if (y->kind == TM_WHY_RULE || y->kind == TM_WHY_NAMED_UNRESOLVED || y->kind == TM_WHY_NEAR_PORT ||
		    y->kind == TM_WHY_NEAR_PEER) {
			TM_JSONW_LIT(w, ", \"policy_kind\": ");
			tm_jsonw_str(w, y->policy_kind);
			TM_JSONW_LIT(w, ", \"policy\": ");
			tm_jsonw_str(w, y->policy);
			TM_JSONW_LIT(w, ", \"rule\": ");
			tm_jsonw_i64(w, y->rule);
			TM_JSONW_LIT(w, ", \"rule_name\": ");
			tm_jsonw_str(w, y->rule_name);
			TM_JSONW_LIT(w, ", \"location\": ");
			loc_json(w, &y->loc);
		}
		TM_JSONW_LIT(w, "}");
	}
	if (ex->n)
		TM_JSONW_LIT(w, "\n  ]\n}\n");
	else
		TM_JSONW_LIT(w, "]\n}\n");
	tm_buf_release(&b);
	return tm_jsonw_close(w);
}
