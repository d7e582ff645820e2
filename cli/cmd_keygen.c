/*
 * rumor keygen: one new 32-byte key in base64 and a newline, the format
 * --key-file reads. Redirect it into a file and give every agent a copy.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"
#include "crypto/keyring.h"

static const char keygen_usage[] =
	"usage: rumor keygen > cluster.key\n"
	"  Print a new random 32-byte cluster key in base64 (one line).\n"
	"  A key file holds one key per line: the first seals what the\n"
	"  agent sends, every key opens what it receives (for rotation).\n";

int
cmd_keygen(struct args *a)
{
	const char *flag, *value;
	static const char *const none[] = {NULL};
	int rc;
	while ((rc = args_next(a, &flag, &value, none, none)) == 1) {
		if (strcmp(flag, "--help") != 0)
			return args_unknown(a, flag), ARGS_EXIT_USAGE;
		fputs(keygen_usage, stdout);
		return 0;
	}
	if (rc < 0)
		return ARGS_EXIT_USAGE;
	uint8_t key[KEYRING_KEY_SIZE];
	char text[KEYRING_KEY_B64_LEN + 1];
	randombytes_buf(key, sizeof(key));
	keyring_key_b64(text, key);
	sodium_memzero(key, sizeof(key));
	int ok = puts(text) >= 0 && fflush(stdout) == 0;
	sodium_memzero(text, sizeof(text));
	if (!ok) {
		fprintf(stderr, "rumor: keygen: cannot write the key\n");
		return 1;
	}
	return 0;
}
