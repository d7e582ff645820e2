/*
 * The local socket protocol's codec. Untrusted bytes only ever reach
 * msgpack-c through swim_proto_unpack(), which bounds every container by
 * the bytes that remain before anything is allocated.
 */
#include <string.h>

#include "ipc_proto.h"
#include "rumor/error.h"
#include "swim/swim_proto.h"

const char *const ipc_op_strs[ipc_op_MAX] = {"members", "leave", "stats"};

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

int
ipc_request_decode(struct ipc_request *req, const uint8_t *data, size_t size,
		   const char **why)
{
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
	msgpack_unpacked_destroy(&up);
	return rc;
}

int
ipc_request_encode(msgpack_sbuffer *sb, const struct ipc_request *req)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	ipc_frame_begin(sb);
	msgpack_pack_map(&pk, 1);
	ipc_pack_cstr(&pk, "op");
	ipc_pack_cstr(&pk, ipc_op_strs[req->op]);
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
ipc_response_decode(struct ipc_response *resp, const uint8_t *data,
		    size_t size)
{
	memset(resp, 0, sizeof(*resp));
	if (swim_proto_unpack(&resp->unpacked, data, size,
			      IPC_RESPONSE_CONTAINER_MAX,
			      IPC_RESPONSE_OBJECTS_MAX) != SWIM_DROP_NONE)
		return RUMOR_EMALFORMED;
	resp->root = &resp->unpacked.data;
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
