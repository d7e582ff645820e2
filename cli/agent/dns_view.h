/*
 * dns_view: the cluster as the DNS interface sees it. It implements
 * struct dns_directory (cli/dns/dns_directory.h) over the node: service
 * instances from the registry (healthy or not, names matched ignoring
 * ASCII case), node addresses and liveness from the SWIM member table.
 *
 * Both calls are on the hot path of every query, so neither allocates in
 * the steady state: instances come through one lookup buffer kept
 * between queries (grown to the largest answer seen), and a node name is
 * one hash lookup in the member table. Member names with capital letters
 * cannot be found that way by a lowercase DNS name; they are also kept,
 * folded, in a sorted table that is rebuilt on the first node lookup
 * after such a member came or went (dns_view_member_event).
 */
#ifndef RUMOR_DNS_VIEW_H
#define RUMOR_DNS_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/dns/dns_directory.h"
#include "membership/node.h"

/** A member name with capital letters, folded to lowercase. */
struct dns_view_name {
	/** The folded name (the table's key). */
	char folded[SWIM_NAME_MAX + 1];
	/** The name as the member table spells it. */
	char name[SWIM_NAME_MAX + 1];
};

struct dns_view {
	struct node *node;
	/** registry_lookup's output, kept between queries. */
	struct registry_instance *found;
	size_t found_cap;
	/** Members whose names have capitals, sorted by folded name. */
	struct dns_view_name *names;
	size_t name_count;
	/** Such a member came or went: rebuild names before using it. */
	bool names_stale;
};

/** A view of node (nothing to fail; dns_view_close frees). */
void
dns_view_init(struct dns_view *v, struct node *node);

/** Free the buffers. */
void
dns_view_close(struct dns_view *v);

/** The directory dns_new takes: v and its two calls. */
struct dns_directory
dns_view_directory(struct dns_view *v);

/** A member event went by (the agent drains them): one with a capital
 *  letter in its name makes the folded table stale. */
void
dns_view_member_event(struct dns_view *v, const struct swim_event *ev);

#endif /* RUMOR_DNS_VIEW_H */
