/*
 * swim_member: the member table: records in probe order, the name index,
 * status counts, and random selection among members.
 */
#ifndef RUMOR_SWIM_MEMBER_H
#define RUMOR_SWIM_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

#include "swim_addr.h"
#include "swim_types.h"

struct swim;
struct swim_member;

uint64_t
swim__name_hash(const char *name, size_t len);
struct swim_member *
swim__member_find(const struct swim *swim, const char *name, size_t len);
/**
 * Warm the cache for a find of name a few steps ahead: its index slot
 * (record false), or, once that has arrived, the record the slot names
 * (record true). A push-pull merge otherwise waits on two cache misses
 * per name, one after the other; a restore, whose finds mostly miss, asks
 * for the slot only.
 */
void
swim__member_prefetch(const struct swim *swim, const char *name, size_t len,
		      bool record);
/** Room for count members without growing; 0 or RUMOR_ENOMEM. */
RUMOR_MUST_CHECK int
swim__member_reserve(struct swim *swim, size_t count);
/** The member named name, or a new one added at the end of the probe
 *  order (callers shuffle) when there is none; *added says which. NULL
 *  when out of memory or at SWIM_MEMBERS_MAX. One hash, one walk: a warm
 *  start installs every member of the cluster on every node. */
RUMOR_MUST_CHECK struct swim_member *
swim__member_find_or_append(struct swim *swim, const char *name, size_t len,
			    const struct swim_addr *addr, uint64_t now_ms,
			    bool *added);
/** A new member, alive, at a random place of the probe order not yet
 *  visited in this pass; NULL when out of memory or at SWIM_MEMBERS_MAX. */
RUMOR_MUST_CHECK struct swim_member *
swim__member_add(struct swim *swim, const char *name, size_t len,
		 const struct swim_addr *addr, uint64_t now_ms);
/** Forget the member at slot `slot` of the probe order; the last member
 *  takes its slot. */
void
swim__member_remove(struct swim *swim, size_t slot);
/** The slot of m in the probe order: a walk over it, for the rare caller
 *  that does not know it (a record has no room for its slot). */
size_t
swim__member_slot(const struct swim *swim, const struct swim_member *m);
void
swim__member_set_status(struct swim *swim, struct swim_member *m,
			enum swim_status status, uint64_t now_ms);
/** Replace m's metadata (copied); 0 or RUMOR_ENOMEM, m unchanged then. */
RUMOR_MUST_CHECK int
swim__member_set_meta(struct swim *swim, struct swim_member *m,
		      const uint8_t *meta, size_t size);
/** Free every record, extra and table (swim_delete). */
void
swim__member_table_destroy(struct swim *swim);

/** Pick up to `want` random members other than self and `exclude`
 *  matching the predicate; returns how many were written to out. */
size_t
swim__random_members(struct swim *swim, struct swim_member **out,
		     size_t want, const struct swim_member *exclude,
		     bool (*eligible)(const struct swim *,
				      const struct swim_member *, uint64_t),
		     uint64_t now_ms);
/** Alive or suspect, and not self (a predicate for the above). */
bool
swim__is_live(const struct swim *swim, const struct swim_member *m,
	      uint64_t now_ms);

#endif /* RUMOR_SWIM_MEMBER_H */
