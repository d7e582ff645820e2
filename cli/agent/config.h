/*
 * config: third-party registrations from a directory of JSON files
 * (rumor agent --config-dir DIR), one service per *.json file:
 *
 *	{"name": "api", "id": "api-1", "address": "127.0.0.1", "port": 9000,
 *	 "tags": ["v1"], "meta": {"k": "v"},
 *	 "check": {"tcp": "127.0.0.1:9000", "interval": "1s", "timeout": "1s"}}
 *
 * Only "name" is required; "id" defaults to it. "check" holds one of
 * "tcp", "http", "exec" (a target) or "ttl" (a duration), with "interval"
 * (default 10s) and "timeout" (default 5s) for the first three. Unknown
 * keys are errors (a typo must not pass silently). Parsed with jansson.
 * Only regular files are read (opened non-blocking: a FIFO named *.json
 * is skipped with a warning, never waited on), CONFIG_FILE_BYTES_MAX
 * bytes at most; a check's target must be one it can run
 * (checks_validate).
 */
#ifndef RUMOR_CONFIG_H
#define RUMOR_CONFIG_H

#include <stddef.h>

#include "membership/service.h"

/** Files read from a config dir at most. */
#define CONFIG_FILES_MAX SERVICE_PER_NODE_MAX
/** Bytes in one service file at most (one service is a few hundred). */
#define CONFIG_FILE_BYTES_MAX (64 * 1024)

/**
 * Read every *.json file of dir (in name order) into *out, an array of
 * *count malloc'd services (free each, then the array). Returns 0, or a
 * RUMOR_E* code with err (LOG_ERR_SIZE bytes) holding one line,
 * "FILE:LINE: why" for JSON syntax and "FILE: why" for a bad service
 * (nothing is returned then).
 */
int
config_load_dir(const char *dir, struct service ***out, size_t *count,
		char *err);

#endif /* RUMOR_CONFIG_H */
