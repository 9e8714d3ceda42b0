/* fuzz_zeek.c - libFuzzer harness: the Zeek reader (ingest/zeek/: TSV by
 * #fields header, JSON lines) on arbitrary text, read once as conn.log and
 * once as ssl.log so that the uid join runs, then the flows renderers (to
 * /dev/null). Built and run by tests/fuzz/run.sh; seeds in
 * tests/fuzz/corpus/fuzz_zeek/. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/flows_harness.h"
#include "ingest/zeek/zeek.h"
#include "render/flows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tm_flowset *fs = tm_flowset_new();
	tm_zeek *z = fs ? tm_zeek_new(fs, 4096) : NULL;
	if (!z) {
		tm_flowset_free(fs);
		return 0;
	}
	tm_zeek_read_buffer(z, "conn.log", (const char *)data, size);
	tm_zeek_read_buffer(z, "ssl.log", (const char *)data, size);
	tm_zeek_read_buffer(z, "x.log", (const char *)data, size);
	tm_zeek_finish(z);
	tm_fuzz_check_positions(fs, tm_fuzz_lines(data, size));
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		tm_render_flows_json(fs, null);
		tm_render_flows_csv(fs, null);
		fclose(null);
	}
	tm_zeek_free(z);
	tm_flowset_free(fs);
	return 0;
}
