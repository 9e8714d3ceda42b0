/* diagram.h - what `trustmap graph` and the report draw: the connectivity
 * graph reduced to something a reviewer can read, at one of three levels.
 *
 *  - workload (or pod) level: one node per workload, one cluster per
 *    namespace; groups where every workload of a namespace may reach every
 *    workload of another (or a node reaches every workload of a namespace,
 *    or every workload of one reaches a node) are one edge to or from the
 *    namespace's box; a namespace whose workloads may all reach each other
 *    says so on its box instead of with n*(n-1) edges.
 *  - namespace level: one node per namespace (edges count the workload
 *    pairs they stand for), namespaces boxed by their zone; a namespace
 *    reached from every namespace (or reaching every one) is one edge from
 *    (to) the "every namespace" node.
 *  - auto: workload level unless it has more than auto_nodes workload nodes
 *    or auto_edges edges after collapsing; then namespace level.
 *
 * IP ranges of the internet zone, other IP ranges and the ingress controller
 * are nodes of their own kinds. Every edge carries the merged tm_edge_annot
 * of the graph edges it stands for (analyzer/annot.h).
 *
 * Ownership: a tm_diagram owns its arrays (d->arena); it points into the
 * graph, its model and the zones, which must outlive it. */
#ifndef TM_DIAGRAM_H
#define TM_DIAGRAM_H

#include "analyzer/annot.h"
#include "analyzer/check.h"

typedef enum { TM_LEVEL_AUTO, TM_LEVEL_NAMESPACE, TM_LEVEL_WORKLOAD, TM_LEVEL_POD } tm_level;

/* "auto", "namespace", "workload", "pod" */
const char *tm_level_name(tm_level l);
bool tm_level_parse(const char *s, tm_level *out);

#define TM_DIAGRAM_AUTO_NODES 60
#define TM_DIAGRAM_AUTO_EDGES 150

typedef struct tm_diagram_opts {
	tm_level level;
	size_t auto_nodes, auto_edges; /* 0: the defaults above */
	const char *zone;              /* only what touches this zone ("internet" too); NULL: all */
	const bool *focus;             /* [neps]: endpoints to highlight (--focus), or NULL */
} tm_diagram_opts;

typedef enum {
	TM_DN_WORKLOAD,
	TM_DN_NAMESPACE,
	TM_DN_INTERNET,   /* an IP range of the internet zone (no zone's ipBlocks hold it) */
	TM_DN_IPRANGE,    /* an IP range a zone holds */
	TM_DN_INGRESS,    /* the ingress controller */
	TM_DN_EVERY_NS,   /* namespace level: "every namespace" */
} tm_dnode_kind;

typedef struct tm_dnode {
	tm_dnode_kind kind;
	const char *id;        /* unique and stable: the endpoint's name, "ns:NAME", "every-namespace" */
	const char *name;      /* workload / namespace name, "first-last" of a range */
	const char *wkind;     /* workloads: Deployment, StatefulSet, ..., Pod */
	long cluster;          /* index in clusters, or -1 */
	const char *zone;      /* the first zone (zones file order) holding it, "internet", or NULL */
	size_t nworkloads;     /* namespace nodes: workloads in it */
	size_t internal;       /* namespace nodes: allowed pairs between its own workloads */
	bool focused;          /* --focus names (one of) it */
} tm_dnode;

typedef struct tm_dedge {
	uint32_t src, dst;     /* nodes */
	bool src_all, dst_all; /* that end is the whole cluster of its node: every workload of the namespace */
	const tm_ports *ports; /* union of what the edges it stands for allow */
	size_t count;          /* graph edges (endpoint pairs) it stands for */
	tm_edge_annot a;       /* merged */
} tm_dedge;

typedef struct tm_dcluster {
	const char *name;      /* workload level: the namespace; namespace level: the zone */
	const char *zone;      /* the zone all its nodes share, or NULL */
	bool mixed_zones;      /* its nodes are in different zones */
	const tm_ports *internal_all; /* workload level: every workload may reach every other one on these */
	tm_edge_annot internal;       /* ... merged over those pairs */
	size_t first, n;       /* its nodes: nodes[first .. first+n) */
} tm_dcluster;

typedef struct tm_diagram {
	tm_level level;        /* what is drawn (never AUTO) */
	bool auto_namespace;   /* AUTO chose namespace level by size */
	tm_dnode *nodes;
	size_t nnodes, cap_nodes;
	tm_dedge *edges;       /* by (src, dst) node index */
	size_t nedges, cap_edges;
	tm_dcluster *clusters;
	size_t nclusters, cap_clusters;
	const char **zones;    /* the zones in force (file order), then "internet" */
	size_t nzones;
	const char *zone;      /* the --zone filter, or NULL */
	size_t graph_edges;    /* graph edges drawn, before grouping */
	size_t grouped;        /* of those, how many are drawn as group edges */
	size_t observed_only;  /* edges drawn that only traffic shows */
	bool has_protection, has_observed;
	tm_arena arena;
} tm_diagram;

/* zm and an may be NULL (no zones, no annotations). */
tm_err tm_diagram_build(const tm_graph *g, const tm_zonemap *zm, const tm_annots *an, const tm_diagram_opts *o,
			tm_diagram *out);
void tm_diagram_release(tm_diagram *d);

#endif
