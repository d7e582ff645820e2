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

static int
by_name(const void *x, const void *y)
{
	return strcmp(((const struct rumor_member *)x)->name,
		      ((const struct rumor_member *)y)->name);
}

static void
print_json(const struct rumor_member *rows, size_t count)
{
	putchar('[');
	for (size_t i = 0; i < count; i++) {
		const struct rumor_member *r = &rows[i];
		printf("%s{\"name\":", i > 0 ? "," : "");
		cmd_json_str(r->name);
		printf(",\"addr\":");
		cmd_json_str(r->address);
		printf(",\"status\":");
		cmd_json_str(rumor_status_str(r->status));
		printf(",\"incarnation\":%llu}",
		       (unsigned long long)r->incarnation);
	}
	printf("]\n");
}

static void
print_table(const struct rumor_member *rows, size_t count)
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
		       rows[i].address, rumor_status_str(rows[i].status),
		       (unsigned long long)rows[i].incarnation);
}

/* The members that pass the --status filter, sorted by name, printed. */
static int
members_call(struct rumor *r, void *arg)
{
	const struct cmd_flags *f = arg;
	const struct rumor_member *list;
	size_t n;
	int rc = rumor_members(r, &list, &n);
	if (rc != 0)
		return rc;
	struct rumor_member *rows = calloc(n > 0 ? n : 1, sizeof(*rows));
	if (rows == NULL) {
		fprintf(stderr, "rumor: members: out of memory\n");
		return 1;
	}
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		if (f->status == NULL ||
		    strcmp(f->status, rumor_status_str(list[i].status)) == 0)
			rows[count++] = list[i];
	}
	qsort(rows, count, sizeof(*rows), by_name);
	if (f->json)
		print_json(rows, count);
	else
		print_table(rows, count);
	free(rows);
	return 0;
}

int
cmd_members(struct args *a)
{
	struct cmd_flags f = {0};
	int rc = cmd_parse_flags(a, &f, CMD_FLAGS_JSON | CMD_FLAGS_STATUS,
				 members_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return cmd_call(a->cmd, f.socket_path, members_call, &f);
}
