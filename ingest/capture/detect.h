/* detect.h - application protocol by content, STARTTLS, mesh signatures
 * (detect.c). Private to ingest/capture/. */
#ifndef TM_CAPTURE_DETECT_H
#define TM_CAPTURE_DETECT_H

#include "ingest/capture/capture.h"

/* Consume in-order bytes of direction d (sl->st must be set); returns bytes
 * consumed. Sets TM_FF_DONE in sl->flags when nothing more needs to be seen. */
size_t tm_detect_stream(tm_capture *c, tm_flow *f, tm_flowslot *sl, int d, const uint8_t *p, size_t n);
/* One UDP datagram. */
void tm_detect_udp(tm_capture *c, tm_flow *f, int d, const uint8_t *p, size_t n);
/* Mesh signatures from the TLS facts and ports (tm_flow_mesh_signature). */
void tm_detect_mesh(tm_flow *f);

#endif
