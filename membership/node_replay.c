/*
 * node_replay: refusing frames taken before.
 *
 * Design. Every sealed frame carries a stamp in its nonce (crypto/seal.h),
 * authenticated with the frame: the sender's life (8 random bytes drawn
 * when the process started), the sender's clock when it sealed the frame
 * (ms since the Unix epoch) and the frame's place in that life (a counter,
 * one per frame). Two rules refuse a frame taken before, and a third
 * bounds what the first two must remember:
 *
 *  - Within a life, places (IPsec, WireGuard): per life we keep the
 *    highest place taken and a 256-bit map of it and the places below it;
 *    a place taken again, or 256 or more below the highest, is refused
 *    (SEEN).
 *    Places are global to the sender, so the map has holes where the
 *    sender wrote to other nodes; those frames do not open here anyway,
 *    since a datagram's associated data names the node it is for.
 *  - Across time, the clock: a frame stamped more than the skew allowed
 *    (30 s by default) before our clock is refused (STALE) whoever sent
 *    it, and so is one stamped more than that ahead (AHEAD: its sender's
 *    clock is off). So a life quiet for longer than the skew can be
 *    forgotten: everything it ever sent is stale. The table holds only
 *    the lives heard from lately, a few hundred per node whatever the
 *    cluster's size, not one entry per member.
 *  - The floor: a frame from a life we hold no record of must be stamped
 *    no earlier than floor_ms. It starts at our own start (less a second
 *    of slack for clocks a little behind ours), so what was sent to our
 *    previous life is refused by this one; and when the table is full (or
 *    cannot grow), the life heard from least lately is forgotten before
 *    its frames are stale and the floor rises past its latest stamp, so
 *    its frames stay refused. Honest traffic never fills the table; a
 *    sender with the key that invents lives by the thousand only raises
 *    the floor towards the present.
 *
 * A sender's restart is a new life: its old life's frames are refused by
 * their places as long as we hold that life, and by the clock or the floor
 * after; a frame of the old life we never received (it was withheld) can
 * still arrive once within the skew, as any withheld frame can. Nothing
 * orders lives, so another sender claiming a life cannot push a real one
 * out of the window: lives are separate entries.
 *
 * The table: open addressing with linear probing, positions mixed with a
 * key of our own (splitmix64's finalizer over life ^ key) so a sender
 * cannot aim several lives at one run. Grown at 3/4 full, rebuilt smaller
 * by the sweep that forgets stale lives (every half skew).
 */
#include <string.h>

#include "node_replay.h"
#include "rumor/error.h"

static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t
home(const struct node_replay *r, uint64_t life)
{
	return (size_t)mix(life ^ r->key) & (r->cap - 1);
}

static bool
slot_used(const struct node_replay_life *e)
{
	return (e->seen[0] & 1) != 0;
}

/* Whether place top - back (back < NODE_REPLAY_WINDOW) was taken. */
static bool
window_has(const struct node_replay_life *e, uint64_t back)
{
	return (e->seen[back / 64] >> (back % 64) & 1) != 0;
}

/* The highest place moves up by ahead (> 0): the map slides. */
static void
window_slide(struct node_replay_life *e, uint64_t ahead)
{
	if (ahead >= NODE_REPLAY_WINDOW) {
		memset(e->seen, 0, sizeof(e->seen));
		return;
	}
	size_t w = (size_t)(ahead / 64);
	unsigned b = (unsigned)(ahead % 64);
	for (size_t i = NODE_REPLAY_WORDS; i-- > 0;) {
		uint64_t v = 0;
		if (i >= w) {
			v = e->seen[i - w] << b;
			if (b != 0 && i > w)
				v |= e->seen[i - w - 1] >> (64 - b);
		}
		e->seen[i] = v;
	}
}

/* The slot holding life, or NULL. */
static struct node_replay_life *
find(const struct node_replay *r, uint64_t life)
{
	for (size_t i = home(r, life);; i = (i + 1) & (r->cap - 1)) {
		struct node_replay_life *e = &r->slots[i];
		if (!slot_used(e))
			return NULL;
		if (e->life == life)
			return e;
	}
}

/* Where life goes (its slot or the empty one ending its run); room
 * assured by the caller. */
static struct node_replay_life *
place(struct node_replay_life *slots, size_t cap, const struct node_replay *r,
      uint64_t life)
{
	size_t i = (size_t)mix(life ^ r->key) & (cap - 1);
	while (slot_used(&slots[i]) && slots[i].life != life)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Whether every frame of e is stale at now_ms. */
static bool
life_stale(const struct node_replay *r, const struct node_replay_life *e,
	   uint64_t now_ms)
{
	return now_ms > r->skew_ms && e->top_ms < now_ms - r->skew_ms;
}

/* Move the lives that are not stale into a table of cap slots (a power of
 * two that holds them at most 3/4 full). 0 or RUMOR_ENOMEM (r as it
 * was). */
static int
rebuild(struct node_replay *r, size_t cap, uint64_t now_ms)
{
	struct node_replay_life *slots =
		swim_mem_calloc(r->alloc, cap, sizeof(*slots));
	if (slots == NULL)
		return RUMOR_ENOMEM;
	size_t count = 0;
	for (size_t i = 0; i < r->cap; i++) {
		const struct node_replay_life *e = &r->slots[i];
		if (!slot_used(e) || life_stale(r, e, now_ms))
			continue;
		*place(slots, cap, r, e->life) = *e;
		count++;
	}
	swim_mem_free(r->alloc, r->slots);
	r->slots = slots;
	r->cap = cap;
	r->count = count;
	return 0;
}

int
node__replay_create(struct node_replay *r, const struct swim_allocator *alloc,
		    uint64_t key, uint64_t skew_ms, uint64_t start_ms)
{
	*r = (struct node_replay){
		.alloc = alloc,
		.key = key,
		.skew_ms = skew_ms,
		.floor_ms = start_ms > NODE_REPLAY_START_SLACK_MS
				    ? start_ms - NODE_REPLAY_START_SLACK_MS
				    : 0,
		.sweep_ms = start_ms + skew_ms / 2,
	};
	r->slots = swim_mem_calloc(alloc, NODE_REPLAY_SLOTS_MIN,
				   sizeof(*r->slots));
	if (r->slots == NULL)
		return RUMOR_ENOMEM;
	r->cap = NODE_REPLAY_SLOTS_MIN;
	return 0;
}

void
node__replay_destroy(struct node_replay *r)
{
	swim_mem_free(r->alloc, r->slots);
	r->slots = NULL;
	r->cap = r->count = 0;
}

enum node_replay_verdict
node__replay_check(const struct node_replay *r, const struct seal_stamp *s,
		   uint64_t now_ms)
{
	if (s->time_ms > now_ms && s->time_ms - now_ms > r->skew_ms)
		return NODE_REPLAY_AHEAD;
	if (s->time_ms < now_ms && now_ms - s->time_ms > r->skew_ms)
		return NODE_REPLAY_STALE;
	const struct node_replay_life *e = find(r, s->life);
	if (e == NULL)
		return s->time_ms < r->floor_ms ? NODE_REPLAY_STALE
						: NODE_REPLAY_FRESH;
	if (s->counter > e->top)
		return NODE_REPLAY_FRESH;
	uint64_t back = e->top - s->counter;
	if (back >= NODE_REPLAY_WINDOW || window_has(e, back))
		return NODE_REPLAY_SEEN;
	return NODE_REPLAY_FRESH;
}

/* Remove the entry at slot i, shifting back the run after it (linear
 * probing's deletion: no tombstones). */
static void
remove_at(struct node_replay *r, size_t i)
{
	size_t mask = r->cap - 1;
	for (size_t j = (i + 1) & mask; slot_used(&r->slots[j]);
	     j = (j + 1) & mask) {
		size_t k = home(r, r->slots[j].life);
		/* Move j back to i unless its home lies in (i, j]. */
		bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
		if (stays)
			continue;
		r->slots[i] = r->slots[j];
		i = j;
	}
	memset(&r->slots[i], 0, sizeof(r->slots[i]));
	r->count--;
}

/* The table is full: forget the life heard from least lately; unless
 * its frames are stale already, keep them refused by raising the floor
 * past them. */
static void
evict_one(struct node_replay *r, uint64_t now_ms)
{
	size_t oldest = r->cap;
	for (size_t i = 0; i < r->cap; i++) {
		if (slot_used(&r->slots[i]) &&
		    (oldest == r->cap ||
		     r->slots[i].top_ms < r->slots[oldest].top_ms))
			oldest = i;
	}
	const struct node_replay_life *e = &r->slots[oldest];
	if (!life_stale(r, e, now_ms)) {
		if (e->top_ms + 1 > r->floor_ms)
			r->floor_ms = e->top_ms + 1;
		r->evictions++;
	}
	remove_at(r, oldest);
}

/* Lives in the table whose frames are all stale by now. */
static size_t
stale_count(const struct node_replay *r, uint64_t now_ms)
{
	size_t n = 0;
	for (size_t i = 0; i < r->cap; i++)
		n += slot_used(&r->slots[i]) &&
		     life_stale(r, &r->slots[i], now_ms);
	return n;
}

/* Room for one more life: forget the stale lives if that frees an eighth
 * of the table, else grow it, else (at NODE_REPLAY_LIVES_MAX or out of
 * memory) evict one. */
static void
make_room(struct node_replay *r, uint64_t now_ms)
{
	bool full = r->count >= NODE_REPLAY_LIVES_MAX;
	if (!full && (r->count + 1) * 4 <= r->cap * 3)
		return;
	if (stale_count(r, now_ms) >= r->cap / 8 &&
	    rebuild(r, r->cap, now_ms) == 0 &&
	    r->count < NODE_REPLAY_LIVES_MAX)
		return;
	if (!full && rebuild(r, r->cap * 2, now_ms) == 0)
		return;
	evict_one(r, now_ms);
}

void
node__replay_take(struct node_replay *r, const struct seal_stamp *s,
		  uint64_t now_ms)
{
	struct node_replay_life *e = find(r, s->life);
	if (e == NULL) {
		make_room(r, now_ms);
		e = place(r->slots, r->cap, r, s->life);
		*e = (struct node_replay_life){.life = s->life,
					       .top = s->counter,
					       .top_ms = s->time_ms,
					       .seen = {1}};
		r->count++;
		if (r->count > r->peak)
			r->peak = r->count;
		return;
	}
	if (s->counter > e->top) {
		window_slide(e, s->counter - e->top);
		e->seen[0] |= 1;
		e->top = s->counter;
	} else {
		uint64_t back = e->top - s->counter;
		e->seen[back / 64] |= 1ull << (back % 64);
	}
	if (s->time_ms > e->top_ms)
		e->top_ms = s->time_ms;
}

void
node__replay_sweep(struct node_replay *r, uint64_t now_ms)
{
	if (now_ms < r->sweep_ms)
		return;
	r->sweep_ms = now_ms + r->skew_ms / 2;
	size_t live = 0;
	for (size_t i = 0; i < r->cap; i++)
		live += slot_used(&r->slots[i]) &&
			!life_stale(r, &r->slots[i], now_ms);
	if (live == r->count)
		return;
	/* The smallest table that holds the rest at most half full. */
	size_t cap = NODE_REPLAY_SLOTS_MIN;
	while (cap < 2 * live)
		cap *= 2;
	/* Out of memory: the stale lives stay a while longer, harmless. */
	(void)rebuild(r, cap, now_ms);
}

const char *
node__replay_check_table(const struct node_replay *r)
{
	size_t used = 0;
	if (r->cap < NODE_REPLAY_SLOTS_MIN || (r->cap & (r->cap - 1)) != 0)
		return "the replay table's size is not a power of two";
	for (size_t i = 0; i < r->cap; i++) {
		const struct node_replay_life *e = &r->slots[i];
		if (!slot_used(e))
			continue;
		used++;
		if ((e->seen[0] & 1) == 0)
			return "a replay life lacks its highest place";
		if (find(r, e->life) != e)
			return "a replay life is out of its probe run";
	}
	if (used != r->count || used * 4 > r->cap * 3)
		return "the replay table's count is wrong or over 3/4";
	return NULL;
}
