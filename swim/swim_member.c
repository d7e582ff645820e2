/*
 * swim_member: the member table and the rules that change it.
 *
 * Members live in an array that is also the probe order (shuffled at each
 * pass, newcomers inserted at a random place after the cursor: SWIM's
 * round robin, which bounds the gap between two probes of a member to
 * 2n - 1 periods) and in a name index (open addressing, below).
 *
 * The gossip rules, for a message about member M at incarnation i:
 *
 *	alive(i)    wins over anything we hold at incarnation < i
 *	suspect(i)  wins over alive at <= i; at equal i over a suspect it
 *	            counts as an independent confirmation (Lifeguard)
 *	failed(i)   wins over alive and suspect at <= i
 *	left(i)     wins over alive, suspect and failed at <= i
 *
 * Only M raises its own incarnation: when it hears it is suspected,
 * failed or left (at >= its incarnation) while it is not leaving, it
 * refutes with alive(i + 1). A restarted node starts at a higher
 * incarnation (the agent keeps a counter), and if it starts too low the
 * first gossip about its old self makes it refute past it.
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rumor/error.h"
#include "swim_internal.h"
#include "swim_lifeguard.h"

uint64_t
swim__name_hash(const char *name, size_t len)
{
	/* FNV-1a, 64 bit. */
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ---- slab --------------------------------------------------------------- */

/* Units of a record with a name of len bytes. */
static size_t
record_units(size_t len)
{
	return (offsetof(struct swim_member, name) + len + 1 +
		SWIM_SLAB_UNIT - 1) / SWIM_SLAB_UNIT;
}

static_assert((size_t)SWIM_SLAB_CHUNK_UNITS * SWIM_SLAB_UNIT ==
		      SWIM_BLOCK_SIZE,
	      "a slab chunk is one allocator block");
/* Freed records wait by size, so the slab may hold, at worst, the most
 * members of every size at once: that must stay below the chunks a
 * reference can name. */
static_assert((uint64_t)SWIM_SLAB_CLASSES * SWIM_MEMBERS_MAX *
			      (SWIM_SLAB_CLASSES - 1) /
			      (SWIM_SLAB_CHUNK_UNITS - 1) <
		      SWIM_SLAB_CHUNKS_MAX,
	      "references of SWIM_REF_BITS name every record");

static void *
block_alloc(struct swim *swim)
{
	const struct swim_allocator *a = swim->cfg.allocator;
	return a ? a->block_alloc(a->ctx)
		 : aligned_alloc(SWIM_BLOCK_SIZE, SWIM_BLOCK_SIZE);
}

static void
block_free(struct swim *swim, void *block)
{
	const struct swim_allocator *a = swim->cfg.allocator;
	if (a != NULL)
		a->block_free(a->ctx, block);
	else
		free(block);
}

/* A zeroed record of `units` units; 0 when out of memory. */
static uint32_t
slab_alloc(struct swim *swim, size_t units)
{
	struct swim_slab *s = &swim->slab;
	uint32_t ref = s->free[units];
	if (ref != 0) {
		memcpy(&s->free[units], swim__member_ptr(swim, ref),
		       sizeof(ref));
	} else {
		if (s->chunk_count == 0 ||
		    s->used + units > SWIM_SLAB_CHUNK_UNITS) {
			/* References must fit below the name index's
			 * tags; SWIM_MEMBERS_MAX of the largest records,
			 * in every size, are far fewer chunks. */
			if (s->chunk_count == SWIM_SLAB_CHUNKS_MAX)
				return 0;
			if (s->chunk_count == s->chunk_cap) {
				uint32_t cap = s->chunk_cap ? s->chunk_cap * 2
							    : 4;
				void *grown = realloc(s->chunks,
						      cap * sizeof(*s->chunks));
				if (grown == NULL)
					return 0;
				s->chunks = grown;
				s->chunk_cap = cap;
			}
			uint8_t *chunk = block_alloc(swim);
			/* A block off its alignment would give its records
			 * wrong references: refused, as if memory ran out. */
			if (chunk != NULL &&
			    ((uintptr_t)chunk & (SWIM_BLOCK_SIZE - 1)) != 0) {
				block_free(swim, chunk);
				chunk = NULL;
			}
			if (chunk == NULL)
				return 0;
			/* Unit 0 names the chunk (swim__member_ref); so no
			 * record is ever reference 0. */
			uint32_t number = s->chunk_count;
			memcpy(chunk, &number, sizeof(number));
			s->chunks[s->chunk_count++] = chunk;
			s->used = 1;
		}
		ref = (s->chunk_count - 1) << SWIM_SLAB_CHUNK_SHIFT | s->used;
		s->used += (uint32_t)units;
	}
	memset(swim__member_ptr(swim, ref), 0, units * SWIM_SLAB_UNIT);
	return ref;
}

static void
slab_free(struct swim *swim, uint32_t ref, size_t units)
{
	struct swim_slab *s = &swim->slab;
	memcpy(swim__member_ptr(swim, ref), &s->free[units], sizeof(ref));
	s->free[units] = ref;
}

/* ---- extras --------------------------------------------------------------- */

/* Where the extra of the record `ref` would sit first (Fibonacci hashing;
 * linear probing from there). */
static size_t
extra_home(const struct swim *swim, uint32_t ref)
{
	return (size_t)(((uint64_t)ref * 0x9e3779b97f4a7c15ull) >> 32) &
	       (swim->extra_cap - 1);
}

static struct swim_extra *
extra_of(const struct swim *swim, const struct swim_member *m)
{
	if (!(m->flags & SWIM_MEMBER_EXTRA))
		return NULL;
	uint32_t ref = swim__member_ref(swim, m);
	size_t i = extra_home(swim, ref);
	while (swim->extras[i].member != ref)
		i = (i + 1) & (swim->extra_cap - 1);
	return &swim->extras[i];
}

/* Put x, known absent, into its probe run. */
static void
extra_insert(struct swim *swim, const struct swim_extra *x)
{
	size_t i = extra_home(swim, x->member);
	while (swim->extras[i].member != 0)
		i = (i + 1) & (swim->extra_cap - 1);
	swim->extras[i] = *x;
}

/* Double the table (kept at most half full). */
static int
extra_grow(struct swim *swim)
{
	struct swim_extra *old = swim->extras;
	uint32_t old_cap = swim->extra_cap;
	uint32_t cap = old_cap ? old_cap * 2 : 8;
	struct swim_extra *extras = calloc(cap, sizeof(*extras));
	if (extras == NULL)
		return RUMOR_ENOMEM;
	swim->extras = extras;
	swim->extra_cap = cap;
	for (uint32_t i = 0; i < old_cap; i++) {
		if (old[i].member != 0)
			extra_insert(swim, &old[i]);
	}
	free(old);
	return 0;
}

/* m's extra, created empty if it has none; NULL when out of memory. The
 * pointer is good until the next extra_get or extra_put. */
static struct swim_extra *
extra_get(struct swim *swim, struct swim_member *m)
{
	struct swim_extra *x = extra_of(swim, m);
	if (x != NULL)
		return x;
	if ((swim->extra_count + 1) * 2 > swim->extra_cap &&
	    extra_grow(swim) != 0)
		return NULL;
	struct swim_extra fresh = {.member = swim__member_ref(swim, m)};
	extra_insert(swim, &fresh);
	swim->extra_count++;
	m->flags |= SWIM_MEMBER_EXTRA;
	return extra_of(swim, m);
}

/* Give m's extra back once it holds nothing: empty its slot and move the
 * entries of the probe run behind it back (backward-shift deletion, so
 * lookups never need tombstones). */
static void
extra_put(struct swim *swim, struct swim_member *m)
{
	struct swim_extra *x = extra_of(swim, m);
	if (x == NULL || x->meta != NULL || x->suspicion != NULL)
		return;
	size_t mask = swim->extra_cap - 1;
	size_t hole = (size_t)(x - swim->extras);
	for (size_t j = (hole + 1) & mask; swim->extras[j].member != 0;
	     j = (j + 1) & mask) {
		size_t home = extra_home(swim, swim->extras[j].member);
		/* j may fill the hole unless its home lies in (hole, j]. */
		bool stays = hole < j ? home > hole && home <= j
				      : home > hole || home <= j;
		if (!stays) {
			swim->extras[hole] = swim->extras[j];
			hole = j;
		}
	}
	swim->extras[hole] = (struct swim_extra){0};
	swim->extra_count--;
	m->flags &= (uint8_t)~SWIM_MEMBER_EXTRA;
}

const uint8_t *
swim__member_meta(const struct swim *swim, const struct swim_member *m,
		  size_t *size)
{
	const struct swim_extra *x = extra_of(swim, m);
	*size = x != NULL ? x->meta_size : 0;
	return x != NULL ? x->meta : NULL;
}

struct swim_suspicion *
swim__member_suspicion(const struct swim *swim, const struct swim_member *m)
{
	const struct swim_extra *x = extra_of(swim, m);
	return x != NULL ? x->suspicion : NULL;
}

/* ---- table ---------------------------------------------------------------- */

/*
 * The name index: open addressing with linear probing over a power of two
 * of slots, at most 3/4 full. A slot holds a record's reference and, above
 * SWIM_REF_BITS, a tag of its name's hash, so a probe touches a record
 * (a cache miss) only when the tags agree: on a find that misses, about
 * once in 64 slots. 0 is an empty slot (no record is reference 0).
 */
#define REF_MASK ((1u << SWIM_REF_BITS) - 1)

static uint32_t
hash_tag(uint64_t h)
{
	return (uint32_t)(h >> (64 - (32 - SWIM_REF_BITS)));
}

static struct swim_member *
member_find_hashed(const struct swim *swim, const char *name, size_t len,
		   uint64_t h)
{
	if (swim->slot_count == 0)
		return NULL;
	size_t mask = swim->slot_count - 1;
	uint32_t tag = hash_tag(h), slot;
	for (size_t i = h & mask; (slot = swim->slots[i]) != 0;
	     i = (i + 1) & mask) {
		if (slot >> SWIM_REF_BITS != tag)
			continue;
		struct swim_member *m = swim__member_ptr(swim, slot & REF_MASK);
		if (m->name_len == len && memcmp(m->name, name, len) == 0)
			return m;
	}
	return NULL;
}

/* Put ref, whose name hashes to h and is known absent, in its run. */
static void
hash_insert(uint32_t *slots, size_t count, uint32_t ref, uint64_t h)
{
	size_t i = h & (count - 1);
	while (slots[i] != 0)
		i = (i + 1) & (count - 1);
	slots[i] = ref | hash_tag(h) << SWIM_REF_BITS;
}

/* Take ref out, shifting back the slots of its run that may not stay
 * behind the gap (Knuth's algorithm R: no tombstones). */
static void
hash_remove(struct swim *swim, uint32_t ref, uint64_t h)
{
	size_t mask = swim->slot_count - 1;
	size_t gap = h & mask;
	while ((swim->slots[gap] & REF_MASK) != ref)
		gap = (gap + 1) & mask;
	for (size_t j = (gap + 1) & mask; swim->slots[j] != 0;
	     j = (j + 1) & mask) {
		const struct swim_member *m =
			swim__member_ptr(swim, swim->slots[j] & REF_MASK);
		size_t home = swim__name_hash(m->name, m->name_len) & mask;
		/* Slot j may move to the gap unless its home lies
		 * cyclically in (gap, j]. */
		bool stays = gap <= j ? gap < home && home <= j
				      : gap < home || home <= j;
		if (!stays) {
			swim->slots[gap] = swim->slots[j];
			gap = j;
		}
	}
	swim->slots[gap] = 0;
}

void
swim__member_prefetch(const struct swim *swim, const char *name, size_t len,
		      bool record)
{
	if (swim->slot_count == 0)
		return;
	uint64_t h = swim__name_hash(name, len);
	const uint32_t *slot = &swim->slots[h & (swim->slot_count - 1)];
	if (!record)
		__builtin_prefetch(slot);
	else if (*slot != 0)
		__builtin_prefetch(swim__member_ptr(swim, *slot & REF_MASK));
}

struct swim_member *
swim__member_find(const struct swim *swim, const char *name, size_t len)
{
	return member_find_hashed(swim, name, len,
				  swim__name_hash(name, len));
}

/* Double the slots (64 at first) and put every record back. */
static int
member_hash_grow(struct swim *swim)
{
	size_t count = swim->slot_count ? swim->slot_count * 2 : 64;
	uint32_t *slots = calloc(count, sizeof(*slots));
	if (slots == NULL)
		return RUMOR_ENOMEM;
	for (size_t i = 0; i < swim->member_count; i++) {
		const struct swim_member *m = swim__member_at(swim, i);
		hash_insert(slots, count, swim->members[i],
			    swim__name_hash(m->name, m->name_len));
	}
	free(swim->slots);
	swim->slots = slots;
	swim->slot_count = count;
	return 0;
}

int
swim__member_reserve(struct swim *swim, size_t count)
{
	if (count > SWIM_MEMBERS_MAX)
		count = SWIM_MEMBERS_MAX;
	if (count > swim->member_cap) {
		/* Exactly what a restore asks for; doubling after. */
		size_t cap = swim->member_cap * 2;
		if (cap < count)
			cap = count < 16 ? 16 : count;
		void *grown = realloc(swim->members,
				      cap * sizeof(*swim->members));
		if (grown == NULL)
			return RUMOR_ENOMEM;
		swim->members = grown;
		swim->member_cap = cap;
	}
	while (count > swim->slot_count / 4 * 3) {
		if (member_hash_grow(swim) != 0)
			return RUMOR_ENOMEM;
	}
	return 0;
}

/* Allocate m, index it (h is its name's hash), append it to the probe
 * order. */
static struct swim_member *
member_append_hashed(struct swim *swim, const char *name, size_t len,
		     uint64_t h, const struct swim_addr *addr, uint64_t now_ms)
{
	if (swim->member_count >= SWIM_MEMBERS_MAX ||
	    swim__member_reserve(swim, swim->member_count + 1) != 0)
		return NULL;
	uint32_t ref = slab_alloc(swim, record_units(len));
	if (ref == 0)
		return NULL;
	struct swim_member *m = swim__member_ptr(swim, ref);
	memcpy(m->name, name, len);
	m->name_len = (uint8_t)len;
	m->ip = addr->ip;
	m->port = addr->port;
	m->status = SWIM_STATUS_ALIVE;
	m->status_ms = now_ms;
	m->transmits = -1;
	hash_insert(swim->slots, swim->slot_count, ref, h);
	swim->members[swim->member_count++] = ref;
	swim->live_count++;
	return m;
}

static struct swim_member *
member_append(struct swim *swim, const char *name, size_t len,
	      const struct swim_addr *addr, uint64_t now_ms)
{
	return member_append_hashed(swim, name, len,
				    swim__name_hash(name, len), addr, now_ms);
}

struct swim_member *
swim__member_add(struct swim *swim, const char *name, size_t len,
		 const struct swim_addr *addr, uint64_t now_ms)
{
	struct swim_member *m = member_append(swim, name, len, addr, now_ms);
	if (m == NULL)
		return NULL;
	/* Move it to a random place not yet visited in this pass, so a
	 * newcomer is probed within the current round (SWIM 4.3). */
	size_t n = swim->member_count - 1;
	size_t lo = swim->probe_cursor < n ? swim->probe_cursor : n;
	size_t pos = lo + swim_rand_below(&swim->rand, n - lo + 1);
	uint32_t ref = swim->members[n];
	swim->members[n] = swim->members[pos];
	swim->members[pos] = ref;
	return m;
}

struct swim_member *
swim__member_find_or_append(struct swim *swim, const char *name, size_t len,
			    const struct swim_addr *addr, uint64_t now_ms,
			    bool *added)
{
	uint64_t h = swim__name_hash(name, len);
	struct swim_member *m = member_find_hashed(swim, name, len, h);
	*added = m == NULL;
	if (m != NULL)
		return m;
	return member_append_hashed(swim, name, len, h, addr, now_ms);
}

static void
suspicion_free(struct swim *swim, struct swim_member *m)
{
	struct swim_extra *x = extra_of(swim, m);
	if (x == NULL || x->suspicion == NULL)
		return;
	swim_heap_disarm(&swim->timers, &x->suspicion->timer);
	free(x->suspicion);
	x->suspicion = NULL;
	extra_put(swim, m);
}

size_t
swim__member_slot(const struct swim *swim, const struct swim_member *m)
{
	uint32_t ref = swim__member_ref(swim, m);
	size_t slot = 0;
	while (swim->members[slot] != ref)
		slot++;
	return slot;
}

void
swim__member_remove(struct swim *swim, size_t slot)
{
	struct swim_member *m = swim__member_at(swim, slot);
	swim__bcast_drop(swim, m);
	suspicion_free(swim, m);
	struct swim_extra *x = extra_of(swim, m);
	if (x != NULL) {
		free(x->meta);
		x->meta = NULL;
		extra_put(swim, m);
	}
	uint32_t ref = swim->members[slot];
	hash_remove(swim, ref, swim__name_hash(m->name, m->name_len));
	swim->members[slot] = swim->members[--swim->member_count];
	if (swim->probe_cursor > swim->member_count)
		swim->probe_cursor = swim->member_count;
	if (m->status == SWIM_STATUS_ALIVE || m->status == SWIM_STATUS_SUSPECT)
		swim->live_count--;
	else if (m->status == SWIM_STATUS_FAILED)
		swim->failed_count--;
	else
		swim->left_count--;
	slab_free(swim, ref, record_units(m->name_len));
}

void
swim__member_table_destroy(struct swim *swim)
{
	for (uint32_t e = 0; e < swim->extra_cap; e++) {
		free(swim->extras[e].suspicion);
		free(swim->extras[e].meta);
	}
	free(swim->extras);
	for (uint32_t c = 0; c < swim->slab.chunk_count; c++)
		block_free(swim, swim->slab.chunks[c]);
	free(swim->slab.chunks);
	free(swim->members);
	free(swim->slots);
}

static bool
status_is_live(enum swim_status s)
{
	return s == SWIM_STATUS_ALIVE || s == SWIM_STATUS_SUSPECT;
}

void
swim__member_set_status(struct swim *swim, struct swim_member *m,
			enum swim_status status, uint64_t now_ms)
{
	if (status_is_live(m->status))
		swim->live_count--;
	else if (m->status == SWIM_STATUS_FAILED)
		swim->failed_count--;
	else
		swim->left_count--;
	if (status_is_live(status))
		swim->live_count++;
	else if (status == SWIM_STATUS_FAILED)
		swim->failed_count++;
	else
		swim->left_count++;
	if (status != SWIM_STATUS_SUSPECT)
		suspicion_free(swim, m);
	m->status = (uint8_t)status;
	m->status_ms = now_ms;
}

int
swim__member_set_meta(struct swim *swim, struct swim_member *m,
		      const uint8_t *meta, size_t size)
{
	if (size == 0 && !(m->flags & SWIM_MEMBER_EXTRA))
		return 0;
	uint8_t *copy = NULL;
	if (size > 0) {
		copy = malloc(size);
		if (copy == NULL)
			return RUMOR_ENOMEM;
		memcpy(copy, meta, size);
	}
	struct swim_extra *x = extra_get(swim, m);
	if (x == NULL) {
		free(copy);
		return RUMOR_ENOMEM;
	}
	free(x->meta);
	x->meta = copy;
	x->meta_size = (uint16_t)size;
	extra_put(swim, m);
	return 0;
}

void
swim__member_to_msg(const struct swim *swim, const struct swim_member *m,
		    struct swim_msg *msg)
{
	static const enum swim_msg_type types[swim_status_MAX] = {
		[SWIM_STATUS_ALIVE] = SWIM_MSG_ALIVE,
		[SWIM_STATUS_SUSPECT] = SWIM_MSG_SUSPECT,
		[SWIM_STATUS_FAILED] = SWIM_MSG_FAILED,
		[SWIM_STATUS_LEFT] = SWIM_MSG_LEFT,
	};
	*msg = (struct swim_msg){
		.type = types[m->status],
		.name = m->name,
		.name_len = m->name_len,
		.addr = swim__member_addr(m),
		.incarnation = m->incarnation,
	};
	struct swim_suspicion *sp;
	if (m->status == SWIM_STATUS_ALIVE) {
		msg->meta = swim__member_meta(swim, m, &msg->meta_size);
	} else if (m->status == SWIM_STATUS_SUSPECT &&
		   (sp = swim__member_suspicion(swim, m)) != NULL) {
		msg->from = sp->from;
		msg->from_len = sp->from_len;
	} else if (m->status != SWIM_STATUS_LEFT) {
		/* A failure is re-gossiped on our own word: the accuser
		 * matters only while confirmations are counted. */
		msg->from = swim->self->name;
		msg->from_len = swim->self->name_len;
	}
}

static bool
msg_is_self(const struct swim *swim, const struct swim_msg *msg)
{
	return msg->name_len == swim->self->name_len &&
	       memcmp(msg->name, swim->self->name, msg->name_len) == 0;
}

/* A change everyone should hear of: queue it and tell the driver. */
static void
member_changed(struct swim *swim, struct swim_member *m,
	       enum swim_event_type type)
{
	swim__bcast_queue(swim, m);
	swim__emit_event(swim, type, m);
}

void
swim__refute(struct swim *swim, uint64_t incarnation, uint64_t now_ms)
{
	struct swim_member *self = swim->self;
	if (incarnation >= self->incarnation)
		self->incarnation = incarnation + 1;
	else
		self->incarnation++;
	if (self->status != SWIM_STATUS_ALIVE)
		swim__member_set_status(swim, self, SWIM_STATUS_ALIVE, now_ms);
	swim->stats.refutations++;
	/* Lifeguard: being suspected hints that we are the slow one. */
	swim->awareness = swim_awareness_apply(swim->awareness, 1,
					       swim->cfg.awareness_max);
	member_changed(swim, self, SWIM_EVENT_STATUS);
}

/* Someone talks about us. Refute unless it is old news or we leave. */
static void
apply_about_self(struct swim *swim, const struct swim_msg *msg,
		 uint64_t now_ms)
{
	if (swim->leaving)
		return;
	if (msg->type == SWIM_MSG_ALIVE) {
		/* An alive claim above ours is our previous life. */
		if (msg->incarnation > swim->self->incarnation)
			swim__refute(swim, msg->incarnation, now_ms);
		return;
	}
	if (msg->incarnation >= swim->self->incarnation)
		swim__refute(swim, msg->incarnation, now_ms);
}

void
swim__apply_alive(struct swim *swim, const struct swim_msg *msg,
		  uint64_t now_ms)
{
	if (msg_is_self(swim, msg)) {
		apply_about_self(swim, msg, now_ms);
		return;
	}
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL) {
		m = swim__member_add(swim, msg->name, msg->name_len,
				     &msg->addr, now_ms);
		if (m == NULL || swim__member_set_meta(swim, m, msg->meta,
						       msg->meta_size) != 0) {
			if (m != NULL)
				swim__member_remove(
					swim, swim__member_slot(swim, m));
			return;
		}
		m->incarnation = msg->incarnation;
		member_changed(swim, m, SWIM_EVENT_STATUS);
		return;
	}
	if (msg->incarnation <= m->incarnation)
		return;
	size_t meta_size;
	const uint8_t *meta = swim__member_meta(swim, m, &meta_size);
	bool moved = m->ip != msg->addr.ip || m->port != msg->addr.port ||
		     meta_size != msg->meta_size ||
		     (msg->meta_size > 0 &&
		      memcmp(meta, msg->meta, msg->meta_size) != 0);
	if (swim__member_set_meta(swim, m, msg->meta, msg->meta_size) != 0)
		return;
	enum swim_status old = m->status;
	m->ip = msg->addr.ip;
	m->port = msg->addr.port;
	m->incarnation = msg->incarnation;
	if (old != SWIM_STATUS_ALIVE) {
		swim__member_set_status(swim, m, SWIM_STATUS_ALIVE, now_ms);
		member_changed(swim, m, SWIM_EVENT_STATUS);
	}
	/* A failed member is back: a partition may have healed, and the
	 * refutations that settle it will miss some of our verdicts. */
	if (old == SWIM_STATUS_FAILED)
		swim__pull_soon(swim, now_ms);
	if (old == SWIM_STATUS_ALIVE && moved)
		member_changed(swim, m, SWIM_EVENT_UPDATE);
	else if (old == SWIM_STATUS_ALIVE)
		swim__bcast_queue(swim, m);
}

/* Arm the suspicion deadline from the current confirmations. */
static void
suspicion_arm(struct swim *swim, struct swim_suspicion *sp)
{
	uint64_t timeout = swim_suspicion_timeout_ms(sp->min_ms, sp->max_ms,
						     sp->k, sp->confirm_count);
	swim_heap_arm(&swim->timers, &sp->timer, sp->start_ms + timeout);
}

static struct swim_suspicion *
suspicion_new(struct swim *swim, struct swim_member *m, const char *from,
	      size_t from_len, uint64_t now_ms)
{
	struct swim_suspicion *sp = calloc(1, sizeof(*sp));
	if (sp == NULL)
		return NULL;
	size_t n = swim->live_count;
	swim_heap_node_init(&sp->timer);
	sp->member = swim__member_ref(swim, m);
	sp->start_ms = now_ms;
	sp->min_ms = swim_suspicion_min_ms(swim->cfg.suspicion_mult, n,
					   swim->cfg.probe_interval_ms);
	sp->max_ms = sp->min_ms * swim->cfg.suspicion_max_timeout_mult;
	sp->k = swim_suspicion_k(swim->cfg.suspicion_mult, n);
	sp->accuser_hash = swim__name_hash(from, from_len);
	memcpy(sp->from, from, from_len);
	sp->from[from_len] = '\0';
	sp->from_len = from_len;
	return sp;
}

/* Lifeguard: an independent suspicion shortens the timeout. Returns true
 * when `from` was new; the update is then re-gossiped in its name. */
static bool
suspicion_confirm(struct swim *swim, struct swim_suspicion *sp,
		  const char *from, size_t from_len)
{
	uint64_t h = swim__name_hash(from, from_len);
	if (h == sp->accuser_hash || sp->confirm_count >= sp->k ||
	    sp->confirm_count >= SWIM_CONFIRMERS_MAX)
		return false;
	for (unsigned i = 0; i < sp->confirm_count; i++) {
		if (sp->confirmers[i] == h)
			return false;
	}
	sp->confirmers[sp->confirm_count++] = h;
	memcpy(sp->from, from, from_len);
	sp->from[from_len] = '\0';
	sp->from_len = from_len;
	suspicion_arm(swim, sp);
	return true;
}

/* Move an alive member to suspect on someone's word. */
static void
member_suspect(struct swim *swim, struct swim_member *m, uint64_t inc,
	       const char *from, size_t from_len, uint64_t now_ms)
{
	struct swim_suspicion *sp = suspicion_new(swim, m, from, from_len,
						  now_ms);
	struct swim_extra *x = sp != NULL ? extra_get(swim, m) : NULL;
	if (x == NULL) {
		free(sp);
		return;
	}
	x->suspicion = sp;
	m->incarnation = inc;
	swim__member_set_status(swim, m, SWIM_STATUS_SUSPECT, now_ms);
	suspicion_arm(swim, sp);
	swim->stats.suspicions++;
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

void
swim__apply_suspect(struct swim *swim, const struct swim_msg *msg,
		    uint64_t now_ms)
{
	if (msg_is_self(swim, msg)) {
		apply_about_self(swim, msg, now_ms);
		return;
	}
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL || msg->incarnation < m->incarnation)
		return;
	if (m->status == SWIM_STATUS_FAILED || m->status == SWIM_STATUS_LEFT)
		return;
	if (m->status == SWIM_STATUS_SUSPECT) {
		if (msg->incarnation > m->incarnation)
			m->incarnation = msg->incarnation;
		if (suspicion_confirm(swim, swim__member_suspicion(swim, m),
				      msg->from, msg->from_len))
			swim__bcast_queue(swim, m);
		return;
	}
	member_suspect(swim, m, msg->incarnation, msg->from, msg->from_len,
		       now_ms);
}

void
swim__suspect(struct swim *swim, struct swim_member *m, uint64_t now_ms)
{
	struct swim_member *self = swim->self;
	if (m->status == SWIM_STATUS_SUSPECT) {
		if (suspicion_confirm(swim, swim__member_suspicion(swim, m),
				      self->name, self->name_len))
			swim__bcast_queue(swim, m);
		return;
	}
	if (m->status != SWIM_STATUS_ALIVE)
		return;
	member_suspect(swim, m, m->incarnation, self->name, self->name_len,
		       now_ms);
}

void
swim__suspicion_expired(struct swim *swim, struct swim_member *m,
			uint64_t now_ms)
{
	if (m->status != SWIM_STATUS_SUSPECT)
		return;
	swim__member_set_status(swim, m, SWIM_STATUS_FAILED, now_ms);
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

void
swim__apply_failed(struct swim *swim, const struct swim_msg *msg,
		   uint64_t now_ms)
{
	if (msg_is_self(swim, msg)) {
		apply_about_self(swim, msg, now_ms);
		return;
	}
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL || msg->incarnation < m->incarnation)
		return;
	if (m->status == SWIM_STATUS_FAILED || m->status == SWIM_STATUS_LEFT)
		return;
	m->incarnation = msg->incarnation;
	swim__member_set_status(swim, m, SWIM_STATUS_FAILED, now_ms);
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

void
swim__apply_left(struct swim *swim, const struct swim_msg *msg,
		 uint64_t now_ms)
{
	if (msg_is_self(swim, msg)) {
		apply_about_self(swim, msg, now_ms);
		return;
	}
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL || msg->incarnation < m->incarnation ||
	    m->status == SWIM_STATUS_LEFT)
		return;
	m->incarnation = msg->incarnation;
	swim__member_set_status(swim, m, SWIM_STATUS_LEFT, now_ms);
	member_changed(swim, m, SWIM_EVENT_STATUS);
}
