/*
 * keyring: the set of cluster keys, by id.
 *
 * Design. The ring is small and fixed (KEYRING_KEYS_MAX), so the key bytes
 * of all slots live in ONE sodium_malloc'd block allocated by keyring_new:
 * guarded pages and no swap-out for the secrets, one mapping per ring
 * (a simulator holds thousands of rings; one sodium_malloc per key would
 * triple the mapping count for nothing), and keyring_add never has to
 * allocate, so it cannot fail half-way. The ids, the count, the primary
 * index and the label are not secret and live in the ordinary struct.
 *
 * Slots are kept dense in insertion order: removing a key moves the later
 * slots down and zeroes the freed one, so no stale key byte survives in
 * an unused slot.
 *
 * Key ids are derived from the key (BLAKE2b-256, first 4 bytes, little
 * endian) so every node agrees on them without configuration. Two keys
 * with the same id cannot coexist: seal_open picks the key by id alone.
 *
 * keyring_parse works in two passes over the file: the first validates
 * every line and checks duplicates and limits without touching the ring,
 * the second (which cannot fail) copies the keys in. So a bad file adds
 * nothing.
 */
#include "crypto/keyring.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "rumor/error.h"

struct keyring {
	/** KEYRING_KEYS_MAX key slots in sodium_malloc'd memory; the first
	 *  `count` are in use, the rest are zero. */
	uint8_t (*keys)[KEYRING_KEY_SIZE];
	/** ids[i] is keyring_key_id(keys[i]). */
	uint32_t ids[KEYRING_KEYS_MAX];
	/** Slots in use. */
	size_t count;
	/** Index of the primary key; meaningful only when count > 0. */
	size_t primary;
	/** Cluster label bytes, NUL-terminated for convenience (the label
	 *  itself may contain NUL; label_len is authoritative). */
	char label[KEYRING_LABEL_MAX + 1];
	/** Bytes of label in use. */
	size_t label_len;
};

struct keyring *
keyring_new(void)
{
	struct keyring *kr = calloc(1, sizeof(*kr));
	if (kr == NULL)
		return NULL;
	size_t keys_size = (size_t)KEYRING_KEYS_MAX * KEYRING_KEY_SIZE;
	kr->keys = sodium_malloc(keys_size);
	if (kr->keys == NULL) {
		free(kr);
		return NULL;
	}
	/* sodium_malloc fills with a canary pattern; unused slots are zero. */
	sodium_memzero(kr->keys, keys_size);
	return kr;
}

void
keyring_delete(struct keyring *kr)
{
	if (kr == NULL)
		return;
	/* sodium_free zeroes too; doing it here keeps the rule visible. */
	sodium_memzero(kr->keys, (size_t)KEYRING_KEYS_MAX * KEYRING_KEY_SIZE);
	sodium_free(kr->keys);
	free(kr);
}

uint32_t
keyring_key_id(const uint8_t key[KEYRING_KEY_SIZE])
{
	uint8_t hash[crypto_generichash_BYTES];
	crypto_generichash(hash, sizeof(hash), key, KEYRING_KEY_SIZE, NULL, 0);
	return (uint32_t)hash[0] | (uint32_t)hash[1] << 8 |
	       (uint32_t)hash[2] << 16 | (uint32_t)hash[3] << 24;
}

/** Slot index of key_id, or -1. */
static int
keyring_slot(const struct keyring *kr, uint32_t key_id)
{
	for (size_t i = 0; i < kr->count; i++) {
		if (kr->ids[i] == key_id)
			return (int)i;
	}
	return -1;
}

int
keyring_add(struct keyring *kr, const uint8_t key[KEYRING_KEY_SIZE])
{
	uint32_t id = keyring_key_id(key);
	/* The same key, or (with odds 2^-32) another key with its id: both
	 * would make the id ambiguous for seal_open. */
	if (keyring_slot(kr, id) >= 0)
		return RUMOR_EEXIST;
	if (kr->count >= KEYRING_KEYS_MAX)
		return RUMOR_ELIMIT;
	memcpy(kr->keys[kr->count], key, KEYRING_KEY_SIZE);
	kr->ids[kr->count] = id;
	if (kr->count == 0)
		kr->primary = 0;
	kr->count++;
	return 0;
}

int
keyring_use(struct keyring *kr, uint32_t key_id)
{
	int slot = keyring_slot(kr, key_id);
	if (slot < 0)
		return RUMOR_ENOTFOUND;
	kr->primary = (size_t)slot;
	return 0;
}

int
keyring_remove(struct keyring *kr, uint32_t key_id)
{
	int found = keyring_slot(kr, key_id);
	if (found < 0)
		return RUMOR_ENOTFOUND;
	size_t slot = (size_t)found;
	/* Removing the primary would leave us unable to send: rotate first. */
	if (slot == kr->primary)
		return RUMOR_ESTATE;
	size_t tail = kr->count - slot - 1;
	memmove(kr->keys[slot], kr->keys[slot + 1], tail * KEYRING_KEY_SIZE);
	memmove(&kr->ids[slot], &kr->ids[slot + 1], tail * sizeof(kr->ids[0]));
	kr->count--;
	sodium_memzero(kr->keys[kr->count], KEYRING_KEY_SIZE);
	kr->ids[kr->count] = 0;
	if (kr->primary > slot)
		kr->primary--;
	return 0;
}

const uint8_t *
keyring_primary(const struct keyring *kr, uint32_t *key_id)
{
	if (kr->count == 0)
		return NULL;
	if (key_id != NULL)
		*key_id = kr->ids[kr->primary];
	return kr->keys[kr->primary];
}

const uint8_t *
keyring_find(const struct keyring *kr, uint32_t key_id)
{
	int slot = keyring_slot(kr, key_id);
	return slot < 0 ? NULL : kr->keys[slot];
}

size_t
keyring_count(const struct keyring *kr)
{
	return kr->count;
}

uint32_t
keyring_id_at(const struct keyring *kr, size_t i)
{
	assert(i < kr->count);
	return kr->ids[i];
}

int
keyring_set_label(struct keyring *kr, const char *label, size_t len)
{
	if (len > KEYRING_LABEL_MAX)
		return RUMOR_ETOOBIG;
	if (len > 0)
		memcpy(kr->label, label, len);
	kr->label[len] = '\0';
	kr->label_len = len;
	return 0;
}

const char *
keyring_label(const struct keyring *kr, size_t *len)
{
	if (len != NULL)
		*len = kr->label_len;
	return kr->label;
}

void
keyring_key_b64(char out[KEYRING_KEY_B64_LEN + 1],
		const uint8_t key[KEYRING_KEY_SIZE])
{
	sodium_bin2base64(out, KEYRING_KEY_B64_LEN + 1, key, KEYRING_KEY_SIZE,
			  sodium_base64_VARIANT_ORIGINAL);
}

/*
 * Key file parsing.
 */

/** One line of the file, without its '\n' and trailing whitespace. */
struct keyring_line {
	const char *text;
	size_t len;
	/** 1-based line number. */
	int number;
};

/** Cursor over the lines of a file. */
struct keyring_lines {
	const char *pos;
	const char *end;
	int number;
};

static bool
keyring_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/** Next line into *line; false at the end of the text. */
static bool
keyring_lines_next(struct keyring_lines *it, struct keyring_line *line)
{
	if (it->pos >= it->end)
		return false;
	const char *start = it->pos;
	const char *nl = memchr(start, '\n', (size_t)(it->end - start));
	const char *stop = nl != NULL ? nl : it->end;
	it->pos = nl != NULL ? nl + 1 : it->end;
	/* CRLF files and editors that leave trailing blanks are common. */
	while (stop > start && keyring_is_space(stop[-1]))
		stop--;
	line->text = start;
	line->len = (size_t)(stop - start);
	line->number = ++it->number;
	return true;
}

/** True if s[0, len) is made of whole base64 quanta of the standard
 *  alphabet, with at most two '=' at the very end. */
static bool
keyring_is_base64(const char *s, size_t len)
{
	if (len == 0 || len % 4 != 0)
		return false;
	size_t pad = 0;
	while (pad < 2 && s[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '+' || c == '/';
		if (!ok)
			return false;
	}
	return true;
}

/**
 * Decode one key line into key. Returns NULL, or the reason it is not a
 * key. The syntax check comes first so that the reason is precise: text
 * that is well-formed base64 of the wrong length is "key must be 32
 * bytes", anything else "not valid base64".
 */
static const char *
keyring_decode_line(uint8_t key[KEYRING_KEY_SIZE], const char *text,
		    size_t len)
{
	if (!keyring_is_base64(text, len))
		return "not valid base64";
	size_t bin_len = 0;
	int rc = sodium_base642bin(key, KEYRING_KEY_SIZE, text, len, NULL,
				   &bin_len, NULL,
				   sodium_base64_VARIANT_ORIGINAL);
	if (rc != 0) {
		sodium_memzero(key, KEYRING_KEY_SIZE);
		/* Longer text overflows the 32-byte buffer; at or below the
		 * right length a failure means non-canonical padding bits. */
		if (len > KEYRING_KEY_B64_LEN)
			return "key must be 32 bytes";
		return "not valid base64";
	}
	if (bin_len != KEYRING_KEY_SIZE) {
		sodium_memzero(key, KEYRING_KEY_SIZE);
		return "key must be 32 bytes";
	}
	return NULL;
}

static bool
keyring_line_is_key(const struct keyring_line *line)
{
	return line->len > 0 && line->text[0] != '#';
}

/**
 * First pass: validate every key line against the ring and the earlier
 * lines. Returns 0 and the number of keys, or an error with *line, *why.
 */
static RUMOR_MUST_CHECK int
keyring_parse_check(const struct keyring *kr, const char *text, size_t len,
		    size_t *key_count, int *line_no, const char **why)
{
	uint32_t ids[KEYRING_KEYS_MAX];
	size_t count = 0;
	struct keyring_lines it = { text, text + len, 0 };
	struct keyring_line line;
	while (keyring_lines_next(&it, &line)) {
		if (!keyring_line_is_key(&line))
			continue;
		*line_no = line.number;
		uint8_t key[KEYRING_KEY_SIZE];
		*why = keyring_decode_line(key, line.text, line.len);
		if (*why != NULL)
			return RUMOR_EMALFORMED;
		uint32_t id = keyring_key_id(key);
		sodium_memzero(key, sizeof(key));
		bool dup = keyring_slot(kr, id) >= 0;
		for (size_t i = 0; i < count && !dup; i++)
			dup = ids[i] == id;
		if (dup) {
			*why = "duplicate key";
			return RUMOR_EMALFORMED;
		}
		if (kr->count + count >= KEYRING_KEYS_MAX) {
			*why = "too many keys";
			return RUMOR_ELIMIT;
		}
		ids[count++] = id;
	}
	if (count == 0) {
		*line_no = 0;
		*why = "no key in file";
		return RUMOR_EMALFORMED;
	}
	*key_count = count;
	return 0;
}

int
keyring_parse(struct keyring *kr, const char *text, size_t len, int *line,
	      const char **why)
{
	int line_unused;
	const char *why_unused;
	if (line == NULL)
		line = &line_unused;
	if (why == NULL)
		why = &why_unused;
	*line = 0;
	*why = NULL;
	if (len > KEYRING_FILE_MAX) {
		*why = "key file too big";
		return RUMOR_ETOOBIG;
	}
	/* An empty file may come as (NULL, 0); NULL + 0 is undefined in C. */
	if (len == 0)
		text = "";
	size_t count = 0;
	int rc = keyring_parse_check(kr, text, len, &count, line, why);
	if (rc != 0)
		return rc;
	/* Second pass: every line is known good and there is room, so the
	 * adds below cannot fail. */
	size_t first = kr->count;
	struct keyring_lines it = { text, text + len, 0 };
	struct keyring_line ln;
	while (keyring_lines_next(&it, &ln)) {
		if (!keyring_line_is_key(&ln))
			continue;
		uint8_t *slot = kr->keys[kr->count];
		const char *fail = keyring_decode_line(slot, ln.text, ln.len);
		assert(fail == NULL);
		(void)fail;
		kr->ids[kr->count] = keyring_key_id(slot);
		kr->count++;
	}
	assert(kr->count == first + count);
	/* The file's first key is the one to send with, even when the ring
	 * already held keys. */
	kr->primary = first;
	*line = 0;
	*why = NULL;
	return 0;
}
