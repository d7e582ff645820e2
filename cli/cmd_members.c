/*
 * rumor members: the members the local agent knows, sorted by name, as an
 * aligned table or (--json) one line of JSON:
 *
 *	NAME  ADDRESS                STATUS   INCARNATION
 *	n1    127.0.0.1:7946         alive    0
 *
 *	[{"name":"n1","addr":"127.0.0.1:7946","status":"alive",
 *	  "incarnation":0}]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "cmd.h"

static const char members_usage[] =
	"usage: rumor members [--socket PATH] [--json] [--status S]\n"
	"  List the members the local agent knows, sorted by name.\n"
	"  --socket PATH   the agent's socket (default $RUMOR_SOCKET, else\n"
	"                  /tmp/rumor-<uid>.sock)\n"
	"  --json          one line of JSON: [{\"name\", \"addr\", "
	"\"status\",\n"
	"                  \"incarnation\"}, ...]\n"
	"  --status S      only members with status S: alive, suspect,\n"
	"                  failed or left\n";

struct member_row {
	char name[SWIM_NAME_MAX + 1];
	char addr[32];
	char status[16];
	uint64_t incarnation;
};

static int
row_cmp(const void *x, const void *y)
{
	return strcmp(((const struct member_row *)x)->name,
		      ((const struct member_row *)y)->name);
}

static void
print_json(const struct member_row *rows, size_t count)
{
	putchar('[');
	for (size_t i = 0; i < count; i++) {
		const struct member_row *r = &rows[i];
		printf("%s{\"name\":", i > 0 ? "," : "");
		client_json_str(stdout, r->name, strlen(r->name));
		printf(",\"addr\":");
		client_json_str(stdout, r->addr, strlen(r->addr));
		printf(",\"status\":");
		client_json_str(stdout, r->status, strlen(r->status));
		printf(",\"incarnation\":%llu}",
		       (unsigned long long)r->incarnation);
	}
	printf("]\n");
}

static void
print_table(const struct member_row *rows, size_t count)
{
	int w = (int)strlen("NAME");
	for (size_t i = 0; i < count; i++) {
		int len = (int)strlen(rows[i].name);
		w = len > w ? len : w;
	}
	printf("%-*s  %-21s  %-7s  %s\n", w, "NAME", "ADDRESS", "STATUS",
	       "INCARNATION");
	for (size_t i = 0; i < count; i++)
		printf("%-*s  %-21s  %-7s  %llu\n", w, rows[i].name,
		       rows[i].addr, rows[i].status,
		       (unsigned long long)rows[i].incarnation);
}

/* The rows of a members response that pass the --status filter. */
static struct member_row *
collect_rows(const msgpack_object *list, const char *status, size_t *count)
{
	size_t n = list->via.array.size;
	struct member_row *rows = calloc(n > 0 ? n : 1, sizeof(*rows));
	if (rows == NULL)
		return NULL;
	*count = 0;
	for (size_t i = 0; i < n; i++) {
		const msgpack_object *m = &list->via.array.ptr[i];
		struct member_row *r = &rows[*count];
		ipc_copy_str(m, "name", r->name, sizeof(r->name));
		ipc_copy_str(m, "addr", r->addr, sizeof(r->addr));
		ipc_copy_str(m, "status", r->status, sizeof(r->status));
		const msgpack_object *inc = ipc_map_get(m, "incarnation");
		bool num = inc != NULL &&
			   inc->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
		r->incarnation = num ? inc->via.u64 : 0;
		if (status == NULL || strcmp(status, r->status) == 0)
			(*count)++;
	}
	qsort(rows, *count, sizeof(*rows), row_cmp);
	return rows;
}

int
cmd_members(struct args *a)
{
	struct client_flags f = {0};
	int rc = client_parse_flags(a, &f,
				    CLIENT_FLAGS_JSON | CLIENT_FLAGS_STATUS,
				    members_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	struct ipc_response resp;
	uint8_t *payload;
	if (client_request(a->cmd, f.socket_path, IPC_OP_MEMBERS, &resp,
			   &payload) != 0)
		return 1;
	const msgpack_object *list = ipc_map_get(resp.root, "members");
	struct member_row *rows = NULL;
	size_t count = 0;
	int status = 1;
	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY)
		fprintf(stderr, "rumor: members: malformed response\n");
	else if ((rows = collect_rows(list, f.status, &count)) == NULL)
		fprintf(stderr, "rumor: members: out of memory\n");
	else
		status = 0;
	if (rows != NULL && f.json)
		print_json(rows, count);
	else if (rows != NULL)
		print_table(rows, count);
	free(rows);
	ipc_response_destroy(&resp);
	free(payload);
	return status;
}
