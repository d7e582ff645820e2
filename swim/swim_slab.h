/*
 * swim_slab: the memory of member records (struct swim_slab in internal.h)
 * and the extras table, where the few members with metadata or a
 * suspicion keep them.
 */
#ifndef RUMOR_SWIM_SLAB_H
#define RUMOR_SWIM_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

struct swim;
struct swim_extra;
struct swim_member;
struct swim_suspicion;

/** A zeroed record for a name of name_len bytes; 0 when out of memory. */
RUMOR_MUST_CHECK uint32_t
swim__slab_alloc(struct swim *swim, size_t name_len);
void
swim__slab_free(struct swim *swim, uint32_t ref, size_t name_len);
/** Free every chunk and extra (swim_delete). */
void
swim__slab_destroy(struct swim *swim);

/** m's extra, NULL when it has none. */
struct swim_extra *
swim__extra_of(const struct swim *swim, const struct swim_member *m);
/** m's extra, created empty if it has none; NULL when out of memory. The
 *  pointer is good until the next swim__extra_get or swim__extra_put. */
RUMOR_MUST_CHECK struct swim_extra *
swim__extra_get(struct swim *swim, struct swim_member *m);
/** Give m's extra back once it holds nothing. */
void
swim__extra_put(struct swim *swim, struct swim_member *m);

/** The member's metadata (NULL and 0 when it has none). */
const uint8_t *
swim__member_meta(const struct swim *swim, const struct swim_member *m,
		  size_t *size);
/** The member's suspicion, NULL unless it is suspect. */
struct swim_suspicion *
swim__member_suspicion(const struct swim *swim, const struct swim_member *m);
/** Free m's suspicion (and disarm its deadline), if it has one. */
void
swim__suspicion_free(struct swim *swim, struct swim_member *m);

#endif /* RUMOR_SWIM_SLAB_H */
