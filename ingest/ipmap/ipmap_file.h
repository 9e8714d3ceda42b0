/* ipmap_file.h - --ip-map FILE: addresses for manifests that carry none
 * (from git), as tm_ipbind entries of the model (model.h). Three shapes,
 * told apart by the content:
 *
 *   kubectl get pods,svc -A -o json   a List (or one object) of Pods and
 *                                     Services: podIP(s), hostIP, hostNetwork,
 *                                     ownerReferences; clusterIP(s),
 *                                     externalIPs, LoadBalancer ingress IPs
 *   kubectl get pods -A -o wide       the table: columns found by the header
 *                                     (NAMESPACE optional, NAME, IP, NODE)
 *   IP ns/workload                    two columns per line, '#' comments;
 *                                     ns/name[Kind] picks a kind, svc/ns/name
 *                                     a Service, node/NAME a node
 *
 * Lines that fit none are warnings with file:line, and counted. */
#ifndef TM_IPMAP_FILE_H
#define TM_IPMAP_FILE_H

#include "model/model.h"

/* TM_OK, or TM_ERR_IO (cannot open; a diagnostic in m). Entries go to
 * m->ipbinds. */
tm_err tm_ipmap_file_load(tm_model *m, const char *path);
/* The same from a buffer (tests, fuzzing). */
tm_err tm_ipmap_file_parse(tm_model *m, const char *name, const char *data, size_t len);

#endif
