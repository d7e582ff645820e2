/*
 * node_follow: the registry follows membership, and the member events
 * wait for the driver (node_follow.c). Internal to membership/node*.c.
 */
#ifndef RUMOR_NODE_FOLLOW_H
#define RUMOR_NODE_FOLLOW_H

#include <stdbool.h>

#include "node_internal.h"

/* Member events kept for the driver; past this many undrained the oldest
 * is dropped (as many as the core itself keeps, so the events of one
 * input always fit). */
#define NODE_EVENTS_MAX 65536

/* The end of every input: take the core's member events, apply each to
 * the registry and keep it for node__event_pop; rebuild the registry if
 * an earlier failure left it stale. */
void
node__follow(struct node *node);

/* A restore installed these members silently (no events): those with
 * metadata bring their services, applied as their events would have
 * (members without are what the registry takes an unknown node to be: up,
 * no services). Marks the registry stale on failure. */
void
node__follow_restored(struct node *node, const struct swim_self *members,
		      size_t count);

/* The oldest member event kept; false when there is none. */
bool
node__event_pop(struct node *node, struct swim_event *out);

#endif /* RUMOR_NODE_FOLLOW_H */
