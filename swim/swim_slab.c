/*
 * swim_slab: where member records live. Records are carved from chunks of
 * SWIM_BLOCK_SIZE (struct swim_slab in internal.h); the few members
 * that carry metadata or a suspicion keep them in a side table of
 * "extras" keyed by the record's slab reference, so the record itself stays
 * small (every node holds one per member of the cluster).
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "rumor/error.h"
#include "internal.h"
#include "swim_slab.h"

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

/* A new chunk at the end of the slab; 0 or RUMOR_ENOMEM (nothing
 * changed then but the room for chunk pointers). */
static RUMOR_MUST_CHECK int
slab_grow(struct swim *swim)
{
	struct swim_slab *s = &swim->slab;
	/* References must fit below the name index's tags; SWIM_MEMBERS_MAX
	 * of the largest records, in every size, are far fewer chunks. */
	if (s->chunk_count == SWIM_SLAB_CHUNKS_MAX)
		return RUMOR_ENOMEM;
	if (s->chunk_count == s->chunk_cap) {
		uint32_t cap = s->chunk_cap ? s->chunk_cap * 2 : 4;
		void *grown = swim_mem_realloc(swim->cfg.allocator, s->chunks,
					       cap * sizeof(*s->chunks));
		if (grown == NULL)
			return RUMOR_ENOMEM;
		s->chunks = grown;
		s->chunk_cap = cap;
	}
	uint8_t *chunk = swim_mem_block_alloc(swim->cfg.allocator);
	if (chunk == NULL)
		return RUMOR_ENOMEM;
	/* Unit 0 names the chunk (swim__member_ref); so no record is ever
	 * reference 0. */
	uint32_t number = s->chunk_count;
	memcpy(chunk, &number, sizeof(number));
	s->chunks[s->chunk_count++] = chunk;
	s->used = 1;
	return 0;
}

uint32_t
swim__slab_alloc(struct swim *swim, size_t name_len)
{
	size_t units = record_units(name_len);
	struct swim_slab *s = &swim->slab;
	uint32_t ref = s->free[units];
	if (ref != 0) {
		memcpy(&s->free[units], swim__member_ptr(swim, ref),
		       sizeof(ref));
	} else {
		if ((s->chunk_count == 0 ||
		     s->used + units > SWIM_SLAB_CHUNK_UNITS) &&
		    slab_grow(swim) != 0)
			return 0;
		ref = (s->chunk_count - 1) << SWIM_SLAB_CHUNK_SHIFT | s->used;
		s->used += (uint32_t)units;
	}
	memset(swim__member_ptr(swim, ref), 0, units * SWIM_SLAB_UNIT);
	return ref;
}

void
swim__slab_free(struct swim *swim, uint32_t ref, size_t name_len)
{
	size_t units = record_units(name_len);
	struct swim_slab *s = &swim->slab;
	memcpy(swim__member_ptr(swim, ref), &s->free[units], sizeof(ref));
	s->free[units] = ref;
}

/* ---- extras ----------------------------------------------------------- */

/* Where the extra of the record `ref` would sit first (Fibonacci hashing;
 * linear probing from there). */
static size_t
extra_home(const struct swim *swim, uint32_t ref)
{
	return (size_t)(((uint64_t)ref * 0x9e3779b97f4a7c15ull) >> 32) &
	       (swim->extra_cap - 1);
}

struct swim_extra *
swim__extra_of(const struct swim *swim, const struct swim_member *m)
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
static RUMOR_MUST_CHECK int
extra_grow(struct swim *swim)
{
	struct swim_extra *old = swim->extras;
	uint32_t old_cap = swim->extra_cap;
	uint32_t cap = old_cap ? old_cap * 2 : 8;
	struct swim_extra *extras = swim_mem_calloc(swim->cfg.allocator, cap,
						    sizeof(*extras));
	if (extras == NULL)
		return RUMOR_ENOMEM;
	swim->extras = extras;
	swim->extra_cap = cap;
	for (uint32_t i = 0; i < old_cap; i++) {
		if (old[i].member != 0)
			extra_insert(swim, &old[i]);
	}
	swim_mem_free(swim->cfg.allocator, old);
	return 0;
}

struct swim_extra *
swim__extra_get(struct swim *swim, struct swim_member *m)
{
	struct swim_extra *x = swim__extra_of(swim, m);
	if (x != NULL)
		return x;
	if ((swim->extra_count + 1) * 2 > swim->extra_cap &&
	    extra_grow(swim) != 0)
		return NULL;
	struct swim_extra fresh = {.member = swim__member_ref(swim, m)};
	extra_insert(swim, &fresh);
	swim->extra_count++;
	m->flags |= SWIM_MEMBER_EXTRA;
	return swim__extra_of(swim, m);
}

/* Backward-shift deletion, so lookups never need tombstones. */
void
swim__extra_put(struct swim *swim, struct swim_member *m)
{
	struct swim_extra *x = swim__extra_of(swim, m);
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
	const struct swim_extra *x = swim__extra_of(swim, m);
	*size = x != NULL ? x->meta_size : 0;
	return x != NULL ? x->meta : NULL;
}

struct swim_suspicion *
swim__member_suspicion(const struct swim *swim, const struct swim_member *m)
{
	const struct swim_extra *x = swim__extra_of(swim, m);
	return x != NULL ? x->suspicion : NULL;
}

void
swim__suspicion_free(struct swim *swim, struct swim_member *m)
{
	struct swim_extra *x = swim__extra_of(swim, m);
	if (x == NULL || x->suspicion == NULL)
		return;
	swim_heap_disarm(&swim->timers, &x->suspicion->timer);
	swim_mem_free(swim->cfg.allocator, x->suspicion);
	x->suspicion = NULL;
	swim__extra_put(swim, m);
}

void
swim__slab_destroy(struct swim *swim)
{
	const struct swim_allocator *a = swim->cfg.allocator;
	for (uint32_t e = 0; e < swim->extra_cap; e++) {
		swim_mem_free(a, swim->extras[e].suspicion);
		swim_mem_free(a, swim->extras[e].meta);
	}
	swim_mem_free(a, swim->extras);
	for (uint32_t c = 0; c < swim->slab.chunk_count; c++)
		swim_mem_block_free(a, swim->slab.chunks[c]);
	swim_mem_free(a, swim->slab.chunks);
}
