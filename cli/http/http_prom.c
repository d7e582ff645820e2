/*
 * http_prom: stats into the Prometheus text format (see http_prom.h).
 *
 * Names follow Prometheus' conventions: the rumor_ prefix, _total on
 * counters, base units (bytes, not kilobytes), one family with a label
 * where stats differ only by a reason or status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_prom.h"
#include "rumor/error.h"

const struct http_metric http_metric_table[] = {
	/* Membership (gauges computed at the scrape come first). */
	{"member_status_", "rumor_members", "status", NULL, true,
	 "Members in this agent's table, by status."},
	{"members", NULL, NULL, NULL, true,
	 "(rumor_members by status covers it)"},
	{"incarnation", "rumor_incarnation", NULL, NULL, true,
	 "This agent's incarnation number (refutations raise it)."},
	{"local_health_multiplier", "rumor_local_health_multiplier", NULL,
	 NULL, true,
	 "Lifeguard's local health multiplier: probe and suspicion "
	 "timeouts are scaled by it (1 when healthy)."},
	{"awareness", "rumor_local_health_score", NULL, NULL, true,
	 "Lifeguard's awareness score (0 when healthy); the multiplier is "
	 "score + 1."},
	{"broadcast_queue", "rumor_broadcast_queue", NULL, NULL, true,
	 "Updates waiting to be piggybacked on gossip."},
	/* Gossip traffic. */
	{"datagrams_sent", "rumor_datagrams_sent_total", NULL, NULL, false,
	 "UDP datagrams sent."},
	{"datagrams_received", "rumor_datagrams_received_total", NULL, NULL,
	 false, "UDP datagrams received."},
	{"bytes_sent", "rumor_bytes_sent_total", NULL, NULL, false,
	 "Bytes of UDP datagrams sent."},
	{"bytes_received", "rumor_bytes_received_total", NULL, NULL, false,
	 "Bytes of UDP datagrams received."},
	{"send_failures", "rumor_send_failures_total", NULL, NULL, false,
	 "Datagrams the socket refused to send (other than a full "
	 "buffer)."},
	{"send_eagain", "rumor_send_buffer_full_total", NULL, NULL, false,
	 "Datagrams not sent because the socket buffer was full."},
	{"recv_oversize", "rumor_datagrams_oversize_total", NULL, NULL, false,
	 "Datagrams received over the largest size and dropped."},
	/* SWIM and Lifeguard. */
	{"probes_sent", "rumor_probes_total", NULL, NULL, false,
	 "Probes (pings) sent."},
	{"probes_failed", "rumor_probes_failed_total", NULL, NULL, false,
	 "Probes with no ack by the end of the probe period."},
	{"indirect_probes", "rumor_indirect_probes_total", NULL, NULL, false,
	 "Indirect probe rounds (ping-req) started."},
	{"suspicions", "rumor_suspicions_total", NULL, NULL, false,
	 "Members this agent started suspecting."},
	{"refutations", "rumor_refutations_total", NULL, NULL, false,
	 "Times this agent refuted a suspicion of itself."},
	{"pushpulls", "rumor_pushpulls_total", NULL, NULL, false,
	 "Push-pull state exchanges merged."},
	{"reconnects", "rumor_reconnects_total", NULL, NULL, false,
	 "Reconnect attempts to failed members."},
	{"incarnations_refused", "rumor_incarnations_refused_total", NULL,
	 NULL, false, "Messages refused for an incarnation too far ahead."},
	{"moves_refused", "rumor_moves_refused_total", NULL, NULL, false,
	 "Alives refused for moving a member reached where it is."},
	{"replay_lives", "rumor_replay_lives", NULL, NULL, true,
	 "Sender lives whose frames are remembered against replays."},
	{"replay_lives_peak", "rumor_replay_lives_peak", NULL, NULL, true,
	 "Sender lives remembered at most."},
	{"replay_evictions", "rumor_replay_evictions_total", NULL, NULL,
	 false, "Sender lives forgotten early (the replay table was full)."},
	{"streams_open", "rumor_streams_open", NULL, NULL, true,
	 "Push-pull TCP streams open."},
	{"streams_started", "rumor_streams_started_total", NULL, NULL, false,
	 "Push-pull TCP streams started."},
	{"streams_failed", "rumor_streams_failed_total", NULL, NULL, false,
	 "Push-pull TCP streams that failed."},
	{"streams_refused", "rumor_streams_refused_total", NULL, NULL, false,
	 "Push-pull TCP streams refused (over the limit)."},
	/* Drops, longest prefix first. */
	{"drop_core_", "rumor_core_drops_total", "reason", NULL, false,
	 "Messages the SWIM core dropped, by reason."},
	{"drop_", "rumor_drops_total", "reason", NULL, false,
	 "Datagrams and frames dropped before or by the core, by reason "
	 "(\"core\": see rumor_core_drops_total)."},
	/* Services. */
	{"service_names", "rumor_services", NULL, NULL, true,
	 "Service names known in the cluster."},
	{"instances_", "rumor_instances", "health", NULL, true,
	 "Service instances known in the cluster, by health (passing: "
	 "its check passes and its node is up)."},
	{"services_cluster", NULL, NULL, NULL, true,
	 "(rumor_instances by health covers it)"},
	{"services_local", "rumor_local_services", NULL, NULL, true,
	 "Services registered on this agent."},
	{"checks_run", "rumor_checks_total", NULL, NULL, false,
	 "Health checks run by this agent."},
	{"checks_failed", "rumor_checks_failed_total", NULL, NULL, false,
	 "Health checks run by this agent that did not pass."},
	{"bad_service_sets", "rumor_bad_service_sets_total", NULL, NULL,
	 false, "Members' service sets that could not be read."},
	{"large_sets_held", "rumor_large_sets", NULL, NULL, true,
	 "Service sets too large to gossip inline, held here."},
	{"large_sets_missing", "rumor_large_sets_missing", NULL, NULL, true,
	 "Large service sets announced but not fetched yet."},
	{"large_sets_refused", "rumor_large_sets_refused_total", NULL, NULL,
	 false, "Large service sets refused: over the total held."},
	{"set_pulls", "rumor_set_pulls_total", NULL, NULL, false,
	 "Push-pulls asked for to fetch a large service set."},
	{"sets_received", "rumor_sets_received_total", NULL, NULL, false,
	 "Large service sets received and applied."},
	{"watch_events_dropped", "rumor_watch_events_dropped_total", NULL,
	 NULL, false, "Registry change events dropped undrained."},
	{"lookup_cache_hits", "rumor_lookup_cache_hits_total", NULL, NULL,
	 false, "Socket lookups answered from the cache."},
	{"lookup_cache_misses", "rumor_lookup_cache_misses_total", NULL, NULL,
	 false, "Socket lookups built afresh."},
	{"seed_resolutions", "rumor_seed_resolutions_total", NULL, NULL, false,
	 "Resolutions of the --join seeds (names resolve again each retry)."},
	{"seed_resolve_failures", "rumor_seed_resolve_failures_total", NULL,
	 NULL, false, "Seed resolutions where some name had no address."},
	/* The local socket. */
	{"ipc_requests", "rumor_socket_requests_total", NULL, NULL, false,
	 "Requests on the local socket."},
	{"ipc_bad_requests", "rumor_socket_bad_requests_total", NULL, NULL,
	 false, "Local socket requests refused as malformed or too large."},
	{"ipc_conns_open", "rumor_socket_connections", NULL, NULL, true,
	 "Local socket connections open."},
	{"ipc_conns_refused", "rumor_socket_connections_refused_total", NULL,
	 NULL, false, "Local socket connections refused (over the limit)."},
	{"ipc_conns_idle_closed", "rumor_socket_connections_idle_closed_total",
	 NULL, NULL, false, "Local socket connections closed for idling."},
	{"watchers", "rumor_socket_watchers", NULL, NULL, true,
	 "Watch streams open on the local socket."},
	{"watchers_cut", "rumor_socket_watchers_cut_total", NULL, NULL, false,
	 "Watch streams cut off for not reading."},
	{"monitor_dropped", "rumor_socket_monitor_dropped_total", NULL, NULL,
	 false, "Log lines monitors missed (slow reader or full queue)."},
	/* The HTTP API. */
	{"http_requests", "rumor_http_requests_total", NULL, NULL, false,
	 "HTTP requests answered."},
	{"http_status_", "rumor_http_responses_total", "code", NULL, false,
	 "HTTP responses, by status code."},
	{"http_bad_requests", "rumor_http_bad_requests_total", NULL, NULL,
	 false, "HTTP requests refused for bad input (every 4xx)."},
	{"http_bad_bodies", "rumor_http_bad_bodies_total", NULL, NULL, false,
	 "HTTP register bodies refused (bad JSON or an invalid service)."},
	{"http_protocol_errors", "rumor_http_protocol_errors_total", NULL,
	 NULL, false,
	 "HTTP requests the server refused before routing (malformed, "
	 "headers too large)."},
	{"http_conns_open", "rumor_http_connections", NULL, NULL, true,
	 "HTTP connections open."},
	{"http_blocking", "rumor_http_blocking_queries", NULL, NULL, true,
	 "Blocking queries waiting for a change."},
	{"http_blocking_refused", "rumor_http_blocking_refused_total", NULL,
	 NULL, false, "Blocking queries refused (429, over the limit)."},
	{NULL, NULL, NULL, NULL, false, NULL},
};

/* One sample, resolved. */
struct sample {
	const char *family;
	const char *help;
	bool gauge;
	/* Not exported. */
	bool skip;
	const char *label;
	char label_value[64];
	uint64_t value;
	/* Fallback family (built from the stat's name). */
	char own_family[96];
};

/* The family of an unknown stat: rumor_<name>_total, or rumor_<name>
 * for a gauge by the agent's naming (*_open: things open now). */
static void
fallback(struct sample *s, const char *name)
{
	size_t len = strlen(name);
	bool gauge = len > 5 && strcmp(name + len - 5, "_open") == 0;
	size_t n = (size_t)snprintf(s->own_family, sizeof(s->own_family),
				    "rumor_%.80s", name);
	if (n >= sizeof(s->own_family) - 6)
		n = sizeof(s->own_family) - 7;
	for (size_t i = 6; i < n; i++) {
		char c = s->own_family[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			s->own_family[i] = '_';
	}
	strcpy(s->own_family + n, gauge ? "" : "_total");
	s->family = s->own_family;
	s->help = gauge ? "A rumor stats gauge without a row in the metric "
			  "table (docs/http.md)."
			: "A rumor stats counter without a row in the metric "
			  "table (docs/http.md).";
	s->gauge = gauge;
}

static void
resolve(struct sample *s, const char *name, uint64_t value)
{
	*s = (struct sample){.value = value};
	for (const struct http_metric *m = http_metric_table; m->stat; m++) {
		size_t n = strlen(m->stat);
		bool prefix = n > 0 && m->stat[n - 1] == '_';
		if (prefix ? strncmp(name, m->stat, n) != 0 || name[n] == '\0'
			   : strcmp(name, m->stat) != 0)
			continue;
		s->skip = m->family == NULL;
		s->family = m->family;
		s->help = m->help;
		s->gauge = m->gauge;
		s->label = m->label;
		if (m->label != NULL)
			snprintf(s->label_value, sizeof(s->label_value), "%s",
				 prefix ? name + n : m->label_value);
		return;
	}
	fallback(s, name);
}

/* A label value with \, " and newlines escaped. */
static void
label_value(struct http_buf *b, const char *v)
{
	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			http_buf_put(b, "\\", 1);
		if (*p == '\n')
			http_buf_puts(b, "\\n");
		else
			http_buf_put(b, p, 1);
	}
}

static void
write_sample(struct http_buf *b, const struct sample *s)
{
	http_buf_puts(b, s->family);
	if (s->label != NULL) {
		http_buf_put(b, "{", 1);
		http_buf_puts(b, s->label);
		http_buf_puts(b, "=\"");
		label_value(b, s->label_value);
		http_buf_puts(b, "\"}");
	}
	http_buf_put(b, " ", 1);
	http_buf_u64(b, s->value);
	http_buf_put(b, "\n", 1);
}

/* Whether list[0, n) has a sample of s's family and label already. */
static bool
seen(const struct sample *list, size_t n, const struct sample *s)
{
	for (size_t i = 0; i < n; i++) {
		if (!list[i].skip && strcmp(list[i].family, s->family) == 0 &&
		    (list[i].label == NULL) == (s->label == NULL) &&
		    (s->label == NULL ||
		     strcmp(list[i].label_value, s->label_value) == 0))
			return true;
	}
	return false;
}

/* The gauges as stats named for the table. */
static size_t
gauge_stats(const struct http_gauges *g, struct http_stat *out,
	    char names[][32])
{
	size_t n = 0;
	for (int i = 0; i < swim_status_MAX; i++) {
		snprintf(names[n], 32, "member_status_%s", swim_status_strs[i]);
		out[n] = (struct http_stat){names[n], g->members[i]};
		n++;
	}
	out[n++] = (struct http_stat){"local_health_multiplier",
				      g->local_health_multiplier};
	out[n++] = (struct http_stat){"service_names", g->services};
	out[n++] = (struct http_stat){"instances_passing",
				      g->instances_passing};
	out[n++] = (struct http_stat){"instances_critical",
				      g->instances_critical};
	return n;
}

#define GAUGE_STATS_MAX (swim_status_MAX + 4)

void
http_prom_write(struct http_buf *b, const struct http_stat *stats,
		size_t count, const struct http_gauges *g)
{
	struct http_stat gs[GAUGE_STATS_MAX];
	char names[GAUGE_STATS_MAX][32];
	size_t ng = gauge_stats(g, gs, names);
	size_t total = ng + count;
	struct sample *list = malloc(total * sizeof(*list));
	bool *done = calloc(total, sizeof(*done));
	if (list == NULL || done == NULL) {
		free(list);
		free(done);
		if (b->failed == 0)
			b->failed = RUMOR_ENOMEM;
		return;
	}
	for (size_t i = 0; i < total; i++) {
		const struct http_stat *st = i < ng ? &gs[i] : &stats[i - ng];
		resolve(&list[i], st->name, st->value);
	}
	for (size_t i = 0; i < total; i++) {
		if (done[i] || list[i].skip)
			continue;
		const struct sample *head = &list[i];
		http_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", head->family,
				head->help, head->family,
				head->gauge ? "gauge" : "counter");
		for (size_t j = i; j < total; j++) {
			if (done[j] || list[j].skip ||
			    strcmp(list[j].family, head->family) != 0)
				continue;
			done[j] = true;
			if (!seen(list, j, &list[j]))
				write_sample(b, &list[j]);
		}
	}
	free(done);
	free(list);
}
