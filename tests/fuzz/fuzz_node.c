/*
 * Fuzz a node's whole input path: the input is a sequence of datagrams
 * (2-byte big-endian length, then the bytes), delivered to a plaintext
 * node from a few source addresses, with virtual time advancing and the
 * node's deadlines fired between them, and every output drained. The
 * decoder, the gossip rules, probing, suspicion and the queues must never
 * crash, and the node must always be able to encode its state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "membership/node.h"
#include "swim/swim_proto.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
drain(struct node *node)
{
	struct node_datagram dg;
	struct swim_stream_req req;
	struct swim_event ev;
	while (node_poll_datagram(node, &dg))
		if (dg.size > NODE_DATAGRAM_MAX)
			abort();
	while (node_poll_stream(node, &req))
		;
	while (node_poll_event(node, &ev))
		if (ev.status >= swim_status_MAX)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node_config cfg = {
		.self = {.name = "fuzz", .addr = {0x0a000001, 7946}},
		.rand_seed = 1,
	};
	swim_config_lan(&cfg.swim);
	uint64_t now = 10000;
	struct node *node = node_new(&cfg, now);
	if (node == NULL)
		abort();
	const struct swim_addr seed = {0x0a000002, 7946};
	node_join(node, now, &seed, 1);
	drain(node);
	uint8_t frame[NODE_DATAGRAM_MAX + 1];
	size_t pos = 0;
	while (size - pos >= 3) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		uint8_t step = data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (len > NODE_DATAGRAM_MAX)
			len = NODE_DATAGRAM_MAX;
		/* Plaintext framing: the node's own layer is fuzzed too. */
		frame[0] = SEAL_KIND_PLAIN;
		memcpy(frame + 1, data + pos, len);
		pos += len;
		const struct swim_addr from = {0x0a000002 + (step & 3), 7946};
		node_handle_datagram(node, now, &from, frame, len + 1);
		drain(node);
		now += (uint64_t)step * 37;
		while (node_next_deadline_ms(node) <= now) {
			node_handle_timeout(node, node_next_deadline_ms(node));
			drain(node);
		}
	}
	uint8_t *state;
	size_t state_size;
	if (node_stream_encode(node, false, &state, &state_size) != 0)
		abort();
	free(state);
	node_delete(node);
	return 0;
}
