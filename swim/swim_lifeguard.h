/*
 * swim_lifeguard: the pure formulas of SWIM dissemination and Lifeguard
 * (Dadgar et al., arXiv 1707.00788), as memberlist computes them. Pure
 * functions of their arguments, table-tested in tests/unit. Integer
 * arithmetic only (see swim_lifeguard.c): the same arguments give the same
 * milliseconds on every platform.
 */
#ifndef RUMOR_SWIM_LIFEGUARD_H
#define RUMOR_SWIM_LIFEGUARD_H

#include <stddef.h>
#include <stdint.h>

/** Times an update is piggybacked: mult * ceil(log10(n + 1))
 *  (memberlist util.go retransmitLimit). */
unsigned
swim_retransmit_limit(unsigned mult, size_t n);

/** Lifeguard suspicion minimum: mult * max(1, log10 n) * interval
 *  (memberlist suspicionTimeout). */
uint64_t
swim_suspicion_min_ms(unsigned mult, size_t n, uint64_t probe_interval_ms);

/** Lifeguard suspicion maximum: the minimum times max_timeout_mult
 *  (memberlist suspicionMaxTimeoutMult). */
uint64_t
swim_suspicion_max_ms(unsigned mult, unsigned max_timeout_mult, size_t n,
		      uint64_t probe_interval_ms);

/** Independent confirmations that bring the timeout down to the minimum:
 *  mult - 2, or 0 when the cluster is too small to supply them
 *  (memberlist suspectNode: n - 2 < k). */
unsigned
swim_suspicion_k(unsigned mult, size_t n);

/**
 * Lifeguard dynamic suspicion timeout after `confirmations` independent
 * confirmations: max(min, max - (max - min) * log(C + 1) / log(K + 1)),
 * and min when k is 0 (memberlist suspicion.go remainingSuspicionTime).
 */
uint64_t
swim_suspicion_timeout_ms(uint64_t min_ms, uint64_t max_ms, unsigned k,
			  unsigned confirmations);

/** Local health multiplier: apply delta to score, saturating in
 *  [0, max - 1] (memberlist awareness.go ApplyDelta). */
unsigned
swim_awareness_apply(unsigned score, int delta, unsigned max);

/** Scale a timeout by the local health: timeout * (score + 1)
 *  (memberlist awareness.go ScaleTimeout). */
uint64_t
swim_awareness_scale(unsigned score, uint64_t timeout_ms);

/** Push-pull interval scaled above 32 members: interval *
 *  (ceil(log2 n - log2 32) + 1) (memberlist util.go pushPullScale). */
uint64_t
swim_pushpull_scale(uint64_t interval_ms, size_t n);

#endif /* RUMOR_SWIM_LIFEGUARD_H */
