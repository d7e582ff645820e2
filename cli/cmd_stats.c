/*
 * rumor stats: the local agent's counters, "name value" per line, or one
 * JSON object with --json. Drops are counted per reason (drop_*: before
 * the core, drop_core_*: by the core).
 */
#include <stdio.h>

#include "cmd_common.h"
#include "cmd.h"

static const char stats_usage[] =
	"usage: rumor stats [--socket PATH] [--json]\n"
	"  Print the local agent's counters (packets, probes, drops by\n"
	"  reason, streams).\n"
	"  --socket PATH   the agent's socket (default $RUMOR_SOCKET, else\n"
	"                  /tmp/rumor-<uid>.sock)\n"
	"  --json          one JSON object\n";

static int
stats_call(struct rumor *r, void *arg)
{
	bool json = ((const struct cmd_flags *)arg)->json;
	const struct rumor_stat *list;
	size_t n;
	int rc = rumor_stats(r, &list, &n);
	if (rc != 0)
		return rc;
	if (json)
		putchar('{');
	for (size_t i = 0; i < n; i++) {
		if (json) {
			fputs(i > 0 ? "," : "", stdout);
			cmd_json_str(list[i].name);
			putchar(':');
		} else {
			printf("%-28s ", list[i].name);
		}
		printf("%llu", (unsigned long long)list[i].value);
		if (!json)
			putchar('\n');
	}
	if (json)
		puts("}");
	return 0;
}

int
cmd_stats(struct args *a)
{
	struct cmd_flags f = {0};
	int rc = cmd_parse_flags(a, &f, CMD_FLAGS_JSON, stats_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return cmd_call(a->cmd, f.socket_path, stats_call, &f);
}
