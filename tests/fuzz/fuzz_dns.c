/*
 * Fuzz dns_answer: any bytes, over UDP and TCP, against a fixed fake
 * directory with a service too big for one answer. An answer, when there
 * is one, must parse with libknot, carry the query's id with QR set, fit
 * its limit, and come out byte for byte the same when asked again with
 * the same draw (an answer that depended on anything but its inputs, such
 * as memory left from an earlier call, would differ). Anything else
 * aborts, so libFuzzer reports it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/libknot.h>

#include "cli/dns/dns.h"
#include "tests/dns_fake.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fake_node nodes[] = {
	{"alpha", "10.0.0.1", true}, {"beta", "fd00::2", true},
	{"dead", "10.0.0.9", false}, {"Odd..Name", "10.0.0.6", true},
};

#define BIG 300

#define FIXED 7

static struct fake_instance instances[FIXED + BIG];
static char addrs[BIG][16];
static struct fake_dir dir = {instances, FIXED + BIG, nodes, 4, 0, 0};
static struct dns *dns;

static void
setup(void)
{
	static const struct fake_instance fixed[FIXED] = {
		{"web", "alpha", NULL, 80, {"v2"}, 1, true},
		{"web", "alpha", NULL, 81, {"v2"}, 1, true},
		{"web", "beta", NULL, 80, {"V1", "x"}, 2, true},
		{"web", "dead", NULL, 80, {0}, 0, true},
		{"api", "Odd..Name", NULL, 9000, {0}, 0, true},
		{"api", "alpha", "db.example.com", 9001, {0}, 0, true},
		{"down", "alpha", NULL, 1, {0}, 0, false},
	};
	memcpy(instances, fixed, sizeof(fixed));
	for (size_t i = 0; i < BIG; i++) {
		snprintf(addrs[i], sizeof(addrs[i]), "10.1.%zu.%zu", i / 200,
			 i % 200 + 1);
		instances[FIXED + i] = (struct fake_instance){
			"big", i % 2 ? "alpha" : "beta", addrs[i],
			(uint16_t)(2000 + i), {"t"}, 1, i % 7 != 0};
	}
	struct dns_config cfg;
	dns_config_default(&cfg);
	struct dns_directory d = fake_directory(&dir);
	dns = dns_new(&cfg, &d);
	if (dns == NULL)
		abort();
}

static void
check(const uint8_t *query, size_t size, bool tcp, uint64_t draw)
{
	static uint8_t out[DNS_TCP_MAX], again[DNS_TCP_MAX];
	size_t out_size = sizeof(out), again_size = sizeof(again);
	enum dns_outcome o =
		dns_answer(dns, query, size, tcp, draw, out, &out_size);
	enum dns_outcome o2 =
		dns_answer(dns, query, size, tcp, draw, again, &again_size);
	if (o != o2 || out_size != again_size ||
	    memcmp(out, again, out_size) != 0)
		abort();
	if ((o == DNS_OUTCOME_DROPPED) != (out_size == 0) ||
	    o == DNS_OUTCOME_SERVFAIL)
		abort();
	if (out_size == 0)
		return;
	size_t limit = tcp ? DNS_TCP_MAX : DNS_UDP_PAYLOAD_DEFAULT;
	if (out_size > limit || out_size < KNOT_WIRE_HEADER_SIZE ||
	    knot_wire_get_id(out) != knot_wire_get_id(query) ||
	    !knot_wire_get_qr(out) || (tcp && knot_wire_get_tc(out)))
		abort();
	knot_pkt_t *p = knot_pkt_new(out, (uint16_t)out_size, NULL);
	if (p == NULL || knot_pkt_parse(p, 0) != KNOT_EOK)
		abort();
	knot_pkt_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (dns == NULL)
		setup();
	uint64_t draw = size;
	for (size_t i = 0; i < size && i < 8; i++)
		draw = draw * 131 + data[i];
	check(data, size, false, draw);
	check(data, size, true, draw);
	return 0;
}
