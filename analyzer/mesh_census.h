/* mesh_census.h - the mesh census of a model (`trustmap inventory`): which
 * namespaces and workloads are in which mesh and by what, which are kept
 * out and why, the mesh policy objects counted by kind, and the cluster-wide
 * assumptions in force with where each came from (docs/semantics.md "Mesh
 * census").
 *
 * Every decision is the posture's own: enrolment is tm_mesh_enrol, the
 * assumptions tm_mesh_settings_resolve, a PeerAuthentication's level
 * tm_mesh_istio_pa_scope (analyzer/mesh.h), so the census agrees with
 * `conn --show-mtls` by construction. No graph is needed: the census reads
 * the model's workloads (the posture's at workload granularity).
 *
 * Ownership: a tm_mesh_census owns its arena (tm_mesh_census_free) and
 * refers into the model, which must outlive it. */
#ifndef TM_ANALYZER_MESH_CENSUS_H
#define TM_ANALYZER_MESH_CENSUS_H

#include "analyzer/mesh.h"

/* tm_proxy values, TM_PROXY_NONE .. TM_PROXY_UNKNOWN */
#define TM_CENSUS_NPROXY ((size_t)TM_PROXY_UNKNOWN + 1)

/* One workload of the model and what tm_mesh_enrol decided for it. */
typedef struct tm_census_wl {
	const tm_workload *w;
	tm_mesh_wl enrol;
} tm_census_wl;

typedef struct tm_census_ns {
	const tm_namespace *ns;
	const char *enrols;      /* tm_mesh_ns_enrols: the label or annotation enrolling its pods, or NULL */
	bool cilium_ztunnel;     /* io.cilium/mtls-enabled=true */
	size_t nworkloads;
	size_t proxies[TM_CENSUS_NPROXY]; /* workloads by tm_proxy */
} tm_census_ns;

/* Counts of the mesh policy objects, by kind and by what decides their effect. */
typedef struct tm_census_objs {
	size_t pas;
	size_t pa_modes[TM_NPASCOPE][TM_PA_DISABLE + 1]; /* [tm_pa_scope][tm_pa_mode] */
	size_t pa_port_level;    /* PeerAuthentications with portLevelMtls */
	const tm_peerauth *mesh_pa; /* the mesh-wide one (tm_mesh_istio_mesh_pa), or NULL */
	size_t drs;
	size_t dr_tls[TM_DRTLS_ISTIO_MUTUAL + 1]; /* top-level tls by tm_dr_tls; none given is TM_DRTLS_AUTO */
	size_t dr_overrides[TM_DRTLS_ISTIO_MUTUAL + 1]; /* tls set by portLevelSettings or a subset, by mode */
	size_t azs;
	size_t az_actions[TM_AZ_AUDIT + 1]; /* [tm_az_action] */
	size_t az_target_refs;   /* with targetRef(s): waypoint/gateway policies, not judged */
	size_t vss, vs_mesh;     /* VirtualServices, those bound to sidecar traffic */
	size_t ses, se_internal; /* ServiceEntries, those MESH_INTERNAL */
	size_t servers, l5d_azs, mtlsauthns, netauthns, sazs;
	size_t http_routes, grpc_routes; /* policy.linkerd.io routes */
} tm_census_objs;

typedef struct tm_mesh_census {
	const tm_model *m;
	tm_mesh_settings set;    /* the assumptions in force, each with its source */
	bool cilium;             /* Cilium is in the input (tm_cilium_present) */
	const char *cilium_why;  /* what says so, or NULL */
	tm_census_ns *ns;        /* per m->namespaces[i] */
	size_t nns;
	tm_census_wl *wl;        /* per m->workloads[i] */
	size_t nwl;
	size_t proxies[TM_CENSUS_NPROXY]; /* all workloads by tm_proxy */
	size_t excluded;         /* proxy none, with a reason (tm_census_excluded) */
	tm_census_objs objs;
	tm_arena arena;          /* reasons */
	tm_strtab strs;
} tm_mesh_census;

/* The census of m under the options o (NULL: none). Caller owns *out
 * (tm_mesh_census_free). */
tm_err tm_mesh_census_compute(const tm_model *m, const tm_mesh_opts *o, tm_mesh_census **out);
void tm_mesh_census_free(tm_mesh_census *c);

/* Is w kept out of every mesh by a stated fact (proxy none, and a basis
 * other than none: hostNetwork, a declining label or annotation, the
 * injector's policy, a never-injected namespace, ...)? */
bool tm_census_excluded(const tm_census_wl *w);
/* The value of assumption s in force, as its option is written ("on",
 * "enabled", "unknown", "istio-system", ...); static or the settings'. */
const char *tm_census_setting_value(const tm_mesh_settings *set, tm_mesh_setting s);

#endif
