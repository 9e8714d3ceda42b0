/* cmd_reach.c - `trustmap reach SRC`: lateral movement from a compromised
 * workload, pod or address; with --reverse, who can reach a target. */
#include "cli/cli.h"

int cmd_reach(int argc, char **argv)
{
	cli_args a;
	tm_request rq;
	const tm_renderer *rd = NULL;
	int rc = cli_start(&a, cli_command_find("reach"), argc, argv);
	if (!rc && a.npaths < 2)
		rc = cli_usage_error("reach", "needs SRC and at least one PATH");
	if (!rc && a.reverse && a.to)
		rc = cli_usage_error("reach", "--to goes with forward reach: with --reverse the endpoint is the end");
	if (!rc && !(rd = cli_renderer(&a, TM_SUBJECT_REACH, a.format)))
		rc = EXIT_USAGE;
	if (!rc) {
		cli_request(&a, &rq);
		rq.src = a.paths[0];
		rq.paths++;
		rq.path_ns++;
		rq.npaths--;
		rq.graph = true;
		rq.ipv6_auto = true;
		rq.hops = (uint32_t)a.hops;
		rq.reverse = a.reverse;
		rq.network_only = a.network_only;
		rq.to = a.to;
		rq.avoid = a.avoid;
		rq.navoid = a.navoid;
		rc = cli_run_render(&a, &rq, rd);
	}
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}
