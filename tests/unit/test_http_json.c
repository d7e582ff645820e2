/*
 * cli/http's JSON: the buffer and its string escaper, the Consul shapes
 * (read back with jansson, field by field), and the register body
 * decoder with what it refuses and why.
 */
#include <jansson.h>
#include <stdlib.h>

#include "cli/http/http_buf.h"
#include "cli/http/http_consul.h"
#include "cli/http/http_register.h"
#include "rumor/error.h"
#include "test.h"

/* b's bytes as JSON (NULL if they are not JSON). */
static json_t *
parsed(const struct http_buf *b)
{
	return json_loadb(b->data, b->size, JSON_DECODE_ANY, NULL);
}

static void
test_strings_are_escaped_into_valid_ascii_json(void)
{
	struct http_buf b;
	http_buf_init(&b);
	http_buf_json_str(&b, "a\"b\\c\n\x01\x7f\xc3\xa9");
	ASSERT_EQ(b.failed, 0);
	ASSERT_STR_EQ(b.data, "\"a\\\"b\\\\c\\u000a\\u0001\\u007f\\u00c3"
			      "\\u00a9\"");
	json_t *j = parsed(&b);
	ASSERT_NOT_NULL(j);
	json_decref(j);
	http_buf_destroy(&b);
	http_buf_json_str(&b, NULL);
	ASSERT_STR_EQ(b.data, "\"\"");
	http_buf_destroy(&b);
}

static void
test_the_buffer_grows_prints_and_hands_over(void)
{
	struct http_buf b;
	http_buf_init(&b);
	for (int i = 0; i < 1000; i++)
		http_buf_printf(&b, "%0300d", i);
	http_buf_u64(&b, UINT64_MAX);
	ASSERT_EQ(b.failed, 0);
	ASSERT_EQ(b.size, 300000 + 20);
	ASSERT_STR_EQ(b.data + 300000, "18446744073709551615");
	size_t size;
	char *data = http_buf_take(&b, &size);
	ASSERT_EQ(size, 300020);
	ASSERT_NULL(b.data);
	free(data);
}

static void
test_a_member_has_consul_fields_and_serf_status(void)
{
	struct http_buf b;
	http_buf_init(&b);
	struct http_member m = {.name = "node-1",
				.addr = {.ip = 0x0a000105, .port = 7946},
				.status = SWIM_STATUS_SUSPECT,
				.incarnation = 7};
	http_consul_member(&b, &m);
	json_t *j = parsed(&b);
	ASSERT_NOT_NULL(j);
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "Name")), "node-1");
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "Addr")),
		      "10.0.1.5");
	ASSERT_EQ(json_integer_value(json_object_get(j, "Port")), 7946);
	/* Serf has no "suspect": still alive (1). */
	ASSERT_EQ(json_integer_value(json_object_get(j, "Status")), 1);
	json_t *tags = json_object_get(j, "Tags");
	ASSERT_STR_EQ(json_string_value(json_object_get(tags, "rumor_status")),
		      "suspect");
	ASSERT_STR_EQ(json_string_value(json_object_get(
			      tags, "rumor_incarnation")), "7");
	json_decref(j);
	static const struct {
		enum swim_status status;
		int serf;
	} statuses[] = {{SWIM_STATUS_ALIVE, 1}, {SWIM_STATUS_LEFT, 3},
			{SWIM_STATUS_FAILED, 4}};
	for (size_t i = 0; i < 3; i++) {
		http_buf_destroy(&b);
		m.status = statuses[i].status;
		http_consul_member(&b, &m);
		j = parsed(&b);
		ASSERT_EQ(json_integer_value(json_object_get(j, "Status")),
			  statuses[i].serf);
		json_decref(j);
	}
	http_buf_destroy(&b);
	http_consul_self(&b, &m, "rumor");
	j = parsed(&b);
	ASSERT_NOT_NULL(j);
	json_t *cfg = json_object_get(j, "Config");
	ASSERT_STR_EQ(json_string_value(json_object_get(cfg, "Datacenter")),
		      HTTP_CONSUL_DC);
	ASSERT_STR_EQ(json_string_value(json_object_get(cfg, "NodeName")),
		      "node-1");
	ASSERT_NOT_NULL(json_object_get(j, "Member"));
	json_decref(j);
	http_buf_destroy(&b);
}

static void
test_a_health_entry_is_node_service_and_two_checks(void)
{
	const char *tags[] = {"v1", "blue"};
	struct service_kv meta[] = {{"zone", "a"}};
	struct service s = {.id = "web-1", .name = "web", .address = "",
			    .port = 8080, .tags = tags, .tag_count = 2,
			    .meta = meta, .meta_count = 1,
			    .health = SERVICE_HEALTH_CRITICAL,
			    .ttl_ms = 10000};
	struct http_entry e = {.node = "n1", .node_address = "10.0.0.1",
			       .node_up = true, .service = &s};
	struct http_buf b;
	http_buf_init(&b);
	http_consul_entry(&b, &e);
	json_t *j = parsed(&b);
	ASSERT_NOT_NULL(j);
	json_t *node = json_object_get(j, "Node");
	ASSERT_STR_EQ(json_string_value(json_object_get(node, "Node")), "n1");
	ASSERT_STR_EQ(json_string_value(json_object_get(node, "Address")),
		      "10.0.0.1");
	ASSERT_STR_EQ(json_string_value(json_object_get(node, "Datacenter")),
		      "dc1");
	json_t *svc = json_object_get(j, "Service");
	ASSERT_STR_EQ(json_string_value(json_object_get(svc, "ID")), "web-1");
	ASSERT_STR_EQ(json_string_value(json_object_get(svc, "Service")),
		      "web");
	/* No address of its own: "" as Consul has it (use Node.Address). */
	ASSERT_STR_EQ(json_string_value(json_object_get(svc, "Address")), "");
	ASSERT_EQ(json_integer_value(json_object_get(svc, "Port")), 8080);
	ASSERT_EQ(json_array_size(json_object_get(svc, "Tags")), 2);
	ASSERT_STR_EQ(json_string_value(json_object_get(
			      json_object_get(svc, "Meta"), "zone")), "a");
	json_t *checks = json_object_get(j, "Checks");
	ASSERT_EQ(json_array_size(checks), 2);
	json_t *serf = json_array_get(checks, 0);
	ASSERT_STR_EQ(json_string_value(json_object_get(serf, "CheckID")),
		      "serfHealth");
	ASSERT_STR_EQ(json_string_value(json_object_get(serf, "Status")),
		      "passing");
	json_t *own = json_array_get(checks, 1);
	ASSERT_STR_EQ(json_string_value(json_object_get(own, "CheckID")),
		      "service:web-1");
	ASSERT_STR_EQ(json_string_value(json_object_get(own, "Status")),
		      "critical");
	ASSERT_STR_EQ(json_string_value(json_object_get(own, "ServiceID")),
		      "web-1");
	ASSERT_STR_EQ(json_string_value(json_object_get(own, "Type")), "ttl");
	json_decref(j);
	http_buf_destroy(&b);
	/* A node that is down fails serfHealth. */
	e.node_up = false;
	http_consul_entry(&b, &e);
	j = parsed(&b);
	serf = json_array_get(json_object_get(j, "Checks"), 0);
	ASSERT_STR_EQ(json_string_value(json_object_get(serf, "Status")),
		      "critical");
	json_decref(j);
	http_buf_destroy(&b);
}

static void
test_catalog_services_and_errors_are_json(void)
{
	struct http_buf b;
	http_buf_init(&b);
	const char *tags[] = {"a", "b"};
	http_consul_next(&b, 0, '{');
	http_consul_service_tags(&b, "web", tags, 2);
	http_consul_next(&b, 1, '{');
	http_consul_service_tags(&b, "db", NULL, 0);
	http_buf_puts(&b, "}");
	ASSERT_STR_EQ(b.data, "{\"web\":[\"a\",\"b\"],\"db\":[]}");
	http_buf_destroy(&b);
	http_consul_error(&b, "bad \"x\"");
	ASSERT_STR_EQ(b.data, "{\"error\":\"bad \\\"x\\\"\"}\n");
	http_buf_destroy(&b);
}

/* Decode body; 0 or the code, with why. */
static int
decode(const char *body, struct service **s, char *why)
{
	*s = NULL;
	return http_register_decode(s, body, strlen(body), why);
}

static void
test_a_consul_service_definition_decodes(void)
{
	char why[HTTP_WHY_SIZE];
	struct service *s;
	ASSERT_OK(decode("{\"Name\": \"web\", \"ID\": \"web-1\", "
			 "\"Tags\": [\"v1\", \"blue\"], \"Address\": "
			 "\"10.0.0.5\", \"Port\": 8080, \"Meta\": {\"zone\": "
			 "\"a\"}, \"EnableTagOverride\": false, \"Weights\": "
			 "{\"Passing\": 1}, \"Check\": {\"TCP\": "
			 "\"10.0.0.5:8080\", \"Interval\": \"5s\", "
			 "\"Name\": \"x\"}}", &s, why));
	ASSERT_STR_EQ(s->id, "web-1");
	ASSERT_STR_EQ(s->name, "web");
	ASSERT_STR_EQ(s->address, "10.0.0.5");
	ASSERT_EQ(s->port, 8080);
	ASSERT_EQ(s->tag_count, 2);
	ASSERT_STR_EQ(s->tags[1], "blue");
	ASSERT_EQ(s->meta_count, 1);
	ASSERT_STR_EQ(s->meta[0].value, "a");
	ASSERT_EQ(s->check.kind, SERVICE_CHECK_TCP);
	ASSERT_STR_EQ(s->check.target, "10.0.0.5:8080");
	ASSERT_EQ(s->check.interval_ms, 5000);
	ASSERT_EQ(s->check.timeout_ms, HTTP_CHECK_TIMEOUT_DEFAULT_MS);
	ASSERT_EQ(s->health, SERVICE_HEALTH_CRITICAL);
	free(s);
	/* Field names in any case, nulls as absent, ID from the name. */
	ASSERT_OK(decode("{\"name\": \"api\", \"tags\": null, \"meta\": null, "
			 "\"port\": 1, \"check\": null, \"Checks\": []}",
			 &s, why));
	ASSERT_STR_EQ(s->id, "api");
	ASSERT_EQ(s->tag_count, 0);
	ASSERT_EQ(s->health, SERVICE_HEALTH_PASSING);
	ASSERT_EQ(s->check.kind, SERVICE_CHECK_NONE);
	free(s);
}

static void
test_a_ttl_check_starts_critical_unless_its_status_says(void)
{
	char why[HTTP_WHY_SIZE];
	struct service *s;
	ASSERT_OK(decode("{\"Name\": \"w\", \"Check\": {\"TTL\": \"15s\"}}",
			 &s, why));
	ASSERT_EQ(s->ttl_ms, 15000);
	ASSERT_EQ(s->health, SERVICE_HEALTH_CRITICAL);
	ASSERT_EQ(s->check.kind, SERVICE_CHECK_NONE);
	free(s);
	ASSERT_OK(decode("{\"Name\": \"w\", \"Checks\": [{\"TTL\": \"1m\", "
			 "\"Status\": \"passing\", \"CheckID\": \"c\"}]}",
			 &s, why));
	ASSERT_EQ(s->ttl_ms, 60000);
	ASSERT_EQ(s->health, SERVICE_HEALTH_PASSING);
	free(s);
}

static void
test_bad_bodies_are_refused_with_a_reason(void)
{
	static const struct {
		const char *body;
		const char *why;
	} cases[] = {
		{"", "body:"},
		{"{\"Name\": ", "body:1:"},
		{"[1]", "must be a JSON object"},
		{"{}", "\"Name\" is required"},
		{"{\"Name\": 5}", "\"Name\" must be a string"},
		{"{\"Name\": \"a b\"}", "the name must be"},
		{"{\"Name\": \"w\", \"Port\": 70000}", "\"Port\""},
		{"{\"Name\": \"w\", \"Port\": \"80\"}", "\"Port\""},
		{"{\"Name\": \"w\", \"Tagz\": []}", "\"Tagz\" is not supported"},
		{"{\"Name\": \"w\", \"Tags\": [1]}", "every tag"},
		{"{\"Name\": \"w\", \"Tags\": [\"a\", \"a\"]}", "twice"},
		{"{\"Name\": \"w\", \"Meta\": {\"k\": 1}}", "\"Meta\" value"},
		{"{\"Name\": \"w\", \"Check\": {}}", "needs one of"},
		{"{\"Name\": \"w\", \"Check\": {\"TCP\": \"1.2.3.4:5\"}}",
		 "\"Interval\""},
		{"{\"Name\": \"w\", \"Check\": {\"TTL\": \"10\"}}",
		 "duration like"},
		{"{\"Name\": \"w\", \"Check\": {\"TTL\": \"0s\"}}", "more than"},
		{"{\"Name\": \"w\", \"Check\": {\"TTL\": \"10s\", \"TCP\": "
		 "\"1.2.3.4:5\"}}", "one check"},
		{"{\"Name\": \"w\", \"Check\": {\"Args\": [\"/bin/true\"], "
		 "\"Interval\": \"1s\"}}", "script checks"},
		{"{\"Name\": \"w\", \"Check\": {\"TTL\": \"1s\", \"Status\": "
		 "\"warning\"}}", "\"Status\""},
		{"{\"Name\": \"w\", \"Check\": {\"TTL\": \"1s\", "
		 "\"DeregisterCriticalServiceAfter\": \"1m\"}}",
		 "\"DeregisterCriticalServiceAfter\" is not supported"},
		{"{\"Name\": \"w\", \"Check\": {\"HTTP\": \"http://1.2.3.4/\", "
		 "\"Interval\": \"1s\", \"Method\": \"POST\"}}", "GET only"},
		{"{\"Name\": \"w\", \"Checks\": [{\"TTL\": \"1s\"}, "
		 "{\"TTL\": \"2s\"}]}", "at most one"},
		{"{\"Name\": \"w\", \"Kind\": \"connect-proxy\"}", "Kind"},
		{"{\"Name\": \"w\", \"Name\": \"v\"}", "body:"},
		{"{\"Name\": \"w\", \"Check\": {\"TTL\": \"25h\"}}", "a day"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[HTTP_WHY_SIZE] = "";
		struct service *s;
		int rc = decode(cases[i].body, &s, why);
		if (rc != RUMOR_EINVAL || strstr(why, cases[i].why) == NULL)
			fprintf(stderr, "  case %zu: %s -> %d \"%s\"\n", i,
				cases[i].body, rc, why);
		ASSERT_EQ(rc, RUMOR_EINVAL);
		ASSERT_NOT_NULL(strstr(why, cases[i].why));
		ASSERT_NULL(s);
	}
}

int
main(void)
{
	RUN(test_strings_are_escaped_into_valid_ascii_json);
	RUN(test_the_buffer_grows_prints_and_hands_over);
	RUN(test_a_member_has_consul_fields_and_serf_status);
	RUN(test_a_health_entry_is_node_service_and_two_checks);
	RUN(test_catalog_services_and_errors_are_json);
	RUN(test_a_consul_service_definition_decodes);
	RUN(test_a_ttl_check_starts_critical_unless_its_status_says);
	RUN(test_bad_bodies_are_refused_with_a_reason);
	return TEST_SUMMARY();
}
