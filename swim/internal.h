/*
 * internal.h: struct swim, the member record and the other structures
 * every mechanism of the core works on, with the accessors so small they
 * are inline. Every .c of swim/ includes it; it includes only the headers
 * at the bottom of the core (names, types, config, heap, PRNG), so any
 * file can include it without reaching up. The functions of each
 * mechanism are declared in that mechanism's own header (swim_member.h,
 * swim_gossip.h, ...). Nothing outside swim/ includes this but the unit
 * tests.
 */
#ifndef RUMOR_SWIM_INTERNAL_H
#define RUMOR_SWIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "swim_addr.h"
#include "swim_config.h"
#include "swim_heap.h"
#include "swim_rand.h"
#include "swim_types.h"

/** Distinct confirmers remembered per suspicion (Lifeguard K is
 *  suspicion_mult - 2; memberlist's default 4 gives 2). */
#define SWIM_CONFIRMERS_MAX 16
/** Highest retransmit count tracked; limits above are clamped. */
#define SWIM_TRANSMIT_MAX 63
/** Ping-req relays one node serves at once; more are refused. */
#define SWIM_RELAYS_MAX 64
/** Datagrams waiting to be drained; past this the oldest is dropped. */
#define SWIM_OUTBOX_MAX 4096
/** Events waiting to be drained; past this the oldest is dropped. */
#define SWIM_EVENTS_MAX 65536
/** Stream requests waiting to be drained. */
#define SWIM_STREAMS_MAX 64
/** How often failed and left members are checked for reaping (Serf's
 *  reap interval, 15 s). */
#define SWIM_REAP_INTERVAL_MS 15000
/** At most one push-pull per this long with a sender we have never heard
 *  of (our view missed it: epidemic dissemination is probabilistic). */
#define SWIM_UNKNOWN_PULL_MS 1000
/** Nack sent at this percentage of the probe timeout (Lifeguard). */
#define SWIM_NACK_PERCENT 80
/** How many names ahead loops over the member table ask for cache lines
 *  (our measurement: a few misses' worth of latency at one find each). */
#define SWIM_PREFETCH_AHEAD 4

/** Final checks of suspicions in flight at once (swim_verify.c). */
#define SWIM_VERIFY_MAX 32
/** Stale verdicts about others answered per second (swim_gossip.c). */
#define SWIM_CORRECTIONS_PER_S 16
/** Probe rounds between two sorts of a changed probe ring (swim_probe.c):
 *  a join storm changes the view every round, and a sort of 10,000
 *  members costs about a millisecond. */
#define SWIM_RING_SORT_ROUNDS 16
/** Most a message may raise the incarnation we hold for a member (or our
 *  own, for a claim about us): an honest member raises it by one per
 *  refutation, and 2^24 refutations are half a year of one a second.
 *  Past it the message is refused (stats.incarnations_refused), so no
 *  single message can bring a member near the end of the incarnations,
 *  where nothing could outrank a lie (swim_gossip.c). */
#define SWIM_INCARNATION_JUMP_MAX (1ull << 24)
/** Highest incarnation taken for a member first heard of: no honest
 *  member comes near 2^48, and from there a liar needs 2^40 messages of
 *  SWIM_INCARNATION_JUMP_MAX each to reach the end. */
#define SWIM_INCARNATION_NEW_MAX (1ull << 48)
/** Largest value of indirect_checks (swim_config_check). */
#define SWIM_INDIRECT_MAX 16

/** Suspicion state, allocated only while a member is suspect (most
 *  members never are, and every node holds every member). */
struct swim_suspicion {
	struct swim_heap_node timer;
	/** The suspect's record (a slab reference, see struct swim_slab). */
	uint32_t member;
	uint64_t start_ms;
	uint64_t min_ms;
	uint64_t max_ms;
	unsigned k;
	/** The final check (swim_verify.c): 0 not started, 1 in the first
	 *  half of its window, 2 in the second; the timer is its next step
	 *  once it has started. */
	uint8_t check_stage;
	/** Checks run again because our own health was degraded. */
	uint8_t check_reruns;
	/** Nacks the check's ping-reqs asked for, and those that came back:
	 *  every one back means our own links work, and the suspect is the
	 *  one that does not answer. */
	uint8_t check_nacks_expected;
	uint8_t check_nacks;
	uint64_t check_seq;
	uint64_t check_start_ms;
	/** Distinct confirmers besides the first accuser (name hashes). */
	unsigned confirm_count;
	uint64_t accuser_hash;
	uint64_t confirmers[SWIM_CONFIRMERS_MAX];
	/** The latest accuser: SUSPECT gossip carries it, so every
	 *  confirmation reaches others as a new, independent one
	 *  (memberlist re-broadcasts the confirming message). */
	size_t from_len;
	char from[SWIM_NAME_MAX + 1];
};

/** What few members have: metadata (only members offering services) and
 *  a suspicion (only suspects). Kept out of struct swim_member, in a hash
 *  table by the member's slab reference (swim->extras); the member only
 *  carries the flag SWIM_MEMBER_EXTRA. */
struct swim_extra {
	/** The member's slab reference; 0 in an empty slot. */
	uint32_t member;
	uint16_t meta_size;
	uint8_t *meta;
	struct swim_suspicion *suspicion;
};

/** struct swim_member flags. */
#define SWIM_MEMBER_EXTRA 0x01 /* has an entry in swim->extras */
/* We received a datagram or a push-pull state from it (or a restore
 * installed it): it exists beyond someone's word. Lifeguard counts only
 * the failed probes of such members against our own health. */
#define SWIM_MEMBER_HEARD 0x02
/* We received a datagram from it at the address we hold, and it has been
 * alive since: an alive that moves it elsewhere is refused. */
#define SWIM_MEMBER_DIRECT 0x04

/** One member, self included. Every node holds one per member of the
 *  cluster, so the record is kept small: a simulator of 10,000 nodes holds
 *  10^8 of them. Records live in the slab (struct swim_slab) and refer to
 *  each other by 32-bit slab references (0 is none); a record's own
 *  reference follows from its address (swim__member_ref). The pending
 *  broadcast about a member
 *  is embedded in it: a newer update about the same member replaces the
 *  queued one by construction (memberlist's invalidation by name). Packed
 *  to 4-byte alignment (x86 and arm64 load the two 64-bit fields at any
 *  4-byte boundary): with a name of up to 5 bytes the record takes 40
 *  bytes (n0 to n9999 in the simulator), up to 9 bytes 44. */
struct __attribute__((packed, aligned(4))) swim_member {
	uint64_t incarnation;
	/** When the status last changed (reaping, gossip to the dead). */
	uint64_t status_ms;
	/** The address, unpacked: struct swim_addr would bring 2 bytes of
	 *  padding with it. */
	uint32_t ip;
	uint16_t port;
	/** Sends of the queued update; < 0 when not queued. */
	int8_t transmits;
	uint8_t status; /* enum swim_status */
	/** Neighbours in the broadcast bucket swim->bcast[transmits]. */
	uint32_t bcast_prev, bcast_next;
	uint8_t name_len;
	/** SWIM_MEMBER_* bits. */
	uint8_t flags;
	char name[]; /* name_len bytes + NUL */
};

/** Bytes per slab unit: records are sized and aligned in units. */
#define SWIM_SLAB_UNIT 4
/** Units per chunk, as a shift: 2^12 units of 4 bytes, 16 KiB. */
#define SWIM_SLAB_CHUNK_SHIFT 12
/** Bits of a slab reference; the name index keeps a hash tag above. */
#define SWIM_REF_BITS 26
#define SWIM_SLAB_CHUNKS_MAX (1u << (SWIM_REF_BITS - SWIM_SLAB_CHUNK_SHIFT))
#define SWIM_SLAB_CHUNK_UNITS (1u << SWIM_SLAB_CHUNK_SHIFT)
/** Record sizes in units, up to the one for a SWIM_NAME_MAX name. */
#define SWIM_SLAB_CLASSES                                                   \
	((offsetof(struct swim_member, name) + SWIM_NAME_MAX + 1 +          \
	  SWIM_SLAB_UNIT - 1) / SWIM_SLAB_UNIT + 1)

/**
 * The member records of one node: chunks of SWIM_SLAB_CHUNK_UNITS units,
 * each one SWIM_BLOCK_SIZE block from the configured allocator (or
 * aligned_alloc), each record a run of units inside one chunk (one
 * allocation per chunk rather than per member: no allocator header, no
 * rounding to its size classes, stable addresses). A record is named by a
 * reference of SWIM_REF_BITS, chunk << SWIM_SLAB_CHUNK_SHIFT | unit. Unit
 * 0 of every chunk holds the chunk's number (so a record finds its own
 * reference from its address) and is never handed out, so reference 0
 * means none. Freed records wait in a list per size.
 */
struct swim_slab {
	uint8_t **chunks;
	uint32_t chunk_count;
	uint32_t chunk_cap;
	/** Units handed out from the last chunk. */
	uint32_t used;
	/** Freed records by size in units, linked through their first 4
	 *  bytes. */
	uint32_t free[SWIM_SLAB_CLASSES];
};

/** A ping-req we serve for another member. */
struct swim_relay {
	bool active;
	bool acked;
	bool nack_sent;
	uint64_t seq;		/* our ping's seq to the target */
	uint64_t req_seq;	/* the requester's seq */
	struct swim_addr requester;
	/** The requester's name: our ack or nack is for it. */
	uint8_t requester_len;
	char requester_name[SWIM_NAME_MAX + 1];
	/** The target's name hash: only its ack is relayed. */
	uint64_t target_hash;
	uint64_t nack_ms;
	uint64_t expire_ms;
};

/** A final check in flight: the sequence number its acks carry, the
 *  suspect (a free slot when it no longer matches the suspicion) and a
 *  64-bit filter of the name hashes of those its acks may come from (the
 *  suspect and the members asked to ping it). */
struct swim_verify_slot {
	uint64_t seq;
	uint32_t member;
	uint64_t senders;
};

/** The probe in flight. */
struct swim_probe {
	bool active;
	bool acked;
	bool indirect_sent;
	/** The target was heard from before (SWIM_MEMBER_HEARD): only then
	 *  does its failed probe count against our own health. */
	bool target_heard;
	uint64_t seq;
	char target[SWIM_NAME_MAX + 1];
	uint64_t target_hash;
	uint64_t start_ms;
	uint64_t ack_deadline_ms; /* direct ack wait; then ping-req */
	/** The members asked to ping the target: name hashes, and bit i
	 *  set when helper i had been heard from (its missing nack counts)
	 *  or has nacked (it counts once). */
	unsigned helper_count;
	uint64_t helper_hash[SWIM_INDIRECT_MAX];
	uint32_t helper_heard;
	uint32_t helper_nacked;
};

/** A FIFO of fixed-size items (outbox, events, stream requests). */
struct swim_fifo {
	uint8_t *items;
	size_t item_size;
	size_t head;
	size_t count;
	size_t cap;
	size_t max;
	uint64_t overflow_count;
};

struct swim {
	struct swim_config cfg;
	struct swim_rand rand;
	struct swim_member *self;

	/* Member table: records in the slab, the probe order as an array of
	 * references, a name index of references (swim_member.c). */
	struct swim_slab slab;
	uint32_t *members;
	size_t member_count;
	size_t member_cap;
	/** The name index: slot_count (0 or a power of two) slots, each a
	 *  record reference with a hash tag above SWIM_REF_BITS, 0 when
	 *  empty (swim_member.c). */
	uint32_t *slots;
	size_t slot_count;
	/** Open addressing, linear probing, at most half full; extra_cap
	 *  is 0 or a power of two. */
	struct swim_extra *extras;
	uint32_t extra_count;
	uint32_t extra_cap;
	size_t probe_cursor;
	/** Members alive or suspect, self included (n in the formulas). */
	size_t live_count;
	size_t failed_count;
	/** Members that left, self included (reaping has work only while
	 *  failed_count or left_count is non-zero). */
	size_t left_count;

	/* Broadcast buckets by transmit count, newest first: the first
	 * record's reference, 0 when empty. */
	uint32_t bcast[SWIM_TRANSMIT_MAX + 1];
	size_t bcast_count;

	struct swim_probe probe;
	struct swim_relay relays[SWIM_RELAYS_MAX];
	struct swim_verify_slot verify[SWIM_VERIFY_MAX];
	uint64_t next_seq;
	unsigned awareness;
	/** Round-trip time of direct probes, smoothed, and its variation,
	 *  in microseconds (RFC 6298's estimator): a final check waits this
	 *  long for the answer to its last ping (swim_gossip.c). */
	uint64_t srtt_us;
	uint64_t rttvar_us;
	/** The probe round (swim_probe.c): pings carry it and a node two or
	 *  more behind catches up, so rounds agree cluster-wide. */
	uint64_t round;
	/** The probe order is the ring (sorted by swim__ring_key) unless a
	 *  member came or went since ring_sorted_round; self sits at
	 *  ring_self when it is. */
	bool ring_dirty;
	uint64_t ring_sorted_round;
	size_t ring_self;
	/** Stale verdicts corrected in the second that ends at
	 *  correct_window_ms. */
	uint64_t correct_window_ms;
	unsigned correct_count;
	/** Last time contact resumed with a member we held suspect or failed
	 *  (a final check straddling it runs again), and the earliest time
	 *  our suspicions may be announced again. */
	uint64_t evidence_ms;
	uint64_t requeue_ms;
	/** Our own failure verdicts in the reconnect interval that ends at
	 *  declared_window_ms (a burst of them brings a push-pull forward,
	 *  swim_gossip.c). */
	uint64_t declared_window_ms;
	unsigned declared_count;
	/** Push-pulls still to make a reconnect interval apart, after a
	 *  burst of failures (each exchange is a snapshot: two more catch
	 *  verdicts given after it). */
	unsigned pulls_again;

	/* Periodic deadlines (UINT64_MAX when off). */
	uint64_t probe_ms;
	uint64_t gossip_ms;
	uint64_t pushpull_ms;
	uint64_t reconnect_ms;
	uint64_t reap_ms;
	uint64_t join_ms;
	uint64_t join_backoff_ms;
	/** Earliest time of the next push-pull with an unknown sender. */
	uint64_t unknown_pull_ms;
	/** Earliest time another early push-pull may be scheduled. */
	uint64_t early_pull_ms;
	struct swim_addr join_addrs[SWIM_JOIN_ADDRS_MAX];
	size_t join_count;

	/* Leave. */
	bool leaving;
	uint64_t leave_start_ms;
	uint64_t leave_ms; /* one wake-up at the leave timeout */

	/** Suspicion deadlines. */
	struct swim_heap timers;

	struct swim_fifo outbox;
	struct swim_fifo events;
	struct swim_fifo streams;

	struct swim_stats stats;
};

/** The record a slab reference names. */
static inline struct swim_member *
swim__member_ptr(const struct swim *swim, uint32_t ref)
{
	return (struct swim_member *)(
		swim->slab.chunks[ref >> SWIM_SLAB_CHUNK_SHIFT] +
		(size_t)(ref & (SWIM_SLAB_CHUNK_UNITS - 1)) * SWIM_SLAB_UNIT);
}

/** A record's own reference: its chunk is the SWIM_BLOCK_SIZE block
 *  around it, whose first unit holds the chunk's number. */
static inline uint32_t
swim__member_ref(const struct swim *swim, const struct swim_member *m)
{
	(void)swim;
	uintptr_t at = (uintptr_t)m;
	uintptr_t chunk = at & ~(uintptr_t)(SWIM_BLOCK_SIZE - 1);
	uint32_t number;
	memcpy(&number, (const void *)chunk, sizeof(number));
	return number << SWIM_SLAB_CHUNK_SHIFT |
	       (uint32_t)((at - chunk) / SWIM_SLAB_UNIT);
}

/** The member at slot i of the probe order. */
static inline struct swim_member *
swim__member_at(const struct swim *swim, size_t i)
{
	return swim__member_ptr(swim, swim->members[i]);
}

static inline struct swim_addr
swim__member_addr(const struct swim_member *m)
{
	return (struct swim_addr){.ip = m->ip, .port = m->port};
}

static inline bool
swim__member_is_self(const struct swim *swim, const struct swim_member *m)
{
	return m == swim->self;
}

/** Is name ours? The one test for "this message is about us", "this
 *  datagram or state is from us" and "this ping is for us". */
static inline bool
swim__is_self_name(const struct swim *swim, const char *name, size_t len)
{
	return len == swim->self->name_len &&
	       memcmp(name, swim->self->name, len) == 0;
}

/** Count an input dropped for `drop`, and return it. */
static inline enum swim_drop
swim__count_drop(struct swim *swim, enum swim_drop drop)
{
	swim->stats.drop_count[drop]++;
	return drop;
}

/**
 * Bring the next push-pull forward to two probe periods from now (at most
 * once per reconnect interval): after a join, and whenever a failed member
 * comes back, our view is likely stale in places gossip will not reach.
 * memberlist waits for the regular push-pull (90 s at 128 members).
 */
static inline void
swim__pull_soon(struct swim *swim, uint64_t now_ms)
{
	if (swim->cfg.pushpull_interval_ms == 0 || swim->leaving ||
	    now_ms < swim->early_pull_ms)
		return;
	swim->early_pull_ms = now_ms + swim->cfg.reconnect_interval_ms;
	uint64_t early = now_ms + 2 * swim->cfg.probe_interval_ms;
	if (early < swim->pushpull_ms)
		swim->pushpull_ms = early;
}

/** swim_leave_done(), for the inputs that stop listening once we have
 *  left. */
static inline bool
swim__leave_done(const struct swim *swim, uint64_t now_ms)
{
	if (!swim->leaving)
		return false;
	if (swim->live_count == 0 ||
	    now_ms >= swim->leave_start_ms + swim->cfg.leave_timeout_ms)
		return true;
	/* Sent as often as any update is: everyone has likely heard. */
	return swim->self->transmits < 0;
}

#endif /* RUMOR_SWIM_INTERNAL_H */
