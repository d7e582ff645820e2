/*
 * What rumor adds to SWIM and Lifeguard so that no live member is declared
 * failed (swim_verify.c, swim_gossip.c, docs/protocol.md "Accuracy"),
 * driven by hand on the test network of swim_net.h.
 */
#include "swim_net.h"

/* With the final check, someone else's failed(i) is not taken on their
 * word: we suspect the member and check it ourselves at once. */
static void
test_failed_verdict_is_checked_before_it_is_taken(void)
{
	struct net net;
	net_init(&net, 3);
	net_join_all(&net);
	net_run(&net, 3000);
	/* n1 is up: n0 only suspects it, checks it, it answers, and n0
	 * keeps it. */
	struct swim_msg m = status_msg(SWIM_MSG_FAILED, "n1",
				       incarnation_of(&net, 0, 1), "n2");
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_SUSPECT);
	net_run(&net, 2000);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_ALIVE);
	/* n1 is down: the check goes unanswered and n0 agrees, within one
	 * probe interval. */
	net.down[1] = true;
	m = status_msg(SWIM_MSG_FAILED, "n1", incarnation_of(&net, 0, 1),
		       "n2");
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_SUSPECT);
	net_run(&net, 2500);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_FAILED);
	struct swim_stats st;
	swim_stats(net.n[0], &st);
	ASSERT(st.verifications >= 1);
	net_free(&net);
}

/* A verdict older than the alive we hold about a third member is answered
 * with that alive, so the sender is corrected without the subject. */
static void
test_stale_verdict_about_another_is_corrected(void)
{
	struct net net;
	net_init(&net, 3);
	net_join_all(&net);
	net_run(&net, 3000);
	/* n1 refutes to incarnation 1 everywhere. */
	struct swim_msg m = status_msg(SWIM_MSG_SUSPECT, "n1", 0, "n2");
	inject(&net, 1, "n2", &m);
	net_run(&net, 3000);
	ASSERT_EQ(incarnation_of(&net, 0, 1), 1);
	/* n2 speaks of n1's old life to n0: n0 answers n2. */
	struct swim_stats before, after;
	swim_stats(net.n[0], &before);
	m = status_msg(SWIM_MSG_SUSPECT, "n1", 0, "n2");
	inject(&net, 0, "n2", &m);
	swim_stats(net.n[0], &after);
	ASSERT_EQ(after.corrections, before.corrections + 1);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_ALIVE);
	net_free(&net);
}

int
main(void)
{
	RUN(test_failed_verdict_is_checked_before_it_is_taken);
	RUN(test_stale_verdict_about_another_is_corrected);
	return TEST_SUMMARY();
}
