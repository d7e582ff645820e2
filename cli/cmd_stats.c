/*
 * rumor stats: the local agent's counters, "name value" per line, or one
 * JSON object with --json. Drops are counted per reason (drop_*: before
 * the core, drop_core_*: by the core).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd_common.h"
#include "cmd.h"

static const char stats_usage[] =
	"usage: rumor stats [--socket PATH] [--json]\n"
	"  Print the local agent's counters (packets, probes, drops by\n"
	"  reason, streams).\n"
	"  --socket PATH   the agent's socket (default $RUMOR_SOCKET, else\n"
	"                  /tmp/rumor-<uid>.sock)\n"
	"  --json          one JSON object\n";

static void
print_value(const msgpack_object *v)
{
	if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		printf("%llu", (unsigned long long)v->via.u64);
	else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		printf("%lld", (long long)v->via.i64);
	else if (v->type == MSGPACK_OBJECT_BOOLEAN)
		printf("%s", v->via.boolean ? "true" : "false");
	else if (v->type == MSGPACK_OBJECT_STR)
		client_json_str(stdout, v->via.str.ptr, v->via.str.size);
	else
		printf("null");
}

static void
print_stats(const msgpack_object *map, bool json)
{
	bool first = true;
	if (json)
		putchar('{');
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv *kv = &map->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;
		const char *name = kv->key.via.str.ptr;
		int len = (int)kv->key.via.str.size;
		if (json) {
			fputs(first ? "" : ",", stdout);
			client_json_str(stdout, name, (size_t)len);
			putchar(':');
		} else {
			printf("%-28.*s ", len, name);
		}
		print_value(&kv->val);
		first = false;
		if (!json)
			putchar('\n');
	}
	if (json)
		puts("}");
}

int
cmd_stats(struct args *a)
{
	struct client_flags f = {0};
	int rc = client_parse_flags(a, &f, CLIENT_FLAGS_JSON, stats_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	struct ipc_response resp;
	uint8_t *payload;
	if (client_request(a->cmd, f.socket_path, IPC_OP_STATS, &resp,
			   &payload) != 0)
		return 1;
	const msgpack_object *map = ipc_map_get(resp.root, "stats");
	int status = 0;
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP) {
		fprintf(stderr, "rumor: stats: malformed response\n");
		status = 1;
	} else {
		print_stats(map, f.json);
	}
	ipc_response_destroy(&resp);
	free(payload);
	return status;
}
