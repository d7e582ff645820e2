/*
 * librumor_internal: the socket transport librumor and the CLI share (one
 * frame out, one frame back, no output of its own). Not installed: the
 * public API is include/rumor/rumor.h.
 */
#ifndef RUMOR_RUMOR_INTERNAL_H
#define RUMOR_RUMOR_INTERNAL_H

#include <stdint.h>

#include "cli/ipc/ipc_proto.h"
#include "rumor/rumor.h"

/** Send req and read the answer frame's payload into a malloc'd *buf.
 *  0, or a RUMOR_E* code with rumor_last_error() saying why. */
int
rumor__exchange(struct rumor *r, const struct ipc_request *req,
		uint8_t **buf, uint32_t *len);

/** Read the next frame's payload (watch events). Same returns. */
int
rumor__read_frame(struct rumor *r, uint8_t **buf, uint32_t *len);

/** From now on wait for frames without a time limit (a watch). */
void
rumor__no_timeout(struct rumor *r);

#endif /* RUMOR_RUMOR_INTERNAL_H */
