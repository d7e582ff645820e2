/*
 * Fuzz node_tags_decode(), the tags in a member's metadata (any peer's
 * announcement). Whatever decodes must pass the limits, encode again
 * within NODE_TAGS_SIZE_MAX and decode to the same tags; anything else
 * aborts, so libFuzzer reports it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "membership/node_tags.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct node_tags got, again;
	if (node_tags_decode(data, size, &got) != 0) {
		if (got.count != 0)
			abort();
		return 0;
	}
	char why[256];
	size_t need, len;
	uint8_t enc[NODE_TAGS_SIZE_MAX];
	if (node_tags_check(got.tags, got.count, &need, why, sizeof(why)) !=
		    0 ||
	    need > NODE_TAGS_SIZE_MAX)
		abort();
	if (got.count == 0)
		return 0;
	if (node_tags_encode(got.tags, got.count, enc, sizeof(enc), &len) != 0)
		abort();
	/* As a metadata map: {5: tags}. */
	uint8_t meta[2 + NODE_TAGS_SIZE_MAX];
	meta[0] = 0x81;
	meta[1] = NODE_TAGS_META_KEY;
	for (size_t i = 0; i < len; i++)
		meta[2 + i] = enc[i];
	if (node_tags_decode(meta, 2 + len, &again) != 0 ||
	    !node_tags_equal(&got, &again))
		abort();
	return 0;
}
