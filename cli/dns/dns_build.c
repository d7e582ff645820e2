/*
 * dns_build: answers written with libknot (see dns_build.h).
 *
 * Record data is laid out once per answer in the arena, in the order of
 * the picks, one contiguous knot_rdata_t run per type, so "the first k
 * picks" is a prefix of every run and an attempt with fewer picks only
 * points RRsets at shorter prefixes: nothing is copied again.
 */
#include <stdint.h>
#include <string.h>

#include "dns_build.h"
#include "dns_name.h"

/* SOA timers (RFC 1912 2.2's ranges). Nothing transfers this zone, so
 * only MINIMUM (the negative TTL) matters to anyone. */
#define SOA_REFRESH_S 3600
#define SOA_RETRY_S 600
#define SOA_EXPIRE_S 86400

/* An SRV record's data: priority, weight, port, then the target. As
 * Consul: every instance equal, priority 1 and weight 1. */
#define SRV_FIXED 6
#define SRV_PRIORITY 1
#define SRV_WEIGHT 1

/* The answer's data, by pick (see the design comment). */
struct plan {
	const struct dns_pick *picks;
	size_t count;
	unsigned want;
	/* A and AAAA: runs of fixed-size data, so the j-th is at j * size. */
	uint8_t *a, *aaaa;
	/* SRV: the run, and pick i's data at srv + srv_at[i]
	 * (srv_at[count]: the end). */
	uint8_t *srv;
	uint32_t *srv_at;
	/* SRV: pick i's additional address, or NULL (a host name, or a
	 * target an earlier pick already has). */
	const knot_rdata_t **add;
	/* SRV: per chunk of the attempt, its index among the packet's
	 * RRsets, to find where its targets were written. */
	uint16_t *chunk_rr;
};

static knot_rdata_t *
rdata_alloc(struct dns_arena *arena, uint16_t len)
{
	return dns_arena_alloc(arena, knot_rdata_size(len));
}

int
dns_build_begin(struct dns_writer *w, uint8_t rcode, bool authoritative)
{
	int rc = knot_pkt_init_response(w->pkt, w->query);
	if (rc != KNOT_EOK)
		return rc;
	knot_wire_set_rcode(w->pkt->wire, rcode);
	if (authoritative)
		knot_wire_set_aa(w->pkt->wire);
	if (w->opt == NULL)
		return KNOT_EOK;
	knot_rrset_t *opt = (knot_rrset_t *)w->opt;
	return knot_pkt_reserve(w->pkt, (uint16_t)knot_edns_wire_size(opt));
}

int
dns_build_finish(struct dns_writer *w)
{
	if (w->opt == NULL)
		return KNOT_EOK;
	knot_rrset_t *opt = (knot_rrset_t *)w->opt;
	int rc = knot_pkt_begin(w->pkt, KNOT_ADDITIONAL);
	if (rc == KNOT_EOK)
		rc = knot_pkt_reclaim(w->pkt,
				      (uint16_t)knot_edns_wire_size(opt));
	if (rc == KNOT_EOK)
		rc = knot_pkt_put(w->pkt, KNOT_COMPR_HINT_NONE, opt, 0);
	return rc;
}

int
dns_build_soa(struct dns_writer *w, knot_section_t section)
{
	int rc = knot_pkt_begin(w->pkt, section);
	if (rc != KNOT_EOK)
		return rc;
	return knot_pkt_put(w->pkt, KNOT_COMPR_HINT_NONE, w->soa, 0);
}

/* An RRset owned by the question's name (written as a pointer to it). */
static int
put_qname_rrset(struct dns_writer *w, uint16_t type, uint32_t ttl_s,
		uint8_t *rdata, uint16_t count, uint32_t size)
{
	knot_rrset_t rr;
	knot_rrset_init(&rr, (knot_dname_t *)knot_pkt_qname(w->query), type,
			KNOT_CLASS_IN, ttl_s);
	rr.rrs = (knot_rdataset_t){
		.count = count, .size = size, .rdata = (knot_rdata_t *)rdata};
	return knot_pkt_put(w->pkt, KNOT_COMPR_HINT_QNAME, &rr, 0);
}

static uint16_t
addr_len(const struct dns_addr *addr)
{
	return addr->family == DNS_FAMILY_IPV4 ? 4 : 16;
}

static uint16_t
addr_type(const struct dns_addr *addr)
{
	return addr->family == DNS_FAMILY_IPV4 ? KNOT_RRTYPE_A
					       : KNOT_RRTYPE_AAAA;
}

int
dns_build_addr(struct dns_writer *w, const struct dns_addr *addr,
	       uint32_t ttl_s)
{
	uint16_t len = addr_len(addr);
	knot_rdata_t *rd = rdata_alloc(w->arena, len);
	if (rd == NULL)
		return KNOT_ENOMEM;
	knot_rdata_init(rd, len, addr->bytes);
	int rc = knot_pkt_begin(w->pkt, KNOT_ANSWER);
	if (rc != KNOT_EOK)
		return rc;
	return put_qname_rrset(w, addr_type(addr), ttl_s, (uint8_t *)rd, 1,
			       (uint32_t)knot_rdata_size(len));
}

/* ---- planning ---------------------------------------------------------- */

/* The name an SRV record of pick p points at: its host name; its node's
 * name when the address is its node's and the name spells in DNS; else
 * its address in hex. */
static size_t
srv_target(uint8_t *out, size_t cap, const struct dns_pick *p,
	   const uint8_t *domain)
{
	if (p->host != NULL)
		return dns_name_host(out, cap, p->host);
	size_t n = 0;
	if (!p->own && p->node != NULL)
		n = dns_name_node_target(out, cap, p->node, domain);
	if (n == 0)
		n = dns_name_addr_target(out, cap, &p->addr, domain);
	return n;
}

static uint32_t
name_hash(const uint8_t *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ name[i]) * 16777619u;
	return h;
}

/* Mark the picks whose target an earlier pick already has (their address
 * would repeat in the additional section), with an open-addressing set
 * of pick indices. */
static bool
plan_dedup(struct plan *p, struct dns_arena *arena, bool *dup)
{
	size_t slots = 16;
	while (slots < 2 * p->count)
		slots *= 2;
	uint32_t *set = dns_arena_alloc(arena, slots * sizeof(*set));
	if (set == NULL)
		return false;
	memset(set, 0xff, slots * sizeof(*set));
	for (size_t i = 0; i < p->count; i++) {
		const knot_rdata_t *rd =
			(const knot_rdata_t *)(p->srv + p->srv_at[i]);
		const uint8_t *name = rd->data + SRV_FIXED;
		size_t len = rd->len - SRV_FIXED;
		size_t at = name_hash(name, len) & (slots - 1);
		dup[i] = false;
		for (; set[at] != UINT32_MAX; at = (at + 1) & (slots - 1)) {
			const knot_rdata_t *o = (const knot_rdata_t *)(
				p->srv + p->srv_at[set[at]]);
			if (o->len == rd->len &&
			    memcmp(o->data + SRV_FIXED, name, len) == 0) {
				dup[i] = true;
				break;
			}
		}
		if (!dup[i])
			set[at] = (uint32_t)i;
	}
	return true;
}

static bool
plan_srv(struct plan *p, struct dns_writer *w)
{
	struct dns_arena *arena = w->arena;
	size_t n = p->count;
	p->srv = dns_arena_alloc(arena,
				 n * knot_rdata_size(SRV_FIXED + 255) + 1);
	p->srv_at = dns_arena_alloc(arena, (n + 1) * sizeof(*p->srv_at));
	p->add = dns_arena_alloc(arena, (n + 1) * sizeof(*p->add));
	p->chunk_rr = dns_arena_alloc(
		arena, (n / DNS_BUILD_CHUNK + 1) * sizeof(*p->chunk_rr));
	bool *dup = dns_arena_alloc(arena, n + 1);
	if (p->srv == NULL || p->srv_at == NULL || p->add == NULL ||
	    p->chunk_rr == NULL || dup == NULL)
		return false;
	uint32_t at = 0;
	for (size_t i = 0; i < n; i++) {
		const struct dns_pick *pk = &p->picks[i];
		knot_rdata_t *rd = (knot_rdata_t *)(p->srv + at);
		uint8_t *d = rd->data;
		knot_wire_write_u16(d, SRV_PRIORITY);
		knot_wire_write_u16(d + 2, SRV_WEIGHT);
		knot_wire_write_u16(d + 4, pk->port);
		size_t tlen = srv_target(d + SRV_FIXED, 255, pk,
					 w->cfg->domain);
		if (tlen == 0)
			return false; /* dns_select checked hosts */
		rd->len = (uint16_t)(SRV_FIXED + tlen);
		if (rd->len & 1)
			d[rd->len] = 0;
		p->srv_at[i] = at;
		at += (uint32_t)knot_rdata_size(rd->len);
	}
	p->srv_at[n] = at;
	if (!plan_dedup(p, arena, dup))
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct dns_addr *addr = &p->picks[i].addr;
		p->add[i] = NULL;
		if (dup[i] || addr->family == DNS_FAMILY_NONE)
			continue;
		knot_rdata_t *rd = rdata_alloc(arena, addr_len(addr));
		if (rd == NULL)
			return false;
		knot_rdata_init(rd, addr_len(addr), addr->bytes);
		p->add[i] = rd;
	}
	return true;
}

static bool
plan_addrs(struct plan *p, struct dns_arena *arena)
{
	size_t n = p->count;
	p->a = dns_arena_alloc(arena, n * knot_rdata_size(4) + 1);
	p->aaaa = dns_arena_alloc(arena, n * knot_rdata_size(16) + 1);
	if (p->a == NULL || p->aaaa == NULL)
		return false;
	uint8_t *a = p->a, *aaaa = p->aaaa;
	for (size_t i = 0; i < n; i++) {
		const struct dns_addr *addr = &p->picks[i].addr;
		uint8_t **run = addr->family == DNS_FAMILY_IPV4 ? &a : &aaaa;
		uint16_t len = addr_len(addr);
		knot_rdata_init((knot_rdata_t *)*run, len, addr->bytes);
		*run += knot_rdata_size(len);
	}
	return true;
}

/* ---- one attempt --------------------------------------------------------- */

/* Put `count` fixed-size records of a run in chunks. */
static int
put_run(struct dns_writer *w, uint16_t type, uint8_t *run, size_t count,
	size_t size)
{
	for (size_t i = 0; i < count; i += DNS_BUILD_CHUNK) {
		size_t n = count - i < DNS_BUILD_CHUNK ? count - i
						       : DNS_BUILD_CHUNK;
		int rc = put_qname_rrset(w, type, w->cfg->service_ttl_s,
					 run + i * size, (uint16_t)n,
					 (uint32_t)(n * size));
		if (rc != KNOT_EOK)
			return rc;
	}
	return KNOT_EOK;
}

static int
try_addrs(struct dns_writer *w, const struct plan *p, size_t k)
{
	size_t na = 0, n6 = 0;
	for (size_t i = 0; i < k; i++) {
		if (p->picks[i].addr.family == DNS_FAMILY_IPV4)
			na++;
		else
			n6++;
	}
	int rc = put_run(w, KNOT_RRTYPE_A, p->a, na, knot_rdata_size(4));
	if (rc == KNOT_EOK)
		rc = put_run(w, KNOT_RRTYPE_AAAA, p->aaaa, n6,
			     knot_rdata_size(16));
	return rc;
}

static int
try_srv(struct dns_writer *w, const struct plan *p, size_t k)
{
	knot_pkt_t *pkt = w->pkt;
	uint32_t ttl = w->cfg->service_ttl_s;
	for (size_t i = 0; i < k; i += DNS_BUILD_CHUNK) {
		size_t n = k - i < DNS_BUILD_CHUNK ? k - i : DNS_BUILD_CHUNK;
		int rc = put_qname_rrset(w, KNOT_RRTYPE_SRV, ttl,
					 p->srv + p->srv_at[i], (uint16_t)n,
					 p->srv_at[i + n] - p->srv_at[i]);
		if (rc != KNOT_EOK)
			return rc;
		p->chunk_rr[i / DNS_BUILD_CHUNK] =
			(uint16_t)(pkt->rrset_count - 1);
	}
	int rc = knot_pkt_begin(pkt, KNOT_ADDITIONAL);
	for (size_t i = 0; i < k && rc == KNOT_EOK; i++) {
		if (p->add[i] == NULL)
			continue;
		knot_rdata_t *srv = (knot_rdata_t *)(p->srv + p->srv_at[i]);
		const knot_rrinfo_t *info =
			&pkt->rr_info[p->chunk_rr[i / DNS_BUILD_CHUNK]];
		uint16_t hint = knot_compr_hint(
			info, KNOT_COMPR_HINT_RDATA + i % DNS_BUILD_CHUNK);
		const struct dns_addr *addr = &p->picks[i].addr;
		knot_rrset_t rr;
		knot_rrset_init(&rr, srv->data + SRV_FIXED, addr_type(addr),
				KNOT_CLASS_IN, ttl);
		rr.rrs = (knot_rdataset_t){
			.count = 1,
			.size = (uint32_t)knot_rdata_size(p->add[i]->len),
			.rdata = (knot_rdata_t *)p->add[i]};
		rc = knot_pkt_put(pkt, hint, &rr, 0);
	}
	return rc;
}

/* Write the whole answer with the first k picks. */
static int
try_picks(struct dns_writer *w, const struct plan *p, size_t k)
{
	int rc = dns_build_begin(w, KNOT_RCODE_NOERROR, true);
	if (rc == KNOT_EOK)
		rc = knot_pkt_begin(w->pkt, KNOT_ANSWER);
	if (rc == KNOT_EOK)
		rc = (p->want & DNS_WANT_TARGET) ? try_srv(w, p, k)
						 : try_addrs(w, p, k);
	if (rc == KNOT_EOK)
		rc = dns_build_finish(w);
	return rc;
}

/* How many picks a guess says fit: every record is written as libknot
 * writes it here (owners as 2-byte pointers, SRV targets in full), so
 * the guess is usually right; it only orders the attempts. */
static size_t
plan_guess(const struct plan *p, const struct dns_writer *w)
{
	size_t used = KNOT_WIRE_HEADER_SIZE + knot_pkt_question_size(w->query);
	if (w->opt != NULL)
		used += knot_edns_wire_size((knot_rrset_t *)w->opt);
	/* an owner pointer, type, class, TTL and data length */
	const size_t head = 2 + 10;
	for (size_t i = 0; i < p->count; i++) {
		const struct dns_pick *pk = &p->picks[i];
		if (p->want & DNS_WANT_TARGET) {
			used += head + (p->srv_at[i + 1] - p->srv_at[i]) - 2;
			if (p->add[i] != NULL)
				used += head + addr_len(&pk->addr);
		} else {
			used += head + addr_len(&pk->addr);
		}
		if (used > w->pkt->max_size)
			return i;
	}
	return p->count;
}

/* The search for the most picks that fit: lo fits, hi does not. */
struct search {
	size_t lo, hi;
	/* The count the packet now holds, or SIZE_MAX. */
	size_t built;
};

static int
attempt(struct dns_writer *w, const struct plan *p, struct search *s,
	size_t k)
{
	if (k <= s->lo || k >= s->hi)
		return KNOT_EOK;
	int rc = try_picks(w, p, k);
	if (rc == KNOT_EOK) {
		s->lo = k;
		s->built = k;
	} else if (rc == KNOT_ESPACE) {
		s->hi = k;
		s->built = SIZE_MAX;
		rc = KNOT_EOK;
	}
	return rc;
}

int
dns_build_picks(struct dns_writer *w, const struct dns_pick *picks,
		size_t count, unsigned want, size_t *used)
{
	*used = 0;
	struct plan p = {.picks = picks, .count = count, .want = want};
	bool planned = (want & DNS_WANT_TARGET) ? plan_srv(&p, w)
						: plan_addrs(&p, w->arena);
	if (!planned)
		return KNOT_ENOMEM;
	/* All when the guess says they fit (one attempt); else the guess
	 * and one more, which settle it when the guess is right (two);
	 * else bisection between what is known. */
	struct search s = {.lo = 0, .hi = count + 1, .built = SIZE_MAX};
	size_t guess = plan_guess(&p, w);
	int rc = guess >= count ? attempt(w, &p, &s, count)
				: attempt(w, &p, &s, guess + 1);
	if (rc == KNOT_EOK && guess < count)
		rc = attempt(w, &p, &s, guess);
	while (rc == KNOT_EOK && s.hi - s.lo > 1)
		rc = attempt(w, &p, &s, s.lo + (s.hi - s.lo) / 2);
	if (rc == KNOT_EOK && s.built != s.lo)
		rc = try_picks(w, &p, s.lo);
	if (rc == KNOT_EOK)
		*used = s.lo;
	return rc;
}

void
dns_build_soa_rdata(const struct dns_config *cfg, knot_rdata_t *rdata)
{
	static const uint8_t ns[] = "\x02ns";
	static const uint8_t hostmaster[] = "\x0ahostmaster";
	size_t dlen = knot_dname_size(cfg->domain);
	uint8_t *d = rdata->data;
	memcpy(d, ns, 3);
	memcpy(d + 3, cfg->domain, dlen);
	d += 3 + dlen;
	memcpy(d, hostmaster, 11);
	memcpy(d + 11, cfg->domain, dlen);
	d += 11 + dlen;
	knot_wire_write_u32(d, cfg->soa_serial);
	knot_wire_write_u32(d + 4, SOA_REFRESH_S);
	knot_wire_write_u32(d + 8, SOA_RETRY_S);
	knot_wire_write_u32(d + 12, SOA_EXPIRE_S);
	knot_wire_write_u32(d + 16, cfg->negative_ttl_s);
	rdata->len = (uint16_t)(d + 20 - rdata->data);
	if (rdata->len & 1)
		rdata->data[rdata->len] = 0;
}
