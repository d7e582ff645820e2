/*
 * dns: the agent's DNS interface, the pure part. A query's bytes in, an
 * answer's bytes out; no sockets, no clock, no hidden randomness, no
 * globals. The agent owns the sockets (UDP, and TCP with its 2-byte
 * length prefix), calls dns_answer for each query with a random draw
 * and sends what it writes.
 *
 *	struct dns_config cfg;
 *	dns_config_default(&cfg);                 // domain "rumor."
 *	struct dns_directory dir = {agent, agent_dns_instances,
 *				    agent_dns_node};
 *	struct dns *dns = dns_new(&cfg, &dir);
 *	...
 *	size_t size = sizeof(buf);                // >= DNS_UDP_MIN
 *	dns_answer(dns, query, query_size, false, draw, buf, &size);
 *	if (size > 0)
 *		send(buf, size);
 *
 * The names it answers are in dns_name.h; the directory's contract in
 * dns_directory.h. Answers:
 *
 * - A/AAAA (ANY: both) for a service: its healthy instances with such an
 *   address, sampled and shuffled with the draw (dns_select.h); SRV:
 *   priority 1, weight 1, the port, a target (dns_name.h), and the
 *   target's address in the additional section.
 * - NXDOMAIN for a name that names nothing (an unknown service or tag, a
 *   member that is not alive); NOERROR with no records for a name that
 *   exists without records of the asked type (a known service with
 *   nothing healthy). Both carry the zone's SOA in the authority section;
 *   its MINIMUM and TTL are the negative TTL.
 * - REFUSED for names outside the domain (no recursion, RA clear), for
 *   classes other than IN/ANY, zone transfers and signed (TSIG) queries;
 *   FORMERR for a malformed query, a meta type as the question, a query
 *   with records in its answer or authority section or over
 *   DNS_QUERY_MAX bytes; NOTIMP for opcodes other than QUERY; BADVERS
 *   for EDNS versions other than 0. Nothing at all for a datagram
 *   shorter than a header or one that is itself a response (QR set),
 *   so two servers cannot loop.
 * - Over UDP an answer holds at most 512 bytes, or what the client's
 *   EDNS0 OPT offers (at most cfg.udp_payload_max); an answer with an
 *   OPT gets one back. When the instances do not fit, as many as fit are
 *   sent, whole records only, with TC set, and the client asks again
 *   over TCP, where the answer holds up to 65535 bytes (and up to
 *   DNS_ANSWER_MAX instances; more are left out without TC, since TCP
 *   has no bigger fallback).
 *
 * Cost: a query is bounded in size (DNS_QUERY_MAX) and records
 * (DNS_QUERY_RECORDS_MAX); an answer in instances; every byte of memory
 * comes from one arena allocated by dns_new, so answering never
 * allocates and a hostile packet costs bounded time and memory.
 */
#ifndef RUMOR_DNS_H
#define RUMOR_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_config.h"
#include "dns_directory.h"

/** Smallest answer buffer dns_answer accepts (RFC 1035's UDP size). */
#define DNS_UDP_MIN 512
/** Largest answer (a TCP message; its length prefix is the caller's). */
#define DNS_TCP_MAX 65535
/** Largest query answered; longer ones get FORMERR. A real query is a
 *  header, one name and an OPT with a few options (even padded to 468
 *  bytes, RFC 8467). */
#define DNS_QUERY_MAX 4096
/** Records a query may carry beyond its question: an OPT and a TSIG. */
#define DNS_QUERY_RECORDS_MAX 2
/** Instances in one answer (a TCP answer of A records holds 4094). */
#define DNS_ANSWER_MAX 1024

/** What became of a query (the agent's metrics). */
enum dns_outcome {
	/** No answer sent: shorter than a header, or a response. */
	DNS_OUTCOME_DROPPED = 0,
	DNS_OUTCOME_NOERROR,
	DNS_OUTCOME_NXDOMAIN,
	DNS_OUTCOME_REFUSED,
	DNS_OUTCOME_FORMERR,
	DNS_OUTCOME_NOTIMP,
	DNS_OUTCOME_BADVERS,
	/** The answer could not be written (it should not happen). */
	DNS_OUTCOME_SERVFAIL,
	dns_outcome_MAX
};

/** "dropped", "noerror", ... (for metric labels). */
extern const char *const dns_outcome_strs[dns_outcome_MAX];

/** Counters since dns_new. */
struct dns_stats {
	/** Queries by outcome. */
	uint64_t outcome[dns_outcome_MAX];
	/** NOERROR answers that left instances out: UDP ones (with TC)
	 *  and TCP ones over DNS_ANSWER_MAX instances or 65535 bytes. */
	uint64_t truncated;
};

struct dns;

/**
 * A DNS interface answering from dir under cfg (both copied; dir->ctx
 * is the agent's and must outlive it). NULL when cfg fails
 * dns_config_check or out of memory.
 */
struct dns *
dns_new(const struct dns_config *cfg, const struct dns_directory *dir);

void
dns_delete(struct dns *dns);

/**
 * Answer one query (query[0..query_size), without TCP's length prefix).
 * tcp: it came over TCP (answers up to DNS_TCP_MAX bytes, never TC).
 * rand_draw: a fresh random number; the instances' sample and order
 * depend on nothing else. out holds *out_size bytes (at least
 * DNS_UDP_MIN; DNS_TCP_MAX for TCP to get whole answers); on return
 * *out_size is the answer's size, 0 when nothing is to be sent.
 * Returns the outcome, also counted in dns_stats.
 */
enum dns_outcome
dns_answer(struct dns *dns, const uint8_t *query, size_t query_size,
	   bool tcp, uint64_t rand_draw, uint8_t *out, size_t *out_size);

/** The counters. */
const struct dns_stats *
dns_stats(const struct dns *dns);

#endif /* RUMOR_DNS_H */
