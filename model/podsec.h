/* podsec.h - what a pod spec says about its isolation from the node it runs
 * on (securityContext, host namespaces, hostPath volumes) and about where it
 * may run (nodeName, nodeSelector, required node affinity, tolerations), and
 * the Node objects of the input (labels, taints): the nouns behind node
 * escapes and co-location (analyzer/escape.h, docs/semantics.md "Node
 * escapes and co-location").
 *
 * Ownership: everything lives in the model's arena, strings interned in its
 * table. A pod template's facts hang off its workload (w->sec), a Pod
 * object's off the pod (p->sec); NULL when the spec says nothing of the kind
 * (no securityContext field that matters, no host namespace, no hostPath, no
 * placement). m->knodes are sorted by name by tm_model_finish. */
#ifndef TM_MODEL_PODSEC_H
#define TM_MODEL_PODSEC_H

#include "model/model.h"

/* One container (containers, initContainers, ephemeralContainers). */
typedef struct tm_ctr_sec {
	const char *name;
	bool privileged;
	bool ape_set, ape;      /* allowPrivilegeEscalation given, and its value */
	const char **caps_add;  /* securityContext.capabilities.add, upper case, "CAP_" stripped */
	size_t ncaps;
	int run_as_root;        /* 1: runAsUser 0; 0: runAsNonRoot or runAsUser > 0; -1: not said
				 * (the pod's securityContext, then the image's USER, decide) */
	tm_srcloc loc;
} tm_ctr_sec;

/* A hostPath volume and how the containers mount it. */
typedef struct tm_hostpath {
	const char *volume;     /* volume name */
	const char *path;       /* hostPath.path as written */
	const char *type;       /* hostPath.type, or NULL */
	const char *container;  /* the first container that mounts it writable, else the first that mounts it */
	bool mounted;           /* some container mounts it */
	bool writable;          /* some container mounts it without readOnly */
	int run_as_root;        /* of that container, as tm_ctr_sec (pod-level default applied) */
	tm_srcloc loc;          /* the volume */
} tm_hostpath;

typedef struct tm_toleration {
	const char *key;        /* NULL: every key (operator Exists without key) */
	bool exists;            /* operator Exists (else Equal) */
	const char *value;
	const char *effect;     /* NULL: every effect */
} tm_toleration;

/* One nodeSelectorTerm of requiredDuringSchedulingIgnoredDuringExecution:
 * its matchExpressions (ANDed; terms are ORed). Gt/Lt are kept as
 * TM_SEL_EXISTS (a node that has the key may match): conservative. */
typedef struct tm_nodeterm {
	tm_selexpr *expr;
	size_t nexpr;
} tm_nodeterm;

typedef struct tm_podsec {
	bool host_pid, host_ipc, host_network;
	int run_as_root;        /* the pod's securityContext, as tm_ctr_sec */
	tm_ctr_sec *ctrs;
	size_t nctrs;
	tm_hostpath *paths;
	size_t npaths;
	const char *node_name;  /* spec.nodeName, or NULL */
	tm_labels node_selector;
	tm_nodeterm *terms;     /* required node affinity; nterms 0: none */
	size_t nterms;
	tm_toleration *tols;
	size_t ntols;
	tm_srcloc loc;          /* the pod spec */
	tm_srcloc host_pid_loc, host_network_loc;
} tm_podsec;

typedef struct tm_taint {
	const char *key, *value, *effect; /* effect NoSchedule, PreferNoSchedule or NoExecute */
} tm_taint;

/* A Node object. */
typedef struct tm_knode {
	const char *name;
	tm_labels labels;
	tm_taint *taints;
	size_t ntaints;
	bool unschedulable;     /* spec.unschedulable */
	tm_srcloc loc;
} tm_knode;

/* Does pod spec s (NULL: no constraints) tolerate every NoSchedule and
 * NoExecute taint of n, and do its nodeSelector and required node affinity
 * match n's labels? DaemonSet pods also tolerate node.kubernetes.io/
 * unschedulable and the other taints their controller adds (daemonset). */
bool tm_podsec_fits_node(const tm_podsec *s, const tm_knode *n, bool daemonset);
/* Could one node satisfy both a and b (without Node objects: their
 * nodeSelectors and In/NotIn terms do not contradict each other)? */
bool tm_podsec_may_share(const tm_podsec *a, const tm_podsec *b);
/* Sort m->knodes by name (tm_model_finish). */
void tm_podsec_finish(tm_model *m);

#endif
