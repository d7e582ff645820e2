/*
 * config_file: the agent's JSON configuration as flags (config_file.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config_file.h"
#include "log.h"
#include "rumor/error.h"

json_t *
config_file_load(const char *path, char *err)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		log_err(err, RUMOR_EIO, "%s: %s", path, log_strerror(errno));
		return NULL;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		log_err(err, RUMOR_ETOOBIG, "%s: larger than %d bytes", path,
			CONFIG_FILE_MAX);
		return NULL;
	}
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		if (jerr.line > 0)
			log_err(err, RUMOR_EINVAL, "%s:%d: %s", path, jerr.line,
				jerr.text);
		else
			log_err(err, RUMOR_EINVAL, "%s: %s", path, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		log_err(err, RUMOR_EINVAL, "%s: want one JSON object of "
			"flags ({\"name\": \"n1\", ...})", path);
		json_decref(root);
		return NULL;
	}
	return root;
}

/* "data_dir" as "--data-dir" into buf. */
static bool
flag_of(const char *key, char *buf, size_t size)
{
	size_t len = strlen(key);
	if (len == 0 || len + 3 > size)
		return false;
	buf[0] = buf[1] = '-';
	for (size_t i = 0; i < len; i++) {
		char c = key[i];
		if (c == '-')
			return false; /* the file spells flags with '_' */
		buf[2 + i] = c == '_' ? '-' : c;
	}
	buf[2 + len] = '\0';
	return true;
}

static int
wrong(char *err, const char *path, const char *key, const char *want)
{
	return log_err(err, RUMOR_EINVAL, "%s: \"%s\" must be %s", path, key,
		       want);
}

/* One scalar value of a valued flag. */
static int
scalar(const struct config_file_parser *p, const char *path,
       const char *key, const char *flag, json_t *v, char *err)
{
	char num[32];
	if (json_is_string(v))
		return p->flag(p->arg, flag, json_string_value(v), false);
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		return p->flag(p->arg, flag, num, true);
	}
	return wrong(err, path, key, "a string or an integer");
}

/* "tags": {"k": "v"} as --tag k=v each. */
static int
tags(const struct config_file_parser *p, const char *path, json_t *v,
     char *err)
{
	if (!json_is_object(v))
		return wrong(err, path, "tags", "an object of strings "
			     "({\"role\": \"db\"})");
	const char *k;
	json_t *val;
	json_object_foreach(v, k, val) {
		if (!json_is_string(val))
			return log_err(err, RUMOR_EINVAL, "%s: tag \"%s\" must "
				       "be a string", path, k);
		char pair[1024];
		if ((size_t)snprintf(pair, sizeof(pair), "%s=%s", k,
				     json_string_value(val)) >= sizeof(pair))
			return log_err(err, RUMOR_EINVAL, "%s: tag \"%.64s\" "
				       "is too long", path, k);
		if (p->flag(p->arg, "--tag", pair, false) != 0)
			return -1;
	}
	return 0;
}

int
config_file_flags(const char *path, json_t *root,
		  const struct config_file_parser *p, char *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v) {
		if (strcmp(key, "tags") == 0) {
			int rc = tags(p, path, v, err);
			if (rc != 0)
				return rc;
			continue;
		}
		char flag[80];
		enum config_file_kind kind =
			flag_of(key, flag, sizeof(flag))
				? p->kind(p->arg, flag)
				: CONFIG_FILE_UNKNOWN;
		if (kind == CONFIG_FILE_UNKNOWN)
			return log_err(err, RUMOR_EINVAL,
				       "%s: unknown key \"%.80s\"", path, key);
		int rc = 0;
		if (kind == CONFIG_FILE_SWITCH) {
			if (!json_is_boolean(v))
				return wrong(err, path, key, "true or false");
			if (json_is_true(v))
				rc = p->flag(p->arg, flag, NULL, false);
		} else if (json_is_array(v)) {
			size_t i;
			json_t *item;
			json_array_foreach(v, i, item) {
				rc = scalar(p, path, key, flag, item, err);
				if (rc != 0)
					break;
			}
		} else {
			rc = scalar(p, path, key, flag, v, err);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

static bool
skipped(const char *key, const char *const *skip)
{
	for (; skip != NULL && *skip != NULL; skip++) {
		if (strcmp(key, *skip) == 0)
			return true;
	}
	return false;
}

/* Name key in out ("a, b"); counts it. */
static void
name(const char *key, char *out, size_t size, size_t *count)
{
	size_t used = strlen(out);
	if (used + 1 < size)
		snprintf(out + used, size - used, "%s%s", *count ? ", " : "",
			 key);
	(*count)++;
}

size_t
config_file_diff(json_t *before, json_t *after, const char *const *skip,
		 char *out, size_t size)
{
	size_t count = 0;
	out[0] = '\0';
	const char *key;
	json_t *v;
	json_object_foreach(after, key, v) {
		if (!skipped(key, skip) &&
		    !json_equal(v, json_object_get(before, key)))
			name(key, out, size, &count);
	}
	json_object_foreach(before, key, v) {
		if (!skipped(key, skip) && json_object_get(after, key) == NULL)
			name(key, out, size, &count);
	}
	return count;
}
