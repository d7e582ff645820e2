/*
 * swim_broadcast: infection-style dissemination: the queue of updates to
 * piggyback, each sent a bounded number of times, and the message an
 * update about a member carries.
 */
#ifndef RUMOR_SWIM_BROADCAST_H
#define RUMOR_SWIM_BROADCAST_H

struct swim;
struct swim_encoder;
struct swim_member;
struct swim_msg;

void
swim__bcast_init(struct swim *swim);
/** Queue (or requeue, as new) the update about m. */
void
swim__bcast_queue(struct swim *swim, struct swim_member *m);
/** Forget the queued update about m, if any. */
void
swim__bcast_drop(struct swim *swim, struct swim_member *m);
/** Add as many queued updates as fit, fewest-sent first. */
void
swim__bcast_fill(struct swim *swim, struct swim_encoder *enc);
/** The status message about m as we hold it (what gossip, states and
 *  piggybacked verdicts say). Points into m and its extras. */
void
swim__bcast_msg(const struct swim *swim, const struct swim_member *m,
		struct swim_msg *msg);

#endif /* RUMOR_SWIM_BROADCAST_H */
