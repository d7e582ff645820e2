/*
 * rumor_admin: the operator's calls of include/rumor/rumor.h (join,
 * force-leave, tags, info, the log monitor and the members watch) over
 * the socket protocol's admin records (cli/ipc/ipc_admin.h), as rumor.c
 * does for the rest.
 */
#include <stdlib.h>
#include <string.h>

#include "rumor_internal.h"

_Static_assert(RUMOR_NODE_TAGS_MAX == IPC_TAGS_MAX, "tags per node");
_Static_assert(RUMOR_TAG_KEY_MAX == IPC_TAG_KEY_MAX &&
		       RUMOR_TAG_VALUE_MAX == IPC_TAG_VALUE_MAX,
	       "tag sizes");
_Static_assert((int)RUMOR_LOG_ERROR == (int)IPC_LEVEL_ERROR &&
		       (int)RUMOR_LOG_DEBUG == (int)IPC_LEVEL_DEBUG,
	       "log levels");
_Static_assert((int)RUMOR_MEMBER_REMOVED == (int)IPC_MEMBER_REMOVED &&
		       (int)RUMOR_MEMBER_UPDATE == (int)IPC_MEMBER_UPDATE,
	       "member events");

const char *
rumor_log_level_str(enum rumor_log_level level)
{
	return (unsigned)level < ipc_level_MAX ? ipc_level_strs[level] : NULL;
}

const char *
rumor_member_event_str(enum rumor_member_event type)
{
	return (unsigned)type < ipc_member_event_MAX
		       ? ipc_member_event_strs[type]
		       : NULL;
}

int
rumor_join(struct rumor *r, const char *const *seeds, size_t count,
	   size_t *joined)
{
	r->refused = false;
	if (count == 0 || count > IPC_JOIN_ADDRS_MAX)
		return rumor__fail(r, RUMOR_EINVAL, "give 1-%d seeds",
				   IPC_JOIN_ADDRS_MAX);
	struct ipc_request req = {.op = IPC_OP_JOIN};
	for (size_t i = 0; i < count; i++) {
		if (seeds[i] == NULL || seeds[i][0] == '\0' ||
		    strlen(seeds[i]) > IPC_JOIN_ADDR_MAX)
			return rumor__fail(r, RUMOR_EINVAL, "a seed is "
					   "HOST:PORT, 1-%d bytes",
					   IPC_JOIN_ADDR_MAX);
		req.admin.addrs[i] = seeds[i];
	}
	req.admin.addr_count = count;
	int rc = rumor__call(r, &req, IPC_BODY_JOINED);
	if (rc == 0 && joined != NULL)
		*joined = (size_t)r->last.admin.joined;
	return rc;
}

int
rumor_force_leave(struct rumor *r, const char *name)
{
	r->refused = false;
	if (name == NULL || name[0] == '\0' || strlen(name) > IPC_NAME_MAX)
		return rumor__fail(r, RUMOR_EINVAL, "a member's name is 1-64 "
				   "bytes");
	struct ipc_request req = {.op = IPC_OP_FORCE_LEAVE};
	strcpy(req.name, name);
	return rumor__call(r, &req, IPC_BODY_NONE);
}

/* The last answer's n pairs as the public form, at dst (the handle's
 * kv array). */
static const struct rumor_kv *
pairs(const struct service_kv *kv, size_t n, struct rumor_kv *dst)
{
	rumor__kv_copy(dst, kv, n);
	return dst;
}

int
rumor_tags(struct rumor *r, const struct rumor_kv *set, size_t set_count,
	   const char *const *del, size_t del_count,
	   const struct rumor_kv **tags, size_t *count)
{
	r->refused = false;
	if (set_count > IPC_TAGS_MAX || del_count > IPC_TAGS_MAX)
		return rumor__fail(r, RUMOR_EINVAL, "at most %d tags to set "
				   "and %d to delete", IPC_TAGS_MAX,
				   IPC_TAGS_MAX);
	struct ipc_request req = {.op = IPC_OP_TAGS};
	for (size_t i = 0; i < set_count; i++)
		req.admin.set[i] = (struct service_kv){set[i].key,
						       set[i].value};
	for (size_t i = 0; i < del_count; i++)
		req.admin.del[i] = del[i];
	req.admin.set_count = set_count;
	req.admin.del_count = del_count;
	int rc = rumor__call(r, &req, IPC_BODY_TAGS);
	if (rc != 0)
		return rc;
	size_t n = r->last.admin.tag_count;
	struct rumor_kv *kv = rumor__kv(r, n ? n : 1);
	if (kv == NULL)
		return rumor__fail(r, RUMOR_ENOMEM, "out of memory");
	if (tags != NULL)
		*tags = pairs(r->last.admin.tags, n, kv);
	if (count != NULL)
		*count = n;
	return 0;
}

int
rumor_info(struct rumor *r, struct rumor_info *out)
{
	struct ipc_request req = {.op = IPC_OP_INFO};
	r->refused = false;
	int rc = rumor__call(r, &req, IPC_BODY_INFO);
	if (rc != 0)
		return rc;
	const struct ipc_info *in = r->last.admin.info;
	size_t n = in->tag_count + in->listener_count + in->config_count;
	struct rumor_kv *kv = rumor__kv(r, n ? n : 1);
	if (kv == NULL)
		return rumor__fail(r, RUMOR_ENOMEM, "out of memory");
	*out = (struct rumor_info){
		.name = in->name, .address = in->addr,
		.version = in->version, .incarnation = in->incarnation,
		.uptime_ms = in->uptime_ms,
		.tags = kv, .tag_count = in->tag_count,
		.listeners = kv + in->tag_count,
		.listener_count = in->listener_count,
		.config = kv + in->tag_count + in->listener_count,
		.config_count = in->config_count,
	};
	for (int i = 0; i < 4; i++)
		out->members[i] = in->members[i];
	kv = rumor__kv_copy(kv, in->tags, in->tag_count);
	kv = rumor__kv_copy(kv, in->listeners, in->listener_count);
	rumor__kv_copy(kv, in->config, in->config_count);
	return 0;
}

int
rumor_monitor(struct rumor *r, enum rumor_log_level level)
{
	r->refused = false;
	if ((unsigned)level >= ipc_level_MAX)
		return rumor__fail(r, RUMOR_EINVAL, "bad log level");
	struct ipc_request req = {.op = IPC_OP_MONITOR};
	req.admin.level = (enum ipc_level)level;
	req.admin.level_set = true;
	int rc = rumor__call(r, &req, IPC_BODY_NONE);
	if (rc == 0)
		rumor__no_timeout(r);
	return rc;
}

int
rumor_monitor_next(struct rumor *r, struct rumor_log_line *out)
{
	int rc = rumor__next(r, IPC_BODY_LOG);
	if (rc != 0)
		return rc;
	const struct ipc_log *line = r->last.admin.log;
	*out = (struct rumor_log_line){line->time,
				       (enum rumor_log_level)line->level,
				       line->text};
	return 0;
}

int
rumor_watch_members(struct rumor *r)
{
	r->refused = false;
	struct ipc_request req = {.op = IPC_OP_WATCH};
	req.admin.members = true;
	int rc = rumor__call(r, &req, IPC_BODY_NONE);
	if (rc == 0)
		rumor__no_timeout(r);
	return rc;
}

int
rumor_watch_members_next(struct rumor *r, enum rumor_member_event *type,
			 struct rumor_member *out)
{
	int rc = rumor__next(r, IPC_BODY_MEMBER_EVENT);
	if (rc != 0)
		return rc;
	const struct ipc_member *m = r->last.admin.member;
	struct rumor_kv *kv = rumor__kv(r, m->tag_count ? m->tag_count : 1);
	if (kv == NULL)
		return rumor__fail(r, RUMOR_ENOMEM, "out of memory");
	*type = (enum rumor_member_event)r->last.admin.member_event;
	*out = (struct rumor_member){
		m->name, m->addr, (enum rumor_status)m->status,
		m->incarnation, pairs(m->tags, m->tag_count, kv),
		m->tag_count};
	return 0;
}
