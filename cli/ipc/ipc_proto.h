/*
 * ipc_proto: the local socket protocol, the one schema the agent and the
 * client library share. Every request and every response, in both
 * directions, is a typed struct here with its encoder and its decoder.
 * Pure: bytes in, structs out (no libuv, no clock, no environment), so it
 * is fuzzed (tests/fuzz/fuzz_ipc_request.c, fuzz_ipc_response.c).
 *
 * Each frame is a 4-byte big-endian length and one msgpack map with string
 * keys. Decoders skip keys they do not know, so a newer peer may add
 * fields; the encoders write the fields in the order shown, which is the
 * order `rumor ... --json` prints them in. A request names its operation:
 *
 *	{"op": "members"}  {"op": "leave"}  {"op": "stats"}
 *	{"op": "services"}
 *	{"op": "register", "service": bin}    a one-service set in the
 *	                                      membership/service.h codec
 *	{"op": "deregister", "id": str}
 *	{"op": "pass", "id": str}             a TTL service's heartbeat
 *	{"op": "lookup", "name": str, "tag": str?, "all": bool}
 *	{"op": "pick", "name": str, "tag": str?, "policy": str}
 *	{"op": "watch", "name": str?}
 *	{"op": "watch", "members": true}      member events instead
 *	{"op": "join", "addrs": [str, ...]}   seeds, "HOST:PORT" (names are
 *	                                      resolved by the agent)
 *	{"op": "force-leave", "name": str}    a failed member, as left
 *	{"op": "info"}
 *	{"op": "tags", "set": {str: str}?, "delete": [str, ...]?}
 *	{"op": "monitor", "level": str?}      the agent's log, as it goes
 *
 * Every response carries "ok":
 *
 *	{"ok": false, "error": str, "code": int}   refused: one line why, and
 *	                                           its RUMOR_E* code (< 0)
 *	{"ok": true}                               leave, register,
 *	                                           deregister, pass, watch
 *	{"ok": true, "members": [member, ...]}     members
 *	{"ok": true, "stats": {str: uint, ...}}    stats, in the agent's order
 *	{"ok": true, "instances": [instance, ...]} lookup, by (node, id)
 *	{"ok": true, "instance": instance}         pick
 *	{"ok": true, "services": [summary, ...]}   services, by name
 *	{"ok": true, "joined": uint}               join: seeds that answered
 *	{"ok": true, "info": info}                 info
 *	{"ok": true, "tags": {str: str}}           tags: the node's, after
 *
 * and after a watch's ok, an "added" event per instance there is, then
 * one per change, each a frame of its own (no "ok"); a members watch
 * sends a member event per member, then one per change, and a monitor a
 * log line per line (ipc_admin.h has member, member event, log line and
 * info):
 *
 *	event    = {"event": "added"|"removed"|"health"|"updated", "node",
 *	            "id", "service", "address": str, "port": uint,
 *	            "health": "passing"|"critical"}
 *	instance = {"node", "id", "service", "address": str, "port": uint,
 *	            "tags": [str, ...], "meta": {str: str, ...},
 *	            "health": "passing"|"critical"}
 *	summary  = {"name": str, "healthy": uint, "total": uint}
 *
 * An instance's "address" is its own, or its node's when it has none.
 * To add a field to an answer: its struct below, its encoder and decoder
 * in ipc_proto.c, then whoever fills it (cli/agent/answer.c) and whoever
 * prints it.
 */
#ifndef RUMOR_IPC_PROTO_H
#define RUMOR_IPC_PROTO_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_admin.h"
#include "ipc_pack.h"
#include "membership/service.h"
/** Largest request the agent reads; longer ones close the connection. */
#define IPC_REQUEST_MAX (64 * 1024)
/** Largest response a client accepts (a members list of 10^5 nodes). */
#define IPC_RESPONSE_MAX (64u * 1024 * 1024)
/** Bytes in a name: a node's (SWIM_NAME_MAX, the same), a service's, an
 *  id, a tag or a meta key. */
#define IPC_NAME_MAX SERVICE_NAME_MAX
/** Bytes in an address: an instance's, or a member's "IP:PORT". */
#define IPC_ADDRESS_MAX SERVICE_ADDRESS_MAX

/** Where a client finds the agent when it is given no path: the
 *  environment variable, else the format with the user's uid (read by
 *  rumor_default_socket(), outside this pure module). */
#define IPC_SOCKET_ENV "RUMOR_SOCKET"
#define IPC_SOCKET_DEFAULT "/tmp/rumor-%u.sock"
/** A client's connect, and each of its sends and receives, must finish
 *  within this long (a watch then waits without a limit). */
#define IPC_CLIENT_TIMEOUT_MS 5000

/** Operations: append only (the names are protocol). */
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
	IPC_OP_JOIN,
	IPC_OP_FORCE_LEAVE,
	IPC_OP_INFO,
	IPC_OP_TAGS,
	IPC_OP_MONITOR,
	ipc_op_MAX
};

extern const char *const ipc_op_strs[ipc_op_MAX];

/** How a pick chooses among the healthy instances. */
enum ipc_policy {
	IPC_POLICY_RANDOM,
	IPC_POLICY_ROUND_ROBIN,
	ipc_policy_MAX
};

extern const char *const ipc_policy_strs[ipc_policy_MAX];

/** What changed, in a watch event (registry_event_type, in the same
 *  order). */
enum ipc_event_type {
	IPC_EVENT_ADDED,
	IPC_EVENT_REMOVED,
	IPC_EVENT_HEALTH,
	IPC_EVENT_UPDATED,
	ipc_event_type_MAX
};

extern const char *const ipc_event_type_strs[ipc_event_type_MAX];

/* ---- requests ---------------------------------------------------------- */

struct ipc_request {
	enum ipc_op op;
	/** register: the service, validated (decoded requests own it). */
	struct service_set reg;
	/** deregister, pass: the id; lookup, pick: the service name; watch:
	 *  the service name or "" for all; force-leave: the member. */
	char name[IPC_NAME_MAX + 1];
	/** lookup, pick: a tag to filter by, or "". */
	char tag[IPC_NAME_MAX + 1];
	/** lookup: critical instances too. */
	bool all;
	/** pick. */
	enum ipc_policy policy;
	/** join, tags, monitor, a members watch (decoded requests own
	 *  its strings). */
	struct ipc_admin_args admin;
};

/** Encode a whole request frame, appended to sb (register:
 *  req->reg.services[0]). 0, RUMOR_ENOMEM or RUMOR_ETOOBIG (past
 *  IPC_REQUEST_MAX); on error sb is as it was. */
int
ipc_request_encode(msgpack_sbuffer *sb, const struct ipc_request *req);

/** Decode a request payload (after the prefix). Returns 0, or
 *  RUMOR_EMALFORMED with *why set to a static sentence. */
int
ipc_request_decode(struct ipc_request *req, const uint8_t *data, size_t size,
		   const char **why);

/** Free what a decoded request owns. */
void
ipc_request_destroy(struct ipc_request *req);

/** The payload length announced by a frame prefix. */
uint32_t
ipc_frame_len(const uint8_t prefix[IPC_PREFIX]);

/* ---- responses ---------------------------------------------------------- */

/** What an ok response carries, after "ok": true. */
enum ipc_body {
	/** Nothing more. */
	IPC_BODY_NONE,
	/** "members": [member, ...]. */
	IPC_BODY_MEMBERS,
	/** "stats": {name: value, ...}. */
	IPC_BODY_STATS,
	/** "instances": [instance, ...]. */
	IPC_BODY_INSTANCES,
	/** "instance": instance. */
	IPC_BODY_INSTANCE,
	/** "services": [summary, ...]. */
	IPC_BODY_SERVICES,
	/** Not a response: a watch's event frame (no "ok"). */
	IPC_BODY_EVENT,
	/** The operator's (ipc_admin.h), in enum ipc_admin_body's order:
	 *  "info", "tags", "joined", and the stream frames of a monitor
	 *  (log lines) and a members watch (member events). */
	IPC_BODY_INFO,
	IPC_BODY_TAGS,
	IPC_BODY_JOINED,
	IPC_BODY_LOG,
	IPC_BODY_MEMBER_EVENT,
	ipc_body_MAX
};

/** The body of the ok answer to op (IPC_BODY_NONE for a watch, whose
 *  events follow as IPC_BODY_EVENT frames). */
enum ipc_body
ipc_op_body(enum ipc_op op);

/** One counter of the agent's. */
struct ipc_stat {
	const char *name;
	uint64_t value;
};

/** One service instance somewhere in the cluster. */
struct ipc_instance {
	/** The node it is registered on. */
	const char *node;
	const char *id;
	/** The service's name. */
	const char *service;
	/** Its own address, or its node's when it has none. */
	const char *address;
	uint16_t port;
	const char *const *tags;
	size_t tag_count;
	const struct service_kv *meta;
	size_t meta_count;
	/** Passing and its node up ("passing"; else "critical"). */
	bool healthy;
};

/** One service name with its instance counts. */
struct ipc_summary {
	const char *name;
	uint64_t healthy;
	uint64_t total;
};

/** One change to the cluster's services, or one instance of a watch's
 *  first snapshot (as IPC_EVENT_ADDED). */
struct ipc_event {
	enum ipc_event_type type;
	const char *node;
	const char *id;
	const char *service;
	const char *address;
	uint16_t port;
	/** Passing and its node up (false once removed). */
	bool healthy;
};

/** A whole {"ok": true} frame appended to sb: 0 or RUMOR_ENOMEM (sb as
 *  it was). */
int
ipc_ok_encode(msgpack_sbuffer *sb);

/** A whole {"ok": false, "error": why, "code": code} frame appended to
 *  sb (code a negative RUMOR_E*): 0 or RUMOR_ENOMEM (sb as it was). */
int
ipc_error_encode(msgpack_sbuffer *sb, int code, const char *why);

/** A whole watch event frame appended to sb: 0 or RUMOR_ENOMEM (sb as
 *  it was). */
int
ipc_event_encode(msgpack_sbuffer *sb, const struct ipc_event *ev);

/**
 * An ok answer written item by item, so that a long list (10^5 members)
 * goes straight from its source into the frame:
 *
 *	struct ipc_writer w;
 *	ipc_writer_begin(&w, sb, IPC_BODY_MEMBERS, count);
 *	for (...) ipc_write_member(&w, &m);
 *	rc = ipc_writer_end(&w);
 *
 * The first failure sticks (later writes do nothing) and _end() reports
 * it, with sb back as it was before _begin(): an answer is whole or not
 * there, never a malformed frame.
 */
struct ipc_writer {
	struct ipc_packer p;
	enum ipc_body body;
	/** Items still to write. */
	size_t left;
};

/** Begin an ok frame with `count` items of `body` (1 for
 *  IPC_BODY_INSTANCE, 0 for IPC_BODY_NONE; not IPC_BODY_EVENT). */
void
ipc_writer_begin(struct ipc_writer *w, msgpack_sbuffer *sb,
		 enum ipc_body body, size_t count);

/** For IPC_BODY_MEMBERS. */
void
ipc_write_member(struct ipc_writer *w, const struct ipc_member *m);

/** For IPC_BODY_STATS. */
void
ipc_write_stat(struct ipc_writer *w, const struct ipc_stat *s);

/** For IPC_BODY_INSTANCES and IPC_BODY_INSTANCE. */
void
ipc_write_instance(struct ipc_writer *w, const struct ipc_instance *in);

/** For IPC_BODY_SERVICES. */
void
ipc_write_summary(struct ipc_writer *w, const struct ipc_summary *s);

/** Finish the frame: 0, RUMOR_ENOMEM, RUMOR_ETOOBIG (past
 *  IPC_RESPONSE_MAX) or RUMOR_EINVAL (not `count` items, or an item of
 *  another body); on error sb is as it was before ipc_writer_begin(). */
int
ipc_writer_end(struct ipc_writer *w);

/**
 * A decoded response (or event frame). Every string is NUL-terminated
 * and, like every array, lives in `unpacked`'s zone: all valid until
 * ipc_response_destroy(), and the payload the response came from may be
 * freed at once.
 */
struct ipc_response {
	bool ok;
	/** When !ok: the agent's RUMOR_E* code (RUMOR_ESTATE from an agent
	 *  that sends none) and its reason ("" when it gave none). */
	int code;
	const char *error;
	/** When ok: what it carries; count items in the array of that body
	 *  (1 for IPC_BODY_INSTANCE and IPC_BODY_EVENT, 0 for none). */
	enum ipc_body body;
	size_t count;
	const struct ipc_member *members;
	const struct ipc_stat *stats;
	const struct ipc_instance *instances;
	const struct ipc_summary *services;
	const struct ipc_event *event;
	/** The operator's bodies (IPC_BODY_INFO and after). */
	struct ipc_admin_response admin;
	msgpack_unpacked unpacked;
};

/**
 * Decode a payload (after the prefix) that should be an answer carrying
 * `body` (or an event frame, for IPC_BODY_EVENT). Returns 0 (release with
 * ipc_response_destroy()), or RUMOR_EMALFORMED / RUMOR_ENOMEM with
 * nothing to release. An error frame decodes whatever body was expected.
 */
int
ipc_response_decode(struct ipc_response *resp, enum ipc_body body,
		    const uint8_t *data, size_t size);

/** Free what a decoded response holds (a zeroed one: nothing). */
void
ipc_response_destroy(struct ipc_response *resp);

#endif /* RUMOR_IPC_PROTO_H */
