/* flows_harness.h - what the flow-reader harnesses (fuzz_pcap.c,
 * fuzz_hubble.c, fuzz_zeek.c) hold every input to besides not crashing: each
 * record read from an input knows where it starts in it (tm_flow_pos_of: a
 * packet or line from 1 to the number the reader was given), and so does the
 * ssl.log line a Zeek record's TLS facts were joined from, so that a finding
 * resting on it can name that packet or line. */
#ifndef TM_FUZZ_FLOWS_HARNESS_H
#define TM_FUZZ_FLOWS_HARNESS_H

#include "model/flow.h"

#include <stdlib.h>

/* abort() unless every record's position is in 1..max */
static inline void tm_fuzz_check_positions(const tm_flowset *fs, uint64_t max)
{
	for (size_t i = 0; i < fs->nflows; i++) {
		uint64_t p = tm_flow_pos_of(fs, &fs->flows[i]);
		if (p < 1 || p > max)
			abort();
		/* the ssl.log line a Zeek record's TLS facts came from */
		const tm_flow_seen *s = tm_flow_seen_of(fs, &fs->flows[i]);
		if (s && s->tls_file && (s->tls_pos < 1 || s->tls_pos > max))
			abort();
		if (s && !s->tls_file && s->tls_pos > max)
			abort();
	}
}

/* lines of a buffer as the readers count them (a last line without '\n' counts) */
static inline uint64_t tm_fuzz_lines(const uint8_t *data, size_t size)
{
	uint64_t n = 0;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

#endif
