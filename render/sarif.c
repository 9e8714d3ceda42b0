/* sarif.c - `check` as SARIF 2.1.0 (one run; docs/ci.md). Valid against the
 * OASIS schema (tests/sarif/validate.py). */
#include "render/findings.h"
#include "render/render.h"
#include "render/jsonw.h"

#include <stdlib.h>
#include <string.h>

static const char *level(tm_severity s)
{
	return s >= TM_SEV_HIGH ? "error" : s == TM_SEV_MEDIUM ? "warning" : "note";
}

/* GitHub code scanning reads properties.security-severity (0.0-10.0). */
static const char *security_severity(tm_severity s)
{
	static const char *const v[TM_NSEV] = {"1.0", "3.0", "5.5", "8.0", "9.5"};
	return (unsigned)s < TM_NSEV ? v[s] : "1.0";
}

/* Artifact URI, percent-encoded: relative to base_dir when the file is
 * under it, else an absolute file:// URI. Paths are normalised lexically
 * first ("." and ".." segments, repeated slashes), so that "../repo/x.yaml"
 * run from inside repo/ is "x.yaml", and a file outside base_dir is never a
 * relative URI that climbs out of %SRCROOT%. */
static void uri(tm_buf *b, const char *file, const char *base)
{
	tm_buf full;
	tm_buf_init(&full, 0);
	if (file[0] != '/' && base && base[0] == '/') {
		tm_buf_adds(&full, base);
		tm_buf_addc(&full, '/');
	}
	tm_buf_adds(&full, file);
	const char *s = tm_buf_str(&full);
	bool abs = s[0] == '/';
	/* the segments that remain, as (start, length) */
	size_t cap = 1;
	for (const char *q = s; *q; q++)
		cap += *q == '/';
	struct seg {
		const char *p;
		size_t n;
	} *segs = tm_xrealloc(NULL, cap * sizeof *segs);
	size_t nseg = 0, up = 0; /* up: leading ".." of a relative path */
	for (const char *q = s; *q;) {
		const char *e = strchr(q, '/');
		size_t len = e ? (size_t)(e - q) : strlen(q);
		if (len == 0 || (len == 1 && q[0] == '.')) {
			/* nothing */
		} else if (len == 2 && q[0] == '.' && q[1] == '.') {
			if (nseg > up)
				nseg--;
			else if (!abs)
				segs[nseg++] = (struct seg){q, 2}, up++;
			/* "/.." is "/" */
		} else {
			segs[nseg++] = (struct seg){q, len};
		}
		q += len;
		while (*q == '/')
			q++;
	}
	tm_buf norm;
	tm_buf_init(&norm, 0);
	for (size_t i = 0; i < nseg; i++) {
		if (i || abs)
			tm_buf_addc(&norm, '/');
		tm_buf_add(&norm, segs[i].p, segs[i].n);
	}
	if (!nseg && abs)
		tm_buf_addc(&norm, '/');
	free(segs);
	const char *p = tm_buf_str(&norm);
	if (abs && base && *base) {
		size_t bl = strlen(base);
		while (bl > 1 && base[bl - 1] == '/')
			bl--;
		if (!strncmp(p, base, bl) && p[bl] == '/') {
			p += bl + 1;
			abs = false;
		}
	}
	if (abs)
		tm_buf_adds(b, "file://");
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~/", c))
			tm_buf_addc(b, (char)c);
		else
			tm_buf_addf(b, "%%%02X", c);
	}
	tm_buf_release(&norm);
	tm_buf_release(&full);
}

/* A stable 64-bit FNV-1a of the finding key, for partialFingerprints. */
static unsigned long long fnv(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* A location: the physicalLocation of file:line:column (stdin as "stdin")
 * and, when what is not NULL, its message; results and notes alike. */
static void location(tm_jsonw *w, const tm_srcloc *loc, const char *what, const char *base_dir, tm_buf *b)
{
	tm_buf_reset(b);
	if (!strcmp(loc->file, "-"))
		tm_buf_adds(b, "stdin"); /* no file: code scanning wants a location all the same */
	else
		uri(b, loc->file, base_dir);
	TM_JSONW_LIT(w, "{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
	tm_jsonw_str_n(w, tm_buf_str(b), b->len);
	if (strncmp(tm_buf_str(b), "file:", 5) && strcmp(loc->file, "-"))
		TM_JSONW_LIT(w, ", \"uriBaseId\": \"%SRCROOT%\"");
	TM_JSONW_LIT(w, "}");
	if (loc->line) {
		TM_JSONW_LIT(w, ", \"region\": {\"startLine\": ");
		tm_jsonw_u64(w, loc->line);
		if (loc->col) {
			TM_JSONW_LIT(w, ", \"startColumn\": ");
			tm_jsonw_u64(w, loc->col);
		}
		TM_JSONW_LIT(w, "}");
	}
	TM_JSONW_LIT(w, "}");
	if (what) {
		TM_JSONW_LIT(w, ", \"message\": {\"text\": ");
		tm_jsonw_str(w, what);
		TM_JSONW_LIT(w, "}");
	}
	TM_JSONW_LIT(w, "}");
}

struct notes_ctx {
	const tm_findings *f;
	const char *base_dir;
	tm_buf *b;
};

/* note i as a toolExecutionNotification */
static void note_sarif(tm_jsonw *w, size_t i, const void *ctx)
{
	const struct notes_ctx *c = ctx;
	const tm_note *n = &c->f->notes[i];
	TM_JSONW_LIT(w, "{\"descriptor\": {\"id\": ");
	tm_jsonw_str(w, n->code);
	TM_JSONW_LIT(w, "}, \"level\": \"warning\", \"message\": {\"text\": ");
	tm_jsonw_str(w, n->message);
	TM_JSONW_LIT(w, "}");
	if (n->loc.file && *n->loc.file) {
		TM_JSONW_LIT(w, ", \"locations\": [");
		location(w, &n->loc, NULL, c->base_dir, c->b);
		TM_JSONW_LIT(w, "]");
	}
	TM_JSONW_LIT(w, "}");
}

/* runs[].invocations: one, successful, with the notes (what the answer does
 * not cover) as toolExecutionNotifications (docs/ci.md) */
static void invocations_sarif(tm_jsonw *w, const tm_findings *f, const char *base_dir, tm_buf *b)
{
	TM_JSONW_LIT(w, "      \"invocations\": [\n        {\n          \"executionSuccessful\": true");
	if (f->nnotes) {
		const struct notes_ctx c = {f, base_dir, b};
		TM_JSONW_LIT(w, ",\n          \"toolExecutionNotifications\": ");
		tm_jsonw_lines(w, f->nnotes, "          ", note_sarif, &c);
	}
	TM_JSONW_LIT(w, "\n        }\n      ],\n");
}

tm_err tm_render_findings_sarif(const tm_render_in *in, FILE *out)
{
	const tm_findings *f = in->findings;
	tm_jsonw *w = tm_jsonw_new(out);
	if (!w)
		return TM_ERR_NOMEM;
	tm_buf b;
	tm_buf_init(&b, 0);
	TM_JSONW_LIT(w, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n"
		     "  \"runs\": [\n    {\n      \"tool\": {\n        \"driver\": {\n          \"name\": \"trustmap\",\n"
		     "          \"version\": \"" TM_VERSION "\",\n          \"semanticVersion\": \"" TM_VERSION "\",\n"
		     "          \"informationUri\": \"https://github.com/trustmap/trustmap\",\n          \"rules\": [");
	for (size_t i = 0; i < f->nrules; i++) {
		const tm_rule_info *r = &f->rules[i];
		/* GitHub ranks an alert by its rule's security-severity only: a
		 * check whose findings vary in severity (TM105, TM106) is ranked by
		 * the most severe finding of this run, never below one of them;
		 * each result's level still says its own */
		tm_severity rank = r->severity;
		bool any = false;
		for (size_t k = 0; k < f->n; k++)
			if (!strcmp(f->v[k].rule, r->id) && !f->v[k].suppressed) {
				if (!any || f->v[k].severity > rank)
					rank = f->v[k].severity;
				any = true;
			}
		if (i)
			TM_JSONW_LIT(w, ",");
		TM_JSONW_LIT(w, "\n            {\n              \"id\": ");
		tm_jsonw_str(w, r->id);
		TM_JSONW_LIT(w, ",\n              \"name\": ");
		tm_jsonw_str(w, r->name ? r->name : r->id);
		TM_JSONW_LIT(w, ",\n              \"shortDescription\": {\"text\": ");
		tm_jsonw_str(w, r->title);
		TM_JSONW_LIT(w, "},\n              \"fullDescription\": {\"text\": ");
		tm_jsonw_str(w, r->help ? r->help : r->title);
		TM_JSONW_LIT(w, "},\n              \"help\": {\"text\": ");
		tm_buf_reset(&b);
		tm_buf_addf(&b, "%s See docs/%s.md.", r->help ? r->help : r->title,
			    !strncmp(r->id, "TM", 2) ? "checks" : "zones");
		tm_jsonw_str_n(w, tm_buf_str(&b), b.len);
		TM_JSONW_LIT(w, "},\n              \"defaultConfiguration\": {\"level\": \"");
		tm_jsonw_raws(w, level(r->severity));
		TM_JSONW_LIT(w, "\"},\n              \"properties\": {\"tags\": [\"security\", \"");
		tm_jsonw_raws(w, !strncmp(r->id, "TM", 2) ? "hygiene" : "trust-boundary");
		TM_JSONW_LIT(w, "\"], \"precision\": \"high\", \"security-severity\": \"");
		tm_jsonw_raws(w, security_severity(rank));
		TM_JSONW_LIT(w, "\", \"severity\": \"");
		tm_jsonw_raws(w, tm_severity_name(r->severity));
		TM_JSONW_LIT(w, "\"}\n            }");
	}
	if (f->nrules)
		TM_JSONW_LIT(w, "\n          ]\n        }\n      },\n");
	else
		TM_JSONW_LIT(w, "]\n        }\n      },\n");
	invocations_sarif(w, f, in->base_dir, &b);
	TM_JSONW_LIT(w, "      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [");
	for (size_t i = 0; i < f->n; i++) {
		const tm_finding *fd = &f->v[i];
		long ri = -1;
		for (size_t k = 0; k < f->nrules; k++)
			if (!strcmp(f->rules[k].id, fd->rule))
				ri = (long)k;
		if (i)
			TM_JSONW_LIT(w, ",");
		TM_JSONW_LIT(w, "\n        {\n          \"ruleId\": ");
		tm_jsonw_str(w, fd->rule);
		if (ri >= 0) {
			TM_JSONW_LIT(w, ",\n          \"ruleIndex\": ");
			tm_jsonw_i64(w, ri);
		}
		TM_JSONW_LIT(w, ",\n          \"level\": \"");
		tm_jsonw_raws(w, level(fd->severity));
		TM_JSONW_LIT(w, "\",\n          \"message\": {\"text\": ");
		tm_buf_reset(&b);
		tm_buf_adds(&b, fd->message);
		if (fd->hint)
			tm_buf_addf(&b, "%s Fix: %s", b.len && b.s[b.len - 1] != '.' ? "." : "", fd->hint);
		tm_jsonw_str_n(w, tm_buf_str(&b), b.len);
		TM_JSONW_LIT(w, "}");
		size_t nl = 0;
		for (size_t k = 0; k < fd->nlocations; k++) {
			const tm_floc *l = &fd->locations[k];
			if (!l->loc.file || !*l->loc.file)
				continue;
			if (nl)
				TM_JSONW_LIT(w, ",\n            ");
			else
				TM_JSONW_LIT(w, ",\n          \"locations\": [\n            ");
			location(w, &l->loc, l->what, in->base_dir, &b);
			nl++;
		}
		if (nl)
			TM_JSONW_LIT(w, "\n          ]");
		if (fd->evidence && fd->evidence->file) {
			/* the packet or line that shows it: a related location (a
			 * capture has no lines, so its packet is in the message) */
			const tm_fevidence *ev = fd->evidence;
			tm_srcloc el = {ev->file, ev->unit && !strcmp(ev->unit, "line") ? (unsigned)ev->pos : 0, 0};
			tm_buf t;
			tm_buf_init(&t, 0);
			(void)tm_buf_adds(&t, "observed without mutual TLS: ");
			tm_fevidence_format(ev, &t);
			TM_JSONW_LIT(w, ",\n          \"relatedLocations\": [\n            ");
			location(w, &el, tm_buf_str(&t), in->base_dir, &b);
			if (ev->conn_file) {
				/* the line that established the connection: Zeek's
				 * conn.log record, Hubble's first event of it */
				tm_srcloc cl = {ev->conn_file, (unsigned)ev->conn_pos, 0};
				TM_JSONW_LIT(w, ",\n            ");
				location(w, &cl,
					 ev->source && !strcmp(ev->source, "hubble") ? "the first Hubble event of that connection"
										    : "the conn.log record of that connection",
					 in->base_dir, &b);
			}
			if (ev->via_file) {
				/* the summary record it was read back from */
				tm_srcloc vl = {ev->via_file, (unsigned)ev->via_pos, 0};
				TM_JSONW_LIT(w, ",\n            ");
				location(w, &vl, "the flow summary record it was read from", in->base_dir, &b);
			}
			tm_buf_release(&t);
			TM_JSONW_LIT(w, "\n          ]");
		}
		char *key = tm_finding_key(fd);
		char fp[24];
		snprintf(fp, sizeof fp, "%016llx", fnv(key));
		free(key);
		TM_JSONW_LIT(w, ",\n          \"partialFingerprints\": {\"trustmapFinding/v1\": \"");
		tm_jsonw_raws(w, fp);
		TM_JSONW_LIT(w, "\"}");
		if (fd->suppressed) {
			TM_JSONW_LIT(w, ",\n          \"suppressions\": [{\"kind\": \"inSource\", \"justification\": ");
			tm_buf_reset(&b);
			tm_buf_addf(&b, "%s (trustmap.io/ignore on %s)", fd->suppress_reason ? fd->suppress_reason : "",
				    fd->suppressed_by ? fd->suppressed_by : "?");
			tm_jsonw_str_n(w, tm_buf_str(&b), b.len);
			TM_JSONW_LIT(w, "}]");
		}
		TM_JSONW_LIT(w, ",\n          \"properties\": {\"severity\": \"");
		tm_jsonw_raws(w, tm_severity_name(fd->severity));
		TM_JSONW_LIT(w, "\"");
		if (fd->src) {
			TM_JSONW_LIT(w, ", \"src\": ");
			tm_jsonw_str(w, fd->src);
		}
		if (fd->dst) {
			TM_JSONW_LIT(w, ", \"dst\": ");
			tm_jsonw_str(w, fd->dst);
		}
		if (fd->conns) {
			TM_JSONW_LIT(w, ", \"conns\": ");
			tm_jsonw_str(w, fd->conns);
		}
		if (fd->subject) {
			TM_JSONW_LIT(w, ", \"subject\": ");
			tm_jsonw_str(w, fd->subject);
		}
		if (fd->evidence) {
			TM_JSONW_LIT(w, ", \"evidence\": ");
			tm_fevidence_jsonw(w, fd->evidence);
		}
		TM_JSONW_LIT(w, "}\n        }");
	}
	if (f->n)
		TM_JSONW_LIT(w, "\n      ]");
	else
		TM_JSONW_LIT(w, "]");
	TM_JSONW_LIT(w, ",\n      \"originalUriBaseIds\": {\"%SRCROOT%\": {\"description\": {\"text\": \"the directory trustmap ran in\"}}}");
	/* runs[0].properties.zones: what each zone holds (docs/ci.md) */
	TM_JSONW_LIT(w, ",\n      \"properties\": {\"zones\": ");
	tm_zones_jsonw(w, f, "      ", false);
	TM_JSONW_LIT(w, "}");
	TM_JSONW_LIT(w, "\n");
	TM_JSONW_LIT(w, "    }\n  ]\n}\n");
	tm_buf_release(&b);
	return tm_jsonw_close(w);
}
