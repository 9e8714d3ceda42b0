/* cli.h - the thin command line: one option table (cli/options.c), one
 * command table (cli/trustmap.c); each cmd_<name>.c turns parsed options
 * into a pipeline request (pipeline/pipeline.h), runs it, hands the result
 * to a renderer and picks the exit code. Only cli/ exits, reads the
 * environment, checks isatty or prints. */
#ifndef TM_CLI_H
#define TM_CLI_H

#include "pipeline/pipeline.h"
#include "render/render.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

/* One bit per command: an option row lists the commands that take it. */
enum {
	CMD_INVENTORY = 1u << 0,
	CMD_CONN = 1u << 1,
	CMD_GRAPH = 1u << 2,
	CMD_REACH = 1u << 3,
	CMD_EXPLAIN = 1u << 4,
	CMD_CHECK = 1u << 5,
	CMD_DIFF = 1u << 6,
	CMD_FLOWS = 1u << 7,
	CMD_REPORT = 1u << 8,
	CMD_ALL = (1u << 9) - 1,
	/* not in CMD_ALL: reads no manifests, so takes none of their options */
	CMD_SNAPSHOT = 1u << 9,
	/* the commands that compute connectivity */
	CMD_GRAPHS = CMD_CONN | CMD_GRAPH | CMD_REACH | CMD_EXPLAIN | CMD_CHECK | CMD_DIFF | CMD_REPORT,
};

typedef enum {
	OPT_OUTPUT, OPT_FORMAT, OPT_QUIET, OPT_VERBOSE, OPT_SKIP_INVALID, OPT_MAX_DEPTH, OPT_MAX_NODES,
	OPT_MAX_ALIAS_NODES, OPT_MAX_FILE_SIZE, OPT_MAX_OBJECTS, OPT_MAX_LABELS, OPT_MAX_LABEL_LENGTH, OPT_HELP,
	OPT_GRANULARITY, OPT_IPBLOCK_PODS, OPT_IPV6, OPT_FOCUS, OPT_FOCUS_PEER, OPT_FOCUS_DIRECTION, OPT_PORT,
	OPT_FOCUS_CONN, OPT_MAX_DRAW_EDGES, OPT_HOPS, OPT_ZONES, OPT_FAIL_ON, OPT_PCAP, OPT_FLOWS, OPT_STATS,
	OPT_FLOW_TABLE, OPT_MAX_FLOWS, OPT_IDLE_TIMEOUT, OPT_MAX_ROWS, OPT_LEVEL, OPT_ZONE, OPT_HUBBLE, OPT_ZEEK, OPT_IP_MAP, OPT_OBSERVED,
	OPT_SHOW_MTLS, OPT_ISTIO_ROOT_NS, OPT_ISTIO_TRUST_DOMAIN, OPT_ISTIO_AUTO_MTLS, OPT_ISTIO_INJECT_POLICY,
	OPT_ISTIO_NS_BY_DEFAULT, OPT_ISTIO_AMBIENT, OPT_LINKERD_NS, OPT_LINKERD_TRUST_DOMAIN, OPT_LINKERD_POLICY,
	OPT_LINKERD_OPAQUE_PORTS, OPT_LINKERD_SKIP_PORTS, OPT_CILIUM_ENCRYPTION, OPT_CILIUM_MUTUAL_AUTH,
	OPT_OUTPUT_DIR, OPT_CONTEXT, OPT_NAMESPACE, OPT_PATH_NAMESPACE, OPT_MERGE,
	OPT_REVERSE, OPT_TO, OPT_AVOID, OPT_NETWORK_ONLY,
} cli_opt_id;

typedef struct cli_option {
	cli_opt_id id;
	const char *name;  /* --name */
	char short_name;   /* -x, or 0 */
	const char *arg;   /* the value's name in --help; NULL for a flag */
	unsigned cmds;     /* CMD_* bits of the commands that take it */
	const char *help;  /* lines after the first are indented by cli_help */
} cli_option;

typedef struct cli_command {
	const char *name;
	unsigned bit;
	int (*fn)(int argc, char **argv);
	const char *summary;     /* one line for `trustmap --help` */
	const char *usage;       /* after "usage: trustmap " */
	const char *description; /* paragraphs before the options, ending in "\n" */
	const char *epilog;      /* after the options, or NULL */
	const char *default_format;
	const char *(*formats)(void); /* "txt|json", or NULL */
} cli_command;

/* Everything any command's options can say. */
typedef struct cli_args {
	const cli_command *cmd;
	const char *output, *format;
	int verbosity;         /* -q = -1, -v = 1 */
	bool help;
	tm_load_opts load;
	const char **paths;    /* positional arguments (heap array into argv) */
	const char **path_ns;  /* per path: the -n NS before it, or NULL (parallel to paths) */
	size_t npaths;
	const char *cur_ns;    /* -n NS: the namespace of the paths that follow */
	tm_conn_opts conn;
	bool pods;             /* --granularity pod */
	const char **focus, **peers;
	size_t nfocus, npeers;
	tm_focus_dir fdir;
	bool has_port;         /* --port / --focus-conn */
	tm_proto port_proto;
	uint32_t port;
	size_t max_draw;
	size_t hops;
	bool reverse, network_only; /* reach --reverse, --network-only */
	const char *to;        /* reach --to */
	const char **avoid;    /* reach --avoid (heap array into argv) */
	size_t navoid;
	const char *zones;
	bool has_fail_on;
	tm_severity fail_on;
	size_t max_rows;       /* --max-rows: Markdown table rows (0: as many as fit) */
	tm_level level;        /* graph --level */
	const char *zone;      /* graph --zone */
	const char **pcaps;
	size_t npcaps;
	const char **hubble, **zeek, **ip_maps; /* --hubble, --zeek, --ip-map */
	size_t nhubble, nzeek, nip_maps;
	bool observed;         /* conn --observed */
	bool stats;
	tm_pcap_opts pcap;
	bool show_mtls;        /* conn/graph --show-mtls */
	tm_mesh_opts mesh;     /* the mesh assumptions (--istio-*, --linkerd-*) */
	bool merge;             /* flows --merge */
	/* snapshot */
	const char *outdir, *context;
	const char **namespaces;
	size_t nnamespaces;
} cli_args;

const cli_command *cli_command_find(const char *name);
const cli_option *cli_options(size_t *n);

void cli_args_init(cli_args *a, const cli_command *cmd);
void cli_args_release(cli_args *a);
/* Parse argv after the command name into a. Returns 0, or EXIT_USAGE with
 * the message printed. */
int cli_parse(cli_args *a, int argc, char **argv);
/* cli_args_init + cli_parse + --help: 0 to go on, -1 when help was printed
 * (exit 0), EXIT_USAGE on a usage error. */
int cli_start(cli_args *a, const cli_command *cmd, int argc, char **argv);
/* The command's --help, generated from the tables. */
void cli_help(FILE *f, const cli_command *c);
/* The options of every command, for `trustmap --help`. */
void cli_help_common(FILE *f);
int cli_usage_error(const char *cmd, const char *fmt, ...) TM_PRINTF(2, 3);
bool cli_parse_size(const char *s, size_t *out);

/* A pipeline request with what a's options say (paths, load limits,
 * connectivity options, captures). */
void cli_request(const cli_args *a, tm_request *rq);
/* Run the pipeline, printing each step's diagnostics as it ends and the
 * error of a failed step; EXIT_OK or EXIT_USAGE. */
int cli_run(const cli_args *a, const tm_request *rq, tm_result *res);

/* -o FILE (or stdout): written to a temporary file and renamed over FILE by
 * cli_close_output() when complete is true and every write succeeded
 * (returns that); otherwise the temporary file is removed. */
FILE *cli_open_output(const cli_args *a);
/* Record -o FILE as soon as it is parsed, for cli_exit(). */
void cli_output_path(const char *path);
bool cli_close_output(const cli_args *a, FILE *f, bool complete);
/* The renderer of subject s for format fmt (NULL: the command's default),
 * or NULL with the usage error printed (naming the formats there are). */
const tm_renderer *cli_renderer(const cli_args *a, tm_subject s, const char *fmt);
/* What the renderers are handed from a pipeline result. */
void cli_render_in(const tm_result *r, tm_render_in *in);
/* cli_run, then cli_write of the result with rd: the whole of a command
 * that only asks and renders. */
int cli_run_render(const cli_args *a, const tm_request *rq, const tm_renderer *rd);
/* Open -o, render, close: EXIT_OK or EXIT_USAGE. */
int cli_write(const cli_args *a, const tm_renderer *rd, const tm_render_in *in);
/* Called by main() with the command's exit status: when it is 2 (usage or
 * input error), -o FILE is removed if it is a regular file, so that no
 * report from an earlier run survives a failed one. */
void cli_exit(int rc);

/* trustmap snapshot (cli/cmd_snapshot.c), also run by the kubectl plugin */
typedef struct cli_snapshot_opts {
	const char *dir;        /* made (or an earlier snapshot replaced) only when complete */
	const char *context;    /* NULL: kubectl's current context */
	const char *const *namespaces;
	size_t nnamespaces;     /* 0: all namespaces */
	size_t max_bytes;       /* per kubectl output (file) */
	int verbosity;
	bool quiet_success;     /* no "N files from context C" line */
} cli_snapshot_opts;
int cli_snapshot(const cli_snapshot_opts *o);
/* rm -r path (no symbolic links followed); 0 or -1 */
int cli_remove_tree(const char *path);
/* `trustmap __complete ...` for the shell completion scripts (cli/complete.c) */
int cli_complete(int argc, char **argv);
/* main() when invoked as kubectl-trustmap (cli/plugin.c) */
int cli_plugin_main(int argc, char **argv);

int cmd_inventory(int argc, char **argv);
int cmd_conn(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_reach(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
