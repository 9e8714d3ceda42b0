/* fuzz_jsondiff.c - differential libFuzzer harness for the JSON reader
 * (ingest/manifest/json.c): jansson and ours must accept the same inputs
 * and read the same values (tests/fuzz/jsondiff.h). A difference aborts
 * after printing it. fuzz_json covers the same reader as part of the whole
 * pipeline (streaming, skipped fields); this harness checks its output.
 * Corpus: tests/fuzz/corpus/fuzz_jsondiff/. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/jsondiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[512];
	if (jsondiff((const char *)data, size, why, sizeof why)) {
		fprintf(stderr, "fuzz_jsondiff: %s\n", why);
		abort();
	}
	return 0;
}
