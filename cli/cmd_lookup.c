/*
 * rumor lookup / pick / services: questions about the whole cluster's
 * services, answered by the local agent from its own copy.
 *
 *	ID     NODE  ADDRESS         HEALTH   TAGS  META
 *	web-1  n1    10.0.0.5:8080   passing  v2    zone=a
 */
#include <stdio.h>
#include <string.h>

#include "cmd_common.h"
#include "cmd.h"

static const char lookup_usage[] =
	"usage: rumor lookup NAME [--tag TAG] [--all] [--json] "
	"[--socket PATH]\n"
	"  The healthy instances of service NAME anywhere in the cluster,\n"
	"  sorted by node and id.\n"
	"  --tag TAG   only instances with this tag\n"
	"  --all       critical instances too (failed check, or node down)\n"
	"  --json      one line: [{\"node\",\"id\",\"service\",\"address\","
	"\"port\",\n"
	"              \"tags\",\"meta\",\"health\"}, ...]\n";

static const char pick_usage[] =
	"usage: rumor pick NAME [--tag TAG] [--policy random|round-robin] "
	"[--socket PATH]\n"
	"  Print one healthy instance of NAME as ADDRESS:PORT (client-side\n"
	"  load balancing); exit 1 when there is none.\n";

static const char watch_usage[] =
	"usage: rumor watch [NAME] [--json] [--socket PATH]\n"
	"  The instances there are (as \"added\" lines), then one line per\n"
	"  change to the cluster's services (or NAME's) as the agent learns\n"
	"  it: added, removed, health, updated.\n"
	"    added web web-1 n1 10.0.0.5:8080 passing\n"
	"  --json   one JSON object per line: {\"event\",\"node\",\"id\",\n"
	"           \"service\",\"address\",\"port\",\"health\"}\n";

static const char services_usage[] =
	"usage: rumor services [--json] [--socket PATH]\n"
	"  Every service name in the cluster with healthy/total instances.\n";

/* A lookup's or a pick's arguments. */
struct query {
	struct cmd_flags f;
	char name[RUMOR_NAME_MAX + 1];
	char tag[RUMOR_NAME_MAX + 1];
	bool all;
	enum rumor_policy policy;
};

/* --policy's words, as enum rumor_policy. */
static const char *const policy_names[] = {
	[RUMOR_PICK_RANDOM] = "random",
	[RUMOR_PICK_ROUND_ROBIN] = "round-robin",
};

static int
parse_policy(const struct args *a, struct query *q, const char *value)
{
	for (size_t i = 0; i < sizeof(policy_names) / sizeof(*policy_names);
	     i++) {
		if (strcmp(value, policy_names[i]) == 0) {
			q->policy = (enum rumor_policy)i;
			return 0;
		}
	}
	fprintf(stderr, "rumor: %s: --policy is random or round-robin, not "
		"\"%s\"\n", a->cmd, value);
	return -1;
}

/* NAME then --socket, --tag, --all, --json, --policy as `accept`s. */
static int
parse_query(struct args *a, struct query *q, bool pick, const char *usage)
{
	static const char *const valued[] = {"--socket", "--tag", "--policy",
					     NULL};
	static const char *const switches[] = {"--all", "--json", NULL};
	const char *name = args_positional(a);
	cmd_flags_init(&q->f);
	const char *flag, *value;
	int rc;
	while ((rc = args_next(a, &flag, &value, valued, switches)) == 1) {
		if (strcmp(flag, "--help") == 0) {
			fputs(usage, stdout);
			return 1;
		} else if (strcmp(flag, "--socket") == 0) {
			q->f.socket_path = value;
		} else if (strcmp(flag, "--tag") == 0) {
			if (strlen(value) == 0 ||
			    strlen(value) > RUMOR_NAME_MAX) {
				fprintf(stderr, "rumor: %s: a tag is 1-64 "
					"bytes\n", a->cmd);
				return -1;
			}
			strcpy(q->tag, value);
		} else if (!pick && strcmp(flag, "--all") == 0) {
			q->all = true;
		} else if (!pick && strcmp(flag, "--json") == 0) {
			q->f.json = true;
		} else if (pick && strcmp(flag, "--policy") == 0) {
			if (parse_policy(a, q, value) != 0)
				return -1;
		} else {
			return args_unknown(a, flag);
		}
	}
	if (rc < 0)
		return -1;
	if (name == NULL || strlen(name) > RUMOR_NAME_MAX) {
		fprintf(stderr, "rumor: %s: missing the service NAME (see "
			"rumor %s --help)\n", a->cmd, a->cmd);
		return -1;
	}
	strcpy(q->name, name);
	return 0;
}

static const char *
health_str(bool healthy)
{
	return healthy ? "passing" : "critical";
}

/* Tags as "a,b" and meta as "k=v,k2=v2" ("-" when none). */
static void
print_tags(const struct rumor_instance *in)
{
	if (in->tag_count == 0)
		fputs("-", stdout);
	for (size_t i = 0; i < in->tag_count; i++)
		printf("%s%s", i > 0 ? "," : "", in->tags[i]);
}

static void
print_meta(const struct rumor_instance *in)
{
	if (in->meta_count == 0)
		fputs("-", stdout);
	for (size_t i = 0; i < in->meta_count; i++)
		printf("%s%s=%s", i > 0 ? "," : "", in->meta[i].key,
		       in->meta[i].value);
}

static void
print_table(const struct rumor_instance *list, size_t count)
{
	printf("%-20s %-16s %-24s %-8s %s\n", "ID", "NODE", "ADDRESS",
	       "HEALTH", "TAGS  META");
	for (size_t i = 0; i < count; i++) {
		const struct rumor_instance *in = &list[i];
		char ep[RUMOR_ADDRESS_MAX + 16];
		snprintf(ep, sizeof(ep), "%s:%u", in->address, in->port);
		printf("%-20s %-16s %-24s %-8s ", in->id, in->node, ep,
		       health_str(in->healthy));
		print_tags(in);
		fputs("  ", stdout);
		print_meta(in);
		putchar('\n');
	}
}

/* One "key":"value" (first: no comma before it). */
static void
json_field(const char *key, const char *value, bool first)
{
	printf("%s\"%s\":", first ? "" : ",", key);
	cmd_json_str(value);
}

static void
print_json(const struct rumor_instance *list, size_t count)
{
	putchar('[');
	for (size_t i = 0; i < count; i++) {
		const struct rumor_instance *in = &list[i];
		fputs(i > 0 ? ",{" : "{", stdout);
		json_field("node", in->node, true);
		json_field("id", in->id, false);
		json_field("service", in->service, false);
		json_field("address", in->address, false);
		printf(",\"port\":%u,\"tags\":[", in->port);
		for (size_t k = 0; k < in->tag_count; k++) {
			fputs(k > 0 ? "," : "", stdout);
			cmd_json_str(in->tags[k]);
		}
		fputs("],\"meta\":{", stdout);
		for (size_t k = 0; k < in->meta_count; k++) {
			fputs(k > 0 ? "," : "", stdout);
			cmd_json_str(in->meta[k].key);
			putchar(':');
			cmd_json_str(in->meta[k].value);
		}
		putchar('}');
		json_field("health", health_str(in->healthy), false);
		putchar('}');
	}
	puts("]");
}

static int
lookup_call(struct rumor *r, void *arg)
{
	const struct query *q = arg;
	const struct rumor_instance *list;
	size_t n;
	int rc = rumor_lookup_all(r, q->name, q->tag[0] ? q->tag : NULL,
				  q->all, &list, &n);
	if (rc != 0)
		return rc;
	if (q->f.json)
		print_json(list, n);
	else
		print_table(list, n);
	return 0;
}

int
cmd_lookup(struct args *a)
{
	struct query q = {0};
	int rc = parse_query(a, &q, false, lookup_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return cmd_call(a->cmd, q.f.socket_path, lookup_call, &q);
}

static int
pick_call(struct rumor *r, void *arg)
{
	const struct query *q = arg;
	struct rumor_instance in;
	int rc = rumor_pick(r, q->name, q->tag[0] ? q->tag : NULL, q->policy,
			    &in);
	if (rc == 0)
		printf("%s:%u\n", in.address, in.port);
	return rc;
}

int
cmd_pick(struct args *a)
{
	struct query q = {0};
	int rc = parse_query(a, &q, true, pick_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return cmd_call(a->cmd, q.f.socket_path, pick_call, &q);
}

static int
services_call(struct rumor *r, void *arg)
{
	bool json = ((const struct cmd_flags *)arg)->json;
	const struct rumor_summary *list;
	size_t n;
	int rc = rumor_services(r, &list, &n);
	if (rc != 0)
		return rc;
	if (json)
		putchar('[');
	else
		printf("%-24s %8s %8s\n", "NAME", "HEALTHY", "TOTAL");
	for (size_t i = 0; i < n; i++) {
		const struct rumor_summary *s = &list[i];
		if (json) {
			fputs(i > 0 ? ",{" : "{", stdout);
			json_field("name", s->name, true);
			printf(",\"healthy\":%llu,\"total\":%llu}",
			       (unsigned long long)s->healthy,
			       (unsigned long long)s->total);
		} else {
			printf("%-24s %8llu %8llu\n", s->name,
			       (unsigned long long)s->healthy,
			       (unsigned long long)s->total);
		}
	}
	if (json)
		puts("]");
	return 0;
}

int
cmd_services(struct args *a)
{
	struct cmd_flags f = {0};
	int rc = cmd_parse_flags(a, &f, CMD_FLAGS_JSON, services_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return cmd_call(a->cmd, f.socket_path, services_call, &f);
}

/* One watch event as a line. */
static void
print_event(const struct rumor_event *ev, bool json)
{
	const char *type = rumor_event_type_str(ev->type);
	if (!json) {
		printf("%s %s %s %s %s:%u %s\n", type, ev->service, ev->id,
		       ev->node, ev->address, ev->port,
		       health_str(ev->healthy));
		return;
	}
	putchar('{');
	json_field("event", type, true);
	json_field("node", ev->node, false);
	json_field("id", ev->id, false);
	json_field("service", ev->service, false);
	json_field("address", ev->address, false);
	printf(",\"port\":%u", ev->port);
	json_field("health", health_str(ev->healthy), false);
	puts("}");
}

static int
watch_call(struct rumor *r, void *arg)
{
	const struct query *q = arg;
	int rc = rumor_watch(r, q->name[0] ? q->name : NULL);
	if (rc != 0) {
		fprintf(stderr, "rumor: watch: %s\n", rumor_last_error(r));
		return 1;
	}
	struct rumor_event ev;
	while ((rc = rumor_watch_next(r, &ev)) == 0) {
		print_event(&ev, q->f.json);
		fflush(stdout);
	}
	fprintf(stderr, "rumor: watch: %s\n", rc == RUMOR_EPROTO
		? "bad event frame" : rc == RUMOR_EIO
		? "the agent closed the stream" : rumor_last_error(r));
	return 1;
}

int
cmd_watch(struct args *a)
{
	const char *name = args_positional(a);
	struct query q = {0};
	int rc = cmd_parse_flags(a, &q.f, CMD_FLAGS_JSON, watch_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	if (name != NULL) {
		if (strlen(name) > RUMOR_NAME_MAX) {
			fprintf(stderr, "rumor: watch: a service name is 1-64 "
				"bytes\n");
			return ARGS_EXIT_USAGE;
		}
		strcpy(q.name, name);
	}
	return cmd_call(a->cmd, q.f.socket_path, watch_call, &q);
}
