/*
 * Logging for the agent: UTC timestamps with milliseconds (a benchmark
 * parses them), line-buffered so each event is one write. The level, the
 * format and the sink are the process's (one agent per process).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "log.h"

static enum log_level log_min = LOG_INFO;
static bool log_json;
static log_sink_cb log_sink;
static void *log_sink_arg;
static enum log_level log_sink_min = log_level_MAX;

static const char *const log_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

const char *const log_level_strs[log_level_MAX] = {
	"debug", "info", "warn", "error",
};

int
log_level_parse(const char *text, enum log_level *out)
{
	for (int i = 0; i < log_level_MAX; i++) {
		if (strcmp(text, log_level_strs[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

enum log_level
log_get_level(void)
{
	return log_min;
}

void
log_set_json(bool on)
{
	log_json = on;
}

void
log_set_sink(enum log_level min, log_sink_cb sink, void *arg)
{
	log_sink = sink;
	log_sink_arg = arg;
	log_sink_min = sink != NULL ? min : log_level_MAX;
}

/* Whether a line at level goes anywhere. */
static bool
log_wanted(enum log_level level)
{
	return level >= log_min || level >= log_sink_min;
}

/* s as the inside of a JSON string. */
static void
json_text(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(stderr, "\\%c", c);
		else if (c < 0x20)
			fprintf(stderr, "\\u%04x", c);
		else
			fputc(c, stderr);
	}
}

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
	char stamp[32], when[64];
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when, sizeof(when), "%s.%03ldZ", stamp,
		 ts.tv_nsec / 1000000);
	char text[512];
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n >= 0 && (size_t)n < sizeof(text))
		snprintf(text + n, sizeof(text) - (size_t)n, "%s", suffix);
	if (level >= log_sink_min)
		log_sink(log_sink_arg, level, when, text);
	if (level < log_min)
		return;
	if (!log_json) {
		fprintf(stderr, "%s %s %s\n", when, log_names[level], text);
		return;
	}
	fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",\"text\":\"", when,
		log_level_strs[level]);
	json_text(text);
	fputs("\"}\n", stderr);
}

void
log_line(enum log_level level, const char *fmt, ...)
{
	if (!log_wanted(level))
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
	if (!log_wanted(level))
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
