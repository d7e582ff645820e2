/*
 * The socket protocol's msgpack mechanics (see ipc_pack.h): sticky-error
 * packing into a frame, and checked reading into the unpacked zone.
 */
#include <string.h>

#include "ipc_pack.h"
#include "rumor/error.h"

void
ipc_pack_open(struct ipc_packer *p, msgpack_sbuffer *sb)
{
	static const char zero[IPC_PREFIX];
	*p = (struct ipc_packer){.sb = sb, .start = sb->size};
	msgpack_packer_init(&p->pk, sb, msgpack_sbuffer_write);
	if (msgpack_sbuffer_write(sb, zero, IPC_PREFIX) != 0)
		p->err = RUMOR_ENOMEM;
}

int
ipc_pack_close(struct ipc_packer *p, size_t max)
{
	msgpack_sbuffer *sb = p->sb;
	if (p->err == 0 && sb->size - p->start - IPC_PREFIX > max)
		p->err = RUMOR_ETOOBIG;
	if (p->err != 0) {
		sb->size = p->start;
		return p->err;
	}
	size_t len = sb->size - p->start - IPC_PREFIX;
	uint8_t *b = (uint8_t *)sb->data + p->start;
	b[0] = (uint8_t)(len >> 24);
	b[1] = (uint8_t)(len >> 16);
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	return 0;
}

void
ipc_pack_fail(struct ipc_packer *p, int err)
{
	if (p->err == 0)
		p->err = err;
}

/* A msgpack_pack_* result: only the sbuffer's realloc can fail. */
static void
check(struct ipc_packer *p, int rc)
{
	if (rc != 0)
		ipc_pack_fail(p, RUMOR_ENOMEM);
}

void
ipc_pack_map(struct ipc_packer *p, size_t n)
{
	if (p->err == 0)
		check(p, msgpack_pack_map(&p->pk, n));
}

void
ipc_pack_array(struct ipc_packer *p, size_t n)
{
	if (p->err == 0)
		check(p, msgpack_pack_array(&p->pk, n));
}

void
ipc_pack_str(struct ipc_packer *p, const char *s)
{
	size_t len = strlen(s);
	if (p->err == 0)
		check(p, msgpack_pack_str(&p->pk, len));
	if (p->err == 0)
		check(p, msgpack_pack_str_body(&p->pk, s, len));
}

void
ipc_pack_uint(struct ipc_packer *p, uint64_t v)
{
	if (p->err == 0)
		check(p, msgpack_pack_uint64(&p->pk, v));
}

void
ipc_pack_int(struct ipc_packer *p, int64_t v)
{
	if (p->err == 0)
		check(p, msgpack_pack_int64(&p->pk, v));
}

void
ipc_pack_bool(struct ipc_packer *p, bool v)
{
	if (p->err == 0)
		check(p, v ? msgpack_pack_true(&p->pk)
			   : msgpack_pack_false(&p->pk));
}

void
ipc_pack_bin(struct ipc_packer *p, const uint8_t *data, size_t size)
{
	if (p->err == 0)
		check(p, msgpack_pack_bin(&p->pk, size));
	if (p->err == 0)
		check(p, msgpack_pack_bin_body(&p->pk, data, size));
}

void
ipc_pack_kstr(struct ipc_packer *p, const char *key, const char *value)
{
	ipc_pack_str(p, key);
	ipc_pack_str(p, value);
}

void
ipc_pack_kuint(struct ipc_packer *p, const char *key, uint64_t value)
{
	ipc_pack_str(p, key);
	ipc_pack_uint(p, value);
}

const msgpack_object *
ipc_pack_get(const msgpack_object *map, const char *key)
{
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	size_t len = strlen(key);
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv *kv = &map->via.map.ptr[i];
		if (kv->key.type == MSGPACK_OBJECT_STR &&
		    kv->key.via.str.size == len &&
		    memcmp(kv->key.via.str.ptr, key, len) == 0)
			return &kv->val;
	}
	return NULL;
}

/* Whether a string object is key. */
static bool
is_key(const msgpack_object *o, const struct ipc_pack_key *key)
{
	return o->via.str.size == key->len &&
	       memcmp(o->via.str.ptr, key->name, key->len) == 0;
}

void
ipc_pack_fields(const msgpack_object *map, const struct ipc_pack_key *keys,
		size_t n, const msgpack_object **vals)
{
	for (size_t k = 0; k < n; k++)
		vals[k] = NULL;
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv *kv = &map->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;
		/* Our encoders write the keys in order: try that one
		 * first. */
		size_t k = i;
		if (k >= n || !is_key(&kv->key, &keys[k])) {
			for (k = 0; k < n && !is_key(&kv->key, &keys[k]); k++)
				;
		}
		/* The first of twice the same key, as ipc_pack_get()
		 * reads it. */
		if (k < n && vals[k] == NULL)
			vals[k] = &kv->val;
	}
}

int
ipc_pack_index(const msgpack_object *o, const char *const *strs, int n)
{
	for (int i = 0; o != NULL && o->type == MSGPACK_OBJECT_STR && i < n;
	     i++) {
		if (o->via.str.size == strlen(strs[i]) &&
		    memcmp(o->via.str.ptr, strs[i], o->via.str.size) == 0)
			return i;
	}
	return -1;
}

void
ipc_pack_bad(struct ipc_pack_reader *r, int err)
{
	if (r->err == 0)
		r->err = err;
}

void *
ipc_pack_alloc(struct ipc_pack_reader *r, size_t count, size_t size)
{
	if (count == 0 || r->err != 0)
		return NULL;
	void *p = msgpack_zone_malloc(r->zone, count * size);
	if (p == NULL)
		ipc_pack_bad(r, RUMOR_ENOMEM);
	return p;
}

const char *
ipc_pack_take_str(struct ipc_pack_reader *r, const msgpack_object *o,
		  size_t max)
{
	if (r->err != 0)
		return "";
	if (o == NULL || o->type != MSGPACK_OBJECT_STR ||
	    o->via.str.size > max ||
	    memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL) {
		ipc_pack_bad(r, RUMOR_EMALFORMED);
		return "";
	}
	char *s = msgpack_zone_malloc(r->zone, o->via.str.size + 1);
	if (s == NULL) {
		ipc_pack_bad(r, RUMOR_ENOMEM);
		return "";
	}
	memcpy(s, o->via.str.ptr, o->via.str.size);
	s[o->via.str.size] = '\0';
	return s;
}

uint64_t
ipc_pack_take_uint(struct ipc_pack_reader *r, const msgpack_object *o,
		   uint64_t max)
{
	if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    o->via.u64 > max) {
		ipc_pack_bad(r, RUMOR_EMALFORMED);
		return 0;
	}
	return o->via.u64;
}

const msgpack_object *
ipc_pack_take(struct ipc_pack_reader *r, const msgpack_object *o,
	      msgpack_object_type type)
{
	if (o == NULL || o->type != type) {
		ipc_pack_bad(r, RUMOR_EMALFORMED);
		return NULL;
	}
	return o;
}
