/*
 * answer: the agent's replies that only read. Members and counters,
 * lookups (with their cache), picks, the services summary, and the
 * frames of a watch, all from the node: its member table and its
 * registry of the whole cluster. Nothing here changes the node, so the
 * agent does not pump it after these.
 *
 * Each answer_*() writes one whole frame (cli/ipc/ipc_proto.h) into an
 * empty `out`: the answer, or an error frame with its RUMOR_E* code when
 * the answer cannot be made (out of memory, too large). Only when there
 * is no memory even for that does `out` stay empty, and the socket
 * server then closes the connection.
 */
#ifndef RUMOR_ANSWER_H
#define RUMOR_ANSWER_H

#include <msgpack.h>
#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "cli/http/http_buf.h"
#include "cli/ipc/ipc_proto.h"
#include "dns_server.h"
#include "http_server.h"
#include "ipc_server.h"
#include "membership/node.h"
#include "pushpull.h"
#include "swim/swim_rand.h"

/** Lookup answers kept (direct-mapped by query), and the largest kept. */
#define ANSWER_CACHE_SLOTS 512
#define ANSWER_CACHE_FRAME_MAX (16 * 1024)

/** A lookup's whole answer frame, valid at one registry generation. */
struct answer_cached {
	char name[IPC_NAME_MAX + 1];
	char tag[IPC_NAME_MAX + 1];
	bool all;
	/** registry_generation() when made; 0: empty. */
	uint64_t generation;
	msgpack_sbuffer frame;
};

struct answer {
	struct node *node;
	/** Picks' random draws (seeded by the agent). */
	struct swim_rand rand;
	/** Lookups answer from here until the registry changes. */
	struct answer_cached cache[ANSWER_CACHE_SLOTS];
	uint64_t cache_hits;
	uint64_t cache_misses;
};

/** Every other module's counters, which the agent gathers (each module's
 *  own *_stats()) for answer_stats() to list with the node's. */
struct answer_stats {
	/** The agent's UDP socket. */
	uint64_t send_failures;
	uint64_t send_eagain;
	uint64_t recv_oversize;
	/** Dropped by the kernel before we read them (receive buffer
	 *  full), and that buffer's size. */
	uint64_t udp_kernel_drops;
	size_t udp_rcvbuf;
	struct pushpull_stats pushpull;
	struct ipc_server_stats ipc;
	struct catalog_stats catalog;
	struct dns_server_stats dns;
	struct http_server_stats http;
};

/** Answer from node; picks draw from a PRNG seeded with rand_seed. */
void
answer_init(struct answer *a, struct node *node, uint64_t rand_seed);

/** Free the cache. */
void
answer_close(struct answer *a);

/** A refusal: out (whatever it held) becomes an error frame. */
void
answer_error(msgpack_sbuffer *out, int code, const char *why);

/** {"ok": true}. */
void
answer_ok(msgpack_sbuffer *out);

/** Every member of the node's table. */
void
answer_members(struct answer *a, msgpack_sbuffer *out);

/** The node's counters, then st's, then drops by reason. */
void
answer_stats(struct answer *a, const struct answer_stats *st,
	     msgpack_sbuffer *out);

/** GET /metrics: the counters answer_stats() lists and the gauges
 *  only /metrics has, in Prometheus' text format (cli/http/http_prom.h)
 *  into out; failures stick in out->failed. */
void
answer_metrics(struct answer *a, const struct answer_stats *st,
	       struct http_buf *out);

/** A lookup's instances, from the cache while the registry is as it
 *  was. */
void
answer_lookup(struct answer *a, const struct ipc_request *req,
	      msgpack_sbuffer *out);

/** One healthy instance (RUMOR_ENOTFOUND when there is none). */
void
answer_pick(struct answer *a, const struct ipc_request *req,
	    msgpack_sbuffer *out);

/** Every service name with its counts. */
void
answer_services(struct answer *a, msgpack_sbuffer *out);

/** A watch begins: the ok frame, then an "added" frame per instance
 *  there is now (critical ones too). 0, or an error code with an error
 *  frame in out instead (the request is then answered, not watching). */
int
answer_watch(struct answer *a, const struct ipc_request *req,
	     msgpack_sbuffer *out);

/** Hand the registry's queued changes to the socket's watchers. */
void
answer_pump(struct answer *a, struct ipc_server *srv);

#endif /* RUMOR_ANSWER_H */
