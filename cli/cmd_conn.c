/* cmd_conn.c - `trustmap conn` and `trustmap graph`: one command with two
 * defaults (txt, svg). */
#include "cli/cli.h"

#include <string.h>
#include <unistd.h>

static int conn_main(const char *name, int argc, char **argv)
{
	cli_args a;
	tm_result r = {0};
	tm_request rq;
	int rc = cli_start(&a, cli_command_find(name), argc, argv);
	const tm_renderer *rd = NULL;
	if (rc)
		goto out;
	if (!a.npaths) {
		rc = cli_usage_error(name, "no PATH given");
		goto out;
	}
	const char *fmt = a.format;
	if (!fmt && a.output) { /* -o x.png, x.svg, x.dot: the format its name says */
		const char *dot = strrchr(a.output, '.');
		if (dot && (!strcmp(dot, ".png") || !strcmp(dot, ".svg") || !strcmp(dot, ".dot")))
			fmt = dot + 1;
	}
	bool graph = !strcmp(name, "graph");
	if (!(rd = cli_renderer(&a, graph ? TM_SUBJECT_GRAPH : TM_SUBJECT_CONN, fmt))) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (rd->binary && !a.output && isatty(1)) {
		rc = cli_usage_error(name, "PNG is binary: give -o FILE or redirect standard output");
		goto out;
	}
	if (a.observed && !a.npcaps && !a.nhubble && !a.nzeek) {
		rc = cli_usage_error(name, "--observed needs observed traffic (--pcap, --hubble or --zeek)");
		goto out;
	}
	if (a.observed && strcmp(rd->format, "txt") && strcmp(rd->format, "json")) {
		rc = cli_usage_error(name, "--observed writes txt or json");
		goto out;
	}
	if (!a.nfocus && a.fdir != TM_FOCUS_BOTH) {
		rc = cli_usage_error(name, "--focus-direction needs --focus");
		goto out;
	}
	if (a.zone && !graph) {
		rc = cli_usage_error(name, "--zone is an option of graph");
		goto out;
	}
	if (a.show_mtls && strcmp(rd->format, "txt") && strcmp(rd->format, "json")) {
		rc = cli_usage_error(name, "--show-mtls is for the txt and json formats, not %s", rd->format);
		goto out;
	}
	cli_request(&a, &rq);
	rq.graph = true;
	if (graph) { /* the diagram: findings and zones style it */
		rq.checks = true;
		rq.ipv6_auto = a.conn.ipv6;
		rq.diagram = true;
		rq.dopts.level = a.level;
		rq.dopts.zone = a.zone;
	}
	rc = cli_run(&a, &rq, &r);
	bool drawn = !strcmp(rd->format, "svg") || !strcmp(rd->format, "png");
	size_t ndraw = graph && r.has_diagram ? r.diagram.nedges : r.g ? r.g->nedges : 0;
	if (rc == EXIT_OK && drawn && ndraw > a.max_draw) {
		/* Graphviz's dot takes minutes (and the picture is unreadable) past
		 * a few hundred labelled edges between clusters */
		fprintf(stderr,
			"trustmap %s: %zu connections are too many to draw (the limit is %zu, --max-draw-edges N): "
			"narrow the graph with --focus, --focus-peer or --port, or write --format dot and lay "
			"it out yourself\n",
			name, ndraw, a.max_draw);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK) {
		tm_render_in in;
		cli_render_in(&r, &in);
		in.paths = a.paths;
		in.npaths = a.npaths;
		in.zones = a.zones;
		if (a.observed && in.observed) {
			/* the observed listing: a renderer of its own, same output path */
			tm_renderer obs = *rd;
			obs.render = strcmp(rd->format, "json") ? tm_render_conn_observed_txt : tm_render_conn_observed_json;
			rc = cli_write(&a, &obs, &in);
		} else
			rc = cli_write(&a, rd, &in);
	}
	tm_result_release(&r);
out:
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}

int cmd_conn(int argc, char **argv)
{
	return conn_main("conn", argc, argv);
}

int cmd_graph(int argc, char **argv)
{
	return conn_main("graph", argc, argv);
}
