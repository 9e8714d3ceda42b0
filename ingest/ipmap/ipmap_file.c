/* ipmap_file.c - --ip-map files (ipmap_file.h). */
#include "ingest/ipmap/ipmap_file.h"

#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define IPMAP_MAX_BYTES ((size_t)256 << 20)

typedef struct ictx {
	tm_model *m;
	const char *file;
	size_t added, bad;
} ictx;

static void warn(ictx *c, unsigned line, const char *fmt, ...) TM_PRINTF(3, 4);
static void warn(ictx *c, unsigned line, const char *fmt, ...)
{
	c->bad++;
	if (c->bad > 10)
		return;
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tm_diags_add(&c->m->diags, TM_DIAG_WARN, (tm_srcloc){c->file, line, 0}, "%s", msg);
}

static void add(ictx *c, tm_ipbind_kind kind, const char *ip, const char *ns, const char *name, const char *wkind,
		const char *owner, bool hostnet, unsigned line)
{
	tm_ipbind b = {kind, {0, 0}, NULL, NULL, NULL, NULL, hostnet, {c->file, line, 0}};
	if (!ip || !tm_ip_parse(ip, &b.ip)) {
		if (ip && strcmp(ip, "<none>") && strcmp(ip, "None") && *ip)
			warn(c, line, "--ip-map: \"%s\" is not an IP address; line skipped", ip);
		return;
	}
	b.ns = ns ? tm_intern(&c->m->strs, ns) : NULL;
	b.name = name ? tm_intern(&c->m->strs, name) : NULL;
	b.wkind = wkind ? tm_intern(&c->m->strs, wkind) : NULL;
	b.owner = owner ? tm_intern(&c->m->strs, owner) : NULL;
	TM_ARENA_GROW(&c->m->arena, c->m->ipbinds, c->m->nipbinds, c->m->cap_ipbinds);
	c->m->ipbinds[c->m->nipbinds++] = b;
	c->added++;
}

/* ---- kubectl -o json ---------------------------------------------------- */
static const char *jstr(json_t *o, const char *k)
{
	json_t *v = o ? json_object_get(o, k) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void json_object_one(ictx *c, json_t *o)
{
	const char *kind = jstr(o, "kind");
	json_t *md = json_object_get(o, "metadata"), *spec = json_object_get(o, "spec"),
	       *st = json_object_get(o, "status");
	const char *ns = jstr(md, "namespace"), *name = jstr(md, "name");
	if (kind && !strcmp(kind, "List")) {
		json_t *items = json_object_get(o, "items"), *it;
		size_t i;
		json_array_foreach(items, i, it)
			json_object_one(c, it);
		return;
	}
	if (!kind || !name)
		return;
	if (!ns)
		ns = "default";
	if (!strcmp(kind, "Pod")) {
		const char *owner = NULL;
		json_t *refs = md ? json_object_get(md, "ownerReferences") : NULL, *r;
		size_t i;
		json_array_foreach(refs, i, r)
			if (json_is_true(json_object_get(r, "controller")))
				owner = jstr(r, "name");
		bool hostnet = json_is_true(json_object_get(spec, "hostNetwork"));
		json_t *ips = st ? json_object_get(st, "podIPs") : NULL, *ip;
		size_t n = 0;
		json_array_foreach(ips, i, ip) {
			add(c, TM_IPBIND_POD, jstr(ip, "ip"), ns, name, NULL, owner, hostnet, 0);
			n++;
		}
		if (!n && jstr(st, "podIP"))
			add(c, TM_IPBIND_POD, jstr(st, "podIP"), ns, name, NULL, owner, hostnet, 0);
		if (jstr(st, "hostIP"))
			add(c, TM_IPBIND_NODE, jstr(st, "hostIP"), NULL, jstr(spec, "nodeName"), NULL, NULL, false, 0);
		return;
	}
	if (!strcmp(kind, "Service")) {
		size_t i, n = 0;
		json_t *ip;
		json_array_foreach(json_object_get(spec, "clusterIPs"), i, ip) {
			if (json_is_string(ip)) {
				add(c, TM_IPBIND_SERVICE, json_string_value(ip), ns, name, NULL, NULL, false, 0);
				n++;
			}
		}
		if (!n && jstr(spec, "clusterIP") && strcmp(jstr(spec, "clusterIP"), "None"))
			add(c, TM_IPBIND_SERVICE, jstr(spec, "clusterIP"), ns, name, NULL, NULL, false, 0);
		json_array_foreach(json_object_get(spec, "externalIPs"), i, ip)
			if (json_is_string(ip))
				add(c, TM_IPBIND_SERVICE, json_string_value(ip), ns, name, NULL, NULL, false, 0);
		json_t *lb = st ? json_object_get(st, "loadBalancer") : NULL;
		json_array_foreach(lb ? json_object_get(lb, "ingress") : NULL, i, ip)
			if (jstr(ip, "ip"))
				add(c, TM_IPBIND_SERVICE, jstr(ip, "ip"), ns, name, NULL, NULL, false, 0);
	}
}

static tm_err parse_json(ictx *c, const char *data, size_t len)
{
	json_error_t e;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		tm_diags_add(&c->m->diags, TM_DIAG_ERROR, (tm_srcloc){c->file, (unsigned)(e.line > 0 ? e.line : 0),
								    (unsigned)(e.column > 0 ? e.column : 0)},
			     "--ip-map: %s", e.text);
		return TM_ERR_SYNTAX;
	}
	if (json_is_array(j)) {
		size_t i;
		json_t *it;
		json_array_foreach(j, i, it)
			json_object_one(c, it);
	} else
		json_object_one(c, j);
	json_decref(j);
	return TM_OK;
}

/* ---- kubectl -o wide, and two columns ----------------------------------- */
typedef struct col {
	size_t at;
	char name[32];
} col;

/* columns of the header: names separated by two or more blanks */
static size_t header_cols(const char *s, size_t n, col *cols, size_t max)
{
	size_t k = 0, i = 0;
	while (i < n && k < max) {
		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		size_t st = i;
		while (i < n && !(s[i] == ' ' && (i + 1 >= n || s[i + 1] == ' ')))
			i++;
		size_t l = i - st < sizeof cols[k].name - 1 ? i - st : sizeof cols[k].name - 1;
		cols[k].at = st;
		memcpy(cols[k].name, s + st, l);
		cols[k].name[l] = 0;
		k++;
	}
	return k;
}

/* the value of column k on a line aligned under the header (trimmed) */
static void cell(const char *s, size_t n, const col *cols, size_t ncols, size_t k, char *out, size_t cap)
{
	size_t a = cols[k].at, b = k + 1 < ncols ? cols[k + 1].at : n;
	if (a > n)
		a = n;
	if (b > n)
		b = n;
	/* a value may start before its header's column when an earlier one is long: back up to the blank */
	while (a > 0 && a < n && s[a - 1] != ' ')
		a--;
	while (a < b && s[a] == ' ')
		a++;
	size_t e = a;
	while (e < n && s[e] != ' ')
		e++;
	size_t l = e - a < cap - 1 ? e - a : cap - 1;
	memcpy(out, s + a, l);
	out[l] = 0;
}

static long find_col(const col *cols, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cols[i].name, name))
			return (long)i;
	return -1;
}

static void parse_text(ictx *c, char *data, size_t len)
{
	col cols[32];
	size_t ncols = 0;
	long cns = -1, cname = -1, cip = -1, cnode = -1;
	bool wide = false;
	unsigned line = 0;
	char *s = data, *end = data + len;
	while (s < end) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		char save = s[n];
		s[n] = 0;
		const char *t = s;
		while (*t == ' ' || *t == '\t')
			t++;
		if (!*t || *t == '#') {
			/* blank or comment */
		} else if (line == 1 && (!strncmp(t, "NAMESPACE ", 10) || !strncmp(t, "NAME ", 5))) {
			ncols = header_cols(s, n, cols, TM_ARRAY_LEN(cols));
			cns = find_col(cols, ncols, "NAMESPACE");
			cname = find_col(cols, ncols, "NAME");
			cip = find_col(cols, ncols, "IP");
			cnode = find_col(cols, ncols, "NODE");
			wide = cname >= 0 && cip >= 0;
			if (!wide)
				warn(c, line, "--ip-map: %s: a kubectl table without NAME and IP columns (kubectl get pods -o wide)",
				     "header");
		} else if (wide) {
			char ns[254], name[254], ip[64], node[254];
			cell(s, n, cols, ncols, (size_t)cname, name, sizeof name);
			cell(s, n, cols, ncols, (size_t)cip, ip, sizeof ip);
			if (cns >= 0)
				cell(s, n, cols, ncols, (size_t)cns, ns, sizeof ns);
			else
				snprintf(ns, sizeof ns, "default");
			node[0] = 0;
			if (cnode >= 0)
				cell(s, n, cols, ncols, (size_t)cnode, node, sizeof node);
			/* a pod/ prefix (kubectl get pods,svc) */
			const char *nm = !strncmp(name, "pod/", 4) ? name + 4 : name;
			add(c, TM_IPBIND_POD, ip, ns, nm, NULL, NULL, false, line);
		} else {
			/* IP ns/name[Kind] */
			char ip[64], ref[600];
			const char *sp = t;
			while (*sp && *sp != ' ' && *sp != '\t')
				sp++;
			size_t il = (size_t)(sp - t);
			const char *r = sp;
			while (*r == ' ' || *r == '\t')
				r++;
			size_t rl = strlen(r);
			while (rl && (r[rl - 1] == ' ' || r[rl - 1] == '\t'))
				rl--;
			if (il >= sizeof ip || !rl || rl >= sizeof ref || memchr(r, ' ', rl)) {
				warn(c, line, "--ip-map: %s: expected \"IP ns/workload\"; line skipped", "not two columns");
			} else {
				memcpy(ip, t, il);
				ip[il] = 0;
				memcpy(ref, r, rl);
				ref[rl] = 0;
				tm_ipbind_kind kind = TM_IPBIND_WORKLOAD;
				char *p = ref;
				if (!strncmp(p, "svc/", 4) || !strncmp(p, "service/", 8)) {
					kind = TM_IPBIND_SERVICE;
					p = strchr(p, '/') + 1;
				} else if (!strncmp(p, "node/", 5)) {
					add(c, TM_IPBIND_NODE, ip, NULL, p + 5, NULL, NULL, false, line);
					goto next;
				} else if (!strncmp(p, "pod/", 4)) {
					kind = TM_IPBIND_POD;
					p += 4;
				}
				char *slash = strchr(p, '/');
				if (!slash || slash == p || !slash[1]) {
					warn(c, line, "--ip-map: \"%s\" is not ns/name; line skipped", ref);
					goto next;
				}
				*slash = 0;
				char *kb = strchr(slash + 1, '[');
				char *wk = NULL;
				if (kb && ref[rl - 1] == ']') {
					*kb = 0;
					ref[rl - 1] = 0;
					wk = kb + 1;
				}
				add(c, kind, ip, p, slash + 1, wk, NULL, false, line);
			}
		}
	next:
		s[n] = save;
		s = nl ? nl + 1 : end;
	}
}

tm_err tm_ipmap_file_parse(tm_model *m, const char *name, const char *data, size_t len)
{
	ictx c = {m, tm_intern(&m->strs, name), 0, 0};
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
		i++;
	tm_err rc = TM_OK;
	if (i < len && (data[i] == '{' || data[i] == '['))
		rc = parse_json(&c, data, len);
	else {
		char *copy = malloc(len + 1);
		if (!copy)
			return TM_ERR_NOMEM;
		memcpy(copy, data, len);
		copy[len] = 0;
		parse_text(&c, copy, len);
		free(copy);
	}
	if (c.bad > 10)
		tm_diags_add(&m->diags, TM_DIAG_WARN, (tm_srcloc){c.file, 0, 0}, "--ip-map: %zu more bad lines not listed (%zu in all)",
			     c.bad - 10, c.bad);
	if (rc == TM_OK && !c.added)
		tm_diags_add(&m->diags, TM_DIAG_WARN, (tm_srcloc){c.file, 0, 0},
			     "--ip-map: no address in the file (kubectl get pods -A -o wide, kubectl get pods,svc -A -o json, "
			     "or lines \"IP ns/workload\")");
	return rc;
}

tm_err tm_ipmap_file_load(tm_model *m, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		tm_diags_add(&m->diags, TM_DIAG_ERROR, (tm_srcloc){tm_intern(&m->strs, path), 0, 0}, "cannot open: %s",
			     strerror(errno));
		return TM_ERR_IO;
	}
	tm_buf b;
	tm_buf_init(&b, IPMAP_MAX_BYTES);
	char chunk[65536];
	size_t n;
	tm_err rc = TM_OK;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (tm_buf_add(&b, chunk, n) != TM_OK) {
			tm_diags_add(&m->diags, TM_DIAG_ERROR, (tm_srcloc){tm_intern(&m->strs, path), 0, 0},
				     "--ip-map: larger than %zu bytes", IPMAP_MAX_BYTES);
			rc = TM_ERR_LIMIT;
			break;
		}
	if (f != stdin)
		fclose(f);
	if (rc == TM_OK)
		rc = tm_ipmap_file_parse(m, path, tm_buf_str(&b), b.len);
	tm_buf_release(&b);
	return rc;
}
