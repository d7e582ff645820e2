/*
 * The local socket protocol's codec. Untrusted bytes only ever reach
 * msgpack-c through swim_proto_unpack(), which bounds every container by
 * the bytes that remain before anything is allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_proto.h"
#include "rumor/error.h"
#include "swim/swim_proto.h"

const char *const ipc_op_strs[ipc_op_MAX] = {
	"members", "leave", "stats", "register", "deregister", "lookup",
	"pick", "services", "watch", "pass",
};

/* A request is a small map; a response may list many members. */
#define IPC_REQUEST_CONTAINER_MAX 16
#define IPC_REQUEST_OBJECTS_MAX 64
#define IPC_RESPONSE_CONTAINER_MAX (1u << 20)
#define IPC_RESPONSE_OBJECTS_MAX (16u << 20)

uint32_t
ipc_frame_len(const uint8_t prefix[IPC_PREFIX])
{
	return (uint32_t)prefix[0] << 24 | (uint32_t)prefix[1] << 16 |
	       (uint32_t)prefix[2] << 8 | (uint32_t)prefix[3];
}

void
ipc_frame_begin(msgpack_sbuffer *sb)
{
	static const char zero[IPC_PREFIX];
	msgpack_sbuffer_write(sb, zero, IPC_PREFIX);
}

int
ipc_frame_end(msgpack_sbuffer *sb)
{
	if (sb->data == NULL || sb->size < IPC_PREFIX)
		return RUMOR_ENOMEM;
	size_t len = sb->size - IPC_PREFIX;
	if (len > IPC_RESPONSE_MAX)
		return RUMOR_ETOOBIG;
	uint8_t *p = (uint8_t *)sb->data;
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	return 0;
}

void
ipc_pack_cstr(msgpack_packer *pk, const char *s)
{
	size_t len = strlen(s);
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, s, len);
}

const msgpack_object *
ipc_map_get(const msgpack_object *map, const char *key)
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

/* An optional short string field into buf ("" when absent). */
static bool
get_name(const msgpack_object *map, const char *key, char *buf,
	 bool required)
{
	const msgpack_object *o = ipc_map_get(map, key);
	buf[0] = '\0';
	if (o == NULL)
		return !required;
	if (o->type != MSGPACK_OBJECT_STR || o->via.str.size == 0 ||
	    o->via.str.size > SERVICE_NAME_MAX ||
	    memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL)
		return false;
	memcpy(buf, o->via.str.ptr, o->via.str.size);
	buf[o->via.str.size] = '\0';
	return true;
}

/* The operation's arguments; NULL or why they are wrong. */
static const char *
decode_args(struct ipc_request *req, const msgpack_object *map)
{
	const msgpack_object *o;
	switch (req->op) {
	case IPC_OP_REGISTER:
		o = ipc_map_get(map, "service");
		if (o == NULL || o->type != MSGPACK_OBJECT_BIN)
			return "register needs a \"service\" (bin)";
		const char *why = "bad service";
		if (service_set_decode(&req->reg, (const uint8_t *)o->via.bin.ptr,
				       o->via.bin.size, &why) != 0)
			return why;
		if (req->reg.count != 1) {
			service_set_destroy(&req->reg);
			return "register takes exactly one service";
		}
		return NULL;
	case IPC_OP_WATCH:
		return get_name(map, "name", req->name, false)
			? NULL : "a \"name\" must be 1-64 bytes";
	case IPC_OP_DEREGISTER:
	case IPC_OP_PASS:
		return get_name(map, "id", req->name, true)
			? NULL : "an \"id\" (1-64 bytes) is needed";
	case IPC_OP_LOOKUP:
	case IPC_OP_PICK:
		if (!get_name(map, "name", req->name, true))
			return "a \"name\" (1-64 bytes) is needed";
		if (!get_name(map, "tag", req->tag, false))
			return "a \"tag\" must be 1-64 bytes";
		o = ipc_map_get(map, "all");
		if (o != NULL && o->type != MSGPACK_OBJECT_BOOLEAN)
			return "\"all\" must be a boolean";
		req->all = o != NULL && o->via.boolean;
		o = ipc_map_get(map, "policy");
		if (o == NULL)
			return NULL;
		for (int i = 0; o->type == MSGPACK_OBJECT_STR &&
				i < registry_policy_MAX; i++) {
			const char *p = registry_policy_strs[i];
			if (o->via.str.size == strlen(p) &&
			    memcmp(o->via.str.ptr, p, o->via.str.size) == 0) {
				req->policy = (enum registry_policy)i;
				return NULL;
			}
		}
		return "\"policy\" must be random or round-robin";
	default:
		return NULL;
	}
}

int
ipc_request_decode(struct ipc_request *req, const uint8_t *data, size_t size,
		   const char **why)
{
	memset(req, 0, sizeof(*req));
	msgpack_unpacked up;
	if (size > IPC_REQUEST_MAX ||
	    swim_proto_unpack(&up, data, size, IPC_REQUEST_CONTAINER_MAX,
			      IPC_REQUEST_OBJECTS_MAX) != SWIM_DROP_NONE) {
		*why = "request is not a valid msgpack value";
		return RUMOR_EMALFORMED;
	}
	int rc = RUMOR_EMALFORMED;
	const msgpack_object *op = ipc_map_get(&up.data, "op");
	if (up.data.type != MSGPACK_OBJECT_MAP)
		*why = "request must be a map";
	else if (op == NULL || op->type != MSGPACK_OBJECT_STR)
		*why = "request needs an \"op\" string";
	else
		*why = "unknown op";
	for (int i = 0; op != NULL && op->type == MSGPACK_OBJECT_STR &&
			i < ipc_op_MAX; i++) {
		const char *name = ipc_op_strs[i];
		if (op->via.str.size == strlen(name) &&
		    memcmp(op->via.str.ptr, name, op->via.str.size) == 0) {
			req->op = (enum ipc_op)i;
			rc = 0;
		}
	}
	if (rc == 0) {
		const char *bad = decode_args(req, &up.data);
		if (bad != NULL) {
			*why = bad;
			rc = RUMOR_EMALFORMED;
			service_set_destroy(&req->reg);
		}
	}
	msgpack_unpacked_destroy(&up);
	return rc;
}

void
ipc_request_destroy(struct ipc_request *req)
{
	service_set_destroy(&req->reg);
}

int
ipc_request_encode(msgpack_sbuffer *sb, const struct ipc_request *req)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	ipc_frame_begin(sb);
	bool named = req->op == IPC_OP_LOOKUP || req->op == IPC_OP_PICK;
	bool watch_name = req->op == IPC_OP_WATCH && req->name[0] != '\0';
	size_t fields = 1 + (req->op == IPC_OP_REGISTER) +
			(req->op == IPC_OP_DEREGISTER ||
			 req->op == IPC_OP_PASS) + watch_name +
			(named ? 2 + (req->tag[0] != '\0') : 0);
	msgpack_pack_map(&pk, fields);
	ipc_pack_cstr(&pk, "op");
	ipc_pack_cstr(&pk, ipc_op_strs[req->op]);
	if (req->op == IPC_OP_REGISTER) {
		uint8_t *bytes;
		size_t size;
		int rc = service_set_encode(0, req->reg.services, 1, &bytes,
					    &size);
		if (rc != 0)
			return rc;
		ipc_pack_cstr(&pk, "service");
		msgpack_pack_bin(&pk, size);
		msgpack_pack_bin_body(&pk, bytes, size);
		free(bytes);
	}
	if (req->op == IPC_OP_DEREGISTER || req->op == IPC_OP_PASS) {
		ipc_pack_cstr(&pk, "id");
		ipc_pack_cstr(&pk, req->name);
	}
	if (watch_name) {
		ipc_pack_cstr(&pk, "name");
		ipc_pack_cstr(&pk, req->name);
	}
	if (named) {
		ipc_pack_cstr(&pk, "name");
		ipc_pack_cstr(&pk, req->name);
		if (req->tag[0] != '\0') {
			ipc_pack_cstr(&pk, "tag");
			ipc_pack_cstr(&pk, req->tag);
		}
		if (req->op == IPC_OP_LOOKUP) {
			ipc_pack_cstr(&pk, "all");
			if (req->all)
				msgpack_pack_true(&pk);
			else
				msgpack_pack_false(&pk);
		} else {
			ipc_pack_cstr(&pk, "policy");
			ipc_pack_cstr(&pk, registry_policy_strs[req->policy]);
		}
	}
	return ipc_frame_end(sb);
}

int
ipc_ok_encode(msgpack_sbuffer *sb)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	ipc_frame_begin(sb);
	msgpack_pack_map(&pk, 1);
	ipc_pack_cstr(&pk, "ok");
	msgpack_pack_true(&pk);
	return ipc_frame_end(sb);
}

int
ipc_error_encode(msgpack_sbuffer *sb, const char *why)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	ipc_frame_begin(sb);
	msgpack_pack_map(&pk, 2);
	ipc_pack_cstr(&pk, "ok");
	msgpack_pack_false(&pk);
	ipc_pack_cstr(&pk, "error");
	ipc_pack_cstr(&pk, why);
	return ipc_frame_end(sb);
}

int
ipc_event_decode(struct ipc_response *resp, const uint8_t *data,
		 size_t size)
{
	memset(resp, 0, sizeof(*resp));
	if (swim_proto_unpack(&resp->unpacked, data, size,
			      IPC_RESPONSE_CONTAINER_MAX,
			      IPC_RESPONSE_OBJECTS_MAX) != SWIM_DROP_NONE)
		return RUMOR_EMALFORMED;
	resp->root = &resp->unpacked.data;
	if (resp->root->type != MSGPACK_OBJECT_MAP) {
		msgpack_unpacked_destroy(&resp->unpacked);
		return RUMOR_EMALFORMED;
	}
	resp->ok = true;
	return 0;
}

int
ipc_response_decode(struct ipc_response *resp, const uint8_t *data,
		    size_t size)
{
	if (ipc_event_decode(resp, data, size) != 0)
		return RUMOR_EMALFORMED;
	const msgpack_object *ok = ipc_map_get(resp->root, "ok");
	if (ok == NULL || ok->type != MSGPACK_OBJECT_BOOLEAN) {
		msgpack_unpacked_destroy(&resp->unpacked);
		return RUMOR_EMALFORMED;
	}
	resp->ok = ok->via.boolean;
	const msgpack_object *err = ipc_map_get(resp->root, "error");
	if (err != NULL && err->type == MSGPACK_OBJECT_STR) {
		resp->error = err->via.str.ptr;
		resp->error_len = err->via.str.size;
	}
	return 0;
}

void
ipc_response_destroy(struct ipc_response *resp)
{
	msgpack_unpacked_destroy(&resp->unpacked);
}

void
ipc_copy_str(const msgpack_object *map, const char *key, char *buf,
	     size_t size)
{
	const msgpack_object *o = ipc_map_get(map, key);
	size_t n = 0;
	if (o != NULL && o->type == MSGPACK_OBJECT_STR) {
		n = o->via.str.size < size - 1 ? o->via.str.size : size - 1;
		if (n > 0)
			memcpy(buf, o->via.str.ptr, n);
	}
	buf[n] = '\0';
}
