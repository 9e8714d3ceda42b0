/* bytes.h - bounds-checked reads of untrusted bytes for the capture reader
 * (tcpdump's GET_U_1 / ND_TCHECK_LEN): every read of packet or record bytes
 * first asks TM_HAVE whether the bytes are there; what is short is counted
 * by the caller, never read past. Each macro takes the base pointer, the
 * available length and an offset. */
#ifndef TM_CAPTURE_BYTES_H
#define TM_CAPTURE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool tm_have_(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}
/* n bytes at off are within len */
#define TM_HAVE(len, off, n) tm_have_((size_t)(len), (size_t)(off), (size_t)(n))
/* big-endian (network order) reads; only after TM_HAVE said yes */
#define TM_U8(p, off) ((uint32_t)(p)[(off)])
#define TM_U16(p, off) (((uint32_t)(p)[(off)] << 8) | (uint32_t)(p)[(off) + 1])
#define TM_U24(p, off) (((uint32_t)(p)[(off)] << 16) | ((uint32_t)(p)[(off) + 1] << 8) | (uint32_t)(p)[(off) + 2])
#define TM_U32(p, off) (((uint32_t)(p)[(off)] << 24) | ((uint32_t)(p)[(off) + 1] << 16) | \
			((uint32_t)(p)[(off) + 2] << 8) | (uint32_t)(p)[(off) + 3])
#define TM_U64(p, off) (((uint64_t)TM_U32(p, off) << 32) | (uint64_t)TM_U32(p, (off) + 4))
/* little-endian (BSD null link headers, MongoDB, ...) */
#define TM_LE32(p, off) (((uint32_t)(p)[(off) + 3] << 24) | ((uint32_t)(p)[(off) + 2] << 16) | \
			 ((uint32_t)(p)[(off) + 1] << 8) | (uint32_t)(p)[(off)])

#endif
