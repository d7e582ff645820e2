/*
 * cmd_common: what the client commands share. They talk to the local
 * agent only through the client library's public API
 * (include/rumor/rumor.h), so the command line decodes exactly what a C
 * user of the library gets. Here: the --socket flag (and the listing
 * flags), the one shape of a command (connect, one call, print, close)
 * with its one-line errors, and JSON strings.
 */
#ifndef RUMOR_CMD_COMMON_H
#define RUMOR_CMD_COMMON_H

#include <stdbool.h>

#include "args.h"
#include "rumor/rumor.h"

struct cmd_flags {
	const char *socket_path;
	/** --json (listing commands only). */
	bool json;
	/** --status S (members only), or NULL. */
	const char *status;
	char socket_buf[RUMOR_SOCKET_PATH_MAX + 1];
};

/** Which flags a command accepts besides --socket and --help. */
enum cmd_flag_set {
	CMD_FLAGS_SOCKET = 0,
	CMD_FLAGS_JSON = 1 << 0,
	CMD_FLAGS_STATUS = 1 << 1,
};

/** The default socket into f, before a command reads its flags. */
void
cmd_flags_init(struct cmd_flags *f);

/**
 * Parse a client command's flags. Returns 0 to go on, 1 when --help was
 * printed (exit 0), -1 after a usage error was printed (exit 2).
 */
int
cmd_parse_flags(struct args *a, struct cmd_flags *f, unsigned accept,
		const char *usage);

/** What a command does with its handle: one library call and the
 *  printing of what it got. Returns 0; or the library's failure code
 *  (< 0), which cmd_call() reports; or 1 after printing its own line. */
typedef int (*cmd_call_fn)(struct rumor *r, void *arg);

/**
 * The shape of every client command: connect to the agent at
 * socket_path, run `call`, close. A failure is one line on stderr:
 * "rumor: CMD: why" when the agent refused, "rumor: SOCKET: why" when
 * the exchange failed on the way. Returns the exit status (0 or 1).
 */
int
cmd_call(const char *cmd, const char *socket_path, cmd_call_fn call,
	 void *arg);

/** Connect; NULL after one line on stderr. */
struct rumor *
cmd_connect(const char *socket_path);

/** Print s as a JSON string: quotes, backslashes and control characters
 *  escaped. */
void
cmd_json_str(const char *s);

#endif /* RUMOR_CMD_COMMON_H */
