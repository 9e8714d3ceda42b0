/* cmd_inventory.c - `trustmap inventory`. */
#include "cli/cli.h"
#include "render/render.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: trustmap inventory [options] PATH...\n\n"
	"Lists what the manifests declare: namespaces with labels, workloads with kinds and\n"
	"pod counts, services, NetworkPolicies, AdminNetworkPolicies, exposure (Ingress,\n"
	"HTTPRoute, Route) and the kinds read but not analysed, with counts.\n\n"
	"  -f, --format txt|json   output format (default txt)\n"
	"  (and the options of every command: trustmap --help)\n";

int cmd_inventory(int argc, char **argv)
{
	cli_common c;
	cli_parser p;
	int id, r;
	const char *arg;
	cli_common_init(&c);
	cli_parser_init(&p, argc, argv);
	while ((r = cli_next(&p, NULL, &c, &id, &arg)) == 0) {
		if (id == -12) {
			fputs(help, stdout);
			free(c.paths);
			return EXIT_OK;
		}
	}
	if (r < 0)
		return EXIT_USAGE;
	if (!c.npaths)
		return cli_usage_error("inventory", "no PATH given");
	const char *fmt = c.format ? c.format : "txt";
	const tm_renderer *rd = tm_renderer_find(TM_SUBJECT_INVENTORY, fmt);
	if (!rd) {
		free(c.paths);
		return cli_usage_error("inventory", "unknown format '%s' (%s)", fmt, tm_renderer_formats(TM_SUBJECT_INVENTORY));
	}
	tm_model *m = tm_model_new();
	int rc = cli_load(m, &c);
	if (rc == EXIT_OK) {
		FILE *f = cli_open_output(&c);
		if (!f)
			rc = EXIT_USAGE;
		else {
			rd->render(&(tm_render_in){.m = m}, f);
			if (!cli_close_output(&c, f, rc == EXIT_OK))
				rc = EXIT_USAGE;
		}
	}
	tm_model_free(m);
	free(c.paths);
	return rc;
}
