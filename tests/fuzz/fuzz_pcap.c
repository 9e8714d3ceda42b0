/* fuzz_pcap.c - libFuzzer harness for the capture path: a whole pcap/pcapng
 * file through libpcap and ingest/capture/pcap.c, or (any other input) frames of a
 * link type chosen by the first byte, each prefixed by a 2-byte length,
 * straight into tm_capture_packet() (link layers, IP, TCP reassembly,
 * detection, TLS, flow table with small limits). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/flows_harness.h"
#include "ingest/capture/pcap.h"

static const int linktypes[] = {1, 113, 276, 12, 101, 228, 229, 0, 108, 147};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tm_pcap_opts o;
	tm_pcap_opts_default(&o);
	o.max_active = 64; /* exercise eviction and the caps */
	o.max_flows = 256;
	o.idle_timeout = 2;
	o.max_stream = 4096;
	o.max_handshake = 8192;
	tm_flowset *fs = tm_flowset_new();
	tm_capture *c = fs ? tm_capture_new(fs, &o) : NULL;
	if (!c) {
		tm_flowset_free(fs);
		return 0;
	}
	bool magic = size >= 4 && (!memcmp(data, "\xd4\xc3\xb2\xa1", 4) || !memcmp(data, "\xa1\xb2\xc3\xd4", 4) ||
				   !memcmp(data, "\x0a\x0d\x0d\x0a", 4) || !memcmp(data, "\x4d\x3c\xb2\xa1", 4));
	if (magic) {
		FILE *fp = fmemopen((void *)data, size, "rb");
		if (fp)
			tm_capture_read_fp(c, fp, "fuzz");
	} else if (size > 0) {
		int lt = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
		size_t o2 = 1;
		int64_t t = 0;
		while (o2 + 2 <= size) {
			size_t l = (size_t)data[o2] << 8 | data[o2 + 1];
			o2 += 2;
			if (l > size - o2)
				l = size - o2;
			/* a copy of exactly l bytes, so that ASan sees any overread */
			uint8_t *pkt = malloc(l ? l : 1);
			if (!pkt)
				break;
			memcpy(pkt, data + o2, l);
			tm_capture_packet(c, lt, t, pkt, l, l + (data[0] & 0x80 ? 10 : 0));
			free(pkt);
			t += 700000;
			o2 += l;
		}
	}
	tm_capture_finish(c);
	{
		const tm_counter *pk = tm_flowset_counter(fs, "packets");
		tm_fuzz_check_positions(fs, pk ? pk->value : 0);
	}
	tm_capture_free(c);
	tm_flowset_free(fs);
	return 0;
}
