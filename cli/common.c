/* common.c - what every command shares: -o FILE, running the pipeline with
 * its diagnostics printed step by step, writing through a renderer. */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <time.h>
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

void cli_output_path(const char *path)
{
	outfile.path = path;
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

FILE *cli_open_output(const cli_args *c)
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

bool cli_close_output(const cli_args *c, FILE *f, bool complete)
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

static void print_diags(const tm_model *m, int verbosity)
{
	if (verbosity < 0) {
		tm_diags_print(&m->diags, stderr, TM_DIAG_ERROR);
		return;
	}
	tm_diags_print(&m->diags, stderr, verbosity > 0 ? TM_DIAG_INFO : TM_DIAG_WARN);
	/* kinds that change connections (other projects' policies), then the others */
	for (int policy = 1; policy >= 0; policy--) {
		size_t n = 0, k = 0;
		for (size_t i = 0; i < m->nignored; i++)
			if ((tm_kind_policy_project(m->ignored[i].kind) != NULL) == policy)
				n += m->ignored[i].count;
		if (!n)
			continue;
		fprintf(stderr, "trustmap: warning: %zu object%s of %skinds not analysed:", n, n == 1 ? "" : "s",
			policy ? "policy " : "");
		for (size_t i = 0; i < m->nignored; i++)
			if ((tm_kind_policy_project(m->ignored[i].kind) != NULL) == policy)
				fprintf(stderr, "%s %s (%zu)", k++ ? "," : "", m->ignored[i].kind, m->ignored[i].count);
		if (policy)
			fprintf(stderr, "; the connections %s are not in this answer",
				n == 1 ? "it allows or denies" : "they allow or deny");
		fputc('\n', stderr);
	}
}

/* The diagnostics from index first on, whatever their level. */
static void print_diags_from(const tm_diags *d, size_t first)
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

void cli_request(const cli_args *a, tm_request *rq)
{
	tm_request_init(rq);
	rq->paths = a->paths;
	rq->path_ns = a->path_ns;
	rq->npaths = a->npaths;
	rq->load = a->load;
	rq->conn = a->conn;
	rq->pods = a->pods;
	rq->focus = a->focus;
	rq->nfocus = a->nfocus;
	rq->peers = a->peers;
	rq->npeers = a->npeers;
	rq->fdir = a->fdir;
	rq->has_port = a->has_port;
	rq->port_proto = a->port_proto;
	rq->port = a->port;
	rq->zones_file = a->zones;
	rq->captures = a->pcaps;
	rq->ncaptures = a->npcaps;
	rq->hubble = a->hubble;
	rq->nhubble = a->nhubble;
	rq->zeek = a->zeek;
	rq->nzeek = a->nzeek;
	rq->ip_maps = a->ip_maps;
	rq->nip_maps = a->nip_maps;
	rq->pcap = a->pcap;
	rq->mesh = a->show_mtls;
	rq->mesh_opts = a->mesh;
	/* a test hook: TRUSTMAP_ENGINE names the connectivity engine
	 * (tests/engines/ compares them on random clusters); not an option */
	const char *en = getenv("TRUSTMAP_ENGINE");
	if (en && *en)
		rq->conn.engine = tm_engine_find(en);
}

typedef struct run_ctx {
	const cli_args *a;
	size_t printed;  /* model diagnostics printed so far */
	bool progress;   /* a progress line may be on the terminal */
} run_ctx;

static void progress(void *ctx, uint64_t packets, uint64_t flows)
{
	(void)ctx;
	fprintf(stderr, "\rtrustmap %s: %llu packets, %llu flows", "flows", (unsigned long long)packets,
		(unsigned long long)flows);
	fflush(stderr);
}

/* The progress line of analysis and writing (tm_progress_fn): shown on a
 * terminal once a step has run for 2 s, redrawn at most 5 times a second,
 * erased when the step ends. Only set up when stderr is a terminal and -q
 * is not given (cli_run, cli_write). */
static struct {
	const char *step;
	struct timespec t0, last;
	bool shown;
} prog;

static double secs_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void step_progress(void *ctx, const char *step, uint64_t done, uint64_t total)
{
	(void)ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (prog.step != step) {
		if (prog.shown)
			fputs("\r\033[K", stderr);
		prog.step = step;
		prog.t0 = now;
		prog.shown = false;
	}
	if (done >= total) {
		if (prog.shown)
			fputs("\r\033[K", stderr);
		prog.shown = false;
		prog.step = NULL;
		return;
	}
	if (secs_between(&prog.t0, &now) < 2.0 || (prog.shown && secs_between(&prog.last, &now) < 0.2))
		return;
	if (total >= (1u << 20) && !strncmp(step, "reading", 7)) /* bytes of input */
		fprintf(stderr, "\r\033[Ktrustmap: %s: %llu of %llu MB", step, (unsigned long long)(done >> 20),
			(unsigned long long)(total >> 20));
	else
		fprintf(stderr, "\r\033[Ktrustmap: %s: %llu of %llu (%u%%)", step, (unsigned long long)done,
			(unsigned long long)total, (unsigned)(done * 100 / total));
	fflush(stderr);
	prog.shown = true;
	prog.last = now;
}

static bool show_progress(const cli_args *a)
{
	return a->verbosity >= 0 && isatty(2);
}

/* Each step's diagnostics as it ends, then the error of a failed step. */
static void step_done(void *ctx, tm_step s, const tm_result *r)
{
	run_ctx *x = ctx;
	const cli_args *a = x->a;
	bool failed = r->failed == s;
	switch (s) {
	case TM_STEP_LOAD:
		print_diags(r->m, a->verbosity);
		break;
	case TM_STEP_ZONES:
		print_diags_from(&r->m->diags, x->printed);
		break;
	case TM_STEP_GRAPH:
		if (!failed && a->verbosity >= 0) {
			print_diags_from(&r->m->diags, x->printed);
			print_diags_from(&r->g->diags, 0);
		}
		break;
	case TM_STEP_MESH:
		if (!failed && a->verbosity >= 0)
			tm_diags_print(&r->mesh->diags, stderr, TM_DIAG_WARN);
		break;
	case TM_STEP_FLOWS:
		if (x->progress && tm_flowset_counter(r->flows, "packets") &&
		    tm_flowset_counter(r->flows, "packets")->value >= (1u << 20))
			fputs("\r\033[K", stderr);
		tm_diags_print(&r->flows->diags, stderr, a->verbosity < 0 ? TM_DIAG_ERROR : TM_DIAG_WARN);
		if (!failed && r->has_ev && a->verbosity > 0)
			fprintf(stderr,
				"trustmap: %zu TCP connection%s %s, %zu not mapped to endpoints, %zu endpoint pair%s with TLS facts\n",
				r->ev.flows, r->ev.flows == 1 ? "" : "s", tm_evkind_participle(tm_mtls_kinds_read(&r->ev)),
				r->ev.unmapped, r->ev.n, r->ev.n == 1 ? "" : "s");
		break;
	default:
		break;
	}
	if (r->m)
		x->printed = r->m->diags.n;
	if (failed && r->error.len) {
		if (s == TM_STEP_ENDPOINTS)
			fprintf(stderr, "trustmap %s: %s\n", a->cmd->name, tm_buf_str(&r->error));
		else
			fprintf(stderr, "trustmap: %s\n", tm_buf_str(&r->error));
	}
}

int cli_run(const cli_args *a, const tm_request *rq0, tm_result *res)
{
	tm_request rq = *rq0;
	run_ctx x = {a, 0, false};
	if (rq.ncaptures && a->cmd->bit == CMD_FLOWS && a->verbosity >= 0 && isatty(2)) {
		rq.progress = progress;
		x.progress = true;
	}
	if (show_progress(a)) { /* silent under -q and off a terminal */
		rq.step_progress = step_progress;
		rq.step_progress_ctx = NULL;
		rq.conn.progress = step_progress;
		rq.conn.progress_ctx = NULL;
	}
	rq.step_done = step_done;
	rq.ctx = &x;
	return tm_run(&rq, res) == TM_OK ? EXIT_OK : EXIT_USAGE;
}

int cli_write(const cli_args *a, const tm_renderer *rd, const tm_render_in *in)
{
	FILE *f = cli_open_output(a);
	if (!f)
		return EXIT_USAGE;
	tm_render_in shown = *in;
	if (show_progress(a)) {
		shown.progress = step_progress;
		shown.progress_ctx = NULL;
	}
	tm_err e = rd->render(&shown, f);
	/* a write error (disk full) is said by cli_close_output, with the
	 * system's reason; any other failure leaves no output */
	if (!cli_close_output(a, f, e == TM_OK || e == TM_ERR_IO) || e != TM_OK)
		return EXIT_USAGE;
	return EXIT_OK;
}

const tm_renderer *cli_renderer(const cli_args *a, tm_subject s, const char *fmt)
{
	const tm_renderer *rd = tm_renderer_find(s, fmt ? fmt : a->cmd->default_format);
	if (!rd)
		cli_usage_error(a->cmd->name, "unknown format '%s' (%s)", fmt ? fmt : a->format, tm_renderer_formats(s));
	return rd;
}

int cli_run_render(const cli_args *a, const tm_request *rq, const tm_renderer *rd)
{
	tm_result r;
	int rc = cli_run(a, rq, &r);
	if (rc == EXIT_OK) {
		tm_render_in in;
		cli_render_in(&r, &in);
		rc = cli_write(a, rd, &in);
	}
	tm_result_release(&r);
	return rc;
}

void cli_render_in(const tm_result *r, tm_render_in *in)
{
	memset(in, 0, sizeof *in);
	in->m = r->m;
	in->g = r->g;
	in->explain = r->has_explain ? &r->explain : NULL;
	in->src = r->src >= 0 ? (size_t)r->src : 0;
	in->dst = r->dst >= 0 ? (size_t)r->dst : 0;
	in->reach = r->has_reach ? &r->reach : NULL;
	in->findings = &r->findings;
	in->flows = r->flows;
	in->diagram = r->has_diagram ? &r->diagram : NULL;
	in->report = r->has_report ? &r->report : NULL;
	in->annots = r->has_annots ? &r->annots : NULL;
	in->input_time = r->input_time;
	/* reproducible output (golden tests, builds): SOURCE_DATE_EPOCH is the
	 * date of the input */
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long t = sde && *sde ? strtoll(sde, &end, 10) : -1;
	if (sde && *sde && !*end && t >= 0)
		in->input_time = (time_t)t;
	in->observed = r->has_ev ? &r->obs : NULL;
	in->mesh = r->mesh;
	in->census = r->census;
}
