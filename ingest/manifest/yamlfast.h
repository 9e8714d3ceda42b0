/* yamlfast.h - a fast scanner for the block-style YAML subset that kubectl
 * and most manifests use, producing the same libyaml events.
 *
 * libyaml's scanner costs about 1 s per 15 MB; manifests of large clusters
 * are hundreds of MB. tm_yaml_fast() recognises a strict subset (block maps
 * and sequences, plain and single-line quoted scalars, literal "|"/"|-"
 * block scalars as map values, one-line flow collections, comments, "---"
 * separators, CRLF; ASCII only, no tabs, no anchors, aliases, tags, folded
 * scalars, multi-line plain or quoted scalars or complex keys) and
 * hands the caller exactly the events libyaml would produce for it (same
 * types, start marks, scalar values and styles; end marks are not set).
 * On anything outside the subset it stops and returns false: the caller
 * then parses the whole buffer again with libyaml, which also reports every
 * syntax error. tests/unit/test_yamlfast.c compares both event streams. */
#ifndef TM_YAMLFAST_H
#define TM_YAMLFAST_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* Called for every event; the event (and its scalar value) is valid only
 * during the call and must not be passed to yaml_event_delete(). A
 * non-zero return stops the scan (tm_yaml_fast then returns false). */
typedef int (*tm_yaml_sink)(void *arg, yaml_event_t *ev);

/* true: the whole buffer was in the subset and every event was delivered
 * (STREAM_START ... STREAM_END). false: stopped early; events already
 * delivered must be discarded. */
bool tm_yaml_fast(const char *data, size_t len, tm_yaml_sink sink, void *arg);

#endif
