/*
 * dns_view: the DNS interface's directory over the node (see
 * dns_view.h).
 *
 * A service question is one registry_lookup ignoring case (a binary
 * search and a walk: membership/registry.c) into a buffer kept between
 * queries, then one visit per instance with its node's address from the
 * member table. The instances of one node come together in the
 * registry's (node, id) order, so the member table is asked once per run
 * of them rather than once per instance.
 *
 * A node question is one hash lookup (swim_member_find) for the name as
 * DNS gives it, in lowercase. Only a member whose name has capitals can
 * be missed that way; those few are found in the folded table, by binary
 * search. The table is rebuilt from the member table when it is needed
 * and an event said such a member came, went or changed: a hostile
 * stream of unknown names costs two lookups each, never a scan.
 */
#include <stdlib.h>
#include <string.h>

#include "dns_view.h"

void
dns_view_init(struct dns_view *v, struct node *node)
{
	*v = (struct dns_view){.node = node, .names_stale = true};
}

void
dns_view_close(struct dns_view *v)
{
	free(v->found);
	free(v->names);
	*v = (struct dns_view){0};
}

static bool
has_capital(const char *name)
{
	for (; *name != '\0'; name++) {
		if (*name >= 'A' && *name <= 'Z')
			return true;
	}
	return false;
}

void
dns_view_member_event(struct dns_view *v, const struct swim_event *ev)
{
	if (has_capital(ev->name))
		v->names_stale = true;
}

/* ---- service instances -------------------------------------------------- */

/* Room for count instances; false (the buffer as it was) without
 * memory. */
static bool
found_reserve(struct dns_view *v, size_t count)
{
	if (count <= v->found_cap)
		return true;
	struct registry_instance *grown =
		realloc(v->found, count * sizeof(*grown));
	if (grown == NULL)
		return false;
	v->found = grown;
	v->found_cap = count;
	return true;
}

/* A member's gossip address as an answer gives it; NONE when the member
 * table does not know the node (then only its own address can answer). */
static struct dns_addr
node_addr_of(const struct swim *swim, const char *node)
{
	struct swim_member_info m;
	if (swim_member_find(swim, node, &m) != 0)
		return (struct dns_addr){.family = DNS_FAMILY_NONE};
	return dns_addr_ipv4(m.addr.ip);
}

static void
view_instances(void *ctx, const char *name, dns_instance_cb visit,
	       void *arg)
{
	struct dns_view *v = ctx;
	struct registry *r = node_registry(v->node);
	struct registry_query q = {
		.name = name, .include_critical = true, .ignore_case = true};
	size_t total = registry_lookup(r, &q, v->found, v->found_cap);
	/* More than ever before: grow and ask again. Without memory the
	 * answer is made from the instances that fit. */
	if (total > v->found_cap && found_reserve(v, total))
		total = registry_lookup(r, &q, v->found, v->found_cap);
	size_t count = total < v->found_cap ? total : v->found_cap;
	const struct swim *swim = node_swim(v->node);
	const char *last_node = NULL;
	struct dns_addr node_addr = {0};
	for (size_t i = 0; i < count; i++) {
		const struct registry_instance *in = &v->found[i];
		const struct service *s = in->service;
		if (last_node == NULL || strcmp(last_node, in->node) != 0) {
			node_addr = node_addr_of(swim, in->node);
			last_node = in->node;
		}
		struct dns_instance di = {
			.node = in->node,
			.node_addr = node_addr,
			.address = s->address,
			.port = s->port,
			.tags = s->tags,
			.tag_count = s->tag_count,
			.healthy = in->healthy,
		};
		visit(arg, &di);
	}
}

/* ---- nodes --------------------------------------------------------------- */

static void
fold(char *out, const char *name)
{
	for (; *name != '\0'; name++)
		*out++ = *name >= 'A' && *name <= 'Z'
				 ? (char)(*name - 'A' + 'a')
				 : *name;
	*out = '\0';
}

static int
by_folded(const void *a, const void *b)
{
	const struct dns_view_name *x = a, *y = b;
	int c = strcmp(x->folded, y->folded);
	return c != 0 ? c : strcmp(x->name, y->name);
}

/* The folded table from the member table; false without memory (the
 * table stays stale and is tried again next time). */
static bool
names_rebuild(struct dns_view *v)
{
	const struct swim *swim = node_swim(v->node);
	size_t members = swim_member_count(swim), count = 0;
	struct swim_member_info m;
	for (size_t i = 0; i < members; i++) {
		swim_member_at(swim, i, &m);
		count += has_capital(m.name);
	}
	struct dns_view_name *names = NULL;
	if (count > 0 &&
	    (names = malloc(count * sizeof(*names))) == NULL)
		return false;
	size_t k = 0;
	for (size_t i = 0; i < members && k < count; i++) {
		swim_member_at(swim, i, &m);
		if (!has_capital(m.name))
			continue;
		fold(names[k].folded, m.name);
		strcpy(names[k].name, m.name);
		k++;
	}
	if (k > 1)
		qsort(names, k, sizeof(*names), by_folded);
	free(v->names);
	v->names = names;
	v->name_count = k;
	v->names_stale = false;
	return true;
}

/* The first folded entry equal to name (name_count when none). */
static size_t
names_first(const struct dns_view *v, const char *name)
{
	size_t lo = 0, hi = v->name_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(v->names[mid].folded, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A member the agent counts as up: alive, or suspected but not yet
 * declared failed (the registry's node-up flag). */
static bool
member_up(const struct swim_member_info *m)
{
	return m->status == SWIM_STATUS_ALIVE ||
	       m->status == SWIM_STATUS_SUSPECT;
}

static bool
view_node(void *ctx, const char *name, struct dns_addr *out)
{
	struct dns_view *v = ctx;
	const struct swim *swim = node_swim(v->node);
	struct swim_member_info m;
	if (swim_member_find(swim, name, &m) == 0 && member_up(&m)) {
		*out = dns_addr_ipv4(m.addr.ip);
		return true;
	}
	if (v->names_stale && !names_rebuild(v))
		return false;
	/* Spellings of the name that differ in case: the first that is
	 * up. */
	for (size_t i = names_first(v, name);
	     i < v->name_count && strcmp(v->names[i].folded, name) == 0;
	     i++) {
		if (swim_member_find(swim, v->names[i].name, &m) == 0 &&
		    member_up(&m)) {
			*out = dns_addr_ipv4(m.addr.ip);
			return true;
		}
	}
	return false;
}

struct dns_directory
dns_view_directory(struct dns_view *v)
{
	return (struct dns_directory){
		.ctx = v, .instances = view_instances, .node = view_node};
}
