/* cmd_diff.c - `trustmap diff OLD NEW`: connections and findings that a
 * change adds and removes, for reviews and CI. */
#include "cli/cli.h"
#include "render/findings.h"
#include "analyzer/check.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: trustmap diff [options] OLD NEW\n\n"
	"Compares two versions of the manifests (files or directories): connections added,\n"
	"removed and changed per pair (the format of np-guard's netpol-analyzer diff, with\n"
	"dir1 = OLD and dir2 = NEW), then the findings of `trustmap check` that are new in\n"
	"NEW and those fixed. The Markdown output is ready to post as a pull-request comment.\n\n"
	"  -f, --format txt|json|md   output format (default txt)\n"
	"  --zones FILE             zones and rules, applied to both sides (docs/zones.md)\n"
	"  --fail-on SEVERITY       exit 1 when a NEW finding (not suppressed) has this\n"
	"                           severity or above: info, low, medium, high, critical\n"
	"  --ipblock-matches-pods   ipBlocks also match pods by status.podIP(s)\n"
	"  (and the options of every command: trustmap --help)\n";

enum { OPT_ZONES = 1, OPT_FAIL_ON, OPT_IPBLOCK_PODS };

static const cli_opt opts[] = {
	{"zones", 0, true, OPT_ZONES},
	{"fail-on", 0, true, OPT_FAIL_ON},
	{"ipblock-matches-pods", 0, false, OPT_IPBLOCK_PODS},
	{NULL, 0, false, 0},
};

int cli_check_run(tm_model *m, const cli_common *c, const tm_conn_opts *co, const char *zones_file,
		  tm_graph **g, tm_zones **z, tm_findings *out);

int cmd_diff(int argc, char **argv)
{
	cli_common c;
	cli_parser p;
	tm_conn_opts co;
	tm_render_in ro = {0};
	const char *zones = NULL;
	int id, r;
	const char *arg;
	cli_common_init(&c);
	tm_conn_opts_default(&co);
	cli_parser_init(&p, argc, argv);
	while ((r = cli_next(&p, opts, &c, &id, &arg)) == 0) {
		switch (id) {
		case -12:
			fputs(help, stdout);
			free(c.paths);
			return EXIT_OK;
		case OPT_ZONES: zones = arg; break;
		case OPT_FAIL_ON:
			if (!tm_severity_parse(arg, &ro.fail_on)) {
				free(c.paths);
				return cli_usage_error("diff", "--fail-on wants info, low, medium, high or critical, got '%s'", arg);
			}
			ro.has_fail_on = true;
			break;
		case OPT_IPBLOCK_PODS: co.ipblock_matches_pods = true; break;
		}
	}
	if (r < 0) {
		free(c.paths);
		return EXIT_USAGE;
	}
	if (c.npaths != 2) {
		free(c.paths);
		return cli_usage_error("diff", "needs exactly two paths, OLD and NEW");
	}
	const tm_renderer *rd = tm_renderer_find(TM_SUBJECT_DIFF, c.format ? c.format : "txt");
	if (!rd) {
		free(c.paths);
		return cli_usage_error("diff", "unknown format '%s' (%s)", c.format, tm_renderer_formats(TM_SUBJECT_DIFF));
	}
	ro.zones = zones;
	tm_model *m[2] = {tm_model_new(), tm_model_new()};
	tm_graph *g[2] = {NULL, NULL};
	tm_zones *z[2] = {NULL, NULL};
	tm_findings f[2];
	tm_diff d;
	memset(&d, 0, sizeof d);
	tm_findings_init(&f[0]);
	tm_findings_init(&f[1]);
	const char **paths = c.paths;
	int rc = EXIT_OK;
	for (int k = 0; k < 2 && rc == EXIT_OK; k++) {
		cli_common side = c;
		side.paths = &paths[k];
		side.npaths = 1;
		rc = cli_check_run(m[k], &side, &co, zones, &g[k], &z[k], &f[k]);
	}
	if (rc == EXIT_OK) {
		tm_diff_compute(g[0], g[1], &f[0], &f[1], &d);
		FILE *out = cli_open_output(&c);
		if (!out)
			rc = EXIT_USAGE;
		else {
			ro.diff = &d;
			if (rd->render(&ro, out) != TM_OK)
				rc = EXIT_USAGE;
			if (!cli_close_output(&c, out, rc == EXIT_OK))
				rc = EXIT_USAGE;
		}
		if (rc == EXIT_OK && ro.has_fail_on && tm_findings_any_at_least(d.new_findings, ro.fail_on))
			rc = EXIT_FINDINGS;
	}
	tm_diff_release(&d);
	for (int k = 0; k < 2; k++) {
		tm_findings_release(&f[k]);
		tm_zones_free(z[k]);
		tm_graph_free(g[k]);
		tm_model_free(m[k]);
	}
	free(c.paths);
	return rc;
}
