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

/* What the cluster hears: the services without their check (shallow
 * copies in shown[], pointers to them in ptrs[]). */
struct announced {
	struct service shown[SERVICE_PER_NODE_MAX];
	const struct service *ptrs[SERVICE_PER_NODE_MAX];
};

static void
announced_fill(struct announced *a, struct service *const *list,
	       size_t count)
{
	for (size_t i = 0; i < count; i++) {
		a->shown[i] = *list[i];
		a->shown[i].check = (struct service_check){0};
		a->ptrs[i] = &a->shown[i];
	}
	for (size_t i = count; i < SERVICE_PER_NODE_MAX; i++)
		a->ptrs[i] = NULL;
}

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
	struct announced a;
	announced_fill(&a, set.services, set.count);
	int rc = node_set_services(node, now_ms, a.ptrs, set.count, &why);
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
	for (size_t i = 0; i < CATALOG_CACHE_SLOTS; i++) {
		if (c->cache[i].frame.data != NULL)
			msgpack_sbuffer_destroy(&c->cache[i].frame);
		c->cache[i].generation = 0;
	}
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
	/* The node's address without its gossip port. */
	swim_addr_str(&m.addr, buf, size);
	*strrchr(buf, ':') = '\0';
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

/* false when out of memory (nothing packed) */
static bool
lookup(struct catalog *c, const struct ipc_request *req, msgpack_packer *pk)
{
	struct registry *r = node_registry(c->node);
	struct registry_query q = {.name = req->name,
				   .tag = req->tag[0] ? req->tag : NULL,
				   .include_critical = req->all};
	/* Most answers fit the stack; a bigger one is asked again. */
	struct registry_instance small[64], *list = small;
	size_t n = registry_lookup(r, &q, small, 64);
	if (n > 64) {
		list = malloc(n * sizeof(*list));
		if (list == NULL)
			return false;
		n = registry_lookup(r, &q, list, n);
	}
	pack_ok(pk, 1);
	ipc_pack_cstr(pk, "instances");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		pack_instance(c, pk, &list[i]);
	if (list != small)
		free(list);
	return true;
}

static void
services(struct catalog *c, msgpack_packer *pk)
{
	struct registry *r = node_registry(c->node);
	/* There are no more names than instances: one call fills it. */
	size_t cap = registry_instance_count(r);
	struct registry_summary *list = malloc((cap ? cap : 1) *
					       sizeof(*list));
	size_t n = list ? registry_services(r, list, cap) : 0;
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

/* The bytes of the file for list (the set codec), config-defined
 * services (config[i]) left out. */
static int
file_bytes(struct service *const *list, const bool *config, size_t count,
	   uint8_t **bytes, size_t *size)
{
	struct service *kept[SERVICE_PER_NODE_MAX];
	size_t n = 0;
	for (size_t i = 0; i < count; i++) {
		if (!config[i])
			kept[n++] = list[i];
	}
	return service_set_encode(0, kept, n, bytes, size);
}

/*
 * Make `list` this agent's services: check it (nothing changes on
 * error), keep it in the file, then announce it. An acknowledged
 * registration is on disk before the cluster hears of it; if the
 * announcement still fails, the old file goes back. Returns NULL or why.
 */
static const char *
commit(struct catalog *c, struct service **list, const bool *config,
       size_t count, uint64_t now_ms)
{
	const char *why = "invalid services";
	for (size_t i = 0; i < count; i++) {
		if (service_validate(list[i], &why) != 0)
			return why;
	}
	struct announced a;
	announced_fill(&a, list, count);
	int rc = node_check_services(c->node, a.ptrs, count, &why);
	if (rc != 0)
		return why;
	uint8_t *bytes;
	size_t size;
	if (file_bytes(list, config, count, &bytes, &size) != 0)
		return "out of memory";
	if (c->dir != NULL && datadir_write(c->dir, c->path, bytes, size) != 0) {
		snprintf(c->err, sizeof(c->err), "cannot keep the "
			 "registration in %s: %s", c->path,
			 log_strerror(errno));
		free(bytes);
		return c->err;
	}
	free(bytes);
	rc = node_set_services(c->node, now_ms, a.ptrs, count, &why);
	if (rc == 0)
		return NULL;
	if (c->dir != NULL &&
	    file_bytes(c->local, c->from_config, c->count, &bytes, &size) ==
		    0) {
		datadir_write(c->dir, c->path, bytes, size);
		free(bytes);
	}
	return why;
}

/* A whole new state of our services, built by an operation. */
struct entries {
	struct service *svc[SERVICE_PER_NODE_MAX];
	bool config[SERVICE_PER_NODE_MAX];
	uint64_t deadline[SERVICE_PER_NODE_MAX];
	size_t count;
};

static void
entries_from(const struct catalog *c, struct entries *e)
{
	e->count = c->count;
	memcpy(e->svc, c->local, c->count * sizeof(*e->svc));
	memcpy(e->config, c->from_config, c->count * sizeof(*e->config));
	memcpy(e->deadline, c->deadline_ms, c->count * sizeof(*e->deadline));
}

static bool
holds(struct service *const *list, size_t count, const struct service *s)
{
	for (size_t i = 0; i < count; i++) {
		if (list[i] == s)
			return true;
	}
	return false;
}

/*
 * Commit e and make it ours: services only the old state held are freed
 * on success, services only e holds (the new copies) on failure. Returns
 * NULL or why nothing changed.
 */
static const char *
install(struct catalog *c, struct entries *e, uint64_t now_ms)
{
	const char *why = commit(c, e->svc, e->config, e->count, now_ms);
	struct service *const *keep = why ? c->local : e->svc;
	size_t keep_count = why ? c->count : e->count;
	struct service *const *drop = why ? e->svc : c->local;
	size_t drop_count = why ? e->count : c->count;
	for (size_t i = 0; i < drop_count; i++) {
		if (!holds(keep, keep_count, drop[i]))
			free(drop[i]);
	}
	if (why != NULL)
		return why;
	c->count = e->count;
	memcpy(c->local, e->svc, e->count * sizeof(*e->svc));
	memcpy(c->from_config, e->config, e->count * sizeof(*e->config));
	memcpy(c->deadline_ms, e->deadline, e->count * sizeof(*e->deadline));
	checks_sync(&c->checks, c->local, c->count);
	return NULL;
}

/* Put s in e, replacing the same id; false when full. */
static bool
entries_put(struct entries *e, struct service *s, bool config,
	    uint64_t now_ms)
{
	size_t at = e->count;
	for (size_t i = 0; i < e->count; i++) {
		if (strcmp(e->svc[i]->id, s->id) == 0)
			at = i;
	}
	if (at == SERVICE_PER_NODE_MAX)
		return false;
	if (at == e->count)
		e->count++;
	e->svc[at] = s;
	e->config[at] = config;
	e->deadline[at] = now_ms + s->ttl_ms;
	return true;
}

/* A copy of s as we keep it: a checked service starts critical. */
static struct service *
fresh_copy(const struct service *s)
{
	struct service tmp = *s;
	if (tmp.check.kind != SERVICE_CHECK_NONE)
		tmp.health = SERVICE_HEALTH_CRITICAL;
	return service_dup(&tmp);
}

static const char *
do_register(struct catalog *c, const struct service *s, uint64_t now_ms)
{
	struct entries *e = malloc(sizeof(*e));
	struct service *copy = fresh_copy(s);
	const char *why = NULL;
	if (e == NULL || copy == NULL) {
		why = "out of memory";
	} else {
		entries_from(c, e);
		if (entries_put(e, copy, false, now_ms)) {
			copy = NULL; /* install frees it on failure */
			why = install(c, e, now_ms);
		} else {
			why = "this agent has the most services it may "
			      "register";
		}
	}
	free(copy);
	free(e);
	return why;
}

/* Swap local[i]'s health (a check, a TTL pass or expiry); NULL or why
 * not. The deadline stays as it is. */
static const char *
set_health(struct catalog *c, size_t i, enum service_health health,
	   uint64_t now_ms)
{
	struct entries *e = malloc(sizeof(*e));
	struct service tmp = *c->local[i];
	tmp.health = health;
	struct service *copy = service_dup(&tmp);
	const char *why = NULL;
	if (e == NULL || copy == NULL) {
		free(copy);
		why = "out of memory";
	} else {
		entries_from(c, e);
		e->svc[i] = copy;
		why = install(c, e, now_ms);
	}
	free(e);
	return why;
}

static const char *
do_deregister(struct catalog *c, const char *id, uint64_t now_ms)
{
	struct entries *e = malloc(sizeof(*e));
	if (e == NULL)
		return "out of memory";
	entries_from(c, e);
	size_t n = 0;
	bool found = false;
	for (size_t i = 0; i < e->count; i++) {
		if (strcmp(e->svc[i]->id, id) == 0) {
			found = true;
			continue;
		}
		e->svc[n] = e->svc[i];
		e->config[n] = e->config[i];
		e->deadline[n++] = e->deadline[i];
	}
	e->count = n;
	const char *why = found ? install(c, e, now_ms)
				: "no service with that id is registered on "
				  "this agent";
	free(e);
	return why;
}

const char *
catalog_set_config(struct catalog *c, struct service **list, size_t count,
		   uint64_t now_ms)
{
	struct entries *e = malloc(sizeof(*e));
	const char *why = e == NULL ? "out of memory" : NULL;
	if (e != NULL) {
		/* Keep what the socket registered, drop what config had. */
		e->count = 0;
		for (size_t i = 0; i < c->count; i++) {
			if (c->from_config[i])
				continue;
			e->svc[e->count] = c->local[i];
			e->config[e->count] = false;
			e->deadline[e->count++] = c->deadline_ms[i];
		}
	}
	for (size_t i = 0; i < count; i++) {
		struct service *mine = list[i];
		list[i] = NULL;
		if (why != NULL) {
			free(mine);
			continue;
		}
		/* An unchanged definition keeps its state and health. */
		for (size_t k = 0; k < c->count; k++) {
			struct service *prev = c->local[k];
			if (!c->from_config[k] || strcmp(prev->id, mine->id))
				continue;
			struct service tmp = *mine;
			tmp.health = prev->health;
			if (service_equal(&tmp, prev)) {
				free(mine);
				mine = prev;
			}
		}
		bool reused = holds(c->local, c->count, mine);
		if (!reused && mine->check.kind != SERVICE_CHECK_NONE)
			mine->health = SERVICE_HEALTH_CRITICAL;
		if (!entries_put(e, mine, true, now_ms)) {
			if (!reused)
				free(mine);
			why = "too many services on this agent";
		}
	}
	if (why == NULL) {
		why = install(c, e, now_ms);
	} else if (e != NULL) {
		for (size_t k = 0; k < e->count; k++) {
			if (!holds(c->local, c->count, e->svc[k]))
				free(e->svc[k]);
		}
	}
	free(list);
	free(e);
	return why;
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

/* The cache slot of a lookup (FNV-1a over name, tag and the flag). */
static struct catalog_cached *
cache_slot(struct catalog *c, const struct ipc_request *req)
{
	uint32_t h = 2166136261u;
	for (const char *p = req->name; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (const char *p = req->tag; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ (uint8_t)req->all) * 16777619u;
	return &c->cache[h % CATALOG_CACHE_SLOTS];
}

/* A lookup answered from its cache slot e into the empty out; false on a
 * miss. */
static bool
cache_answer(struct catalog *c, const struct catalog_cached *e,
	     const struct ipc_request *req, msgpack_sbuffer *out)
{
	if (e->generation != registry_generation(node_registry(c->node)) ||
	    e->all != req->all || strcmp(e->name, req->name) != 0 ||
	    strcmp(e->tag, req->tag) != 0 ||
	    msgpack_sbuffer_write(out, e->frame.data, e->frame.size) != 0) {
		c->cache_misses++;
		return false;
	}
	c->cache_hits++;
	return true;
}

/* Keep a lookup's answer frame in its cache slot e for the next same
 * lookup. */
static void
cache_keep(struct catalog *c, struct catalog_cached *e,
	   const struct ipc_request *req, const msgpack_sbuffer *out)
{
	if (out->size > CATALOG_CACHE_FRAME_MAX)
		return;
	if (e->frame.data == NULL)
		msgpack_sbuffer_init(&e->frame);
	e->generation = 0;
	msgpack_sbuffer_clear(&e->frame);
	if (msgpack_sbuffer_write(&e->frame, out->data, out->size) != 0)
		return;
	strcpy(e->name, req->name);
	strcpy(e->tag, req->tag);
	e->all = req->all;
	e->generation = registry_generation(node_registry(c->node));
}

void
catalog_request(struct catalog *c, const struct ipc_request *req,
		uint64_t now_ms, msgpack_sbuffer *out)
{
	struct catalog_cached *cached = NULL;
	if (req->op == IPC_OP_LOOKUP) {
		cached = cache_slot(c, req);
		if (cache_answer(c, cached, req, out))
			return;
	}
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
		if (!lookup(c, req, &pk)) {
			error_frame(out, "out of memory");
			return;
		}
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
	else if (cached != NULL)
		cache_keep(c, cached, req, out);
}

/* Append one watch event frame to sb. */
static void
event_frame(struct catalog *c, msgpack_sbuffer *sb, const char *type,
	    const char *node, const char *id, const char *name,
	    const char *address, uint16_t port, bool healthy)
{
	char addr[32];
	address = address_of(c, node, address, addr, sizeof(addr));
	msgpack_sbuffer frame;
	msgpack_sbuffer_init(&frame);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	ipc_frame_begin(&frame);
	msgpack_pack_map(&pk, 7);
	ipc_pack_cstr(&pk, "event");
	ipc_pack_cstr(&pk, type);
	ipc_pack_cstr(&pk, "node");
	ipc_pack_cstr(&pk, node);
	ipc_pack_cstr(&pk, "id");
	ipc_pack_cstr(&pk, id);
	ipc_pack_cstr(&pk, "service");
	ipc_pack_cstr(&pk, name);
	ipc_pack_cstr(&pk, "address");
	ipc_pack_cstr(&pk, address);
	ipc_pack_cstr(&pk, "port");
	msgpack_pack_uint16(&pk, port);
	ipc_pack_cstr(&pk, "health");
	ipc_pack_cstr(&pk, healthy ? "passing" : "critical");
	if (ipc_frame_end(&frame) == 0)
		msgpack_sbuffer_write(sb, frame.data, frame.size);
	msgpack_sbuffer_destroy(&frame);
}

/* "added" frames for the instances of name (every service when "") as
 * they are now, so a watcher starts from the current state. */
static void
snapshot(struct catalog *c, const char *name, msgpack_sbuffer *out)
{
	struct registry *r = node_registry(c->node);
	size_t cap = registry_instance_count(r);
	struct registry_summary *list = malloc((cap ? cap : 1) *
					       sizeof(*list));
	struct registry_instance *in = malloc((cap ? cap : 1) * sizeof(*in));
	size_t names = list && in ? registry_services(r, list, cap) : 0;
	for (size_t i = 0; i < names; i++) {
		if (name[0] != '\0' && strcmp(name, list[i].name) != 0)
			continue;
		struct registry_query q = {.name = list[i].name,
					   .include_critical = true};
		size_t n = registry_lookup(r, &q, in, cap);
		for (size_t k = 0; k < n; k++) {
			const struct service *s = in[k].service;
			event_frame(c, out, "added", in[k].node, s->id,
				    s->name, s->address, s->port,
				    in[k].healthy);
		}
	}
	free(in);
	free(list);
}

void
catalog_watch_start(struct catalog *c, const struct ipc_request *req,
		    msgpack_sbuffer *out)
{
	ipc_ok_encode(out);
	snapshot(c, req->name, out);
}

void
catalog_pump(struct catalog *c, struct ipc_server *srv)
{
	struct registry_event ev;
	while (registry_poll_event(node_registry(c->node), &ev)) {
		if (srv->watcher_count == 0)
			continue;
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		event_frame(c, &sb, registry_event_type_strs[ev.type], ev.node,
			    ev.id, ev.name, ev.address, ev.port, ev.healthy);
		if (sb.size > 0)
			ipc_server_watch_send(srv, ev.name,
					      (const uint8_t *)sb.data,
					      sb.size);
		msgpack_sbuffer_destroy(&sb);
	}
}
