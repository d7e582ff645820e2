/*
 * cli/http/http_route and http_index: which endpoint a request line
 * names (and the 400/404/405 of those that name none), what a query
 * string asks, and the index of a blocking query.
 */
#include "cli/http/http_index.h"
#include "cli/http/http_route.h"
#include "rumor/error.h"
#include "test.h"

static void
test_every_endpoint_is_found_with_its_method(void)
{
	static const struct {
		const char *method, *path;
		enum http_route route;
		const char *arg;
	} cases[] = {
		{"GET", "/v1/agent/members", HTTP_ROUTE_MEMBERS, ""},
		{"HEAD", "/v1/agent/members", HTTP_ROUTE_MEMBERS, ""},
		{"GET", "/v1/agent/self", HTTP_ROUTE_SELF, ""},
		{"GET", "/v1/catalog/services", HTTP_ROUTE_SERVICES, ""},
		{"GET", "/v1/health/service/web", HTTP_ROUTE_HEALTH, "web"},
		{"PUT", "/v1/agent/service/register", HTTP_ROUTE_REGISTER, ""},
		{"PUT", "/v1/agent/service/deregister/web-1",
		 HTTP_ROUTE_DEREGISTER, "web-1"},
		{"PUT", "/v1/agent/check/pass/web-1", HTTP_ROUTE_PASS,
		 "web-1"},
		{"PUT", "/v1/agent/check/pass/service:web-1", HTTP_ROUTE_PASS,
		 "web-1"},
		{"GET", "/metrics", HTTP_ROUTE_METRICS, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_match m;
		ASSERT_EQ(http_route_match(&m, cases[i].method, cases[i].path),
			  200);
		ASSERT_EQ(m.route, cases[i].route);
		ASSERT_STR_EQ(m.arg, cases[i].arg);
	}
	struct http_match m;
	http_route_match(&m, "PUT", "/v1/agent/service/register");
	ASSERT(m.has_body);
	ASSERT(!m.blocking);
	http_route_match(&m, "GET", "/v1/health/service/web");
	ASSERT(m.blocking);
	http_route_match(&m, "GET", "/v1/catalog/services");
	ASSERT(m.blocking);
	http_route_match(&m, "GET", "/v1/agent/members");
	ASSERT(!m.blocking);
}

static void
test_a_path_that_names_nothing_is_404(void)
{
	static const char *const paths[] = {
		"/", "", "/v1", "/v1/agent/members/", "/v1/agent/memberss",
		"/metrics/", "/V1/agent/members", "/v1/health/servic/web",
		"/v1/agent/check/fail/web",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct http_match m;
		ASSERT_EQ(http_route_match(&m, "GET", paths[i]), 404);
		ASSERT_EQ(m.route, http_route_MAX);
		ASSERT_NOT_NULL(m.why);
	}
	char long_path[HTTP_PATH_MAX + 32] = "/v1/health/service/";
	memset(long_path + strlen(long_path), 'a', HTTP_PATH_MAX);
	long_path[HTTP_PATH_MAX + 20] = '\0';
	struct http_match m;
	ASSERT_EQ(http_route_match(&m, "GET", long_path), 404);
}

static void
test_a_known_path_with_another_method_is_405_with_allow(void)
{
	struct http_match m;
	ASSERT_EQ(http_route_match(&m, "POST", "/v1/agent/members"), 405);
	ASSERT_STR_EQ(m.allow, "GET, HEAD");
	ASSERT_EQ(http_route_match(&m, "GET", "/v1/agent/service/register"),
		  405);
	ASSERT_STR_EQ(m.allow, "PUT");
	ASSERT_EQ(http_route_match(&m, "DELETE",
				   "/v1/agent/service/deregister/x"), 405);
	ASSERT_EQ(http_route_match(&m, "PUT", "/metrics"), 405);
	ASSERT_EQ(http_route_match(&m, "get", "/metrics"), 405);
}

static void
test_a_name_that_could_never_be_valid_is_400(void)
{
	static const char *const paths[] = {
		"/v1/health/service/",
		"/v1/health/service/a b",
		"/v1/health/service/a/b",
		("/v1/health/service/"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		"/v1/agent/check/pass/service:",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct http_match m;
		const char *method =
			strstr(paths[i], "pass") != NULL ? "PUT" : "GET";
		ASSERT_EQ(http_route_match(&m, method, paths[i]), 400);
		ASSERT_NOT_NULL(m.why);
	}
	struct http_match m;
	ASSERT_EQ(http_route_match(&m, "PUT",
				   "/v1/agent/service/deregister/"), 400);
}

static void
test_query_flags_tags_index_and_wait(void)
{
	struct http_query q;
	http_query_init(&q);
	ASSERT(!q.passing);
	ASSERT(!q.has_index);
	ASSERT_EQ(q.wait_ms, HTTP_WAIT_DEFAULT_MS);
	const char *why = NULL;
	ASSERT_OK(http_query_set(&q, "passing", NULL, &why));
	ASSERT(q.passing);
	ASSERT_OK(http_query_set(&q, "passing", "false", &why));
	ASSERT(!q.passing);
	ASSERT_OK(http_query_set(&q, "passing", "1", &why));
	ASSERT(q.passing);
	ASSERT_OK(http_query_set(&q, "passing", "", &why));
	ASSERT_EQ(http_query_set(&q, "passing", "yes", &why), RUMOR_EINVAL);
	ASSERT_OK(http_query_set(&q, "tag", "v1", &why));
	ASSERT_OK(http_query_set(&q, "tag", "zone=a", &why));
	ASSERT_EQ(q.tag_count, 2);
	ASSERT_STR_EQ(q.tags[1], "zone=a");
	ASSERT_EQ(http_query_set(&q, "tag", "a b", &why), RUMOR_EINVAL);
	ASSERT_EQ(http_query_set(&q, "tag", NULL, &why), RUMOR_EINVAL);
	ASSERT_OK(http_query_set(&q, "index", "18446744073709551615", &why));
	ASSERT(q.has_index);
	ASSERT_EQ(q.index, UINT64_MAX);
	ASSERT_EQ(http_query_set(&q, "index", "18446744073709551616", &why),
		  RUMOR_EINVAL);
	ASSERT_EQ(http_query_set(&q, "index", "-1", &why), RUMOR_EINVAL);
	ASSERT_EQ(http_query_set(&q, "index", "", &why), RUMOR_EINVAL);
	ASSERT_OK(http_query_set(&q, "wait", "30s", &why));
	ASSERT_EQ(q.wait_ms, 30000);
	ASSERT_OK(http_query_set(&q, "wait", "1h", &why));
	ASSERT_EQ(q.wait_ms, HTTP_WAIT_MAX_MS);
	ASSERT_EQ(http_query_set(&q, "wait", "30", &why), RUMOR_EINVAL);
	ASSERT_NOT_NULL(strstr(why, "wait"));
}

static void
test_consul_parameters_that_change_nothing_are_taken_others_refused(void)
{
	struct http_query q;
	http_query_init(&q);
	const char *why = NULL;
	static const char *const taken[] = {"dc", "stale", "consistent",
					    "token", "near", "note"};
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		ASSERT_OK(http_query_set(&q, taken[i], "x", &why));
	ASSERT_EQ(http_query_set(&q, "filter", "Service.Port==80", &why),
		  RUMOR_EINVAL);
	ASSERT_NOT_NULL(strstr(why, "unknown query parameter"));
	ASSERT_EQ(http_query_set(&q, "node-meta", "a:b", &why), RUMOR_EINVAL);
	ASSERT_EQ(http_query_set(&q, "Passing", NULL, &why), RUMOR_EINVAL);
}

static void
test_at_most_eight_tags(void)
{
	struct http_query q;
	http_query_init(&q);
	const char *why = NULL;
	for (int i = 0; i < HTTP_QUERY_TAGS_MAX; i++)
		ASSERT_OK(http_query_set(&q, "tag", "t", &why));
	ASSERT_EQ(http_query_set(&q, "tag", "t", &why), RUMOR_EINVAL);
}

static void
test_a_raw_query_string_is_split_and_decoded(void)
{
	struct http_query q;
	http_query_init(&q);
	const char *why = NULL;
	ASSERT_OK(http_query_parse(&q, "passing&tag=v%31&&tag=a%2Bb&"
				       "index=42&wait=2s&dc=dc1", &why));
	ASSERT(q.passing);
	ASSERT_EQ(q.tag_count, 2);
	ASSERT_STR_EQ(q.tags[0], "v1");
	ASSERT_STR_EQ(q.tags[1], "a+b");
	ASSERT_EQ(q.index, 42);
	ASSERT_EQ(q.wait_ms, 2000);
	http_query_init(&q);
	ASSERT_OK(http_query_parse(&q, "", &why));
	/* "+" is a space, which no tag may hold. */
	ASSERT_EQ(http_query_parse(&q, "tag=a+b", &why), RUMOR_EINVAL);
	static const char *const bad[] = {
		"tag=%", "tag=%4", "tag=%zz", "tag=a%00b", "%70assing",
		"wait=", "index=1x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_query_init(&q);
		why = NULL;
		int rc = http_query_parse(&q, bad[i], &why);
		if (strcmp(bad[i], "%70assing") == 0) {
			/* %70 is "p": a valid escape. */
			ASSERT_OK(rc);
			ASSERT(q.passing);
			continue;
		}
		ASSERT_EQ(rc, RUMOR_EINVAL);
		ASSERT_NOT_NULL(why);
	}
}

static void
test_too_many_or_too_long_parameters_are_refused(void)
{
	char raw[4096] = "";
	for (int i = 0; i < 65; i++)
		strcat(raw, "dc=x&");
	struct http_query q;
	http_query_init(&q);
	const char *why = NULL;
	ASSERT_EQ(http_query_parse(&q, raw, &why), RUMOR_EINVAL);
	ASSERT_NOT_NULL(strstr(why, "too many"));
	char long_value[1100] = "dc=";
	memset(long_value + 3, 'x', 1050);
	long_value[1053] = '\0';
	ASSERT_EQ(http_query_parse(&q, long_value, &why), RUMOR_EINVAL);
}

static void
test_an_index_moves_only_when_the_answer_changes(void)
{
	static struct http_index t;
	http_index_init(&t);
	uint64_t key = http_hash("health/web", 10);
	uint64_t a = http_hash("[1]", 3), b = http_hash("[2]", 3);
	ASSERT_EQ(http_index_update(&t, key, a, 5), 5);
	/* The registry moved (another service), the answer did not. */
	ASSERT_EQ(http_index_update(&t, key, a, 9), 5);
	uint64_t index = 0;
	ASSERT(http_index_known(&t, key, 9, &index));
	ASSERT_EQ(index, 5);
	ASSERT(!http_index_known(&t, key, 10, &index));
	ASSERT_EQ(http_index_update(&t, key, b, 12), 12);
	/* Back to the first answer: a change too. */
	ASSERT_EQ(http_index_update(&t, key, a, 13), 13);
	/* Another query in the same slot takes it; ours then starts over
	 * at the current generation. */
	uint64_t other = key + HTTP_INDEX_SLOTS;
	ASSERT_EQ(http_index_update(&t, other, a, 14), 14);
	ASSERT(!http_index_known(&t, key, 14, &index));
	ASSERT_EQ(http_index_update(&t, key, a, 15), 15);
	ASSERT_NE(http_hash("", 0), 0);
}

int
main(void)
{
	RUN(test_every_endpoint_is_found_with_its_method);
	RUN(test_a_path_that_names_nothing_is_404);
	RUN(test_a_known_path_with_another_method_is_405_with_allow);
	RUN(test_a_name_that_could_never_be_valid_is_400);
	RUN(test_query_flags_tags_index_and_wait);
	RUN(test_consul_parameters_that_change_nothing_are_taken_others_refused);
	RUN(test_at_most_eight_tags);
	RUN(test_a_raw_query_string_is_split_and_decoded);
	RUN(test_too_many_or_too_long_parameters_are_refused);
	RUN(test_an_index_moves_only_when_the_answer_changes);
	return TEST_SUMMARY();
}
