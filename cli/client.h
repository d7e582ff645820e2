/*
 * client: one request to the local agent over its Unix socket, blocking,
 * with a 5 s timeout. Used by the client commands.
 */
#ifndef RUMOR_CLIENT_H
#define RUMOR_CLIENT_H

#include "ipc_proto.h"

/** Default socket: $RUMOR_SOCKET, else /tmp/rumor-<uid>.sock. */
const char *
client_default_socket(char *buf, size_t size);

/**
 * Send one request and read its response. On failure prints one line
 * "rumor: ..." and returns -1; on success the caller destroys *resp.
 */
int
client_call(const char *socket_path, const struct ipc_request *req,
	    struct ipc_response *resp, uint8_t **payload);

#endif /* RUMOR_CLIENT_H */
