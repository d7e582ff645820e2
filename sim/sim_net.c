/*
 * sim_net: loss, latency and cut rules (see sim_net.h). The rule check is
 * a scan over at most SIM_NET_RULES_MAX rules; scenarios use a handful, so
 * a packet costs a few array reads.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_net.h"

void
sim_net_create(struct sim_net *net, uint64_t rand_seed, size_t node_count)
{
	*net = (struct sim_net){.node_count = node_count};
	sim_rand_init(&net->rand, rand_seed);
}

void
sim_net_destroy(struct sim_net *net)
{
	sim_net_heal(net);
	free(net->in_loss_ppm);
	free(net->out_loss_ppm);
}

int
sim_net_node_loss(struct sim_net *net, const uint16_t *group, bool egress,
		  uint32_t loss_ppm)
{
	uint32_t **loss = egress ? &net->out_loss_ppm : &net->in_loss_ppm;
	if (*loss == NULL) {
		*loss = calloc(net->node_count, sizeof(**loss));
		if (*loss == NULL)
			return -1;
	}
	for (size_t i = 0; i < net->node_count; i++) {
		if (group[i] != 0)
			(*loss)[i] = loss_ppm;
	}
	return 0;
}

int
sim_net_cut(struct sim_net *net, const uint16_t *group, bool one_way)
{
	if (net->rule_count == SIM_NET_RULES_MAX)
		return -1;
	uint16_t *copy = malloc(net->node_count * sizeof(*copy));
	if (copy == NULL)
		return -1;
	memcpy(copy, group, net->node_count * sizeof(*copy));
	net->rules[net->rule_count++] = (struct sim_net_rule){
		.group = copy, .one_way = one_way};
	return 0;
}

void
sim_net_heal(struct sim_net *net)
{
	for (size_t i = 0; i < net->rule_count; i++)
		free(net->rules[i].group);
	net->rule_count = 0;
}

bool
sim_net_blocked(const struct sim_net *net, size_t a, size_t b)
{
	for (size_t i = 0; i < net->rule_count; i++) {
		const struct sim_net_rule *r = &net->rules[i];
		uint16_t ga = r->group[a], gb = r->group[b];
		if (r->one_way) {
			if (ga == 1 && gb == 2)
				return true;
		} else if (ga != 0 && gb != 0 && ga != gb) {
			return true;
		}
	}
	return false;
}

bool
sim_net_reachable(const struct sim_net *net, size_t a, size_t b)
{
	return !sim_net_blocked(net, a, b) && !sim_net_blocked(net, b, a);
}

static uint64_t
draw_delay(struct sim_net *net)
{
	if (net->delay_min_ms != 0 || net->delay_max_ms != 0)
		return sim_rand_range(&net->rand, net->delay_min_ms,
				      net->delay_max_ms);
	/* Geometric tail with p = 1/2 per extra millisecond: mean 1 ms. */
	uint64_t d = SIM_NET_DELAY_BASE_MS;
	uint64_t bits = sim_rand_next(&net->rand);
	while ((bits & 1) && d < SIM_NET_DELAY_CAP_MS) {
		d++;
		bits >>= 1;
	}
	return d;
}

bool
sim_net_send(struct sim_net *net, size_t a, size_t b, bool reliable,
	     uint64_t *delay_ms)
{
	if (sim_net_blocked(net, a, b))
		return false;
	if (!reliable && sim_rand_ppm(&net->rand, net->loss_ppm))
		return false;
	/* Drawn only where a node loss is set, so runs without one keep
	 * their draws. */
	if (!reliable && net->out_loss_ppm != NULL && net->out_loss_ppm[a] &&
	    sim_rand_ppm(&net->rand, net->out_loss_ppm[a]))
		return false;
	if (!reliable && net->in_loss_ppm != NULL && net->in_loss_ppm[b] &&
	    sim_rand_ppm(&net->rand, net->in_loss_ppm[b]))
		return false;
	*delay_ms = draw_delay(net);
	return true;
}
