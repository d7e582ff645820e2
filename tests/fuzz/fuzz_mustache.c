/*
 * Fuzz the Mustache engine of `rumor render`: any bytes as a template
 * either compile or are refused with a one-line message at a place, and
 * what compiles renders against a small fixed catalog within the caps it
 * is given (output and steps), the same way twice, never crashing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/render/mustache.h"
#include "rumor/error.h"

/* A catalog like the one `rumor render` hands to templates, with every
 * JSON type somewhere, and a list to nest sections over. */
static const char catalog[] =
	"{\"web\": ["
	" {\"id\": \"web-1\", \"address\": \"10.0.0.1\", \"port\": 80,"
	"  \"node\": \"n1\", \"tags\": [\"v1\", \"blue\"],"
	"  \"meta\": {\"weight\": \"5\","
	"   \"url\": \"http://x/?a=1&b='<\\\"2\\\">'\"}},"
	" {\"id\": \"web-2\", \"address\": \"10.0.0.2\", \"port\": 8080,"
	"  \"node\": \"n2\", \"tags\": [], \"meta\": {}}],"
	" \"db\": [],"
	" \"services\": [\"web\", \"db\"],"
	" \"nodes\": [{\"name\": \"n1\", \"address\": \"10.0.0.1\"},"
	"            {\"name\": \"n2\", \"address\": \"10.0.0.2\"}],"
	" \"list\": [1, 2, 3, 4, 5, 6, 7, 8],"
	" \"yes\": true, \"no\": false, \"none\": null, \"pi\": 3.14,"
	" \"big\": 1e300, \"tiny\": -2.5e-9,"
	" \"zero\": 0, \"empty\": \"\", \"obj\": {\"a\": {\"b\": {\"c\": 1}}}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_error(int rc, const struct mustache_error *err)
{
	if (rc >= 0 || err->message[0] == '\0' ||
	    strchr(err->message, '\n') != NULL ||
	    memchr(err->message, '\0', sizeof(err->message)) == NULL)
		abort();
	if (rc == RUMOR_EMALFORMED && (err->line == 0 || err->column == 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *root;
	if (root == NULL) {
		root = json_loads(catalog, 0, NULL);
		if (root == NULL)
			abort();
	}
	struct mustache *t = NULL;
	struct mustache_error err;
	memset(&err, 0, sizeof(err));
	int rc = mustache_parse(&t, (const char *)data, size, &err);
	if (rc != 0) {
		check_error(rc, &err);
		if (t != NULL)
			abort();
		return 0;
	}
	/* Root names: sorted and distinct, each non-empty without a dot. */
	for (size_t i = 0; i < mustache_name_count(t); i++) {
		const char *name = mustache_name(t, i);
		if (name[0] == '\0' || strchr(name, '.') != NULL ||
		    (i > 0 && strcmp(mustache_name(t, i - 1), name) >= 0))
			abort();
	}
	/* Small caps keep each input fast and reach the limits often. */
	struct mustache_limits limits = {
		.output_size_max = 1 << 16,
		.step_max = 1 << 14,
	};
	char *out = NULL, *again = NULL;
	size_t out_size = 0, again_size = 0;
	rc = mustache_render(&out, &out_size, t, root, &limits, &err);
	if (rc != 0) {
		check_error(rc, &err);
		if (rc != RUMOR_ELIMIT || out != NULL)
			abort();
	} else {
		if (out_size > limits.output_size_max || out[out_size] != '\0')
			abort();
		/* Rendering does not change the template: same bytes. */
		if (mustache_render(&again, &again_size, t, root, &limits,
				    &err) != 0 ||
		    again_size != out_size ||
		    memcmp(out, again, out_size) != 0)
			abort();
	}
	free(out);
	free(again);
	mustache_delete(t);
	return 0;
}
