/* cmd_reach.c - `trustmap reach SRC`: lateral movement from a compromised
 * workload, pod or address. */
#include "cli/cli.h"
#include "analyzer/reach.h"
#include "render/render.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: trustmap reach [options] SRC PATH...\n\n"
	"If SRC is compromised, what can it reach? Breadth-first over the allowed connections\n"
	"that `trustmap conn` computes: every endpoint reachable within --hops hops, with the\n"
	"first shortest path (in name order) and the connections allowed on its last hop. IP\n"
	"ranges outside the cluster are end points of paths, not stepping stones.\n"
	"SRC is ns/name, ns/name[Kind], a workload or pod name, a pod IP, or another IP address\n"
	"(the range holding it; IPv6 too when the policies name IPv6 blocks).\n\n"
	"  --hops N                 how far to look (default 3)\n"
	"  -f, --format txt|json    output format (default txt)\n"
	"  --granularity workload|pod, --ipblock-matches-pods   as for `trustmap conn`\n"
	"  (and the options of every command: trustmap --help)\n";

enum { OPT_HOPS = 1, OPT_GRAN, OPT_IPBLOCK_PODS };

static const cli_opt opts[] = {
	{"hops", 0, true, OPT_HOPS},
	{"granularity", 0, true, OPT_GRAN},
	{"ipblock-matches-pods", 0, false, OPT_IPBLOCK_PODS},
	{NULL, 0, false, 0},
};

static void render_txt(const tm_graph *g, const tm_reach *r, FILE *out)
{
	tm_buf b;
	uint32_t *path = malloc((r->max_hops + 2) * sizeof *path);
	tm_buf_init(&b, 0);
	fprintf(out, "From %s, within %u hop%s: %zu endpoint%s\n", g->eps[r->src].name, r->max_hops,
		r->max_hops == 1 ? "" : "s", r->n, r->n == 1 ? "" : "s");
	uint32_t level = 0;
	for (size_t i = 0; i < r->n; i++) {
		const tm_reached *x = &r->v[i];
		if (x->hops != level) {
			level = x->hops;
			fprintf(out, "\nhop %u\n", level);
		}
		tm_buf_reset(&b);
		tm_ports_format(x->ports, &b);
		fprintf(out, "  %s : %s", g->eps[x->ep].name, tm_buf_str(&b));
		if (x->hops > 1) {
			size_t len = tm_reach_path(r, x, path, r->max_hops + 2);
			fputs("  via ", out);
			for (size_t k = 1; k + 1 < len; k++)
				fprintf(out, "%s%s", k > 1 ? " -> " : "", g->eps[path[k]].name);
		}
		fputc('\n', out);
	}
	free(path);
	tm_buf_release(&b);
}

static void render_json(const tm_graph *g, const tm_reach *r, FILE *out)
{
	tm_buf b;
	uint32_t *path = malloc((r->max_hops + 2) * sizeof *path);
	tm_buf_init(&b, 0);
	fputs("{\n  \"src\": ", out);
	tm_json_str(out, g->eps[r->src].name);
	fprintf(out, ",\n  \"max_hops\": %u,\n  \"reached\": [", r->max_hops);
	for (size_t i = 0; i < r->n; i++) {
		const tm_reached *x = &r->v[i];
		tm_buf_reset(&b);
		tm_ports_format(x->ports, &b);
		fputs(i ? ",\n    {\"endpoint\": " : "\n    {\"endpoint\": ", out);
		tm_json_str(out, g->eps[x->ep].name);
		fprintf(out, ", \"hops\": %u, \"conn\": ", x->hops);
		tm_json_str(out, tm_buf_str(&b));
		fputs(", \"path\": [", out);
		size_t len = tm_reach_path(r, x, path, r->max_hops + 2);
		for (size_t k = 0; k < len; k++) {
			if (k)
				fputs(", ", out);
			tm_json_str(out, g->eps[path[k]].name);
		}
		fputs("]}", out);
	}
	fputs(r->n ? "\n  ]\n}\n" : "]\n}\n", out);
	free(path);
	tm_buf_release(&b);
}

int cmd_reach(int argc, char **argv)
{
	cli_common c;
	cli_parser p;
	tm_conn_opts co;
	int id, r;
	const char *arg;
	size_t hops = 3;
	bool pods = false;
	cli_common_init(&c);
	tm_conn_opts_default(&co);
	cli_parser_init(&p, argc, argv);
	while ((r = cli_next(&p, opts, &c, &id, &arg)) == 0) {
		switch (id) {
		case -12:
			fputs(help, stdout);
			free(c.paths);
			return EXIT_OK;
		case OPT_HOPS:
			if (!cli_parse_size(arg, &hops) || hops < 1 || hops > 1000) {
				free(c.paths);
				return cli_usage_error("reach", "--hops wants a number from 1 to 1000, not '%s'", arg);
			}
			break;
		case OPT_GRAN:
			if (strcmp(arg, "pod") && strcmp(arg, "workload")) {
				free(c.paths);
				return cli_usage_error("reach", "--granularity is workload or pod, not '%s'", arg);
			}
			pods = !strcmp(arg, "pod");
			break;
		case OPT_IPBLOCK_PODS: co.ipblock_matches_pods = true; break;
		}
	}
	if (r < 0) {
		free(c.paths);
		return EXIT_USAGE;
	}
	if (c.npaths < 2) {
		free(c.paths);
		return cli_usage_error("reach", "needs SRC and at least one PATH");
	}
	const char *fmt = c.format ? c.format : "txt";
	if (strcmp(fmt, "txt") && strcmp(fmt, "json")) {
		free(c.paths);
		return cli_usage_error("reach", "unknown format '%s' (txt|json)", fmt);
	}
	const char *src = c.paths[0];
	c.paths++;
	c.npaths--;
	tm_model *m;
	tm_graph *g;
	int rc = cli_conn_graph(&c, &co, pods, true, &m, &g);
	if (rc == EXIT_OK) {
		long s = cli_find_endpoint(g, "reach", src, true);
		if (s < 0) {
			rc = EXIT_USAGE;
		} else {
			tm_reach rr;
			tm_reach_compute(g, (uint32_t)s, (uint32_t)hops, &rr);
			FILE *f = cli_open_output(&c);
			if (!f)
				rc = EXIT_USAGE;
			else {
				if (!strcmp(fmt, "json"))
					render_json(g, &rr, f);
				else
					render_txt(g, &rr, f);
				if (!cli_close_output(&c, f, rc == EXIT_OK))
					rc = EXIT_USAGE;
			}
			tm_reach_release(&rr);
		}
	}
	tm_graph_free(g);
	tm_model_free(m);
	free(c.paths - 1);
	return rc;
}
