/*
 * http_consul: Consul-shaped JSON (see http_consul.h). Written by hand
 * into the buffer, field by field in Consul's order: no tree to build,
 * so a health answer of a few instances is a few microseconds.
 */
#include <stdio.h>
#include <string.h>

#include "http_consul.h"

/* Serf's member status numbers (serf/serf.go MemberStatus): Consul's
 * members list carries them. Serf has no "suspect": such a member is
 * still alive. */
enum serf_status {
	SERF_NONE = 0,
	SERF_ALIVE = 1,
	SERF_LEAVING = 2,
	SERF_LEFT = 3,
	SERF_FAILED = 4,
};

static int
serf_status(enum swim_status s)
{
	switch (s) {
	case SWIM_STATUS_ALIVE:
	case SWIM_STATUS_SUSPECT:
		return SERF_ALIVE;
	case SWIM_STATUS_LEFT:
		return SERF_LEFT;
	case SWIM_STATUS_FAILED:
		return SERF_FAILED;
	default:
		return SERF_NONE;
	}
}

void
http_consul_next(struct http_buf *b, size_t i, char open)
{
	char c = i == 0 ? open : ',';
	http_buf_put(b, &c, 1);
}

/* "key": followed by a JSON string. */
static void
field_str(struct http_buf *b, const char *key, const char *value)
{
	http_buf_json_str(b, key);
	http_buf_put(b, ":", 1);
	http_buf_json_str(b, value);
}

static void
field_u64(struct http_buf *b, const char *key, uint64_t value)
{
	http_buf_json_str(b, key);
	http_buf_put(b, ":", 1);
	http_buf_u64(b, value);
}

static void
str_array(struct http_buf *b, const char *const *list, size_t count)
{
	if (count == 0) {
		http_buf_puts(b, "[]");
		return;
	}
	for (size_t i = 0; i < count; i++) {
		http_consul_next(b, i, '[');
		http_buf_json_str(b, list[i]);
	}
	http_buf_put(b, "]", 1);
}

static void
kv_object(struct http_buf *b, const struct service_kv *kv, size_t count)
{
	if (count == 0) {
		http_buf_puts(b, "{}");
		return;
	}
	for (size_t i = 0; i < count; i++) {
		http_consul_next(b, i, '{');
		field_str(b, kv[i].key, kv[i].value);
	}
	http_buf_put(b, "}", 1);
}

static const char *const status_strs[] = {
	[SWIM_STATUS_ALIVE] = "alive", [SWIM_STATUS_SUSPECT] = "suspect",
	[SWIM_STATUS_FAILED] = "failed", [SWIM_STATUS_LEFT] = "left",
};

void
http_consul_member(struct http_buf *b, const struct http_member *m)
{
	char ip[24];
	struct swim_addr a = m->addr;
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", (unsigned)(a.ip >> 24),
		 (unsigned)(a.ip >> 16 & 255), (unsigned)(a.ip >> 8 & 255),
		 (unsigned)(a.ip & 255));
	unsigned st = (unsigned)m->status;
	const char *status = st < sizeof(status_strs) / sizeof(status_strs[0])
				     ? status_strs[st] : "unknown";
	http_buf_put(b, "{", 1);
	field_str(b, "Name", m->name);
	http_buf_put(b, ",", 1);
	field_str(b, "Addr", ip);
	http_buf_put(b, ",", 1);
	field_u64(b, "Port", a.port);
	http_buf_puts(b, ",\"Tags\":{");
	field_str(b, "rumor_status", status);
	http_buf_printf(b, ",\"rumor_incarnation\":\"%llu\"},",
			(unsigned long long)m->incarnation);
	field_u64(b, "Status", (uint64_t)serf_status(m->status));
	http_buf_puts(b, "}");
}

void
http_consul_self(struct http_buf *b, const struct http_member *self,
		 const char *version)
{
	http_buf_puts(b, "{\"Config\":{");
	field_str(b, "Datacenter", HTTP_CONSUL_DC);
	http_buf_put(b, ",", 1);
	field_str(b, "NodeName", self->name);
	http_buf_puts(b, ",\"NodeID\":\"\",\"Server\":false,");
	field_str(b, "Version", version);
	http_buf_puts(b, "},\"Member\":");
	http_consul_member(b, self);
	http_buf_puts(b, "}");
}

void
http_consul_service_tags(struct http_buf *b, const char *name,
			 const char *const *tags, size_t tag_count)
{
	http_buf_json_str(b, name);
	http_buf_put(b, ":", 1);
	str_array(b, tags, tag_count);
}

static void
node_object(struct http_buf *b, const struct http_entry *e)
{
	http_buf_puts(b, "{\"ID\":\"\",");
	field_str(b, "Node", e->node);
	http_buf_put(b, ",", 1);
	field_str(b, "Address", e->node_address);
	http_buf_put(b, ",", 1);
	field_str(b, "Datacenter", HTTP_CONSUL_DC);
	http_buf_puts(b, ",\"TaggedAddresses\":{");
	field_str(b, "lan", e->node_address);
	http_buf_put(b, ",", 1);
	field_str(b, "wan", e->node_address);
	http_buf_puts(b, "},\"Meta\":{}}");
}

static void
service_object(struct http_buf *b, const struct service *s)
{
	http_buf_put(b, "{", 1);
	field_str(b, "ID", s->id);
	http_buf_put(b, ",", 1);
	field_str(b, "Service", s->name);
	http_buf_puts(b, ",\"Tags\":");
	str_array(b, s->tags, s->tag_count);
	http_buf_put(b, ",", 1);
	field_str(b, "Address", s->address);
	http_buf_puts(b, ",\"Meta\":");
	kv_object(b, s->meta, s->meta_count);
	http_buf_put(b, ",", 1);
	field_u64(b, "Port", s->port);
	http_buf_puts(b, ",\"Weights\":{\"Passing\":1,\"Warning\":1},"
			 "\"EnableTagOverride\":false}");
}

/* One check object; service NULL for the node's serfHealth. */
static void
check_object(struct http_buf *b, const struct http_entry *e,
	     const struct service *s, bool passing)
{
	http_buf_put(b, "{", 1);
	field_str(b, "Node", e->node);
	http_buf_puts(b, ",\"CheckID\":");
	if (s == NULL) {
		http_buf_puts(b, "\"serfHealth\",\"Name\":\"Serf Health "
				 "Status\"");
	} else {
		char text[SERVICE_NAME_MAX + 32];
		snprintf(text, sizeof(text), "service:%s", s->id);
		http_buf_json_str(b, text);
		snprintf(text, sizeof(text), "Service '%s' check", s->name);
		http_buf_puts(b, ",\"Name\":");
		http_buf_json_str(b, text);
	}
	http_buf_puts(b, passing ? ",\"Status\":\"passing\""
				 : ",\"Status\":\"critical\"");
	http_buf_puts(b, ",\"Notes\":\"\",\"Output\":");
	if (s == NULL)
		http_buf_puts(b, passing ? "\"Agent alive and reachable\""
					 : "\"Agent not live or unreachable\"");
	else
		http_buf_puts(b, "\"\"");
	http_buf_put(b, ",", 1);
	field_str(b, "ServiceID", s ? s->id : "");
	http_buf_put(b, ",", 1);
	field_str(b, "ServiceName", s ? s->name : "");
	http_buf_puts(b, ",\"ServiceTags\":");
	str_array(b, s ? s->tags : NULL, s ? s->tag_count : 0);
	http_buf_put(b, ",", 1);
	field_str(b, "Type", s != NULL && s->ttl_ms != 0 ? "ttl" : "");
	http_buf_put(b, "}", 1);
}

void
http_consul_entry(struct http_buf *b, const struct http_entry *e)
{
	const struct service *s = e->service;
	http_buf_puts(b, "{\"Node\":");
	node_object(b, e);
	http_buf_puts(b, ",\"Service\":");
	service_object(b, s);
	http_buf_puts(b, ",\"Checks\":[");
	check_object(b, e, NULL, e->node_up);
	http_buf_put(b, ",", 1);
	check_object(b, e, s, s->health == SERVICE_HEALTH_PASSING);
	http_buf_puts(b, "]}");
}

void
http_consul_error(struct http_buf *b, const char *why)
{
	http_buf_puts(b, "{\"error\":");
	http_buf_json_str(b, why);
	http_buf_puts(b, "}\n");
}
