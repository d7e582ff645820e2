/*
 * The operator's commands, each one call of the client library:
 *
 *	rumor join HOST:PORT...        join through seeds (names resolved by
 *	                               the agent)
 *	rumor force-leave NODE         a failed member, left cluster-wide
 *	rumor info                     the agent about itself
 *	rumor tags [--set K=V] [--delete K]   the agent's tags
 *	rumor monitor [--log-level L]  the agent's log as it goes
 *
 * Each takes --socket PATH, and all but force-leave --json; bad input is
 * one line and exit 2, a refusal one line and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "cmd.h"

static const char join_usage[] =
	"usage: rumor join [--socket PATH] [--json] HOST:PORT...\n"
	"  Join the cluster through these seeds (IPv4 addresses or DNS names;\n"
	"  the agent resolves names and tries every address). Returns once\n"
	"  a seed answered; when none does within 3 s it fails, and the "
	"agent\n"
	"  keeps trying. --json prints {\"joined\": N}.\n";

static const char force_leave_usage[] =
	"usage: rumor force-leave [--socket PATH] NODE\n"
	"  Mark a failed member left, on every node: its services go now\n"
	"  instead of at the reconnect timeout. Refused for a member that is\n"
	"  alive or suspect (it would only refute it).\n";

static const char info_usage[] =
	"usage: rumor info [--socket PATH] [--json]\n"
	"  The agent's name, address, incarnation, version, uptime, members\n"
	"  by status, tags, listeners and settings.\n";

static const char tags_usage[] =
	"usage: rumor tags [--socket PATH] [--json] [--set KEY=VALUE]...\n"
	"                  [--delete KEY]...\n"
	"  Change the agent's tags (the others see it within seconds), then\n"
	"  print them, one KEY=VALUE a line (--json: one object). With no\n"
	"  --set or --delete, only print them. Limits: 64 tags, keys of\n"
	"  1-64 bytes (no spaces or '='), values of at most 255, 448 bytes\n"
	"  encoded in all (each tag its key, its value and 2-4 bytes).\n";

static const char monitor_usage[] =
	"usage: rumor monitor [--socket PATH] [--json] [--log-level L]\n"
	"  Stream the agent's log from now on: lines at level L (debug, info,\n"
	"  warn, error; default info) and above, whatever the agent's own\n"
	"  level. A reader that falls behind loses lines (counted in\n"
	"  rumor stats as monitor_dropped). --json: one JSON object per\n"
	"  line {\"time\",\"level\",\"text\"}.\n";

/* Flags and positional arguments in any order. */
struct admin_args {
	struct cmd_flags f;
	const char *pos[RUMOR_NODE_TAGS_MAX];
	size_t pos_count;
	struct rumor_kv set[RUMOR_NODE_TAGS_MAX];
	size_t set_count;
	const char *del[RUMOR_NODE_TAGS_MAX];
	size_t del_count;
	enum rumor_log_level level;
	char set_text[RUMOR_NODE_TAGS_MAX][RUMOR_TAG_KEY_MAX + 1];
};

/* --set K=V into aa->set. */
static int
take_set(const struct args *a, struct admin_args *aa, const char *value)
{
	const char *eq = strchr(value, '=');
	size_t klen = eq != NULL ? (size_t)(eq - value) : 0;
	if (klen == 0 || klen > RUMOR_TAG_KEY_MAX) {
		fprintf(stderr, "rumor: %s: --set: want KEY=VALUE (a key of "
			"1-%d bytes), not \"%s\"\n", a->cmd, RUMOR_TAG_KEY_MAX,
			value);
		return -1;
	}
	if (aa->set_count == RUMOR_NODE_TAGS_MAX) {
		fprintf(stderr, "rumor: %s: at most %d --set\n", a->cmd,
			RUMOR_NODE_TAGS_MAX);
		return -1;
	}
	char *key = aa->set_text[aa->set_count];
	memcpy(key, value, klen);
	key[klen] = '\0';
	aa->set[aa->set_count++] = (struct rumor_kv){key, eq + 1};
	return 0;
}

static int
take_flag(const struct args *a, struct admin_args *aa, const char *flag,
	  const char *value, bool json)
{
	if (strcmp(flag, "--socket") == 0) {
		aa->f.socket_path = value;
	} else if (json && strcmp(flag, "--json") == 0) {
		aa->f.json = true;
	} else if (strcmp(flag, "--set") == 0) {
		return take_set(a, aa, value);
	} else if (strcmp(flag, "--delete") == 0) {
		if (aa->del_count == RUMOR_NODE_TAGS_MAX) {
			fprintf(stderr, "rumor: %s: at most %d --delete\n",
				a->cmd, RUMOR_NODE_TAGS_MAX);
			return -1;
		}
		aa->del[aa->del_count++] = value;
	} else if (strcmp(flag, "--log-level") == 0) {
		for (int i = 0; rumor_log_level_str((enum rumor_log_level)i);
		     i++) {
			if (strcmp(value, rumor_log_level_str(
						  (enum rumor_log_level)i)) ==
			    0) {
				aa->level = (enum rumor_log_level)i;
				return 0;
			}
		}
		fprintf(stderr, "rumor: %s: --log-level: want debug, info, "
			"warn or error, not \"%s\"\n", a->cmd, value);
		return -1;
	} else {
		return args_unknown(a, flag);
	}
	return 0;
}

/* Parse: 0 to go on, 1 after --help, -1 after a usage error. valued and
 * switches are the command's flags besides --socket. */
static int
parse(struct args *a, struct admin_args *aa, const char *usage,
      const char *const *valued, bool json, size_t pos_max)
{
	cmd_flags_init(&aa->f);
	aa->level = RUMOR_LOG_INFO;
	static const char *const switches[] = {"--json", NULL};
	static const char *const none[] = {NULL};
	const char *flag, *value;
	for (;;) {
		const char *p = args_positional(a);
		if (p != NULL) {
			if (aa->pos_count == pos_max) {
				fprintf(stderr, "rumor: %s: unexpected "
					"argument \"%s\"\n", a->cmd, p);
				return -1;
			}
			aa->pos[aa->pos_count++] = p;
			continue;
		}
		int rc = args_next(a, &flag, &value, valued,
				   json ? switches : none);
		if (rc <= 0)
			return rc;
		if (strcmp(flag, "--help") == 0) {
			fputs(usage, stdout);
			return 1;
		}
		if (take_flag(a, aa, flag, value, json) != 0)
			return -1;
	}
}

/* ---- join ---------------------------------------------------------------- */

static int
join_call(struct rumor *r, void *arg)
{
	const struct admin_args *aa = arg;
	size_t joined = 0;
	int rc = rumor_join(r, aa->pos, aa->pos_count, &joined);
	if (rc != 0)
		return rc;
	if (aa->f.json)
		printf("{\"joined\":%zu}\n", joined);
	else
		printf("joined through %zu seed%s\n", joined,
		       joined == 1 ? "" : "s");
	return 0;
}

int
cmd_join(struct args *a)
{
	static const char *const valued[] = {"--socket", NULL};
	struct admin_args aa = {0};
	int rc = parse(a, &aa, join_usage, valued, true, 16);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	if (aa.pos_count == 0) {
		fprintf(stderr, "rumor: join: give at least one seed "
			"HOST:PORT\n");
		return ARGS_EXIT_USAGE;
	}
	return cmd_call(a->cmd, aa.f.socket_path, join_call, &aa);
}

/* ---- force-leave --------------------------------------------------------- */

static int
force_leave_call(struct rumor *r, void *arg)
{
	const struct admin_args *aa = arg;
	return rumor_force_leave(r, aa->pos[0]);
}

int
cmd_force_leave(struct args *a)
{
	static const char *const valued[] = {"--socket", NULL};
	struct admin_args aa = {0};
	int rc = parse(a, &aa, force_leave_usage, valued, false, 1);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	if (aa.pos_count != 1 || strlen(aa.pos[0]) > RUMOR_NAME_MAX) {
		fprintf(stderr, "rumor: force-leave: give one member's name "
			"(1-%d bytes)\n", RUMOR_NAME_MAX);
		return ARGS_EXIT_USAGE;
	}
	return cmd_call(a->cmd, aa.f.socket_path, force_leave_call, &aa);
}

/* ---- info ---------------------------------------------------------------- */

static void
print_kv_json(const char *key, const struct rumor_kv *kv, size_t n)
{
	printf(",\"%s\":", key);
	cmd_json_kv(kv, n);
}

static void
print_kv_text(const char *title, const struct rumor_kv *kv, size_t n)
{
	printf("%s:\n", title);
	for (size_t i = 0; i < n; i++)
		printf("  %s = %s\n", kv[i].key, kv[i].value);
}

static int
info_call(struct rumor *r, void *arg)
{
	const struct admin_args *aa = arg;
	struct rumor_info in;
	int rc = rumor_info(r, &in);
	if (rc != 0)
		return rc;
	if (aa->f.json) {
		printf("{\"name\":");
		cmd_json_str(in.name);
		printf(",\"addr\":");
		cmd_json_str(in.address);
		printf(",\"version\":");
		cmd_json_str(in.version);
		printf(",\"incarnation\":%llu,\"uptime_ms\":%llu,"
		       "\"members\":{",
		       (unsigned long long)in.incarnation,
		       (unsigned long long)in.uptime_ms);
		for (int i = 0; i < 4; i++)
			printf("%s\"%s\":%llu", i ? "," : "",
			       rumor_status_str((enum rumor_status)i),
			       (unsigned long long)in.members[i]);
		putchar('}');
		print_kv_json("tags", in.tags, in.tag_count);
		print_kv_json("listeners", in.listeners, in.listener_count);
		print_kv_json("config", in.config, in.config_count);
		printf("}\n");
		return 0;
	}
	printf("agent:\n  name = %s\n  addr = %s\n  version = %s\n"
	       "  incarnation = %llu\n  uptime = %llus\n",
	       in.name, in.address, in.version,
	       (unsigned long long)in.incarnation,
	       (unsigned long long)(in.uptime_ms / 1000));
	printf("members:\n");
	for (int i = 0; i < 4; i++)
		printf("  %s = %llu\n", rumor_status_str((enum rumor_status)i),
		       (unsigned long long)in.members[i]);
	print_kv_text("tags", in.tags, in.tag_count);
	print_kv_text("listeners", in.listeners, in.listener_count);
	print_kv_text("config", in.config, in.config_count);
	return 0;
}

int
cmd_info(struct args *a)
{
	static const char *const valued[] = {"--socket", NULL};
	struct admin_args aa = {0};
	int rc = parse(a, &aa, info_usage, valued, true, 0);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return cmd_call(a->cmd, aa.f.socket_path, info_call, &aa);
}

/* ---- tags ---------------------------------------------------------------- */

static int
tags_call(struct rumor *r, void *arg)
{
	const struct admin_args *aa = arg;
	const struct rumor_kv *tags;
	size_t n;
	int rc = rumor_tags(r, aa->set, aa->set_count, aa->del, aa->del_count,
			    &tags, &n);
	if (rc != 0)
		return rc;
	if (aa->f.json) {
		cmd_json_kv(tags, n);
		putchar('\n');
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s=%s\n", tags[i].key, tags[i].value);
	return 0;
}

int
cmd_tags(struct args *a)
{
	static const char *const valued[] = {"--socket", "--set", "--delete",
					     NULL};
	struct admin_args aa = {0};
	int rc = parse(a, &aa, tags_usage, valued, true, 0);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return cmd_call(a->cmd, aa.f.socket_path, tags_call, &aa);
}

/* ---- monitor ------------------------------------------------------------- */

static int
monitor_call(struct rumor *r, void *arg)
{
	const struct admin_args *aa = arg;
	int rc = rumor_monitor(r, aa->level);
	if (rc != 0)
		return rc;
	struct rumor_log_line line;
	while ((rc = rumor_monitor_next(r, &line)) == 0) {
		const char *level = rumor_log_level_str(line.level);
		if (aa->f.json) {
			printf("{\"time\":");
			cmd_json_str(line.time);
			printf(",\"level\":\"%s\",\"text\":", level);
			cmd_json_str(line.text);
			printf("}\n");
		} else {
			char upper[8];
			size_t i = 0;
			for (; level[i] != '\0' && i < sizeof(upper) - 1; i++)
				upper[i] = (char)(level[i] - 'a' + 'A');
			upper[i] = '\0';
			printf("%s %s %s\n", line.time[0] ? line.time : "-",
			       upper, line.text);
		}
		fflush(stdout);
	}
	fprintf(stderr, "rumor: monitor: %s\n", rc == RUMOR_EPROTO
		? "bad log frame" : "the agent closed the stream");
	return 1;
}

int
cmd_monitor(struct args *a)
{
	static const char *const valued[] = {"--socket", "--log-level", NULL};
	struct admin_args aa = {0};
	int rc = parse(a, &aa, monitor_usage, valued, true, 0);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return cmd_call(a->cmd, aa.f.socket_path, monitor_call, &aa);
}
