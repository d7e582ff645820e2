/*
 * node: a SWIM core behind the seal layer. Ciphertext goes in, is opened
 * (or unwrapped in plaintext mode) and handed to the core; what the core
 * emits is sealed on the way out. The two modes never mix: an encrypted
 * node drops plaintext frames and a plaintext node drops sealed ones, each
 * counted under its own reason so a misconfigured peer is easy to spot.
 */
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "rumor/error.h"
#include "swim/mpscan.h"
#include "swim/swim_rand.h"

const char *const node_drop_strs[node_drop_MAX] = {
	"none",	       "truncated", "plaintext", "encrypted", "version",
	"unknown_key", "auth",	    "oversize",	 "core",      "services",
};

/*
 * A set too big for one announcement, as its owner encoded it, known by
 * its digest (the one its owner's stub announces): what we serve onward
 * in push-pulls.
 */
struct bigset {
	char name[SWIM_NAME_MAX + 1];
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
	uint8_t *bytes;
	size_t size;
};

/* A stub we saw for a set we do not hold yet. */
struct want {
	char name[SWIM_NAME_MAX + 1];
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
};

struct node {
	struct swim *swim;
	const struct keyring *keyring;
	struct seal_nonce nonce;
	uint64_t drop_count[node_drop_MAX];
	struct registry *registry;
	uint64_t bad_service_sets;
	/* Time of the latest input: events are drained after it. */
	uint64_t now_ms;
	/* Large sets held (sorted by name), and those still missing. */
	struct bigset *bigsets;
	size_t bigset_count, bigset_cap;
	/* Where the next frame starts packing sets, when not all fit. */
	size_t bigset_cursor;
	struct want *wants;
	size_t want_count, want_cap;
	/* The next pull of a missing set: when, and a push-pull due now. */
	uint64_t pull_at_ms;
	uint64_t pull_jitter_ms;
	bool pull_due;
	struct swim_addr pull_to;
	struct swim_rand rand;
	uint64_t set_pulls;
	uint64_t sets_received;
};

struct node *
node_new(const struct node_config *cfg, uint64_t now_ms)
{
	struct swim_config swim_cfg = cfg->swim;
	size_t overhead = cfg->keyring ? SEAL_OVERHEAD : SEAL_PLAIN_OVERHEAD;
	if (swim_cfg.datagram_size_max > NODE_DATAGRAM_MAX - overhead)
		swim_cfg.datagram_size_max = NODE_DATAGRAM_MAX - overhead;
	if (cfg->keyring != NULL && keyring_count(cfg->keyring) == 0)
		return NULL;
	struct node *node = calloc(1, sizeof(*node));
	if (node == NULL)
		return NULL;
	node->swim = swim_new(&swim_cfg, &cfg->self, cfg->rand_seed, now_ms);
	if (node->swim == NULL) {
		free(node);
		return NULL;
	}
	node->registry = registry_new();
	/* Our own (empty) entry, so that node_set_services never has to
	 * allocate one after announcing. */
	struct service_set none = {0};
	if (node->registry == NULL ||
	    registry_apply(node->registry, cfg->self.name, &none) < 0) {
		registry_delete(node->registry);
		swim_delete(node->swim);
		free(node);
		return NULL;
	}
	node->keyring = cfg->keyring;
	seal_nonce_init(&node->nonce, cfg->nonce_prefix);
	node->now_ms = now_ms;
	node->pull_at_ms = UINT64_MAX;
	node->pull_jitter_ms = 2 * cfg->swim.probe_interval_ms;
	/* Its own stream, apart from the core's draws. */
	swim_rand_init(&node->rand, cfg->rand_seed ^ 0x6e6f64652d70756cull);
	return node;
}

void
node_delete(struct node *node)
{
	if (node == NULL)
		return;
	swim_delete(node->swim);
	registry_delete(node->registry);
	for (size_t i = 0; i < node->bigset_count; i++)
		free(node->bigsets[i].bytes);
	free(node->bigsets);
	free(node->wants);
	free(node);
}

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
		return NODE_DROP_OVERSIZE;
	default:
		return NODE_DROP_VERSION;
	}
}

static enum node_drop
count_drop(struct node *node, enum node_drop drop)
{
	node->drop_count[drop]++;
	return drop;
}

/*
 * Open a frame of `kind` into out (capacity at least size). Returns the
 * plaintext (out, or a pointer into data in plaintext mode) or NULL with
 * *drop set.
 */
static const uint8_t *
node_open(struct node *node, const uint8_t *data, size_t size,
	  enum seal_kind kind, uint8_t *out, size_t out_cap,
	  size_t *plain_size, enum node_drop *drop)
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
	int rc = seal_open(out, out_cap, plain_size, data, size, kind,
			   node->keyring);
	if (rc != 0) {
		*drop = drop_from_seal(rc);
		return NULL;
	}
	return out;
}

/* ---- large sets ----------------------------------------------------------
 *
 * A set bigger than one announcement (NODE_SERVICES_GOSSIP_MAX) is
 * announced as a stub carrying the set's size and digest; the set itself
 * rides in push-pull frames, after the SWIM state:
 *
 *	[ [name str, set bin], ... ]     (absent when there is none)
 *
 * A set is taken only when its digest is the one the member's current
 * stub announces, so it does not matter who serves it, or in what order
 * stubs and sets arrive, or whether a restarted owner's incarnation fell:
 * the registry versions every set, inline or large, by the incarnation of
 * the announcement that carries it, as membership orders them. Every
 * node that holds a large set serves it in every push-pull it takes part
 * in. A node that sees a stub it cannot fill plans a push-pull with the
 * owner after a random delay in [0, 2 probe intervals], one at a time,
 * and skips it when another exchange brought the set meanwhile.
 */

static struct bigset *
bigset_find(const struct node *node, const char *name, size_t *pos)
{
	size_t lo = 0, hi = node->bigset_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(node->bigsets[mid].name, name);
		if (c == 0) {
			if (pos != NULL)
				*pos = mid;
			return &node->bigsets[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos != NULL)
		*pos = lo;
	return NULL;
}

/* Whether we hold name's set of this digest. */
static bool
bigset_holds(const struct node *node, const char *name,
	     const uint8_t digest[SERVICE_SET_DIGEST_SIZE])
{
	const struct bigset *b = bigset_find(node, name, NULL);
	return b != NULL &&
	       memcmp(b->digest, digest, SERVICE_SET_DIGEST_SIZE) == 0;
}

/* Room for one more entry, so that a later bigset_put cannot fail. */
static int
bigset_reserve(struct node *node)
{
	if (node->bigset_count < node->bigset_cap)
		return 0;
	size_t cap = node->bigset_cap ? 2 * node->bigset_cap : 4;
	struct bigset *b = realloc(node->bigsets, cap * sizeof(*b));
	if (b == NULL)
		return RUMOR_ENOMEM;
	node->bigsets = b;
	node->bigset_cap = cap;
	return 0;
}

/* Keep bytes (taken over) as name's set; room reserved. */
static void
bigset_put(struct node *node, const char *name,
	   const uint8_t digest[SERVICE_SET_DIGEST_SIZE], uint8_t *bytes,
	   size_t size)
{
	size_t pos;
	struct bigset *b = bigset_find(node, name, &pos);
	if (b == NULL) {
		memmove(&node->bigsets[pos + 1], &node->bigsets[pos],
			(node->bigset_count - pos) * sizeof(*b));
		node->bigset_count++;
		b = &node->bigsets[pos];
		strcpy(b->name, name);
	} else {
		free(b->bytes);
	}
	memcpy(b->digest, digest, SERVICE_SET_DIGEST_SIZE);
	b->bytes = bytes;
	b->size = size;
}

static void
bigset_drop(struct node *node, const char *name)
{
	size_t pos;
	struct bigset *b = bigset_find(node, name, &pos);
	if (b == NULL)
		return;
	free(b->bytes);
	node->bigset_count--;
	memmove(b, b + 1, (node->bigset_count - pos) * sizeof(*b));
}

/* Remember that name's set of this digest is missing; plan a pull. */
static void
want_add(struct node *node, const char *name,
	 const uint8_t digest[SERVICE_SET_DIGEST_SIZE])
{
	struct want *w = NULL;
	for (size_t i = 0; i < node->want_count && w == NULL; i++) {
		if (strcmp(node->wants[i].name, name) == 0)
			w = &node->wants[i];
	}
	if (w == NULL) {
		if (node->want_count == node->want_cap) {
			size_t cap = node->want_cap ? 2 * node->want_cap : 4;
			struct want *grown = realloc(node->wants,
						     cap * sizeof(*grown));
			if (grown == NULL)
				return; /* the next event asks again */
			node->wants = grown;
			node->want_cap = cap;
		}
		w = &node->wants[node->want_count++];
		strcpy(w->name, name);
	}
	memcpy(w->digest, digest, SERVICE_SET_DIGEST_SIZE);
	if (node->pull_at_ms == UINT64_MAX)
		node->pull_at_ms = node->now_ms +
				   swim_rand_below(&node->rand,
						   node->pull_jitter_ms + 1);
}

/* name's set arrived: no more pulling for it. */
static void
want_filled(struct node *node, const char *name)
{
	for (size_t i = 0; i < node->want_count; i++) {
		if (strcmp(node->wants[i].name, name) != 0)
			continue;
		node->wants[i] = node->wants[--node->want_count];
		if (node->want_count == 0)
			node->pull_at_ms = UINT64_MAX;
		return;
	}
}

/* Whether a member in this status counts as up for its services. */
static bool
status_up(enum swim_status status)
{
	return status == SWIM_STATUS_ALIVE || status == SWIM_STATUS_SUSPECT;
}

/* The digest m's current stub announces; false when its metadata is no
 * stub. */
static bool
member_stub(const struct swim_member_info *m,
	    uint8_t digest[SERVICE_SET_DIGEST_SIZE])
{
	struct service_set set = {0};
	bool stub = m->meta_size > 0 &&
		    service_set_decode(&set, m->meta, m->meta_size, NULL) ==
			    0 &&
		    set.full_size > 0;
	if (stub)
		memcpy(digest, set.digest, SERVICE_SET_DIGEST_SIZE);
	service_set_destroy(&set);
	return stub;
}

/*
 * The pull timer fired: forget wants that were filled, superseded or
 * whose owner is gone, ask the owner of the first one left for a
 * push-pull (then move it last, so an owner that does not answer holds up
 * no one else) and plan the next pull while any remain.
 */
static void
pull_fire(struct node *node, uint64_t now_ms)
{
	node->pull_at_ms = UINT64_MAX;
	size_t kept = 0;
	for (size_t i = 0; i < node->want_count; i++) {
		struct want *w = &node->wants[i];
		struct swim_member_info m;
		uint8_t digest[SERVICE_SET_DIGEST_SIZE];
		if (swim_member_find(node->swim, w->name, &m) != 0 ||
		    !status_up(m.status) || !member_stub(&m, digest) ||
		    memcmp(digest, w->digest, sizeof(digest)) != 0 ||
		    bigset_holds(node, w->name, w->digest))
			continue;
		node->wants[kept++] = *w;
	}
	node->want_count = kept;
	if (kept == 0)
		return;
	struct want first = node->wants[0];
	memmove(&node->wants[0], &node->wants[1],
		(kept - 1) * sizeof(first));
	node->wants[kept - 1] = first;
	struct swim_member_info m;
	/* Known: the loop above kept only wants of members it found. */
	if (swim_member_find(node->swim, first.name, &m) != 0)
		return;
	node->pull_due = true;
	node->pull_to = m.addr;
	node->set_pulls++;
	node->pull_at_ms = now_ms + node->pull_jitter_ms +
			   swim_rand_below(&node->rand,
					   node->pull_jitter_ms + 1);
}

/* Apply the large set b as m's services, at m's incarnation; whether it
 * was taken. */
static bool
bigset_apply(struct node *node, const struct bigset *b,
	     const struct swim_member_info *m)
{
	struct service_set set = {0};
	if (service_set_decode(&set, b->bytes, b->size, NULL) != 0 ||
	    set.full_size > 0) {
		/* Kept all the same, for peers that can read it. */
		service_set_destroy(&set);
		node->bad_service_sets++;
		return false;
	}
	set.version = m->incarnation;
	int rc = registry_apply(node->registry, m->name, &set);
	if (rc < 0)
		node->bad_service_sets++;
	if (rc > 0)
		node->sets_received++;
	service_set_destroy(&set);
	return rc > 0;
}

/*
 * name's set from a push-pull: taken when its digest is the one name's
 * current stub announces and we do not hold it yet; anything else is an
 * older set or one for a stub we have not seen, and is ignored.
 */
static void
bigset_receive(struct node *node, const char *name, const uint8_t *bytes,
	       size_t size)
{
	struct swim_member_info m;
	uint8_t want[SERVICE_SET_DIGEST_SIZE], got[SERVICE_SET_DIGEST_SIZE];
	if (swim_member_find(node->swim, name, &m) != 0 || m.is_self ||
	    !member_stub(&m, want) || bigset_holds(node, name, want))
		return;
	service_set_digest(got, bytes, size);
	if (memcmp(got, want, sizeof(got)) != 0)
		return;
	uint8_t *copy = malloc(size ? size : 1);
	if (copy == NULL || bigset_reserve(node) != 0) {
		free(copy);
		return; /* still wanted: pulled again */
	}
	memcpy(copy, bytes, size);
	bigset_put(node, name, got, copy, size);
	want_filled(node, name);
	/* Not from an event, so the owner's status is set here too (on
	 * the event path registry_follow does it). */
	if (bigset_apply(node, bigset_find(node, name, NULL), &m))
		registry_set_node_up(node->registry, name,
				     status_up(m.status));
}

/* The sets attachment of a frame, decoded; NODE_DROP_SERVICES if bad. */
#define SETS_OBJECTS_MAX (3ull * SWIM_MEMBERS_MAX + 1)

static enum node_drop
sets_unpack(msgpack_unpacked *unpacked, const uint8_t *data, size_t size)
{
	if (mpscan_unpack(unpacked, data, size, SWIM_MEMBERS_MAX,
			  SETS_OBJECTS_MAX) != MPSCAN_OK)
		return NODE_DROP_SERVICES;
	const msgpack_object *root = &unpacked->data;
	bool ok = root->type == MSGPACK_OBJECT_ARRAY;
	for (uint32_t i = 0; ok && i < root->via.array.size; i++) {
		const msgpack_object *e = &root->via.array.ptr[i];
		ok = e->type == MSGPACK_OBJECT_ARRAY &&
		     e->via.array.size == 2 &&
		     e->via.array.ptr[0].type == MSGPACK_OBJECT_STR &&
		     e->via.array.ptr[0].via.str.size > 0 &&
		     e->via.array.ptr[0].via.str.size <= SWIM_NAME_MAX &&
		     memchr(e->via.array.ptr[0].via.str.ptr, '\0',
			    e->via.array.ptr[0].via.str.size) == NULL &&
		     e->via.array.ptr[1].type == MSGPACK_OBJECT_BIN &&
		     e->via.array.ptr[1].via.bin.size <=
			     SERVICE_SET_BYTES_MAX;
	}
	if (!ok) {
		msgpack_unpacked_destroy(unpacked);
		return NODE_DROP_SERVICES;
	}
	return NODE_DROP_NONE;
}

static void
sets_apply(struct node *node, const msgpack_object *root)
{
	for (uint32_t i = 0; i < root->via.array.size; i++) {
		const msgpack_object *e = root->via.array.ptr[i].via.array.ptr;
		char name[SWIM_NAME_MAX + 1];
		memcpy(name, e[0].via.str.ptr, e[0].via.str.size);
		name[e[0].via.str.size] = '\0';
		bigset_receive(node, name, (const uint8_t *)e[1].via.bin.ptr,
			       e[1].via.bin.size);
	}
}

/* Bytes an attachment entry takes at most (array, str8, bin32 headers). */
static size_t
sets_entry_size(const struct bigset *b)
{
	return 1 + 2 + strlen(b->name) + 5 + b->size;
}

/*
 * Append the sets attachment to a frame's plaintext (which holds the
 * state): every large set held, those that fit under SWIM_STATE_MAX in
 * all, starting one further each frame when not all fit. Nothing at all
 * when there is none, so such a frame is the bare state.
 */
/* The k-th set from the cursor if it fits in *room (taken from it), else
 * NULL: the one choice both passes of sets_pack make. */
static const struct bigset *
sets_choose(const struct node *node, size_t k, size_t *room)
{
	const struct bigset *b =
		&node->bigsets[(node->bigset_cursor + k) % node->bigset_count];
	size_t need = sets_entry_size(b);
	if (need > *room)
		return NULL;
	*room -= need;
	return b;
}

static int
sets_pack(struct node *node, msgpack_sbuffer *sbuf)
{
	const size_t header = 5; /* array32 */
	size_t n = node->bigset_count, fit = 0;
	const size_t budget = sbuf->size + header < SWIM_STATE_MAX
				      ? SWIM_STATE_MAX - sbuf->size - header
				      : 0;
	/* Two passes with the same choices: count, then pack. */
	size_t room = budget;
	for (size_t k = 0; k < n; k++)
		fit += sets_choose(node, k, &room) != NULL;
	if (fit == 0)
		return 0;
	msgpack_packer pk;
	msgpack_packer_init(&pk, sbuf, msgpack_sbuffer_write);
	int rc = msgpack_pack_array(&pk, fit);
	room = budget;
	for (size_t k = 0; rc == 0 && k < n; k++) {
		const struct bigset *b = sets_choose(node, k, &room);
		if (b == NULL)
			continue;
		size_t len = strlen(b->name);
		rc = msgpack_pack_array(&pk, 2) ||
		     msgpack_pack_str(&pk, len) ||
		     msgpack_pack_str_body(&pk, b->name, len) ||
		     msgpack_pack_bin(&pk, b->size) ||
		     msgpack_pack_bin_body(&pk, b->bytes, b->size);
	}
	node->bigset_cursor = (node->bigset_cursor + 1) % n;
	return rc == 0 ? 0 : RUMOR_ENOMEM;
}

/* ---- inputs and outputs --------------------------------------------------- */

enum node_drop
node_handle_datagram(struct node *node, uint64_t now_ms,
		     const struct swim_addr *from, const uint8_t *data,
		     size_t size)
{
	node->now_ms = now_ms;
	if (size > NODE_DATAGRAM_MAX)
		return count_drop(node, NODE_DROP_OVERSIZE);
	uint8_t buf[NODE_DATAGRAM_MAX];
	size_t plain_size;
	enum node_drop drop = NODE_DROP_NONE;
	const uint8_t *plain = node_open(node, data, size,
					 SEAL_KIND_DATAGRAM, buf, sizeof(buf),
					 &plain_size, &drop);
	if (plain == NULL)
		return count_drop(node, drop);
	if (swim_handle_datagram(node->swim, now_ms, from, plain,
				 plain_size) != SWIM_DROP_NONE)
		return count_drop(node, NODE_DROP_CORE);
	return NODE_DROP_NONE;
}

void
node_handle_timeout(struct node *node, uint64_t now_ms)
{
	node->now_ms = now_ms;
	swim_handle_timeout(node->swim, now_ms);
	if (now_ms >= node->pull_at_ms)
		pull_fire(node, now_ms);
}

int
node_join(struct node *node, uint64_t now_ms, const struct swim_addr *addrs,
	  size_t count)
{
	node->now_ms = now_ms;
	return swim_join(node->swim, now_ms, addrs, count);
}

int
node_leave(struct node *node, uint64_t now_ms)
{
	node->now_ms = now_ms;
	return swim_leave(node->swim, now_ms);
}

bool
node_leave_done(const struct node *node, uint64_t now_ms)
{
	return swim_leave_done(node->swim, now_ms);
}

/* Seal or wrap plain into out; 0 or a negative RUMOR_E*. */
static int
node_close(struct node *node, uint8_t *out, size_t out_cap,
	   size_t *out_size, const uint8_t *plain, size_t size,
	   enum seal_kind kind)
{
	if (node->keyring == NULL)
		return seal_plain_wrap(out, out_cap, out_size, plain, size);
	return seal_close(out, out_cap, out_size, plain, size, kind,
			  &node->nonce, node->keyring);
}

bool
node_poll_datagram(struct node *node, struct node_datagram *out)
{
	struct swim_datagram dg;
	while (swim_poll_datagram(node->swim, &dg)) {
		if (node_close(node, out->data, sizeof(out->data), &out->size,
			       dg.data, dg.size, SEAL_KIND_DATAGRAM) != 0)
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

int
node_stream_encode(struct node *node, bool join, uint8_t **out,
		   size_t *size)
{
	uint8_t *state;
	size_t state_size;
	int rc = swim_state_encode(node->swim, join, &state, &state_size);
	if (rc != 0)
		return rc;
	/* Plaintext: the state, then the sets attachment. */
	msgpack_sbuffer plain;
	msgpack_sbuffer_init(&plain);
	rc = msgpack_sbuffer_write(&plain, (const char *)state, state_size);
	swim_state_free(node->swim, state);
	if (rc == 0)
		rc = sets_pack(node, &plain);
	if (rc != 0) {
		msgpack_sbuffer_destroy(&plain);
		return RUMOR_ENOMEM;
	}
	size_t cap = NODE_STREAM_PREFIX + plain.size + SEAL_OVERHEAD;
	uint8_t *frame = malloc(cap);
	if (frame == NULL) {
		msgpack_sbuffer_destroy(&plain);
		return RUMOR_ENOMEM;
	}
	size_t sealed_size;
	rc = node_close(node, frame + NODE_STREAM_PREFIX,
			cap - NODE_STREAM_PREFIX, &sealed_size,
			(const uint8_t *)plain.data, plain.size,
			SEAL_KIND_STREAM);
	msgpack_sbuffer_destroy(&plain);
	if (rc != 0 || sealed_size > NODE_STREAM_FRAME_MAX) {
		free(frame);
		return rc != 0 ? rc : RUMOR_ETOOBIG;
	}
	frame[0] = (uint8_t)(sealed_size >> 24);
	frame[1] = (uint8_t)(sealed_size >> 16);
	frame[2] = (uint8_t)(sealed_size >> 8);
	frame[3] = (uint8_t)sealed_size;
	*out = frame;
	*size = NODE_STREAM_PREFIX + sealed_size;
	return 0;
}

/* An opened frame: the state (to the core), then the sets, if any. */
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
	if (has_sets && sets_unpack(&sets, plain + state_end,
				    size - state_end) != NODE_DROP_NONE)
		return NODE_DROP_SERVICES;
	enum node_drop drop = NODE_DROP_NONE;
	if (swim_handle_state(node->swim, now_ms, from, plain, state_end) !=
	    SWIM_DROP_NONE)
		drop = NODE_DROP_CORE;
	else if (has_sets)
		sets_apply(node, &sets.data);
	if (has_sets)
		msgpack_unpacked_destroy(&sets);
	return drop;
}

enum node_drop
node_stream_handle(struct node *node, uint64_t now_ms,
		   const struct swim_addr *from, const uint8_t *data,
		   size_t size)
{
	node->now_ms = now_ms;
	if (size > NODE_STREAM_FRAME_MAX)
		return count_drop(node, NODE_DROP_OVERSIZE);
	uint8_t *buf = NULL;
	if (node->keyring != NULL) {
		buf = malloc(size ? size : 1);
		if (buf == NULL)
			return count_drop(node, NODE_DROP_OVERSIZE);
	}
	size_t plain_size;
	enum node_drop drop = NODE_DROP_NONE;
	const uint8_t *plain = node_open(node, data, size, SEAL_KIND_STREAM,
					 buf, size, &plain_size, &drop);
	if (plain != NULL)
		drop = stream_apply(node, now_ms, from, plain, plain_size);
	free(buf);
	if (drop != NODE_DROP_NONE)
		return count_drop(node, drop);
	return NODE_DROP_NONE;
}

/*
 * A member's services, read from its metadata as its events pass, and
 * versioned by the member's incarnation (metadata only changes with a
 * higher one), so an older set never replaces a newer. A stub is filled
 * from the large set of its digest when we hold it; else it is wanted,
 * and the older set stays until it comes.
 */
static void
services_from_meta(struct node *node, const struct swim_event *ev)
{
	struct swim_member_info m;
	if (swim_member_find(node->swim, ev->name, &m) != 0)
		return;
	uint64_t held;
	if (registry_version(node->registry, m.name, &held) &&
	    held >= m.incarnation)
		return;
	struct service_set set = {0};
	if (m.meta_size > 0 &&
	    service_set_decode(&set, m.meta, m.meta_size, NULL) != 0) {
		node->bad_service_sets++;
		return;
	}
	if (set.full_size == 0) {
		bigset_drop(node, m.name);
		want_filled(node, m.name);
		set.version = m.incarnation;
		if (registry_apply(node->registry, m.name, &set) < 0)
			node->bad_service_sets++;
		service_set_destroy(&set);
		return;
	}
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
	memcpy(digest, set.digest, sizeof(digest));
	service_set_destroy(&set);
	const struct bigset *b = bigset_find(node, m.name, NULL);
	if (b == NULL || memcmp(b->digest, digest, sizeof(digest)) != 0)
		want_add(node, m.name, digest);
	else
		bigset_apply(node, b, &m);
}

static void
registry_follow(struct node *node, const struct swim_event *ev)
{
	if (ev->type == SWIM_EVENT_REMOVED) {
		registry_forget(node->registry, ev->name);
		bigset_drop(node, ev->name);
		return;
	}
	if (ev->is_self)
		return; /* our own set is applied when we set it */
	/* Answers carry members' addresses, which change only with an
	 * update or a return to alive; everything else they carry moves
	 * the registry's generation by itself. */
	if (ev->type == SWIM_EVENT_UPDATE || ev->status == SWIM_STATUS_ALIVE)
		registry_touch(node->registry);
	services_from_meta(node, ev);
	registry_set_node_up(node->registry, ev->name, status_up(ev->status));
}

bool
node_poll_event(struct node *node, struct swim_event *out)
{
	if (!swim_poll_event(node->swim, out))
		return false;
	registry_follow(node, out);
	return true;
}

/*
 * Validate and encode a set for announcing at `version`; nothing changes.
 * *meta is what the announcement carries: the set itself when it fits,
 * else its stub, and then *full is the set (NULL otherwise) and digest
 * its digest.
 */
static int
services_encode(const struct node *node,
		const struct service *const *services, size_t count,
		uint64_t version, uint8_t **meta, size_t *meta_size,
		uint8_t **full, size_t *full_size,
		uint8_t digest[SERVICE_SET_DIGEST_SIZE], const char **why)
{
	*full = NULL;
	*full_size = 0;
	if (swim_is_leaving(node->swim)) {
		if (why != NULL)
			*why = "the agent is leaving";
		return RUMOR_ESTATE;
	}
	if (count > SERVICE_PER_NODE_MAX) {
		if (why != NULL)
			*why = "too many services on one node";
		return RUMOR_ETOOBIG;
	}
	for (size_t i = 0; i < count; i++) {
		int rc = service_validate(services[i], why);
		if (rc != 0)
			return rc;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(services[i]->id, services[j]->id) == 0) {
				if (why != NULL)
					*why = "two services have the same id";
				return RUMOR_EINVAL;
			}
		}
	}
	int rc = service_set_encode(version,
				    (struct service *const *)services, count,
				    meta, meta_size);
	if (rc == 0 && *meta_size > NODE_SERVICES_GOSSIP_MAX) {
		*full = *meta;
		*full_size = *meta_size;
		rc = service_set_encode_stub(version, *full, *full_size, meta,
					     meta_size, digest);
		if (rc != 0) {
			free(*full);
			*full = NULL;
		}
	}
	if (rc != 0) {
		if (why != NULL)
			*why = rc == RUMOR_ENOMEM
				       ? "out of memory"
				       : "the services are too big for one node";
		return rc;
	}
	return 0;
}

int
node_check_services(const struct node *node,
		    const struct service *const *services, size_t count,
		    const char **why)
{
	uint8_t *meta, *full, digest[SERVICE_SET_DIGEST_SIZE];
	size_t meta_size, full_size;
	int rc = services_encode(node, services, count,
				 swim_self_incarnation(node->swim) + 1, &meta,
				 &meta_size, &full, &full_size, digest, why);
	if (rc == 0) {
		free(meta);
		free(full);
	}
	return rc;
}

int
node_set_services(struct node *node, uint64_t now_ms,
		  const struct service *const *services, size_t count,
		  const char **why)
{
	node->now_ms = now_ms;
	/* The announcement raises our incarnation by one: the set's
	 * version. */
	uint64_t version = swim_self_incarnation(node->swim) + 1;
	uint8_t *meta, *full, digest[SERVICE_SET_DIGEST_SIZE];
	size_t meta_size, full_size;
	int rc = services_encode(node, services, count, version, &meta,
				 &meta_size, &full, &full_size, digest, why);
	if (rc != 0)
		return rc;
	/* Everything that can fail comes before the announcement. */
	struct service_set set = {.count = count};
	set.services = calloc(count ? count : 1, sizeof(*set.services));
	for (size_t i = 0; set.services != NULL && i < count; i++) {
		set.services[i] = service_dup(services[i]);
		if (set.services[i] == NULL) {
			service_set_destroy(&set);
			set.services = NULL;
		}
	}
	if (set.services == NULL || bigset_reserve(node) != 0) {
		service_set_destroy(&set);
		free(meta);
		free(full);
		if (why != NULL)
			*why = "out of memory";
		return RUMOR_ENOMEM;
	}
	rc = swim_set_meta(node->swim, now_ms, count ? meta : NULL,
			   count ? meta_size : 0);
	free(meta);
	if (rc == 0) {
		const char *self = swim_self_name(node->swim);
		if (full != NULL)
			bigset_put(node, self, digest, full, full_size);
		else
			bigset_drop(node, self);
		full = NULL;
		/* Our own entry exists since node_new, so this cannot fail. */
		set.version = version;
		registry_apply(node->registry, self, &set);
	} else if (why != NULL) {
		*why = rc == RUMOR_ENOMEM ? "out of memory"
					  : "the agent is leaving";
	}
	free(full);
	service_set_destroy(&set);
	return rc;
}

struct registry *
node_registry(struct node *node)
{
	return node->registry;
}

uint64_t
node_next_deadline_ms(const struct node *node)
{
	uint64_t next = swim_next_deadline_ms(node->swim);
	return node->pull_at_ms < next ? node->pull_at_ms : next;
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
	out->large_sets_held = node->bigset_count;
	out->large_sets_missing = node->want_count;
	out->set_pulls = node->set_pulls;
	out->sets_received = node->sets_received;
}

int
node_restore(struct node *node, uint64_t now_ms,
	     const struct swim_self *members, size_t count)
{
	node->now_ms = now_ms;
	return swim_restore(node->swim, now_ms, members, count);
}
