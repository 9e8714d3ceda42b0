/* common.c - options every command shares, loading, diagnostics. */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* -o FILE: the report is written to a temporary file beside FILE and
 * renamed over it only when complete, so that a reader never sees half a
 * report; when the command fails (exit 2), FILE is removed, so that an old
 * report cannot pass for the answer to this run (cli_exit). Device files,
 * FIFOs and the like are written in place and never removed. */
static struct {
	const char *path;             /* -o as parsed; NULL or "-" for stdout */
	char tmp[4096];               /* the temporary file ... */
	volatile sig_atomic_t tmp_live; /* ... while it exists (read by the signal handler) */
	bool in_place;
} outfile;

void cli_common_init(cli_common *c)
{
	memset(c, 0, sizeof *c);
	tm_load_opts_default(&c->load);
}

void cli_parser_init(cli_parser *p, int argc, char **argv)
{
	p->argc = argc;
	p->argv = argv;
	p->i = 0;
	p->only_paths = false;
}

bool cli_parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return false;
	*out = (size_t)v;
	return true;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "trustmap %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'trustmap %s --help'.\n", cmd);
	return EXIT_USAGE;
}

static const cli_opt common_opts[] = {
	{"output", 'o', true, -1},
	{"format", 'f', true, -2},
	{"quiet", 'q', false, -3},
	{"verbose", 'v', false, -4},
	{"skip-invalid", 0, false, -5},
	{"max-depth", 0, true, -6},
	{"max-nodes", 0, true, -7},
	{"max-alias-nodes", 0, true, -8},
	{"max-file-size", 0, true, -9},
	{"max-objects", 0, true, -10},
	{"max-labels", 0, true, -11},
	{"max-label-length", 0, true, -13},
	{"help", 'h', false, -12},
	{NULL, 0, false, 0},
};

static void add_path(cli_common *c, const char *p)
{
	c->paths = tm_xrealloc(c->paths, (c->npaths + 1) * sizeof(char *));
	c->paths[c->npaths++] = p;
}

static const cli_opt *find_opt(const cli_opt *opts, const char *lng, char shrt)
{
	for (const cli_opt *o = opts; o && o->long_name; o++)
		if ((lng && !strcmp(o->long_name, lng)) || (!lng && shrt && o->short_name == shrt))
			return o;
	return NULL;
}

int cli_next(cli_parser *p, const cli_opt *opts, cli_common *c, int *id, const char **arg)
{
	const char *cmd = p->argv[0];
	while (++p->i < p->argc) {
		const char *a = p->argv[p->i];
		if (p->only_paths || a[0] != '-' || !strcmp(a, "-")) {
			add_path(c, a);
			continue;
		}
		if (!strcmp(a, "--")) {
			p->only_paths = true;
			continue;
		}
		const cli_opt *o = NULL;
		const char *val = NULL;
		char name[64];
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (n >= sizeof name)
				n = sizeof name - 1;
			memcpy(name, a + 2, n);
			name[n] = 0;
			o = find_opt(opts, name, 0);
			if (!o)
				o = find_opt(common_opts, name, 0);
			if (eq)
				val = eq + 1;
		} else {
			snprintf(name, sizeof name, "%c", a[1]);
			o = find_opt(opts, NULL, a[1]);
			if (!o)
				o = find_opt(common_opts, NULL, a[1]);
			if (o && a[2])
				val = a + 2;
			else if (!o || a[2]) {
				cli_usage_error(cmd, "unknown option '%s'", a);
				return -1;
			}
		}
		if (!o) {
			cli_usage_error(cmd, "unknown option '%s'", a);
			return -1;
		}
		if (o->has_arg && !val) {
			if (p->i + 1 >= p->argc) {
				cli_usage_error(cmd, "option '%s' needs a value", a);
				return -1;
			}
			val = p->argv[++p->i];
		} else if (!o->has_arg && val) {
			cli_usage_error(cmd, "option '%s' takes no value", a);
			return -1;
		}
		size_t sz = 0;
		switch (o->id) {
		case -1: c->output = outfile.path = val; break;
		case -2: c->format = val; break;
		case -3: c->verbosity = -1; break;
		case -4: c->verbosity = 1; break;
		case -5: c->load.skip_invalid = true; break;
		case -6: case -7: case -8: case -9: case -10: case -11: case -13:
			if (!cli_parse_size(val, &sz) || sz == 0) {
				cli_usage_error(cmd, "option '%s' needs a positive number", a);
				return -1;
			}
			if (o->id == -6) c->load.limits.max_depth = (unsigned)(sz > 100000 ? 100000 : sz);
			if (o->id == -7) c->load.limits.max_nodes = sz;
			if (o->id == -8) c->load.limits.max_alias_nodes = sz;
			if (o->id == -9) c->load.limits.max_file_bytes = sz;
			if (o->id == -10) c->load.max_objects = sz;
			if (o->id == -11) c->load.max_labels = sz;
			if (o->id == -13) c->load.max_label_len = sz;
			break;
		default:
			*id = o->id;
			*arg = val;
			return 0;
		}
	}
	return 1;
}

/* Interrupted (Ctrl-C, timeout's SIGTERM) while the temporary file is
 * written: remove it, then die of the signal as we would have. */
static void on_fatal_signal(int sig)
{
	if (outfile.tmp_live)
		unlink(outfile.tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard_tmp(void)
{
	outfile.tmp_live = 1;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

FILE *cli_open_output(const cli_common *c)
{
	if (!c->output || !strcmp(c->output, "-"))
		return stdout;
	struct stat st;
	bool exists = stat(c->output, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		outfile.in_place = true;
		FILE *f = fopen(c->output, "w");
		if (!f)
			fprintf(stderr, "trustmap: cannot write %s: %s\n", c->output, strerror(errno));
		return f;
	}
	int fd = -1;
	if ((size_t)snprintf(outfile.tmp, sizeof outfile.tmp, "%s.tmp-XXXXXX", c->output) >= sizeof outfile.tmp)
		errno = ENAMETOOLONG;
	else
		fd = mkstemp(outfile.tmp);
	if (fd < 0) {
		fprintf(stderr, "trustmap: cannot write %s: %s\n", c->output, strerror(errno));
		return NULL;
	}
	/* the mode a plain fopen() would give, or the old file's */
	mode_t um = umask(0);
	umask(um);
	if (fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~um) != 0) {
		/* not fatal: the report is still written */
	}
	guard_tmp();
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(outfile.tmp);
		outfile.tmp_live = 0;
	}
	return f;
}

bool cli_close_output(const cli_common *c, FILE *f, bool complete)
{
	(void)c;
	if (!f)
		return false;
	if (f == stdout) {
		bool ok = fflush(f) == 0 && !ferror(f);
		if (!ok && complete)
			fprintf(stderr, "trustmap: cannot write the output: %s\n", strerror(errno));
		return ok && complete;
	}
	bool ok = !ferror(f);
	if (fclose(f) != 0)
		ok = false;
	if (!ok && complete)
		fprintf(stderr, "trustmap: cannot write %s: %s\n", outfile.path, strerror(errno));
	if (outfile.tmp_live) {
		if (ok && complete && rename(outfile.tmp, outfile.path) != 0) {
			fprintf(stderr, "trustmap: cannot write %s: %s\n", outfile.path, strerror(errno));
			ok = false;
		}
		if (!ok || !complete)
			unlink(outfile.tmp);
		outfile.tmp_live = 0;
	}
	return ok && complete;
}

void cli_exit(int rc)
{
	const char *path = outfile.path;
	struct stat st;
	if (rc != EXIT_USAGE || !path || !strcmp(path, "-") || outfile.in_place)
		return;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
		fprintf(stderr, "trustmap: removed %s: a failed run leaves no report\n", path);
}

void cli_print_diags(const tm_model *m, const cli_common *c)
{
	if (c->verbosity < 0) {
		tm_diags_print(&m->diags, stderr, TM_DIAG_ERROR);
		return;
	}
	tm_diags_print(&m->diags, stderr, c->verbosity > 0 ? TM_DIAG_INFO : TM_DIAG_WARN);
	if (m->nignored && c->verbosity >= 0) {
		size_t n = 0;
		for (size_t i = 0; i < m->nignored; i++)
			n += m->ignored[i].count;
		fprintf(stderr, "trustmap: warning: %zu object%s of kinds not analysed:", n, n == 1 ? "" : "s");
		for (size_t i = 0; i < m->nignored; i++)
			fprintf(stderr, "%s %s (%zu)", i ? "," : "", m->ignored[i].kind, m->ignored[i].count);
		fputc('\n', stderr);
	}
}

int cli_load(tm_model *m, const cli_common *c)
{
	tm_err rc = TM_OK;
	for (size_t i = 0; i < c->npaths; i++) {
		tm_err r = tm_load_path(m, c->paths[i], &c->load);
		if (r != TM_OK && rc == TM_OK)
			rc = r;
	}
	tm_load_finish(m, &c->load);
	/* a job pointed at the wrong (or a not yet generated) directory must not
	 * pass --fail-on: no manifest file at all is an input error; files
	 * without objects are said, not silently zero (NPA says the same) */
	if (rc == TM_OK && m->files_read == 0) {
		tm_buf b;
		tm_buf_init(&b, 0);
		for (size_t i = 0; i < c->npaths; i++)
			tm_buf_addf(&b, "%s%s", i ? ", " : "", c->paths[i]);
		tm_diags_add(&m->diags, TM_DIAG_ERROR, (tm_srcloc){0}, "no manifest file (*.yaml, *.yml, *.json) in %s",
			     tm_buf_str(&b));
		tm_buf_release(&b);
		rc = TM_ERR_IO;
	} else if (rc == TM_OK && m->objects_read == 0)
		tm_diags_add(&m->diags, TM_DIAG_WARN, (tm_srcloc){0}, "no Kubernetes objects in the input: nothing to analyse");
	else if (rc == TM_OK && m->nworkloads == 0)
		tm_diags_add(&m->diags, TM_DIAG_WARN, (tm_srcloc){0},
			     "no workloads (Pods or their controllers) in the input: no connections to compute");
	cli_print_diags(m, c);
	if (rc != TM_OK) {
		if (!c->load.skip_invalid && (rc == TM_ERR_SYNTAX || rc == TM_ERR_INVALID))
			fprintf(stderr, "trustmap: input rejected (%s); --skip-invalid reads the rest\n", tm_err_str(rc));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

void cli_print_diag_list(const tm_diags *d, size_t first)
{
	tm_buf b;
	tm_buf_init(&b, 0);
	for (size_t i = first; i < d->n; i++) {
		tm_buf_reset(&b);
		tm_diag_format(&d->v[i], &b);
		fprintf(stderr, "trustmap: %s\n", tm_buf_str(&b));
	}
	tm_buf_release(&b);
}

void cli_print_diags_from(const tm_model *m, size_t first)
{
	cli_print_diag_list(&m->diags, first);
}

int cli_conn_graph(const cli_common *c, tm_conn_opts *co, bool pods, bool ipv6_auto, tm_model **m, tm_graph **g)
{
	*g = NULL;
	*m = tm_model_new();
	int rc = cli_load(*m, c);
	if (rc != EXIT_OK)
		return rc;
	if (pods)
		co->granularity = TM_GRAN_POD;
	/* a model with IPv6 ipBlocks has IPv6 endpoints: reach, explain and
	 * check name them (conn keeps NPA's IPv4-only default unless --ipv6) */
	if (ipv6_auto && tm_model_has_ipv6(*m))
		co->ipv6 = true;
	tm_err e = tm_conn_compute(*m, co, g);
	if (c->verbosity >= 0 && *g)
		cli_print_diag_list(&(*g)->diags, 0);
	if (e != TM_OK || !*g) {
		fprintf(stderr, "trustmap: connectivity computation failed\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

long cli_find_endpoint(const tm_graph *g, const char *cmd, const char *spec, bool src)
{
	tm_buf err;
	tm_buf_init(&err, 0);
	long i = tm_graph_resolve_one(g, spec, src ? TM_SIDE_SRC : TM_SIDE_DST, &err);
	if (i < 0)
		fprintf(stderr, "trustmap %s: %s\n", cmd, tm_buf_str(&err));
	tm_buf_release(&err);
	return i;
}
