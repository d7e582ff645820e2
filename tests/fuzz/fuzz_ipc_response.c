/*
 * Fuzz the client's response decoder, the bytes an agent (or whatever
 * listens on the socket) sends back. The first byte picks the body the
 * client expects, the rest is the payload. Whatever arrives decodes or is
 * refused, never crashes, never allocates without bound; and what
 * decodes encodes again (the agent's encoders) into bytes that decode to
 * the same response.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/ipc/ipc_proto.h"
#include "rumor/error.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_str(const char *a, const char *b)
{
	if (strcmp(a, b) != 0)
		abort();
}

static void
same_instance(const struct ipc_instance *a, const struct ipc_instance *b)
{
	same_str(a->node, b->node);
	same_str(a->id, b->id);
	same_str(a->service, b->service);
	same_str(a->address, b->address);
	if (a->port != b->port || a->healthy != b->healthy ||
	    a->tag_count != b->tag_count || a->meta_count != b->meta_count)
		abort();
	for (size_t i = 0; i < a->tag_count; i++)
		same_str(a->tags[i], b->tags[i]);
	for (size_t i = 0; i < a->meta_count; i++) {
		same_str(a->meta[i].key, b->meta[i].key);
		same_str(a->meta[i].value, b->meta[i].value);
	}
}

/* The items of a decoded ok answer, written again. */
static int
write_items(msgpack_sbuffer *sb, const struct ipc_response *r)
{
	struct ipc_writer w;
	ipc_writer_begin(&w, sb, r->body, r->count);
	for (size_t i = 0; i < r->count; i++) {
		if (r->body == IPC_BODY_MEMBERS)
			ipc_write_member(&w, &r->members[i]);
		else if (r->body == IPC_BODY_STATS)
			ipc_write_stat(&w, &r->stats[i]);
		else if (r->body == IPC_BODY_SERVICES)
			ipc_write_summary(&w, &r->services[i]);
		else
			ipc_write_instance(&w, &r->instances[i]);
	}
	return ipc_writer_end(&w);
}

static int
encode_again(msgpack_sbuffer *sb, const struct ipc_response *r)
{
	if (!r->ok)
		return ipc_error_encode(sb, r->code, r->error);
	if (r->body == IPC_BODY_EVENT)
		return ipc_event_encode(sb, r->event);
	return write_items(sb, r);
}

static void
same_response(const struct ipc_response *a, const struct ipc_response *b)
{
	if (a->ok != b->ok || a->body != b->body || a->count != b->count)
		abort();
	if (!a->ok) {
		if (a->code != b->code)
			abort();
		same_str(a->error, b->error);
		return;
	}
	for (size_t i = 0; i < a->count; i++) {
		switch (a->body) {
		case IPC_BODY_MEMBERS:
			same_str(a->members[i].name, b->members[i].name);
			same_str(a->members[i].addr, b->members[i].addr);
			if (a->members[i].status != b->members[i].status ||
			    a->members[i].incarnation !=
				    b->members[i].incarnation)
				abort();
			break;
		case IPC_BODY_STATS:
			same_str(a->stats[i].name, b->stats[i].name);
			if (a->stats[i].value != b->stats[i].value)
				abort();
			break;
		case IPC_BODY_SERVICES:
			same_str(a->services[i].name, b->services[i].name);
			if (a->services[i].healthy != b->services[i].healthy ||
			    a->services[i].total != b->services[i].total)
				abort();
			break;
		case IPC_BODY_EVENT:
			same_str(a->event->node, b->event->node);
			same_str(a->event->id, b->event->id);
			same_str(a->event->service, b->event->service);
			same_str(a->event->address, b->event->address);
			if (a->event->type != b->event->type ||
			    a->event->port != b->event->port ||
			    a->event->healthy != b->event->healthy)
				abort();
			break;
		default:
			same_instance(&a->instances[i], &b->instances[i]);
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	enum ipc_body body = (enum ipc_body)(data[0] % ipc_body_MAX);
	struct ipc_response resp;
	if (ipc_response_decode(&resp, body, data + 1, size - 1) != 0)
		return 0;
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct ipc_response again;
	/* Only a frame too big to send again may fail (the error text of a
	 * refusal is not bounded by the decoder). */
	int rc = encode_again(&sb, &resp);
	if (rc == 0) {
		if (ipc_response_decode(&again, body,
					(const uint8_t *)sb.data + IPC_PREFIX,
					sb.size - IPC_PREFIX) != 0)
			abort();
		same_response(&resp, &again);
		ipc_response_destroy(&again);
	} else if (rc != RUMOR_ETOOBIG) {
		abort();
	}
	msgpack_sbuffer_destroy(&sb);
	ipc_response_destroy(&resp);
	return 0;
}
