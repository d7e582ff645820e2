/*
 * list: the agent's one intrusive doubly linked list, in the style of
 * libuv's queue.h. A struct list is embedded in each item and in its
 * owner as the head; an empty list is a head linked to itself, so insert
 * and remove never test for NULL. Items are never allocated here.
 *
 *	struct conn { struct list link; ... };
 *	struct server { struct list conns; ... };
 *	list_init(&srv->conns);
 *	list_insert_head(&srv->conns, &c->link);
 *	struct list *it;
 *	list_foreach(it, &srv->conns) {
 *		struct conn *c = list_entry(it, struct conn, link);
 *		...
 *	}
 *	list_remove(&c->link);
 *
 * list_foreach must not remove the item it stands on; list_foreach_safe
 * may (it has read the next one already).
 */
#ifndef RUMOR_LIST_H
#define RUMOR_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
	struct list *next;
	struct list *prev;
};

/** The item that embeds `ptr` as its `field`. */
#define list_entry(ptr, type, field) \
	((type *)((char *)(ptr) - offsetof(type, field)))

#define list_foreach(it, head) \
	for ((it) = (head)->next; (it) != (head); (it) = (it)->next)

#define list_foreach_safe(it, tmp, head)                          \
	for ((it) = (head)->next, (tmp) = (it)->next; (it) != (head); \
	     (it) = (tmp), (tmp) = (it)->next)

static inline void
list_init(struct list *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool
list_empty(const struct list *head)
{
	return head->next == head;
}

static inline void
list_insert_head(struct list *head, struct list *item)
{
	item->next = head->next;
	item->prev = head;
	head->next->prev = item;
	head->next = item;
}

static inline void
list_insert_tail(struct list *head, struct list *item)
{
	item->prev = head->prev;
	item->next = head;
	head->prev->next = item;
	head->prev = item;
}

/** Unlink item (from whichever list holds it); it is then a list of its
 *  own, so removing it twice is harmless. */
static inline void
list_remove(struct list *item)
{
	item->prev->next = item->next;
	item->next->prev = item->prev;
	list_init(item);
}

#endif /* RUMOR_LIST_H */
