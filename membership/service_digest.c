/*
 * service_digest: BLAKE2b (libsodium's generichash) over a set's encoded
 * bytes. A digest only has to tell one set from another among the sets a
 * member announced, and to be the same on every node, so the output is
 * short and the hash is unkeyed.
 */
#include <sodium.h>

#include "service_digest.h"

void
service_digest(uint8_t digest[SERVICE_SET_DIGEST_SIZE], const uint8_t *set,
	       size_t size)
{
	crypto_generichash(digest, SERVICE_SET_DIGEST_SIZE, set, size, NULL,
			   0);
}
