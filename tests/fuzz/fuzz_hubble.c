/* fuzz_hubble.c - libFuzzer harness: the Hubble reader (ingest/hubble/ over
 * ingest/flowlog/jscan.c) on arbitrary lines, then the flows renderers
 * (written to /dev/null). Built and run by tests/fuzz/run.sh; seeds in
 * tests/fuzz/corpus/fuzz_hubble/. Each line is handed over without a NUL
 * after it (a copy of exactly its bytes), so AddressSanitizer sees any read
 * past its end. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/flows_harness.h"
#include "ingest/hubble/hubble.h"
#include "render/flows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tm_flowset *fs = tm_flowset_new();
	tm_hubble *h = fs ? tm_hubble_new(fs, 4096) : NULL;
	if (!h) {
		tm_flowset_free(fs);
		return 0;
	}
	const char *s = (const char *)data, *e = s + size;
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(e - s);
		char *line = malloc(n ? n : 1);
		if (line) {
			memcpy(line, s, n);
			if (n <= 4096)
				tm_hubble_line(h, line, n);
			free(line);
		}
		s = nl ? nl + 1 : e;
	}
	tm_hubble_finish(h);
	tm_fuzz_check_positions(fs, tm_fuzz_lines(data, size));
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		tm_render_flows_json(fs, null);
		tm_render_flows_txt(fs, null);
		tm_render_flows_csv(fs, null);
		fclose(null);
	}
	tm_hubble_free(h);
	tm_flowset_free(fs);
	return 0;
}
