/*
 * admin: the operator's requests (admin.h).
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "answer.h"
#include "log.h"
#include "rumor/error.h"

static void
timer_fired(uv_timer_t *t)
{
	admin_pump(t->data);
}

void
admin_init(struct admin *ad, uv_loop_t *loop, struct node *node,
	   struct ipc_server *ipc, void (*changed)(void *arg), void *arg)
{
	*ad = (struct admin){.loop = loop, .node = node, .ipc = ipc,
			     .changed = changed, .changed_arg = arg};
	for (size_t i = 0; i < ADMIN_JOINS_MAX; i++)
		ad->joins[i].owner = ad;
	uv_timer_init(loop, &ad->timer);
	ad->timer.data = ad;
	ad->timer_open = true;
}

/* ---- join --------------------------------------------------------------- */

static void
join_answer(struct admin_join *j, int code, const char *why,
	    uint64_t joined)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	if (code != 0)
		ipc_error_encode(&sb, code, why);
	else
		ipc_admin_joined_encode(&sb, joined);
	if (sb.size > 0)
		ipc_server_answer(j->owner->ipc, j->conn,
				  (const uint8_t *)sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	*j = (struct admin_join){.owner = j->owner};
}

static void
join_resolved(void *arg, const struct swim_addr *addrs, size_t count,
	      const char *failures)
{
	struct admin_join *j = arg;
	struct admin *ad = j->owner;
	j->batch = NULL;
	snprintf(j->failures, sizeof(j->failures), "%s", failures);
	/* Our own address is no seed (the core skips it). */
	struct swim_member_info self;
	const struct swim *swim = node_swim(ad->node);
	if (swim_member_find(swim, swim_self_name(swim), &self) != 0)
		self.addr = (struct swim_addr){0};
	j->addr_count = 0;
	for (size_t i = 0; i < count; i++) {
		if (addrs[i].ip != self.addr.ip ||
		    addrs[i].port != self.addr.port)
			j->addrs[j->addr_count++] = addrs[i];
	}
	if (j->addr_count == 0) {
		char why[320];
		snprintf(why, sizeof(why), "%s", count > 0
			 ? "the only seed given is this agent itself"
			 : failures);
		join_answer(j, count > 0 ? RUMOR_EINVAL : RUMOR_ENOTFOUND,
			    why, 0);
		return;
	}
	uint64_t now = uv_now(ad->loop);
	int rc = node_join(ad->node, now, j->addrs, j->addr_count);
	if (rc != 0) {
		join_answer(j, rc, rc == RUMOR_ESTATE ? "the agent is leaving"
						      : rumor_strerror(rc), 0);
		return;
	}
	char text[32];
	log_line(LOG_INFO, "join: %zu seed address%s, first %s",
		 j->addr_count, j->addr_count == 1 ? "" : "es",
		 swim_addr_str(&j->addrs[0], text, sizeof(text)));
	j->joining = true;
	j->deadline_ms = now + ADMIN_JOIN_WAIT_MS;
	ad->changed(ad->changed_arg);
}

enum ipc_server_reply
admin_join(struct admin *ad, const struct ipc_request *req,
	   msgpack_sbuffer *out)
{
	struct seed seeds[SEEDS_MAX];
	size_t n = req->admin.addr_count;
	char err[LOG_ERR_SIZE];
	for (size_t i = 0; i < n; i++) {
		if (seed_parse(req->admin.addrs[i], &seeds[i], err) != 0) {
			answer_error(out, RUMOR_EINVAL, err);
			return IPC_SERVER_REPLY_NOW;
		}
	}
	struct admin_join *j = NULL;
	for (size_t i = 0; i < ADMIN_JOINS_MAX && j == NULL; i++)
		j = ad->joins[i].used ? NULL : &ad->joins[i];
	if (j == NULL) {
		answer_error(out, RUMOR_ELIMIT, "too many joins under way");
		return IPC_SERVER_REPLY_NOW;
	}
	j->used = true;
	j->conn = ipc_server_request_id(ad->ipc);
	if (seeds_resolve(ad->loop, seeds, n, join_resolved, j, &j->batch) !=
	    0) {
		j->used = false;
		answer_error(out, RUMOR_ENOMEM, "out of memory");
		return IPC_SERVER_REPLY_NOW;
	}
	return IPC_SERVER_REPLY_LATER;
}

void
admin_answered(struct admin *ad, const struct swim_addr *addr)
{
	for (size_t i = 0; i < ADMIN_JOINS_MAX; i++) {
		struct admin_join *j = &ad->joins[i];
		for (size_t k = 0; j->joining && k < j->addr_count; k++) {
			if (j->addrs[k].ip == addr->ip &&
			    j->addrs[k].port == addr->port)
				j->answered[k] = true;
		}
	}
}

void
admin_pump(struct admin *ad)
{
	uint64_t now = uv_now(ad->loop);
	uint64_t next = UINT64_MAX;
	for (size_t i = 0; i < ADMIN_JOINS_MAX; i++) {
		struct admin_join *j = &ad->joins[i];
		if (!j->joining)
			continue;
		size_t answered = 0;
		for (size_t k = 0; k < j->addr_count; k++)
			answered += j->answered[k];
		if (answered == j->addr_count ||
		    (now >= j->deadline_ms && answered > 0)) {
			join_answer(j, 0, NULL, answered);
			continue;
		}
		if (now < j->deadline_ms) {
			next = j->deadline_ms < next ? j->deadline_ms : next;
			continue;
		}
		char why[512];
		snprintf(why, sizeof(why), "no seed answered within %ds%s%s "
			 "(the agent keeps trying)", ADMIN_JOIN_WAIT_MS / 1000,
			 j->failures[0] ? "; " : "", j->failures);
		join_answer(j, RUMOR_EIO, why, 0);
	}
	if (next != UINT64_MAX && ad->timer_open)
		uv_timer_start(&ad->timer, timer_fired, next - now, 0);
}

/* ---- force-leave, tags, info ------------------------------------------- */

void
admin_force_leave(struct admin *ad, const struct ipc_request *req,
		  msgpack_sbuffer *out)
{
	const char *name = req->name;
	struct swim_member_info m;
	bool known = swim_member_find(node_swim(ad->node), name, &m) == 0;
	int rc = node_force_leave(ad->node, uv_now(ad->loop), name);
	char why[256];
	switch (rc) {
	case 0:
		log_line(LOG_INFO, "force-leave: %s is left", name);
		ad->changed(ad->changed_arg);
		answer_ok(out);
		return;
	case RUMOR_ENOTFOUND:
		snprintf(why, sizeof(why), "no member named \"%s\"", name);
		break;
	case RUMOR_EINVAL:
		snprintf(why, sizeof(why), "%s is this agent (use rumor "
			 "leave)", name);
		break;
	case RUMOR_ESTATE:
		if (swim_is_leaving(node_swim(ad->node)) || !known)
			snprintf(why, sizeof(why), "the agent is leaving");
		else
			snprintf(why, sizeof(why), "%s is %s: only a failed "
				 "member can be forced to leave", name,
				 swim_status_strs[m.status]);
		break;
	default:
		snprintf(why, sizeof(why), "%s", rumor_strerror(rc));
		break;
	}
	answer_error(out, rc, why);
}

/* The node's tags as an answer. */
static void
tags_answer(struct admin *ad, msgpack_sbuffer *out)
{
	struct node_tags now;
	const struct swim *swim = node_swim(ad->node);
	if (node_tags_of(ad->node, swim_self_name(swim), &now) != 0)
		now.count = 0;
	int rc = ipc_admin_tags_encode(out, now.tags, now.count);
	if (rc != 0)
		answer_error(out, rc, rumor_strerror(rc));
}

int
admin_set_tags(struct admin *ad, const struct service_kv *tags,
	       size_t count, char *err)
{
	char why[256];
	int rc = node_set_tags(ad->node, uv_now(ad->loop), tags, count, why,
			       sizeof(why));
	if (rc != 0)
		return log_err(err, rc, "%s", why);
	return 0;
}

void
admin_tags(struct admin *ad, const struct ipc_request *req,
	   msgpack_sbuffer *out)
{
	const struct ipc_admin_args *args = &req->admin;
	if (args->set_count == 0 && args->del_count == 0) {
		tags_answer(ad, out);
		return;
	}
	struct node_tags now;
	const struct swim *swim = node_swim(ad->node);
	if (node_tags_of(ad->node, swim_self_name(swim), &now) != 0)
		now.count = 0;
	/* What we have, less the deleted and the replaced, and the set. */
	struct service_kv list[NODE_TAGS_MAX + IPC_TAGS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < now.count; i++) {
		bool drop = false;
		for (size_t k = 0; k < args->del_count && !drop; k++)
			drop = strcmp(now.tags[i].key, args->del[k]) == 0;
		for (size_t k = 0; k < args->set_count && !drop; k++)
			drop = strcmp(now.tags[i].key, args->set[k].key) == 0;
		if (!drop)
			list[n++] = now.tags[i];
	}
	for (size_t k = 0; k < args->set_count; k++)
		list[n++] = args->set[k];
	char err[LOG_ERR_SIZE];
	int rc = admin_set_tags(ad, list, n, err);
	if (rc != 0) {
		answer_error(out, rc, err);
		return;
	}
	log_line(LOG_INFO, "tags: %zu set, %zu deleted", args->set_count,
		 args->del_count);
	ad->changed(ad->changed_arg);
	tags_answer(ad, out);
}

void
admin_info(struct admin *ad, struct ipc_info *info, msgpack_sbuffer *out)
{
	const struct swim *swim = node_swim(ad->node);
	info->incarnation = swim_self_incarnation(swim);
	size_t count = swim_member_count(swim);
	for (size_t i = 0; i < count; i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		info->members[m.status]++;
	}
	struct node_tags tags;
	if (node_tags_of(ad->node, swim_self_name(swim), &tags) != 0)
		tags.count = 0;
	info->tags = tags.tags;
	info->tag_count = tags.count;
	int rc = ipc_admin_info_encode(out, info);
	if (rc != 0)
		answer_error(out, rc, rumor_strerror(rc));
}

void
admin_close(struct admin *ad)
{
	for (size_t i = 0; i < ADMIN_JOINS_MAX; i++) {
		struct admin_join *j = &ad->joins[i];
		if (j->batch != NULL)
			seeds_cancel(j->batch);
		*j = (struct admin_join){.owner = ad};
	}
	if (ad->timer_open) {
		uv_close((uv_handle_t *)&ad->timer, NULL);
		ad->timer_open = false;
	}
}
