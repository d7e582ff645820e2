/*
 * sockpath: make the local socket's path ready to bind. A live agent's
 * socket is left alone (an error: two agents must not share one), a stale
 * one (nobody accepting) is removed, and a missing parent directory is
 * named as such rather than as libuv's "permission denied".
 */
#ifndef RUMOR_SOCKPATH_H
#define RUMOR_SOCKPATH_H

/** 0, or RUMOR_EINVAL (path too long for a Unix socket) / RUMOR_EIO with
 *  err (LOG_ERR_SIZE bytes, one line). */
int
sockpath_prepare(const char *path, char *err);

#endif /* RUMOR_SOCKPATH_H */
