/* k8s.h - internal to ingest/manifest/: the readers of each kind, one file
 * per family (k8s_workloads.c, k8s_netpol.c, k8s_cnp.c, k8s_services.c),
 * which k8s.c dispatches to, and what the policy readers share. */
#ifndef TM_K8S_H
#define TM_K8S_H

#include "ingest/manifest/getters.h"

/* Shared by the NetworkPolicy, ANP/BANP and ClusterNetworkPolicy readers
 * (k8s_netpol.c): numeric ports into rule->fixed; the heap ranges of rules
 * that do not reach the model; an ANP/CNP `networks` peer. */
void tm_k8s_rule_settle(tm_model *m, tm_rule *r);

/* One entry j of a rule's port list into ps (zeroed, its loc set): true when
 * read, false when warned and left out. */
typedef bool tm_k8s_port_reader(tm_k8s_ctx *c, const tm_node *p, const char *field, size_t j, tm_portspec *ps);
/* The list under key of rule rn into r->ports, each entry by read; none or
 * an empty list is every port (r->all_ports). False when any was warned. */
bool tm_k8s_port_list(tm_k8s_ctx *c, const tm_node *rn, const char *key, const char *field, tm_k8s_port_reader *read,
		      tm_rule *r);

/* The rule lists of AdminNetworkPolicy/BaselineAdminNetworkPolicy and of
 * ClusterNetworkPolicy (k8s_netpol.c): what differs between the APIs. */
typedef struct tm_k8s_admin_flavour {
	const char *allow;  /* the action word that allows: Allow or Accept */
	bool pass;          /* Pass is an action */
	size_t max_rules;
	const char *ports_key; /* "ports" or "protocols" */
	bool (*read_peer)(tm_k8s_ctx *c, const tm_node *p, const char *field, bool egress, tm_peer *peer);
	tm_k8s_port_reader *read_port; /* one entry of the ports_key list */
} tm_k8s_admin_flavour;
bool tm_k8s_admin_rules(tm_k8s_ctx *c, const tm_node *spec, bool ingress, const tm_k8s_admin_flavour *fl,
			tm_rule **out, size_t *nout);
void tm_k8s_rules_release(tm_rule *r, size_t n);
bool tm_k8s_networks(tm_k8s_ctx *c, const tm_node *v, const char *field, bool nonempty, tm_peer *peer);

void tm_k8s_workload(tm_k8s_ctx *c);
void tm_k8s_pod(tm_k8s_ctx *c);
void tm_k8s_namespace(tm_k8s_ctx *c);
void tm_k8s_netpol(tm_k8s_ctx *c);
void tm_k8s_anp(tm_k8s_ctx *c, bool baseline);
void tm_k8s_cnp(tm_k8s_ctx *c);
/* CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy (cilium.c): read
 * into netpols and anps by tm_k8s_cilium_finish, from tm_load_finish */
void tm_k8s_cilium_np(tm_k8s_ctx *c);
void tm_k8s_cilium_ccnp(tm_k8s_ctx *c);
void tm_k8s_cilium_finish(tm_model *m);
void tm_k8s_service(tm_k8s_ctx *c);
void tm_k8s_ingress(tm_k8s_ctx *c);
void tm_k8s_route(tm_k8s_ctx *c);
void tm_k8s_httproute(tm_k8s_ctx *c);
/* service meshes: Istio (istio.c), Linkerd (linkerd.c), the pod and
 * namespace facts that decide injection and the install ConfigMaps
 * (mesh_pods.c) */
void tm_k8s_istio_peerauth(tm_k8s_ctx *c);
void tm_k8s_istio_authz(tm_k8s_ctx *c);
void tm_k8s_istio_destrule(tm_k8s_ctx *c);
void tm_k8s_istio_virtualsvc(tm_k8s_ctx *c);   /* istio_route.c */
void tm_k8s_istio_serviceentry(tm_k8s_ctx *c);
void tm_k8s_linkerd_server(tm_k8s_ctx *c);
void tm_k8s_linkerd_authz(tm_k8s_ctx *c);
void tm_k8s_linkerd_mtlsauthn(tm_k8s_ctx *c);
void tm_k8s_linkerd_netauthn(tm_k8s_ctx *c);
void tm_k8s_linkerd_serverauthz(tm_k8s_ctx *c);
void tm_k8s_linkerd_route(tm_k8s_ctx *c);
void tm_k8s_mesh_configmap(tm_k8s_ctx *c);
/* Is obj one of the install ConfigMaps (istio, istio-sidecar-injector,
 * linkerd-config, cilium-config)? */
bool tm_k8s_mesh_configmap_wanted(const tm_node *obj);
/* The cilium-config ConfigMap (cilium_config.c), from tm_k8s_mesh_configmap. */
void tm_k8s_cilium_config(tm_k8s_ctx *c);
/* Mesh annotations of meta (a pod template's or a Pod's metadata) and its
 * spec's proxy containers; NULL when there is nothing mesh-related. */
const struct tm_mesh_pod *tm_k8s_mesh_pod(tm_k8s_ctx *c, const tm_node *meta, const tm_node *spec);
/* Mesh annotations of a Namespace's metadata. */
tm_labels tm_k8s_mesh_ns(tm_k8s_ctx *c, const tm_node *meta);
/* Isolation and placement facts of a pod spec (pod_security.c; field names
 * it in warnings, "spec.template.spec"); NULL when it says nothing of them. */
const struct tm_podsec *tm_k8s_pod_security(tm_k8s_ctx *c, const tm_node *spec, const char *field);
/* The Node kind: labels, taints, unschedulable (pod_security.c). */
void tm_k8s_kube_node(tm_k8s_ctx *c);
/* A version of the group the reader does not know: warned, read on. */
void tm_k8s_api_version_check(tm_k8s_ctx *c, const char *const *known);

#endif
