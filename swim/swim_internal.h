/*
 * swim_internal.h: struct swim and the cross-file internals of the core
 * (swim__* names). Nothing outside swim/ includes this.
 */
#ifndef RUMOR_SWIM_INTERNAL_H
#define RUMOR_SWIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swim.h"
#include "swim_heap.h"
#include "swim_proto.h"
#include "swim_rand.h"

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

/** A doubly linked list link (broadcast buckets). */
struct swim_link {
	struct swim_link *prev, *next;
};

/** Suspicion state, allocated only while a member is suspect (most
 *  members never are, and every node holds every member). */
struct swim_suspicion {
	struct swim_heap_node timer;
	struct swim_member *member;
	uint64_t start_ms;
	uint64_t min_ms;
	uint64_t max_ms;
	unsigned k;
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

/** One member, self included. Every node holds one per member of the
 *  cluster, so the record is kept small: a simulator of 10,000 nodes holds
 *  10^8 of them. The pending broadcast about a member is embedded in it: a
 *  newer update about the same member replaces the queued one by
 *  construction (memberlist's invalidation by name). */
struct swim_member {
	uint64_t name_hash;
	uint64_t incarnation;
	/** When the status last changed (reaping, gossip to the dead). */
	uint64_t status_ms;
	struct swim_addr addr;
	struct swim_member *hash_next;
	/** Broadcast queue link; transmits < 0 when not queued. */
	struct swim_link bcast;
	uint8_t *meta;
	struct swim_suspicion *suspicion;
	/** Slot in swim->members (probe order). */
	uint32_t index;
	uint16_t meta_size;
	int8_t transmits;
	uint8_t status; /* enum swim_status */
	uint8_t name_len;
	bool is_self;
	char name[]; /* name_len bytes + NUL */
};

/** A ping-req we serve for another member. */
struct swim_relay {
	bool active;
	bool acked;
	bool nack_sent;
	uint64_t seq;		/* our ping's seq to the target */
	uint64_t req_seq;	/* the requester's seq */
	struct swim_addr requester;
	uint64_t nack_ms;
	uint64_t expire_ms;
};

/** The probe in flight. */
struct swim_probe {
	bool active;
	bool acked;
	bool indirect_sent;
	uint64_t seq;
	char target[SWIM_NAME_MAX + 1];
	uint64_t start_ms;
	uint64_t ack_deadline_ms; /* direct ack wait; then ping-req */
	unsigned nacks_expected;
	unsigned nacks_received;
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

	/* Member table: probe-order array + name hash. */
	struct swim_member **members;
	size_t member_count;
	size_t member_cap;
	struct swim_member **buckets;
	size_t bucket_count;
	size_t probe_cursor;
	/** Members alive or suspect, self included (n in the formulas). */
	size_t live_count;
	size_t failed_count;

	/* Broadcast buckets by transmit count, newest first. */
	struct swim_link bcast[SWIM_TRANSMIT_MAX + 1];
	size_t bcast_count;

	struct swim_probe probe;
	struct swim_relay relays[SWIM_RELAYS_MAX];
	uint64_t next_seq;
	unsigned awareness;

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

/* swim_member.c: the table and the state transitions. */
struct swim_member *
swim__member_find(const struct swim *swim, const char *name, size_t len);
/** Room for count members without growing; 0 or RUMOR_ENOMEM. */
int
swim__member_reserve(struct swim *swim, size_t count);
/** Add a member at the end of the probe order (callers shuffle). */
struct swim_member *
swim__member_append(struct swim *swim, const char *name, size_t len,
		    const struct swim_addr *addr, uint64_t now_ms);
struct swim_member *
swim__member_add(struct swim *swim, const char *name, size_t len,
		 const struct swim_addr *addr, uint64_t now_ms);
void
swim__member_remove(struct swim *swim, struct swim_member *m);
void
swim__member_set_status(struct swim *swim, struct swim_member *m,
			enum swim_status status, uint64_t now_ms);
int
swim__member_set_meta(struct swim_member *m, const uint8_t *meta,
		      size_t size);
void
swim__member_to_msg(const struct swim *swim, const struct swim_member *m,
		    struct swim_msg *msg);
uint64_t
swim__name_hash(const char *name, size_t len);

/* Gossip rules: apply one status message (from a datagram or a state). */
void
swim__apply_alive(struct swim *swim, const struct swim_msg *msg,
		  uint64_t now_ms);
void
swim__apply_suspect(struct swim *swim, const struct swim_msg *msg,
		    uint64_t now_ms);
void
swim__apply_failed(struct swim *swim, const struct swim_msg *msg,
		   uint64_t now_ms);
void
swim__apply_left(struct swim *swim, const struct swim_msg *msg,
		 uint64_t now_ms);
/** Suspect a member on our own authority (a failed probe). */
void
swim__suspect(struct swim *swim, struct swim_member *m, uint64_t now_ms);
void
swim__suspicion_expired(struct swim *swim, struct swim_member *m,
			uint64_t now_ms);
void
swim__refute(struct swim *swim, uint64_t incarnation, uint64_t now_ms);

/* swim_broadcast.c: the transmit-limited queue and piggybacking. */
void
swim__bcast_init(struct swim *swim);
void
swim__bcast_queue(struct swim *swim, struct swim_member *m);
void
swim__bcast_drop(struct swim *swim, struct swim_member *m);
/** Add as many queued updates as fit, fewest-sent first. */
void
swim__bcast_fill(struct swim *swim, struct swim_encoder *enc);
unsigned
swim__bcast_self_transmits(const struct swim *swim);

/* swim_probe.c: probe rounds, ping-req relays, acks and nacks. */
void
swim__probe_tick(struct swim *swim, uint64_t now_ms);
void
swim__probe_ack_timeout(struct swim *swim, uint64_t now_ms);
void
swim__relays_tick(struct swim *swim, uint64_t now_ms);
uint64_t
swim__relays_deadline(const struct swim *swim);
void
swim__handle_ping(struct swim *swim, uint64_t now_ms,
		  const struct swim_addr *from, const struct swim_packet *pkt,
		  const struct swim_msg *msg);
void
swim__handle_ping_req(struct swim *swim, uint64_t now_ms,
		      const struct swim_addr *from,
		      const struct swim_msg *msg);
void
swim__handle_ack(struct swim *swim, uint64_t now_ms,
		 const struct swim_msg *msg);
void
swim__handle_nack(struct swim *swim, const struct swim_msg *msg);

/* swim.c: outputs. */
/** Start a datagram to `to`; NULL if the outbox is full. Finish it with
 *  swim__send_finish (which piggybacks and queues it). */
struct swim_datagram *
swim__send_begin(struct swim *swim, const struct swim_addr *to,
		 struct swim_encoder *enc);
void
swim__send_finish(struct swim *swim, struct swim_datagram *dg,
		  struct swim_encoder *enc, bool piggyback);
void
swim__emit_event(struct swim *swim, enum swim_event_type type,
		 const struct swim_member *m);
void
swim__request_stream(struct swim *swim, const struct swim_addr *to,
		     bool join);
/**
 * Bring the next push-pull forward to two probe periods from now (at most
 * once per reconnect interval): after a join, and whenever a failed member
 * comes back, our view is likely stale in places gossip will not reach.
 * memberlist waits for the regular push-pull (90 s at 128 members).
 */
void
swim__pull_soon(struct swim *swim, uint64_t now_ms);
/** Pick up to `want` random members other than self and `exclude`
 *  matching the predicate; returns how many were written to out. */
size_t
swim__random_members(struct swim *swim, struct swim_member **out,
		     size_t want, const struct swim_member *exclude,
		     bool (*eligible)(const struct swim *,
				      const struct swim_member *, uint64_t),
		     uint64_t now_ms);
bool
swim__is_live(const struct swim *swim, const struct swim_member *m,
	      uint64_t now_ms);

#endif /* RUMOR_SWIM_INTERNAL_H */
