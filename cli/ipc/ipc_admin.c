/*
 * ipc_admin: the operator's records and arguments (ipc_admin.h), packed
 * with ipc_pack's sticky-error packer and read with its checked reader,
 * as ipc_proto.c does for the rest of the schema.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_admin.h"
#include "rumor/error.h"

const char *const ipc_status_strs[ipc_status_MAX] = {
	"alive", "suspect", "failed", "left",
};

const char *const ipc_level_strs[ipc_level_MAX] = {
	"debug", "info", "warn", "error",
};

const char *const ipc_member_event_strs[ipc_member_event_MAX] = {
	"status", "update", "removed",
};

/* Largest response: the client's limit (ipc_proto.h IPC_RESPONSE_MAX). */
#define ADMIN_RESPONSE_MAX (64u * 1024 * 1024)

/* ---- arguments ---------------------------------------------------------- */

size_t
ipc_admin_args_count(const struct ipc_admin_args *a)
{
	return (a->addr_count > 0) + (a->set_count > 0) + (a->del_count > 0) +
	       a->level_set + a->members;
}

void
ipc_admin_args_pack(struct ipc_packer *p, const struct ipc_admin_args *a)
{
	if (a->addr_count > 0) {
		ipc_pack_str(p, "addrs");
		ipc_pack_array(p, a->addr_count);
		for (size_t i = 0; i < a->addr_count; i++)
			ipc_pack_str(p, a->addrs[i]);
	}
	if (a->set_count > 0) {
		ipc_pack_str(p, "set");
		ipc_pack_map(p, a->set_count);
		for (size_t i = 0; i < a->set_count; i++)
			ipc_pack_kstr(p, a->set[i].key, a->set[i].value);
	}
	if (a->del_count > 0) {
		ipc_pack_str(p, "delete");
		ipc_pack_array(p, a->del_count);
		for (size_t i = 0; i < a->del_count; i++)
			ipc_pack_str(p, a->del[i]);
	}
	if (a->level_set)
		ipc_pack_kstr(p, "level", ipc_level_strs[a->level]);
	if (a->members) {
		ipc_pack_str(p, "members");
		ipc_pack_bool(p, true);
	}
}

/* A string object of 1..max bytes without NUL (empty allowed with
 * allow_empty). */
static bool
str_ok(const msgpack_object *o, size_t max, bool allow_empty)
{
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size <= max &&
	       (allow_empty || o->via.str.size > 0) &&
	       memchr(o->via.str.ptr, '\0', o->via.str.size) == NULL;
}

/* Copy a checked string object to *cursor, NUL-terminated. */
static const char *
put(const msgpack_object *o, char **cursor)
{
	char *s = *cursor;
	memcpy(s, o->via.str.ptr, o->via.str.size);
	s[o->via.str.size] = '\0';
	*cursor += o->via.str.size + 1;
	return s;
}

/* Check the argument objects and count the bytes their strings need. */
static const char *
args_check(const msgpack_object *addrs, const msgpack_object *set,
	   const msgpack_object *del, size_t *bytes)
{
	*bytes = 0;
	if (addrs != NULL) {
		if (addrs->type != MSGPACK_OBJECT_ARRAY ||
		    addrs->via.array.size == 0 ||
		    addrs->via.array.size > IPC_JOIN_ADDRS_MAX)
			return "\"addrs\" must be a list of 1-16 addresses";
		for (uint32_t i = 0; i < addrs->via.array.size; i++) {
			const msgpack_object *o = &addrs->via.array.ptr[i];
			if (!str_ok(o, IPC_JOIN_ADDR_MAX, false))
				return "an address must be 1-261 bytes";
			*bytes += o->via.str.size + 1;
		}
	}
	if (set != NULL) {
		if (set->type != MSGPACK_OBJECT_MAP ||
		    set->via.map.size > IPC_TAGS_MAX)
			return "\"set\" must be a map of at most 64 tags";
		for (uint32_t i = 0; i < set->via.map.size; i++) {
			const msgpack_object_kv *kv = &set->via.map.ptr[i];
			if (!str_ok(&kv->key, IPC_TAG_KEY_MAX, false) ||
			    !str_ok(&kv->val, IPC_TAG_VALUE_MAX, true))
				return "a tag is a key of 1-64 bytes and a "
				       "value of at most 255";
			*bytes += kv->key.via.str.size +
				  kv->val.via.str.size + 2;
		}
	}
	if (del != NULL) {
		if (del->type != MSGPACK_OBJECT_ARRAY ||
		    del->via.array.size > IPC_TAGS_MAX)
			return "\"delete\" must be a list of at most 64 keys";
		for (uint32_t i = 0; i < del->via.array.size; i++) {
			const msgpack_object *o = &del->via.array.ptr[i];
			if (!str_ok(o, IPC_TAG_KEY_MAX, false))
				return "a tag key must be 1-64 bytes";
			*bytes += o->via.str.size + 1;
		}
	}
	return NULL;
}

const char *
ipc_admin_args_read(struct ipc_admin_args *a, const msgpack_object *map)
{
	*a = (struct ipc_admin_args){0};
	const msgpack_object *addrs = ipc_pack_get(map, "addrs");
	const msgpack_object *set = ipc_pack_get(map, "set");
	const msgpack_object *del = ipc_pack_get(map, "delete");
	const msgpack_object *level = ipc_pack_get(map, "level");
	const msgpack_object *members = ipc_pack_get(map, "members");
	size_t bytes;
	const char *why = args_check(addrs, set, del, &bytes);
	if (why != NULL)
		return why;
	if (level != NULL) {
		int i = ipc_pack_index(level, ipc_level_strs, ipc_level_MAX);
		if (i < 0)
			return "\"level\" must be debug, info, warn or error";
		a->level = (enum ipc_level)i;
		a->level_set = true;
	}
	if (members != NULL) {
		if (members->type != MSGPACK_OBJECT_BOOLEAN)
			return "\"members\" must be a boolean";
		a->members = members->via.boolean;
	}
	if (bytes == 0)
		return NULL;
	char *cursor = a->text = malloc(bytes);
	if (cursor == NULL)
		return "out of memory";
	for (uint32_t i = 0; addrs != NULL && i < addrs->via.array.size; i++)
		a->addrs[a->addr_count++] = put(&addrs->via.array.ptr[i],
						&cursor);
	for (uint32_t i = 0; set != NULL && i < set->via.map.size; i++) {
		const msgpack_object_kv *kv = &set->via.map.ptr[i];
		const char *k = put(&kv->key, &cursor);
		a->set[a->set_count++] = (struct service_kv){
			k, put(&kv->val, &cursor)};
	}
	for (uint32_t i = 0; del != NULL && i < del->via.array.size; i++)
		a->del[a->del_count++] = put(&del->via.array.ptr[i], &cursor);
	return NULL;
}

void
ipc_admin_args_destroy(struct ipc_admin_args *a)
{
	free(a->text);
	a->text = NULL;
}

/* ---- writing ------------------------------------------------------------ */

static void
pack_kv_map(struct ipc_packer *p, const char *key,
	    const struct service_kv *kv, size_t count)
{
	ipc_pack_str(p, key);
	ipc_pack_map(p, count);
	for (size_t i = 0; i < count; i++)
		ipc_pack_kstr(p, kv[i].key, kv[i].value);
}

void
ipc_admin_pack_member(struct ipc_packer *p, const struct ipc_member *m,
		      size_t extra)
{
	ipc_pack_map(p, 5 + extra);
	ipc_pack_kstr(p, "name", m->name);
	ipc_pack_kstr(p, "addr", m->addr);
	ipc_pack_kstr(p, "status", ipc_status_strs[m->status]);
	ipc_pack_kuint(p, "incarnation", m->incarnation);
	pack_kv_map(p, "tags", m->tags, m->tag_count);
}

/* {"ok": true, key: ...}: the frame's start. */
static void
ok_begin(struct ipc_packer *p, msgpack_sbuffer *sb, const char *key)
{
	ipc_pack_open(p, sb);
	ipc_pack_map(p, 2);
	ipc_pack_str(p, "ok");
	ipc_pack_bool(p, true);
	ipc_pack_str(p, key);
}

int
ipc_admin_info_encode(msgpack_sbuffer *sb, const struct ipc_info *info)
{
	struct ipc_packer p;
	ok_begin(&p, sb, "info");
	ipc_pack_map(&p, 9);
	ipc_pack_kstr(&p, "name", info->name);
	ipc_pack_kstr(&p, "addr", info->addr);
	ipc_pack_kstr(&p, "version", info->version);
	ipc_pack_kuint(&p, "incarnation", info->incarnation);
	ipc_pack_kuint(&p, "uptime_ms", info->uptime_ms);
	ipc_pack_str(&p, "members");
	ipc_pack_map(&p, ipc_status_MAX);
	for (int i = 0; i < ipc_status_MAX; i++)
		ipc_pack_kuint(&p, ipc_status_strs[i], info->members[i]);
	pack_kv_map(&p, "tags", info->tags, info->tag_count);
	pack_kv_map(&p, "listeners", info->listeners, info->listener_count);
	pack_kv_map(&p, "config", info->config, info->config_count);
	return ipc_pack_close(&p, ADMIN_RESPONSE_MAX);
}

int
ipc_admin_tags_encode(msgpack_sbuffer *sb, const struct service_kv *tags,
		      size_t count)
{
	struct ipc_packer p;
	ok_begin(&p, sb, "tags");
	ipc_pack_map(&p, count);
	for (size_t i = 0; i < count; i++)
		ipc_pack_kstr(&p, tags[i].key, tags[i].value);
	return ipc_pack_close(&p, ADMIN_RESPONSE_MAX);
}

int
ipc_admin_joined_encode(msgpack_sbuffer *sb, uint64_t joined)
{
	struct ipc_packer p;
	ok_begin(&p, sb, "joined");
	ipc_pack_uint(&p, joined);
	return ipc_pack_close(&p, ADMIN_RESPONSE_MAX);
}

int
ipc_admin_log_encode(msgpack_sbuffer *sb, const struct ipc_log *line)
{
	struct ipc_packer p;
	ipc_pack_open(&p, sb);
	ipc_pack_map(&p, 3);
	ipc_pack_kstr(&p, "time", line->time);
	ipc_pack_kstr(&p, "level", ipc_level_strs[line->level]);
	ipc_pack_kstr(&p, "text", line->text);
	return ipc_pack_close(&p, ADMIN_RESPONSE_MAX);
}

int
ipc_admin_member_event_encode(msgpack_sbuffer *sb,
			      enum ipc_member_event type,
			      const struct ipc_member *m)
{
	struct ipc_packer p;
	ipc_pack_open(&p, sb);
	ipc_admin_pack_member(&p, m, 1);
	ipc_pack_kstr(&p, "event", ipc_member_event_strs[type]);
	return ipc_pack_close(&p, ADMIN_RESPONSE_MAX);
}

/* ---- reading ------------------------------------------------------------ */

static int
take_enum(struct ipc_pack_reader *r, const msgpack_object *o,
	  const char *const *strs, int n)
{
	int i = o != NULL ? ipc_pack_index(o, strs, n) : -1;
	if (i < 0)
		ipc_pack_bad(r, RUMOR_EMALFORMED);
	return i < 0 ? 0 : i;
}

/* A required field. */
static const msgpack_object *
need(struct ipc_pack_reader *r, const msgpack_object *o)
{
	if (o == NULL)
		ipc_pack_bad(r, RUMOR_EMALFORMED);
	return o;
}

void
ipc_admin_read_kv(struct ipc_pack_reader *r, const msgpack_object *o,
		  size_t max, size_t value_max, const struct service_kv **kv,
		  size_t *count)
{
	*kv = NULL;
	*count = 0;
	if (ipc_pack_take(r, o, MSGPACK_OBJECT_MAP) == NULL)
		return;
	if (o->via.map.size > max) {
		ipc_pack_bad(r, RUMOR_EMALFORMED);
		return;
	}
	size_t n = o->via.map.size;
	struct service_kv *list = ipc_pack_alloc(r, n, sizeof(*list));
	for (size_t i = 0; list != NULL && i < n; i++) {
		const msgpack_object_kv *p = &o->via.map.ptr[i];
		list[i].key = ipc_pack_take_str(r, &p->key, IPC_TAG_KEY_MAX);
		list[i].value = ipc_pack_take_str(r, &p->val, value_max);
	}
	*kv = list;
	*count = list != NULL ? n : 0;
}

enum { M_NAME, M_ADDR, M_STATUS, M_INCARNATION, M_TAGS, M_MAX };

static const struct ipc_pack_key member_keys[M_MAX] = {
	IPC_PACK_KEY("name"), IPC_PACK_KEY("addr"), IPC_PACK_KEY("status"),
	IPC_PACK_KEY("incarnation"), IPC_PACK_KEY("tags"),
};

void
ipc_admin_read_member(struct ipc_pack_reader *r, const msgpack_object *m,
		      struct ipc_member *out)
{
	const msgpack_object *v[M_MAX];
	out->tags = NULL;
	out->tag_count = 0;
	ipc_pack_fields(ipc_pack_take(r, m, MSGPACK_OBJECT_MAP), member_keys,
			M_MAX, v);
	for (int i = 0; i < M_TAGS; i++)
		need(r, v[i]);
	if (r->err != 0)
		return;
	out->name = ipc_pack_take_str(r, v[M_NAME], SERVICE_NAME_MAX);
	out->addr = ipc_pack_take_str(r, v[M_ADDR], SERVICE_ADDRESS_MAX);
	out->status = (enum ipc_status)take_enum(r, v[M_STATUS],
						 ipc_status_strs,
						 ipc_status_MAX);
	out->incarnation = ipc_pack_take_uint(r, v[M_INCARNATION],
					      UINT64_MAX);
	if (v[M_TAGS] != NULL)
		ipc_admin_read_kv(r, v[M_TAGS], IPC_TAGS_MAX,
				  IPC_TAG_VALUE_MAX, &out->tags,
				  &out->tag_count);
}

static void
read_info(struct ipc_pack_reader *r, const msgpack_object *o,
	  struct ipc_info *out)
{
	if (ipc_pack_take(r, need(r, o), MSGPACK_OBJECT_MAP) == NULL)
		return;
	out->name = ipc_pack_take_str(r, need(r, ipc_pack_get(o, "name")),
				      SERVICE_NAME_MAX);
	out->addr = ipc_pack_take_str(r, need(r, ipc_pack_get(o, "addr")),
				      SERVICE_ADDRESS_MAX);
	out->version = ipc_pack_take_str(
		r, need(r, ipc_pack_get(o, "version")), 64);
	out->incarnation = ipc_pack_take_uint(
		r, need(r, ipc_pack_get(o, "incarnation")), UINT64_MAX);
	out->uptime_ms = ipc_pack_take_uint(
		r, need(r, ipc_pack_get(o, "uptime_ms")), UINT64_MAX);
	const msgpack_object *members = ipc_pack_take(
		r, need(r, ipc_pack_get(o, "members")), MSGPACK_OBJECT_MAP);
	for (int i = 0; members != NULL && i < ipc_status_MAX; i++) {
		const msgpack_object *n = ipc_pack_get(members,
						       ipc_status_strs[i]);
		out->members[i] = n != NULL ? ipc_pack_take_uint(r, n,
								 UINT64_MAX)
					    : 0;
	}
	ipc_admin_read_kv(r, need(r, ipc_pack_get(o, "tags")), IPC_TAGS_MAX,
			  IPC_TAG_VALUE_MAX, &out->tags, &out->tag_count);
	ipc_admin_read_kv(r, need(r, ipc_pack_get(o, "listeners")),
			  IPC_INFO_PAIRS_MAX, IPC_INFO_VALUE_MAX,
			  &out->listeners, &out->listener_count);
	ipc_admin_read_kv(r, need(r, ipc_pack_get(o, "config")),
			  IPC_INFO_PAIRS_MAX, IPC_INFO_VALUE_MAX,
			  &out->config, &out->config_count);
}

static void
read_log(struct ipc_pack_reader *r, const msgpack_object *o,
	 struct ipc_log *out)
{
	out->time = ipc_pack_take_str(r, need(r, ipc_pack_get(o, "time")),
				      64);
	out->level = (enum ipc_level)take_enum(r, ipc_pack_get(o, "level"),
					       ipc_level_strs, ipc_level_MAX);
	out->text = ipc_pack_take_str(r, need(r, ipc_pack_get(o, "text")),
				      IPC_LOG_TEXT_MAX);
}

void
ipc_admin_read(struct ipc_pack_reader *r, const msgpack_object *root,
	       enum ipc_admin_body body, struct ipc_admin_response *out)
{
	switch (body) {
	case IPC_ADMIN_INFO: {
		struct ipc_info *info = ipc_pack_alloc(r, 1, sizeof(*info));
		if (info != NULL)
			read_info(r, ipc_pack_get(root, "info"), info);
		out->info = info;
		break;
	}
	case IPC_ADMIN_TAGS:
		ipc_admin_read_kv(r, need(r, ipc_pack_get(root, "tags")),
				  IPC_TAGS_MAX, IPC_TAG_VALUE_MAX, &out->tags,
				  &out->tag_count);
		break;
	case IPC_ADMIN_JOINED:
		out->joined = ipc_pack_take_uint(
			r, need(r, ipc_pack_get(root, "joined")), UINT64_MAX);
		break;
	case IPC_ADMIN_LOG: {
		struct ipc_log *line = ipc_pack_alloc(r, 1, sizeof(*line));
		if (line != NULL)
			read_log(r, root, line);
		out->log = line;
		break;
	}
	case IPC_ADMIN_MEMBER_EVENT: {
		struct ipc_member *m = ipc_pack_alloc(r, 1, sizeof(*m));
		out->member_event = (enum ipc_member_event)take_enum(
			r, ipc_pack_get(root, "event"), ipc_member_event_strs,
			ipc_member_event_MAX);
		if (m != NULL)
			ipc_admin_read_member(r, root, m);
		out->member = m;
		break;
	}
	default:
		ipc_pack_bad(r, RUMOR_EMALFORMED);
		break;
	}
}
