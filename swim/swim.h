/*
 * swim: the SWIM + Lifeguard membership protocol as a sans-IO state machine.
 *
 * The core owns no sockets, reads no clock, arms no timers, keeps no
 * globals and draws randomness only from the seed it is given. Everything
 * that happens to it is an input call carrying the current time; everything
 * it wants done is an output the driver drains after each input:
 *
 *	apply one input          swim_handle_datagram / swim_handle_timeout /
 *	                         swim_handle_state / swim_join / swim_leave
 *	drain datagrams          swim_poll_datagram  -> send over UDP
 *	drain stream requests    swim_poll_stream    -> push-pull over TCP
 *	drain events             swim_poll_event     -> log, registry, watchers
 *	re-arm the one timer     swim_next_deadline_ms
 *
 * The core never calls back into the driver. The libuv agent (cli/) and the
 * simulator (sim/) run exactly this loop, so what the simulator shows is
 * what production does.
 *
 * Identity is the node name, not the address: a node restarted on another
 * address is the same member, and it outranks its old self by incarnation.
 */
#ifndef RUMOR_SWIM_H
#define RUMOR_SWIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Longest node name in bytes (no NUL inside; printable ASCII). */
#define SWIM_NAME_MAX 64
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

/** An IPv4 endpoint, host byte order. The simulator invents its own. */
struct swim_addr {
	uint32_t ip;
	uint16_t port;
};

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

/** Size of the blocks a struct swim_allocator hands out. */
#define SWIM_BLOCK_SIZE 16384u

/**
 * Where the member records' memory comes from: blocks of SWIM_BLOCK_SIZE
 * bytes, aligned to SWIM_BLOCK_SIZE (a record finds its block by its
 * address), which the core frees with block_free. The
 * records of a large cluster are most of a node's memory; the simulator,
 * which holds 10^8 of them, serves the blocks from huge pages. Without
 * one, blocks come from malloc.
 */
struct swim_allocator {
	/** A block, or NULL when out of memory. */
	void *(*block_alloc)(void *ctx);
	void (*block_free)(void *ctx, void *block);
	void *ctx;
};

/** Protocol timings and limits. Fill with a preset, then adjust. */
struct swim_config {
	/** Period between two probes (memberlist LAN 1 s). */
	uint64_t probe_interval_ms;
	/** Wait for a direct ack before indirect probing (LAN 500 ms). */
	uint64_t probe_timeout_ms;
	/** Members asked to ping-req a silent target (k; LAN 3). */
	unsigned indirect_checks;
	/** Period of the gossip tick (LAN 200 ms); 0 disables it. */
	uint64_t gossip_interval_ms;
	/** Members each gossip tick sends to (LAN 3). */
	unsigned gossip_nodes;
	/** Keep gossiping to a failed member this long (LAN 30 s). */
	uint64_t gossip_to_dead_ms;
	/** λ: each update is sent mult * ceil(log10(n + 1)) times (LAN 4). */
	unsigned retransmit_mult;
	/** Lifeguard: suspicion min = mult * max(1, log10 n) * probe
	 *  interval (LAN 4). */
	unsigned suspicion_mult;
	/** Lifeguard: suspicion max = this * suspicion min (6). */
	unsigned suspicion_max_timeout_mult;
	/** Local health multiplier saturates at this - 1 (8). */
	unsigned awareness_max;
	/** Push-pull with one random member this often, scaled up above
	 *  32 members (LAN 30 s); 0 disables it. */
	uint64_t pushpull_interval_ms;
	/** Try one failed member this often (Serf 30 s; ours 10 s). */
	uint64_t reconnect_interval_ms;
	/** Forget failed members after this long (Serf 24 h). */
	uint64_t reconnect_timeout_ms;
	/** Forget left members after this long (Serf tombstone 24 h). */
	uint64_t tombstone_timeout_ms;
	/** First and last gap between join attempts (doubling). */
	uint64_t join_retry_min_ms;
	uint64_t join_retry_max_ms;
	/** Give a leave broadcast at most this long to go out (memberlist
	 *  leave timeout spirit; the agent exits after). */
	uint64_t leave_timeout_ms;
	/** Largest plaintext datagram to emit (≤ SWIM_DATAGRAM_MAX). */
	size_t datagram_size_max;
	/** Optional, NULL for malloc; must outlive every node using it. */
	const struct swim_allocator *allocator;
};

/** memberlist DefaultLANConfig timings. */
void
swim_config_lan(struct swim_config *cfg);
/** memberlist DefaultWANConfig timings. */
void
swim_config_wan(struct swim_config *cfg);
/** memberlist DefaultLocalConfig timings. */
void
swim_config_local(struct swim_config *cfg);

/**
 * Check that every field is in its valid range. Returns 0, or RUMOR_EINVAL
 * with *why set to a static sentence naming the field.
 */
int
swim_config_check(const struct swim_config *cfg, const char **why);

/** Who this node is. */
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

struct swim;

/**
 * Create a node that knows only itself. The configuration is copied and
 * must pass swim_config_check(); rand_seed is the only entropy it will
 * ever use. Returns NULL on out-of-memory or invalid arguments.
 */
struct swim *
swim_new(const struct swim_config *cfg, const struct swim_self *self,
	 uint64_t rand_seed, uint64_t now_ms);

/** Free everything. NULL is a no-op. */
void
swim_delete(struct swim *swim);

/**
 * Handle one received plaintext datagram from `from`. Returns
 * SWIM_DROP_NONE when it was accepted, otherwise why it was dropped (and
 * counted); a dropped datagram changes nothing else.
 */
enum swim_drop
swim_handle_datagram(struct swim *swim, uint64_t now_ms,
		     const struct swim_addr *from, const uint8_t *data,
		     size_t size);

/** Fire whatever deadlines are due at now_ms. Always safe to call. */
void
swim_handle_timeout(struct swim *swim, uint64_t now_ms);

/**
 * Join through seed addresses: the core asks for push-pull streams to them
 * (swim_poll_stream) and retries with doubling backoff until it knows some
 * other member. Addresses are copied (at most SWIM_JOIN_ADDRS_MAX).
 */
int
swim_join(struct swim *swim, uint64_t now_ms, const struct swim_addr *addrs,
	  size_t count);

/**
 * Leave gracefully: mark self left, broadcast it, stop probing. Poll
 * swim_leave_done() to know when the broadcast has had its chance.
 */
int
swim_leave(struct swim *swim, uint64_t now_ms);

/** True once a leave was asked and the leave message went out enough
 *  times, or leave_timeout_ms passed, or nobody was there to tell. */
bool
swim_leave_done(const struct swim *swim, uint64_t now_ms);

/** Replace this node's metadata (copied) and announce it. */
int
swim_set_meta(struct swim *swim, uint64_t now_ms, const uint8_t *meta,
	      size_t meta_size);

/** One datagram to send, copied out. */
struct swim_datagram {
	struct swim_addr to;
	size_t size;
	uint8_t data[SWIM_DATAGRAM_MAX];
};

/** Take the next datagram to send; false when there is none. */
bool
swim_poll_datagram(struct swim *swim, struct swim_datagram *out);

/**
 * A push-pull exchange the core wants: open a stream to `to`, send
 * swim_state_encode()'s bytes, read the peer's state and hand it to
 * swim_handle_state(). `join` marks joins (the peer then answers with its
 * state even if it has never heard of us).
 */
struct swim_stream_req {
	struct swim_addr to;
	bool join;
};

/** Take the next stream request; false when there is none. */
bool
swim_poll_stream(struct swim *swim, struct swim_stream_req *out);

/**
 * Encode this node's full membership view for a push-pull exchange into a
 * malloc'd buffer the caller frees. Returns 0 or RUMOR_ENOMEM/ETOOBIG.
 */
int
swim_state_encode(struct swim *swim, bool join, uint8_t **out, size_t *size);

/**
 * Merge a peer's full state received over a stream. Same drop reasons and
 * all-or-nothing rule as swim_handle_datagram(). A responder calls this
 * first and then swim_state_encode(), so its reply already reflects what
 * it just learned (a refutation, for instance).
 */
enum swim_drop
swim_handle_state(struct swim *swim, uint64_t now_ms,
		  const struct swim_addr *from, const uint8_t *data,
		  size_t size);

/**
 * Install members known from a snapshot of a running cluster, silently:
 * each named member that is new here is added alive at its incarnation,
 * with no gossip and no event, because the rest of the cluster is taken to
 * know it already. Self and known members are skipped; a name that is not
 * valid is an error (RUMOR_EINVAL, and nothing is installed). The
 * first push-pull is then rescheduled at a random point of the interval
 * scaled for the new size. From there on the protocol is the usual one: a
 * member that is not really there is found by the probes.
 *
 * The simulator starts a warm cluster with it (a 10,000-node cluster that
 * has been up for a while, without simulating its join storm first).
 * Returns 0, RUMOR_EINVAL or RUMOR_ENOMEM.
 */
int
swim_restore(struct swim *swim, uint64_t now_ms,
	     const struct swim_self *members, size_t count);

/** Event kinds; the event carries the member's state after the change. */
enum swim_event_type {
	SWIM_EVENT_STATUS = 0, /* status changed (incl. first seen) */
	SWIM_EVENT_UPDATE,     /* address or meta changed, status same */
	SWIM_EVENT_REMOVED,    /* forgotten after reconnect/tombstone time */
	swim_event_type_MAX
};

/** A membership change, copied out. */
struct swim_event {
	enum swim_event_type type;
	char name[SWIM_NAME_MAX + 1];
	struct swim_addr addr;
	enum swim_status status;
	uint64_t incarnation;
	/** True when the member is this node (e.g. a refutation). */
	bool is_self;
};

/** Take the next event; false when there is none. */
bool
swim_poll_event(struct swim *swim, struct swim_event *out);

/** Absolute time of the next deadline; the driver arms one timer at it.
 *  UINT64_MAX when nothing is pending. */
uint64_t
swim_next_deadline_ms(const struct swim *swim);

/** A member as this node sees it. Pointers valid until the next call. */
struct swim_member_info {
	const char *name;
	struct swim_addr addr;
	enum swim_status status;
	uint64_t incarnation;
	const uint8_t *meta;
	size_t meta_size;
	bool is_self;
};

/** Members known, self included. */
size_t
swim_member_count(const struct swim *swim);

/** The i-th member (0 <= i < count), in no particular order. */
void
swim_member_at(const struct swim *swim, size_t i,
	       struct swim_member_info *out);

/** Look a member up by name; returns RUMOR_ENOTFOUND if unknown. */
int
swim_member_find(const struct swim *swim, const char *name,
		 struct swim_member_info *out);

/** Counters for diagnosis and benchmarks. */
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
	unsigned awareness;       /* current local health multiplier */
	size_t broadcast_queue;   /* updates waiting to be piggybacked */
};

void
swim_stats(const struct swim *swim, struct swim_stats *out);

/** This node's name (as given to swim_new). */
const char *
swim_self_name(const struct swim *swim);

/** This node's current incarnation (grows with every refutation). */
uint64_t
swim_self_incarnation(const struct swim *swim);

/** Whether swim_leave() was called (no more metadata changes then). */
bool
swim_is_leaving(const struct swim *swim);

/** Write "a.b.c.d:port" into buf (at least 22 bytes). Returns buf. */
char *
swim_addr_str(const struct swim_addr *addr, char *buf, size_t size);

/** Parse "a.b.c.d:port". Returns 0 or RUMOR_EINVAL. */
int
swim_addr_parse(const char *text, struct swim_addr *out);

/** Is `name` acceptable as a node name? */
bool
swim_name_valid(const char *name, size_t len);

#endif /* RUMOR_SWIM_H */
