/*
 * swim_check: the invariants of struct swim, checked from the inside.
 *
 * STYLE asks for paired assertions: the simulator checks views from the
 * outside (everyone converges), this checks that each node's own table is
 * coherent after every input, so a bug shows where it happens rather
 * than as a wrong view minutes later. It is also the oracle of the
 * fault-injection tests: whatever allocation fails, the core must come
 * out of the call consistent. Read only, no allocation: a check that
 * could fail for want of memory would be no oracle.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "swim_check.h"
#include "swim_member.h"
#include "swim_slab.h"

/* Members by status; false when a member has none we know. */
static bool
count_statuses(const struct swim *swim, size_t counts[swim_status_MAX])
{
	for (size_t s = 0; s < swim_status_MAX; s++)
		counts[s] = 0;
	for (size_t i = 0; i < swim->member_count; i++) {
		const struct swim_member *m = swim__member_at(swim, i);
		if (m->status >= swim_status_MAX)
			return false;
		counts[m->status]++;
	}
	return true;
}

static const char *
check_table(const struct swim *swim)
{
	size_t counts[swim_status_MAX];
	if (swim->member_count > swim->member_cap ||
	    swim->member_count > SWIM_MEMBERS_MAX)
		return "more members than the table holds";
	if (swim->probe_cursor > swim->member_count)
		return "the probe cursor is past the members";
	if (!count_statuses(swim, counts))
		return "a member has no known status";
	if (swim->live_count != counts[SWIM_STATUS_ALIVE] +
				       counts[SWIM_STATUS_SUSPECT] ||
	    swim->failed_count != counts[SWIM_STATUS_FAILED] ||
	    swim->left_count != counts[SWIM_STATUS_LEFT])
		return "the status counts do not match the members";
	if (swim->live_count + swim->failed_count + swim->left_count !=
	    swim->member_count)
		return "the status counts do not add up to the members";
	const struct swim_member *self = swim->self;
	if (self == NULL ||
	    swim__member_find(swim, self->name, self->name_len) != self)
		return "self is not in the table";
	if (self->status != (swim->leaving ? SWIM_STATUS_LEFT
					   : SWIM_STATUS_ALIVE))
		return "self is neither alive nor, leaving, left";
	return NULL;
}

static const char *
check_index(const struct swim *swim)
{
	if (swim->slot_count / 4 * 3 < swim->member_count)
		return "the name index is over three quarters full";
	size_t used = 0;
	for (size_t i = 0; i < swim->slot_count; i++)
		used += swim->slots[i] != 0;
	if (used != swim->member_count)
		return "the name index holds other than the members";
	for (size_t i = 0; i < swim->member_count; i++) {
		const struct swim_member *m = swim__member_at(swim, i);
		if (m->name_len == 0 || m->name_len > SWIM_NAME_MAX ||
		    m->name[m->name_len] != '\0')
			return "a member's name is not a name";
		if (swim__member_find(swim, m->name, m->name_len) != m)
			return "the name index does not find a member";
		if (swim__member_ref(swim, m) != swim->members[i])
			return "a record does not know its own reference";
	}
	return NULL;
}

static const char *
check_broadcasts(const struct swim *swim)
{
	size_t queued = 0, pending = 0;
	for (unsigned b = 0; b <= SWIM_TRANSMIT_MAX; b++) {
		uint32_t prev = 0;
		for (uint32_t ref = swim->bcast[b]; ref != 0;) {
			const struct swim_member *m =
				swim__member_ptr(swim, ref);
			if (m->transmits != (int8_t)b ||
			    m->bcast_prev != prev)
				return "a broadcast bucket is mislinked";
			if (++queued > swim->member_count)
				return "a broadcast bucket loops";
			prev = ref;
			ref = m->bcast_next;
		}
	}
	for (size_t i = 0; i < swim->member_count; i++)
		pending += swim__member_at(swim, i)->transmits >= 0;
	if (queued != pending || queued != swim->bcast_count)
		return "the broadcast count is not the updates queued";
	return NULL;
}

/* Every suspect has an armed suspicion, and no one else has one. */
static const char *
check_suspicions(const struct swim *swim, size_t *suspects)
{
	*suspects = 0;
	for (size_t i = 0; i < swim->member_count; i++) {
		const struct swim_member *m = swim__member_at(swim, i);
		const struct swim_suspicion *sp =
			swim__member_suspicion(swim, m);
		if (m->status != SWIM_STATUS_SUSPECT) {
			if (sp != NULL)
				return "a member not suspect has a suspicion";
			continue;
		}
		(*suspects)++;
		if (sp == NULL)
			return "a suspect has no suspicion";
		if (sp->member != swim->members[i])
			return "a suspicion names another member";
		if (!swim_heap_node_armed(&sp->timer))
			return "a suspect has no deadline";
		if (sp->confirm_count > sp->k ||
		    sp->confirm_count > SWIM_CONFIRMERS_MAX)
			return "a suspicion counts too many confirmations";
	}
	return NULL;
}

static const char *
check_heap(const struct swim *swim, size_t suspects)
{
	const struct swim_heap *h = &swim->timers;
	if (h->count > h->cap)
		return "the deadline heap holds more than its room";
	if (h->count != suspects)
		return "the deadlines are not one per suspect";
	for (size_t i = 0; i < h->count; i++) {
		const struct swim_heap_node *n = h->items[i];
		if (n->pos != i)
			return "a deadline does not know its place";
		if (i == 0)
			continue;
		const struct swim_heap_node *parent = h->items[(i - 1) / 2];
		if (parent->deadline_ms > n->deadline_ms ||
		    (parent->deadline_ms == n->deadline_ms &&
		     parent->seq > n->seq))
			return "the deadline heap is out of order";
	}
	return NULL;
}

static const char *
check_extras(const struct swim *swim)
{
	uint32_t used = 0;
	for (uint32_t i = 0; i < swim->extra_cap; i++) {
		const struct swim_extra *x = &swim->extras[i];
		if (x->member == 0)
			continue;
		used++;
		const struct swim_member *m =
			swim__member_ptr(swim, x->member);
		if (!(m->flags & SWIM_MEMBER_EXTRA) ||
		    swim__extra_of(swim, m) != x)
			return "an extra belongs to no member";
		if (x->meta == NULL && x->suspicion == NULL)
			return "an extra holds nothing";
		if ((x->meta == NULL) != (x->meta_size == 0) ||
		    x->meta_size > SWIM_META_MAX)
			return "an extra's metadata is not metadata";
	}
	if (used != swim->extra_count ||
	    (swim->extra_cap != 0 && swim->extra_count * 2 > swim->extra_cap))
		return "the extras count is not the extras held";
	size_t flagged = 0;
	for (size_t i = 0; i < swim->member_count; i++)
		flagged += (swim__member_at(swim, i)->flags &
			    SWIM_MEMBER_EXTRA) != 0;
	if (flagged != used)
		return "the extras are not the members flagged for them";
	return NULL;
}

/* DIRECT means heard from where we hold it and alive since. */
static const char *
check_flags(const struct swim *swim)
{
	for (size_t i = 0; i < swim->member_count; i++) {
		const struct swim_member *m = swim__member_at(swim, i);
		if ((m->flags & SWIM_MEMBER_DIRECT) &&
		    (m->status != SWIM_STATUS_ALIVE ||
		     !(m->flags & SWIM_MEMBER_HEARD)))
			return "a member not alive, or never heard, is held "
			       "reachable";
	}
	return NULL;
}

static const char *
check_fifo(const struct swim_fifo *q)
{
	if (q->count > q->cap || q->count > q->max || q->cap > q->max ||
	    (q->cap > 0 && q->head >= q->cap))
		return "an output queue is past its bounds";
	return NULL;
}

int
swim_check(const struct swim *swim, const char **why)
{
	size_t suspects = 0;
	const char *broken = check_table(swim);
	if (broken == NULL)
		broken = check_index(swim);
	if (broken == NULL)
		broken = check_broadcasts(swim);
	if (broken == NULL)
		broken = check_suspicions(swim, &suspects);
	if (broken == NULL)
		broken = check_heap(swim, suspects);
	if (broken == NULL)
		broken = check_extras(swim);
	if (broken == NULL)
		broken = check_flags(swim);
	if (broken == NULL)
		broken = check_fifo(&swim->outbox);
	if (broken == NULL)
		broken = check_fifo(&swim->events);
	if (broken == NULL)
		broken = check_fifo(&swim->streams);
	if (broken == NULL)
		return 0;
	if (why != NULL)
		*why = broken;
	return RUMOR_ESTATE;
}
