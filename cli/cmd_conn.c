/* cmd_conn.c - `trustmap conn`. */
#include "cli/cli.h"
#include "render/render.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: trustmap conn [options] PATH...\n\n"
	"Computes, for every ordered pair of workloads and of the IP ranges that the policies'\n"
	"ipBlocks carve the address space into, the exact set of allowed connections under\n"
	"NetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy. The text output is\n"
	"line-for-line that of np-guard's netpol-analyzer (docs/semantics.md).\n\n"
	"  -f, --format txt|json|csv|md|dot|svg|png   output format (default txt; svg/png as `trustmap graph`)\n"
	"  --granularity workload|pod   endpoints are workloads (default, as NPA) or Pod objects\n"
	"  --focus WORKLOAD[,...]   only connections from or to WORKLOAD (ns/name, name, ns/name[Kind],\n"
	"                           a pod name or ingress-controller); repeatable\n"
	"  --focus-peer WORKLOAD[,...]  ... and with one of these at the other end\n"
	"  --focus-direction egress|ingress  only connections leaving (egress) or entering the focus\n"
	"  --focus-conn PROTO-PORT  only connections that allow this port (e.g. udp-53), listed without conns\n"
	"  --ipblock-matches-pods   ipBlocks also match pods by status.podIP(s) (Calico behaviour)\n"
	"  --ipv6                   also list the IPv6 ranges that IPv6 ipBlocks/networks carve out\n"
	"                           (by default, as NPA, IPv6 blocks are read but not listed)\n"
	"  (and the options of every command: trustmap --help)\n";

enum { OPT_FOCUS = 1, OPT_IPBLOCK_PODS, OPT_IPV6, OPT_GRANULARITY, OPT_FOCUS_PEER, OPT_FOCUS_DIR, OPT_FOCUS_CONN,
       OPT_MAX_DRAW };

/* "a,b" appended to a list of names (owned by argv) */
static void add_names(char ***v, size_t *n, const char *arg)
{
	char *s = (char *)arg;
	for (;;) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = 0;
		if (*s) {
			*v = tm_xrealloc(*v, (*n + 1) * sizeof **v);
			(*v)[(*n)++] = s;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
}

/* "udp-53", "UDP/53", "tcp:443" */
static bool parse_conn(const char *arg, tm_proto *proto, uint32_t *port)
{
	char p[8];
	size_t i = 0;
	while (arg[i] && arg[i] != '-' && arg[i] != '/' && arg[i] != ':' && i < sizeof p - 1) {
		char ch = arg[i];
		p[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
		i++;
	}
	p[i] = 0;
	if (!arg[i] || (arg[i] != '-' && arg[i] != '/' && arg[i] != ':') || !tm_proto_parse(p, proto))
		return false;
	char *end;
	unsigned long v = strtoul(arg + i + 1, &end, 10);
	if (*end || v < 1 || v > 65535 || !arg[i + 1])
		return false;
	*port = (uint32_t)v;
	return true;
}

static const char graph_help[] =
	"usage: trustmap graph [options] PATH...\n\n"
	"Draws the connectivity graph that `trustmap conn` computes: one box per namespace,\n"
	"workloads inside, IP ranges in red, edges labelled with their connections. Rendered\n"
	"by Graphviz (dot layout).\n\n"
	"  -f, --format svg|png|dot   output format (default svg; png needs -o FILE or a redirect;\n"
	"                             the text formats of `trustmap conn` work too)\n"
	"  -o, --output FILE          where to write it (without -f: x.png, x.svg, x.dot say the format)\n"
	"  --max-draw-edges N         refuse to draw more connections than N (default 500: dot takes\n"
	"                             minutes past a few hundred; narrow with --focus instead)\n"
	"  and every option of `trustmap conn` (--focus, --focus-peer, --focus-direction,\n"
	"  --focus-conn, --granularity, --ipblock-matches-pods, --ipv6)\n";

static const cli_opt opts[] = {
	{"focus", 0, true, OPT_FOCUS},
	{"ipblock-matches-pods", 0, false, OPT_IPBLOCK_PODS},
	{"ipv6", 0, false, OPT_IPV6},
	{"granularity", 0, true, OPT_GRANULARITY},
	{"focus-peer", 0, true, OPT_FOCUS_PEER},
	{"focus-direction", 0, true, OPT_FOCUS_DIR},
	{"focus-conn", 0, true, OPT_FOCUS_CONN},
	{"max-draw-edges", 0, true, OPT_MAX_DRAW},
	{NULL, 0, false, 0},
};

static int conn_main(int argc, char **argv, const char *cmd, const char *default_format)
{
	cli_common c;
	cli_parser p;
	tm_conn_opts co;
	char **focus = NULL, **peers = NULL;
	size_t nfocus = 0, npeers = 0;
	tm_focus_dir fdir = TM_FOCUS_BOTH;
	tm_proto fproto = TM_PROTO_TCP;
	uint32_t fport = 0;
	size_t max_draw = 500;
	bool pods = false;
	int id, r;
	const char *arg;
	cli_common_init(&c);
	tm_conn_opts_default(&co);
	cli_parser_init(&p, argc, argv);
	while ((r = cli_next(&p, opts, &c, &id, &arg)) == 0) {
		switch (id) {
		case -12:
			fputs(!strcmp(cmd, "graph") ? graph_help : help, stdout);
			free(c.paths);
			return EXIT_OK;
		case OPT_FOCUS: add_names(&focus, &nfocus, arg); break;
		case OPT_FOCUS_PEER: add_names(&peers, &npeers, arg); break;
		case OPT_FOCUS_DIR:
			if (!strcmp(arg, "egress"))
				fdir = TM_FOCUS_EGRESS;
			else if (!strcmp(arg, "ingress"))
				fdir = TM_FOCUS_INGRESS;
			else {
				free(c.paths);
				return cli_usage_error("conn", "--focus-direction is ingress or egress, not '%s'", arg);
			}
			break;
		case OPT_FOCUS_CONN:
			if (!parse_conn(arg, &fproto, &fport)) {
				free(c.paths);
				return cli_usage_error("conn", "--focus-conn wants PROTO-PORT such as udp-53 or TCP/443, not '%s'", arg);
			}
			break;
		case OPT_IPBLOCK_PODS: co.ipblock_matches_pods = true; break;
		case OPT_IPV6: co.ipv6 = true; break;
		case OPT_MAX_DRAW:
			if (!cli_parse_size(arg, &max_draw) || !max_draw) {
				free(c.paths);
				return cli_usage_error(cmd, "option --max-draw-edges needs a positive number");
			}
			break;
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
		return cli_usage_error(cmd, "no PATH given");
	}
	const char *fmt = c.format;
	if (!fmt && c.output) { /* -o x.png, x.svg, x.dot: the format its name says */
		const char *dot = strrchr(c.output, '.');
		if (dot && (!strcmp(dot, ".png") || !strcmp(dot, ".svg") || !strcmp(dot, ".dot")))
			fmt = dot + 1;
	}
	const tm_conn_renderer *rd = tm_conn_renderer_find(fmt ? fmt : default_format);
	if (!rd) {
		free(c.paths);
		return cli_usage_error(cmd, "unknown format '%s' (%s)", c.format, tm_conn_renderer_names());
	}
	if (!strcmp(rd->name, "png") && !c.output && isatty(1)) {
		free(c.paths);
		return cli_usage_error(cmd, "PNG is binary: give -o FILE or redirect standard output");
	}
	tm_model *m;
	tm_graph *g;
	int rc = cli_conn_graph(&c, &co, pods, false, &m, &g);
	if (rc == EXIT_OK) {
		if (nfocus || npeers || fdir != TM_FOCUS_BOTH) {
			bool *fm = calloc(g->neps + 1, 1), *pm = npeers ? calloc(g->neps + 1, 1) : NULL;
			if (!nfocus && fdir != TM_FOCUS_BOTH) {
				fprintf(stderr, "trustmap conn: --focus-direction needs --focus\n");
				rc = EXIT_USAGE;
			}
			for (size_t i = 0; i < nfocus && rc == EXIT_OK; i++)
				if (!tm_graph_mark(g, focus[i], fm)) {
					fprintf(stderr, "trustmap conn: --focus %s: no such workload\n", focus[i]);
					rc = EXIT_USAGE;
				}
			for (size_t i = 0; i < npeers && rc == EXIT_OK; i++)
				if (!tm_graph_mark(g, peers[i], pm)) {
					fprintf(stderr, "trustmap conn: --focus-peer %s: no such workload\n", peers[i]);
					rc = EXIT_USAGE;
				}
			if (rc == EXIT_OK) {
				if (!nfocus) /* only peers: focus on everything */
					memset(fm, 1, g->neps);
				tm_graph_focus(g, fm, pm, fdir);
			}
			free(fm);
			free(pm);
		}
		if (fport && rc == EXIT_OK)
			tm_graph_focus_conn(g, fproto, fport);
		bool drawn = !strcmp(rd->name, "svg") || !strcmp(rd->name, "png");
		if (rc == EXIT_OK && drawn && g->nedges > max_draw) {
			/* Graphviz's dot takes minutes (and the picture is unreadable) past
			 * a few hundred labelled edges between clusters */
			fprintf(stderr,
				"trustmap %s: %zu connections are too many to draw (the limit is %zu, --max-draw-edges N): "
				"narrow the graph with --focus, --focus-peer or --focus-conn, or write --format dot and lay "
				"it out yourself\n",
				cmd, g->nedges, max_draw);
			rc = EXIT_USAGE;
		}
		if (rc == EXIT_OK) {
			FILE *f = cli_open_output(&c);
			if (!f)
				rc = EXIT_USAGE;
			else {
				if (rd->render(g, f) != TM_OK)
					rc = EXIT_USAGE;
				if (!cli_close_output(&c, f, rc == EXIT_OK))
					rc = EXIT_USAGE;
			}
		}
	}
	tm_graph_free(g);
	tm_model_free(m);
	free(focus);
	free(peers);
	free(c.paths);
	return rc;
}

int cmd_conn(int argc, char **argv)
{
	return conn_main(argc, argv, "conn", "txt");
}

int cmd_graph(int argc, char **argv)
{
	return conn_main(argc, argv, "graph", "svg");
}
