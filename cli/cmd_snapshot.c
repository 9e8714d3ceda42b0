/* cmd_snapshot.c - `trustmap snapshot -o DIR`: the objects trustmap reads,
 * taken from a live cluster through kubectl (found on PATH, run with an
 * argument vector: cli/spawn.h), one JSON file per kind plus a manifest of
 * what was taken, from which context and when. The directory is built under
 * a temporary name beside DIR, checked by reading it as every other command
 * will, and renamed into place only when complete; on any error nothing is
 * left behind (exit 2). */
#include "cli/cli.h"
#include "cli/spawn.h"
#include "render/jsonw.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define SNAP_MANIFEST "snapshot.manifest"
#define SNAP_API_MAX ((size_t)4 << 20)   /* kubectl api-resources / config output */

/* What is taken, as `kubectl api-resources -o name` names it (resource or
 * resource.group). ReplicaSets and Jobs are not taken: their pods'
 * ownerReferences name them, and the model folds them into their Deployment
 * or CronJob (a ReplicaSet object would be a workload of its own, and old
 * ReplicaSets of earlier rollouts would be too). */
typedef struct snap_kind {
	const char *resource;
	bool cluster; /* cluster-scoped: taken whole even with --namespace */
} snap_kind;

static const snap_kind kinds[] = {
	{"namespaces", true},
	{"pods", false},
	{"replicationcontrollers", false},
	{"services", false},
	{"deployments.apps", false},
	{"statefulsets.apps", false},
	{"daemonsets.apps", false},
	{"cronjobs.batch", false},
	{"endpointslices.discovery.k8s.io", false},
	{"ingresses.networking.k8s.io", false},
	{"networkpolicies.networking.k8s.io", false},
	{"routes.route.openshift.io", false},
	{"httproutes.gateway.networking.k8s.io", false},
	{"adminnetworkpolicies.policy.networking.k8s.io", true},
	{"baselineadminnetworkpolicies.policy.networking.k8s.io", true},
	{"clusternetworkpolicies.policy.networking.k8s.io", true},
	/* Istio */
	{"peerauthentications.security.istio.io", false},
	{"authorizationpolicies.security.istio.io", false},
	{"requestauthentications.security.istio.io", false},
	{"sidecars.networking.istio.io", false},
	{"destinationrules.networking.istio.io", false},
	/* Linkerd */
	{"servers.policy.linkerd.io", false},
	{"serverauthorizations.policy.linkerd.io", false},
	{"authorizationpolicies.policy.linkerd.io", false},
	{"meshtlsauthentications.policy.linkerd.io", false},
	{"networkauthentications.policy.linkerd.io", false},
	/* Cilium */
	{"ciliumnetworkpolicies.cilium.io", false},
	{"ciliumclusterwidenetworkpolicies.cilium.io", true},
};

/* one file written: for the manifest */
typedef struct snap_file {
	const char *resource, *ns; /* ns: NULL for all namespaces / cluster scope */
	char *path;                /* relative to the snapshot directory */
	size_t bytes;
} snap_file;

typedef struct snap {
	const cli_snapshot_opts *o;
	char *tmp;          /* the directory being built */
	tm_buf api;         /* api-resources -o name */
	const char *context;
	char *context_own;
	snap_file *files;
	size_t nfiles, capfiles;
	const char **skipped; /* resources the cluster does not serve */
	size_t nskipped, capskipped;
} snap;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int cli_remove_tree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* "kubectl get pods -A -o json" for messages */
static void argv_str(char *const argv[], tm_buf *b)
{
	for (size_t i = 0; argv[i]; i++)
		(void)tm_buf_addf(b, "%s%s", i ? " " : "", argv[i]);
}

/* kubectl's standard error without its trailing newlines */
static void print_stderr(const cli_proc *p)
{
	size_t n = p->err.len;
	const char *s = tm_buf_str(&p->err);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n)
		fprintf(stderr, "%.*s\n", (int)n, s);
}

/* Run one kubectl command (argv after "kubectl" and --context); output into
 * fd or buf. 0, or EXIT_USAGE with the message printed. tolerate: a failure
 * whose message contains it is a warning (with the output kept). */
static int kubectl(snap *s, const char *const *args, int fd, tm_buf *buf, size_t max, const char *tolerate)
{
	size_t nargs = 0;
	while (args[nargs])
		nargs++;
	const char **argv = tm_xrealloc(NULL, (nargs + 4) * sizeof *argv);
	size_t n = 0;
	argv[n++] = "kubectl";
	if (s->o->context) {
		argv[n++] = "--context";
		argv[n++] = s->o->context;
	}
	for (size_t i = 0; i < nargs; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	cli_proc p;
	cli_proc_init(&p);
	tm_buf cmd;
	tm_buf_init(&cmd, 4096);
	argv_str((char *const *)argv, &cmd);
	int rc = EXIT_OK;
	if (s->o->verbosity > 0)
		fprintf(stderr, "trustmap snapshot: %s\n", tm_buf_str(&cmd));
	if (cli_spawn((char *const *)argv, fd, buf, max, &p) != 0) {
		fprintf(stderr, "trustmap snapshot: cannot run kubectl: %s%s\n", strerror(errno),
			errno == ENOENT ? " (kubectl is not on PATH)" : "");
		rc = EXIT_USAGE;
		goto out;
	}
	if (!cli_proc_ok(&p)) {
		if (tolerate && !p.too_big && !p.write_failed && p.out_bytes + (buf ? buf->len : 0) &&
		    strstr(tm_buf_str(&p.err), tolerate)) {
			if (s->o->verbosity >= 0) {
				fprintf(stderr, "trustmap snapshot: warning: %s: ", tm_buf_str(&cmd));
				print_stderr(&p);
			}
			goto out;
		}
		tm_buf why;
		tm_buf_init(&why, 4096);
		cli_proc_describe(&p, max, &why);
		fprintf(stderr, "trustmap snapshot: %s failed (%s)%s\n", tm_buf_str(&cmd), tm_buf_str(&why),
			p.err.len ? ":" : "");
		print_stderr(&p);
		tm_buf_release(&why);
		rc = EXIT_USAGE;
	}
out:
	tm_buf_release(&cmd);
	cli_proc_release(&p);
	free(argv);
	return rc;
}

/* does `api-resources -o name` list res? (one name per line) */
static bool served(const snap *s, const char *res)
{
	size_t l = strlen(res);
	for (const char *p = tm_buf_str(&s->api); *p;) {
		size_t n = strcspn(p, "\r\n");
		if (n == l && !strncmp(p, res, l))
			return true;
		p += n;
		p += strspn(p, "\r\n");
	}
	return false;
}

/* A file of the snapshot, created exclusively; -1 with the message printed. */
static int create_file(snap *s, const char *rel)
{
	tm_buf path;
	tm_buf_init(&path, 8192);
	int fd = -1;
	if (tm_buf_addf(&path, "%s/%s", s->tmp, rel) != TM_OK)
		errno = ENAMETOOLONG;
	else
		fd = open(tm_buf_str(&path), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		fprintf(stderr, "trustmap snapshot: cannot write %s: %s\n", tm_buf_str(&path), strerror(errno));
	tm_buf_release(&path);
	return fd;
}

static int close_file(int fd, const char *rel)
{
	if (fsync(fd) != 0 || close(fd) != 0) {
		fprintf(stderr, "trustmap snapshot: cannot write %s: %s\n", rel, strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* `kubectl get RES (-A | -n NS | NAME...) -o json` into rel */
static int take(snap *s, const char *res, const char *ns, bool names, const char *rel)
{
	const char **args = tm_xrealloc(NULL, (8 + s->o->nnamespaces) * sizeof *args);
	size_t n = 0;
	args[n++] = "get";
	args[n++] = res;
	if (names) {
		for (size_t i = 0; i < s->o->nnamespaces; i++)
			args[n++] = s->o->namespaces[i];
	} else if (ns) {
		args[n++] = "-n";
		args[n++] = ns;
	} else {
		args[n++] = "-A";
	}
	args[n++] = "-o";
	args[n++] = "json";
	args[n] = NULL;
	int fd = create_file(s, rel);
	if (fd < 0) {
		free(args);
		return EXIT_USAGE;
	}
	int rc = kubectl(s, args, fd, NULL, s->o->max_bytes, NULL);
	free(args);
	struct stat st;
	size_t bytes = fstat(fd, &st) == 0 ? (size_t)st.st_size : 0;
	if (close_file(fd, rel) != EXIT_OK)
		rc = EXIT_USAGE;
	if (rc == EXIT_OK) {
		TM_HEAP_GROW(s->files, s->nfiles, s->capfiles);
		s->files[s->nfiles++] = (snap_file){res, ns, strdup(rel), bytes};
	}
	return rc;
}

static void json_strs(tm_jsonw *w, const char *const *v, size_t n)
{
	TM_JSONW_LIT(w, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			TM_JSONW_LIT(w, ", ");
		tm_jsonw_str(w, v[i]);
	}
	TM_JSONW_LIT(w, "]");
}

/* snapshot.manifest: what was taken, from which context, when */
static int write_manifest(snap *s)
{
	int fd = create_file(s, SNAP_MANIFEST);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return EXIT_USAGE;
	}
	char when[32];
	time_t now = time(NULL);
	struct tm tmv;
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
	tm_jsonw *w = tm_jsonw_new(f);
	if (!w) {
		fclose(f);
		return EXIT_USAGE;
	}
	TM_JSONW_LIT(w, "{\n  \"snapshot\": 1,\n  \"tool\": \"trustmap " TM_VERSION "\",\n  \"context\": ");
	tm_jsonw_str(w, s->context);
	TM_JSONW_LIT(w, ",\n  \"taken_at\": ");
	tm_jsonw_str(w, when);
	TM_JSONW_LIT(w, ",\n  \"namespaces\": ");
	json_strs(w, s->o->namespaces, s->o->nnamespaces);
	TM_JSONW_LIT(w, ",\n  \"files\": [");
	for (size_t i = 0; i < s->nfiles; i++) {
		const snap_file *sf = &s->files[i];
		tm_jsonw_raws(w, i ? ",\n    {\"resource\": " : "\n    {\"resource\": ");
		tm_jsonw_str(w, sf->resource);
		TM_JSONW_LIT(w, ", \"namespace\": ");
		tm_jsonw_str(w, sf->ns);
		TM_JSONW_LIT(w, ", \"file\": ");
		tm_jsonw_str(w, sf->path);
		TM_JSONW_LIT(w, ", \"bytes\": ");
		tm_jsonw_u64(w, sf->bytes);
		TM_JSONW_LIT(w, "}");
	}
	tm_jsonw_raws(w, s->nfiles ? "\n  ],\n  \"not_served\": " : "],\n  \"not_served\": ");
	json_strs(w, s->skipped, s->nskipped);
	TM_JSONW_LIT(w, "\n}\n");
	tm_err e = tm_jsonw_close(w);
	bool ok = e == TM_OK && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "trustmap snapshot: cannot write %s: %s\n", SNAP_MANIFEST, strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Read the new directory as `trustmap conn DIR` will: a snapshot that does
 * not load is not kept. Errors only: the warnings (kinds not analysed) are
 * the later commands' to say. */
static int verify(const snap *s)
{
	cli_args a;
	cli_args_init(&a, cli_command_find("snapshot"));
	a.verbosity = -1;
	a.load.limits.max_file_bytes = s->o->max_bytes;
	const char *paths[1] = {s->tmp};
	a.paths = paths;
	a.npaths = 1;
	tm_request rq;
	cli_request(&a, &rq);
	tm_result r = {0};
	int rc = cli_run(&a, &rq, &r);
	tm_result_release(&r);
	a.paths = NULL; /* not the heap array cli_args_release frees */
	cli_args_release(&a);
	if (rc != EXIT_OK)
		fprintf(stderr, "trustmap snapshot: what kubectl returned does not read as manifests: nothing written\n");
	return rc;
}

/* DIR must be absent, an empty directory or an earlier snapshot */
static int check_target(const char *dir)
{
	struct stat st;
	if (lstat(dir, &st) != 0)
		return errno == ENOENT ? EXIT_OK : (fprintf(stderr, "trustmap snapshot: %s: %s\n", dir, strerror(errno)), EXIT_USAGE);
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "trustmap snapshot: %s exists and is not a directory: not replaced\n", dir);
		return EXIT_USAGE;
	}
	tm_buf m;
	tm_buf_init(&m, 8192);
	int rc = EXIT_OK;
	if (tm_buf_addf(&m, "%s/%s", dir, SNAP_MANIFEST) != TM_OK || access(tm_buf_str(&m), F_OK) != 0) {
		if (rmdir(dir) != 0 && errno != ENOENT) { /* empty: made anew by the rename */
			fprintf(stderr, "trustmap snapshot: %s exists and is not a snapshot (no %s): not replaced\n", dir,
				SNAP_MANIFEST);
			rc = EXIT_USAGE;
		}
	}
	tm_buf_release(&m);
	return rc;
}

/* tmp becomes dir; an earlier snapshot at dir is moved aside first and
 * removed after */
static int install(const snap *s, const char *dir)
{
	struct stat st;
	int rc = EXIT_OK;
	tm_buf old;
	tm_buf_init(&old, 8192);
	if (lstat(dir, &st) == 0) {
		char *o = tm_buf_addf(&old, "%s.old-XXXXXX", dir) == TM_OK ? (char *)tm_buf_str(&old) : NULL;
		if (!o || !mkdtemp(o) || rename(dir, o) != 0) {
			fprintf(stderr, "trustmap snapshot: cannot replace %s: %s\n", dir, strerror(errno));
			if (o)
				rmdir(o);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (rename(s->tmp, dir) != 0) {
		fprintf(stderr, "trustmap snapshot: cannot write %s: %s\n", dir, strerror(errno));
		if (old.len && rename(tm_buf_str(&old), dir) != 0)
			fprintf(stderr, "trustmap snapshot: the earlier snapshot is in %s\n", tm_buf_str(&old));
		rc = EXIT_USAGE;
		goto out;
	}
	if (old.len)
		cli_remove_tree(tm_buf_str(&old));
out:
	tm_buf_release(&old);
	return rc;
}

int cli_snapshot(const cli_snapshot_opts *o)
{
	snap s = {0};
	s.o = o;
	tm_buf_init(&s.api, SNAP_API_MAX);
	int rc = check_target(o->dir);
	tm_buf tmp;
	tm_buf_init(&tmp, 8192);
	if (rc)
		goto out;
	(void)tm_buf_addf(&tmp, "%s.tmp-XXXXXX", o->dir);
	if (!tmp.len || !mkdtemp((char *)tm_buf_str(&tmp))) {
		fprintf(stderr, "trustmap snapshot: cannot create %s: %s\n", tm_buf_str(&tmp), strerror(errno));
		rc = EXIT_USAGE;
		goto out;
	}
	s.tmp = (char *)tm_buf_str(&tmp);

	/* which context: as given, else the current one (kubectl's message
	 * when there is none) */
	if (o->context) {
		s.context = o->context;
	} else {
		tm_buf ctx;
		tm_buf_init(&ctx, SNAP_API_MAX);
		static const char *const cur[] = {"config", "current-context", NULL};
		rc = kubectl(&s, cur, -1, &ctx, SNAP_API_MAX, NULL);
		if (rc == EXIT_OK) {
			s.context_own = tm_buf_detach(&ctx);
			s.context_own[strcspn(s.context_own, "\r\n")] = 0;
			s.context = s.context_own;
		}
		tm_buf_release(&ctx);
		if (rc)
			goto out;
	}
	/* what the cluster serves; an aggregated API that does not answer
	 * (metrics-server down) makes kubectl fail after listing the rest */
	static const char *const api[] = {"api-resources", "-o", "name", NULL};
	if ((rc = kubectl(&s, api, -1, &s.api, SNAP_API_MAX, "unable to retrieve the complete list of server APIs")))
		goto out;
	int fd = create_file(&s, "api-resources.txt");
	if (fd < 0 || write(fd, tm_buf_str(&s.api), s.api.len) != (ssize_t)s.api.len) {
		if (fd >= 0)
			close(fd);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = close_file(fd, "api-resources.txt")))
		goto out;

	tm_buf rel;
	tm_buf_init(&rel, 8192);
	for (size_t i = 0; i < TM_ARRAY_LEN(kinds) && rc == EXIT_OK; i++) {
		const snap_kind *k = &kinds[i];
		if (!served(&s, k->resource)) {
			TM_HEAP_GROW(s.skipped, s.nskipped, s.capskipped);
			s.skipped[s.nskipped++] = k->resource;
			continue;
		}
		if (!o->nnamespaces || k->cluster) {
			bool names = o->nnamespaces && !strcmp(k->resource, "namespaces");
			tm_buf_reset(&rel);
			(void)tm_buf_addf(&rel, "%s.json", k->resource);
			rc = take(&s, k->resource, NULL, names, tm_buf_str(&rel));
			continue;
		}
		for (size_t j = 0; j < o->nnamespaces && rc == EXIT_OK; j++) {
			tm_buf_reset(&rel);
			(void)tm_buf_addf(&rel, "%s/ns-%s", s.tmp, o->namespaces[j]);
			if (mkdir(tm_buf_str(&rel), 0755) != 0 && errno != EEXIST) {
				fprintf(stderr, "trustmap snapshot: cannot create %s: %s\n", tm_buf_str(&rel), strerror(errno));
				rc = EXIT_USAGE;
				break;
			}
			tm_buf_reset(&rel);
			(void)tm_buf_addf(&rel, "ns-%s/%s.json", o->namespaces[j], k->resource);
			rc = take(&s, k->resource, o->namespaces[j], false, tm_buf_str(&rel));
		}
	}
	tm_buf_release(&rel);
	if (rc || (rc = write_manifest(&s)) || (rc = verify(&s)) || (rc = install(&s, o->dir)))
		goto out;
	if (o->verbosity >= 0 && !o->quiet_success)
		fprintf(stderr, "trustmap snapshot: %zu files from context %s in %s\n", s.nfiles, s.context, o->dir);
out:
	if (rc && s.tmp)
		cli_remove_tree(s.tmp);
	for (size_t i = 0; i < s.nfiles; i++)
		free(s.files[i].path);
	free(s.files);
	free(s.skipped);
	free(s.context_own);
	tm_buf_release(&s.api);
	tm_buf_release(&tmp);
	return rc;
}

int cmd_snapshot(int argc, char **argv)
{
	cli_args a;
	int rc = cli_start(&a, cli_command_find("snapshot"), argc, argv);
	if (rc)
		goto out;
	if (!a.outdir) {
		rc = cli_usage_error("snapshot", "no directory given (-o DIR)");
		goto out;
	}
	if (a.npaths) {
		rc = cli_usage_error("snapshot", "unexpected argument '%s' (the cluster is kubectl's current context, or --context)",
				     a.paths[0]);
		goto out;
	}
	for (size_t i = 0; i < a.nnamespaces; i++)
		if (!*a.namespaces[i] || strchr(a.namespaces[i], '/') || a.namespaces[i][0] == '.') {
			rc = cli_usage_error("snapshot", "'%s' is not a namespace name", a.namespaces[i]);
			goto out;
		}
	cli_snapshot_opts o = {a.outdir, a.context, a.namespaces, a.nnamespaces, a.load.limits.max_file_bytes,
			       a.verbosity, false};
	rc = cli_snapshot(&o);
out:
	cli_args_release(&a);
	return rc < 0 ? EXIT_OK : rc;
}
