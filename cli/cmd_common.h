/*
 * client: what the client commands share. Parsing --socket (and the
 * listing flags), then one request to the local agent over its Unix
 * socket: blocking, with a CLIENT_TIMEOUT_S timeout on connect and on
 * every read and write.
 */
#ifndef RUMOR_CMD_COMMON_H
#define RUMOR_CMD_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include "args.h"
#include "cli/ipc/ipc_proto.h"

/** Connect, send and receive must each finish within this long. */
#define CLIENT_TIMEOUT_S 5
/** Room for the default socket path. */
#define CLIENT_SOCKET_PATH_MAX 128

/** Default socket: $RUMOR_SOCKET, else /tmp/rumor-<uid>.sock (in buf). */
const char *
client_default_socket(char *buf, size_t size);

struct client_flags {
	const char *socket_path;
	/** --json (listing commands only). */
	bool json;
	/** --status S (members only), or NULL. */
	const char *status;
	char socket_buf[CLIENT_SOCKET_PATH_MAX];
};

/** Which flags a command accepts besides --socket and --help. */
enum client_flag_set {
	CLIENT_FLAGS_SOCKET = 0,
	CLIENT_FLAGS_JSON = 1 << 0,
	CLIENT_FLAGS_STATUS = 1 << 1,
};

/**
 * Parse a client command's flags. Returns 0 to go on, 1 when --help was
 * printed (exit 0), -1 after a usage error was printed (exit 2).
 */
int
client_parse_flags(struct args *a, struct client_flags *f, unsigned accept,
		   const char *usage);

/**
 * Send one request and read its response. On failure prints one line
 * "rumor: ..." and returns -1; on success the caller calls
 * ipc_response_destroy(resp) and then frees *payload.
 */
int
client_call(const char *socket_path, const struct ipc_request *req,
	    struct ipc_response *resp, uint8_t **payload);

/**
 * client_call() plus the error check every command does: prints
 * "rumor: <cmd>: <error>" for an {"ok": false} answer. Returns 0 (caller
 * destroys as above) or 1 (nothing to free).
 */
int
client_request(const char *cmd, const char *socket_path, enum ipc_op op,
	       struct ipc_response *resp, uint8_t **payload);

/** client_request with a whole request (arguments included). */
int
client_send(const char *cmd, const char *socket_path,
	    const struct ipc_request *req, struct ipc_response *resp,
	    uint8_t **payload);

typedef void (*client_event_cb)(const msgpack_object *event, void *arg);

/**
 * Send a watch request and call on_event for every event frame until the
 * agent closes the stream or something fails (one line on stderr).
 * Returns the exit status (1: a watch only ends by failing; SIGINT ends
 * the process).
 */
int
client_watch(const char *cmd, const char *socket_path,
	     const struct ipc_request *req, client_event_cb on_event,
	     void *arg);

/** Print a decoded msgpack value as JSON (maps with string keys). */
void
client_json_obj(FILE *out, const msgpack_object *o);

/** Print s[0, len) as a JSON string: quotes, backslashes and control
 *  characters escaped. */
void
client_json_str(FILE *out, const char *s, size_t len);

#endif /* RUMOR_CMD_COMMON_H */
