/*
 * dns: answering one query (see dns.h for what is answered).
 *
 * The path of a query: check the header by hand (12 fixed bytes: the
 * opcode and the section counts decide NOTIMP and FORMERR before libknot
 * parses anything, which bounds what the parse can allocate); copy the
 * query into the arena (libknot may rewrite a query's header while
 * parsing, and ours is the caller's const buffer); parse it with
 * knot_pkt_parse; route the question's name (dns_name); ask the
 * directory (dns_select); write the answer over the caller's buffer
 * (dns_build). Every allocation on the way comes from the arena, reset
 * at the start of each call, so a call depends on nothing a previous
 * call left behind.
 *
 * The response packet's RRset arrays are given their final size at the
 * start from the arena (libknot otherwise grows them 16 entries at a
 * time, and an arena cannot free the old ones): knot_pkt_t's rr,
 * rr_info and rrset_allocd are public fields, and libknot only ever grows
 * them when rrset_allocd is too small.
 */
#include <stdlib.h>
#include <string.h>

#include <libknot/libknot.h>

#include "dns.h"
#include "dns_arena.h"
#include "dns_build.h"
#include "dns_name.h"
#include "dns_select.h"

const char *const dns_outcome_strs[dns_outcome_MAX] = {
	"dropped", "noerror", "nxdomain", "refused",
	"formerr", "notimp",  "badvers",  "servfail",
};

/* RRsets one answer may put: SRV or A and AAAA chunks, one additional
 * record per instance, the SOA, the OPT, and spare. */
#define ANSWER_RRSETS_MAX                                                     \
	(2 * (DNS_ANSWER_MAX / DNS_BUILD_CHUNK + 1) + DNS_ANSWER_MAX + 4)

/* Bytes one SRV pick costs the plan (dns_build.c): its data, offset,
 * additional pointer and record (with alignment), duplicate flag and two
 * set slots. */
#define PLAN_BYTES_PER_PICK (264 + 4 + 8 + 32 + 1 + 8)

/* The arena: the query and its parse (the copy, the records' data and
 * owners, libknot's arrays and EDNS option index: under 3 query sizes),
 * two packets, the response's arrays, the picks and the plan, and
 * alignment slack. dns_answer never needs more (test_dns_limits.c
 * fills an answer to the brim to check it). */
#define ARENA_SIZE                                                            \
	(3 * DNS_QUERY_MAX + 2 * sizeof(knot_pkt_t) + 16 * 1024 +             \
	 ANSWER_RRSETS_MAX * (sizeof(knot_rrset_t) + sizeof(knot_rrinfo_t)) + \
	 DNS_ANSWER_MAX * (sizeof(struct dns_pick) + PLAN_BYTES_PER_PICK) +   \
	 64 * 1024)

struct dns {
	struct dns_config cfg;
	struct dns_directory dir;
	struct dns_arena arena;
	struct dns_stats stats;
	/* The zone's SOA record (its data in soa_rdata). */
	knot_rrset_t soa;
	knot_rdata_t *soa_rdata;
};

struct dns *
dns_new(const struct dns_config *cfg, const struct dns_directory *dir)
{
	if (dns_config_check(cfg) != 0 || dir == NULL ||
	    dir->instances == NULL || dir->node == NULL)
		return NULL;
	struct dns *dns = calloc(1, sizeof(*dns));
	if (dns == NULL)
		return NULL;
	dns->cfg = *cfg;
	dns->dir = *dir;
	dns->arena.base = malloc(ARENA_SIZE);
	dns->arena.size = ARENA_SIZE;
	dns->soa_rdata = malloc(knot_rdata_size(DNS_BUILD_SOA_MAX));
	if (dns->arena.base == NULL || dns->soa_rdata == NULL) {
		dns_delete(dns);
		return NULL;
	}
	dns_build_soa_rdata(&dns->cfg, dns->soa_rdata);
	knot_rrset_init(&dns->soa, dns->cfg.domain, KNOT_RRTYPE_SOA,
			KNOT_CLASS_IN, dns->cfg.negative_ttl_s);
	dns->soa.rrs = (knot_rdataset_t){
		.count = 1,
		.size = (uint32_t)knot_rdata_size(dns->soa_rdata->len),
		.rdata = dns->soa_rdata};
	return dns;
}

void
dns_delete(struct dns *dns)
{
	if (dns == NULL)
		return;
	free(dns->arena.base);
	free(dns->soa_rdata);
	free(dns);
}

const struct dns_stats *
dns_stats(const struct dns *dns)
{
	return &dns->stats;
}

/* ---- one query ----------------------------------------------------------- */

/* What one call works with. */
struct call {
	struct dns *dns;
	struct dns_writer w;
	bool tcp;
	uint64_t rand_draw;
	bool truncated;
};

/* The 12 fixed bytes: NOTIMP, FORMERR, or NOERROR to go on. */
static enum dns_outcome
check_header(const uint8_t *q, size_t size)
{
	if (knot_wire_get_opcode(q) != KNOT_OPCODE_QUERY)
		return DNS_OUTCOME_NOTIMP;
	if (size > DNS_QUERY_MAX || knot_wire_get_qdcount(q) != 1 ||
	    knot_wire_get_ancount(q) != 0 || knot_wire_get_nscount(q) != 0 ||
	    knot_wire_get_arcount(q) > DNS_QUERY_RECORDS_MAX)
		return DNS_OUTCOME_FORMERR;
	return DNS_OUTCOME_NOERROR;
}

/* The most an answer to q may take. */
static size_t
answer_limit(const knot_pkt_t *q, bool tcp, const struct dns_config *cfg,
	     size_t cap)
{
	size_t limit = tcp ? DNS_TCP_MAX : DNS_UDP_MIN;
	if (!tcp && q != NULL && q->opt_rr != NULL) {
		limit = knot_edns_get_payload(q->opt_rr);
		if (limit < DNS_UDP_MIN)
			limit = DNS_UDP_MIN;
		if (limit > cfg->udp_payload_max)
			limit = cfg->udp_payload_max;
	}
	return limit < cap ? limit : cap;
}

/* An answer with a header (and the question) and nothing else but the
 * OPT. Returns a KNOT_E* code. */
static int
write_header(struct call *c, uint8_t rcode)
{
	int rc = dns_build_begin(&c->w, rcode, false);
	if (rc == KNOT_EOK)
		rc = dns_build_finish(&c->w);
	return rc;
}

static enum dns_outcome
write_bare(struct call *c, enum dns_outcome outcome, uint8_t rcode)
{
	return write_header(c, rcode) == KNOT_EOK ? outcome
						  : DNS_OUTCOME_SERVFAIL;
}

/* NXDOMAIN, or NOERROR with no data: the SOA in the authority section. */
static enum dns_outcome
write_negative(struct call *c, bool nxdomain)
{
	int rc = dns_build_begin(&c->w, nxdomain ? KNOT_RCODE_NXDOMAIN
						 : KNOT_RCODE_NOERROR,
				 true);
	if (rc == KNOT_EOK)
		rc = dns_build_soa(&c->w, KNOT_AUTHORITY);
	if (rc == KNOT_EOK)
		rc = dns_build_finish(&c->w);
	if (rc != KNOT_EOK)
		return DNS_OUTCOME_SERVFAIL;
	return nxdomain ? DNS_OUTCOME_NXDOMAIN : DNS_OUTCOME_NOERROR;
}

/* One address answering an A, AAAA or ANY question, or no data. */
static enum dns_outcome
write_addr(struct call *c, const struct dns_addr *addr, uint32_t ttl_s)
{
	uint16_t qtype = knot_pkt_qtype(c->w.query);
	bool match = qtype == KNOT_RRTYPE_ANY ||
		     (qtype == KNOT_RRTYPE_A &&
		      addr->family == DNS_FAMILY_IPV4) ||
		     (qtype == KNOT_RRTYPE_AAAA &&
		      addr->family == DNS_FAMILY_IPV6);
	if (!match || addr->family == DNS_FAMILY_NONE)
		return write_negative(c, false);
	int rc = dns_build_begin(&c->w, KNOT_RCODE_NOERROR, true);
	if (rc == KNOT_EOK)
		rc = dns_build_addr(&c->w, addr, ttl_s);
	if (rc == KNOT_EOK)
		rc = dns_build_finish(&c->w);
	return rc == KNOT_EOK ? DNS_OUTCOME_NOERROR : DNS_OUTCOME_SERVFAIL;
}

static enum dns_outcome
answer_apex(struct call *c)
{
	uint16_t qtype = knot_pkt_qtype(c->w.query);
	if (qtype != KNOT_RRTYPE_SOA && qtype != KNOT_RRTYPE_ANY)
		return write_negative(c, false);
	int rc = dns_build_begin(&c->w, KNOT_RCODE_NOERROR, true);
	if (rc == KNOT_EOK)
		rc = dns_build_soa(&c->w, KNOT_ANSWER);
	if (rc == KNOT_EOK)
		rc = dns_build_finish(&c->w);
	return rc == KNOT_EOK ? DNS_OUTCOME_NOERROR : DNS_OUTCOME_SERVFAIL;
}

static unsigned
want_of(uint16_t qtype)
{
	switch (qtype) {
	case KNOT_RRTYPE_A:
		return DNS_WANT_IPV4;
	case KNOT_RRTYPE_AAAA:
		return DNS_WANT_IPV6;
	case KNOT_RRTYPE_ANY:
		return DNS_WANT_IPV4 | DNS_WANT_IPV6;
	case KNOT_RRTYPE_SRV:
		return DNS_WANT_TARGET;
	default:
		return 0;
	}
}

static enum dns_outcome
answer_service(struct call *c, const struct dns_route *route)
{
	unsigned want = want_of(knot_pkt_qtype(c->w.query));
	/* No record is under 16 bytes, so a sample bigger than this could
	 * not fit the answer anyway. */
	size_t cap = c->w.pkt->max_size / 16 + 1;
	if (cap > DNS_ANSWER_MAX)
		cap = DNS_ANSWER_MAX;
	struct dns_pick *picks =
		dns_arena_alloc(c->w.arena, cap * sizeof(*picks));
	if (picks == NULL)
		return DNS_OUTCOME_SERVFAIL;
	struct dns_selection sel;
	dns_select(&sel, &c->dns->dir, route->service, route->tag, want,
		   c->rand_draw, picks, cap);
	if (sel.known == 0)
		return write_negative(c, true);
	if (sel.count == 0)
		return write_negative(c, false);
	size_t used;
	if (dns_build_picks(&c->w, picks, sel.count, want, &used) != KNOT_EOK)
		return DNS_OUTCOME_SERVFAIL;
	if (used < sel.matched) {
		c->truncated = true;
		if (!c->tcp)
			knot_wire_set_tc(c->w.pkt->wire);
	}
	return DNS_OUTCOME_NOERROR;
}

/* A parsed query with its question: answer it. */
static enum dns_outcome
resolve(struct call *c)
{
	const knot_pkt_t *q = c->w.query;
	uint16_t qclass = knot_pkt_qclass(q), qtype = knot_pkt_qtype(q);
	if (qtype == KNOT_RRTYPE_OPT || qtype == KNOT_RRTYPE_TSIG ||
	    qtype == KNOT_RRTYPE_TKEY)
		return write_bare(c, DNS_OUTCOME_FORMERR, KNOT_RCODE_FORMERR);
	if (q->tsig_rr != NULL ||
	    (qclass != KNOT_CLASS_IN && qclass != KNOT_CLASS_ANY) ||
	    qtype == KNOT_RRTYPE_AXFR || qtype == KNOT_RRTYPE_IXFR)
		return write_bare(c, DNS_OUTCOME_REFUSED, KNOT_RCODE_REFUSED);
	struct dns_route route;
	dns_name_route(&route, knot_pkt_qname(q), c->dns->cfg.domain);
	struct dns_addr addr;
	switch (route.kind) {
	case DNS_ROUTE_OUTSIDE:
		return write_bare(c, DNS_OUTCOME_REFUSED, KNOT_RCODE_REFUSED);
	case DNS_ROUTE_NXDOMAIN:
		return write_negative(c, true);
	case DNS_ROUTE_EMPTY:
		return write_negative(c, false);
	case DNS_ROUTE_APEX:
		return answer_apex(c);
	case DNS_ROUTE_SERVICE:
		return answer_service(c, &route);
	case DNS_ROUTE_NODE:
		if (!c->dns->dir.node(c->dns->dir.ctx, route.node, &addr))
			return write_negative(c, true);
		return write_addr(c, &addr, c->dns->cfg.node_ttl_s);
	case DNS_ROUTE_ADDR:
		return write_addr(c, &route.addr, c->dns->cfg.service_ttl_s);
	}
	return DNS_OUTCOME_SERVFAIL;
}

/* The response packet over out, its RRset arrays sized once. */
static knot_pkt_t *
response_new(struct dns_arena *arena, knot_mm_t *mm, uint8_t *out,
	     size_t limit)
{
	knot_pkt_t *r = knot_pkt_new(out, (uint16_t)limit, mm);
	knot_rrset_t *rr =
		dns_arena_alloc(arena, ANSWER_RRSETS_MAX * sizeof(*rr));
	knot_rrinfo_t *info =
		dns_arena_alloc(arena, ANSWER_RRSETS_MAX * sizeof(*info));
	if (r == NULL || rr == NULL || info == NULL)
		return NULL;
	r->rr = rr;
	r->rr_info = info;
	r->rrset_allocd = ANSWER_RRSETS_MAX;
	return r;
}

/* Parse the query into the arena; returns NOERROR to answer it, or the
 * error to answer with (*q is then set when its header was readable). */
static enum dns_outcome
parse(struct dns_arena *arena, knot_mm_t *mm, const uint8_t *query,
      size_t size, knot_pkt_t **q)
{
	enum dns_outcome early = check_header(query, size);
	/* An oversized query is answered from its header alone. */
	size_t keep = size > DNS_QUERY_MAX ? KNOT_WIRE_HEADER_SIZE : size;
	uint8_t *copy = dns_arena_alloc(arena, keep);
	if (copy == NULL)
		return DNS_OUTCOME_DROPPED;
	memcpy(copy, query, keep);
	*q = knot_pkt_new(copy, (uint16_t)keep, mm);
	if (*q == NULL)
		return DNS_OUTCOME_DROPPED;
	if (early != DNS_OUTCOME_NOERROR) {
		/* For the echo of the question only; it may fail. */
		(void)knot_pkt_parse_question(*q);
		return early;
	}
	if (knot_pkt_parse(*q, 0) != KNOT_EOK)
		return DNS_OUTCOME_FORMERR;
	if ((*q)->opt_rr != NULL && knot_edns_get_version((*q)->opt_rr) != 0)
		return DNS_OUTCOME_BADVERS;
	return DNS_OUTCOME_NOERROR;
}

static enum dns_outcome
answer(struct call *c, const uint8_t *query, size_t size, uint8_t *out,
       size_t cap)
{
	if (size < KNOT_WIRE_HEADER_SIZE || knot_wire_get_qr(query) ||
	    cap < DNS_UDP_MIN)
		return DNS_OUTCOME_DROPPED;
	struct dns *dns = c->dns;
	struct dns_arena *arena = &dns->arena;
	dns_arena_reset(arena);
	knot_mm_t mm = dns_arena_mm(arena);
	knot_pkt_t *q = NULL;
	enum dns_outcome early = parse(arena, &mm, query, size, &q);
	if (early == DNS_OUTCOME_DROPPED)
		return early;
	/* EDNS only when the query parsed: an OPT in a malformed query
	 * is not trusted for its size, nor answered with one. */
	bool edns = (early == DNS_OUTCOME_NOERROR ||
		     early == DNS_OUTCOME_BADVERS) &&
		    q->opt_rr != NULL;
	size_t limit = answer_limit(edns ? q : NULL, c->tcp, &dns->cfg, cap);
	knot_rrset_t opt;
	uint8_t ext_rcode = early == DNS_OUTCOME_BADVERS
				    ? KNOT_EDNS_RCODE_HI(KNOT_RCODE_BADVERS)
				    : 0;
	if (edns && knot_edns_init(&opt, dns->cfg.udp_payload_max, ext_rcode,
				   0, &mm) != KNOT_EOK)
		return DNS_OUTCOME_DROPPED;
	c->w = (struct dns_writer){
		.pkt = response_new(arena, &mm, out, limit),
		.query = q,
		.cfg = &dns->cfg,
		.arena = arena,
		.opt = edns ? &opt : NULL,
		.soa = &dns->soa,
	};
	if (c->w.pkt == NULL)
		return DNS_OUTCOME_DROPPED;
	enum dns_outcome o;
	switch (early) {
	case DNS_OUTCOME_NOTIMP:
		o = write_bare(c, early, KNOT_RCODE_NOTIMPL);
		break;
	case DNS_OUTCOME_FORMERR:
		o = write_bare(c, early, KNOT_RCODE_FORMERR);
		break;
	case DNS_OUTCOME_BADVERS:
		o = write_bare(c, early,
			       KNOT_EDNS_RCODE_LO(KNOT_RCODE_BADVERS));
		break;
	default:
		o = resolve(c);
		break;
	}
	if (o == DNS_OUTCOME_SERVFAIL) {
		c->truncated = false;
		if (write_header(c, KNOT_RCODE_SERVFAIL) != KNOT_EOK)
			return DNS_OUTCOME_DROPPED;
	}
	return o;
}

enum dns_outcome
dns_answer(struct dns *dns, const uint8_t *query, size_t query_size,
	   bool tcp, uint64_t rand_draw, uint8_t *out, size_t *out_size)
{
	struct call c = {.dns = dns, .tcp = tcp, .rand_draw = rand_draw};
	size_t cap = *out_size;
	*out_size = 0;
	enum dns_outcome o = answer(&c, query, query_size, out, cap);
	if (o != DNS_OUTCOME_DROPPED)
		*out_size = c.w.pkt->size;
	dns->stats.outcome[o]++;
	dns->stats.truncated += c.truncated;
	return o;
}
