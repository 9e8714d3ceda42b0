/* cli.h - the thin command line: option parsing shared by commands. Only
 * cli/ exits, reads the environment, checks isatty or prints progress. */
#ifndef TM_CLI_H
#define TM_CLI_H

#include "model/model.h"
#include "ingest/ingest.h"
#include "analyzer/conn.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

typedef struct cli_common {
	const char *output;   /* -o FILE */
	const char *format;   /* --format */
	int verbosity;        /* -q = -1, -v = 1 */
	tm_load_opts load;
	const char **paths;
	size_t npaths;
} cli_common;

typedef struct cli_opt {
	const char *long_name;
	char short_name;
	bool has_arg;
	int id;
} cli_opt;

/* Parses argv after the command name. Common options are handled; command
 * options (from opts) are returned one at a time through id and arg. Returns
 * 0 on an option, 1 at the end, -1 on error (message printed). */
typedef struct cli_parser {
	int argc, i;
	char **argv;
	bool only_paths;
} cli_parser;

void cli_parser_init(cli_parser *p, int argc, char **argv);
int cli_next(cli_parser *p, const cli_opt *opts, cli_common *c, int *id, const char **arg);

void cli_common_init(cli_common *c);
/* -o FILE (or stdout): written to a temporary file and renamed over FILE by
 * cli_close_output() when complete is true and every write succeeded
 * (returns that); otherwise the temporary file is removed. */
FILE *cli_open_output(const cli_common *c);
bool cli_close_output(const cli_common *c, FILE *f, bool complete);
/* Called by main() with the command's exit status: when it is 2 (usage or
 * input error), -o FILE is removed if it is a regular file, so that no
 * report from an earlier run survives a failed one. */
void cli_exit(int rc);
/* Load every path into m; prints diagnostics; returns exit code (0 or 2). */
int cli_load(tm_model *m, const cli_common *c);
void cli_print_diags(const tm_model *m, const cli_common *c);
/* Print the diagnostics added since index first (after a load step). */
void cli_print_diags_from(const tm_model *m, size_t first);
/* The same for any list (a graph's g->diags). */
void cli_print_diag_list(const tm_diags *d, size_t first);
/* Load every path into a new *m, fold pods into their own endpoints with
 * pods, let IPv6 ipBlocks make IPv6 endpoints with ipv6_auto, and compute
 * *g, printing the diagnostics of each step. Returns EXIT_OK or EXIT_USAGE;
 * the caller frees *m and *g (either may be set on failure). */
int cli_conn_graph(const cli_common *c, tm_conn_opts *co, bool pods, bool ipv6_auto, tm_model **m, tm_graph **g);
/* The endpoint spec names (src: the source side of an IP range), or -1
 * with the library's message (no match, or the candidates) on stderr
 * naming cmd. */
long cli_find_endpoint(const tm_graph *g, const char *cmd, const char *spec, bool src);
int cli_usage_error(const char *cmd, const char *fmt, ...) TM_PRINTF(2, 3);
bool cli_parse_size(const char *s, size_t *out);

int cmd_inventory(int argc, char **argv);
int cmd_conn(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_reach(int argc, char **argv);

#endif
