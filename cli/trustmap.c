/* trustmap.c - the command table and main(). Each command's --help is made
 * from its row here and the option table (cli/options.c). */
#include "cli/cli.h"

#include <string.h>

static const char *fmt_inventory(void) { return tm_renderer_formats(TM_SUBJECT_INVENTORY); }
static const char *fmt_conn(void) { return tm_renderer_formats(TM_SUBJECT_CONN); }
static const char *fmt_reach(void) { return tm_renderer_formats(TM_SUBJECT_REACH); }
static const char *fmt_explain(void) { return tm_renderer_formats(TM_SUBJECT_EXPLAIN); }
static const char *fmt_findings(void) { return tm_renderer_formats(TM_SUBJECT_FINDINGS); }
static const char *fmt_diff(void) { return tm_renderer_formats(TM_SUBJECT_DIFF); }
static const char *fmt_flows(void) { return tm_renderer_formats(TM_SUBJECT_FLOWS); }
static const char *fmt_graph(void) { return tm_renderer_formats(TM_SUBJECT_GRAPH); }
static const char *fmt_report(void) { return tm_renderer_formats(TM_SUBJECT_REPORT); }

static const cli_command commands[] = {
	{"inventory", CMD_INVENTORY, cmd_inventory,
	 "list what the manifests declare: namespaces, workloads, services, policies",
	 "inventory [options] PATH...",
	 "Lists what the manifests declare: namespaces with labels, workloads with kinds and\n"
	 "pod counts, services, NetworkPolicies, AdminNetworkPolicies, exposure (Ingress,\n"
	 "HTTPRoute, Route) and the kinds read but not analysed, with counts. When the input\n"
	 "holds a service mesh (Istio, Linkerd, Cilium) or a mesh option is given, a mesh\n"
	 "census follows: the assumptions in force and their source, which namespaces and\n"
	 "workloads are in which mesh and why, which are kept out, and the mesh policy\n"
	 "objects counted by kind (docs/semantics.md \"Mesh census\").\n",
	 NULL, "txt", fmt_inventory},
	{"conn", CMD_CONN, cmd_conn, "allowed connections between workloads and IP ranges (NPA-compatible)",
	 "conn [options] PATH...",
	 "Computes, for every ordered pair of workloads and of the IP ranges that the policies'\n"
	 "ipBlocks carve the address space into, the exact set of allowed connections under\n"
	 "NetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy. The text output is\n"
	 "line-for-line that of np-guard's netpol-analyzer (docs/semantics.md); svg and png draw\n"
	 "its dot output (NPA's layout; `trustmap graph` draws the annotated diagram).\n",
	 NULL, "txt", fmt_conn},
	{"graph", CMD_GRAPH, cmd_graph, "draw the connectivity graph with zones and findings (SVG, PNG or DOT)",
	 "graph [options] PATH...",
	 "Draws the connectivity graph that `trustmap conn` computes, annotated for a reviewer:\n"
	 "namespaces as boxes tinted by trust zone (--zones, as check), workloads shaped by kind,\n"
	 "the internet, IP ranges and the ingress controller as nodes of their own, edges labelled\n"
	 "with their ports, red with the rule's name where a zone rule or check is broken, coloured\n"
	 "by protection (mTLS proven by --pcap captures, plaintext) and bold where also observed;\n"
	 "a title and a legend. Large graphs are drawn per namespace (--level), groups where every\n"
	 "workload reaches every workload are one edge, --focus is highlighted, --zone filters.\n"
	 "Rendered by Graphviz (dot). Without -f, -o x.png, x.svg or x.dot says the format; png\n"
	 "needs -o FILE or a redirect.\n",
	 NULL, "svg", fmt_graph},
	{"reach", CMD_REACH, cmd_reach, "lateral movement: what a compromised workload can reach in 1..N hops",
	 "reach [options] SRC PATH...",
	 "If SRC is compromised, what can it reach? Breadth-first over the allowed connections\n"
	 "that `trustmap conn` computes: every endpoint reachable within --hops hops, with the\n"
	 "first shortest path (in name order) and the connections allowed on its last hop. IP\n"
	 "ranges outside the cluster are end points of paths, not stepping stones.\n"
	 "SRC is ns/name, ns/name[Kind], a workload or pod name, a pod IP, or another IP address\n"
	 "(the range holding it; IPv6 too when the policies name IPv6 blocks).\n",
	 NULL, "txt", fmt_reach},
	{"explain", CMD_EXPLAIN, cmd_explain, "which policy rules allow or deny the connections between two endpoints",
	 "explain [options] SRC DST PATH...",
	 "Explains the connections from SRC to DST: for each port range, the policy rules\n"
	 "(policy, rule index, file:line:column) that allow, deny or pass it on the egress side\n"
	 "of SRC and the ingress side of DST, and where a default applies instead.\n"
	 "SRC and DST are ns/name, ns/name[Kind], a workload or pod name, or an IP address\n"
	 "(IPv6 too when the policies name IPv6 blocks).\n",
	 NULL, "txt", fmt_explain},
	{"check", CMD_CHECK, cmd_check, "trust zone rules and built-in checks: findings as txt, json, sarif or md",
	 "check [options] PATH...",
	 "Checks the manifests against trust zones and boundary rules (--zones, docs/zones.md)\n"
	 "and the built-in checks TM101..TM142 (docs/checks.md). Each finding names its rule,\n"
	 "severity, the endpoints and connections involved, the file:line:column of the policy\n"
	 "rules that allow it, and a fix. Objects annotated trustmap.io/ignore: \"RULE,...: reason\"\n"
	 "have their findings reported as suppressed. With --pcap, connections captured with a\n"
	 "client certificate or a mesh's mTLS satisfy require-mtls rules (pod IPs, status.podIP,\n"
	 "map captures to workloads).\n",
	 "Exit status: 0 no finding at or above --fail-on (or no --fail-on), 1 there is one,\n"
	 "2 usage or input error (including a bad zones file or capture).\n",
	 "txt", fmt_findings},
	{"diff", CMD_DIFF, cmd_diff, "connections and findings added and removed between two versions",
	 "diff [options] OLD NEW",
	 "Compares two versions of the manifests (files or directories): connections added,\n"
	 "removed and changed per pair (the format of np-guard's netpol-analyzer diff, with\n"
	 "dir1 = OLD and dir2 = NEW), then the findings of `trustmap check` that are new in\n"
	 "NEW and those fixed. When either version holds mesh objects (or a mesh option is\n"
	 "given), the mesh protection of the connections both allow is compared too: each\n"
	 "weakening is a new finding TM126. The Markdown output is ready to post as a\n"
	 "pull-request comment.\n",
	 NULL, "txt", fmt_diff},
	{"report", CMD_REPORT, cmd_report, "a self-contained HTML (or Markdown) report to hand on: findings, zones, diagrams",
	 "report [options] PATH... -o report.html|report.md",
	 "Writes one report of the analysis: what was analysed and every assumption (zones and\n"
	 "their members, kinds not analysed, namespaces without Namespace objects, missing DNS\n"
	 "pods), summary counts, the findings of `trustmap check` by severity with file:line and\n"
	 "fix, a zone x zone matrix (allowed, on which ports, protected, observed), observed versus\n"
	 "allowed traffic with --pcap, lateral movement from internet-exposed workloads (--hops),\n"
	 "and the diagrams: namespaces, then the workloads of each zone. HTML is one file with\n"
	 "inline CSS and SVG and no external reference; Markdown fits a pull-request comment.\n"
	 "Without -f, -o x.html or x.md says the format.\n",
	 "Exit status: 0 written (findings do not change it), 2 usage or input error.\n",
	 "html", fmt_report},
	{"flows", CMD_FLOWS, cmd_flows, "connections observed in pcap/pcapng captures, with TLS and mutual-TLS facts",
	 "flows --pcap FILE... [options]",
	 "Reads pcap/pcapng captures and prints one record per connection (sorted by first-seen\n"
	 "time, then 5-tuple), with the application protocol detected by content and, for TLS,\n"
	 "version, SNI, ALPN, cipher, server certificate and whether the client presented a\n"
	 "certificate (mutual TLS). Captures may also be given as plain arguments. Fields:\n"
	 "docs/flows.md.\n",
	 "Exit status: 0 ok (also when a capture is truncated: a warning is printed),\n"
	 "2 when an input is not a usable capture or on usage errors.\n",
	 "txt", fmt_flows},
	{"snapshot", CMD_SNAPSHOT, cmd_snapshot, "take the cluster's objects through kubectl into a directory for offline use",
	 "snapshot -o DIR [--context NAME] [--namespace NS]... [options]",
	 "Runs kubectl (found on PATH): `kubectl api-resources`, then `kubectl get -o json` for\n"
	 "namespaces, pods, controllers, services, endpoint slices, ingresses, routes,\n"
	 "NetworkPolicies, AdminNetworkPolicies, and the Istio, Linkerd and Cilium kinds that\n"
	 "the cluster serves (the others are skipped). Writes one JSON file per kind and\n"
	 "snapshot.manifest (what was taken, from which context, when) into DIR, which every\n"
	 "other command reads offline: trustmap check DIR.\n",
	 "Exit status: 0 ok, 2 when kubectl fails (its message is printed: no context,\n"
	 "forbidden, ...) or on usage errors; DIR is then not written.\n",
	 NULL, NULL},
};

const cli_command *cli_command_find(const char *name)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fputs("usage: trustmap <command> [options] PATH...\n\n"
	      "Maps the trust boundaries of a Kubernetes cluster from its manifests.\n\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < TM_ARRAY_LEN(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nOptions for every command:\n", f);
	cli_help_common(f);
	fputs("\nPATH is a file, a directory (read recursively: *.yaml *.yml *.json) or - for stdin.\n"
	      "Exit status: 0 ok, 1 findings at or above --fail-on, 2 usage or input error.\n"
	      "trustmap --version prints the version. See trustmap(1).\n", f);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : argc > 0 ? argv[0] : "";
	if (!strcmp(base, "kubectl-trustmap"))
		return cli_plugin_main(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "__complete"))
		return cli_complete(argc - 1, argv + 1);
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
	const cli_command *c = cli_command_find(argv[1]);
	if (c) {
		int rc = c->fn(argc - 1, argv + 1);
		cli_exit(rc);
		return rc;
	}
	fprintf(stderr, "trustmap: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
