/*
 * http_register: Consul's service definition into struct service (see
 * http_register.h). The strings point into the JSON tree while it is
 * parsed; service_dup then makes the one block the caller keeps.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_register.h"
#include "rumor/error.h"
#include "swim/swim_duration.h"

/* One body's service, its strings pointing into the JSON tree. */
struct parsed {
	struct service svc;
	const char *tags[SERVICE_TAGS_MAX];
	struct service_kv meta[SERVICE_META_MAX];
	/* The check's "Status" was given. */
	bool status_set;
	char *why;
};

/* Fields taken and ignored: they change nothing rumor does. */
static const char *const ignored_service[] = {
	"EnableTagOverride", "Weights", "TaggedAddresses", "Namespace",
	"Partition", NULL,
};
static const char *const ignored_check[] = {
	"Name", "CheckID", "ID", "Notes", "ServiceID", "TLSSkipVerify",
	"Namespace", "Partition", NULL,
};

static bool
listed(const char *const *list, const char *key)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcasecmp(list[i], key) == 0)
			return true;
	}
	return false;
}

/* The reason, with printf arguments, into p->why; returns it. */
__attribute__((format(printf, 2, 3))) static const char *
fail(struct parsed *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->why, HTTP_WHY_SIZE, fmt, ap);
	va_end(ap);
	return p->why;
}

static const char *
str_of(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A string field into *out. */
static const char *
take_str(struct parsed *p, const char *key, json_t *v, const char **out)
{
	if ((*out = str_of(v)) == NULL)
		return fail(p, "\"%s\" must be a string", key);
	if (strlen(*out) != json_string_length(v))
		return fail(p, "\"%s\" holds a NUL byte", key);
	return NULL;
}

/* A duration string ("10s") into *ms. */
static const char *
take_duration(struct parsed *p, const char *key, json_t *v, uint64_t *ms)
{
	const char *text = str_of(v);
	if (text == NULL || swim_duration_parse(text, ms, NULL) != 0)
		return fail(p, "\"%s\" must be a duration like \"10s\"", key);
	return NULL;
}

static const char *
take_status(struct parsed *p, json_t *v)
{
	const char *text = str_of(v);
	if (text != NULL && strcmp(text, "passing") == 0)
		p->svc.health = SERVICE_HEALTH_PASSING;
	else if (text != NULL && strcmp(text, "critical") == 0)
		p->svc.health = SERVICE_HEALTH_CRITICAL;
	else
		return fail(p, "check \"Status\" must be \"passing\" or "
			       "\"critical\"");
	p->status_set = true;
	return NULL;
}

/* "TCP" or "HTTP": the check's kind and target. */
static const char *
take_target(struct parsed *p, const char *key, json_t *v,
	    enum service_check_kind kind)
{
	struct service *s = &p->svc;
	if (s->check.kind != SERVICE_CHECK_NONE || s->ttl_ms != 0)
		return fail(p, "one check per service (TTL, TCP or HTTP)");
	s->check.kind = kind;
	return take_str(p, key, v, &s->check.target);
}

static const char *
check_field(struct parsed *p, const char *key, json_t *v)
{
	struct service *s = &p->svc;
	if (strcasecmp(key, "TTL") == 0) {
		if (s->check.kind != SERVICE_CHECK_NONE)
			return fail(p, "one check per service (TTL, TCP or "
				       "HTTP)");
		const char *why = take_duration(p, "TTL", v, &s->ttl_ms);
		return why != NULL || s->ttl_ms != 0
			? why : fail(p, "\"TTL\" must be more than 0s");
	}
	if (strcasecmp(key, "TCP") == 0)
		return take_target(p, "TCP", v, SERVICE_CHECK_TCP);
	if (strcasecmp(key, "HTTP") == 0)
		return take_target(p, "HTTP", v, SERVICE_CHECK_HTTP);
	if (strcasecmp(key, "Interval") == 0)
		return take_duration(p, "Interval", v, &s->check.interval_ms);
	if (strcasecmp(key, "Timeout") == 0)
		return take_duration(p, "Timeout", v, &s->check.timeout_ms);
	if (strcasecmp(key, "Status") == 0)
		return take_status(p, v);
	if (strcasecmp(key, "Method") == 0) {
		const char *m = str_of(v);
		return m != NULL && strcmp(m, "GET") == 0
			? NULL : fail(p, "HTTP checks use GET only");
	}
	if (listed(ignored_check, key))
		return NULL;
	if (strcasecmp(key, "Args") == 0 || strcasecmp(key, "Script") == 0)
		return fail(p, "script checks cannot be registered over HTTP "
			       "(use `rumor register --check-exec` or "
			       "--config-dir)");
	return fail(p, "check field \"%.40s\" is not supported (rumor "
		       "takes TTL, TCP, HTTP, Interval, Timeout, Status)",
		    key);
}

static const char *
parse_check(struct parsed *p, json_t *check)
{
	struct service *s = &p->svc;
	if (json_is_null(check))
		return NULL;
	if (!json_is_object(check))
		return fail(p, "\"Check\" must be an object");
	if (s->check.kind != SERVICE_CHECK_NONE || s->ttl_ms != 0)
		return fail(p, "one check per service");
	const char *key;
	json_t *v;
	json_object_foreach(check, key, v) {
		if (json_is_null(v))
			continue;
		const char *why = check_field(p, key, v);
		if (why != NULL)
			return why;
	}
	if (s->check.kind == SERVICE_CHECK_NONE && s->ttl_ms == 0)
		return fail(p, "a check needs one of TTL, TCP or HTTP");
	if (s->check.kind != SERVICE_CHECK_NONE && s->check.interval_ms == 0)
		return fail(p, "a TCP or HTTP check needs an \"Interval\"");
	if (s->ttl_ms != 0) {
		/* Interval and Timeout mean nothing to a TTL check. */
		s->check.interval_ms = 0;
		s->check.timeout_ms = 0;
	} else if (s->check.timeout_ms == 0) {
		s->check.timeout_ms = HTTP_CHECK_TIMEOUT_DEFAULT_MS;
	}
	/* Consul's checks start critical unless told otherwise. */
	if (!p->status_set)
		s->health = SERVICE_HEALTH_CRITICAL;
	return NULL;
}

static const char *
parse_checks(struct parsed *p, json_t *list)
{
	if (json_is_null(list))
		return NULL;
	if (!json_is_array(list) || json_array_size(list) > 1)
		return fail(p, "\"Checks\" must be a list of at most one "
			       "check");
	return json_array_size(list) == 0
		? NULL : parse_check(p, json_array_get(list, 0));
}

static const char *
parse_tags(struct parsed *p, json_t *v)
{
	if (json_is_null(v))
		return NULL;
	if (!json_is_array(v) || json_array_size(v) > SERVICE_TAGS_MAX)
		return fail(p, "\"Tags\" must be a list of at most %d strings",
			    SERVICE_TAGS_MAX);
	size_t i;
	json_t *t;
	json_array_foreach(v, i, t) {
		if (take_str(p, "Tags", t, &p->tags[i]) != NULL)
			return fail(p, "every tag must be a string");
	}
	p->svc.tag_count = json_array_size(v);
	return NULL;
}

static const char *
parse_meta(struct parsed *p, json_t *v)
{
	if (json_is_null(v))
		return NULL;
	if (!json_is_object(v) || json_object_size(v) > SERVICE_META_MAX)
		return fail(p, "\"Meta\" must be an object of at most %d "
			       "strings", SERVICE_META_MAX);
	const char *k;
	json_t *m;
	json_object_foreach(v, k, m) {
		const char *value;
		if (take_str(p, "Meta", m, &value) != NULL)
			return fail(p, "every \"Meta\" value must be a string");
		p->meta[p->svc.meta_count++] = (struct service_kv){k, value};
	}
	return NULL;
}

static const char *
parse_port(struct parsed *p, json_t *v)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 65535)
		return fail(p, "\"Port\" must be a number 0-65535");
	p->svc.port = (uint16_t)json_integer_value(v);
	return NULL;
}

static const char *
service_field(struct parsed *p, const char *key, json_t *v)
{
	struct service *s = &p->svc;
	if (strcasecmp(key, "Name") == 0)
		return take_str(p, "Name", v, &s->name);
	if (strcasecmp(key, "ID") == 0)
		return take_str(p, "ID", v, &s->id);
	if (strcasecmp(key, "Address") == 0)
		return take_str(p, "Address", v, &s->address);
	if (strcasecmp(key, "Port") == 0)
		return parse_port(p, v);
	if (strcasecmp(key, "Tags") == 0)
		return parse_tags(p, v);
	if (strcasecmp(key, "Meta") == 0)
		return parse_meta(p, v);
	if (strcasecmp(key, "Check") == 0)
		return parse_check(p, v);
	if (strcasecmp(key, "Checks") == 0)
		return parse_checks(p, v);
	if (strcasecmp(key, "Kind") == 0) {
		const char *kind = str_of(v);
		return kind != NULL && (kind[0] == '\0' ||
					strcmp(kind, "typical") == 0)
			? NULL : fail(p, "only typical services (no \"Kind\")");
	}
	if (listed(ignored_service, key))
		return NULL;
	return fail(p, "field \"%.40s\" is not supported (rumor takes Name, "
		       "ID, Tags, Address, Port, Meta, Check)", key);
}

static const char *
parse_service(struct parsed *p, json_t *root)
{
	struct service *s = &p->svc;
	*s = (struct service){.address = "", .tags = p->tags, .meta = p->meta};
	if (!json_is_object(root))
		return fail(p, "the body must be a JSON object");
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v) {
		/* Go's encoders write absent lists and objects as null. */
		if (json_is_null(v))
			continue;
		const char *why = service_field(p, key, v);
		if (why != NULL)
			return why;
	}
	if (s->name == NULL)
		return fail(p, "\"Name\" is required");
	if (s->id == NULL || s->id[0] == '\0')
		s->id = s->name;
	const char *why = NULL;
	return service_validate(s, &why) != 0 ? fail(p, "%s", why) : NULL;
}

int
http_register_decode(struct service **out, const char *body, size_t size,
		     char *why)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, size, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(why, HTTP_WHY_SIZE, "body:%d:%d: %.100s", jerr.line,
			 jerr.column, jerr.text);
		return RUMOR_EINVAL;
	}
	struct parsed *p = malloc(sizeof(*p));
	if (p == NULL) {
		json_decref(root);
		snprintf(why, HTTP_WHY_SIZE, "out of memory");
		return RUMOR_ENOMEM;
	}
	p->status_set = false;
	p->why = why;
	int rc = 0;
	if (parse_service(p, root) != NULL)
		rc = RUMOR_EINVAL;
	else if ((*out = service_dup(&p->svc)) == NULL)
		rc = RUMOR_ENOMEM;
	if (rc == RUMOR_ENOMEM)
		snprintf(why, HTTP_WHY_SIZE, "out of memory");
	json_decref(root);
	free(p);
	return rc;
}
