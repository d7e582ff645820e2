/*
 * Fuzz target: seal_open on untrusted bytes, as both kinds, and
 * seal_plain_unwrap. The ring holds one fixed key (bytes 0..31) and the
 * label "fuzz", so the corpus can carry frames that really open and the
 * fuzzer explores past the tag check's early exits. Besides "no crash",
 * it checks the contract: on error *out_size is 0 and out is zeroed, and
 * a frame that opens is sealed again and reopened to the same bytes.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keyring.h"
#include "crypto/seal.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct keyring *
fuzz_ring(void)
{
	/* Test code: built once and kept, so each input costs no mmap. */
	static struct keyring *kr;
	if (kr != NULL)
		return kr;
	if (sodium_init() < 0)
		abort();
	kr = keyring_new();
	uint8_t key[KEYRING_KEY_SIZE];
	for (int i = 0; i < KEYRING_KEY_SIZE; i++)
		key[i] = (uint8_t)i;
	if (kr == NULL || keyring_add(kr, key) != 0 ||
	    keyring_set_label(kr, "fuzz", 4) != 0)
		abort();
	return kr;
}

static void
fuzz_open_kind(const uint8_t *data, size_t size, enum seal_kind kind,
	       const struct keyring *kr)
{
	/* Exactly the documented room, heap-allocated so ASan sees every
	 * byte written past it. */
	size_t cap = size >= SEAL_OVERHEAD ? size - SEAL_OVERHEAD : 0;
	uint8_t *out = malloc(cap + 1);
	if (out == NULL)
		abort();
	memset(out, 0xee, cap + 1);
	size_t out_size = 99;
	int rc = seal_open(out, cap, &out_size, data, size, kind, kr);
	if (rc != 0) {
		if (out_size != 0)
			abort();
		for (size_t i = 0; i < cap; i++) {
			if (out[i] != 0)
				abort();
		}
		free(out);
		return;
	}
	if (out_size != cap || data[0] != (uint8_t)kind)
		abort();
	/* One byte short must fail cleanly (no-space), not overflow. */
	if (cap > 0) {
		uint8_t *small = malloc(cap);
		size_t small_size = 99;
		if (small == NULL ||
		    seal_open(small, cap - 1, &small_size, data, size, kind,
			      kr) == 0 ||
		    small_size != 0)
			abort();
		free(small);
	}
	/* Round trip what opened. */
	uint8_t *again = malloc(cap + SEAL_OVERHEAD);
	uint8_t *back = malloc(cap + 1);
	size_t again_size = 0, back_size = 0;
	struct seal_nonce gen;
	uint8_t prefix[16] = { 0 };
	seal_nonce_init(&gen, prefix);
	if (again == NULL || back == NULL ||
	    seal_close(again, cap + SEAL_OVERHEAD, &again_size, out, cap,
		       kind, &gen, kr) != 0 ||
	    seal_open(back, cap, &back_size, again, again_size, kind,
		      kr) != 0 ||
	    back_size != cap || memcmp(back, out, cap) != 0)
		abort();
	free(again);
	free(back);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct keyring *kr = fuzz_ring();
	fuzz_open_kind(data, size, SEAL_KIND_DATAGRAM, kr);
	fuzz_open_kind(data, size, SEAL_KIND_STREAM, kr);
	size_t plain_size = 99;
	const uint8_t *plain = seal_plain_unwrap(data, size, &plain_size);
	if (plain != NULL && (plain != data + 1 || plain_size + 1 != size))
		abort();
	if (plain == NULL && plain_size != 0)
		abort();
	return 0;
}
