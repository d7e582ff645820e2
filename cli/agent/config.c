/*
 * config: *.json service definitions (see config.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "config.h"
#include "log.h"
#include "rumor/error.h"
#include "swim/swim_duration.h"

/* One file's service, its strings pointing into the JSON tree. */
struct parsed {
	struct service svc;
	const char *tags[SERVICE_TAGS_MAX];
	struct service_kv meta[SERVICE_META_MAX];
	char why[160];
};

static int
bad(char *err, const char *path, int line, const char *why)
{
	if (line > 0)
		return log_err(err, RUMOR_EINVAL, "%s:%d: %s", path, line, why);
	return log_err(err, RUMOR_EINVAL, "%s: %s", path, why);
}

/* A JSON string value, or NULL. */
static const char *
str_of(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A duration "2s" / "500ms" / "1m", or a number of milliseconds. */
static int
duration_of(json_t *v, uint64_t *ms)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*ms = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	return swim_duration_parse(json_string_value(v), ms, NULL) == 0 ? 0
									: -1;
}

static const char *
parse_check(json_t *check, struct service *s)
{
	if (!json_is_object(check))
		return "\"check\" must be an object";
	s->check.interval_ms = 10000;
	s->check.timeout_ms = 5000;
	const char *key;
	json_t *v;
	json_object_foreach(check, key, v) {
		if (strcmp(key, "interval") == 0 || strcmp(key, "timeout") == 0) {
			uint64_t *d = key[0] == 'i' ? &s->check.interval_ms
						    : &s->check.timeout_ms;
			if (duration_of(v, d) != 0)
				return "a check interval or timeout must be a "
				       "duration like \"2s\"";
			continue;
		}
		if (strcmp(key, "ttl") == 0) {
			if (duration_of(v, &s->ttl_ms) != 0 || s->ttl_ms == 0)
				return "\"ttl\" must be a duration like \"10s\"";
			continue;
		}
		enum service_check_kind kind =
			strcmp(key, "tcp") == 0	   ? SERVICE_CHECK_TCP
			: strcmp(key, "http") == 0 ? SERVICE_CHECK_HTTP
			: strcmp(key, "exec") == 0 ? SERVICE_CHECK_EXEC
						   : SERVICE_CHECK_NONE;
		if (kind == SERVICE_CHECK_NONE)
			return "unknown key in \"check\" (want tcp, http, "
			       "exec or ttl, interval, timeout)";
		if (s->check.kind != SERVICE_CHECK_NONE)
			return "one check per service";
		if ((s->check.target = str_of(v)) == NULL)
			return "a check target must be a string";
		s->check.kind = kind;
	}
	if (s->ttl_ms != 0 && s->check.kind != SERVICE_CHECK_NONE)
		return "a service has a TTL or a check, not both";
	if (s->check.kind == SERVICE_CHECK_NONE)
		s->check = (struct service_check){0};
	return NULL;
}

static const char *
parse_service(json_t *root, struct parsed *p)
{
	struct service *s = &p->svc;
	*s = (struct service){.address = "", .tags = p->tags, .meta = p->meta};
	if (!json_is_object(root))
		return "a service file holds one JSON object";
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v) {
		if (strcmp(key, "name") == 0) {
			if ((s->name = str_of(v)) == NULL)
				return "\"name\" must be a string";
		} else if (strcmp(key, "id") == 0) {
			if ((s->id = str_of(v)) == NULL)
				return "\"id\" must be a string";
		} else if (strcmp(key, "address") == 0) {
			if ((s->address = str_of(v)) == NULL)
				return "\"address\" must be a string";
		} else if (strcmp(key, "port") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 65535)
				return "\"port\" must be 0-65535";
			s->port = (uint16_t)json_integer_value(v);
		} else if (strcmp(key, "tags") == 0) {
			if (!json_is_array(v) ||
			    json_array_size(v) > SERVICE_TAGS_MAX)
				return "\"tags\" must be a list of at most 32 "
				       "strings";
			size_t i;
			json_t *t;
			json_array_foreach(v, i, t) {
				if ((p->tags[i] = str_of(t)) == NULL)
					return "every tag must be a string";
			}
			s->tag_count = json_array_size(v);
		} else if (strcmp(key, "meta") == 0) {
			if (!json_is_object(v) ||
			    json_object_size(v) > SERVICE_META_MAX)
				return "\"meta\" must be an object of at most 32 "
				       "strings";
			const char *k;
			json_t *m;
			json_object_foreach(v, k, m) {
				const char *val = str_of(m);
				if (val == NULL)
					return "every meta value must be a "
					       "string";
				p->meta[s->meta_count++] =
					(struct service_kv){k, val};
			}
		} else if (strcmp(key, "check") == 0) {
			const char *why = parse_check(v, s);
			if (why != NULL)
				return why;
		} else {
			snprintf(p->why, sizeof(p->why), "unknown key \"%.40s\" "
				 "(want name, id, address, port, tags, meta, "
				 "check)", key);
			return p->why;
		}
	}
	if (s->name == NULL)
		return "\"name\" is required";
	if (s->id == NULL)
		s->id = s->name;
	const char *why = NULL;
	if (service_validate(s, &why) != 0)
		return why;
	char err[LOG_ERR_SIZE];
	if (checks_validate(&s->check, err) == 0)
		return NULL;
	err[sizeof(p->why) - 1] = '\0'; /* it fits: a short target */
	memcpy(p->why, err, sizeof(p->why));
	return p->why;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_all(struct service **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

static void
free_names(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* The *.json names of dir, sorted, into *out. */
static int
list_files(const char *dir, char ***out, size_t *count, char *err)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return log_err(err, RUMOR_EIO, "%s: cannot read the directory",
			       dir);
	char **names = calloc(CONFIG_FILES_MAX + 1, sizeof(*names));
	int rc = names == NULL ? log_err(err, RUMOR_ENOMEM, "out of memory")
			       : 0;
	*count = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 ||
		    e->d_name[0] == '.')
			continue;
		if (*count == CONFIG_FILES_MAX)
			rc = log_err(err, RUMOR_ELIMIT, "%s: more than %d "
				     "service files", dir, CONFIG_FILES_MAX);
		else if ((names[*count] = strdup(e->d_name)) == NULL)
			rc = log_err(err, RUMOR_ENOMEM, "out of memory");
		else
			(*count)++;
	}
	closedir(d);
	if (rc != 0) {
		if (names != NULL)
			free_names(names, *count);
		return rc;
	}
	qsort(names, *count, sizeof(*names), by_name);
	*out = names;
	return 0;
}

/*
 * A service file's bytes, read without ever blocking the agent's loop: a
 * FIFO (or a device, a socket, a directory) named *.json would wait for a
 * writer or never end, so only a regular file is read, opened
 * non-blocking and checked with fstat. *data is NULL (and 0 returned)
 * for a file skipped with a warning; else malloc'd, *size bytes.
 */
static int
read_service_file(const char *path, char **data, size_t *size, char *err)
{
	*data = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return log_err(err, RUMOR_EIO, "%s: %s", path,
			       log_strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) != 0) {
		rc = log_err(err, RUMOR_EIO, "%s: %s", path,
			     log_strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		log_line(LOG_WARN, "%s: skipped: not a regular file", path);
	} else if (st.st_size > CONFIG_FILE_BYTES_MAX) {
		rc = log_err(err, RUMOR_ETOOBIG, "%s: larger than %d bytes",
			     path, CONFIG_FILE_BYTES_MAX);
	} else if ((*data = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = log_err(err, RUMOR_ENOMEM, "out of memory");
	} else {
		/* Read one byte more than fstat said: a file that grew
		 * meanwhile is too large, not cut short. */
		size_t got = 0, want = (size_t)st.st_size + 1;
		ssize_t n = 1;
		while (got < want && (n = read(fd, *data + got,
					       want - got)) > 0)
			got += (size_t)n;
		if (n < 0 || got == want) {
			rc = n < 0 ? log_err(err, RUMOR_EIO, "%s: %s", path,
					     log_strerror(errno))
				   : log_err(err, RUMOR_EIO, "%s: changed "
					     "while read", path);
			free(*data);
			*data = NULL;
		}
		*size = got;
	}
	close(fd);
	return rc;
}

int
config_load_dir(const char *dir, struct service ***out, size_t *count,
		char *err)
{
	size_t files = 0;
	char **names = NULL;
	int rc = list_files(dir, &names, &files, err);
	if (rc != 0)
		return rc;
	struct service **list = calloc(files ? files : 1, sizeof(*list));
	size_t n = 0;
	if (list == NULL)
		rc = log_err(err, RUMOR_ENOMEM, "out of memory");
	struct parsed *p = malloc(sizeof(*p));
	for (size_t i = 0; rc == 0 && i < files; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		char *text;
		size_t text_size = 0;
		if ((rc = read_service_file(path, &text, &text_size, err)) != 0)
			break;
		if (text == NULL)
			continue; /* skipped, said so */
		json_error_t jerr;
		json_t *root = json_loadb(text, text_size,
					  JSON_REJECT_DUPLICATES, &jerr);
		free(text);
		if (root == NULL) {
			rc = bad(err, path, jerr.line, jerr.text);
			break;
		}
		const char *why = p ? parse_service(root, p) : "out of memory";
		for (size_t j = 0; why == NULL && j < n; j++) {
			if (strcmp(list[j]->id, p->svc.id) == 0)
				why = "another file has a service with this id";
		}
		if (why == NULL && (list[n] = service_dup(&p->svc)) == NULL)
			why = "out of memory";
		json_decref(root);
		if (why != NULL) {
			rc = bad(err, path, 0, why);
			break;
		}
		n++;
	}
	free(p);
	free_names(names, files);
	if (rc != 0) {
		free_all(list, n);
		return rc;
	}
	*out = list;
	*count = n;
	return 0;
}
