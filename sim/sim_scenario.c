/*
 * sim_scenario: parse scenario text into sim_actions; sim_apply (in
 * sim_world.c) runs them. A parser only: it knows the action types of
 * sim.h and nothing of a running simulation. It is line-based and strict:
 * every error names the line and the offending word, as the CLI's config
 * errors do, so `rumor-sim` can print `rumor-sim: split.scn:3: unknown
 * verb "crsh"` and exit 2.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scenario.h"
#include "swim/swim_duration.h"

#define TOKENS_MAX 64

/* Fixed-point decimal "123.45" -> value * scale, rounding down (for
 * percentages; durations are swim_duration's). */
static int
parse_decimal(const char **p, uint64_t scale, uint64_t *out)
{
	const char *s = *p;
	if (!isdigit((unsigned char)*s))
		return -1;
	uint64_t whole = 0;
	while (isdigit((unsigned char)*s)) {
		if (whole > 1000000000000ull)
			return -1;
		whole = whole * 10 + (uint64_t)(*s++ - '0');
	}
	uint64_t v = whole * scale, div = 1, frac = 0;
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (div < 1000000000ull) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				div *= 10;
			}
			s++;
		}
		v += frac * scale / div;
	}
	*p = s;
	*out = v;
	return 0;
}

int
sim_parse_percent(const char *text, uint32_t *out_ppm)
{
	const char *p = text;
	uint64_t v;
	if (parse_decimal(&p, 10000, &v) != 0 || strcmp(p, "%") != 0 ||
	    v > 1000000)
		return -1;
	*out_ppm = (uint32_t)v;
	return 0;
}

int
sim_parse_delay(const char *text, uint64_t *min_ms, uint64_t *max_ms)
{
	const char *dots = strstr(text, "..");
	if (dots == NULL || (size_t)(dots - text) >= 32)
		return -1;
	char lo[32];
	memcpy(lo, text, (size_t)(dots - text));
	lo[dots - text] = '\0';
	if (swim_duration_parse(lo, min_ms, NULL) != 0 ||
	    swim_duration_parse(dots + 2, max_ms, NULL) != 0 ||
	    *max_ms < *min_ms)
		return -1;
	return 0;
}

static int
parse_index(const char *s, uint32_t *out)
{
	if (!isdigit((unsigned char)*s) || strlen(s) > 7)
		return -1;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int
sim_scenario_add(struct sim_scenario *sc, const struct sim_action *a)
{
	if (sc->count == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 16;
		struct sim_action *grown = realloc(sc->actions,
						   cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		sc->actions = grown;
		sc->cap = cap;
	}
	sc->actions[sc->count++] = *a;
	return 0;
}

void
sim_scenario_destroy(struct sim_scenario *sc)
{
	for (size_t k = 0; k < sc->count; k++)
		free(sc->actions[k].ranges);
	free(sc->actions);
	*sc = (struct sim_scenario){0};
}

static void
note_node(struct sim_scenario *sc, uint32_t node, int line)
{
	if (node >= sc->max_node) {
		sc->max_node = node;
		sc->max_node_line = line;
	}
}

/* "0-9,12,15-20" into ranges of group g. */
static int
parse_group(struct sim_action *a, const char *text, uint16_t g)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", text);
	char *save = NULL;
	for (char *item = strtok_r(buf, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		uint32_t lo, hi;
		char *dash = strchr(item, '-');
		if (dash != NULL)
			*dash = '\0';
		if (parse_index(item, &lo) != 0)
			return -1;
		hi = lo;
		if (dash != NULL &&
		    (parse_index(dash + 1, &hi) != 0 || hi < lo))
			return -1;
		struct sim_range *r = realloc(
			a->ranges, (a->range_count + 1) * sizeof(*r));
		if (r == NULL)
			return -1;
		a->ranges = r;
		r[a->range_count++] = (struct sim_range){lo, hi, g};
	}
	return 0;
}

static int
parse_partition(struct sim_action *a, char **tok, int ntok, char *why,
		size_t why_size)
{
	char all[512] = "";
	for (int k = 0; k < ntok; k++) {
		if (strlen(all) + strlen(tok[k]) + 1 >= sizeof(all))
			break;
		strcat(all, tok[k]);
	}
	char *arrow = strstr(all, "->");
	if (arrow != NULL) {
		a->verb = SIM_VERB_CUT;
		*arrow = '\0';
		if (parse_group(a, all, 1) == 0 &&
		    parse_group(a, arrow + 2, 2) == 0 && strstr(arrow + 2,
								"->") == NULL)
			return 0;
	} else {
		uint16_t g = 0;
		char *save = NULL;
		int bad = 0;
		for (char *p = strtok_r(all, "/", &save); p != NULL;
		     p = strtok_r(NULL, "/", &save))
			bad |= parse_group(a, p, ++g);
		if (!bad && g >= 2)
			return 0;
	}
	snprintf(why, why_size, "bad partition (want \"A / B\" or "
		 "\"A -> B\" with groups like 0-9,12)");
	return -1;
}

/* "pause N for DURATION" (N is parsed). */
static int
parse_pause(struct sim_action *a, char **tok, int ntok, char *why,
	    size_t why_size)
{
	if (ntok < 4 || strcmp(tok[2], "for") != 0) {
		snprintf(why, why_size, "want \"pause N for DURATION\"");
		return -1;
	}
	const char *bad;
	if (swim_duration_parse(tok[3], &a->dur_ms, &bad) != 0) {
		snprintf(why, why_size, "bad pause \"%s\": %s", tok[3], bad);
		return -1;
	}
	return 0;
}

static int
parse_verb(struct sim_action *a, char **tok, int ntok, char *why,
	   size_t why_size)
{
	const char *v = tok[0];
	int want = 2;
	if (strcmp(v, "crash") == 0 || strcmp(v, "restart") == 0 ||
	    strcmp(v, "join") == 0 || strcmp(v, "leave") == 0 ||
	    strcmp(v, "pause") == 0) {
		a->verb = v[0] == 'c' ? SIM_VERB_CRASH
			: v[0] == 'r' ? SIM_VERB_RESTART
			: v[0] == 'j' ? SIM_VERB_JOIN
			: v[0] == 'l' ? SIM_VERB_LEAVE : SIM_VERB_PAUSE;
		if (ntok < 2 || parse_index(tok[1], &a->node) != 0) {
			snprintf(why, why_size, "bad node index \"%s\"",
				 ntok < 2 ? "" : tok[1]);
			return -1;
		}
		if (a->verb == SIM_VERB_PAUSE) {
			want = 4;
			if (parse_pause(a, tok, ntok, why, why_size) != 0)
				return -1;
		}
	} else if (strcmp(v, "partition") == 0) {
		a->verb = SIM_VERB_PARTITION;
		return parse_partition(a, tok + 1, ntok - 1, why, why_size);
	} else if (strcmp(v, "heal") == 0) {
		a->verb = SIM_VERB_HEAL;
		want = 1;
	} else if (strcmp(v, "loss") == 0) {
		a->verb = SIM_VERB_LOSS;
		if (ntok < 2 || sim_parse_percent(tok[1], &a->loss_ppm) != 0) {
			snprintf(why, why_size, "bad loss \"%s\" (want like "
				 "10%%)", ntok < 2 ? "" : tok[1]);
			return -1;
		}
		/* "loss P% to NODES" / "from NODES": a flaky node. */
		if (ntok >= 3) {
			bool to = strcmp(tok[2], "to") == 0;
			if ((!to && strcmp(tok[2], "from") != 0) || ntok != 4 ||
			    parse_group(a, tok[3], 1) != 0) {
				snprintf(why, why_size, "want \"loss P%% [to|from "
					 "NODES]\" with NODES like 5,17 or 0-9");
				return -1;
			}
			a->loss_dir = to ? 1 : 2;
			want = 4;
		}
	} else if (strcmp(v, "delay") == 0) {
		a->verb = SIM_VERB_DELAY;
		if (ntok < 2 || sim_parse_delay(tok[1], &a->delay_min_ms,
						&a->delay_max_ms) != 0) {
			snprintf(why, why_size, "bad delay \"%s\" (want like "
				 "1ms..20ms)", ntok < 2 ? "" : tok[1]);
			return -1;
		}
	} else {
		snprintf(why, why_size, "unknown verb \"%s\"", v);
		return -1;
	}
	if (ntok > want) {
		snprintf(why, why_size, "unexpected \"%s\"", tok[want]);
		return -1;
	}
	return 0;
}

static void
make_label(struct sim_action *a, char **tok, int ntok)
{
	size_t len = 0;
	a->label[0] = '\0';
	for (int k = 0; k < ntok; k++) {
		int n = snprintf(a->label + len, sizeof(a->label) - len,
				 "%s%s", k ? " " : "", tok[k]);
		if (n < 0 || (size_t)n >= sizeof(a->label) - len)
			break;
		len += (size_t)n;
	}
}

static int
parse_line(struct sim_scenario *sc, char *text, int line, char *why,
	   size_t why_size)
{
	char *tok[TOKENS_MAX];
	int ntok = 0;
	char *save = NULL;
	for (char *t = strtok_r(text, " \t\r", &save);
	     t != NULL && ntok < TOKENS_MAX; t = strtok_r(NULL, " \t\r", &save))
		tok[ntok++] = t;
	if (ntok == 0 || tok[0][0] == '#')
		return 0;
	struct sim_action a = {.line = line};
	if (strcmp(tok[0], "at") != 0 || ntok < 3) {
		snprintf(why, why_size, "want \"at TIME VERB ...\", got \"%s\"",
			 tok[0]);
		return -1;
	}
	const char *bad;
	if (swim_duration_parse(tok[1], &a.at_ms, &bad) != 0) {
		snprintf(why, why_size, "bad time \"%s\": %s", tok[1], bad);
		return -1;
	}
	if (parse_verb(&a, tok + 2, ntok - 2, why, why_size) != 0 ||
	    sim_scenario_add(sc, &a) != 0) {
		free(a.ranges);
		return -1;
	}
	make_label(&sc->actions[sc->count - 1], tok + 2, ntok - 2);
	if (a.verb == SIM_VERB_JOIN && a.node + 1 > sc->join_slots)
		sc->join_slots = a.node + 1;
	if (a.verb != SIM_VERB_PARTITION && a.verb != SIM_VERB_CUT &&
	    a.verb <= SIM_VERB_PAUSE)
		note_node(sc, a.node, line);
	if (a.verb == SIM_VERB_JOIN || a.verb == SIM_VERB_LEAVE)
		note_node(sc, a.node, line);
	for (size_t r = 0; r < a.range_count; r++)
		note_node(sc, a.ranges[r].hi, line);
	return 0;
}

int
sim_scenario_parse(struct sim_scenario *sc, const char *text, int *line,
		   char *why, size_t why_size)
{
	int n = 0;
	const char *p = text;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		n++;
		char buf[1024];
		if (len >= sizeof(buf)) {
			snprintf(why, why_size, "line too long");
			*line = n;
			return -1;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (parse_line(sc, buf, n, why, why_size) != 0) {
			*line = n;
			return -1;
		}
		p += len + (nl != NULL);
	}
	return 0;
}
