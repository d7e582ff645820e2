/*
 * rumor agent: flags → struct agent_config, the key file → a keyring,
 * then agent_run(). Everything the user can get wrong on the command line
 * is caught here, before any socket is opened: one line, exit 2 (exit 1
 * for files that cannot be read or parsed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include <sodium.h>

#include "agent/agent.h"
#include "agent/config_file.h"
#include "agent/http_server.h"
#include "agent/log.h"
#include "cmd.h"
#include "crypto/keyring.h"
#include "rumor/rumor.h"

/** Default gossip port (memberlist's). */
#define AGENT_DEFAULT_PORT 7946

static const char agent_usage[] =
	"usage: rumor agent (--key-file FILE | --no-encrypt) [flags]\n"
	"  --config FILE          flags from a JSON file, keys named as the\n"
	"                         flags with _ for - ({\"data_dir\": ...,\n"
	"                         \"join\": [...], \"tags\": {...}}); flags\n"
	"                         given here override it; SIGHUP reloads\n"
	"                         its tags and log_level\n"
	"  --check                validate the flags and the file, then exit\n"
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
	"  --join HOST:PORT       seed to join, an IPv4 address or a DNS name\n"
	"                         (repeatable, up to 16; every address of a\n"
	"                         name is tried, names resolved again at\n"
	"                         each retry, with backoff until one "
	"answers)\n"
	"  --tag KEY=VALUE        a tag of this node (repeatable; at most\n"
	"                         448 bytes encoded, about 2-4 bytes per tag\n"
	"                         plus its key and value; rumor tags changes\n"
	"                         them at runtime)\n"
	"  --log-level L          debug, info (default), warn or error\n"
	"  --log-json             one JSON object per log line\n"
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

/* Bytes of one --tag: its key, '=' or NUL, its value and NUL. */
#define AGENT_TAG_TEXT (NODE_TAG_KEY_MAX + NODE_TAG_VALUE_MAX + 2)
/* Settings `rumor info` lists, and their text. */
#define AGENT_SETTINGS_MAX 24
#define AGENT_SETTINGS_TEXT 2048

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
	const char *config_path;
	bool check;
	enum log_level log_level;
	bool log_json;
	/* The file's joins, until one is given on the command line. */
	bool join_from_file;
	const char *profile_name;
	struct service_kv tags[NODE_TAGS_MAX];
	char tag_text[NODE_TAGS_MAX][AGENT_TAG_TEXT];
	struct service_kv settings[AGENT_SETTINGS_MAX];
	char settings_text[AGENT_SETTINGS_TEXT];
	size_t settings_used;
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
	f->profile_name = value;
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

/* --tag KEY=VALUE: a new key, or the value of one given before (the
 * command line's over the file's). The limits are checked with all the
 * tags, in agent_check. */
static int
agent_flag_tag(const struct args *a, struct agent_flags *f,
	       const char *value)
{
	const char *eq = strchr(value, '=');
	size_t klen = eq != NULL ? (size_t)(eq - value) : 0;
	if (klen == 0 || klen > NODE_TAG_KEY_MAX ||
	    strlen(eq + 1) > NODE_TAG_VALUE_MAX) {
		fprintf(stderr, "rumor: %s: --tag: want KEY=VALUE (a key of "
				"1-%d bytes, a value of at most %d), not "
				"\"%.300s\"\n", a->cmd, NODE_TAG_KEY_MAX,
			NODE_TAG_VALUE_MAX, value);
		return -1;
	}
	size_t i = 0;
	while (i < f->cfg.tag_count &&
	       (strncmp(f->tags[i].key, value, klen) != 0 ||
		f->tags[i].key[klen] != '\0'))
		i++;
	if (i == NODE_TAGS_MAX) {
		fprintf(stderr, "rumor: %s: at most %d tags\n", a->cmd,
			NODE_TAGS_MAX);
		return -1;
	}
	char *text = f->tag_text[i];
	memcpy(text, value, klen);
	text[klen] = '\0';
	strcpy(text + klen + 1, eq + 1);
	f->tags[i] = (struct service_kv){text, text + klen + 1};
	if (i == f->cfg.tag_count)
		f->cfg.tag_count++;
	return 0;
}

/* --join HOST:PORT: the first on the command line replaces the file's. */
static int
agent_flag_join(const struct args *a, struct agent_flags *f,
		const char *value, bool from_file)
{
	struct agent_config *cfg = &f->cfg;
	if (!from_file && f->join_from_file) {
		cfg->join_count = 0;
		f->join_from_file = false;
	}
	f->join_from_file |= from_file;
	if (cfg->join_count == SEEDS_MAX) {
		fprintf(stderr, "rumor: %s: at most %d --join\n", a->cmd,
			SEEDS_MAX);
		return -1;
	}
	char err[LOG_ERR_SIZE];
	if (seed_parse(value, &cfg->join[cfg->join_count], err) != 0) {
		fprintf(stderr, "rumor: %s: --join: %s\n", a->cmd, err);
		return -1;
	}
	cfg->join_count++;
	return 0;
}

static int
agent_flag(const struct args *a, struct agent_flags *f, const char *flag,
	   const char *value, bool from_file)
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
		return agent_flag_join(a, f, value, from_file);
	} else if (strcmp(flag, "--tag") == 0) {
		return agent_flag_tag(a, f, value);
	} else if (strcmp(flag, "--log-level") == 0) {
		if (log_level_parse(value, &f->log_level) == 0)
			return 0;
		fprintf(stderr, "rumor: %s: --log-level: want debug, info, "
				"warn or error, not \"%s\"\n", a->cmd, value);
		return -1;
	} else if (strcmp(flag, "--log-json") == 0) {
		f->log_json = true;
	} else if (strcmp(flag, "--check") == 0) {
		f->check = true;
	} else if (strcmp(flag, "--config") == 0) {
		f->config_path = value;
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
	size_t tags_size;
	char why_tags[256];
	if (node_tags_check(f->tags, cfg->tag_count, &tags_size, why_tags,
			    sizeof(why_tags)) != 0) {
		fprintf(stderr, "rumor: agent: %s\n", why_tags);
		return -1;
	}
	cfg->tags = f->tags;
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
	f->profile_name = "lan";
	f->log_level = LOG_INFO;
	f->cfg.version = RUMOR_VERSION;
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

static const char *const agent_valued[] = {
	"--name", "--bind", "--advertise", "--socket", "--http", "--data-dir",
	"--config-dir", "--key-file", "--label", "--join", "--profile",
	"--probe-interval", "--probe-timeout", "--gossip-interval",
	"--suspicion-mult", "--pushpull-interval", "--reconnect-interval",
	"--dns", "--dns-domain", "--dns-ttl", "--dns-negative-ttl", "--tag",
	"--log-level", "--config", NULL};
static const char *const agent_switches[] = {"--no-encrypt", "--log-json",
					     "--check", NULL};
/* Flags a file may not hold: the file itself, and what runs it. */
static const char *const agent_cli_only[] = {"--config", "--check", NULL};
/* Flags whose value is a duration: a file's integer is milliseconds. */
static const char *const agent_durations[] = {
	"--probe-interval", "--probe-timeout", "--gossip-interval",
	"--pushpull-interval", "--reconnect-interval", "--dns-ttl",
	"--dns-negative-ttl", NULL};

static bool
listed(const char *const *list, const char *flag)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, flag) == 0)
			return true;
	}
	return false;
}

/* The file's keys through the flags' parser (config_file.h). */
struct agent_file {
	struct args args;
	struct agent_flags *f;
};

static enum config_file_kind
file_kind(void *arg, const char *flag)
{
	(void)arg;
	if (listed(agent_cli_only, flag))
		return CONFIG_FILE_UNKNOWN;
	return listed(agent_valued, flag)     ? CONFIG_FILE_VALUED
	       : listed(agent_switches, flag) ? CONFIG_FILE_SWITCH
					      : CONFIG_FILE_UNKNOWN;
}

static int
file_flag(void *arg, const char *flag, const char *value, bool is_integer)
{
	struct agent_file *af = arg;
	char ms[40];
	if (is_integer && listed(agent_durations, flag)) {
		snprintf(ms, sizeof(ms), "%sms", value);
		value = ms;
	}
	return agent_flag(&af->args, af->f, flag, value, true);
}

/* Defaults, then the file (when there is one), then the command line
 * from a->pos: into f. 0; -1 after --help; or the exit status with err
 * one line to print (a flag's parser printed its own: err says so). */
static int
agent_parse(struct args *a, struct agent_flags *f, const char *path,
	    json_t *root, char *err)
{
	agent_defaults(f);
	log_err(err, 0, "%s: invalid (the line before says why)",
		path ? path : "agent");
	if (root != NULL) {
		struct agent_file af = {.args = *a, .f = f};
		af.args.cmd = path;
		struct config_file_parser p = {file_kind, file_flag, &af};
		int rc = config_file_flags(path, root, &p, err);
		if (rc == -1)
			log_err(err, 0, "%s: invalid (the line before says "
				"why)", path);
		if (rc != 0)
			return ARGS_EXIT_USAGE;
		err[0] = '\0';
	}
	const char *flag, *value;
	int rc;
	while ((rc = args_next(a, &flag, &value, agent_valued,
			       agent_switches)) == 1) {
		if (strcmp(flag, "--help") == 0) {
			fputs(agent_usage, stdout);
			return -1;
		}
		if (agent_flag(a, f, flag, value, false) != 0)
			return ARGS_EXIT_USAGE;
	}
	return rc < 0 ? ARGS_EXIT_USAGE : 0;
}

/* The settings `rumor info` shows, from the flags in effect. */
static void
setting(struct agent_flags *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
setting(struct agent_flags *f, const char *key, const char *fmt, ...)
{
	struct agent_config *cfg = &f->cfg;
	size_t room = sizeof(f->settings_text) - f->settings_used;
	if (cfg->setting_count == AGENT_SETTINGS_MAX || room < 2)
		return;
	char *text = f->settings_text + f->settings_used;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return;
	f->settings_used += (size_t)n + 1;
	f->settings[cfg->setting_count++] = (struct service_kv){key, text};
}

static void
agent_settings(struct agent_flags *f)
{
	struct agent_config *cfg = &f->cfg;
	const struct swim_config *sw = &cfg->swim;
	cfg->settings = f->settings;
	setting(f, "config", "%s", f->config_path ? f->config_path : "");
	setting(f, "encrypt", "%s", f->key_file ? "on" : "off");
	setting(f, "key_file", "%s", f->key_file ? f->key_file : "");
	setting(f, "label", "%s", f->label ? "set" : "");
	setting(f, "data_dir", "%s", cfg->data_dir ? cfg->data_dir : "");
	setting(f, "config_dir", "%s", cfg->config_dir ? cfg->config_dir
						       : "");
	setting(f, "profile", "%s", f->profile_name);
	setting(f, "probe_interval", "%llums",
		(unsigned long long)sw->probe_interval_ms);
	setting(f, "probe_timeout", "%llums",
		(unsigned long long)sw->probe_timeout_ms);
	setting(f, "gossip_interval", "%llums",
		(unsigned long long)sw->gossip_interval_ms);
	setting(f, "pushpull_interval", "%llums",
		(unsigned long long)sw->pushpull_interval_ms);
	setting(f, "reconnect_interval", "%llums",
		(unsigned long long)sw->reconnect_interval_ms);
	setting(f, "suspicion_mult", "%u", sw->suspicion_mult);
	char seeds[1024] = "";
	for (size_t i = 0, used = 0; i < cfg->join_count; i++) {
		int n = snprintf(seeds + used, sizeof(seeds) - used, "%s%s:%u",
				 i ? "," : "", cfg->join[i].host,
				 cfg->join[i].port);
		if (n < 0 || (size_t)n >= sizeof(seeds) - used)
			break;
		used += (size_t)n;
	}
	setting(f, "join", "%s", seeds);
	setting(f, "log_level", "%s", log_level_strs[f->log_level]);
	setting(f, "log_json", "%s", f->log_json ? "true" : "false");
}

/* SIGHUP: the file and the command line again, into a fresh set of
 * flags; the tags and the log level to apply, and what would need a
 * restart. */
struct agent_reloader {
	struct args args;
	const char *path;
	/* The file the agent started with (what runs now). */
	json_t *root;
	/* The last reload's flags: the tags point into them. */
	struct agent_flags *last;
};

static int
agent_reload(void *arg, struct agent_reload *out, char *err)
{
	struct agent_reloader *rl = arg;
	json_t *root = config_file_load(rl->path, err);
	struct agent_flags *g = root ? calloc(1, sizeof(*g)) : NULL;
	if (root != NULL && g == NULL)
		log_err(err, RUMOR_ENOMEM, "out of memory");
	struct args a = rl->args;
	int rc = g != NULL ? agent_parse(&a, g, rl->path, root, err) : -1;
	size_t size;
	char why[256];
	if (rc == 0 && node_tags_check(g->tags, g->cfg.tag_count, &size, why,
				       sizeof(why)) != 0) {
		log_err(err, RUMOR_EINVAL, "%s: %s", rl->path, why);
		rc = -1;
	}
	if (rc == 0) {
		static const char *const live[] = {"tags", "log_level",
						   "config_dir", NULL};
		out->log_level = g->log_level;
		out->tag_count = g->cfg.tag_count;
		memcpy(out->tags, g->tags, out->tag_count * sizeof(g->tags[0]));
		config_file_diff(rl->root, root, live, out->not_applied,
				 sizeof(out->not_applied));
		free(rl->last);
		rl->last = g;
		g = NULL;
	}
	free(g);
	json_decref(root);
	return rc == 0 ? 0 : -1;
}

/* --config FILE (or --config=FILE) anywhere on the command line. */
static const char *
find_config(const struct args *a)
{
	for (int i = a->pos; i < a->argc; i++) {
		const char *arg = a->argv[i];
		if (strncmp(arg, "--config=", 9) == 0)
			return arg + 9;
		if (strcmp(arg, "--config") == 0 && i + 1 < a->argc)
			return a->argv[i + 1];
	}
	return NULL;
}

int
cmd_agent(struct args *a)
{
	struct agent_reloader rl = {.args = *a, .path = find_config(a)};
	char err[LOG_ERR_SIZE];
	if (rl.path != NULL &&
	    (rl.root = config_file_load(rl.path, err)) == NULL) {
		fprintf(stderr, "rumor: %s\n", err);
		return ARGS_EXIT_USAGE;
	}
	struct agent_flags *f = calloc(1, sizeof(*f));
	int status = f == NULL ? 1 : agent_parse(a, f, rl.path, rl.root, err);
	if (status > 0 && f != NULL && strstr(err, "the line before") == NULL)
		fprintf(stderr, "rumor: %s\n", err);
	if (status == 0 && agent_check(f) != 0)
		status = ARGS_EXIT_USAGE;
	struct keyring *kr = NULL;
	if (status == 0 && f->key_file != NULL &&
	    (kr = load_keyring(f->key_file, f->label)) == NULL)
		status = 1;
	if (status == 0 && f->check) {
		printf("%s: ok\n", rl.path ? rl.path : "flags");
	} else if (status == 0) {
		log_set_level(f->log_level);
		log_set_json(f->log_json);
		agent_settings(f);
		f->cfg.keyring = kr;
		if (rl.path != NULL) {
			f->cfg.reload = agent_reload;
			f->cfg.reload_arg = &rl;
		}
		status = agent_run(&f->cfg);
	}
	keyring_delete(kr);
	free(rl.last);
	free(f);
	json_decref(rl.root);
	return status < 0 ? 0 : status;
}
