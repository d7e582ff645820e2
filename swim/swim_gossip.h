/*
 * swim_gossip: what a status message about a member does to our table
 * (the gossip rules), refutation of what is said about us, and the
 * Lifeguard suspicion lifecycle.
 */
#ifndef RUMOR_SWIM_GOSSIP_H
#define RUMOR_SWIM_GOSSIP_H

#include <stdint.h>

struct swim;
struct swim_member;
struct swim_msg;

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

#endif /* RUMOR_SWIM_GOSSIP_H */
