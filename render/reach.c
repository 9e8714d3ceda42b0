/* reach.c - `trustmap reach`: the endpoints a compromised one can reach (or,
 * reversed, the sources that can reach a target), by hops, with the kind and
 * evidence of each hop and the blast radius per hop; text for people and
 * JSON (keys in a fixed order, docs/json.md). */
#include "render/render.h"
#include "render/jsonw.h"

#include <stdlib.h>
#include <time.h>

static bool outside(const tm_reach *r, uint32_t v)
{
	return v < r->g->neps && r->g->eps[v].kind != TM_EP_WORKLOAD;
}

static bool host_network(const tm_reach *r, uint32_t v)
{
	return r->es && v < r->g->neps && r->es->host_network[v];
}

/* microseconds since the epoch as 2024-05-01T10:00:00Z */
static void format_time(int64_t us, tm_buf *b)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tmv;
	char s[32];
	if (us <= 0 || !gmtime_r(&t, &tmv) || !strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tmv)) {
		(void)tm_buf_adds(b, "?");
		return;
	}
	(void)tm_buf_adds(b, s);
}

static void format_rules(const tm_reach *r, const tm_hop *h, tm_dir dir, tm_buf *b)
{
	bool any = false;
	for (size_t i = 0; i < h->nrules; i++) {
		if (h->rules[i].dir != dir)
			continue;
		(void)tm_buf_adds(b, any ? ", " : "");
		tm_allow_ref_format(&h->rules[i], b);
		(void)tm_buf_addf(b, " (%s:%u:%u)", h->rules[i].loc.file ? h->rules[i].loc.file : "?", h->rules[i].loc.line,
				  h->rules[i].loc.col);
		any = true;
	}
	if (!any)
		(void)tm_buf_adds(b, outside(r, dir == TM_DIR_EGRESS ? h->from : h->to) ? "outside the cluster (no policies)"
										 : "default allow (no policy isolates it)");
}

static void format_obs(const tm_obs_edge *o, tm_buf *b)
{
	(void)tm_buf_addf(b, "%s %s, %llu connection%s, first ", o->origin ? o->origin : "pcap",
			  o->source ? o->source : "?", (unsigned long long)o->count, o->count == 1 ? "" : "s");
	format_time(o->first_us, b);
	(void)tm_buf_adds(b, ", last ");
	format_time(o->last_us, b);
}

/* one hop's evidence, for people */
static void txt_hop(const tm_reach *r, const tm_hop *h, bool name_ends, tm_buf *b, FILE *out)
{
	tm_buf_reset(b);
	if (name_ends)
		(void)tm_buf_addf(b, "%s -> %s: ", tm_reach_vertex_name(r, h->from), tm_reach_vertex_name(r, h->to));
	switch (h->kind) {
	case TM_HOP_NETWORK:
		(void)tm_buf_adds(b, "network: egress ");
		format_rules(r, h, TM_DIR_EGRESS, b);
		(void)tm_buf_adds(b, "; ingress ");
		format_rules(r, h, TM_DIR_INGRESS, b);
		break;
	case TM_HOP_OBSERVED:
		(void)tm_buf_adds(b, "observed: ");
		tm_ports_format(h->ports, b);
		(void)tm_buf_adds(b, ", which the policies as read do not allow");
		break;
	case TM_HOP_ESCAPE:
		(void)tm_buf_addf(b, "escape to the node (%s: %s): ", h->place == TM_PLACE_KNOWN ? "known" : "possible",
				  h->why ? h->why : "?");
		for (size_t i = 0; i < h->nhow; i++)
			(void)tm_buf_addf(b, "%s%s (%s:%u:%u)", i ? "; " : "", h->how[i].setting,
					  h->how[i].loc.file ? h->how[i].loc.file : "?", h->how[i].loc.line, h->how[i].loc.col);
		break;
	case TM_HOP_NODE:
		(void)tm_buf_addf(b, "node: %s on it (%s)", h->place == TM_PLACE_KNOWN ? "runs" : "may run",
				  h->why ? h->why : "?");
		break;
	}
	fprintf(out, "      %s\n", tm_buf_str(b));
	if (h->obs) {
		tm_buf_reset(b);
		format_obs(h->obs, b);
		fprintf(out, "      observed: %s\n", tm_buf_str(b));
	}
}

tm_err tm_render_reach_txt(const tm_render_in *in, FILE *out)
{
	const tm_reach *r = in->reach;
	const tm_graph *g = r->g ? r->g : in->g;
	tm_buf b, e;
	uint32_t *path = malloc((r->max_hops + 2) * sizeof *path);
	if (!path)
		return TM_ERR_NOMEM;
	tm_buf_init(&b, 0);
	tm_buf_init(&e, 0);
	size_t nodes = 0;
	for (size_t i = 0; i < r->n; i++)
		nodes += r->v[i].ep >= g->neps;
	size_t neps = r->n - nodes;
	fprintf(out, "%s %s, within %u hop%s: %zu %s%s", r->reverse ? "To" : "From", g->eps[r->src].name, r->max_hops,
		r->max_hops == 1 ? "" : "s", neps, r->reverse ? "source" : "endpoint", neps == 1 ? "" : "s");
	if (nodes)
		fprintf(out, " and %zu node%s", nodes, nodes == 1 ? "" : "s");
	fputc('\n', out);
	uint32_t level = 0;
	for (size_t i = 0; i < r->n; i++) {
		const tm_reached *x = &r->v[i];
		if (x->hops != level) {
			level = x->hops;
			fprintf(out, "\nhop %u\n", level);
		}
		tm_buf_reset(&b);
		if (x->ports)
			tm_ports_format(x->ports, &b);
		else
			(void)tm_buf_adds(&b, r->hop[x->ep].kind == TM_HOP_ESCAPE ? "escape" : "node");
		fprintf(out, "  %s : %s", x->name, tm_buf_str(&b));
		size_t len = tm_reach_path(r, x, path, r->max_hops + 2);
		if (x->hops > 1) {
			fputs("  via ", out);
			for (size_t k = 1; k + 1 < len; k++)
				fprintf(out, "%s%s", k > 1 ? " -> " : "", tm_reach_vertex_name(r, path[k]));
		}
		if (x->exposed)
			fputs("  [internet-exposed]", out);
		if (x->avoided)
			fputs("  [avoided: reached, not passed through]", out);
		fputc('\n', out);
		if (host_network(r, x->ep))
			fputs("      hostNetwork: its connections are the node's (most CNIs apply no NetworkPolicy to it)\n", out);
		/* the hop that ends (reverse: starts) here; every hop when the
		 * intermediate endpoints are not listed (--to) */
		for (size_t k = 0; k + 1 < len; k++) {
			bool own = r->reverse ? k == 0 : k + 2 == len;
			if (own || r->filtered)
				txt_hop(r, tm_reach_hop_of(r, path[k], path[k + 1]), !own || r->filtered, &e, out);
		}
	}
	if (r->nlevels) {
		fputs("\nBlast radius\n", out);
		for (size_t i = 0; i < r->nlevels; i++) {
			const tm_reach_level *l = &r->levels[i];
			fprintf(out, "  hop %u: %zu %s%s", l->hops, l->endpoints, r->reverse ? "source" : "endpoint",
				l->endpoints == 1 ? "" : "s");
			if (r->reverse)
				fprintf(out, " (%zu internet-exposed)", l->exposed);
			if (l->nodes)
				fprintf(out, ", %zu node%s", l->nodes, l->nodes == 1 ? "" : "s");
			if (l->nzones) {
				fputs("; zones ", out);
				for (size_t z = 0; z < l->nzones; z++)
					fprintf(out, "%s%s", z ? ", " : "", l->zones[z]);
			}
			fputc('\n', out);
		}
	}
	free(path);
	tm_buf_release(&b);
	tm_buf_release(&e);
	return ferror(out) ? TM_ERR_IO : TM_OK;
}

static void json_loc(tm_jsonw *w, tm_srcloc loc)
{
	TM_JSONW_LIT(w, ", \"file\": ");
	tm_jsonw_str(w, loc.file);
	TM_JSONW_LIT(w, ", \"line\": ");
	tm_jsonw_u64(w, loc.line);
	TM_JSONW_LIT(w, ", \"column\": ");
	tm_jsonw_u64(w, loc.col);
}

static void json_hop(const tm_reach *r, const tm_hop *h, tm_buf *b, tm_jsonw *w)
{
	TM_JSONW_LIT(w, "{\"from\": ");
	tm_jsonw_str(w, tm_reach_vertex_name(r, h->from));
	TM_JSONW_LIT(w, ", \"to\": ");
	tm_jsonw_str(w, tm_reach_vertex_name(r, h->to));
	TM_JSONW_LIT(w, ", \"kind\": ");
	tm_jsonw_str(w, tm_hop_kind_name(h->kind));
	TM_JSONW_LIT(w, ", \"conn\": ");
	if (h->ports) {
		tm_buf_reset(b);
		tm_ports_format(h->ports, b);
		tm_jsonw_str_n(w, tm_buf_str(b), b->len);
	} else
		TM_JSONW_LIT(w, "null");
	if (h->kind == TM_HOP_NETWORK) {
		TM_JSONW_LIT(w, ", \"rules\": [");
		for (size_t i = 0; i < h->nrules; i++) {
			const tm_allow_ref *a = &h->rules[i];
			tm_jsonw_raws(w, i ? ", {\"direction\": " : "{\"direction\": ");
			tm_jsonw_str(w, a->dir == TM_DIR_EGRESS ? "egress" : "ingress");
			TM_JSONW_LIT(w, ", \"policy_kind\": ");
			tm_jsonw_str(w, a->policy_kind);
			TM_JSONW_LIT(w, ", \"policy\": ");
			tm_jsonw_str(w, a->policy);
			TM_JSONW_LIT(w, ", \"rule\": ");
			tm_jsonw_i64(w, a->rule);
			TM_JSONW_LIT(w, ", \"rule_name\": ");
			tm_jsonw_str(w, a->rule_name);
			json_loc(w, a->loc);
			TM_JSONW_LIT(w, "}");
		}
		TM_JSONW_LIT(w, "], \"egress_default\": ");
		tm_jsonw_bool(w, h->egress_default);
		TM_JSONW_LIT(w, ", \"ingress_default\": ");
		tm_jsonw_bool(w, h->ingress_default);
	}
	if (h->kind == TM_HOP_ESCAPE || h->kind == TM_HOP_NODE) {
		TM_JSONW_LIT(w, ", \"co_location\": ");
		tm_jsonw_str(w, h->place == TM_PLACE_KNOWN ? "known" : "possible");
		TM_JSONW_LIT(w, ", \"why\": ");
		tm_jsonw_str(w, h->why);
	}
	if (h->kind == TM_HOP_ESCAPE) {
		TM_JSONW_LIT(w, ", \"settings\": [");
		for (size_t i = 0; i < h->nhow; i++) {
			tm_jsonw_raws(w, i ? ", {\"kind\": " : "{\"kind\": ");
			tm_jsonw_str(w, tm_escape_kind_name(h->how[i].kind));
			TM_JSONW_LIT(w, ", \"setting\": ");
			tm_jsonw_str(w, h->how[i].setting);
			json_loc(w, h->how[i].loc);
			TM_JSONW_LIT(w, "}");
		}
		TM_JSONW_LIT(w, "]");
	}
	TM_JSONW_LIT(w, ", \"observed\": ");
	if (h->obs) {
		TM_JSONW_LIT(w, "{\"origin\": ");
		tm_jsonw_str(w, h->obs->origin);
		TM_JSONW_LIT(w, ", \"source\": ");
		tm_jsonw_str(w, h->obs->source);
		TM_JSONW_LIT(w, ", \"connections\": ");
		tm_jsonw_u64(w, h->obs->count);
		TM_JSONW_LIT(w, ", \"first_seen\": ");
		tm_buf_reset(b);
		format_time(h->obs->first_us, b);
		tm_jsonw_str(w, tm_buf_str(b));
		TM_JSONW_LIT(w, ", \"last_seen\": ");
		tm_buf_reset(b);
		format_time(h->obs->last_us, b);
		tm_jsonw_str(w, tm_buf_str(b));
		TM_JSONW_LIT(w, "}");
	} else
		TM_JSONW_LIT(w, "null");
	TM_JSONW_LIT(w, "}");
}

tm_err tm_render_reach_json(const tm_render_in *in, FILE *out)
{
	const tm_reach *r = in->reach;
	const tm_graph *g = r->g ? r->g : in->g;
	tm_jsonw *w = tm_jsonw_new(out);
	if (!w)
		return TM_ERR_NOMEM;
	tm_buf b;
	uint32_t *path = malloc((r->max_hops + 2) * sizeof *path);
	tm_buf_init(&b, 0);
	TM_JSONW_LIT(w, "{\n  \"src\": ");
	tm_jsonw_str(w, g->eps[r->src].name);
	TM_JSONW_LIT(w, ",\n  \"reverse\": ");
	tm_jsonw_bool(w, r->reverse);
	TM_JSONW_LIT(w, ",\n  \"max_hops\": ");
	tm_jsonw_u64(w, r->max_hops);
	TM_JSONW_LIT(w, ",\n  \"reached\": [");
	for (size_t i = 0; i < r->n; i++) {
		const tm_reached *x = &r->v[i];
		if (i)
			TM_JSONW_LIT(w, ",\n    {\"endpoint\": ");
		else
			TM_JSONW_LIT(w, "\n    {\"endpoint\": ");
		tm_jsonw_str(w, x->name);
		TM_JSONW_LIT(w, ", \"hops\": ");
		tm_jsonw_u64(w, x->hops);
		TM_JSONW_LIT(w, ", \"conn\": ");
		if (x->ports) {
			tm_buf_reset(&b);
			tm_ports_format(x->ports, &b);
			tm_jsonw_str_n(w, tm_buf_str(&b), b.len);
		} else
			TM_JSONW_LIT(w, "null");
		TM_JSONW_LIT(w, ", \"node\": ");
		tm_jsonw_bool(w, x->ep >= g->neps);
		TM_JSONW_LIT(w, ", \"host_network\": ");
		tm_jsonw_bool(w, host_network(r, x->ep));
		TM_JSONW_LIT(w, ", \"exposed\": ");
		tm_jsonw_bool(w, x->exposed);
		TM_JSONW_LIT(w, ", \"avoided\": ");
		tm_jsonw_bool(w, x->avoided);
		TM_JSONW_LIT(w, ", \"path\": [");
		size_t len = tm_reach_path(r, x, path, r->max_hops + 2);
		for (size_t k = 0; k < len; k++) {
			if (k)
				TM_JSONW_LIT(w, ", ");
			bool end = r->reverse ? k == 0 : k + 1 == len;
			tm_jsonw_str(w, end ? x->name : tm_reach_vertex_name(r, path[k]));
		}
		TM_JSONW_LIT(w, "],\n     \"via\": [");
		for (size_t k = 0; k + 1 < len; k++) {
			tm_jsonw_raws(w, k ? ",\n       " : "\n       ");
			json_hop(r, tm_reach_hop_of(r, path[k], path[k + 1]), &b, w);
		}
		TM_JSONW_LIT(w, "]}");
	}
	tm_jsonw_raws(w, r->n ? "\n  ],\n  \"summary\": [" : "],\n  \"summary\": [");
	for (size_t i = 0; i < r->nlevels; i++) {
		const tm_reach_level *l = &r->levels[i];
		tm_jsonw_raws(w, i ? ",\n    {\"hops\": " : "\n    {\"hops\": ");
		tm_jsonw_u64(w, l->hops);
		TM_JSONW_LIT(w, ", \"endpoints\": ");
		tm_jsonw_u64(w, l->endpoints);
		TM_JSONW_LIT(w, ", \"nodes\": ");
		tm_jsonw_u64(w, l->nodes);
		TM_JSONW_LIT(w, ", \"exposed\": ");
		tm_jsonw_u64(w, l->exposed);
		TM_JSONW_LIT(w, ", \"zones\": [");
		for (size_t z = 0; z < l->nzones; z++) {
			if (z)
				TM_JSONW_LIT(w, ", ");
			tm_jsonw_str(w, l->zones[z]);
		}
		TM_JSONW_LIT(w, "]}");
	}
	tm_jsonw_raws(w, r->nlevels ? "\n  ]\n}\n" : "]\n}\n");
	free(path);
	tm_buf_release(&b);
	return tm_jsonw_close(w);
}
