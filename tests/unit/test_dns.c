/*
 * Unit tests of cli/dns, the records: A, AAAA, SRV with their additional
 * addresses, tags, RFC 2782 names, node and addr names, NXDOMAIN and
 * empty answers with the SOA, case, targets. Queries and answers go
 * through libknot (unit/dns_fixture.h). The limits (errors, truncation,
 * EDNS, TCP, shuffling) are in test_dns_limits.c.
 */
#include <string.h>

#include <libknot/libknot.h>

#include "cli/dns/dns.h"
#include "rumor/error.h"
#include "test.h"
#include "unit/dns_fixture.h"

/* ---- answers ------------------------------------------------------------- */

static void
test_a_lists_the_healthy_ipv4_instances(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "web.service.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NOERROR);
	ASSERT(knot_wire_get_aa(p->wire));
	ASSERT(knot_wire_get_qr(p->wire));
	ASSERT(!knot_wire_get_tc(p->wire));
	ASSERT(!knot_wire_get_ra(p->wire));
	ASSERT_EQ(knot_wire_get_id(p->wire), 0x1234);
	ASSERT_EQ(count(p, KNOT_ANSWER, KNOT_RRTYPE_A), 2);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 2);
	ASSERT(has_addr(p, KNOT_ANSWER, "10.0.0.1", "web.service.rumor."));
	ASSERT(has_addr(p, KNOT_ANSWER, "10.0.0.2", "web.service.rumor."));
	ASSERT_EQ(knot_pkt_section(p, KNOT_AUTHORITY)->count, 0);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_aaaa_and_any_list_their_families(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "web.service.rumor.", KNOT_RRTYPE_AAAA);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 1);
	ASSERT(has_addr(p, KNOT_ANSWER, "fd00::4", "web.service.rumor."));
	knot_pkt_free(p);
	p = ask(dns, "web.service.rumor.", KNOT_RRTYPE_ANY);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(count(p, KNOT_ANSWER, KNOT_RRTYPE_A), 2);
	ASSERT_EQ(count(p, KNOT_ANSWER, KNOT_RRTYPE_AAAA), 1);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_srv_gives_port_node_target_and_its_address(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "web.service.rumor.", KNOT_RRTYPE_SRV);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 3);
	ASSERT(has_srv(p, 80, "alpha.node.rumor."));
	ASSERT(has_srv(p, 80, "beta.node.rumor."));
	ASSERT(has_srv(p, 80, "delta.node.rumor."));
	const knot_rrset_t *srv =
		knot_pkt_rr(knot_pkt_section(p, KNOT_ANSWER), 0);
	ASSERT_EQ(knot_wire_read_u16(srv->rrs.rdata->data), 1);
	ASSERT_EQ(knot_wire_read_u16(srv->rrs.rdata->data + 2), 1);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ADDITIONAL)->count, 3);
	ASSERT(has_addr(p, KNOT_ADDITIONAL, "10.0.0.1", "alpha.node.rumor."));
	ASSERT(has_addr(p, KNOT_ADDITIONAL, "10.0.0.2", "beta.node.rumor."));
	ASSERT(has_addr(p, KNOT_ADDITIONAL, "fd00::4", "delta.node.rumor."));
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_a_tag_label_filters_instances_ignoring_case(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "v2.web.service.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 1);
	ASSERT(has_addr(p, KNOT_ANSWER, "10.0.0.1", NULL));
	knot_pkt_free(p);
	/* delta's tag is "V2". */
	p = ask(dns, "v2.web.service.rumor.", KNOT_RRTYPE_AAAA);
	ASSERT_NOT_NULL(p);
	ASSERT(has_addr(p, KNOT_ANSWER, "fd00::4", NULL));
	knot_pkt_free(p);
	p = ask(dns, "v1.web.service.rumor.", KNOT_RRTYPE_SRV);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 1);
	ASSERT(has_srv(p, 80, "beta.node.rumor."));
	knot_pkt_free(p);
	/* primary: only gamma, which is critical. */
	p = ask(dns, "primary.web.service.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NOERROR);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 0);
	ASSERT_NOT_NULL(authority_soa(p));
	knot_pkt_free(p);
	p = ask(dns, "v9.web.service.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NXDOMAIN);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_rfc2782_names_answer_srv(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "_web._tcp.service.rumor.", KNOT_RRTYPE_SRV);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 3);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ADDITIONAL)->count, 3);
	knot_pkt_free(p);
	p = ask(dns, "_web._v2.service.rumor.", KNOT_RRTYPE_SRV);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 2);
	ASSERT(has_srv(p, 80, "alpha.node.rumor."));
	ASSERT(has_srv(p, 80, "delta.node.rumor."));
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_node_names_answer_alive_members_only(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "alpha.node.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 1);
	ASSERT(has_addr(p, KNOT_ANSWER, "10.0.0.1", "alpha.node.rumor."));
	knot_pkt_free(p);
	p = ask(dns, "WEB_box.node.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT(has_addr(p, KNOT_ANSWER, "10.0.0.5", NULL));
	knot_pkt_free(p);
	p = ask(dns, "db1.example.node.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT(has_addr(p, KNOT_ANSWER, "10.0.0.7", NULL));
	knot_pkt_free(p);
	p = ask(dns, "delta.node.rumor.", KNOT_RRTYPE_AAAA);
	ASSERT_NOT_NULL(p);
	ASSERT(has_addr(p, KNOT_ANSWER, "fd00::4", NULL));
	knot_pkt_free(p);
	/* alive, but no IPv6 address: no data */
	p = ask(dns, "alpha.node.rumor.", KNOT_RRTYPE_AAAA);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NOERROR);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 0);
	ASSERT_NOT_NULL(authority_soa(p));
	knot_pkt_free(p);
	p = ask(dns, "dead.node.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NXDOMAIN);
	ASSERT_NOT_NULL(authority_soa(p));
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_unknown_names_are_nxdomain_with_the_soa(void)
{
	struct dns_config cfg;
	dns_config_default(&cfg);
	cfg.negative_ttl_s = 7;
	struct dns *dns = dns_with(&small, &cfg);
	const char *names[] = {"nosuch.service.rumor.", "foo.rumor.",
			       "a.b.c.web.service.rumor.", "x.y.rumor.",
			       "zz.addr.rumor."};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		knot_pkt_t *p = ask(dns, names[i], KNOT_RRTYPE_A);
		ASSERT_NOT_NULL(p);
		ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NXDOMAIN);
		ASSERT(knot_wire_get_aa(p->wire));
		ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 0);
		const knot_rrset_t *soa = authority_soa(p);
		ASSERT_NOT_NULL(soa);
		char owner[KNOT_DNAME_TXT_MAXLEN];
		knot_dname_to_str(owner, soa->owner, sizeof(owner));
		ASSERT_STR_EQ(owner, "rumor.");
		ASSERT_EQ(soa->ttl, 7);
		ASSERT_EQ(knot_soa_minimum(soa->rrs.rdata), 7);
		knot_pkt_free(p);
	}
	dns_delete(dns);
}

static void
test_known_names_without_data_are_empty_noerror_with_the_soa(void)
{
	struct dns *dns = dns_with(&small, NULL);
	const char *names[] = {"down.service.rumor.", "service.rumor.",
			       "node.rumor.", "cache.service.rumor."};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		knot_pkt_t *p = ask(dns, names[i], KNOT_RRTYPE_A);
		ASSERT_NOT_NULL(p);
		ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NOERROR);
		ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 0);
		ASSERT_NOT_NULL(authority_soa(p));
		knot_pkt_free(p);
	}
	knot_pkt_t *p = ask(dns, "web.service.rumor.", KNOT_RRTYPE_TXT);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NOERROR);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 0);
	ASSERT_NOT_NULL(authority_soa(p));
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_the_apex_answers_its_soa(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "rumor.", KNOT_RRTYPE_SOA);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(count(p, KNOT_ANSWER, KNOT_RRTYPE_SOA), 1);
	const knot_rrset_t *soa =
		knot_pkt_rr(knot_pkt_section(p, KNOT_ANSWER), 0);
	char name[KNOT_DNAME_TXT_MAXLEN];
	knot_dname_to_str(name, knot_soa_primary(soa->rrs.rdata),
			  sizeof(name));
	ASSERT_STR_EQ(name, "ns.rumor.");
	knot_dname_to_str(name, knot_soa_mailbox(soa->rrs.rdata),
			  sizeof(name));
	ASSERT_STR_EQ(name, "hostmaster.rumor.");
	ASSERT_EQ(knot_soa_serial(soa->rrs.rdata), 1);
	knot_pkt_free(p);
	p = ask(dns, "rumor.", KNOT_RRTYPE_NS);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 0);
	ASSERT_NOT_NULL(authority_soa(p));
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_names_match_ignoring_case_and_keep_the_askers_spelling(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "WeB.SeRvIcE.RuMoR.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 2);
	/* The question comes back byte for byte, and the answers point at
	 * it (0xc00c) rather than respelling the name. */
	size_t qname = knot_dname_size(query_buf + KNOT_WIRE_HEADER_SIZE);
	ASSERT_MEM_EQ(answer_buf + KNOT_WIRE_HEADER_SIZE,
		      query_buf + KNOT_WIRE_HEADER_SIZE, qname + 4);
	size_t first = KNOT_WIRE_HEADER_SIZE + qname + 4;
	ASSERT_EQ(answer_buf[first], 0xc0);
	ASSERT_EQ(answer_buf[first + 1], KNOT_WIRE_HEADER_SIZE);
	knot_pkt_free(p);
	p = ask(dns, "_WEB._TCP.SERVICE.RUMOR.", KNOT_RRTYPE_SRV);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 3);
	knot_pkt_free(p);
	p = ask(dns, "ALPHA.NODE.RUMOR.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT(has_addr(p, KNOT_ANSWER, "10.0.0.1", NULL));
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_srv_targets_fall_back_to_addr_names_and_share_additionals(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "api.service.rumor.", KNOT_RRTYPE_SRV);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 4);
	/* Its own address: the address in hex, not its node's name. */
	ASSERT(has_srv(p, 9000, "0a010101.addr.rumor."));
	/* "a..b" has no DNS spelling. */
	ASSERT(has_srv(p, 9001, "0a000006.addr.rumor."));
	ASSERT(has_srv(p, 9002, "alpha.node.rumor."));
	/* An own address equal to its node's is its node's. */
	ASSERT(has_srv(p, 9003, "alpha.node.rumor."));
	/* One address per target. */
	ASSERT_EQ(knot_pkt_section(p, KNOT_ADDITIONAL)->count, 3);
	ASSERT(has_addr(p, KNOT_ADDITIONAL, "10.1.1.1",
			"0a010101.addr.rumor."));
	ASSERT(has_addr(p, KNOT_ADDITIONAL, "10.0.0.6",
			"0a000006.addr.rumor."));
	ASSERT(has_addr(p, KNOT_ADDITIONAL, "10.0.0.1", "alpha.node.rumor."));
	knot_pkt_free(p);
	/* A host name address: the SRV points at it, with no address. */
	p = ask(dns, "cache.service.rumor.", KNOT_RRTYPE_SRV);
	ASSERT_NOT_NULL(p);
	ASSERT(has_srv(p, 6379, "cache.example.com."));
	ASSERT_EQ(knot_pkt_section(p, KNOT_ADDITIONAL)->count, 0);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_addr_names_resolve_to_their_address(void)
{
	struct dns *dns = dns_with(&small, NULL);
	knot_pkt_t *p = ask(dns, "0a010101.addr.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT(has_addr(p, KNOT_ANSWER, "10.1.1.1", NULL));
	knot_pkt_free(p);
	p = ask(dns, "fd000000000000000000000000000004.addr.rumor.",
		KNOT_RRTYPE_AAAA);
	ASSERT_NOT_NULL(p);
	ASSERT(has_addr(p, KNOT_ANSWER, "fd00::4", NULL));
	knot_pkt_free(p);
	p = ask(dns, "0a010101.addr.rumor.", KNOT_RRTYPE_AAAA);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NOERROR);
	ASSERT_EQ(knot_pkt_section(p, KNOT_ANSWER)->count, 0);
	knot_pkt_free(p);
	p = ask(dns, "0a01010g.addr.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_NXDOMAIN);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_an_ipv4_address_in_host_order_becomes_network_bytes(void)
{
	struct dns_addr a = dns_addr_ipv4(0x0a000102);
	struct dns_addr b;
	fake_addr("10.0.1.2", &b);
	ASSERT_EQ(a.family, DNS_FAMILY_IPV4);
	ASSERT_MEM_EQ(a.bytes, b.bytes, sizeof(a.bytes));
}

static void
test_ttls_come_from_the_config(void)
{
	struct dns_config cfg;
	dns_config_default(&cfg);
	ASSERT_EQ(cfg.service_ttl_s, 0);
	ASSERT_EQ(cfg.node_ttl_s, 0);
	ASSERT_EQ(cfg.negative_ttl_s, 0);
	cfg.service_ttl_s = 30;
	cfg.node_ttl_s = 60;
	struct dns *dns = dns_with(&small, &cfg);
	knot_pkt_t *p = ask(dns, "web.service.rumor.", KNOT_RRTYPE_SRV);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_rr(knot_pkt_section(p, KNOT_ANSWER), 0)->ttl, 30);
	ASSERT_EQ(knot_pkt_rr(knot_pkt_section(p, KNOT_ADDITIONAL), 0)->ttl,
		  30);
	knot_pkt_free(p);
	p = ask(dns, "alpha.node.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_pkt_rr(knot_pkt_section(p, KNOT_ANSWER), 0)->ttl, 60);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_another_domain_answers_under_it_only(void)
{
	struct dns_config cfg;
	dns_config_default(&cfg);
	ASSERT_OK(dns_config_set_domain(&cfg, "SD.Example"));
	struct dns *dns = dns_with(&small, &cfg);
	knot_pkt_t *p = ask(dns, "web.service.sd.example.", KNOT_RRTYPE_SRV);
	ASSERT_NOT_NULL(p);
	ASSERT(has_srv(p, 80, "alpha.node.sd.example."));
	knot_pkt_free(p);
	p = ask(dns, "web.service.rumor.", KNOT_RRTYPE_A);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(knot_wire_get_rcode(p->wire), KNOT_RCODE_REFUSED);
	knot_pkt_free(p);
	dns_delete(dns);
}

static void
test_domains_are_checked(void)
{
	struct dns_config cfg;
	dns_config_default(&cfg);
	ASSERT_OK(dns_config_check(&cfg));
	ASSERT_OK(dns_config_set_domain(&cfg, "consul"));
	ASSERT_MEM_EQ(cfg.domain, "\x06" "consul", 8);
	const char *bad[] = {"", ".", "a..b", "bad domain", "x\\046y",
			     "caf\xc3\xa9", NULL};
	for (size_t i = 0; bad[i] != NULL; i++)
		ASSERT_EQ(dns_config_set_domain(&cfg, bad[i]), RUMOR_EINVAL);
	char longest[200];
	memset(longest, 'a', sizeof(longest));
	for (size_t i = 60; i < sizeof(longest); i += 61)
		longest[i] = '.';
	longest[126] = '\0';
	ASSERT_OK(dns_config_set_domain(&cfg, longest));
	longest[126] = 'a';
	longest[127] = '\0';
	ASSERT_EQ(dns_config_set_domain(&cfg, longest), RUMOR_EINVAL);
	/* unchanged by the failures */
	ASSERT_EQ(cfg.domain[0], 60);
	cfg.udp_payload_max = 511;
	ASSERT_EQ(dns_config_check(&cfg), RUMOR_EINVAL);
	ASSERT_NULL(dns_with(&small, &cfg));
}

int
main(void)
{
	RUN(test_a_lists_the_healthy_ipv4_instances);
	RUN(test_aaaa_and_any_list_their_families);
	RUN(test_srv_gives_port_node_target_and_its_address);
	RUN(test_a_tag_label_filters_instances_ignoring_case);
	RUN(test_rfc2782_names_answer_srv);
	RUN(test_node_names_answer_alive_members_only);
	RUN(test_unknown_names_are_nxdomain_with_the_soa);
	RUN(test_known_names_without_data_are_empty_noerror_with_the_soa);
	RUN(test_the_apex_answers_its_soa);
	RUN(test_names_match_ignoring_case_and_keep_the_askers_spelling);
	RUN(test_srv_targets_fall_back_to_addr_names_and_share_additionals);
	RUN(test_addr_names_resolve_to_their_address);
	RUN(test_an_ipv4_address_in_host_order_becomes_network_bytes);
	RUN(test_ttls_come_from_the_config);
	RUN(test_another_domain_answers_under_it_only);
	RUN(test_domains_are_checked);
	return TEST_SUMMARY();
}
