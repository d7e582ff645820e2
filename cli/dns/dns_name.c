/*
 * dns_name: routing a question's name, and spelling SRV targets (see
 * dns_name.h for the names).
 *
 * The question's name has been checked by libknot (labels of 1..63
 * bytes, at most 255 bytes, no compression) and lowered, so this file
 * walks labels without bounds surprises; every label is still checked
 * against the characters its kind allows before it reaches the
 * directory, since a label may hold any byte, NUL included.
 */
#include <string.h>

#include <libknot/libknot.h>

#include "dns_name.h"

/* Labels a routed name may have under the domain: a node name of up to
 * SWIM_NAME_MAX bytes has at most 32 labels, plus "node". */
#define ROUTE_LABELS_MAX (SWIM_NAME_MAX / 2 + 2)

static const char hex_digits[] = "0123456789abcdef";

static bool
label_is(const uint8_t *label, const char *word)
{
	size_t len = strlen(word);
	return label[0] == len && memcmp(label + 1, word, len) == 0;
}

/* A service name's characters, lowercase ([a-z0-9._-]). */
static bool
service_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-';
}

/* Printable ASCII without space: tags and node names. */
static bool
printable_char(uint8_t c)
{
	return c > ' ' && c < 0x7f;
}

/* Copy label's bytes (from `skip` on) into out as a C string when they
 * are 1..max bytes of allowed characters. */
static bool
label_copy(char *out, const uint8_t *label, size_t skip, size_t max,
	   bool (*allowed)(uint8_t))
{
	size_t len = label[0];
	if (len <= skip || len - skip > max)
		return false;
	for (size_t i = 1 + skip; i <= len; i++) {
		if (!allowed(label[i]))
			return false;
	}
	memcpy(out, label + 1 + skip, len - skip);
	out[len - skip] = '\0';
	return true;
}

static void
route_service(struct dns_route *out, const uint8_t *const *labels,
	      size_t depth)
{
	out->kind = DNS_ROUTE_NXDOMAIN;
	const uint8_t *name = labels[depth - 2];
	size_t skip = 0;
	out->tag[0] = '\0';
	if (depth == 3) {
		const uint8_t *tag = labels[0];
		size_t tag_skip = 0;
		if (name[0] > 0 && name[1] == '_' && tag[0] > 0 &&
		    tag[1] == '_') {
			/* _NAME._TAG: RFC 2782's service and protocol. */
			name = labels[0];
			tag = labels[1];
			skip = tag_skip = 1;
		}
		if (!label_copy(out->tag, tag, tag_skip, SERVICE_NAME_MAX,
				printable_char))
			return;
		if (tag_skip && strcmp(out->tag, "tcp") == 0)
			out->tag[0] = '\0';
	}
	if (!label_copy(out->service, name, skip, SERVICE_NAME_MAX,
			service_char))
		return;
	out->kind = DNS_ROUTE_SERVICE;
}

static void
route_node(struct dns_route *out, const uint8_t *const *labels,
	   size_t depth)
{
	out->kind = DNS_ROUTE_NXDOMAIN;
	size_t len = 0;
	for (size_t i = 0; i + 1 < depth; i++) {
		const uint8_t *l = labels[i];
		if (len + (i > 0) + l[0] > SWIM_NAME_MAX)
			return;
		if (i > 0)
			out->node[len++] = '.';
		if (!label_copy(out->node + len, l, 0, SWIM_NAME_MAX - len,
				printable_char))
			return;
		len += l[0];
	}
	out->kind = DNS_ROUTE_NODE;
}

static int
hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void
route_addr(struct dns_route *out, const uint8_t *label)
{
	out->kind = DNS_ROUTE_NXDOMAIN;
	size_t len = label[0];
	if (len != 8 && len != 32)
		return;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_value(label[1 + 2 * i]);
		int lo = hex_value(label[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return;
		out->addr.bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	out->addr.family = len == 8 ? DNS_FAMILY_IPV4 : DNS_FAMILY_IPV6;
	out->kind = DNS_ROUTE_ADDR;
}

void
dns_name_route(struct dns_route *out, const uint8_t *qname,
	       const uint8_t *domain)
{
	memset(out, 0, sizeof(*out));
	int depth = knot_dname_in_bailiwick(qname, domain);
	if (depth < 0) {
		out->kind = DNS_ROUTE_OUTSIDE;
		return;
	}
	if (depth == 0) {
		out->kind = DNS_ROUTE_APEX;
		return;
	}
	out->kind = DNS_ROUTE_NXDOMAIN;
	if (depth > ROUTE_LABELS_MAX)
		return;
	const uint8_t *labels[ROUTE_LABELS_MAX];
	const uint8_t *l = qname;
	for (int i = 0; i < depth; i++, l += *l + 1)
		labels[i] = l;
	const uint8_t *kind = labels[depth - 1];
	if (depth == 1) {
		if (label_is(kind, "service") || label_is(kind, "node") ||
		    label_is(kind, "addr"))
			out->kind = DNS_ROUTE_EMPTY;
	} else if (label_is(kind, "service")) {
		if (depth <= 3)
			route_service(out, labels, (size_t)depth);
	} else if (label_is(kind, "node")) {
		route_node(out, labels, (size_t)depth);
	} else if (label_is(kind, "addr")) {
		if (depth == 2)
			route_addr(out, labels[0]);
	}
}

/* Append `text` (len bytes) split at dots as labels of allowed
 * characters; returns the new size, or 0 when a label is empty, over 63
 * bytes or holds another character, or it does not fit cap. */
static size_t
put_labels(uint8_t *out, size_t at, size_t cap, const char *text,
	   size_t len, bool (*allowed)(uint8_t))
{
	size_t start = 0;
	while (start < len) {
		const char *dot = memchr(text + start, '.', len - start);
		size_t end = dot ? (size_t)(dot - text) : len;
		size_t n = end - start;
		if (n == 0 || n > KNOT_DNAME_MAXLABELLEN || at + 1 + n > cap)
			return 0;
		out[at] = (uint8_t)n;
		for (size_t i = 0; i < n; i++) {
			uint8_t c = (uint8_t)text[start + i];
			if (!allowed(c))
				return 0;
			out[at + 1 + i] = c;
		}
		at += 1 + n;
		start = end + 1;
		if (dot != NULL && start == len)
			return 0; /* a trailing dot: an empty last label */
	}
	return at;
}

/* Append ".<kind>.<domain>" after `at` bytes of labels. */
static size_t
put_suffix(uint8_t *out, size_t at, size_t cap, const char *kind,
	   const uint8_t *domain)
{
	size_t klen = strlen(kind);
	size_t dlen = knot_dname_size(domain);
	if (at == 0 || at + 1 + klen + dlen > cap ||
	    at + 1 + klen + dlen > KNOT_DNAME_MAXLEN)
		return 0;
	out[at] = (uint8_t)klen;
	memcpy(out + at + 1, kind, klen);
	memcpy(out + at + 1 + klen, domain, dlen);
	return at + 1 + klen + dlen;
}

size_t
dns_name_node_target(uint8_t *out, size_t cap, const char *node,
		     const uint8_t *domain)
{
	size_t len = strnlen(node, SWIM_NAME_MAX + 1);
	if (len == 0 || len > SWIM_NAME_MAX)
		return 0;
	size_t at = put_labels(out, 0, cap, node, len, printable_char);
	return put_suffix(out, at, cap, "node", domain);
}

size_t
dns_name_addr_target(uint8_t *out, size_t cap, const struct dns_addr *addr,
		     const uint8_t *domain)
{
	size_t n = addr->family == DNS_FAMILY_IPV4   ? 4
		   : addr->family == DNS_FAMILY_IPV6 ? 16
						     : 0;
	if (n == 0 || 1 + 2 * n > cap)
		return 0;
	out[0] = (uint8_t)(2 * n);
	for (size_t i = 0; i < n; i++) {
		out[1 + 2 * i] = (uint8_t)hex_digits[addr->bytes[i] >> 4];
		out[2 + 2 * i] = (uint8_t)hex_digits[addr->bytes[i] & 15];
	}
	return put_suffix(out, 1 + 2 * n, cap, "addr", domain);
}

static bool
host_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

size_t
dns_name_host(uint8_t *out, size_t cap, const char *host)
{
	size_t len = strnlen(host, KNOT_DNAME_MAXLEN + 1);
	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len >= KNOT_DNAME_MAXLEN)
		return 0;
	size_t at = put_labels(out, 0, cap, host, len, host_char);
	if (at == 0 || at + 1 > cap || at + 1 > KNOT_DNAME_MAXLEN)
		return 0;
	out[at] = 0;
	return at + 1;
}
