/* cmd_check.c - `trustmap check`: zone rules and built-in checks. */
#include "cli/cli.h"
#include "render/findings.h"
#include "analyzer/check.h"
#include "ingest/manifest/zones.h"
#include "ingest/readers.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: trustmap check [options] PATH...\n\n"
	"Checks the manifests against trust zones and boundary rules (--zones, docs/zones.md)\n"
	"and the built-in checks TM101..TM110 (docs/checks.md). Each finding names its rule,\n"
	"severity, the endpoints and connections involved, the file:line:column of the policy\n"
	"rules that allow it, and a fix. Objects annotated trustmap.io/ignore: \"RULE,...: reason\"\n"
	"have their findings reported as suppressed.\n\n"
	"  -f, --format txt|json|sarif|md   output format (default txt)\n"
	"  --zones FILE             zones and rules (default: built-in zones pci, frontend,\n"
	"                           trustmap.io/zone labels, internet)\n"
	"  --fail-on SEVERITY       exit 1 when a finding (not suppressed) has this severity or\n"
	"                           above: info, low, medium, high, critical\n"
	"  --flows CAPTURE          observed traffic (pcap/pcapng; repeatable): connections seen\n"
	"                           with a client certificate or a mesh's mTLS satisfy require-mtls\n"
	"                           rules; pod IPs (status.podIP) map captures to workloads\n"
	"  --ipblock-matches-pods   ipBlocks also match pods by status.podIP(s)\n"
	"  (and the options of every command: trustmap --help)\n\n"
	"Exit status: 0 no finding at or above --fail-on (or no --fail-on), 1 there is one,\n"
	"2 usage or input error (including a bad zones file).\n";

enum { OPT_ZONES = 1, OPT_FAIL_ON, OPT_IPBLOCK_PODS, OPT_FLOWS };

static const cli_opt opts[] = {
	{"zones", 0, true, OPT_ZONES},
	{"fail-on", 0, true, OPT_FAIL_ON},
	{"ipblock-matches-pods", 0, false, OPT_IPBLOCK_PODS},
	{"flows", 0, true, OPT_FLOWS},
	{NULL, 0, false, 0},
};

/* Shared with cmd_diff.c: load paths and zones, compute graph and findings.
 * Returns an exit code; on EXIT_OK *g and *z are set (caller frees). */
int cli_check_run(tm_model *m, const cli_common *c, const tm_conn_opts *co, const char *zones_file,
		  tm_graph **g, tm_zones **z, tm_findings *out);

/* Observed traffic for require-mtls; exit code. */
static int load_flows(tm_graph *g, const char **flows, size_t nflows, const cli_common *c, tm_mtls_evidence *ev)
{
	tm_flowset *fs = tm_flowset_new();
	tm_capture *cap = fs ? tm_capture_new(fs, NULL) : NULL;
	int rc = EXIT_OK;
	if (!cap) {
		tm_flowset_free(fs);
		fprintf(stderr, "trustmap: out of memory\n");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < nflows && rc == EXIT_OK; i++)
		if (tm_load_flows_path(cap, flows[i]) != TM_OK)
			rc = EXIT_USAGE;
	tm_diags_print(&fs->diags, stderr, rc != EXIT_OK || c->verbosity < 0 ? TM_DIAG_ERROR : TM_DIAG_WARN);
	if (rc == EXIT_OK) {
		tm_capture_finish(cap);
		if (tm_mtls_evidence_build(g, fs, ev) != TM_OK)
			rc = EXIT_USAGE;
		else if (c->verbosity > 0)
			fprintf(stderr, "trustmap: %zu TCP connections captured, %zu not mapped to endpoints, %zu endpoint pairs with TLS facts\n",
				ev->flows, ev->unmapped, ev->n);
	}
	tm_capture_free(cap);
	tm_flowset_free(fs);
	return rc;
}

static int cli_check_run_flows(tm_model *m, const cli_common *c, const tm_conn_opts *co, const char *zones_file,
			       const char **flows, size_t nflows, tm_graph **g, tm_zones **z, tm_findings *out);

int cli_check_run(tm_model *m, const cli_common *c, const tm_conn_opts *co, const char *zones_file,
		  tm_graph **g, tm_zones **z, tm_findings *out)
{
	return cli_check_run_flows(m, c, co, zones_file, NULL, 0, g, z, out);
}

static int cli_check_run_flows(tm_model *m, const cli_common *c, const tm_conn_opts *co, const char *zones_file,
			       const char **flows, size_t nflows, tm_graph **g, tm_zones **z, tm_findings *out)
{
	*g = NULL;
	*z = NULL;
	int rc = cli_load(m, c);
	if (rc != EXIT_OK)
		return rc;
	if (zones_file) {
		size_t before = m->diags.n;
		tm_err e = tm_zones_load(m, zones_file, z);
		cli_print_diags_from(m, before);
		if (e != TM_OK) {
			fprintf(stderr, "trustmap: zones file %s rejected\n", zones_file);
			return EXIT_USAGE;
		}
	} else
		*z = tm_zones_default(m);
	size_t before = m->diags.n;
	tm_check_ignore_names(m, *z);
	/* zone rules judge every address family the policies name: with IPv6
	 * blocks present, the IPv6 ranges are endpoints too (conn keeps NPA's
	 * IPv4-only default unless --ipv6) */
	tm_conn_opts co6 = *co;
	if (tm_model_has_ipv6(m))
		co6.ipv6 = true;
	co = &co6;
	if (tm_conn_compute(m, co, g) != TM_OK) {
		fprintf(stderr, "trustmap: connectivity computation failed\n");
		return EXIT_USAGE;
	}
	if (c->verbosity >= 0)
		cli_print_diags_from(m, before);
	tm_mtls_evidence ev;
	memset(&ev, 0, sizeof ev);
	if (nflows) {
		int frc = load_flows(*g, flows, nflows, c, &ev);
		if (frc != EXIT_OK) {
			tm_mtls_evidence_release(&ev);
			return frc;
		}
	}
	tm_err e = tm_check_all_ev(*g, *z, nflows ? &ev : NULL, out);
	tm_mtls_evidence_release(&ev);
	if (e != TM_OK) {
		fprintf(stderr, "trustmap: check failed\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	cli_common c;
	cli_parser p;
	tm_conn_opts co;
	tm_findings_render_opts ro = {0};
	const char *zones = NULL;
	const char **flows = NULL;
	size_t nflows = 0;
	int id, r;
	const char *arg;
	char cwd[PATH_MAX];
	cli_common_init(&c);
	tm_conn_opts_default(&co);
	cli_parser_init(&p, argc, argv);
	while ((r = cli_next(&p, opts, &c, &id, &arg)) == 0) {
		switch (id) {
		case -12:
			fputs(help, stdout);
			free(c.paths);
			free(flows);
			return EXIT_OK;
		case OPT_ZONES: zones = arg; break;
		case OPT_FAIL_ON:
			if (!tm_severity_parse(arg, &ro.fail_on)) {
				free(c.paths);
				free(flows);
				return cli_usage_error("check", "--fail-on wants info, low, medium, high or critical, got '%s'", arg);
			}
			ro.has_fail_on = true;
			break;
		case OPT_IPBLOCK_PODS: co.ipblock_matches_pods = true; break;
		case OPT_FLOWS:
			flows = tm_xrealloc(flows, (nflows + 1) * sizeof *flows);
			flows[nflows++] = arg;
			break;
		}
	}
	if (r < 0) {
		free(c.paths);
		free(flows);
		return EXIT_USAGE;
	}
	if (!c.npaths) {
		free(c.paths);
		free(flows);
		return cli_usage_error("check", "no PATH given");
	}
	const tm_findings_renderer *rd = tm_findings_renderer_find(c.format ? c.format : "txt");
	if (!rd) {
		free(c.paths);
		free(flows);
		return cli_usage_error("check", "unknown format '%s' (%s)", c.format, tm_findings_renderer_names());
	}
	ro.zones = zones;
	ro.base_dir = getcwd(cwd, sizeof cwd) ? cwd : NULL;
	tm_model *m = tm_model_new();
	tm_findings f;
	tm_findings_init(&f);
	tm_graph *g = NULL;
	tm_zones *z = NULL;
	int rc = cli_check_run_flows(m, &c, &co, zones, flows, nflows, &g, &z, &f);
	if (rc == EXIT_OK) {
		FILE *out = cli_open_output(&c);
		if (!out)
			rc = EXIT_USAGE;
		else {
			if (rd->render(&f, &ro, out) != TM_OK)
				rc = EXIT_USAGE;
			if (!cli_close_output(&c, out, rc == EXIT_OK))
				rc = EXIT_USAGE;
		}
		if (rc == EXIT_OK && ro.has_fail_on && tm_findings_any_at_least(&f, ro.fail_on))
			rc = EXIT_FINDINGS;
	}
	tm_findings_release(&f);
	tm_zones_free(z);
	tm_graph_free(g);
	tm_model_free(m);
	free(c.paths);
	free(flows);
	return rc;
}
