/*
 * The client side of the local socket for the command line: flags,
 * one-line errors and JSON output, over the client library (a command
 * does one call and exits; a watch keeps its connection).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/log.h"
#include "cmd_common.h"

void
cmd_flags_init(struct cmd_flags *f)
{
	f->socket_path = rumor_default_socket(f->socket_buf,
					      sizeof(f->socket_buf));
}

static int
status_check(const struct args *a, const char *status)
{
	for (int i = 0; rumor_status_str((enum rumor_status)i) != NULL; i++) {
		if (strcmp(status, rumor_status_str((enum rumor_status)i)) ==
		    0)
			return 0;
	}
	fprintf(stderr,
		"rumor: %s: --status: want alive, suspect, failed or left, "
		"not \"%s\"\n",
		a->cmd, status);
	return -1;
}

int
cmd_parse_flags(struct args *a, struct cmd_flags *f, unsigned accept,
		const char *usage)
{
	cmd_flags_init(f);
	static const char *const valued[] = {"--socket", "--status", "--tag",
					     NULL};
	static const char *const switches[] = {"--json", "--members", NULL};
	const char *flag, *value;
	int rc;
	while ((rc = args_next(a, &flag, &value, valued, switches)) == 1) {
		if (strcmp(flag, "--help") == 0) {
			fputs(usage, stdout);
			return 1;
		} else if (strcmp(flag, "--socket") == 0) {
			f->socket_path = value;
		} else if ((accept & CMD_FLAGS_JSON) != 0 &&
			   strcmp(flag, "--json") == 0) {
			f->json = true;
		} else if ((accept & CMD_FLAGS_STATUS) != 0 &&
			   strcmp(flag, "--status") == 0) {
			if (status_check(a, value) != 0)
				return -1;
			f->status = value;
		} else if ((accept & CMD_FLAGS_TAG) != 0 &&
			   strcmp(flag, "--tag") == 0) {
			if (f->tag_count == CMD_TAG_FILTERS_MAX) {
				fprintf(stderr, "rumor: %s: at most %d --tag\n",
					a->cmd, CMD_TAG_FILTERS_MAX);
				return -1;
			}
			f->tags[f->tag_count++] = value;
		} else if ((accept & CMD_FLAGS_MEMBERS) != 0 &&
			   strcmp(flag, "--members") == 0) {
			f->members = true;
		} else {
			return args_unknown(a, flag);
		}
	}
	return rc < 0 ? -1 : 0;
}

struct rumor *
cmd_connect(const char *path)
{
	struct rumor *r;
	int rc = rumor_connect(path, &r);
	if (rc == 0)
		return r;
	if (rc == RUMOR_EINVAL)
		fprintf(stderr, "rumor: socket path too long: %s\n", path);
	else if (rc == RUMOR_ENOMEM)
		fprintf(stderr, "rumor: out of memory\n");
	else
		fprintf(stderr, "rumor: cannot connect to %s: %s (is the "
			"agent running?)\n", path,
			errno == EAGAIN ? "timed out" : log_strerror(errno));
	return NULL;
}

int
cmd_call(const char *cmd, const char *socket_path, cmd_call_fn call,
	 void *arg)
{
	struct rumor *r = cmd_connect(socket_path);
	if (r == NULL)
		return 1;
	int rc = call(r, arg);
	if (rc < 0) {
		/* The agent's refusal is the command's; a failure on the way
		 * is the socket's. */
		bool ours = rumor_last_refused(r) || rc == RUMOR_EINVAL;
		fprintf(stderr, "rumor: %s: %s\n", ours ? cmd : socket_path,
			rumor_last_error(r));
	}
	rumor_close(r);
	return rc == 0 ? 0 : 1;
}

void
cmd_json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f) /* stays valid JSON */
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

void
cmd_json_kv(const struct rumor_kv *kv, size_t count)
{
	putchar('{');
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			putchar(',');
		cmd_json_str(kv[i].key);
		putchar(':');
		cmd_json_str(kv[i].value);
	}
	putchar('}');
}

void
cmd_json_member(const struct rumor_member *m, const char *event)
{
	putchar('{');
	if (event != NULL) {
		printf("\"event\":");
		cmd_json_str(event);
		putchar(',');
	}
	printf("\"name\":");
	cmd_json_str(m->name);
	printf(",\"addr\":");
	cmd_json_str(m->address);
	printf(",\"status\":");
	cmd_json_str(rumor_status_str(m->status));
	printf(",\"incarnation\":%llu,\"tags\":",
	       (unsigned long long)m->incarnation);
	cmd_json_kv(m->tags, m->tag_count);
	putchar('}');
}

const char *
cmd_tags_text(const struct rumor_member *m, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->tag_count && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s=%s",
				 i > 0 ? "," : "", m->tags[i].key,
				 m->tags[i].value);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return m->tag_count > 0 ? buf : "-";
}
