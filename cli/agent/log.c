/*
 * Logging for the agent: UTC timestamps with milliseconds (a benchmark
 * parses them), line-buffered so each event is one write.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <uv.h>

#include "log.h"

static enum log_level log_min = LOG_INFO;

static const char *const log_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

int
log_err(char *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, LOG_ERR_SIZE, fmt, ap);
	va_end(ap);
	return code;
}

const char *
log_strerror(int errnum)
{
	return uv_strerror(uv_translate_sys_error(errnum));
}

void
log_set_level(enum log_level level)
{
	log_min = level;
}

static void __attribute__((format(printf, 3, 0)))
log_vline(enum log_level level, const char *suffix, const char *fmt,
	  va_list ap)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	char text[512];
	vsnprintf(text, sizeof(text), fmt, ap);
	fprintf(stderr, "%s.%03ldZ %s %s%s\n", stamp, ts.tv_nsec / 1000000,
		log_names[level], text, suffix);
}

void
log_line(enum log_level level, const char *fmt, ...)
{
	if (level < log_min)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vline(level, "", fmt, ap);
	va_end(ap);
}

void
log_limited(struct log_limit *limit, uint64_t now_ms, enum log_level level,
	    const char *fmt, ...)
{
	if (level < log_min)
		return;
	if (limit->last_ms != 0 && now_ms - limit->last_ms < 1000) {
		limit->suppressed++;
		return;
	}
	char suffix[64] = "";
	if (limit->suppressed > 0)
		snprintf(suffix, sizeof(suffix), " (%llu more suppressed)",
			 (unsigned long long)limit->suppressed);
	limit->last_ms = now_ms;
	limit->suppressed = 0;
	va_list ap;
	va_start(ap, fmt);
	log_vline(level, suffix, fmt, ap);
	va_end(ap);
}
