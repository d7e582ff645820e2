/*
 * swim_config: the protocol's timings and limits, their presets (after
 * memberlist's) and their validation. Included through swim.h.
 */
#ifndef RUMOR_SWIM_CONFIG_H
#define RUMOR_SWIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

#include "swim_mem.h"

/** Protocol timings and limits. Fill with a preset, then adjust. */
struct swim_config {
	/** Period between two probes (memberlist LAN 1 s). */
	uint64_t probe_interval_ms;
	/** Wait for a direct ack before indirect probing (LAN 500 ms). */
	uint64_t probe_timeout_ms;
	/** Members asked to ping-req a silent target (k; LAN 3). */
	unsigned indirect_checks;
	/** Period of the gossip tick (LAN 200 ms); 0 disables it. */
	uint64_t gossip_interval_ms;
	/** Members each gossip tick sends to (LAN 3). */
	unsigned gossip_nodes;
	/** Keep gossiping to a failed member this long (LAN 30 s). */
	uint64_t gossip_to_dead_ms;
	/** λ: each update is sent mult * ceil(log10(n + 1)) times (LAN 4). */
	unsigned retransmit_mult;
	/** Lifeguard: suspicion min = mult * max(1, log10 n) * probe
	 *  interval (LAN 4). */
	unsigned suspicion_mult;
	/** Lifeguard: suspicion max = this * suspicion min (6). */
	unsigned suspicion_max_timeout_mult;
	/** End every suspicion with a check of our own before declaring it
	 *  failed (swim_verify.c); on by default. Off is memberlist's
	 *  behaviour, kept for comparison. */
	bool final_check;
	/** Probe in coordinated rounds around a ring sorted by name hash
	 *  (swim_probe.c), so each member has one prober per round; on by
	 *  default. Off is SWIM's shuffled round robin. */
	bool probe_ring;
	/** Local health multiplier saturates at this - 1 (8). */
	unsigned awareness_max;
	/** Push-pull with one random member this often, scaled up above
	 *  32 members (LAN 30 s); 0 disables it. */
	uint64_t pushpull_interval_ms;
	/** Try one failed member this often (Serf 30 s; ours 10 s). */
	uint64_t reconnect_interval_ms;
	/** Forget failed members after this long (Serf 24 h). */
	uint64_t reconnect_timeout_ms;
	/** Forget left members after this long (Serf tombstone 24 h). */
	uint64_t tombstone_timeout_ms;
	/** First and last gap between join attempts (doubling). */
	uint64_t join_retry_min_ms;
	uint64_t join_retry_max_ms;
	/** Give a leave broadcast at most this long to go out (memberlist
	 *  leave timeout spirit; the agent exits after). */
	uint64_t leave_timeout_ms;
	/** Largest plaintext datagram to emit (≤ SWIM_DATAGRAM_MAX). */
	size_t datagram_size_max;
	/** Where memory comes from (swim_mem.h): NULL for libc; must
	 *  outlive every node using it. */
	const struct swim_allocator *allocator;
};

/** memberlist DefaultLANConfig timings. */
void
swim_config_lan(struct swim_config *cfg);
/** memberlist DefaultWANConfig timings. */
void
swim_config_wan(struct swim_config *cfg);
/** memberlist DefaultLocalConfig timings. */
void
swim_config_local(struct swim_config *cfg);

/**
 * Check that every field is in its valid range. Returns 0, or RUMOR_EINVAL
 * with *why set to a static sentence naming the field.
 */
RUMOR_MUST_CHECK int
swim_config_check(const struct swim_config *cfg, const char **why);

#endif /* RUMOR_SWIM_CONFIG_H */
