/*
 * sim_announce: what a simulated node announces besides its membership,
 * as an agent would: with opt.catalog one service ("svc", id "s<i>"),
 * with opt.tags the tags node i carries (zone=z<i mod 3>, node=n<i>),
 * and the per-second measure of how far both have spread (the samples'
 * services_min/max and tags_min/max).
 */
#ifndef RUMOR_SIM_ANNOUNCE_H
#define RUMOR_SIM_ANNOUNCE_H

#include "sim_internal.h"

/** Node i (just started) announces what the options say. 0, or -1 with
 *  *why saying what the node refused. */
int
sim_announce(struct sim *sim, uint32_t i, const char **why);

/** Fill smp's services_* (opt.catalog: healthy "svc" instances a live
 *  node sees) and tags_* (opt.tags: live members whose tags a live node
 *  holds as they are; O(N^2) decodes, so for runs of hundreds of
 *  nodes). */
void
sim_announce_sample(struct sim *sim, struct sim_sample *smp);

#endif /* RUMOR_SIM_ANNOUNCE_H */
