/*
 * log: one line per event on stderr, "<UTC time> <LEVEL> <text>", and a
 * per-reason rate limit for problems that arrive with every packet.
 */
#ifndef RUMOR_LOG_H
#define RUMOR_LOG_H

#include <stdint.h>

/** errno as libuv's lower-case text ("address already in use"), so every
 *  message reads the same whether it came from libuv or a system call. */
const char *
log_strerror(int errnum);

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/** Lines below this level are not printed (default LOG_INFO). */
void
log_set_level(enum log_level level);

void
log_line(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** At most one line per second per limiter; the next line printed says
 *  how many were suppressed in between. */
struct log_limit {
	uint64_t last_ms;
	uint64_t suppressed;
};

void
log_limited(struct log_limit *limit, uint64_t now_ms, enum log_level level,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* RUMOR_LOG_H */
