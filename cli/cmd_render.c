/*
 * rumor render: config files rendered from the local catalog, again
 * whenever what they use changes (consul-template's job, for rumor).
 *
 *	rumor render --template upstream.tmpl --out /etc/nginx/conf.d/web.conf \
 *	    --exec "nginx -s reload" --wait 2s:10s
 *
 * A client of the local agent, through the client library only, on one
 * libuv loop: a watch connection says when a service changes (its socket
 * in a uv_poll_t), a second connection reads the catalog when a render is
 * due. The templates are Mustache (cli/render/mustache.h) over the data
 * of cli/render/render_data.h; --wait is render_wait.h's state machine;
 * outputs are replaced atomically (render_file.h) and --exec runs only
 * when one changed (render_exec.h).
 *
 * Errors: a template that does not parse at start exits 2 with
 * "rumor: render: upstream.tmpl:3:14: ..."; later (SIGHUP re-reads the
 * templates) it is logged and the previous template kept. A render that
 * fails keeps the last output. A lost agent is retried with backoff, one
 * line per state change. --once renders, runs --exec when an output
 * changed, and exits 0, or 1 on any failure.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "agent/log.h"
#include "cmd_common.h"
#include "cmd.h"
#include "render/mustache.h"
#include "render/render_data.h"
#include "render/render_exec.h"
#include "render/render_file.h"
#include "render/render_wait.h"

/** --template/--out pairs one command renders. */
#define RENDER_TEMPLATES_MAX 16
/** How often the member list is read when a template uses "nodes" (the
 *  watch stream carries service changes only). */
#define RENDER_NODES_POLL_MS 1000
/** --wait and --exec-timeout when not given. */
#define RENDER_WAIT_DEFAULT "1s"
#define RENDER_EXEC_TIMEOUT_MS_DEFAULT 30000

static const char render_usage[] =
	"usage: rumor render --template FILE --out FILE [--template FILE "
	"--out FILE]...\n"
	"                    [--exec CMD] [--exec-timeout DUR] "
	"[--wait MIN[:MAX]] [--once]\n"
	"                    [--socket PATH]\n"
	"  Render Mustache templates from the local agent's catalog, and\n"
	"  again whenever a service they use changes (docs/render.md).\n"
	"  --template FILE  a Mustache template; the data: one key per "
	"service\n"
	"                   (its healthy instances: id, address, port, "
	"node,\n"
	"                   tags, meta), \"services\" and \"nodes\"\n"
	"  --out FILE       where the template before it renders to, "
	"replaced\n"
	"                   atomically (\"-\": stdout)\n"
	"  --exec CMD       run by /bin/sh -c after an output changed\n"
	"  --exec-timeout DUR  kill CMD after this long (default 30s)\n"
	"  --wait MIN[:MAX] render once the catalog was quiet for MIN, "
	"never\n"
	"                   later than MAX after the first change (default "
	"1s;\n"
	"                   MAX defaults to 4 x MIN)\n"
	"  --once           render once, run CMD if an output changed, "
	"exit\n"
	"  SIGHUP re-reads the templates and renders at once.\n";

/* One --template/--out pair. */
struct tmpl {
	const char *path;
	const char *out;
	struct mustache *t;
	/* What went to stdout last (--out -), to tell a change. */
	char *last;
	size_t last_size;
	bool have_last;
};

struct render {
	uv_loop_t loop;
	const char *socket_path;
	const char *exec;
	uint64_t exec_timeout_ms;
	bool once;
	struct tmpl tmpls[RENDER_TEMPLATES_MAX];
	size_t tmpl_count;
	struct render_needs needs;
	struct render_wait wait;
	/* The watch and the catalog connections (NULL: not connected). */
	struct rumor *watch, *query;
	/* The watch socket in the loop (allocated per connection). */
	uv_poll_t *poll;
	uv_timer_t wait_timer, retry_timer, nodes_timer;
	uv_signal_t sig_hup, sig_term, sig_int;
	struct render_exec run;
	unsigned retry_attempt;
	/* A line said the agent is out of reach (until it is back). */
	bool told_down;
	/* The agent was reached once: the first render is done. */
	bool started;
	/* The last member list read (a template uses "nodes"). */
	json_t *nodes_seen;
	/* --once: a failure happened. */
	bool failed;
};

/* One line about a running render: a log line, or with --once (and
 * before the loop runs) "rumor: render: ..." on stderr, problems only. */
static void __attribute__((format(printf, 3, 4)))
say(struct render *r, enum log_level level, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!r->once)
		log_line(level, "render: %s", text);
	else if (level >= LOG_WARN)
		fprintf(stderr, "rumor: render: %s\n", text);
	if (level >= LOG_WARN)
		r->failed = true;
}

/* Read and compile a template; 0, or -1 with the one-line reason in
 * why (PATH:LINE:COLUMN: message). */
static int
load_template(const char *path, struct mustache **out, char *why,
	      size_t why_size)
{
	char err[RENDER_FILE_ERR_SIZE];
	char *text;
	size_t size;
	if (render_file_read(path, MUSTACHE_TEMPLATE_SIZE_MAX, &text, &size,
			     err) != 0) {
		snprintf(why, why_size, "%.1000s", err);
		return -1;
	}
	struct mustache_error merr;
	int rc = mustache_parse(out, text, size, &merr);
	free(text);
	if (rc == 0)
		return 0;
	if (merr.line > 0)
		snprintf(why, why_size, "%s:%u:%u: %s", path, merr.line,
			 merr.column, merr.message);
	else
		snprintf(why, why_size, "%s: %s", path, merr.message);
	return -1;
}

/* What the templates use, anew. 0 or RUMOR_ENOMEM (r->needs kept). */
static int
needs_update(struct render *r)
{
	struct render_needs n;
	render_needs_create(&n);
	for (size_t i = 0; i < r->tmpl_count; i++) {
		if (render_needs_add(&n, r->tmpls[i].t) != 0) {
			render_needs_destroy(&n);
			return RUMOR_ENOMEM;
		}
	}
	render_needs_destroy(&r->needs);
	r->needs = n;
	return 0;
}

/* The services the templates use, added to root. 0; or the library's
 * code with its reason in rumor_last_error(r->query); or RUMOR_ENOMEM. */
static int
fetch_services(struct render *r, json_t *root)
{
	const struct rumor_summary *list;
	size_t n;
	int rc = rumor_services(r->query, &list, &n);
	if (rc != 0)
		return rc;
	/* The list lives until the next call on the handle: copied. */
	struct rumor_summary *sums = calloc(n > 0 ? n : 1, sizeof(*sums));
	char(*names)[RUMOR_NAME_MAX + 1] = calloc(n > 0 ? n : 1,
						   sizeof(*names));
	if (sums == NULL || names == NULL) {
		free(sums);
		free(names);
		return RUMOR_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", list[i].name);
		sums[i] = list[i];
		sums[i].name = names[i];
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!render_needs_service(&r->needs, names[i]))
			continue;
		const struct rumor_instance *in = NULL;
		size_t count = 0;
		rc = rumor_lookup_all(r->query, names[i], NULL, false, &in,
				      &count);
		if (rc == RUMOR_ENOTFOUND) /* gone since the list */
			rc = count = 0;
		if (rc == 0)
			rc = render_data_add_service(root, &sums[i], in,
						     count);
	}
	free(sums);
	free(names);
	return rc;
}

/* The data of a render into *out: the services, and the member list
 * when a template uses it. Same returns. */
static int
fetch(struct render *r, json_t **out)
{
	json_t *root = render_data_new();
	if (root == NULL)
		return RUMOR_ENOMEM;
	int rc = fetch_services(r, root);
	if (rc == 0 && r->needs.nodes) {
		const struct rumor_member *list;
		size_t n;
		rc = rumor_members(r->query, &list, &n);
		if (rc == 0)
			rc = render_data_set_nodes(root, list, n);
		if (rc == 0) {
			json_decref(r->nodes_seen);
			r->nodes_seen = json_incref(
				json_object_get(root, RENDER_DATA_NODES));
		}
	}
	if (rc != 0) {
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

/* Render one template against data and put it where it goes. 1 when the
 * output changed, 0 when it is as it was, -1 after saying why not. */
static int
render_one(struct render *r, struct tmpl *tm, const json_t *data)
{
	char *out;
	size_t size;
	struct mustache_error merr;
	if (mustache_render(&out, &size, tm->t, data, NULL, &merr) != 0) {
		say(r, LOG_ERROR, "%s:%u:%u: %s (last output kept)", tm->path,
		    merr.line, merr.column, merr.message);
		return -1;
	}
	int changed = 1;
	if (strcmp(tm->out, "-") == 0) {
		if (tm->have_last && tm->last_size == size &&
		    memcmp(tm->last, out, size) == 0) {
			changed = 0;
		} else {
			fwrite(out, 1, size, stdout);
			fflush(stdout);
			free(tm->last);
			tm->last = out;
			tm->last_size = size;
			tm->have_last = true;
			return 1;
		}
	} else if (render_file_same(tm->out, out, size)) {
		changed = 0;
	} else {
		char err[RENDER_FILE_ERR_SIZE];
		if (render_file_write(tm->out, out, size, err) != 0) {
			say(r, LOG_ERROR, "%s (last output kept)", err);
			changed = -1;
		} else {
			say(r, LOG_INFO, "wrote %s (%zu bytes)", tm->out, size);
		}
	}
	free(out);
	return changed;
}

static void agent_lost(struct render *r, const char *why);

/* Read the catalog, render every template, run --exec when an output
 * changed. */
static void
render_all(struct render *r)
{
	json_t *data;
	int rc = fetch(r, &data);
	if (rc == RUMOR_ENOMEM) {
		say(r, LOG_ERROR, "out of memory (last output kept)");
		return;
	}
	if (rc != 0 && rumor_last_refused(r->query)) {
		say(r, LOG_ERROR, "the agent refused: %s (last output kept)",
		    rumor_last_error(r->query));
		return;
	}
	if (rc != 0 && r->once) {
		say(r, LOG_ERROR, "%s: %s", r->socket_path,
		    rumor_last_error(r->query));
		return;
	}
	if (rc != 0) {
		agent_lost(r, rumor_last_error(r->query));
		return;
	}
	bool changed = false;
	for (size_t i = 0; i < r->tmpl_count; i++)
		changed |= render_one(r, &r->tmpls[i], data) == 1;
	json_decref(data);
	if (changed && r->exec != NULL)
		render_exec_run(&r->run);
}

static uint64_t
now_ms(struct render *r)
{
	uv_update_time(&r->loop);
	return uv_now(&r->loop);
}

/* Render now (a start, a reconnection, a SIGHUP): a pending wait is
 * served by it. */
static void
render_now(struct render *r)
{
	render_wait_clear(&r->wait);
	uv_timer_stop(&r->wait_timer);
	render_all(r);
}

static void
wait_due(uv_timer_t *t);

/* Arm the wait timer at the state machine's deadline. */
static void
wait_arm(struct render *r)
{
	uint64_t deadline = render_wait_deadline(&r->wait);
	if (deadline == UINT64_MAX) {
		uv_timer_stop(&r->wait_timer);
		return;
	}
	uint64_t now = now_ms(r);
	uv_timer_start(&r->wait_timer, wait_due,
		       deadline > now ? deadline - now : 0, 0);
}

static void
wait_due(uv_timer_t *t)
{
	struct render *r = t->data;
	if (render_wait_take(&r->wait, now_ms(r)))
		render_all(r);
	else
		wait_arm(r);
}

/* A change the templates use. */
static void
changed(struct render *r)
{
	render_wait_change(&r->wait, now_ms(r));
	wait_arm(r);
}

static void
watch_readable(uv_poll_t *p, int status, int events)
{
	(void)events;
	struct render *r = p->data;
	if (status < 0) {
		agent_lost(r, uv_strerror(status));
		return;
	}
	struct rumor_event ev;
	int rc = rumor_watch_next(r->watch, &ev);
	if (rc != 0) {
		agent_lost(r, rc == RUMOR_EPROTO
				      ? "bad event frame"
				      : "the agent closed the watch stream");
		return;
	}
	if (render_needs_service(&r->needs, ev.service))
		changed(r);
}

/* The member list, when a template uses it: a change is a change. */
static void
nodes_poll(uv_timer_t *t)
{
	struct render *r = t->data;
	if (r->query == NULL)
		return;
	const struct rumor_member *list;
	size_t n;
	if (rumor_members(r->query, &list, &n) != 0) {
		if (!rumor_last_refused(r->query))
			agent_lost(r, rumor_last_error(r->query));
		return;
	}
	json_t *nodes = render_data_nodes(list, n);
	if (nodes == NULL)
		return;
	/* Compared with the last read, not the last render: a change
	 * waiting out --wait is not a new change every poll. */
	if (!json_equal(nodes, r->nodes_seen))
		changed(r);
	json_decref(r->nodes_seen);
	r->nodes_seen = nodes;
}

static void
nodes_timer_update(struct render *r)
{
	if (r->needs.nodes && r->query != NULL)
		uv_timer_start(&r->nodes_timer, nodes_poll,
			       RENDER_NODES_POLL_MS, RENDER_NODES_POLL_MS);
	else
		uv_timer_stop(&r->nodes_timer);
}

static void
free_handle(uv_handle_t *h)
{
	free(h);
}

static void
disconnect(struct render *r)
{
	if (r->poll != NULL) {
		/* Closed before its socket: libuv asks for that order. */
		uv_close((uv_handle_t *)r->poll, free_handle);
		r->poll = NULL;
	}
	rumor_close(r->watch);
	rumor_close(r->query);
	r->watch = r->query = NULL;
	nodes_timer_update(r);
}

/* Both connections, the watch on every service in the loop. 0, or -1
 * with the reason in why. */
static int
connect_agent(struct render *r, char *why, size_t why_size)
{
	int rc = rumor_connect(r->socket_path, &r->watch);
	if (rc == 0 && (rc = rumor_watch(r->watch, NULL)) != 0)
		snprintf(why, why_size, "%s", rumor_last_error(r->watch));
	else if (rc == 0)
		rc = rumor_connect(r->socket_path, &r->query);
	if (rc != 0 && why[0] == '\0')
		snprintf(why, why_size, "%s",
			 rc == RUMOR_EINVAL ? "socket path too long"
			 : rc == RUMOR_ENOMEM ? "out of memory"
					      : log_strerror(errno));
	if (rc == 0 && (r->poll = malloc(sizeof(*r->poll))) == NULL) {
		snprintf(why, why_size, "out of memory");
		rc = RUMOR_ENOMEM;
	}
	if (rc == 0) {
		uv_poll_init(&r->loop, r->poll, rumor_fd(r->watch));
		r->poll->data = r;
		uv_poll_start(r->poll, UV_READABLE, watch_readable);
		return 0;
	}
	disconnect(r);
	return -1;
}

static void
retry(uv_timer_t *t)
{
	struct render *r = t->data;
	char why[512] = "";
	if (connect_agent(r, why, sizeof(why)) == 0) {
		say(r, LOG_INFO, "connected to the agent at %s",
		    r->socket_path);
		r->retry_attempt = 0;
		nodes_timer_update(r);
		/* At start, render at once. Back from a lost agent (which
		 * may be a restarted one still learning the cluster),
		 * through --wait like any change. */
		if (r->started)
			changed(r);
		else
			render_now(r);
		r->told_down = false;
		r->started = true;
		return;
	}
	if (!r->told_down)
		say(r, LOG_WARN, "cannot reach the agent at %s: %s; retrying",
		    r->socket_path, why);
	r->told_down = true;
	uv_timer_start(&r->retry_timer, retry,
		       render_retry_ms(r->retry_attempt++), 0);
}

static void
agent_lost(struct render *r, const char *why)
{
	say(r, LOG_WARN, "lost the agent at %s: %s; keeping the last "
	    "output, retrying", r->socket_path, why);
	disconnect(r);
	render_wait_clear(&r->wait);
	uv_timer_stop(&r->wait_timer);
	r->told_down = true;
	r->retry_attempt = 0;
	uv_timer_start(&r->retry_timer, retry,
		       render_retry_ms(r->retry_attempt++), 0);
}

static void
exec_done(struct render_exec *e, bool ok, const char *outcome)
{
	struct render *r = e->data;
	if (ok)
		say(r, LOG_INFO, "--exec %s", outcome);
	else
		say(r, LOG_WARN, "--exec %s%s", outcome,
		    r->once ? "" : " (run again on the next change)");
}

/* SIGHUP: read the templates again (one that no longer parses is kept
 * as it was) and render now. */
static void
reload(struct render *r)
{
	size_t kept = 0;
	for (size_t i = 0; i < r->tmpl_count; i++) {
		struct mustache *t;
		char why[1024];
		if (load_template(r->tmpls[i].path, &t, why, sizeof(why)) !=
		    0) {
			say(r, LOG_ERROR, "%s (previous template kept)", why);
			kept++;
			continue;
		}
		mustache_delete(r->tmpls[i].t);
		r->tmpls[i].t = t;
	}
	if (needs_update(r) != 0)
		say(r, LOG_ERROR, "out of memory");
	say(r, LOG_INFO, "SIGHUP: %zu of %zu templates reloaded%s",
	    r->tmpl_count - kept, r->tmpl_count,
	    r->query != NULL ? ", rendering" : "");
	nodes_timer_update(r);
	if (r->query != NULL)
		render_now(r);
}

static void
signalled(uv_signal_t *h, int signum)
{
	struct render *r = h->data;
	if (signum == SIGHUP) {
		reload(r);
		return;
	}
	say(r, LOG_INFO, "stopping on %s", signum == SIGINT ? "SIGINT"
							     : "SIGTERM");
	uv_stop(&r->loop);
}

/* The flags: --template/--out pairs, --exec, --exec-timeout, --wait,
 * --once, --socket. 0, 1 after --help, -1 after a usage error. */
static int
parse_flags(struct args *a, struct render *r)
{
	static const char *const valued[] = {
		"--template", "--out", "--exec", "--exec-timeout", "--wait",
		"--socket", NULL};
	static const char *const switches[] = {"--once", NULL};
	struct cmd_flags f;
	cmd_flags_init(&f);
	r->socket_path = f.socket_path;
	r->exec_timeout_ms = RENDER_EXEC_TIMEOUT_MS_DEFAULT;
	const char *wait = RENDER_WAIT_DEFAULT, *flag, *value, *why;
	size_t outs = 0;
	int rc;
	while ((rc = args_next(a, &flag, &value, valued, switches)) == 1) {
		if (strcmp(flag, "--help") == 0) {
			fputs(render_usage, stdout);
			return 1;
		} else if (strcmp(flag, "--template") == 0) {
			if (r->tmpl_count != outs ||
			    r->tmpl_count == RENDER_TEMPLATES_MAX) {
				fprintf(stderr, "rumor: render: each "
					"--template needs its --out after it "
					"(at most %d pairs)\n",
					RENDER_TEMPLATES_MAX);
				return -1;
			}
			r->tmpls[r->tmpl_count++].path = value;
		} else if (strcmp(flag, "--out") == 0) {
			if (outs + 1 != r->tmpl_count) {
				fprintf(stderr, "rumor: render: --out %s has "
					"no --template before it\n", value);
				return -1;
			}
			r->tmpls[outs++].out = value;
		} else if (strcmp(flag, "--exec") == 0) {
			r->exec = value;
		} else if (strcmp(flag, "--exec-timeout") == 0) {
			if (args_duration(a, flag, value,
					  &r->exec_timeout_ms) != 0)
				return -1;
		} else if (strcmp(flag, "--wait") == 0) {
			wait = value;
		} else if (strcmp(flag, "--once") == 0) {
			r->once = true;
		} else {
			r->socket_path = value; /* --socket */
		}
	}
	if (rc < 0)
		return -1;
	if (r->tmpl_count == 0 || outs != r->tmpl_count) {
		fprintf(stderr, "rumor: render: %s (see rumor render "
			"--help)\n", r->tmpl_count == 0
					     ? "missing --template FILE "
					       "--out FILE"
					     : "the last --template has no "
					       "--out");
		return -1;
	}
	if (r->exec_timeout_ms == 0 || (r->exec != NULL && r->exec[0] == 0)) {
		fprintf(stderr, "rumor: render: %s\n",
			r->exec_timeout_ms == 0 ? "--exec-timeout must be more "
						  "than 0"
						: "--exec is empty");
		return -1;
	}
	uint64_t lo, hi;
	if (render_wait_parse(wait, &lo, &hi, &why) != 0) {
		fprintf(stderr, "rumor: render: --wait: bad value \"%s\": %s "
			"(use e.g. 2s:10s or 500ms)\n", wait, why);
		return -1;
	}
	render_wait_create(&r->wait, lo, hi);
	return 0;
}

/* The templates, compiled; an error is "rumor: render: FILE:L:C: ...". */
static int
load_all(struct render *r)
{
	for (size_t i = 0; i < r->tmpl_count; i++) {
		char why[1024];
		if (load_template(r->tmpls[i].path, &r->tmpls[i].t, why,
				  sizeof(why)) != 0) {
			fprintf(stderr, "rumor: render: %s\n", why);
			return -1;
		}
	}
	if (needs_update(r) != 0) {
		fprintf(stderr, "rumor: render: out of memory\n");
		return -1;
	}
	return 0;
}

/* --once: one render, --exec if an output changed, an exit status. */
static int
run_once(struct render *r)
{
	r->query = cmd_connect(r->socket_path);
	if (r->query == NULL)
		return 1;
	render_all(r);
	uv_run(&r->loop, UV_RUN_DEFAULT); /* the --exec run, if any */
	return r->failed ? 1 : 0;
}

static int
run_watch(struct render *r)
{
	uv_timer_init(&r->loop, &r->wait_timer);
	uv_timer_init(&r->loop, &r->retry_timer);
	uv_timer_init(&r->loop, &r->nodes_timer);
	r->wait_timer.data = r->retry_timer.data = r->nodes_timer.data = r;
	uv_signal_t *sigs[] = {&r->sig_hup, &r->sig_term, &r->sig_int};
	int nums[] = {SIGHUP, SIGTERM, SIGINT};
	for (size_t i = 0; i < 3; i++) {
		uv_signal_init(&r->loop, sigs[i]);
		sigs[i]->data = r;
		uv_signal_start(sigs[i], signalled, nums[i]);
	}
	retry(&r->retry_timer); /* the first attempt, at once */
	uv_run(&r->loop, UV_RUN_DEFAULT);
	disconnect(r);
	uv_close((uv_handle_t *)&r->wait_timer, NULL);
	uv_close((uv_handle_t *)&r->retry_timer, NULL);
	uv_close((uv_handle_t *)&r->nodes_timer, NULL);
	for (size_t i = 0; i < 3; i++)
		uv_close((uv_handle_t *)sigs[i], NULL);
	return 0;
}

int
cmd_render(struct args *a)
{
	struct render *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		fprintf(stderr, "rumor: render: out of memory\n");
		return 1;
	}
	render_needs_create(&r->needs);
	int rc = parse_flags(a, r);
	int status = rc > 0 ? 0 : ARGS_EXIT_USAGE;
	if (rc == 0 && load_all(r) == 0) {
		uv_loop_init(&r->loop);
		render_exec_create(&r->run, &r->loop, r->exec,
				   r->exec_timeout_ms, exec_done);
		r->run.data = r;
		status = r->once ? run_once(r) : run_watch(r);
		disconnect(r);
		render_exec_destroy(&r->run);
		uv_run(&r->loop, UV_RUN_DEFAULT); /* the closes */
		uv_loop_close(&r->loop);
	}
	for (size_t i = 0; i < r->tmpl_count; i++) {
		mustache_delete(r->tmpls[i].t);
		free(r->tmpls[i].last);
	}
	render_needs_destroy(&r->needs);
	json_decref(r->nodes_seen);
	free(r);
	return status;
}
