/*
 * rumor: the command line. Parses argv into the agent's configuration or
 * one client request, and reports every problem as one line on stderr:
 *
 *	rumor: agent: unknown flag "--tll"
 *
 * Exit codes: 0 success, 1 runtime failure, 2 usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include <sodium.h>

#include "agent.h"
#include "client.h"
#include "crypto/keyring.h"
#include "rumor/error.h"

#define RUMOR_VERSION "0.1.0"
#define EXIT_USAGE 2

/* ---- flag parsing ------------------------------------------------------- */

struct args {
	const char *cmd;
	int argc;
	char **argv;
	int pos;
};

/* Take the next "--flag" (and its value when it wants one). Returns 1 with
 * flag and value set, 0 at the end, -1 after printing a usage error. */
static int
args_next(struct args *a, const char **flag, const char **value,
	  const char *const *valued)
{
	if (a->pos >= a->argc)
		return 0;
	const char *arg = a->argv[a->pos++];
	if (strncmp(arg, "--", 2) != 0) {
		fprintf(stderr, "rumor: %s: unexpected argument \"%s\"\n",
			a->cmd, arg);
		return -1;
	}
	static char name[64];
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, arg, len);
	name[len] = '\0';
	*flag = name;
	*value = NULL;
	bool wants = false;
	for (const char *const *v = valued; *v != NULL; v++)
		wants |= strcmp(*v, name) == 0;
	if (!wants) {
		if (eq != NULL) {
			fprintf(stderr, "rumor: %s: %s takes no value\n",
				a->cmd, name);
			return -1;
		}
		return 1;
	}
	if (eq != NULL) {
		*value = eq + 1;
	} else if (a->pos < a->argc) {
		*value = a->argv[a->pos++];
	} else {
		fprintf(stderr, "rumor: %s: %s needs a value\n", a->cmd,
			name);
		return -1;
	}
	return 1;
}

static int
unknown_flag(const struct args *a, const char *flag)
{
	fprintf(stderr, "rumor: %s: unknown flag \"%s\"\n", a->cmd, flag);
	return -1;
}

/* "500ms", "2s", "1m", "1h" -> milliseconds. */
static int
parse_duration(const char *text, uint64_t *out_ms)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (end == text || errno != 0 || text[0] == '-')
		return -1;
	uint64_t mult;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else if (strcmp(end, "h") == 0)
		mult = 3600000;
	else
		return -1;
	if (v > UINT64_MAX / mult / 2)
		return -1;
	*out_ms = v * mult;
	return 0;
}

static int
flag_duration(const struct args *a, const char *flag, const char *value,
	      uint64_t *out)
{
	if (parse_duration(value, out) == 0)
		return 0;
	fprintf(stderr,
		"rumor: %s: %s: bad duration \"%s\" (use e.g. 500ms, 2s, "
		"1m)\n",
		a->cmd, flag, value);
	return -1;
}

static int
flag_addr(const struct args *a, const char *flag, const char *value,
	  struct swim_addr *out)
{
	if (swim_addr_parse(value, out) == 0)
		return 0;
	fprintf(stderr, "rumor: %s: %s: bad address \"%s\" (want IP:PORT)\n",
		a->cmd, flag, value);
	return -1;
}

/* ---- agent -------------------------------------------------------------- */

static const char agent_usage[] =
	"usage: rumor agent [flags]\n"
	"  --name NAME            node name (default: host name)\n"
	"  --bind IP:PORT         UDP gossip + TCP push-pull (default "
	"0.0.0.0:7946)\n"
	"  --advertise IP:PORT    address others reach us at (default: "
	"bind)\n"
	"  --socket PATH          local socket (default $RUMOR_SOCKET, else\n"
	"                         /tmp/rumor-<uid>.sock)\n"
	"  --data-dir DIR         keeps the incarnation counter across "
	"restarts\n"
	"  --key-file FILE        base64 keys, one per line; the first "
	"seals\n"
	"  --no-encrypt           plaintext (never mixes with encrypted "
	"nodes)\n"
	"  --label TEXT           cluster label, bound into every seal\n"
	"  --join IP:PORT         seed to join (repeatable; retried with "
	"backoff)\n"
	"  --profile lan|wan|local  timing preset (default lan: memberlist "
	"LAN)\n"
	"  --probe-interval D  --probe-timeout D  --gossip-interval D\n"
	"  --suspicion-mult N  --pushpull-interval D  --reconnect-interval "
	"D\n"
	"                         durations like 500ms, 2s, 1m\n";

struct agent_flags {
	struct agent_config cfg;
	const char *key_file;
	const char *label;
	bool no_encrypt;
	char socket_buf[128];
	char name_buf[SWIM_NAME_MAX + 1];
	bool advertise_set;
};

static int
agent_flag_timing(const struct args *a, struct agent_flags *f,
		  const char *flag, const char *value)
{
	struct swim_config *c = &f->cfg.swim;
	if (strcmp(flag, "--probe-interval") == 0)
		return flag_duration(a, flag, value, &c->probe_interval_ms);
	if (strcmp(flag, "--probe-timeout") == 0)
		return flag_duration(a, flag, value, &c->probe_timeout_ms);
	if (strcmp(flag, "--gossip-interval") == 0)
		return flag_duration(a, flag, value, &c->gossip_interval_ms);
	if (strcmp(flag, "--pushpull-interval") == 0)
		return flag_duration(a, flag, value,
				     &c->pushpull_interval_ms);
	if (strcmp(flag, "--reconnect-interval") == 0)
		return flag_duration(a, flag, value,
				     &c->reconnect_interval_ms);
	if (strcmp(flag, "--suspicion-mult") == 0) {
		char *end;
		unsigned long v = strtoul(value, &end, 10);
		if (*value == '\0' || *end != '\0' || v > 1000) {
			fprintf(stderr, "rumor: %s: %s: bad number \"%s\"\n",
				a->cmd, flag, value);
			return -1;
		}
		c->suspicion_mult = (unsigned)v;
		return 0;
	}
	return unknown_flag(a, flag);
}

static int
agent_flag(const struct args *a, struct agent_flags *f, const char *flag,
	   const char *value)
{
	struct agent_config *cfg = &f->cfg;
	if (strcmp(flag, "--name") == 0) {
		cfg->name = value;
	} else if (strcmp(flag, "--bind") == 0) {
		return flag_addr(a, flag, value, &cfg->bind);
	} else if (strcmp(flag, "--advertise") == 0) {
		f->advertise_set = true;
		return flag_addr(a, flag, value, &cfg->advertise);
	} else if (strcmp(flag, "--socket") == 0) {
		cfg->socket_path = value;
	} else if (strcmp(flag, "--data-dir") == 0) {
		cfg->data_dir = value;
	} else if (strcmp(flag, "--key-file") == 0) {
		f->key_file = value;
	} else if (strcmp(flag, "--no-encrypt") == 0) {
		f->no_encrypt = true;
	} else if (strcmp(flag, "--label") == 0) {
		f->label = value;
	} else if (strcmp(flag, "--join") == 0) {
		if (cfg->join_count == SWIM_JOIN_ADDRS_MAX) {
			fprintf(stderr, "rumor: agent: at most %d --join\n",
				SWIM_JOIN_ADDRS_MAX);
			return -1;
		}
		return flag_addr(a, flag, value,
				 &cfg->join[cfg->join_count++]);
	} else if (strcmp(flag, "--profile") == 0) {
		if (strcmp(value, "lan") == 0)
			swim_config_lan(&cfg->swim);
		else if (strcmp(value, "wan") == 0)
			swim_config_wan(&cfg->swim);
		else if (strcmp(value, "local") == 0)
			swim_config_local(&cfg->swim);
		else {
			fprintf(stderr,
				"rumor: agent: --profile: want lan, wan or "
				"local, not \"%s\"\n",
				value);
			return -1;
		}
	} else {
		return agent_flag_timing(a, f, flag, value);
	}
	return 0;
}

/* Read and parse the key file into a new ring (with the label). */
static struct keyring *
load_keyring(const char *path, const char *label)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "rumor: key file %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	static char text[KEYRING_FILE_MAX + 1];
	size_t len = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	struct keyring *kr = keyring_new();
	if (kr == NULL) {
		fprintf(stderr, "rumor: out of memory\n");
		return NULL;
	}
	int line = 0;
	const char *why = "";
	int rc = len > KEYRING_FILE_MAX ? RUMOR_ETOOBIG
					: keyring_parse(kr, text, len, &line,
							&why);
	sodium_memzero(text, sizeof(text));
	if (rc == RUMOR_ETOOBIG && len > KEYRING_FILE_MAX)
		why = "key file too big";
	if (rc == 0 && label != NULL)
		rc = keyring_set_label(kr, label, strlen(label));
	if (rc == 0)
		return kr;
	if (line > 0)
		fprintf(stderr, "rumor: key file %s:%d: %s\n", path, line,
			why);
	else
		fprintf(stderr, "rumor: key file %s: %s\n", path,
			label != NULL && why[0] == '\0' ? "label too long"
							 : why);
	keyring_delete(kr);
	return NULL;
}

/* With a 0.0.0.0 bind, advertise the first non-loopback IPv4. */
static int
pick_advertise(struct agent_flags *f)
{
	struct agent_config *cfg = &f->cfg;
	if (f->advertise_set)
		return 0;
	cfg->advertise = cfg->bind;
	if (cfg->bind.ip != 0)
		return 0;
	uv_interface_address_t *ifs;
	int count;
	if (uv_interface_addresses(&ifs, &count) == 0) {
		for (int i = 0; i < count && cfg->advertise.ip == 0; i++) {
			if (ifs[i].is_internal ||
			    ifs[i].address.address4.sin_family != AF_INET)
				continue;
			cfg->advertise.ip = ntohl(
				ifs[i].address.address4.sin_addr.s_addr);
		}
		uv_free_interface_addresses(ifs, count);
	}
	if (cfg->advertise.ip != 0)
		return 0;
	fprintf(stderr, "rumor: agent: no non-loopback IPv4 address to "
			"advertise; pass --advertise IP:PORT\n");
	return -1;
}

static int
agent_check(struct agent_flags *f)
{
	struct agent_config *cfg = &f->cfg;
	if (f->no_encrypt == (f->key_file != NULL)) {
		fprintf(stderr, "rumor: agent: give exactly one of "
				"--key-file FILE or --no-encrypt\n");
		return -1;
	}
	if (f->no_encrypt && f->label != NULL) {
		fprintf(stderr, "rumor: agent: --label needs encryption "
				"(--key-file)\n");
		return -1;
	}
	if (!swim_name_valid(cfg->name, strlen(cfg->name))) {
		fprintf(stderr,
			"rumor: agent: bad --name \"%s\" (1-%d printable "
			"characters, no spaces)\n",
			cfg->name, SWIM_NAME_MAX);
		return -1;
	}
	const char *why;
	if (swim_config_check(&cfg->swim, &why) != 0) {
		fprintf(stderr, "rumor: agent: %s\n", why);
		return -1;
	}
	return pick_advertise(f);
}

static int
cmd_agent(struct args *a)
{
	static struct agent_flags f;
	swim_config_lan(&f.cfg.swim);
	f.cfg.bind = (struct swim_addr){0, 7946};
	f.cfg.socket_path = client_default_socket(f.socket_buf,
						  sizeof(f.socket_buf));
	if (gethostname(f.name_buf, sizeof(f.name_buf) - 1) != 0)
		strcpy(f.name_buf, "rumor");
	f.cfg.name = f.name_buf;
	static const char *const valued[] = {
		"--name", "--bind", "--advertise", "--socket", "--data-dir",
		"--key-file", "--label", "--join", "--profile",
		"--probe-interval", "--probe-timeout", "--gossip-interval",
		"--suspicion-mult", "--pushpull-interval",
		"--reconnect-interval", NULL};
	const char *flag, *value;
	int rc;
	while ((rc = args_next(a, &flag, &value, valued)) == 1) {
		if (strcmp(flag, "--help") == 0) {
			fputs(agent_usage, stdout);
			return 0;
		}
		if (agent_flag(a, &f, flag, value) != 0)
			return EXIT_USAGE;
	}
	if (rc < 0 || agent_check(&f) != 0)
		return EXIT_USAGE;
	struct keyring *kr = NULL;
	if (f.key_file != NULL) {
		kr = load_keyring(f.key_file, f.label);
		if (kr == NULL)
			return 1;
	}
	f.cfg.keyring = kr;
	int status = agent_run(&f.cfg);
	keyring_delete(kr);
	return status;
}

/* ---- client commands --------------------------------------------------- */

/* Parse --socket (and --json/--status where allowed). */
struct client_flags {
	const char *socket_path;
	bool json;
	const char *status;
	char socket_buf[128];
};

static int
client_flags(struct args *a, struct client_flags *f, bool listing,
	     const char *usage)
{
	f->socket_path = client_default_socket(f->socket_buf,
					       sizeof(f->socket_buf));
	static const char *const valued[] = {"--socket", "--status", NULL};
	const char *flag, *value;
	int rc;
	while ((rc = args_next(a, &flag, &value, valued)) == 1) {
		if (strcmp(flag, "--help") == 0) {
			fputs(usage, stdout);
			return 1;
		} else if (strcmp(flag, "--socket") == 0) {
			f->socket_path = value;
		} else if (listing && strcmp(flag, "--json") == 0) {
			f->json = true;
		} else if (listing && strcmp(flag, "--status") == 0) {
			f->status = value;
		} else {
			unknown_flag(a, flag);
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (f->status != NULL) {
		bool known = false;
		for (int i = 0; i < swim_status_MAX; i++)
			known |= strcmp(f->status, swim_status_strs[i]) == 0;
		if (!known) {
			fprintf(stderr,
				"rumor: %s: --status: want alive, suspect, "
				"failed or left, not \"%s\"\n",
				a->cmd, f->status);
			return -1;
		}
	}
	return 0;
}

struct member_row {
	char name[SWIM_NAME_MAX + 1];
	char addr[32];
	char status[16];
	uint64_t incarnation;
};

static void
copy_str(char *dst, size_t size, const msgpack_object *o)
{
	size_t n = 0;
	if (o != NULL && o->type == MSGPACK_OBJECT_STR) {
		n = o->via.str.size < size - 1 ? o->via.str.size : size - 1;
		memcpy(dst, o->via.str.ptr, n);
	}
	dst[n] = '\0';
}

static int
row_cmp(const void *x, const void *y)
{
	return strcmp(((const struct member_row *)x)->name,
		      ((const struct member_row *)y)->name);
}

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
print_members(struct member_row *rows, size_t count, bool json)
{
	qsort(rows, count, sizeof(*rows), row_cmp);
	if (json) {
		putchar('[');
		for (size_t i = 0; i < count; i++) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(rows[i].name);
			printf(",\"addr\":");
			json_str(rows[i].addr);
			printf(",\"status\":");
			json_str(rows[i].status);
			printf(",\"incarnation\":%llu}",
			       (unsigned long long)rows[i].incarnation);
		}
		printf("]\n");
		return;
	}
	int w = 4;
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

static int
show_members(const struct ipc_response *resp, const struct client_flags *f)
{
	const msgpack_object *list = ipc_map_get(resp->root, "members");
	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY) {
		fprintf(stderr, "rumor: members: malformed response\n");
		return 1;
	}
	size_t n = list->via.array.size, count = 0;
	struct member_row *rows = calloc(n ? n : 1, sizeof(*rows));
	if (rows == NULL) {
		fprintf(stderr, "rumor: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		const msgpack_object *m = &list->via.array.ptr[i];
		struct member_row *r = &rows[count];
		copy_str(r->name, sizeof(r->name), ipc_map_get(m, "name"));
		copy_str(r->addr, sizeof(r->addr), ipc_map_get(m, "addr"));
		copy_str(r->status, sizeof(r->status),
			 ipc_map_get(m, "status"));
		const msgpack_object *inc = ipc_map_get(m, "incarnation");
		r->incarnation = inc && inc->type ==
						MSGPACK_OBJECT_POSITIVE_INTEGER
					 ? inc->via.u64
					 : 0;
		if (f->status == NULL || strcmp(f->status, r->status) == 0)
			count++;
	}
	print_members(rows, count, f->json);
	free(rows);
	return 0;
}

static int
client_request(struct args *a, enum ipc_op op, bool listing,
	       const char *usage)
{
	struct client_flags f = {0};
	int rc = client_flags(a, &f, listing, usage);
	if (rc != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	struct ipc_request req = {.op = op};
	struct ipc_response resp;
	uint8_t *payload;
	if (client_call(f.socket_path, &req, &resp, &payload) != 0)
		return 1;
	int status = 0;
	if (!resp.ok) {
		fprintf(stderr, "rumor: %s: %.*s\n", a->cmd,
			(int)resp.error_len, resp.error ? resp.error : "");
		status = 1;
	} else if (op == IPC_OP_MEMBERS) {
		status = show_members(&resp, &f);
	} else if (op == IPC_OP_LEAVE) {
		printf("left the cluster\n");
	} else {
		msgpack_object_print(stdout, *resp.root);
		putchar('\n');
	}
	ipc_response_destroy(&resp);
	free(payload);
	return status;
}

static int
cmd_keygen(struct args *a)
{
	if (a->pos < a->argc) {
		if (strcmp(a->argv[a->pos], "--help") == 0) {
			puts("usage: rumor keygen > cluster.key\n"
			     "  prints one new random 32-byte key in base64");
			return 0;
		}
		return unknown_flag(a, a->argv[a->pos]), EXIT_USAGE;
	}
	uint8_t key[KEYRING_KEY_SIZE];
	char text[KEYRING_KEY_B64_LEN + 1];
	randombytes_buf(key, sizeof(key));
	keyring_key_b64(text, key);
	sodium_memzero(key, sizeof(key));
	puts(text);
	return 0;
}

static const char main_usage[] =
	"usage: rumor <command> [flags]   (rumor <command> --help)\n"
	"  agent     run an agent: gossip membership, answer on a local "
	"socket\n"
	"  members   list the members this agent knows (--json, --status "
	"S)\n"
	"  leave     make the local agent leave the cluster gracefully\n"
	"  stats     print the local agent's counters\n"
	"  keygen    print a new cluster key\n"
	"  version   print the version\n";

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "rumor: libsodium failed to initialise\n");
		return 1;
	}
	if (argc < 2) {
		fputs(main_usage, stderr);
		return EXIT_USAGE;
	}
	struct args a = {.cmd = argv[1], .argc = argc, .argv = argv,
			 .pos = 2};
	if (strcmp(a.cmd, "agent") == 0)
		return cmd_agent(&a);
	if (strcmp(a.cmd, "members") == 0)
		return client_request(
			&a, IPC_OP_MEMBERS, true,
			"usage: rumor members [--socket PATH] [--json] "
			"[--status alive|suspect|failed|left]\n");
	if (strcmp(a.cmd, "leave") == 0)
		return client_request(&a, IPC_OP_LEAVE, false,
				      "usage: rumor leave [--socket PATH]\n");
	if (strcmp(a.cmd, "stats") == 0)
		return client_request(&a, IPC_OP_STATS, false,
				      "usage: rumor stats [--socket PATH]\n");
	if (strcmp(a.cmd, "keygen") == 0)
		return cmd_keygen(&a);
	if (strcmp(a.cmd, "version") == 0 || strcmp(a.cmd, "--version") == 0) {
		puts("rumor " RUMOR_VERSION);
		return 0;
	}
	if (strcmp(a.cmd, "help") == 0 || strcmp(a.cmd, "--help") == 0) {
		fputs(main_usage, stdout);
		return 0;
	}
	fprintf(stderr, "rumor: unknown command \"%s\" (see rumor --help)\n",
		a.cmd);
	return EXIT_USAGE;
}
