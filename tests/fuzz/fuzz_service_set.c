/*
 * Fuzz service_set_decode(). Whatever decodes must validate, encode again
 * and decode to the same set; anything else aborts, so libFuzzer reports
 * it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "membership/service.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct service_set set;
	if (service_set_decode(&set, data, size, NULL) != 0)
		return 0;
	for (size_t i = 0; i < set.count; i++) {
		if (service_validate(set.services[i], NULL) != 0)
			abort();
	}
	uint8_t *buf;
	size_t len;
	if (service_set_encode(set.version,
			       (const struct service *const *)set.services,
			       set.count, &buf, &len) != 0)
		abort();
	struct service_set again;
	if (service_set_decode(&again, buf, len, NULL) != 0 ||
	    again.count != set.count || again.version != set.version)
		abort();
	for (size_t i = 0; i < set.count; i++) {
		if (!service_equal(set.services[i], again.services[i]))
			abort();
	}
	service_set_destroy(&again);
	service_set_destroy(&set);
	free(buf);
	return 0;
}
