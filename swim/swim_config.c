/*
 * Configuration presets and validation. Every default names its source:
 * memberlist's DefaultLANConfig / DefaultWANConfig / DefaultLocalConfig
 * (config.go) and Serf's reconnect and tombstone settings; where we differ
 * the comment says why.
 */
#include <stddef.h>

#include "rumor/error.h"
#include "swim_config.h"
#include "swim_types.h"

/* memberlist DefaultLANConfig. */
#define LAN_PROBE_INTERVAL_MS 1000
#define LAN_PROBE_TIMEOUT_MS 500
#define LAN_INDIRECT_CHECKS 3
#define LAN_GOSSIP_INTERVAL_MS 200
#define LAN_GOSSIP_NODES 3
#define LAN_RETRANSMIT_MULT 4
/* memberlist's LAN suspicion mult is 4 (6 s at 32 nodes, 12 s at 1,000,
 * stretched up to 6x until two others confirm). rumor ends every suspicion
 * with a final check of its own (swim_verify.c), so the timeout no longer
 * guards against false failures, only gives the subject a moment to
 * refute: 1 (1.5 s at 32 nodes, 3 s at 1,000), and no confirmations
 * needed (K = mult - 2 is 0). Chosen by sweeping mult 1..6 in the
 * simulator (bench/sweep-detection.py, docs/detection-tradeoff.svg): at 1
 * a crash is seen by all 32 nodes in 3.2 s median, 4.3 s worst of 20
 * runs, with no false failure under 20 % loss. */
#define LAN_SUSPICION_MULT 1
#define LAN_PUSHPULL_INTERVAL_MS 30000
/* Shared by every preset (memberlist). */
#define SUSPICION_MAX_TIMEOUT_MULT 6
#define AWARENESS_MAX 8
#define GOSSIP_TO_DEAD_MS 30000
/* Serf tries a failed member every 30 s; we try every 10 s so a healed
 * partition merges sooner. The cost is one stream per node per 10 s at
 * most, and only while members are failed. */
#define RECONNECT_INTERVAL_MS 10000
/* Serf ReconnectTimeout and TombstoneTimeout: 24 h. */
#define RECONNECT_TIMEOUT_MS (24ull * 3600 * 1000)
#define TOMBSTONE_TIMEOUT_MS (24ull * 3600 * 1000)
/* Join retries: 1 s doubling to 30 s (Serf retry_interval is 30 s). */
#define JOIN_RETRY_MIN_MS 1000
#define JOIN_RETRY_MAX_MS 30000
/* Give a leave this long to spread (Serf's leave propagate delay). */
#define LEAVE_TIMEOUT_MS 2000

void
swim_config_lan(struct swim_config *cfg)
{
	*cfg = (struct swim_config){
		.probe_interval_ms = LAN_PROBE_INTERVAL_MS,
		.probe_timeout_ms = LAN_PROBE_TIMEOUT_MS,
		.indirect_checks = LAN_INDIRECT_CHECKS,
		.gossip_interval_ms = LAN_GOSSIP_INTERVAL_MS,
		.gossip_nodes = LAN_GOSSIP_NODES,
		.gossip_to_dead_ms = GOSSIP_TO_DEAD_MS,
		.retransmit_mult = LAN_RETRANSMIT_MULT,
		.suspicion_mult = LAN_SUSPICION_MULT,
		.suspicion_max_timeout_mult = SUSPICION_MAX_TIMEOUT_MULT,
		.final_check = true,
		.probe_ring = true,
		.awareness_max = AWARENESS_MAX,
		.pushpull_interval_ms = LAN_PUSHPULL_INTERVAL_MS,
		.reconnect_interval_ms = RECONNECT_INTERVAL_MS,
		.reconnect_timeout_ms = RECONNECT_TIMEOUT_MS,
		.tombstone_timeout_ms = TOMBSTONE_TIMEOUT_MS,
		.join_retry_min_ms = JOIN_RETRY_MIN_MS,
		.join_retry_max_ms = JOIN_RETRY_MAX_MS,
		.leave_timeout_ms = LEAVE_TIMEOUT_MS,
		.datagram_size_max = SWIM_DATAGRAM_MAX,
	};
}

void
swim_config_wan(struct swim_config *cfg)
{
	/* memberlist DefaultWANConfig. */
	swim_config_lan(cfg);
	cfg->probe_interval_ms = 5000;
	cfg->probe_timeout_ms = 3000;
	cfg->gossip_interval_ms = 500;
	cfg->gossip_nodes = 4;
	cfg->suspicion_mult = 6;
	cfg->pushpull_interval_ms = 60000;
}

void
swim_config_local(struct swim_config *cfg)
{
	/* memberlist DefaultLocalConfig. */
	swim_config_lan(cfg);
	cfg->probe_timeout_ms = 200;
	cfg->indirect_checks = 1;
	cfg->gossip_interval_ms = 100;
	cfg->retransmit_mult = 2;
	cfg->suspicion_mult = 3;
	cfg->pushpull_interval_ms = 15000;
}

int
swim_config_check(const struct swim_config *cfg, const char **why)
{
	const char *reason = NULL;
	if (cfg->probe_interval_ms < 10 || cfg->probe_interval_ms > 600000)
		reason = "probe interval must be 10ms..10m";
	else if (cfg->probe_timeout_ms < 1 ||
		 cfg->probe_timeout_ms >= cfg->probe_interval_ms)
		reason = "probe timeout must be shorter than the probe "
			 "interval";
	else if (cfg->indirect_checks > 16)
		reason = "indirect checks must be 0..16";
	else if (cfg->gossip_interval_ms != 0 && cfg->gossip_interval_ms < 5)
		reason = "gossip interval must be 0 (off) or at least 5ms";
	else if (cfg->gossip_nodes < 1 || cfg->gossip_nodes > 16)
		reason = "gossip nodes must be 1..16";
	else if (cfg->retransmit_mult < 1 || cfg->retransmit_mult > 16)
		reason = "retransmit mult must be 1..16";
	else if (cfg->suspicion_mult < 1 || cfg->suspicion_mult > 32)
		reason = "suspicion mult must be 1..32";
	else if (cfg->suspicion_max_timeout_mult < 1 ||
		 cfg->suspicion_max_timeout_mult > 100)
		reason = "suspicion max timeout mult must be 1..100";
	else if (cfg->awareness_max < 1 || cfg->awareness_max > 64)
		reason = "awareness max must be 1..64";
	else if (cfg->pushpull_interval_ms != 0 &&
		 cfg->pushpull_interval_ms < 100)
		reason = "push-pull interval must be 0 (off) or at least 100ms";
	else if (cfg->reconnect_interval_ms < 100)
		reason = "reconnect interval must be at least 100ms";
	else if (cfg->join_retry_min_ms < 10 ||
		 cfg->join_retry_max_ms < cfg->join_retry_min_ms)
		reason = "join retry must be at least 10ms, max >= min";
	else if (cfg->datagram_size_max < 256 ||
		 cfg->datagram_size_max > SWIM_DATAGRAM_MAX)
		reason = "datagram size must be 256..1400 bytes";
	else if (swim_mem_check(cfg->allocator) != 0)
		reason = "an allocator gives both block hooks or neither, and "
			 "all three memory hooks or none";
	if (reason == NULL)
		return 0;
	if (why != NULL)
		*why = reason;
	return RUMOR_EINVAL;
}
