/*
 * checks: the health checks an agent runs for the services registered on
 * it (membership/service.h, struct service_check), in its own loop and
 * never blocking it: a TCP connect, an HTTP GET (2xx is passing) or a
 * /bin/sh command (exit 0 is passing), each bounded by its timeout, every
 * interval (the first at once). A check that is still running when the
 * next is due skips that round.
 */
#ifndef RUMOR_CHECKS_H
#define RUMOR_CHECKS_H

#include <uv.h>

#include "list.h"
#include "membership/service.h"

struct check_runner;

/** Where results go: the service id and its new health. */
typedef void (*checks_result_cb)(void *arg, const char *id,
				 enum service_health health);

/** Counters for `rumor stats`. */
struct checks_stats {
	/** Checks run, and of those, not passing. */
	uint64_t runs;
	uint64_t failures;
};

struct checks {
	uv_loop_t *loop;
	checks_result_cb on_result;
	void *arg;
	/** One runner per checked service (struct check_runner.link). */
	struct list runners;
	/** Probes still closing after their runner went away. */
	size_t orphans;
	bool stopped;
	struct checks_stats stats;
};

/**
 * Whether a check can run as defined: a TCP target "A.B.C.D:PORT", an
 * HTTP one "http://A.B.C.D[:PORT]/PATH" ("localhost" for 127.0.0.1), a
 * command that is not empty. 0, or RUMOR_EINVAL with one line in err
 * (LOG_ERR_SIZE bytes). A check that runs and fails is logged with its
 * reason when it starts failing (and at most once a second per check).
 */
int
checks_validate(const struct service_check *def, char *err);

/** No checks yet (nothing to fail); results go to cb(arg, ...). */
void
checks_init(struct checks *ch, uv_loop_t *loop, checks_result_cb cb,
	    void *arg);

/** Run exactly the checks of services[] (those with one): start new
 *  ones, restart changed ones, stop the rest. */
void
checks_sync(struct checks *ch, struct service *const *services,
	    size_t count);

/** Stop everything (before the loop closes its handles). */
void
checks_stop(struct checks *ch);

/** The counters as they are now. */
void
checks_stats(const struct checks *ch, struct checks_stats *out);

#endif /* RUMOR_CHECKS_H */
