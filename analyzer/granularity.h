/* granularity.h - endpoint granularity for the connectivity engine. */
#ifndef TM_GRANULARITY_H
#define TM_GRANULARITY_H

#include "model/model.h"

/* Replace workloads that have Pod objects by one endpoint per pod (after
 * tm_load_finish, before tm_conn_compute). */
void tm_model_pod_granularity(tm_model *m);

#endif
