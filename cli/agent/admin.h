/*
 * admin: the operator's requests on the local socket. `rumor join`
 * (seeds resolved by seeds.c, the node joined through them, the answer
 * once they answered or ADMIN_JOIN_WAIT_MS passed), `rumor force-leave`
 * (node_force_leave), `rumor tags` (node_set_tags: the node's tags, with
 * those of the config file at start and on SIGHUP), and `rumor info`
 * (the agent about itself, from what the agent gathers).
 *
 * Like answer.c, each admin_*() request handler writes one whole frame
 * into an empty `out`, or returns IPC_SERVER_REPLY_LATER for a join,
 * answered from admin_pump() through ipc_server_answer().
 */
#ifndef RUMOR_ADMIN_H
#define RUMOR_ADMIN_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "cli/ipc/ipc_proto.h"
#include "ipc_server.h"
#include "membership/node.h"
#include "seeds.h"

/** Joins waiting for their seeds at once at most. */
#define ADMIN_JOINS_MAX 16
/** How long a join waits for a seed to answer before it says none did
 *  (the node keeps trying): below the client's 5 s. */
#define ADMIN_JOIN_WAIT_MS 3000

/** A `rumor join` under way. */
struct admin_join {
	struct admin *owner;
	bool used;
	/** The connection to answer (ipc_server_request_id()). */
	uint64_t conn;
	struct seeds_batch *batch;
	/** Resolved, joined, waiting for answers from addrs. */
	bool joining;
	struct swim_addr addrs[SEEDS_MAX];
	size_t addr_count;
	/** addrs[i] answered a push-pull since. */
	bool answered[SEEDS_MAX];
	uint64_t deadline_ms;
	char failures[256];
};

struct admin {
	uv_loop_t *loop;
	/** Borrowed. */
	struct node *node;
	struct ipc_server *ipc;
	/** Called after an input to the node, for the driver to pump. */
	void (*changed)(void *arg);
	void *changed_arg;
	uv_timer_t timer;
	bool timer_open;
	struct admin_join joins[ADMIN_JOINS_MAX];
};

/** Set up (nothing to fail); admin_close() is then enough. */
void
admin_init(struct admin *ad, uv_loop_t *loop, struct node *node,
	   struct ipc_server *ipc, void (*changed)(void *arg), void *arg);

/** join: resolve, join, answer later (or now, for bad seeds). */
enum ipc_server_reply
admin_join(struct admin *ad, const struct ipc_request *req,
	   msgpack_sbuffer *out);

/** force-leave NAME. */
void
admin_force_leave(struct admin *ad, const struct ipc_request *req,
		  msgpack_sbuffer *out);

/** tags: set and delete, then the node's tags. */
void
admin_tags(struct admin *ad, const struct ipc_request *req,
	   msgpack_sbuffer *out);

/** Replace the node's tags (the config file's): 0, or the error code
 *  with err one line naming the tag. The caller pumps the node. */
int
admin_set_tags(struct admin *ad, const struct service_kv *tags,
	       size_t count, char *err);

/** info, with what only the agent knows filled in by it (name, addr,
 *  version, uptime, listeners, config); the rest from the node. */
void
admin_info(struct admin *ad, struct ipc_info *info, msgpack_sbuffer *out);

/** A push-pull we started to addr was answered (pushpull.h
 *  last_answer): the joins waiting for it count it. */
void
admin_answered(struct admin *ad, const struct swim_addr *addr);

/** After every input: answer the joins whose seeds all answered, or
 *  whose wait is over (ok when one did). */
void
admin_pump(struct admin *ad);

/** Cancel what is under way (joins get no answer: their connections
 *  close with the server). */
void
admin_close(struct admin *ad);

#endif /* RUMOR_ADMIN_H */
