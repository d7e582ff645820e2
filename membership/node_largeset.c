/*
 * node_largeset: large service sets.
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
 *
 * The sets held are bounded in total (node->largesets_max, by default
 * NODE_LARGESETS_BYTES_MAX): a set that would pass it is refused and
 * counted, and its stub is not pulled for again. Otherwise a member with
 * the key could invent members by the hundred, each with a set of the
 * largest size, and every node would hold and serve them all (400 such
 * members took an agent to 250 MiB in a second).
 */
#include <stdlib.h>
#include <string.h>

#include "node_largeset.h"
#include "rumor/error.h"
#include "service_digest.h"
#include "swim/mpscan.h"

struct node_largeset *
node__largeset_find(const struct node *node, const char *name, size_t *pos)
{
	size_t lo = 0, hi = node->largeset_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(node->largesets[mid].name, name);
		if (c == 0) {
			if (pos != NULL)
				*pos = mid;
			return &node->largesets[mid];
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
largeset_holds(const struct node *node, const char *name,
	       const uint8_t digest[SERVICE_SET_DIGEST_SIZE])
{
	const struct node_largeset *b = node__largeset_find(node, name, NULL);
	return b != NULL &&
	       memcmp(b->digest, digest, SERVICE_SET_DIGEST_SIZE) == 0;
}

int
node__largeset_reserve(struct node *node)
{
	if (node->largeset_count < node->largeset_cap)
		return 0;
	size_t cap = node->largeset_cap ? 2 * node->largeset_cap : 4;
	struct node_largeset *b = swim_mem_realloc(node->alloc, node->largesets,
						   cap * sizeof(*b));
	if (b == NULL)
		return RUMOR_ENOMEM;
	node->largesets = b;
	node->largeset_cap = cap;
	return 0;
}

void
node__largeset_put(struct node *node, const char *name,
		   const uint8_t digest[SERVICE_SET_DIGEST_SIZE],
		   uint8_t *bytes, size_t size)
{
	size_t pos;
	struct node_largeset *b = node__largeset_find(node, name, &pos);
	if (b == NULL) {
		memmove(&node->largesets[pos + 1], &node->largesets[pos],
			(node->largeset_count - pos) * sizeof(*b));
		node->largeset_count++;
		b = &node->largesets[pos];
		strcpy(b->name, name);
	} else {
		node->largeset_bytes -= b->size;
		free(b->bytes);
	}
	node->largeset_bytes += size;
	memcpy(b->digest, digest, SERVICE_SET_DIGEST_SIZE);
	b->bytes = bytes;
	b->size = size;
}

void
node__largeset_drop(struct node *node, const char *name)
{
	size_t pos;
	struct node_largeset *b = node__largeset_find(node, name, &pos);
	if (b == NULL)
		return;
	node->largeset_bytes -= b->size;
	free(b->bytes);
	node->largeset_count--;
	memmove(b, b + 1, (node->largeset_count - pos) * sizeof(*b));
}

/* Whether a set of size bytes for name fits under the total (in place
 * of the one held for name); counted when it does not. */
static bool
largeset_fits(struct node *node, const char *name, size_t size)
{
	const struct node_largeset *old = node__largeset_find(node, name, NULL);
	size_t held = node->largeset_bytes - (old != NULL ? old->size : 0);
	if (size <= node->largesets_max && held <= node->largesets_max - size)
		return true;
	node->largesets_refused++;
	return false;
}

int
node__largeset_missing(struct node *node, const char *name,
		       const uint8_t digest[SERVICE_SET_DIGEST_SIZE],
		       size_t size)
{
	if (!largeset_fits(node, name, size)) {
		/* Not pulled for: no push-pull after push-pull for a set we
		 * would refuse. Its owner's next set is judged anew. */
		node__largeset_filled(node, name);
		return 0;
	}
	struct node_missing *w = NULL;
	for (size_t i = 0; i < node->missing_count && w == NULL; i++) {
		if (strcmp(node->missing[i].name, name) == 0)
			w = &node->missing[i];
	}
	if (w == NULL) {
		if (node->missing_count == node->missing_cap) {
			size_t cap = node->missing_cap ? 2 * node->missing_cap
						       : 4;
			struct node_missing *grown = swim_mem_realloc(
				node->alloc, node->missing,
				cap * sizeof(*grown));
			if (grown == NULL)
				return RUMOR_ENOMEM;
			node->missing = grown;
			node->missing_cap = cap;
		}
		w = &node->missing[node->missing_count++];
		strcpy(w->name, name);
	}
	memcpy(w->digest, digest, SERVICE_SET_DIGEST_SIZE);
	if (node->pull_at_ms == UINT64_MAX)
		node->pull_at_ms = node->now_ms +
				   swim_rand_below(&node->rand,
						   node->pull_jitter_ms + 1);
	return 0;
}

void
node__largeset_filled(struct node *node, const char *name)
{
	for (size_t i = 0; i < node->missing_count; i++) {
		if (strcmp(node->missing[i].name, name) != 0)
			continue;
		node->missing[i] = node->missing[--node->missing_count];
		if (node->missing_count == 0)
			node->pull_at_ms = UINT64_MAX;
		return;
	}
}

/* The digest m's current stub announces: 1, or 0 when its metadata is
 * no stub, or RUMOR_ENOMEM when we cannot tell. */
static int
member_stub(const struct swim_member_info *m,
	    uint8_t digest[SERVICE_SET_DIGEST_SIZE])
{
	if (m->meta_size == 0)
		return 0;
	struct service_set set = {0};
	int rc = service_set_decode(&set, m->meta, m->meta_size, NULL);
	if (rc == RUMOR_ENOMEM)
		return rc;
	bool stub = rc == 0 && set.full_size > 0;
	if (stub)
		memcpy(digest, set.digest, SERVICE_SET_DIGEST_SIZE);
	service_set_destroy(&set);
	return stub;
}

/* Whether w is still worth a pull (its owner is up and still announces
 * it, and we do not hold it), with the owner's address. Kept when we
 * cannot tell for lack of memory. */
static bool
still_missing(const struct node *node, const struct node_missing *w,
	      struct swim_addr *owner)
{
	struct swim_member_info m;
	if (swim_member_find(node->swim, w->name, &m) != 0 ||
	    !node__status_up(m.status))
		return false;
	*owner = m.addr;
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
	int stub = member_stub(&m, digest);
	if (stub == RUMOR_ENOMEM)
		return true;
	return stub == 1 && memcmp(digest, w->digest, sizeof(digest)) == 0 &&
	       !largeset_holds(node, w->name, w->digest);
}

/*
 * The pull timer fired: forget the missing sets that were filled,
 * superseded or whose owner is gone, ask the owner of the first one left for a
 * push-pull (then move it last, so an owner that does not answer holds up
 * no one else) and plan the next pull while any remain.
 */
void
node__largeset_pull(struct node *node, uint64_t now_ms)
{
	node->pull_at_ms = UINT64_MAX;
	size_t kept = 0;
	struct swim_addr first_owner = {0};
	for (size_t i = 0; i < node->missing_count; i++) {
		struct swim_addr owner;
		if (!still_missing(node, &node->missing[i], &owner))
			continue;
		if (kept == 0)
			first_owner = owner;
		node->missing[kept++] = node->missing[i];
	}
	node->missing_count = kept;
	if (kept == 0)
		return;
	struct node_missing first = node->missing[0];
	memmove(&node->missing[0], &node->missing[1],
		(kept - 1) * sizeof(first));
	node->missing[kept - 1] = first;
	node->pull_due = true;
	node->pull_to = first_owner;
	node->largeset_pulls++;
	node->pull_at_ms = now_ms + node->pull_jitter_ms +
			   swim_rand_below(&node->rand,
					   node->pull_jitter_ms + 1);
}

int
node__largeset_apply(struct node *node, const struct node_largeset *b,
		     const struct swim_member_info *m)
{
	struct service_set set = {0};
	int rc = service_set_decode(&set, b->bytes, b->size, NULL);
	if (rc == RUMOR_ENOMEM)
		return rc;
	if (rc != 0 || set.full_size > 0) {
		/* Kept all the same, for peers that can read it. */
		service_set_destroy(&set);
		node->bad_service_sets++;
		return 0;
	}
	set.version = m->incarnation;
	rc = registry_apply(node->registry, m->name, &set);
	service_set_destroy(&set);
	if (rc == RUMOR_ENOMEM)
		return rc;
	if (rc < 0)
		node->bad_service_sets++;
	if (rc > 0)
		node->largesets_received++;
	return rc > 0;
}

/*
 * name's set from a push-pull: taken when its digest is the one name's
 * current stub announces and we do not hold it yet; anything else is an
 * older set or one for a stub we have not seen, and is ignored.
 */
static void
largeset_receive(struct node *node, const char *name, const uint8_t *bytes,
		 size_t size)
{
	struct swim_member_info m;
	uint8_t stub[SERVICE_SET_DIGEST_SIZE], got[SERVICE_SET_DIGEST_SIZE];
	if (swim_member_find(node->swim, name, &m) != 0 || m.is_self ||
	    member_stub(&m, stub) != 1 || largeset_holds(node, name, stub))
		return; /* (when we cannot tell, it is pulled again) */
	service_digest(got, bytes, size);
	if (memcmp(got, stub, sizeof(got)) != 0)
		return;
	if (!largeset_fits(node, name, size)) {
		/* (its stub said it was smaller) */
		node__largeset_filled(node, name);
		return;
	}
	/* Everything that can fail first: room for the set, and the
	 * owner's registry entry (not from an event, so its state is set
	 * here too), after which applying the set cannot fail for lack of
	 * memory. */
	uint8_t *copy = malloc(size ? size : 1);
	if (copy == NULL || node__largeset_reserve(node) != 0 ||
	    registry_set_node(node->registry, name, node__status_up(m.status),
			      &m.addr) != 0) {
		free(copy);
		return; /* still missing: pulled again */
	}
	memcpy(copy, bytes, size);
	node__largeset_put(node, name, got, copy, size);
	node__largeset_filled(node, name);
	/* Decoding it may still run out of memory: then the registry is
	 * rebuilt, from the set now held, at the end of this input. */
	if (node__largeset_apply(node, node__largeset_find(node, name, NULL),
				 &m) == RUMOR_ENOMEM)
		node->registry_stale = true;
}

/* Objects an attachment may hold: the list, and per member an entry, its
 * name and its set. */
#define ATTACHMENT_OBJECTS_MAX (3ull * SWIM_MEMBERS_MAX + 1)

enum node_drop
node__largeset_unpack(msgpack_unpacked *unpacked, const uint8_t *data,
		      size_t size)
{
	if (mpscan_unpack(unpacked, data, size, SWIM_MEMBERS_MAX,
			  ATTACHMENT_OBJECTS_MAX) != MPSCAN_OK)
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

void
node__largeset_take(struct node *node, const msgpack_object *root)
{
	for (uint32_t i = 0; i < root->via.array.size; i++) {
		const msgpack_object *e = root->via.array.ptr[i].via.array.ptr;
		char name[SWIM_NAME_MAX + 1];
		memcpy(name, e[0].via.str.ptr, e[0].via.str.size);
		name[e[0].via.str.size] = '\0';
		largeset_receive(node, name, (const uint8_t *)e[1].via.bin.ptr,
				 e[1].via.bin.size);
	}
}

/* Bytes an attachment entry takes at most (array, str8, bin32 headers). */
static size_t
attachment_entry_size(const struct node_largeset *b)
{
	return 1 + 2 + strlen(b->name) + 5 + b->size;
}

/* The k-th set from the cursor if it fits in *room (taken from it), else
 * NULL: the one choice both passes of node__largeset_pack make. */
static const struct node_largeset *
attachment_choose(const struct node *node, size_t k, size_t *room)
{
	size_t i = (node->largeset_cursor + k) % node->largeset_count;
	const struct node_largeset *b = &node->largesets[i];
	size_t need = attachment_entry_size(b);
	if (need > *room)
		return NULL;
	*room -= need;
	return b;
}

int
node__largeset_pack(struct node *node, msgpack_sbuffer *sbuf)
{
	const size_t header = 5; /* array32 */
	size_t n = node->largeset_count, fit = 0;
	const size_t budget = sbuf->size + header < SWIM_STATE_MAX
				      ? SWIM_STATE_MAX - sbuf->size - header
				      : 0;
	/* Two passes with the same choices: count, then pack. */
	size_t room = budget;
	for (size_t k = 0; k < n; k++)
		fit += attachment_choose(node, k, &room) != NULL;
	if (fit == 0)
		return 0;
	msgpack_packer pk;
	msgpack_packer_init(&pk, sbuf, msgpack_sbuffer_write);
	int rc = msgpack_pack_array(&pk, fit);
	room = budget;
	for (size_t k = 0; rc == 0 && k < n; k++) {
		const struct node_largeset *b =
			attachment_choose(node, k, &room);
		if (b == NULL)
			continue;
		size_t len = strlen(b->name);
		rc = msgpack_pack_array(&pk, 2) ||
		     msgpack_pack_str(&pk, len) ||
		     msgpack_pack_str_body(&pk, b->name, len) ||
		     msgpack_pack_bin(&pk, b->size) ||
		     msgpack_pack_bin_body(&pk, b->bytes, b->size);
	}
	if (rc != 0)
		return RUMOR_ENOMEM;
	node->largeset_cursor = (node->largeset_cursor + 1) % n;
	return 0;
}
