/*
 * Fuzz the local socket's request decoder and the client's response
 * decoder: whatever bytes arrive, they decode or are refused with a
 * reason, never crash, never allocate without bound.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cli/ipc_proto.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_request req;
	const char *why = NULL;
	if (ipc_request_decode(&req, data, size, &why) == 0) {
		if ((int)req.op < 0 || req.op >= ipc_op_MAX)
			abort();
	} else if (why == NULL) {
		abort();
	}
	struct ipc_response resp;
	if (ipc_response_decode(&resp, data, size) == 0)
		ipc_response_destroy(&resp);
	return 0;
}
