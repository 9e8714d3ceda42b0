/* engine_priv.h - the connectivity engine's private structures, shared by
 * its files and by no one else (graph consumers use analyzer/conn.h):
 *
 *   classes.c      workload classes, namespace runs
 *   policies.c     policies attached to classes, their rules' peer bitsets
 *   decide.c       rule matching and the one decision function eval_dir
 *   ipatoms.c      ipBlocks carved into disjoint IP ranges
 *   granularity.c  what the workload endpoints are (the pod view)
 *   prune.c        candidate destinations per source (pairs proved empty)
 *   graph_build.c  endpoints, pair evaluation with its cache, edges: the
 *                  "classes" engine (the one the default is compared with)
 *   engine_fast.c  the default engine ("fast"): decisions over the IP space
 *                  as interval tables per class, rows per source on demand
 *   engine_ref.c   the reference engine: every endpoint pair, no classes,
 *                  no cache, no pruning (for differential tests)
 *   engine.c       the engine registry, tm_conn_compute, tm_graph_free
 *   explain.c      tm_conn_explain over eval_dir with a trace
 *
 * Both engines keep an `engine` in g->priv: explain works on either. */
#ifndef TM_ENGINE_PRIV_H
#define TM_ENGINE_PRIV_H

#include "analyzer/conn.h"

typedef struct erule {
	const tm_rule *r;
	uint64_t *bits; /* classes matched by the rule's selector peers */
	struct epol *pol;
} erule;

typedef struct epol {
	int kind; /* 0 NetworkPolicy, 1 ANP, 2 BANP */
	const char *name;
	const char *kind_name;
	tm_srcloc loc;            /* the policy object */
	erule *in, *eg;
	size_t nin, neg;
	bool np_ingress, np_egress;
} epol;

typedef struct cls {
	const tm_workload *rep;   /* NULL for the ingress controller */
	const tm_pod *pod;        /* pod granularity: the Pod it is (NULL: none) */
	const tm_labels *ns_labels;
	const char *ns;
	const tm_labels *labels;
	const tm_cport *ports;
	size_t nports;
	epol **np_in, **np_eg, **anp_in, **anp_eg;
	size_t nnp_in, nnp_eg, nanp_in, nanp_eg;
	epol **bl;          /* baseline-tier policies selecting it, in order */
	size_t nbl;
} cls;

typedef struct engine {
	const tm_model *m;
	tm_graph *g;      /* the graph being built: its arena holds what the engine allocates */
	/* the port pool is the model's (a pointer member: interning a set is a
	 * memo, not a change of the model) */
	tm_portpool *pp;
	cls *c;
	size_t nc;      /* classes incl. the ingress controller class (last, if any) */
	size_t words;   /* uint64 words per bitset */
	epol *pols;
	size_t npols;
	uint32_t *matrix; /* nc x nc port-set ids (src-major), or NULL */
	tm_conn_opts o;
	size_t *runs;     /* classes [runs[r], runs[r+1]) share one namespace */
	size_t nruns;
	struct peercache *pc; /* while policies are built: classes per distinct peer */
	tm_labels ic_ns_labels, no_labels; /* the ingress controller's class */
	void *own;        /* what one engine keeps beside this (engine_fast.c) */
} engine;

typedef struct peerref {
	bool is_ip;
	uint32_t cls;
	tm_iprange atom;
} peerref;

static inline bool bit_get(const uint64_t *b, size_t i)
{
	return (b[i >> 6] >> (i & 63)) & 1u;
}

static inline void bit_set(uint64_t *b, size_t i)
{
	b[i >> 6] |= (uint64_t)1 << (i & 63);
}

static inline bool in_range(tm_ip a, tm_iprange r)
{
	return tm_ip_cmp(a, r.lo) >= 0 && tm_ip_cmp(a, r.hi) <= 0;
}

/* classes.c: the classes of the graph's workloads (wcls[w->index]: its
 * class) and, when want_ic, the ingress controller's class (last; returned,
 * else UINT32_MAX); then the namespace runs. group false: one class per
 * workload, no runs (the reference engine). */
uint32_t eng_classes(engine *e, uint32_t *wcls, bool want_ic, bool group);
/* The workload classes [*lo, *hi) of namespace ns. */
void eng_ns_class_range(const engine *e, const char *ns, size_t *lo, size_t *hi);

/* policies.c: every policy with its rules' peer bitsets, attached to the
 * classes it selects (after eng_classes). */
void eng_policies(engine *e);
void eng_free(engine *e);

/* decide.c */
const tm_ports *eng_eval_dir(engine *e, tm_dir dir, uint32_t k, peerref p, tm_explain *ex);
void eng_why_add(tm_explain *ex, tm_dir dir, tm_why_kind kind, const epol *pol, const tm_rule *r,
		 const tm_ports *ports);
/* The ports of w that Ingresses/Routes expose (NPA 2.6); *any_exposure is
 * set when one exposes it at all. */
const tm_ports *eng_exposure_ports(engine *e, const tm_workload *w, bool *any_exposure);

/* ipatoms.c: the disjoint ranges that ingress (source side) or egress
 * (destination side) ipBlocks carve the IPv4 (and with ipv6 the IPv6)
 * space into; heap arrays. */
void eng_collect_atoms(const tm_model *m, bool ingress, bool ipv6, tm_iprange **v4, size_t *n4, tm_iprange **v6,
		       size_t *n6);

/* granularity.c: g->workloads, g->pod_of and g->nworkloads for
 * g->granularity. */
void eng_view(tm_graph *g);

/* graph_build.c: what both engines share. A new graph for m (its arena,
 * string table, diagnostics and view) with a new engine state in g->priv. */
engine *eng_start(const tm_model *m, const tm_conn_opts *o, const tm_engine *en, tm_graph **out);
/* Will the ingress controller be an endpoint? */
bool eng_want_ic(const engine *e);
/* The endpoints, sorted by name: one per workload (class wcls[index]), per
 * IP atom, and the ingress controller (class ic) when want_ic. */
void eng_endpoints(engine *e, const uint32_t *wcls, uint32_t ic, bool want_ic);
/* The edge si -> di, appended when non-empty (pairs no edge can join are
 * skipped); workload pairs through the class-pair cache when e->matrix. */
void eng_pair(engine *e, size_t si, size_t di);
void eng_release(tm_graph *g);
tm_err eng_explain(const tm_graph *g, size_t src, size_t dst, tm_explain *ex);

extern const tm_engine tm_engine_fast, tm_engine_classes, tm_engine_reference;

/* prune.c: candidate destinations. */
typedef struct prune {
	engine *e;
	const tm_graph *g;
	uint32_t *open_in;      /* classes with open ingress */
	size_t nopen_in;
	uint32_t **inv;         /* per class: indices of ingress policies naming it */
	size_t *ninv, *capinv;
	uint32_t **subj;        /* per policy: classes it applies to for ingress */
	size_t *nsubj, *capsubj;
	bool *ip_in, *ip_eg;    /* per class: an IP range may reach it / it may reach one */
	uint32_t *cls_off, *cls_eps; /* workload endpoints of each class, ascending */
	uint32_t *ip_dst;       /* destination-side IP range endpoints */
	size_t nip_dst, capip_dst;
	uint32_t *mark, gen;
	uint32_t *dst;          /* candidate destination endpoints of the current source */
	size_t ndst, capdst;
	uint64_t *epbits;       /* scratch: one bit per endpoint, all clear between sources */
} prune;

void eng_prune_init(prune *pr, engine *e, const tm_graph *g);
/* The destination endpoints worth evaluating for source endpoint si, into
 * pr->dst[pr->ndst], ascending (a superset of those with a non-empty result). */
void eng_prune_dsts(prune *pr, size_t si);
void eng_prune_release(prune *pr);

#endif
