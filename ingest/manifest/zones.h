/* zones.h - reading the trust zones file (docs/zones.md) into the model's
 * zones (model/zones.h). Errors go to model->diags with file:line:col. */
#ifndef TM_INGEST_ZONES_H
#define TM_INGEST_ZONES_H

#include "model/zones.h"

/* Read a zones file (YAML or JSON). On error returns TM_ERR_IO, TM_ERR_SYNTAX
 * or TM_ERR_INVALID with the message in m->diags and *out NULL. */
tm_err tm_zones_load(tm_model *m, const char *path, tm_zones **out);
tm_err tm_zones_parse(tm_model *m, const char *name, const char *data, size_t len, tm_zones **out);

#endif
