/* cmd_flows.c - `trustmap flows`: connections observed in captures, Hubble
 * exports and Zeek logs; with manifests (PATH), mapped onto their workloads. */
#include "cli/cli.h"

#include <string.h>
#include "render/flows.h"
#include "ingest/flowjson/flowjson.h"

int cmd_flows(int argc, char **argv)
{
	cli_args a;
	tm_result r = {0};
	tm_request rq;
	int rc = cli_start(&a, cli_command_find("flows"), argc, argv);
	const tm_renderer *rd = NULL;
	if (rc)
		goto out;
	/* a plain argument that is a capture or a flow summary (every one with
	 * --merge) stays observed traffic (as before); any other is a manifest
	 * path */
	size_t k = 0;
	for (size_t i = 0; i < a.npaths; i++) {
		if (a.merge || tm_path_is_capture(a.paths[i]) || tm_flowjson_sniff_file(a.paths[i])) {
			a.pcaps = tm_xrealloc(a.pcaps, (a.npcaps + 1) * sizeof *a.pcaps);
			a.pcaps[a.npcaps++] = a.paths[i];
		} else {
			a.path_ns[k] = a.path_ns[i];
			a.paths[k++] = a.paths[i];
		}
	}
	a.npaths = k;
	if (!a.npcaps && !a.nhubble && !a.nzeek) {
		rc = cli_usage_error("flows", k ? "no observed traffic given (--pcap FILE, --hubble FILE, --zeek DIR)"
					      : "no capture given (--pcap FILE)");
		goto out;
	}
	if (a.nip_maps && !a.npaths) {
		rc = cli_usage_error("flows", "--ip-map maps addresses onto manifests: give them as PATH");
		goto out;
	}
	/* --merge: every input is a summary of an earlier run (a capture given
	 * by mistake would otherwise be read as one) */
	for (size_t i = 0; a.merge && i < a.npcaps; i++)
		if (!tm_flowjson_sniff_file(a.pcaps[i])) {
			rc = cli_usage_error("flows", "--merge: %s is not the output of trustmap flows -f json%s", a.pcaps[i],
					     strcmp(a.pcaps[i], "-") ? "" : " (summaries are read from files)");
			goto out;
		}
	if (!(rd = cli_renderer(&a, TM_SUBJECT_FLOWS, a.format))) {
		rc = EXIT_USAGE;
		goto out;
	}
	cli_request(&a, &rq);
	rq.graph = a.npaths > 0;
	rc = cli_run(&a, &rq, &r);
	if (rc == EXIT_OK) {
		tm_render_in in;
		cli_render_in(&r, &in);
		rc = cli_write(&a, rd, &in);
	}
	if (a.stats && r.flows)
		tm_render_flows_stats(r.flows, stderr);
	tm_result_release(&r);
out:
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}
