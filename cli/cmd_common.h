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

/** --tag filters one command takes at most. */
#define CMD_TAG_FILTERS_MAX 16

struct cmd_flags {
	const char *socket_path;
	/** --json (listing commands only). */
	bool json;
	/** --status S (members only), or NULL. */
	const char *status;
	/** --tag KEY=REGEXP (members only; all must match). */
	const char *tags[CMD_TAG_FILTERS_MAX];
	size_t tag_count;
	/** --members (watch only). */
	bool members;
	char socket_buf[RUMOR_SOCKET_PATH_MAX + 1];
};

/** Which flags a command accepts besides --socket and --help. */
enum cmd_flag_set {
	CMD_FLAGS_SOCKET = 0,
	CMD_FLAGS_JSON = 1 << 0,
	CMD_FLAGS_STATUS = 1 << 1,
	CMD_FLAGS_TAG = 1 << 2,
	CMD_FLAGS_MEMBERS = 1 << 3,
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

/** Print pairs as a JSON object of strings. */
void
cmd_json_kv(const struct rumor_kv *kv, size_t count);

/** Print a member as a JSON object ({"name", "addr", "status",
 *  "incarnation", "tags"}; event: an "event" field first, or NULL). */
void
cmd_json_member(const struct rumor_member *m, const char *event);

/** A member's tags as "k=v,k=v" into buf (size bytes; "-" for none). */
const char *
cmd_tags_text(const struct rumor_member *m, char *buf, size_t size);

#endif /* RUMOR_CMD_COMMON_H */
