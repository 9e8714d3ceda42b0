/* istio.h - internal to ingest/manifest/: the getters istio.c shares with
 * istio_route.c. */
#ifndef TM_ISTIO_H
#define TM_ISTIO_H

#include "ingest/manifest/getters.h"
#include "model/mesh.h"

/* the networking.istio.io versions read */
extern const char *const tm_istio_api_net[];
/* A list of strings (absent: empty; an entry that is not a string: error). */
bool tm_istio_strlist(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field, tm_strlist *out);
/* spec.KEY.matchLabels (an Istio WorkloadSelector); *has: non-empty. */
bool tm_istio_match_labels(tm_k8s_ctx *c, const tm_node *spec, const char *key, bool *has, tm_labels *out);
/* parent.key, one of names (NULL-terminated), into *out (its index; left
 * unchanged when absent); another value is an error listing them. */
bool tm_istio_enum(tm_k8s_ctx *c, const tm_node *parent, const char *key, const char *field,
		   const char *const *names, int *out);

#endif
