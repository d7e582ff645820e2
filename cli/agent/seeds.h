/*
 * seeds: the addresses an agent joins through, given as HOST:PORT where
 * HOST is an IPv4 address or a DNS name (`--join seed.example.internal:
 * 7946`). Names are resolved with uv_getaddrinfo, on libuv's thread
 * pool, so the loop never blocks on DNS; every IPv4 address a name has
 * is tried (up to SEEDS_MAX addresses in all), and the names are
 * resolved again at every retry, so a seed that moved is found where it
 * is now.
 *
 * Two users: the agent's start-up seeds (seeds_start: resolve, join,
 * and again on the core's backoff for as long as the node is alone) and
 * `rumor join` (seeds_resolve: one resolution, then the caller joins).
 * Seeds that are all addresses join at once, as before names existed.
 */
#ifndef RUMOR_SEEDS_H
#define RUMOR_SEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "log.h"
#include "membership/node.h"

/** Seeds, and addresses tried at once, at most (the core's limit). */
#define SEEDS_MAX SWIM_JOIN_ADDRS_MAX
/** Bytes of a host: a DNS name (253) or a dotted IPv4 address. */
#define SEED_HOST_MAX 253

/** One seed as given. */
struct seed {
	char host[SEED_HOST_MAX + 1];
	uint16_t port;
	/** host is an IPv4 address: addr, no resolution. */
	bool numeric;
	struct swim_addr addr;
};

/**
 * Parse "IP:PORT" or "NAME:PORT" (a name of letters, digits, '-', '_'
 * and dots, 1-253 bytes; the port 1-65535). Returns 0, or RUMOR_EINVAL
 * with err (LOG_ERR_SIZE bytes) one line saying why, "IPv6 is not
 * supported yet" for "[::1]:7946".
 */
int
seed_parse(const char *text, struct seed *out, char *err);

struct seeds_batch;

/** A resolution is done: the addresses of every seed (deduplicated, at
 *  most SEEDS_MAX) and, when some seed had none, a line naming them and
 *  why ("" when all resolved). */
typedef void (*seeds_resolved_cb)(void *arg, const struct swim_addr *addrs,
				  size_t count, const char *failures);

/**
 * Resolve seeds[0, count) and call cb with the result, always from a
 * later loop callback. Returns 0 with *out the batch (for
 * seeds_cancel), or RUMOR_ENOMEM (cb is then never called). The batch
 * frees itself after the callback.
 */
int
seeds_resolve(uv_loop_t *loop, const struct seed *seeds, size_t count,
	      seeds_resolved_cb cb, void *arg, struct seeds_batch **out);

/** cb will not be called; the batch frees itself once libuv is done
 *  with its requests (the loop must run until then). */
void
seeds_cancel(struct seeds_batch *b);

/** The start-up seeds, and the retries while the node is alone. */
struct seeds {
	uv_loop_t *loop;
	struct node *node;
	struct seed list[SEEDS_MAX];
	size_t count;
	/** Some seed is a name: resolve again at every retry. */
	bool named;
	uv_timer_t timer;
	bool timer_open;
	struct seeds_batch *batch;
	/** The next retry waits this long (the core's join backoff, from
	 *  retry_min_ms doubling up to retry_max_ms). */
	uint64_t backoff_ms;
	uint64_t retry_min_ms;
	uint64_t retry_max_ms;
	/** The addresses the node joins through now. */
	struct swim_addr current[SEEDS_MAX];
	size_t current_count;
	/** Called after node_join(), so the driver drains the node. */
	void (*joined)(void *arg);
	void *joined_arg;
	uint64_t resolutions;
	uint64_t resolve_failures;
};

void
seeds_init(struct seeds *s, uv_loop_t *loop, struct node *node,
	   const struct swim_config *cfg, void (*joined)(void *arg),
	   void *arg);

/** Join through list (copied): at once when every seed is an address,
 *  else once the names resolve. */
void
seeds_start(struct seeds *s, const struct seed *list, size_t count);

/** Stop retrying (cancels a resolution under way). */
void
seeds_close(struct seeds *s);

/** Whether the node knows a live member besides itself. */
bool
seeds_node_joined(const struct node *node);

#endif /* RUMOR_SEEDS_H */
