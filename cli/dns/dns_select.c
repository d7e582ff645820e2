/*
 * dns_select: filter, sample and shuffle a service's instances (see
 * dns_select.h).
 *
 * Reservoir sampling (Vitter's algorithm R) keeps a uniform sample of
 * the matching instances without knowing their number in advance; the
 * kept slots are not in a uniform order, so a Fisher-Yates shuffle
 * follows. Both draw from one xoshiro256** seeded by the caller's draw,
 * never from a hidden source.
 */
#include <arpa/inet.h>
#include <string.h>

#include <libknot/consts.h>

#include "dns_name.h"
#include "dns_select.h"
#include "swim/swim_rand.h"

struct visit {
	const char *tag;
	unsigned want;
	struct dns_pick *picks;
	size_t cap;
	struct swim_rand rand;
	struct dns_selection *out;
};

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
equal_ignoring_case(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
	}
	return *a == *b;
}

static bool
has_tag(const struct dns_instance *in, const char *tag)
{
	if (tag[0] == '\0')
		return true;
	for (size_t i = 0; in->tags != NULL && i < in->tag_count; i++) {
		const char *t = in->tags[i];
		if (t != NULL && equal_ignoring_case(t, tag))
			return true;
	}
	return false;
}

bool
dns_select_parse_addr(const char *text, struct dns_addr *out)
{
	struct dns_addr a = {0};
	if (strchr(text, ':') != NULL) {
		if (inet_pton(AF_INET6, text, a.bytes) != 1)
			return false;
		a.family = DNS_FAMILY_IPV6;
	} else {
		if (inet_pton(AF_INET, text, a.bytes) != 1)
			return false;
		a.family = DNS_FAMILY_IPV4;
	}
	*out = a;
	return true;
}

static bool
same_addr(const struct dns_addr *a, const struct dns_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* The pick an instance gives, or false when the question cannot use it. */
static bool
pick_of(const struct dns_instance *in, unsigned want, struct dns_pick *p)
{
	*p = (struct dns_pick){.node = in->node, .port = in->port};
	if (in->address == NULL || in->address[0] == '\0') {
		p->addr = in->node_addr;
	} else if (dns_select_parse_addr(in->address, &p->addr)) {
		p->own = !same_addr(&p->addr, &in->node_addr);
	} else {
		uint8_t name[KNOT_DNAME_MAXLEN];
		if (!(want & DNS_WANT_TARGET) ||
		    dns_name_host(name, sizeof(name), in->address) == 0)
			return false;
		p->host = in->address;
		p->own = true;
		return true;
	}
	switch (p->addr.family) {
	case DNS_FAMILY_IPV4:
		return (want & (DNS_WANT_IPV4 | DNS_WANT_TARGET)) != 0;
	case DNS_FAMILY_IPV6:
		return (want & (DNS_WANT_IPV6 | DNS_WANT_TARGET)) != 0;
	default:
		return false;
	}
}

static void
visit_one(void *arg, const struct dns_instance *in)
{
	struct visit *v = arg;
	if (in == NULL || !has_tag(in, v->tag))
		return;
	v->out->known++;
	struct dns_pick p;
	if (!in->healthy || v->want == 0 || !pick_of(in, v->want, &p))
		return;
	size_t seen = v->out->matched++;
	if (seen < v->cap) {
		v->picks[seen] = p;
		return;
	}
	uint64_t slot = swim_rand_below(&v->rand, (uint64_t)seen + 1);
	if (slot < v->cap)
		v->picks[slot] = p;
}

void
dns_select(struct dns_selection *out, const struct dns_directory *dir,
	   const char *service, const char *tag, unsigned want,
	   uint64_t rand_draw, struct dns_pick *picks, size_t cap)
{
	*out = (struct dns_selection){0};
	struct visit v = {
		.tag = tag, .want = want, .picks = picks, .cap = cap,
		.out = out,
	};
	swim_rand_init(&v.rand, rand_draw);
	dir->instances(dir->ctx, service, visit_one, &v);
	out->count = out->matched < cap ? out->matched : cap;
	for (size_t i = out->count; i > 1; i--) {
		size_t j = (size_t)swim_rand_below(&v.rand, i);
		struct dns_pick t = picks[i - 1];
		picks[i - 1] = picks[j];
		picks[j] = t;
	}
}
