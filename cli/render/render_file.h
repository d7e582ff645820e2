/*
 * render_file: the files of `rumor render`. A template is read whole; an
 * output is compared with what is there, and replaced so that a reader
 * (nginx reloading, a person with cat) sees the old file or the new one,
 * never half of one:
 *
 *	write DIR/.NAME.rumor-PID.tmp   (same directory: same file system)
 *	fsync it, give it the old file's mode (and owner, when allowed)
 *	rename it over DIR/NAME         (atomic on POSIX file systems)
 *	fsync DIR                       (the rename survives a power cut)
 *
 * File I/O, so not in the pure rumor_render library: its own small one.
 * Errors are one line in the caller's buffer ("cannot create
 * /etc/nginx/conf.d/.web.conf.rumor-42.tmp: Permission denied").
 */
#ifndef RUMOR_RENDER_FILE_H
#define RUMOR_RENDER_FILE_H

#include <stdbool.h>
#include <stddef.h>

/** Room for one error line (it may name two paths of up to 4 KiB). */
#define RENDER_FILE_ERR_SIZE 8400

/**
 * Read the file at path, at most max bytes, into *out (malloc'd,
 * NUL-terminated; *size bytes without the NUL). 0, or RUMOR_EIO (cannot
 * read), RUMOR_ETOOBIG (over max) or RUMOR_ENOMEM, with err filled in.
 */
int
render_file_read(const char *path, size_t max, char **out, size_t *size,
		 char err[RENDER_FILE_ERR_SIZE]);

/** Whether the file at path holds exactly data[0..size) (false when it
 *  is missing or cannot be read). */
bool
render_file_same(const char *path, const char *data, size_t size);

/**
 * Replace the file at path with data[0..size), atomically (above). A new
 * file gets mode 0666 less the umask; an existing one keeps its mode,
 * and its owner and group when this process may set them. 0, or
 * RUMOR_EIO with err filled in, path unchanged and no temporary file
 * left behind.
 */
int
render_file_write(const char *path, const char *data, size_t size,
		  char err[RENDER_FILE_ERR_SIZE]);

#endif /* RUMOR_RENDER_FILE_H */
