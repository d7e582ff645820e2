/*
 * node_replay: which sealed frames a node has taken, so that a frame
 * recorded on the wire and sent again is refused (node_replay.c explains
 * the scheme; docs/protocol.md, "Replay", its costs and guarantees).
 *
 * Frames are known by their stamp (crypto/seal.h): the sender's life (8
 * random bytes drawn at its start), its clock when it sealed the frame,
 * and the frame's place in that life. A node keeps, for each life it
 * heard from lately, the highest place taken and which of the 255 places
 * below it were taken; frames older than the clock skew allowed are
 * refused whoever sent them, so a life that has been quiet that long is
 * forgotten for free. Internal to membership/node*.c.
 */
#ifndef RUMOR_NODE_REPLAY_H
#define RUMOR_NODE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/seal.h"
#include "swim/swim.h"

/** 64-bit words of a life's window. */
#define NODE_REPLAY_WORDS 4
/** Places a life remembers, the highest one taken included (a bitmap, as
 *  IPsec and WireGuard keep): a frame of a sender delivered after this
 *  many of its newer ones (to anyone) is refused. 64 lost a few hundred
 *  datagrams in the simulator's bursts (a node checking 32 suspects at
 *  once sends some 200 datagrams in a millisecond). */
#define NODE_REPLAY_WINDOW (64 * NODE_REPLAY_WORDS)
/** Default for the clock skew allowed between nodes: a frame stamped
 *  further from our clock, either way, is refused. Also how long a frame
 *  withheld on the wire can still be delivered (once). */
#define NODE_REPLAY_SKEW_MS 30000
/** Most lives held at once (56 bytes each, in a table at most twice
 *  as large): past it the one heard from least lately is forgotten, and
 *  what it sent is refused by the floor. A node hears from a few hundred
 *  lives per skew allowance, whatever the cluster's size. */
#define NODE_REPLAY_LIVES_MAX 16384
/** Frames stamped up to this long before a node started are still taken
 *  from senders it has no record of (clocks a little behind ours). */
#define NODE_REPLAY_START_SLACK_MS 1000
/** Table slots to start with. */
#define NODE_REPLAY_SLOTS_MIN 16

/** What a stamp says against what we took. */
enum node_replay_verdict {
	NODE_REPLAY_FRESH = 0, /* never taken: take it */
	NODE_REPLAY_SEEN,      /* taken before, or below the window */
	NODE_REPLAY_STALE,     /* older than the skew allowed or the floor */
	NODE_REPLAY_AHEAD,     /* stamped further ahead than the skew */
};

/** One life we heard from (56 bytes); an empty slot has no bit 0, since
 *  the highest place taken always has its bit. */
struct node_replay_life {
	uint64_t life;
	/** The highest place taken. */
	uint64_t top;
	/** The latest stamp time taken from this life. */
	uint64_t top_ms;
	/** Bit i % 64 of word i / 64: place top - i was taken. */
	uint64_t seen[NODE_REPLAY_WORDS];
};

struct node_replay {
	const struct swim_allocator *alloc;
	/** Open addressing, linear probing; cap a power of two. */
	struct node_replay_life *slots;
	size_t cap;
	size_t count;
	/** The clock skew allowed (ms). */
	uint64_t skew_ms;
	/** A frame from a life we hold no record of is taken only if
	 *  stamped at or after this: our start (less the slack), raised
	 *  past every life forgotten before its frames grew stale. */
	uint64_t floor_ms;
	/** Mixed into slot positions, so senders cannot choose theirs. */
	uint64_t key;
	/** When to forget the lives gone stale next (our clock). */
	uint64_t sweep_ms;
	/** Lives forgotten before their frames were stale (the floor rose
	 *  each time), and lives held at most. */
	uint64_t evictions;
	size_t peak;
};

/** Set up r for a node whose clock reads start_ms (ms since the Unix
 *  epoch) as it starts. 0 or RUMOR_ENOMEM. */
RUMOR_MUST_CHECK int
node__replay_create(struct node_replay *r, const struct swim_allocator *alloc,
		    uint64_t key, uint64_t skew_ms, uint64_t start_ms);

void
node__replay_destroy(struct node_replay *r);

/** Judge a stamp at our clock now_ms; changes nothing. */
enum node_replay_verdict
node__replay_check(const struct node_replay *r, const struct seal_stamp *s,
		   uint64_t now_ms);

/**
 * Record a stamp node__replay_check() found fresh, from a frame that
 * authenticated. Never fails: when the table cannot grow, the life heard
 * from least lately is forgotten and the floor raised past it.
 */
void
node__replay_take(struct node_replay *r, const struct seal_stamp *s,
		  uint64_t now_ms);

/** Forget the lives whose every frame is stale by now (at most every
 *  half skew; the table shrinks when it can). */
void
node__replay_sweep(struct node_replay *r, uint64_t now_ms);

/** Check the table's invariants (node_check): NULL or what is wrong. */
const char *
node__replay_check_table(const struct node_replay *r);

#endif /* RUMOR_NODE_REPLAY_H */
