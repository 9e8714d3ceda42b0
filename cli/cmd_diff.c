/* cmd_diff.c - `trustmap diff OLD NEW`: connections and findings that a
 * change adds and removes, and the mesh protection it changes, for reviews
 * and CI. Each side is one run of the pipeline that `check` runs. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cmd_diff(int argc, char **argv)
{
	cli_args a;
	tm_result r[2];
	tm_diff d;
	memset(r, 0, sizeof r);
	memset(&d, 0, sizeof d);
	int rc = cli_start(&a, cli_command_find("diff"), argc, argv);
	const tm_renderer *rd = NULL;
	if (rc)
		goto out;
	if (a.npaths != 2) {
		rc = cli_usage_error("diff", "needs exactly two paths, OLD and NEW");
		goto out;
	}
	if (!(rd = cli_renderer(&a, TM_SUBJECT_DIFF, a.format))) {
		rc = EXIT_USAGE;
		goto out;
	}
	for (int k = 0; k < 2 && rc == EXIT_OK; k++) {
		tm_request rq;
		cli_request(&a, &rq);
		rq.paths = &a.paths[k];
		rq.path_ns = &a.path_ns[k];
		rq.npaths = 1;
		rq.checks = true;
		rq.ipv6_auto = true;
		rq.missing_is_empty = k == 0; /* a first pull request has no OLD */
		rc = cli_run(&a, &rq, &r[k]);
	}
	if (rc == EXIT_OK) {
		tm_diff_compute(r[0].g, r[1].g, &r[0].findings, &r[1].findings, &d);
		/* the mesh protection of what both allow: when a side holds mesh objects or a mesh option is given */
		tm_err e = tm_diff_mesh(r[0].g, r[0].mesh, r[1].g, r[1].mesh, r[1].z, &a.mesh, &d);
		if (e != TM_OK) {
			fprintf(stderr, "trustmap: diff: mesh analysis failed: %s\n", tm_err_str(e));
			rc = EXIT_USAGE;
			goto done;
		}
		tm_render_in in;
		cli_render_in(&r[1], &in);
		in.diff = &d;
		in.zones = a.zones;
		in.has_fail_on = a.has_fail_on;
		in.fail_on = a.fail_on;
		in.max_rows = a.max_rows;
		rc = cli_write(&a, rd, &in);
		if (rc == EXIT_OK && a.has_fail_on && tm_findings_any_at_least(d.new_findings, a.fail_on))
			rc = EXIT_FINDINGS;
	}
done:
	tm_diff_release(&d);
	tm_result_release(&r[0]);
	tm_result_release(&r[1]);
out:
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}
