/*
 * Fuzz the local socket's request decoder (and, on the same bytes, the
 * client's response decoder for every body; fuzz_ipc_response.c goes
 * deeper there): whatever bytes arrive, they decode or are refused with
 * a reason, never crash, never allocate without bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/ipc/ipc_proto.h"

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
		/* What decodes encodes again and decodes the same. */
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		struct ipc_request again;
		const char *why2 = NULL;
		if (ipc_request_encode(&sb, &req) != 0 ||
		    ipc_request_decode(&again, (const uint8_t *)sb.data + 4,
				       sb.size - 4, &why2) != 0 ||
		    again.op != req.op || strcmp(again.name, req.name) != 0 ||
		    strcmp(again.tag, req.tag) != 0 ||
		    again.reg.count != req.reg.count ||
		    (req.reg.count == 1 &&
		     !service_equal(again.reg.services[0],
				    req.reg.services[0])))
			abort();
		ipc_request_destroy(&again);
		msgpack_sbuffer_destroy(&sb);
		ipc_request_destroy(&req);
	} else if (why == NULL) {
		abort();
	}
	for (int body = 0; body < ipc_body_MAX; body++) {
		struct ipc_response resp;
		if (ipc_response_decode(&resp, (enum ipc_body)body, data,
					size) == 0)
			ipc_response_destroy(&resp);
	}
	return 0;
}
