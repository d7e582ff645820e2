/*
 * swim_gossip: what a status message about a member does to our table
 * (the gossip rules), refutation of what is said about us, and the
 * Lifeguard suspicion lifecycle.
 */
#ifndef RUMOR_SWIM_GOSSIP_H
#define RUMOR_SWIM_GOSSIP_H

#include <stdint.h>

struct swim;
struct swim_addr;
struct swim_member;
struct swim_msg;
struct swim_packet;

/** Apply one status message (from a datagram or a push-pull state);
 *  other message types are ignored. */
void
swim__apply_status(struct swim *swim, uint64_t now_ms,
		   const struct swim_msg *msg);
/** Suspect a member on our own authority (a failed probe). */
void
swim__suspect(struct swim *swim, struct swim_member *m, uint64_t now_ms);
/** m's suspicion deadline passed (its timer is already disarmed). */
void
swim__suspicion_expired(struct swim *swim, struct swim_member *m,
			uint64_t now_ms);

/**
 * Contact resumed with a member we held failed (a partition may have
 * healed): bring a push-pull forward and, with the final check, remember
 * when (a check straddling it runs again) and announce our pending
 * suspicions again (at most once a reconnect interval).
 */
void
swim__contact_resumed(struct swim *swim, uint64_t now_ms);
/**
 * After msg (a status message that came from `from` in a datagram) was
 * applied: if it is a verdict older than what we hold, answer the sender
 * with what we hold (always about ourselves; about others with the final
 * check, at most SWIM_CORRECTIONS_PER_S a second).
 */
void
swim__correct_stale(struct swim *swim, uint64_t now_ms,
		    const struct swim_addr *from,
		    const struct swim_packet *pkt, const struct swim_msg *msg);
/** A datagram from pkt's sender at `from` was applied: if we hold the
 *  sender suspect or failed, contact has resumed (see swim_gossip.c). */
void
swim__sender_contact(struct swim *swim, uint64_t now_ms,
		     const struct swim_addr *from,
		     const struct swim_packet *pkt);

#endif /* RUMOR_SWIM_GOSSIP_H */
