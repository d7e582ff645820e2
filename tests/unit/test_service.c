/*
 * Unit tests of membership/service: validation against every limit, deep
 * copies, and the set codec (round trip, and refusal of anything malformed
 * or over a limit).
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "membership/service.h"
#include "membership/service_digest.h"
#include "rumor/error.h"
#include "test.h"

static const char *const web_tags[] = {"v2", "primary"};
static const struct service_kv web_meta[] = {{"zone", "a"}, {"owner", "team web"}};

static struct service
web(void)
{
	return (struct service){
		.id = "web-1", .name = "web", .address = "10.0.0.5",
		.port = 8080, .tags = web_tags, .tag_count = 2,
		.meta = web_meta, .meta_count = 2,
		.health = SERVICE_HEALTH_PASSING,
	};
}

static void
test_a_plain_service_is_valid_and_bad_fields_are_named(void)
{
	struct service s = web();
	const char *why = NULL;
	ASSERT_OK(service_validate(&s, &why));
	s.id = "web 1";
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "id") != NULL);
	s = web();
	s.name = "";
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "name") != NULL);
	char long_name[SERVICE_NAME_MAX + 2];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	s = web();
	s.name = long_name;
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
	long_name[SERVICE_NAME_MAX] = '\0'; /* exactly the limit */
	ASSERT_OK(service_validate(&s, NULL));
	static const char *const twice[] = {"v2", "v2"};
	s = web();
	s.tags = twice;
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "twice") != NULL);
	s = web();
	s.tag_count = SERVICE_TAGS_MAX + 1;
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "too many tags") != NULL);
	static const struct service_kv ctl[] = {{"k", "a\nb"}};
	s = web();
	s.meta = ctl;
	s.meta_count = 1;
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "meta value") != NULL);
	s = web();
	s.health = service_health_MAX;
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
}

static void
test_a_copy_is_one_block_equal_to_its_source(void)
{
	struct service s = web();
	struct service *copy = service_dup(&s);
	ASSERT_NOT_NULL(copy);
	ASSERT(service_equal(&s, copy));
	ASSERT(copy->id != s.id);
	ASSERT_STR_EQ(copy->meta[1].value, "team web");
	ASSERT(service_has_tag(copy, "primary"));
	ASSERT(!service_has_tag(copy, "v1"));
	s.port = 8081;
	ASSERT(!service_equal(&s, copy));
	free(copy);
}

static void
test_a_set_survives_encode_and_decode(void)
{
	struct service a = web(), b = {.id = "cache", .name = "cache",
				       .port = 6379,
				       .health = SERVICE_HEALTH_CRITICAL};
	const struct service *list[] = {&a, &b};
	uint8_t *buf;
	size_t size;
	ASSERT_OK(service_set_encode(42, list, 2, &buf, &size));
	struct service_set set;
	const char *why = NULL;
	ASSERT_OK(service_set_decode(&set, buf, size, &why));
	ASSERT_EQ(set.version, 42);
	ASSERT_EQ(set.count, 2);
	ASSERT(service_equal(set.services[0], &a));
	ASSERT_STR_EQ(set.services[1]->address, "");
	ASSERT_EQ(set.services[1]->health, SERVICE_HEALTH_CRITICAL);
	service_set_destroy(&set);
	/* Every truncation is refused, never read past. */
	for (size_t cut = 0; cut < size; cut++) {
		uint8_t *part = malloc(cut ? cut : 1);
		memcpy(part, buf, cut);
		ASSERT_EQ(service_set_decode(&set, part, cut, &why),
			  RUMOR_EINVAL);
		ASSERT_EQ(set.count, 0);
		free(part);
	}
	free(buf);
	/* An empty set is a set. */
	ASSERT_OK(service_set_encode(7, NULL, 0, &buf, &size));
	ASSERT_OK(service_set_decode(&set, buf, size, NULL));
	ASSERT_EQ(set.count, 0);
	ASSERT_EQ(set.version, 7);
	service_set_destroy(&set);
	free(buf);
}

/* Hand-made sets the decoder must refuse, each with its reason. */
static int
decode_packed(void (*build)(msgpack_packer *pk), const char **why)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	build(&pk);
	struct service_set set;
	int rc = service_set_decode(&set, (const uint8_t *)sb.data, sb.size,
				    why);
	if (rc == 0)
		service_set_destroy(&set);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

static void
str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

static void
one_service(msgpack_packer *pk, const char *id, unsigned health)
{
	msgpack_pack_map(pk, 3);
	msgpack_pack_uint8(pk, 1);
	str(pk, id);
	msgpack_pack_uint8(pk, 2);
	str(pk, "svc");
	msgpack_pack_uint8(pk, 7);
	msgpack_pack_uint8(pk, (uint8_t)health);
}

static void
build_duplicate_ids(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	msgpack_pack_uint8(pk, 1);
	msgpack_pack_uint8(pk, 1);
	msgpack_pack_uint8(pk, 2);
	msgpack_pack_array(pk, 2);
	one_service(pk, "a", 0);
	one_service(pk, "a", 0);
}

static void
build_bad_health(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	msgpack_pack_uint8(pk, 1);
	msgpack_pack_uint8(pk, 1);
	msgpack_pack_uint8(pk, 2);
	msgpack_pack_array(pk, 1);
	one_service(pk, "a", 9);
}

static void
build_no_version(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	msgpack_pack_uint8(pk, 2);
	msgpack_pack_array(pk, 0);
}

static void
build_future_field(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	msgpack_pack_uint8(pk, 1);
	msgpack_pack_uint8(pk, 1);
	msgpack_pack_uint8(pk, 2);
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	msgpack_pack_uint8(pk, 1);
	str(pk, "a");
	msgpack_pack_uint8(pk, 2);
	str(pk, "svc");
	msgpack_pack_uint8(pk, 99); /* a newer agent's field */
	str(pk, "whatever");
	msgpack_pack_uint8(pk, 9);  /* and a newer set field */
	msgpack_pack_nil(pk);
}

/* A stub: version 1, `services` one-service entries (a stub has none),
 * full size `full`, and a digest of digest_len bytes (none when 0). */
static void
pack_stub(msgpack_packer *pk, size_t services, uint64_t full,
	  size_t digest_len)
{
	static const char digest[SERVICE_SET_DIGEST_SIZE];
	msgpack_pack_map(pk, digest_len > 0 ? 4 : 3);
	msgpack_pack_uint8(pk, 1);
	msgpack_pack_uint8(pk, 1);
	msgpack_pack_uint8(pk, 2);
	msgpack_pack_array(pk, services);
	for (size_t i = 0; i < services; i++)
		one_service(pk, "a", 0);
	msgpack_pack_uint8(pk, 3);
	msgpack_pack_uint64(pk, full);
	if (digest_len > 0) {
		msgpack_pack_uint8(pk, 4);
		msgpack_pack_bin(pk, digest_len);
		msgpack_pack_bin_body(pk, digest, digest_len);
	}
}

static void
build_stub_with_services(msgpack_packer *pk)
{
	pack_stub(pk, 1, 2000, SERVICE_SET_DIGEST_SIZE);
}

static void
build_stub_of_nothing(msgpack_packer *pk)
{
	pack_stub(pk, 0, 0, 0);
}

static void
build_stub_without_digest(msgpack_packer *pk)
{
	pack_stub(pk, 0, 900, 0);
}

static void
build_stub_short_digest(msgpack_packer *pk)
{
	pack_stub(pk, 0, 900, 3);
}

static void
test_a_stub_stands_for_a_large_set(void)
{
	uint8_t *buf;
	size_t size;
	static uint8_t full[9000], other[9000];
	memset(full, 7, sizeof(full));
	memset(other, 7, sizeof(other));
	other[4500] = 8;
	uint8_t given[SERVICE_SET_DIGEST_SIZE];
	service_digest(given, full, sizeof(full));
	ASSERT_OK(service_set_encode_stub(42, sizeof(full), given, &buf,
					  &size));
	ASSERT_LE(size, 40);
	struct service_set set;
	ASSERT_OK(service_set_decode(&set, buf, size, NULL));
	ASSERT_EQ(set.version, 42);
	ASSERT_EQ(set.full_size, 9000);
	ASSERT_EQ(set.count, 0);
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
	service_digest(digest, full, sizeof(full));
	ASSERT(memcmp(set.digest, digest, sizeof(digest)) == 0);
	ASSERT(memcmp(given, digest, sizeof(digest)) == 0);
	service_digest(digest, other, sizeof(other));
	ASSERT(memcmp(set.digest, digest, sizeof(digest)) != 0);
	service_set_destroy(&set);
	free(buf);
	ASSERT_EQ(service_set_encode_stub(1, 0, given, &buf, &size),
		  RUMOR_EINVAL);
	ASSERT_EQ(service_set_encode_stub(1, SERVICE_SET_BYTES_MAX + 1, given,
					  &buf, &size),
		  RUMOR_EINVAL);
	const char *why = NULL;
	ASSERT_EQ(decode_packed(build_stub_with_services, &why),
		  RUMOR_EINVAL);
	ASSERT(strstr(why, "carries services") != NULL);
	ASSERT_EQ(decode_packed(build_stub_of_nothing, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "full set size") != NULL);
	ASSERT_EQ(decode_packed(build_stub_without_digest, &why),
		  RUMOR_EINVAL);
	ASSERT(strstr(why, "digest") != NULL);
	ASSERT_EQ(decode_packed(build_stub_short_digest, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "digest") != NULL);
	/* A plain set is no stub. */
	struct service a = web();
	const struct service *list[] = {&a};
	ASSERT_OK(service_set_encode(3, list, 1, &buf, &size));
	ASSERT_OK(service_set_decode(&set, buf, size, NULL));
	ASSERT_EQ(set.full_size, 0);
	service_set_destroy(&set);
	free(buf);
}

static void
test_malformed_sets_are_refused_with_a_reason(void)
{
	const char *why = NULL;
	ASSERT_EQ(decode_packed(build_duplicate_ids, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "same id") != NULL);
	ASSERT_EQ(decode_packed(build_bad_health, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "health") != NULL);
	ASSERT_EQ(decode_packed(build_no_version, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "version") != NULL);
	ASSERT_OK(decode_packed(build_future_field, &why));
	/* A hostile count: an array16 claiming 65535 services in 5 bytes. */
	const uint8_t hostile[] = {0x82, 0x01, 0x01, 0x02, 0xdc, 0xff, 0xff};
	struct service_set set;
	ASSERT_EQ(service_set_decode(&set, hostile, sizeof(hostile), &why),
		  RUMOR_EINVAL);
}

static void
test_a_set_over_the_limits_is_not_encoded(void)
{
	struct service a = web();
	const struct service *list[SERVICE_PER_NODE_MAX + 1];
	for (size_t i = 0; i <= SERVICE_PER_NODE_MAX; i++)
		list[i] = &a;
	uint8_t *buf;
	size_t size;
	ASSERT_EQ(service_set_encode(1, list, SERVICE_PER_NODE_MAX + 1, &buf,
				     &size), RUMOR_ETOOBIG);
}

static void
test_a_check_travels_in_the_record_and_is_stripped_for_gossip(void)
{
	struct service s = web();
	s.check = (struct service_check){SERVICE_CHECK_HTTP,
					 "http://10.0.0.5:8080/health", 2000,
					 1000};
	ASSERT_OK(service_validate(&s, NULL));
	const struct service *list[] = {&s};
	uint8_t *buf;
	size_t size;
	ASSERT_OK(service_set_encode(1, list, 1, &buf, &size));
	struct service_set set;
	ASSERT_OK(service_set_decode(&set, buf, size, NULL));
	ASSERT(service_equal(set.services[0], &s));
	ASSERT_STR_EQ(set.services[0]->check.target,
		      "http://10.0.0.5:8080/health");
	struct service *bare = service_strip_check(set.services[0]);
	ASSERT_EQ(bare->check.kind, SERVICE_CHECK_NONE);
	ASSERT(!service_equal(bare, &s));
	free(bare);
	service_set_destroy(&set);
	free(buf);
	const char *why = NULL;
	s.ttl_ms = 5000;
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
	ASSERT(strstr(why, "not both") != NULL);
	s.ttl_ms = 0;
	s.check.interval_ms = 10;
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
	s.check.interval_ms = 1000;
	s.check.target = "";
	ASSERT_EQ(service_validate(&s, &why), RUMOR_EINVAL);
}

int
main(void)
{
	RUN(test_a_plain_service_is_valid_and_bad_fields_are_named);
	RUN(test_a_copy_is_one_block_equal_to_its_source);
	RUN(test_a_set_survives_encode_and_decode);
	RUN(test_malformed_sets_are_refused_with_a_reason);
	RUN(test_a_stub_stands_for_a_large_set);
	RUN(test_a_set_over_the_limits_is_not_encoded);
	RUN(test_a_check_travels_in_the_record_and_is_stripped_for_gossip);
	return TEST_SUMMARY();
}
