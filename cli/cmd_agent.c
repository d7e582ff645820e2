/*
 * rumor agent: flags → struct agent_config, the key file → a keyring,
 * then agent_run(). Everything the user can get wrong on the command line
 * is caught here, before any socket is opened: one line, exit 2 (exit 1
 * for files that cannot be read or parsed).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include <sodium.h>

#include "agent/agent.h"
#include "agent/http_server.h"
#include "agent/log.h"
#include "cmd.h"
#include "crypto/keyring.h"
#include "rumor/rumor.h"

/** Default gossip port (memberlist's). */
#define AGENT_DEFAULT_PORT 7946

static const char agent_usage[] =
	"usage: rumor agent (--key-file FILE | --no-encrypt) [flags]\n"
	"  --name NAME            node name (default: host name)\n"
	"  --bind IP:PORT         UDP gossip + TCP push-pull (default "
	"0.0.0.0:7946)\n"
	"  --advertise IP:PORT    address others reach us at (default: "
	"bind;\n"
	"                         for 0.0.0.0 the first non-loopback "
	"IPv4)\n"
	"  --socket PATH          local socket (default $RUMOR_SOCKET, else\n"
	"                         /tmp/rumor-<uid>.sock)\n"
	"  --http IP:PORT|off     HTTP API, Consul-style, and /metrics\n"
	"                         (default 127.0.0.1:8500; busy: a warning).\n"
	"                         It can register services: an address other\n"
	"                         than loopback lets other hosts do so\n"
	"  --data-dir DIR         lock, incarnation and registrations across\n"
	"                         restarts\n"
	"  --config-dir DIR       services to register, one JSON file each\n"
	"                         (*.json); SIGHUP re-reads them\n"
	"  --key-file FILE        base64 keys, one per line (rumor keygen);\n"
	"                         the first seals, all open\n"
	"  --no-encrypt           plaintext (never mixes with encrypted "
	"nodes)\n"
	"  --label TEXT           cluster label, bound into every seal\n"
	"  --join IP:PORT         seed to join (repeatable, up to 16; "
	"retried\n"
	"                         with backoff until one answers)\n"
	"  --profile lan|wan|local  timing preset (default lan: memberlist "
	"LAN)\n"
	"  --probe-interval D  --probe-timeout D  --gossip-interval D\n"
	"  --pushpull-interval D  --reconnect-interval D  --suspicion-mult N\n"
	"                         override the preset; D like 500ms, 2s, 1m\n"
	"  --dns IP:PORT|off      DNS interface, UDP and TCP (default "
	DNS_LISTEN_DEFAULT ";\n"
	"                         if that port is taken, the agent warns and\n"
	"                         runs without). Any address but loopback\n"
	"                         lets whoever reaches it read the catalog:\n"
	"                         give one only on purpose\n"
	"  --dns-domain NAME      names end in NAME (default rumor.)\n"
	"  --dns-ttl D            TTL of service and node answers (default "
	"0s)\n"
	"  --dns-negative-ttl D   TTL of NXDOMAIN and empty answers (default "
	"0s)\n"
	"SIGINT/SIGTERM leave gracefully and exit 0; a second one exits at "
	"once.\n";

/* Timing flags override whichever preset --profile picks, in any order. */
struct timing_flag {
	const char *flag;
	size_t offset;
	bool duration; /* else an unsigned count */
};

static const struct timing_flag timing_flags[] = {
	{"--probe-interval", offsetof(struct swim_config, probe_interval_ms),
	 true},
	{"--probe-timeout", offsetof(struct swim_config, probe_timeout_ms),
	 true},
	{"--gossip-interval", offsetof(struct swim_config, gossip_interval_ms),
	 true},
	{"--pushpull-interval",
	 offsetof(struct swim_config, pushpull_interval_ms), true},
	{"--reconnect-interval",
	 offsetof(struct swim_config, reconnect_interval_ms), true},
	{"--suspicion-mult", offsetof(struct swim_config, suspicion_mult),
	 false},
};

#define TIMING_FLAGS_COUNT (sizeof(timing_flags) / sizeof(timing_flags[0]))

struct agent_flags {
	struct agent_config cfg;
	const char *key_file;
	const char *label;
	bool no_encrypt;
	bool advertise_set;
	void (*profile)(struct swim_config *cfg);
	bool timing_set[TIMING_FLAGS_COUNT];
	uint64_t timing[TIMING_FLAGS_COUNT];
	char socket_buf[RUMOR_SOCKET_PATH_MAX + 1];
	char name_buf[256];
};

static int
agent_flag_timing(const struct args *a, struct agent_flags *f,
		  const char *flag, const char *value)
{
	for (size_t i = 0; i < TIMING_FLAGS_COUNT; i++) {
		const struct timing_flag *t = &timing_flags[i];
		if (strcmp(flag, t->flag) != 0)
			continue;
		unsigned long n;
		int rc = t->duration
				 ? args_duration(a, flag, value, &f->timing[i])
				 : args_uint(a, flag, value, 1000, &n);
		if (rc != 0)
			return -1;
		if (!t->duration)
			f->timing[i] = n;
		f->timing_set[i] = true;
		return 0;
	}
	return args_unknown(a, flag);
}

static int
agent_flag_profile(const struct args *a, struct agent_flags *f,
		   const char *value)
{
	if (strcmp(value, "lan") == 0)
		f->profile = swim_config_lan;
	else if (strcmp(value, "wan") == 0)
		f->profile = swim_config_wan;
	else if (strcmp(value, "local") == 0)
		f->profile = swim_config_local;
	else {
		fprintf(stderr, "rumor: %s: --profile: want lan, wan or local, "
				"not \"%s\"\n", a->cmd, value);
		return -1;
	}
	return 0;
}

/* A DNS TTL: whole seconds, at most DNS_TTL_S_MAX. */
static int
agent_flag_ttl(const struct args *a, const char *flag, const char *value,
	       uint32_t *out_s)
{
	uint64_t ms;
	if (args_duration(a, flag, value, &ms) != 0)
		return -1;
	if (ms % 1000 != 0 || ms / 1000 > DNS_TTL_S_MAX) {
		fprintf(stderr, "rumor: %s: %s: a TTL is whole seconds, at "
				"most %us, not \"%s\"\n", a->cmd, flag,
			DNS_TTL_S_MAX, value);
		return -1;
	}
	*out_s = (uint32_t)(ms / 1000);
	return 0;
}

/* --dns, --dns-domain, --dns-ttl, --dns-negative-ttl; 1 for another
 * flag. */
static int
agent_flag_dns(const struct args *a, struct dns_server_config *dns,
	       const char *flag, const char *value)
{
	if (strcmp(flag, "--dns") == 0) {
		dns->enabled = strcmp(value, "off") != 0;
		dns->explicit_addr = dns->enabled;
		return dns->enabled ? args_addr(a, flag, value, &dns->addr)
				    : 0;
	}
	if (strcmp(flag, "--dns-domain") == 0) {
		if (dns_config_set_domain(&dns->dns, value) == 0)
			return 0;
		fprintf(stderr, "rumor: %s: --dns-domain: want labels of "
				"letters, digits, '-' and '_' (like "
				"\"rumor\" or \"sd.example.\"), not \"%s\"\n",
			a->cmd, value);
		return -1;
	}
	if (strcmp(flag, "--dns-ttl") == 0) {
		if (agent_flag_ttl(a, flag, value, &dns->dns.service_ttl_s))
			return -1;
		dns->dns.node_ttl_s = dns->dns.service_ttl_s;
		return 0;
	}
	if (strcmp(flag, "--dns-negative-ttl") == 0)
		return agent_flag_ttl(a, flag, value,
				      &dns->dns.negative_ttl_s);
	return 1;
}

static int
agent_flag(const struct args *a, struct agent_flags *f, const char *flag,
	   const char *value)
{
	struct agent_config *cfg = &f->cfg;
	if (strcmp(flag, "--name") == 0) {
		cfg->name = value;
	} else if (strcmp(flag, "--bind") == 0) {
		return args_addr(a, flag, value, &cfg->bind);
	} else if (strcmp(flag, "--advertise") == 0) {
		f->advertise_set = true;
		return args_addr(a, flag, value, &cfg->advertise);
	} else if (strcmp(flag, "--socket") == 0) {
		cfg->socket_path = value;
	} else if (strcmp(flag, "--http") == 0) {
		cfg->http_set = true;
		cfg->http_on = strcmp(value, "off") != 0;
		return cfg->http_on ? args_addr(a, flag, value, &cfg->http) : 0;
	} else if (strcmp(flag, "--data-dir") == 0) {
		cfg->data_dir = value;
	} else if (strcmp(flag, "--config-dir") == 0) {
		cfg->config_dir = value;
	} else if (strcmp(flag, "--key-file") == 0) {
		f->key_file = value;
	} else if (strcmp(flag, "--no-encrypt") == 0) {
		f->no_encrypt = true;
	} else if (strcmp(flag, "--label") == 0) {
		f->label = value;
	} else if (strcmp(flag, "--join") == 0) {
		if (cfg->join_count == SWIM_JOIN_ADDRS_MAX) {
			fprintf(stderr, "rumor: %s: at most %d --join\n",
				a->cmd, SWIM_JOIN_ADDRS_MAX);
			return -1;
		}
		return args_addr(a, flag, value,
				 &cfg->join[cfg->join_count++]);
	} else if (strcmp(flag, "--profile") == 0) {
		return agent_flag_profile(a, f, value);
	} else {
		int rc = agent_flag_dns(a, &cfg->dns, flag, value);
		return rc <= 0 ? rc : agent_flag_timing(a, f, flag, value);
	}
	return 0;
}

/* Read the key file (at most KEYRING_FILE_MAX bytes) into text. */
static int
read_key_file(const char *path, char *text, size_t cap, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "rumor: key file %s: %s\n", path,
			log_strerror(errno));
		return -1;
	}
	*len = fread(text, 1, cap, fp);
	int err = ferror(fp) ? errno : 0;
	fclose(fp);
	if (err != 0) {
		fprintf(stderr, "rumor: key file %s: %s\n", path,
			log_strerror(err));
		return -1;
	}
	if (*len == cap) {
		fprintf(stderr, "rumor: key file %s: key file too big (max %d "
				"bytes)\n", path, KEYRING_FILE_MAX);
		return -1;
	}
	return 0;
}

/* The key file's keys in a new ring, with the label. NULL after printing
 * the error. */
static struct keyring *
load_keyring(const char *path, const char *label)
{
	char text[KEYRING_FILE_MAX + 1];
	size_t len;
	if (read_key_file(path, text, sizeof(text), &len) != 0)
		return NULL;
	struct keyring *kr = keyring_new();
	if (kr == NULL) {
		sodium_memzero(text, sizeof(text));
		fprintf(stderr, "rumor: out of memory\n");
		return NULL;
	}
	int line = 0;
	const char *why = NULL;
	int rc = keyring_parse(kr, text, len, &line, &why);
	sodium_memzero(text, sizeof(text));
	if (rc != 0) {
		if (line > 0)
			fprintf(stderr, "rumor: key file %s:%d: %s\n", path,
				line, why != NULL ? why : "bad key");
		else
			fprintf(stderr, "rumor: key file %s: %s\n", path,
				why != NULL ? why : "bad key file");
		keyring_delete(kr);
		return NULL;
	}
	if (label != NULL && keyring_set_label(kr, label, strlen(label)) != 0) {
		fprintf(stderr, "rumor: agent: --label: cannot set\n");
		keyring_delete(kr);
		return NULL;
	}
	return kr;
}

/* With a 0.0.0.0 bind, advertise the first non-loopback IPv4. */
static int
pick_advertise(struct agent_flags *f)
{
	struct agent_config *cfg = &f->cfg;
	if (f->advertise_set) {
		if (cfg->advertise.ip != 0)
			return 0;
		fprintf(stderr, "rumor: agent: --advertise 0.0.0.0 cannot be "
				"reached; give a real address\n");
		return -1;
	}
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

/* Cross-flag checks, after all flags are in. */
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
	if (f->label != NULL && strlen(f->label) > KEYRING_LABEL_MAX) {
		fprintf(stderr, "rumor: agent: --label: longer than %d bytes\n",
			KEYRING_LABEL_MAX);
		return -1;
	}
	if (!swim_name_valid(cfg->name, strlen(cfg->name))) {
		fprintf(stderr,
			"rumor: agent: bad name \"%s\" (1-%d printable "
			"characters, no spaces; set --name)\n",
			cfg->name, SWIM_NAME_MAX);
		return -1;
	}
	f->profile(&cfg->swim);
	for (size_t i = 0; i < TIMING_FLAGS_COUNT; i++) {
		if (!f->timing_set[i])
			continue;
		char *field = (char *)&cfg->swim + timing_flags[i].offset;
		if (timing_flags[i].duration)
			memcpy(field, &f->timing[i], sizeof(uint64_t));
		else
			*(unsigned *)field = (unsigned)f->timing[i];
	}
	const char *why = "invalid timing";
	if (swim_config_check(&cfg->swim, &why) != 0) {
		fprintf(stderr, "rumor: agent: %s\n", why);
		return -1;
	}
	return pick_advertise(f);
}

static void
agent_defaults(struct agent_flags *f)
{
	f->profile = swim_config_lan;
	f->cfg.bind = (struct swim_addr){.ip = 0, .port = AGENT_DEFAULT_PORT};
	f->cfg.http_on = true;
	f->cfg.http = (struct swim_addr){.ip = HTTP_SERVER_DEFAULT_IP,
					 .port = HTTP_SERVER_DEFAULT_PORT};
	f->cfg.socket_path = rumor_default_socket(f->socket_buf,
						  sizeof(f->socket_buf));
	if (gethostname(f->name_buf, sizeof(f->name_buf)) != 0)
		strcpy(f->name_buf, "rumor");
	f->name_buf[sizeof(f->name_buf) - 1] = '\0';
	f->cfg.name = f->name_buf;
	dns_server_config_default(&f->cfg.dns);
}

int
cmd_agent(struct args *a)
{
	struct agent_flags f = {0};
	agent_defaults(&f);
	static const char *const valued[] = {
		"--name", "--bind", "--advertise", "--socket", "--http",
		"--data-dir",
		"--config-dir",
		"--key-file", "--label", "--join", "--profile",
		"--probe-interval", "--probe-timeout", "--gossip-interval",
		"--suspicion-mult", "--pushpull-interval",
		"--reconnect-interval", "--dns", "--dns-domain", "--dns-ttl",
		"--dns-negative-ttl", NULL};
	static const char *const switches[] = {"--no-encrypt", NULL};
	const char *flag, *value;
	int rc;
	while ((rc = args_next(a, &flag, &value, valued, switches)) == 1) {
		if (strcmp(flag, "--help") == 0) {
			fputs(agent_usage, stdout);
			return 0;
		}
		if (agent_flag(a, &f, flag, value) != 0)
			return ARGS_EXIT_USAGE;
	}
	if (rc < 0 || agent_check(&f) != 0)
		return ARGS_EXIT_USAGE;
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
