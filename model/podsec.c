/* podsec.c - scheduling constraints against Node objects and against each
 * other (model/podsec.h). */
#include "model/podsec.h"

#include <stdlib.h>
#include <string.h>

static int knode_cmp(const void *a, const void *b)
{
	const tm_knode *x = *(const tm_knode *const *)a, *y = *(const tm_knode *const *)b;
	return strcmp(x->name, y->name);
}

void tm_podsec_finish(tm_model *m)
{
	if (m->nknodes > 1)
		qsort(m->knodes, m->nknodes, sizeof *m->knodes, knode_cmp);
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool tolerates(const tm_toleration *t, const tm_taint *x)
{
	if (t->effect && *t->effect && !str_eq(t->effect, x->effect))
		return false;
	if (!t->key || !*t->key)
		return t->exists; /* an empty key with Exists tolerates everything */
	if (strcmp(t->key, x->key))
		return false;
	return t->exists || str_eq(t->value ? t->value : "", x->value ? x->value : "");
}

/* the taints the DaemonSet controller tolerates on its own pods */
static bool daemonset_tolerates(const tm_taint *x)
{
	static const char *const keys[] = {
		"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
		"node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable",
		"node.kubernetes.io/network-unavailable",
	};
	for (size_t i = 0; i < TM_ARRAY_LEN(keys); i++)
		if (!strcmp(x->key, keys[i]))
			return true;
	return false;
}

static bool term_matches(const tm_nodeterm *t, const tm_labels *l)
{
	tm_selector s;
	memset(&s, 0, sizeof s);
	s.nexpr = t->nexpr;
	s.expr = t->expr;
	return tm_selector_matches(&s, l);
}

bool tm_podsec_fits_node(const tm_podsec *s, const tm_knode *n, bool daemonset)
{
	if (n->unschedulable && !daemonset)
		return false;
	for (size_t i = 0; i < n->ntaints; i++) {
		const tm_taint *x = &n->taints[i];
		if (x->effect && !strcmp(x->effect, "PreferNoSchedule"))
			continue;
		bool ok = daemonset && daemonset_tolerates(x);
		for (size_t j = 0; s && !ok && j < s->ntols; j++)
			ok = tolerates(&s->tols[j], x);
		if (!ok)
			return false;
	}
	if (!s)
		return true;
	for (size_t i = 0; i < s->node_selector.n; i++) {
		const char *v = tm_labels_get(&n->labels, s->node_selector.v[i].key);
		if (!v || strcmp(v, s->node_selector.v[i].val))
			return false;
	}
	if (!s->nterms)
		return true;
	for (size_t i = 0; i < s->nterms; i++)
		if (term_matches(&s->terms[i], &n->labels))
			return true;
	return false;
}

/* Does the term allow a node whose label key is val? */
static bool term_allows(const tm_nodeterm *t, const char *key, const char *val)
{
	for (size_t i = 0; i < t->nexpr; i++) {
		const tm_selexpr *e = &t->expr[i];
		if (strcmp(e->key, key))
			continue;
		bool in = false;
		for (size_t j = 0; j < e->nvals; j++)
			in |= !strcmp(e->vals[j], val);
		if ((e->op == TM_SEL_IN && !in) || (e->op == TM_SEL_NOTIN && in) || e->op == TM_SEL_DOESNOTEXIST)
			return false;
	}
	return true;
}

/* a's nodeSelector leaves b's constraints a node to run on */
static bool selector_allows(const tm_podsec *a, const tm_podsec *b)
{
	for (size_t i = 0; i < a->node_selector.n; i++) {
		const tm_label *l = &a->node_selector.v[i];
		const char *v = tm_labels_get(&b->node_selector, l->key);
		if (v && strcmp(v, l->val))
			return false;
		if (!b->nterms)
			continue;
		bool any = false;
		for (size_t t = 0; t < b->nterms && !any; t++)
			any = term_allows(&b->terms[t], l->key, l->val);
		if (!any)
			return false;
	}
	return true;
}

bool tm_podsec_may_share(const tm_podsec *a, const tm_podsec *b)
{
	if (!a || !b)
		return true;
	if (a->node_name && b->node_name)
		return !strcmp(a->node_name, b->node_name);
	return selector_allows(a, b) && selector_allows(b, a);
}
