/*
 * rumor lookup / pick / services: questions about the whole cluster's
 * services, answered by the local agent from its own copy.
 *
 *	ID     NODE  ADDRESS         HEALTH   TAGS  META
 *	web-1  n1    10.0.0.5:8080   passing  v2    zone=a
 */
#include <stdio.h>
#include <stdlib.h>
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

struct query_flags {
	struct client_flags f;
	struct ipc_request req;
};

/* NAME then --socket, --tag, --all, --json, --policy as `accept`s. */
static int
parse_query(struct args *a, struct query_flags *q, bool pick,
	    const char *usage)
{
	static const char *const valued[] = {"--socket", "--tag", "--policy",
					     NULL};
	static const char *const switches[] = {"--all", "--json", NULL};
	const char *name = args_positional(a);
	q->f.socket_path = client_default_socket(q->f.socket_buf,
						 sizeof(q->f.socket_buf));
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
			    strlen(value) > SERVICE_NAME_MAX) {
				fprintf(stderr, "rumor: %s: a tag is 1-64 "
					"bytes\n", a->cmd);
				return -1;
			}
			strcpy(q->req.tag, value);
		} else if (!pick && strcmp(flag, "--all") == 0) {
			q->req.all = true;
		} else if (!pick && strcmp(flag, "--json") == 0) {
			q->f.json = true;
		} else if (pick && strcmp(flag, "--policy") == 0) {
			int p = -1;
			for (int i = 0; i < registry_policy_MAX; i++)
				if (strcmp(value, registry_policy_strs[i]) == 0)
					p = i;
			if (p < 0) {
				fprintf(stderr, "rumor: %s: --policy is random "
					"or round-robin, not \"%s\"\n", a->cmd,
					value);
				return -1;
			}
			q->req.policy = (enum registry_policy)p;
		} else {
			return args_unknown(a, flag);
		}
	}
	if (rc < 0)
		return -1;
	if (name == NULL || strlen(name) > SERVICE_NAME_MAX) {
		fprintf(stderr, "rumor: %s: missing the service NAME (see "
			"rumor %s --help)\n", a->cmd, a->cmd);
		return -1;
	}
	strcpy(q->req.name, name);
	return 0;
}

static unsigned long long
uint_field(const msgpack_object *m, const char *key)
{
	const msgpack_object *o = ipc_map_get(m, key);
	return o != NULL && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER
		? (unsigned long long)o->via.u64 : 0;
}

/* "ADDRESS:PORT" of an instance. */
static void
endpoint(const msgpack_object *in, char *buf, size_t size)
{
	char addr[SERVICE_ADDRESS_MAX + 1];
	ipc_copy_str(in, "address", addr, sizeof(addr));
	snprintf(buf, size, "%s:%llu", addr, uint_field(in, "port"));
}

/* Tags as "a,b" and meta as "k=v,k2=v2" ("-" when none). */
static void
print_list(const msgpack_object *o, bool pairs)
{
	size_t n = o == NULL ? 0 : pairs ? o->via.map.size : o->via.array.size;
	if (o == NULL || n == 0 ||
	    o->type != (pairs ? MSGPACK_OBJECT_MAP : MSGPACK_OBJECT_ARRAY)) {
		fputs("-", stdout);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const msgpack_object *k = pairs ? &o->via.map.ptr[i].key
						: &o->via.array.ptr[i];
		if (i > 0)
			putchar(',');
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size > 0)
			fwrite(k->via.str.ptr, 1, k->via.str.size, stdout);
		const msgpack_object *v = pairs ? &o->via.map.ptr[i].val : NULL;
		if (v != NULL && v->type == MSGPACK_OBJECT_STR) {
			putchar('=');
			if (v->via.str.size > 0)
				fwrite(v->via.str.ptr, 1, v->via.str.size,
				       stdout);
		}
	}
}

static void
print_instances(const msgpack_object *list, bool json)
{
	(void)json;
	printf("%-20s %-16s %-24s %-8s %s\n", "ID", "NODE", "ADDRESS",
	       "HEALTH", "TAGS  META");
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const msgpack_object *in = &list->via.array.ptr[i];
		char id[SERVICE_NAME_MAX + 1], node[SWIM_NAME_MAX + 1];
		char ep[SERVICE_ADDRESS_MAX + 16], health[16];
		ipc_copy_str(in, "id", id, sizeof(id));
		ipc_copy_str(in, "node", node, sizeof(node));
		ipc_copy_str(in, "health", health, sizeof(health));
		endpoint(in, ep, sizeof(ep));
		printf("%-20s %-16s %-24s %-8s ", id, node, ep, health);
		print_list(ipc_map_get(in, "tags"), false);
		fputs("  ", stdout);
		print_list(ipc_map_get(in, "meta"), true);
		putchar('\n');
	}
}

/*
 * Send req and print the answer's `key` (which must be of `type`) with
 * print; returns the exit status.
 */
static int
answer(struct args *a, const char *socket_path, const struct ipc_request *req,
       const char *key, msgpack_object_type type,
       void (*print)(const msgpack_object *o, bool json), bool json)
{
	struct ipc_response resp;
	uint8_t *payload;
	if (client_send(a->cmd, socket_path, req, &resp, &payload) != 0)
		return 1;
	const msgpack_object *o = ipc_map_get(resp.root, key);
	int status = 0;
	if (o == NULL || o->type != type) {
		fprintf(stderr, "rumor: %s: malformed response\n", a->cmd);
		status = 1;
	} else if (json) {
		client_json_obj(stdout, o);
		putchar('\n');
	} else {
		print(o, json);
	}
	ipc_response_destroy(&resp);
	free(payload);
	return status;
}

static void
print_pick(const msgpack_object *in, bool json)
{
	(void)json;
	char ep[SERVICE_ADDRESS_MAX + 16];
	endpoint(in, ep, sizeof(ep));
	puts(ep);
}

static void
print_services(const msgpack_object *list, bool json)
{
	(void)json;
	printf("%-24s %8s %8s\n", "NAME", "HEALTHY", "TOTAL");
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const msgpack_object *s = &list->via.array.ptr[i];
		char name[SERVICE_NAME_MAX + 1];
		ipc_copy_str(s, "name", name, sizeof(name));
		printf("%-24s %8llu %8llu\n", name, uint_field(s, "healthy"),
		       uint_field(s, "total"));
	}
}

int
cmd_lookup(struct args *a)
{
	struct query_flags q = {.req = {.op = IPC_OP_LOOKUP}};
	int rc = parse_query(a, &q, false, lookup_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return answer(a, q.f.socket_path, &q.req, "instances",
		      MSGPACK_OBJECT_ARRAY, print_instances, q.f.json);
}

int
cmd_pick(struct args *a)
{
	struct query_flags q = {.req = {.op = IPC_OP_PICK}};
	int rc = parse_query(a, &q, true, pick_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return answer(a, q.f.socket_path, &q.req, "instance",
		      MSGPACK_OBJECT_MAP, print_pick, false);
}

int
cmd_services(struct args *a)
{
	struct client_flags f = {0};
	int rc = client_parse_flags(a, &f, CLIENT_FLAGS_JSON, services_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	struct ipc_request req = {.op = IPC_OP_SERVICES};
	return answer(a, f.socket_path, &req, "services", MSGPACK_OBJECT_ARRAY,
		      print_services, f.json);
}

static void
print_event(const msgpack_object *ev, void *arg)
{
	if (*(bool *)arg) {
		client_json_obj(stdout, ev);
		putchar('\n');
		return;
	}
	char type[16], service[SERVICE_NAME_MAX + 1], id[SERVICE_NAME_MAX + 1];
	char node[SWIM_NAME_MAX + 1], health[16];
	char ep[SERVICE_ADDRESS_MAX + 16];
	ipc_copy_str(ev, "event", type, sizeof(type));
	ipc_copy_str(ev, "service", service, sizeof(service));
	ipc_copy_str(ev, "id", id, sizeof(id));
	ipc_copy_str(ev, "node", node, sizeof(node));
	ipc_copy_str(ev, "health", health, sizeof(health));
	endpoint(ev, ep, sizeof(ep));
	printf("%s %s %s %s %s %s\n", type, service, id, node, ep, health);
}

int
cmd_watch(struct args *a)
{
	const char *name = args_positional(a);
	struct client_flags f = {0};
	int rc = client_parse_flags(a, &f, CLIENT_FLAGS_JSON, watch_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	struct ipc_request req = {.op = IPC_OP_WATCH};
	if (name != NULL) {
		if (strlen(name) > SERVICE_NAME_MAX) {
			fprintf(stderr, "rumor: watch: a service name is 1-64 "
				"bytes\n");
			return ARGS_EXIT_USAGE;
		}
		strcpy(req.name, name);
	}
	return client_watch(a->cmd, f.socket_path, &req, print_event, &f.json);
}
