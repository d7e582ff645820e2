/*
 * The local socket protocol's schema in code (the schema in words is in
 * ipc_proto.h): which fields each request and answer carries, in which
 * order, with which limits. How they become msgpack, with every
 * msgpack_pack_* result checked and no half frame left behind, is
 * ipc_pack.c's.
 *
 * Decoding: untrusted bytes only ever reach msgpack-c through
 * mpscan_unpack(), which bounds every container by the bytes that
 * remain before anything is allocated. The typed readers then check each
 * field's type and size and copy what they keep into the unpacked zone,
 * so one destroy frees a response and nothing points into the caller's
 * bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_proto.h"
#include "rumor/error.h"
#include "swim/mpscan.h"

const char *const ipc_op_strs[ipc_op_MAX] = {
	"members", "leave", "stats", "register", "deregister", "lookup",
	"pick", "services", "watch", "pass",
};

const char *const ipc_policy_strs[ipc_policy_MAX] = {
	"random", "round-robin",
};

const char *const ipc_status_strs[ipc_status_MAX] = {
	"alive", "suspect", "failed", "left",
};

const char *const ipc_event_type_strs[ipc_event_type_MAX] = {
	"added", "removed", "health", "updated",
};

/* A request is a small map; a response may list many members. */
#define IPC_REQUEST_CONTAINER_MAX 16
#define IPC_REQUEST_OBJECTS_MAX 64
#define IPC_RESPONSE_CONTAINER_MAX (1u << 20)
#define IPC_RESPONSE_OBJECTS_MAX (16u << 20)

/* The keys under which an ok answer carries its body. */
static const char *const body_keys[ipc_body_MAX] = {
	[IPC_BODY_MEMBERS] = "members",	    [IPC_BODY_STATS] = "stats",
	[IPC_BODY_INSTANCES] = "instances", [IPC_BODY_INSTANCE] = "instance",
	[IPC_BODY_SERVICES] = "services",
};

uint32_t
ipc_frame_len(const uint8_t prefix[IPC_PREFIX])
{
	return (uint32_t)prefix[0] << 24 | (uint32_t)prefix[1] << 16 |
	       (uint32_t)prefix[2] << 8 | (uint32_t)prefix[3];
}

enum ipc_body
ipc_op_body(enum ipc_op op)
{
	switch (op) {
	case IPC_OP_MEMBERS:
		return IPC_BODY_MEMBERS;
	case IPC_OP_STATS:
		return IPC_BODY_STATS;
	case IPC_OP_LOOKUP:
		return IPC_BODY_INSTANCES;
	case IPC_OP_PICK:
		return IPC_BODY_INSTANCE;
	case IPC_OP_SERVICES:
		return IPC_BODY_SERVICES;
	default:
		return IPC_BODY_NONE;
	}
}

/* ---- writing ------------------------------------------------------------ */

static const char *
health_str(bool healthy)
{
	return healthy ? "passing" : "critical";
}

int
ipc_request_encode(msgpack_sbuffer *sb, const struct ipc_request *req)
{
	struct ipc_packer p;
	ipc_pack_open(&p, sb);
	bool named = req->op == IPC_OP_LOOKUP || req->op == IPC_OP_PICK;
	bool watch_name = req->op == IPC_OP_WATCH && req->name[0] != '\0';
	bool by_id = req->op == IPC_OP_DEREGISTER || req->op == IPC_OP_PASS;
	ipc_pack_map(&p, 1 + (req->op == IPC_OP_REGISTER) + by_id +
				 watch_name +
				 (named ? 2 + (req->tag[0] != '\0') : 0));
	ipc_pack_kstr(&p, "op", ipc_op_strs[req->op]);
	if (req->op == IPC_OP_REGISTER) {
		uint8_t *bytes = NULL;
		size_t size = 0;
		const struct service *svc = req->reg.services[0];
		int rc = service_set_encode(0, &svc, 1, &bytes, &size);
		if (rc != 0)
			ipc_pack_fail(&p, rc);
		ipc_pack_str(&p, "service");
		ipc_pack_bin(&p, bytes, size);
		free(bytes);
	}
	if (by_id)
		ipc_pack_kstr(&p, "id", req->name);
	if (watch_name || named)
		ipc_pack_kstr(&p, "name", req->name);
	if (named && req->tag[0] != '\0')
		ipc_pack_kstr(&p, "tag", req->tag);
	if (req->op == IPC_OP_LOOKUP) {
		ipc_pack_str(&p, "all");
		ipc_pack_bool(&p, req->all);
	} else if (req->op == IPC_OP_PICK) {
		ipc_pack_kstr(&p, "policy", ipc_policy_strs[req->policy]);
	}
	return ipc_pack_close(&p, IPC_REQUEST_MAX);
}

int
ipc_ok_encode(msgpack_sbuffer *sb)
{
	struct ipc_writer w;
	ipc_writer_begin(&w, sb, IPC_BODY_NONE, 0);
	return ipc_writer_end(&w);
}

int
ipc_error_encode(msgpack_sbuffer *sb, int code, const char *why)
{
	struct ipc_packer p;
	ipc_pack_open(&p, sb);
	ipc_pack_map(&p, 3);
	ipc_pack_str(&p, "ok");
	ipc_pack_bool(&p, false);
	ipc_pack_kstr(&p, "error", why);
	ipc_pack_str(&p, "code");
	ipc_pack_int(&p, code);
	return ipc_pack_close(&p, IPC_RESPONSE_MAX);
}

int
ipc_event_encode(msgpack_sbuffer *sb, const struct ipc_event *ev)
{
	struct ipc_packer p;
	ipc_pack_open(&p, sb);
	ipc_pack_map(&p, 7);
	ipc_pack_kstr(&p, "event", ipc_event_type_strs[ev->type]);
	ipc_pack_kstr(&p, "node", ev->node);
	ipc_pack_kstr(&p, "id", ev->id);
	ipc_pack_kstr(&p, "service", ev->service);
	ipc_pack_kstr(&p, "address", ev->address);
	ipc_pack_kuint(&p, "port", ev->port);
	ipc_pack_kstr(&p, "health", health_str(ev->healthy));
	return ipc_pack_close(&p, IPC_RESPONSE_MAX);
}

void
ipc_writer_begin(struct ipc_writer *w, msgpack_sbuffer *sb,
		 enum ipc_body body, size_t count)
{
	struct ipc_packer *p = &w->p;
	ipc_pack_open(p, sb);
	w->body = body;
	w->left = count;
	if (body == IPC_BODY_EVENT || (body == IPC_BODY_NONE && count != 0) ||
	    (body == IPC_BODY_INSTANCE && count != 1)) {
		ipc_pack_fail(p, RUMOR_EINVAL);
		return;
	}
	ipc_pack_map(p, body == IPC_BODY_NONE ? 1 : 2);
	ipc_pack_str(p, "ok");
	ipc_pack_bool(p, true);
	if (body == IPC_BODY_NONE)
		return;
	ipc_pack_str(p, body_keys[body]);
	if (body == IPC_BODY_STATS)
		ipc_pack_map(p, count);
	else if (body != IPC_BODY_INSTANCE)
		ipc_pack_array(p, count);
}

/* The next item may be written: of the frame's body, and one more than
 * counted is an error. */
static bool
item(struct ipc_writer *w, enum ipc_body body)
{
	bool instance = body == IPC_BODY_INSTANCES &&
			w->body == IPC_BODY_INSTANCE;
	if (w->left == 0 || (w->body != body && !instance))
		ipc_pack_fail(&w->p, RUMOR_EINVAL);
	if (w->p.err != 0)
		return false;
	w->left--;
	return true;
}

void
ipc_write_member(struct ipc_writer *w, const struct ipc_member *m)
{
	if (!item(w, IPC_BODY_MEMBERS))
		return;
	ipc_pack_map(&w->p, 4);
	ipc_pack_kstr(&w->p, "name", m->name);
	ipc_pack_kstr(&w->p, "addr", m->addr);
	ipc_pack_kstr(&w->p, "status", ipc_status_strs[m->status]);
	ipc_pack_kuint(&w->p, "incarnation", m->incarnation);
}

void
ipc_write_stat(struct ipc_writer *w, const struct ipc_stat *s)
{
	if (item(w, IPC_BODY_STATS))
		ipc_pack_kuint(&w->p, s->name, s->value);
}

void
ipc_write_instance(struct ipc_writer *w, const struct ipc_instance *in)
{
	if (!item(w, IPC_BODY_INSTANCES))
		return;
	ipc_pack_map(&w->p, 8);
	ipc_pack_kstr(&w->p, "node", in->node);
	ipc_pack_kstr(&w->p, "id", in->id);
	ipc_pack_kstr(&w->p, "service", in->service);
	ipc_pack_kstr(&w->p, "address", in->address);
	ipc_pack_kuint(&w->p, "port", in->port);
	ipc_pack_str(&w->p, "tags");
	ipc_pack_array(&w->p, in->tag_count);
	for (size_t i = 0; i < in->tag_count; i++)
		ipc_pack_str(&w->p, in->tags[i]);
	ipc_pack_str(&w->p, "meta");
	ipc_pack_map(&w->p, in->meta_count);
	for (size_t i = 0; i < in->meta_count; i++)
		ipc_pack_kstr(&w->p, in->meta[i].key, in->meta[i].value);
	ipc_pack_kstr(&w->p, "health", health_str(in->healthy));
}

void
ipc_write_summary(struct ipc_writer *w, const struct ipc_summary *s)
{
	if (!item(w, IPC_BODY_SERVICES))
		return;
	ipc_pack_map(&w->p, 3);
	ipc_pack_kstr(&w->p, "name", s->name);
	ipc_pack_kuint(&w->p, "healthy", s->healthy);
	ipc_pack_kuint(&w->p, "total", s->total);
}

int
ipc_writer_end(struct ipc_writer *w)
{
	if (w->left != 0)
		ipc_pack_fail(&w->p, RUMOR_EINVAL);
	return ipc_pack_close(&w->p, IPC_RESPONSE_MAX);
}

/* ---- reading requests --------------------------------------------------- */

/* An optional short string field into buf ("" when absent). */
static bool
get_name(const msgpack_object *map, const char *key, char *buf,
	 bool required)
{
	const msgpack_object *o = ipc_pack_get(map, key);
	buf[0] = '\0';
	if (o == NULL)
		return !required;
	if (o->type != MSGPACK_OBJECT_STR || o->via.str.size == 0 ||
	    o->via.str.size > IPC_NAME_MAX ||
	    memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL)
		return false;
	memcpy(buf, o->via.str.ptr, o->via.str.size);
	buf[o->via.str.size] = '\0';
	return true;
}

static const char *
decode_register(struct ipc_request *req, const msgpack_object *map)
{
	const msgpack_object *o = ipc_pack_get(map, "service");
	if (o == NULL || o->type != MSGPACK_OBJECT_BIN)
		return "register needs a \"service\" (bin)";
	const char *why = "bad service";
	if (service_set_decode(&req->reg, (const uint8_t *)o->via.bin.ptr,
			       o->via.bin.size, &why) != 0)
		return why;
	if (req->reg.count != 1) {
		service_set_destroy(&req->reg);
		return "register takes exactly one service";
	}
	return NULL;
}

/* The operation's arguments; NULL or why they are wrong. */
static const char *
decode_args(struct ipc_request *req, const msgpack_object *map)
{
	const msgpack_object *o;
	switch (req->op) {
	case IPC_OP_REGISTER:
		return decode_register(req, map);
	case IPC_OP_WATCH:
		return get_name(map, "name", req->name, false)
			? NULL : "a \"name\" must be 1-64 bytes";
	case IPC_OP_DEREGISTER:
	case IPC_OP_PASS:
		return get_name(map, "id", req->name, true)
			? NULL : "an \"id\" (1-64 bytes) is needed";
	case IPC_OP_LOOKUP:
	case IPC_OP_PICK:
		if (!get_name(map, "name", req->name, true))
			return "a \"name\" (1-64 bytes) is needed";
		if (!get_name(map, "tag", req->tag, false))
			return "a \"tag\" must be 1-64 bytes";
		o = ipc_pack_get(map, "all");
		if (o != NULL && o->type != MSGPACK_OBJECT_BOOLEAN)
			return "\"all\" must be a boolean";
		req->all = o != NULL && o->via.boolean;
		o = ipc_pack_get(map, "policy");
		if (o == NULL)
			return NULL;
		int policy = ipc_pack_index(o, ipc_policy_strs, ipc_policy_MAX);
		if (policy < 0)
			return "\"policy\" must be random or round-robin";
		req->policy = (enum ipc_policy)policy;
		return NULL;
	default:
		return NULL;
	}
}

int
ipc_request_decode(struct ipc_request *req, const uint8_t *data, size_t size,
		   const char **why)
{
	memset(req, 0, sizeof(*req));
	msgpack_unpacked up;
	if (size > IPC_REQUEST_MAX ||
	    mpscan_unpack(&up, data, size, IPC_REQUEST_CONTAINER_MAX,
			  IPC_REQUEST_OBJECTS_MAX) != MPSCAN_OK) {
		*why = "request is not a valid msgpack value";
		return RUMOR_EMALFORMED;
	}
	const msgpack_object *op = ipc_pack_get(&up.data, "op");
	int i = ipc_pack_index(op, ipc_op_strs, ipc_op_MAX);
	if (up.data.type != MSGPACK_OBJECT_MAP)
		*why = "request must be a map";
	else if (op == NULL || op->type != MSGPACK_OBJECT_STR)
		*why = "request needs an \"op\" string";
	else if (i < 0)
		*why = "unknown op";
	const char *bad = NULL;
	if (i >= 0) {
		req->op = (enum ipc_op)i;
		bad = decode_args(req, &up.data);
		if (bad != NULL) {
			*why = bad;
			service_set_destroy(&req->reg);
		}
	}
	msgpack_unpacked_destroy(&up);
	return i >= 0 && bad == NULL ? 0 : RUMOR_EMALFORMED;
}

void
ipc_request_destroy(struct ipc_request *req)
{
	service_set_destroy(&req->reg);
}

/* ---- reading responses -------------------------------------------------- */

/* One of strs (an enum's names). */
static int
take_enum(struct ipc_pack_reader *r, const msgpack_object *o,
	  const char *const *strs, int n)
{
	int i = ipc_pack_index(o, strs, n);
	if (i < 0)
		ipc_pack_bad(r, RUMOR_EMALFORMED);
	return i < 0 ? 0 : i;
}

static bool
take_health(struct ipc_pack_reader *r, const msgpack_object *o)
{
	static const char *const healths[] = {"critical", "passing"};
	return take_enum(r, o, healths, 2) == 1;
}

/* The fields of a record (a map with these keys) into v[], all present. */
static void
take_fields(struct ipc_pack_reader *r, const msgpack_object *m,
	    const struct ipc_pack_key *keys, size_t n,
	    const msgpack_object **v)
{
	ipc_pack_fields(ipc_pack_take(r, m, MSGPACK_OBJECT_MAP), keys, n, v);
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL)
			ipc_pack_bad(r, RUMOR_EMALFORMED);
	}
}

enum { M_NAME, M_ADDR, M_STATUS, M_INCARNATION, M_MAX };

static const struct ipc_pack_key member_keys[M_MAX] = {
	IPC_PACK_KEY("name"), IPC_PACK_KEY("addr"), IPC_PACK_KEY("status"),
	IPC_PACK_KEY("incarnation"),
};

static void
read_member(struct ipc_pack_reader *r, const msgpack_object *m,
	    struct ipc_member *out)
{
	const msgpack_object *v[M_MAX];
	take_fields(r, m, member_keys, M_MAX, v);
	if (r->err != 0)
		return;
	out->name = ipc_pack_take_str(r, v[M_NAME], IPC_NAME_MAX);
	out->addr = ipc_pack_take_str(r, v[M_ADDR], IPC_ADDRESS_MAX);
	out->status = (enum ipc_status)take_enum(r, v[M_STATUS],
						 ipc_status_strs,
						 ipc_status_MAX);
	out->incarnation = ipc_pack_take_uint(r, v[M_INCARNATION],
					      UINT64_MAX);
}

static void
read_tags(struct ipc_pack_reader *r, const msgpack_object *o,
	  struct ipc_instance *out)
{
	if (ipc_pack_take(r, o, MSGPACK_OBJECT_ARRAY) == NULL ||
	    o->via.array.size > SERVICE_TAGS_MAX) {
		ipc_pack_bad(r, RUMOR_EMALFORMED);
		return;
	}
	size_t n = o->via.array.size;
	const char **tags = ipc_pack_alloc(r, n, sizeof(*tags));
	for (size_t i = 0; tags != NULL && i < n; i++)
		tags[i] = ipc_pack_take_str(r, &o->via.array.ptr[i],
					    IPC_NAME_MAX);
	out->tags = tags;
	out->tag_count = tags != NULL ? n : 0;
}

static void
read_meta(struct ipc_pack_reader *r, const msgpack_object *o,
	  struct ipc_instance *out)
{
	if (ipc_pack_take(r, o, MSGPACK_OBJECT_MAP) == NULL ||
	    o->via.map.size > SERVICE_META_MAX) {
		ipc_pack_bad(r, RUMOR_EMALFORMED);
		return;
	}
	size_t n = o->via.map.size;
	struct service_kv *meta = ipc_pack_alloc(r, n, sizeof(*meta));
	for (size_t i = 0; meta != NULL && i < n; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		meta[i].key = ipc_pack_take_str(r, &kv->key, IPC_NAME_MAX);
		meta[i].value = ipc_pack_take_str(r, &kv->val,
						  SERVICE_META_VALUE_MAX);
	}
	out->meta = meta;
	out->meta_count = meta != NULL ? n : 0;
}

enum { I_NODE, I_ID, I_SERVICE, I_ADDRESS, I_PORT, I_TAGS, I_META, I_HEALTH,
       I_MAX };

static const struct ipc_pack_key instance_keys[I_MAX] = {
	IPC_PACK_KEY("node"),	 IPC_PACK_KEY("id"),   IPC_PACK_KEY("service"),
	IPC_PACK_KEY("address"), IPC_PACK_KEY("port"), IPC_PACK_KEY("tags"),
	IPC_PACK_KEY("meta"),	 IPC_PACK_KEY("health"),
};

static void
read_instance(struct ipc_pack_reader *r, const msgpack_object *m,
	      struct ipc_instance *out)
{
	const msgpack_object *v[I_MAX];
	take_fields(r, m, instance_keys, I_MAX, v);
	if (r->err != 0)
		return;
	out->node = ipc_pack_take_str(r, v[I_NODE], IPC_NAME_MAX);
	out->id = ipc_pack_take_str(r, v[I_ID], IPC_NAME_MAX);
	out->service = ipc_pack_take_str(r, v[I_SERVICE], IPC_NAME_MAX);
	out->address = ipc_pack_take_str(r, v[I_ADDRESS], IPC_ADDRESS_MAX);
	out->port = (uint16_t)ipc_pack_take_uint(r, v[I_PORT], UINT16_MAX);
	read_tags(r, v[I_TAGS], out);
	read_meta(r, v[I_META], out);
	out->healthy = take_health(r, v[I_HEALTH]);
}

enum { S_NAME, S_HEALTHY, S_TOTAL, S_MAX };

static const struct ipc_pack_key summary_keys[S_MAX] = {
	IPC_PACK_KEY("name"), IPC_PACK_KEY("healthy"), IPC_PACK_KEY("total"),
};

static void
read_summary(struct ipc_pack_reader *r, const msgpack_object *m,
	     struct ipc_summary *out)
{
	const msgpack_object *v[S_MAX];
	take_fields(r, m, summary_keys, S_MAX, v);
	if (r->err != 0)
		return;
	out->name = ipc_pack_take_str(r, v[S_NAME], IPC_NAME_MAX);
	out->healthy = ipc_pack_take_uint(r, v[S_HEALTHY], UINT64_MAX);
	out->total = ipc_pack_take_uint(r, v[S_TOTAL], UINT64_MAX);
}

enum { E_EVENT, E_NODE, E_ID, E_SERVICE, E_ADDRESS, E_PORT, E_HEALTH,
       E_MAX };

static const struct ipc_pack_key event_keys[E_MAX] = {
	IPC_PACK_KEY("event"),	 IPC_PACK_KEY("node"),
	IPC_PACK_KEY("id"),	 IPC_PACK_KEY("service"),
	IPC_PACK_KEY("address"), IPC_PACK_KEY("port"),
	IPC_PACK_KEY("health"),
};

static void
read_event(struct ipc_pack_reader *r, const msgpack_object *m,
	   struct ipc_event *out)
{
	const msgpack_object *v[E_MAX];
	take_fields(r, m, event_keys, E_MAX, v);
	if (r->err != 0)
		return;
	out->type = (enum ipc_event_type)take_enum(
		r, v[E_EVENT], ipc_event_type_strs, ipc_event_type_MAX);
	out->node = ipc_pack_take_str(r, v[E_NODE], IPC_NAME_MAX);
	out->id = ipc_pack_take_str(r, v[E_ID], IPC_NAME_MAX);
	out->service = ipc_pack_take_str(r, v[E_SERVICE], IPC_NAME_MAX);
	out->address = ipc_pack_take_str(r, v[E_ADDRESS], IPC_ADDRESS_MAX);
	out->port = (uint16_t)ipc_pack_take_uint(r, v[E_PORT], UINT16_MAX);
	out->healthy = take_health(r, v[E_HEALTH]);
}

/* {"ok": false, "error": str, "code": int}; both fields optional. */
static void
read_error(struct ipc_pack_reader *r, const msgpack_object *root,
	   struct ipc_response *resp)
{
	const msgpack_object *why = ipc_pack_get(root, "error");
	resp->error = why != NULL ? ipc_pack_take_str(r, why, IPC_RESPONSE_MAX)
				  : "";
	const msgpack_object *code = ipc_pack_get(root, "code");
	resp->code = RUMOR_ESTATE;
	if (code == NULL)
		return;
	if (code->type != MSGPACK_OBJECT_NEGATIVE_INTEGER ||
	    code->via.i64 < -0xffff)
		ipc_pack_bad(r, RUMOR_EMALFORMED);
	else
		resp->code = (int)code->via.i64;
}

/* The answer to a pick, or a watch event: one item, not a list. */
static void
read_one(struct ipc_pack_reader *r, const msgpack_object *root,
	 struct ipc_response *resp)
{
	resp->count = 1;
	if (resp->body == IPC_BODY_EVENT) {
		struct ipc_event *ev = ipc_pack_alloc(r, 1, sizeof(*ev));
		if (ev != NULL)
			read_event(r, root, ev);
		resp->event = ev;
	} else {
		struct ipc_instance *in = ipc_pack_alloc(r, 1, sizeof(*in));
		if (in != NULL)
			read_instance(r, ipc_pack_get(root, "instance"), in);
		resp->instances = in;
	}
}

static void
read_stats(struct ipc_pack_reader *r, const msgpack_object *o,
	   struct ipc_response *resp)
{
	struct ipc_stat *list = ipc_pack_alloc(r, resp->count, sizeof(*list));
	for (size_t i = 0; list != NULL && i < resp->count; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		list[i].name = ipc_pack_take_str(r, &kv->key, IPC_NAME_MAX);
		list[i].value = ipc_pack_take_uint(r, &kv->val, UINT64_MAX);
	}
	resp->stats = list;
}

/* The body of an ok answer (or an event frame). */
static void
read_body(struct ipc_pack_reader *r, const msgpack_object *root,
	  struct ipc_response *resp)
{
	enum ipc_body body = resp->body;
	if (body == IPC_BODY_NONE)
		return;
	if (body == IPC_BODY_EVENT || body == IPC_BODY_INSTANCE) {
		read_one(r, root, resp);
		return;
	}
	bool stats = body == IPC_BODY_STATS;
	const msgpack_object *o = ipc_pack_take(
		r, ipc_pack_get(root, body_keys[body]),
		stats ? MSGPACK_OBJECT_MAP : MSGPACK_OBJECT_ARRAY);
	if (o == NULL)
		return;
	size_t n = resp->count = stats ? o->via.map.size : o->via.array.size;
	if (stats) {
		read_stats(r, o, resp);
		return;
	}
	const msgpack_object *a = o->via.array.ptr;
	if (body == IPC_BODY_MEMBERS) {
		struct ipc_member *list = ipc_pack_alloc(r, n, sizeof(*list));
		for (size_t i = 0; list != NULL && i < n; i++)
			read_member(r, &a[i], &list[i]);
		resp->members = list;
	} else if (body == IPC_BODY_INSTANCES) {
		struct ipc_instance *list = ipc_pack_alloc(r, n, sizeof(*list));
		for (size_t i = 0; list != NULL && i < n; i++)
			read_instance(r, &a[i], &list[i]);
		resp->instances = list;
	} else {
		struct ipc_summary *list = ipc_pack_alloc(r, n, sizeof(*list));
		for (size_t i = 0; list != NULL && i < n; i++)
			read_summary(r, &a[i], &list[i]);
		resp->services = list;
	}
}

int
ipc_response_decode(struct ipc_response *resp, enum ipc_body body,
		    const uint8_t *data, size_t size)
{
	memset(resp, 0, sizeof(*resp));
	if (body >= ipc_body_MAX ||
	    mpscan_unpack(&resp->unpacked, data, size,
			  IPC_RESPONSE_CONTAINER_MAX,
			  IPC_RESPONSE_OBJECTS_MAX) != MPSCAN_OK)
		return RUMOR_EMALFORMED;
	const msgpack_object *root = &resp->unpacked.data;
	struct ipc_pack_reader r = {.zone = resp->unpacked.zone};
	const msgpack_object *ok = ipc_pack_get(root, "ok");
	if (root->type != MSGPACK_OBJECT_MAP ||
	    (body != IPC_BODY_EVENT &&
	     (ok == NULL || ok->type != MSGPACK_OBJECT_BOOLEAN))) {
		ipc_pack_bad(&r, RUMOR_EMALFORMED);
	} else if (ok != NULL && ok->type == MSGPACK_OBJECT_BOOLEAN &&
		   !ok->via.boolean) {
		/* Also in a watch: the agent's last word (it cut us off). */
		read_error(&r, root, resp);
	} else {
		resp->ok = true;
		resp->body = body;
		read_body(&r, root, resp);
	}
	if (r.err != 0) {
		msgpack_unpacked_destroy(&resp->unpacked);
		memset(resp, 0, sizeof(*resp));
	}
	return r.err;
}

void
ipc_response_destroy(struct ipc_response *resp)
{
	msgpack_unpacked_destroy(&resp->unpacked);
}
