/*
 * Unit tests of cli/dns, the limits: REFUSED, FORMERR, NOTIMP, BADVERS,
 * what is dropped, truncation at 512 bytes and at the EDNS size, whole
 * answers over TCP, shuffling by the draw, the counters, and the arena
 * holding the largest answers. The records themselves are in test_dns.c.
 */
#include <string.h>

#include <libknot/libknot.h>

#include "cli/dns/dns.h"
#include "test.h"
#include "unit/dns_fixture.h"

/* The outcome and the rcode of query_buf as it stands. */
static enum dns_outcome
outcome_of(struct dns *dns, int *rcode)
{
	enum dns_outcome o;
	knot_pkt_t *p = answer_query(dns, false, 1, &o);
	*rcode = p != NULL ? knot_wire_get_rcode(p->wire) : -1;
	knot_pkt_free(p);
	return o;
}

static void
test_names_outside_the_domain_and_transfers_are_refused(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "www.example.com.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_REFUSED);
	ASSERT(!knot_wire_get_aa(p->wire));
	ASSERT(!knot_wire_get_ra(p->wire));
	ASSERT(knot_wire_get_rd(p->wire));
	ASSERT_EQ(knot_wire_get_ancount(p->wire), 0);
	ASSERT_EQ(knot_wire_get_qdcount(p->wire), 1);
	knot_pkt_free(p);
	int rcode;
	make_query("rumor.", KNOT_RRTYPE_AXFR, 0);
	ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_REFUSED);
	/* class CH (version.bind and friends) */
	make_query("web.service.rumor.", KNOT_RRTYPE_TXT, 0);
	knot_wire_write_u16(query_buf + query_size - 2, KNOT_CLASS_CH);
	ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_REFUSED);
	ASSERT_EQ(rcode, KNOT_RCODE_REFUSED);
	dns_delete(dns);
}

static void
test_malformed_queries_get_formerr(void)
{
	struct dns *dns = dns_with(&small, NULL);
	int rcode;
	/* the question cut short: only the header comes back */
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
	query_size = KNOT_WIRE_HEADER_SIZE + 5;
	ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_FORMERR);
	ASSERT_EQ(rcode, KNOT_RCODE_FORMERR);
	ASSERT_EQ(answer_size, KNOT_WIRE_HEADER_SIZE);
	ASSERT_EQ(knot_wire_get_id(answer_buf), 0x1234);
	/* two questions, an answer, an authority record, three extras */
	static const int field[] = {4, 6, 8, 10};
	static const uint16_t value[] = {2, 1, 1, 3};
	for (size_t i = 0; i < 4; i++) {
		make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
		knot_wire_write_u16(query_buf + field[i], value[i]);
		ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_FORMERR);
	}
	/* an additional record counted but missing; trailing bytes */
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
	knot_wire_set_arcount(query_buf, 1);
	ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_FORMERR);
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
	query_size += 3;
	ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_FORMERR);
	/* a meta type as the question */
	make_query("web.service.rumor.", KNOT_RRTYPE_OPT, 0);
	ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_FORMERR);
	/* over DNS_QUERY_MAX */
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
	query_size = DNS_QUERY_MAX + 1;
	ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_FORMERR);
	ASSERT_EQ(answer_size, KNOT_WIRE_HEADER_SIZE);
	dns_delete(dns);
}

static void
test_short_packets_and_responses_get_nothing(void)
{
	struct dns *dns = dns_with(&small, NULL);
	int rcode;
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
	for (query_size = 0; query_size < KNOT_WIRE_HEADER_SIZE; query_size++)
		ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_DROPPED);
	ASSERT_EQ(answer_size, 0);
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
	knot_wire_set_qr(query_buf);
	ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_DROPPED);
	ASSERT_EQ(answer_size, 0);
	/* a buffer under 512 bytes is the caller's mistake: nothing */
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
	answer_size = DNS_UDP_MIN - 1;
	ASSERT_EQ(dns_answer(dns, query_buf, query_size, false, 1, answer_buf,
			     &answer_size),
		  DNS_OUTCOME_DROPPED);
	ASSERT_EQ(answer_size, 0);
	dns_delete(dns);
}

static void
test_other_opcodes_get_notimp(void)
{
	struct dns *dns = dns_with(&small, NULL);
	int rcode;
	static const int opcodes[] = {KNOT_OPCODE_IQUERY, KNOT_OPCODE_STATUS,
				      KNOT_OPCODE_NOTIFY, KNOT_OPCODE_UPDATE};
	for (size_t i = 0; i < 4; i++) {
		make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
		knot_wire_set_opcode(query_buf, opcodes[i]);
		ASSERT_EQ(outcome_of(dns, &rcode), DNS_OUTCOME_NOTIMP);
		ASSERT_EQ(rcode, KNOT_RCODE_NOTIMPL);
		ASSERT_EQ(knot_wire_get_opcode(answer_buf), opcodes[i]);
	}
	dns_delete(dns);
}

static void
test_edns_versions_over_0_get_badvers(void)
{
	struct dns *dns = dns_with(&small, NULL);
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 1232);
	/* The OPT closes the query: owner, type, size, ext rcode, version */
	query_buf[query_size - 11 + 6] = 1;
	enum dns_outcome o;
	knot_pkt_t *p = answer_query(dns, false, 1, &o);
	ASSERT_EQ(o, DNS_OUTCOME_BADVERS);
	ASSERT_NOT_NULL(p);
	ASSERT_NOT_NULL(p->opt_rr);
	ASSERT_EQ(knot_pkt_ext_rcode(p), KNOT_RCODE_BADVERS);
	ASSERT_EQ(knot_edns_get_version(p->opt_rr), 0);
	ASSERT_EQ(knot_wire_get_ancount(p->wire), 0);
	knot_pkt_free(p);
	dns_delete(dns);
}

/* "big.service.rumor." takes 19 bytes, its question 23; an A record 16. */
#define BIG_QUESTION (KNOT_WIRE_HEADER_SIZE + 23)

static void
test_udp_answers_truncate_at_512_bytes_with_whole_records(void)
{
	big_fill(100, false);
	struct dns *dns = dns_with(&big, NULL);
	make_query("big.service.rumor.", KNOT_RRTYPE_A, 0);
	enum dns_outcome o;
	knot_pkt_t *p = answer_query(dns, false, 1, &o);
	ASSERT_EQ(o, DNS_OUTCOME_NOERROR);
	ASSERT_NOT_NULL(p);
	ASSERT(knot_wire_get_tc(p->wire));
	ASSERT_LE(answer_size, 512);
	ASSERT_EQ(count(p, KNOT_ANSWER, KNOT_RRTYPE_A),
		  (512 - BIG_QUESTION) / 16);
	ASSERT_NULL(p->opt_rr);
	ASSERT_EQ(dns_stats(dns)->truncated, 1);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_udp_answers_fit_the_edns_size_and_carry_an_opt(void)
{
	big_fill(100, false);
	struct dns *dns = dns_with(&big, NULL);
	/* offered size, the answer's limit */
	static const uint16_t offer[][2] = {
		{1232, 1232}, {4096, 1232}, {100, 512}, {800, 800}};
	for (size_t i = 0; i < 4; i++) {
		make_query("big.service.rumor.", KNOT_RRTYPE_A, offer[i][0]);
		knot_pkt_t *p = answer_query(dns, false, 1, NULL);
		ASSERT_NOT_NULL(p);
		ASSERT(knot_wire_get_tc(p->wire));
		ASSERT_LE(answer_size, offer[i][1]);
		ASSERT_EQ(count(p, KNOT_ANSWER, KNOT_RRTYPE_A),
			  (offer[i][1] - BIG_QUESTION - 11) / 16);
		ASSERT_NOT_NULL(p->opt_rr);
		ASSERT_EQ(knot_edns_get_payload(p->opt_rr), 1232);
		knot_pkt_free(p);
	}
	/* an answer that fits has its OPT too, and no TC */
	dns_delete(dns);
	dns = dns_with(&small, NULL);
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 1232);
	knot_pkt_t *p = answer_query(dns, false, 1, NULL);
	ASSERT_NOT_NULL(p);
	ASSERT(!knot_wire_get_tc(p->wire));
	ASSERT_NOT_NULL(p->opt_rr);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_tcp_answers_are_whole(void)
{
	big_fill(100, false);
	struct dns *dns = dns_with(&big, NULL);
	make_query("big.service.rumor.", KNOT_RRTYPE_A, 0);
	knot_pkt_t *p = answer_query(dns, true, 1, NULL);
	ASSERT_NOT_NULL(p);
	ASSERT(!knot_wire_get_tc(p->wire));
	ASSERT_EQ(count(p, KNOT_ANSWER, KNOT_RRTYPE_A), 100);
	knot_pkt_free(p);
	make_query("big.service.rumor.", KNOT_RRTYPE_SRV, 1232);
	p = answer_query(dns, true, 1, NULL);
	ASSERT_NOT_NULL(p);
	ASSERT(!knot_wire_get_tc(p->wire));
	ASSERT_EQ(count(p, KNOT_ANSWER, KNOT_RRTYPE_SRV), 100);
	ASSERT_EQ(count(p, KNOT_ADDITIONAL, KNOT_RRTYPE_A), 100);
	ASSERT_EQ(dns_stats(dns)->truncated, 0);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_truncated_srv_answers_keep_every_targets_address(void)
{
	big_fill(100, false);
	struct dns *dns = dns_with(&big, NULL);
	make_query("big.service.rumor.", KNOT_RRTYPE_SRV, 0);
	knot_pkt_t *p = answer_query(dns, false, 1, NULL);
	ASSERT_NOT_NULL(p);
	ASSERT(knot_wire_get_tc(p->wire));
	ASSERT_LE(answer_size, 512);
	size_t n = count(p, KNOT_ANSWER, KNOT_RRTYPE_SRV);
	ASSERT_GE(n, 5);
	ASSERT_EQ(count(p, KNOT_ADDITIONAL, KNOT_RRTYPE_A), n);
	const knot_pktsection_t *an = knot_pkt_section(p, KNOT_ANSWER);
	const knot_pktsection_t *ad = knot_pkt_section(p, KNOT_ADDITIONAL);
	for (uint16_t i = 0; i < an->count; i++) {
		const knot_dname_t *target =
			knot_srv_name(knot_pkt_rr(an, i)->rrs.rdata);
		bool found = false;
		for (uint16_t j = 0; j < ad->count; j++)
			found |= knot_dname_is_equal(knot_pkt_rr(ad, j)->owner,
						     target);
		ASSERT(found);
	}
	knot_pkt_free(p);
	dns_delete(dns);
}

/* The first address of the answer to query_buf with this draw. */
static uint8_t
first_address(struct dns *dns, bool tcp, uint64_t draw)
{
	knot_pkt_t *p = answer_query(dns, tcp, draw, NULL);
	if (p == NULL)
		return 0;
	const knot_rrset_t *rr =
		knot_pkt_rr(knot_pkt_section(p, KNOT_ANSWER), 0);
	uint8_t last = rr->rrs.rdata->data[3];
	knot_pkt_free(p);
	return last;
}

static void
test_the_order_and_sample_follow_the_draw_alone(void)
{
	big_fill(20, false);
	struct dns *dns = dns_with(&big, NULL);
	make_query("big.service.rumor.", KNOT_RRTYPE_A, 0);
	uint8_t once[512], again[512];
	size_t size = sizeof(once);
	dns_answer(dns, query_buf, query_size, false, 42, once, &size);
	size_t size2 = sizeof(again);
	dns_answer(dns, query_buf, query_size, false, 42, again, &size2);
	ASSERT_EQ(size, size2);
	ASSERT_MEM_EQ(once, again, size);
	/* Other draws, other orders (of all 20). */
	bool seen[256] = {false};
	size_t firsts = 0;
	for (uint64_t draw = 1; draw <= 16; draw++) {
		uint8_t f = first_address(dns, false, draw);
		firsts += !seen[f];
		seen[f] = true;
	}
	ASSERT_GE(firsts, 4);
	/* And a truncated answer samples from all of them: 100 instances,
	 * 29 per answer, every one turns up over a few draws. */
	big_fill(100, false);
	memset(seen, 0, sizeof(seen));
	for (uint64_t draw = 1; draw <= 60; draw++) {
		knot_pkt_t *p = answer_query(dns, false, draw, NULL);
		ASSERT_NOT_NULL(p);
		const knot_pktsection_t *an = knot_pkt_section(p, KNOT_ANSWER);
		for (uint16_t i = 0; i < an->count; i++) {
			const uint8_t *a = knot_pkt_rr(an, i)->rrs.rdata->data;
			seen[(a[2] * 250 + a[3] - 1) & 0xff] = true;
		}
		knot_pkt_free(p);
	}
	size_t distinct = 0;
	for (size_t i = 0; i < 100; i++)
		distinct += seen[i];
	ASSERT_EQ(distinct, 100);
	dns_delete(dns);
}

static void
test_outcomes_are_counted(void)
{
	struct dns *dns = dns_with(&small, NULL);
	int rcode;
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
	outcome_of(dns, &rcode);
	outcome_of(dns, &rcode);
	make_query("nope.service.rumor.", KNOT_RRTYPE_A, 0);
	outcome_of(dns, &rcode);
	make_query("example.com.", KNOT_RRTYPE_A, 0);
	outcome_of(dns, &rcode);
	make_query("web.service.rumor.", KNOT_RRTYPE_A, 0);
	knot_wire_set_opcode(query_buf, KNOT_OPCODE_UPDATE);
	outcome_of(dns, &rcode);
	knot_wire_set_opcode(query_buf, KNOT_OPCODE_QUERY);
	knot_wire_set_qdcount(query_buf, 0);
	outcome_of(dns, &rcode);
	query_size = 3;
	outcome_of(dns, &rcode);
	const struct dns_stats *s = dns_stats(dns);
	ASSERT_EQ(s->outcome[DNS_OUTCOME_NOERROR], 2);
	ASSERT_EQ(s->outcome[DNS_OUTCOME_NXDOMAIN], 1);
	ASSERT_EQ(s->outcome[DNS_OUTCOME_REFUSED], 1);
	ASSERT_EQ(s->outcome[DNS_OUTCOME_NOTIMP], 1);
	ASSERT_EQ(s->outcome[DNS_OUTCOME_FORMERR], 1);
	ASSERT_EQ(s->outcome[DNS_OUTCOME_DROPPED], 1);
	ASSERT_EQ(s->outcome[DNS_OUTCOME_SERVFAIL], 0);
	ASSERT_EQ(s->truncated, 0);
	ASSERT_STR_EQ(dns_outcome_strs[DNS_OUTCOME_NXDOMAIN], "nxdomain");
	dns_delete(dns);
}

static void
test_the_largest_answers_fit_the_arena(void)
{
	struct dns *dns = dns_with(&big, NULL);
	/* More instances than an answer takes, over TCP: as many as fit,
	 * never SERVFAIL, counted as truncated but no TC. */
	big_fill(BIG_MAX, false);
	static const uint16_t types[] = {KNOT_RRTYPE_A, KNOT_RRTYPE_ANY,
					 KNOT_RRTYPE_SRV};
	for (size_t i = 0; i < 3; i++) {
		make_query("big.service.rumor.", types[i], 0);
		enum dns_outcome o;
		knot_pkt_t *p = answer_query(dns, true, 7, &o);
		ASSERT_EQ(o, DNS_OUTCOME_NOERROR);
		ASSERT_NOT_NULL(p);
		ASSERT(!knot_wire_get_tc(p->wire));
		ASSERT_EQ(knot_wire_get_ancount(p->wire), DNS_ANSWER_MAX);
		knot_pkt_free(p);
	}
	/* Long host names: the SRV data at its largest; 65535 bytes. */
	big_fill(BIG_MAX, true);
	make_query("big.service.rumor.", KNOT_RRTYPE_SRV, 0);
	enum dns_outcome o;
	knot_pkt_t *p = answer_query(dns, true, 7, &o);
	ASSERT_EQ(o, DNS_OUTCOME_NOERROR);
	ASSERT_NOT_NULL(p);
	ASSERT_GE(answer_size, 60000);
	knot_pkt_free(p);
	ASSERT_EQ(dns_stats(dns)->truncated, 4);
	ASSERT_EQ(dns_stats(dns)->outcome[DNS_OUTCOME_SERVFAIL], 0);
	dns_delete(dns);
}

int
main(void)
{
	RUN(test_names_outside_the_domain_and_transfers_are_refused);
	RUN(test_malformed_queries_get_formerr);
	RUN(test_short_packets_and_responses_get_nothing);
	RUN(test_other_opcodes_get_notimp);
	RUN(test_edns_versions_over_0_get_badvers);
	RUN(test_udp_answers_truncate_at_512_bytes_with_whole_records);
	RUN(test_udp_answers_fit_the_edns_size_and_carry_an_opt);
	RUN(test_tcp_answers_are_whole);
	RUN(test_truncated_srv_answers_keep_every_targets_address);
	RUN(test_the_order_and_sample_follow_the_draw_alone);
	RUN(test_outcomes_are_counted);
	RUN(test_the_largest_answers_fit_the_arena);
	return TEST_SUMMARY();
}
