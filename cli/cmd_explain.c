/* cmd_explain.c - `trustmap explain SRC DST`. */
#include "cli/cli.h"

int cmd_explain(int argc, char **argv)
{
	cli_args a;
	tm_result r = {0};
	tm_request rq;
	int rc = cli_start(&a, cli_command_find("explain"), argc, argv);
	const tm_renderer *rd = NULL;
	if (rc)
		goto out;
	if (a.npaths < 3) {
		rc = cli_usage_error("explain", "needs SRC, DST and at least one PATH");
		goto out;
	}
	if (!(rd = cli_renderer(&a, TM_SUBJECT_EXPLAIN, a.format))) {
		rc = EXIT_USAGE;
		goto out;
	}
	cli_request(&a, &rq);
	rq.src = a.paths[0];
	rq.dst = a.paths[1];
	rq.paths += 2;
	rq.npaths -= 2;
	rq.graph = true;
	rq.ipv6_auto = true;
	rq.explain = true;
	rc = cli_run(&a, &rq, &r);
	if (rc == EXIT_OK) {
		tm_render_in in;
		cli_render_in(&r, &in);
		rc = cli_write(&a, rd, &in);
	}
	tm_result_release(&r);
out:
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}
