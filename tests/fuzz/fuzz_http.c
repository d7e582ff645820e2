/*
 * Fuzz the HTTP API's pure parts (cli/http): the router, the query
 * string parser, the register body decoder, and what is written from
 * their results (the health entry of a decoded service must be valid
 * JSON; the Prometheus text of any stat names must have one TYPE line
 * per family). The input is split at the first three newlines into
 * method, path, query string and body:
 *
 *	PUT\n/v1/agent/service/register\npassing&tag=a\n{"Name": "web"}
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/http/http_consul.h"
#include "cli/http/http_prom.h"
#include "cli/http/http_register.h"
#include "cli/http/http_route.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of [*p, end) as a NUL-terminated copy (NULs cut it). */
static char *
next_line(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t len = (size_t)((nl ? nl : end) - *p);
	char *line = malloc(len + 1);
	if (line == NULL)
		abort();
	memcpy(line, *p, len);
	line[len] = '\0';
	*p = nl ? nl + 1 : end;
	return line;
}

static void
check_entry(const struct service *s)
{
	struct http_entry e = {.node = "n\"1", .node_address = "10.0.0.1",
			       .node_up = true, .service = s};
	struct http_buf b;
	http_buf_init(&b);
	http_consul_entry(&b, &e);
	json_t *j = b.failed == 0 ? json_loadb(b.data, b.size, 0, NULL) : NULL;
	if (j == NULL)
		abort();
	json_decref(j);
	http_buf_destroy(&b);
}

/* Every line of the query as a stat name: one TYPE line per family. */
static void
check_prom(const char *names)
{
	struct http_stat stats[8];
	char copy[8][64];
	size_t n = 0;
	for (const char *p = names; *p != '\0' && n < 8;) {
		size_t len = strcspn(p, "&");
		snprintf(copy[n], sizeof(copy[n]), "%.*s", (int)len, p);
		stats[n] = (struct http_stat){copy[n], (uint64_t)len};
		n++;
		p += len;
		if (*p == '&')
			p++;
	}
	struct http_gauges g = {.services = 1};
	struct http_buf b;
	http_buf_init(&b);
	http_prom_write(&b, stats, n, &g);
	if (b.failed != 0)
		abort();
	/* A sample's family was announced by the TYPE line before it. */
	for (char *line = strtok(b.data, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		if (strchr(line, ' ') == NULL)
			abort();
	}
	http_buf_destroy(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *method = next_line(&p, end);
	char *path = next_line(&p, end);
	char *query = next_line(&p, end);
	struct http_match m;
	int status = http_route_match(&m, method, path);
	if (status != 200 && status != 400 && status != 404 && status != 405)
		abort();
	if (status != 200 && m.why == NULL)
		abort();
	if (status == 200 && m.route >= http_route_MAX)
		abort();
	struct http_query q;
	http_query_init(&q);
	const char *why = NULL;
	if (http_query_parse(&q, query, &why) != 0 && why == NULL)
		abort();
	if (q.tag_count > HTTP_QUERY_TAGS_MAX || q.wait_ms > HTTP_WAIT_MAX_MS)
		abort();
	struct service *s = NULL;
	char reason[HTTP_WHY_SIZE] = "";
	int rc = http_register_decode(&s, p, (size_t)(end - p), reason);
	if (rc == 0) {
		const char *bad = NULL;
		if (service_validate(s, &bad) != 0)
			abort();
		check_entry(s);
		free(s);
	} else if (reason[0] == '\0') {
		abort();
	}
	check_prom(query);
	free(method);
	free(path);
	free(query);
	return 0;
}
