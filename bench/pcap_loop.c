/* pcap_loop.c - the floor for `trustmap flows`: a bare pcap_next_ex loop
 * that only counts packets and bytes (bench/pcap_bench.sh). */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, bytes = 0;
	pcap_t *pc = argc == 2 ? pcap_open_offline(argv[1], err) : NULL;
	if (!pc) {
		fprintf(stderr, "usage: pcap_loop FILE (%s)\n", argc == 2 ? err : "");
		return 2;
	}
	while (pcap_next_ex(pc, &h, &d) == 1) {
		n++;
		bytes += h->caplen + d[0] * 0u;
	}
	pcap_close(pc);
	printf("%llu packets %llu bytes\n", n, bytes);
	return 0;
}
