/*
 * node: a SWIM core behind the seal layer, with the service registry
 * following it. Ciphertext goes in, is opened (or unwrapped in plaintext
 * mode) and handed to the core; what the core emits is sealed on the way
 * out. The two modes never mix: an encrypted node drops plaintext frames
 * and a plaintext node drops sealed ones, each counted under its own
 * reason so a misconfigured peer is easy to spot.
 *
 * Replay. Every sealed frame is stamped (its nonce: our life, our wall
 * clock, a counter) and every datagram is bound to the name of the member
 * it is for; a frame that opens is then checked against the frames taken
 * before (node_replay.c) and refused if it was taken, or is too old to
 * tell, before anything reads it: a datagram or a push-pull recorded on
 * the wire and sent again changes nothing and is answered by nothing,
 * whatever it says. Plaintext mode has none of this (nothing there is
 * authenticated).
 *
 * Every input ends the same way, in node__follow (node_follow.c): the
 * member events the input produced are applied to the registry and kept
 * for the driver. Draining outputs therefore changes nothing a query
 * sees, and a driver may drain late.
 *
 * Below this file: node_services.c (our announcement), node_follow.c (the
 * registry following membership), node_largeset.c (sets too large to
 * gossip) and node_internal.h (struct node).
 */
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "node_follow.h"
#include "node_largeset.h"
#include "rumor/error.h"
#include "swim/mpscan.h"
#include "swim/swim_rand.h"

const char *const node_drop_strs[node_drop_MAX] = {
	"none",	       "truncated", "plaintext", "encrypted", "version",
	"unknown_key", "auth",	    "oversize",	 "core",      "services",
	"budget",      "framing",   "replayed",  "stale",     "clock",
};

/* The registry with our own (empty) entry at our address, so that
 * node_set_services never has to allocate one after announcing. */
static struct registry *
registry_with_self(const struct swim_self *self,
		   const struct swim_allocator *alloc)
{
	struct registry *r = registry_new(alloc);
	struct service_set none = {0};
	if (r != NULL &&
	    (registry_set_node(r, self->name, true, &self->addr) != 0 ||
	     registry_apply(r, self->name, &none) < 0)) {
		registry_delete(r);
		r = NULL;
	}
	return r;
}

struct node *
node_new(const struct node_config *cfg, uint64_t now_ms)
{
	struct swim_config swim_cfg = cfg->swim;
	size_t overhead = cfg->keyring ? SEAL_OVERHEAD : SEAL_PLAIN_OVERHEAD;
	if (swim_cfg.datagram_size_max > NODE_DATAGRAM_MAX - overhead)
		swim_cfg.datagram_size_max = NODE_DATAGRAM_MAX - overhead;
	if (cfg->keyring != NULL && keyring_count(cfg->keyring) == 0)
		return NULL;
	const struct swim_allocator *alloc = cfg->swim.allocator;
	if (swim_mem_check(alloc) != 0)
		return NULL;
	struct node *node = swim_mem_calloc(alloc, 1, sizeof(*node));
	if (node == NULL)
		return NULL;
	node->alloc = alloc;
	node->swim = swim_new(&swim_cfg, &cfg->self, cfg->rand_seed, now_ms);
	node->registry = node->swim == NULL
				 ? NULL
				 : registry_with_self(&cfg->self, alloc);
	if (node->swim == NULL || node->registry == NULL) {
		registry_delete(node->registry);
		swim_delete(node->swim);
		swim_mem_free(alloc, node);
		return NULL;
	}
	node->keyring = cfg->keyring;
	/* Two lives, never equal: the stream life is the datagram life
	 * with its top bit flipped (seal.h: the life's last byte). */
	uint8_t life[SEAL_LIFE_SIZE];
	memcpy(life, cfg->nonce_prefix, sizeof(life));
	seal_nonce_init(&node->nonce, life);
	life[SEAL_LIFE_SIZE - 1] ^= 0x80;
	seal_nonce_init(&node->stream_nonce, life);
	node->self_name_len = strlen(cfg->self.name);
	node->wall_offset = (cfg->wall_ms != 0 ? cfg->wall_ms : now_ms) -
			    now_ms;
	node->now_ms = now_ms;
	node->pull_at_ms = UINT64_MAX;
	node->pull_jitter_ms = 2 * cfg->swim.probe_interval_ms;
	node->largesets_max = cfg->largesets_bytes_max
				      ? cfg->largesets_bytes_max
				      : NODE_LARGESETS_BYTES_MAX;
	/* Its own stream, apart from the core's draws. */
	swim_rand_init(&node->rand, cfg->rand_seed ^ 0x6e6f64652d70756cull);
	uint64_t skew = cfg->replay_skew_ms ? cfg->replay_skew_ms
					    : NODE_REPLAY_SKEW_MS;
	/* The table's key: a draw of its own, so the pull delays keep
	 * theirs. */
	struct swim_rand key = {0};
	swim_rand_init(&key, cfg->rand_seed ^ 0x7265706c61792d6bull);
	if (node__replay_create(&node->replay, alloc, swim_rand_next(&key),
				skew, now_ms + node->wall_offset) != 0) {
		node_delete(node);
		return NULL;
	}
	node__follow(node);
	return node;
}

void
node_delete(struct node *node)
{
	if (node == NULL)
		return;
	const struct swim_allocator *alloc = node->alloc;
	swim_delete(node->swim);
	registry_delete(node->registry);
	node__replay_destroy(&node->replay);
	swim_mem_free(alloc, node->events);
	for (size_t i = 0; i < node->largeset_count; i++)
		free(node->largesets[i].bytes);
	swim_mem_free(alloc, node->largesets);
	swim_mem_free(alloc, node->missing);
	for (size_t i = 0; i < node->own_count; i++)
		free(node->own[i]);
	free(node->own);
	free(node->tags);
	swim_mem_free(alloc, node);
}

/* ---- the seal boundary ------------------------------------------------- */

static enum node_drop
drop_from_seal(int rc)
{
	switch (rc) {
	case RUMOR_ETRUNCATED:
		return NODE_DROP_TRUNCATED;
	case RUMOR_EPLAINTEXT:
		return NODE_DROP_PLAINTEXT;
	case RUMOR_EUNKNOWNKEY:
		return NODE_DROP_UNKNOWN_KEY;
	case RUMOR_EAUTH:
		return NODE_DROP_AUTH;
	case RUMOR_ENOSPACE:
	case RUMOR_ETOOBIG:
		return NODE_DROP_OVERSIZE;
	case RUMOR_ELIMIT:
	case RUMOR_ENOMEM:
		return NODE_DROP_BUDGET;
	case RUMOR_EPROTO:
		return NODE_DROP_FRAMING;
	default:
		return NODE_DROP_VERSION;
	}
}

/* Our wall clock (see node_config.wall_ms). */
static uint64_t
node_wall(const struct node *node)
{
	return node->now_ms + node->wall_offset;
}

void
node_set_wall_clock(struct node *node, uint64_t now_ms, uint64_t wall_ms)
{
	node->wall_offset = wall_ms - now_ms;
}

/* The stamp of a frame that authenticated (its nonce) against the frames
 * taken before: NODE_DROP_NONE, and the frame is taken, or why it is
 * refused. */
static enum node_drop
replay_admit(struct node *node, const uint8_t nonce[SEAL_NONCE_SIZE])
{
	struct seal_stamp st;
	seal_stamp_read(&st, nonce);
	uint64_t now = node_wall(node);
	node__replay_sweep(&node->replay, now);
	switch (node__replay_check(&node->replay, &st, now)) {
	case NODE_REPLAY_FRESH:
		node__replay_take(&node->replay, &st, now);
		return NODE_DROP_NONE;
	case NODE_REPLAY_SEEN:
		return NODE_DROP_REPLAYED;
	case NODE_REPLAY_STALE:
		return NODE_DROP_STALE;
	default:
		return NODE_DROP_CLOCK;
	}
}

/*
 * Open a datagram bound to our name into out (capacity at least size) and
 * admit its stamp. Returns the plaintext (out, or a pointer into data in
 * plaintext mode) or NULL with *drop set (out then holds nothing of the
 * datagram).
 */
static const uint8_t *
node_unseal(struct node *node, const uint8_t *data, size_t size,
	    uint8_t *out, size_t out_cap, size_t *plain_size,
	    enum node_drop *drop)
{
	if (size == 0) {
		*drop = NODE_DROP_TRUNCATED;
		return NULL;
	}
	if (node->keyring == NULL) {
		const uint8_t *plain = seal_plain_unwrap(data, size,
							 plain_size);
		if (plain == NULL)
			*drop = NODE_DROP_ENCRYPTED;
		return plain;
	}
	int rc = seal_open_to(out, out_cap, plain_size, data, size,
			      SEAL_KIND_DATAGRAM, swim_self_name(node->swim),
			      node->self_name_len, node->keyring);
	if (rc != 0) {
		*drop = drop_from_seal(rc);
		return NULL;
	}
	*drop = replay_admit(node, data + SEAL_NONCE_OFFSET);
	if (*drop != NODE_DROP_NONE) {
		memset(out, 0, *plain_size);
		*plain_size = 0;
		return NULL;
	}
	return out;
}

/* Seal or wrap plain into out, a datagram for the member named to; 0 or
 * a negative RUMOR_E*. */
static int
node_seal(struct node *node, uint8_t *out, size_t out_cap,
	  size_t *out_size, const uint8_t *plain, size_t size,
	  const char *to, size_t to_len)
{
	if (node->keyring == NULL)
		return seal_plain_wrap(out, out_cap, out_size, plain, size);
	seal_nonce_set_time(&node->nonce, node_wall(node));
	return seal_close_to(out, out_cap, out_size, plain, size,
			     SEAL_KIND_DATAGRAM, to, to_len, &node->nonce,
			     node->keyring);
}

/* ---- inputs ------------------------------------------------------------ */

/* The end of every input: the registry follows what it changed. Returns
 * drop, counted unless NODE_DROP_NONE. */
static enum node_drop
input_done(struct node *node, enum node_drop drop)
{
	node__follow(node);
	if (drop != NODE_DROP_NONE)
		node->drop_count[drop]++;
	return drop;
}

static enum node_drop
datagram_apply(struct node *node, uint64_t now_ms,
	       const struct swim_addr *from, const uint8_t *data, size_t size)
{
	if (size > NODE_DATAGRAM_MAX)
		return NODE_DROP_OVERSIZE;
	uint8_t buf[NODE_DATAGRAM_MAX];
	size_t plain_size;
	enum node_drop drop = NODE_DROP_NONE;
	const uint8_t *plain = node_unseal(node, data, size, buf, sizeof(buf),
					   &plain_size, &drop);
	if (plain == NULL)
		return drop;
	if (swim_handle_datagram(node->swim, now_ms, from, plain,
				 plain_size) != SWIM_DROP_NONE)
		return NODE_DROP_CORE;
	return NODE_DROP_NONE;
}

enum node_drop
node_handle_datagram(struct node *node, uint64_t now_ms,
		     const struct swim_addr *from, const uint8_t *data,
		     size_t size)
{
	node->now_ms = now_ms;
	return input_done(node,
			  datagram_apply(node, now_ms, from, data, size));
}

void
node_handle_timeout(struct node *node, uint64_t now_ms)
{
	node->now_ms = now_ms;
	swim_handle_timeout(node->swim, now_ms);
	if (now_ms >= node->pull_at_ms)
		node__largeset_pull(node, now_ms);
	input_done(node, NODE_DROP_NONE);
}

int
node_restore(struct node *node, uint64_t now_ms,
	     const struct swim_self *members, size_t count)
{
	node->now_ms = now_ms;
	int rc = swim_restore(node->swim, now_ms, members, count);
	if (rc == 0)
		node__follow_restored(node, members, count);
	input_done(node, NODE_DROP_NONE);
	return rc;
}

int
node_join(struct node *node, uint64_t now_ms, const struct swim_addr *addrs,
	  size_t count)
{
	node->now_ms = now_ms;
	int rc = swim_join(node->swim, now_ms, addrs, count);
	input_done(node, NODE_DROP_NONE);
	return rc;
}

int
node_leave(struct node *node, uint64_t now_ms)
{
	node->now_ms = now_ms;
	int rc = swim_leave(node->swim, now_ms);
	input_done(node, NODE_DROP_NONE);
	return rc;
}

int
node_force_leave(struct node *node, uint64_t now_ms, const char *name)
{
	node->now_ms = now_ms;
	int rc = swim_force_leave(node->swim, now_ms, name);
	input_done(node, NODE_DROP_NONE);
	return rc;
}

bool
node_leave_done(const struct node *node, uint64_t now_ms)
{
	return swim_leave_done(node->swim, now_ms);
}

/* ---- the stream frame -------------------------------------------------- */

int
node_stream_encode(struct node *node, bool join, uint8_t **out,
		   size_t *size)
{
	uint8_t *state;
	size_t state_size;
	int rc = swim_state_encode(node->swim, join, &state, &state_size);
	if (rc != 0)
		return rc;
	/* Plaintext: the state, then the large sets attachment. */
	msgpack_sbuffer plain;
	msgpack_sbuffer_init(&plain);
	rc = msgpack_sbuffer_write(&plain, (const char *)state, state_size);
	swim_state_free(node->swim, state);
	if (rc == 0)
		rc = node__largeset_pack(node, &plain);
	if (rc != 0) {
		msgpack_sbuffer_destroy(&plain);
		return RUMOR_ENOMEM;
	}
	if (node->keyring != NULL)
		seal_nonce_set_time(&node->stream_nonce, node_wall(node));
	rc = plain.size > NODE_STREAM_BYTES_MAX
		? RUMOR_ETOOBIG
		: stream_encode(out, size, (const uint8_t *)plain.data,
				plain.size, &node->stream_nonce,
				node->keyring);
	msgpack_sbuffer_destroy(&plain);
	return rc;
}

/* An opened frame: the state (to the core), then the large sets, if
 * any. */
static enum node_drop
stream_apply(struct node *node, uint64_t now_ms, const struct swim_addr *from,
	     const uint8_t *plain, size_t size)
{
	size_t state_end;
	if (mpscan_value_end(plain, size, UINT64_MAX, UINT64_MAX,
			     &state_end) != MPSCAN_OK) {
		/* Let the core name (and count) what is wrong with it. */
		swim_handle_state(node->swim, now_ms, from, plain, size);
		return NODE_DROP_CORE;
	}
	msgpack_unpacked sets;
	bool has_sets = state_end < size;
	if (has_sets && node__largeset_unpack(&sets, plain + state_end,
					      size - state_end) !=
				NODE_DROP_NONE)
		return NODE_DROP_SERVICES;
	enum node_drop drop = NODE_DROP_NONE;
	if (swim_handle_state(node->swim, now_ms, from, plain, state_end) !=
	    SWIM_DROP_NONE)
		drop = NODE_DROP_CORE;
	else if (has_sets)
		node__largeset_take(node, &sets.data);
	if (has_sets)
		msgpack_unpacked_destroy(&sets);
	return drop;
}

void
node_stream_begin(const struct node *node, struct stream_rx *rx)
{
	(void)node;
	stream_rx_init(rx, NODE_STREAM_BYTES_MAX);
}

enum node_drop
node_stream_feed(struct node *node, struct stream_rx *rx,
		 struct stream_budget *budget, const uint8_t *data,
		 size_t size, bool *done)
{
	bool was_authenticated = rx->authenticated;
	int rc = stream_rx_feed(rx, budget, data, size, node->keyring, done);
	if (rc == 0 && node->keyring != NULL && !was_authenticated &&
	    rx->authenticated) {
		/* The header opened: its stamp stands for the stream (every
		 * chunk names the header's nonce), so a recorded stream sent
		 * again is refused here, before it is applied. */
		enum node_drop drop = replay_admit(node, rx->id);
		if (drop != NODE_DROP_NONE) {
			*done = false;
			node->drop_count[drop]++;
			return drop;
		}
	}
	if (rc == 0)
		return NODE_DROP_NONE;
	/* The other mode's header: which side is plaintext, as for
	 * datagrams. */
	enum node_drop drop = rc == RUMOR_EPLAINTEXT && node->keyring == NULL
		? NODE_DROP_ENCRYPTED : drop_from_seal(rc);
	node->drop_count[drop]++;
	return drop;
}

enum node_drop
node_stream_apply(struct node *node, uint64_t now_ms,
		  const struct swim_addr *from, const struct stream_rx *rx)
{
	node->now_ms = now_ms;
	size_t size;
	const uint8_t *plain = stream_rx_data(rx, &size);
	return input_done(node, stream_apply(node, now_ms, from, plain,
					     size));
}

enum node_drop
node_stream_handle(struct node *node, uint64_t now_ms,
		   const struct swim_addr *from, const uint8_t *data,
		   size_t size)
{
	struct stream_rx rx;
	struct stream_budget budget = {.max = SIZE_MAX};
	bool done = false;
	node_stream_begin(node, &rx);
	enum node_drop drop = node_stream_feed(node, &rx, &budget, data, size,
					       &done);
	if (drop == NODE_DROP_NONE && !done) {
		drop = NODE_DROP_TRUNCATED;
		node->drop_count[drop]++;
	}
	if (drop == NODE_DROP_NONE)
		drop = node_stream_apply(node, now_ms, from, &rx);
	stream_rx_destroy(&rx, &budget);
	return drop;
}

/* ---- outputs ----------------------------------------------------------- */

bool
node_poll_datagram(struct node *node, struct node_datagram *out)
{
	struct swim_datagram dg;
	while (swim_poll_datagram(node->swim, &dg)) {
		if (node_seal(node, out->data, sizeof(out->data), &out->size,
			      dg.data, dg.size, dg.to_name,
			      dg.to_name_len) != 0)
			continue;
		out->to = dg.to;
		return true;
	}
	return false;
}

bool
node_poll_stream(struct node *node, struct swim_stream_req *out)
{
	if (swim_poll_stream(node->swim, out))
		return true;
	if (!node->pull_due)
		return false;
	node->pull_due = false;
	*out = (struct swim_stream_req){.to = node->pull_to, .join = false};
	return true;
}

bool
node_poll_event(struct node *node, struct swim_event *out)
{
	return node__event_pop(node, out);
}

uint64_t
node_next_deadline_ms(const struct node *node)
{
	uint64_t next = swim_next_deadline_ms(node->swim);
	return node->pull_at_ms < next ? node->pull_at_ms : next;
}

/* ---- queries ----------------------------------------------------------- */

struct registry *
node_registry(struct node *node)
{
	return node->registry;
}

const struct swim *
node_swim(const struct node *node)
{
	return node->swim;
}

void
node_stats(const struct node *node, struct node_stats *out)
{
	swim_stats(node->swim, &out->swim);
	memcpy(out->drop_count, node->drop_count, sizeof(out->drop_count));
	out->bad_service_sets = node->bad_service_sets;
	out->large_sets_held = node->largeset_count;
	out->large_sets_missing = node->missing_count;
	out->large_sets_refused = node->largesets_refused;
	out->set_pulls = node->largeset_pulls;
	out->sets_received = node->largesets_received;
	out->events_dropped = node->events_dropped;
	out->registry_resyncs = node->registry_resyncs;
	out->replay_lives = node->replay.count;
	out->replay_lives_peak = node->replay.peak;
	out->replay_evictions = node->replay.evictions;
}

/* ---- invariants -------------------------------------------------------- */

static const char *
check_own(const struct node *node)
{
	if (node->ev_count > node->ev_cap || node->ev_cap > NODE_EVENTS_MAX ||
	    (node->ev_cap > 0 && node->ev_head >= node->ev_cap))
		return "the node's event ring is past its bounds";
	if (node->largeset_count > node->largeset_cap ||
	    node->missing_count > node->missing_cap)
		return "the large sets are past their tables";
	for (size_t i = 0; i < node->largeset_count; i++) {
		const struct node_largeset *b = &node->largesets[i];
		if (b->bytes == NULL || b->size == 0)
			return "a large set held has no bytes";
		if (i > 0 && strcmp(b[-1].name, b->name) >= 0)
			return "the large sets are not sorted by name";
	}
	return NULL;
}

/* Whether host is addr's IPv4 address, dotted (as the registry writes
 * it). Parsed rather than printed: this runs for every member after
 * every input the simulator checks. */
static bool
host_is(const char *host, const struct swim_addr *addr)
{
	uint32_t ip = 0;
	for (int octet = 0; octet < 4; octet++) {
		unsigned v = 0, digits = 0;
		for (; *host >= '0' && *host <= '9' && digits < 3; host++) {
			v = v * 10 + (unsigned)(*host - '0');
			digits++;
		}
		if (digits == 0 || v > 255 || *host != (octet < 3 ? '.' : 0))
			return false;
		ip = ip << 8 | v;
		host += octet < 3;
	}
	return ip == addr->ip;
}

/* Whether the registry must hold m: all but members a restore installed
 * without metadata (check_follows). */
static bool
must_hold(const struct swim_member_info *m)
{
	return m->is_self || !node__status_up(m->status) || m->meta_size > 0;
}

/*
 * The registry follows membership (node_follow.c): it holds only members,
 * each up while alive or suspect, at its address, no set ahead of it. A
 * member it does not hold was installed by a restore without metadata and
 * has not changed since (any change is an event, and every event creates
 * the member's entry): up, with no services, as the registry takes a node
 * it never heard of to be. The walk goes over the registry and finds each
 * node in the core's hash index, so it costs O(members).
 */
static const char *
check_follows(const struct node *node)
{
	const struct swim *swim = node->swim;
	size_t count = swim_member_count(swim), must = 0, held_must = 0;
	for (size_t i = 0; i < count; i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		must += must_hold(&m);
	}
	size_t held = registry_node_total(node->registry);
	for (size_t i = 0; i < held; i++) {
		struct registry_node_state st;
		struct swim_member_info m;
		registry_node_at(node->registry, i, &st);
		if (swim_member_find(swim, st.name, &m) != 0)
			return "the registry holds nodes that are not members";
		held_must += must_hold(&m);
		if (st.has_set && st.version > m.incarnation)
			return "the registry holds a set newer than its node";
		if (m.is_self)
			continue; /* up, at the address it was given */
		if (st.up != node__status_up(m.status))
			return "the registry has a node up or down wrongly";
		if (!host_is(st.host, &m.addr))
			return "the registry has a node at another host";
	}
	/* Members are distinct and the registry holds only members: the
	 * counts agree only if it holds every member it must. */
	if (held_must != must)
		return "a member is missing from the registry";
	return NULL;
}

int
node_check(const struct node *node, const char **why)
{
	if (swim_check(node->swim, why) != 0 ||
	    registry_check(node->registry, why) != 0)
		return RUMOR_ESTATE;
	const char *broken = check_own(node);
	if (broken == NULL)
		broken = node__replay_check_table(&node->replay);
	if (broken == NULL && !node->registry_stale)
		broken = check_follows(node);
	if (broken == NULL)
		return 0;
	if (why != NULL)
		*why = broken;
	return RUMOR_ESTATE;
}
