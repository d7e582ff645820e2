/*
 * ipc_admin: the operator's part of the socket protocol's one schema
 * (ipc_proto.h lists every request and answer; this module holds the
 * records and the arguments of the operator's requests, and how they are
 * packed and read): members with their tags, member events, the agent's
 * info, a node's tags, log lines, and the arguments of join, tags and
 * monitor. ipc_proto.c dispatches to it. Pure, fuzzed with the rest.
 *
 *	member       = {"name": str, "addr": "IP:PORT", "status": "alive"|
 *	                "suspect"|"failed"|"left", "incarnation": uint,
 *	                "tags": {str: str, ...}}      ("tags" absent from
 *	                                               agents before tags)
 *	member event = {"event": "status"|"update"|"removed", member...}
 *	log line     = {"time": "2026-01-02T03:04:05.678Z", "level":
 *	                "debug"|"info"|"warn"|"error", "text": str}
 *	info         = {"name", "addr", "version": str, "incarnation",
 *	                "uptime_ms": uint, "members": {status: uint, ...},
 *	                "tags": {str: str}, "listeners": {str: str},
 *	                "config": {str: str}}
 *
 * Arguments, each under its key in the request map:
 *
 *	"addrs": [str, ...]         join: 1..IPC_JOIN_ADDRS_MAX "HOST:PORT"
 *	"set": {str: str}           tags: pairs to set
 *	"delete": [str, ...]        tags: keys to remove
 *	"level": str                monitor: the least level streamed
 *	"members": true             watch: member events, not services
 */
#ifndef RUMOR_IPC_ADMIN_H
#define RUMOR_IPC_ADMIN_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_pack.h"
#include "membership/service.h"

/** Seeds one join names at most (swim's SWIM_JOIN_ADDRS_MAX). */
#define IPC_JOIN_ADDRS_MAX 16
/** Bytes of one "HOST:PORT" (a DNS name of 253, ':' and a port). */
#define IPC_JOIN_ADDR_MAX 261
/** Tags one request or answer carries at most, and their sizes
 *  (membership/node_tags.h has the limits the agent enforces). */
#define IPC_TAGS_MAX 64
#define IPC_TAG_KEY_MAX 64
#define IPC_TAG_VALUE_MAX 255
/** Bytes of a log line's text, and of an info value. */
#define IPC_LOG_TEXT_MAX 1024
#define IPC_INFO_VALUE_MAX 4096
/** Pairs of an info's "listeners" or "config". */
#define IPC_INFO_PAIRS_MAX 64

/** A member's status (swim_status, in the same order). */
enum ipc_status {
	IPC_STATUS_ALIVE,
	IPC_STATUS_SUSPECT,
	IPC_STATUS_FAILED,
	IPC_STATUS_LEFT,
	ipc_status_MAX
};

extern const char *const ipc_status_strs[ipc_status_MAX];

/** Log levels (the agent's enum log_level, in the same order). */
enum ipc_level {
	IPC_LEVEL_DEBUG,
	IPC_LEVEL_INFO,
	IPC_LEVEL_WARN,
	IPC_LEVEL_ERROR,
	ipc_level_MAX
};

extern const char *const ipc_level_strs[ipc_level_MAX];

/** What a member event says (swim_event_type, in the same order). */
enum ipc_member_event {
	IPC_MEMBER_STATUS,
	IPC_MEMBER_UPDATE,
	IPC_MEMBER_REMOVED,
	ipc_member_event_MAX
};

extern const char *const ipc_member_event_strs[ipc_member_event_MAX];

/** One member of the cluster as the agent sees it. */
struct ipc_member {
	const char *name;
	/** "IP:PORT". */
	const char *addr;
	enum ipc_status status;
	uint64_t incarnation;
	/** Sorted by key. */
	const struct service_kv *tags;
	size_t tag_count;
};

/** One line of the agent's log. */
struct ipc_log {
	/** UTC, ISO 8601 with milliseconds. */
	const char *time;
	enum ipc_level level;
	const char *text;
};

/** The agent about itself. */
struct ipc_info {
	const char *name;
	/** The address it advertises. */
	const char *addr;
	const char *version;
	uint64_t incarnation;
	uint64_t uptime_ms;
	/** Members by status, itself included. */
	uint64_t members[ipc_status_MAX];
	const struct service_kv *tags;
	size_t tag_count;
	/** What listens where ("gossip", "socket", "http", "dns"). */
	const struct service_kv *listeners;
	size_t listener_count;
	/** The configuration in effect, as flag names without "--". */
	const struct service_kv *config;
	size_t config_count;
};

/** The arguments of join, tags, monitor and a members watch. A decoded
 *  request owns its strings (in text; ipc_admin_args_destroy()). */
struct ipc_admin_args {
	const char *addrs[IPC_JOIN_ADDRS_MAX];
	size_t addr_count;
	struct service_kv set[IPC_TAGS_MAX];
	size_t set_count;
	const char *del[IPC_TAGS_MAX];
	size_t del_count;
	/** monitor: the least level; level_set when given. */
	enum ipc_level level;
	bool level_set;
	/** watch: of members. */
	bool members;
	char *text;
};

/** Map entries the set arguments take, and their packing. */
size_t
ipc_admin_args_count(const struct ipc_admin_args *a);
void
ipc_admin_args_pack(struct ipc_packer *p, const struct ipc_admin_args *a);

/** Read whichever arguments a request map holds into a (zeroed first):
 *  NULL, or why they are wrong (a static sentence; nothing to free). */
const char *
ipc_admin_args_read(struct ipc_admin_args *a, const msgpack_object *map);

void
ipc_admin_args_destroy(struct ipc_admin_args *a);

/** A member's fields, as a map of its own (extra: entries the caller
 *  packs after, such as an event's "event"). */
void
ipc_admin_pack_member(struct ipc_packer *p, const struct ipc_member *m,
		      size_t extra);

/** A member record from a map (tags optional). */
void
ipc_admin_read_member(struct ipc_pack_reader *r, const msgpack_object *m,
		      struct ipc_member *out);

/** A {str: str} map of at most max pairs, values of at most value_max
 *  bytes, into a zone array. */
void
ipc_admin_read_kv(struct ipc_pack_reader *r, const msgpack_object *o,
		  size_t max, size_t value_max, const struct service_kv **kv,
		  size_t *count);

/** Whole frames: {"ok": true, "info": info}, {"ok": true, "tags": {}},
 *  {"ok": true, "joined": n}, a log line, a member event. 0 or
 *  RUMOR_ENOMEM / RUMOR_ETOOBIG (sb as it was). */
int
ipc_admin_info_encode(msgpack_sbuffer *sb, const struct ipc_info *info);
int
ipc_admin_tags_encode(msgpack_sbuffer *sb, const struct service_kv *tags,
		      size_t count);
int
ipc_admin_joined_encode(msgpack_sbuffer *sb, uint64_t joined);
int
ipc_admin_log_encode(msgpack_sbuffer *sb, const struct ipc_log *line);
int
ipc_admin_member_event_encode(msgpack_sbuffer *sb,
			      enum ipc_member_event type,
			      const struct ipc_member *m);

/** What the answers above carry, decoded. */
struct ipc_admin_response {
	const struct ipc_info *info;
	/** tags: the node's tags after the change. */
	const struct service_kv *tags;
	size_t tag_count;
	uint64_t joined;
	const struct ipc_log *log;
	enum ipc_member_event member_event;
	const struct ipc_member *member;
};

/** Which of them a body is. */
enum ipc_admin_body {
	IPC_ADMIN_INFO,
	IPC_ADMIN_TAGS,
	IPC_ADMIN_JOINED,
	IPC_ADMIN_LOG,
	IPC_ADMIN_MEMBER_EVENT,
	ipc_admin_body_MAX
};

/** Read an ok answer's (or a stream frame's) body of that kind. */
void
ipc_admin_read(struct ipc_pack_reader *r, const msgpack_object *root,
	       enum ipc_admin_body body, struct ipc_admin_response *out);

#endif /* RUMOR_IPC_ADMIN_H */
