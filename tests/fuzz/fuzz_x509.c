/* fuzz_x509.c - libFuzzer harness for certificate extraction (OpenSSL
 * d2i_X509, names, SANs, validity) in ingest/x509.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/capture/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tm_arena arena;
	tm_strtab strs;
	tm_cert c;
	tm_arena_init(&arena);
	tm_strtab_init(&strs, &arena);
	uint8_t *copy = malloc(size ? size : 1);
	if (copy) {
		memcpy(copy, data, size);
		if (tm_x509_extract(copy, size, &strs, &arena, 8, &c) == TM_OK)
			(void)tm_cert_identity(&c);
		free(copy);
	}
	tm_strtab_release(&strs);
	tm_arena_release(&arena);
	return 0;
}
