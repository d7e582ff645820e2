/*
 * datadir: the agent's data directory (--data-dir). It is created 0700
 * when missing, locked with flock() on a `lock` file so two agents cannot
 * share it, and holds `incarnation`: the incarnation the next start will
 * use. A start reads N (missing file: 0), starts the node at N and stores
 * N + 1 (temp file, fsync, rename, fsync of the directory) before it
 * joins, so a restarted agent always outranks every earlier run, even one
 * that crashed.
 */
#ifndef RUMOR_DATADIR_H
#define RUMOR_DATADIR_H

#include <stddef.h>
#include <stdint.h>

struct datadir {
	/** The locked file's descriptor, or -1. */
	int lock_fd;
};

/** Nothing open yet; datadir_close() is then a no-op. */
void
datadir_init(struct datadir *dd);

/**
 * Create/lock `path` and take the next incarnation into *incarnation.
 * Returns 0, or RUMOR_EIO / RUMOR_EINVAL with err ("data dir PATH: why",
 * LOG_ERR_SIZE bytes).
 */
int
datadir_start(struct datadir *dd, const char *path, uint64_t *incarnation,
	      char *err);

/**
 * Replace the file at path (inside dir) so that a crash leaves the old or
 * the new content, never a torn one: a temp file, fsync, rename, fsync of
 * dir. Returns 0, or RUMOR_EIO with err holding the system's reason
 * alone ("no space left on device"), for the caller to put in context.
 */
int
datadir_write(const char *dir, const char *path, const void *data,
	      size_t len, char *err);

/** Release the lock. */
void
datadir_close(struct datadir *dd);

#endif /* RUMOR_DATADIR_H */
