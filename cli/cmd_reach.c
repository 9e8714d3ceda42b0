/* cmd_reach.c - `trustmap reach SRC`: lateral movement from a compromised
 * workload, pod or address. */
#include "cli/cli.h"

int cmd_reach(int argc, char **argv)
{
	cli_args a;
	tm_result r = {0};
	tm_request rq;
	int rc = cli_start(&a, cli_command_find("reach"), argc, argv);
	const tm_renderer *rd = NULL;
	if (rc)
		goto out;
	if (a.npaths < 2) {
		rc = cli_usage_error("reach", "needs SRC and at least one PATH");
		goto out;
	}
	if (!(rd = cli_renderer(&a, TM_SUBJECT_REACH, a.format))) {
		rc = EXIT_USAGE;
		goto out;
	}
	cli_request(&a, &rq);
	rq.src = a.paths[0];
	rq.paths++;
	rq.npaths--;
	rq.graph = true;
	rq.ipv6_auto = true;
	rq.hops = (uint32_t)a.hops;
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
