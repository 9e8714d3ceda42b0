/* fuzz_flowjson.c - libFuzzer harness: flow summaries (ingest/flowjson/:
 * the array scanner, the record reader, the merge) and, differentially,
 * that rendering what was read is a fixed point: read -> merge -> render ->
 * read -> merge -> render gives the same bytes twice. Built and run by
 * tests/fuzz/run.sh; corpus in tests/fuzz/corpus/fuzz_flowjson/. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/flowjson/flowjson.h"
#include "render/flows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* read, merge, render into *out (heap); false when the input is refused */
static int once(const char *in, size_t n, char **out, size_t *outlen)
{
	tm_flowset *fs = tm_flowset_new();
	if (!fs)
		return 0;
	int ok = 0;
	if (tm_flowjson_read_buffer(fs, "fuzz.json", in, n, 100000) == TM_OK) {
		tm_flowjson_merge(fs);
		FILE *f = open_memstream(out, outlen);
		if (f) {
			ok = tm_render_flows_json(fs, f) == TM_OK;
			fclose(f);
		}
	}
	tm_flowset_free(fs);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	if (once((const char *)data, size, &a, &na)) {
		if (!once(a, na, &b, &nb) || na != nb || memcmp(a, b, na) != 0) {
			fprintf(stderr, "fuzz_flowjson: rendering what was read is not a fixed point\n");
			abort();
		}
	}
	free(a);
	free(b);
	return 0;
}
