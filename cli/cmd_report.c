/* cmd_report.c - `trustmap report`: everything a reviewer hands on, in one
 * HTML page or one Markdown comment. */
#include "cli/cli.h"

#include <string.h>

int cmd_report(int argc, char **argv)
{
	cli_args a;
	tm_result r = {0};
	tm_request rq;
	int rc = cli_start(&a, cli_command_find("report"), argc, argv);
	const tm_renderer *rd = NULL;
	if (rc)
		goto out;
	if (!a.npaths) {
		rc = cli_usage_error("report", "no PATH given");
		goto out;
	}
	const char *fmt = a.format;
	if (!fmt && a.output) { /* -o x.html, x.md: the format its name says */
		const char *dot = strrchr(a.output, '.');
		if (dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm")))
			fmt = "html";
		else if (dot && !strcmp(dot, ".md"))
			fmt = "md";
	}
	if (!(rd = cli_renderer(&a, TM_SUBJECT_REPORT, fmt))) {
		rc = EXIT_USAGE;
		goto out;
	}
	cli_request(&a, &rq);
	rq.graph = true;
	rq.checks = true;
	rq.ipv6_auto = true; /* as check: zone rules judge every address family the policies name */
	rq.report = true;
	rq.report_hops = (uint32_t)a.hops;
	rc = cli_run(&a, &rq, &r);
	if (rc == EXIT_OK) {
		tm_render_in in;
		cli_render_in(&r, &in);
		in.paths = a.paths;
		in.npaths = a.npaths;
		in.zones = a.zones;
		in.max_rows = a.max_rows;
		rc = cli_write(&a, rd, &in);
	}
	tm_result_release(&r);
out:
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}
