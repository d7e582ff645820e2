/*
 * The client library's transport: a blocking Unix socket with send and
 * receive timeouts, one request frame out and one answer frame back,
 * decoded by the protocol's own decoder (cli/ipc/ipc_proto.h). No output
 * of its own: errors are codes plus rumor_last_error(). The buffers a
 * call needs are kept in the handle and reused, so a lookup in a loop
 * allocates only what msgpack-c's zone does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "rumor_internal.h"

_Static_assert(RUMOR_SOCKET_PATH_MAX + 1 ==
		       sizeof(((struct sockaddr_un *)0)->sun_path),
	       "RUMOR_SOCKET_PATH_MAX is the room in sun_path");

const char *
rumor_default_socket(char *buf, size_t size)
{
	const char *env = getenv(IPC_SOCKET_ENV);
	if (env != NULL && env[0] != '\0')
		return env;
	snprintf(buf, size, IPC_SOCKET_DEFAULT, (unsigned)getuid());
	return buf;
}

int
rumor__fail(struct rumor *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return code;
}

int
rumor_connect(const char *socket_path, struct rumor **out)
{
	char buf[RUMOR_SOCKET_PATH_MAX + 1];
	if (socket_path == NULL)
		socket_path = rumor_default_socket(buf, sizeof(buf));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof(sun.sun_path))
		return RUMOR_EINVAL;
	strcpy(sun.sun_path, socket_path);
	struct rumor *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return RUMOR_ENOMEM;
	msgpack_sbuffer_init(&r->out);
	r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = IPC_CLIENT_TIMEOUT_MS / 1000,
			     .tv_usec = IPC_CLIENT_TIMEOUT_MS % 1000 * 1000};
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
	ipc_response_destroy(&r->last);
	msgpack_sbuffer_destroy(&r->out);
	free(r->in);
	free(r->list);
	free(r->kv);
	free(r);
}

int
rumor_fd(const struct rumor *r)
{
	return r->fd;
}

const char *
rumor_last_error(const struct rumor *r)
{
	return r->error;
}

bool
rumor_last_refused(const struct rumor *r)
{
	return r->refused;
}

void *
rumor__list(struct rumor *r, size_t size)
{
	if (size <= r->list_size)
		return r->list;
	void *grown = realloc(r->list, size);
	if (grown == NULL)
		return NULL;
	r->list = grown;
	r->list_size = size;
	return grown;
}

/* An I/O failure in words: a timeout, a closed peer or errno. */
static int
io_failed(struct rumor *r, ssize_t got, const char *what)
{
	return rumor__fail(r, RUMOR_EIO, "%s: %s", what,
			   got == 0 ? "the agent closed the connection"
			   : errno == EAGAIN
				   ? "the agent did not answer in time"
				   : strerror(errno));
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

/* The next frame's payload into r->in: *len bytes. */
static int
read_frame(struct rumor *r, uint32_t *len)
{
	uint8_t prefix[IPC_PREFIX];
	ssize_t got = io_all(r->fd, prefix, sizeof(prefix), false);
	if (got <= 0)
		return io_failed(r, got, "reading the answer");
	*len = ipc_frame_len(prefix);
	if (*len == 0 || *len > IPC_RESPONSE_MAX)
		return rumor__fail(r, RUMOR_EPROTO,
				   "bad answer frame from the agent");
	if (*len > r->in_cap) {
		uint8_t *grown = realloc(r->in, *len);
		if (grown == NULL)
			return rumor__fail(r, RUMOR_ENOMEM, "out of memory");
		r->in = grown;
		r->in_cap = *len;
	}
	got = io_all(r->fd, r->in, *len, false);
	if (got <= 0)
		return io_failed(r, got, "reading the answer");
	return 0;
}

int
rumor__next(struct rumor *r, enum ipc_body body)
{
	ipc_response_destroy(&r->last);
	memset(&r->last, 0, sizeof(r->last));
	r->refused = false;
	uint32_t len = 0;
	int rc = read_frame(r, &len);
	if (rc != 0)
		return rc;
	rc = ipc_response_decode(&r->last, body, r->in, len);
	if (rc == RUMOR_ENOMEM)
		return rumor__fail(r, rc, "out of memory");
	if (rc != 0)
		return rumor__fail(r, RUMOR_EPROTO,
				   "bad answer from the agent");
	if (r->last.ok)
		return 0;
	r->refused = true;
	return rumor__fail(r, r->last.code, "%s",
			   r->last.error[0] != '\0'
				   ? r->last.error
				   : "the agent refused the request");
}

int
rumor__call(struct rumor *r, const struct ipc_request *req,
	    enum ipc_body body)
{
	ipc_response_destroy(&r->last);
	memset(&r->last, 0, sizeof(r->last));
	r->refused = false;
	msgpack_sbuffer_clear(&r->out);
	int rc = ipc_request_encode(&r->out, req);
	if (rc != 0)
		return rumor__fail(r, rc, "cannot encode the request: %s",
				   rumor_strerror(rc));
	ssize_t got = io_all(r->fd, (uint8_t *)r->out.data, r->out.size,
			     true);
	if (got <= 0)
		return io_failed(r, got, "sending the request");
	return rumor__next(r, body);
}

void
rumor__no_timeout(struct rumor *r)
{
	struct timeval none = {0};
	setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
}
