/*
 * http_index: the index of a blocking query (Consul's X-Consul-Index).
 * Pure.
 *
 * The registry has one generation for everything a query could see
 * (registry_generation); a query's answer cannot change while it stays.
 * A query's index is the generation at which its answer, as it is now,
 * was first seen: the table keeps, per query (a hash of its route and
 * parameters), the hash of its last answer and that generation. A
 * change elsewhere in the registry moves the generation but not the
 * answer, so not the index: a client blocking on one service is not
 * woken by every other service's change.
 *
 * The table is direct-mapped and forgets: a query whose slot was taken
 * by another gets the current generation as its index, and a client
 * blocking with an older one returns at once (a spurious wake-up, which
 * Consul's clients expect). Never a missed change: if the generation is
 * the one the client holds, nothing changed at all.
 */
#ifndef RUMOR_HTTP_INDEX_H
#define RUMOR_HTTP_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Queries remembered. */
#define HTTP_INDEX_SLOTS 1024

struct http_index_slot {
	/** The query's hash; 0: empty. */
	uint64_t key;
	/** Its last answer's hash, and the generation it was first seen
	 *  at (the index). */
	uint64_t content;
	uint64_t since;
	/** The generation the answer was last computed at. */
	uint64_t checked;
};

struct http_index {
	struct http_index_slot slots[HTTP_INDEX_SLOTS];
};

/** An empty table. */
void
http_index_init(struct http_index *t);

/** A 64-bit hash of size bytes (MurmurHash3's mixing), never 0: a
 *  query's key or an answer's content hash. */
uint64_t
http_hash(const void *data, size_t size);

/** The index of the query `key` whose answer at `generation` (>= 1)
 *  hashes to `content`; remembered for the next call. */
uint64_t
http_index_update(struct http_index *t, uint64_t key, uint64_t content,
		  uint64_t generation);

/** Whether the query's answer was computed at this generation already;
 *  then *index is its index (nothing needs computing). */
bool
http_index_known(const struct http_index *t, uint64_t key,
		 uint64_t generation, uint64_t *index);

#endif /* RUMOR_HTTP_INDEX_H */
