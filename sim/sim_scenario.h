/*
 * sim_scenario: scenario files. One action per line, `#` starts a comment
 * line, times are virtual and count from the start of the run:
 *
 *	at 30s crash 17
 *	at 40s partition 0-499 / 500-999	symmetric; groups of ranges
 *	at 45s partition 0-9,12 -> 20-29	one-way: left's packets dropped
 *	at 70s heal				removes every partition
 *	at 80s loss 10%
 *	at 90s delay 1ms..20ms			uniform per packet
 *	at 105s restart 17			new generation
 *	at 110s pause 3 for 20s
 *	at 115s join 1000			start a never-started slot
 *	at 118s leave 5
 *
 * Times and durations are swim_duration's grammar (ms, s, m or h, with an
 * optional fraction: "1.5s"). Node indexes must be below the slot count
 * (see sim.h).
 */
#ifndef RUMOR_SIM_SCENARIO_H
#define RUMOR_SIM_SCENARIO_H

#include "sim.h"

/** Longest scenario file we read. */
#define SIM_SCENARIO_MAX (1024 * 1024)

struct sim_scenario {
	struct sim_action *actions;
	size_t count;
	size_t cap;
	/** Highest node index named, and by which line. */
	uint32_t max_node;
	int max_node_line;
	/** Highest `join` index + 1 (slots the scenario needs). */
	size_t join_slots;
};

/**
 * Parse text (NUL-terminated) into sc (zeroed by the caller). Returns 0,
 * or -1 with *line and why (a sentence, e.g. `unknown verb "crsh"`).
 */
int
sim_scenario_parse(struct sim_scenario *sc, const char *text, int *line,
		   char *why, size_t why_size);

/** Append a copy of a (its ranges are taken over). 0 or -1. */
int
sim_scenario_add(struct sim_scenario *sc, const struct sim_action *a);

void
sim_scenario_destroy(struct sim_scenario *sc);

/** Parse a percentage like "10%" or "0.5%" into parts per million. */
int
sim_parse_percent(const char *text, uint32_t *out_ppm);

/** Parse "MIN..MAX" durations (swim_duration). */
int
sim_parse_delay(const char *text, uint64_t *min_ms, uint64_t *max_ms);

#endif /* RUMOR_SIM_SCENARIO_H */
