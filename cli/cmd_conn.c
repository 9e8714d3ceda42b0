/* cmd_conn.c - `trustmap conn`. */
#include "cli/cli.h"
#include "render/render.h"
#include "analyzer/granularity.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: trustmap conn [options] PATH...\n\n"
	"Computes, for every ordered pair of workloads and of the IP ranges that the policies'\n"
	"ipBlocks carve the address space into, the exact set of allowed connections under\n"
	"NetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy. The text output is\n"
	"line-for-line that of np-guard's netpol-analyzer (docs/semantics.md).\n\n"
	"  -f, --format txt|json|csv|md|dot   output format (default txt)\n"
	"  --granularity workload|pod   endpoints are workloads (default, as NPA) or Pod objects\n"
	"  --focus WORKLOAD         only connections from or to WORKLOAD (ns/name, name or ns/name[Kind])\n"
	"  --ipblock-matches-pods   ipBlocks also match pods by status.podIP(s) (Calico behaviour)\n"
	"  --ipv6                   also list the IPv6 ranges that IPv6 ipBlocks/networks carve out\n"
	"                           (by default, as NPA, IPv6 blocks are read but not listed)\n"
	"  (and the options of every command: trustmap --help)\n";

enum { OPT_FOCUS = 1, OPT_IPBLOCK_PODS, OPT_IPV6, OPT_GRANULARITY };

static const cli_opt opts[] = {
	{"focus", 0, true, OPT_FOCUS},
	{"ipblock-matches-pods", 0, false, OPT_IPBLOCK_PODS},
	{"ipv6", 0, false, OPT_IPV6},
	{"granularity", 0, true, OPT_GRANULARITY},
	{NULL, 0, false, 0},
};

int cmd_conn(int argc, char **argv)
{
	cli_common c;
	cli_parser p;
	tm_conn_opts co;
	const char *focus = NULL;
	bool pods = false;
	int id, r;
	const char *arg;
	cli_common_init(&c);
	tm_conn_opts_default(&co);
	cli_parser_init(&p, argc, argv);
	while ((r = cli_next(&p, opts, &c, &id, &arg)) == 0) {
		switch (id) {
		case -12:
			fputs(help, stdout);
			free(c.paths);
			return EXIT_OK;
		case OPT_FOCUS: focus = arg; break;
		case OPT_IPBLOCK_PODS: co.ipblock_matches_pods = true; break;
		case OPT_IPV6: co.ipv6 = true; break;
		case OPT_GRANULARITY:
			if (!strcmp(arg, "pod"))
				pods = true;
			else if (strcmp(arg, "workload")) {
				free(c.paths);
				return cli_usage_error("conn", "--granularity is workload or pod, not '%s'", arg);
			}
			break;
		}
	}
	if (r < 0) {
		free(c.paths);
		return EXIT_USAGE;
	}
	if (!c.npaths) {
		free(c.paths);
		return cli_usage_error("conn", "no PATH given");
	}
	const tm_conn_renderer *rd = tm_conn_renderer_find(c.format ? c.format : "txt");
	if (!rd) {
		free(c.paths);
		return cli_usage_error("conn", "unknown format '%s' (%s)", c.format, tm_conn_renderer_names());
	}
	tm_model *m = tm_model_new();
	int rc = cli_load(m, &c);
	tm_graph *g = NULL;
	if (rc == EXIT_OK) {
		if (pods)
			tm_model_pod_granularity(m);
		size_t before = m->diags.n;
		tm_conn_compute(m, &co, &g);
		for (size_t i = before; i < m->diags.n && c.verbosity >= 0; i++) {
			tm_buf b;
			tm_buf_init(&b, 0);
			tm_diag_format(&m->diags.v[i], &b);
			fprintf(stderr, "trustmap: %s\n", tm_buf_str(&b));
			tm_buf_release(&b);
		}
		if (focus) {
			long f = tm_graph_find(g, focus);
			if (f < 0) {
				fprintf(stderr, "trustmap conn: --focus %s: %s\n", focus,
					f == -2 ? "names more than one endpoint" : "no such workload");
				rc = EXIT_USAGE;
			} else {
				size_t k = 0;
				for (size_t i = 0; i < g->nedges; i++)
					if (g->edges[i].src == (uint32_t)f || g->edges[i].dst == (uint32_t)f)
						g->edges[k++] = g->edges[i];
				g->nedges = k;
			}
		}
		if (rc == EXIT_OK) {
			FILE *f = cli_open_output(&c);
			if (!f)
				rc = EXIT_USAGE;
			else {
				if (rd->render(g, f) != TM_OK)
					rc = EXIT_USAGE;
				cli_close_output(&c, f);
			}
		}
	}
	tm_graph_free(g);
	tm_model_free(m);
	free(c.paths);
	return rc;
}
