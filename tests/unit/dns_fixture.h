/*
 * The cluster cli/dns is tested against, and asking it: a fake directory
 * (tests/dns_fake.h) of a few services and members, queries built with
 * libknot into a static buffer, answered by dns_answer, parsed back with
 * libknot, and a few questions about the parsed answer. Used by
 * test_dns.c and test_dns_limits.c.
 */
#ifndef RUMOR_TESTS_DNS_FIXTURE_H
#define RUMOR_TESTS_DNS_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libknot/libknot.h>

#include "cli/dns/dns.h"
#include "dns_fake.h"

/* Not every test file uses every table. */
#define FIXTURE_UNUSED __attribute__((unused))

/* ---- the cluster ------------------------------------------------------- */

static const struct fake_node nodes[] FIXTURE_UNUSED = {
	{"alpha", "10.0.0.1", true},	 {"beta", "10.0.0.2", true},
	{"gamma", "10.0.0.3", true},	 {"delta", "fd00::4", true},
	{"dead", "10.0.0.9", false},	 {"Web_Box", "10.0.0.5", true},
	{"a..b", "10.0.0.6", true},	 {"db1.example", "10.0.0.7", true},
};

static const struct fake_instance instances[] FIXTURE_UNUSED = {
	{"web", "alpha", NULL, 80, {"v2"}, 1, true},
	{"web", "beta", NULL, 80, {"v1"}, 1, true},
	{"web", "gamma", NULL, 8080, {"v2", "primary"}, 2, false},
	{"web", "delta", NULL, 80, {"V2"}, 1, true},
	{"web", "dead", NULL, 80, {"v2"}, 1, true},
	{"api", "alpha", "10.1.1.1", 9000, {0}, 0, true},
	{"api", "a..b", NULL, 9001, {0}, 0, true},
	{"api", "alpha", NULL, 9002, {0}, 0, true},
	{"api", "alpha", "10.0.0.1", 9003, {0}, 0, true},
	{"cache", "Web_Box", "cache.example.com", 6379, {0}, 0, true},
	{"down", "alpha", NULL, 1, {0}, 0, false},
};

static struct fake_dir small FIXTURE_UNUSED = {
	instances, sizeof(instances) / sizeof(instances[0]), nodes,
	sizeof(nodes) / sizeof(nodes[0]), 0, 0};

/* "big": n instances, each on node alpha with its own address 10.2.x.y
 * (or a long host name), for answers that do not fit. */
#define BIG_MAX 1100
static struct fake_instance big_instances[BIG_MAX] FIXTURE_UNUSED;
static char big_addrs[BIG_MAX][80] FIXTURE_UNUSED;
static struct fake_dir big FIXTURE_UNUSED = {big_instances, 0, nodes, 8, 0, 0};

static inline void
big_fill(size_t n, bool hosts)
{
	for (size_t i = 0; i < n; i++) {
		if (hosts)
			snprintf(big_addrs[i], sizeof(big_addrs[i]),
				 "instance-%04zu.a-rather-long-label-for-"
				 "padding.example.com",
				 i);
		else
			snprintf(big_addrs[i], sizeof(big_addrs[i]),
				 "10.2.%zu.%zu", i / 250, i % 250 + 1);
		big_instances[i] = (struct fake_instance){
			"big", "alpha", big_addrs[i], (uint16_t)(1000 + i),
			{0}, 0, true};
	}
	big.count = n;
}

/* ---- asking ------------------------------------------------------------ */

static uint8_t query_buf[DNS_QUERY_MAX + 64];
static size_t query_size;
static uint8_t answer_buf[DNS_TCP_MAX];
static size_t answer_size;

/* Build a query for name/type in query_buf: class IN, id 0x1234, RD; an
 * OPT offering edns bytes unless edns is 0. */
static inline void
make_query(const char *name, uint16_t type, uint16_t edns)
{
	knot_pkt_t *q = knot_pkt_new(query_buf, sizeof(query_buf), NULL);
	knot_pkt_clear(q); /* over a given buffer, knot_pkt_new keeps it */
	knot_dname_storage_t dname;
	knot_dname_from_str(dname, name, sizeof(dname));
	knot_pkt_put_question(q, dname, KNOT_CLASS_IN, type);
	knot_wire_set_id(q->wire, 0x1234);
	knot_wire_set_rd(q->wire);
	if (edns != 0) {
		knot_rrset_t opt;
		knot_edns_init(&opt, edns, 0, 0, NULL);
		knot_pkt_begin(q, KNOT_ADDITIONAL);
		knot_pkt_put(q, KNOT_COMPR_HINT_NONE, &opt, KNOT_PF_FREE);
	}
	query_size = q->size;
	knot_pkt_free(q);
}

static inline struct dns *
dns_with(struct fake_dir *d, const struct dns_config *cfg)
{
	struct dns_config def;
	if (cfg == NULL) {
		dns_config_default(&def);
		cfg = &def;
	}
	struct dns_directory dir = fake_directory(d);
	return dns_new(cfg, &dir);
}

/* Answer query_buf; the parsed answer, or NULL when nothing was sent. */
static inline knot_pkt_t *
answer_query(struct dns *dns, bool tcp, uint64_t draw, enum dns_outcome *o)
{
	answer_size = sizeof(answer_buf);
	enum dns_outcome got = dns_answer(dns, query_buf, query_size, tcp,
					  draw, answer_buf, &answer_size);
	if (o != NULL)
		*o = got;
	if (answer_size == 0)
		return NULL;
	knot_pkt_t *p = knot_pkt_new(answer_buf, (uint16_t)answer_size, NULL);
	if (knot_pkt_parse(p, 0) != KNOT_EOK) {
		knot_pkt_free(p);
		return NULL;
	}
	return p;
}

static inline knot_pkt_t *
ask(struct dns *dns, const char *name, uint16_t type)
{
	make_query(name, type, 0);
	return answer_query(dns, false, 1, NULL);
}

static inline size_t
count(const knot_pkt_t *p, knot_section_t s, uint16_t type)
{
	const knot_pktsection_t *sec = knot_pkt_section(p, s);
	size_t n = 0;
	for (uint16_t i = 0; i < sec->count; i++)
		n += knot_pkt_rr(sec, i)->type == type;
	return n;
}

/* Does section s hold an A or AAAA record for ip (owned by owner, when
 * given)? */
static inline bool
has_addr(const knot_pkt_t *p, knot_section_t s, const char *ip,
	 const char *owner)
{
	struct dns_addr a;
	fake_addr(ip, &a);
	uint16_t type = a.family == DNS_FAMILY_IPV4 ? KNOT_RRTYPE_A
						    : KNOT_RRTYPE_AAAA;
	const knot_pktsection_t *sec = knot_pkt_section(p, s);
	for (uint16_t i = 0; i < sec->count; i++) {
		const knot_rrset_t *rr = knot_pkt_rr(sec, i);
		char name[KNOT_DNAME_TXT_MAXLEN];
		knot_dname_to_str(name, rr->owner, sizeof(name));
		if (rr->type == type &&
		    memcmp(rr->rrs.rdata->data, a.bytes, rr->rrs.rdata->len) ==
			    0 &&
		    (owner == NULL || strcmp(name, owner) == 0))
			return true;
	}
	return false;
}

/* Does the answer hold an SRV record with this port and target? */
static inline bool
has_srv(const knot_pkt_t *p, uint16_t port, const char *target)
{
	const knot_pktsection_t *sec = knot_pkt_section(p, KNOT_ANSWER);
	for (uint16_t i = 0; i < sec->count; i++) {
		const knot_rrset_t *rr = knot_pkt_rr(sec, i);
		if (rr->type != KNOT_RRTYPE_SRV)
			continue;
		char name[KNOT_DNAME_TXT_MAXLEN];
		knot_dname_to_str(name, knot_srv_name(rr->rrs.rdata),
				  sizeof(name));
		if (knot_wire_read_u16(rr->rrs.rdata->data + 4) == port &&
		    strcmp(name, target) == 0)
			return true;
	}
	return false;
}

static inline const knot_rrset_t *
authority_soa(const knot_pkt_t *p)
{
	const knot_pktsection_t *sec = knot_pkt_section(p, KNOT_AUTHORITY);
	if (sec->count != 1 || knot_pkt_rr(sec, 0)->type != KNOT_RRTYPE_SOA)
		return NULL;
	return knot_pkt_rr(sec, 0);
}

#endif /* RUMOR_TESTS_DNS_FIXTURE_H */
