/* tcpstream.h - in-order TCP payload per direction (tcpstream.c), only as
 * far as detection needs. Private to ingest/capture/. */
#ifndef TM_CAPTURE_TCPSTREAM_H
#define TM_CAPTURE_TCPSTREAM_H

#include "ingest/capture/capture.h"

/* Feed one segment of direction d (sl->st must be set); delivers in-order
 * bytes to tm_detect_stream(). */
void tm_tcpstream_segment(tm_capture *c, tm_flow *f, tm_flowslot *sl, int d, const tm_pkt *pkt);
void tm_tcpdir_release(tm_tcpdir *d);

#endif
