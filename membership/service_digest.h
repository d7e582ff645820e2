/*
 * service_digest: the digest that names a large set (service.h, "stub").
 * Apart from service.c because it needs libsodium, which the socket
 * protocol and the client library, linking the record codec, must not.
 */
#ifndef RUMOR_SERVICE_DIGEST_H
#define RUMOR_SERVICE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "service.h"

/** The digest of the encoded set set[0, size), the one its stub carries
 *  (BLAKE2b of SERVICE_SET_DIGEST_SIZE bytes, unkeyed). */
void
service_digest(uint8_t digest[SERVICE_SET_DIGEST_SIZE], const uint8_t *set,
	       size_t size);

#endif /* RUMOR_SERVICE_DIGEST_H */
