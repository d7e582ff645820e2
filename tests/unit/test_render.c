/*
 * `rumor render`'s parts without an agent: the --wait state machine on
 * explicit times (a flapping service, a single change, the caps), the
 * catalog as template data (keys, aliases of dotted names, reserved
 * names, nodes, what the templates need), the atomic output file (mode
 * kept, a new inode per write, nothing left behind on failure) and the
 * --exec outcome in words.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/render/mustache.h"
#include "cli/render/render_data.h"
#include "cli/render/render_exec.h"
#include "cli/render/render_file.h"
#include "cli/render/render_wait.h"
#include "rumor/error.h"
#include "test.h"

/* Renders of --wait min:max over `duration_ms` when a change comes every
 * `every_ms` (from t=0, stopping at `changes_until_ms`), stepping the
 * clock by 100 ms as an event loop's timer would fire. */
static unsigned
renders_over(uint64_t min_ms, uint64_t max_ms, uint64_t every_ms,
	     uint64_t changes_until_ms, uint64_t duration_ms,
	     uint64_t *first_render_ms)
{
	struct render_wait w;
	render_wait_create(&w, min_ms, max_ms);
	unsigned renders = 0;
	*first_render_ms = UINT64_MAX;
	for (uint64_t t = 0; t <= duration_ms; t += 100) {
		/* A due timer first, then a change of the same instant. */
		if (render_wait_take(&w, t)) {
			if (renders++ == 0)
				*first_render_ms = t;
		}
		if (t < changes_until_ms && t % every_ms == 0)
			render_wait_change(&w, t);
	}
	return renders;
}

static void
test_wait_renders_a_single_change_after_min(void)
{
	struct render_wait w;
	render_wait_create(&w, 2000, 10000);
	ASSERT_EQ(render_wait_deadline(&w) == UINT64_MAX, 1);
	ASSERT(!render_wait_take(&w, 5000));
	render_wait_change(&w, 1000);
	ASSERT_EQ(render_wait_deadline(&w), 3000);
	ASSERT(!render_wait_take(&w, 2999));
	ASSERT(render_wait_take(&w, 3000));
	/* Taken: nothing pending until the next change. */
	ASSERT(!render_wait_take(&w, 3001));
	ASSERT_EQ(render_wait_deadline(&w) == UINT64_MAX, 1);
}

static void
test_wait_pushes_back_to_min_after_each_change_up_to_max(void)
{
	struct render_wait w;
	render_wait_create(&w, 2000, 10000);
	render_wait_change(&w, 0);
	render_wait_change(&w, 1500);
	ASSERT_EQ(render_wait_deadline(&w), 3500);
	render_wait_change(&w, 9000);
	ASSERT_EQ(render_wait_deadline(&w), 10000); /* the cap */
	/* A "now" older than the last one does not pull the render in. */
	render_wait_change(&w, 8000);
	ASSERT_EQ(render_wait_deadline(&w), 10000);
	ASSERT(render_wait_take(&w, 10000));
	/* A new wait starts with the next change. */
	render_wait_change(&w, 10500);
	ASSERT_EQ(render_wait_deadline(&w), 12500);
	render_wait_clear(&w);
	ASSERT(!render_wait_take(&w, 20000));
}

static void
test_a_service_flapping_every_second_renders_every_max(void)
{
	uint64_t first;
	/* 60 s of a change a second, --wait 2s:10s: a render every 10 s
	 * (at 10, 20, ... 60 s), not 60. */
	ASSERT_EQ(renders_over(2000, 10000, 1000, 60000, 60000, &first), 6);
	ASSERT_EQ(first, 10000);
	/* The render at 60 s took the last change (59 s): none after. */
	ASSERT_EQ(renders_over(2000, 10000, 1000, 60000, 90000, &first), 6);
	/* Changes stop at 55 s: the last one is rendered 2 s after it. */
	ASSERT_EQ(renders_over(2000, 10000, 1000, 55500, 90000, &first), 6);
	/* Changes 3 s apart are each rendered, 2 s after each. */
	ASSERT_EQ(renders_over(2000, 10000, 3000, 60000, 70000, &first), 20);
	ASSERT_EQ(first, 2000);
	/* --wait 0s renders every change at once (the next step). */
	ASSERT_EQ(renders_over(0, 0, 1000, 60000, 61000, &first), 60);
	ASSERT_EQ(first, 100);
}

static void
test_wait_flag_parses_min_max_and_min_alone(void)
{
	uint64_t lo = 7, hi = 7;
	const char *why = NULL;
	ASSERT_OK(render_wait_parse("2s:10s", &lo, &hi, &why));
	ASSERT_EQ(lo, 2000);
	ASSERT_EQ(hi, 10000);
	ASSERT_OK(render_wait_parse("500ms", &lo, &hi, &why));
	ASSERT_EQ(lo, 500);
	ASSERT_EQ(hi, 2000);
	ASSERT_OK(render_wait_parse("0s", &lo, &hi, &why));
	ASSERT_EQ(hi, 0);
	ASSERT_OK(render_wait_parse("1s:1s", &lo, &hi, &why));
	static const char *const bad[] = {"", "2", "10s:2s", "2s:", ":2s",
					  "2s:10", "-1s", "2s:3s:4s",
					  "1.5ms"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		lo = hi = 7;
		why = NULL;
		ASSERT_EQ(render_wait_parse(bad[i], &lo, &hi, &why),
			  RUMOR_EINVAL);
		ASSERT_NOT_NULL(why);
		ASSERT_EQ(lo, 7);
		ASSERT_EQ(hi, 7);
	}
	ASSERT_EQ(render_wait_parse("10s:2s", &lo, &hi, &why), RUMOR_EINVAL);
	ASSERT_STR_EQ(why, "MAX is less than MIN");
}

static void
test_retry_backs_off_doubling_to_ten_seconds(void)
{
	static const uint64_t want[] = {250,  500,   1000,  2000, 4000,
					8000, 10000, 10000, 10000};
	for (unsigned i = 0; i < sizeof(want) / sizeof(*want); i++)
		ASSERT_EQ(render_retry_ms(i), want[i]);
	ASSERT_EQ(render_retry_ms(1000), 10000);
}

/* Instances with a tag and a meta pair each. */
static const char *const tags_v2[] = {"v2", "blue"};
static const struct rumor_kv meta_a[] = {{"zone", "a"}, {"url", "x&y"}};

static struct rumor_instance
instance(const char *node, const char *id, const char *addr, uint16_t port)
{
	struct rumor_instance in = {.port = port, .healthy = true,
				    .tags = tags_v2, .tag_count = 2,
				    .meta = meta_a, .meta_count = 2};
	snprintf(in.node, sizeof(in.node), "%s", node);
	snprintf(in.id, sizeof(in.id), "%s", id);
	snprintf(in.address, sizeof(in.address), "%s", addr);
	return in;
}

/* Render template text against data; the output (malloc'd) or NULL. */
static char *
render_text(const char *text, const json_t *data)
{
	struct mustache *t;
	if (mustache_parse(&t, text, strlen(text), NULL) != 0)
		return NULL;
	char *out = NULL;
	size_t size;
	int rc = mustache_render(&out, &size, t, data, NULL, NULL);
	mustache_delete(t);
	return rc == 0 ? out : NULL;
}

/* Whether rendering text against data gives want; prints what it gave. */
static bool
renders_as(const char *text, const json_t *data, const char *want)
{
	char *got = render_text(text, data);
	bool ok = got != NULL && strcmp(got, want) == 0;
	if (!ok)
		fprintf(stderr, "  %s\n  gave: %s\n  want: %s\n", text,
			got != NULL ? got : "(error)", want);
	free(got);
	return ok;
}

static void
test_each_service_is_a_key_holding_its_healthy_instances(void)
{
	json_t *root = render_data_new();
	ASSERT_NOT_NULL(root);
	struct rumor_instance web[] = {
		instance("n1", "web-1", "10.0.0.5", 8080),
		instance("n2", "web-2", "10.0.0.6", 8081),
	};
	struct rumor_summary s = {"web", 2, 3};
	ASSERT_OK(render_data_add_service(root, &s, web, 2));
	struct rumor_summary db = {"db", 0, 1};
	ASSERT_OK(render_data_add_service(root, &db, NULL, 0));
	ASSERT(renders_as("{{#web}}server {{address}}:{{port}};\n{{/web}}",
			  root,
			  "server 10.0.0.5:8080;\nserver 10.0.0.6:8081;\n"));
	ASSERT(renders_as("{{#web}}{{id}}@{{node}}[{{#tags}}{{.}},{{/tags}}]"
			  "{{meta.zone}} {{{meta.url}}} {{/web}}",
			  root, "web-1@n1[v2,blue,]a x&y web-2@n2[v2,blue,]a "
				"x&y "));
	/* No healthy db: [] is falsey, as a missing name is. */
	ASSERT(renders_as("{{^db}}no db{{/db}}|{{^cache}}no cache{{/cache}}",
			  root, "no db|no cache"));
	ASSERT(renders_as("{{#services}}{{name}} {{healthy}}/{{total}}:"
			  "{{#instances}} {{port}}{{/instances}};{{/services}}",
			  root, "web 2/3: 8080 8081;db 0/1:;"));
	/* The instance's exact shape. */
	char *dump = json_dumps(json_array_get(json_object_get(root, "web"), 0),
				JSON_SORT_KEYS | JSON_COMPACT);
	ASSERT_STR_EQ(dump, "{\"address\":\"10.0.0.5\",\"id\":\"web-1\","
			    "\"meta\":{\"url\":\"x&y\",\"zone\":\"a\"},"
			    "\"node\":\"n1\",\"port\":8080,"
			    "\"tags\":[\"v2\",\"blue\"]}");
	free(dump);
	json_decref(root);
}

static void
test_dotted_names_get_an_underscore_alias_a_real_name_wins(void)
{
	json_t *root = render_data_new();
	struct rumor_instance a = instance("n1", "a", "10.0.0.1", 1);
	struct rumor_instance b = instance("n1", "b", "10.0.0.2", 2);
	struct rumor_instance c = instance("n1", "c", "10.0.0.3", 3);
	struct rumor_instance d = instance("n1", "d", "10.0.0.4", 4);
	/* In name order, as the agent lists them. */
	struct rumor_summary s1 = {"api.v1", 1, 1}, s2 = {"api.v2", 1, 1},
			     s3 = {"api_v2", 1, 1}, s4 = {"x.y_z", 1, 1},
			     s5 = {"x_y.z", 1, 1};
	ASSERT_OK(render_data_add_service(root, &s1, &a, 1));
	ASSERT_OK(render_data_add_service(root, &s2, &b, 1));
	ASSERT_OK(render_data_add_service(root, &s3, &c, 1));
	ASSERT_OK(render_data_add_service(root, &s4, &d, 1));
	ASSERT_OK(render_data_add_service(root, &s5, &a, 1));
	ASSERT(renders_as("{{#api_v1}}{{port}}{{/api_v1}}", root, "1"));
	/* The real api_v2, not api.v2's alias. */
	ASSERT(renders_as("{{#api_v2}}{{port}}{{/api_v2}}", root, "3"));
	/* The first dotted name of two alike. */
	ASSERT(renders_as("{{#x_y_z}}{{port}}{{/x_y_z}}", root, "4"));
	/* A dotted name in a tag is a path, as Mustache says. */
	ASSERT(renders_as("[{{#api.v1}}{{port}}{{/api.v1}}]", root, "[]"));
	/* Every one of them in the services list. */
	ASSERT(renders_as("{{#services}}{{name}}={{#instances}}{{port}}"
			  "{{/instances}} {{/services}}",
			  root, "api.v1=1 api.v2=2 api_v2=3 x.y_z=4 x_y.z=1 "));
	char alias[8];
	ASSERT(render_data_alias(alias, sizeof(alias), "a.b.c"));
	ASSERT_STR_EQ(alias, "a_b_c");
	ASSERT(!render_data_alias(alias, sizeof(alias), "abc"));
	ASSERT(render_data_alias(alias, sizeof(alias), "a.bcdefghij"));
	ASSERT_STR_EQ(alias, "a_bcdef"); /* truncated to fit */
	json_decref(root);
}

static void
test_services_and_nodes_named_services_do_not_hide_the_lists(void)
{
	json_t *root = render_data_new();
	struct rumor_instance a = instance("n1", "a", "10.0.0.1", 1);
	struct rumor_summary s1 = {"nodes", 1, 1}, s2 = {"services", 1, 1},
			     s3 = {"services.x", 1, 1};
	ASSERT_OK(render_data_add_service(root, &s1, &a, 1));
	ASSERT_OK(render_data_add_service(root, &s2, &a, 1));
	ASSERT_OK(render_data_add_service(root, &s3, &a, 1));
	ASSERT(renders_as("{{#services}}{{name}};{{/services}}", root,
			  "nodes;services;services.x;"));
	ASSERT(renders_as("{{#services_x}}{{port}}{{/services_x}}", root,
			  "1"));
	ASSERT(json_is_array(json_object_get(root, "nodes")));
	ASSERT_EQ(json_array_size(json_object_get(root, "nodes")), 0);
	json_decref(root);
}

static void
test_nodes_are_sorted_with_address_port_and_status(void)
{
	json_t *root = render_data_new();
	static const struct rumor_kv tags[] = {{"role", "db"}};
	struct rumor_member m[] = {
		{"n2", "10.0.0.2:7947", RUMOR_STATUS_FAILED, 3, tags, 1},
		{"n1", "10.0.0.1:7946", RUMOR_STATUS_ALIVE, 0, NULL, 0},
		{"n3", "odd", (enum rumor_status)9, 0, NULL, 0},
	};
	ASSERT_OK(render_data_set_nodes(root, m, 3));
	ASSERT(renders_as("{{#nodes}}{{name}} {{address}} {{port}} {{status}}"
			  "{{#alive}} up{{/alive}}{{tags.role}};{{/nodes}}",
			  root, "n1 10.0.0.1 7946 alive up;n2 10.0.0.2 7947 "
				"faileddb;n3 odd 0 unknown;"));
	json_t *again = render_data_nodes(m, 3);
	ASSERT(json_equal(again, json_object_get(root, "nodes")));
	m[0].status = RUMOR_STATUS_ALIVE;
	json_t *changed = render_data_nodes(m, 3);
	ASSERT(!json_equal(changed, again));
	json_decref(again);
	json_decref(changed);
	json_decref(root);
}

static void
test_bytes_that_are_not_utf8_render_as_they_are(void)
{
	json_t *root = render_data_new();
	static const char *const bad_tags[] = {"\xff\xfe"};
	struct rumor_instance in = instance("n\xc3", "i", "10.0.0.1", 1);
	in.tags = bad_tags;
	in.tag_count = 1;
	in.meta_count = 0;
	struct rumor_summary s = {"web", 1, 1};
	ASSERT_OK(render_data_add_service(root, &s, &in, 1));
	ASSERT(renders_as("{{#web}}{{{node}}} {{#tags}}{{{.}}}{{/tags}}"
			  "{{/web}}",
			  root, "n\xc3 \xff\xfe"));
	json_decref(root);
}

/* The needs of templates given as text. */
static bool
needs_of(struct render_needs *n, const char *const *texts, size_t count)
{
	render_needs_create(n);
	for (size_t i = 0; i < count; i++) {
		struct mustache *t;
		if (mustache_parse(&t, texts[i], strlen(texts[i]), NULL) != 0)
			return false;
		int rc = render_needs_add(n, t);
		mustache_delete(t);
		if (rc != 0)
			return false;
	}
	return true;
}

static void
test_needs_list_the_services_the_templates_use(void)
{
	struct render_needs n;
	const char *const one[] = {
		"{{#web}}{{address}}{{/web}}{{#api_v2}}{{/api_v2}}",
		"{{db.port}}{{#web}}{{/web}}"};
	ASSERT(needs_of(&n, one, 2));
	ASSERT(!n.all);
	ASSERT(!n.nodes);
	ASSERT_EQ(n.count, 4); /* address, api_v2, db, web */
	ASSERT_STR_EQ(n.names[0], "address");
	ASSERT_STR_EQ(n.names[3], "web");
	ASSERT(render_needs_service(&n, "web"));
	ASSERT(render_needs_service(&n, "db"));
	ASSERT(render_needs_service(&n, "api.v2")); /* by its alias */
	ASSERT(render_needs_service(&n, "api_v2"));
	ASSERT(!render_needs_service(&n, "cache"));
	ASSERT(!render_needs_service(&n, "api.v3"));
	render_needs_destroy(&n);
	ASSERT_EQ(n.count, 0);

	const char *const all[] = {"{{#services}}{{name}}{{/services}}",
				   "{{#nodes}}{{name}}{{/nodes}}"};
	ASSERT(needs_of(&n, all, 2));
	ASSERT(n.all);
	ASSERT(n.nodes);
	ASSERT(render_needs_service(&n, "anything"));
	render_needs_destroy(&n);

	const char *const none[] = {"static text"};
	ASSERT(needs_of(&n, none, 1));
	ASSERT(!render_needs_service(&n, "web"));
	render_needs_destroy(&n);
}

/* A fresh directory for the file tests. */
static char tmpdir[64];

static bool
make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rumor-test-render.XXXXXX");
	return mkdtemp(tmpdir) != NULL;
}

/* Entries in tmpdir (not . and ..). */
static int
entries(void)
{
	DIR *d = opendir(tmpdir);
	if (d == NULL)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void
remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[320];
	while (d != NULL && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(tmpdir);
}

static void
test_output_is_replaced_by_rename_keeping_its_mode(void)
{
	ASSERT(make_tmpdir());
	char path[128], err[RENDER_FILE_ERR_SIZE];
	snprintf(path, sizeof(path), "%s/web.conf", tmpdir);
	ASSERT(!render_file_same(path, "", 0));
	mode_t mask = umask(022);
	ASSERT_OK(render_file_write(path, "one\n", 4, err));
	struct stat a, b;
	ASSERT_OK(stat(path, &a));
	ASSERT_EQ(a.st_mode & 07777, 0644);
	ASSERT(render_file_same(path, "one\n", 4));
	ASSERT(!render_file_same(path, "one", 3));
	ASSERT(!render_file_same(path, "two\n", 4));
	ASSERT(!render_file_same(path, "one\nmore", 8));
	ASSERT_OK(chmod(path, 0640));
	ASSERT_OK(render_file_write(path, "two\n", 4, err));
	ASSERT_OK(stat(path, &b));
	umask(mask);
	/* A new file took the old one's name: never rewritten in place,
	 * so a reader holds either the old inode or the new one. */
	ASSERT_NE(a.st_ino, b.st_ino);
	ASSERT_EQ(b.st_mode & 07777, 0640);
	ASSERT(render_file_same(path, "two\n", 4));
	ASSERT_EQ(entries(), 1); /* no temporary file left */
	char *text;
	size_t size;
	ASSERT_OK(render_file_read(path, 4, &text, &size, err));
	ASSERT_EQ(size, 4);
	ASSERT_STR_EQ(text, "two\n");
	free(text);
	ASSERT_EQ(render_file_read(path, 3, &text, &size, err),
		  RUMOR_ETOOBIG);
	remove_tmpdir();
}

static void
test_a_failed_write_leaves_the_old_file_and_no_temporary(void)
{
	ASSERT(make_tmpdir());
	char path[128], err[RENDER_FILE_ERR_SIZE];
	snprintf(path, sizeof(path), "%s/missing/web.conf", tmpdir);
	ASSERT_EQ(render_file_write(path, "x", 1, err), RUMOR_EIO);
	ASSERT(strstr(err, "cannot create") != NULL);
	ASSERT(strstr(err, "/missing/.web.conf.rumor-") != NULL);
	ASSERT_EQ(entries(), 0);
	/* Renaming onto a directory fails: the directory stays, the
	 * temporary file goes. */
	snprintf(path, sizeof(path), "%s/dir", tmpdir);
	ASSERT_OK(mkdir(path, 0755));
	ASSERT_EQ(render_file_write(path, "x", 1, err), RUMOR_EIO);
	ASSERT(strstr(err, "cannot rename") != NULL);
	ASSERT_EQ(entries(), 1);
	rmdir(path);
	char *text;
	size_t size;
	ASSERT_EQ(render_file_read(path, 10, &text, &size, err), RUMOR_EIO);
	ASSERT(strstr(err, "cannot read") != NULL);
	remove_tmpdir();
}

static void
test_a_stale_temporary_of_ours_is_replaced(void)
{
	ASSERT(make_tmpdir());
	char path[128], tmp[160], err[RENDER_FILE_ERR_SIZE];
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	snprintf(tmp, sizeof(tmp), "%s/.out.rumor-%ld.tmp", tmpdir,
		 (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT, 0600);
	ASSERT(fd >= 0);
	ASSERT_EQ(write(fd, "stale stale", 11), 11);
	close(fd);
	ASSERT_OK(render_file_write(path, "new", 3, err));
	ASSERT(render_file_same(path, "new", 3));
	ASSERT_EQ(entries(), 1);
	remove_tmpdir();
}

static void
test_exec_outcomes_read_as_one_line(void)
{
	char buf[96];
	render_exec_outcome(buf, sizeof(buf), 0, 0, false, 30000);
	ASSERT_STR_EQ(buf, "exited 0");
	render_exec_outcome(buf, sizeof(buf), 3, 0, false, 30000);
	ASSERT_STR_EQ(buf, "exited 3");
	render_exec_outcome(buf, sizeof(buf), 0, 15, false, 30000);
	ASSERT_STR_EQ(buf, "killed by signal 15");
	render_exec_outcome(buf, sizeof(buf), 0, 9, true, 30000);
	ASSERT_STR_EQ(buf, "timed out after 30000 ms, killed");
}

int
main(void)
{
	RUN(test_wait_renders_a_single_change_after_min);
	RUN(test_wait_pushes_back_to_min_after_each_change_up_to_max);
	RUN(test_a_service_flapping_every_second_renders_every_max);
	RUN(test_wait_flag_parses_min_max_and_min_alone);
	RUN(test_retry_backs_off_doubling_to_ten_seconds);
	RUN(test_each_service_is_a_key_holding_its_healthy_instances);
	RUN(test_dotted_names_get_an_underscore_alias_a_real_name_wins);
	RUN(test_services_and_nodes_named_services_do_not_hide_the_lists);
	RUN(test_nodes_are_sorted_with_address_port_and_status);
	RUN(test_bytes_that_are_not_utf8_render_as_they_are);
	RUN(test_needs_list_the_services_the_templates_use);
	RUN(test_output_is_replaced_by_rename_keeping_its_mode);
	RUN(test_a_failed_write_leaves_the_old_file_and_no_temporary);
	RUN(test_a_stale_temporary_of_ours_is_replaced);
	RUN(test_exec_outcomes_read_as_one_line);
	return TEST_SUMMARY();
}
