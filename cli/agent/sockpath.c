/*
 * sockpath: the local socket's file before we bind it (see sockpath.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "rumor/error.h"
#include "sockpath.h"

/* libuv reports a missing directory as EACCES; say what it is. */
static int
parent_check(const char *path, char *err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	strcpy(dir, path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		return 0;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	struct stat st;
	if (stat(dir, &st) == 0)
		return 0; /* bind will say what else is wrong */
	return log_err(err, RUMOR_EIO, "socket %s: %s", path,
		       log_strerror(errno));
}

int
sockpath_prepare(const char *path, char *err)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sun.sun_path))
		return log_err(err, RUMOR_EINVAL,
			       "socket path too long (max %zu): %s",
			       sizeof(sun.sun_path) - 1, path);
	strcpy(sun.sun_path, path);
	struct stat st;
	if (lstat(path, &st) != 0)
		return parent_check(path, err);
	if (!S_ISSOCK(st.st_mode))
		return log_err(err, RUMOR_EIO,
			       "socket %s: exists and is not a socket", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_err(err, RUMOR_EIO, "socket: %s",
			       log_strerror(errno));
	/* A live agent with a full backlog would block us: bound the wait. */
	struct timeval tv = {.tv_sec = 1};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	int rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	int saved = errno;
	close(fd);
	if (rc == 0 || saved == EAGAIN)
		return log_err(err, RUMOR_EIO,
			       "another agent is listening on %s", path);
	if (saved == ECONNREFUSED && unlink(path) != 0 && errno != ENOENT)
		return log_err(err, RUMOR_EIO,
			       "socket %s: cannot remove stale socket: %s",
			       path, log_strerror(errno));
	return 0;
}
