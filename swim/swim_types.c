/*
 * swim_types: the names of the shared enums, for logs and stats.
 */
#include "swim_types.h"

const char *const swim_status_strs[swim_status_MAX] = {
	"alive", "suspect", "failed", "left",
};

const char *const swim_drop_strs[swim_drop_MAX] = {
	"none", "truncated", "malformed", "version", "from_self",
	"over_limit", "left",
};
