/*
 * dns_build: writing answers with libknot. Every record goes through
 * knot_pkt_put onto the caller's buffer (libknot encodes, compresses
 * names and counts sections); this file decides which records, in which
 * section, and how many fit.
 *
 * Fitting. An answer is written whole or not at all: when a set of
 * instances does not fit the size limit (512 bytes, the client's EDNS
 * size, or 65535 over TCP), the answer is written again from the start
 * with fewer instances, so no record is ever cut and every SRV record
 * that is sent has its address record with it. How many fit is guessed
 * from the records' sizes and checked by writing (the guess, then one
 * more), with bisection when the guess is wrong: libknot alone decides
 * what fits. The caller sets TC on a UDP answer that left instances
 * out.
 *
 * RRsets are put in chunks of DNS_BUILD_CHUNK records: libknot seeks a
 * record of an RRset by walking from its first one, so one big RRset
 * costs quadratic time, and it remembers where the first 15 names of an
 * RRset's data were written, which lets each additional record point
 * back at its SRV target (a 2-byte pointer instead of the name).
 */
#ifndef RUMOR_DNS_BUILD_H
#define RUMOR_DNS_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libknot/libknot.h>

#include "dns_arena.h"
#include "dns_config.h"
#include "dns_select.h"

/** Records per knot_pkt_put (the compression hints libknot keeps for one
 *  RRset's data: KNOT_COMPR_HINT_COUNT - 1). */
#define DNS_BUILD_CHUNK 15

/** Bytes of an SOA's data: two names of up to 255 bytes, five numbers. */
#define DNS_BUILD_SOA_MAX (2 * 255 + 20)

/** One answer being written. */
struct dns_writer {
	/** The response, over the caller's buffer; max_size is the limit. */
	knot_pkt_t *pkt;
	/** The parsed question. */
	const knot_pkt_t *query;
	const struct dns_config *cfg;
	struct dns_arena *arena;
	/** The OPT record to end the answer with, or NULL (no EDNS). */
	const knot_rrset_t *opt;
	/** The zone's SOA record (owner: the domain). */
	const knot_rrset_t *soa;
};

/**
 * Start (or restart) the answer: header and question from the query,
 * rcode (the low 4 bits; an extended rcode goes in the OPT), AA when
 * authoritative, room kept for the OPT. Returns a KNOT_E* code.
 */
int
dns_build_begin(struct dns_writer *w, uint8_t rcode, bool authoritative);

/** Put the OPT record (when there is one) in the additional section;
 *  last. Returns a KNOT_E* code. */
int
dns_build_finish(struct dns_writer *w);

/** Put the SOA record in section (KNOT_ANSWER for an SOA question,
 *  KNOT_AUTHORITY for a negative answer). */
int
dns_build_soa(struct dns_writer *w, knot_section_t section);

/** Put one A or AAAA record for the question's name. */
int
dns_build_addr(struct dns_writer *w, const struct dns_addr *addr,
	       uint32_t ttl_s);

/**
 * Write a whole NOERROR answer for picks[0..count): A and AAAA records
 * (want IPV4/IPV6) or SRV records with their targets' addresses in the
 * additional section (want TARGET). Uses as many picks, in order, as fit;
 * *used says how many. Returns a KNOT_E* code (KNOT_ENOMEM when the
 * arena is full).
 */
int
dns_build_picks(struct dns_writer *w, const struct dns_pick *picks,
		size_t count, unsigned want, size_t *used);

/** Make the SOA data for cfg (ns.D, hostmaster.D, its serial, timers and
 *  negative TTL) into rdata (room for DNS_BUILD_SOA_MAX + 2 bytes). */
void
dns_build_soa_rdata(const struct dns_config *cfg, knot_rdata_t *rdata);

#endif /* RUMOR_DNS_BUILD_H */
