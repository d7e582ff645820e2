/*
 * Node tags (membership/node_tags.h): the limits, with the tag and the
 * limit named; encode and decode round trips, sorted by key; tags added
 * to a service set leave the services readable by a decoder that knows
 * nothing of tags; malformed tags in metadata read as none.
 */
#include <stdlib.h>
#include <string.h>

#include "membership/node_tags.h"
#include "rumor/error.h"
#include "test.h"

static void
test_tags_round_trip_sorted_by_key(void)
{
	struct service_kv tags[] = {{"zone", "a"}, {"role", "db"}, {"e", ""}};
	size_t size;
	char why[128];
	ASSERT_OK(node_tags_check(tags, 3, &size, why, sizeof(why)));
	uint8_t buf[NODE_TAGS_SIZE_MAX];
	size_t got_size;
	ASSERT_OK(node_tags_encode(tags, 3, buf, sizeof(buf), &got_size));
	ASSERT_EQ(got_size, size);
	/* As the agent announces them: after a service set's keys. */
	struct service svc = {.id = "w", .name = "web", .address = "",
			      .port = 80};
	const struct service *list[] = {&svc};
	uint8_t *set, *meta;
	size_t set_size, meta_size;
	ASSERT_OK(service_set_encode(7, list, 1, &set, &set_size));
	ASSERT_OK(node_tags_append(set, set_size, buf, got_size, &meta,
				   &meta_size));
	struct node_tags out;
	ASSERT_OK(node_tags_decode(meta, meta_size, &out));
	ASSERT_EQ(out.count, 3);
	ASSERT_STR_EQ(out.tags[0].key, "e");
	ASSERT_STR_EQ(out.tags[0].value, "");
	ASSERT_STR_EQ(out.tags[1].key, "role");
	ASSERT_STR_EQ(out.tags[1].value, "db");
	ASSERT_STR_EQ(out.tags[2].key, "zone");
	struct node_tags again;
	ASSERT_OK(node_tags_decode(meta, meta_size, &again));
	ASSERT(node_tags_equal(&out, &again));
	/* An agent that predates tags still reads the services. */
	struct service_set s;
	ASSERT_OK(service_set_decode(&s, meta, meta_size, NULL));
	ASSERT_EQ(s.count, 1);
	ASSERT_EQ(s.version, 7);
	ASSERT(service_equal(s.services[0], &svc));
	service_set_destroy(&s);
	/* The set alone, or no metadata at all: no tags. */
	ASSERT_OK(node_tags_decode(set, set_size, &out));
	ASSERT_EQ(out.count, 0);
	ASSERT_OK(node_tags_decode(NULL, 0, &out));
	ASSERT_EQ(out.count, 0);
	free(set);
	free(meta);
}

static void
test_limits_are_enforced_and_named(void)
{
	char why[256];
	size_t size;
	struct service_kv bad_key[] = {{"has space", "x"}};
	ASSERT_EQ(node_tags_check(bad_key, 1, &size, why, sizeof(why)),
		  RUMOR_EINVAL);
	ASSERT(strstr(why, "has space") != NULL);
	struct service_kv eq_key[] = {{"a=b", "x"}};
	ASSERT_EQ(node_tags_check(eq_key, 1, &size, why, sizeof(why)),
		  RUMOR_EINVAL);
	struct service_kv empty_key[] = {{"", "x"}};
	ASSERT_EQ(node_tags_check(empty_key, 1, &size, why, sizeof(why)),
		  RUMOR_EINVAL);
	char value[NODE_TAG_VALUE_MAX + 2];
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	struct service_kv long_value[] = {{"k", value}};
	ASSERT_EQ(node_tags_check(long_value, 1, &size, why, sizeof(why)),
		  RUMOR_EINVAL);
	value[NODE_TAG_VALUE_MAX] = '\0'; /* exactly the limit: fine */
	ASSERT_OK(node_tags_check(long_value, 1, &size, why, sizeof(why)));
	struct service_kv twice[] = {{"k", "1"}, {"k", "2"}};
	ASSERT_NE(node_tags_check(twice, 2, &size, why, sizeof(why)), 0);
	/* 20 tags of 30-byte values: past the encoded size. */
	struct service_kv many[20];
	char keys[20][8];
	char v30[31];
	memset(v30, 'v', 30);
	v30[30] = '\0';
	for (int i = 0; i < 20; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key%d", i);
		many[i] = (struct service_kv){keys[i], v30};
	}
	ASSERT_EQ(node_tags_check(many, 20, &size, why, sizeof(why)),
		  RUMOR_ETOOBIG);
	ASSERT(strstr(why, "448") != NULL);
	ASSERT_OK(node_tags_check(many, 10, &size, why, sizeof(why)));
	ASSERT_LE(size, NODE_TAGS_SIZE_MAX);
}

static void
test_malformed_tags_read_as_none(void)
{
	/* {5: "not a map"} */
	static const uint8_t not_map[] = {0x81, 0x05, 0xa1, 'x'};
	struct node_tags out;
	ASSERT_EQ(node_tags_decode(not_map, sizeof(not_map), &out),
		  RUMOR_EINVAL);
	ASSERT_EQ(out.count, 0);
	/* {5: {"a b": "x"}}: a key the limits refuse. */
	static const uint8_t bad_key[] = {0x81, 0x05, 0x81, 0xa3, 'a', ' ',
					  'b', 0xa1, 'x'};
	ASSERT_EQ(node_tags_decode(bad_key, sizeof(bad_key), &out),
		  RUMOR_EINVAL);
	ASSERT_EQ(out.count, 0);
	/* Truncated. */
	static const uint8_t cut[] = {0x81, 0x05, 0x81, 0xa3, 'a'};
	ASSERT_EQ(node_tags_decode(cut, sizeof(cut), &out), RUMOR_EINVAL);
	ASSERT_EQ(out.count, 0);
}

int
main(void)
{
	RUN(test_tags_round_trip_sorted_by_key);
	RUN(test_limits_are_enforced_and_named);
	RUN(test_malformed_tags_read_as_none);
	return TEST_SUMMARY();
}
