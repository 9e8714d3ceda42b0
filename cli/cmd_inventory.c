/* cmd_inventory.c - `trustmap inventory`. */
#include "cli/cli.h"

int cmd_inventory(int argc, char **argv)
{
	cli_args a;
	tm_result r = {0};
	tm_request rq;
	int rc = cli_start(&a, cli_command_find("inventory"), argc, argv);
	const tm_renderer *rd = NULL;
	if (rc)
		goto out;
	if (!a.npaths) {
		rc = cli_usage_error("inventory", "no PATH given");
		goto out;
	}
	if (!(rd = cli_renderer(&a, TM_SUBJECT_INVENTORY, a.format))) {
		rc = EXIT_USAGE;
		goto out;
	}
	cli_request(&a, &rq);
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
