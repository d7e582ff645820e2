/*
 * swim_types: the limits, statuses, drop reasons and counters that every
 * part of the core and both of its drivers share. Included through swim.h.
 */
#ifndef RUMOR_SWIM_TYPES_H
#define RUMOR_SWIM_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "swim_addr.h"

/** Largest node metadata blob carried in alive messages. */
#define SWIM_META_MAX 512
/** Largest plaintext datagram the core emits or accepts. The driver's
 *  sealing overhead is subtracted through swim_config.datagram_size_max. */
#define SWIM_DATAGRAM_MAX 1400
/** Most members one node tracks (alive, suspect, failed and left). */
#define SWIM_MEMBERS_MAX 65536
/** Largest encoded push-pull state (memberlist: 20 MiB). */
#define SWIM_STATE_MAX (20u * 1024 * 1024)
/** Most join addresses swim_join() keeps for retries. */
#define SWIM_JOIN_ADDRS_MAX 16

/** Member status as seen by one node. Wire values: append only. */
enum swim_status {
	SWIM_STATUS_ALIVE = 0,
	SWIM_STATUS_SUSPECT = 1,
	SWIM_STATUS_FAILED = 2,
	SWIM_STATUS_LEFT = 3,
	swim_status_MAX
};

/** "alive", "suspect", "failed", "left". */
extern const char *const swim_status_strs[swim_status_MAX];

/** Why an input datagram or state blob was dropped (counted in stats). */
enum swim_drop {
	SWIM_DROP_NONE = 0,
	SWIM_DROP_TRUNCATED,	/* ends in the middle of a value */
	SWIM_DROP_MALFORMED,	/* wrong types, missing fields, bad names */
	SWIM_DROP_VERSION,	/* protocol version we do not speak */
	SWIM_DROP_FROM_SELF,	/* carries our own name as sender */
	SWIM_DROP_OVER_LIMIT,	/* too big, too many messages or members */
	SWIM_DROP_LEFT,		/* we have left; input ignored */
	swim_drop_MAX
};

extern const char *const swim_drop_strs[swim_drop_MAX];

/** Who a node is: itself to swim_new(), or a member to swim_restore(). */
struct swim_self {
	/** NUL-terminated, 1..SWIM_NAME_MAX bytes, printable, no spaces. */
	const char *name;
	/** Address other members reach this node at. */
	struct swim_addr addr;
	/** Starting incarnation: a restarted node should pass more than it
	 *  had before (the agent keeps a counter in its data dir). */
	uint64_t incarnation;
	/** Optional metadata, copied. */
	const uint8_t *meta;
	size_t meta_size;
};

/** Counters for diagnosis and benchmarks (swim_stats()). */
struct swim_stats {
	uint64_t drop_count[swim_drop_MAX];
	uint64_t datagrams_sent;
	uint64_t datagrams_received;
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t probes_sent;
	uint64_t probes_failed;   /* no ack by the end of the period */
	uint64_t indirect_probes; /* ping-req rounds started */
	uint64_t suspicions;      /* members we started suspecting */
	uint64_t refutations;     /* times we refuted a suspicion of us */
	uint64_t pushpulls;       /* state merges accepted */
	uint64_t reconnects;      /* reconnect attempts to failed members */
	uint64_t verifications;   /* final checks of suspicions started */
	uint64_t verified_alive;  /* ... that the suspect answered */
	uint64_t corrections;     /* stale verdicts answered with news */
	/** Messages refused for an incarnation too far ahead of the one we
	 *  hold (SWIM_INCARNATION_JUMP_MAX, swim_gossip.c). */
	uint64_t incarnations_refused;
	/** Alives refused for moving a member we reach where it is. */
	uint64_t moves_refused;
	unsigned awareness;       /* current local health multiplier */
	size_t broadcast_queue;   /* updates waiting to be piggybacked */
};

#endif /* RUMOR_SWIM_TYPES_H */
