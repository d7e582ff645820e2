/*
 * sim_announce: services and tags of simulated nodes (sim_announce.h).
 */
#include <stdio.h>
#include <string.h>

#include "membership/node_services.h"
#include "membership/registry.h"
#include "sim_announce.h"

/* The tags of node i: zone=z<i mod 3>, node=n<i>. */
static void
tags_of(uint32_t i, char zone[8], char name[16], struct service_kv tags[2])
{
	snprintf(zone, 8, "z%u", i % 3);
	snprintf(name, 16, "n%u", i);
	tags[0] = (struct service_kv){"node", name};
	tags[1] = (struct service_kv){"zone", zone};
}

int
sim_announce(struct sim *sim, uint32_t i, const char **why)
{
	struct node *node = sim->nodes[i].node;
	if (sim->opt.catalog) {
		char id[24];
		snprintf(id, sizeof(id), "s%u", i);
		struct service svc = {.id = id, .name = "svc", .address = "",
				      .port = (uint16_t)(1000 + i % 60000)};
		const struct service *list[] = {&svc};
		if (node_set_services(node, sim->now, list, 1, NULL) != 0) {
			*why = "could not offer its service";
			return -1;
		}
	}
	if (sim->opt.tags) {
		char zone[8], name[16], text[128];
		struct service_kv tags[2];
		tags_of(i, zone, name, tags);
		if (node_set_tags(node, sim->now, tags, 2, text,
				  sizeof(text)) != 0) {
			*why = "could not set its tags";
			return -1;
		}
	}
	return 0;
}

/* Whether observer n holds member m's tags as m set them. */
static bool
tags_held(const struct node *n, uint32_t m)
{
	char zone[8], name[16];
	struct service_kv want[2];
	tags_of(m, zone, name, want);
	struct node_tags got;
	if (node_tags_of(n, name, &got) != 0 || got.count != 2)
		return false;
	for (size_t k = 0; k < 2; k++) {
		if (strcmp(got.tags[k].key, want[k].key) != 0 ||
		    strcmp(got.tags[k].value, want[k].value) != 0)
			return false;
	}
	return true;
}

void
sim_announce_sample(struct sim *sim, struct sim_sample *smp)
{
	struct registry_query q = {.name = "svc"};
	uint32_t lo = UINT32_MAX, hi = 0, tlo = UINT32_MAX, thi = 0;
	for (uint32_t i = 0; i < sim->node_max; i++) {
		struct node *n = sim->nodes[i].node;
		if (n == NULL)
			continue;
		if (sim->opt.catalog) {
			uint32_t k = (uint32_t)registry_lookup(
				node_registry(n), &q, NULL, 0);
			lo = k < lo ? k : lo;
			hi = k > hi ? k : hi;
		}
		if (sim->opt.tags && sim_is_live(sim->nodes[i].state)) {
			uint32_t k = 0;
			for (uint32_t m = 0; m < sim->node_max; m++)
				k += sim_is_live(sim->nodes[m].state) &&
				     tags_held(n, m);
			tlo = k < tlo ? k : tlo;
			thi = k > thi ? k : thi;
		}
	}
	smp->services_min = lo == UINT32_MAX ? 0 : lo;
	smp->services_max = hi;
	smp->tags_min = tlo == UINT32_MAX ? 0 : tlo;
	smp->tags_max = thi;
}
