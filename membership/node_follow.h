/*
 * node_follow: the registry follows membership (node_follow.c). Internal
 * to membership/node*.c.
 */
#ifndef RUMOR_NODE_FOLLOW_H
#define RUMOR_NODE_FOLLOW_H

#include "node_internal.h"

/* Follow one member event into the registry. */
void
node__registry_follow(struct node *node, const struct swim_event *ev);

#endif /* RUMOR_NODE_FOLLOW_H */
