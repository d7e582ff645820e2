/*
 * http_buf: the growing byte buffer every HTTP answer is written into,
 * with the JSON string escaper. Capped at HTTP_BUF_MAX bytes; the first
 * failure (out of memory, or past the cap) sticks, later writes do
 * nothing, and the caller checks `failed` once at the end, the way
 * cli/ipc's writer works. Pure: no I/O.
 */
#ifndef RUMOR_HTTP_BUF_H
#define RUMOR_HTTP_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The largest answer body (a members list of 10^5 nodes fits; the
 *  socket's IPC_RESPONSE_MAX is the same). */
#define HTTP_BUF_MAX (64u * 1024 * 1024)

struct http_buf {
	/** The bytes, data[0, size); malloc'd, NULL until the first write.
	 *  Always NUL-terminated past size once anything was written. */
	char *data;
	size_t size;
	size_t cap;
	/** RUMOR_ENOMEM or RUMOR_ETOOBIG once a write failed; 0 until then. */
	int failed;
};

/** An empty buffer (nothing to fail). */
void
http_buf_init(struct http_buf *b);

/** Free the bytes; b is empty again. */
void
http_buf_destroy(struct http_buf *b);

/** Hand the bytes over (the caller free()s them) and empty b. */
char *
http_buf_take(struct http_buf *b, size_t *size);

/** Append size bytes. */
void
http_buf_put(struct http_buf *b, const void *data, size_t size);

/** Append a NUL-terminated string as it is. */
void
http_buf_puts(struct http_buf *b, const char *s);

/** Append printf-style text. */
void
http_buf_printf(struct http_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Append an unsigned decimal. */
void
http_buf_u64(struct http_buf *b, uint64_t v);

/** Append s as a JSON string, quotes included: ", \ escaped, and every
 *  byte outside printable ASCII as \u00XX, so the output is valid JSON
 *  (and ASCII) whatever s holds (our strings are printable ASCII,
 *  validated where they came in). NULL is written as "". */
void
http_buf_json_str(struct http_buf *b, const char *s);

#endif /* RUMOR_HTTP_BUF_H */
