/* diff_priv.h - what the two halves of `trustmap diff` share (analyzer/diff.c:
 * connections and findings; analyzer/diff_mesh.c: mesh protection): the
 * (src, dst) display-name pairs of a graph, on the common refinement of the
 * IP ranges of both graphs, in (src, dst) order. Private to analyzer/diff*.c. */
#ifndef TM_ANALYZER_DIFF_PRIV_H
#define TM_ANALYZER_DIFF_PRIV_H

#include "analyzer/conn.h"

/* One (src, dst) pair of one graph. */
typedef struct tm_dpair {
	const char *src, *dst;  /* display names (an IP atom's: the diff's arena) */
	const char *text;       /* NPA text of the edge's ports */
	int ipend;              /* -1: no IP end; 0: src is an IP atom; 1: dst is */
	tm_iprange atom;
	size_t edge;            /* the graph's edge this pair is (part of) */
} tm_dpair;

/* by (src, dst) */
int tm_dpair_cmp(const void *pa, const void *pb);

/* IP ranges are carved differently on each side (by that side's ipBlocks):
 * like NPA, compare on the common refinement. cuts: sorted first addresses of
 * every IP-range endpoint of both graphs, source atoms (carved by ingress
 * ipBlocks) and destination ranges (egress) separately: cs[0], cs[1]. */
typedef struct tm_dcuts {
	tm_ip *v;               /* heap */
	size_t n, cap;
} tm_dcuts;

void tm_dcuts_build(tm_dcuts cs[2], const tm_graph *a, const tm_graph *b);
void tm_dcuts_release(tm_dcuts cs[2]);

/* The port text of each port set of a graph, formatted once (by pool id). */
typedef struct tm_dtexts {
	const char **v;
	size_t n;
	tm_buf b;
} tm_dtexts;

/* The pairs of a graph on the common refinement, in (src, dst) order, one at
 * a time: the edges are in that order already, so only the edges whose IP
 * range the other graph cuts (rare: a changed ipBlock) are split into atoms,
 * sorted aside and merged in. Nothing per edge is allocated. Names and
 * texts are made in a (the caller's arena). */
typedef struct tm_dstream {
	const tm_graph *g;
	const tm_dcuts *cs;
	tm_arena *a;
	tm_dtexts tx;
	bool *split;            /* per endpoint: an IP range the refinement cuts */
	size_t ei;              /* next edge */
	tm_dpair *side;         /* the atoms of split edges, sorted */
	size_t nside, si;
} tm_dstream;

void tm_dstream_init(tm_dstream *ps, const tm_graph *g, const tm_dcuts *cs, tm_arena *a);
/* The next pair into *out; false at the end. */
bool tm_dstream_next(tm_dstream *ps, tm_dpair *out);
void tm_dstream_release(tm_dstream *ps);

/* "10.0.0.0-10.0.0.255[External]" in a (b: scratch) */
const char *tm_datom_name(tm_arena *a, tm_buf *b, const tm_iprange *r);

#endif
