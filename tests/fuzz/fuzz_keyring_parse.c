/*
 * Fuzz target: keyring_parse on untrusted key-file bytes. Each input gets
 * a fresh ring already holding one fixed key (bytes 0..31), so duplicate
 * and limit paths are reachable. Besides "no crash", it checks the
 * contract: an error adds nothing, leaves the primary alone and gives a
 * reason; a success adds keys, makes the file's first key primary and
 * every added key prints back as base64 of itself.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keyring.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check_added(const struct keyring *kr)
{
	size_t count = keyring_count(kr);
	uint32_t primary_id = 0;
	if (count < 2 || count > KEYRING_KEYS_MAX ||
	    keyring_primary(kr, &primary_id) == NULL ||
	    primary_id != keyring_id_at(kr, 1))
		abort();
	for (size_t i = 0; i < count; i++) {
		uint32_t id = keyring_id_at(kr, i);
		const uint8_t *key = keyring_find(kr, id);
		if (key == NULL || keyring_key_id(key) != id)
			abort();
		for (size_t j = i + 1; j < count; j++) {
			if (keyring_id_at(kr, j) == id)
				abort();
		}
		char b64[KEYRING_KEY_B64_LEN + 1];
		keyring_key_b64(b64, key);
		if (strlen(b64) != KEYRING_KEY_B64_LEN)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int sodium_ready;
	if (!sodium_ready) {
		if (sodium_init() < 0)
			abort();
		sodium_ready = 1;
	}
	struct keyring *kr = keyring_new();
	uint8_t key[KEYRING_KEY_SIZE];
	for (int i = 0; i < KEYRING_KEY_SIZE; i++)
		key[i] = (uint8_t)i;
	if (kr == NULL || keyring_add(kr, key) != 0)
		abort();
	uint32_t first_id = keyring_key_id(key);

	/* Copy to an exact-size buffer: the parser must not read past len
	 * nor rely on a terminating NUL. */
	char *text = malloc(size ? size : 1);
	if (text == NULL)
		abort();
	if (size > 0)
		memcpy(text, data, size);
	int line = -1;
	const char *why = NULL;
	int rc = keyring_parse(kr, text, size, &line, &why);
	if (rc != 0) {
		uint32_t id = 0;
		if (why == NULL || line < 0 || keyring_count(kr) != 1 ||
		    keyring_primary(kr, &id) == NULL || id != first_id)
			abort();
	} else {
		if (why != NULL || line != 0)
			abort();
		fuzz_check_added(kr);
	}
	free(text);
	keyring_delete(kr);
	return 0;
}
