/*
 * rumor-sim: the simulator's command line. Parses flags into sim_options,
 * reads the scenario, runs the cluster in virtual time and writes the
 * summary (stdout), JSON, trace, CSV and SVG. With --swarm K it runs K
 * randomized cases with seeds S..S+K-1 instead.
 *
 * Exit codes: 0 all checks passed, 1 a check failed (the line
 * "reproduce: rumor-sim ..." says how to get it again), 2 bad usage or a
 * bad scenario ("rumor-sim: FILE:LINE: why"). Wall time and RSS are read
 * here only to report them; the simulation never sees them.
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sim.h"
#include "sim_report.h"
#include "sim_scenario.h"
#include "sim_swarm.h"
#include "swim/swim_duration.h"

#define DEFAULT_NODES 32
/* Above this many slots, exit without freeing (not under sanitizers). */
#define SIM_FAST_EXIT_SLOTS 1000
#if defined(__SANITIZE_ADDRESS__)
#define SIM_FAST_EXIT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_FAST_EXIT 0
#endif
#endif
#ifndef SIM_FAST_EXIT
#define SIM_FAST_EXIT 1
#endif
#define DEFAULT_DURATION_MS 60000
/* Safety checks keep 8 bytes per (observer, subject): on by default up to
 * this many slots. */
#define CHECK_SAFETY_MAX 512

struct args {
	struct sim_options opt;
	const char *profile;
	uint64_t duration_ms;
	const char *scenario;
	const char *json;
	const char *trace;
	const char *csv;
	const char *plot;
	uint64_t swarm;
	bool hash_only;
	bool verbose;
	int check; /* -1 default, 0 off, 1 on */
	bool seed_given;
	/* --alloc-fail's value as given, for the swarm's reproduce line. */
	const char *alloc_fail;
	char command[2048];
};

static void
usage(FILE *out)
{
	fputs(
"usage: rumor-sim [flags]             run one simulated cluster\n"
"       rumor-sim --swarm K [--seed S] [--verbose]\n"
"                                     K random small clusters with random\n"
"                                     faults, checked (seeds S..S+K-1)\n"
"cluster and run:\n"
"  --nodes N            nodes started at the beginning (default 32)\n"
"  --seed N             master seed; the same seed gives the same trace\n"
"  --duration D         virtual time to run (default 60s)\n"
"  --start cold|warm    cold: every node joins through n0 within 1 s\n"
"                       (default); warm: the cluster is already up, each\n"
"                       node knowing all alive\n"
"  --scenario FILE      timed faults: 'at 30s crash 17', 'at 40s partition\n"
"                       0-499 / 500-999', 'at 70s heal', 'at 80s loss 10%',\n"
"                       'delay 5ms..50ms', 'pause 3 for 20s', 'restart N',\n"
"                       'join N', 'leave N', 'partition A -> B' (one-way),\n"
"                       'loss 80% to 5,17' (what those nodes receive),\n"
"                       'loss 80% from 5,17' (what they send)\n"
"  --loss P%  --delay MIN..MAX        the network at the start\n"
"  --no-encrypt         plaintext frames (default: sealed, as the agent)\n"
"  --catalog            every node offers a service (\"svc\"); the CSV gets\n"
"                       the fewest/most healthy services a node sees\n"
"  --tags               every node carries tags zone=z<i%3>, node=n<i>; the\n"
"                       summary, JSON and CSV say how far they spread\n"
"  --check | --no-check safety checks and node invariants after every input\n"
"                       (default: on up to 512 nodes; O(N^2) memory)\n"
"  --alloc-fail P%      every node's allocator refuses requests with\n"
"                       probability P (after its start); the node's\n"
"                       invariants are checked after each input that had\n"
"                       one refused (also with --swarm: until the faults\n"
"                       stop)\n"
"protocol timings (the agent's config; default --profile lan):\n"
"  --profile lan|wan|local  --probe-interval D  --probe-timeout D\n"
"  --gossip-interval D  --suspicion-mult N  --suspicion-max-mult N\n"
"  --retransmit-mult N  --pushpull-interval D  --reconnect-interval D\n"
"  --no-final-check     declare a suspect failed when its suspicion times\n"
"                       out, unchecked (memberlist; for comparison)\n"
"  --no-probe-ring      probe in SWIM's shuffled round robin instead of\n"
"                       coordinated rounds (for comparison)\n"
"outputs (a summary table always goes to stdout):\n"
"  --json FILE  --trace FILE  --csv FILE  --plot FILE.svg  --trace-hash\n",
	      out);
}

static const char *const valued_flags[] = {
	"--nodes", "--seed", "--duration", "--scenario", "--json", "--trace",
	"--csv", "--plot", "--profile", "--probe-interval", "--probe-timeout",
	"--gossip-interval", "--suspicion-mult", "--suspicion-max-mult",
	"--retransmit-mult",
	"--pushpull-interval", "--reconnect-interval", "--loss", "--delay",
	"--swarm", "--start", "--alloc-fail", NULL,
};

static int
bad(const char *flag, const char *value)
{
	bool known = false;
	for (size_t k = 0; valued_flags[k] != NULL; k++)
		known = known || strcmp(valued_flags[k], flag) == 0;
	if (!known)
		fprintf(stderr, "rumor-sim: unknown flag \"%s\" (see "
			"rumor-sim --help)\n", flag);
	else if (value == NULL)
		fprintf(stderr, "rumor-sim: %s needs a value\n", flag);
	else
		fprintf(stderr, "rumor-sim: bad value \"%s\" for %s\n",
			value, flag);
	return -1;
}

static int
parse_uint(const char *s, uint64_t *out)
{
	char *end;
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	*out = strtoull(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/* A duration flag's value; --duration also takes a bare number of
 * seconds (as it always has), through the same grammar. */
static int
parse_duration(const char *flag, const char *v, uint64_t *out_ms)
{
	char secs[32];
	const char *text = v, *why;
	if (strcmp(flag, "--duration") == 0 && strspn(v, "0123456789") ==
	    strlen(v) && snprintf(secs, sizeof(secs), "%ss", v) <
	    (int)sizeof(secs))
		text = secs;
	if (swim_duration_parse(text, out_ms, &why) == 0)
		return 0;
	fprintf(stderr, "rumor-sim: bad value \"%s\" for %s: %s\n", v, flag,
		why);
	return -1;
}

static int
parse_profile(struct args *a, const char *v)
{
	a->profile = v;
	if (strcmp(v, "lan") == 0)
		swim_config_lan(&a->opt.swim);
	else if (strcmp(v, "wan") == 0)
		swim_config_wan(&a->opt.swim);
	else if (strcmp(v, "local") == 0)
		swim_config_local(&a->opt.swim);
	else
		return -1;
	return 0;
}

/* Flags that take a duration; returns the field or NULL. */
static uint64_t *
duration_flag(struct args *a, const char *f)
{
	struct swim_config *c = &a->opt.swim;
	if (strcmp(f, "--duration") == 0)
		return &a->duration_ms;
	if (strcmp(f, "--probe-interval") == 0)
		return &c->probe_interval_ms;
	if (strcmp(f, "--probe-timeout") == 0)
		return &c->probe_timeout_ms;
	if (strcmp(f, "--gossip-interval") == 0)
		return &c->gossip_interval_ms;
	if (strcmp(f, "--pushpull-interval") == 0)
		return &c->pushpull_interval_ms;
	if (strcmp(f, "--reconnect-interval") == 0)
		return &c->reconnect_interval_ms;
	return NULL;
}

/* Flags that take a file name; returns the field or NULL. */
static const char **
file_flag(struct args *a, const char *f)
{
	if (strcmp(f, "--scenario") == 0)
		return &a->scenario;
	if (strcmp(f, "--json") == 0)
		return &a->json;
	if (strcmp(f, "--trace") == 0)
		return &a->trace;
	if (strcmp(f, "--csv") == 0)
		return &a->csv;
	if (strcmp(f, "--plot") == 0)
		return &a->plot;
	return NULL;
}

static int
parse_flag_bool(struct args *a, const char *f)
{
	if (strcmp(f, "--no-encrypt") == 0)
		a->opt.no_encrypt = true;
	else if (strcmp(f, "--no-final-check") == 0)
		a->opt.swim.final_check = false;
	else if (strcmp(f, "--no-probe-ring") == 0)
		a->opt.swim.probe_ring = false;
	else if (strcmp(f, "--catalog") == 0)
		a->opt.catalog = true;
	else if (strcmp(f, "--tags") == 0)
		a->opt.tags = true;
	else if (strcmp(f, "--trace-hash") == 0)
		a->hash_only = true;
	else if (strcmp(f, "--verbose") == 0)
		a->verbose = true;
	else if (strcmp(f, "--check") == 0)
		a->check = 1;
	else if (strcmp(f, "--no-check") == 0)
		a->check = 0;
	else
		return -1;
	return 0;
}

/* One flag with its value v (may be NULL). Returns values consumed
 * (0 or 1), or -1. */
static int
parse_flag(struct args *a, const char *f, const char *v)
{
	uint64_t n, *d;
	const char **file;
	if (parse_flag_bool(a, f) == 0)
		return 0;
	if (v == NULL)
		return bad(f, v);
	if ((d = duration_flag(a, f)) != NULL) {
		if (parse_duration(f, v, d) != 0)
			return -1;
	} else if ((file = file_flag(a, f)) != NULL) {
		*file = v;
	} else if (strcmp(f, "--profile") == 0) {
		if (parse_profile(a, v) != 0)
			return bad(f, v);
	} else if (strcmp(f, "--start") == 0) {
		if (strcmp(v, "warm") != 0 && strcmp(v, "cold") != 0)
			return bad(f, v);
		a->opt.warm = strcmp(v, "warm") == 0;
	} else if (strcmp(f, "--loss") == 0) {
		if (sim_parse_percent(v, &a->opt.loss_ppm) != 0)
			return bad(f, v);
	} else if (strcmp(f, "--alloc-fail") == 0) {
		if (sim_parse_percent(v, &a->opt.alloc_fail_ppm) != 0)
			return bad(f, v);
		a->alloc_fail = v;
	} else if (strcmp(f, "--delay") == 0) {
		if (sim_parse_delay(v, &a->opt.delay_min_ms,
				    &a->opt.delay_max_ms) != 0)
			return bad(f, v);
	} else if (parse_uint(v, &n) != 0) {
		return bad(f, v);
	} else if (strcmp(f, "--nodes") == 0 && n > 0 && n <= 100000) {
		a->opt.node_count = n;
	} else if (strcmp(f, "--seed") == 0) {
		a->opt.seed = n;
		a->seed_given = true;
	} else if (strcmp(f, "--suspicion-mult") == 0 && n <= 32) {
		a->opt.swim.suspicion_mult = (unsigned)n;
	} else if (strcmp(f, "--retransmit-mult") == 0 && n >= 1 && n <= 16) {
		a->opt.swim.retransmit_mult = (unsigned)n;
	} else if (strcmp(f, "--suspicion-max-mult") == 0 && n <= 100) {
		a->opt.swim.suspicion_max_timeout_mult = (unsigned)n;
	} else if (strcmp(f, "--swarm") == 0 && n > 0) {
		a->swarm = n;
	} else {
		return bad(f, v);
	}
	return 1;
}

static void
command_add(struct args *a, const char *word)
{
	size_t len = strlen(a->command);
	snprintf(a->command + len, sizeof(a->command) - len, "%s%s",
		 len ? " " : "", word);
}

static int
parse_args(struct args *a, int argc, char **argv)
{
	*a = (struct args){.profile = "lan",
			   .duration_ms = DEFAULT_DURATION_MS, .check = -1};
	sim_options_default(&a->opt, DEFAULT_NODES, 1);
	command_add(a, "rumor-sim");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		int used = parse_flag(a, argv[i], i + 1 < argc ? argv[i + 1]
							       : NULL);
		if (used < 0)
			return -1;
		command_add(a, argv[i]);
		if (used)
			command_add(a, argv[++i]);
	}
	if (!a->seed_given) {
		command_add(a, "--seed");
		command_add(a, "1");
	}
	const char *why = NULL;
	if (swim_config_check(&a->opt.swim, &why) != 0) {
		fprintf(stderr, "rumor-sim: %s\n", why);
		return -1;
	}
	return 0;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = malloc(SIM_SCENARIO_MAX + 1);
	size_t n = buf ? fread(buf, 1, SIM_SCENARIO_MAX, f) : 0;
	fclose(f);
	if (buf != NULL)
		buf[n] = '\0';
	return buf;
}

static int
scenario_error(const char *path, int line, const char *why)
{
	fprintf(stderr, "rumor-sim: %s:%d: %s\n", path, line, why);
	return -1;
}

/* Parse and validate the scenario; sets the slot count. */
static int
load_scenario(struct args *a, struct sim_scenario *sc)
{
	char *text = read_file(a->scenario);
	if (text == NULL) {
		fprintf(stderr, "rumor-sim: %s: cannot read\n", a->scenario);
		return -1;
	}
	int line = 0;
	char why[256];
	int rc = sim_scenario_parse(sc, text, &line, why, sizeof(why));
	free(text);
	if (rc != 0)
		return scenario_error(a->scenario, line, why);
	size_t n = a->opt.node_count;
	a->opt.node_max = sc->join_slots > n ? sc->join_slots : n;
	for (size_t k = 0; k < sc->count; k++) {
		const struct sim_action *act = &sc->actions[k];
		if (act->verb == SIM_VERB_JOIN && act->node < n) {
			snprintf(why, sizeof(why), "join %u: nodes 0..%zu "
				 "start at the beginning (--nodes %zu)",
				 act->node, n - 1, n);
			return scenario_error(a->scenario, act->line, why);
		}
	}
	if (sc->count > 0 && sc->max_node >= a->opt.node_max) {
		snprintf(why, sizeof(why), "node %u is out of range 0..%zu "
			 "(raise --nodes or add it with join)", sc->max_node,
			 a->opt.node_max - 1);
		return scenario_error(a->scenario, sc->max_node_line, why);
	}
	return 0;
}

/* VmRSS (or VmHWM) of this process in bytes, 0 if unknown. */
static long long
proc_status_bytes(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return 0;
	char line[256];
	long long kb = 0;
	size_t len = strlen(key);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, len) == 0) {
			kb = atoll(line + len + 1);
			break;
		}
	}
	fclose(f);
	return kb * 1024;
}

static double
wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
member_entries(struct sim *sim)
{
	uint64_t total = 0;
	for (uint32_t i = 0; i < sim_node_max(sim); i++) {
		struct node *n = sim_node(sim, i);
		if (n != NULL)
			total += swim_member_count(node_swim(n));
	}
	return total;
}

/* The accuracy counters of the nodes still running, summed. */
static void
swim_sum(struct sim *sim, struct swim_stats *sum)
{
	*sum = (struct swim_stats){0};
	for (uint32_t i = 0; i < sim_node_max(sim); i++) {
		struct node *n = sim_node(sim, i);
		if (n == NULL)
			continue;
		struct swim_stats st;
		swim_stats(node_swim(n), &st);
		sum->suspicions += st.suspicions;
		sum->refutations += st.refutations;
		sum->verifications += st.verifications;
		sum->verified_alive += st.verified_alive;
		sum->corrections += st.corrections;
		sum->probes_failed += st.probes_failed;
	}
}

typedef void (*write_cb)(FILE *out, const struct sim *sim,
			 const struct sim_report_info *info);

static int
write_output(const char *path, const struct sim *sim,
	     const struct sim_report_info *info, write_cb cb)
{
	if (path == NULL)
		return 0;
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		fprintf(stderr, "rumor-sim: %s: cannot write\n", path);
		return -1;
	}
	cb(f, sim, info);
	return fclose(f) == 0 ? 0 : -1;
}

static void
csv_cb(FILE *out, const struct sim *sim, const struct sim_report_info *info)
{
	(void)info;
	sim_report_csv(out, sim);
}

static int
write_outputs(const struct args *a, const struct sim *sim,
	      const struct sim_report_info *info)
{
	int rc = write_output(a->json, sim, info, sim_report_json);
	rc |= write_output(a->csv, sim, info, csv_cb);
	rc |= write_output(a->plot, sim, info, sim_report_svg);
	return rc;
}

static void
finish_info(struct args *a, struct sim *sim, struct sim_report_info *info,
	    long long rss0, double w0)
{
	info->wall_time_s = wall_s() - w0;
	info->rss_delta_bytes = proc_status_bytes("VmRSS:") - rss0;
	info->rss_peak_bytes = proc_status_bytes("VmHWM:");
	info->member_entries = member_entries(sim);
	swim_sum(sim, &info->swim_sum);
	info->duration_ms = a->duration_ms;
	info->profile = a->profile;
	info->command = a->command;
}

static int
run_one(struct args *a)
{
	struct sim_scenario sc = {0};
	if (a->scenario != NULL && load_scenario(a, &sc) != 0) {
		sim_scenario_destroy(&sc);
		return 2;
	}
	size_t slots = a->opt.node_max > a->opt.node_count
		     ? a->opt.node_max : a->opt.node_count;
	a->opt.check_safety = a->check < 0 ? slots <= CHECK_SAFETY_MAX
					   : a->check == 1;
	FILE *trace = a->trace ? fopen(a->trace, "w") : NULL;
	if (a->trace != NULL && trace == NULL) {
		fprintf(stderr, "rumor-sim: %s: cannot write\n", a->trace);
		sim_scenario_destroy(&sc);
		return 2;
	}
	a->opt.trace = trace;
	long long rss0 = proc_status_bytes("VmRSS:");
	double w0 = wall_s();
	struct sim *sim = sim_new(&a->opt);
	if (sim == NULL || sim_schedule(sim, sc.actions, sc.count) != 0) {
		fprintf(stderr, "rumor-sim: cannot set up the simulation "
			"(out of memory?)\n");
		sim_delete(sim);
		sim_scenario_destroy(&sc);
		return 2;
	}
	sim_run_until(sim, a->duration_ms);
	struct sim_report_info info = {0};
	finish_info(a, sim, &info, rss0, w0);
	if (trace != NULL)
		fclose(trace);
	const struct sim_results *res = sim_results(sim);
	if (a->hash_only)
		printf("trace-hash %016" PRIx64 "\n", res->trace_hash);
	else
		sim_report_summary(stdout, sim, &info);
	int rc = write_outputs(a, sim, &info) != 0 ? 2 : 0;
	if (res->violated) {
		fprintf(stderr, "rumor-sim: check failed at %.3fs: %s\n"
			"reproduce: %s\n", res->violation_ms / 1000.0,
			res->violation, a->command);
		rc = 1;
	}
	/* Freeing N^2 member records one by one takes seconds at 10,000
	 * nodes (10^8 of them); the kernel takes the whole heap back at
	 * exit at once. Sanitizer builds free everything, so leaks show. */
	if (!SIM_FAST_EXIT || sim_node_max(sim) <= SIM_FAST_EXIT_SLOTS)
		sim_delete(sim);
	sim_scenario_destroy(&sc);
	return rc;
}

static int
run_swarm(const struct args *a)
{
	uint64_t failed = 0, refused = 0, refused_inputs = 0, unconverged = 0;
	double w0 = wall_s();
	for (uint64_t k = 0; k < a->swarm; k++) {
		uint64_t seed = a->opt.seed + k;
		struct sim_swarm_result r;
		if (a->verbose)
			printf("seed %" PRIu64 ":\n", seed);
		int rc = sim_swarm_run(seed, a->opt.alloc_fail_ppm,
				       a->verbose ? stdout : NULL, &r);
		if (rc < 0) {
			fprintf(stderr, "rumor-sim: out of memory\n");
			return 2;
		}
		if (rc == 0) {
			printf("seed %" PRIu64 ": ok, %zu nodes, faults stop "
			       "%.1fs, ", seed, r.nodes,
			       r.faults_end_ms / 1000.0);
			if (r.converged_ms == UINT64_MAX)
				fputs("not converged", stdout);
			else
				printf("converged %.1fs",
				       r.converged_ms / 1000.0);
			printf(" (bound %.1fs), trace %016" PRIx64,
			       (r.faults_end_ms + r.bound_ms) / 1000.0,
			       r.trace_hash);
			unconverged += r.converged_ms == UINT64_MAX;
			if (a->opt.alloc_fail_ppm > 0)
				printf(", %" PRIu64 " allocations refused",
				       r.allocs_refused);
			putchar('\n');
			refused += r.allocs_refused;
			refused_inputs += r.refused_inputs;
			continue;
		}
		failed++;
		printf("seed %" PRIu64 ": FAILED: %s\n", seed, r.why);
		printf("reproduce: rumor-sim --swarm 1 --seed %" PRIu64 "%s%s"
		       " --verbose\n", seed,
		       a->opt.alloc_fail_ppm ? " --alloc-fail " : "",
		       a->opt.alloc_fail_ppm ? a->alloc_fail : "");
	}
	printf("swarm: %" PRIu64 " runs, %" PRIu64 " failed, %.1f s wall",
	       a->swarm, failed, wall_s() - w0);
	if (a->opt.alloc_fail_ppm > 0)
		printf(", %" PRIu64 " allocations refused in the runs that "
		       "passed, %" PRIu64 " inputs checked after one, %" PRIu64
		       " not converged (not required)", refused,
		       refused_inputs, unconverged);
	putchar('\n');
	return failed ? 1 : 0;
}

int
main(int argc, char **argv)
{
	/* Push-pull states of thousands of members are buffers of hundreds
	 * of KiB, allocated and freed thousands of times a virtual minute.
	 * Past glibc's mmap threshold each is a fresh mapping the kernel
	 * zeroes page by page (a third of a 5,000-node run); keep them in
	 * the heap and the heap from shrinking instead. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	struct args a;
	if (parse_args(&a, argc, argv) != 0)
		return 2;
	if (sodium_init() < 0) {
		fprintf(stderr, "rumor-sim: sodium_init failed\n");
		return 2;
	}
	if (a.swarm > 0)
		return run_swarm(&a);
	return run_one(&a);
}
