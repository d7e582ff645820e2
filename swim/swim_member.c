/*
 * swim_member: the member table: records in probe order, the name index,
 * and random selection from it.
 *
 * Members live in an array that is also the probe order (shuffled at each
 * pass, newcomers inserted at a random place after the cursor: SWIM's
 * round robin, which bounds the gap between two probes of a member to
 * 2n - 1 periods) and in a name index (open addressing, below).
 */
#include <stddef.h>
#include <string.h>

#include "rumor/error.h"
#include "internal.h"
#include "swim_broadcast.h"
#include "swim_member.h"
#include "swim_slab.h"

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

/* ---- table ------------------------------------------------------------ */

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
static RUMOR_MUST_CHECK int
member_hash_grow(struct swim *swim)
{
	size_t count = swim->slot_count ? swim->slot_count * 2 : 64;
	uint32_t *slots = swim_mem_calloc(swim->cfg.allocator, count,
					  sizeof(*slots));
	if (slots == NULL)
		return RUMOR_ENOMEM;
	for (size_t i = 0; i < swim->member_count; i++) {
		const struct swim_member *m = swim__member_at(swim, i);
		hash_insert(slots, count, swim->members[i],
			    swim__name_hash(m->name, m->name_len));
	}
	swim_mem_free(swim->cfg.allocator, swim->slots);
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
		void *grown = swim_mem_realloc(swim->cfg.allocator,
					       swim->members,
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
static RUMOR_MUST_CHECK struct swim_member *
member_append_hashed(struct swim *swim, const char *name, size_t len,
		     uint64_t h, const struct swim_addr *addr, uint64_t now_ms)
{
	if (swim->member_count >= SWIM_MEMBERS_MAX ||
	    swim__member_reserve(swim, swim->member_count + 1) != 0)
		return NULL;
	uint32_t ref = swim__slab_alloc(swim, len);
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
	swim->ring_dirty = true;
	swim->live_count++;
	return m;
}

static RUMOR_MUST_CHECK struct swim_member *
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
	swim__suspicion_free(swim, m);
	struct swim_extra *x = swim__extra_of(swim, m);
	if (x != NULL) {
		swim_mem_free(swim->cfg.allocator, x->meta);
		x->meta = NULL;
		swim__extra_put(swim, m);
	}
	uint32_t ref = swim->members[slot];
	hash_remove(swim, ref, swim__name_hash(m->name, m->name_len));
	swim->members[slot] = swim->members[--swim->member_count];
	swim->ring_dirty = true;
	if (swim->probe_cursor > swim->member_count)
		swim->probe_cursor = swim->member_count;
	if (m->status == SWIM_STATUS_ALIVE || m->status == SWIM_STATUS_SUSPECT)
		swim->live_count--;
	else if (m->status == SWIM_STATUS_FAILED)
		swim->failed_count--;
	else
		swim->left_count--;
	swim__slab_free(swim, ref, m->name_len);
}

void
swim__member_table_destroy(struct swim *swim)
{
	swim__slab_destroy(swim);
	swim_mem_free(swim->cfg.allocator, swim->members);
	swim_mem_free(swim->cfg.allocator, swim->slots);
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
		swim__suspicion_free(swim, m);
	/* Reachable where we hold it: only while alive since. */
	if (status != SWIM_STATUS_ALIVE)
		m->flags &= (uint8_t)~SWIM_MEMBER_DIRECT;
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
		copy = swim_mem_alloc(swim->cfg.allocator, size);
		if (copy == NULL)
			return RUMOR_ENOMEM;
		memcpy(copy, meta, size);
	}
	struct swim_extra *x = swim__extra_get(swim, m);
	if (x == NULL) {
		swim_mem_free(swim->cfg.allocator, copy);
		return RUMOR_ENOMEM;
	}
	swim_mem_free(swim->cfg.allocator, x->meta);
	x->meta = copy;
	x->meta_size = (uint16_t)size;
	swim__extra_put(swim, m);
	return 0;
}

/* ---- selection ---------------------------------------------------------- */

bool
swim__is_live(const struct swim *swim, const struct swim_member *m,
	      uint64_t now_ms)
{
	(void)now_ms;
	return !swim__member_is_self(swim, m) &&
	       (m->status == SWIM_STATUS_ALIVE ||
		m->status == SWIM_STATUS_SUSPECT);
}

/* Already picked? (want is small: a linear check is cheapest.) */
static bool
picked(struct swim_member *const *out, size_t count,
       const struct swim_member *m)
{
	for (size_t i = 0; i < count; i++) {
		if (out[i] == m)
			return true;
	}
	return false;
}

/* Selection sampling over a random rotation: exact, O(members). */
static size_t
random_members_scan(struct swim *swim, struct swim_member **out,
		    size_t want, const struct swim_member *exclude,
		    bool (*eligible)(const struct swim *,
				     const struct swim_member *, uint64_t),
		    uint64_t now_ms)
{
	size_t n = swim->member_count, got = 0, candidates = 0;
	size_t start = swim_rand_below(&swim->rand, n);
	for (size_t i = 0; i < n; i++) {
		const struct swim_member *m = swim__member_at(swim, i);
		candidates += m != exclude && eligible(swim, m, now_ms);
	}
	for (size_t i = 0; i < n && got < want && candidates > 0; i++) {
		struct swim_member *m = swim__member_at(swim, (start + i) % n);
		if (m == exclude || !eligible(swim, m, now_ms))
			continue;
		if (swim_rand_below(&swim->rand, candidates) < want - got)
			out[got++] = m;
		candidates--;
	}
	return got;
}

size_t
swim__random_members(struct swim *swim, struct swim_member **out,
		     size_t want, const struct swim_member *exclude,
		     bool (*eligible)(const struct swim *,
				      const struct swim_member *, uint64_t),
		     uint64_t now_ms)
{
	size_t n = swim->member_count, got = 0;
	if (n == 0 || want == 0)
		return 0;
	/*
	 * Gossip and indirect probes run several times a second on every
	 * node, so an O(n) scan each time would make a 10,000-node cluster
	 * quadratic. Draw random slots instead; when most draws miss (few
	 * eligible members, e.g. reconnecting to the failed), scan.
	 */
	for (size_t tries = 0; tries < 4 * want + 8 && got < want; tries++) {
		struct swim_member *m = swim__member_at(
			swim, swim_rand_below(&swim->rand, n));
		if (m != exclude && eligible(swim, m, now_ms) &&
		    !picked(out, got, m))
			out[got++] = m;
	}
	if (got == want)
		return got;
	return random_members_scan(swim, out, want, exclude, eligible,
				   now_ms);
}
