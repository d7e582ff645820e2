/*
 * dns_config: defaults and checks (see dns_config.h). The domain is kept
 * in wire form and lowercase, as libknot compares names, so a query's
 * name is matched against it without converting either.
 */
#include <string.h>

#include <libknot/libknot.h>

#include "dns_config.h"
#include "rumor/error.h"

void
dns_config_default(struct dns_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	int rc = dns_config_set_domain(cfg, DNS_DOMAIN_DEFAULT);
	(void)rc; /* a constant that dns_config_set_domain accepts */
	cfg->service_ttl_s = DNS_SERVICE_TTL_S_DEFAULT;
	cfg->node_ttl_s = DNS_NODE_TTL_S_DEFAULT;
	cfg->negative_ttl_s = DNS_NEGATIVE_TTL_S_DEFAULT;
	cfg->udp_payload_max = DNS_UDP_PAYLOAD_DEFAULT;
	cfg->soa_serial = 1;
}

static bool
domain_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

int
dns_config_set_domain(struct dns_config *cfg, const char *text)
{
	/* libknot's parser takes escapes ("\046"), so its output is checked
	 * again label by label: only plain host-name characters pass. */
	uint8_t name[DNS_NAME_MAX];
	if (text == NULL || text[0] == '\0' || strlen(text) > 254 ||
	    knot_dname_from_str(name, text, sizeof(name)) == NULL)
		return RUMOR_EINVAL;
	knot_dname_to_lower(name);
	if (name[0] == 0 || knot_dname_size(name) > DNS_DOMAIN_MAX)
		return RUMOR_EINVAL;
	for (const uint8_t *l = name; *l != 0; l += *l + 1) {
		for (uint8_t i = 1; i <= *l; i++) {
			if (!domain_char(l[i]))
				return RUMOR_EINVAL;
		}
	}
	memcpy(cfg->domain, name, knot_dname_size(name));
	return 0;
}

int
dns_config_check(const struct dns_config *cfg)
{
	const uint8_t *d = cfg->domain;
	int size = knot_dname_wire_check(d, d + sizeof(cfg->domain), NULL);
	if (size <= 1 || size > DNS_DOMAIN_MAX ||
	    cfg->udp_payload_max < 512 ||
	    cfg->service_ttl_s > DNS_TTL_S_MAX ||
	    cfg->node_ttl_s > DNS_TTL_S_MAX ||
	    cfg->negative_ttl_s > DNS_TTL_S_MAX)
		return RUMOR_EINVAL;
	return 0;
}
