/* ingest.h - reading Kubernetes manifests into a tm_model.
 *
 * Diagnostics go to model->diags with file:line:col. A function returns
 * TM_OK when the input was usable; an error (syntax, invalid object, limit,
 * I/O) makes it return that error unless opts->skip_invalid turns it into a
 * warning. Nothing is silently dropped: unknown kinds and documents without a
 * Kubernetes object are counted in the model and reported as warnings. */
#ifndef TM_INGEST_H
#define TM_INGEST_H

#include "model/model.h"
#include "ingest/manifest/doc.h"

typedef struct tm_load_opts {
	bool skip_invalid;    /* NPA behaviour: errors become warnings */
	const char *ns;       /* kubectl apply -n NS: the namespace of namespaced objects
			       * without metadata.namespace (NULL: "default"); one that
			       * names another is an error */
	bool again;           /* this path was read before in this run (under another -n):
			       * its cluster-scoped objects are those read then, and skipped */
	tm_doc_limits limits;
	size_t max_objects;   /* objects in one run; default 2,000,000 */
	size_t max_labels;    /* labels per object; default 1,000 */
	size_t max_label_len; /* bytes of a label key or value; default 4,096 */
	tm_progress_fn progress; /* optional: "reading manifests", bytes of each input */
	void *progress_ctx;
} tm_load_opts;

void tm_load_opts_default(tm_load_opts *o);

/* Files, directories (recursively, *.yaml *.yml *.json, sorted bytewise), or
 * "-" for standard input (YAML or JSON, detected by the first byte). */
tm_err tm_load_path(tm_model *m, const char *path, const tm_load_opts *o);
/* One in-memory input; name is used in messages. */
tm_err tm_load_buffer(tm_model *m, const char *name, const char *data, size_t len, bool is_json,
		      const tm_load_opts *o);
/* After all inputs: create referenced namespaces, sort, settle. */
tm_err tm_load_finish(tm_model *m, const tm_load_opts *o);

/* Validation helpers (ingest/manifest/getters.c), shared with the zones file. */
bool tm_valid_label_key(const char *k, tm_buf *why);
bool tm_valid_label_value(const char *v, tm_buf *why);
bool tm_valid_port_name(const char *n, tm_buf *why);

#endif
