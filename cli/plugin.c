/* plugin.c - trustmap as a kubectl plugin: `make install` links
 * kubectl-trustmap to trustmap, and kubectl runs `kubectl trustmap check
 * ...` as `kubectl-trustmap check ...`. A command that reads manifests
 * runs on a snapshot of the cluster (cli_snapshot) taken into a temporary
 * directory, which is removed afterwards; --context and --namespace/-n
 * choose what is taken, as they do for kubectl. */
#include "cli/cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void plugin_usage(FILE *f)
{
	fputs("usage: kubectl trustmap <command> [--context NAME] [-n NS]... [options] [ARGS...]\n\n"
	      "Runs a trustmap command on the cluster: a snapshot of kubectl's current context (or\n"
	      "--context) is taken into a temporary directory (trustmap snapshot), the command\n"
	      "reads it as its PATH, and the directory is removed. For example:\n\n"
	      "  kubectl trustmap check --fail-on high\n"
	      "  kubectl trustmap conn -n shop -n payments\n"
	      "  kubectl trustmap explain web/storefront payments/payment-api\n"
	      "  kubectl trustmap snapshot -o DIR      (keep the snapshot; then trustmap check DIR)\n\n"
	      "Commands: inventory, conn, graph, reach, explain, check (trustmap --help).\n", f);
}

int cli_plugin_main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		plugin_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("trustmap %s\n", TM_VERSION);
		return EXIT_OK;
	}
	const cli_command *c = cli_command_find(argv[1]);
	if (c && c->bit == CMD_SNAPSHOT)
		return c->fn(argc - 1, argv + 1);
	if (!c || !(c->bit & (CMD_INVENTORY | CMD_GRAPHS)) || c->bit == CMD_DIFF) {
		fprintf(stderr, "kubectl trustmap: '%s' is not a command that reads the cluster\n\n", argv[1]);
		plugin_usage(stderr);
		return EXIT_USAGE;
	}
	/* the command's own arguments, without --context and --namespace; the
	 * snapshot's directory is appended as its PATH */
	int rc = EXIT_USAGE;
	char **args = tm_xrealloc(NULL, ((size_t)argc + 2) * sizeof *args);
	const char **ns = NULL;
	size_t nargs = 0, nns = 0;
	const char *context = NULL;
	int verbosity = 0;
	char tmpl[PATH_MAX], snapdir[PATH_MAX + 8];
	bool made = false;
	args[nargs++] = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i], *val = NULL;
		bool is_ctx = !strcmp(s, "--context") || !strncmp(s, "--context=", 10);
		bool is_ns = !strcmp(s, "-n") || !strcmp(s, "--namespace") || !strncmp(s, "--namespace=", 12);
		if (!is_ctx && !is_ns) {
			if (!strcmp(s, "-q") || !strcmp(s, "--quiet"))
				verbosity = -1;
			args[nargs++] = argv[i];
			continue;
		}
		const char *eq = strchr(s, '=');
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		if (!val || !*val) {
			fprintf(stderr, "kubectl trustmap: option '%s' needs a value\n", s);
			goto out;
		}
		if (is_ctx) {
			context = val;
		} else {
			ns = tm_xrealloc(ns, (nns + 1) * sizeof *ns);
			ns[nns++] = val;
		}
	}
	const char *tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	if ((size_t)snprintf(tmpl, sizeof tmpl, "%s/kubectl-trustmap-XXXXXX", tmpdir) >= sizeof tmpl || !mkdtemp(tmpl)) {
		fprintf(stderr, "kubectl trustmap: cannot create a temporary directory in %s\n", tmpdir);
		goto out;
	}
	made = true;
	snprintf(snapdir, sizeof snapdir, "%s/snap", tmpl);
	cli_snapshot_opts o = {snapdir, context, ns, nns, (size_t)256 << 20, verbosity < 0 ? -1 : 0, true};
	if ((rc = cli_snapshot(&o)) != EXIT_OK)
		goto out;
	args[nargs++] = snapdir;
	args[nargs] = NULL;
	rc = c->fn((int)nargs, args);
	cli_exit(rc);
out:
	if (made)
		cli_remove_tree(tmpl);
	free(args);
	free(ns);
	return rc;
}
