/* complete.c - `trustmap __complete WHAT [ARGS]`: what the shell completion
 * scripts (completion/) offer, listed from the same tables as --help, so
 * that a new command, option or format is completed without a change to
 * the scripts. Hidden: not in the command table, not in --help.
 *
 *   __complete commands            NAME<TAB>summary, one per line
 *   __complete options CMD         --name, -x, then <TAB>ARG (empty for a flag)
 *   __complete formats CMD         one format per line
 *   __complete endpoints PATH...   ns/name of every workload the manifests declare */
#include "cli/cli.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int list_commands(void)
{
	static const char *const names[] = {"inventory", "conn", "graph", "reach", "explain",
					    "check", "diff", "flows", "snapshot"};
	for (size_t i = 0; i < TM_ARRAY_LEN(names); i++) {
		const cli_command *c = cli_command_find(names[i]);
		if (c)
			printf("%s\t%s\n", c->name, c->summary);
	}
	return EXIT_OK;
}

static int list_options(const cli_command *c)
{
	size_t n;
	const cli_option *o = cli_options(&n);
	for (size_t i = 0; i < n; i++) {
		if (!(o[i].cmds & c->bit))
			continue;
		printf("--%s\t%s\n", o[i].name, o[i].arg ? o[i].arg : "");
		if (o[i].short_name)
			printf("-%c\t%s\n", o[i].short_name, o[i].arg ? o[i].arg : "");
	}
	return EXIT_OK;
}

static int list_formats(const cli_command *c)
{
	const char *f = c->formats ? c->formats() : NULL;
	for (const char *p = f; p && *p;) {
		size_t n = strcspn(p, "|");
		printf("%.*s\n", (int)n, p);
		p += n + (p[n] == '|');
	}
	return EXIT_OK;
}

static int list_endpoints(int argc, char **argv)
{
	cli_args a;
	cli_args_init(&a, cli_command_find("inventory"));
	a.verbosity = -1;
	a.load.skip_invalid = true;
	a.paths = (const char **)argv;
	a.npaths = (size_t)argc;
	tm_request rq;
	cli_request(&a, &rq);
	tm_result r = {0};
	/* completion prints no diagnostics: standard error to /dev/null */
	fflush(stderr);
	int saved = dup(2), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && null >= 0)
		dup2(null, 2);
	(void)cli_run(&a, &rq, &r);
	fflush(stderr);
	if (saved >= 0 && null >= 0)
		dup2(saved, 2);
	if (saved >= 0)
		close(saved);
	if (null >= 0)
		close(null);
	for (size_t i = 0; r.m && i < r.m->nworkloads; i++)
		printf("%s/%s\n", r.m->workloads[i]->ns, r.m->workloads[i]->name);
	tm_result_release(&r);
	a.paths = NULL;
	cli_args_release(&a);
	return EXIT_OK;
}

int cli_complete(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "commands"))
		return list_commands();
	if (argc >= 2 && !strcmp(argv[1], "endpoints"))
		return list_endpoints(argc - 2, argv + 2);
	const cli_command *c = argc >= 3 ? cli_command_find(argv[2]) : NULL;
	if (c && !strcmp(argv[1], "options"))
		return list_options(c);
	if (c && !strcmp(argv[1], "formats"))
		return list_formats(c);
	fputs("usage: trustmap __complete commands | options CMD | formats CMD | endpoints PATH...\n", stderr);
	return EXIT_USAGE;
}
