/*
 * log: one line per event on stderr, "<UTC time> <LEVEL> <text>" (or,
 * with log_set_json, one JSON object per line: {"time": "...", "level":
 * "info", "text": "..."}), lines below the level set left out, a sink
 * that gets every line down to its own level (the monitor streams), a
 * per-reason rate limit for problems that arrive with every packet, and
 * the agent's one error convention (Redis anet's): a call that can fail
 * returns 0 or a negative RUMOR_E* code and, when it fails, leaves one
 * line saying why in the caller's char err[LOG_ERR_SIZE], with no
 * "rumor:" prefix and no newline. Whoever gives up prints it (at
 * start-up, "rumor: <err>" on stderr) or sends it (a refused request's
 * error frame carries the code and the line).
 */
#ifndef RUMOR_LOG_H
#define RUMOR_LOG_H

#include <stdbool.h>
#include <stdint.h>

/** Room for one error line; it may name a path of up to 4096 bytes. */
#define LOG_ERR_SIZE 4400

/** Write the error line into err (LOG_ERR_SIZE bytes) and return code. */
int
log_err(char *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** errno as libuv's lower-case text ("address already in use"), so every
 *  message reads the same whether it came from libuv or a system call. */
const char *
log_strerror(int errnum);

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, log_level_MAX };

/** "debug", "info", "warn", "error": the --log-level values. */
extern const char *const log_level_strs[log_level_MAX];

/** A level's name into *out: 0, or -1 for anything else. */
int
log_level_parse(const char *text, enum log_level *out);

/** Lines below this level are not printed (default LOG_INFO). */
void
log_set_level(enum log_level level);

enum log_level
log_get_level(void);

/** One JSON object per line on stderr instead of text. */
void
log_set_json(bool on);

/** Where lines go besides stderr: every line at or above min, with its
 *  UTC time ("2026-01-02T03:04:05.678Z") and its text, as it is logged
 *  (the sink must not log). NULL stops it. */
typedef void (*log_sink_cb)(void *arg, enum log_level level,
			    const char *time, const char *text);

void
log_set_sink(enum log_level min, log_sink_cb sink, void *arg);

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
