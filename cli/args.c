/*
 * Flag scanning and value parsing for the command line. Strict on
 * purpose: a value we half understand ("5 s", "+2s", "1.5s") is an error,
 * never a silent guess.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "swim/swim_duration.h"

static bool
flag_in(const char *flag, const char *const *list)
{
	for (const char *const *v = list; *v != NULL; v++) {
		if (strcmp(*v, flag) == 0)
			return true;
	}
	return false;
}

int
args_next(struct args *a, const char **flag, const char **value,
	  const char *const *valued, const char *const *switches)
{
	if (a->pos >= a->argc)
		return 0;
	const char *arg = a->argv[a->pos++];
	if (strcmp(arg, "-h") == 0)
		arg = "--help";
	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
		fprintf(stderr, "rumor: %s: unexpected argument \"%s\"\n",
			a->cmd, arg);
		return -1;
	}
	const char *eq = strchr(arg, '=');
	size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	if (len >= sizeof(a->flag)) {
		fprintf(stderr, "rumor: %s: unknown flag \"%.*s\"\n", a->cmd,
			(int)len, arg);
		return -1;
	}
	memcpy(a->flag, arg, len);
	a->flag[len] = '\0';
	*flag = a->flag;
	*value = NULL;
	if (!flag_in(a->flag, valued)) {
		if (strcmp(a->flag, "--help") != 0 &&
		    !flag_in(a->flag, switches))
			return args_unknown(a, a->flag);
		if (eq == NULL)
			return 1;
		fprintf(stderr, "rumor: %s: %s takes no value\n", a->cmd,
			a->flag);
		return -1;
	}
	if (eq != NULL) {
		*value = eq + 1;
	} else if (a->pos < a->argc) {
		*value = a->argv[a->pos++];
	} else {
		fprintf(stderr, "rumor: %s: %s needs a value\n", a->cmd,
			a->flag);
		return -1;
	}
	return 1;
}

const char *
args_positional(struct args *a)
{
	if (a->pos < a->argc && strncmp(a->argv[a->pos], "--", 2) != 0 &&
	    strcmp(a->argv[a->pos], "-h") != 0)
		return a->argv[a->pos++];
	return NULL;
}

int
args_unknown(const struct args *a, const char *flag)
{
	fprintf(stderr, "rumor: %s: unknown flag \"%s\"\n", a->cmd, flag);
	return -1;
}

/* Digits only, no sign or space; *end is left at the first non-digit. */
static int
parse_digits(const char *text, uint64_t *out, const char **end)
{
	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	char *stop;
	unsigned long long v = strtoull(text, &stop, 10);
	if (errno != 0)
		return -1;
	*out = v;
	*end = stop;
	return 0;
}


int
args_duration(const struct args *a, const char *flag, const char *value,
	      uint64_t *out_ms)
{
	const char *why;
	if (swim_duration_parse(value, out_ms, &why) == 0)
		return 0;
	fprintf(stderr,
		"rumor: %s: %s: bad duration \"%s\": %s (use e.g. 500ms, "
		"1.5s, 1m)\n",
		a->cmd, flag, value, why);
	return -1;
}

int
args_uint(const struct args *a, const char *flag, const char *value,
	  unsigned long max, unsigned long *out)
{
	uint64_t v;
	const char *end;
	if (parse_digits(value, &v, &end) != 0 || *end != '\0' || v > max) {
		fprintf(stderr, "rumor: %s: %s: bad number \"%s\" (0-%lu)\n",
			a->cmd, flag, value, max);
		return -1;
	}
	*out = (unsigned long)v;
	return 0;
}

int
args_addr(const struct args *a, const char *flag, const char *value,
	  struct swim_addr *out)
{
	struct swim_addr addr;
	if (swim_addr_parse(value, &addr) == 0 && addr.port != 0) {
		*out = addr;
		return 0;
	}
	if (swim_addr_is_ipv6(value)) {
		fprintf(stderr, "rumor: %s: %s: \"%s\": IPv6 is not supported "
				"yet (the protocol carries IPv4 addresses; see "
				"docs/protocol.md)\n", a->cmd, flag, value);
		return -1;
	}
	fprintf(stderr,
		"rumor: %s: %s: bad address \"%s\" (want IP:PORT, port "
		"1-65535)\n",
		a->cmd, flag, value);
	return -1;
}
