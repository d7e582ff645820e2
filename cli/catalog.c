/*
 * catalog: local registrations, their file, and the socket's catalog
 * requests (see catalog.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "datadir.h"
#include "log.h"
#include "rumor/error.h"

#define CATALOG_FILE "services"

static void
announced(struct service *const *list, size_t count, struct service *shown,
	  const struct service **ptrs);

static const char *set_health(struct catalog *c, size_t i,
			      enum service_health health, uint64_t now_ms);

/* A check's verdict: announce a change of health. */
static void
check_result(void *arg, const char *id, enum service_health health)
{
	struct catalog *c = arg;
	for (size_t i = 0; i < c->count; i++) {
		if (strcmp(c->local[i]->id, id) != 0)
			continue;
		if (c->local[i]->health == health)
			return;
		const char *why = set_health(c, i, health, uv_now(c->loop));
		if (why != NULL)
			log_line(LOG_WARN, "service %s: check says %s, but: %s",
				 id, service_health_strs[health], why);
		else
			log_line(LOG_INFO, "service %s: %s", id,
				 service_health_strs[health]);
		c->changed(c->changed_arg);
		return;
	}
}

int
catalog_open(struct catalog *c, struct node *node, const char *dir,
	     uint64_t rand_seed, uv_loop_t *loop, void (*changed)(void *),
	     void *changed_arg)
{
	*c = (struct catalog){.node = node, .dir = dir,
			      .rand_state = rand_seed | 1, .loop = loop,
			      .changed = changed, .changed_arg = changed_arg};
	checks_create(&c->checks, loop, check_result, c);
	uint64_t now_ms = uv_now(loop);
	if (dir == NULL)
		return 0; /* no data dir: registrations live in memory */
	if ((size_t)snprintf(c->path, sizeof(c->path), "%s/%s", dir,
			     CATALOG_FILE) >= sizeof(c->path)) {
		fprintf(stderr, "rumor: data dir path too long: %s\n", dir);
		return -1;
	}
	FILE *f = fopen(c->path, "rb");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "rumor: services file %s: %s\n", c->path,
			log_strerror(errno));
		return -1;
	}
	uint8_t *buf = malloc(SERVICE_SET_BYTES_MAX + 1);
	size_t size = buf ? fread(buf, 1, SERVICE_SET_BYTES_MAX + 1, f) : 0;
	bool err = ferror(f);
	fclose(f);
	struct service_set set = {0};
	const char *why = "cannot read it";
	if (buf == NULL || err ||
	    service_set_decode(&set, buf, size, &why) != 0) {
		fprintf(stderr, "rumor: services file %s: %s\n", c->path, why);
		free(buf);
		return -1;
	}
	free(buf);
	struct service shown[SERVICE_PER_NODE_MAX];
	const struct service *ptrs[SERVICE_PER_NODE_MAX];
	announced(set.services, set.count, shown, ptrs);
	int rc = node_set_services(node, now_ms, ptrs, set.count, &why);
	if (rc != 0) {
		fprintf(stderr, "rumor: services file %s: %s\n", c->path,
			rc == RUMOR_EINVAL || rc == RUMOR_ETOOBIG
				? why : rumor_strerror(rc));
		service_set_destroy(&set);
		return -1;
	}
	for (size_t i = 0; i < set.count; i++) {
		c->local[i] = set.services[i];
		c->deadline_ms[i] = now_ms + set.services[i]->ttl_ms;
	}
	c->count = set.count;
	free(set.services);
	checks_sync(&c->checks, c->local, c->count);
	return 0;
}

void
catalog_stop(struct catalog *c)
{
	checks_stop(&c->checks);
}

void
catalog_close(struct catalog *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->local[i]);
	c->count = 0;
}

/* ---- responses -------------------------------------------------------- */

static void
pack_ok(msgpack_packer *pk, size_t fields)
{
	msgpack_pack_map(pk, fields + 1);
	ipc_pack_cstr(pk, "ok");
	msgpack_pack_true(pk);
}

static void
error_frame(msgpack_sbuffer *out, const char *why)
{
	msgpack_sbuffer_clear(out);
	ipc_error_encode(out, why);
}

/* An instance's address: its own, or its node's when it has none. */
static const char *
address_of(struct catalog *c, const char *node, const char *address,
	   char *buf, size_t size)
{
	struct swim_member_info m;
	if (address[0] != '\0' ||
	    swim_member_find(node_swim(c->node), node, &m) != 0)
		return address;
	swim_addr_str(&m.addr, buf, size);
	char *colon = strrchr(buf, ':');
	if (colon != NULL)
		*colon = '\0';
	return buf;
}

/* One instance. */
static void
pack_instance(struct catalog *c, msgpack_packer *pk,
	      const struct registry_instance *in)
{
	const struct service *s = in->service;
	char addr[32];
	const char *address = address_of(c, in->node, s->address, addr,
					 sizeof(addr));
	msgpack_pack_map(pk, 8);
	ipc_pack_cstr(pk, "node");
	ipc_pack_cstr(pk, in->node);
	ipc_pack_cstr(pk, "id");
	ipc_pack_cstr(pk, s->id);
	ipc_pack_cstr(pk, "service");
	ipc_pack_cstr(pk, s->name);
	ipc_pack_cstr(pk, "address");
	ipc_pack_cstr(pk, address);
	ipc_pack_cstr(pk, "port");
	msgpack_pack_uint16(pk, s->port);
	ipc_pack_cstr(pk, "tags");
	msgpack_pack_array(pk, s->tag_count);
	for (size_t i = 0; i < s->tag_count; i++)
		ipc_pack_cstr(pk, s->tags[i]);
	ipc_pack_cstr(pk, "meta");
	msgpack_pack_map(pk, s->meta_count);
	for (size_t i = 0; i < s->meta_count; i++) {
		ipc_pack_cstr(pk, s->meta[i].key);
		ipc_pack_cstr(pk, s->meta[i].value);
	}
	ipc_pack_cstr(pk, "health");
	ipc_pack_cstr(pk, in->healthy ? "passing" : "critical");
}

static void
lookup(struct catalog *c, const struct ipc_request *req, msgpack_packer *pk)
{
	struct registry *r = node_registry(c->node);
	struct registry_query q = {.name = req->name,
				   .tag = req->tag[0] ? req->tag : NULL,
				   .include_critical = req->all};
	size_t total = registry_lookup(r, &q, NULL, 0);
	struct registry_instance *list = malloc((total ? total : 1) *
						sizeof(*list));
	size_t n = list ? registry_lookup(r, &q, list, total) : 0;
	pack_ok(pk, 1);
	ipc_pack_cstr(pk, "instances");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		pack_instance(c, pk, &list[i]);
	free(list);
}

static void
services(struct catalog *c, msgpack_packer *pk)
{
	struct registry *r = node_registry(c->node);
	size_t total = registry_services(r, NULL, 0);
	struct registry_summary *list = malloc((total ? total : 1) *
					       sizeof(*list));
	size_t n = list ? registry_services(r, list, total) : 0;
	pack_ok(pk, 1);
	ipc_pack_cstr(pk, "services");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_map(pk, 3);
		ipc_pack_cstr(pk, "name");
		ipc_pack_cstr(pk, list[i].name);
		ipc_pack_cstr(pk, "healthy");
		msgpack_pack_uint64(pk, list[i].healthy);
		ipc_pack_cstr(pk, "total");
		msgpack_pack_uint64(pk, list[i].total);
	}
	free(list);
}

/* splitmix64: the picks' draws. */
static uint64_t
next_draw(struct catalog *c)
{
	uint64_t z = (c->rand_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- registrations ---------------------------------------------------- */

/* The bytes of the file for list (kept as the set codec). */
static int
file_bytes(struct service *const *list, size_t count, uint8_t **bytes,
	   size_t *size)
{
	return service_set_encode(0, list, count, bytes, size);
}

/*
 * Make `list` this agent's services: check it (nothing changes on
 * error), keep it in the file, then announce it. An acknowledged
 * registration is on disk before the cluster hears of it; if the
 * announcement still fails, the old file goes back. Returns NULL or why.
 */
/* What the cluster hears: the services without their check (shallow
 * copies in shown[], pointers in ptrs[]). */
static void
announced(struct service *const *list, size_t count, struct service *shown,
	  const struct service **ptrs)
{
	for (size_t i = 0; i < count; i++) {
		shown[i] = *list[i];
		shown[i].check = (struct service_check){0};
		ptrs[i] = &shown[i];
	}
}

static const char *
commit(struct catalog *c, struct service **list, size_t count,
       uint64_t now_ms)
{
	const char *why = "invalid services";
	for (size_t i = 0; i < count; i++) {
		if (service_validate(list[i], &why) != 0)
			return why;
	}
	struct service shown[SERVICE_PER_NODE_MAX];
	const struct service *ptrs[SERVICE_PER_NODE_MAX];
	announced(list, count, shown, ptrs);
	int rc = node_check_services(c->node, ptrs, count, &why);
	if (rc != 0)
		return why;
	uint8_t *bytes;
	size_t size;
	if (file_bytes(list, count, &bytes, &size) != 0)
		return "out of memory";
	if (c->dir != NULL && datadir_write(c->dir, c->path, bytes, size) != 0) {
		snprintf(c->err, sizeof(c->err), "cannot keep the "
			 "registration in %s: %s", c->path,
			 log_strerror(errno));
		free(bytes);
		return c->err;
	}
	free(bytes);
	rc = node_set_services(c->node, now_ms, ptrs, count, &why);
	if (rc == 0)
		return NULL;
	if (c->dir != NULL &&
	    file_bytes(c->local, c->count, &bytes, &size) == 0) {
		datadir_write(c->dir, c->path, bytes, size);
		free(bytes);
	}
	return why;
}

static const char *
do_register(struct catalog *c, const struct service *s, uint64_t now_ms)
{
	struct service *list[SERVICE_PER_NODE_MAX];
	size_t count = 0, replaced = SIZE_MAX;
	for (size_t i = 0; i < c->count; i++) {
		if (strcmp(c->local[i]->id, s->id) == 0)
			replaced = i;
		list[count++] = c->local[i];
	}
	if (replaced == SIZE_MAX && count == SERVICE_PER_NODE_MAX)
		return "this agent has the most services it may register";
	/* A checked service is critical until its first check passes. */
	struct service tmp = *s;
	if (tmp.check.kind != SERVICE_CHECK_NONE)
		tmp.health = SERVICE_HEALTH_CRITICAL;
	struct service *copy = service_dup(&tmp);
	if (copy == NULL)
		return "out of memory";
	size_t at = replaced != SIZE_MAX ? replaced : count++;
	list[at] = copy;
	const char *why = commit(c, list, count, now_ms);
	if (why != NULL) {
		free(copy);
		return why;
	}
	if (replaced != SIZE_MAX)
		free(c->local[replaced]);
	memcpy(c->local, list, count * sizeof(*list));
	c->deadline_ms[at] = now_ms + copy->ttl_ms;
	c->count = count;
	checks_sync(&c->checks, c->local, c->count);
	return NULL;
}

/* Swap local[i]'s health (a TTL pass or expiry); NULL or why not. */
static const char *
set_health(struct catalog *c, size_t i, enum service_health health,
	   uint64_t now_ms)
{
	struct service tmp = *c->local[i];
	tmp.health = health;
	struct service *copy = service_dup(&tmp);
	if (copy == NULL)
		return "out of memory";
	struct service *list[SERVICE_PER_NODE_MAX];
	memcpy(list, c->local, c->count * sizeof(*list));
	list[i] = copy;
	const char *why = commit(c, list, c->count, now_ms);
	if (why != NULL) {
		free(copy);
		return why;
	}
	free(c->local[i]);
	c->local[i] = copy;
	return NULL;
}

static const char *
do_pass(struct catalog *c, const char *id, uint64_t now_ms)
{
	for (size_t i = 0; i < c->count; i++) {
		struct service *s = c->local[i];
		if (strcmp(s->id, id) != 0)
			continue;
		if (s->ttl_ms == 0)
			return "that service has no TTL check (register it "
			       "with --ttl)";
		c->deadline_ms[i] = now_ms + s->ttl_ms;
		if (s->health == SERVICE_HEALTH_PASSING)
			return NULL;
		return set_health(c, i, SERVICE_HEALTH_PASSING, now_ms);
	}
	return "no service with that id is registered on this agent";
}

void
catalog_tick(struct catalog *c, uint64_t now_ms)
{
	for (size_t i = 0; i < c->count; i++) {
		struct service *s = c->local[i];
		if (s->ttl_ms == 0 || s->health != SERVICE_HEALTH_PASSING ||
		    now_ms < c->deadline_ms[i])
			continue;
		const char *why = set_health(c, i, SERVICE_HEALTH_CRITICAL,
					     now_ms);
		if (why != NULL) {
			/* Try again in a second, not in a busy loop. */
			c->deadline_ms[i] = now_ms + 1000;
			log_line(LOG_WARN, "service %s: TTL expired, but: %s",
				 s->id, why);
		} else {
			log_line(LOG_INFO, "service %s: TTL expired, critical",
				 c->local[i]->id);
		}
	}
}

uint64_t
catalog_next_deadline_ms(const struct catalog *c)
{
	uint64_t next = UINT64_MAX;
	for (size_t i = 0; i < c->count; i++) {
		const struct service *s = c->local[i];
		if (s->ttl_ms != 0 && s->health == SERVICE_HEALTH_PASSING &&
		    c->deadline_ms[i] < next)
			next = c->deadline_ms[i];
	}
	return next;
}

static const char *
do_deregister(struct catalog *c, const char *id, uint64_t now_ms)
{
	struct service *list[SERVICE_PER_NODE_MAX];
	uint64_t deadlines[SERVICE_PER_NODE_MAX];
	size_t count = 0, gone = SIZE_MAX;
	for (size_t i = 0; i < c->count; i++) {
		if (strcmp(c->local[i]->id, id) == 0) {
			gone = i;
			continue;
		}
		deadlines[count] = c->deadline_ms[i];
		list[count++] = c->local[i];
	}
	if (gone == SIZE_MAX)
		return "no service with that id is registered on this agent";
	const char *why = commit(c, list, count, now_ms);
	if (why != NULL)
		return why;
	free(c->local[gone]);
	memcpy(c->local, list, count * sizeof(*list));
	memcpy(c->deadline_ms, deadlines, count * sizeof(*deadlines));
	c->count = count;
	checks_sync(&c->checks, c->local, c->count);
	return NULL;
}

void
catalog_request(struct catalog *c, const struct ipc_request *req,
		uint64_t now_ms, msgpack_sbuffer *out)
{
	const char *why = NULL;
	if (req->op == IPC_OP_REGISTER)
		why = do_register(c, req->reg.services[0], now_ms);
	else if (req->op == IPC_OP_DEREGISTER)
		why = do_deregister(c, req->name, now_ms);
	else if (req->op == IPC_OP_PASS)
		why = do_pass(c, req->name, now_ms);
	if (why != NULL) {
		error_frame(out, why);
		return;
	}
	msgpack_packer pk;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	ipc_frame_begin(out);
	switch (req->op) {
	case IPC_OP_LOOKUP:
		lookup(c, req, &pk);
		break;
	case IPC_OP_SERVICES:
		services(c, &pk);
		break;
	case IPC_OP_PICK: {
		struct registry_query q = {.name = req->name,
					   .tag = req->tag[0] ? req->tag : NULL};
		struct registry_instance in;
		if (registry_pick(node_registry(c->node), &q, req->policy,
				  next_draw(c), &in) != 0) {
			error_frame(out, "no healthy instance");
			return;
		}
		pack_ok(&pk, 1);
		ipc_pack_cstr(&pk, "instance");
		pack_instance(c, &pk, &in);
		break;
	}
	default:
		pack_ok(&pk, 0);
		break;
	}
	if (ipc_frame_end(out) != 0)
		error_frame(out, "response too large");
}

void
catalog_pump(struct catalog *c, struct ipc_server *srv)
{
	struct registry_event ev;
	while (registry_poll_event(node_registry(c->node), &ev)) {
		if (srv->watcher_count == 0)
			continue;
		char addr[32];
		const char *address = address_of(c, ev.node, ev.address, addr,
						 sizeof(addr));
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		msgpack_packer pk;
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		ipc_frame_begin(&sb);
		msgpack_pack_map(&pk, 7);
		ipc_pack_cstr(&pk, "event");
		ipc_pack_cstr(&pk, registry_event_type_strs[ev.type]);
		ipc_pack_cstr(&pk, "node");
		ipc_pack_cstr(&pk, ev.node);
		ipc_pack_cstr(&pk, "id");
		ipc_pack_cstr(&pk, ev.id);
		ipc_pack_cstr(&pk, "service");
		ipc_pack_cstr(&pk, ev.name);
		ipc_pack_cstr(&pk, "address");
		ipc_pack_cstr(&pk, address);
		ipc_pack_cstr(&pk, "port");
		msgpack_pack_uint16(&pk, ev.port);
		ipc_pack_cstr(&pk, "health");
		ipc_pack_cstr(&pk, ev.healthy ? "passing" : "critical");
		if (ipc_frame_end(&sb) == 0)
			ipc_server_watch_send(srv, ev.name,
					      (const uint8_t *)sb.data,
					      sb.size);
		msgpack_sbuffer_destroy(&sb);
	}
}
