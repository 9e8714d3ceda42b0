/* flowlog.c - connection table, records and timestamps of the flow-log readers. */
#include "ingest/flowlog/flowlog.h"

#include <stdlib.h>
#include <string.h>

void tm_conntab_init(tm_conntab *t)
{
	memset(t, 0, sizeof *t);
}

void tm_conntab_release(tm_conntab *t)
{
	free(t->hash);
	free(t->idx);
	memset(t, 0, sizeof *t);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static uint64_t key_hash(const tm_conntab_key *k)
{
	uint64_t h = 0x84222325cbf29ce4ull;
	h = mix(h, k->cli.hi);
	h = mix(h, k->cli.lo);
	h = mix(h, k->srv.hi);
	h = mix(h, k->srv.lo);
	h = mix(h, ((uint64_t)k->cport << 32) | ((uint64_t)k->sport << 16) | ((uint64_t)k->proto << 8) | k->cls);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h ? h : 1;
}

void tm_conntab_key_of(const tm_flow *f, uint8_t cls, tm_conntab_key *k)
{
	memset(k, 0, sizeof *k);
	k->cli = f->cli_ip;
	k->srv = f->srv_ip;
	k->cport = f->cli_port;
	k->sport = f->srv_port;
	k->proto = f->proto;
	k->cls = cls;
}

tm_flowlog_conn tm_flowlog_conn_reversed(const tm_flowlog_conn *c)
{
	tm_flowlog_conn r = *c;
	r.cli = c->srv;
	r.srv = c->cli;
	r.cli_family = c->srv_family;
	r.srv_family = c->cli_family;
	r.cli_port = c->srv_port;
	r.srv_port = c->cli_port;
	return r;
}

void tm_flowlog_conn_key(const tm_flowlog_conn *c, uint8_t cls, tm_conntab_key *k)
{
	memset(k, 0, sizeof *k);
	k->cli = c->cli;
	k->srv = c->srv;
	k->cport = c->cli_port;
	k->sport = c->srv_port;
	k->proto = c->proto;
	k->cls = cls;
}

tm_flow *tm_flowlog_record(tm_flowset *fs, const tm_flowlog_conn *c, tm_flow_origin origin, uint32_t source)
{
	tm_flow *f = tm_flowset_push(fs);
	if (!f)
		return NULL;
	f->origin = (uint8_t)origin;
	f->source = source;
	f->proto = c->proto;
	f->family = c->cli_family == 6 || c->srv_family == 6 ? 6 : 4;
	f->cli_ip = c->cli;
	f->srv_ip = c->srv;
	f->cli_port = c->cli_port;
	f->srv_port = c->srv_port;
	f->first_us = f->last_us = c->ts;
	f->verdict = c->verdict;
	return f;
}

static bool same(const tm_flow *f, const tm_conntab_key *k)
{
	return f->cli_port == k->cport && f->srv_port == k->sport && f->proto == k->proto &&
	       !tm_ip_cmp(f->cli_ip, k->cli) && !tm_ip_cmp(f->srv_ip, k->srv);
}

/* the class lives in the record: verdict DROPPED/ERROR is class 1 */
static uint8_t cls_of(const tm_flow *f)
{
	return f->verdict == TM_VERDICT_DROPPED || f->verdict == TM_VERDICT_ERROR;
}

long tm_conntab_find(const tm_conntab *t, const tm_flowset *fs, const tm_conntab_key *k)
{
	if (!t->cap)
		return -1;
	uint64_t h = key_hash(k);
	for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (!t->hash[i])
			return -1;
		if (t->hash[i] == h) {
			const tm_flow *f = &fs->flows[t->idx[i]];
			if (same(f, k) && cls_of(f) == k->cls)
				return (long)t->idx[i];
		}
	}
}

static bool grow(tm_conntab *t)
{
	size_t nc = t->cap ? t->cap * 2 : 4096;
	uint64_t *nh = calloc(nc, sizeof *nh);
	uint32_t *ni = malloc(nc * sizeof *ni);
	if (!nh || !ni) {
		free(nh);
		free(ni);
		return false;
	}
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->hash[i])
			continue;
		size_t j = t->hash[i] & (nc - 1);
		while (nh[j])
			j = (j + 1) & (nc - 1);
		nh[j] = t->hash[i];
		ni[j] = t->idx[i];
	}
	free(t->hash);
	free(t->idx);
	t->hash = nh;
	t->idx = ni;
	t->cap = nc;
	return true;
}

bool tm_conntab_put(tm_conntab *t, const tm_flowset *fs, const tm_conntab_key *k, uint32_t idx)
{
	(void)fs;
	if ((t->count + 1) * 4 > t->cap * 3 && !grow(t))
		return false;
	uint64_t h = key_hash(k);
	size_t i = h & (t->cap - 1);
	while (t->hash[i])
		i = (i + 1) & (t->cap - 1);
	t->hash[i] = h;
	t->idx[i] = idx;
	t->count++;
	return true;
}

static bool num(const char *s, size_t n, size_t *at, size_t len, int *out)
{
	int v = 0;
	if (*at + len > n)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[*at + i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*at += len;
	*out = v;
	return true;
}

/* days since 1970-01-01 of a civil date (Howard Hinnant's algorithm) */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool tm_time_rfc3339(const char *s, size_t n, int64_t *us)
{
	size_t at = 0;
	int y, mo, d, h, mi, se;
	if (!num(s, n, &at, 4, &y) || at >= n || s[at++] != '-' || !num(s, n, &at, 2, &mo) || at >= n ||
	    s[at++] != '-' || !num(s, n, &at, 2, &d) || at >= n || (s[at] != 'T' && s[at] != 't' && s[at] != ' '))
		return false;
	at++;
	if (!num(s, n, &at, 2, &h) || at >= n || s[at++] != ':' || !num(s, n, &at, 2, &mi) || at >= n ||
	    s[at++] != ':' || !num(s, n, &at, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	int64_t frac = 0;
	if (at < n && s[at] == '.') {
		at++;
		int digits = 0;
		while (at < n && s[at] >= '0' && s[at] <= '9') {
			if (digits < 6)
				frac = frac * 10 + (s[at] - '0');
			digits++;
			at++;
		}
		if (!digits)
			return false;
		for (; digits < 6; digits++)
			frac *= 10;
	}
	int64_t off = 0;
	if (at < n && (s[at] == 'Z' || s[at] == 'z'))
		at++;
	else if (at < n && (s[at] == '+' || s[at] == '-')) {
		int sign = s[at] == '-' ? -1 : 1, oh, om;
		at++;
		if (!num(s, n, &at, 2, &oh) || at >= n || s[at++] != ':' || !num(s, n, &at, 2, &om))
			return false;
		off = sign * (oh * 3600 + om * 60);
	} else
		return false;
	if (at != n)
		return false;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	*us = secs * 1000000 + frac;
	return true;
}

bool tm_time_epoch(const char *s, size_t n, int64_t *us)
{
	size_t at = 0;
	int64_t sec = 0, frac = 0;
	bool neg = false;
	if (at < n && s[at] == '-') {
		neg = true;
		at++;
	}
	size_t d0 = at;
	while (at < n && s[at] >= '0' && s[at] <= '9') {
		if (at - d0 >= 12)
			return false;
		sec = sec * 10 + (s[at++] - '0');
	}
	if (at == d0)
		return false;
	if (at < n && s[at] == '.') {
		at++;
		int digits = 0;
		while (at < n && s[at] >= '0' && s[at] <= '9') {
			if (digits < 6)
				frac = frac * 10 + (s[at] - '0');
			digits++;
			at++;
		}
		for (; digits < 6; digits++)
			frac *= 10;
	}
	if (at != n)
		return false;
	*us = (neg ? -1 : 1) * (sec * 1000000 + frac);
	return true;
}

bool tm_ip_parse_n(const char *s, size_t n, tm_ip *ip, uint8_t *family)
{
	char b[64];
	if (!n || n >= sizeof b)
		return false;
	memcpy(b, s, n);
	b[n] = 0;
	if (!tm_ip_parse(b, ip))
		return false;
	*family = memchr(b, ':', n) ? 6 : 4;
	return true;
}
