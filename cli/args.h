/*
 * args: the flag scanner every command uses, and the strict value parsers
 * (durations, IP:PORT). Each error is reported as one line on stderr,
 * "rumor: <cmd>: ...", and the caller exits with ARGS_EXIT_USAGE.
 */
#ifndef RUMOR_ARGS_H
#define RUMOR_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "swim/swim.h"

/** Exit code of a usage error (a runtime failure is 1). */
#define ARGS_EXIT_USAGE 2
/** Longest flag name we keep ("--reconnect-interval" is 20). */
#define ARGS_FLAG_MAX 64

/** A command's arguments, consumed left to right. */
struct args {
	/** The command name, for error messages ("agent"). */
	const char *cmd;
	int argc;
	char **argv;
	/** Index of the next argument to look at. */
	int pos;
	/** The current flag's name (the part before any '='). */
	char flag[ARGS_FLAG_MAX];
};

/**
 * Take the next flag. Flags named in `valued` (NULL-terminated) take a
 * value, as "--flag VALUE" or "--flag=VALUE"; those in `switches` take
 * none; any other is an unknown flag. "-h" is read as "--help", which is
 * always a switch. Returns 1 with *flag (and *value, or NULL) set, 0 when
 * the arguments are used up, -1 after printing a usage error.
 */
int
args_next(struct args *a, const char **flag, const char **value,
	  const char *const *valued, const char *const *switches);

/** The next argument when it is not a flag (a NAME or an ID), taken;
 *  else NULL. */
const char *
args_positional(struct args *a);

/** Print `rumor: <cmd>: unknown flag "<flag>"`; returns -1. */
int
args_unknown(const struct args *a, const char *flag);

/** A duration flag's value in swim_duration's grammar ("500ms", "1.5s",
 *  "1m"); prints the error and returns -1 if bad. */
int
args_duration(const struct args *a, const char *flag, const char *value,
	      uint64_t *out_ms);

/** A plain decimal number in [0, max]; prints the error if bad. */
int
args_uint(const struct args *a, const char *flag, const char *value,
	  unsigned long max, unsigned long *out);

/** An "a.b.c.d:port" value with a non-zero port; prints the error if
 *  bad. */
int
args_addr(const struct args *a, const char *flag, const char *value,
	  struct swim_addr *out);

#endif /* RUMOR_ARGS_H */
