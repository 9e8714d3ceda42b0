/* escape.h - node escapes and co-location over a connectivity graph: which
 * workload endpoints can escape to the node they run on (and by which
 * setting), which nodes they run on or may run on, and which endpoints run
 * (or may run) on each of those nodes. The nouns are the model's
 * (model/podsec.h); the decisions are docs/semantics.md "Node escapes and
 * co-location".
 *
 * Nodes: the Node objects of the input and the spec.nodeName of its pods,
 * by name; an escape-capable endpoint with no known or possible node among
 * them (no Node objects, no nodeName) gets a node of its own, "the node of
 * X", which every endpoint whose constraints allow it may share.
 *
 * Ownership: a tm_escapes owns its heap arrays and arena
 * (tm_escapes_release); it refers into the graph and model, which must
 * outlive it. */
#ifndef TM_ESCAPE_H
#define TM_ESCAPE_H

#include "analyzer/conn.h"
#include "model/podsec.h"

typedef enum {
	TM_ESC_PRIVILEGED,      /* privileged: true */
	TM_ESC_SYS_MODULE,      /* capabilities.add SYS_MODULE (or ALL) */
	TM_ESC_HOSTPID_ADMIN,   /* hostPID with SYS_ADMIN: nsenter into PID 1's namespaces */
	TM_ESC_HOSTPID_PTRACE,  /* hostPID with SYS_PTRACE: attach to a host process */
	TM_ESC_HOST_DIR,        /* writable hostPath of /, /etc, /root, /var/lib/kubelet, /proc, /dev */
	TM_ESC_RUNTIME_SOCKET,  /* hostPath of a container runtime socket (read-only too) */
	TM_ESC_VAR_LOG,         /* writable hostPath of /var/log as root: symlinks the kubelet follows */
} tm_escape_kind;

/* "privileged", "sys-module", ... (JSON, docs/json.md) */
const char *tm_escape_kind_name(tm_escape_kind k);

typedef struct tm_escape_how {
	tm_escape_kind kind;
	const char *setting;    /* what the spec says, for people: "privileged: true (container agent)" */
	tm_srcloc loc;
} tm_escape_how;

typedef enum { TM_PLACE_POSSIBLE = 1, TM_PLACE_KNOWN = 2 } tm_place;

typedef struct tm_onnode {
	uint32_t ep;            /* graph endpoint (members) or node index (placements) */
	tm_place place;
	const char *why;        /* "spec.nodeName", "DaemonSet: every node it tolerates", ... */
} tm_onnode;

typedef struct tm_hostnode {
	const char *name;       /* "NAME[Node]", or "(the node of ns/name[Kind])[Node]" */
	const tm_knode *obj;    /* the Node object, or NULL */
	long own;               /* a node of its own: the escaping endpoint; -1 otherwise */
	tm_onnode *members;     /* endpoints on it, by endpoint index; only for nodes
				 * that an escape-capable endpoint is (or may be) on */
	size_t nmembers;
	bool active;            /* an escape-capable endpoint is (or may be) on it */
} tm_hostnode;

typedef struct tm_escapes {
	const tm_graph *g;
	size_t neps;
	const tm_podsec **sec;  /* per endpoint: its pod spec's facts (NULL: none) */
	bool *daemonset;        /* per endpoint */
	bool *host_network;     /* per endpoint */
	uint32_t *how_first;    /* per endpoint + 1: its escapes are how[how_first[e] .. how_first[e+1]) */
	tm_escape_how *how;
	size_t nhow;
	tm_onnode **place;      /* per escape-capable endpoint: the nodes it is (may be) on, by node */
	size_t *nplace;
	tm_hostnode *nodes;     /* sorted by name; the nodes of their own last */
	size_t nnodes;
	bool node_objects;      /* the input has Node objects */
	tm_arena arena;
} tm_escapes;

tm_err tm_escapes_build(const tm_graph *g, tm_escapes *out);
void tm_escapes_release(tm_escapes *es);
static inline size_t tm_escapes_count(const tm_escapes *es, size_t ep)
{
	return es->how_first[ep + 1] - es->how_first[ep];
}
/* The placement of endpoint ep on node n (0: not on it). */
tm_place tm_escapes_on(const tm_escapes *es, size_t n, size_t ep, const char **why);

#endif
