/*
 * registry: nodes kept sorted by name, each node's services sorted by id,
 * so a new set is diffed against the old one in one merge pass. Queries go
 * through an index of every instance sorted by (service name ignoring
 * ASCII case, service name, node, id), rebuilt on the first query after a
 * change: a lookup is a binary search and a walk over its own instances,
 * in (node, id) order, and a lookup ignoring case (DNS's) is the same
 * walk over every spelling of the name, which the order keeps together;
 * changes are rare next to lookups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "rumor/error.h"

const char *const registry_policy_strs[registry_policy_MAX] = {
	"random",
	"round-robin",
};

const char *const registry_event_type_strs[registry_event_type_MAX] = {
	"added",
	"removed",
	"health",
	"updated",
};

struct reg_node {
	char name[SWIM_NAME_MAX + 1];
	/** Where its services without an address are: its gossip address'
	 *  host, "" until membership told us. */
	char host[REGISTRY_HOST_SIZE];
	bool up;
	bool has_set;
	uint64_t version;
	/** Sorted by id. */
	struct service **services;
	size_t count;
};

/* Round-robin position per service name. */
struct reg_rr {
	char name[SERVICE_NAME_MAX + 1];
	uint64_t next;
};

/* One instance in the query index. */
struct reg_entry {
	const struct reg_node *node;
	const struct service *service;
};

struct registry {
	/** Where the registry's own memory comes from (NULL: libc). The
	 *  service sets it takes over come from service.c, in libc's heap,
	 *  and go back there. */
	const struct swim_allocator *alloc;
	/** Sorted by name. */
	struct reg_node **nodes;
	size_t node_count;
	size_t node_cap;
	size_t instance_count;
	/** Every instance by (service name, node, id); stale when dirty. */
	struct reg_entry *index;
	size_t index_cap;
	bool index_dirty;
	/** Bumped by every change a query could see. */
	uint64_t generation;
	struct reg_rr *rr;
	size_t rr_count;
	/** registry_pick's scratch (capacity only; no state between picks). */
	struct registry_instance *pick_buf;
	size_t pick_cap;
	/** Event ring. */
	struct registry_event *events;
	size_t ev_head;
	size_t ev_count;
	size_t ev_cap;
	uint64_t ev_dropped;
};

struct registry *
registry_new(const struct swim_allocator *alloc)
{
	if (swim_mem_check(alloc) != 0)
		return NULL;
	struct registry *r = swim_mem_calloc(alloc, 1, sizeof(*r));
	if (r != NULL) {
		r->alloc = alloc;
		r->generation = 1;
	}
	return r;
}

uint64_t
registry_generation(const struct registry *r)
{
	return r->generation;
}

/* The services are service.c's (libc), the record the registry's. */
static void
node_free(const struct registry *r, struct reg_node *n)
{
	for (size_t i = 0; i < n->count; i++)
		free(n->services[i]);
	free(n->services);
	swim_mem_free(r->alloc, n);
}

void
registry_delete(struct registry *r)
{
	if (r == NULL)
		return;
	const struct swim_allocator *a = r->alloc;
	for (size_t i = 0; i < r->node_count; i++)
		node_free(r, r->nodes[i]);
	swim_mem_free(a, r->nodes);
	swim_mem_free(a, r->index);
	swim_mem_free(a, r->rr);
	swim_mem_free(a, r->pick_buf);
	swim_mem_free(a, r->events);
	swim_mem_free(a, r);
}

/* Index of node `name`, or where it would go (*found false). */
static size_t
node_search(const struct registry *r, const char *name, bool *found)
{
	size_t lo = 0, hi = r->node_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->nodes[mid]->name, name);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static struct reg_node *
node_find(const struct registry *r, const char *name)
{
	bool found;
	size_t i = node_search(r, name, &found);
	return found ? r->nodes[i] : NULL;
}

/* The node, created (up, no set) if new; NULL on OOM or a bad name. */
static struct reg_node *
node_get(struct registry *r, const char *name)
{
	bool found;
	size_t i = node_search(r, name, &found);
	if (found)
		return r->nodes[i];
	if (r->node_count == r->node_cap) {
		size_t cap = r->node_cap ? r->node_cap * 2 : 16;
		void *grown = swim_mem_realloc(r->alloc, r->nodes,
					       cap * sizeof(*r->nodes));
		if (grown == NULL)
			return NULL;
		r->nodes = grown;
		r->node_cap = cap;
	}
	struct reg_node *n = swim_mem_calloc(r->alloc, 1, sizeof(*n));
	if (n == NULL)
		return NULL;
	strcpy(n->name, name);
	n->up = true;
	memmove(&r->nodes[i + 1], &r->nodes[i],
		(r->node_count - i) * sizeof(*r->nodes));
	r->nodes[i] = n;
	r->node_count++;
	return n;
}

/* ---- events ------------------------------------------------------------- */

static bool
is_healthy(const struct reg_node *n, const struct service *s)
{
	return n->up && s->health == SERVICE_HEALTH_PASSING;
}

static bool
has_address(const struct service *s)
{
	return s->address != NULL && s->address[0] != '\0';
}

/* Where an answer says s is: its own address, else its node's host. */
static const char *
address_of(const struct reg_node *n, const struct service *s)
{
	return has_address(s) ? s->address : n->host;
}

static void
emit(struct registry *r, enum registry_event_type type,
     const struct reg_node *n, const struct service *s, bool healthy)
{
	if (r->ev_count == r->ev_cap && r->ev_cap < REGISTRY_EVENTS_MAX) {
		size_t cap = r->ev_cap ? r->ev_cap * 2 : 16;
		struct registry_event *ev =
			swim_mem_alloc(r->alloc, cap * sizeof(*ev));
		if (ev != NULL) {
			for (size_t k = 0; k < r->ev_count; k++)
				ev[k] = r->events[(r->ev_head + k) % r->ev_cap];
			swim_mem_free(r->alloc, r->events);
			r->events = ev;
			r->ev_head = 0;
			r->ev_cap = cap;
		}
	}
	if (r->ev_cap == 0) {
		r->ev_dropped++;
		return;
	}
	if (r->ev_count == r->ev_cap) {
		/* Full: the oldest goes. */
		r->ev_head = (r->ev_head + 1) % r->ev_cap;
		r->ev_count--;
		r->ev_dropped++;
	}
	struct registry_event *e =
		&r->events[(r->ev_head + r->ev_count++) % r->ev_cap];
	*e = (struct registry_event){.type = type, .port = s->port,
				     .healthy = healthy};
	strcpy(e->node, n->name);
	strcpy(e->id, s->id);
	strcpy(e->name, s->name);
	strcpy(e->address, address_of(n, s));
}

bool
registry_poll_event(struct registry *r, struct registry_event *out)
{
	if (r->ev_count == 0)
		return false;
	*out = r->events[r->ev_head];
	r->ev_head = (r->ev_head + 1) % r->ev_cap;
	r->ev_count--;
	return true;
}

uint64_t
registry_events_dropped(const struct registry *r)
{
	return r->ev_dropped;
}

/* ---- sets ------------------------------------------------------------- */

static int
by_id(const void *a, const void *b)
{
	const struct service *const *x = a, *const *y = b;
	return strcmp((*x)->id, (*y)->id);
}

/* Same but for health: an UPDATED (and maybe a HEALTH) event. */
static bool
differs_beyond_health(const struct service *a, const struct service *b)
{
	struct service tmp = *b;
	tmp.health = a->health;
	return !service_equal(a, &tmp);
}

/* Events from old (sorted) to new (sorted), both of node n. */
static void
diff(struct registry *r, const struct reg_node *n, bool old_up,
     struct service **old, size_t old_count, struct service **now,
     size_t now_count)
{
	size_t i = 0, j = 0;
	while (i < old_count || j < now_count) {
		int c = i == old_count ? 1 : j == now_count ? -1
			: strcmp(old[i]->id, now[j]->id);
		if (c < 0) {
			emit(r, REGISTRY_EVENT_REMOVED, n, old[i++], false);
			continue;
		}
		if (c > 0) {
			emit(r, REGISTRY_EVENT_ADDED, n, now[j],
			     is_healthy(n, now[j]));
			j++;
			continue;
		}
		const struct service *a = old[i++], *b = now[j++];
		if (differs_beyond_health(a, b))
			emit(r, REGISTRY_EVENT_UPDATED, n, b,
			     is_healthy(n, b));
		bool was = old_up && a->health == SERVICE_HEALTH_PASSING;
		if (was != is_healthy(n, b))
			emit(r, REGISTRY_EVENT_HEALTH, n, b, is_healthy(n, b));
	}
}

int
registry_apply(struct registry *r, const char *node,
	       struct service_set *set)
{
	if (strlen(node) > SWIM_NAME_MAX)
		return RUMOR_EINVAL;
	struct reg_node *n = node_find(r, node);
	if (n != NULL && n->has_set && set->version <= n->version)
		return 0;
	if (n == NULL && (n = node_get(r, node)) == NULL)
		return RUMOR_ENOMEM;
	if (set->count > 1)
		qsort(set->services, set->count, sizeof(*set->services),
		      by_id);
	diff(r, n, n->up, n->services, n->count, set->services, set->count);
	for (size_t i = 0; i < n->count; i++)
		free(n->services[i]);
	free(n->services);
	r->instance_count = r->instance_count - n->count + set->count;
	r->index_dirty = true;
	r->generation++;
	n->services = set->services;
	n->count = set->count;
	n->version = set->version;
	n->has_set = true;
	*set = (struct service_set){0};
	return 1;
}

bool
registry_version(const struct registry *r, const char *node,
		 uint64_t *version)
{
	const struct reg_node *n = node_find(r, node);
	if (n == NULL || !n->has_set) {
		*version = 0;
		return false;
	}
	*version = n->version;
	return true;
}

/* The host part of addr ("a.b.c.d"), what answers give for a node. */
static void
host_of(const struct swim_addr *addr, char host[REGISTRY_HOST_SIZE])
{
	snprintf(host, REGISTRY_HOST_SIZE, "%u.%u.%u.%u",
		 (unsigned)(addr->ip >> 24) & 0xff,
		 (unsigned)(addr->ip >> 16) & 0xff,
		 (unsigned)(addr->ip >> 8) & 0xff, (unsigned)addr->ip & 0xff);
}

/* n's host is now host: its services without an address of their own
 * moved. */
static void
set_host(struct registry *r, struct reg_node *n,
	 const char host[REGISTRY_HOST_SIZE])
{
	if (strcmp(n->host, host) == 0)
		return;
	strcpy(n->host, host);
	bool moved = false;
	for (size_t i = 0; i < n->count; i++) {
		const struct service *s = n->services[i];
		if (has_address(s))
			continue;
		emit(r, REGISTRY_EVENT_UPDATED, n, s, is_healthy(n, s));
		moved = true;
	}
	if (moved)
		r->generation++;
}

int
registry_set_node(struct registry *r, const char *node, bool up,
		  const struct swim_addr *addr)
{
	if (strlen(node) > SWIM_NAME_MAX)
		return RUMOR_EINVAL;
	struct reg_node *n = node_find(r, node);
	if (n == NULL) {
		if (up && addr == NULL)
			return 0; /* unknown nodes are up */
		if ((n = node_get(r, node)) == NULL)
			return RUMOR_ENOMEM;
	}
	if (addr != NULL) {
		char host[REGISTRY_HOST_SIZE];
		host_of(addr, host);
		set_host(r, n, host);
	}
	if (n->up == up)
		return 0;
	n->up = up;
	r->generation++;
	for (size_t i = 0; i < n->count; i++) {
		if (n->services[i]->health == SERVICE_HEALTH_PASSING)
			emit(r, REGISTRY_EVENT_HEALTH, n, n->services[i], up);
	}
	return 0;
}

static void
node_state(const struct reg_node *n, struct registry_node_state *out)
{
	*out = (struct registry_node_state){
		.name = n->name, .up = n->up, .host = n->host,
		.has_set = n->has_set, .version = n->version};
}

int
registry_node_find(const struct registry *r, const char *node,
		   struct registry_node_state *out)
{
	const struct reg_node *n = node_find(r, node);
	if (n == NULL)
		return RUMOR_ENOTFOUND;
	node_state(n, out);
	return 0;
}

void
registry_node_at(const struct registry *r, size_t i,
		 struct registry_node_state *out)
{
	node_state(r->nodes[i], out);
}

size_t
registry_node_total(const struct registry *r)
{
	return r->node_count;
}

void
registry_forget(struct registry *r, const char *node)
{
	bool found;
	size_t i = node_search(r, node, &found);
	if (!found)
		return;
	struct reg_node *n = r->nodes[i];
	for (size_t k = 0; k < n->count; k++)
		emit(r, REGISTRY_EVENT_REMOVED, n, n->services[k], false);
	r->instance_count -= n->count;
	r->index_dirty = r->index_dirty || n->count > 0;
	r->generation++;
	node_free(r, n);
	memmove(&r->nodes[i], &r->nodes[i + 1],
		(r->node_count - i - 1) * sizeof(*r->nodes));
	r->node_count--;
}

/* ---- queries ------------------------------------------------------------ */

/* strcmp of the names with ASCII letters folded to lowercase (not the
 * locale's strcasecmp: names are ASCII, and the order must not depend
 * on where the agent runs). */
static int
fold_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y || x == '\0')
			return (int)x - (int)y;
	}
}

/* The index's order of service names: folded, then by bytes. */
static int
name_cmp(const char *a, const char *b)
{
	int c = fold_cmp(a, b);
	return c != 0 ? c : strcmp(a, b);
}

/* Whether an index name is the one q asks for. */
static bool
name_match(const char *name, const struct registry_query *q)
{
	return q->ignore_case ? fold_cmp(name, q->name) == 0
			      : strcmp(name, q->name) == 0;
}

static int
by_entry(const void *a, const void *b)
{
	const struct reg_entry *x = a, *y = b;
	int c = name_cmp(x->service->name, y->service->name);
	if (c == 0)
		c = strcmp(x->node->name, y->node->name);
	if (c == 0)
		c = strcmp(x->service->id, y->service->id);
	return c;
}

/* The index, current; false when it cannot be (out of memory). */
static bool
index_ready(struct registry *r)
{
	if (!r->index_dirty && r->index != NULL)
		return true;
	if (r->index_cap < r->instance_count || r->index == NULL) {
		size_t cap = r->instance_count ? r->instance_count : 1;
		struct reg_entry *grown = swim_mem_realloc(
			r->alloc, r->index, cap * sizeof(*grown));
		if (grown == NULL)
			return false;
		r->index = grown;
		r->index_cap = cap;
	}
	size_t m = 0;
	for (size_t i = 0; i < r->node_count; i++) {
		const struct reg_node *n = r->nodes[i];
		for (size_t k = 0; k < n->count; k++)
			r->index[m++] = (struct reg_entry){n, n->services[k]};
	}
	qsort(r->index, m, sizeof(*r->index), by_entry);
	r->index_dirty = false;
	return true;
}

/* First index entry q's name could match (instance_count when none). */
static size_t
index_first(const struct registry *r, const struct registry_query *q)
{
	size_t lo = 0, hi = r->instance_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = r->index[mid].service->name;
		int c = q->ignore_case ? fold_cmp(name, q->name)
				       : name_cmp(name, q->name);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Add s, already known to be named q->name, if its tag and health fit. */
static size_t
add_match(const struct reg_node *n, const struct service *s,
	  const struct registry_query *q, struct registry_instance *out,
	  size_t cap, size_t total)
{
	if ((q->tag != NULL && !service_has_tag(s, q->tag)) ||
	    (!q->include_critical && !is_healthy(n, s)))
		return total;
	if (total < cap)
		out[total] = (struct registry_instance){
			.node = n->name,
			.service = s,
			.address = address_of(n, s),
			.healthy = is_healthy(n, s)};
	return total + 1;
}

size_t
registry_lookup(struct registry *r, const struct registry_query *q,
		struct registry_instance *out, size_t cap)
{
	size_t total = 0;
	if (index_ready(r)) {
		for (size_t i = index_first(r, q);
		     i < r->instance_count &&
		     name_match(r->index[i].service->name, q);
		     i++)
			total = add_match(r->index[i].node,
					  r->index[i].service, q, out, cap,
					  total);
		return total;
	}
	/* Out of memory for the index: scan everything, in (node, id)
	 * order (the same order, but for spellings of an ignore_case
	 * name, which come mixed). */
	for (size_t i = 0; i < r->node_count; i++) {
		const struct reg_node *n = r->nodes[i];
		for (size_t k = 0; k < n->count; k++)
			if (name_match(n->services[k]->name, q))
				total = add_match(n, n->services[k], q, out,
						  cap, total);
	}
	return total;
}

/* The round-robin counter of a name, created on first use. */
static uint64_t *
rr_counter(struct registry *r, const char *name)
{
	for (size_t i = 0; i < r->rr_count; i++) {
		if (strcmp(r->rr[i].name, name) == 0)
			return &r->rr[i].next;
	}
	if (strlen(name) > SERVICE_NAME_MAX)
		return NULL;
	struct reg_rr *grown = swim_mem_realloc(
		r->alloc, r->rr, (r->rr_count + 1) * sizeof(*r->rr));
	if (grown == NULL)
		return NULL;
	r->rr = grown;
	struct reg_rr *e = &r->rr[r->rr_count++];
	strcpy(e->name, name);
	e->next = 0;
	return &e->next;
}

int
registry_pick(struct registry *r, const struct registry_query *q,
	      enum registry_policy policy, uint64_t draw,
	      struct registry_instance *out)
{
	struct registry_query healthy = *q;
	healthy.include_critical = false;
	/* One scan into a buffer kept between picks (every instance fits). */
	if (r->pick_cap < r->instance_count) {
		struct registry_instance *grown = swim_mem_realloc(
			r->alloc, r->pick_buf,
			r->instance_count * sizeof(*grown));
		if (grown == NULL)
			return RUMOR_ENOMEM;
		r->pick_buf = grown;
		r->pick_cap = r->instance_count;
	}
	size_t count = registry_lookup(r, &healthy, r->pick_buf, r->pick_cap);
	if (count == 0)
		return RUMOR_ENOTFOUND;
	size_t k = (size_t)(draw % count);
	if (policy == REGISTRY_PICK_ROUND_ROBIN) {
		uint64_t *next = rr_counter(r, q->name);
		if (next == NULL)
			return RUMOR_ENOMEM;
		k = (size_t)((*next)++ % count);
	}
	*out = r->pick_buf[k];
	return 0;
}

size_t
registry_services(struct registry *r, struct registry_summary *out,
		  size_t cap)
{
	if (!index_ready(r))
		return 0;
	/* The index groups each name's instances together. */
	size_t names = 0;
	struct registry_summary cur = {0};
	for (size_t i = 0; i < r->instance_count; i++) {
		const struct reg_entry *e = &r->index[i];
		if (cur.name == NULL || strcmp(cur.name, e->service->name)) {
			if (cur.name != NULL && names++ < cap)
				out[names - 1] = cur;
			cur = (struct registry_summary){e->service->name, 0,
							0};
		}
		cur.healthy += is_healthy(e->node, e->service);
		cur.total++;
	}
	if (cur.name != NULL && names++ < cap)
		out[names - 1] = cur;
	return names;
}

size_t
registry_instance_count(const struct registry *r)
{
	return r->instance_count;
}

size_t
registry_node_count(const struct registry *r)
{
	size_t count = 0;
	for (size_t i = 0; i < r->node_count; i++)
		count += r->nodes[i]->has_set;
	return count;
}

/* ---- invariants --------------------------------------------------------- */

static const char *
check_node(const struct reg_node *n, size_t *instances)
{
	/* The last bytes end every string these arrays ever held. */
	if (n->name[sizeof(n->name) - 1] != '\0' || n->name[0] == '\0')
		return "a node's name is not a name";
	if (n->host[sizeof(n->host) - 1] != '\0')
		return "a node's host is not a string";
	if (!n->has_set && (n->count > 0 || n->version != 0))
		return "a node without a set holds services";
	if (n->count > 0 && n->services == NULL)
		return "a node's services are missing";
	for (size_t k = 0; k < n->count; k++) {
		if (service_validate(n->services[k], NULL) != 0)
			return "a service held is not valid";
		if (k > 0 &&
		    strcmp(n->services[k - 1]->id, n->services[k]->id) >= 0)
			return "a node's services are not sorted by id";
	}
	*instances += n->count;
	return NULL;
}

static const char *
check_registry(const struct registry *r)
{
	if (r->node_count > r->node_cap ||
	    (r->node_count > 0 && r->nodes == NULL))
		return "more nodes than the node table holds";
	size_t instances = 0;
	for (size_t i = 0; i < r->node_count; i++) {
		const char *broken = check_node(r->nodes[i], &instances);
		if (broken != NULL)
			return broken;
		if (i > 0 &&
		    strcmp(r->nodes[i - 1]->name, r->nodes[i]->name) >= 0)
			return "the nodes are not sorted by name";
	}
	if (instances != r->instance_count)
		return "the instance count is not the services held";
	if (r->ev_count > r->ev_cap || r->ev_cap > REGISTRY_EVENTS_MAX ||
	    (r->ev_cap > 0 && r->ev_head >= r->ev_cap))
		return "the event ring is past its bounds";
	if (r->index_dirty || r->index == NULL)
		return NULL;
	if (r->index_cap < r->instance_count)
		return "the query index is smaller than the instances";
	for (size_t i = 1; i < r->instance_count; i++) {
		if (by_entry(&r->index[i - 1], &r->index[i]) >= 0)
			return "the query index is out of order";
	}
	return NULL;
}

int
registry_check(const struct registry *r, const char **why)
{
	const char *broken = check_registry(r);
	if (broken == NULL)
		return 0;
	if (why != NULL)
		*why = broken;
	return RUMOR_ESTATE;
}
