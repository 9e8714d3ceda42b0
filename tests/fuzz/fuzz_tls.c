/* fuzz_tls.c - libFuzzer harness for the TLS handshake parser: the input is
 * a sequence of chunks [1 byte direction][2 bytes length][bytes], fed to
 * tm_tls_feed() the way tcpstream.c does (unconsumed bytes are offered again
 * with the next chunk of the same direction). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/capture/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tm_arena arena;
	tm_strtab strs;
	tm_pcap_stats stats;
	tm_pcap_opts opts;
	tm_tls tls;
	uint8_t *pend[2] = {NULL, NULL};
	size_t np[2] = {0, 0};
	memset(&stats, 0, sizeof stats);
	memset(&tls, 0, sizeof tls);
	tm_arena_init(&arena);
	tm_strtab_init(&strs, &arena);
	tm_pcap_opts_default(&opts);
	tm_tls_ctx ctx = {&strs, &arena, &stats, &opts};
	tm_tls_parser *p = tm_tls_parser_new(&tls);
	size_t o = 0;
	while (p && o + 3 <= size) {
		int d = data[o] & 1;
		size_t l = (size_t)data[o + 1] << 8 | data[o + 2];
		o += 3;
		if (l > size - o)
			l = size - o;
		uint8_t *nb = realloc(pend[d], np[d] + l + 1);
		if (!nb)
			break;
		pend[d] = nb;
		memcpy(pend[d] + np[d], data + o, l);
		np[d] += l;
		o += l;
		/* an exact-size copy so that ASan catches reads past the end */
		uint8_t *view = malloc(np[d] ? np[d] : 1);
		if (!view)
			break;
		memcpy(view, pend[d], np[d]);
		size_t used = tm_tls_feed(p, &ctx, d, view, np[d]);
		free(view);
		if (used > np[d])
			abort();
		memmove(pend[d], pend[d] + used, np[d] - used);
		np[d] -= used;
		if (tm_tls_done(p))
			break;
	}
	if (p)
		tm_tls_finish(p);
	tm_tls_parser_free(p);
	free(pend[0]);
	free(pend[1]);
	tm_strtab_release(&strs);
	tm_arena_release(&arena);
	return 0;
}
