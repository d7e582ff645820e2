/*
 * rumor: include/rumor/rumor.h over the local socket protocol. Each call
 * is one request (cli/ipc/ipc_proto.h) through the transport in
 * rumor_conn.c; this file only turns the arguments into a request and
 * the protocol's decoded answer into the public structs. Strings and
 * arrays a call hands out point into the handle's last answer, so
 * nothing is copied twice and nothing needs freeing by the caller.
 *
 * It links the protocol, the service record codec and msgpack-c only:
 * no SWIM core, no registry, no libsodium.
 */
#include <stdlib.h>
#include <string.h>

#include "rumor_internal.h"

/* The public sizes and values are the protocol's. */
_Static_assert(RUMOR_NAME_MAX == IPC_NAME_MAX, "name size");
_Static_assert(RUMOR_ADDRESS_MAX == IPC_ADDRESS_MAX, "address size");
_Static_assert(RUMOR_TAGS_MAX == SERVICE_TAGS_MAX, "tag count");
_Static_assert(RUMOR_META_MAX == SERVICE_META_MAX, "meta count");
_Static_assert(RUMOR_META_VALUE_MAX == SERVICE_META_VALUE_MAX, "meta size");
_Static_assert((int)RUMOR_CHECK_TCP == (int)SERVICE_CHECK_TCP &&
		       (int)RUMOR_CHECK_HTTP == (int)SERVICE_CHECK_HTTP &&
		       (int)RUMOR_CHECK_EXEC == (int)SERVICE_CHECK_EXEC,
	       "check kinds");
_Static_assert((int)RUMOR_PICK_ROUND_ROBIN == (int)IPC_POLICY_ROUND_ROBIN &&
		       (int)RUMOR_PICK_RANDOM == (int)IPC_POLICY_RANDOM,
	       "pick policies");
_Static_assert((int)RUMOR_STATUS_LEFT == (int)IPC_STATUS_LEFT &&
		       (int)RUMOR_STATUS_FAILED == (int)IPC_STATUS_FAILED &&
		       (int)RUMOR_STATUS_SUSPECT == (int)IPC_STATUS_SUSPECT,
	       "member statuses");
_Static_assert((int)RUMOR_EVENT_UPDATED == (int)IPC_EVENT_UPDATED &&
		       (int)RUMOR_EVENT_HEALTH == (int)IPC_EVENT_HEALTH &&
		       (int)RUMOR_EVENT_REMOVED == (int)IPC_EVENT_REMOVED,
	       "event types");

const char *
rumor_status_str(enum rumor_status status)
{
	return (unsigned)status < ipc_status_MAX ? ipc_status_strs[status]
						  : NULL;
}

const char *
rumor_event_type_str(enum rumor_event_type type)
{
	return (unsigned)type < ipc_event_type_MAX ? ipc_event_type_strs[type]
						    : NULL;
}

/* ---- this agent's services --------------------------------------------- */

/* s as the record codec's service (meta copied into kv); NULL or why
 * not. */
static const char *
service_from(const struct rumor_service *s, struct service *svc,
	     struct service_kv kv[SERVICE_META_MAX])
{
	if (s->name == NULL)
		return "a service needs a name";
	if (s->meta_count > SERVICE_META_MAX)
		return "too many meta pairs (at most 32)";
	for (size_t i = 0; i < s->meta_count; i++)
		kv[i] = (struct service_kv){s->meta[i].key, s->meta[i].value};
	*svc = (struct service){
		.id = s->id ? s->id : s->name, .name = s->name,
		.address = s->address ? s->address : "", .port = s->port,
		.tags = s->tags, .tag_count = s->tag_count, .meta = kv,
		.meta_count = s->meta_count, .ttl_ms = s->ttl_ms,
		.check = {.kind = (enum service_check_kind)s->check.kind,
			  .target = s->check.target,
			  .interval_ms = s->check.interval_ms,
			  .timeout_ms = s->check.timeout_ms},
	};
	if (svc->check.kind == SERVICE_CHECK_NONE)
		svc->check = (struct service_check){0};
	const char *why = "invalid service";
	return service_validate(svc, &why) == 0 ? NULL : why;
}

int
rumor_service_validate(const struct rumor_service *s, const char **why)
{
	struct service svc;
	struct service_kv kv[SERVICE_META_MAX];
	const char *bad = service_from(s, &svc, kv);
	if (bad != NULL && why != NULL)
		*why = bad;
	return bad == NULL ? 0 : RUMOR_EINVAL;
}

int
rumor_register(struct rumor *r, const struct rumor_service *s)
{
	struct service svc;
	struct service_kv kv[SERVICE_META_MAX];
	const char *why = service_from(s, &svc, kv);
	r->refused = false;
	if (why != NULL)
		return rumor__fail(r, RUMOR_EINVAL, "%s", why);
	struct service *list[] = {&svc};
	struct ipc_request req = {.op = IPC_OP_REGISTER,
				  .reg = {.services = list, .count = 1}};
	return rumor__call(r, &req, IPC_BODY_NONE);
}

/* A request with a name: 1-64 bytes (NULL allowed when optional). */
static int
name_into(struct rumor *r, char buf[IPC_NAME_MAX + 1], const char *name,
	  bool optional, const char *what)
{
	r->refused = false;
	if (name == NULL && optional)
		return 0;
	if (name == NULL || name[0] == '\0' || strlen(name) > IPC_NAME_MAX)
		return rumor__fail(r, RUMOR_EINVAL, "%s is 1-64 bytes", what);
	strcpy(buf, name);
	return 0;
}

/* deregister, pass: an op on one id. */
static int
id_call(struct rumor *r, enum ipc_op op, const char *id)
{
	struct ipc_request req = {.op = op};
	int rc = name_into(r, req.name, id, false, "an id");
	return rc != 0 ? rc : rumor__call(r, &req, IPC_BODY_NONE);
}

int
rumor_deregister(struct rumor *r, const char *id)
{
	return id_call(r, IPC_OP_DEREGISTER, id);
}

int
rumor_pass(struct rumor *r, const char *id)
{
	return id_call(r, IPC_OP_PASS, id);
}

/* ---- the cluster's services -------------------------------------------- */

/* The name and tag of a lookup or a pick into req; 0 or RUMOR_EINVAL. */
static int
query(struct rumor *r, struct ipc_request *req, const char *name,
      const char *tag)
{
	if (name_into(r, req->name, name, false, "a name") != 0 ||
	    name_into(r, req->tag, tag, true, "a tag") != 0)
		return rumor__fail(r, RUMOR_EINVAL,
				   "names and tags are 1-64 bytes");
	return 0;
}

static void
copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	n = n < size ? n : size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The last answer's first n instances into out[], their meta into the
 * handle's kv array. */
static int
instances_from(struct rumor *r, struct rumor_instance *out, size_t n)
{
	const struct ipc_instance *list = r->last.instances;
	size_t pairs = 0;
	for (size_t i = 0; i < n; i++)
		pairs += list[i].meta_count;
	struct rumor_kv *kv = rumor__kv(r, pairs);
	if (kv == NULL && pairs > 0)
		return rumor__fail(r, RUMOR_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct ipc_instance *in = &list[i];
		struct rumor_instance *o = &out[i];
		copy_str(o->node, sizeof(o->node), in->node);
		copy_str(o->id, sizeof(o->id), in->id);
		copy_str(o->service, sizeof(o->service), in->service);
		copy_str(o->address, sizeof(o->address), in->address);
		o->port = in->port;
		o->healthy = in->healthy;
		o->tags = in->tags;
		o->tag_count = in->tag_count;
		o->meta = kv;
		o->meta_count = in->meta_count;
		if (in->meta_count > 0)
			kv = rumor__kv_copy(kv, in->meta, in->meta_count);
	}
	return 0;
}

static int
lookup(struct rumor *r, const char *name, const char *tag, bool all)
{
	struct ipc_request req = {.op = IPC_OP_LOOKUP, .all = all};
	int rc = query(r, &req, name, tag);
	return rc != 0 ? rc : rumor__call(r, &req, IPC_BODY_INSTANCES);
}

int
rumor_lookup(struct rumor *r, const char *name, const char *tag, bool all,
	     struct rumor_instance *out, size_t cap, size_t *count)
{
	int rc = lookup(r, name, tag, all);
	if (rc != 0)
		return rc;
	*count = r->last.count;
	return instances_from(r, out, cap < *count ? cap : *count);
}

int
rumor_lookup_all(struct rumor *r, const char *name, const char *tag,
		 bool all, const struct rumor_instance **list, size_t *count)
{
	int rc = lookup(r, name, tag, all);
	if (rc != 0)
		return rc;
	size_t n = r->last.count;
	struct rumor_instance *out = rumor__list(r, (n ? n : 1) *
							sizeof(*out));
	if (out == NULL)
		return rumor__fail(r, RUMOR_ENOMEM, "out of memory");
	rc = instances_from(r, out, n);
	if (rc == 0) {
		*list = out;
		*count = n;
	}
	return rc;
}

int
rumor_pick(struct rumor *r, const char *name, const char *tag,
	   enum rumor_policy policy, struct rumor_instance *out)
{
	struct ipc_request req = {
		.op = IPC_OP_PICK,
		.policy = policy == RUMOR_PICK_ROUND_ROBIN
				  ? IPC_POLICY_ROUND_ROBIN
				  : IPC_POLICY_RANDOM};
	int rc = query(r, &req, name, tag);
	if (rc == 0)
		rc = rumor__call(r, &req, IPC_BODY_INSTANCE);
	return rc != 0 ? rc : instances_from(r, out, 1);
}

int
rumor_services(struct rumor *r, const struct rumor_summary **list,
	       size_t *count)
{
	struct ipc_request req = {.op = IPC_OP_SERVICES};
	int rc = rumor__call(r, &req, IPC_BODY_SERVICES);
	if (rc != 0)
		return rc;
	size_t n = r->last.count;
	struct rumor_summary *out = rumor__list(r, (n ? n : 1) * sizeof(*out));
	if (out == NULL)
		return rumor__fail(r, RUMOR_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct ipc_summary *s = &r->last.services[i];
		out[i] = (struct rumor_summary){s->name, s->healthy, s->total};
	}
	*list = out;
	*count = n;
	return 0;
}

/* ---- the agent ----------------------------------------------------------- */

int
rumor_members(struct rumor *r, const struct rumor_member **list,
	      size_t *count)
{
	struct ipc_request req = {.op = IPC_OP_MEMBERS};
	int rc = rumor__call(r, &req, IPC_BODY_MEMBERS);
	if (rc != 0)
		return rc;
	size_t n = r->last.count, pairs = 0;
	for (size_t i = 0; i < n; i++)
		pairs += r->last.members[i].tag_count;
	struct rumor_member *out = rumor__list(r, (n ? n : 1) * sizeof(*out));
	struct rumor_kv *kv = rumor__kv(r, pairs ? pairs : 1);
	if (out == NULL || kv == NULL)
		return rumor__fail(r, RUMOR_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct ipc_member *m = &r->last.members[i];
		out[i] = (struct rumor_member){
			m->name, m->addr, (enum rumor_status)m->status,
			m->incarnation, kv, m->tag_count};
		kv = rumor__kv_copy(kv, m->tags, m->tag_count);
	}
	*list = out;
	*count = n;
	return 0;
}

int
rumor_stats(struct rumor *r, const struct rumor_stat **list, size_t *count)
{
	struct ipc_request req = {.op = IPC_OP_STATS};
	int rc = rumor__call(r, &req, IPC_BODY_STATS);
	if (rc != 0)
		return rc;
	size_t n = r->last.count;
	struct rumor_stat *out = rumor__list(r, (n ? n : 1) * sizeof(*out));
	if (out == NULL)
		return rumor__fail(r, RUMOR_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		out[i] = (struct rumor_stat){r->last.stats[i].name,
					     r->last.stats[i].value};
	*list = out;
	*count = n;
	return 0;
}

int
rumor_leave(struct rumor *r)
{
	struct ipc_request req = {.op = IPC_OP_LEAVE};
	return rumor__call(r, &req, IPC_BODY_NONE);
}

int
rumor_watch(struct rumor *r, const char *name)
{
	struct ipc_request req = {.op = IPC_OP_WATCH};
	int rc = name_into(r, req.name, name, true, "a service name");
	if (rc == 0)
		rc = rumor__call(r, &req, IPC_BODY_NONE);
	/* From now on the agent speaks when something changes. */
	if (rc == 0)
		rumor__no_timeout(r);
	return rc;
}

int
rumor_watch_next(struct rumor *r, struct rumor_event *out)
{
	int rc = rumor__next(r, IPC_BODY_EVENT);
	if (rc != 0)
		return rc;
	const struct ipc_event *ev = r->last.event;
	out->type = (enum rumor_event_type)ev->type;
	copy_str(out->node, sizeof(out->node), ev->node);
	copy_str(out->id, sizeof(out->id), ev->id);
	copy_str(out->service, sizeof(out->service), ev->service);
	copy_str(out->address, sizeof(out->address), ev->address);
	out->port = ev->port;
	out->healthy = ev->healthy;
	return 0;
}
