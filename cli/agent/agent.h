/*
 * agent: the production driver of struct node. One libuv loop, one UDP
 * socket for gossip, one TCP listener (same address) for push-pull
 * streams, one timer armed at the node's next deadline, and the local
 * Unix socket that the client commands talk to.
 *
 * Start-up order: data dir (lock, incarnation), node, UDP bind, TCP
 * listener, HTTP API, local socket (its file appearing says those
 * listeners are bound), DNS (dns_server.c, last: a failing start still
 * prints one line); then the "member <self> alive" line that says we are
 * ready, then the join. Any start-up failure is one line on stderr and
 * exit status 1. Every handle follows libuv's lifecycle: _init (memory
 * only, cannot fail), _start, _stop, _close.
 *
 * Shutdown: a leave (request or first SIGINT/SIGTERM) runs until
 * node_leave_done(), answers the waiting leave requests, gives the
 * replies AGENT_EXIT_GRACE_MS to go out and closes every handle; the
 * loop then ends by itself. A second signal closes at once.
 */
#ifndef RUMOR_AGENT_H
#define RUMOR_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/keyring.h"
#include "dns_server.h"
#include "log.h"
#include "membership/node_tags.h"
#include "seeds.h"
#include "swim/swim.h"

/** What SIGHUP may change: filled by agent_config.reload. */
struct agent_reload {
	enum log_level log_level;
	/** The tags (strings owned by the reload's caller until the next
	 *  reload). */
	struct service_kv tags[NODE_TAGS_MAX];
	size_t tag_count;
	/** Settings that changed but need a restart ("bind, name"), or "". */
	char not_applied[512];
};

struct agent_config {
	/** Node name (identity). */
	const char *name;
	/** Where the UDP and TCP sockets bind. */
	struct swim_addr bind;
	/** What other members are told to reach us at. */
	struct swim_addr advertise;
	/** The local Unix socket path. */
	const char *socket_path;
	/** Data directory, or NULL for none (incarnation starts at 0). */
	const char *data_dir;
	/** Service definitions (*.json), or NULL; re-read on SIGHUP. */
	const char *config_dir;
	/** Keys; NULL means --no-encrypt. Owned by the caller. */
	const struct keyring *keyring;
	struct swim_config swim;
	/** Seeds, HOST:PORT (seeds.h). */
	struct seed join[SEEDS_MAX];
	size_t join_count;
	/** Tags at start (node_tags.h has the limits). */
	const struct service_kv *tags;
	size_t tag_count;
	/** For `rumor info`: the version and the settings in effect. */
	const char *version;
	const struct service_kv *settings;
	size_t setting_count;
	/** SIGHUP: read the configuration again into *out (NULL: no
	 *  configuration file). 0, or -1 with err one line (nothing is
	 *  changed then). */
	int (*reload)(void *arg, struct agent_reload *out, char *err);
	void *reload_arg;
	/** The DNS interface (off when zeroed). */
	struct dns_server_config dns;
	/** The HTTP API (docs/http.md): on, where, and whether the user
	 *  chose the address (a busy one is then an error, not a warning). */
	bool http_on;
	struct swim_addr http;
	bool http_set;
};

/**
 * Run an agent until it leaves (a `leave` request, SIGINT or SIGTERM) or
 * fails to start. Start-up failures print one line "rumor: ..." on stderr
 * and return 1; a clean leave returns 0.
 */
int
agent_run(const struct agent_config *cfg);

#endif /* RUMOR_AGENT_H */
