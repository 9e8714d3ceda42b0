/* options.c - every option of every command in one table (curl's
 * tool_getparam.c idea): the parser, each command's --help and the main
 * usage are generated from it, so an option means and is spelled the same in
 * every command that takes it. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

/* The help column: option names left, text from column HELP_COL. */
#define HELP_COL 28

/* the commands that judge mesh mTLS posture, and inventory's mesh census */
#define CMD_MESH (CMD_INVENTORY | CMD_CONN | CMD_GRAPH | CMD_CHECK | CMD_REPORT | CMD_DIFF)

static const cli_option options[] = {
	/* -- every command -- */
	{OPT_OUTPUT, "output", 'o', "FILE", CMD_ALL,
	 "write the result to FILE (default: standard output); FILE is\n"
	 "replaced only by a complete result and removed when the\n"
	 "command fails (exit 2), so no earlier report survives"},
	{OPT_FORMAT, "format", 'f', "FMT", CMD_ALL, "output format (see the command's --help)"},
	{OPT_QUIET, "quiet", 'q', NULL, CMD_ALL, "print errors only"},
	{OPT_VERBOSE, "verbose", 'v', NULL, CMD_ALL, "print informational messages too"},
	{OPT_SKIP_INVALID, "skip-invalid", 0, NULL, CMD_ALL & ~CMD_FLOWS,
	 "report invalid files and objects as warnings and go on"},
	{OPT_MAX_DEPTH, "max-depth", 0, "N", CMD_ALL & ~CMD_FLOWS, "input limits (docs/limits.md): nesting depth"},
	{OPT_MAX_NODES, "max-nodes", 0, "N", CMD_ALL & ~CMD_FLOWS, "... YAML/JSON nodes per object (a document or a List item)"},
	{OPT_MAX_ALIAS_NODES, "max-alias-nodes", 0, "N", CMD_ALL & ~CMD_FLOWS, "... nodes made by YAML aliases per file (or the text's own, if more)"},
	{OPT_MAX_FILE_SIZE, "max-file-size", 0, "BYTES", CMD_ALL & ~CMD_FLOWS, "... bytes per file"},
	{OPT_MAX_OBJECTS, "max-objects", 0, "N", CMD_ALL & ~CMD_FLOWS, "... objects in one run"},
	{OPT_MAX_LABELS, "max-labels", 0, "N", CMD_ALL & ~CMD_FLOWS, "... labels per object"},
	{OPT_MAX_LABEL_LENGTH, "max-label-length", 0, "BYTES", CMD_ALL & ~CMD_FLOWS, "... bytes of a label key or value"},
	{OPT_PATH_NAMESPACE, "namespace", 'n', "NS", CMD_ALL,
	 "the namespace of objects without metadata.namespace in\n"
	 "the PATHs that follow, up to the next -n (kubectl apply\n"
	 "-n NS -f PATH); one naming another is an error (default:\n"
	 "default)"},
	{OPT_HELP, "help", 'h', NULL, CMD_ALL, "help for the command"},
	/* -- connectivity: how endpoints and ipBlocks are read -- */
	{OPT_GRANULARITY, "granularity", 0, "workload|pod", CMD_CONN | CMD_GRAPH | CMD_REACH,
	 "endpoints are workloads (default, as NPA) or Pod objects"},
	{OPT_IPBLOCK_PODS, "ipblock-matches-pods", 0, NULL, CMD_GRAPHS,
	 "ipBlocks also match pods by status.podIP(s) (Calico behaviour)"},
	{OPT_IPV6, "ipv6", 0, NULL, CMD_GRAPHS,
	 "IPv6 ranges that IPv6 ipBlocks/networks carve out are endpoints;\n"
	 "conn and graph list them only with --ipv6 (as NPA), the other\n"
	 "commands whenever the policies name IPv6 blocks"},
	/* -- narrowing conn and graph -- */
	{OPT_FOCUS, "focus", 0, "ENDPOINT[,...]", CMD_CONN | CMD_GRAPH,
	 "only connections from or to ENDPOINT (ns/name, ns/name[Kind], a\n"
	 "workload or pod name, ns/pod, ns/*, an IP address or\n"
	 "ingress-controller); repeatable"},
	{OPT_FOCUS_PEER, "focus-peer", 0, "ENDPOINT[,...]", CMD_CONN | CMD_GRAPH,
	 "... and with one of these at the other end"},
	{OPT_FOCUS_DIRECTION, "focus-direction", 0, "egress|ingress", CMD_CONN | CMD_GRAPH,
	 "only connections leaving (egress) or entering the focus"},
	{OPT_PORT, "port", 0, "[PROTO/]PORT", CMD_CONN | CMD_GRAPH | CMD_EXPLAIN,
	 "only this port: TCP/443, udp-53, sctp:9000 or 8080 (TCP);\n"
	 "conn and graph list the connections that allow it, without\n"
	 "their conns (NPA's --focus-conn)"},
	{OPT_FOCUS_CONN, "focus-conn", 0, "[PROTO/]PORT", CMD_CONN | CMD_GRAPH | CMD_EXPLAIN, "the same as --port"},
	{OPT_MAX_DRAW_EDGES, "max-draw-edges", 0, "N", CMD_CONN | CMD_GRAPH,
	 "refuse to draw (svg, png) more connections than N (default\n"
	 "500: dot takes minutes past a few hundred; narrow with --focus)"},
	/* -- graph -- */
	{OPT_LEVEL, "level", 0, "namespace|workload|pod", CMD_GRAPH,
	 "what a node is (default: workload, or namespace when more than\n"
	 "60 workloads or 150 edges would be drawn); pod: one per Pod object"},
	{OPT_ZONE, "zone", 0, "ZONE", CMD_GRAPH, "only what is in ZONE or connects to it (a zone of --zones, or internet)"},
	/* -- reach -- */
	{OPT_HOPS, "hops", 0, "N", CMD_REACH | CMD_REPORT, "how far to look (default 3, at most 1000)"},
	{OPT_REVERSE, "reverse", 0, NULL, CMD_REACH,
	 "the endpoint is the target: who can reach it, and in how many\n"
	 "hops (internet-exposed sources first)"},
	{OPT_TO, "to", 0, "ZONE|ENDPOINT", CMD_REACH, "only the paths that end in this zone or endpoint"},
	{OPT_AVOID, "avoid", 0, "ENDPOINT[,...]", CMD_REACH,
	 "paths that do not pivot through ENDPOINT (a shared DNS or\n"
	 "monitoring workload): it is reached, not passed; repeatable"},
	{OPT_NETWORK_ONLY, "network-only", 0, NULL, CMD_REACH,
	 "only network hops: no escapes to nodes and no node hops"},
	/* -- check and diff -- */
	{OPT_ZONES, "zones", 0, "FILE", CMD_CHECK | CMD_DIFF | CMD_REACH | CMD_GRAPH | CMD_REPORT,
	 "zones and rules (docs/zones.md; default: built-in zones pci,\n"
	 "frontend, trustmap.io/zone labels, internet)"},
	{OPT_FAIL_ON, "fail-on", 0, "SEVERITY", CMD_CHECK | CMD_DIFF,
	 "exit 1 when a finding (diff: a new finding) that is not\n"
	 "suppressed has this severity or above: info, low, medium,\n"
	 "high, critical"},
	{OPT_MAX_ROWS, "max-rows", 0, "N", CMD_CHECK | CMD_DIFF | CMD_REPORT,
	 "Markdown (--format md): at most N rows per table (default: as\n"
	 "many as fit in a 65,536-character pull-request comment, which\n"
	 "the output never exceeds); the rest are counted"},
	/* -- observed traffic -- */
	{OPT_PCAP, "pcap", 0, "FILE", CMD_FLOWS | CMD_CHECK | CMD_CONN | CMD_GRAPH | CMD_REACH | CMD_REPORT,
	 "observed traffic: a capture (pcap or pcapng; - for standard\n"
	 "input); repeatable"},
	{OPT_FLOWS, "flows", 0, "FILE", CMD_FLOWS | CMD_CHECK | CMD_CONN | CMD_GRAPH | CMD_REACH | CMD_REPORT, "the same as --pcap"},
	{OPT_HUBBLE, "hubble", 0, "FILE", CMD_FLOWS | CMD_CHECK | CMD_CONN | CMD_GRAPH | CMD_REACH | CMD_REPORT,
	 "observed traffic: Hubble flows as JSON lines (hubble observe\n"
	 "-o json, the flow exporter; - for standard input); repeatable"},
	{OPT_ZEEK, "zeek", 0, "DIR|FILE", CMD_FLOWS | CMD_CHECK | CMD_CONN | CMD_GRAPH | CMD_REACH | CMD_REPORT,
	 "observed traffic: Zeek conn.log and ssl.log (a directory that\n"
	 "holds them, or a log file; TSV or JSON lines); repeatable"},
	{OPT_IP_MAP, "ip-map", 0, "FILE", CMD_FLOWS | CMD_CHECK | CMD_CONN | CMD_GRAPH | CMD_REACH | CMD_REPORT,
	 "addresses for manifests without them: kubectl get pods -A -o\n"
	 "wide, kubectl get pods,svc -A -o json, or lines \"IP ns/workload\""},
	{OPT_OBSERVED, "observed", 0, NULL, CMD_CONN,
	 "with observed traffic: every connection allowed or observed,\n"
	 "marked allowed, observed or both (txt, json)"},
	{OPT_STATS, "stats", 0, NULL, CMD_FLOWS, "print packet, flow and skipped/malformed-input counters on stderr"},
	{OPT_FLOW_TABLE, "flow-table", 0, "N", CMD_FLOWS | CMD_CHECK | CMD_GRAPH | CMD_REPORT,
	 "flows tracked at once (default 1048576); new flows beyond are dropped"},
	{OPT_MAX_FLOWS, "max-flows", 0, "N", CMD_FLOWS | CMD_CHECK | CMD_GRAPH | CMD_REPORT, "flow records kept in total (default 16777216)"},
	{OPT_IDLE_TIMEOUT, "idle-timeout", 0, "SEC", CMD_FLOWS | CMD_CHECK | CMD_GRAPH | CMD_REPORT,
	 "a flow idle this long (capture time) is closed (default 300)"},
	/* -- mesh mTLS posture (docs/semantics.md "Mesh mTLS posture"); the
	 * defaults give way to the install's ConfigMaps when they are in the input -- */
	{OPT_SHOW_MTLS, "show-mtls", 0, NULL, CMD_CONN | CMD_GRAPH,
	 "the mesh protection of each connection (txt, json): mtls,\n"
	 "mtls-permissive, plaintext, rejected or unknown, per port subset"},
	{OPT_ISTIO_ROOT_NS, "istio-root-namespace", 0, "NS", CMD_MESH, "Istio's root namespace (default istio-system)"},
	{OPT_ISTIO_TRUST_DOMAIN, "istio-trust-domain", 0, "TD", CMD_MESH, "Istio's trust domain (default cluster.local)"},
	{OPT_ISTIO_AUTO_MTLS, "istio-auto-mtls", 0, "on|off", CMD_MESH, "Istio enableAutoMtls (default on)"},
	{OPT_ISTIO_INJECT_POLICY, "istio-inject-policy", 0, "enabled|disabled", CMD_MESH,
	 "the sidecar injector's default policy (default enabled)"},
	{OPT_ISTIO_NS_BY_DEFAULT, "istio-namespaces-by-default", 0, "on|off", CMD_MESH,
	 "sidecarInjectorWebhook.enableNamespacesByDefault (default off)"},
	{OPT_ISTIO_AMBIENT, "istio-ambient", 0, "yes|no|unknown", CMD_MESH,
	 "istio-cni runs with ambient enabled (default unknown: yes when\n"
	 "a ztunnel DaemonSet is in the input)"},
	{OPT_LINKERD_NS, "linkerd-namespace", 0, "NS", CMD_MESH, "Linkerd's control-plane namespace (default linkerd)"},
	{OPT_LINKERD_TRUST_DOMAIN, "linkerd-trust-domain", 0, "TD", CMD_MESH, "Linkerd's trust domain (default cluster.local)"},
	{OPT_LINKERD_POLICY, "linkerd-default-inbound-policy", 0, "POLICY", CMD_MESH,
	 "the cluster's default inbound policy (default all-unauthenticated)"},
	{OPT_LINKERD_OPAQUE_PORTS, "linkerd-opaque-ports", 0, "PORTS", CMD_MESH,
	 "Linkerd's default opaque ports (default\n"
	 "25,587,3306,4444,5432,6379,9300,11211; they stay mTLS)"},
	{OPT_LINKERD_SKIP_PORTS, "linkerd-skip-ports", 0, "PORTS", CMD_MESH,
	 "ports every Linkerd proxy skips, inbound and outbound (default\n"
	 "4567,4568)"},
	{OPT_CILIUM_ENCRYPTION, "cilium-encryption", 0, "unknown|none|wireguard|ipsec|ztunnel", CMD_MESH,
	 "Cilium's transparent encryption (default unknown: what the\n"
	 "input's cilium-config says)"},
	{OPT_CILIUM_MUTUAL_AUTH, "cilium-mutual-auth", 0, "unknown|on|off", CMD_MESH,
	 "Cilium's mutual authentication (SPIRE) is on (default unknown:\n"
	 "what the input's cilium-config says)"},
	/* -- flows --merge and snapshot (issue 18: keep these rows together) -- */
	{OPT_MERGE, "merge", 0, NULL, CMD_FLOWS,
	 "the inputs are `trustmap flows -f json` outputs (one per node\n"
	 "or capture file): one set, each connection once (docs/flows.md)"},
	{OPT_OUTPUT_DIR, "output", 'o', "DIR", CMD_SNAPSHOT,
	 "the snapshot directory: made when complete (an earlier\n"
	 "snapshot there is replaced), never left half-written"},
	{OPT_CONTEXT, "context", 0, "NAME", CMD_SNAPSHOT, "the kubeconfig context (default: kubectl's current context)"},
	{OPT_NAMESPACE, "namespace", 'n', "NS[,...]", CMD_SNAPSHOT,
	 "only these namespaces (cluster-scoped kinds are taken whole);\n"
	 "repeatable; default: all namespaces"},
	{OPT_MAX_FILE_SIZE, "max-file-size", 0, "BYTES", CMD_SNAPSHOT,
	 "refuse a kind whose JSON is larger (default 268435456, the\n"
	 "limit the other commands read files with)"},
	{OPT_QUIET, "quiet", 'q', NULL, CMD_SNAPSHOT, "print errors only"},
	{OPT_VERBOSE, "verbose", 'v', NULL, CMD_SNAPSHOT, "print each kubectl command too"},
	{OPT_HELP, "help", 'h', NULL, CMD_SNAPSHOT, "help for the command"},
};

const cli_option *cli_options(size_t *n)
{
	*n = TM_ARRAY_LEN(options);
	return options;
}

void cli_args_init(cli_args *a, const cli_command *cmd)
{
	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	tm_load_opts_default(&a->load);
	tm_conn_opts_default(&a->conn);
	tm_pcap_opts_default(&a->pcap);
	a->hops = 3;
	a->max_draw = 500;
	a->fdir = TM_FOCUS_BOTH;
}

void cli_args_release(cli_args *a)
{
	free(a->paths);
	free(a->path_ns);
	free(a->focus);
	free(a->peers);
	free(a->pcaps);
	free(a->hubble);
	free(a->zeek);
	free(a->ip_maps);
	free(a->namespaces);
	free(a->avoid);
	memset(a, 0, sizeof *a);
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = tm_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

/* "a,b" appended to a list of names (owned by argv) */
static void push_names(const char ***v, size_t *n, char *s)
{
	for (;;) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = 0;
		if (*s)
			push(v, n, s);
		if (!comma)
			break;
		s = comma + 1;
	}
}

static const cli_option *find_long(const char *name, size_t n, unsigned cmd)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(options); i++)
		if ((options[i].cmds & cmd) && strlen(options[i].name) == n && !strncmp(options[i].name, name, n))
			return &options[i];
	return NULL;
}

static const cli_option *find_short(char c, unsigned cmd)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(options); i++)
		if ((options[i].cmds & cmd) && options[i].short_name == c)
			return &options[i];
	return NULL;
}

/* a namespace name: a DNS-1123 label (1-63 of [a-z0-9-], alphanumeric at both ends) */
static bool dns_label(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* One option with its value; returns 0, or EXIT_USAGE (message printed). */
static int apply(cli_args *a, const cli_option *o, const char *as, char *val)
{
	const char *cmd = a->cmd->name;
	size_t sz = 0;
	switch (o->id) {
	case OPT_OUTPUT:
		a->output = val;
		cli_output_path(val);
		break;
	case OPT_FORMAT: a->format = val; break;
	case OPT_QUIET: a->verbosity = -1; break;
	case OPT_VERBOSE: a->verbosity = 1; break;
	case OPT_SKIP_INVALID: a->load.skip_invalid = true; break;
	case OPT_HELP: a->help = true; break;
	case OPT_MAX_DEPTH: case OPT_MAX_NODES: case OPT_MAX_ALIAS_NODES: case OPT_MAX_FILE_SIZE:
	case OPT_MAX_OBJECTS: case OPT_MAX_LABELS: case OPT_MAX_LABEL_LENGTH:
		if (!cli_parse_size(val, &sz) || sz == 0)
			return cli_usage_error(cmd, "option '%s' needs a positive number", as);
		switch (o->id) {
		case OPT_MAX_DEPTH: a->load.limits.max_depth = (unsigned)(sz > 100000 ? 100000 : sz); break;
		case OPT_MAX_NODES: a->load.limits.max_nodes = sz; break;
		case OPT_MAX_ALIAS_NODES: a->load.limits.max_alias_nodes = sz; break;
		case OPT_MAX_FILE_SIZE: a->load.limits.max_file_bytes = sz; break;
		case OPT_MAX_OBJECTS: a->load.max_objects = sz; break;
		case OPT_MAX_LABELS: a->load.max_labels = sz; break;
		default: a->load.max_label_len = sz; break;
		}
		break;
	case OPT_GRANULARITY:
		if (!strcmp(val, "pod"))
			a->pods = true;
		else if (!strcmp(val, "workload"))
			a->pods = false;
		else
			return cli_usage_error(cmd, "--granularity is workload or pod, not '%s'", val);
		break;
	case OPT_IPBLOCK_PODS: a->conn.ipblock_matches_pods = true; break;
	case OPT_IPV6: a->conn.ipv6 = true; break;
	case OPT_FOCUS: push_names(&a->focus, &a->nfocus, val); break;
	case OPT_FOCUS_PEER: push_names(&a->peers, &a->npeers, val); break;
	case OPT_FOCUS_DIRECTION:
		if (!strcmp(val, "egress"))
			a->fdir = TM_FOCUS_EGRESS;
		else if (!strcmp(val, "ingress"))
			a->fdir = TM_FOCUS_INGRESS;
		else
			return cli_usage_error(cmd, "--focus-direction is ingress or egress, not '%s'", val);
		break;
	case OPT_PORT: case OPT_FOCUS_CONN:
		if (!tm_port_spec_parse(val, &a->port_proto, &a->port))
			return cli_usage_error(cmd, "%s wants [PROTO/]PORT such as TCP/443, udp-53 or 8080, not '%s'", as,
					       val);
		a->has_port = true;
		break;
	case OPT_MAX_DRAW_EDGES:
		if (!cli_parse_size(val, &a->max_draw) || !a->max_draw)
			return cli_usage_error(cmd, "option --max-draw-edges needs a positive number");
		break;
	case OPT_HOPS:
		if (!cli_parse_size(val, &a->hops) || a->hops < 1 || a->hops > 1000)
			return cli_usage_error(cmd, "--hops wants a number from 1 to 1000, not '%s'", val);
		break;
	case OPT_REVERSE: a->reverse = true; break;
	case OPT_TO: a->to = val; break;
	case OPT_AVOID: push_names(&a->avoid, &a->navoid, val); break;
	case OPT_NETWORK_ONLY: a->network_only = true; break;
	case OPT_ZONES: a->zones = val; break;
	case OPT_LEVEL:
		if (!tm_level_parse(val, &a->level) || a->level == TM_LEVEL_AUTO)
			return cli_usage_error(cmd, "--level is namespace, workload or pod, not '%s'", val);
		a->pods = a->level == TM_LEVEL_POD;
		break;
	case OPT_ZONE: a->zone = val; break;
	case OPT_FAIL_ON:
		if (!tm_severity_parse(val, &a->fail_on))
			return cli_usage_error(cmd, "--fail-on wants info, low, medium, high or critical, got '%s'", val);
		a->has_fail_on = true;
		break;
	case OPT_MAX_ROWS:
		if (!cli_parse_size(val, &a->max_rows) || !a->max_rows)
			return cli_usage_error(cmd, "option --max-rows needs a positive number");
		break;
	case OPT_PCAP: case OPT_FLOWS: push(&a->pcaps, &a->npcaps, val); break;
	case OPT_HUBBLE: push(&a->hubble, &a->nhubble, val); break;
	case OPT_ZEEK: push(&a->zeek, &a->nzeek, val); break;
	case OPT_IP_MAP: push(&a->ip_maps, &a->nip_maps, val); break;
	case OPT_OBSERVED: a->observed = true; break;
	case OPT_SHOW_MTLS: a->show_mtls = true; break;
	case OPT_ISTIO_ROOT_NS: a->mesh.istio_root_ns = val; break;
	case OPT_ISTIO_TRUST_DOMAIN: a->mesh.istio_trust_domain = val; break;
	case OPT_LINKERD_NS: a->mesh.linkerd_ns = val; break;
	case OPT_LINKERD_TRUST_DOMAIN: a->mesh.linkerd_trust_domain = val; break;
	case OPT_LINKERD_OPAQUE_PORTS: a->mesh.linkerd_opaque_ports = val; break;
	case OPT_LINKERD_SKIP_PORTS: a->mesh.linkerd_skip_ports = val; break;
	case OPT_LINKERD_POLICY:
		if (strcmp(val, "all-unauthenticated") && strcmp(val, "cluster-unauthenticated") && strcmp(val, "all-authenticated") &&
		    strcmp(val, "cluster-authenticated") && strcmp(val, "audit") && strcmp(val, "deny"))
			return cli_usage_error(cmd, "%s wants all-unauthenticated, cluster-unauthenticated, all-authenticated, "
					       "cluster-authenticated, audit or deny, not '%s'", as, val);
		a->mesh.linkerd_default_policy = val;
		break;
	case OPT_ISTIO_AUTO_MTLS: case OPT_ISTIO_INJECT_POLICY: case OPT_ISTIO_NS_BY_DEFAULT: case OPT_ISTIO_AMBIENT: {
		bool yes = !strcmp(val, "on") || !strcmp(val, "yes") || !strcmp(val, "enabled");
		bool no = !strcmp(val, "off") || !strcmp(val, "no") || !strcmp(val, "disabled");
		if (!yes && !no && !(o->id == OPT_ISTIO_AMBIENT && !strcmp(val, "unknown")))
			return cli_usage_error(cmd, "%s wants %s, not '%s'", as, o->arg, val);
		tm_tri t = yes ? TM_TRI_YES : no ? TM_TRI_NO : TM_TRI_UNKNOWN;
		if (o->id == OPT_ISTIO_AUTO_MTLS)
			a->mesh.istio_auto_mtls = t;
		else if (o->id == OPT_ISTIO_INJECT_POLICY)
			a->mesh.istio_inject_enabled = t;
		else if (o->id == OPT_ISTIO_NS_BY_DEFAULT)
			a->mesh.istio_ns_by_default = t;
		else
			a->mesh.istio_ambient = t;
		break;
	}
	case OPT_CILIUM_ENCRYPTION: {
		static const char *const names[] = {"unknown", "none", "wireguard", "ipsec", "ztunnel"};
		size_t i = 0;
		while (i < TM_ARRAY_LEN(names) && strcmp(val, names[i]))
			i++;
		if (i == TM_ARRAY_LEN(names))
			return cli_usage_error(cmd, "%s wants unknown, none, wireguard, ipsec or ztunnel, not '%s'", as, val);
		a->mesh.cilium_encryption = (tm_cilium_enc)i;
		break;
	}
	case OPT_CILIUM_MUTUAL_AUTH:
		if (strcmp(val, "on") && strcmp(val, "off") && strcmp(val, "unknown"))
			return cli_usage_error(cmd, "%s wants unknown, on or off, not '%s'", as, val);
		a->mesh.cilium_mutual_auth = !strcmp(val, "on") ? TM_TRI_YES : !strcmp(val, "off") ? TM_TRI_NO : TM_TRI_UNKNOWN;
		break;
	case OPT_STATS: a->stats = true; break;
	case OPT_MERGE: a->merge = true; break;
	case OPT_OUTPUT_DIR: a->outdir = val; break;
	case OPT_CONTEXT: a->context = val; break;
	case OPT_NAMESPACE: push_names(&a->namespaces, &a->nnamespaces, val); break;
	case OPT_PATH_NAMESPACE:
		if (!dns_label(val))
			return cli_usage_error(cmd, "%s wants a namespace name (a DNS-1123 label), not '%s'", as, val);
		a->cur_ns = val;
		break;
	case OPT_FLOW_TABLE: case OPT_MAX_FLOWS: case OPT_IDLE_TIMEOUT:
		if (!cli_parse_size(val, &sz) || sz == 0)
			return cli_usage_error(cmd, "option --%s needs a positive number", o->name);
		if (sz > 0xffffffffu)
			return cli_usage_error(cmd, "option --%s: %s is too large (at most 4294967295)", o->name, val);
		if (o->id == OPT_FLOW_TABLE)
			a->pcap.max_active = sz;
		else if (o->id == OPT_MAX_FLOWS)
			a->pcap.max_flows = sz;
		else
			a->pcap.idle_timeout = (uint32_t)sz;
		break;
	}
	return 0;
}

int cli_parse(cli_args *a, int argc, char **argv)
{
	const char *cmd = a->cmd->name;
	bool only_paths = false;
	for (int i = 1; i < argc; i++) {
		char *s = argv[i];
		if (only_paths || s[0] != '-' || !strcmp(s, "-")) {
			size_t n = a->npaths;
			push(&a->path_ns, &n, a->cur_ns);
			push(&a->paths, &a->npaths, s);
			continue;
		}
		if (!strcmp(s, "--")) {
			only_paths = true;
			continue;
		}
		const cli_option *o;
		char *val = NULL;
		if (s[1] == '-') {
			char *eq = strchr(s + 2, '=');
			o = find_long(s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2), a->cmd->bit);
			if (eq)
				val = eq + 1;
		} else {
			o = find_short(s[1], a->cmd->bit);
			if (o && s[2])
				val = s + 2; /* -oFILE; "-qv" takes no value */
		}
		if (!o)
			return cli_usage_error(cmd, "unknown option '%s'", s);
		if (o->arg && !val) {
			if (i + 1 >= argc)
				return cli_usage_error(cmd, "option '%s' needs a value", s);
			val = argv[++i];
		} else if (!o->arg && val)
			return cli_usage_error(cmd, "option '%s' takes no value", s);
		int rc = apply(a, o, s, val);
		if (rc)
			return rc;
		if (a->help)
			return 0;
	}
	return 0;
}

/* "  -f, --format FMT" padded to HELP_COL, then the help text with its
 * continuation lines indented to the same column. */
static void print_option(FILE *f, const cli_option *o, const char *arg, const char *text)
{
	char head[96];
	int n = snprintf(head, sizeof head, "  %s%c%s--%s%s%s", o->short_name ? "-" : "", o->short_name ? o->short_name : ' ',
			 o->short_name ? ", " : "", o->name, arg ? " " : "", arg ? arg : "");
	if (!o->short_name) /* no short form: "  --name" */
		n = snprintf(head, sizeof head, "  --%s%s%s", o->name, arg ? " " : "", arg ? arg : "");
	fputs(head, f);
	if (n >= HELP_COL - 1)
		fprintf(f, "\n%*s", HELP_COL, "");
	else
		fprintf(f, "%*s", HELP_COL - n, "");
	for (const char *p = text; *p; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fprintf(f, "%*s", HELP_COL, "");
	}
	fputc('\n', f);
}

static bool is_common(const cli_option *o)
{
	return o->cmds == CMD_ALL || o->cmds == (CMD_ALL & ~CMD_FLOWS);
}

void cli_help(FILE *f, const cli_command *c)
{
	fprintf(f, "usage: trustmap %s\n\n%s\n", c->usage, c->description);
	const char *formats = c->formats ? c->formats() : NULL;
	for (size_t i = 0; i < TM_ARRAY_LEN(options); i++) {
		const cli_option *o = &options[i];
		if (!(o->cmds & c->bit))
			continue;
		if (o->id == OPT_FORMAT && formats) {
			/* "txt|json|csv" -> "output format: txt (default), json, csv" */
			tm_buf b;
			tm_buf_init(&b, 1024);
			(void)tm_buf_adds(&b, "output format:");
			for (const char *p = formats; *p;) {
				size_t n = strcspn(p, "|");
				(void)tm_buf_addf(&b, "%s %.*s%s", p == formats ? "" : ",", (int)n, p,
						  strlen(c->default_format) == n && !strncmp(p, c->default_format, n) ? " (default)" : "");
				p += n + (p[n] == '|');
			}
			print_option(f, o, o->arg, tm_buf_str(&b));
			tm_buf_release(&b);
			continue;
		}
		if (is_common(o))
			continue;
		print_option(f, o, o->arg, o->help);
	}
	if (c->bit & CMD_ALL)
		fputs("  (and the options of every command: trustmap --help)\n", f);
	if (c->epilog)
		fprintf(f, "\n%s", c->epilog);
}

void cli_help_common(FILE *f)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(options); i++)
		if (is_common(&options[i]))
			print_option(f, &options[i], options[i].arg, options[i].help);
}

int cli_start(cli_args *a, const cli_command *cmd, int argc, char **argv)
{
	cli_args_init(a, cmd);
	int rc = cli_parse(a, argc, argv);
	if (rc)
		return rc;
	if (a->help) {
		cli_help(stdout, cmd);
		return -1;
	}
	return 0;
}
