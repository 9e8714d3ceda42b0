/* cmd_flows.c - `trustmap flows`: connections observed in captures. */
#include "cli/cli.h"
#include "ingest/readers.h"
#include "render/flows.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: trustmap flows --pcap FILE... [options]\n\n"
	"Reads pcap/pcapng captures and prints one record per connection (sorted by first-seen\n"
	"time, then 5-tuple), with the application protocol detected by content and, for TLS,\n"
	"version, SNI, ALPN, cipher, server certificate and whether the client presented a\n"
	"certificate (mutual TLS). Fields: docs/flows.md.\n\n"
	"  --pcap FILE          a capture (pcap or pcapng); repeatable; - for standard input\n"
	"                       (captures may also be given as plain arguments)\n"
	"  -f, --format txt|json|csv   output format (default txt)\n"
	"  --stats              print packet, flow and skipped/malformed-input counters on stderr\n"
	"  --flow-table N       flows tracked at once (default 1048576); new flows beyond are dropped\n"
	"  --max-flows N        flow records kept in total (default 16777216)\n"
	"  --idle-timeout SEC   a flow idle this long (capture time) is closed (default 300)\n"
	"  (and the options of every command: trustmap --help)\n\n"
	"Exit status: 0 ok (also when a capture is truncated: a warning is printed),\n"
	"2 when an input is not a usable capture or on usage errors.\n";

enum { OPT_PCAP = 1, OPT_STATS, OPT_TABLE, OPT_MAXFLOWS, OPT_IDLE };

static const cli_opt opts[] = {
	{"pcap", 0, true, OPT_PCAP},
	{"stats", 0, false, OPT_STATS},
	{"flow-table", 0, true, OPT_TABLE},
	{"max-flows", 0, true, OPT_MAXFLOWS},
	{"idle-timeout", 0, true, OPT_IDLE},
	{NULL, 0, false, 0},
};

static void progress(void *ctx, uint64_t packets, uint64_t flows)
{
	(void)ctx;
	fprintf(stderr, "\rtrustmap flows: %llu packets, %llu flows", (unsigned long long)packets,
		(unsigned long long)flows);
	fflush(stderr);
}

int cmd_flows(int argc, char **argv)
{
	cli_common c;
	cli_parser p;
	tm_pcap_opts po;
	const char **pcaps = NULL;
	size_t npcaps = 0, sz;
	bool stats = false;
	int id, r, rc = EXIT_OK;
	const char *arg;
	tm_flowset *fs = NULL;
	tm_capture *cap = NULL;
	cli_common_init(&c);
	tm_pcap_opts_default(&po);
	cli_parser_init(&p, argc, argv);
	while ((r = cli_next(&p, opts, &c, &id, &arg)) == 0) {
		switch (id) {
		case -12:
			fputs(help, stdout);
			goto out;
		case OPT_PCAP:
			pcaps = tm_xrealloc(pcaps, (npcaps + 1) * sizeof *pcaps);
			pcaps[npcaps++] = arg;
			break;
		case OPT_STATS: stats = true; break;
		case OPT_TABLE: case OPT_MAXFLOWS: case OPT_IDLE:
			if (!cli_parse_size(arg, &sz) || sz == 0) {
				rc = cli_usage_error("flows", "option --%s needs a positive number",
						     id == OPT_TABLE ? "flow-table" : id == OPT_MAXFLOWS ? "max-flows" : "idle-timeout");
				goto out;
			}
			if (sz > 0xffffffffu) {
				rc = cli_usage_error("flows", "option --%s: %s is too large (at most 4294967295)",
						     id == OPT_TABLE ? "flow-table" : id == OPT_MAXFLOWS ? "max-flows" : "idle-timeout",
						     arg);
				goto out;
			}
			if (id == OPT_TABLE) po.max_active = sz;
			if (id == OPT_MAXFLOWS) po.max_flows = sz;
			if (id == OPT_IDLE) po.idle_timeout = (uint32_t)sz;
			break;
		}
	}
	if (r < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < c.npaths; i++) {
		pcaps = tm_xrealloc(pcaps, (npcaps + 1) * sizeof *pcaps);
		pcaps[npcaps++] = c.paths[i];
	}
	if (!npcaps) {
		rc = cli_usage_error("flows", "no capture given (--pcap FILE)");
		goto out;
	}
	const tm_flows_renderer *rd = tm_flows_renderer_find(c.format ? c.format : "txt");
	if (!rd) {
		rc = cli_usage_error("flows", "unknown format '%s' (%s)", c.format, tm_flows_renderer_names());
		goto out;
	}
	fs = tm_flowset_new();
	cap = fs ? tm_capture_new(fs, &po) : NULL;
	if (!cap) {
		fprintf(stderr, "trustmap flows: out of memory\n");
		rc = EXIT_USAGE;
		goto out;
	}
	bool tty = isatty(2);
	if (tty && c.verbosity >= 0)
		tm_capture_set_progress(cap, progress, NULL);
	for (size_t i = 0; i < npcaps; i++)
		if (tm_load_flows_path(cap, pcaps[i]) != TM_OK)
			rc = EXIT_USAGE;
	if (tty && c.verbosity >= 0 && cap->stats.packets >= (1u << 20))
		fputs("\r\033[K", stderr);
	tm_capture_finish(cap);
	tm_diags_print(&fs->diags, stderr, c.verbosity < 0 ? TM_DIAG_ERROR : TM_DIAG_WARN);
	if (rc == EXIT_OK) {
		FILE *f = cli_open_output(&c);
		if (!f)
			rc = EXIT_USAGE;
		else {
			if (rd->render(fs, f) != TM_OK)
				rc = EXIT_USAGE;
			if (!cli_close_output(&c, f, rc == EXIT_OK))
				rc = EXIT_USAGE;
		}
	}
	if (stats)
		tm_render_flows_stats(fs, stderr);
out:
	tm_capture_free(cap);
	tm_flowset_free(fs);
	free(pcaps);
	free(c.paths);
	return rc;
}
