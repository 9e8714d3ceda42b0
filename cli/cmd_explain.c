/* cmd_explain.c - `trustmap explain SRC DST`. */
#include "cli/cli.h"
#include "render/render.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: trustmap explain [options] SRC DST PATH...\n\n"
	"Explains the connections from SRC to DST: for each port range, the policy rules\n"
	"(policy, rule index, file:line:column) that allow, deny or pass it on the egress side\n"
	"of SRC and the ingress side of DST, and where a default applies instead.\n"
	"SRC and DST are ns/name, ns/name[Kind], a workload or pod name, or an IP address\n"
	"(IPv6 too when the policies name IPv6 blocks).\n\n"
	"  -f, --format txt|json   output format (default txt)\n"
	"  --port PROTO/PORT       only this port (e.g. TCP/443)\n"
	"  --ipblock-matches-pods  ipBlocks also match pods by status.podIP(s)\n"
	"  (and the options of every command: trustmap --help)\n";

enum { OPT_PORT = 1, OPT_IPBLOCK_PODS };

static const cli_opt opts[] = {
	{"port", 0, true, OPT_PORT},
	{"ipblock-matches-pods", 0, false, OPT_IPBLOCK_PODS},
	{NULL, 0, false, 0},
};

int cmd_explain(int argc, char **argv)
{
	cli_common c;
	cli_parser p;
	tm_conn_opts co;
	const char *port = NULL;
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
		case OPT_PORT: port = arg; break;
		case OPT_IPBLOCK_PODS: co.ipblock_matches_pods = true; break;
		}
	}
	if (r < 0) {
		free(c.paths);
		return EXIT_USAGE;
	}
	if (c.npaths < 3) {
		free(c.paths);
		return cli_usage_error("explain", "needs SRC, DST and at least one PATH");
	}
	const char *fmt = c.format ? c.format : "txt";
	const tm_renderer *rd = tm_renderer_find(TM_SUBJECT_EXPLAIN, fmt);
	if (!rd) {
		free(c.paths);
		return cli_usage_error("explain", "unknown format '%s' (%s)", fmt, tm_renderer_formats(TM_SUBJECT_EXPLAIN));
	}
	tm_proto pproto = TM_PROTO_TCP;
	unsigned long pnum = 0;
	if (port) {
		const char *sl = strchr(port, '/');
		char proto[8] = "TCP";
		const char *num = port;
		if (sl) {
			size_t n = (size_t)(sl - port);
			if (n >= sizeof proto)
				n = sizeof proto - 1;
			memcpy(proto, port, n);
			proto[n] = 0;
			for (char *q = proto; *q; q++)
				if (*q >= 'a' && *q <= 'z')
					*q = (char)(*q - 32);
			num = sl + 1;
		}
		char *end;
		pnum = strtoul(num, &end, 10);
		if (!tm_proto_parse(proto, &pproto) || *end || pnum < 1 || pnum > 65535) {
			free(c.paths);
			return cli_usage_error("explain", "--port wants PROTO/PORT such as TCP/443, got '%s'", port);
		}
	}
	const char *src = c.paths[0], *dst = c.paths[1];
	c.paths += 2;
	c.npaths -= 2;
	tm_model *m;
	tm_graph *g;
	int rc = cli_conn_graph(&c, &co, false, true, &m, &g);
	if (rc == EXIT_OK) {
		long s = cli_find_endpoint(g, "explain", src, true);
		long d = s < 0 ? -1 : cli_find_endpoint(g, "explain", dst, false);
		if (s < 0 || d < 0) {
			rc = EXIT_USAGE;
		} else if (g->eps[s].kind == TM_EP_IPRANGE && g->eps[d].kind == TM_EP_IPRANGE) {
			fprintf(stderr, "trustmap explain: both ends are IP ranges outside the cluster\n");
			rc = EXIT_USAGE;
		} else {
			tm_explain ex;
			tm_conn_explain(g, (size_t)s, (size_t)d, &ex);
			if (port) {
				const tm_ports *one = tm_ports_range(m->ports, pproto, (uint32_t)pnum, (uint32_t)pnum);
				ex.allowed = tm_ports_inter(m->ports, ex.allowed, one);
				ex.egress = tm_ports_inter(m->ports, ex.egress, one);
				ex.ingress = tm_ports_inter(m->ports, ex.ingress, one);
				size_t k = 0;
				for (size_t i = 0; i < ex.n; i++) {
					if (!ex.v[i].ports) {
						ex.v[k++] = ex.v[i]; /* a note, not a port decision */
						continue;
					}
					ex.v[i].ports = tm_ports_inter(m->ports, ex.v[i].ports, one);
					if (!tm_ports_is_empty(ex.v[i].ports))
						ex.v[k++] = ex.v[i];
				}
				ex.n = k;
			}
			FILE *f = cli_open_output(&c);
			if (!f)
				rc = EXIT_USAGE;
			else {
				rd->render(&(tm_render_in){.g = g, .explain = &ex, .src = (size_t)s, .dst = (size_t)d}, f);
				if (!cli_close_output(&c, f, rc == EXIT_OK))
					rc = EXIT_USAGE;
			}
			tm_explain_release(&ex);
		}
	}
	tm_graph_free(g);
	tm_model_free(m);
	free(c.paths - 2);
	return rc;
}
