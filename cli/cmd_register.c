/*
 * rumor register NAME [flags] / rumor deregister ID: the service's own
 * registration with its local agent (self-registration), which then
 * announces it to the whole cluster.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "cmd.h"

static const char register_usage[] =
	"usage: rumor register NAME [--id ID] [--address HOST] [--port N]\n"
	"                      [--tag TAG]... [--meta KEY=VALUE]... "
	"[--socket PATH]\n"
	"  Register a service instance on the local agent; every agent in\n"
	"  the cluster can then look it up. Registering an id again replaces\n"
	"  it. The agent keeps registrations in its data dir.\n"
	"  --id ID          unique on this agent (default: NAME)\n"
	"  --address HOST   where clients reach it (default: the agent's "
	"address)\n"
	"  --port N         its port (0..65535, default 0)\n"
	"  --tag TAG        a tag to look it up by (repeatable, up to 32)\n"
	"  --meta KEY=VALUE free-form metadata (repeatable, up to 32)\n"
	"  --ttl D          a TTL check: `rumor pass ID` at least every D\n"
	"                   (500ms, 10s, 1m...) or it turns critical\n"
	"  --check-tcp A.B.C.D:PORT     passing when a connection opens\n"
	"  --check-http http://A.B.C.D[:PORT]/PATH   passing on a 2xx\n"
	"  --check-exec CMD             passing when `sh -c CMD` exits 0\n"
	"  --interval D     how often the check runs (default 10s)\n"
	"  --timeout D      how long one run may take (default 5s)\n"
	"  A checked service is critical until its first check passes; the\n"
	"  agent runs the check, the cluster only hears the result.\n";

static const char pass_usage[] =
	"usage: rumor pass ID [--socket PATH]\n"
	"  A TTL service's heartbeat: it stays (or turns) passing for one\n"
	"  more TTL.\n";

static const char deregister_usage[] =
	"usage: rumor deregister ID [--socket PATH]\n"
	"  Remove a service registered on the local agent.\n";

struct reg_flags {
	struct rumor_service svc;
	const char *tags[RUMOR_TAGS_MAX];
	struct rumor_kv meta[RUMOR_META_MAX];
	char meta_buf[RUMOR_META_MAX][RUMOR_NAME_MAX + 1];
};

static int
add_meta(struct args *a, struct reg_flags *r, const char *value)
{
	const char *eq = strchr(value, '=');
	size_t klen = eq ? (size_t)(eq - value) : 0;
	if (eq == NULL || klen == 0 || klen > RUMOR_NAME_MAX) {
		fprintf(stderr, "rumor: %s: --meta wants KEY=VALUE with a "
			"1-64 byte key, not \"%s\"\n", a->cmd, value);
		return -1;
	}
	if (r->svc.meta_count == RUMOR_META_MAX) {
		fprintf(stderr, "rumor: %s: at most %d --meta\n", a->cmd,
			RUMOR_META_MAX);
		return -1;
	}
	char *key = r->meta_buf[r->svc.meta_count];
	memcpy(key, value, klen);
	key[klen] = '\0';
	r->meta[r->svc.meta_count++] = (struct rumor_kv){key, eq + 1};
	return 0;
}

/* A --check-* flag. */
static int
add_check(struct args *a, struct reg_flags *r, const char *flag,
	  const char *value)
{
	if (r->svc.check.kind != RUMOR_CHECK_NONE) {
		fprintf(stderr, "rumor: %s: one check per service\n", a->cmd);
		return -1;
	}
	r->svc.check.kind = strcmp(flag, "--check-tcp") == 0 ? RUMOR_CHECK_TCP
			    : strcmp(flag, "--check-http") == 0
				    ? RUMOR_CHECK_HTTP
				    : RUMOR_CHECK_EXEC;
	r->svc.check.target = value;
	return 0;
}

/* The checks between flags, once they are all in. */
static int
register_check(struct args *a, struct reg_flags *r, bool timing)
{
	if (r->svc.name == NULL) {
		fprintf(stderr, "rumor: %s: missing the service NAME (see "
			"rumor register --help)\n", a->cmd);
		return -1;
	}
	if (r->svc.id == NULL)
		r->svc.id = r->svc.name;
	if (timing && r->svc.check.kind == RUMOR_CHECK_NONE) {
		fprintf(stderr, "rumor: %s: --interval and --timeout go with "
			"a --check-*\n", a->cmd);
		return -1;
	}
	if (r->svc.check.kind == RUMOR_CHECK_NONE)
		r->svc.check = (struct rumor_check){0};
	const char *why = NULL;
	if (rumor_service_validate(&r->svc, &why) != 0) {
		fprintf(stderr, "rumor: %s: %s\n", a->cmd, why);
		return -1;
	}
	return 0;
}

static int
parse_register(struct args *a, struct cmd_flags *f, struct reg_flags *r)
{
	static const char *const valued[] = {"--socket", "--id", "--address",
					     "--port", "--tag", "--meta",
					     "--ttl", "--check-tcp",
					     "--check-http", "--check-exec",
					     "--interval", "--timeout", NULL};
	static const char *const switches[] = {NULL};
	cmd_flags_init(f);
	r->svc = (struct rumor_service){
		.name = args_positional(a), .address = "", .tags = r->tags,
		.meta = r->meta,
		.check = {.interval_ms = 10000, .timeout_ms = 5000}};
	bool timing = false;
	const char *flag, *value;
	int rc;
	while ((rc = args_next(a, &flag, &value, valued, switches)) == 1) {
		unsigned long port;
		if (strcmp(flag, "--help") == 0) {
			fputs(register_usage, stdout);
			return 1;
		} else if (strcmp(flag, "--socket") == 0) {
			f->socket_path = value;
		} else if (strcmp(flag, "--id") == 0) {
			r->svc.id = value;
		} else if (strcmp(flag, "--address") == 0) {
			r->svc.address = value;
		} else if (strcmp(flag, "--port") == 0) {
			if (args_uint(a, flag, value, 65535, &port) != 0)
				return -1;
			r->svc.port = (uint16_t)port;
		} else if (strcmp(flag, "--tag") == 0) {
			if (r->svc.tag_count == RUMOR_TAGS_MAX) {
				fprintf(stderr, "rumor: %s: at most %d --tag\n",
					a->cmd, RUMOR_TAGS_MAX);
				return -1;
			}
			r->tags[r->svc.tag_count++] = value;
		} else if (strcmp(flag, "--meta") == 0) {
			if (add_meta(a, r, value) != 0)
				return -1;
		} else if (strncmp(flag, "--check-", 8) == 0) {
			if (add_check(a, r, flag, value) != 0)
				return -1;
		} else if (strcmp(flag, "--interval") == 0 ||
			   strcmp(flag, "--timeout") == 0) {
			uint64_t *d = flag[2] == 'i' ? &r->svc.check.interval_ms
						     : &r->svc.check.timeout_ms;
			if (args_duration(a, flag, value, d) != 0)
				return -1;
			timing = true;
		} else if (strcmp(flag, "--ttl") == 0) {
			if (args_duration(a, flag, value, &r->svc.ttl_ms) != 0)
				return -1;
			if (r->svc.ttl_ms == 0) {
				fprintf(stderr, "rumor: %s: --ttl must be more "
					"than 0\n", a->cmd);
				return -1;
			}
		}
	}
	if (rc < 0)
		return -1;
	return register_check(a, r, timing);
}

static int
register_call(struct rumor *r, void *arg)
{
	return rumor_register(r, &((const struct reg_flags *)arg)->svc);
}

int
cmd_register(struct args *a)
{
	struct cmd_flags f = {0};
	struct reg_flags *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		fprintf(stderr, "rumor: out of memory\n");
		return 1;
	}
	int rc = parse_register(a, &f, r);
	if (rc == 0)
		rc = cmd_call(a->cmd, f.socket_path, register_call, r);
	else
		rc = rc > 0 ? 0 : ARGS_EXIT_USAGE;
	free(r);
	return rc;
}

/* deregister and pass: a call on one of our service ids. */
struct id_call {
	int (*call)(struct rumor *r, const char *id);
	const char *id;
};

static int
id_call(struct rumor *r, void *arg)
{
	const struct id_call *c = arg;
	return c->call(r, c->id);
}

static int
id_op(struct args *a, int (*call)(struct rumor *r, const char *id),
      const char *usage)
{
	const char *id = args_positional(a);
	struct cmd_flags f = {0};
	int rc = cmd_parse_flags(a, &f, CMD_FLAGS_SOCKET, usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	if (id == NULL || strlen(id) > RUMOR_NAME_MAX) {
		fprintf(stderr, "rumor: %s: missing the service ID (see rumor "
			"%s --help)\n", a->cmd, a->cmd);
		return ARGS_EXIT_USAGE;
	}
	struct id_call c = {call, id};
	return cmd_call(a->cmd, f.socket_path, id_call, &c);
}

int
cmd_deregister(struct args *a)
{
	return id_op(a, rumor_deregister, deregister_usage);
}

int
cmd_pass(struct args *a)
{
	return id_op(a, rumor_pass, pass_usage);
}
