/*
 * ipc_proto: the local socket protocol, shared by the agent and the client
 * commands. Pure: bytes in, structs out, so it can be fuzzed.
 *
 * Each frame is a 4-byte big-endian length and one msgpack map with string
 * keys. A request names its operation:
 *
 *	{"op": "members"}  {"op": "leave"}  {"op": "stats"}
 *	{"op": "register", "service": bin}    a one-service set in the
 *	                                      membership/service.h codec
 *	{"op": "deregister", "id": str}
 *	{"op": "pass", "id": str}             a TTL service's heartbeat
 *	{"op": "lookup", "name": str, "tag": str?, "all": bool?}
 *	{"op": "pick", "name": str, "tag": str?, "policy": str?}
 *	{"op": "services"}
 *	{"op": "watch", "name": str?}         then an "added" frame per
 *	                                      instance there is, and one
 *	                                      frame per change:
 *	    {"event": "added"|"removed"|"health"|"updated", "node", "id",
 *	     "service", "address", "port", "health"}
 *
 * Every response carries "ok" (bool); on false, "error" (str) says why; on
 * true, the operation's fields follow ("members": an array of {"name",
 * "addr", "status", "incarnation"}; "stats": a map of counters;
 * "instances": an array of {"node", "id", "service", "address", "port",
 * "tags", "meta", "health"}; "instance": one of those; "services": an
 * array of {"name", "healthy", "total"}).
 */
#ifndef RUMOR_IPC_PROTO_H
#define RUMOR_IPC_PROTO_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "membership/registry.h"
#include "membership/service.h"

/** Length prefix of every frame. */
#define IPC_PREFIX 4
/** Largest request the agent reads; longer ones close the connection. */
#define IPC_REQUEST_MAX (64 * 1024)
/** Largest response a client accepts (a members list of 10^5 nodes). */
#define IPC_RESPONSE_MAX (64u * 1024 * 1024)

enum ipc_op {
	IPC_OP_MEMBERS,
	IPC_OP_LEAVE,
	IPC_OP_STATS,
	IPC_OP_REGISTER,
	IPC_OP_DEREGISTER,
	IPC_OP_LOOKUP,
	IPC_OP_PICK,
	IPC_OP_SERVICES,
	IPC_OP_WATCH,
	IPC_OP_PASS,
	ipc_op_MAX
};

extern const char *const ipc_op_strs[ipc_op_MAX];

struct ipc_request {
	enum ipc_op op;
	/** register: the service, validated (decoded requests own it). */
	struct service_set reg;
	/** deregister: the id; lookup, pick: the service name; watch: the
	 *  service name or "" for all. */
	char name[SERVICE_NAME_MAX + 1];
	/** lookup, pick: a tag to filter by, or "". */
	char tag[SERVICE_NAME_MAX + 1];
	/** lookup: critical instances too. */
	bool all;
	/** pick. */
	enum registry_policy policy;
};

/** Free what a decoded request owns. */
void
ipc_request_destroy(struct ipc_request *req);

/** The payload length announced by a frame prefix. */
uint32_t
ipc_frame_len(const uint8_t prefix[IPC_PREFIX]);

/** Reserve the prefix at the start of an empty buffer. */
void
ipc_frame_begin(msgpack_sbuffer *sb);

/** Patch the prefix; RUMOR_ETOOBIG past IPC_RESPONSE_MAX. */
int
ipc_frame_end(msgpack_sbuffer *sb);

/** Decode a request payload (after the prefix). Returns 0, or
 *  RUMOR_EMALFORMED with *why set to a static sentence. */
int
ipc_request_decode(struct ipc_request *req, const uint8_t *data, size_t size,
		   const char **why);

/** Encode a whole request frame (register: req->reg.services[0]). */
int
ipc_request_encode(msgpack_sbuffer *sb, const struct ipc_request *req);

/** Pack a NUL-terminated string. */
void
ipc_pack_cstr(msgpack_packer *pk, const char *s);

/** A whole response frame {"ok": true}. */
int
ipc_ok_encode(msgpack_sbuffer *sb);

/** A whole error response frame: {"ok": false, "error": why}. */
int
ipc_error_encode(msgpack_sbuffer *sb, const char *why);

/** A decoded response. Objects point into the caller's bytes and the
 *  unpacked zone: valid until ipc_response_destroy(). */
struct ipc_response {
	bool ok;
	const char *error;
	size_t error_len;
	const msgpack_object *root;
	msgpack_unpacked unpacked;
};

int
ipc_response_decode(struct ipc_response *resp, const uint8_t *data,
		    size_t size);

void
ipc_response_destroy(struct ipc_response *resp);

/** The string at map[key] into buf (cut to size - 1 bytes; "" when it
 *  is missing or not a string). */
void
ipc_copy_str(const msgpack_object *map, const char *key, char *buf,
	     size_t size);

/** A watch event frame's payload (a map; no "ok"): 0 or
 *  RUMOR_EMALFORMED. Release with ipc_response_destroy(). */
int
ipc_event_decode(struct ipc_response *resp, const uint8_t *data,
		 size_t size);

/** The value under a string key of a map object, or NULL. */
const msgpack_object *
ipc_map_get(const msgpack_object *map, const char *key);

#endif /* RUMOR_IPC_PROTO_H */
