/*
 * Reading templates, comparing and atomically replacing outputs (see
 * render_file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render_file.h"
#include "rumor/error.h"

/* Comparison reads the old file in pieces of this size. */
#define CHUNK_SIZE (64 * 1024)

static int
fail(char *err, int code, const char *what, const char *path)
{
	snprintf(err, RENDER_FILE_ERR_SIZE, "cannot %s %s: %s", what, path,
		 strerror(errno));
	return code;
}

/* Read up to n bytes (fewer only at the end of the file); -1 on error. */
static ssize_t
read_full(int fd, char *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static int
write_full(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int
render_file_read(const char *path, size_t max, char **out, size_t *size,
		 char err[RENDER_FILE_ERR_SIZE])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, RUMOR_EIO, "read", path);
	/* One byte more than allowed tells "too big" from "just fits". */
	char *buf = malloc(max + 2);
	if (buf == NULL) {
		close(fd);
		snprintf(err, RENDER_FILE_ERR_SIZE, "out of memory");
		return RUMOR_ENOMEM;
	}
	ssize_t got = read_full(fd, buf, max + 1);
	int saved = errno;
	close(fd);
	if (got < 0) {
		free(buf);
		errno = saved;
		return fail(err, RUMOR_EIO, "read", path);
	}
	if ((size_t)got > max) {
		free(buf);
		snprintf(err, RENDER_FILE_ERR_SIZE,
			 "%s: larger than %zu bytes", path, max);
		return RUMOR_ETOOBIG;
	}
	buf[got] = '\0';
	*out = buf;
	*size = (size_t)got;
	return 0;
}

bool
render_file_same(const char *path, const char *data, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uintmax_t)st.st_size == size;
	char *buf = same ? malloc(CHUNK_SIZE) : NULL;
	same = same && buf != NULL;
	size_t off = 0;
	while (same && off < size) {
		size_t n = size - off < CHUNK_SIZE ? size - off : CHUNK_SIZE;
		ssize_t got = read_full(fd, buf, n);
		same = got == (ssize_t)n && memcmp(buf, data + off, n) == 0;
		off += n;
	}
	/* Grown since fstat: not the same. */
	if (same && read_full(fd, buf, 1) != 0)
		same = false;
	free(buf);
	close(fd);
	return same;
}

/* Split path into its directory ("." when none) and the temporary
 * file's name beside it. -1 when they do not fit. */
static int
temp_names(const char *path, char *dir, size_t dir_size, char *tmp,
	   size_t tmp_size)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	size_t dlen = slash == NULL ? 1 : slash == path ? 1
				       : (size_t)(slash - path);
	if (dlen >= dir_size)
		return -1;
	memcpy(dir, slash == NULL ? "." : path, dlen);
	dir[dlen] = '\0';
	int n = snprintf(tmp, tmp_size, "%.*s.%s.rumor-%ld.tmp",
			 (int)(base - path), path, base, (long)getpid());
	return n < 0 || (size_t)n >= tmp_size ? -1 : 0;
}

/* Create the temporary file, removing a stale one of ours (a file with
 * our PID was left by a process that no longer runs). */
static int
temp_open(const char *tmp, mode_t mode)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	return fd;
}

/* Make the rename durable; a directory that cannot be synced (some file
 * systems refuse) is no reason to report failure. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int
render_file_write(const char *path, const char *data, size_t size,
		  char err[RENDER_FILE_ERR_SIZE])
{
	char dir[4096], tmp[4200];
	if (temp_names(path, dir, sizeof(dir), tmp, sizeof(tmp)) != 0) {
		snprintf(err, RENDER_FILE_ERR_SIZE, "path too long: %.200s...",
			 path);
		return RUMOR_EIO;
	}
	struct stat old;
	bool exists = stat(path, &old) == 0 && S_ISREG(old.st_mode);
	int fd = temp_open(tmp, exists ? 0600 : 0666);
	if (fd < 0)
		return fail(err, RUMOR_EIO, "create", tmp);
	const char *what = "write";
	bool ok = write_full(fd, data, size) == 0;
	if (ok && exists) {
		what = "set the mode of";
		ok = fchmod(fd, old.st_mode & 07777) == 0;
		/* Keeping the owner needs privileges we may lack: the
		 * mode is kept either way. */
		if (ok && fchown(fd, old.st_uid, old.st_gid) != 0)
			errno = 0;
	}
	if (ok) {
		what = "sync";
		ok = fsync(fd) == 0;
	}
	int saved = errno;
	if (close(fd) != 0 && ok) {
		saved = errno;
		what = "write";
		ok = false;
	}
	if (ok && rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		snprintf(err, RENDER_FILE_ERR_SIZE, "cannot rename %s to %s: %s",
			 tmp, path, strerror(errno));
		return RUMOR_EIO;
	}
	if (!ok) {
		unlink(tmp);
		errno = saved;
		return fail(err, RUMOR_EIO, what, tmp);
	}
	sync_dir(dir);
	return 0;
}
