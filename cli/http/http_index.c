/*
 * http_index: blocking query indexes (see http_index.h).
 */
#include <string.h>

#include "http_index.h"

void
http_index_init(struct http_index *t)
{
	for (size_t i = 0; i < HTTP_INDEX_SLOTS; i++)
		t->slots[i] = (struct http_index_slot){.key = 0};
}

static uint64_t
rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* MurmurHash3's 64-bit finalizer: every input bit moves every output
 * bit. */
static uint64_t
fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* Eight bytes at a time, MurmurHash3's x64 mixing on one lane: an
 * answer of a few KiB hashes in a few hundred nanoseconds. */
uint64_t
http_hash(const void *data, size_t size)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ size;
	for (; size >= 8; p += 8, size -= 8) {
		uint64_t k;
		memcpy(&k, p, 8);
		k = rotl(k * 0x87c37b91114253d5ull, 31) * 0x4cf5ad432745937full;
		h = rotl(h ^ k, 27) * 5 + 0x52dce729;
	}
	uint64_t tail = 0;
	for (size_t i = 0; i < size; i++)
		tail |= (uint64_t)p[i] << (8 * i);
	h ^= rotl(tail * 0x87c37b91114253d5ull, 31) * 0x4cf5ad432745937full;
	h = fmix(h);
	return h != 0 ? h : 1;
}

uint64_t
http_index_update(struct http_index *t, uint64_t key, uint64_t content,
		  uint64_t generation)
{
	struct http_index_slot *s = &t->slots[key % HTTP_INDEX_SLOTS];
	if (s->key != key || s->content != content)
		*s = (struct http_index_slot){.key = key, .content = content,
					      .since = generation};
	s->checked = generation;
	return s->since;
}

bool
http_index_known(const struct http_index *t, uint64_t key,
		 uint64_t generation, uint64_t *index)
{
	const struct http_index_slot *s = &t->slots[key % HTTP_INDEX_SLOTS];
	if (s->key != key || s->checked != generation)
		return false;
	*index = s->since;
	return true;
}
