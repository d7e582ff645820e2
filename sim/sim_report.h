/*
 * sim_report: what a run produced, for people and for scripts: the summary
 * table (stdout), JSON, the per-second CSV and an SVG plot.
 */
#ifndef RUMOR_SIM_REPORT_H
#define RUMOR_SIM_REPORT_H

#include <stdio.h>

#include "sim.h"

/** Facts about the run that the simulation itself does not know. */
struct sim_report_info {
	const char *profile;
	uint64_t duration_ms;
	double wall_time_s;
	/** VmRSS growth over the run and the peak (VmHWM), bytes. */
	long long rss_delta_bytes;
	long long rss_peak_bytes;
	/** Members summed over live nodes' tables at the end. */
	uint64_t member_entries;
	/** The swim counters of the nodes running at the end, summed. */
	struct swim_stats swim_sum;
	/** Text of the command line, for the plot's subtitle. */
	const char *command;
};

void
sim_report_summary(FILE *out, const struct sim *sim,
		   const struct sim_report_info *info);

void
sim_report_json(FILE *out, const struct sim *sim,
		const struct sim_report_info *info);

void
sim_report_csv(FILE *out, const struct sim *sim);

void
sim_report_svg(FILE *out, const struct sim *sim,
	       const struct sim_report_info *info);

/** Write "%.3f" of ms as seconds, or "null" when UINT64_MAX. */
void
sim_report_seconds(FILE *out, uint64_t ms);

#endif /* RUMOR_SIM_REPORT_H */
