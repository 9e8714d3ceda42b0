/* cmd_explain.c - `trustmap explain SRC DST`. */
#include "cli/cli.h"

int cmd_explain(int argc, char **argv)
{
	cli_args a;
	tm_request rq;
	const tm_renderer *rd = NULL;
	int rc = cli_start(&a, cli_command_find("explain"), argc, argv);
	if (!rc && a.npaths < 3)
		rc = cli_usage_error("explain", "needs SRC, DST and at least one PATH");
	if (!rc && !(rd = cli_renderer(&a, TM_SUBJECT_EXPLAIN, a.format)))
		rc = EXIT_USAGE;
	if (!rc) {
		cli_request(&a, &rq);
		rq.src = a.paths[0];
		rq.dst = a.paths[1];
		rq.paths += 2;
		rq.path_ns += 2;
		rq.npaths -= 2;
		rq.graph = true;
		rq.ipv6_auto = true;
		rq.explain = true;
		rc = cli_run_render(&a, &rq, rd);
	}
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}
