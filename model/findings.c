/* findings.c - the list of findings that check/diff produce and render. */
#include "model/findings.h"

#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

static const char *const sev_names[TM_NSEV] = {"info", "low", "medium", "high", "critical"};

const char *tm_severity_name(tm_severity s)
{
	return (unsigned)s < TM_NSEV ? sev_names[s] : "?";
}

bool tm_severity_parse(const char *s, tm_severity *out)
{
	for (int i = 0; i < TM_NSEV; i++)
		if (s && !strcmp(s, sev_names[i])) {
			*out = (tm_severity)i;
			return true;
		}
	return false;
}

void tm_findings_init(tm_findings *f)
{
	memset(f, 0, sizeof *f);
	tm_arena_init(&f->arena);
}

void tm_findings_release(tm_findings *f)
{
	tm_arena_release(&f->arena);
	memset(f, 0, sizeof *f);
}

const char *tm_findings_str(tm_findings *f, const char *s)
{
	return s ? tm_arena_strdup(&f->arena, s) : NULL;
}

tm_finding *tm_findings_add(tm_findings *f, const char *rule, tm_severity sev, const char *title,
			    const char *message)
{
	TM_ARENA_GROW(&f->arena, f->v, f->n, f->cap);
	tm_finding *fd = &f->v[f->n++];
	memset(fd, 0, sizeof *fd);
	fd->rule = tm_findings_str(f, rule);
	fd->severity = sev;
	fd->title = tm_findings_str(f, title);
	fd->message = tm_findings_str(f, message);
	return fd;
}

void tm_finding_add_loc(tm_findings *f, tm_finding *fd, tm_srcloc loc, const char *what)
{
	TM_ARENA_GROW(&f->arena, fd->locations, fd->nlocations, fd->cap_loc);
	tm_floc *l = &fd->locations[fd->nlocations++];
	l->loc = loc;
	l->loc.file = tm_findings_str(f, loc.file ? loc.file : "");
	l->what = tm_findings_str(f, what);
}

void tm_finding_set_evidence(tm_findings *f, tm_finding *fd, const tm_fevidence *ev)
{
	if (!ev) {
		fd->evidence = NULL;
		return;
	}
	tm_fevidence *e = tm_arena_alloc(&f->arena, sizeof *e);
	*e = *ev;
	e->source = tm_findings_str(f, ev->source);
	e->file = tm_findings_str(f, ev->file);
	e->unit = tm_findings_str(f, ev->unit);
	e->transport = tm_findings_str(f, ev->transport);
	e->src_ip = tm_findings_str(f, ev->src_ip);
	e->dst_ip = tm_findings_str(f, ev->dst_ip);
	e->shows = tm_findings_str(f, ev->shows);
	e->uid = tm_findings_str(f, ev->uid);
	e->conn_file = tm_findings_str(f, ev->conn_file);
	e->via_file = tm_findings_str(f, ev->via_file);
	fd->evidence = e;
}

void tm_fevidence_format_where(const tm_fevidence *ev, tm_buf *out)
{
	(void)tm_buf_addf(out, "%s %s", ev->source ? ev->source : "?", ev->file ? ev->file : "?");
	if (ev->pos)
		(void)tm_buf_addf(out, " %s %llu", ev->unit ? ev->unit : "record", (unsigned long long)ev->pos);
	if (ev->conn_file) {
		(void)tm_buf_addf(out, " (connection %s", ev->conn_file);
		if (ev->conn_pos)
			(void)tm_buf_addf(out, " line %llu", (unsigned long long)ev->conn_pos);
		(void)tm_buf_adds(out, ")");
	}
	if (ev->via_file) {
		(void)tm_buf_addf(out, " (via summary %s", ev->via_file);
		if (ev->via_pos)
			(void)tm_buf_addf(out, " line %llu", (unsigned long long)ev->via_pos);
		(void)tm_buf_adds(out, ")");
	}
}

void tm_fevidence_format(const tm_fevidence *ev, tm_buf *out)
{
	tm_fevidence_format_where(ev, out);
	bool v6s = ev->src_ip && strchr(ev->src_ip, ':'), v6d = ev->dst_ip && strchr(ev->dst_ip, ':');
	(void)tm_buf_addf(out, ": %s %s%s%s:%u -> %s%s%s:%u", ev->transport ? ev->transport : "?", v6s ? "[" : "",
			  ev->src_ip ? ev->src_ip : "?", v6s ? "]" : "", ev->src_port, v6d ? "[" : "",
			  ev->dst_ip ? ev->dst_ip : "?", v6d ? "]" : "", ev->dst_port);
	time_t t = (time_t)(ev->time_us / 1000000);
	struct tm tmv;
	char s[32];
	if (ev->time_us >= 0 && gmtime_r(&t, &tmv) && strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tmv))
		(void)tm_buf_addf(out, " at %s.%06lldZ", s, (long long)(ev->time_us % 1000000));
	if (ev->shows)
		(void)tm_buf_addf(out, ", %s", ev->shows);
	if (ev->uid)
		(void)tm_buf_addf(out, ", uid %s", ev->uid);
}

void tm_findings_add_note(tm_findings *f, const char *code, tm_srcloc loc, const char *fmt, ...)
{
	tm_buf b;
	va_list ap;
	tm_buf_init(&b, 1 << 16);
	va_start(ap, fmt);
	(void)tm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	const char *msg = tm_buf_str(&b);
	for (size_t i = 0; i < f->nnotes; i++) {
		const tm_note *n = &f->notes[i];
		if (!strcmp(n->code, code) && !strcmp(n->message, msg) && tm_strcmp_null(n->loc.file, loc.file) == 0 &&
		    n->loc.line == loc.line && n->loc.col == loc.col) {
			tm_buf_release(&b);
			return;
		}
	}
	TM_ARENA_GROW(&f->arena, f->notes, f->nnotes, f->cap_notes);
	tm_note *n = &f->notes[f->nnotes++];
	n->code = tm_findings_str(f, code);
	n->message = tm_findings_str(f, msg);
	n->loc = loc;
	n->loc.file = tm_findings_str(f, loc.file);
	tm_buf_release(&b);
}

tm_zone_members *tm_findings_add_zone(tm_findings *f, const char *zone, tm_srcloc loc)
{
	TM_ARENA_GROW(&f->arena, f->zones, f->nzones, f->cap_zones);
	tm_zone_members *zm = &f->zones[f->nzones++];
	memset(zm, 0, sizeof *zm);
	zm->zone = tm_findings_str(f, zone);
	zm->loc = loc;
	zm->loc.file = tm_findings_str(f, loc.file);
	return zm;
}

void tm_zone_members_add(tm_findings *f, tm_zone_members *zm, const char *member)
{
	TM_ARENA_GROW(&f->arena, zm->members, zm->nmembers, zm->cap_members);
	zm->members[zm->nmembers++] = tm_findings_str(f, member);
}

static int note_cmp(const void *a, const void *b)
{
	const tm_note *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	if (!c)
		c = tm_strcmp_null(x->loc.file, y->loc.file);
	if (!c && x->loc.line != y->loc.line)
		c = x->loc.line < y->loc.line ? -1 : 1;
	if (!c && x->loc.col != y->loc.col)
		c = x->loc.col < y->loc.col ? -1 : 1;
	return c ? c : strcmp(x->message, y->message);
}

void tm_findings_add_rule(tm_findings *f, const char *id, const char *name, const char *title,
			  const char *help, tm_severity sev)
{
	if (tm_findings_rule(f, id))
		return;
	TM_ARENA_GROW(&f->arena, f->rules, f->nrules, f->cap_rules);
	tm_rule_info *r = &f->rules[f->nrules++];
	r->id = tm_findings_str(f, id);
	r->name = tm_findings_str(f, name);
	r->title = tm_findings_str(f, title);
	r->help = tm_findings_str(f, help);
	r->severity = sev;
}

const tm_rule_info *tm_findings_rule(const tm_findings *f, const char *id)
{
	for (size_t i = 0; i < f->nrules; i++)
		if (!strcmp(f->rules[i].id, id))
			return &f->rules[i];
	return NULL;
}

static int floc_cmp(const void *pa, const void *pb)
{
	const tm_floc *a = pa, *b = pb;
	int c = strcmp(a->loc.file, b->loc.file);
	if (c)
		return c;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	return tm_strcmp_null(a->what, b->what);
}

static int finding_cmp(const void *pa, const void *pb)
{
	const tm_finding *a = pa, *b = pb;
	int c;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = strcmp(a->rule, b->rule)))
		return c;
	if ((c = tm_strcmp_null(a->subject, b->subject)))
		return c;
	if ((c = tm_strcmp_null(a->src, b->src)))
		return c;
	if ((c = tm_strcmp_null(a->dst, b->dst)))
		return c;
	return tm_strcmp_null(a->message, b->message);
}

static int rule_cmp(const void *pa, const void *pb)
{
	const tm_rule_info *a = pa, *b = pb;
	return strcmp(a->id, b->id);
}

void tm_findings_sort(tm_findings *f)
{
	if (f->nnotes > 1)
		qsort(f->notes, f->nnotes, sizeof *f->notes, note_cmp);
	for (size_t i = 0; i < f->n; i++) {
		tm_finding *fd = &f->v[i];
		if (fd->nlocations > 1) {
			qsort(fd->locations, fd->nlocations, sizeof *fd->locations, floc_cmp);
			size_t k = 1;
			for (size_t j = 1; j < fd->nlocations; j++)
				if (floc_cmp(&fd->locations[j], &fd->locations[k - 1]))
					fd->locations[k++] = fd->locations[j];
			fd->nlocations = k;
		}
	}
	if (f->n > 1)
		qsort(f->v, f->n, sizeof *f->v, finding_cmp);
	if (f->nrules > 1)
		qsort(f->rules, f->nrules, sizeof *f->rules, rule_cmp);
}

char *tm_finding_key(const tm_finding *fd)
{
	tm_buf b;
	tm_buf_init(&b, 0);
	tm_buf_addf(&b, "%s|%s|%s|%s", fd->rule, fd->subject ? fd->subject : "", fd->src ? fd->src : "",
		    fd->dst ? fd->dst : "");
	return tm_buf_detach(&b);
}

void tm_findings_summarize(const tm_findings *f, tm_findings_summary *s)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < f->n; i++) {
		s->total++;
		if (f->v[i].suppressed)
			s->suppressed++;
		else if ((unsigned)f->v[i].severity < TM_NSEV)
			s->by_sev[f->v[i].severity]++;
	}
}

bool tm_findings_any_at_least(const tm_findings *f, tm_severity min)
{
	for (size_t i = 0; i < f->n; i++)
		if (!f->v[i].suppressed && f->v[i].severity >= min)
			return true;
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool tm_ignore_next(const char *ann, size_t *pos, const char **name, size_t *len)
{
	const char *colon = strchr(ann, ':');
	const char *end = colon ? colon : ann + strlen(ann);
	const char *p = ann + *pos;
	if (p >= end)
		return false;
	const char *q = p;
	while (q < end && *q != ',')
		q++;
	const char *a = p, *b = q;
	while (a < b && is_space(*a))
		a++;
	while (b > a && is_space(b[-1]))
		b--;
	*name = a;
	*len = (size_t)(b - a);
	*pos = (size_t)(q - ann) + 1;
	return true;
}

bool tm_ignore_matches(const char *ann, const char *rule, const char **reason, size_t *reason_len)
{
	if (!ann || !rule)
		return false;
	bool hit = false;
	size_t rl = strlen(rule), pos = 0, n;
	const char *a;
	while (!hit && tm_ignore_next(ann, &pos, &a, &n))
		hit = (n == rl && !memcmp(a, rule, rl)) || (n == 1 && *a == '*');
	if (hit && reason) {
		const char *colon = strchr(ann, ':');
		const char *r = colon ? colon + 1 : ann + strlen(ann);
		while (*r && is_space(*r))
			r++;
		size_t rn = strlen(r);
		while (rn && is_space(r[rn - 1]))
			rn--;
		*reason = r;
		*reason_len = rn;
	}
	return hit;
}

bool tm_finding_suppress(tm_findings *f, tm_finding *fd, const char *ann, const char *object)
{
	const char *r;
	size_t rl;
	if (!tm_ignore_matches(ann, fd->rule, &r, &rl))
		return false;
	if (!fd->suppressed) { /* the first annotation that names the rule is the one said */
		fd->suppressed = true;
		fd->suppress_reason = rl ? tm_arena_strndup(&f->arena, r, rl) : tm_findings_str(f, "(no reason given)");
		fd->suppressed_by = tm_findings_str(f, object);
	}
	return true;
}
