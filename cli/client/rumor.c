/*
 * librumor: include/rumor/rumor.h over the local socket protocol
 * (ipc_proto.h). Blocking POSIX sockets with send/receive timeouts; no
 * output of its own: errors are codes plus rumor_last_error().
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "rumor_internal.h"

/* rumor_register hands the caller's meta pairs to the codec as they are. */
_Static_assert(sizeof(struct rumor_kv) == sizeof(struct service_kv) &&
		       offsetof(struct rumor_kv, value) ==
			       offsetof(struct service_kv, value),
	       "struct rumor_kv and struct service_kv must match");

/* Each send and receive must finish within this long. */
#define RUMOR_CLIENT_TIMEOUT_S 5

struct rumor {
	int fd;
	char error[256];
};

static int
fail(struct rumor *r, int code, const char *what)
{
	snprintf(r->error, sizeof(r->error), "%s", what);
	return code;
}

int
rumor_connect(const char *socket_path, struct rumor **out)
{
	char buf[128];
	if (socket_path == NULL) {
		socket_path = getenv("RUMOR_SOCKET");
		if (socket_path == NULL || socket_path[0] == '\0') {
			snprintf(buf, sizeof(buf), "/tmp/rumor-%u.sock",
				 (unsigned)getuid());
			socket_path = buf;
		}
	}
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof(sun.sun_path))
		return RUMOR_EINVAL;
	strcpy(sun.sun_path, socket_path);
	struct rumor *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return RUMOR_ENOMEM;
	r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = RUMOR_CLIENT_TIMEOUT_S};
	/* On Linux SO_SNDTIMEO also bounds a blocking connect. */
	if (r->fd < 0 ||
	    setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(r->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(r->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int saved = errno; /* the caller may want to say why */
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		errno = saved;
		return RUMOR_EIO;
	}
	*out = r;
	return 0;
}

void
rumor_close(struct rumor *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	free(r);
}

const char *
rumor_last_error(const struct rumor *r)
{
	return r->error;
}

/* An I/O failure in words: a timeout, a closed peer or errno. */
static int
io_failed(struct rumor *r, ssize_t got, const char *what)
{
	snprintf(r->error, sizeof(r->error), "%s: %s", what,
		 got == 0 ? "the agent closed the connection"
		 : errno == EAGAIN ? "the agent did not answer in time"
				   : strerror(errno));
	return RUMOR_EIO;
}

static ssize_t
io_all(int fd, uint8_t *p, size_t n, bool writing)
{
	while (n > 0) {
		ssize_t k = writing ? send(fd, p, n, MSG_NOSIGNAL)
				    : recv(fd, p, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k;
		p += k;
		n -= (size_t)k;
	}
	return 1;
}

int
rumor__read_frame(struct rumor *r, uint8_t **buf, uint32_t *len)
{
	uint8_t prefix[IPC_PREFIX];
	ssize_t got = io_all(r->fd, prefix, sizeof(prefix), false);
	if (got <= 0)
		return io_failed(r, got, "reading the answer");
	*len = ipc_frame_len(prefix);
	*buf = *len > 0 && *len <= IPC_RESPONSE_MAX ? malloc(*len) : NULL;
	if (*buf == NULL)
		return fail(r, RUMOR_EPROTO, "bad answer frame from the agent");
	got = io_all(r->fd, *buf, *len, false);
	if (got <= 0) {
		free(*buf);
		return io_failed(r, got, "reading the answer");
	}
	return 0;
}

int
rumor__exchange(struct rumor *r, const struct ipc_request *req,
		uint8_t **buf, uint32_t *len)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	int rc = ipc_request_encode(&sb, req);
	if (rc != 0) {
		msgpack_sbuffer_destroy(&sb);
		return fail(r, rc, "cannot encode the request");
	}
	ssize_t got = io_all(r->fd, (uint8_t *)sb.data, sb.size, true);
	msgpack_sbuffer_destroy(&sb);
	if (got <= 0)
		return io_failed(r, got, "sending the request");
	return rumor__read_frame(r, buf, len);
}

void
rumor__no_timeout(struct rumor *r)
{
	struct timeval none = {0};
	setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
}

/* Send req; on 0, *resp and *payload hold an ok answer (destroy both). */
static int
call(struct rumor *r, const struct ipc_request *req,
     struct ipc_response *resp, uint8_t **payload)
{
	uint8_t *buf;
	uint32_t len;
	int rc = rumor__exchange(r, req, &buf, &len);
	if (rc != 0)
		return rc;
	if (ipc_response_decode(resp, buf, len) != 0) {
		free(buf);
		return fail(r, RUMOR_EPROTO, "bad answer from the agent");
	}
	if (!resp->ok) {
		snprintf(r->error, sizeof(r->error), "%.*s",
			 (int)resp->error_len, resp->error ? resp->error : "");
		ipc_response_destroy(resp);
		free(buf);
		return RUMOR_ESTATE;
	}
	*payload = buf;
	return 0;
}

/* A call whose answer carries nothing we need. */
static int
call_ok(struct rumor *r, const struct ipc_request *req)
{
	struct ipc_response resp;
	uint8_t *payload;
	int rc = call(r, req, &resp, &payload);
	if (rc == 0) {
		ipc_response_destroy(&resp);
		free(payload);
	}
	return rc;
}

int
rumor_register(struct rumor *r, const struct rumor_service *s)
{
	struct service svc = {
		.id = s->id ? s->id : s->name, .name = s->name,
		.address = s->address ? s->address : "", .port = s->port,
		.tags = s->tags, .tag_count = s->tag_count,
		.meta = (const struct service_kv *)s->meta,
		.meta_count = s->meta_count, .ttl_ms = s->ttl_ms,
	};
	const char *why = NULL;
	if (svc.name == NULL || service_validate(&svc, &why) != 0)
		return fail(r, RUMOR_EINVAL, why ? why : "a service needs a name");
	struct service *list[] = {&svc};
	struct ipc_request req = {.op = IPC_OP_REGISTER,
				  .reg = {.services = list, .count = 1}};
	return call_ok(r, &req);
}

/* deregister, pass: an op on one id. */
static int
id_call(struct rumor *r, enum ipc_op op, const char *id)
{
	if (id == NULL || id[0] == '\0' || strlen(id) > SERVICE_NAME_MAX)
		return fail(r, RUMOR_EINVAL, "an id is 1-64 bytes");
	struct ipc_request req = {.op = op};
	strcpy(req.name, id);
	return call_ok(r, &req);
}

int
rumor_deregister(struct rumor *r, const char *id)
{
	return id_call(r, IPC_OP_DEREGISTER, id);
}

int
rumor_pass(struct rumor *r, const char *id)
{
	return id_call(r, IPC_OP_PASS, id);
}

static void
instance_from(const msgpack_object *m, struct rumor_instance *out)
{
	ipc_copy_str(m, "node", out->node, sizeof(out->node));
	ipc_copy_str(m, "id", out->id, sizeof(out->id));
	ipc_copy_str(m, "service", out->service, sizeof(out->service));
	ipc_copy_str(m, "address", out->address, sizeof(out->address));
	const msgpack_object *port = ipc_map_get(m, "port");
	out->port = port && port->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
			    port->via.u64 <= UINT16_MAX
		? (uint16_t)port->via.u64 : 0;
	char health[16];
	ipc_copy_str(m, "health", health, sizeof(health));
	out->healthy = strcmp(health, "passing") == 0;
}

/* name and tag into req; 0 or RUMOR_EINVAL. */
static int
query(struct rumor *r, struct ipc_request *req, const char *name,
      const char *tag)
{
	if (name == NULL || name[0] == '\0' ||
	    strlen(name) > SERVICE_NAME_MAX ||
	    (tag != NULL && (tag[0] == '\0' || strlen(tag) > SERVICE_NAME_MAX)))
		return fail(r, RUMOR_EINVAL, "names and tags are 1-64 bytes");
	strcpy(req->name, name);
	if (tag != NULL)
		strcpy(req->tag, tag);
	return 0;
}

int
rumor_lookup(struct rumor *r, const char *name, const char *tag, bool all,
	     struct rumor_instance *out, size_t cap, size_t *count)
{
	struct ipc_request req = {.op = IPC_OP_LOOKUP, .all = all};
	int rc = query(r, &req, name, tag);
	struct ipc_response resp;
	uint8_t *payload;
	if (rc != 0 || (rc = call(r, &req, &resp, &payload)) != 0)
		return rc;
	const msgpack_object *list = ipc_map_get(resp.root, "instances");
	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY) {
		rc = fail(r, RUMOR_EPROTO, "bad answer from the agent");
	} else {
		*count = list->via.array.size;
		for (size_t i = 0; i < *count && i < cap; i++)
			instance_from(&list->via.array.ptr[i], &out[i]);
	}
	ipc_response_destroy(&resp);
	free(payload);
	return rc;
}

int
rumor_pick(struct rumor *r, const char *name, const char *tag,
	   enum rumor_policy policy, struct rumor_instance *out)
{
	struct ipc_request req = {
		.op = IPC_OP_PICK,
		.policy = policy == RUMOR_PICK_ROUND_ROBIN
				  ? REGISTRY_PICK_ROUND_ROBIN
				  : REGISTRY_PICK_RANDOM};
	int rc = query(r, &req, name, tag);
	struct ipc_response resp;
	uint8_t *payload;
	if (rc != 0)
		return rc;
	rc = call(r, &req, &resp, &payload);
	if (rc == RUMOR_ESTATE)
		return RUMOR_ENOTFOUND; /* the only refusal a pick gets */
	if (rc != 0)
		return rc;
	const msgpack_object *in = ipc_map_get(resp.root, "instance");
	if (in == NULL || in->type != MSGPACK_OBJECT_MAP)
		rc = fail(r, RUMOR_EPROTO, "bad answer from the agent");
	else
		instance_from(in, out);
	ipc_response_destroy(&resp);
	free(payload);
	return rc;
}
