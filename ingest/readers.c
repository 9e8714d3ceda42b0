/* readers.c - the reader table (readers.h) and reading paths: files,
 * directories (recursively, the names a manifest row lists, sorted
 * bytewise) and standard input. */
#include "ingest/readers.h"
#include "ingest/flowjson/flowjson.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* the name ends in e, in any case (a.YAML is YAML too) */
static bool has_ext(const char *n, const char *e)
{
	size_t ln = strlen(n), le = strlen(e);
	return ln > le && strcasecmp(n + ln - le, e) == 0;
}


/* ---- rows ---------------------------------------------------------------- */

/* A named file is JSON by its name; standard input when the first non-blank
 * byte opens a JSON value. */
static bool json_sniff(const tm_input *in)
{
	if (strcmp(in->name, "-"))
		return has_ext(in->name, ".json");
	const char *s = in->data ? in->data : "";
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	return *s == '{' || *s == '[';
}

/* Everything else: libyaml says what is not YAML. */
static bool yaml_sniff(const tm_input *in)
{
	(void)in;
	return true;
}

static tm_err json_read(void *dst, const tm_input *in)
{
	const tm_manifest_dst *d = dst;
	return tm_load_buffer(d->m, in->name, in->data, in->len, true, d->o);
}

static tm_err yaml_read(void *dst, const tm_input *in)
{
	const tm_manifest_dst *d = dst;
	return tm_load_buffer(d->m, in->name, in->data, in->len, false, d->o);
}

/* libpcap knows the magic numbers (pcap in both byte orders and time
 * precisions, pcapng); what is neither is its error ("not a usable
 * capture"), so the name alone decides nothing. */
static bool pcap_sniff(const tm_input *in)
{
	(void)in;
	return true;
}

static tm_err pcap_read(void *dst, const tm_input *in)
{
	tm_flow_session *s = dst;
	if (!s->cap) {
		s->cap = tm_capture_new(s->fs, &s->pcap);
		if (!s->cap)
			return TM_ERR_NOMEM;
		if (s->progress)
			tm_capture_set_progress(s->cap, s->progress, s->progress_ctx);
	}
	return tm_capture_read_file(s->cap, in->name);
}

/* Hubble exports are JSON lines: by name (.json, .jsonl); standard input
 * only through --hubble */
static bool hubble_sniff(const tm_input *in)
{
	return has_ext(in->name, ".json") || has_ext(in->name, ".jsonl");
}

static tm_err hubble_read(void *dst, const tm_input *in)
{
	tm_flow_session *s = dst;
	if (!s->hubble && !(s->hubble = tm_hubble_new(s->fs, s->max_line)))
		return TM_ERR_NOMEM;
	return tm_hubble_read_file(s->hubble, in->name);
}

/* Zeek logs: a directory, or a name ending in .log */
static bool zeek_sniff(const tm_input *in)
{
	struct stat st;
	return has_ext(in->name, ".log") || (strcmp(in->name, "-") && stat(in->name, &st) == 0 && S_ISDIR(st.st_mode));
}

static tm_err zeek_read(void *dst, const tm_input *in)
{
	tm_flow_session *s = dst;
	if (!s->zeek && !(s->zeek = tm_zeek_new(s->fs, s->max_line)))
		return TM_ERR_NOMEM;
	return tm_zeek_read_path(s->zeek, in->name);
}

/* A flow summary (`trustmap flows -f json`) by content: its first byte
 * opens an array, which no pcap or pcapng file does. */
static bool flowjson_sniff(const tm_input *in)
{
	return tm_flowjson_sniff_file(in->name);
}

static tm_err flowjson_read(void *dst, const tm_input *in)
{
	tm_flow_session *s = dst;
	return tm_flowjson_read_file(s->fs, in->name, s->pcap.max_flows);
}

static const char *const json_exts[] = {".json", NULL};
static const char *const yaml_exts[] = {".yaml", ".yml", NULL};

static const tm_reader readers[] = {
	{"json", TM_INPUT_MANIFESTS, json_exts, json_sniff, json_read},
	{"yaml", TM_INPUT_MANIFESTS, yaml_exts, yaml_sniff, yaml_read},
	{"flows-json", TM_INPUT_FLOWS, NULL, flowjson_sniff, flowjson_read},
	{"hubble", TM_INPUT_FLOWS, NULL, hubble_sniff, hubble_read},
	{"zeek", TM_INPUT_FLOWS, NULL, zeek_sniff, zeek_read},
	{"pcap", TM_INPUT_FLOWS, NULL, pcap_sniff, pcap_read},
};

const tm_reader *tm_readers(size_t *n)
{
	*n = TM_ARRAY_LEN(readers);
	return readers;
}

const tm_reader *tm_reader_find(tm_input_kind kind, const tm_input *in)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(readers); i++)
		if (readers[i].kind == kind && readers[i].sniff(in))
			return &readers[i];
	return NULL;
}

/* A directory entry is read when a manifest row lists its name ending. */
static bool dir_reads(const char *name)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(readers); i++)
		for (const char *const *e = readers[i].exts; readers[i].kind == TM_INPUT_MANIFESTS && e && *e; e++)
			if (has_ext(name, *e))
				return true;
	return false;
}

/* ---- paths --------------------------------------------------------------- */
/* A regular file in one exact-size read: no doubling buffer, no copy. */
static tm_err read_regular(tm_model *m, const char *name, FILE *f, size_t size, const tm_load_opts *o)
{
	tm_srcloc l = {tm_intern(&m->strs, name), 0, 0};
	if (size > o->limits.max_file_bytes) {
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "file is larger than %zu bytes (limit --max-file-size)",
			     o->limits.max_file_bytes);
		return TM_ERR_LIMIT;
	}
	char *data = tm_xrealloc(NULL, size + 1);
	size_t got = size ? fread(data, 1, size, f) : 0;
	tm_err rc = TM_OK;
	if (got != size || ferror(f)) {
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "read error: %s",
			     ferror(f) ? strerror(errno) : "the file shrank while it was read");
		rc = TM_ERR_IO;
		goto out;
	}
	data[size] = 0;
	tm_input in = {name, data, size};
	const tm_reader *r = tm_reader_find(TM_INPUT_MANIFESTS, &in);
	tm_manifest_dst dst = {m, o};
	rc = r->read(&dst, &in);
out:
	free(data);
	return rc;
}

/* the whole input into memory, then the first manifest row that takes it */
static tm_err read_fp(tm_model *m, const char *name, FILE *f, const tm_load_opts *o)
{
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uint64_t)st.st_size < SIZE_MAX / 2)
		return read_regular(m, name, f, (size_t)st.st_size, o);
	tm_buf b;
	tm_buf_init(&b, o->limits.max_file_bytes + 1);
	char chunk[65536];
	size_t n;
	tm_err rc = TM_OK;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (tm_buf_add(&b, chunk, n) != TM_OK) {
			tm_srcloc l = {tm_intern(&m->strs, name), 0, 0};
			tm_diags_add(&m->diags, TM_DIAG_ERROR, l,
				     "file is larger than %zu bytes (limit --max-file-size)",
				     o->limits.max_file_bytes);
			rc = TM_ERR_LIMIT;
			goto out;
		}
	}
	if (ferror(f)) {
		tm_srcloc l = {tm_intern(&m->strs, name), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "read error: %s", strerror(errno));
		rc = TM_ERR_IO;
		goto out;
	}
	tm_input in = {name, tm_buf_str(&b), b.len};
	const tm_reader *r = tm_reader_find(TM_INPUT_MANIFESTS, &in);
	tm_manifest_dst dst = {m, o};
	rc = r->read(&dst, &in); /* yaml takes every input */
out:
	tm_buf_release(&b);
	return rc;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories already read in one tm_load_path(), by device and inode:
 * symbolic links may make a directory its own descendant ("a -> .") or
 * reach one directory by many paths, which would otherwise be read
 * again and again (2^64 times for two links to "." and the depth cap). */
typedef struct dirseen {
	dev_t *dev;
	ino_t *ino;
	size_t n, cap, cap2;
} dirseen;

static bool dirseen_add(dirseen *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
			return false;
	TM_HEAP_GROW(s->dev, s->n, s->cap);
	TM_HEAP_GROW(s->ino, s->n, s->cap2);
	s->dev[s->n] = st->st_dev;
	s->ino[s->n] = st->st_ino;
	s->n++;
	return true;
}

static tm_err load_dir(tm_model *m, const char *path, const tm_load_opts *o, unsigned depth,
		       dirseen *seen)
{
	struct stat dst;
	if (depth > 64)
		return TM_OK;
	if (stat(path, &dst) == 0 && !dirseen_add(seen, &dst)) {
		tm_srcloc l = {tm_intern(&m->strs, path), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_WARN, l,
			     "directory already read under another path (symbolic links); not read again");
		return TM_OK;
	}
	DIR *d = opendir(path);
	if (!d) {
		tm_srcloc l = {tm_intern(&m->strs, path), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "cannot read directory: %s", strerror(errno));
		return TM_ERR_IO;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		TM_HEAP_GROW(names, n, cap);
		size_t len = strlen(path) + strlen(e->d_name) + 2;
		names[n] = tm_xrealloc(NULL, len);
		snprintf(names[n], len, "%s%s%s", path, has_ext(path, "/") ? "" : "/", e->d_name);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, str_cmp);
	tm_err rc = TM_OK;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		tm_err r = TM_OK;
		if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
			r = load_dir(m, names[i], o, depth + 1, seen);
		else if (dir_reads(names[i]))
			r = tm_load_path(m, names[i], o);
		if (r != TM_OK && rc == TM_OK)
			rc = r;
		free(names[i]);
	}
	free(names);
	return rc;
}

tm_err tm_load_path(tm_model *m, const char *path, const tm_load_opts *o)
{
	if (!strcmp(path, "-"))
		return read_fp(m, "-", stdin, o);
	struct stat st;
	if (stat(path, &st) != 0) {
		tm_srcloc l = {tm_intern(&m->strs, path), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "cannot open: %s", strerror(errno));
		return TM_ERR_IO;
	}
	if (S_ISDIR(st.st_mode)) {
		dirseen seen = {0};
		tm_err rc = load_dir(m, path, o, 0, &seen);
		free(seen.dev);
		free(seen.ino);
		return rc;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		tm_srcloc l = {tm_intern(&m->strs, path), 0, 0};
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "cannot open: %s", strerror(errno));
		return TM_ERR_IO;
	}
	tm_err rc = read_fp(m, path, f, o);
	fclose(f);
	return rc;
}


void tm_flow_session_init(tm_flow_session *s, tm_flowset *fs, const tm_pcap_opts *o)
{
	memset(s, 0, sizeof *s);
	s->fs = fs;
	if (o)
		s->pcap = *o;
	else
		tm_pcap_opts_default(&s->pcap);
}

/* the flow row called name, or NULL */
static const tm_reader *flow_row(const char *name)
{
	for (size_t i = 0; i < TM_ARRAY_LEN(readers); i++)
		if (readers[i].kind == TM_INPUT_FLOWS && !strcmp(readers[i].name, name))
			return &readers[i];
	return NULL;
}

tm_err tm_load_flows_path(tm_flow_session *s, const char *reader, const char *path)
{
	tm_input in = {path, NULL, 0};
	const tm_reader *r = reader ? flow_row(reader) : NULL;
	/* --pcap also takes flow summaries (`flows -f json`, flows --merge) */
	if (r && !strcmp(r->name, "pcap") && flowjson_sniff(&in))
		r = flow_row("flows-json");
	if (!r)
		r = tm_reader_find(TM_INPUT_FLOWS, &in); /* pcap takes every input the others leave */
	return r->read(s, &in);
}

void tm_flow_session_finish(tm_flow_session *s)
{
	/* the capture reader closes its flows by index first; the others find
	 * their records again by their contents */
	if (s->cap) {
		tm_capture_finish(s->cap);
		tm_capture_free(s->cap);
	}
	if (s->zeek) {
		tm_zeek_finish(s->zeek);
		tm_zeek_free(s->zeek);
	}
	if (s->hubble) {
		tm_hubble_finish(s->hubble);
		tm_hubble_free(s->hubble);
	}
	s->cap = NULL;
	s->hubble = NULL;
	s->zeek = NULL;
}

bool tm_path_is_capture(const char *path)
{
	unsigned char m[4];
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : NULL;
	if (!f)
		return false;
	size_t n = fread(m, 1, 4, f);
	fclose(f);
	if (n < 4)
		return false;
	uint32_t le = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
	return le == 0xa1b2c3d4u || le == 0xd4c3b2a1u || le == 0xa1b23c4du || le == 0x4d3cb2a1u || le == 0x0a0d0d0au;
}
