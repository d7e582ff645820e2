/*
 * node_tags: the tags' limits and wire form (node_tags.h). The encoder
 * writes msgpack by hand into a caller's buffer (no allocation: the
 * limits bound it); the decoder reads a member's metadata through the
 * bounded scanner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_tags.h"
#include "rumor/error.h"
#include "swim/mpscan.h"

/* Bytes of a str's framing, and of the map's. */
static size_t
str_head(size_t len)
{
	return len < 32 ? 1 : 2;
}

static size_t
map_head(size_t count)
{
	return count < 16 ? 1 : 3;
}

static bool
key_valid(const char *s, size_t len)
{
	if (len == 0 || len > NODE_TAG_KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || c == '=')
			return false;
	}
	return true;
}

static bool
value_valid(const char *s, size_t len)
{
	if (len > NODE_TAG_VALUE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < ' ' || c == 0x7f)
			return false;
	}
	return true;
}

int
node_tags_check(const struct service_kv *tags, size_t count, size_t *size,
		char *why_buf, size_t why_size)
{
	if (count > NODE_TAGS_MAX) {
		snprintf(why_buf, why_size, "%zu tags: at most %d per node",
			 count, NODE_TAGS_MAX);
		return RUMOR_ETOOBIG;
	}
	size_t total = map_head(count);
	for (size_t i = 0; i < count; i++) {
		const char *k = tags[i].key, *v = tags[i].value;
		size_t klen = strlen(k), vlen = strlen(v);
		if (!key_valid(k, klen)) {
			snprintf(why_buf, why_size, "tag key \"%.64s\": want "
				 "1-%d bytes, no spaces, '=' or control "
				 "characters", k, NODE_TAG_KEY_MAX);
			return RUMOR_EINVAL;
		}
		if (!value_valid(v, vlen)) {
			snprintf(why_buf, why_size, "tag %.64s: a value has "
				 "at most %d bytes and no control characters",
				 k, NODE_TAG_VALUE_MAX);
			return RUMOR_EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(tags[j].key, k) == 0) {
				snprintf(why_buf, why_size, "tag %.64s given "
					 "twice", k);
				return RUMOR_EINVAL;
			}
		}
		total += str_head(klen) + klen + str_head(vlen) + vlen;
	}
	if (total > NODE_TAGS_SIZE_MAX) {
		snprintf(why_buf, why_size, "tags take %zu bytes encoded, over "
			 "the limit of %d (each key and value counts, plus 2-4 "
			 "bytes per tag)", total, NODE_TAGS_SIZE_MAX);
		return RUMOR_ETOOBIG;
	}
	*size = total;
	return 0;
}

static uint8_t *
put_str(uint8_t *p, const char *s)
{
	size_t len = strlen(s);
	if (len < 32) {
		*p++ = (uint8_t)(0xa0 | len);
	} else {
		*p++ = 0xd9;
		*p++ = (uint8_t)len;
	}
	memcpy(p, s, len);
	return p + len;
}

/* Indices of tags in key order (count <= NODE_TAGS_MAX). */
static void
sort_order(const struct service_kv *tags, size_t count, size_t *order)
{
	for (size_t i = 0; i < count; i++) {
		size_t j = i;
		for (; j > 0 && strcmp(tags[order[j - 1]].key, tags[i].key) > 0;
		     j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
}

int
node_tags_encode(const struct service_kv *tags, size_t count, uint8_t *out,
		 size_t cap, size_t *size)
{
	size_t need;
	char why[160];
	if (node_tags_check(tags, count, &need, why, sizeof(why)) != 0 ||
	    need > cap)
		return RUMOR_ETOOBIG;
	size_t order[NODE_TAGS_MAX];
	sort_order(tags, count, order);
	uint8_t *p = out;
	if (count < 16) {
		*p++ = (uint8_t)(0x80 | count);
	} else {
		*p++ = 0xde;
		*p++ = (uint8_t)(count >> 8);
		*p++ = (uint8_t)count;
	}
	for (size_t i = 0; i < count; i++) {
		p = put_str(p, tags[order[i]].key);
		p = put_str(p, tags[order[i]].value);
	}
	*size = (size_t)(p - out);
	return 0;
}

/* A str object copied NUL-terminated at *cursor (the caller checked the
 * room); NULL when it is not a string or holds a NUL. */
static const char *
take(const msgpack_object *o, char **cursor)
{
	if (o->type != MSGPACK_OBJECT_STR ||
	    memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL)
		return NULL;
	char *s = *cursor;
	memcpy(s, o->via.str.ptr, o->via.str.size);
	s[o->via.str.size] = '\0';
	*cursor += o->via.str.size + 1;
	return s;
}

/* The tags map of a member's metadata into out, checked as ours are. */
static int
read_tags(const msgpack_object *map, struct node_tags *out)
{
	if (map->type != MSGPACK_OBJECT_MAP ||
	    map->via.map.size > NODE_TAGS_MAX)
		return RUMOR_EINVAL;
	/* Each string with its NUL takes no more than its encoding does
	 * (at least one byte of framing), so what passes the limit fits
	 * in buf: check the room before copying. */
	size_t room = 0;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv *kv = &map->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR ||
		    kv->val.type != MSGPACK_OBJECT_STR)
			return RUMOR_EINVAL;
		room += kv->key.via.str.size + 1 + kv->val.via.str.size + 1;
	}
	if (room > sizeof(out->buf))
		return RUMOR_EINVAL;
	char *cursor = out->buf;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv *kv = &map->via.map.ptr[i];
		const char *k = take(&kv->key, &cursor);
		const char *v = k != NULL ? take(&kv->val, &cursor) : NULL;
		if (v == NULL)
			return RUMOR_EINVAL;
		out->tags[out->count++] = (struct service_kv){k, v};
	}
	size_t size;
	char why[160];
	if (node_tags_check(out->tags, out->count, &size, why, sizeof(why)) !=
	    0)
		return RUMOR_EINVAL;
	size_t order[NODE_TAGS_MAX];
	struct service_kv copy[NODE_TAGS_MAX];
	memcpy(copy, out->tags, out->count * sizeof(copy[0]));
	sort_order(copy, out->count, order);
	for (size_t i = 0; i < out->count; i++)
		out->tags[i] = copy[order[i]];
	return 0;
}

int
node_tags_decode(const uint8_t *meta, size_t meta_size,
		 struct node_tags *out)
{
	out->count = 0;
	if (meta_size == 0)
		return 0;
	if (meta_size > SWIM_META_MAX)
		return RUMOR_EINVAL;
	msgpack_unpacked up;
	if (mpscan_unpack(&up, meta, meta_size, SERVICE_PER_NODE_MAX,
			  SWIM_META_MAX) != MPSCAN_OK)
		return RUMOR_EINVAL;
	int rc = up.data.type == MSGPACK_OBJECT_MAP ? 0 : RUMOR_EINVAL;
	for (uint32_t i = 0; rc == 0 && i < up.data.via.map.size; i++) {
		const msgpack_object_kv *kv = &up.data.via.map.ptr[i];
		if (kv->key.type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    kv->key.via.u64 == NODE_TAGS_META_KEY) {
			rc = read_tags(&kv->val, out);
			break;
		}
	}
	msgpack_unpacked_destroy(&up);
	if (rc != 0)
		out->count = 0;
	return rc;
}

int
node_tags_append(const uint8_t *set, size_t set_size, const uint8_t *tags,
		 size_t tags_size, uint8_t **out, size_t *out_size)
{
	if (set_size == 0 || (set[0] & 0xf0) != 0x80 || (set[0] & 0x0f) == 0 ||
	    (set[0] & 0x0f) == 0x0f)
		return RUMOR_EINVAL;
	uint8_t *buf = malloc(set_size + 1 + tags_size);
	if (buf == NULL)
		return RUMOR_ENOMEM;
	memcpy(buf, set, set_size);
	buf[0] = (uint8_t)(set[0] + 1);
	buf[set_size] = NODE_TAGS_META_KEY;
	memcpy(buf + set_size + 1, tags, tags_size);
	*out = buf;
	*out_size = set_size + 1 + tags_size;
	return 0;
}

bool
node_tags_equal(const struct node_tags *a, const struct node_tags *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++) {
		if (strcmp(a->tags[i].key, b->tags[i].key) != 0 ||
		    strcmp(a->tags[i].value, b->tags[i].value) != 0)
			return false;
	}
	return true;
}
