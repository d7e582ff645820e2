/*
 * swim_addr: address text both ways and node name validation, pure
 * helpers shared by the core and its drivers.
 */
#include <stdio.h>
#include <string.h>

#include "rumor/error.h"
#include "swim_addr.h"

char *
swim_addr_str(const struct swim_addr *addr, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u:%u", (addr->ip >> 24) & 0xff,
		 (addr->ip >> 16) & 0xff, (addr->ip >> 8) & 0xff,
		 addr->ip & 0xff, addr->port);
	return buf;
}

/* Parse a decimal number in [0, max] from *p, advancing it. */
static int
parse_uint(const char **p, unsigned long max, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	if (*s < '0' || *s > '9')
		return RUMOR_EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return RUMOR_EINVAL;
	}
	*p = s;
	*out = v;
	return 0;
}

int
swim_addr_parse(const char *text, struct swim_addr *out)
{
	const char *p = text;
	uint32_t ip = 0;
	for (int i = 0; i < 4; i++) {
		unsigned long octet;
		if (parse_uint(&p, 255, &octet) != 0)
			return RUMOR_EINVAL;
		ip = (ip << 8) | (uint32_t)octet;
		if (*p++ != (i < 3 ? '.' : ':'))
			return RUMOR_EINVAL;
	}
	unsigned long port;
	if (parse_uint(&p, 65535, &port) != 0 || *p != '\0')
		return RUMOR_EINVAL;
	out->ip = ip;
	out->port = (uint16_t)port;
	return 0;
}

bool
swim_addr_is_ipv6(const char *text)
{
	if (text[0] != '[')
		return false;
	const char *end = strchr(text, ']');
	if (end == NULL || end[1] != ':')
		return false;
	size_t colons = 0;
	const char *p = text + 1;
	for (; p < end && *p != '%'; p++) {
		char c = *p;
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			   (c >= 'A' && c <= 'F');
		if (c == ':')
			colons++;
		else if (!hex && c != '.')
			return false;
	}
	if (colons < 2 || colons > 7)
		return false;
	if (*p == '%') {
		/* A zone: an interface name or index. */
		if (p + 1 == end)
			return false;
		for (p++; p < end; p++) {
			if (*p <= ' ' || *p >= 0x7f)
				return false;
		}
	}
	p = end + 2;
	unsigned long port;
	return parse_uint(&p, 65535, &port) == 0 && *p == '\0';
}

bool
swim_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > SWIM_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= ' ' || c >= 0x7f)
			return false;
	}
	return true;
}
