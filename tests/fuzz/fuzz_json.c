/* fuzz_json.c - libFuzzer harness: JSON manifests (ingest/manifest/json.c and
 * doc.c's tree builder, streamed and whole, ingest/k8s*.c, model/, the
 * connectivity engine); fuzz_jsondiff compares the reader with jansson. Built and run by
 * tests/fuzz/run.sh; corpus in tests/fuzz/corpus/fuzz_json/. */
#include <stdint.h>
#include <stddef.h>
#include "tests/fuzz/manifest_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_manifest(data, size, true);
}
