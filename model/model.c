/* model.c - the model container, lookups and final ordering. */
#include "model/model.h"
#include "model/mesh.h"
#include "model/podsec.h"

#include <stdlib.h>
#include <string.h>

static void index_free(tm_model *m);

tm_model *tm_model_new(void)
{
	tm_model *m = tm_xrealloc(NULL, sizeof *m);
	memset(m, 0, sizeof *m);
	tm_arena_init(&m->arena);
	tm_strtab_init(&m->strs, &m->arena);
	m->ports = tm_portpool_new();
	tm_diags_init(&m->diags, &m->arena);
	return m;
}

static void labelsets_free(tm_model *m);

void tm_model_free(tm_model *m)
{
	if (!m)
		return;
	labelsets_free(m);
	for (size_t i = 0; i < m->nnetpols; i++) {
		tm_netpol *p = m->netpols[i];
		for (size_t r = 0; r < p->nin; r++)
			for (size_t k = 0; k < p->in_rules[r].npeers; k++)
				tm_ipset_release(&p->in_rules[r].peers[k].ips);
		for (size_t r = 0; r < p->neg; r++)
			for (size_t k = 0; k < p->eg_rules[r].npeers; k++)
				tm_ipset_release(&p->eg_rules[r].peers[k].ips);
	}
	for (size_t i = 0; i < tm_model_npolicies_admin(m); i++) {
		tm_anp *p = tm_model_policy_admin(m, i);
		for (size_t r = 0; r < p->nin; r++)
			for (size_t k = 0; k < p->in_rules[r].npeers; k++)
				tm_ipset_release(&p->in_rules[r].peers[k].ips);
		for (size_t r = 0; r < p->neg; r++)
			for (size_t k = 0; k < p->eg_rules[r].npeers; k++)
				tm_ipset_release(&p->eg_rules[r].peers[k].ips);
	}
	index_free(m);
	tm_portpool_free(m->ports);
	tm_strtab_release(&m->strs);
	tm_arena_release(&m->arena);
	free(m);
}

/* ---- lookup indexes: open addressing over pointers, power-of-two sizes ---- */
/* ---- interned label sets ---- */
struct tm_labelsets {
	tm_labels *slots;
	size_t nslots, count;
};

static size_t labels_hash(const tm_labels *l)
{
	uint64_t h = 1469598103934665603ull ^ l->n;
	for (size_t i = 0; i < l->n; i++) {
		h = (h ^ (uintptr_t)l->v[i].key) * 1099511628211ull;
		h = (h ^ (uintptr_t)l->v[i].val) * 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

static bool labels_same_ptrs(const tm_labels *a, const tm_labels *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].key != b->v[i].key || a->v[i].val != b->v[i].val)
			return false;
	return true;
}

static void labelsets_free(tm_model *m)
{
	if (!m->labelsets)
		return;
	free(m->labelsets->slots);
	free(m->labelsets);
	m->labelsets = NULL;
}

void tm_model_intern_labels(tm_model *m, tm_labels *l)
{
	if (l->n == 0) {
		l->v = NULL;
		return;
	}
	struct tm_labelsets *t = m->labelsets;
	if (!t) {
		t = m->labelsets = tm_xrealloc(NULL, sizeof *t);
		t->nslots = 1024;
		t->count = 0;
		t->slots = tm_xrealloc(NULL, t->nslots * sizeof *t->slots);
		memset(t->slots, 0, t->nslots * sizeof *t->slots);
	}
	if ((t->count + 1) * 2 > t->nslots) {
		size_t nn = t->nslots * 2;
		tm_labels *ns = tm_xrealloc(NULL, nn * sizeof *ns);
		memset(ns, 0, nn * sizeof *ns);
		for (size_t i = 0; i < t->nslots; i++) {
			if (!t->slots[i].v)
				continue;
			size_t h = labels_hash(&t->slots[i]) & (nn - 1);
			while (ns[h].v)
				h = (h + 1) & (nn - 1);
			ns[h] = t->slots[i];
		}
		free(t->slots);
		t->slots = ns;
		t->nslots = nn;
	}
	size_t h = labels_hash(l) & (t->nslots - 1);
	while (t->slots[h].v) {
		if (labels_same_ptrs(&t->slots[h], l)) {
			l->v = t->slots[h].v;
			return;
		}
		h = (h + 1) & (t->nslots - 1);
	}
	/* keep a copy in the model's arena: the caller's array may be scratch */
	tm_labels keep = {l->n, tm_arena_memdup(&m->arena, l->v, l->n * sizeof(tm_label))};
	t->slots[h] = keep;
	t->count++;
	l->v = keep.v;
}

struct tm_model_index {
	tm_namespace **ns;     /* keyed by interned name (pointer hash) */
	size_t ns_slots, ns_count;
	tm_workload **wl;      /* keyed by (ns, kind, name) text */
	size_t wl_slots, wl_count;
	size_t wl_covered;     /* m->workloads[0 .. wl_covered) are indexed */
	size_t *np;            /* positions in m->netpols + 1 (0 = empty), keyed by (ns, name) */
	size_t np_slots, np_count, np_covered;
};

static size_t ptr_hash(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
	return (size_t)(h ^ (h >> 32));
}

static size_t wl_hash(const char *ns, const char *kind, const char *name)
{
	size_t h = tm_hash_str(ns, strlen(ns));
	h = h * 31 + tm_hash_str(kind, strlen(kind));
	return h * 31 + tm_hash_str(name, strlen(name));
}

static struct tm_model_index *model_index(tm_model *m)
{
	if (!m->idx) {
		m->idx = tm_xrealloc(NULL, sizeof *m->idx);
		memset(m->idx, 0, sizeof *m->idx);
	}
	return m->idx;
}

static void index_free(tm_model *m)
{
	if (!m->idx)
		return;
	free(m->idx->ns);
	free(m->idx->wl);
	free(m->idx->np);
	free(m->idx);
	m->idx = NULL;
}

static void ns_insert(struct tm_model_index *x, tm_namespace *ns)
{
	if ((x->ns_count + 1) * 2 > x->ns_slots) {
		size_t n = x->ns_slots ? x->ns_slots * 2 : 64;
		tm_namespace **v = tm_xrealloc(NULL, n * sizeof *v);
		memset(v, 0, n * sizeof *v);
		for (size_t i = 0; i < x->ns_slots; i++) {
			if (!x->ns[i])
				continue;
			size_t h = ptr_hash(x->ns[i]->name) & (n - 1);
			while (v[h])
				h = (h + 1) & (n - 1);
			v[h] = x->ns[i];
		}
		free(x->ns);
		x->ns = v;
		x->ns_slots = n;
	}
	size_t h = ptr_hash(ns->name) & (x->ns_slots - 1);
	while (x->ns[h])
		h = (h + 1) & (x->ns_slots - 1);
	x->ns[h] = ns;
	x->ns_count++;
}

static void wl_insert(struct tm_model_index *x, tm_workload *w)
{
	if ((x->wl_count + 1) * 2 > x->wl_slots) {
		size_t n = x->wl_slots ? x->wl_slots * 2 : 256;
		tm_workload **v = tm_xrealloc(NULL, n * sizeof *v);
		memset(v, 0, n * sizeof *v);
		for (size_t i = 0; i < x->wl_slots; i++) {
			tm_workload *o = x->wl[i];
			if (!o)
				continue;
			size_t h = wl_hash(o->ns, o->kind, o->name) & (n - 1);
			while (v[h])
				h = (h + 1) & (n - 1);
			v[h] = o;
		}
		free(x->wl);
		x->wl = v;
		x->wl_slots = n;
	}
	size_t h = wl_hash(w->ns, w->kind, w->name) & (x->wl_slots - 1);
	while (x->wl[h]) {
		tm_workload *o = x->wl[h];
		if (!strcmp(o->ns, w->ns) && !strcmp(o->name, w->name) && !strcmp(o->kind, w->kind)) {
			x->wl[h] = w; /* a later workload with the same key wins, as the scan did */
			return;
		}
		h = (h + 1) & (x->wl_slots - 1);
	}
	x->wl[h] = w;
	x->wl_count++;
}

tm_namespace *tm_model_namespace(tm_model *m, const char *name, bool create)
{
	name = tm_intern(&m->strs, name);
	struct tm_model_index *x = model_index(m);
	if (x->ns_count != m->nnamespaces) {
		/* namespaces were added behind our back (or after a finish): rebuild */
		free(x->ns);
		x->ns = NULL;
		x->ns_slots = x->ns_count = 0;
		for (size_t i = 0; i < m->nnamespaces; i++)
			ns_insert(x, m->namespaces[i]);
	}
	if (x->ns_slots) {
		size_t h = ptr_hash(name) & (x->ns_slots - 1);
		while (x->ns[h]) {
			if (x->ns[h]->name == name)
				return x->ns[h];
			h = (h + 1) & (x->ns_slots - 1);
		}
	}
	if (!create)
		return NULL;
	tm_namespace *ns = tm_arena_alloc(&m->arena, sizeof *ns);
	ns->name = name;
	tm_labels empty = {0, NULL};
	ns->labels = tm_labels_with(&m->arena, &empty, tm_intern(&m->strs, "kubernetes.io/metadata.name"), name);
	TM_ARENA_GROW(&m->arena, m->namespaces, m->nnamespaces, m->cap_ns);
	m->namespaces[m->nnamespaces++] = ns;
	ns_insert(x, ns);
	return ns;
}

tm_workload *tm_model_find_workload(tm_model *m, const char *ns, const char *kind, const char *name)
{
	struct tm_model_index *x = model_index(m);
	if (x->wl_covered > m->nworkloads) {
		free(x->wl);
		x->wl = NULL;
		x->wl_slots = x->wl_count = x->wl_covered = 0;
	}
	for (; x->wl_covered < m->nworkloads; x->wl_covered++)
		wl_insert(x, m->workloads[x->wl_covered]);
	if (!x->wl_slots)
		return NULL;
	size_t h = wl_hash(ns, kind, name) & (x->wl_slots - 1);
	while (x->wl[h]) {
		tm_workload *w = x->wl[h];
		if (strcmp(w->ns, ns) == 0 && strcmp(w->name, name) == 0 && strcmp(w->kind, kind) == 0)
			return w;
		h = (h + 1) & (x->wl_slots - 1);
	}
	return NULL;
}

static size_t np_hash(const char *ns, const char *name)
{
	return ptr_hash(ns) * 31 + tm_hash_str(name, strlen(name));
}

static void np_insert(tm_model *m, struct tm_model_index *x, size_t pos)
{
	if ((x->np_count + 1) * 2 > x->np_slots) {
		size_t n = x->np_slots ? x->np_slots * 2 : 256;
		size_t *v = tm_xrealloc(NULL, n * sizeof *v);
		memset(v, 0, n * sizeof *v);
		for (size_t i = 0; i < x->np_slots; i++) {
			if (!x->np[i])
				continue;
			const tm_netpol *o = m->netpols[x->np[i] - 1];
			size_t h = np_hash(o->ns, o->name) & (n - 1);
			while (v[h])
				h = (h + 1) & (n - 1);
			v[h] = x->np[i];
		}
		free(x->np);
		x->np = v;
		x->np_slots = n;
	}
	const tm_netpol *p = m->netpols[pos];
	size_t h = np_hash(p->ns, p->name) & (x->np_slots - 1);
	while (x->np[h]) {
		const tm_netpol *o = m->netpols[x->np[h] - 1];
		if (o->ns == p->ns && !strcmp(o->name, p->name)) {
			x->np[h] = pos + 1; /* the later position wins, as the scan did */
			return;
		}
		h = (h + 1) & (x->np_slots - 1);
	}
	x->np[h] = pos + 1;
	x->np_count++;
}

long tm_model_find_netpol(tm_model *m, const char *ns, const char *name)
{
	struct tm_model_index *x = model_index(m);
	if (x->np_covered > m->nnetpols) {
		free(x->np);
		x->np = NULL;
		x->np_slots = x->np_count = x->np_covered = 0;
	}
	for (; x->np_covered < m->nnetpols; x->np_covered++)
		np_insert(m, x, x->np_covered);
	if (!x->np_slots)
		return -1;
	size_t h = np_hash(ns, name) & (x->np_slots - 1);
	while (x->np[h]) {
		size_t pos = x->np[h] - 1;
		const tm_netpol *o = m->netpols[pos];
		if (o->ns == ns && !strcmp(o->name, name))
			return (long)pos;
		h = (h + 1) & (x->np_slots - 1);
	}
	return -1;
}

void tm_model_skipped(tm_model *m, tm_srcloc loc, const char *kind)
{
	if (kind)
		m->invalid_skipped++;
	else
		m->files_skipped++;
	if (m->nskipped >= TM_MODEL_MAX_SKIPPED)
		return;
	TM_ARENA_GROW(&m->arena, m->skipped, m->nskipped, m->cap_skipped);
	m->skipped[m->nskipped].loc = loc;
	m->skipped[m->nskipped].loc.file = loc.file ? tm_intern(&m->strs, loc.file) : NULL;
	m->skipped[m->nskipped].kind = kind ? tm_intern(&m->strs, kind) : NULL;
	m->nskipped++;
}

void tm_model_count_ignored(tm_model *m, const char *kind, tm_srcloc loc)
{
	kind = tm_intern(&m->strs, kind);
	for (size_t i = 0; i < m->nignored; i++)
		if (m->ignored[i].kind == kind) {
			m->ignored[i].count++;
			return;
		}
	/* distinct kinds are few in any cluster; past 1,024 the rest share one
	 * entry, so that a file of a million made-up kinds stays linear */
	if (m->nignored >= 1024) {
		const char *other = tm_intern(&m->strs, "(other kinds)");
		if (kind != other) {
			tm_model_count_ignored(m, other, loc);
			return;
		}
	}
	TM_ARENA_GROW(&m->arena, m->ignored, m->nignored, m->cap_ign);
	m->ignored[m->nignored].kind = kind;
	m->ignored[m->nignored].count = 1;
	m->ignored[m->nignored].first = loc;
	m->nignored++;
}

static int ns_cmp(const void *a, const void *b)
{
	return strcmp((*(tm_namespace *const *)a)->name, (*(tm_namespace *const *)b)->name);
}

static int wl_cmp(const void *a, const void *b)
{
	return strcmp((*(tm_workload *const *)a)->display, (*(tm_workload *const *)b)->display);
}

static int np_cmp(const void *a, const void *b)
{
	const tm_netpol *x = *(tm_netpol *const *)a, *y = *(tm_netpol *const *)b;
	int c = strcmp(x->ns, y->ns);
	if (!c)
		c = strcmp(x->name, y->name);
	/* a NetworkPolicy before a Cilium policy of the same name */
	return c ? c : strcmp(x->kind ? x->kind : "", y->kind ? y->kind : "");
}

static int svc_cmp(const void *a, const void *b)
{
	const tm_service *x = *(tm_service *const *)a, *y = *(tm_service *const *)b;
	int c = strcmp(x->ns, y->ns);
	return c ? c : strcmp(x->name, y->name);
}

static int exp_cmp(const void *a, const void *b)
{
	const tm_exposure *x = *(tm_exposure *const *)a, *y = *(tm_exposure *const *)b;
	int c = strcmp(x->ns, y->ns);
	if (!c)
		c = strcmp(x->kind, y->kind);
	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq); /* read order within an object */
}

static int anp_cmp(const void *a, const void *b)
{
	const tm_anp *x = *(tm_anp *const *)a, *y = *(tm_anp *const *)b;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->kind ? x->kind : "", y->kind ? y->kind : "");
}

static int kc_cmp(const void *a, const void *b)
{
	return strcmp(((const tm_kindcount *)a)->kind, ((const tm_kindcount *)b)->kind);
}

static int pod_cmp(const void *a, const void *b)
{
	const tm_pod *x = *(tm_pod *const *)a, *y = *(tm_pod *const *)b;
	int c = strcmp(x->ns, y->ns);
	return c ? c : strcmp(x->name, y->name);
}

static void sort_ptrs(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, sz, cmp);
}

void tm_model_finish(tm_model *m)
{
	index_free(m); /* the arrays may be replaced after this (granularity.c) */
	sort_ptrs(m->namespaces, m->nnamespaces, sizeof(void *), ns_cmp);
	sort_ptrs(m->workloads, m->nworkloads, sizeof(void *), wl_cmp);
	for (size_t i = 0; i < m->nworkloads; i++)
		m->workloads[i]->index = i;
	sort_ptrs(m->pods, m->npods, sizeof(void *), pod_cmp);
	sort_ptrs(m->netpols, m->nnetpols, sizeof(void *), np_cmp);
	for (size_t i = 0; i < m->nnetpols; i++)
		m->netpols[i]->index = i;
	sort_ptrs(m->services, m->nservices, sizeof(void *), svc_cmp);
	sort_ptrs(m->exposures, m->nexposures, sizeof(void *), exp_cmp);
	sort_ptrs(m->anps, m->nanps, sizeof(void *), anp_cmp);
	sort_ptrs(m->baselines, m->nbaselines, sizeof(void *), anp_cmp);
	sort_ptrs(m->ignored, m->nignored, sizeof(tm_kindcount), kc_cmp);
	tm_mesh_finish(m);
	tm_podsec_finish(m);
}

size_t tm_model_npolicies_admin(const tm_model *m)
{
	return m->nanps + (m->banp ? 1 : 0) + m->nbaselines;
}

tm_anp *tm_model_policy_admin(const tm_model *m, size_t i)
{
	if (i < m->nanps)
		return m->anps[i];
	i -= m->nanps;
	if (m->banp) {
		if (i == 0)
			return m->banp;
		i--;
	}
	return i < m->nbaselines ? m->baselines[i] : NULL;
}

static bool rules_have_v6(const tm_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < r[i].npeers; k++)
			if (r[i].peers[k].kind == TM_PEER_IPBLOCK && r[i].peers[k].has_v6)
				return true;
	return false;
}

bool tm_model_has_ipv6(const tm_model *m)
{
	for (size_t i = 0; i < m->nnetpols; i++)
		if (rules_have_v6(m->netpols[i]->in_rules, m->netpols[i]->nin) ||
		    rules_have_v6(m->netpols[i]->eg_rules, m->netpols[i]->neg))
			return true;
	for (size_t i = 0; i < tm_model_npolicies_admin(m); i++) {
		const tm_anp *a = tm_model_policy_admin(m, i);
		if (rules_have_v6(a->in_rules, a->nin) || rules_have_v6(a->eg_rules, a->neg))
			return true;
	}
	for (size_t i = 0; i < m->npods; i++)
		for (size_t k = 0; k < m->pods[i]->nips; k++)
			if (!tm_ip_is_v4(m->pods[i]->ips[k]))
				return true;
	return false;
}

const char *tm_fold_why_id(tm_fold_why why)
{
	switch (why) {
	case TM_FOLD_OWNER: return "controller";
	case TM_FOLD_NAME: return "by-name";
	case TM_FOLD_OLD_REVISION: return "old-revision";
	}
	return "?";
}

const char *tm_folded_reason(const tm_folded *f, tm_buf *b)
{
	tm_buf_reset(b);
	switch (f->why) {
	case TM_FOLD_OWNER:
		(void)tm_buf_adds(b, "its controller");
		break;
	case TM_FOLD_NAME:
		if (f->from_pods)
			(void)tm_buf_addf(b, "not in the input; its pods' owner, named after %s",
					  !strcmp(f->kind, "Job") ? "the CronJob and a scheduled time"
								 : "the Deployment and their pod-template-hash");
		else
			(void)tm_buf_adds(b, "no ownerReferences; named after the Deployment and its pod-template-hash");
		break;
	case TM_FOLD_OLD_REVISION:
		if (f->into)
			(void)tm_buf_adds(b, "an old revision: 0 replicas, no pods");
		else
			(void)tm_buf_addf(b, "an old revision of %s %s, which is not in the input: 0 replicas, no pods",
					  f->owner_kind ? f->owner_kind : "?", f->owner_name ? f->owner_name : "?");
		break;
	}
	return tm_buf_str(b);
}

/* ---- namespaces without a Namespace object ---- */
static const char metadata_name[] = "kubernetes.io/metadata.name";

tm_nssel_answer tm_namespace_select(const tm_namespace *ns, const tm_selector *sel)
{
	if (ns->declared)
		return tm_selector_matches(sel, &ns->labels) ? TM_NSSEL_YES : TM_NSSEL_NO;
	/* the one known label decides its requirements; any other is open */
	bool open = false;
	for (size_t i = 0; i < sel->match.n; i++) {
		if (strcmp(sel->match.v[i].key, metadata_name))
			open = true;
		else if (strcmp(sel->match.v[i].val, ns->name))
			return TM_NSSEL_NO;
	}
	for (size_t i = 0; i < sel->nexpr; i++) {
		const tm_selexpr *e = &sel->expr[i];
		if (strcmp(e->key, metadata_name)) {
			open = true;
			continue;
		}
		bool in = false;
		for (size_t k = 0; k < e->nvals && !in; k++)
			in = !strcmp(e->vals[k], ns->name);
		bool ok = e->op == TM_SEL_IN ? in : e->op == TM_SEL_NOTIN ? !in : e->op == TM_SEL_EXISTS;
		if (!ok)
			return TM_NSSEL_NO;
	}
	return open ? TM_NSSEL_UNKNOWN : TM_NSSEL_YES;
}

/* Does sel test a key other than kubernetes.io/metadata.name? */
static bool nssel_open(const tm_selector *sel)
{
	for (size_t i = 0; i < sel->match.n; i++)
		if (strcmp(sel->match.v[i].key, metadata_name))
			return true;
	for (size_t i = 0; i < sel->nexpr; i++)
		if (strcmp(sel->expr[i].key, metadata_name))
			return true;
	return false;
}

size_t tm_model_nssel_unknown(const tm_model *m, const tm_selector *sel, const tm_namespace **out, size_t max)
{
	size_t n = 0;
	if (!nssel_open(sel))
		return 0; /* decided for every namespace: the common case is fast */
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const tm_namespace *ns = m->namespaces[i];
		if (ns->declared || !ns->nworkloads || tm_namespace_select(ns, sel) != TM_NSSEL_UNKNOWN)
			continue;
		if (n < max)
			out[n] = ns;
		n++;
	}
	return n;
}

static void each_rules_nssel(const tm_rule *rules, size_t n, const char *policy, const char *dir, tm_buf *b,
			     tm_nssel_fn fn, void *ctx)
{
	for (size_t r = 0; r < n; r++)
		for (size_t k = 0; k < rules[r].npeers; k++) {
			const tm_peer *p = &rules[r].peers[k];
			if (p->kind != TM_PEER_SELECTOR || !p->has_ns_sel)
				continue;
			tm_buf_reset(b);
			(void)tm_buf_addf(b, "%s %s rule %zu", policy, dir, rules[r].index);
			if (rules[r].name)
				(void)tm_buf_addf(b, " (%s)", rules[r].name);
			(void)tm_buf_addf(b, " peer %zu", k);
			fn(ctx, &p->ns_sel, p->loc, tm_buf_str(b));
		}
}

void tm_model_each_nssel(const tm_model *m, tm_nssel_fn fn, void *ctx)
{
	tm_buf policy, b;
	tm_buf_init(&policy, 4096);
	tm_buf_init(&b, 4096);
	for (size_t i = 0; i < m->nnetpols; i++) {
		const tm_netpol *np = m->netpols[i];
		tm_buf_reset(&policy);
		(void)tm_buf_addf(&policy, "NetworkPolicy %s/%s", np->ns, np->name);
		each_rules_nssel(np->in_rules, np->nin, tm_buf_str(&policy), "ingress", &b, fn, ctx);
		each_rules_nssel(np->eg_rules, np->neg, tm_buf_str(&policy), "egress", &b, fn, ctx);
	}
	for (size_t i = 0; i < tm_model_npolicies_admin(m); i++) {
		const tm_anp *a = tm_model_policy_admin(m, i);
		tm_buf_reset(&policy);
		(void)tm_buf_addf(&policy, "%s %s", a->kind ? a->kind : a->baseline ? "BaselineAdminNetworkPolicy"
				  : "AdminNetworkPolicy", a->name);
		tm_buf_reset(&b);
		(void)tm_buf_addf(&b, "%s subject", tm_buf_str(&policy));
		fn(ctx, &a->subj_ns, a->loc, tm_buf_str(&b));
		each_rules_nssel(a->in_rules, a->nin, tm_buf_str(&policy), "ingress", &b, fn, ctx);
		each_rules_nssel(a->eg_rules, a->neg, tm_buf_str(&policy), "egress", &b, fn, ctx);
	}
	tm_buf_release(&policy);
	tm_buf_release(&b);
}
