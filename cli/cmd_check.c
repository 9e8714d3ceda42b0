/* cmd_check.c - `trustmap check`: zone rules and built-in checks. */
#include "cli/cli.h"

#include <limits.h>
#include <unistd.h>

int cmd_check(int argc, char **argv)
{
	cli_args a;
	tm_result r = {0};
	tm_request rq;
	char cwd[PATH_MAX];
	int rc = cli_start(&a, cli_command_find("check"), argc, argv);
	const tm_renderer *rd = NULL;
	if (rc)
		goto out;
	if (!a.npaths) {
		rc = cli_usage_error("check", "no PATH given");
		goto out;
	}
	if (!(rd = cli_renderer(&a, TM_SUBJECT_FINDINGS, a.format))) {
		rc = EXIT_USAGE;
		goto out;
	}
	cli_request(&a, &rq);
	rq.checks = true;
	/* zone rules judge every address family the policies name: with IPv6
	 * blocks present, the IPv6 ranges are endpoints too */
	rq.ipv6_auto = true;
	rc = cli_run(&a, &rq, &r);
	if (rc == EXIT_OK) {
		tm_render_in in;
		cli_render_in(&r, &in);
		in.zones = a.zones;
		in.base_dir = getcwd(cwd, sizeof cwd) ? cwd : NULL;
		in.has_fail_on = a.has_fail_on;
		in.fail_on = a.fail_on;
		in.verbose = a.verbosity > 0;
		in.max_rows = a.max_rows;
		rc = cli_write(&a, rd, &in);
		if (rc == EXIT_OK && a.has_fail_on && tm_findings_any_at_least(&r.findings, a.fail_on))
			rc = EXIT_FINDINGS;
	}
	tm_result_release(&r);
out:
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}
