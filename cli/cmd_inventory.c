/* cmd_inventory.c - `trustmap inventory`. */
#include "cli/cli.h"

int cmd_inventory(int argc, char **argv)
{
	cli_args a;
	tm_request rq;
	const tm_renderer *rd = NULL;
	int rc = cli_start(&a, cli_command_find("inventory"), argc, argv);
	if (!rc && !a.npaths)
		rc = cli_usage_error("inventory", "no PATH given");
	if (!rc && !(rd = cli_renderer(&a, TM_SUBJECT_INVENTORY, a.format)))
		rc = EXIT_USAGE;
	if (!rc) {
		cli_request(&a, &rq);
		rq.census = true; /* printed when the input has a mesh or a mesh option is given */
		rc = cli_run_render(&a, &rq, rd);
	}
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}
