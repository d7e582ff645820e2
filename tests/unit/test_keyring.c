/*
 * Tests of crypto/keyring: key ids, rotation (add/use/remove), limits, the
 * label, and the key file parser with every reason it rejects a file.
 */
#include <sodium.h>
#include <stdlib.h>

#include "crypto/keyring.h"
#include "rumor/error.h"
#include "test.h"

/** Key bytes 0..31, the known-answer key of this file and test_seal.c. */
static void
key_counting(uint8_t key[KEYRING_KEY_SIZE])
{
	for (int i = 0; i < KEYRING_KEY_SIZE; i++)
		key[i] = (uint8_t)i;
}

/** A distinct key per n: every byte n, except the last, which is ~n. */
static void
key_filled(uint8_t key[KEYRING_KEY_SIZE], int n)
{
	memset(key, n, KEYRING_KEY_SIZE);
	key[KEYRING_KEY_SIZE - 1] = (uint8_t)~n;
}

/* base64 of key_counting(). */
#define KEY_COUNTING_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
/* base64 of 32 bytes of 0x01 and of 0x02. */
#define KEY_ONES_B64 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define KEY_TWOS_B64 "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="

static void
test_key_id_is_the_little_endian_blake2b_prefix(void)
{
	uint8_t key[KEYRING_KEY_SIZE];
	key_counting(key);
	/* BLAKE2b-256(00 01 .. 1f) starts cb 2f 51 60; cross-checked with
	 * Python's hashlib.blake2b(digest_size=32). Pinned: it is on the
	 * wire, so changing it splits clusters. */
	ASSERT_EQ(keyring_key_id(key), 0x60512fcbu);
	ASSERT_EQ(keyring_key_id(key), keyring_key_id(key));
	key[31] ^= 1;
	ASSERT_NE(keyring_key_id(key), 0x60512fcbu);
}

static void
test_new_ring_is_empty(void)
{
	struct keyring *kr = keyring_new();
	ASSERT_NOT_NULL(kr);
	uint32_t id = 7;
	ASSERT_EQ(keyring_count(kr), 0);
	ASSERT_NULL(keyring_primary(kr, &id));
	ASSERT_EQ(id, 7);
	ASSERT_NULL(keyring_find(kr, 0));
	size_t len = 99;
	ASSERT_STR_EQ(keyring_label(kr, &len), "");
	ASSERT_EQ(len, 0);
	keyring_delete(kr);
	keyring_delete(NULL);
}

static void
test_first_key_added_becomes_primary(void)
{
	struct keyring *kr = keyring_new();
	uint8_t a[KEYRING_KEY_SIZE], b[KEYRING_KEY_SIZE];
	key_filled(a, 1);
	key_filled(b, 2);
	ASSERT_OK(keyring_add(kr, a));
	ASSERT_OK(keyring_add(kr, b));
	uint32_t id = 0;
	const uint8_t *primary = keyring_primary(kr, &id);
	ASSERT_NOT_NULL(primary);
	ASSERT_MEM_EQ(primary, a, KEYRING_KEY_SIZE);
	ASSERT_EQ(id, keyring_key_id(a));
	ASSERT_EQ(keyring_count(kr), 2);
	ASSERT_EQ(keyring_id_at(kr, 0), keyring_key_id(a));
	ASSERT_EQ(keyring_id_at(kr, 1), keyring_key_id(b));
	const uint8_t *found = keyring_find(kr, keyring_key_id(b));
	ASSERT_NOT_NULL(found);
	ASSERT_MEM_EQ(found, b, KEYRING_KEY_SIZE);
	keyring_delete(kr);
}

static void
test_add_copies_the_key(void)
{
	struct keyring *kr = keyring_new();
	uint8_t a[KEYRING_KEY_SIZE], copy[KEYRING_KEY_SIZE];
	key_filled(a, 3);
	memcpy(copy, a, sizeof(a));
	ASSERT_OK(keyring_add(kr, a));
	memset(a, 0, sizeof(a));
	ASSERT_MEM_EQ(keyring_primary(kr, NULL), copy, KEYRING_KEY_SIZE);
	keyring_delete(kr);
}

static void
test_adding_the_same_key_twice_is_rejected(void)
{
	struct keyring *kr = keyring_new();
	uint8_t a[KEYRING_KEY_SIZE];
	key_filled(a, 1);
	ASSERT_OK(keyring_add(kr, a));
	ASSERT_EQ(keyring_add(kr, a), RUMOR_EEXIST);
	ASSERT_EQ(keyring_count(kr), 1);
	keyring_delete(kr);
}

static void
test_ring_holds_at_most_keys_max_keys(void)
{
	struct keyring *kr = keyring_new();
	uint8_t key[KEYRING_KEY_SIZE];
	for (int i = 0; i < KEYRING_KEYS_MAX; i++) {
		key_filled(key, i);
		ASSERT_OK(keyring_add(kr, key));
	}
	key_filled(key, KEYRING_KEYS_MAX);
	ASSERT_EQ(keyring_add(kr, key), RUMOR_ELIMIT);
	ASSERT_EQ(keyring_count(kr), KEYRING_KEYS_MAX);
	ASSERT_NULL(keyring_find(kr, keyring_key_id(key)));
	/* Room again after a removal. */
	uint8_t first[KEYRING_KEY_SIZE];
	key_filled(first, 1);
	ASSERT_OK(keyring_remove(kr, keyring_key_id(first)));
	ASSERT_OK(keyring_add(kr, key));
	keyring_delete(kr);
}

static void
test_use_switches_the_primary_key(void)
{
	struct keyring *kr = keyring_new();
	uint8_t a[KEYRING_KEY_SIZE], b[KEYRING_KEY_SIZE];
	key_filled(a, 1);
	key_filled(b, 2);
	ASSERT_OK(keyring_add(kr, a));
	ASSERT_OK(keyring_add(kr, b));
	ASSERT_OK(keyring_use(kr, keyring_key_id(b)));
	uint32_t id = 0;
	ASSERT_MEM_EQ(keyring_primary(kr, &id), b, KEYRING_KEY_SIZE);
	ASSERT_EQ(id, keyring_key_id(b));
	ASSERT_EQ(keyring_use(kr, 0x12345678), RUMOR_ENOTFOUND);
	ASSERT_EQ(keyring_primary(kr, &id) != NULL, 1);
	ASSERT_EQ(id, keyring_key_id(b));
	keyring_delete(kr);
}

static void
test_primary_key_cannot_be_removed(void)
{
	struct keyring *kr = keyring_new();
	uint8_t a[KEYRING_KEY_SIZE];
	key_filled(a, 1);
	ASSERT_OK(keyring_add(kr, a));
	ASSERT_EQ(keyring_remove(kr, keyring_key_id(a)), RUMOR_ESTATE);
	ASSERT_EQ(keyring_count(kr), 1);
	ASSERT_EQ(keyring_remove(kr, 0x12345678), RUMOR_ENOTFOUND);
	keyring_delete(kr);
}

static void
test_remove_drops_one_key_and_keeps_the_primary(void)
{
	struct keyring *kr = keyring_new();
	uint8_t k[3][KEYRING_KEY_SIZE];
	for (int i = 0; i < 3; i++) {
		key_filled(k[i], 10 + i);
		ASSERT_OK(keyring_add(kr, k[i]));
	}
	/* Primary after the removed slot: its index shifts down. */
	ASSERT_OK(keyring_use(kr, keyring_key_id(k[2])));
	ASSERT_OK(keyring_remove(kr, keyring_key_id(k[0])));
	ASSERT_EQ(keyring_count(kr), 2);
	ASSERT_NULL(keyring_find(kr, keyring_key_id(k[0])));
	ASSERT_MEM_EQ(keyring_find(kr, keyring_key_id(k[1])), k[1],
		      KEYRING_KEY_SIZE);
	uint32_t id = 0;
	ASSERT_MEM_EQ(keyring_primary(kr, &id), k[2], KEYRING_KEY_SIZE);
	ASSERT_EQ(id, keyring_key_id(k[2]));
	ASSERT_EQ(keyring_id_at(kr, 0), keyring_key_id(k[1]));
	ASSERT_EQ(keyring_id_at(kr, 1), keyring_key_id(k[2]));
	/* Primary before the removed slot: unchanged. */
	ASSERT_OK(keyring_use(kr, keyring_key_id(k[1])));
	ASSERT_OK(keyring_remove(kr, keyring_key_id(k[2])));
	ASSERT_MEM_EQ(keyring_primary(kr, &id), k[1], KEYRING_KEY_SIZE);
	ASSERT_EQ(keyring_count(kr), 1);
	keyring_delete(kr);
}

static void
test_label_is_copied_and_bounded(void)
{
	struct keyring *kr = keyring_new();
	char label[KEYRING_LABEL_MAX + 1];
	memset(label, 'x', sizeof(label));
	ASSERT_EQ(keyring_set_label(kr, label, KEYRING_LABEL_MAX + 1),
		  RUMOR_ETOOBIG);
	size_t len = 0;
	ASSERT_STR_EQ(keyring_label(kr, &len), "");
	ASSERT_OK(keyring_set_label(kr, label, KEYRING_LABEL_MAX));
	memset(label, 'y', sizeof(label));
	const char *got = keyring_label(kr, &len);
	ASSERT_EQ(len, KEYRING_LABEL_MAX);
	ASSERT_EQ(got[0], 'x');
	ASSERT_EQ(got[KEYRING_LABEL_MAX - 1], 'x');
	ASSERT_OK(keyring_set_label(kr, "prod", 4));
	ASSERT_STR_EQ(keyring_label(kr, &len), "prod");
	ASSERT_EQ(len, 4);
	ASSERT_OK(keyring_set_label(kr, NULL, 0));
	ASSERT_STR_EQ(keyring_label(kr, &len), "");
	keyring_delete(kr);
}

static void
test_key_b64_is_standard_padded_base64(void)
{
	uint8_t key[KEYRING_KEY_SIZE];
	key_counting(key);
	char b64[KEYRING_KEY_B64_LEN + 1];
	keyring_key_b64(b64, key);
	ASSERT_STR_EQ(b64, KEY_COUNTING_B64);
	ASSERT_EQ(strlen(b64), KEYRING_KEY_B64_LEN);
}

static int
parse_str(struct keyring *kr, const char *text, int *line, const char **why)
{
	return keyring_parse(kr, text, strlen(text), line, why);
}

static void
test_parse_skips_comments_blanks_and_crlf(void)
{
	struct keyring *kr = keyring_new();
	const char *text = "# cluster keys\r\n"
			   "\r\n"
			   KEY_COUNTING_B64 "  \t\r\n"
			   "   \n"
			   "#" KEY_TWOS_B64 "\n"
			   KEY_ONES_B64; /* no final newline */
	int line = -1;
	const char *why = "unset";
	ASSERT_OK(parse_str(kr, text, &line, &why));
	ASSERT_EQ(line, 0);
	ASSERT_NULL(why);
	ASSERT_EQ(keyring_count(kr), 2);
	uint8_t key[KEYRING_KEY_SIZE];
	key_counting(key);
	uint32_t id = 0;
	ASSERT_MEM_EQ(keyring_primary(kr, &id), key, KEYRING_KEY_SIZE);
	ASSERT_EQ(id, 0x60512fcbu);
	uint8_t ones[KEYRING_KEY_SIZE];
	memset(ones, 1, sizeof(ones));
	ASSERT_EQ(keyring_id_at(kr, 1), keyring_key_id(ones));
	uint8_t twos[KEYRING_KEY_SIZE];
	memset(twos, 2, sizeof(twos));
	ASSERT_NULL(keyring_find(kr, keyring_key_id(twos)));
	keyring_delete(kr);
}

static void
test_parse_of_key_b64_output_gives_the_same_keys(void)
{
	struct keyring *kr = keyring_new();
	char text[8 * (KEYRING_KEY_B64_LEN + 1) + 1] = "";
	uint8_t keys[8][KEYRING_KEY_SIZE];
	for (int i = 0; i < 8; i++) {
		char b64[KEYRING_KEY_B64_LEN + 1];
		key_filled(keys[i], 100 + i);
		keyring_key_b64(b64, keys[i]);
		strcat(text, b64);
		strcat(text, "\n");
	}
	ASSERT_OK(parse_str(kr, text, NULL, NULL));
	ASSERT_EQ(keyring_count(kr), 8);
	for (int i = 0; i < 8; i++) {
		const uint8_t *k = keyring_find(kr, keyring_key_id(keys[i]));
		ASSERT_NOT_NULL(k);
		ASSERT_MEM_EQ(k, keys[i], KEYRING_KEY_SIZE);
	}
	keyring_delete(kr);
}

static void
test_parse_into_a_used_ring_makes_the_file_key_primary(void)
{
	struct keyring *kr = keyring_new();
	uint8_t old[KEYRING_KEY_SIZE];
	key_filled(old, 9);
	ASSERT_OK(keyring_add(kr, old));
	ASSERT_OK(parse_str(kr, KEY_ONES_B64 "\n" KEY_TWOS_B64 "\n", NULL,
			    NULL));
	ASSERT_EQ(keyring_count(kr), 3);
	uint8_t ones[KEYRING_KEY_SIZE];
	memset(ones, 1, sizeof(ones));
	uint32_t id = 0;
	ASSERT_NOT_NULL(keyring_primary(kr, &id));
	ASSERT_EQ(id, keyring_key_id(ones));
	ASSERT_NOT_NULL(keyring_find(kr, keyring_key_id(old)));
	keyring_delete(kr);
}

struct bad_file {
	const char *text;
	size_t len; /* 0: strlen(text) */
	int rc;
	int line;
	const char *why;
};

static const struct bad_file bad_files[] = {
	{ "not base64!\n", 0, RUMOR_EMALFORMED, 1, "not valid base64" },
	{ "# keys\n\nAAEC\n", 0, RUMOR_EMALFORMED, 3, "key must be 32 bytes" },
	/* 36 bytes: well-formed base64, too long. */
	{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIj\n", 0,
	  RUMOR_EMALFORMED, 1, "key must be 32 bytes" },
	/* 44 characters with "==": 31 bytes. */
	{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n", 0,
	  RUMOR_EMALFORMED, 1, "key must be 32 bytes" },
	/* Unpadded. */
	{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", 0,
	  RUMOR_EMALFORMED, 1, "not valid base64" },
	/* Non-zero padding bits ('9' instead of '8'): not canonical. */
	{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n", 0,
	  RUMOR_EMALFORMED, 1, "not valid base64" },
	/* URL-safe alphabet is not the standard one. */
	{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd-_8=\n", 0,
	  RUMOR_EMALFORMED, 1, "not valid base64" },
	/* Leading blanks are not skipped (only trailing ones). */
	{ " " KEY_ONES_B64 "\n", 0, RUMOR_EMALFORMED, 1, "not valid base64" },
	{ KEY_ONES_B64 "\n" KEY_ONES_B64 " x\n", 0, RUMOR_EMALFORMED, 2,
	  "not valid base64" },
	{ KEY_ONES_B64 "\n#\n" KEY_TWOS_B64 "\n" KEY_ONES_B64 "\r\n", 0,
	  RUMOR_EMALFORMED, 4, "duplicate key" },
	/* Duplicate of the key every test ring already holds. */
	{ KEY_TWOS_B64 "\n" KEY_COUNTING_B64 "\n", 0, RUMOR_EMALFORMED, 2,
	  "duplicate key" },
	{ "", 0, RUMOR_EMALFORMED, 0, "no key in file" },
	{ "# nothing here\n\n  \r\n", 0, RUMOR_EMALFORMED, 0,
	  "no key in file" },
	/* Non-zero padding bits in a 31-byte text: not canonical. */
	{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh==\n", 0,
	  RUMOR_EMALFORMED, 1, "not valid base64" },
	/* A NUL inside a key line. */
	{ "AQEBAQEBAQEBAQEBAQEB\0QEBAQEBAQEBAQEBAQEBAQE=\n", 45,
	  RUMOR_EMALFORMED, 1, "not valid base64" },
};

static void
test_parse_rejects_each_bad_file_with_line_and_reason(void)
{
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		const struct bad_file *bf = &bad_files[i];
		struct keyring *kr = keyring_new();
		uint8_t pre[KEYRING_KEY_SIZE];
		key_counting(pre);
		ASSERT_OK(keyring_add(kr, pre));
		int line = -1;
		const char *why = NULL;
		size_t len = bf->len ? bf->len : strlen(bf->text);
		int rc = keyring_parse(kr, bf->text, len, &line, &why);
		if (rc != bf->rc || line != bf->line || why == NULL ||
		    strcmp(why, bf->why) != 0)
			fprintf(stderr, "  bad_files[%zu]: %d line %d \"%s\"\n",
				i, rc, line, why ? why : "(null)");
		ASSERT_EQ(rc, bf->rc);
		ASSERT_EQ(line, bf->line);
		ASSERT_STR_EQ(why, bf->why);
		/* Nothing added, primary untouched. */
		ASSERT_EQ(keyring_count(kr), 1);
		uint32_t id = 0;
		ASSERT_NOT_NULL(keyring_primary(kr, &id));
		ASSERT_EQ(id, 0x60512fcbu);
		keyring_delete(kr);
	}
}

static void
test_parse_rejects_more_keys_than_the_ring_holds(void)
{
	struct keyring *kr = keyring_new();
	char text[(KEYRING_KEYS_MAX + 1) * (KEYRING_KEY_B64_LEN + 1) + 1];
	text[0] = '\0';
	for (int i = 0; i <= KEYRING_KEYS_MAX; i++) {
		uint8_t key[KEYRING_KEY_SIZE];
		char b64[KEYRING_KEY_B64_LEN + 1];
		key_filled(key, 50 + i);
		keyring_key_b64(b64, key);
		strcat(text, b64);
		strcat(text, "\n");
	}
	int line = 0;
	const char *why = NULL;
	ASSERT_EQ(parse_str(kr, text, &line, &why), RUMOR_ELIMIT);
	ASSERT_EQ(line, KEYRING_KEYS_MAX + 1);
	ASSERT_STR_EQ(why, "too many keys");
	ASSERT_EQ(keyring_count(kr), 0);
	/* Exactly KEYRING_KEYS_MAX fit an empty ring... */
	size_t max_len = (size_t)KEYRING_KEYS_MAX * (KEYRING_KEY_B64_LEN + 1);
	ASSERT_OK(keyring_parse(kr, text, max_len, &line, &why));
	ASSERT_EQ(keyring_count(kr), KEYRING_KEYS_MAX);
	keyring_delete(kr);
	/* ...but not a ring that already holds one. */
	kr = keyring_new();
	uint8_t pre[KEYRING_KEY_SIZE];
	key_counting(pre);
	ASSERT_OK(keyring_add(kr, pre));
	ASSERT_EQ(keyring_parse(kr, text, max_len, &line, &why), RUMOR_ELIMIT);
	ASSERT_EQ(line, KEYRING_KEYS_MAX);
	ASSERT_EQ(keyring_count(kr), 1);
	keyring_delete(kr);
}

static void
test_parse_rejects_a_file_over_the_size_limit(void)
{
	struct keyring *kr = keyring_new();
	/* Valid content padded with comment lines past the limit. */
	size_t len = KEYRING_FILE_MAX + 1;
	char *text = malloc(len);
	ASSERT_NOT_NULL(text);
	memset(text, '#', len);
	memcpy(text, KEY_ONES_B64 "\n", KEYRING_KEY_B64_LEN + 1);
	int line = -1;
	const char *why = NULL;
	int rc = keyring_parse(kr, text, len, &line, &why);
	int rc_max = keyring_parse(kr, text, len - 1, NULL, NULL);
	free(text);
	ASSERT_EQ(rc, RUMOR_ETOOBIG);
	ASSERT_EQ(line, 0);
	ASSERT_STR_EQ(why, "key file too big");
	/* One byte less is accepted. */
	ASSERT_OK(rc_max);
	ASSERT_EQ(keyring_count(kr), 1);
	keyring_delete(kr);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_key_id_is_the_little_endian_blake2b_prefix);
	RUN(test_new_ring_is_empty);
	RUN(test_first_key_added_becomes_primary);
	RUN(test_add_copies_the_key);
	RUN(test_adding_the_same_key_twice_is_rejected);
	RUN(test_ring_holds_at_most_keys_max_keys);
	RUN(test_use_switches_the_primary_key);
	RUN(test_primary_key_cannot_be_removed);
	RUN(test_remove_drops_one_key_and_keeps_the_primary);
	RUN(test_label_is_copied_and_bounded);
	RUN(test_key_b64_is_standard_padded_base64);
	RUN(test_parse_skips_comments_blanks_and_crlf);
	RUN(test_parse_of_key_b64_output_gives_the_same_keys);
	RUN(test_parse_into_a_used_ring_makes_the_file_key_primary);
	RUN(test_parse_rejects_each_bad_file_with_line_and_reason);
	RUN(test_parse_rejects_more_keys_than_the_ring_holds);
	RUN(test_parse_rejects_a_file_over_the_size_limit);
	return TEST_SUMMARY();
}
