/*
 * The data directory: a lock and a crash-safe incarnation counter. Plain
 * blocking system calls, used once at start-up before the loop runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"
#include "log.h"
#include "rumor/error.h"

/** Longest data dir path we accept (leaves room for the file names). */
#define DATADIR_PATH_MAX 4000
/** The counter file holds one decimal number and a newline. */
#define DATADIR_COUNTER_MAX 32

void
datadir_init(struct datadir *dd)
{
	dd->lock_fd = -1;
}

void
datadir_close(struct datadir *dd)
{
	if (dd->lock_fd >= 0)
		close(dd->lock_fd);
	dd->lock_fd = -1;
}

/* mkdir -p; what we create is 0700. */
static int
make_dirs(const char *path)
{
	char buf[DATADIR_PATH_MAX + 1];
	strcpy(buf, path);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(buf, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* Make a rename in dir durable. */
static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* datadir_write without the error line: -1 with errno set. */
static int
write_file(const char *dir, const char *path, const void *data, size_t len)
{
	char tmp[DATADIR_PATH_MAX + 128];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	errno = 0;
	ssize_t w = len ? write(fd, data, len) : 0;
	bool ok = w == (ssize_t)len && fsync(fd) == 0;
	/* A short write sets no errno: the disk is full. */
	int saved = w >= 0 && (size_t)w < len ? ENOSPC : errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return sync_dir(dir);
}

int
datadir_write(const char *dir, const char *path, const void *data,
	      size_t len, char *err)
{
	if (write_file(dir, path, data, len) == 0)
		return 0;
	return log_err(err, RUMOR_EIO, "%s", log_strerror(errno));
}

/* Read the counter: 0 when the file is missing, -1 (errno set, or 0 for
 * "not a number") when it cannot be read or is not a number. */
static int
read_counter(const char *path, uint64_t *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return -1;
		*out = 0;
		return 0;
	}
	char text[DATADIR_COUNTER_MAX + 1];
	ssize_t n = read(fd, text, DATADIR_COUNTER_MAX);
	int saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	text[n] = '\0';
	uint64_t v = 0;
	ssize_t i = 0;
	for (; i < n && text[i] >= '0' && text[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			break;
		v = v * 10 + (uint64_t)(text[i] - '0');
	}
	if (i == 0 || (text[i] != '\0' && strcmp(text + i, "\n") != 0)) {
		errno = 0;
		return -1;
	}
	*out = v;
	return 0;
}

static int
datadir_fail(char *err, const char *path, const char *what)
{
	return log_err(err, RUMOR_EIO, "data dir %s: %s", path, what);
}

static int
datadir_lock(struct datadir *dd, const char *path, char *err)
{
	char file[DATADIR_PATH_MAX + 64];
	if (make_dirs(path) != 0)
		return datadir_fail(err, path, log_strerror(errno));
	snprintf(file, sizeof(file), "%s/lock", path);
	dd->lock_fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (dd->lock_fd < 0)
		return datadir_fail(err, path, log_strerror(errno));
	if (flock(dd->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		bool busy = errno == EWOULDBLOCK;
		const char *why = busy ? "in use by another agent"
				       : log_strerror(errno);
		datadir_close(dd);
		return datadir_fail(err, path, why);
	}
	return 0;
}

int
datadir_start(struct datadir *dd, const char *path, uint64_t *incarnation,
	      char *err)
{
	if (path[0] == '\0' || strlen(path) > DATADIR_PATH_MAX) {
		datadir_fail(err, path, "bad path");
		return RUMOR_EINVAL;
	}
	int rc = datadir_lock(dd, path, err);
	if (rc != 0)
		return rc;
	char file[DATADIR_PATH_MAX + 64];
	snprintf(file, sizeof(file), "%s/incarnation", path);
	uint64_t next;
	if (read_counter(file, &next) != 0) {
		const char *why = errno != 0 ? log_strerror(errno)
					     : "incarnation file is not a "
					       "number";
		datadir_close(dd);
		return datadir_fail(err, path, why);
	}
	char text[DATADIR_COUNTER_MAX];
	snprintf(text, sizeof(text), "%llu\n",
		 (unsigned long long)next + 1);
	if (write_file(path, file, text, strlen(text)) != 0) {
		char why[128];
		snprintf(why, sizeof(why), "cannot write the incarnation: %s",
			 log_strerror(errno));
		datadir_close(dd);
		return datadir_fail(err, path, why);
	}
	*incarnation = next;
	return 0;
}
