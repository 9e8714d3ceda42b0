/* pcap_gen.c - builds the `trustmap flows` benchmark captures (bench/pcap_bench.sh).
 *
 *   pcap_gen mix OUT ROUNDS TEMPLATE.pcap...
 *       replays every template connection ROUNDS times with the client
 *       address rewritten (10.64.0.0/10, one per round) and the server
 *       address per template (10.0.T.1): thousands of TLS and plaintext
 *       connections with their real handshakes.
 *   pcap_gen synflows OUT N
 *       N TCP connections of two packets each (SYN, then an HTTP request),
 *       for the memory measurement with 1M flows.
 * Templates must be Ethernet/IPv4 captures (tests/pcap/). Checksums are not
 * recomputed (no reader of these files verifies them). */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pkt {
	uint32_t len, caplen, rel_us;
	uint8_t *data;
} pkt;

static void wr32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }
static void wr16(FILE *f, uint16_t v) { fwrite(&v, 2, 1, f); }

static void header(FILE *f)
{
	wr32(f, 0xa1b2c3d4);
	wr16(f, 2);
	wr16(f, 4);
	wr32(f, 0);
	wr32(f, 0);
	wr32(f, 262144);
	wr32(f, 1);
}

static void record(FILE *f, uint64_t us, const uint8_t *d, uint32_t caplen, uint32_t len)
{
	wr32(f, (uint32_t)(us / 1000000));
	wr32(f, (uint32_t)(us % 1000000));
	wr32(f, caplen);
	wr32(f, len);
	fwrite(d, 1, caplen, f);
}

static int mix(const char *out, long rounds, int nt, char **tmpl)
{
	pkt **tp = calloc((size_t)nt, sizeof *tp);
	size_t *tn = calloc((size_t)nt, sizeof *tn);
	uint16_t *cport = calloc((size_t)nt, sizeof *cport);
	for (int t = 0; t < nt; t++) {
		char err[PCAP_ERRBUF_SIZE];
		pcap_t *pc = pcap_open_offline(tmpl[t], err);
		if (!pc || pcap_datalink(pc) != DLT_EN10MB) {
			fprintf(stderr, "pcap_gen: %s: %s\n", tmpl[t], pc ? "not Ethernet" : err);
			return 1;
		}
		struct pcap_pkthdr *h;
		const u_char *d;
		uint64_t t0 = 0;
		size_t cap = 0;
		while (pcap_next_ex(pc, &h, &d) == 1) {
			if (h->caplen < 34 + 4 || d[12] != 8 || d[13] != 0)
				continue;
			uint64_t us = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
			if (!tn[t]) {
				t0 = us;
				size_t ihl = (size_t)(d[14] & 15) * 4;
				cport[t] = (uint16_t)(d[14 + ihl] << 8 | d[15 + ihl]);
			}
			if (tn[t] == cap) {
				cap = cap ? cap * 2 : 64;
				tp[t] = realloc(tp[t], cap * sizeof(pkt));
			}
			pkt *p = &tp[t][tn[t]++];
			p->len = h->len;
			p->caplen = h->caplen;
			p->rel_us = (uint32_t)(us - t0);
			p->data = malloc(h->caplen);
			memcpy(p->data, d, h->caplen);
		}
		pcap_close(pc);
	}
	FILE *f = fopen(out, "wb");
	if (!f)
		return 1;
	header(f);
	uint8_t buf[262144];
	uint64_t base = 1700000000ull * 1000000, n = 0;
	for (long k = 0; k < rounds; k++) {
		uint8_t cli[4] = {10, (uint8_t)(64 + ((k >> 16) & 63)), (uint8_t)(k >> 8), (uint8_t)k};
		for (int t = 0; t < nt; t++) {
			uint8_t srv[4] = {10, 0, (uint8_t)(t + 1), 1};
			for (size_t i = 0; i < tn[t]; i++) {
				pkt *p = &tp[t][i];
				memcpy(buf, p->data, p->caplen);
				size_t ihl = (size_t)(buf[14] & 15) * 4;
				uint16_t sp = (uint16_t)(buf[14 + ihl] << 8 | buf[15 + ihl]);
				bool c2s = sp == cport[t];
				memcpy(buf + 26, c2s ? cli : srv, 4);
				memcpy(buf + 30, c2s ? srv : cli, 4);
				/* connections overlap in time: round k starts k*50 us after the last */
				record(f, base + (uint64_t)k * 50 + p->rel_us / 64 + (uint64_t)t * 7, buf, p->caplen, p->len);
				n++;
			}
		}
	}
	fclose(f);
	fprintf(stderr, "pcap_gen: %s: %llu packets\n", out, (unsigned long long)n);
	return 0;
}

static int synflows(const char *out, long n)
{
	FILE *f = fopen(out, "wb");
	if (!f)
		return 1;
	header(f);
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: api.shop.svc\r\n\r\n";
	uint8_t b[128 + sizeof req];
	uint64_t base = 1700000000ull * 1000000;
	for (long k = 0; k < n; k++) {
		for (int step = 0; step < 2; step++) {
			size_t pl = step ? sizeof req - 1 : 0, len = 14 + 20 + 20 + pl;
			memset(b, 0, 54);
			b[12] = 8;
			b[14] = 0x45;
			b[16] = (uint8_t)((len - 14) >> 8);
			b[17] = (uint8_t)(len - 14);
			b[22] = 64;
			b[23] = 6;
			uint8_t cli[4] = {10, (uint8_t)(64 + ((k >> 16) & 63)), (uint8_t)(k >> 8), (uint8_t)k};
			uint8_t srv[4] = {10, 0, 0, 80};
			memcpy(b + 26, cli, 4);
			memcpy(b + 30, srv, 4);
			uint16_t cp = (uint16_t)(20000 + (k >> 22));
			b[34] = (uint8_t)(cp >> 8);
			b[35] = (uint8_t)cp;
			b[36] = 0x1f;
			b[37] = 0x90; /* 8080 */
			b[41] = step ? 2 : 1; /* seq: ISN 1, data at 2 */
			b[46] = 0x50;
			b[47] = step ? 0x18 : 0x02;
			memcpy(b + 54, req, pl);
			record(f, base + (uint64_t)k * 2 + (uint64_t)step, b, (uint32_t)len, (uint32_t)len);
		}
	}
	fclose(f);
	fprintf(stderr, "pcap_gen: %s: %ld packets, %ld flows\n", out, 2 * n, n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "mix"))
		return mix(argv[2], atol(argv[3]), argc - 4, argv + 4);
	if (argc == 4 && !strcmp(argv[1], "synflows"))
		return synflows(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: pcap_gen mix OUT ROUNDS TEMPLATE... | pcap_gen synflows OUT N\n");
	return 2;
}
