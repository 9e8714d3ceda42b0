/* zones.h - trust zones (docs/zones.md): named zones that select workloads
 * and IP ranges, and boundary rules between them. The zones file is read by
 * ingest/manifest/zones.c; the defaults are built here from the model.
 *
 * Ownership: the zones and rules live in the model's arena (strings interned
 * in its table, port sets in its pool); the tm_zones itself and its IP sets
 * are heap memory released by tm_zones_free(). The model must outlive it. */
#ifndef TM_MODEL_ZONES_H
#define TM_MODEL_ZONES_H

#include "model/model.h"
#include "model/findings.h"

typedef struct tm_zone {
	const char *name;
	bool has_ns_sel, has_pod_sel;
	tm_selector ns_sel, pod_sel;
	const char **namespaces;
	size_t nnamespaces;
	bool has_ips;
	tm_ipset ips;
	bool sensitive;   /* `sensitive: true`, or the target of a deny/allow-only rule */
	const char *label_value; /* default zones: trustmap.io/zone=<value> */
	tm_srcloc loc;
} tm_zone;

typedef enum { TM_ZACT_DENY, TM_ZACT_ALLOW_ONLY, TM_ZACT_REQUIRE_MTLS } tm_zaction;

const char *tm_zaction_name(tm_zaction a);

/* One entry of an allow-only rule's allow list. */
typedef struct tm_zallow {
	const char *zone;             /* a zone name, or NULL */
	const char *ns, *workload;    /* "ns/workload" (workload "*" = the namespace) */
	const char *kind;             /* "ns/workload[Kind]": only that kind; else NULL */
	const tm_ports *ports;        /* NULL = every port */
	tm_srcloc loc;
} tm_zallow;

typedef struct tm_zrule {
	const char *name;
	const char *from, *to;  /* zone names; "any" (or omitted) = any endpoint */
	tm_zaction action;
	tm_severity severity;
	tm_zallow *allow;
	size_t nallow;
	tm_srcloc loc;
} tm_zrule;

typedef struct tm_zones {
	const char *file;     /* NULL for the defaults */
	tm_zone *zones;
	size_t nzones, cap_zones;
	tm_zrule *rules;
	size_t nrules, cap_rules;
} tm_zones;

/* Built-in zone names. */
#define TM_ZONE_INTERNET "internet"
#define TM_ZONE_ANY "any"

/* The defaults used without --zones (docs/zones.md): zones pci, frontend and
 * one per trustmap.io/zone label value found in the model; rules
 * frontend-must-not-reach-pci and internet-must-not-reach-pci. NULL on OOM. */
tm_zones *tm_zones_default(tm_model *m);
void tm_zones_free(tm_zones *z);
/* Zone by name, or NULL (built-ins are not listed). */
const tm_zone *tm_zones_find(const tm_zones *z, const char *name);
/* A zone name: letters, digits, '-', '.', '_'; 1..253 bytes. */
bool tm_zone_name_valid(const char *s);

#endif
