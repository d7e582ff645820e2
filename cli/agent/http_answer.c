/*
 * http_answer: Consul-shaped bodies from the node (see http_answer.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/http/http_consul.h"
#include "http_answer.h"
#include "rumor/error.h"

/* Most answers fit the stack; a bigger one is asked again. */
#define HTTP_ANSWER_STACK 64

static int
finish(struct http_buf *out)
{
	return out->failed;
}

static struct http_member
member_of(const struct swim_member_info *m)
{
	return (struct http_member){.name = m->name, .addr = m->addr,
				    .status = m->status,
				    .incarnation = m->incarnation};
}

int
http_answer_members(struct node *node, struct http_buf *out)
{
	const struct swim *swim = node_swim(node);
	size_t count = swim_member_count(swim);
	if (count == 0)
		http_buf_puts(out, "[");
	for (size_t i = 0; i < count; i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		http_consul_next(out, i, '[');
		struct http_member hm = member_of(&m);
		http_consul_member(out, &hm);
	}
	http_buf_puts(out, "]");
	return finish(out);
}

int
http_answer_self(struct node *node, const char *version,
		 struct http_buf *out)
{
	const struct swim *swim = node_swim(node);
	struct swim_member_info m;
	if (swim_member_find(swim, swim_self_name(swim), &m) != 0)
		return RUMOR_ENOTFOUND;
	struct http_member self = member_of(&m);
	http_consul_self(out, &self, version);
	return finish(out);
}

/* registry_lookup into a list that holds them all: *list is small or a
 * malloc'd one (free it when it is not small); the count, or -1. */
static long
lookup_all(struct registry *r, const struct registry_query *q,
	   struct registry_instance *small, struct registry_instance **list)
{
	*list = small;
	size_t n = registry_lookup(r, q, small, HTTP_ANSWER_STACK);
	if (n <= HTTP_ANSWER_STACK)
		return (long)n;
	*list = malloc(n * sizeof(**list));
	if (*list == NULL)
		return -1;
	return (long)registry_lookup(r, q, *list, n);
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "name": [tags...] with the union of the instances' tags, sorted. */
static int
service_tags(struct registry *r, const char *name, size_t i,
	     struct http_buf *out)
{
	struct registry_query q = {.name = name, .include_critical = true};
	struct registry_instance small[HTTP_ANSWER_STACK], *list;
	long n = lookup_all(r, &q, small, &list);
	size_t tags = 0;
	for (long k = 0; k < n; k++)
		tags += list[k].service->tag_count;
	const char **all = malloc((tags ? tags : 1) * sizeof(*all));
	if (n < 0 || all == NULL) {
		if (list != small)
			free(list);
		free(all);
		return RUMOR_ENOMEM;
	}
	tags = 0;
	for (long k = 0; k < n; k++) {
		const struct service *s = list[k].service;
		for (size_t t = 0; t < s->tag_count; t++)
			all[tags++] = s->tags[t];
	}
	qsort(all, tags, sizeof(*all), by_str);
	size_t uniq = 0;
	for (size_t t = 0; t < tags; t++) {
		if (uniq == 0 || strcmp(all[uniq - 1], all[t]) != 0)
			all[uniq++] = all[t];
	}
	http_consul_next(out, i, '{');
	http_consul_service_tags(out, name, all, uniq);
	free(all);
	if (list != small)
		free(list);
	return 0;
}

int
http_answer_services(struct node *node, struct http_buf *out)
{
	struct registry *r = node_registry(node);
	/* There are no more names than instances: one call fills it. */
	size_t cap = registry_instance_count(r);
	struct registry_summary *names = malloc((cap ? cap : 1) *
						sizeof(*names));
	if (names == NULL)
		return RUMOR_ENOMEM;
	size_t n = registry_services(r, names, cap);
	int rc = 0;
	if (n == 0)
		http_buf_puts(out, "{");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = service_tags(r, names[i].name, i, out);
	http_buf_puts(out, "}");
	free(names);
	return rc != 0 ? rc : finish(out);
}

/* Whether s carries every tag of q. */
static bool
has_tags(const struct service *s, const struct http_query *q)
{
	for (size_t i = 0; i < q->tag_count; i++) {
		if (!service_has_tag(s, q->tags[i]))
			return false;
	}
	return true;
}

/* One health entry: the node's address and liveness from the member
 * table (the registry gives the instance's address, which is the
 * service's own when it has one). */
static void
entry(const struct swim *swim, const struct registry_instance *in,
      size_t i, struct http_buf *out)
{
	struct swim_member_info m;
	char host[REGISTRY_HOST_SIZE] = "";
	bool up = false;
	if (swim_member_find(swim, in->node, &m) == 0) {
		uint32_t ip = m.addr.ip;
		snprintf(host, sizeof(host), "%u.%u.%u.%u",
			 (unsigned)(ip >> 24), (unsigned)(ip >> 16 & 255),
			 (unsigned)(ip >> 8 & 255), (unsigned)(ip & 255));
		up = m.status == SWIM_STATUS_ALIVE ||
		     m.status == SWIM_STATUS_SUSPECT;
	}
	struct http_entry e = {.node = in->node, .node_address = host,
			       .node_up = up, .service = in->service};
	http_consul_next(out, i, '[');
	http_consul_entry(out, &e);
}

int
http_answer_health(struct node *node, const char *name,
		   const struct http_query *q, struct http_buf *out)
{
	struct registry_query rq = {
		.name = name, .tag = q->tag_count > 0 ? q->tags[0] : NULL,
		.include_critical = !q->passing,
	};
	struct registry_instance small[HTTP_ANSWER_STACK], *list;
	long n = lookup_all(node_registry(node), &rq, small, &list);
	if (n < 0)
		return RUMOR_ENOMEM;
	const struct swim *swim = node_swim(node);
	size_t written = 0;
	for (long k = 0; k < n; k++) {
		if (has_tags(list[k].service, q))
			entry(swim, &list[k], written++, out);
	}
	http_buf_puts(out, written == 0 ? "[]" : "]");
	if (list != small)
		free(list);
	return finish(out);
}
