/*
 * The client side of the local socket: plain blocking POSIX calls, since a
 * command does one request and exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"

#define CLIENT_TIMEOUT_S 5

const char *
client_default_socket(char *buf, size_t size)
{
	const char *env = getenv("RUMOR_SOCKET");
	if (env != NULL && env[0] != '\0')
		return env;
	snprintf(buf, size, "/tmp/rumor-%u.sock", (unsigned)getuid());
	return buf;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
read_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ECONNRESET;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
client_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "rumor: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "rumor: socket: %s\n", strerror(errno));
		return -1;
	}
	struct timeval tv = {.tv_sec = CLIENT_TIMEOUT_S};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr,
			"rumor: cannot connect to %s: %s (is the agent "
			"running?)\n",
			path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
client_call(const char *socket_path, const struct ipc_request *req,
	    struct ipc_response *resp, uint8_t **payload)
{
	int fd = client_connect(socket_path);
	if (fd < 0)
		return -1;
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	ipc_request_encode(&sb, req);
	uint8_t prefix[IPC_PREFIX];
	int rc = write_all(fd, (uint8_t *)sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	if (rc == 0)
		rc = read_all(fd, prefix, sizeof(prefix));
	if (rc != 0) {
		fprintf(stderr, "rumor: %s: %s\n", socket_path,
			errno == EAGAIN ? "agent did not answer in time"
					: strerror(errno));
		close(fd);
		return -1;
	}
	uint32_t len = ipc_frame_len(prefix);
	uint8_t *buf = len > 0 && len <= IPC_RESPONSE_MAX ? malloc(len)
							   : NULL;
	if (buf == NULL || read_all(fd, buf, len) != 0 ||
	    ipc_response_decode(resp, buf, len) != 0) {
		fprintf(stderr, "rumor: %s: malformed response\n",
			socket_path);
		free(buf);
		close(fd);
		return -1;
	}
	close(fd);
	*payload = buf;
	return 0;
}
