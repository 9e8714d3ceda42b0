/* trustmap.c - the command table and main(). */
#include "cli/cli.h"

#include <string.h>

typedef struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
	{"inventory", cmd_inventory, "list what the manifests declare: namespaces, workloads, services, policies"},
	{"conn", cmd_conn, "allowed connections between workloads and IP ranges (NPA-compatible)"},
	{"graph", cmd_graph, "draw the connectivity graph (SVG, PNG or DOT through Graphviz)"},
	{"reach", cmd_reach, "lateral movement: what a compromised workload can reach in 1..N hops"},
	{"explain", cmd_explain, "which policy rules allow or deny the connections between two endpoints"},
	{"check", cmd_check, "trust zone rules and built-in checks: findings as txt, json, sarif or md"},
	{"diff", cmd_diff, "connections and findings added and removed between two versions"},
	{"flows", cmd_flows, "connections observed in pcap/pcapng captures, with TLS and mutual-TLS facts"},
};

static void usage(FILE *f)
{
	fputs("usage: trustmap <command> [options] PATH...\n\n"
	      "Maps the trust boundaries of a Kubernetes cluster from its manifests.\n\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < TM_ARRAY_LEN(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nOptions for every command:\n"
	      "  -o, --output FILE   write the result to FILE (default: standard output); FILE is\n"
	      "                      replaced only by a complete result and removed when the\n"
	      "                      command fails (exit 2), so no earlier report survives\n"
	      "  -f, --format FMT    output format (see the command's --help)\n"
	      "  -q, --quiet         print errors only\n"
	      "  -v, --verbose       print informational messages too\n"
	      "  --skip-invalid      report invalid files and objects as warnings and go on\n"
	      "  --max-depth N, --max-nodes N, --max-alias-nodes N, --max-file-size BYTES,\n"
	      "  --max-objects N, --max-labels N, --max-label-length BYTES   input limits (docs/limits.md)\n"
	      "  -h, --help          help for the command\n\n"
	      "PATH is a file, a directory (read recursively: *.yaml *.yml *.json) or - for stdin.\n"
	      "Exit status: 0 ok, 1 findings at or above --fail-on, 2 usage or input error.\n"
	      "trustmap --version prints the version. See trustmap(1).\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("trustmap %s\n", TM_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < TM_ARRAY_LEN(commands); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			int rc = commands[i].fn(argc - 1, argv + 1);
			cli_exit(rc);
			return rc;
		}
	fprintf(stderr, "trustmap: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
