/*
 * http_buf: a capped growing buffer (see http_buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_buf.h"
#include "rumor/error.h"

void
http_buf_init(struct http_buf *b)
{
	*b = (struct http_buf){.data = NULL};
}

void
http_buf_destroy(struct http_buf *b)
{
	free(b->data);
	http_buf_init(b);
}

char *
http_buf_take(struct http_buf *b, size_t *size)
{
	char *data = b->data;
	*size = b->size;
	http_buf_init(b);
	return data;
}

/* Room for `more` bytes and a NUL after them: false (and failed set) when
 * there is none. */
static bool
reserve(struct http_buf *b, size_t more)
{
	if (b->failed != 0)
		return false;
	if (more > HTTP_BUF_MAX - b->size) {
		b->failed = RUMOR_ETOOBIG;
		return false;
	}
	size_t need = b->size + more + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *grown = realloc(b->data, cap);
	if (grown == NULL) {
		b->failed = RUMOR_ENOMEM;
		return false;
	}
	b->data = grown;
	b->cap = cap;
	return true;
}

void
http_buf_put(struct http_buf *b, const void *data, size_t size)
{
	if (!reserve(b, size))
		return;
	memcpy(b->data + b->size, data, size);
	b->size += size;
	b->data[b->size] = '\0';
}

void
http_buf_puts(struct http_buf *b, const char *s)
{
	http_buf_put(b, s, strlen(s));
}

void
http_buf_printf(struct http_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (b->failed == 0)
			b->failed = RUMOR_EINVAL;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		http_buf_put(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->size, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->size += (size_t)n;
}

void
http_buf_u64(struct http_buf *b, uint64_t v)
{
	char text[24];
	size_t i = sizeof(text);
	do {
		text[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	http_buf_put(b, text + i, sizeof(text) - i);
}

void
http_buf_json_str(struct http_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	http_buf_put(b, "\"", 1);
	const char *run = s != NULL ? s : "";
	const char *p = run;
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			continue;
		http_buf_put(b, run, (size_t)(p - run));
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			http_buf_put(b, esc, 2);
		} else {
			http_buf_put(b, esc, 6);
		}
		run = p + 1;
	}
	http_buf_put(b, run, (size_t)(p - run));
	http_buf_put(b, "\"", 1);
}
