/*
 * swim_sync: anti-entropy and healing.
 *
 * Push-pull exchanges full state with one random live member every
 * pushpull_interval (scaled above 32 members). Failed members are kept
 * for reconnect_timeout and one of them is tried every reconnect_interval
 * with probability failed/live (Serf's rule, so the cluster as a whole
 * makes about one attempt per failed member); a node alone also retries
 * its join addresses. A push-pull's remote "failed" becomes a local
 * "suspect" (memberlist mergeState), so a healed partition turns each
 * side's verdicts into suspicions that their subjects refute. Joining is
 * a push-pull with the seeds, retried with doubling backoff until we know
 * someone; restoring installs a running cluster's members silently.
 */
#include <string.h>

#include "rumor/error.h"
#include "internal.h"
#include "swim_broadcast.h"
#include "swim_gossip.h"
#include "swim_lifeguard.h"
#include "swim_member.h"
#include "swim_output.h"
#include "swim_proto.h"
#include "swim_sync.h"

/*
 * We know someone besides ourselves: the join is done. The seed's state
 * was a snapshot; members that joined at the same time reach us by gossip,
 * which misses a few with small probability, so pull once more soon.
 */
void
swim__join_check(struct swim *swim, uint64_t now_ms)
{
	if (swim->join_ms == UINT64_MAX || swim->live_count <= 1)
		return;
	swim->join_ms = UINT64_MAX;
	swim__pull_soon(swim, now_ms);
}

/* ---- state exchange --------------------------------------------------- */

/* swim_state_member_cb over the member table, in probe order. */
static void
state_member(void *ctx, size_t i, struct swim_msg *msg)
{
	struct swim *swim = ctx;
	/* The probe order is shuffled: each record is a cache miss unless
	 * asked for ahead. */
	if (i + SWIM_PREFETCH_AHEAD < swim->member_count)
		__builtin_prefetch(
			swim__member_at(swim, i + SWIM_PREFETCH_AHEAD));
	swim__bcast_msg(swim, swim__member_at(swim, i), msg);
}

int
swim_state_encode(struct swim *swim, bool join, uint8_t **out, size_t *size)
{
	const struct swim_member *self = swim->self;
	return swim_state_pack(self->name, self->name_len, join,
			       swim->member_count, out, size,
			       swim->cfg.allocator, state_member, swim);
}

void
swim_state_free(struct swim *swim, uint8_t *state)
{
	swim_mem_free(swim->cfg.allocator, state);
}

/* Ask for the index slot of the message 2 * SWIM_PREFETCH_AHEAD ahead and the
 * record of the one SWIM_PREFETCH_AHEAD ahead. */
static void
prefetch_state(const struct swim *swim, const struct swim_state_def *st,
	       size_t i)
{
	size_t far = i + 2 * SWIM_PREFETCH_AHEAD;
	size_t near = i + SWIM_PREFETCH_AHEAD;
	if (far < st->member_count)
		swim__member_prefetch(swim, st->members[far].name,
				      st->members[far].name_len, false);
	if (near < st->member_count)
		swim__member_prefetch(swim, st->members[near].name,
				      st->members[near].name_len, true);
}

enum swim_drop
swim_handle_state(struct swim *swim, uint64_t now_ms,
		  const struct swim_addr *from, const uint8_t *data,
		  size_t size)
{
	/* The reply carries our state, so stale verdicts about us are
	 * corrected by the exchange itself. */
	(void)from;
	if (swim->leaving && swim__leave_done(swim, now_ms))
		return swim__count_drop(swim, SWIM_DROP_LEFT);
	struct swim_state_def st;
	enum swim_drop drop = swim_state_decode(&st, data, size,
						swim->cfg.allocator);
	if (drop != SWIM_DROP_NONE)
		return swim__count_drop(swim, drop);
	if (swim__is_self_name(swim, st.sender, st.sender_len)) {
		swim_state_destroy(&st);
		return swim__count_drop(swim, SWIM_DROP_FROM_SELF);
	}
	swim->stats.pushpulls++;
	for (size_t i = 0; i < st.member_count; i++) {
		prefetch_state(swim, &st, i);
		struct swim_msg msg = st.members[i];
		/* Their verdict is our suspicion (memberlist mergeState):
		 * the subject gets a chance to refute before we agree. */
		if (msg.type == SWIM_MSG_FAILED)
			msg.type = SWIM_MSG_SUSPECT;
		swim__apply_status(swim, now_ms, &msg);
	}
	/* The exchange proves the sender exists (not that it is reachable
	 * at the address we hold: streams come from any port). */
	struct swim_member *sender =
		swim__member_find(swim, st.sender, st.sender_len);
	if (sender != NULL)
		sender->flags |= SWIM_MEMBER_HEARD;
	swim_state_destroy(&st);
	swim__join_check(swim, now_ms);
	return SWIM_DROP_NONE;
}

/* Check members[0, count) and measure their names into lens (names are
 * measured once: a warm simulator start restores every node with every
 * member). 0 or RUMOR_EINVAL. */
static RUMOR_MUST_CHECK int
restore_check(const struct swim_self *members, size_t count, uint8_t *lens)
{
	for (size_t i = 0; i < count; i++) {
		const char *name = members[i].name;
		size_t len = name ? strlen(name) : 0;
		if (!swim_name_valid(name, len) ||
		    members[i].meta_size > SWIM_META_MAX)
			return RUMOR_EINVAL;
		lens[i] = (uint8_t)len;
	}
	return 0;
}

/* Install members[order[k]] for every k, appended to the probe order;
 * 0 or RUMOR_ENOMEM, with what was installed left in place. */
static RUMOR_MUST_CHECK int
restore_install(struct swim *swim, uint64_t now_ms,
		const struct swim_self *members, const uint32_t *order,
		const uint8_t *lens, size_t count)
{
	for (size_t k = 0; k < count; k++) {
		/* The input is read in shuffled order: ask for it ahead
		 * (the entry, then its name once the entry has arrived,
		 * then the name's index slot once the name has). */
		size_t a = SWIM_PREFETCH_AHEAD;
		if (k + 3 * a < count)
			__builtin_prefetch(&members[order[k + 3 * a]]);
		if (k + 2 * a < count)
			__builtin_prefetch(members[order[k + 2 * a]].name);
		if (k + a < count)
			swim__member_prefetch(swim, members[order[k + a]].name,
					      lens[order[k + a]], false);
		const struct swim_self *in = &members[order[k]];
		/* Self is in the table too: it is skipped like a
		 * duplicate. */
		bool added;
		struct swim_member *m = swim__member_find_or_append(
			swim, in->name, lens[order[k]], &in->addr, now_ms,
			&added);
		if (m != NULL && !added)
			continue;
		if (m == NULL)
			return RUMOR_ENOMEM;
		m->incarnation = in->incarnation;
		/* A running cluster's members, as its driver knows them. */
		m->flags |= SWIM_MEMBER_HEARD;
		if (swim__member_set_meta(swim, m, in->meta, in->meta_size) !=
		    0)
			return RUMOR_ENOMEM;
	}
	return 0;
}

int
swim_restore(struct swim *swim, uint64_t now_ms,
	     const struct swim_self *members, size_t count)
{
	if (count > SWIM_MEMBERS_MAX)
		count = SWIM_MEMBERS_MAX;
	const struct swim_allocator *alloc = swim->cfg.allocator;
	uint8_t *lens = swim_mem_alloc(alloc, count ? count : 1);
	uint32_t *order = swim_mem_alloc(alloc,
					 (count ? count : 1) * sizeof(*order));
	int rc = lens != NULL && order != NULL ? 0 : RUMOR_ENOMEM;
	if (rc == 0)
		rc = restore_check(members, count, lens);
	/* Append in a random order (the probe order, as if each had been
	 * inserted at random), with the table sized once. */
	if (rc == 0)
		rc = swim__member_reserve(swim, swim->member_count + count);
	if (rc != 0) {
		swim_mem_free(alloc, order);
		swim_mem_free(alloc, lens);
		return rc;
	}
	/* All or nothing: what a failure has installed is taken out again
	 * (appended, it sits in the last slots) and the PRNG rewound. */
	struct swim_rand rand_before = swim->rand;
	size_t count_before = swim->member_count;
	for (size_t i = 0; i < count; i++)
		order[i] = (uint32_t)i;
	for (size_t i = count; i > 1; i--) {
		size_t j = swim_rand_below(&swim->rand, i);
		uint32_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	rc = restore_install(swim, now_ms, members, order, lens, count);
	swim_mem_free(alloc, order);
	swim_mem_free(alloc, lens);
	if (rc != 0) {
		while (swim->member_count > count_before)
			swim__member_remove(swim, swim->member_count - 1);
		swim->rand = rand_before;
		return rc;
	}
	uint64_t interval = swim_pushpull_scale(swim->cfg.pushpull_interval_ms,
						swim->live_count);
	if (interval != 0)
		swim->pushpull_ms = now_ms + 1 +
				    swim_rand_below(&swim->rand, interval);
	return 0;
}

/* A push-pull goes to a member we hold alive: one we suspect may be cut
 * off (a partition makes half the cluster suspect at once), and the
 * exchange would be lost. */
static bool
pushpull_eligible(const struct swim *swim, const struct swim_member *m,
		  uint64_t now_ms)
{
	(void)swim;
	(void)now_ms;
	return m->status == SWIM_STATUS_ALIVE;
}

void
swim__pushpull_tick(struct swim *swim, uint64_t now_ms)
{
	swim->pushpull_ms = now_ms + swim_pushpull_scale(
		swim->cfg.pushpull_interval_ms, swim->live_count);
	if (swim->pulls_again > 0) {
		swim->pulls_again--;
		swim->pushpull_ms = now_ms + swim->cfg.reconnect_interval_ms;
	}
	struct swim_member *peer;
	if (swim__random_members(swim, &peer, 1, NULL, pushpull_eligible,
				 now_ms) == 1) {
		struct swim_addr to = swim__member_addr(peer);
		swim__request_stream(swim, &to, false);
	}
}

static bool
reconnect_eligible(const struct swim *swim, const struct swim_member *m,
		   uint64_t now_ms)
{
	(void)swim;
	(void)now_ms;
	return m->status == SWIM_STATUS_FAILED;
}

static void
join_attempt(struct swim *swim)
{
	for (size_t i = 0; i < swim->join_count; i++)
		swim__request_stream(swim, &swim->join_addrs[i], true);
}

void
swim__reconnect_tick(struct swim *swim, uint64_t now_ms)
{
	swim->reconnect_ms = now_ms + swim->cfg.reconnect_interval_ms;
	if (swim->leaving)
		return;
	/* Alone: our seeds are the only way back (partitions heal by
	 * themselves, however long they lasted). */
	if (swim->live_count <= 1 && swim->join_ms == UINT64_MAX)
		join_attempt(swim);
	if (swim->failed_count == 0)
		return;
	/* Serf: try with probability failed / alive, so the cluster makes
	 * about one attempt per failed member per interval. */
	if (!swim_rand_chance(&swim->rand, swim->failed_count,
			      swim->live_count))
		return;
	struct swim_member *peer;
	if (swim__random_members(swim, &peer, 1, NULL, reconnect_eligible,
				 now_ms) == 1) {
		swim->stats.reconnects++;
		struct swim_addr to = swim__member_addr(peer);
		swim__request_stream(swim, &to, false);
	}
}

void
swim__reap_tick(struct swim *swim, uint64_t now_ms)
{
	swim->reap_ms = now_ms + SWIM_REAP_INTERVAL_MS;
	/* Nothing can expire: skip the walk over every member. */
	if (swim->failed_count == 0 && swim->left_count == 0)
		return;
	for (size_t i = 0; i < swim->member_count;) {
		struct swim_member *m = swim__member_at(swim, i);
		uint64_t age = now_ms - m->status_ms;
		bool expired =
			(m->status == SWIM_STATUS_FAILED &&
			 age >= swim->cfg.reconnect_timeout_ms) ||
			(m->status == SWIM_STATUS_LEFT &&
			 !swim__member_is_self(swim, m) &&
			 age >= swim->cfg.tombstone_timeout_ms);
		if (!expired) {
			i++;
			continue;
		}
		/* Out of memory for its event: kept until the next tick. */
		if (swim__event_reserve(swim) != 0)
			return;
		swim__emit_event(swim, SWIM_EVENT_REMOVED, m);
		swim__member_remove(swim, i);
	}
}

void
swim__join_tick(struct swim *swim, uint64_t now_ms)
{
	join_attempt(swim);
	swim->join_ms = now_ms + swim->join_backoff_ms;
	swim->join_backoff_ms *= 2;
	if (swim->join_backoff_ms > swim->cfg.join_retry_max_ms)
		swim->join_backoff_ms = swim->cfg.join_retry_max_ms;
}

int
swim_join(struct swim *swim, uint64_t now_ms, const struct swim_addr *addrs,
	  size_t count)
{
	if (swim->leaving)
		return RUMOR_ESTATE;
	if (count == 0 || count > SWIM_JOIN_ADDRS_MAX)
		return RUMOR_EINVAL;
	size_t kept = 0;
	for (size_t i = 0; i < count; i++) {
		const struct swim_addr *a = &addrs[i];
		/* A seed list that names us is common (same config file
		 * on every node); joining ourselves is pointless. */
		if (a->ip == swim->self->ip && a->port == swim->self->port)
			continue;
		swim->join_addrs[kept++] = *a;
	}
	swim->join_count = kept;
	if (kept == 0)
		return 0;
	swim->join_backoff_ms = swim->cfg.join_retry_min_ms;
	swim__join_tick(swim, now_ms);
	return 0;
}
