/*
 * service: one registered service instance, its limits, validation and
 * wire form. A node's services travel as one versioned set:
 *
 *	set     = map { 1: version (uint), 2: [service, ...],
 *	                3: full_size (uint, stubs only),
 *	                4: digest (bin, stubs only) }
 *	service = map { 1: id, 2: name, 3: address, 4: port (uint),
 *	                5: [tag, ...], 6: { key: value, ... },
 *	                7: health (uint, enum service_health),
 *	                8: ttl_ms (uint, only when not 0),
 *	                9: check (only with one): { 1: kind (uint, enum
 *	                   service_check_kind), 2: target (str),
 *	                   3: interval_ms (uint), 4: timeout_ms (uint) } }
 *
 * A check runs on the service's own agent; agents announce their
 * services without it (service_strip_check), so targets and commands
 * stay local.
 *
 * A set too big to announce inline is announced as a stub: no services,
 * the size and digest of the set it stands for, which travels in the
 * push-pull exchange instead (membership/node.h) and is known by its
 * digest there.
 *
 * Keys are protocol (append only); unknown keys are skipped, so a newer
 * agent may add fields. Decoding checks every limit below and returns a
 * reason; nothing malformed gets in.
 */
#ifndef RUMOR_SERVICE_H
#define RUMOR_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"


/* Limits (Consul has none this tight; ours keep a node's whole set well
 * inside a push-pull frame and a lookup reply inside a socket frame). */
/** Bytes in a service id, name, tag or meta key. */
#define SERVICE_NAME_MAX 64
/** Bytes in an address (an IPv4 address or a host name). */
#define SERVICE_ADDRESS_MAX 255
/** Tags per service. */
#define SERVICE_TAGS_MAX 32
/** Meta pairs per service. */
#define SERVICE_META_MAX 32
/** Bytes in a meta value. */
#define SERVICE_META_VALUE_MAX 512
/** Services one node may register. */
#define SERVICE_PER_NODE_MAX 256
/** Longest TTL a service may ask for (a day). */
#define SERVICE_TTL_MAX_MS (24ull * 3600 * 1000)
/** Bytes in one node's encoded set. */
#define SERVICE_SET_BYTES_MAX (256 * 1024)

/** Bytes in a check target (a URL, HOST:PORT or a command line). */
#define SERVICE_CHECK_TARGET_MAX 255
/** Shortest check interval, and the longest interval or timeout. */
#define SERVICE_CHECK_INTERVAL_MIN_MS 100
#define SERVICE_CHECK_PERIOD_MAX_MS (3600ull * 1000)

/** Wire values: append only. */
enum service_check_kind {
	SERVICE_CHECK_NONE = 0,
	/** target "A.B.C.D:PORT": passing when a connection opens. */
	SERVICE_CHECK_TCP = 1,
	/** target "http://A.B.C.D[:PORT]/path": passing on a 2xx. */
	SERVICE_CHECK_HTTP = 2,
	/** target: a /bin/sh command line: passing when it exits 0. */
	SERVICE_CHECK_EXEC = 3,
	service_check_kind_MAX
};

extern const char *const service_check_kind_strs[service_check_kind_MAX];

/** A health check the service's agent runs. */
struct service_check {
	enum service_check_kind kind;
	const char *target;
	uint64_t interval_ms;
	uint64_t timeout_ms;
};

/** Wire values: append only. */
enum service_health {
	SERVICE_HEALTH_PASSING = 0,
	SERVICE_HEALTH_CRITICAL = 1,
	service_health_MAX
};

extern const char *const service_health_strs[service_health_MAX];

struct service_kv {
	const char *key;
	const char *value;
};

/**
 * A service instance. As an input (service_dup, service_validate) its
 * strings are the caller's; a service from service_dup or a decoder owns
 * them in the same allocation, and one free() releases it all.
 */
struct service {
	/** Unique on its node; defaults to the name when registering. */
	const char *id;
	const char *name;
	/** Empty: the node's own address. */
	const char *address;
	uint16_t port;
	const char *const *tags;
	size_t tag_count;
	const struct service_kv *meta;
	size_t meta_count;
	enum service_health health;
	/** A TTL check: the service must report passing this often or its
	 *  agent marks it critical. 0: no TTL check. */
	uint64_t ttl_ms;
	/** A TCP, HTTP or exec check (kind NONE: none); not with a TTL. */
	struct service_check check;
};

/**
 * Check every field against the limits: id and name 1..SERVICE_NAME_MAX
 * bytes of [A-Za-z0-9._-]; tags and meta keys 1..SERVICE_NAME_MAX
 * printable bytes without spaces; meta values printable; no duplicate
 * tag or key. Returns 0, or RUMOR_EINVAL with *why (a static phrase,
 * "tag 3 is too long") when why is not NULL.
 */
RUMOR_MUST_CHECK int
service_validate(const struct service *s, const char **why);

/** A deep copy in one malloc'd block (free() it), or NULL on OOM. */
RUMOR_MUST_CHECK struct service *
service_dup(const struct service *s);

/** A copy without its check definition (what the agent announces), in
 *  one malloc'd block, or NULL on OOM. */
RUMOR_MUST_CHECK struct service *
service_strip_check(const struct service *s);

/** Whether two services are the same in every field. */
bool
service_equal(const struct service *a, const struct service *b);

/** Whether s carries `tag`. */
bool
service_has_tag(const struct service *s, const char *tag);

/**
 * Encode a node's set into a malloc'd buffer (*out, *size). Services must
 * be valid. Returns 0, RUMOR_ENOMEM or RUMOR_ETOOBIG (past
 * SERVICE_SET_BYTES_MAX or SERVICE_PER_NODE_MAX).
 */
RUMOR_MUST_CHECK int
service_set_encode(uint64_t version, const struct service *const *services,
		   size_t count, uint8_t **out, size_t *size);

/** Bytes of a set's digest (BLAKE2b, computed by service_digest() in
 *  service_digest.h). */
#define SERVICE_SET_DIGEST_SIZE 16

/** The stub standing for an encoded set of full_size bytes
 *  (1..SERVICE_SET_BYTES_MAX; RUMOR_EINVAL otherwise) whose digest is
 *  digest (service_digest() of those bytes), in a malloc'd buffer; 0 or
 *  RUMOR_ENOMEM. */
RUMOR_MUST_CHECK int
service_set_encode_stub(uint64_t version, size_t full_size,
			const uint8_t digest[SERVICE_SET_DIGEST_SIZE],
			uint8_t **out, size_t *size);

/** A decoded set: free it with service_set_destroy. */
struct service_set {
	uint64_t version;
	struct service **services;
	size_t count;
	/** Not 0 for a stub: the bytes of the set it stands for, and
	 *  their digest. */
	size_t full_size;
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
};

/**
 * Decode and validate a set. Returns 0, RUMOR_ENOMEM, or RUMOR_EINVAL
 * with *why (a static phrase) for anything malformed, over a limit, or
 * with two services of the same id; on error *set is empty.
 */
RUMOR_MUST_CHECK int
service_set_decode(struct service_set *set, const uint8_t *data,
		   size_t size, const char **why);

void
service_set_destroy(struct service_set *set);

#endif /* RUMOR_SERVICE_H */
