/*
 * cli/http/http_prom: the Prometheus text format of the agent's
 * counters. Families come out whole (one HELP, one TYPE, then their
 * samples), prefixes become labels, unknown counters still come out
 * under a derived name, and the table itself follows Prometheus'
 * naming conventions and is documented in docs/http.md.
 */
#include <stdlib.h>

#include "cli/http/http_prom.h"
#include "test.h"

static bool
name_valid(const char *s)
{
	if (s == NULL || s[0] == '\0' || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == ':'))
			return false;
	}
	return true;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* The exposition written for these stats (and zero gauges). */
static char *
expose(const struct http_stat *stats, size_t count)
{
	struct http_gauges g = {.members = {3, 1, 0, 2}, .services = 4,
				.instances_passing = 7,
				.instances_critical = 2,
				.local_health_multiplier = 1};
	struct http_buf b;
	http_buf_init(&b);
	http_prom_write(&b, stats, count, &g);
	if (b.failed != 0) {
		http_buf_destroy(&b);
		return NULL;
	}
	size_t size;
	return http_buf_take(&b, &size);
}

/* How many lines of text start with line. */
static int
count_lines(const char *text, const char *line)
{
	int n = 0;
	size_t len = strlen(line);
	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, line, len) == 0)
			n++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return n;
}

static void
test_stats_become_families_with_labels_and_conventional_names(void)
{
	const struct http_stat stats[] = {
		{"members", 6},
		{"datagrams_sent", 10},
		{"drop_auth", 2},
		{"drop_core_left", 1},
		{"drop_core_malformed", 4},
		{"drop_truncated", 3},
		{"awareness", 0},
		{"http_status_404", 5},
	};
	char *text = expose(stats, sizeof(stats) / sizeof(stats[0]));
	ASSERT_NOT_NULL(text);
	ASSERT_EQ(count_lines(text, "rumor_datagrams_sent_total 10\n"), 1);
	ASSERT_EQ(count_lines(text, "rumor_drops_total{reason=\"auth\"} 2\n"),
		  1);
	ASSERT_EQ(count_lines(text,
			      "rumor_drops_total{reason=\"truncated\"} 3\n"),
		  1);
	ASSERT_EQ(count_lines(text, "rumor_core_drops_total{reason=\"left\"} "
				    "1\n"), 1);
	ASSERT_EQ(count_lines(text, "rumor_http_responses_total{code=\"404\"} "
				    "5\n"), 1);
	ASSERT_EQ(count_lines(text, "# TYPE rumor_drops_total counter\n"), 1);
	ASSERT_EQ(count_lines(text, "# HELP rumor_drops_total "), 1);
	ASSERT_EQ(count_lines(text, "rumor_members{status=\"alive\"} 3\n"), 1);
	ASSERT_EQ(count_lines(text, "rumor_members{status=\"left\"} 2\n"), 1);
	ASSERT_EQ(count_lines(text, "# TYPE rumor_members gauge\n"), 1);
	ASSERT_EQ(count_lines(text, "rumor_instances{health=\"critical\"} "
				    "2\n"), 1);
	ASSERT_EQ(count_lines(text, "rumor_local_health_multiplier 1\n"), 1);
	ASSERT_EQ(count_lines(text, "rumor_local_health_score 0\n"), 1);
	ASSERT_EQ(count_lines(text, "rumor_services 4\n"), 1);
	/* "members" is covered by rumor_members{status}. */
	ASSERT_EQ(count_lines(text, "rumor_members 6"), 0);
	ASSERT_EQ(count_lines(text, "rumor_members_total"), 0);
	free(text);
}

static void
test_a_family_comes_out_whole_and_once(void)
{
	/* drop_* scattered among others still comes out together. */
	const struct http_stat stats[] = {
		{"drop_auth", 1}, {"bytes_sent", 2}, {"drop_version", 3},
		{"drop_auth", 9},
	};
	char *text = expose(stats, 4);
	ASSERT_NOT_NULL(text);
	const char *a = strstr(text, "rumor_drops_total{reason=\"auth\"} 1\n");
	const char *v = strstr(text, "rumor_drops_total{reason=\"version\"} "
				     "3\n");
	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(v);
	/* Adjacent lines: nothing between them. */
	ASSERT(a + strlen("rumor_drops_total{reason=\"auth\"} 1\n") == v);
	/* The same series twice is written once (the first). */
	ASSERT_EQ(count_lines(text, "rumor_drops_total{reason=\"auth\"}"), 1);
	ASSERT_EQ(count_lines(text, "# TYPE rumor_drops_total"), 1);
	free(text);
}

static void
test_an_unknown_stat_still_comes_out_as_rumor_name_total_or_a_gauge(void)
{
	const struct http_stat stats[] = {
		{"dns_queries_nxdomain", 12},
		{"weird name!", 1},
		{"dns_tcp_conns_open", 3},
	};
	char *text = expose(stats, 3);
	ASSERT_NOT_NULL(text);
	ASSERT_EQ(count_lines(text, "rumor_dns_queries_nxdomain_total 12\n"),
		  1);
	ASSERT_EQ(count_lines(text, "# TYPE rumor_dns_queries_nxdomain_total "
				    "counter\n"), 1);
	ASSERT_EQ(count_lines(text, "rumor_weird_name__total 1\n"), 1);
	/* Named like the agent's gauges: a gauge. */
	ASSERT_EQ(count_lines(text, "rumor_dns_tcp_conns_open 3\n"), 1);
	ASSERT_EQ(count_lines(text, "# TYPE rumor_dns_tcp_conns_open gauge\n"),
		  1);
	free(text);
}

static void
test_every_line_is_a_comment_or_a_sample(void)
{
	const struct http_stat stats[] = {{"datagrams_received", 1},
					  {"x", 2}};
	char *text = expose(stats, 2);
	ASSERT_NOT_NULL(text);
	for (char *line = strtok(text, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		if (strncmp(line, "# HELP ", 7) == 0 ||
		    strncmp(line, "# TYPE ", 7) == 0)
			continue;
		char name[128];
		size_t n = strcspn(line, "{ ");
		ASSERT(n < sizeof(name));
		memcpy(name, line, n);
		name[n] = '\0';
		ASSERT(name_valid(name));
		const char *value = strrchr(line, ' ');
		ASSERT_NOT_NULL(value);
		char *end;
		strtoull(value + 1, &end, 10);
		ASSERT(*end == '\0' && end > value + 1);
	}
	free(text);
}

/* docs/http.md, whole. */
static char *
read_docs(void)
{
	FILE *f = fopen(RUMOR_SOURCE_DIR "/docs/http.md", "rb");
	if (f == NULL)
		return NULL;
	char *text = malloc(1 << 20);
	size_t n = text != NULL ? fread(text, 1, (1 << 20) - 1, f) : 0;
	if (text != NULL)
		text[n] = '\0';
	fclose(f);
	return text;
}

static void
test_the_table_follows_the_conventions_and_is_documented(void)
{
	char *docs = read_docs();
	ASSERT_NOT_NULL(docs);
	size_t rows = 0;
	for (const struct http_metric *m = http_metric_table; m->stat; m++) {
		rows++;
		ASSERT(m->help != NULL && m->help[0] != '\0');
		if (m->family == NULL)
			continue;
		ASSERT(name_valid(m->family));
		ASSERT(strncmp(m->family, "rumor_", 6) == 0);
		if (m->gauge)
			ASSERT(!ends_with(m->family, "_total"));
		else
			ASSERT(ends_with(m->family, "_total"));
		bool prefix = ends_with(m->stat, "_");
		if (prefix)
			ASSERT_NOT_NULL(m->label);
		if (m->label != NULL)
			ASSERT(name_valid(m->label));
		char quoted[128];
		snprintf(quoted, sizeof(quoted), "`%s`", m->family);
		if (strstr(docs, quoted) == NULL)
			fprintf(stderr, "  %s is not in docs/http.md\n",
				m->family);
		ASSERT_NOT_NULL(strstr(docs, quoted));
		snprintf(quoted, sizeof(quoted), "`%s`", m->stat);
		ASSERT_NOT_NULL(strstr(docs, quoted));
	}
	ASSERT(rows > 40);
	free(docs);
}

int
main(void)
{
	RUN(test_stats_become_families_with_labels_and_conventional_names);
	RUN(test_a_family_comes_out_whole_and_once);
	RUN(test_an_unknown_stat_still_comes_out_as_rumor_name_total_or_a_gauge);
	RUN(test_every_line_is_a_comment_or_a_sample);
	RUN(test_the_table_follows_the_conventions_and_is_documented);
	return TEST_SUMMARY();
}
