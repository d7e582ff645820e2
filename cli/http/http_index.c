/*
 * http_index: blocking query indexes (see http_index.h).
 */
#include "http_index.h"

void
http_index_init(struct http_index *t)
{
	for (size_t i = 0; i < HTTP_INDEX_SLOTS; i++)
		t->slots[i] = (struct http_index_slot){.key = 0};
}

uint64_t
http_hash(const void *data, size_t size)
{
	const unsigned char *p = data;
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < size; i++)
		h = (h ^ p[i]) * 1099511628211ull;
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
