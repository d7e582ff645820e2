/*
 * The catalog as template data (the model is in render_data.h). Strings
 * come from other nodes' registrations and are not checked to be UTF-8
 * by anyone on the way, so they go in with jansson's _nocheck calls: a
 * stray byte is rendered as it is rather than failing the whole render.
 */
#include <stdlib.h>
#include <string.h>

#include "render_data.h"

/* The words of enum rumor_status in the data: the template contract, so
 * they are written here rather than borrowed from the client library. */
static const char *const status_words[] = {
	[RUMOR_STATUS_ALIVE] = "alive",
	[RUMOR_STATUS_SUSPECT] = "suspect",
	[RUMOR_STATUS_FAILED] = "failed",
	[RUMOR_STATUS_LEFT] = "left",
};

json_t *
render_data_new(void)
{
	json_t *root = json_object();
	if (root == NULL ||
	    json_object_set_new(root, RENDER_DATA_SERVICES, json_array()) != 0 ||
	    json_object_set_new(root, RENDER_DATA_NODES, json_array()) != 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

/* Add a new value under key to o; false when either is NULL or out of
 * memory (the value is released either way). */
static bool
put(json_t *o, const char *key, json_t *value)
{
	return value != NULL && json_object_set_new_nocheck(o, key, value) == 0;
}

static json_t *
str(const char *s)
{
	return json_string_nocheck(s != NULL ? s : "");
}

static json_t *
instance_json(const struct rumor_instance *in)
{
	json_t *o = json_object();
	json_t *tags = json_array();
	json_t *meta = json_object();
	bool ok = o != NULL && tags != NULL && meta != NULL;
	for (size_t i = 0; ok && i < in->tag_count; i++)
		ok = json_array_append_new(tags, str(in->tags[i])) == 0;
	for (size_t i = 0; ok && i < in->meta_count; i++)
		ok = put(meta, in->meta[i].key, str(in->meta[i].value));
	ok = ok && put(o, "id", str(in->id)) &&
	     put(o, "address", str(in->address)) &&
	     put(o, "port", json_integer(in->port)) &&
	     put(o, "node", str(in->node)) && put(o, "tags", json_incref(tags)) &&
	     put(o, "meta", json_incref(meta));
	json_decref(tags);
	json_decref(meta);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static bool
reserved(const char *name)
{
	return strcmp(name, RENDER_DATA_SERVICES) == 0 ||
	       strcmp(name, RENDER_DATA_NODES) == 0;
}

bool
render_data_alias(char *out, size_t size, const char *name)
{
	if (strchr(name, '.') == NULL || size == 0)
		return false;
	size_t i = 0;
	for (; name[i] != '\0' && i + 1 < size; i++)
		out[i] = name[i] == '.' ? '_' : name[i];
	out[i] = '\0';
	return true;
}

/* Put list under s's name and alias (by the rules of render_data.h). */
static bool
put_names(json_t *root, const char *name, json_t *list)
{
	if (!reserved(name) &&
	    json_object_set_nocheck(root, name, list) != 0)
		return false;
	char alias[RUMOR_NAME_MAX + 1];
	if (!render_data_alias(alias, sizeof(alias), name) ||
	    reserved(alias) || json_object_get(root, alias) != NULL)
		return true;
	return json_object_set_nocheck(root, alias, list) == 0;
}

int
render_data_add_service(json_t *root, const struct rumor_summary *s,
			const struct rumor_instance *list, size_t count)
{
	json_t *services = json_object_get(root, RENDER_DATA_SERVICES);
	json_t *instances = json_array();
	json_t *entry = json_object();
	bool ok = services != NULL && instances != NULL && entry != NULL;
	for (size_t i = 0; ok && i < count; i++)
		ok = json_array_append_new(instances,
					   instance_json(&list[i])) == 0;
	ok = ok && put(entry, "name", str(s->name)) &&
	     put(entry, "healthy", json_integer((json_int_t)s->healthy)) &&
	     put(entry, "total", json_integer((json_int_t)s->total)) &&
	     put(entry, "instances", json_incref(instances)) &&
	     json_array_append(services, entry) == 0 &&
	     put_names(root, s->name, instances);
	json_decref(instances);
	json_decref(entry);
	return ok ? 0 : RUMOR_ENOMEM;
}

static int
by_name(const void *x, const void *y)
{
	const struct rumor_member *a = *(const struct rumor_member *const *)x;
	const struct rumor_member *b = *(const struct rumor_member *const *)y;
	return strcmp(a->name, b->name);
}

/* A member's tags as an object of strings. */
static json_t *
tags_json(const struct rumor_member *m)
{
	json_t *o = json_object();
	for (size_t i = 0; o != NULL && i < m->tag_count; i++) {
		if (!put(o, m->tags[i].key, str(m->tags[i].value))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* {name, address, port, status, alive, tags} of one member; its
 * "IP:PORT" split at the last colon. */
static json_t *
node_json(const struct rumor_member *m)
{
	char addr[RUMOR_ADDRESS_MAX + 1];
	const char *a = m->address != NULL ? m->address : "";
	const char *colon = strrchr(a, ':');
	size_t len = colon != NULL ? (size_t)(colon - a) : strlen(a);
	if (len >= sizeof(addr))
		len = sizeof(addr) - 1;
	memcpy(addr, a, len);
	addr[len] = '\0';
	unsigned long port = colon != NULL ? strtoul(colon + 1, NULL, 10) : 0;
	size_t nstatus = sizeof(status_words) / sizeof(*status_words);
	const char *status = (size_t)m->status < nstatus
				     ? status_words[m->status]
				     : "unknown";
	json_t *o = json_object();
	if (o != NULL && put(o, "name", str(m->name)) &&
	    put(o, "address", str(addr)) &&
	    put(o, "port", json_integer(port <= 65535 ? (json_int_t)port : 0)) &&
	    put(o, "status", str(status)) &&
	    put(o, "alive", json_boolean(m->status == RUMOR_STATUS_ALIVE)) &&
	    put(o, "tags", tags_json(m)))
		return o;
	json_decref(o);
	return NULL;
}

json_t *
render_data_nodes(const struct rumor_member *list, size_t count)
{
	const struct rumor_member **sorted =
		malloc((count > 0 ? count : 1) * sizeof(*sorted));
	json_t *nodes = json_array();
	bool ok = sorted != NULL && nodes != NULL;
	for (size_t i = 0; ok && i < count; i++)
		sorted[i] = &list[i];
	if (ok)
		qsort(sorted, count, sizeof(*sorted), by_name);
	for (size_t i = 0; ok && i < count; i++)
		ok = json_array_append_new(nodes, node_json(sorted[i])) == 0;
	free(sorted);
	if (!ok) {
		json_decref(nodes);
		return NULL;
	}
	return nodes;
}

int
render_data_set_nodes(json_t *root, const struct rumor_member *list,
		      size_t count)
{
	json_t *nodes = render_data_nodes(list, count);
	if (nodes == NULL ||
	    json_object_set_new(root, RENDER_DATA_NODES, nodes) != 0)
		return RUMOR_ENOMEM;
	return 0;
}

void
render_needs_create(struct render_needs *n)
{
	*n = (struct render_needs){0};
}

void
render_needs_destroy(struct render_needs *n)
{
	for (size_t i = 0; i < n->count; i++)
		free(n->names[i]);
	free(n->names);
	render_needs_create(n);
}

static int
by_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool
has_name(const struct render_needs *n, const char *name)
{
	return n->count > 0 && bsearch(&name, n->names, n->count,
				       sizeof(*n->names), by_str) != NULL;
}

int
render_needs_add(struct render_needs *n, const struct mustache *t)
{
	size_t add = mustache_name_count(t);
	if (n->count + add > n->cap) {
		char **grown = realloc(n->names,
				       (n->count + add) * sizeof(*grown));
		if (grown == NULL)
			return RUMOR_ENOMEM;
		n->names = grown;
		n->cap = n->count + add;
	}
	/* Copy first, so that running out of memory changes nothing. */
	size_t old = n->count, fresh = 0;
	bool all = n->all, nodes = n->nodes;
	for (size_t i = 0; i < add; i++) {
		const char *name = mustache_name(t, i);
		if (strcmp(name, RENDER_DATA_SERVICES) == 0) {
			all = true;
		} else if (strcmp(name, RENDER_DATA_NODES) == 0) {
			nodes = true;
		} else if (!has_name(n, name)) {
			char *copy = strdup(name);
			if (copy == NULL) {
				for (size_t k = 0; k < fresh; k++)
					free(n->names[old + k]);
				return RUMOR_ENOMEM;
			}
			n->names[old + fresh++] = copy;
		}
	}
	n->all = all;
	n->nodes = nodes;
	n->count = old + fresh;
	if (n->count > 1)
		qsort(n->names, n->count, sizeof(*n->names), by_str);
	return 0;
}

bool
render_needs_service(const struct render_needs *n, const char *name)
{
	if (n->all || has_name(n, name))
		return true;
	char alias[RUMOR_NAME_MAX + 1];
	return render_data_alias(alias, sizeof(alias), name) &&
	       has_name(n, alias);
}
