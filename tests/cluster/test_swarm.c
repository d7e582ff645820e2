/*
 * The swarm in CI: random small clusters under random faults (see
 * sim/sim_swarm.h), safety checked after every input, liveness once the
 * faults stop. Replays every seed in tests/seeds.txt (seeds that once
 * failed, some with allocations refused), then a fresh range, and checks
 * that a seed gives the same trace twice. A failure prints the command
 * that reproduces it. (rumor-sim --swarm 100 --alloc-fail 2%, a ctest of
 * its own, runs fresh seeds with allocations refused.)
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "sim/sim_scenario.h"
#include "sim/sim_swarm.h"
#include "test.h"

/* Fresh seeds per CI run: about 10 ms each in a plain build. */
#define SWARM_FIRST 100001
#define SWARM_COUNT 300

static int
swarm_one(uint64_t seed, uint32_t alloc_fail_ppm)
{
	struct sim_swarm_result r;
	int rc = sim_swarm_run(seed, alloc_fail_ppm, NULL, &r);
	if (rc != 0) {
		char refused[48] = "";
		if (alloc_fail_ppm > 0)
			snprintf(refused, sizeof(refused), " --alloc-fail %g%%",
				 alloc_fail_ppm / 10000.0);
		printf("  seed %" PRIu64 ": %s\n  reproduce: rumor-sim "
		       "--swarm 1 --seed %" PRIu64 "%s --verbose\n", seed,
		       rc < 0 ? "out of memory" : r.why, seed, refused);
	}
	return rc;
}

/* A kept seed: the seed, and the allocations refused with it. */
struct kept {
	uint64_t seed;
	uint32_t alloc_fail_ppm;
};

/* The seeds of tests/seeds.txt ("SEED [P%]", '#' comments); -1 if the
 * file is unreadable or a line is not that. */
static int
read_seeds(struct kept *seeds, size_t cap, size_t *count)
{
	FILE *f = fopen(RUMOR_TESTS_DIR "/seeds.txt", "r");
	if (f == NULL)
		return -1;
	char line[512];
	int rc = 0;
	*count = 0;
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL &&
	       *count < cap) {
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		char seed[32], pct[32], extra[2];
		int n = sscanf(line, "%31s %31s %1s", seed, pct, extra);
		if (n <= 0)
			continue;
		char *end;
		struct kept k = {.seed = strtoull(seed, &end, 10)};
		if (*end != '\0' || n > 2 ||
		    (n == 2 && sim_parse_percent(pct, &k.alloc_fail_ppm) != 0))
			rc = -1;
		else
			seeds[(*count)++] = k;
	}
	fclose(f);
	return rc;
}

static void
test_every_seed_that_ever_failed_passes(void)
{
	struct kept seeds[1024];
	size_t count;
	ASSERT_OK(read_seeds(seeds, 1024, &count));
	ASSERT(count > 0);
	size_t failed = 0;
	for (size_t k = 0; k < count; k++) {
		failed += swarm_one(seeds[k].seed,
				    seeds[k].alloc_fail_ppm) != 0;
	}
	printf("  %zu kept seeds replayed, %zu failed\n", count, failed);
	ASSERT_EQ(failed, 0);
}

static void
test_a_fresh_swarm_keeps_safety_and_liveness(void)
{
	size_t failed = 0;
	for (uint64_t s = SWARM_FIRST; s < SWARM_FIRST + SWARM_COUNT; s++)
		failed += swarm_one(s, 0) != 0;
	printf("  seeds %d..%d: %zu failed\n", SWARM_FIRST,
	       SWARM_FIRST + SWARM_COUNT - 1, failed);
	ASSERT_EQ(failed, 0);
}

static void
test_a_swarm_case_gives_the_same_trace_twice(void)
{
	struct sim_swarm_result a, b, c;
	ASSERT_OK(sim_swarm_run(SWARM_FIRST + 7, 0, NULL, &a));
	ASSERT_OK(sim_swarm_run(SWARM_FIRST + 7, 0, NULL, &b));
	ASSERT_OK(sim_swarm_run(SWARM_FIRST + 8, 0, NULL, &c));
	ASSERT_EQ(a.trace_hash, b.trace_hash);
	ASSERT_EQ(a.events, b.events);
	ASSERT_NE(a.trace_hash, c.trace_hash);
}

int
main(void)
{
	if (cluster_init() != 0)
		return 1;
	RUN(test_every_seed_that_ever_failed_passes);
	RUN(test_a_fresh_swarm_keeps_safety_and_liveness);
	RUN(test_a_swarm_case_gives_the_same_trace_twice);
	return TEST_SUMMARY();
}
