/* zones.c - reading and validating the trust zones file (docs/zones.md).
 * The YAML tree comes from doc.c with positions; field errors reuse the
 * typed getters of getters.c so messages look like manifest errors. */
#include "ingest/manifest/zones.h"
#include "ingest/manifest/getters.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ZONES_MAX_BYTES ((size_t)16 << 20)

static void check_keys(tm_k8s_ctx *c, const tm_node *map, const char *field, const char *const *allowed)
{
	for (size_t i = 0; i < map->n && !c->failed; i++) {
		const tm_node *k = map->pairs[i].key;
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (k->kind == TM_NODE_SCALAR && !strcmp(k->str, *a))
				ok = true;
		if (!ok) {
			tm_buf b;
			tm_buf_init(&b, 4096);
			for (const char *const *a = allowed; *a; a++)
				tm_buf_addf(&b, "%s%s", a == allowed ? "" : ", ", *a);
			tm_k8s_error(c, k, field, "unknown field \"%s\" (expected one of: %s)",
				     k->kind == TM_NODE_SCALAR ? k->str : "?", tm_buf_str(&b));
			tm_buf_release(&b);
		}
	}
}

static const tm_node *need_map(tm_k8s_ctx *c, const tm_node *n, const char *field)
{
	if (n->kind != TM_NODE_MAP) {
		tm_k8s_error(c, n, field, "expected a map, got %s", tm_node_kind_str(n));
		return NULL;
	}
	return n;
}

static bool parse_port(tm_k8s_ctx *c, const tm_node *n, const char *field, const tm_ports **out)
{
	tm_model *m = c->m;
	if (n->kind != TM_NODE_SCALAR || n->stype == TM_SCALAR_NULL) {
		tm_k8s_error(c, n, field, "expected PROTO/PORT such as TCP/8443, got %s", tm_node_kind_str(n));
		return false;
	}
	const char *s = n->str;
	const char *sl = strchr(s, '/');
	tm_proto proto = TM_PROTO_TCP;
	const char *num = s;
	if (sl) {
		char pn[8];
		size_t k = (size_t)(sl - s);
		if (k >= sizeof pn || !k)
			goto bad;
		for (size_t i = 0; i < k; i++)
			pn[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
		pn[k] = 0;
		if (!tm_proto_parse(pn, &proto))
			goto bad;
		num = sl + 1;
	}
	if (!strcmp(num, "*") || (sl && !*num)) {
		*out = tm_ports_range(m->ports, proto, 1, 65535);
		return true;
	}
	char *end;
	errno = 0;
	unsigned long lo = strtoul(num, &end, 10), hi = lo;
	if (end == num || errno)
		goto bad;
	if (*end == '-') {
		const char *h = end + 1;
		hi = strtoul(h, &end, 10);
		if (end == h)
			goto bad;
	}
	if (*end || lo < 1 || hi > 65535 || lo > hi)
		goto bad;
	*out = tm_ports_range(m->ports, proto, (uint32_t)lo, (uint32_t)hi);
	return true;
bad:
	tm_k8s_error(c, n, field, "bad port \"%s\": expected PROTO/PORT or PROTO/LO-HI (TCP, UDP, SCTP; 1-65535)", s);
	return false;
}

static const char *const zone_keys[] = {"name", "namespaceSelector", "podSelector", "namespaces",
					"ipBlocks", "sensitive", "description", NULL};
static const char *const rule_keys[] = {"name", "from", "to", "action", "severity", "allow", "description", NULL};
static const char *const allow_keys[] = {"from", "ports", NULL};
static const char *const top_keys[] = {"apiVersion", "kind", "metadata", "zones", "rules", NULL};

static void parse_zone(tm_k8s_ctx *c, tm_zones *z, const tm_node *n, size_t idx)
{
	tm_model *m = c->m;
	char field[64];
	snprintf(field, sizeof field, "zones[%zu]", idx);
	if (!need_map(c, n, field))
		return;
	check_keys(c, n, field, zone_keys);
	if (c->failed)
		return;
	TM_HEAP_GROW(z->zones, z->nzones, z->cap_zones);
	tm_zone *zn = &z->zones[z->nzones++];
	memset(zn, 0, sizeof *zn);
	tm_ipset_init(&zn->ips);
	zn->loc = n->loc;
	if (!tm_k8s_str(c, n, "name", field, &zn->name))
		return;
	if (!zn->name) {
		tm_k8s_error(c, n, field, "a zone needs a name");
		return;
	}
	if (!tm_zone_name_valid(zn->name)) {
		tm_k8s_error(c, tm_node_get(n, "name"), field, "zone name \"%s\": use letters, digits, '-', '.', '_'", zn->name);
		return;
	}
	if (!strcmp(zn->name, TM_ZONE_INTERNET) || !strcmp(zn->name, TM_ZONE_ANY)) {
		tm_k8s_error(c, tm_node_get(n, "name"), field, "\"%s\" is a built-in zone and cannot be redefined", zn->name);
		return;
	}
	for (size_t i = 0; i + 1 < z->nzones; i++)
		if (!strcmp(z->zones[i].name, zn->name)) {
			tm_k8s_error(c, tm_node_get(n, "name"), field, "zone \"%s\" is defined twice (first at line %u)",
				     zn->name, z->zones[i].loc.line);
			return;
		}
	const tm_node *x;
	if ((x = tm_node_get(n, "namespaceSelector")) && !tm_node_is_null(x)) {
		zn->has_ns_sel = true;
		if (!tm_k8s_selector(c, x, field, &zn->ns_sel))
			return;
	}
	if ((x = tm_node_get(n, "podSelector")) && !tm_node_is_null(x)) {
		zn->has_pod_sel = true;
		if (!tm_k8s_selector(c, x, field, &zn->pod_sel))
			return;
	}
	const tm_node *ns = tm_k8s_seq(c, n, "namespaces", field);
	if (c->failed)
		return;
	if (ns) {
		zn->namespaces = tm_arena_alloc(&m->arena, (ns->n ? ns->n : 1) * sizeof(char *));
		for (size_t i = 0; i < ns->n; i++) {
			const tm_node *v = ns->items[i];
			if (v->kind != TM_NODE_SCALAR || v->stype == TM_SCALAR_NULL || !*v->str) {
				tm_k8s_error(c, v, field, "namespaces[%zu]: expected a namespace name", i);
				return;
			}
			zn->namespaces[zn->nnamespaces++] = v->str;
		}
		if (!ns->n) {
			tm_k8s_error(c, ns, field, "namespaces: empty list selects nothing");
			return;
		}
	}
	const tm_node *ipb = tm_k8s_seq(c, n, "ipBlocks", field);
	if (c->failed)
		return;
	if (ipb) {
		zn->has_ips = true;
		for (size_t i = 0; i < ipb->n; i++) {
			const tm_node *v = ipb->items[i];
			const tm_node *cidr = v;
			tm_iprange r;
			bool v4;
			if (v->kind == TM_NODE_MAP)
				cidr = tm_node_get(v, "cidr");
			if (!cidr || cidr->kind != TM_NODE_SCALAR || !tm_cidr_parse(cidr->str, &r, &v4)) {
				tm_k8s_error(c, cidr ? cidr : v, field, "ipBlocks[%zu]: expected a CIDR such as 10.0.0.0/8", i);
				return;
			}
			/* the block, minus its own excepts (not those of other blocks),
			 * validated as a NetworkPolicy ipBlock is */
			tm_ipset blk;
			tm_ipset_init(&blk);
			tm_ipset_add_block(&blk, r, v4);
			if (v->kind == TM_NODE_MAP) {
				const tm_node *ex = tm_k8s_seq(c, v, "except", field);
				if (c->failed) {
					tm_ipset_release(&blk);
					return;
				}
				for (size_t j = 0; ex && j < ex->n; j++) {
					tm_iprange er;
					bool ev4;
					if (ex->items[j]->kind != TM_NODE_SCALAR || !tm_cidr_parse(ex->items[j]->str, &er, &ev4)) {
						tm_k8s_error(c, ex->items[j], field, "ipBlocks[%zu].except[%zu]: expected a CIDR", i, j);
						tm_ipset_release(&blk);
						return;
					}
					if (ev4 != v4 || tm_ip_cmp(er.lo, r.lo) < 0 || tm_ip_cmp(er.hi, r.hi) > 0 ||
					    (tm_ip_cmp(er.lo, r.lo) == 0 && tm_ip_cmp(er.hi, r.hi) == 0)) {
						tm_k8s_error(c, ex->items[j], field,
							     "ipBlocks[%zu].except[%zu]: \"%s\" must be a strict subset of cidr \"%s\"", i,
							     j, ex->items[j]->str, cidr->str);
						tm_ipset_release(&blk);
						return;
					}
					tm_ipset_subtract(&blk, er);
				}
			}
			for (size_t k = 0; k < blk.n; k++)
				tm_ipset_add(&zn->ips, blk.r[k]);
			tm_ipset_release(&blk);
		}
	}
	if ((x = tm_node_get(n, "sensitive")) && !tm_k8s_bool(c, n, "sensitive", field, &zn->sensitive))
		return;
	if (!zn->has_ns_sel && !zn->has_pod_sel && !zn->nnamespaces && !zn->has_ips)
		tm_k8s_error(c, n, field,
			     "zone \"%s\" selects nothing: give namespaceSelector, podSelector, namespaces or ipBlocks",
			     zn->name);
}

static bool zone_ref_ok(const tm_zones *z, const char *name)
{
	return !strcmp(name, TM_ZONE_ANY) || !strcmp(name, TM_ZONE_INTERNET) || tm_zones_find(z, name);
}

static void parse_rule(tm_k8s_ctx *c, tm_zones *z, const tm_node *n, size_t idx)
{
	tm_model *m = c->m;
	char field[64];
	snprintf(field, sizeof field, "rules[%zu]", idx);
	if (!need_map(c, n, field))
		return;
	check_keys(c, n, field, rule_keys);
	if (c->failed)
		return;
	TM_HEAP_GROW(z->rules, z->nrules, z->cap_rules);
	tm_zrule *r = &z->rules[z->nrules++];
	memset(r, 0, sizeof *r);
	r->loc = n->loc;
	const char *action = NULL, *sev = NULL;
	if (!tm_k8s_str(c, n, "name", field, &r->name) || !tm_k8s_str(c, n, "from", field, &r->from) ||
	    !tm_k8s_str(c, n, "to", field, &r->to) || !tm_k8s_str(c, n, "action", field, &action) ||
	    !tm_k8s_str(c, n, "severity", field, &sev))
		return;
	if (!r->name || !tm_zone_name_valid(r->name)) {
		tm_k8s_error(c, r->name ? tm_node_get(n, "name") : n, field,
			     "a rule needs a name (letters, digits, '-', '.', '_')");
		return;
	}
	for (size_t i = 0; i + 1 < z->nrules; i++)
		if (!strcmp(z->rules[i].name, r->name)) {
			tm_k8s_error(c, tm_node_get(n, "name"), field, "rule \"%s\" is defined twice (first at line %u)",
				     r->name, z->rules[i].loc.line);
			return;
		}
	if (r->name[0] == 'T' && r->name[1] == 'M' && r->name[2] >= '0' && r->name[2] <= '9') {
		tm_k8s_error(c, tm_node_get(n, "name"), field, "rule names TM<digits> are reserved for built-in checks");
		return;
	}
	if (!r->from)
		r->from = tm_intern(&m->strs, TM_ZONE_ANY);
	if (!r->to)
		r->to = tm_intern(&m->strs, TM_ZONE_ANY);
	if (!zone_ref_ok(z, r->from)) {
		tm_k8s_error(c, tm_node_get(n, "from"), field, "from: no zone named \"%s\" (zones, any or internet)", r->from);
		return;
	}
	if (!zone_ref_ok(z, r->to)) {
		tm_k8s_error(c, tm_node_get(n, "to"), field, "to: no zone named \"%s\" (zones, any or internet)", r->to);
		return;
	}
	if (!strcmp(r->from, TM_ZONE_ANY) && !strcmp(r->to, TM_ZONE_ANY)) {
		tm_k8s_error(c, n, field, "rule \"%s\" needs from or to: a rule between any and any is not a boundary", r->name);
		return;
	}
	if (!action) {
		tm_k8s_error(c, n, field, "action is required (deny, allow-only, require-mtls)");
		return;
	}
	if (!strcmp(action, "deny"))
		r->action = TM_ZACT_DENY;
	else if (!strcmp(action, "allow-only"))
		r->action = TM_ZACT_ALLOW_ONLY;
	else if (!strcmp(action, "require-mtls"))
		r->action = TM_ZACT_REQUIRE_MTLS;
	else {
		tm_k8s_error(c, tm_node_get(n, "action"), field, "action \"%s\": expected deny, allow-only or require-mtls", action);
		return;
	}
	r->severity = r->action == TM_ZACT_DENY ? TM_SEV_HIGH : TM_SEV_MEDIUM;
	if (sev && !tm_severity_parse(sev, &r->severity)) {
		tm_k8s_error(c, tm_node_get(n, "severity"), field,
			     "severity \"%s\": expected info, low, medium, high or critical", sev);
		return;
	}
	const tm_node *al = tm_k8s_seq(c, n, "allow", field);
	if (c->failed)
		return;
	if (al && r->action != TM_ZACT_ALLOW_ONLY) {
		tm_k8s_error(c, al, field, "allow is only meaningful with action allow-only");
		return;
	}
	if (r->action == TM_ZACT_ALLOW_ONLY && !al) {
		tm_k8s_error(c, n, field, "action allow-only needs an allow list (an empty list means deny)");
		return;
	}
	if (!al)
		return;
	r->allow = tm_arena_alloc(&m->arena, (al->n ? al->n : 1) * sizeof *r->allow);
	for (size_t i = 0; i < al->n; i++) {
		const tm_node *a = al->items[i];
		char af[96];
		snprintf(af, sizeof af, "rules[%zu].allow[%zu]", idx, i);
		if (!need_map(c, a, af))
			return;
		check_keys(c, a, af, allow_keys);
		if (c->failed)
			return;
		tm_zallow *za = &r->allow[r->nallow++];
		za->loc = a->loc;
		const char *from = NULL;
		if (!tm_k8s_str(c, a, "from", af, &from))
			return;
		if (!from) {
			tm_k8s_error(c, a, af, "from is required (a zone or ns/workload)");
			return;
		}
		const char *sl = strchr(from, '/');
		if (sl) {
			/* ns/workload, ns/(star) or ns/workload[Kind] as conn prints it */
			const char *br = strchr(sl + 1, '[');
			size_t wl = br ? (size_t)(br - (sl + 1)) : strlen(sl + 1);
			bool kind_ok = !br || (br[1] && br[1] != ']' && strchr(br, ']') && !strchr(br, ']')[1]);
			if (sl == from || !wl || strchr(sl + 1, '/') || !kind_ok) {
				tm_k8s_error(c, tm_node_get(a, "from"), af,
					     "from \"%s\": expected ns/workload, ns/workload[Kind] or ns/*", from);
				return;
			}
			za->ns = tm_intern_n(&m->strs, from, (size_t)(sl - from));
			za->workload = tm_intern_n(&m->strs, sl + 1, wl);
			if (br)
				za->kind = tm_intern_n(&m->strs, br + 1, strlen(br + 1) - 1);
			/* an entry that names nothing in the input allows nothing: say so */
			bool found = false;
			for (size_t w = 0; w < m->nworkloads && !found; w++) {
				const tm_workload *wk = m->workloads[w];
				found = !wk->folded_into && !strcmp(wk->ns, za->ns) &&
					(!strcmp(za->workload, "*") || !strcmp(wk->name, za->workload)) &&
					(!za->kind || !strcmp(wk->kind, za->kind));
			}
			if (!found && m->nworkloads)
				tm_k8s_warn(c, tm_node_get(a, "from"), "%s: from \"%s\" names no workload in the input: it allows nothing",
					    af, from);
		} else if (zone_ref_ok(z, from)) {
			za->zone = from;
		} else {
			tm_k8s_error(c, tm_node_get(a, "from"), af, "from: no zone named \"%s\" (use ns/workload for a workload)", from);
			return;
		}
		const tm_node *ports = tm_k8s_seq(c, a, "ports", af);
		if (c->failed)
			return;
		if (ports) {
			za->ports = tm_ports_empty(m->ports);
			for (size_t j = 0; j < ports->n; j++) {
				const tm_ports *p;
				if (!parse_port(c, ports->items[j], af, &p))
					return;
				za->ports = tm_ports_union(m->ports, za->ports, p);
			}
		}
	}
}

tm_err tm_zones_parse(tm_model *m, const char *name, const char *data, size_t len, tm_zones **out)
{
	tm_docs docs = {0};
	tm_srcloc eloc = {0};
	tm_buf emsg;
	tm_doc_limits lim;
	tm_zones *z = calloc(1, sizeof *z);
	tm_load_opts lo;
	tm_err rc;
	*out = NULL;
	if (!z)
		return TM_ERR_NOMEM;
	tm_load_opts_default(&lo);
	tm_doc_limits_default(&lim);
	tm_buf_init(&emsg, 64 * 1024);
	name = tm_intern(&m->strs, name);
	z->file = name;
	/* JSON by extension (as for manifests); YAML otherwise, which also reads most JSON with positions */
	size_t nl = strlen(name);
	bool is_json = nl > 5 && !strcmp(name + nl - 5, ".json");
	rc = tm_doc_parse(&m->arena, &m->strs, &lim, name, data, len, is_json, &docs, &eloc, &emsg);
	if (rc != TM_OK) {
		tm_diags_add(&m->diags, TM_DIAG_ERROR, eloc, "zones file: %s", tm_buf_str(&emsg));
		goto out;
	}
	tm_k8s_ctx c = {.m = m, .o = &lo};
	if (docs.n != 1) {
		tm_srcloc l = {name, docs.n ? docs.docs[1]->loc.line : 0, docs.n ? docs.docs[1]->loc.col : 0};
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "zones file: expected exactly one document, found %zu", docs.n);
		rc = TM_ERR_INVALID;
		goto out;
	}
	const tm_node *root = docs.docs[0];
	c.obj = root;
	if (!need_map(&c, root, "zones file"))
		goto fail;
	check_keys(&c, root, "zones file", top_keys);
	if (c.failed)
		goto fail;
	const char *api = NULL, *kind = NULL;
	if (!tm_k8s_str(&c, root, "apiVersion", "apiVersion", &api) || !tm_k8s_str(&c, root, "kind", "kind", &kind))
		goto fail;
	if (!api || strcmp(api, "trustmap.io/v1")) {
		tm_k8s_error(&c, api ? tm_node_get(root, "apiVersion") : root, "apiVersion",
			     "expected trustmap.io/v1, got %s", api ? api : "nothing");
		goto fail;
	}
	if (!kind || strcmp(kind, "Zones")) {
		tm_k8s_error(&c, kind ? tm_node_get(root, "kind") : root, "kind", "expected Zones, got %s",
			     kind ? kind : "nothing");
		goto fail;
	}
	const tm_node *zs = tm_k8s_seq(&c, root, "zones", "zones");
	if (c.failed)
		goto fail;
	for (size_t i = 0; zs && i < zs->n && !c.failed; i++)
		parse_zone(&c, z, zs->items[i], i);
	if (c.failed)
		goto fail;
	const tm_node *rs = tm_k8s_seq(&c, root, "rules", "rules");
	if (c.failed)
		goto fail;
	for (size_t i = 0; rs && i < rs->n && !c.failed; i++)
		parse_rule(&c, z, rs->items[i], i);
	if (c.failed)
		goto fail;
	if (!z->nzones && !z->nrules) {
		tm_k8s_error(&c, root, "zones file", "defines no zones and no rules");
		goto fail;
	}
	for (size_t i = 0; i < z->nrules; i++) {
		tm_zone *t = (tm_zone *)tm_zones_find(z, z->rules[i].to);
		if (t && z->rules[i].action != TM_ZACT_REQUIRE_MTLS)
			t->sensitive = true;
	}
	rc = TM_OK;
	goto out;
fail:
	rc = TM_ERR_INVALID;
out:
	tm_buf_release(&emsg);
	if (rc != TM_OK)
		tm_zones_free(z);
	else
		*out = z;
	return rc;
}

tm_err tm_zones_load(tm_model *m, const char *path, tm_zones **out)
{
	tm_buf b;
	char chunk[65536];
	size_t n;
	tm_err rc = TM_OK;
	tm_srcloc l = {tm_intern(&m->strs, path), 0, 0};
	*out = NULL;
	FILE *f = !strcmp(path, "-") ? stdin : fopen(path, "rb");
	if (!f) {
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "cannot open zones file: %s", strerror(errno));
		return TM_ERR_IO;
	}
	tm_buf_init(&b, ZONES_MAX_BYTES);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (tm_buf_add(&b, chunk, n) != TM_OK) {
			tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "zones file is larger than %zu bytes", ZONES_MAX_BYTES);
			rc = TM_ERR_LIMIT;
			goto out;
		}
	if (ferror(f)) {
		tm_diags_add(&m->diags, TM_DIAG_ERROR, l, "cannot read zones file: %s", strerror(errno));
		rc = TM_ERR_IO;
		goto out;
	}
	rc = tm_zones_parse(m, path, tm_buf_str(&b), b.len, out);
out:
	if (f != stdin)
		fclose(f);
	tm_buf_release(&b);
	return rc;
}
