/*
 * http_prom: GET /metrics, the Prometheus text exposition format
 * (version 0.0.4) of every counter `rumor stats` lists, plus the gauges
 * only /metrics has. Pure: name/value pairs in, text out.
 *
 * A table (http_prom.c, listed in docs/http.md) names the metric of
 * each stat: the metric family, whether it is a counter or a gauge, an
 * optional label, and its help text. Rows ending in "_" match a prefix,
 * the rest of the stat's name becoming the label's value ("drop_auth" is
 * rumor_drops_total{reason="auth"}). A stat the table does not know is
 * still exported, as the counter rumor_<name>_total (its name with
 * anything outside [a-zA-Z0-9_] made "_"), so a counter added to `rumor
 * stats` shows up here without a change to this module; so does a gauge
 * named as the agent names them, *_open (rumor_<name>, a gauge); any
 * other gauge needs a row. Samples of one family are written together under one HELP and
 * TYPE line, in table order, and a (family, label) seen twice is written
 * once, so a scrape never has duplicate series.
 */
#ifndef RUMOR_HTTP_PROM_H
#define RUMOR_HTTP_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_buf.h"
#include "swim/swim_types.h"

/** The exposition format's media type (the Content-Type of /metrics). */
#define HTTP_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/** One counter of `rumor stats`. */
struct http_stat {
	const char *name;
	uint64_t value;
};

/** The gauges /metrics adds, which the agent counts at the scrape. */
struct http_gauges {
	/** Members of the table by status. */
	uint64_t members[swim_status_MAX];
	/** Service names known in the cluster. */
	uint64_t services;
	/** Instances in the cluster, healthy (passing, node up) or not. */
	uint64_t instances_passing;
	uint64_t instances_critical;
	/** Lifeguard's local health multiplier: timeouts are scaled by it
	 *  (the awareness score + 1; 1 when healthy). */
	uint64_t local_health_multiplier;
};

/** A row of the table: how one stat (or every stat with a prefix)
 *  becomes a metric. */
struct http_metric {
	/** The stat's name, or a prefix when it ends in "_". */
	const char *stat;
	/** The metric family; NULL: not exported (a gauge covers it). */
	const char *family;
	/** The label's name, or NULL; its value is label_value or, for a
	 *  prefix row, the rest of the stat's name. */
	const char *label;
	const char *label_value;
	bool gauge;
	const char *help;
};

/** The table, ended by a row with a NULL stat. */
extern const struct http_metric http_metric_table[];

/**
 * Write the exposition of stats[0, count) and g into b: every family
 * with its HELP and TYPE lines, then its samples. Failures stick in
 * b->failed.
 */
void
http_prom_write(struct http_buf *b, const struct http_stat *stats,
		size_t count, const struct http_gauges *g);

#endif /* RUMOR_HTTP_PROM_H */
