/* fuzz_yamlfast.c - differential libFuzzer harness for the fast YAML subset
 * scanner (ingest/manifest/yamlfast.c): whenever tm_yaml_fast() accepts an input,
 * libyaml must accept it too and produce the same events (type, start
 * mark, scalar value and plain-ness), which is the contract in
 * ingest/manifest/yamlfast.h. A difference aborts (a crash for libFuzzer) after
 * printing both event streams. fuzz_yaml covers the same scanner as part
 * of the whole pipeline; this harness checks its output, not only its
 * memory safety. Corpus: tests/fuzz/corpus/fuzz_yamlfast/. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/manifest/yamlfast.h"
#include "model/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ev_text(tm_buf *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		tm_buf_addf(b, "S %zu:%zu %c", (size_t)ev->start_mark.line, (size_t)ev->start_mark.column,
			    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? 'P' : 'Q');
		tm_buf_add(b, (const char *)ev->data.scalar.value, ev->data.scalar.length);
		break;
	case YAML_MAPPING_START_EVENT:
		tm_buf_addf(b, "M %zu:%zu", (size_t)ev->start_mark.line, (size_t)ev->start_mark.column);
		break;
	case YAML_SEQUENCE_START_EVENT:
		tm_buf_addf(b, "Q %zu:%zu", (size_t)ev->start_mark.line, (size_t)ev->start_mark.column);
		break;
	case YAML_MAPPING_END_EVENT: tm_buf_adds(b, "m"); break;
	case YAML_SEQUENCE_END_EVENT: tm_buf_adds(b, "q"); break;
	case YAML_DOCUMENT_START_EVENT: tm_buf_adds(b, "D"); break;
	case YAML_DOCUMENT_END_EVENT: tm_buf_adds(b, "d"); break;
	case YAML_STREAM_START_EVENT: tm_buf_adds(b, "<"); break;
	case YAML_STREAM_END_EVENT: tm_buf_adds(b, ">"); break;
	default: tm_buf_adds(b, "?"); break;
	}
	tm_buf_adds(b, "\n");
}

static int sink(void *arg, yaml_event_t *ev)
{
	ev_text(arg, ev);
	return 0;
}

static bool libyaml_events(const char *s, size_t n, tm_buf *b)
{
	yaml_parser_t p;
	yaml_event_t ev;
	bool ok = true;
	if (!yaml_parser_initialize(&p))
		abort();
	yaml_parser_set_input_string(&p, (const unsigned char *)s, n);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			ok = false;
			break;
		}
		ev_text(b, &ev);
		bool end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tm_buf fast, lib;
	tm_buf_init(&fast, 0);
	tm_buf_init(&lib, 0);
	const char *s = (const char *)data;
	if (tm_yaml_fast(s, size, sink, &fast)) {
		bool lib_ok = libyaml_events(s, size, &lib);
		if (!lib_ok || strcmp(tm_buf_str(&fast), tm_buf_str(&lib)) != 0) {
			fprintf(stderr, "fast scanner differs from libyaml (libyaml %s)\n--- libyaml\n%s--- fast\n%s",
				lib_ok ? "ok" : "error", tm_buf_str(&lib), tm_buf_str(&fast));
			abort();
		}
	}
	tm_buf_release(&fast);
	tm_buf_release(&lib);
	return 0;
}
