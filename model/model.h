/* model.h - the nouns of a cluster, all in one arena per run.
 *
 * Ownership: a tm_model owns every object reachable from it (arena, string
 * table, port pool); pointers into it stay valid until tm_model_free(). Ingest
 * fills it; analyzers read it and never modify it. */
#ifndef TM_MODEL_H
#define TM_MODEL_H

#include "model/base.h"
#include "model/sets.h"

typedef struct tm_namespace {
	const char *name;
	tm_labels labels; /* includes kubernetes.io/metadata.name */
	bool declared;    /* a Namespace object was read; if not, its labels are
			     unknown but for kubernetes.io/metadata.name */
	size_t nworkloads; /* workloads in it (tm_load_finish) */
	tm_srcloc loc;
	const char *ignore; /* trustmap.io/ignore annotation, or NULL */
	tm_labels mesh_ann; /* mesh annotations (model/mesh.h), e.g. linkerd.io/inject */
	tm_srcloc ignore_loc; /* the annotation's key, for messages about it */
} tm_namespace;

typedef struct tm_cport {
	const char *name; /* NULL when unnamed */
	uint32_t port;
	tm_proto proto;
} tm_cport;

typedef struct tm_workload {
	const char *kind; /* Deployment, ..., or Pod for unowned pods, or an owner's kind */
	const char *ns;
	const char *name;
	const char *display;  /* "ns/name[Kind]" as NPA prints it */
	tm_namespace *nsp;
	tm_labels labels;     /* pod template labels */
	unsigned replicas;    /* declared replicas (1 if absent) */
	unsigned npods;       /* Pod objects read that belong to it */
	const char *service_account;
	tm_cport *ports;
	size_t nports;
	bool host_network;
	bool from_pods;       /* built from Pod objects (owner reference or bare pod) */
	/* the controller ownerReference of the object (a ReplicaSet's
	 * Deployment, a Job's CronJob), or NULL */
	const char *owner_kind, *owner_name;
	bool no_replicas;     /* spec.replicas or status.replicas is 0 */
	/* ingest only: the owner this one was folded into (tm_load_finish);
	 * folded workloads are not in model->workloads */
	struct tm_workload *folded_into;
	tm_srcloc loc;
	const char *ignore;
	tm_srcloc ignore_loc; /* the trustmap.io/ignore key */
	size_t index;         /* position in model->workloads */
	const struct tm_mesh_pod *mesh; /* mesh facts of the pod template (model/mesh.h), or NULL */
	const struct tm_podsec *sec; /* isolation and placement facts of the pod template (model/podsec.h), or NULL */
} tm_workload;

typedef struct tm_pod {
	const char *ns, *name, *node;
	tm_labels labels;
	tm_ip *ips;
	size_t nips;
	tm_workload *owner;
	tm_srcloc loc;
	tm_ip host_ip;        /* status.hostIP (the node's address), when has_host_ip */
	bool has_host_ip;
	bool host_network;    /* spec.hostNetwork: its IPs are the node's */
	const struct tm_podsec *sec; /* isolation and placement facts (model/podsec.h), or NULL */
} tm_pod;

typedef struct tm_svcport {
	const char *name;
	uint32_t port;
	tm_proto proto;
	uint32_t target_port;     /* 0 when named or absent */
	const char *target_name;  /* named targetPort */
	uint32_t node_port;
} tm_svcport;

typedef struct tm_service {
	const char *ns, *name, *type;
	size_t seq;           /* read order (ingest) */
	tm_labels selector;
	bool has_selector;
	tm_svcport *ports;
	size_t nports;
	const char *cluster_ip;
	const char **external_ips;
	size_t nexternal_ips;
	const char **cluster_ips;   /* spec.clusterIPs (dual stack); cluster_ip is the first */
	size_t ncluster_ips;
	const char **lb_ips;        /* status.loadBalancer.ingress[].ip */
	size_t nlb_ips;
	tm_srcloc loc;
} tm_service;

/* An address named by an --ip-map file (ingest/ipmap/): what it belongs to,
 * resolved onto the model by analyzer/ipmap.c. */
typedef enum {
	TM_IPBIND_POD,      /* a pod's name: its workload is looked up (Pod object, else the name's prefix) */
	TM_IPBIND_WORKLOAD, /* "ns/name" or "ns/name[Kind]" of a workload */
	TM_IPBIND_SERVICE,  /* a Service's ClusterIP/external/LoadBalancer address */
	TM_IPBIND_NODE,     /* a node's address (node ports) */
} tm_ipbind_kind;

typedef struct tm_ipbind {
	tm_ipbind_kind kind;
	tm_ip ip;
	const char *ns, *name, *wkind; /* wkind: "[Kind]" given, else NULL */
	const char *owner;             /* pods: the controller's name from ownerReferences, or NULL */
	bool host_network;
	tm_srcloc loc;
} tm_ipbind;

/* Ingress, HTTPRoute or Route pointing at a service. */
typedef struct tm_exposure {
	const char *kind, *ns, *name;
	const char *service;
	uint32_t port;          /* 0 = none given */
	const char *port_name;  /* named service port, or NULL */
	const char *host;
	tm_srcloc loc;
	size_t obj_seq;         /* which object made it (model->objects_read then) */
	size_t seq;             /* read order */
	tm_srcloc obj_loc;      /* that object's position */
} tm_exposure;

/* A port entry of a NetworkPolicy/ANP rule. */
typedef struct tm_portspec {
	tm_proto proto;
	bool proto_from_pod;  /* ANP namedPort: protocol comes from the container */
	uint32_t port, end_port; /* port 0 = all ports of proto */
	const char *name;     /* named port, or NULL */
	tm_srcloc loc;
} tm_portspec;

typedef enum { TM_PEER_SELECTOR, TM_PEER_IPBLOCK, TM_PEER_NODES } tm_peer_kind;

typedef struct tm_peer {
	tm_peer_kind kind;
	bool has_ns_sel, has_pod_sel; /* absent ns selector = the policy's namespace */
	tm_selector ns_sel, pod_sel;
	const char *cidr;     /* ipBlock text, for explanations */
	tm_ipset ips;         /* ipBlock/networks minus except */
	bool has_v6;
	tm_srcloc loc;
} tm_peer;

typedef enum { TM_ACT_ALLOW, TM_ACT_DENY, TM_ACT_PASS } tm_action;

/* A Cilium rule's authentication.mode (docs/semantics.md "Mesh mTLS posture"):
 * traffic that rule admits waits for the agents' out-of-band mutual
 * authentication. TM_AUTH_NONE for every other kind of rule. */
typedef enum { TM_AUTH_NONE = 0, TM_AUTH_REQUIRED, TM_AUTH_DISABLED, TM_AUTH_TEST_ALWAYS_FAIL } tm_rule_auth;

typedef struct tm_rule {
	const char *name;     /* ANP rule name; NULL for NetworkPolicy */
	tm_action action;     /* ALLOW for NetworkPolicy */
	bool all_peers;       /* NetworkPolicy: from/to absent or empty */
	tm_peer *peers;
	size_t npeers;
	bool all_ports;       /* ports absent or empty */
	tm_portspec *ports;
	size_t nports;
	const tm_ports *fixed; /* union of the numeric port entries */
	bool has_named;
	size_t index;         /* position within its direction, 0-based */
	uint8_t auth;         /* tm_rule_auth */
	tm_srcloc loc;
} tm_rule;

typedef struct tm_netpol {
	const char *kind;     /* NULL: NetworkPolicy; else the kind it was read from (CiliumNetworkPolicy, ...) */
	const char *ns, *name;
	tm_selector pod_sel;
	bool ingress, egress; /* effective policyTypes */
	tm_rule *in_rules, *eg_rules;
	size_t nin, neg;
	tm_srcloc loc;
	const char *ignore;
	tm_srcloc ignore_loc; /* the trustmap.io/ignore key */
	size_t index;
} tm_netpol;

/* The kind a netpol is shown as: NetworkPolicy, or the Cilium kind it was read from. */
#define TM_NETPOL_KIND(np) ((np)->kind ? (np)->kind : "NetworkPolicy")

/* AdminNetworkPolicy and BaselineAdminNetworkPolicy. */
typedef struct tm_anp {
	bool baseline;
	const char *kind;     /* AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy */
	const char *name;
	int priority;
	bool subject_pods;    /* subject.pods (ns_sel + pod_sel) vs subject.namespaces */
	tm_selector subj_ns, subj_pod;
	tm_rule *in_rules, *eg_rules;
	size_t nin, neg;
	tm_srcloc loc;
	const char *ignore;
	tm_srcloc ignore_loc; /* the trustmap.io/ignore key */
} tm_anp;

/* A controller object that is not an endpoint of its own (tm_load_finish):
 * a ReplicaSet folded into its Deployment, a Job into its CronJob (by their
 * controller ownerReference, or by name for owners known only from Pods and
 * ReplicaSets without ownerReferences),
 * or an old revision (a ReplicaSet at 0 replicas with no Pods) dropped.
 * docs/semantics.md section 1. */
typedef enum {
	TM_FOLD_OWNER,        /* folded into into: its ownerReference names it */
	TM_FOLD_NAME,         /* matched to into by name: only its pods are in the input, or (a
			       * ReplicaSet) it has no ownerReferences */
	TM_FOLD_OLD_REVISION, /* no replicas and no pods: folded into into, or dropped when into is NULL */
} tm_fold_why;

typedef struct tm_folded {
	const char *kind, *ns, *name;
	const tm_workload *into;  /* the owner at the top of the chain, or NULL: dropped */
	const char *owner_kind, *owner_name; /* its controller, named in the message when not in the input */
	tm_fold_why why;
	unsigned npods;           /* Pod objects it brought to into */
	bool from_pods;           /* known only from its Pods' ownerReferences */
	tm_srcloc loc;
} tm_folded;

/* Why f is not an endpoint of its own, for people ("its controller", "an old
 * revision: 0 replicas, no pods", ...): written into b (reset), returned. */
const char *tm_folded_reason(const tm_folded *f, tm_buf *b);
/* A stable id of the reason: "controller", "by-name", "old-revision". */
const char *tm_fold_why_id(tm_fold_why why);

typedef struct tm_kindcount {
	const char *kind;
	size_t count;
	tm_srcloc first;
} tm_kindcount;

/* An input left out under --skip-invalid: an invalid object, or the rest of
 * a file after a syntax error (the kind is NULL). */
typedef struct tm_skipped {
	tm_srcloc loc;
	const char *kind;
} tm_skipped;

typedef struct tm_model {
	tm_arena arena;
	tm_strtab strs;
	tm_portpool *ports;
	tm_diags diags;

	tm_namespace **namespaces; size_t nnamespaces, cap_ns;
	tm_workload **workloads; size_t nworkloads, cap_wl;
	tm_pod **pods; size_t npods, cap_pods;
	tm_service **services; size_t nservices, cap_svc;
	tm_exposure **exposures; size_t nexposures, cap_exp;
	tm_ipbind *ipbinds; size_t nipbinds, cap_ipbinds; /* --ip-map entries, in reading order */
	tm_netpol **netpols; size_t nnetpols, cap_np;
	tm_anp **anps; size_t nanps, cap_anp;   /* sorted by priority after tm_model_finish */
	tm_anp *banp;
	/* v1alpha2 ClusterNetworkPolicies: tier Admin ones are in anps (with the
	 * ANPs, by priority); tier Baseline ones here, by priority */
	tm_anp **baselines; size_t nbaselines, cap_bl;

	tm_folded *folded; size_t nfolded, cap_folded; /* sorted by kind, ns, name */
	tm_kindcount *ignored; size_t nignored, cap_ign; /* kinds read but not used */
	size_t files_read, docs_read, objects_read, empty_docs, files_without_objects;
	size_t generated_names; /* objects named by generateName (numbered #1, #2, ...) */
	size_t invalid_skipped; /* objects skipped under --skip-invalid */
	size_t files_skipped;   /* files (or their rest) skipped under --skip-invalid */
	tm_skipped *skipped; size_t nskipped, cap_skipped; /* the first TM_MODEL_MAX_SKIPPED of either */
	struct tm_meshobjs *mesh;  /* Istio/Linkerd objects (model/mesh.h), NULL when none */
	struct tm_knode **knodes; size_t nknodes, cap_knodes; /* Node objects (model/podsec.h), by name */
	/* ingest only: Cilium policies as read, until tm_load_finish turns them
	 * into netpols and anps (ingest/manifest/cilium.c) */
	struct tm_cilium_pending *cilium;
	/* parts of policies read but not modelled ("CiliumNetworkPolicy toFQDNs"),
	 * counted with the first position, by kind after tm_load_finish: each is
	 * a note of every answer */
	tm_kindcount *unmodelled; size_t nunmodelled, cap_unmodelled;
	struct tm_labelsets *labelsets; /* private to model.c: interned label sets */
	struct tm_model_index *idx; /* private to model.c: hash lookups for
				       tm_model_namespace/tm_model_find_workload */
} tm_model;

tm_model *tm_model_new(void);
void tm_model_free(tm_model *m);

tm_namespace *tm_model_namespace(tm_model *m, const char *name, bool create);
/* Hash lookup; workloads appended to m->workloads are indexed lazily, and
 * tm_model_finish() drops the index (it is rebuilt on the next lookup). */
tm_workload *tm_model_find_workload(tm_model *m, const char *ns, const char *kind, const char *name);
/* Position in m->netpols of the NetworkPolicy with interned namespace ns and
 * this name, or -1 (hash lookup, indexed like workloads). */
long tm_model_find_netpol(tm_model *m, const char *ns, const char *name);
/* Every admin-tier and baseline policy, in evaluation order: the ANPs and
 * Admin-tier ClusterNetworkPolicies by priority, then the BANP, then the
 * Baseline-tier ClusterNetworkPolicies by priority. */
size_t tm_model_npolicies_admin(const tm_model *m);
tm_anp *tm_model_policy_admin(const tm_model *m, size_t i);
/* Does any ipBlock, ANP/CNP network or pod address use IPv6? */
bool tm_model_has_ipv6(const tm_model *m);
/* Make l's array the model's canonical one for that set: equal label sets
 * (sorted, with interned keys and values) then share storage, and equality
 * of interned sets is pointer equality of l->v. */
void tm_model_intern_labels(tm_model *m, tm_labels *l);
void tm_model_count_ignored(tm_model *m, const char *kind, tm_srcloc loc);
/* Record an input skipped under --skip-invalid: an object of kind (counted in
 * invalid_skipped), or, kind NULL, a file from loc on (files_skipped). Only
 * the first TM_MODEL_MAX_SKIPPED are listed; the counters count all. */
#define TM_MODEL_MAX_SKIPPED 20
void tm_model_skipped(tm_model *m, tm_srcloc loc, const char *kind);

/* ---- namespaces without a Namespace object ----
 * A namespace that Pods or policies use but that no Namespace object in the
 * input declares (`kubectl get pods,netpol`) has unknown labels, but for
 * kubernetes.io/metadata.name. What a namespace selector says of it: */
typedef enum {
	TM_NSSEL_NO,      /* does not select it, whatever its other labels */
	TM_NSSEL_YES,     /* selects it, whatever its other labels */
	TM_NSSEL_UNKNOWN, /* depends on labels the input does not give: the
			     engine decides on kubernetes.io/metadata.name alone */
} tm_nssel_answer;

/* For a declared namespace YES or NO; for an undeclared one NO when a
 * requirement on kubernetes.io/metadata.name fails, else UNKNOWN when the
 * selector tests any other key, else YES. */
tm_nssel_answer tm_namespace_select(const tm_namespace *ns, const tm_selector *sel);
/* The undeclared namespaces that hold workloads and of which sel's answer
 * is UNKNOWN: their number, the first max of them (by name, after
 * tm_model_finish) stored in out (which may be NULL when max is 0). */
size_t tm_model_nssel_unknown(const tm_model *m, const tm_selector *sel, const tm_namespace **out, size_t max);
/* Every namespace selector of the policies, in a stable order
 * (NetworkPolicy peers by policy, direction, rule and peer; then the
 * admin-tier and baseline policies in evaluation order, subject first):
 * fn gets the selector, its position and what it is ("NetworkPolicy b/x
 * ingress rule 0 peer 1", "AdminNetworkPolicy a subject"). */
typedef void (*tm_nssel_fn)(void *ctx, const tm_selector *sel, tm_srcloc loc, const char *what);
void tm_model_each_nssel(const tm_model *m, tm_nssel_fn fn, void *ctx);
/* Sort everything by its documented key and settle derived fields. */
void tm_model_finish(tm_model *m);

#endif
