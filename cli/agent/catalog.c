/*
 * catalog: this agent's registrations (see catalog.h).
 *
 * Every change builds the whole next state (struct entries) beside the
 * current one and installs it in three steps, each of which can refuse:
 * the node checks the announcement, the file takes it, the node adopts
 * it. Only then do the new services replace the old ones; on any
 * refusal the new copies are freed and nothing changed. The order keeps
 * the promise of an acknowledged registration: it is on disk before the
 * cluster hears of it.
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
/** A TTL expiry we failed to announce is tried again this much later. */
#define CATALOG_RETRY_MS 1000

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

static int set_health(struct catalog *c, size_t i, enum service_health health,
		      uint64_t now_ms, char *err);

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
		char err[LOG_ERR_SIZE];
		if (set_health(c, i, health, uv_now(c->loop), err) != 0)
			log_line(LOG_WARN, "service %s: check says %s, but: %s",
				 id, service_health_strs[health], err);
		else
			log_line(LOG_INFO, "service %s: %s", id,
				 service_health_strs[health]);
		c->changed(c->changed_arg);
		return;
	}
}

void
catalog_init(struct catalog *c, struct node *node, uv_loop_t *loop,
	     catalog_changed_cb changed, void *changed_arg)
{
	*c = (struct catalog){.node = node, .loop = loop, .changed = changed,
			      .changed_arg = changed_arg};
	checks_init(&c->checks, loop, check_result, c);
}

/* Our file's set, decoded into *set (*found false when there is no file
 * yet). */
static int
read_file(struct catalog *c, struct service_set *set, bool *found,
	  char *err)
{
	FILE *f = fopen(c->path, "rb");
	*found = f != NULL;
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		return log_err(err, RUMOR_EIO, "services file %s: %s", c->path,
			       log_strerror(errno));
	}
	uint8_t *buf = malloc(SERVICE_SET_BYTES_MAX + 1);
	size_t size = buf ? fread(buf, 1, SERVICE_SET_BYTES_MAX + 1, f) : 0;
	bool failed = ferror(f);
	fclose(f);
	const char *why = "cannot read it";
	int rc = buf == NULL || failed ? RUMOR_EIO
				       : service_set_decode(set, buf, size,
							    &why);
	free(buf);
	if (rc != 0)
		return log_err(err, rc, "services file %s: %s", c->path, why);
	return 0;
}

int
catalog_start(struct catalog *c, const char *dir, char *err)
{
	c->dir = dir;
	if (dir == NULL)
		return 0; /* no data dir: registrations live in memory */
	if ((size_t)snprintf(c->path, sizeof(c->path), "%s/%s", dir,
			     CATALOG_FILE) >= sizeof(c->path))
		return log_err(err, RUMOR_EINVAL, "data dir path too long: %s",
			       dir);
	struct service_set set = {0};
	bool found;
	int rc = read_file(c, &set, &found, err);
	if (rc != 0 || !found)
		return rc;
	uint64_t now_ms = uv_now(c->loop);
	struct announced a;
	announced_fill(&a, set.services, set.count);
	const char *why = NULL;
	rc = node_set_services(c->node, now_ms, a.ptrs, set.count, &why);
	if (rc != 0) {
		log_err(err, rc, "services file %s: %s", c->path,
			rc == RUMOR_EINVAL || rc == RUMOR_ETOOBIG
				? why : rumor_strerror(rc));
		service_set_destroy(&set);
		return rc;
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

void
catalog_stats(const struct catalog *c, struct catalog_stats *out)
{
	out->services_local = c->count;
	checks_stats(&c->checks, &out->checks);
}

/* ---- changes ------------------------------------------------------------ */

/* Write our file for list (the set codec), config-defined services
 * (config[i]) left out; err holds the system's reason on failure. */
static int
write_file(struct catalog *c, struct service *const *list, const bool *config,
	   size_t count, char *err)
{
	const struct service *kept[SERVICE_PER_NODE_MAX];
	size_t n = 0;
	for (size_t i = 0; i < count; i++) {
		if (!config[i])
			kept[n++] = list[i];
	}
	uint8_t *bytes;
	size_t size;
	int rc = service_set_encode(0, kept, n, &bytes, &size);
	if (rc != 0)
		return log_err(err, rc, "%s", rumor_strerror(rc));
	rc = datadir_write(c->dir, c->path, bytes, size, err);
	free(bytes);
	return rc;
}

/*
 * Make `list` this agent's services: check it (nothing changes on
 * error), keep it in the file, then announce it. If the announcement
 * still fails, the old file goes back; if even that fails, the file
 * holds what the node refused until the next change rewrites it, and
 * err and the log say so.
 */
static int
commit(struct catalog *c, struct service **list, const bool *config,
       size_t count, uint64_t now_ms, char *err)
{
	const char *why = "invalid services";
	for (size_t i = 0; i < count; i++) {
		if (service_validate(list[i], &why) != 0)
			return log_err(err, RUMOR_EINVAL, "%s", why);
	}
	struct announced a;
	announced_fill(&a, list, count);
	int rc = node_check_services(c->node, a.ptrs, count, &why);
	if (rc != 0)
		return log_err(err, rc, "%s", why);
	char sys[LOG_ERR_SIZE];
	if (c->dir != NULL &&
	    (rc = write_file(c, list, config, count, sys)) != 0)
		return log_err(err, rc, "cannot keep the registration in %s: "
			       "%s", c->path, sys);
	why = NULL;
	rc = node_set_services(c->node, now_ms, a.ptrs, count, &why);
	if (rc == 0)
		return 0;
	log_err(err, rc, "%s", why != NULL ? why : rumor_strerror(rc));
	if (c->dir != NULL &&
	    write_file(c, c->local, c->from_config, c->count, sys) != 0) {
		log_line(LOG_ERROR, "services file %s: the node refused the "
			 "new registrations (%s) and the old ones cannot be "
			 "put back: %s", c->path, err, sys);
		size_t len = strlen(err);
		snprintf(err + len, LOG_ERR_SIZE - len, "; and the old "
			 "registrations cannot be put back in %s: %s",
			 c->path, sys);
	}
	return rc;
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
 * on success, services only e holds (the new copies) on failure.
 */
static int
install(struct catalog *c, struct entries *e, uint64_t now_ms, char *err)
{
	int rc = commit(c, e->svc, e->config, e->count, now_ms, err);
	struct service *const *keep = rc != 0 ? c->local : e->svc;
	size_t keep_count = rc != 0 ? c->count : e->count;
	struct service *const *drop = rc != 0 ? e->svc : c->local;
	size_t drop_count = rc != 0 ? e->count : c->count;
	for (size_t i = 0; i < drop_count; i++) {
		if (!holds(keep, keep_count, drop[i]))
			free(drop[i]);
	}
	if (rc != 0)
		return rc;
	c->count = e->count;
	memcpy(c->local, e->svc, e->count * sizeof(*e->svc));
	memcpy(c->from_config, e->config, e->count * sizeof(*e->config));
	memcpy(c->deadline_ms, e->deadline, e->count * sizeof(*e->deadline));
	checks_sync(&c->checks, c->local, c->count);
	return 0;
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

static int
out_of_memory(char *err)
{
	return log_err(err, RUMOR_ENOMEM, "out of memory");
}

int
catalog_register(struct catalog *c, const struct service *s,
		 uint64_t now_ms, char *err)
{
	/* A check that could never run is refused, not left critical. */
	int rc = checks_validate(&s->check, err);
	if (rc != 0)
		return rc;
	struct entries *e = malloc(sizeof(*e));
	struct service *copy = fresh_copy(s);
	if (e == NULL || copy == NULL) {
		rc = out_of_memory(err);
	} else {
		entries_from(c, e);
		if (entries_put(e, copy, false, now_ms)) {
			copy = NULL; /* install frees it on failure */
			rc = install(c, e, now_ms, err);
		} else {
			rc = log_err(err, RUMOR_ELIMIT, "this agent has the "
				     "most services it may register");
		}
	}
	free(copy);
	free(e);
	return rc;
}

/* Swap local[i]'s health (a check, a TTL pass or expiry). The deadline
 * stays as it is. */
static int
set_health(struct catalog *c, size_t i, enum service_health health,
	   uint64_t now_ms, char *err)
{
	struct entries *e = malloc(sizeof(*e));
	struct service tmp = *c->local[i];
	tmp.health = health;
	struct service *copy = service_dup(&tmp);
	int rc;
	if (e == NULL || copy == NULL) {
		free(copy);
		rc = out_of_memory(err);
	} else {
		entries_from(c, e);
		e->svc[i] = copy;
		rc = install(c, e, now_ms, err);
	}
	free(e);
	return rc;
}

static int
not_ours(char *err)
{
	return log_err(err, RUMOR_ENOTFOUND, "no service with that id is "
		       "registered on this agent");
}

int
catalog_deregister(struct catalog *c, const char *id, uint64_t now_ms,
		   char *err)
{
	struct entries *e = malloc(sizeof(*e));
	if (e == NULL)
		return out_of_memory(err);
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
	int rc = found ? install(c, e, now_ms, err) : not_ours(err);
	free(e);
	return rc;
}

/* The config-defined service `mine` into e: an unchanged definition keeps
 * the state and health it has; false when e is full (mine freed unless
 * it is ours). */
static bool
config_put(struct catalog *c, struct entries *e, struct service *mine,
	   uint64_t now_ms)
{
	for (size_t k = 0; k < c->count; k++) {
		struct service *prev = c->local[k];
		if (!c->from_config[k] || strcmp(prev->id, mine->id) != 0)
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
	if (entries_put(e, mine, true, now_ms))
		return true;
	if (!reused)
		free(mine);
	return false;
}

int
catalog_set_config(struct catalog *c, struct service **list, size_t count,
		   uint64_t now_ms, char *err)
{
	struct entries *e = malloc(sizeof(*e));
	int rc = e == NULL ? out_of_memory(err) : 0;
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
		if (rc != 0)
			free(mine);
		else if (!config_put(c, e, mine, now_ms))
			rc = log_err(err, RUMOR_ELIMIT,
				     "too many services on this agent");
	}
	if (rc == 0) {
		rc = install(c, e, now_ms, err);
	} else if (e != NULL) {
		for (size_t k = 0; k < e->count; k++) {
			if (!holds(c->local, c->count, e->svc[k]))
				free(e->svc[k]);
		}
	}
	free(list);
	free(e);
	return rc;
}

int
catalog_pass(struct catalog *c, const char *id, uint64_t now_ms, char *err)
{
	for (size_t i = 0; i < c->count; i++) {
		struct service *s = c->local[i];
		if (strcmp(s->id, id) != 0)
			continue;
		if (s->ttl_ms == 0)
			return log_err(err, RUMOR_ESTATE, "that service has no "
				       "TTL check (register it with --ttl)");
		c->deadline_ms[i] = now_ms + s->ttl_ms;
		if (s->health == SERVICE_HEALTH_PASSING)
			return 0;
		return set_health(c, i, SERVICE_HEALTH_PASSING, now_ms, err);
	}
	return not_ours(err);
}

void
catalog_tick(struct catalog *c, uint64_t now_ms)
{
	for (size_t i = 0; i < c->count; i++) {
		struct service *s = c->local[i];
		if (s->ttl_ms == 0 || s->health != SERVICE_HEALTH_PASSING ||
		    now_ms < c->deadline_ms[i])
			continue;
		char err[LOG_ERR_SIZE];
		if (set_health(c, i, SERVICE_HEALTH_CRITICAL, now_ms, err) !=
		    0) {
			/* Try again in a second, not in a busy loop. */
			c->deadline_ms[i] = now_ms + CATALOG_RETRY_MS;
			log_line(LOG_WARN, "service %s: TTL expired, but: %s",
				 s->id, err);
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
