/*
 * swim_proto: the wire format. msgpack, integer keys, versioned; message
 * types and field keys are protocol numbers: append only, never reuse.
 *
 * A datagram (plaintext, before sealing; at most swim_config's
 * datagram_size_max bytes):
 *
 *	+--------------------------------------------------------------+
 *	| map(3)                                                       |
 *	|   0 => version       uint   (SWIM_PROTO_VERSION)             |
 *	|   1 => sender        str    (node name, 1..SWIM_NAME_MAX)    |
 *	|   2 => messages      array16 (always 0xdc + 2-byte count,    |
 *	|                       so the count is patched at the end)    |
 *	|          +---------------------------------------------+     |
 *	|          | map(n): 0 => type uint, then the fields the  |     |
 *	|          | type carries, by key (table below); unknown  |     |
 *	|          | keys are skipped, so fields can be added     |     |
 *	|          +---------------------------------------------+     |
 *	+--------------------------------------------------------------+
 *
 * A push-pull state (over a stream, at most SWIM_STATE_MAX bytes):
 *
 *	map(4): 0 => version uint, 1 => sender str, 2 => join bool,
 *	        3 => members array of messages of type ALIVE, SUSPECT,
 *	             FAILED or LEFT (one per member, self included)
 *
 * Field keys and which types carry them (R = required, O = optional):
 *
 *	key field        PING PING_REQ ACK NACK ALIVE SUSPECT FAILED LEFT USER
 *	 1  seq          R    R        R   R
 *	 2  name         R    R                 R     R       R      R
 *	 3  ip                R                 R
 *	 4  port              R                 R
 *	 5  incarnation                         R     R       R      R
 *	 6  from                                      R       R
 *	 7  meta (bin)                          O                         R
 *	 8  round        O
 *
 * PING's round (key 8, added in rumor 0.2; older nodes skip it) lets
 * probers agree on whom each one probes (swim_probe.c).
 * PING's name is the target's name, so a node now at that address under
 * another name does not ack for it. USER carries opaque broadcast data
 * (the registry's gossip) in the meta field.
 */
#ifndef RUMOR_SWIM_PROTO_H
#define RUMOR_SWIM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"
#include "swim_addr.h"
#include "swim_mem.h"
#include "swim_types.h"

#define SWIM_PROTO_VERSION 1
/** Most messages decoded from one datagram. */
#define SWIM_PACKET_MSGS_MAX 128
/** Largest USER payload (fits one datagram with its header). */
#define SWIM_USER_MAX 1200

/** Message types. Wire numbers: append only. */
enum swim_msg_type {
	SWIM_MSG_PING = 1,
	SWIM_MSG_PING_REQ = 2,
	SWIM_MSG_ACK = 3,
	SWIM_MSG_NACK = 4,
	SWIM_MSG_ALIVE = 5,
	SWIM_MSG_SUSPECT = 6,
	SWIM_MSG_FAILED = 7,
	SWIM_MSG_LEFT = 8,
	SWIM_MSG_USER = 9,
	swim_msg_type_MAX
};

/** Field keys inside a message map. Wire numbers: append only. */
enum swim_key {
	SWIM_KEY_TYPE = 0,
	SWIM_KEY_SEQ = 1,
	SWIM_KEY_NAME = 2,
	SWIM_KEY_IP = 3,
	SWIM_KEY_PORT = 4,
	SWIM_KEY_INCARNATION = 5,
	SWIM_KEY_FROM = 6,
	SWIM_KEY_META = 7,
	SWIM_KEY_ROUND = 8,
};

/**
 * One message, decoded or to encode. Strings and bytes are (pointer,
 * length) pairs: when decoded they point into the caller's input bytes,
 * so they live as long as the input buffer does; when encoding they are
 * only read.
 * A decoded message has passed validation: required fields present, names
 * valid (swim_name_valid), meta_size <= SWIM_META_MAX (SWIM_USER_MAX for
 * USER).
 */
struct swim_msg {
	enum swim_msg_type type;
	uint64_t seq;
	const char *name;
	size_t name_len;
	struct swim_addr addr;
	uint64_t incarnation;
	const char *from;
	size_t from_len;
	const uint8_t *meta;
	size_t meta_size;
	/** PING: the prober's probe round (swim_probe.c); 0 when absent. */
	uint64_t round;
};

/** A decoded datagram; its strings point into the decoded input bytes. */
struct swim_packet {
	uint32_t version;
	const char *sender;
	size_t sender_len;
	size_t msg_count;
	struct swim_msg msgs[SWIM_PACKET_MSGS_MAX];
};

/**
 * Decode and validate a whole datagram. On SWIM_DROP_NONE the packet must
 * be released with swim_packet_destroy(), and `data` must stay untouched
 * until then; on any other result nothing needs releasing (calling
 * swim_packet_destroy() anyway is harmless). Never reads outside
 * data[0, size), never allocates. Messages of unknown type are skipped,
 * not dropped: newer peers may send them.
 */
RUMOR_MUST_CHECK enum swim_drop
swim_packet_decode(struct swim_packet *pkt, const uint8_t *data, size_t size);

void
swim_packet_destroy(struct swim_packet *pkt);

/**
 * Builds one datagram into a caller buffer. Messages are added one at a
 * time; an add that would pass the capacity fails and leaves the encoder
 * as it was, so the core can fill a datagram greedily.
 */
struct swim_encoder {
	uint8_t *buf;
	size_t cap;
	size_t size;
	size_t count_pos; /* offset of the array16 count */
	size_t msg_count;
};

/** Start a datagram from `sender` into buf[0, cap). Returns 0,
 *  RUMOR_EINVAL for an invalid sender name, or RUMOR_ENOSPACE when even
 *  the header does not fit (then every add fails with RUMOR_ENOSPACE). */
RUMOR_MUST_CHECK int
swim_encoder_begin(struct swim_encoder *enc, uint8_t *buf, size_t cap,
		   const char *sender, size_t sender_len);

/** Append one message. Returns 0, RUMOR_ENOSPACE (no room, or already
 *  SWIM_PACKET_MSGS_MAX messages) or RUMOR_EINVAL (a message the decoder
 *  would refuse); the encoder is unchanged on error. */
RUMOR_MUST_CHECK int
swim_encoder_add(struct swim_encoder *enc, const struct swim_msg *msg);

/** Patch the message count; returns the datagram size. */
size_t
swim_encoder_finish(struct swim_encoder *enc);

/** Whether two messages say the same: type, every field, and the bytes
 *  of names, accuser and meta (not where those bytes are). What decoding
 *  an encoded message must give back (round-trip checks in the tests,
 *  the fuzzers and the simulator). */
bool
swim_proto_msg_equal(const struct swim_msg *a, const struct swim_msg *b);

/* The message rules shared by the reader (swim_proto.c) and the writer
 * (swim_proto_write.c). */
/** Field bits, indexed by enum swim_key. */
#define SWIM_KEY_BIT(key) (1u << (key))
/** The fields a message type carries, as SWIM_KEY_BIT()s. */
unsigned
swim__proto_carried(enum swim_msg_type type);
/** ALIVE, SUSPECT, FAILED or LEFT: what a state is made of. */
bool
swim__proto_is_status(enum swim_msg_type type);
/** The one validity rule for a message, used by both directions: a
 *  message we would refuse to decode is refused at encoding too. */
bool
swim__proto_msg_valid(const struct swim_msg *msg);

/** A decoded push-pull state. Owns its members array. */
struct swim_state_def {
	uint32_t version;
	const char *sender;
	size_t sender_len;
	bool join;
	size_t member_count;
	/** member_count entries, from allocator. */
	struct swim_msg *members;
	const struct swim_allocator *allocator;
};

/** Fills *msg with member i of a state being packed (i < count, in
 *  order); strings it points to must live until the next call. */
typedef void (*swim_state_member_cb)(void *ctx, size_t i,
				     struct swim_msg *msg);

/**
 * Encode a state blob: header, then `count` members, each asked of
 * member_cb in turn and of type ALIVE/SUSPECT/FAILED/LEFT. On 0, *out is
 * the blob of *size bytes, from allocator (NULL: malloc), for the caller
 * to free with swim_mem_free(allocator, ...). Returns 0, RUMOR_ENOMEM,
 * RUMOR_ETOOBIG past SWIM_STATE_MAX bytes or SWIM_MEMBERS_MAX members, or
 * RUMOR_EINVAL for an invalid sender or member.
 */
RUMOR_MUST_CHECK int
swim_state_pack(const char *sender, size_t sender_len, bool join,
		size_t count, uint8_t **out, size_t *size,
		const struct swim_allocator *allocator,
		swim_state_member_cb member_cb, void *ctx);

/**
 * Decode and validate a state blob. Every member must be a valid message
 * of a status type (members of unknown type are skipped); the member count
 * is checked against the remaining bytes before anything is allocated, and
 * against SWIM_MEMBERS_MAX. The members array comes from allocator (NULL:
 * malloc); out of memory is SWIM_DROP_OVER_LIMIT. On SWIM_DROP_NONE
 * release with swim_state_destroy() and keep `data` untouched until then
 * (strings point into it); after a failed decode destroy is unneeded but
 * harmless.
 */
RUMOR_MUST_CHECK enum swim_drop
swim_state_decode(struct swim_state_def *st, const uint8_t *data,
		  size_t size, const struct swim_allocator *allocator);

void
swim_state_destroy(struct swim_state_def *st);

#endif /* RUMOR_SWIM_PROTO_H */
