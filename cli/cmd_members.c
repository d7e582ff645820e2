/*
 * rumor members: the members the local agent knows, sorted by name, as an
 * aligned table or (--json) one line of JSON:
 *
 *	NAME  ADDRESS                STATUS   INCARNATION  TAGS
 *	n1    127.0.0.1:7946         alive    0            role=db,zone=a
 *
 *	[{"name":"n1","addr":"127.0.0.1:7946","status":"alive",
 *	  "incarnation":0,"tags":{"role":"db","zone":"a"}}]
 *
 * --tag KEY=REGEXP keeps the members whose tag KEY matches REGEXP as a
 * whole (as Serf's members -tag does: "role=db" is db exactly,
 * "role=db|cache" either); several must all match.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "cmd.h"

static const char members_usage[] =
	"usage: rumor members [--socket PATH] [--json] [--status S]\n"
	"                     [--tag KEY=REGEXP]...\n"
	"  List the members the local agent knows, sorted by name.\n"
	"  --socket PATH   the agent's socket (default $RUMOR_SOCKET, else\n"
	"                  /tmp/rumor-<uid>.sock)\n"
	"  --json          one line of JSON: [{\"name\", \"addr\", "
	"\"status\",\n"
	"                  \"incarnation\", \"tags\"}, ...]\n"
	"  --status S      only members with status S: alive, suspect,\n"
	"                  failed or left\n"
	"  --tag K=RE      only members whose tag K matches the extended\n"
	"                  regular expression RE as a whole (role=db: db\n"
	"                  exactly; role='db|cache': either); repeatable, "
	"all\n"
	"                  must match\n";

/* The --tag filters, compiled. */
struct filters {
	size_t count;
	char keys[CMD_TAG_FILTERS_MAX][RUMOR_TAG_KEY_MAX + 1];
	regex_t re[CMD_TAG_FILTERS_MAX];
};

static void
filters_free(struct filters *fl)
{
	for (size_t i = 0; i < fl->count; i++)
		regfree(&fl->re[i]);
	fl->count = 0;
}

/* Compile the --tag values; -1 after one line on stderr. */
static int
filters_compile(const struct cmd_flags *f, struct filters *fl)
{
	fl->count = 0;
	for (size_t i = 0; i < f->tag_count; i++) {
		const char *v = f->tags[i];
		const char *eq = strchr(v, '=');
		size_t klen = eq != NULL ? (size_t)(eq - v) : 0;
		if (klen == 0 || klen > RUMOR_TAG_KEY_MAX) {
			fprintf(stderr, "rumor: members: --tag: want "
				"KEY=REGEXP, not \"%s\"\n", v);
			filters_free(fl);
			return -1;
		}
		memcpy(fl->keys[fl->count], v, klen);
		fl->keys[fl->count][klen] = '\0';
		size_t size = strlen(eq + 1) + 5;
		char *pattern = malloc(size);
		if (pattern == NULL) {
			fprintf(stderr, "rumor: members: out of memory\n");
			filters_free(fl);
			return -1;
		}
		snprintf(pattern, size, "^(%s)$", eq + 1);
		int rc = regcomp(&fl->re[fl->count], pattern,
				 REG_EXTENDED | REG_NOSUB);
		free(pattern);
		if (rc != 0) {
			char why[128];
			regerror(rc, NULL, why, sizeof(why));
			fprintf(stderr, "rumor: members: --tag %s: bad regular "
				"expression: %s\n", v, why);
			filters_free(fl);
			return -1;
		}
		fl->count++;
	}
	return 0;
}

static bool
filters_match(const struct filters *fl, const struct rumor_member *m)
{
	for (size_t i = 0; i < fl->count; i++) {
		const char *value = NULL;
		for (size_t k = 0; k < m->tag_count && value == NULL; k++) {
			if (strcmp(m->tags[k].key, fl->keys[i]) == 0)
				value = m->tags[k].value;
		}
		if (value == NULL || regexec(&fl->re[i], value, 0, NULL, 0) != 0)
			return false;
	}
	return true;
}

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
		if (i > 0)
			putchar(',');
		cmd_json_member(&rows[i], NULL);
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
	printf("%-*s  %-21s  %-7s  %-11s  %s\n", w, "NAME", "ADDRESS",
	       "STATUS", "INCARNATION", "TAGS");
	for (size_t i = 0; i < count; i++) {
		char tags[4096];
		printf("%-*s  %-21s  %-7s  %-11llu  %s\n", w, rows[i].name,
		       rows[i].address, rumor_status_str(rows[i].status),
		       (unsigned long long)rows[i].incarnation,
		       cmd_tags_text(&rows[i], tags, sizeof(tags)));
	}
}

struct members_args {
	const struct cmd_flags *f;
	const struct filters *fl;
};

/* The members that pass the filters, sorted by name, printed. */
static int
members_call(struct rumor *r, void *arg)
{
	const struct members_args *ma = arg;
	const struct cmd_flags *f = ma->f;
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
		if ((f->status == NULL ||
		     strcmp(f->status, rumor_status_str(list[i].status)) ==
			     0) &&
		    filters_match(ma->fl, &list[i]))
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
	int rc = cmd_parse_flags(a, &f,
				 CMD_FLAGS_JSON | CMD_FLAGS_STATUS |
					 CMD_FLAGS_TAG,
				 members_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	struct filters fl;
	if (filters_compile(&f, &fl) != 0)
		return ARGS_EXIT_USAGE;
	struct members_args ma = {&f, &fl};
	rc = cmd_call(a->cmd, f.socket_path, members_call, &ma);
	filters_free(&fl);
	return rc;
}
