/*
 * sim_report: summary, JSON and CSV. Everything here reads sim_results and
 * writes text; the SVG plot lives in sim_plot.c.
 *
 * Per-node rates divide by the mean number of live nodes over the samples
 * and by the virtual duration. Memory per node is the VmRSS growth of the
 * process over the run divided by the slot count; bytes per (node, member)
 * divides the same growth, less the simulator's one-byte view matrix, by
 * the member entries all live tables hold at the end.
 */
#include <inttypes.h>

#include "sim_report.h"

#define FP_LIST_MAX 1000

void
sim_report_seconds(FILE *out, uint64_t ms)
{
	if (ms == UINT64_MAX)
		fputs("null", out);
	else
		fprintf(out, "%.3f", (double)ms / 1000.0);
}

static double
mean_live(const struct sim_results *res)
{
	double sum = 0;
	for (size_t k = 0; k < res->sample_count; k++)
		sum += res->samples[k].live;
	return res->sample_count ? sum / (double)res->sample_count : 0;
}

static double
per_node_per_s(const struct sim_results *res, uint64_t v,
	       uint64_t duration_ms)
{
	double live = mean_live(res);
	if (live <= 0 || duration_ms == 0)
		return 0;
	return (double)v / live / ((double)duration_ms / 1000.0);
}

static double
bytes_per_member(const struct sim *sim, const struct sim_report_info *info)
{
	double n = (double)sim_node_max(sim);
	if (info->member_entries == 0)
		return 0;
	return ((double)info->rss_delta_bytes - n * n) /
	       (double)info->member_entries;
}

static void
summary_failures(FILE *out, const struct sim_results *res)
{
	for (size_t k = 0; k < res->failure_count; k++) {
		const struct sim_failure *f = &res->failures[k];
		fprintf(out, "crash n%-6u at %8.3f s    first detect ", f->node,
			(double)f->crashed_ms / 1000.0);
		sim_report_seconds(out, f->first_detect_ms);
		fputs(" s, all detect ", out);
		sim_report_seconds(out, f->all_detect_ms);
		fputs(" s\n", out);
	}
	for (size_t k = 0; k < res->heal_count; k++) {
		fprintf(out, "heal at %8.3f s               converged at ",
			(double)res->heals[k].healed_ms / 1000.0);
		sim_report_seconds(out, res->heals[k].converged_ms);
		fputs(" s\n", out);
	}
}

/* opt.tags: from when on every live node held every live member's tags
 * (the first sample of the run's last such stretch), or UINT64_MAX. */
static uint64_t
tags_everywhere_ms(const struct sim_results *res)
{
	uint64_t since = UINT64_MAX;
	for (size_t k = 0; k < res->sample_count; k++) {
		const struct sim_sample *s = &res->samples[k];
		if (s->live > 0 && s->tags_min == s->live) {
			if (since == UINT64_MAX)
				since = s->t_ms;
		} else {
			since = UINT64_MAX;
		}
	}
	return since;
}

void
sim_report_summary(FILE *out, const struct sim *sim,
		   const struct sim_report_info *info)
{
	const struct sim_results *res = sim_results(sim);
	const struct sim_options *opt = sim_options(sim);
	double dur = (double)info->duration_ms / 1000.0;
	fprintf(out, "rumor-sim: seed %" PRIu64 ", %zu nodes (%zu slots), "
		"%.1f s virtual, profile %s, %s, %s start\n", opt->seed,
		opt->node_count, sim_node_max(sim), dur, info->profile,
		opt->no_encrypt ? "plaintext" : "encrypted",
		opt->warm ? "warm" : "cold");
	if (opt->warm) {
		fputs("converged at start (warm)\n", out);
	} else {
		fputs("converged after join         ", out);
		sim_report_seconds(out, res->converged_ms);
		fputs(" s\n", out);
	}
	summary_failures(out, res);
	if (opt->tags && res->sample_count > 0) {
		const struct sim_sample *s = &res->samples[res->sample_count - 1];
		fputs("tags everywhere from         ", out);
		sim_report_seconds(out, tags_everywhere_ms(res));
		fprintf(out, " s (at the end a live node holds %u-%u of %u "
			"members' tags)\n", s->tags_min, s->tags_max, s->live);
	}
	fprintf(out, "false positives              %zu (%zu within a "
		"suspicion timeout of a fault, %zu straddling a heal)\n",
		res->fp_count, res->fp_recent_count, res->fp_straddle_count);
	if (res->flaky_verdicts != 0)
		fprintf(out, "verdicts on flaky nodes      %" PRIu64 "\n",
			res->flaky_verdicts);
	fprintf(out, "view flaps                   %" PRIu64 "\n",
		res->flap_count);
	fprintf(out, "messages per node per s      %.2f\n",
		per_node_per_s(res, res->datagrams, info->duration_ms));
	fprintf(out, "bytes per node per s         %.0f\n",
		per_node_per_s(res, res->datagram_bytes, info->duration_ms));
	fprintf(out, "max datagram                 %" PRIu64 " B\n",
		res->max_datagram);
	fprintf(out, "push-pull streams            %" PRIu64 " (%" PRIu64
		" B)\n", res->streams, res->stream_bytes);
	fprintf(out, "events                       %" PRIu64 " (%.0f ns "
		"each)\n", res->events, res->events ?
		info->wall_time_s * 1e9 / (double)res->events : 0.0);
	fprintf(out, "wall time                    %.3f s\n",
		info->wall_time_s);
	fprintf(out, "memory per node              %.0f B (RSS delta / "
		"slots), %.1f B per (node, member)\n",
		(double)info->rss_delta_bytes / (double)sim_node_max(sim),
		bytes_per_member(sim, info));
	if (opt->alloc_fail_ppm > 0)
		fprintf(out, "allocations refused          %" PRIu64
			" (%.4g%%), %" PRIu64 " inputs checked after one\n",
			res->allocs_refused, opt->alloc_fail_ppm / 10000.0,
			res->refused_inputs);
	fprintf(out, "trace hash                   %016" PRIx64 " (%" PRIu64
		" lines)\n", res->trace_hash, res->trace_lines);
	if (res->violated)
		fprintf(out, "VIOLATION at %.3f s: %s\n",
			(double)res->violation_ms / 1000.0, res->violation);
}

static void
json_failures(FILE *out, const struct sim_results *res)
{
	fputs("  \"failures\": [", out);
	for (size_t k = 0; k < res->failure_count; k++) {
		const struct sim_failure *f = &res->failures[k];
		fprintf(out, "%s\n    {\"node\": \"n%u\", \"generation\": %u, "
			"\"crashed_at_s\": ", k ? "," : "", f->node,
			f->generation);
		sim_report_seconds(out, f->crashed_ms);
		fputs(", \"first_detect_s\": ", out);
		sim_report_seconds(out, f->first_detect_ms);
		fputs(", \"all_detect_s\": ", out);
		sim_report_seconds(out, f->all_detect_ms);
		fputs("}", out);
	}
	fputs("],\n  \"heals\": [", out);
	for (size_t k = 0; k < res->heal_count; k++) {
		fprintf(out, "%s\n    {\"healed_at_s\": ", k ? "," : "");
		sim_report_seconds(out, res->heals[k].healed_ms);
		fputs(", \"converged_at_s\": ", out);
		sim_report_seconds(out, res->heals[k].converged_ms);
		fputs("}", out);
	}
	fputs("],\n", out);
}

static void
json_fps(FILE *out, const struct sim_results *res, size_t node_max)
{
	fprintf(out, "  \"false_positives\": %zu,\n"
		"  \"false_positives_after_fault\": %zu,\n"
		"  \"false_positives_straddling_heal\": %zu,\n"
		"  \"false_positive_list\": [", res->fp_count,
		res->fp_recent_count, res->fp_straddle_count);
	for (size_t k = 0; k < res->fp_count && k < FP_LIST_MAX; k++) {
		const struct sim_fp *fp = &res->fps[k];
		fprintf(out, "%s\n    {\"t_s\": %.3f, \"observer\": \"n%u\", "
			"\"subject\": \"n%u\", \"recent_fault\": %s}",
			k ? "," : "", (double)fp->t_ms / 1000.0, fp->observer,
			fp->subject, fp->recent_fault ? "true" : "false");
	}
	fputs("],\n", out);
	fprintf(out, "  \"flaky_verdicts\": %" PRIu64 ",\n"
		"  \"view_flaps\": %" PRIu64 ",\n  \"view_flaps_by_node\": {",
		res->flaky_verdicts, res->flap_count);
	bool first = true;
	for (size_t i = 0; i < node_max; i++) {
		if (res->flaps[i] == 0)
			continue;
		fprintf(out, "%s\"n%zu\": %" PRIu32, first ? "" : ", ", i,
			res->flaps[i]);
		first = false;
	}
	fputs("},\n", out);
}

static void
json_config(FILE *out, const struct swim_config *c)
{
	fprintf(out, "  \"config\": {\"probe_interval_ms\": %" PRIu64
		", \"probe_timeout_ms\": %" PRIu64 ", \"gossip_interval_ms\": "
		"%" PRIu64 ", \"suspicion_mult\": %u, \"pushpull_interval_ms\""
		": %" PRIu64 ", \"reconnect_interval_ms\": %" PRIu64 "},\n",
		c->probe_interval_ms, c->probe_timeout_ms,
		c->gossip_interval_ms, c->suspicion_mult,
		c->pushpull_interval_ms, c->reconnect_interval_ms);
}

static void
json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
	fputc('"', out);
}

void
sim_report_json(FILE *out, const struct sim *sim,
		const struct sim_report_info *info)
{
	const struct sim_results *res = sim_results(sim);
	const struct sim_options *opt = sim_options(sim);
	fprintf(out, "{\n  \"seed\": %" PRIu64 ",\n  \"nodes\": %zu,\n"
		"  \"node_slots\": %zu,\n  \"duration_s\": %.3f,\n"
		"  \"profile\": \"%s\",\n  \"encrypted\": %s,\n"
		"  \"start\": \"%s\",\n", opt->seed,
		opt->node_count, sim_node_max(sim),
		(double)info->duration_ms / 1000.0, info->profile,
		opt->no_encrypt ? "false" : "true",
		opt->warm ? "warm" : "cold");
	json_config(out, &opt->swim);
	fputs("  \"converged_at_s\": ", out);
	sim_report_seconds(out, res->converged_ms);
	fputs(",\n", out);
	json_failures(out, res);
	json_fps(out, res, sim_node_max(sim));
	fprintf(out, "  \"messages_per_node_per_s\": %.3f,\n"
		"  \"bytes_per_node_per_s\": %.1f,\n"
		"  \"max_datagram_bytes\": %" PRIu64 ",\n"
		"  \"datagrams\": %" PRIu64 ",\n  \"datagrams_dropped\": %"
		PRIu64 ",\n  \"streams\": %" PRIu64 ",\n  \"stream_bytes\": %"
		PRIu64 ",\n", per_node_per_s(res, res->datagrams,
					    info->duration_ms),
		per_node_per_s(res, res->datagram_bytes, info->duration_ms),
		res->max_datagram, res->datagrams, res->datagrams_dropped,
		res->streams, res->stream_bytes);
	fprintf(out, "  \"events\": %" PRIu64 ",\n  \"ns_per_event\": %.1f,\n"
		"  \"wall_time_s\": %.3f,\n  \"rss_delta_bytes\": %lld,\n"
		"  \"rss_peak_bytes\": %lld,\n  \"memory_per_node_bytes\": "
		"%.0f,\n  \"member_entries\": %" PRIu64 ",\n"
		"  \"bytes_per_node_member\": %.1f,\n", res->events,
		res->events ? info->wall_time_s * 1e9 / (double)res->events
			    : 0.0, info->wall_time_s, info->rss_delta_bytes,
		info->rss_peak_bytes,
		(double)info->rss_delta_bytes / (double)sim_node_max(sim),
		info->member_entries, bytes_per_member(sim, info));
	const struct swim_stats *ss = &info->swim_sum;
	fprintf(out, "  \"nodes_at_end\": {\"probes_failed\": %" PRIu64
		", \"suspicions\": %" PRIu64 ", \"refutations\": %" PRIu64
		", \"final_checks\": %" PRIu64 ", \"final_checks_answered\": %"
		PRIu64 ", \"corrections\": %" PRIu64 "},\n",
		ss->probes_failed, ss->suspicions, ss->refutations,
		ss->verifications, ss->verified_alive, ss->corrections);
	if (opt->alloc_fail_ppm > 0)
		fprintf(out, "  \"alloc_fail_pct\": %.4g,\n"
			"  \"allocations_refused\": %" PRIu64 ",\n"
			"  \"refused_inputs\": %" PRIu64 ",\n",
			opt->alloc_fail_ppm / 10000.0, res->allocs_refused,
			res->refused_inputs);
	if (opt->tags) {
		fputs("  \"tags_everywhere_s\": ", out);
		sim_report_seconds(out, tags_everywhere_ms(res));
		fputs(",\n", out);
	}
	fprintf(out, "  \"trace_hash\": \"%016" PRIx64 "\",\n"
		"  \"trace_lines\": %" PRIu64 ",\n  \"violation\": ",
		res->trace_hash, res->trace_lines);
	if (res->violated) {
		json_str(out, res->violation);
		fputs("\n}\n", out);
	} else
		fputs("null\n}\n", out);
}

void
sim_report_csv(FILE *out, const struct sim *sim)
{
	const struct sim_results *res = sim_results(sim);
	bool catalog = sim_options(sim)->catalog;
	bool tags = sim_options(sim)->tags;
	fputs("t_s,live,alive_min,alive_median,alive_max,suspects,failed,"
	      "messages,bytes", out);
	fputs(catalog ? ",services_min,services_max" : "", out);
	fputs(tags ? ",tags_min,tags_max\n" : "\n", out);
	for (size_t k = 0; k < res->sample_count; k++) {
		const struct sim_sample *s = &res->samples[k];
		fprintf(out, "%.0f,%u,%u,%u,%u,%u,%u,%" PRIu64 ",%" PRIu64,
			(double)s->t_ms / 1000.0, s->live, s->alive_min,
			s->alive_median, s->alive_max, s->suspects, s->failed,
			s->messages, s->bytes);
		if (catalog)
			fprintf(out, ",%u,%u", s->services_min,
				s->services_max);
		if (tags)
			fprintf(out, ",%u,%u", s->tags_min, s->tags_max);
		fputc('\n', out);
	}
}
