/*
 * checks: one runner per checked service (an interval timer), one probe
 * per run (its own handles and a timeout timer). A probe frees itself
 * when its last handle has closed; a runner that is stopped while its
 * probe runs leaves the probe to finish alone (orphaned, result dropped).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "log.h"
#include "rumor/error.h"

struct probe;

struct check_runner {
	struct checks *ch;
	/** In ch->runners. */
	struct list link;
	char id[SERVICE_NAME_MAX + 1];
	struct service_check def;
	char target[SERVICE_CHECK_TARGET_MAX + 1];
	uv_timer_t timer;
	struct probe *probe;
	/** Its timer is closing; freed in the close callback. */
	bool closing;
	/** The last result (-1: none yet), to log failures as they
	 *  begin, once a second at most per check. */
	int last;
	struct log_limit limit;
};

/* The first bytes of an HTTP answer we read: enough for a status line. */
#define PROBE_READ_MAX 64

struct probe {
	struct checks *ch;
	/** NULL once orphaned. */
	struct check_runner *runner;
	enum service_check_kind kind;
	uv_timer_t timeout;
	union {
		uv_tcp_t tcp;
		uv_process_t proc;
	} h;
	bool h_open;
	uv_connect_t connect;
	uv_write_t write;
	char request[SERVICE_CHECK_TARGET_MAX + 128];
	char answer[PROBE_READ_MAX + 1];
	size_t got;
	int open_handles;
	bool done;
	bool exited;
};

/* ---- probes -------------------------------------------------------------- */

static void
probe_closed(uv_handle_t *h)
{
	struct probe *p = h->data;
	if (--p->open_handles > 0)
		return;
	if (p->runner != NULL)
		p->runner->probe = NULL;
	else
		p->ch->orphans--;
	free(p);
}

static void
probe_close_handles(struct probe *p)
{
	if (!uv_is_closing((uv_handle_t *)&p->timeout))
		uv_close((uv_handle_t *)&p->timeout, probe_closed);
	/* A process handle closes once it has exited (exit_cb). */
	if (p->h_open && !uv_is_closing((uv_handle_t *)&p->h) &&
	    (p->kind != SERVICE_CHECK_EXEC || p->exited))
		uv_close((uv_handle_t *)&p->h, probe_closed);
}

static const char *const kind_strs[] = {"none", "tcp", "http", "exec"};

/* A check that was not failing fails: say why (its service may have
 * been critical all along, so its health alone would not show it). */
static void
runner_log(struct check_runner *r, enum service_health health,
	   const char *why)
{
	bool failing = health != SERVICE_HEALTH_PASSING;
	if (failing && r->last != (int)health)
		log_limited(&r->limit, uv_now(r->ch->loop), LOG_WARN,
			    "service %s: %s check %s failed: %s", r->id,
			    kind_strs[r->def.kind], r->target, why);
	r->last = (int)health;
}

/* The result is in (why: the failure, NULL when passing): report it
 * (once) and close up. */
static void
probe_finish(struct probe *p, enum service_health health, const char *why)
{
	if (!p->done) {
		p->done = true;
		p->ch->stats.runs++;
		p->ch->stats.failures += health != SERVICE_HEALTH_PASSING;
		if (p->runner != NULL && !p->ch->stopped) {
			runner_log(p->runner, health, why);
			p->ch->on_result(p->ch->arg, p->runner->id, health);
		}
	}
	probe_close_handles(p);
}

/* probe_finish for a libuv status (0: passing). */
static void
probe_status(struct probe *p, int status)
{
	probe_finish(p, status == 0 ? SERVICE_HEALTH_PASSING
				    : SERVICE_HEALTH_CRITICAL,
		     status == 0 ? NULL : uv_strerror(status));
}

/* Kill a command and everything it started (its process group). */
static void
probe_kill(struct probe *p)
{
	if (p->kind != SERVICE_CHECK_EXEC || !p->h_open || p->exited ||
	    p->h.proc.pid <= 0)
		return;
	uv_kill(-p->h.proc.pid, SIGKILL);
	uv_process_kill(&p->h.proc, SIGKILL);
}

static void
probe_timed_out(uv_timer_t *t)
{
	struct probe *p = t->data;
	probe_kill(p);
	probe_finish(p, SERVICE_HEALTH_CRITICAL, "timed out");
}

/* "A.B.C.D:PORT" (port required) or, for HTTP, "http://A.B.C.D[:PORT]/p"
 * into addr and path. 0 or -1. */
static int
parse_target(const struct service_check *def, struct sockaddr_in *addr,
	     const char **path)
{
	const char *s = def->target;
	char host[64];
	unsigned port = 80;
	*path = "/";
	if (def->kind == SERVICE_CHECK_HTTP) {
		if (strncmp(s, "http://", 7) != 0)
			return -1;
		s += 7;
	}
	size_t n = strcspn(s, ":/");
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	s += n;
	if (*s == ':') {
		char *end;
		unsigned long v = strtoul(s + 1, &end, 10);
		if (end == s + 1 || v == 0 || v > 65535)
			return -1;
		port = (unsigned)v;
		s = end;
	} else if (def->kind == SERVICE_CHECK_TCP) {
		return -1;
	}
	if (def->kind == SERVICE_CHECK_HTTP && *s == '/')
		*path = s;
	else if (*s != '\0')
		return -1;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	return uv_ip4_addr(host, (int)port, addr) == 0 ? 0 : -1;
}

int
checks_validate(const struct service_check *def, char *err)
{
	struct sockaddr_in addr;
	const char *path;
	if (def->kind == SERVICE_CHECK_NONE)
		return 0;
	if (def->target == NULL || def->target[0] == '\0')
		return log_err(err, RUMOR_EINVAL, "a %s check needs a target",
			       kind_strs[def->kind]);
	if (def->kind == SERVICE_CHECK_EXEC ||
	    parse_target(def, &addr, &path) == 0)
		return 0;
	return log_err(err, RUMOR_EINVAL, "%s check target \"%.80s\": want "
		       "%s", kind_strs[def->kind], def->target,
		       def->kind == SERVICE_CHECK_TCP
			       ? "A.B.C.D:PORT (an IPv4 address, or localhost)"
			       : "http://A.B.C.D[:PORT]/PATH");
}

static void
http_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct probe *p = h->data;
	*buf = uv_buf_init(p->answer + p->got,
			   (unsigned)(PROBE_READ_MAX - p->got));
}

/* "HTTP/1.x NNN": passing for 2xx. */
static void
http_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	struct probe *p = s->data;
	if (p->done)
		return;
	if (nread > 0)
		p->got += (size_t)nread;
	p->answer[p->got] = '\0';
	char *eol = strchr(p->answer, '\n');
	if (eol == NULL && nread >= 0 && p->got < PROBE_READ_MAX)
		return; /* more to come */
	unsigned code = 0;
	bool ok = sscanf(p->answer, "HTTP/1.%*1[01] %3u", &code) == 1;
	char why[48];
	snprintf(why, sizeof(why), ok ? "HTTP status %u"
				      : "no HTTP status line", code);
	bool pass = ok && code >= 200 && code < 300;
	probe_finish(p, pass ? SERVICE_HEALTH_PASSING : SERVICE_HEALTH_CRITICAL,
		     pass ? NULL : why);
}

static void
http_written(uv_write_t *w, int status)
{
	struct probe *p = w->data;
	if (p->done) {
		probe_close_handles(p);
		return;
	}
	if (status == 0)
		status = uv_read_start((uv_stream_t *)&p->h.tcp, http_alloc,
				       http_read);
	if (status != 0)
		probe_status(p, status);
}

static void
tcp_connected(uv_connect_t *c, int status)
{
	struct probe *p = c->data;
	if (p->done)
		return;
	if (status != 0 || p->kind == SERVICE_CHECK_TCP) {
		probe_status(p, status);
		return;
	}
	uv_buf_t buf = uv_buf_init(p->request, (unsigned)strlen(p->request));
	p->write.data = p;
	int rc = uv_write(&p->write, (uv_stream_t *)&p->h.tcp, &buf, 1,
			  http_written);
	if (rc != 0)
		probe_status(p, rc);
}

static void
proc_exited(uv_process_t *proc, int64_t status, int term_signal)
{
	struct probe *p = proc->data;
	p->exited = true;
	char why[48];
	if (term_signal != 0)
		snprintf(why, sizeof(why), "killed by signal %d", term_signal);
	else
		snprintf(why, sizeof(why), "exit status %" PRId64, status);
	bool pass = status == 0 && term_signal == 0;
	probe_finish(p, pass ? SERVICE_HEALTH_PASSING : SERVICE_HEALTH_CRITICAL,
		     pass ? NULL : why);
	probe_close_handles(p);
}

static void
probe_exec(struct probe *p, const char *cmd)
{
	char *args[] = {"sh", "-c", (char *)cmd, NULL};
	uv_stdio_container_t stdio[3] = {{.flags = UV_IGNORE},
					 {.flags = UV_IGNORE},
					 {.flags = UV_IGNORE}};
	/* In a process group of its own, so a timeout kills the command's
	 * children too, not just the shell. */
	uv_process_options_t opt = {
		.exit_cb = proc_exited, .file = "/bin/sh", .args = args,
		.stdio_count = 3, .stdio = stdio,
		.flags = UV_PROCESS_DETACHED,
	};
	p->h.proc.data = p;
	int rc = uv_spawn(p->ch->loop, &p->h.proc, &opt);
	/* On Unix the handle is initialized even when the spawn fails. */
	p->h_open = true;
	p->open_handles++;
	if (rc != 0) {
		p->exited = true;
		probe_status(p, rc);
	}
}

static void
probe_start(struct check_runner *r)
{
	struct probe *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return; /* try again next interval */
	p->ch = r->ch;
	p->runner = r;
	p->kind = r->def.kind;
	r->probe = p;
	uv_timer_init(p->ch->loop, &p->timeout);
	p->timeout.data = p;
	p->open_handles = 1;
	uv_timer_start(&p->timeout, probe_timed_out, r->def.timeout_ms, 0);
	if (p->kind == SERVICE_CHECK_EXEC) {
		probe_exec(p, r->target);
		return;
	}
	struct sockaddr_in addr;
	const char *path;
	if (parse_target(&r->def, &addr, &path) != 0) {
		/* Only a services file of an older agent holds one. */
		probe_finish(p, SERVICE_HEALTH_CRITICAL, "bad target");
		return;
	}
	snprintf(p->request, sizeof(p->request),
		 "GET %s HTTP/1.0\r\nUser-Agent: rumor\r\n"
		 "Connection: close\r\n\r\n", path);
	uv_tcp_init(p->ch->loop, &p->h.tcp);
	p->h.tcp.data = p;
	p->h_open = true;
	p->open_handles++;
	p->connect.data = p;
	int rc = uv_tcp_connect(&p->connect, &p->h.tcp,
				(const struct sockaddr *)&addr, tcp_connected);
	if (rc != 0)
		probe_status(p, rc);
}

/* ---- runners ------------------------------------------------------------- */

static void
runner_fire(uv_timer_t *t)
{
	struct check_runner *r = t->data;
	if (r->probe == NULL && !r->ch->stopped)
		probe_start(r);
}

static void
runner_closed(uv_handle_t *h)
{
	free(h->data);
}

static void
runner_stop(struct check_runner *r)
{
	list_remove(&r->link);
	if (r->probe != NULL) {
		r->probe->runner = NULL; /* finishes alone, result dropped */
		r->ch->orphans++;
		r->probe = NULL;
	}
	r->closing = true;
	uv_close((uv_handle_t *)&r->timer, runner_closed);
}

static struct check_runner *
runner_start(struct checks *ch, const struct service *s)
{
	struct check_runner *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->ch = ch;
	strcpy(r->id, s->id);
	r->def = s->check;
	snprintf(r->target, sizeof(r->target), "%s", s->check.target);
	r->def.target = r->target;
	r->last = -1;
	uv_timer_init(ch->loop, &r->timer);
	r->timer.data = r;
	uv_timer_start(&r->timer, runner_fire, 0, r->def.interval_ms);
	return r;
}

void
checks_init(struct checks *ch, uv_loop_t *loop, checks_result_cb cb,
	    void *arg)
{
	*ch = (struct checks){.loop = loop, .on_result = cb, .arg = arg};
	list_init(&ch->runners);
}

void
checks_stats(const struct checks *ch, struct checks_stats *out)
{
	*out = ch->stats;
}

static const struct service *
find(struct service *const *services, size_t count, const char *id)
{
	for (size_t i = 0; i < count; i++) {
		if (strcmp(services[i]->id, id) == 0)
			return services[i];
	}
	return NULL;
}

static bool
same_check(const struct check_runner *r, const struct service *s)
{
	return s->check.kind == r->def.kind &&
	       s->check.interval_ms == r->def.interval_ms &&
	       s->check.timeout_ms == r->def.timeout_ms &&
	       strcmp(s->check.target, r->target) == 0;
}

void
checks_sync(struct checks *ch, struct service *const *services,
	    size_t count)
{
	if (ch->stopped)
		return;
	/* Stop runners whose service is gone or whose check changed. */
	struct list *it, *tmp;
	list_foreach_safe(it, tmp, &ch->runners) {
		struct check_runner *r = list_entry(it, struct check_runner,
						    link);
		const struct service *s = find(services, count, r->id);
		if (s == NULL || s->check.kind == SERVICE_CHECK_NONE ||
		    !same_check(r, s))
			runner_stop(r);
	}
	/* Start the missing ones. */
	for (size_t i = 0; i < count; i++) {
		const struct service *s = services[i];
		if (s->check.kind == SERVICE_CHECK_NONE)
			continue;
		bool running = false;
		list_foreach(it, &ch->runners) {
			const struct check_runner *r =
				list_entry(it, struct check_runner, link);
			running = running || strcmp(r->id, s->id) == 0;
		}
		if (running)
			continue;
		struct check_runner *r = runner_start(ch, s);
		if (r != NULL)
			list_insert_head(&ch->runners, &r->link);
	}
}

void
checks_stop(struct checks *ch)
{
	ch->stopped = true;
	while (!list_empty(&ch->runners)) {
		struct check_runner *r = list_entry(ch->runners.next,
						    struct check_runner, link);
		struct probe *p = r->probe;
		runner_stop(r);
		if (p != NULL) {
			/* Kill a running command and stop waiting for it:
			 * every handle closes now, through our callbacks. */
			if (p->kind == SERVICE_CHECK_EXEC && !p->exited) {
				probe_kill(p);
				p->exited = true;
			}
			p->done = true;
			probe_close_handles(p);
		}
	}
}
