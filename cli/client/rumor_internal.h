/*
 * rumor_internal: the client library's handle and its transport
 * (rumor_conn.c), under the calls of include/rumor/rumor.h (rumor.c). Not
 * installed.
 */
#ifndef RUMOR_RUMOR_INTERNAL_H
#define RUMOR_RUMOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/ipc/ipc_proto.h"
#include "rumor/rumor.h"

/** Bytes of rumor_last_error() kept (an agent's reason may name a path). */
#define RUMOR__ERROR_SIZE 1024

struct rumor {
	int fd;
	/** The last failure was the agent's refusal. */
	bool refused;
	char error[RUMOR__ERROR_SIZE];
	/** The last answer: what calls hand out points into it. */
	struct ipc_response last;
	/** Requests are encoded here, answers read here (kept, grown). */
	msgpack_sbuffer out;
	uint8_t *in;
	size_t in_cap;
	/** Arrays handed out until the next call (kept, grown). */
	void *list;
	size_t list_size;
	struct rumor_kv *kv;
	size_t kv_cap;
};

/** Set the last error; returns code. */
int
rumor__fail(struct rumor *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Send req and decode its answer, carrying `body`, into r->last (what
 * the previous call handed out is released first). 0 for an ok answer;
 * the agent's code for a refusal (r->refused, its reason as the last
 * error); RUMOR_EIO or RUMOR_EPROTO on the way.
 */
int
rumor__call(struct rumor *r, const struct ipc_request *req,
	    enum ipc_body body);

/** Read and decode the next frame, carrying `body`, into r->last (a
 *  watch's events). Same returns. */
int
rumor__next(struct rumor *r, enum ipc_body body);

/** From now on wait for frames without a time limit (a watch). */
void
rumor__no_timeout(struct rumor *r);

/** At least size bytes in r->list; NULL when out of memory. */
void *
rumor__list(struct rumor *r, size_t size);

/** Room for at least pairs key=value pairs in r->kv (what calls hand
 *  out as meta and tags); NULL when out of memory. */
struct rumor_kv *
rumor__kv(struct rumor *r, size_t pairs);

/** Copy n pairs of the protocol's into the public form at dst; returns
 *  dst + n. */
struct rumor_kv *
rumor__kv_copy(struct rumor_kv *dst, const struct service_kv *src, size_t n);

#endif /* RUMOR_RUMOR_INTERNAL_H */
