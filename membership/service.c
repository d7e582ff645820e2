/*
 * service: validation, deep copy and the set codec (see service.h). Pure
 * msgpack-c and the bounded scanner, so the socket protocol and the client
 * library can link it alone: the digest a stub carries needs libsodium and
 * lives apart, in service_digest.c.
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "rumor/error.h"
#include "service.h"
#include "swim/mpscan.h"

const char *const service_check_kind_strs[service_check_kind_MAX] = {
	"none", "tcp", "http", "exec",
};

const char *const service_health_strs[service_health_MAX] = {
	"passing",
	"critical",
};

/* Wire keys: protocol, append only. */
enum {
	SET_KEY_VERSION = 1,
	SET_KEY_SERVICES = 2,
	SET_KEY_FULL_SIZE = 3,
	SET_KEY_DIGEST = 4,
};
enum {
	SVC_KEY_ID = 1,
	SVC_KEY_NAME = 2,
	SVC_KEY_ADDRESS = 3,
	SVC_KEY_PORT = 4,
	SVC_KEY_TAGS = 5,
	SVC_KEY_META = 6,
	SVC_KEY_HEALTH = 7,
	SVC_KEY_TTL = 8,
	SVC_KEY_CHECK = 9,
};
enum {
	CHECK_KEY_KIND = 1,
	CHECK_KEY_TARGET = 2,
	CHECK_KEY_INTERVAL = 3,
	CHECK_KEY_TIMEOUT = 4,
};

/* ---- validation -------------------------------------------------------- */

static bool
id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* 1..SERVICE_NAME_MAX bytes of [A-Za-z0-9._-]. */
static bool
id_valid(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	if (len == 0 || len > SERVICE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!id_char(s[i]))
			return false;
	}
	return true;
}

/* Printable ASCII, 0..max bytes; with no_space, 1..max and no spaces. */
static bool
text_valid(const char *s, size_t max, bool no_space)
{
	if (s == NULL)
		return false;
	size_t len = strlen(s);
	if (len > max || (no_space && len == 0))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || (no_space && c == ' '))
			return false;
	}
	return true;
}

static int
invalid(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
	return RUMOR_EINVAL;
}

int
service_validate(const struct service *s, const char **why)
{
	if (!id_valid(s->name))
		return invalid(why, "the name must be 1-64 of A-Z a-z 0-9 . _ -");
	if (!id_valid(s->id))
		return invalid(why, "the id must be 1-64 of A-Z a-z 0-9 . _ -");
	if (s->address != NULL && !text_valid(s->address, SERVICE_ADDRESS_MAX,
					      false))
		return invalid(why, "the address must be up to 255 printable "
				    "characters");
	if (s->address != NULL && strchr(s->address, ' ') != NULL)
		return invalid(why, "the address may not hold spaces");
	if (s->tag_count > SERVICE_TAGS_MAX)
		return invalid(why, "too many tags (at most 32)");
	for (size_t i = 0; i < s->tag_count; i++) {
		if (!text_valid(s->tags[i], SERVICE_NAME_MAX, true))
			return invalid(why, "a tag must be 1-64 printable "
					    "characters without spaces");
		for (size_t j = 0; j < i; j++) {
			if (strcmp(s->tags[i], s->tags[j]) == 0)
				return invalid(why, "a tag is given twice");
		}
	}
	if (s->meta_count > SERVICE_META_MAX)
		return invalid(why, "too many meta pairs (at most 32)");
	for (size_t i = 0; i < s->meta_count; i++) {
		if (!text_valid(s->meta[i].key, SERVICE_NAME_MAX, true))
			return invalid(why, "a meta key must be 1-64 printable "
					    "characters without spaces");
		if (!text_valid(s->meta[i].value, SERVICE_META_VALUE_MAX,
				false))
			return invalid(why, "a meta value must be up to 512 "
					    "printable characters");
		for (size_t j = 0; j < i; j++) {
			if (strcmp(s->meta[i].key, s->meta[j].key) == 0)
				return invalid(why, "a meta key is given twice");
		}
	}
	if ((unsigned)s->health >= service_health_MAX)
		return invalid(why, "unknown health");
	if (s->ttl_ms > SERVICE_TTL_MAX_MS)
		return invalid(why, "the TTL is longer than a day");
	const struct service_check *k = &s->check;
	if (k->kind == SERVICE_CHECK_NONE)
		return 0;
	if ((unsigned)k->kind >= service_check_kind_MAX)
		return invalid(why, "unknown check kind");
	if (s->ttl_ms != 0)
		return invalid(why, "a service has a TTL or a check, not both");
	if (k->target == NULL || k->target[0] == '\0' ||
	    !text_valid(k->target, SERVICE_CHECK_TARGET_MAX, false))
		return invalid(why, "a check target must be 1-255 printable "
				    "characters");
	if (k->interval_ms < SERVICE_CHECK_INTERVAL_MIN_MS ||
	    k->interval_ms > SERVICE_CHECK_PERIOD_MAX_MS)
		return invalid(why, "a check interval must be 100ms to 1h");
	if (k->timeout_ms == 0 || k->timeout_ms > SERVICE_CHECK_PERIOD_MAX_MS)
		return invalid(why, "a check timeout must be 1ms to 1h");
	return 0;
}

/* ---- copies -------------------------------------------------------------- */

static size_t
str_size(const char *s)
{
	return s ? strlen(s) + 1 : 1;
}

/* Copy s (NULL as "") to *cursor; return the copy. */
static char *
str_put(char **cursor, const char *s)
{
	char *out = *cursor;
	size_t n = str_size(s);
	if (s != NULL)
		memcpy(out, s, n);
	else
		out[0] = '\0';
	*cursor += n;
	return out;
}

struct service *
service_dup(const struct service *s)
{
	size_t size = sizeof(struct service) +
		      s->tag_count * sizeof(char *) +
		      s->meta_count * sizeof(struct service_kv);
	size_t strings = str_size(s->id) + str_size(s->name) +
			 str_size(s->address) + str_size(s->check.target);
	for (size_t i = 0; i < s->tag_count; i++)
		strings += str_size(s->tags[i]);
	for (size_t i = 0; i < s->meta_count; i++)
		strings += str_size(s->meta[i].key) +
			   str_size(s->meta[i].value);
	struct service *out = malloc(size + strings);
	if (out == NULL)
		return NULL;
	const char **tags = (const char **)(out + 1);
	struct service_kv *meta = (struct service_kv *)(tags + s->tag_count);
	char *cursor = (char *)(meta + s->meta_count);
	*out = (struct service){
		.id = str_put(&cursor, s->id),
		.name = str_put(&cursor, s->name),
		.address = str_put(&cursor, s->address),
		.port = s->port,
		.tags = tags,
		.tag_count = s->tag_count,
		.meta = meta,
		.meta_count = s->meta_count,
		.health = s->health,
		.ttl_ms = s->ttl_ms,
		.check = s->check,
	};
	out->check.target = s->check.kind != SERVICE_CHECK_NONE
		? str_put(&cursor, s->check.target) : NULL;
	for (size_t i = 0; i < s->tag_count; i++)
		tags[i] = str_put(&cursor, s->tags[i]);
	for (size_t i = 0; i < s->meta_count; i++) {
		meta[i].key = str_put(&cursor, s->meta[i].key);
		meta[i].value = str_put(&cursor, s->meta[i].value);
	}
	return out;
}

static bool
str_equal(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

bool
service_equal(const struct service *a, const struct service *b)
{
	if (!str_equal(a->id, b->id) || !str_equal(a->name, b->name) ||
	    !str_equal(a->address, b->address) || a->port != b->port ||
	    a->health != b->health || a->ttl_ms != b->ttl_ms ||
	    a->check.kind != b->check.kind ||
	    a->check.interval_ms != b->check.interval_ms ||
	    a->check.timeout_ms != b->check.timeout_ms ||
	    (a->check.kind != SERVICE_CHECK_NONE &&
	     !str_equal(a->check.target, b->check.target)) ||
	    a->tag_count != b->tag_count ||
	    a->meta_count != b->meta_count)
		return false;
	for (size_t i = 0; i < a->tag_count; i++) {
		if (!str_equal(a->tags[i], b->tags[i]))
			return false;
	}
	for (size_t i = 0; i < a->meta_count; i++) {
		if (!str_equal(a->meta[i].key, b->meta[i].key) ||
		    !str_equal(a->meta[i].value, b->meta[i].value))
			return false;
	}
	return true;
}

struct service *
service_strip_check(const struct service *s)
{
	struct service tmp = *s;
	tmp.check = (struct service_check){.kind = SERVICE_CHECK_NONE};
	return service_dup(&tmp);
}

bool
service_has_tag(const struct service *s, const char *tag)
{
	for (size_t i = 0; i < s->tag_count; i++) {
		if (strcmp(s->tags[i], tag) == 0)
			return true;
	}
	return false;
}

/* ---- encoding ---------------------------------------------------------- */

static void
pack_str(msgpack_packer *pk, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, s ? s : "", len);
}

static void
pack_service(msgpack_packer *pk, const struct service *s)
{
	bool check = s->check.kind != SERVICE_CHECK_NONE;
	msgpack_pack_map(pk, 7 + (s->ttl_ms != 0) + check);
	msgpack_pack_uint8(pk, SVC_KEY_ID);
	pack_str(pk, s->id);
	msgpack_pack_uint8(pk, SVC_KEY_NAME);
	pack_str(pk, s->name);
	msgpack_pack_uint8(pk, SVC_KEY_ADDRESS);
	pack_str(pk, s->address);
	msgpack_pack_uint8(pk, SVC_KEY_PORT);
	msgpack_pack_uint16(pk, s->port);
	msgpack_pack_uint8(pk, SVC_KEY_TAGS);
	msgpack_pack_array(pk, s->tag_count);
	for (size_t i = 0; i < s->tag_count; i++)
		pack_str(pk, s->tags[i]);
	msgpack_pack_uint8(pk, SVC_KEY_META);
	msgpack_pack_map(pk, s->meta_count);
	for (size_t i = 0; i < s->meta_count; i++) {
		pack_str(pk, s->meta[i].key);
		pack_str(pk, s->meta[i].value);
	}
	msgpack_pack_uint8(pk, SVC_KEY_HEALTH);
	msgpack_pack_uint8(pk, (uint8_t)s->health);
	if (s->ttl_ms) {
		msgpack_pack_uint8(pk, SVC_KEY_TTL);
		msgpack_pack_uint64(pk, s->ttl_ms);
	}
	if (check) {
		msgpack_pack_uint8(pk, SVC_KEY_CHECK);
		msgpack_pack_map(pk, 4);
		msgpack_pack_uint8(pk, CHECK_KEY_KIND);
		msgpack_pack_uint8(pk, (uint8_t)s->check.kind);
		msgpack_pack_uint8(pk, CHECK_KEY_TARGET);
		pack_str(pk, s->check.target);
		msgpack_pack_uint8(pk, CHECK_KEY_INTERVAL);
		msgpack_pack_uint64(pk, s->check.interval_ms);
		msgpack_pack_uint8(pk, CHECK_KEY_TIMEOUT);
		msgpack_pack_uint64(pk, s->check.timeout_ms);
	}
}

/* An sbuffer that remembers a failed write (msgpack_sbuffer_write keeps
 * the old buffer when realloc fails, so later small writes would land). */
struct guarded_sbuffer {
	msgpack_sbuffer sb;
	bool failed;
};

static int
guarded_write(void *data, const char *buf, size_t len)
{
	struct guarded_sbuffer *g = data;
	if (g->failed || msgpack_sbuffer_write(&g->sb, buf, len) != 0)
		g->failed = true;
	return 0;
}

/* A set, or with full_size > 0 the stub standing for one (no services). */
static int
set_encode(uint64_t version, size_t full_size,
	   const uint8_t digest[SERVICE_SET_DIGEST_SIZE],
	   const struct service *const *services, size_t count,
	   uint8_t **out, size_t *size)
{
	if (count > SERVICE_PER_NODE_MAX)
		return RUMOR_ETOOBIG;
	struct guarded_sbuffer g = {.failed = false};
	msgpack_sbuffer_init(&g.sb);
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	msgpack_packer_init(&pk, &g, guarded_write);
	msgpack_pack_map(&pk, full_size > 0 ? 4 : 2);
	msgpack_pack_uint8(&pk, SET_KEY_VERSION);
	msgpack_pack_uint64(&pk, version);
	msgpack_pack_uint8(&pk, SET_KEY_SERVICES);
	msgpack_pack_array(&pk, count);
	for (size_t i = 0; i < count; i++)
		pack_service(&pk, services[i]);
	if (full_size > 0) {
		msgpack_pack_uint8(&pk, SET_KEY_FULL_SIZE);
		msgpack_pack_uint64(&pk, full_size);
		msgpack_pack_uint8(&pk, SET_KEY_DIGEST);
		msgpack_pack_bin(&pk, SERVICE_SET_DIGEST_SIZE);
		msgpack_pack_bin_body(&pk, digest, SERVICE_SET_DIGEST_SIZE);
	}
	sbuf = g.sb;
	if (g.failed || sbuf.data == NULL) {
		msgpack_sbuffer_destroy(&sbuf);
		return RUMOR_ENOMEM;
	}
	if (sbuf.size > SERVICE_SET_BYTES_MAX) {
		msgpack_sbuffer_destroy(&sbuf);
		return RUMOR_ETOOBIG;
	}
	*size = sbuf.size;
	*out = (uint8_t *)msgpack_sbuffer_release(&sbuf);
	return 0;
}

int
service_set_encode(uint64_t version, const struct service *const *services,
		   size_t count, uint8_t **out, size_t *size)
{
	return set_encode(version, 0, NULL, services, count, out, size);
}

int
service_set_encode_stub(uint64_t version, size_t full_size,
			const uint8_t digest[SERVICE_SET_DIGEST_SIZE],
			uint8_t **out, size_t *size)
{
	if (full_size == 0 || full_size > SERVICE_SET_BYTES_MAX)
		return RUMOR_EINVAL;
	return set_encode(version, full_size, digest, NULL, 0, out, size);
}

/* ---- decoding ---------------------------------------------------------- */

/* Bounds for the pre-scan: the largest container is a service list or a
 * meta map; a service is at most 7 fields + 32 tags + 64 meta strings. */
#define SET_CONTAINER_MAX SERVICE_PER_NODE_MAX
#define SET_OBJECTS_MAX (4 + SERVICE_PER_NODE_MAX * 120)

/* A msgpack str of at most max bytes, copied NUL-terminated into buf. */
static bool
get_str(const msgpack_object *o, size_t max, char *buf)
{
	if (o->type != MSGPACK_OBJECT_STR || o->via.str.size > max)
		return false;
	/* An empty str may carry a NULL pointer: no memcpy from it. */
	if (o->via.str.size > 0)
		memcpy(buf, o->via.str.ptr, o->via.str.size);
	buf[o->via.str.size] = '\0';
	/* An embedded NUL would make the copy shorter than the wire. */
	return strlen(buf) == o->via.str.size;
}

/* Scratch for one service being decoded. */
struct svc_scratch {
	char id[SERVICE_NAME_MAX + 1];
	char name[SERVICE_NAME_MAX + 1];
	char address[SERVICE_ADDRESS_MAX + 1];
	char target[SERVICE_CHECK_TARGET_MAX + 1];
	char tags[SERVICE_TAGS_MAX][SERVICE_NAME_MAX + 1];
	const char *tag_ptrs[SERVICE_TAGS_MAX];
	char keys[SERVICE_META_MAX][SERVICE_NAME_MAX + 1];
	char values[SERVICE_META_MAX][SERVICE_META_VALUE_MAX + 1];
	struct service_kv meta[SERVICE_META_MAX];
	struct service svc;
};

static const char *
decode_tags(const msgpack_object *o, struct svc_scratch *sc)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return "tags are not a list";
	if (o->via.array.size > SERVICE_TAGS_MAX)
		return "too many tags";
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		if (!get_str(&o->via.array.ptr[i], SERVICE_NAME_MAX,
			     sc->tags[i]))
			return "a tag is not a short string";
		sc->tag_ptrs[i] = sc->tags[i];
	}
	sc->svc.tags = sc->tag_ptrs;
	sc->svc.tag_count = o->via.array.size;
	return NULL;
}

static const char *
decode_meta(const msgpack_object *o, struct svc_scratch *sc)
{
	if (o->type != MSGPACK_OBJECT_MAP)
		return "meta is not a map";
	if (o->via.map.size > SERVICE_META_MAX)
		return "too many meta pairs";
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		if (!get_str(&kv->key, SERVICE_NAME_MAX, sc->keys[i]) ||
		    !get_str(&kv->val, SERVICE_META_VALUE_MAX, sc->values[i]))
			return "a meta pair is not two short strings";
		sc->meta[i] = (struct service_kv){sc->keys[i], sc->values[i]};
	}
	sc->svc.meta = sc->meta;
	sc->svc.meta_count = o->via.map.size;
	return NULL;
}

static const char *
decode_check(const msgpack_object *o, struct svc_scratch *sc)
{
	if (o->type != MSGPACK_OBJECT_MAP)
		return "a check is not a map";
	struct service_check *k = &sc->svc.check;
	*k = (struct service_check){.target = sc->target};
	sc->target[0] = '\0';
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			return "a check key is not an integer";
		uint64_t key = kv->key.via.u64;
		if (key == CHECK_KEY_TARGET) {
			if (!get_str(&kv->val, SERVICE_CHECK_TARGET_MAX,
				     sc->target))
				return "bad check target";
			continue;
		}
		if (key < CHECK_KEY_KIND || key > CHECK_KEY_TIMEOUT)
			continue;
		if (kv->val.type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			return "a check field is not a number";
		uint64_t v = kv->val.via.u64;
		if (key == CHECK_KEY_KIND) {
			if (v == 0 || v >= service_check_kind_MAX)
				return "bad check kind";
			k->kind = (enum service_check_kind)v;
		} else if (key == CHECK_KEY_INTERVAL) {
			k->interval_ms = v;
		} else {
			k->timeout_ms = v;
		}
	}
	return k->kind == SERVICE_CHECK_NONE ? "a check lacks its kind" : NULL;
}

static const char *
decode_field(const msgpack_object_kv *kv, struct svc_scratch *sc,
	     unsigned *seen)
{
	if (kv->key.type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return "a service key is not an integer";
	uint64_t key = kv->key.via.u64;
	const msgpack_object *v = &kv->val;
	if (key >= 1 && key <= 9)
		*seen |= 1u << key;
	switch (key) {
	case SVC_KEY_ID:
		return get_str(v, SERVICE_NAME_MAX, sc->id) ? NULL
							     : "bad id";
	case SVC_KEY_NAME:
		return get_str(v, SERVICE_NAME_MAX, sc->name) ? NULL
							       : "bad name";
	case SVC_KEY_ADDRESS:
		return get_str(v, SERVICE_ADDRESS_MAX, sc->address)
			? NULL : "bad address";
	case SVC_KEY_PORT:
		if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    v->via.u64 > UINT16_MAX)
			return "bad port";
		sc->svc.port = (uint16_t)v->via.u64;
		return NULL;
	case SVC_KEY_TAGS:
		return decode_tags(v, sc);
	case SVC_KEY_META:
		return decode_meta(v, sc);
	case SVC_KEY_HEALTH:
		if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    v->via.u64 >= service_health_MAX)
			return "bad health";
		sc->svc.health = (enum service_health)v->via.u64;
		return NULL;
	case SVC_KEY_TTL:
		if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    v->via.u64 == 0 || v->via.u64 > SERVICE_TTL_MAX_MS)
			return "bad ttl";
		sc->svc.ttl_ms = v->via.u64;
		return NULL;
	case SVC_KEY_CHECK:
		return decode_check(v, sc);
	default:
		return NULL; /* a newer agent's field */
	}
}

static const char *
decode_service(const msgpack_object *o, struct svc_scratch *sc,
	       struct service **out)
{
	if (o->type != MSGPACK_OBJECT_MAP)
		return "a service is not a map";
	sc->svc = (struct service){.id = sc->id, .name = sc->name,
				   .address = sc->address};
	sc->id[0] = sc->name[0] = sc->address[0] = '\0';
	unsigned seen = 0;
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const char *why = decode_field(&o->via.map.ptr[i], sc, &seen);
		if (why != NULL)
			return why;
	}
	if ((seen & (1u << SVC_KEY_ID)) == 0 ||
	    (seen & (1u << SVC_KEY_NAME)) == 0)
		return "a service lacks its id or name";
	const char *why = NULL;
	if (service_validate(&sc->svc, &why) != 0)
		return why;
	*out = service_dup(&sc->svc);
	return *out == NULL ? "out of memory" : NULL;
}

static const char *
decode_set(const msgpack_object *root, struct service_set *set,
	   struct svc_scratch *sc)
{
	if (root->type != MSGPACK_OBJECT_MAP)
		return "the set is not a map";
	const msgpack_object *list = NULL;
	bool has_version = false, has_digest = false;
	for (uint32_t i = 0; i < root->via.map.size; i++) {
		const msgpack_object_kv *kv = &root->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			return "a set key is not an integer";
		if (kv->key.via.u64 == SET_KEY_VERSION) {
			if (kv->val.type != MSGPACK_OBJECT_POSITIVE_INTEGER)
				return "bad version";
			set->version = kv->val.via.u64;
			has_version = true;
		} else if (kv->key.via.u64 == SET_KEY_SERVICES) {
			list = &kv->val;
		} else if (kv->key.via.u64 == SET_KEY_FULL_SIZE) {
			if (kv->val.type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
			    kv->val.via.u64 == 0 ||
			    kv->val.via.u64 > SERVICE_SET_BYTES_MAX)
				return "bad full set size";
			set->full_size = (size_t)kv->val.via.u64;
		} else if (kv->key.via.u64 == SET_KEY_DIGEST) {
			if (kv->val.type != MSGPACK_OBJECT_BIN ||
			    kv->val.via.bin.size != SERVICE_SET_DIGEST_SIZE)
				return "bad set digest";
			memcpy(set->digest, kv->val.via.bin.ptr,
			       SERVICE_SET_DIGEST_SIZE);
			has_digest = true;
		}
	}
	if (set->full_size > 0 && !has_digest)
		return "a stub lacks its digest";
	if (!has_version || list == NULL || list->type != MSGPACK_OBJECT_ARRAY)
		return "the set lacks its version or services";
	if (set->full_size > 0 && list->via.array.size > 0)
		return "a stub carries services";
	if (list->via.array.size > SERVICE_PER_NODE_MAX)
		return "too many services";
	set->services = calloc(list->via.array.size ? list->via.array.size : 1,
			       sizeof(*set->services));
	if (set->services == NULL)
		return "out of memory";
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const char *why = decode_service(&list->via.array.ptr[i], sc,
						 &set->services[i]);
		if (why != NULL)
			return why;
		set->count++;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(set->services[j]->id,
				   set->services[i]->id) == 0)
				return "two services have the same id";
		}
	}
	return NULL;
}

int
service_set_decode(struct service_set *set, const uint8_t *data,
		   size_t size, const char **why)
{
	*set = (struct service_set){0};
	if (size > SERVICE_SET_BYTES_MAX)
		return invalid(why, "the set is too big");
	/* Scanned before msgpack-c allocates anything (swim/mpscan.h). */
	msgpack_unpacked unpacked;
	if (mpscan_unpack(&unpacked, data, size, SET_CONTAINER_MAX,
			  SET_OBJECTS_MAX) != MPSCAN_OK)
		return invalid(why, "the set is not one well-formed msgpack "
				    "value");
	struct svc_scratch *sc = malloc(sizeof(*sc));
	const char *reason = sc == NULL ? "out of memory"
					: decode_set(&unpacked.data, set, sc);
	free(sc);
	msgpack_unpacked_destroy(&unpacked);
	if (reason == NULL)
		return 0;
	bool oom = strcmp(reason, "out of memory") == 0;
	service_set_destroy(set);
	if (oom)
		return RUMOR_ENOMEM;
	return invalid(why, reason);
}

void
service_set_destroy(struct service_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		free(set->services[i]);
	free(set->services);
	*set = (struct service_set){0};
}
